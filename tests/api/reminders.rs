//! Reminder emails can be switched off — in settings, or with one click from the email itself —
//! while notices about one's own case keep coming.

use crate::common::{spawn_app, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;

async fn answered_case(app: &TestApp, buyer: &TestApp, seller: &TestApp) -> String {
    let fields = [
        ("my_side", "buyer"),
        ("other_email", "seller@example.com"),
        ("order_ref", "XY-77"),
        ("item_title", "Switch 游戏机"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "1500"),
        ("disputed", "1500"),
        ("statement", "收到的游戏机无法开机，卖家说发货前测试过，我要求全额退款。"),
        ("remedy", "full_refund"),
    ];
    let res = buyer.submit("/cases/new", "/cases", &fields).await;
    let page = res.headers()["location"].to_str().unwrap().to_string();
    seller
        .submit(
            &page,
            &format!("{page}/answer"),
            &[("statement", "发货前测试过可以正常开机，我有视频，也可以提供快递单号。"), ("position", "reject")],
        )
        .await;
    let _ = app;
    page
}

#[tokio::test]
async fn reminders_stop_by_one_click_or_in_settings_but_case_notices_go_on() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    answered_case(&app, &buyer, &seller).await;
    app.clock.advance(TimeDelta::hours(49));
    let reminder = app.wait_for_mail("evidence_deadline_soon", "buyer@example.com").await;
    let url = reminder.unsubscribe.trim_matches(['<', '>']).to_string();
    assert!(url.starts_with(&format!("{}/unsubscribe?u=", app.address)), "List-Unsubscribe: {}", reminder.unsubscribe);
    assert!(reminder.text.contains(&url), "the link is in the text too");

    assert!(buyer.get_html("/account").await.contains("reminders-hint\" checked"), "reminders start on");
    // A mail client posts the link without cookies (RFC 8058); a forged signature gets nothing.
    let mail_client = crate::common::new_client();
    let forged = url.replace("&sig=", "&sig=00");
    assert_eq!(mail_client.post(&forged).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    assert!(
        mail_client.get(&url).send().await.unwrap().text().await.unwrap().contains("停止提醒"),
        "opening the link asks first"
    );
    let res = mail_client.post(&url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("不会再给你发送提醒邮件"));
    assert!(!buyer
        .get_html("/account")
        .await
        .contains("name=\"reminders\" aria-describedby=\"reminders-hint\" checked"));

    // The seller switches reminders off in settings (an unticked box sends nothing).
    seller
        .submit(
            "/account",
            "/account/settings",
            &[("display_name", "卖家"), ("locale", "zh-CN"), ("time_zone", "Asia/Shanghai")],
        )
        .await;
    assert!(!seller.get_html("/account").await.contains("reminders-hint\" checked"));

    let second = answered_case(&app, &buyer, &seller).await;
    let second_id = second.trim_start_matches("/cases/").to_string();
    app.clock.advance(TimeDelta::hours(73));
    app.wait_for_mail("evidence_closed", "seller@example.com").await;
    let reminders_for_second =
        app.mails().into_iter().filter(|m| m.kind == "evidence_deadline_soon" && m.text.contains(&second_id)).count();
    assert_eq!(reminders_for_second, 0, "nobody who switched reminders off gets one");
    let notices = app.mails().into_iter().filter(|m| m.kind == "evidence_closed" && m.unsubscribe.is_empty()).count();
    assert!(notices >= 4, "stage notices keep coming, without an unsubscribe link");
}
