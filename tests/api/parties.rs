//! The parties' experience: in-app notices, the header that stays signed in on every answer, and
//! HEAD on pages.

use crate::common::jury::{answer, file};
use crate::common::{badge, spawn_app, TestApp};
use reqwest::StatusCode;

/// How many notices a page of `/notifications` shows.
fn shown(html: &str) -> usize {
    html.matches("<p class=\"muted small\"><time").count()
}

#[tokio::test]
async fn notices_list_each_stage_once_and_reading_the_case_clears_them() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "索尼耳机").await;

    let home = seller.get_html("/cases").await;
    assert_eq!(badge(&home, "/notifications"), 1, "one unread notice: the case against them");
    assert_eq!(badge(&home, "/overview"), 1, "one thing to do: answer");
    answer(&seller, &case).await;
    let after = seller.get_html("/cases").await;
    assert_eq!(badge(&after, "/notifications"), 0, "reading the case marked its notice read");
    assert_eq!(badge(&after, "/overview"), 0, "answered: nothing left to do");

    let list = buyer.get_html("/notifications").await;
    assert_eq!(list.matches("class=\"unread\"").count(), 2, "filed and answered, both unread: {list}");
    assert_eq!(shown(&list), 2, "each stage once");
    assert!(list.contains(&format!("href=\"/cases/{case}\"")), "each links to the case");
    let again = buyer.get_html("/notifications").await;
    assert_eq!(again.matches("class=\"unread\"").count(), 0, "shown once, then read");
    assert_eq!(badge(&again, "/notifications"), 0);
    app.assert_notices_match_outbox().await;
}

#[tokio::test]
async fn notices_are_paged_newest_first_in_the_readers_language() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    // Ten cases filed and withdrawn (two notices each: the open-case cap is ten), then two more.
    for n in 0..12 {
        let case = file(&buyer, &format!("seller{n}@example.com"), &format!("旧书第{n}册")).await;
        if n < 10 {
            let page = format!("/cases/{case}");
            let res = buyer.submit(&page, &format!("{page}/withdraw"), &[("confirm", "yes")]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    }
    let first = buyer.get_html("/notifications").await;
    assert_eq!(shown(&first), 20, "twenty a page");
    assert!(first.find("旧书第11册").unwrap() < first.find("旧书第10册").unwrap(), "newest first");
    assert!(first.contains("旧书第1册") && !first.contains("旧书第0册"));
    let older = first.split("/notifications?before=").nth(1).unwrap().split('"').next().unwrap();
    let second = buyer.get_html(&format!("/notifications?before={older}")).await;
    assert_eq!(shown(&second), 2, "the oldest two");
    assert!(second.contains("旧书第0册") && !second.contains("旧书第1册"));
    assert!(!second.contains("href=\"/notifications?before="), "the last page");
    buyer.submit("/account", "/language", &[("lang", "en"), ("next", "/notifications")]).await;
    let english = buyer.get_html("/notifications").await;
    assert!(english.contains("<h1>Notifications</h1>") && english.contains("旧书第11册"), "{english}");
    assert!(!english.contains("纠纷"), "worded in the reader's language when read");
}

#[tokio::test]
async fn every_error_page_keeps_the_signed_in_header() {
    let app = spawn_app().await;
    let member = app.verified_member("member@example.com", "小周").await;
    let signed_in =
        |html: &str| html.contains("小周") && html.contains("/signout") && !html.contains("href=\"/register\"");
    for path in ["/no/such/page", "/cases/doesnotexist1234", "/juror/cases/doesnotexist1234"] {
        let res = member.get(path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let html = res.text().await.unwrap();
        assert!(signed_in(&html), "{path}: {html}");
        assert!(html.contains("href=\"/overview\""), "{path}: the way back to what needs them");
    }
    // A bad request (a NUL in the query): 400, still signed in.
    let res = member.get("/cases?x=%00").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(signed_in(&res.text().await.unwrap()), "400");
    // A forged form (no CSRF token): 403, still signed in.
    let res = member.client.post(member.url("/cases")).form(&[("item_title", "x")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(signed_in(&res.text().await.unwrap()));
    let anonymous = app.new_visitor();
    assert!(anonymous.get_html("/no/such/page").await.contains("href=\"/register\""));
}

#[tokio::test]
async fn head_answers_on_every_page() {
    let app = spawn_app().await;
    let member: TestApp = app.verified_member("member@example.com", "小周").await;
    for path in ["/", "/signin", "/static/app.css", "/static/app.js", "/healthz"] {
        let res = app.new_visitor().client.head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "HEAD {path}");
        assert!(res.text().await.unwrap().is_empty(), "HEAD {path} has no body");
    }
    for path in ["/overview", "/notifications", "/cases"] {
        assert_eq!(member.client.head(member.url(path)).send().await.unwrap().status(), StatusCode::OK, "{path}");
    }
}

/// Anyone can register the invited address without proving it: such an account gets no notices,
/// its name is not shown to the claimant, and it sees nothing of the case but the deadline.
#[tokio::test]
async fn an_unverified_account_with_the_invited_address_learns_nothing_of_the_case() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let squatter = app.new_visitor();
    assert_eq!(squatter.register("invitee@example.com", "冒名者").await.status(), StatusCode::SEE_OTHER);
    let case = file(&buyer, "invitee@example.com", "佳能 R6 相机").await;
    assert_eq!(shown(&squatter.get_html("/notifications").await), 0, "no notice before the address is proven");
    assert!(!squatter.get_html(&format!("/cases/{case}")).await.contains("佳能"));
    assert!(!buyer.get_html(&format!("/cases/{case}")).await.contains("冒名者"), "the claimant never reads that name");
}

/// A HEAD request (a link checker, a preview) answers the page but marks nothing read.
#[tokio::test]
async fn looking_at_a_page_with_head_marks_nothing_read() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "索尼耳机").await;
    for path in [format!("/cases/{case}"), "/notifications".to_string()] {
        assert_eq!(seller.client.head(seller.url(&path)).send().await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(badge(&seller.get_html("/overview").await, "/notifications"), 1, "still unread");
}

/// A form of the case page that comes back with something to change says so at the top, where the
/// person lands after sending, and links to the form, which may be far below the fold: every form
/// of the page (answer, offer, evidence, appeal), and none on a plain visit.
#[tokio::test]
async fn a_form_that_comes_back_is_named_at_the_top_with_a_link_down_to_it() {
    use crate::common::jury::{jury_court, seat_panel, vote};
    let app = jury_court(3, 6).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 Q2 相机").await;
    let page = format!("/cases/{case}");
    let named_at_top = |res_html: (StatusCode, String), anchor: &str, alert: &str| {
        let (status, html) = res_html;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{anchor}");
        let at = html
            .find(&format!("<p class=\"form-alert\" role=\"alert\">{alert}"))
            .unwrap_or_else(|| panic!("{anchor}: {html}"));
        assert!(at < html.find("id=\"next-title\"").unwrap(), "{anchor}: the alert comes before everything else");
        assert!(
            html.contains(&format!("href=\"#{anchor}\"")) && html.contains(&format!("id=\"{anchor}\"")),
            "{anchor}"
        );
    };
    let sent = |res: reqwest::Response| async move { (res.status(), res.text().await.unwrap()) };

    let res = seller.submit(&page, &format!("{page}/answer"), &[("statement", ""), ("position", "reject")]).await;
    named_at_top(sent(res).await, "answer", "你的答辩还没有提交");
    answer(&seller, &case).await;

    let offer = [("remedy", "partial_refund"), ("amount", "x"), ("note", "退一半，耳机我自己修。")];
    named_at_top(
        sent(buyer.submit(&page, &format!("{page}/offer"), &offer).await).await,
        "settle",
        "你的和解方案还没有发出",
    );
    named_at_top(sent(buyer.upload_evidence(&case, "", None).await).await, "evidence_form", "你的证据还没有加入案卷");
    assert!(!buyer.get_html(&page).await.contains("form-alert"), "a plain visit has nothing to correct");

    app.clock.advance(chrono::TimeDelta::hours(73));
    let seated = seat_panel(&app, &case, 3).await;
    for (_, juror) in &seated[..2] {
        vote(juror, &case, "buyer", "买家照片里的磕碰痕迹是新的，卖家描述九成新不实。").await;
    }
    app.wait_for_state(&case, "decided").await;
    let res = seller.submit(&page, &format!("{page}/appeal"), &[("appeal_reason", "")]).await;
    named_at_top(sent(res).await, "appeal", "你的上诉还没有提交");
}
