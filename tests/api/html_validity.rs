//! Every page, in every state a person can reach, passes the W3C Nu HTML Checker with no errors.

use crate::common::{spawn_app_with, PASSWORD};

#[tokio::test]
async fn every_page_is_valid_html() {
    let app = spawn_app_with(|s| s.jury.quorums = crate::common::jury::panel_of(2)).await;
    let mut pages: Vec<(String, String)> = Vec::new();
    let mut keep = |name: &str, html: String| pages.push((name.to_string(), html));

    for (name, path) in [
        ("home", "/"),
        ("register", "/register"),
        ("signin", "/signin?next=/account"),
        ("verify", "/verify?token=abc"),
        ("verify-missing", "/verify"),
        ("forgot", "/password/forgot"),
        ("reset-invalid", "/password/reset?token=nope"),
        ("not-found", "/no/such/page"),
    ] {
        keep(name, app.get_html(path).await);
    }
    let english = app.client.get(app.url("/")).header("Accept-Language", "en").send().await.unwrap();
    keep("home-en", english.text().await.unwrap());
    keep(
        "register-errors",
        app.submit("/register", "/register", &[("email", "bad"), ("password", "x")]).await.text().await.unwrap(),
    );
    keep("signin-failed", app.sign_in("nobody@example.com", "wrong").await.text().await.unwrap());
    keep(
        "forgot-sent",
        app.submit("/password/forgot", "/password/forgot", &[("email", "a@example.com")]).await.text().await.unwrap(),
    );
    keep(
        "csrf",
        app.client.post(app.url("/register")).form(&[("csrf_token", "x")]).send().await.unwrap().text().await.unwrap(),
    );

    let newcomer = app.new_visitor();
    newcomer.register_only("sent@example.com", "Sent").await;
    keep("register-sent", newcomer.get_html("/register/sent").await);
    app.register("valid@example.com", "Valid").await;
    keep("account-unverified", app.get_html("/account").await);
    keep(
        "account-errors",
        app.submit("/account", "/account/password", &[("current", "wrong"), ("new", "x"), ("confirm", "y")])
            .await
            .text()
            .await
            .unwrap(),
    );
    let mail = app.wait_for_mail("account_verify", "valid@example.com").await;
    let path = mail.link().replace(&app.address, "");
    keep("verify-expired", app.submit(&path, "/verify", &[("token", "expired")]).await.text().await.unwrap());
    app.sign_out().await;
    app.sign_in("valid@example.com", PASSWORD).await;
    keep("home-signed-in", app.get_html("/").await);

    // The case pages, in the states people meet them.
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    keep("cases-empty", buyer.get_html("/cases").await);
    keep("case-new", buyer.get_html("/cases/new").await);
    keep("case-new-errors", buyer.submit("/cases/new", "/cases", &[("price", "-1")]).await.text().await.unwrap());
    let filing = [
        ("my_side", "buyer"),
        ("other_email", "seller@example.com"),
        ("order_ref", "XY-9"),
        ("item_title", "Nintendo Switch"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "1500"),
        ("disputed", "1500"),
        ("statement", "收到的游戏机无法开机，卖家说发货前是好的，我要求全额退款。"),
        ("remedy", "full_refund"),
    ];
    let res = buyer.submit("/cases/new", "/cases", &filing).await;
    let case = res.headers()["location"].to_str().unwrap().to_string();
    keep("cases-list", buyer.get_html("/cases").await);
    keep("case-claimant", buyer.get_html(&case).await);
    keep("case-respondent", seller.get_html(&case).await);
    keep("overview-respondent", seller.get_html("/overview").await);
    keep("notifications", buyer.get_html("/notifications").await);
    keep("confirm-withdraw", buyer.submit(&case, &format!("{case}/withdraw"), &[]).await.text().await.unwrap());
    keep(
        "case-answer-errors",
        seller.submit(&case, &format!("{case}/answer"), &[("statement", "短")]).await.text().await.unwrap(),
    );
    seller
        .submit(
            &case,
            &format!("{case}/answer"),
            &[("statement", "发货前测试过可以正常开机，有视频为证，可能是运输中损坏。"), ("position", "reject")],
        )
        .await;
    seller
        .submit(
            &case,
            &format!("{case}/offer"),
            &[("remedy", "partial_refund"), ("amount", "200"), ("note", "我退 200 元")],
        )
        .await;
    keep("case-evidence-offer", buyer.get_html(&case).await);
    keep(
        "case-evidence-errors",
        buyer
            .submit(&case, &format!("{case}/offer"), &[("remedy", "partial_refund"), ("amount", "x")])
            .await
            .text()
            .await
            .unwrap(),
    );
    buyer.submit(&case, &format!("{case}/offer/accept"), &[("confirm", "yes")]).await;
    keep("case-settled", buyer.get_html(&case).await);

    // The juror pages: joining, probation on a calibration case, a summons, the leaderboard.
    keep("juror-join", seller.get_html("/juror").await);
    keep("juror-join-errors", seller.submit("/juror", "/juror", &[("capacity", "x")]).await.text().await.unwrap());
    let profile = [("expertise", "electronics"), ("interests", "switch"), ("side", "sell"), ("capacity", "2")];
    seller.submit("/juror", "/juror", &profile).await;
    keep("juror-probation-dashboard", seller.get_html("/juror").await);
    keep("probation-no-cases", seller.get_html("/juror/probation").await);
    let moderator = {
        let (pool, case_id) = (app.pool.clone(), case.trim_start_matches("/cases/").to_string());
        tokio::task::spawn_blocking(move || {
            let conn = &mut *pool.get().unwrap();
            let row = xiaofating::db::models::user::find_by_email(conn, "valid@example.com").unwrap().unwrap();
            xiaofating::db::models::user::set_role(conn, row.id, "moderator", row.created_at).unwrap();
            let account = xiaofating::services::account::Account::from(
                xiaofating::db::models::user::find(conn, row.id).unwrap().unwrap(),
            );
            let why = "Known outcome, recorded for the page checks.";
            xiaofating::services::moderation::calibration::mark_calibration(
                conn,
                &account,
                &case_id,
                ("buyer", why),
                row.created_at,
            )
            .unwrap();
        })
        .await
        .unwrap();
        app.new_visitor()
    };
    let juror = app.verified_member("mock@example.com", "见习").await;
    juror.submit("/juror", "/juror", &profile).await;
    keep("probation-review", juror.get_html("/juror/probation").await);
    keep(
        "probation-review-errors",
        juror
            .submit(
                "/juror/probation",
                &format!("/juror/probation{}", case.trim_start_matches("/cases")),
                &[("reason", "短")],
            )
            .await
            .text()
            .await
            .unwrap(),
    );
    let reviewed = juror
        .submit(
            "/juror/probation",
            &format!("/juror/probation{}", case.trim_start_matches("/cases")),
            &[("vote", "seller"), ("reason", "卖家的测试视频说明发货时可以开机，支持卖家。")],
        )
        .await;
    keep("probation-feedback", juror.get_html(reviewed.headers()["location"].to_str().unwrap()).await);
    let invited = [("other_email", "invitee@example.com"), ("order_ref", "XY-11")];
    let fields: Vec<(&str, &str)> =
        filing.iter().filter(|(k, _)| !invited.iter().any(|(s, _)| s == k)).chain(invited.iter()).copied().collect();
    let invited_case =
        buyer.submit("/cases/new", "/cases", &fields).await.headers()["location"].to_str().unwrap().to_string();
    let invitee = app.new_visitor();
    invitee.register("invitee@example.com", "受邀者").await;
    keep("case-verify-first", invitee.get_html(&invited_case).await);
    app.seed_jurors(&[("j1@example.com", "buy"), ("j2@example.com", "sell")]).await;
    let other = app.verified_member("other@example.com", "另一位卖家").await;
    let second = [("other_email", "other@example.com"), ("order_ref", "XY-10")];
    let fields: Vec<(&str, &str)> =
        filing.iter().filter(|(k, _)| !second.iter().any(|(s, _)| s == k)).chain(second.iter()).copied().collect();
    let res = buyer.submit("/cases/new", "/cases", &fields).await;
    let jury_case = res.headers()["location"].to_str().unwrap().to_string();
    other
        .submit(
            &jury_case,
            &format!("{jury_case}/answer"),
            &[("statement", "发货前测试过可以正常开机，有视频为证，可能是运输中损坏。"), ("position", "reject")],
        )
        .await;
    app.clock.advance(chrono::TimeDelta::hours(73));
    app.wait_for_mail("jury_summons", "j1@example.com").await;
    let j1 = app.juror("j1@example.com").await;
    keep("juror-dashboard-summons", j1.get_html("/juror").await);
    keep("overview-juror", j1.get_html("/overview").await);
    keep("juror-case", j1.get_html(&format!("/juror{jury_case}")).await);
    keep("case-jury-selection", buyer.get_html(&jury_case).await);
    let juror_case = format!("/juror{jury_case}");
    let j2 = app.juror("j2@example.com").await;
    for juror in [&j1, &j2] {
        let dashboard = juror.get_html("/juror").await;
        let accept =
            dashboard.split("action=\"").find(|a| a.starts_with("/juror/summons/") && a.contains("/accept\"")).unwrap();
        juror.submit("/juror", accept.split('"').next().unwrap(), &[]).await;
    }
    app.wait_for_state(jury_case.trim_start_matches("/cases/"), "voting").await;
    keep("juror-case-vote-form", j1.get_html(&juror_case).await);
    let vote = format!("{juror_case}/vote");
    keep("juror-case-vote-errors", j1.submit(&juror_case, &vote, &[("reason", "短")]).await.text().await.unwrap());
    let ask = [("side", "buyer"), ("reason", "卖家的视频看不出开机状态，买家照片可信。")];
    keep("vote-confirm", j1.submit(&juror_case, &vote, &ask).await.text().await.unwrap());
    j1.submit(&juror_case, &vote, &[ask[0], ask[1], ("confirm", "yes")]).await;
    keep("juror-case-voted", j1.get_html(&juror_case).await);
    keep("case-voting", buyer.get_html(&jury_case).await);
    j2.submit(
        &juror_case,
        &vote,
        &[("side", "buyer"), ("reason", "运输损坏应由卖家先向快递索赔，买家不应承担。"), ("confirm", "yes")],
    )
    .await;
    keep("case-verdict-winner", buyer.get_html(&jury_case).await);
    keep("case-verdict-loser", other.get_html(&jury_case).await);
    keep("juror-case-verdict", j1.get_html(&juror_case).await);
    keep("leaderboard", j1.get_html("/jurors").await);
    moderator.sign_in("valid@example.com", PASSWORD).await;
    keep("moderation-queue", moderator.get_html("/moderation").await);
    let file = format!("/moderation{jury_case}");
    keep("moderation-case-file", moderator.get_html(&file).await);
    let override_action = format!("{file}/override");
    let bad = moderator.submit(&file, &override_action, &[("prevails", "seller"), ("reason", "短")]).await;
    keep("moderation-override-errors", bad.text().await.unwrap());
    let reason = "卖家的视频拍到了开机画面，买家的照片不能证明损坏发生在发货之前。";
    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("amount", ""), ("reason", reason)];
    moderator.submit(&file, &override_action, &fields).await;
    keep("moderation-case-overridden", moderator.get_html(&file).await);
    let overridden = buyer.get_html(&jury_case).await;
    assert!(overridden.contains(reason), "the party page shows the override");
    keep("case-overridden", overridden);
    keep("moderation-jurors", moderator.get_html("/moderation/jurors").await);
    keep("moderation-audit", moderator.get_html("/moderation/audit").await);
    keep("moderation-stats", moderator.get_html("/moderation/stats").await);

    let mailbox = app.get_html("/dev/mail").await;
    let letter = mailbox.split("href=\"/dev/mail/").nth(1).unwrap().split('"').next().unwrap().to_string();
    keep("dev-mailbox", mailbox);
    let secret = hex::decode(std::fs::read_to_string(app.data_dir.join("secret_key")).unwrap().trim()).unwrap();
    keep("unsubscribe-ask", app.get_html(&xiaofating::email::unsubscribe::path(&secret, "someone")).await);
    keep("dev-letter", app.get_html(&format!("/dev/mail/{letter}")).await);

    let errors = crate::common::nu::html_errors(&pages);
    assert!(errors.is_empty(), "Nu HTML Checker errors on {} pages:\n{}", pages.len(), errors.join("\n"));
}
