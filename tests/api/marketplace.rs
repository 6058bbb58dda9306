//! The marketplace's API over real HTTP, and its webhooks to a real receiver on loopback.

use crate::common::jury::*;
use crate::common::{location, new_client, spawn_app_with, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xiaofating::domain::filing::Orders;
use xiaofating::domain::marketplace::verify_signature;

/// Makes an API key through the service the admin CLI uses: (key, webhook secret).
pub async fn api_key(app: &TestApp, name: &str, webhook_url: Option<String>) -> (String, String) {
    let (pool, name, now) = (app.pool.clone(), name.to_string(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        let issued = xiaofating::services::marketplace::keys::create(
            &mut pool.get().unwrap(),
            &name,
            webhook_url.as_deref(),
            now,
            &mut rand::rng(),
        )
        .unwrap();
        (issued.key, issued.webhook_secret)
    })
    .await
    .unwrap()
}

async fn call(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = new_client().request(method, app.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(body);
    }
    let res = request.send().await.unwrap();
    let status = res.status();
    let content_type = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = res.text().await.unwrap();
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json", "{status}: {text}");
    }
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

pub async fn post(app: &TestApp, key: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    call(app, key, reqwest::Method::POST, path, Some(body)).await
}

async fn get(app: &TestApp, key: &str, path: &str) -> (StatusCode, Value) {
    call(app, key, reqwest::Method::GET, path, None).await
}

pub fn order(id: &str, buyer: &str, seller: &str) -> Value {
    json!({
        "order_id": id, "item_title": "徕卡 Q2 相机", "category": "electronics",
        "price": {"amount_fen": 320_000, "currency": "CNY"},
        "buyer": {"id": format!("b-{buyer}"), "email": buyer, "name": "买家小王"},
        "seller": {"id": format!("s-{seller}"), "email": seller, "name": "卖家老李"},
        "paid_at": "2026-11-20T08:00:00Z", "shipped_at": "2026-11-21T10:00:00Z", "delivered_at": "2026-11-23T15:30:00Z",
        "carrier": "顺丰", "tracking_number": "SF1234567890"
    })
}

pub fn filing(order_id: &str) -> Value {
    json!({
        "order_id": order_id, "filed_by": "buyer", "dispute_type": "not_as_described",
        "statement": "镜头有明显划痕，卖家描述是九五新无划痕，收货当天就拍了照片。",
        "remedy": {"kind": "full_refund"}
    })
}

#[tokio::test]
async fn a_request_without_a_valid_key_is_refused_with_a_problem_document() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let res = new_client().get(app.url("/api/v1/cases")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(
        (problem["status"].as_u64(), problem["type"].as_str()),
        (Some(401), Some("/api/v1/problems/unauthorized"))
    );
    assert_eq!(get(&app, "xft_wrong", "/api/v1/cases").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&app, &key, "/api/v1/cases").await.0, StatusCode::OK);
    let (pool, now) = (app.pool.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        xiaofating::services::marketplace::keys::revoke(&mut pool.get().unwrap(), "xianyu", now).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(get(&app, &key, "/api/v1/cases").await.0, StatusCode::UNAUTHORIZED, "a revoked key");
    assert_eq!(get(&app, &key, "/api/v1/nowhere").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_the_field_and_changes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let mut wrong_type = order("XY-1", "b@example.com", "s@example.com");
    wrong_type["price"]["amount_fen"] = json!("lots");
    let (status, problem) = post(&app, &key, "/api/v1/orders", &wrong_type).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["detail"].as_str().unwrap().contains("price.amount_fen"), "{problem}");
    for (field, value, named) in [
        ("price", json!({"amount_fen": 0, "currency": "CNY"}), "price"),
        ("price", json!({"amount_fen": 100_000_001, "currency": "CNY"}), "price"),
        ("price", json!({"amount_fen": 100, "currency": "USD"}), "price"),
        ("seller", json!({"id": "x", "email": "b@example.com", "name": "同一人"}), "seller"),
        ("delivered_at", json!("2026-11-01T00:00:00Z"), "delivered_at"),
    ] {
        let mut bad = order("XY-1", "b@example.com", "s@example.com");
        bad[field] = value;
        let (status, problem) = post(&app, &key, "/api/v1/orders", &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == named), "{problem}");
    }
    assert_eq!(app.count("orders").await, 0);
    let (status, problem) = post(&app, &key, "/api/v1/cases", &filing("NO-SUCH-ORDER")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "order_id");
    // Another marketplace's order is as unknown as a missing one.
    let (other, _) = api_key(&app, "other-market", None).await;
    assert_eq!(
        post(&app, &other, "/api/v1/orders", &order("XY-9", "b@example.com", "s@example.com")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(post(&app, &key, "/api/v1/cases", &filing("XY-9")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let mut too_much = filing("XY-9");
    too_much["remedy"] = json!({"kind": "partial_refund", "amount_fen": 320_001});
    let (status, problem) = post(&app, &other, "/api/v1/cases", &too_much).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("remedy")));
    assert_eq!(app.count("cases").await, 0);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_request() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let send = |path: &'static str, body: Value, idem: &'static str| {
        let request = new_client().post(app.url(path)).bearer_auth(&key).header("Idempotency-Key", idem).json(&body);
        async move {
            let res = request.send().await.unwrap();
            (res.status(), res.text().await.unwrap())
        }
    };
    let registered = send("/api/v1/orders", order("XY-1", "b@example.com", "s@example.com"), "order-1").await;
    assert_eq!(registered.0, StatusCode::CREATED, "{}", registered.1);
    let again = send("/api/v1/orders", order("XY-1", "b@example.com", "s@example.com"), "order-1").await;
    assert_eq!(again, registered, "the same answer, byte for byte (a new request would be a 200)");
    let first = send("/api/v1/cases", filing("XY-1"), "file-once").await;
    assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
    let replayed = send("/api/v1/cases", filing("XY-1"), "file-once").await;
    let id = |answer: &(StatusCode, String)| serde_json::from_str::<Value>(&answer.1).unwrap()["case"]["id"].clone();
    assert_eq!((replayed.0, id(&replayed)), (StatusCode::CREATED, id(&first)), "the same case");
    assert_eq!(app.count("cases").await, 1);
    let mut other = filing("XY-1");
    other["statement"] = json!("另一份陈述：镜头有划痕而且对焦也不准，和描述完全不符。");
    let conflict = send("/api/v1/cases", other, "file-once").await;
    assert_eq!(conflict.0, StatusCode::CONFLICT);
    assert!(conflict.1.contains("idempotency-conflict"));
    assert_eq!(app.count("cases").await, 1);
}

#[tokio::test]
async fn a_case_filed_for_a_party_comes_with_a_one_time_short_lived_link_to_it() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "newbuyer@example.com", "seller@example.com")).await;
    let (status, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        (filed["case"]["order_id"].as_str(), filed["case"]["order_verified"].as_bool()),
        (Some("XY-1"), Some(true))
    );
    assert_eq!(filed["case"]["state"], "awaiting_response");
    assert_eq!(filed["sign_in"]["one_time"], true);
    let link = filed["sign_in"]["url"].as_str().unwrap().to_string();
    let path = link.strip_prefix(&app.address).expect("a link to this court").to_string();
    // The party had no account: opening the link spends nothing; continuing signs them in.
    let party = app.new_visitor();
    assert!(party.get_html(&path).await.contains("买家小王"), "the page names whose account it opens");
    assert!(party.get_html(&path).await.contains("买家小王"), "opening it twice (a link preview) spends nothing");
    let res = use_link(&party, &path).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, format!("/cases/{case}")));
    let page = party.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("徕卡 Q2 相机"), "the party sees their case");
    // Once only.
    let again = app.new_visitor();
    assert_eq!(again.get(&path).await.status(), StatusCode::CONFLICT);
    assert_eq!(use_link(&again, &path).await.status(), StatusCode::CONFLICT);
    assert_eq!(again.get(&format!("/cases/{case}")).await.status(), StatusCode::SEE_OTHER, "not signed in");
    // And not after 15 minutes.
    post(&app, &key, "/api/v1/orders", &order("XY-2", "newbuyer@example.com", "seller@example.com")).await;
    let (_, late) = post(&app, &key, "/api/v1/cases", &filing("XY-2")).await;
    let late_path = late["sign_in"]["url"].as_str().unwrap().strip_prefix(&app.address).unwrap().to_string();
    let late_visitor = app.new_visitor();
    assert_eq!(late_visitor.get(&late_path).await.status(), StatusCode::OK);
    app.clock.advance(TimeDelta::minutes(16));
    assert_eq!(use_link(&late_visitor, &late_path).await.status(), StatusCode::CONFLICT);
    // GET by id and by list; another marketplace sees neither.
    assert_eq!(get(&app, &key, &format!("/api/v1/cases/{case}")).await.1["id"], case.as_str());
    let (other, _) = api_key(&app, "other-market", None).await;
    assert_eq!(get(&app, &other, &format!("/api/v1/cases/{case}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &other, "/api/v1/cases").await.1["cases"].as_array().unwrap().len(), 0);
    let (_, order_back) = get(&app, &key, "/api/v1/orders/XY-1").await;
    assert_eq!(order_back["tracking_number"], "SF1234567890");
}

/// Continues from a case link's page: the form posts the token back.
async fn use_link(visitor: &TestApp, path: &str) -> reqwest::Response {
    let query: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(path.split_once('?').unwrap().1.as_bytes()).into_owned().collect();
    let page = visitor.get_html("/signin").await;
    let csrf = crate::common::csrf_of(&page);
    visitor
        .client
        .post(visitor.url("/signin/link"))
        .form(&[("csrf_token", csrf.as_str()), ("token", &query["token"]), ("case", &query["case"])])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_api_key_opens_no_account_that_has_a_password_and_takes_back_a_squatted_address() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    // A member with a password is sent to the sign-in page, not signed in by the marketplace.
    app.verified_member("member@example.com", "老会员").await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "member@example.com", "seller@example.com")).await;
    let (status, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["sign_in"]["one_time"], false);
    assert!(filed["sign_in"]["url"].as_str().unwrap().contains("/signin?next=/cases/"));
    // Nor a moderator.
    app.verified_member("mod@example.com", "管理员").await;
    moderator(&app, "mod@example.com").await;
    post(&app, &key, "/api/v1/orders", &order("XY-2", "mod@example.com", "seller@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-2")).await;
    assert_eq!(filed["sign_in"]["one_time"], false);
    assert_eq!(app.count("email_tokens WHERE purpose = 'case_link'").await, 0, "no link was made");
    // Someone registered the buyer's address without proving it: the marketplace's user gets it back.
    let squatter = app.new_visitor();
    squatter.register_only("owner@example.com", "冒名者").await;
    post(&app, &key, "/api/v1/orders", &order("XY-3", "owner@example.com", "seller@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-3")).await;
    assert_eq!(filed["sign_in"]["one_time"], true);
    let res = app.new_visitor().sign_in("owner@example.com", crate::common::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "the squatter's password opens nothing");
    let owner = app.new_visitor();
    let path = filed["sign_in"]["url"].as_str().unwrap().strip_prefix(&app.address).unwrap().to_string();
    assert!(owner.get_html(&path).await.contains("买家小王"), "the account bears the order's name");
}

#[tokio::test]
async fn a_marketplace_adds_only_to_cases_on_its_own_orders_and_a_retried_record_is_added_once() {
    let app = jury_court(3, 3).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let typed = file(&buyer, "party-seller@example.com", "相机").await;
    let record = json!({"kind": "tracking", "text": "2026-11-23 15:30 顺丰 已签收"});
    let (status, _) = post(&app, &key, &format!("/api/v1/cases/{typed}/evidence"), &record).await;
    assert_eq!(status, StatusCode::CONFLICT, "a typed case is read, never written to");
    post(&app, &key, "/api/v1/orders", &order("XY-1", "b@example.com", "s@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    let add = || {
        new_client()
            .post(app.url(&format!("/api/v1/cases/{case}/evidence")))
            .bearer_auth(&key)
            .header("Idempotency-Key", "record-1")
            .json(&record)
            .send()
    };
    let (first, second) = tokio::join!(add(), add());
    assert_eq!((first.unwrap().status(), second.unwrap().status()), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(app.count("evidence WHERE from_marketplace").await, 1, "two racing retries added one record");
    // A replayed filing brings a fresh link, and the first one still works once.
    let replay = |body: Value| {
        new_client()
            .post(app.url("/api/v1/cases"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "f-1")
            .json(&body)
            .send()
    };
    post(&app, &key, "/api/v1/orders", &order("XY-2", "c@example.com", "s@example.com")).await;
    let first: Value = replay(filing("XY-2")).await.unwrap().json().await.unwrap();
    let second: Value = replay(filing("XY-2")).await.unwrap().json().await.unwrap();
    assert_eq!(first["case"]["id"], second["case"]["id"]);
    assert_ne!(first["sign_in"]["url"], second["sign_in"]["url"]);
    let path = second["sign_in"]["url"].as_str().unwrap().strip_prefix(&app.address).unwrap().to_string();
    assert_eq!(use_link(&app.new_visitor(), &path).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn lists_page_with_a_cursor_and_filter_by_order_and_state() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    for i in 1..=3 {
        post(&app, &key, "/api/v1/orders", &order(&format!("XY-{i}"), "b@example.com", "s@example.com")).await;
        assert_eq!(post(&app, &key, "/api/v1/cases", &filing(&format!("XY-{i}"))).await.0, StatusCode::CREATED);
    }
    let (_, first) = get(&app, &key, "/api/v1/cases?limit=2").await;
    assert_eq!(first["cases"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = get(&app, &key, &format!("/api/v1/cases?limit=2&cursor={cursor}")).await;
    assert_eq!(second["cases"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());
    let ids: Vec<&str> = first["cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["cases"].as_array().unwrap())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 3, "every case once");
    assert_eq!(get(&app, &key, "/api/v1/cases?order=XY-2").await.1["cases"][0]["order_id"], "XY-2");
    assert_eq!(get(&app, &key, "/api/v1/cases?state=closed").await.1["cases"].as_array().unwrap().len(), 0);
    assert_eq!(get(&app, &key, "/api/v1/cases?state=nonsense").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &key, "/api/v1/cases?limit=0").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &key, "/api/v1/cases?cursor=forged").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(get(&app, &key, "/api/v1/cases?limit=abc").await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn with_orders_required_the_web_court_files_only_on_a_members_registered_order() {
    let app = spawn_app_with(|s| s.orders = Orders::Required).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "buyer@example.com", "seller@example.com")).await;
    post(&app, &key, "/api/v1/orders", &order("XY-2", "someone@example.com", "seller@example.com")).await;
    let form = |order: &'static str| {
        vec![
            ("order", order),
            ("my_side", "buyer"),
            ("other_email", "seller@example.com"),
            ("order_ref", "XY-7"),
            ("item_title", "相机"),
            ("category", "electronics"),
            ("dispute_type", "not_as_described"),
            ("price", "3200"),
            ("disputed", ""),
            ("statement", CLAIM),
            ("remedy", "full_refund"),
            ("remedy_amount", ""),
        ]
    };
    let page = buyer.get_html("/cases/new").await;
    assert!(page.contains("XY-1") && !page.contains("XY-2"), "the form offers the member's own orders");
    let typed = buyer.submit("/cases/new", "/cases", &form("")).await;
    assert_eq!(typed.status(), StatusCode::UNPROCESSABLE_ENTITY, "a typed filing is refused");
    let others = buyer.submit("/cases/new", "/cases", &form("XY-2")).await;
    assert_eq!(others.status(), StatusCode::UNPROCESSABLE_ENTITY, "an order between other people is refused");
    assert_eq!(app.count("cases").await, 0);
    let res = buyer.submit("/cases/new", "/cases", &form("XY-1")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let case = location(&res).trim_start_matches("/cases/").to_string();
    let (_, shown) = get(&app, &key, &format!("/api/v1/cases/{case}")).await;
    assert_eq!((shown["order_id"].as_str(), shown["price"]["amount_fen"].as_i64()), (Some("XY-1"), Some(320_000)));
}

#[tokio::test]
async fn a_court_without_api_keys_files_and_shows_typed_cases_as_before() {
    let app = jury_court(3, 6).await;
    let case = case_ready_for_jury(&app).await;
    let flag: bool = {
        use diesel::prelude::*;
        let (pool, case) = (app.pool.clone(), case.clone());
        tokio::task::spawn_blocking(move || {
            use xiaofating::db::schema::cases;
            cases::table
                .filter(cases::public_id.eq(case))
                .select(cases::order_unverified)
                .first(&mut *pool.get().unwrap())
                .unwrap()
        })
        .await
        .unwrap()
    };
    assert!(!flag, "nothing to verify against in a standalone court");
    let buyer = app.juror("party-buyer@example.com").await;
    assert!(!buyer.get_html(&format!("/cases/{case}")).await.contains("order-verification"));
    assert_eq!(new_client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn the_spec_is_openapi_3_1_and_names_every_endpoint() {
    let app = spawn_app_with(|_| {}).await;
    let spec: Value = new_client().get(app.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/evidence",
        "/api/v1/cases/{id}/remedy",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
}

/// A webhook receiver on loopback: records every request and answers the statuses it is told to
/// (200 once those run out).
/// A request as the receiver got it: its headers (names in lower case) and body.
type Received = (std::collections::HashMap<String, String>, Vec<u8>);

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    async fn listen(&self, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move {
                    let mut raw = Vec::new();
                    let mut buf = [0u8; 8192];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        raw.extend_from_slice(&buf[..n]);
                        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| {
                                    l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap())
                                })
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while raw.len() < head_end + length {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        raw.extend_from_slice(&buf[..n]);
                    }
                    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
                    let headers = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string())))
                        .collect();
                    let status = { me.answers.lock().unwrap().pop().unwrap_or(200) };
                    me.got.lock().unwrap().push((headers, raw[head_end..head_end + length].to_vec()));
                    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = socket.write_all(reply.as_bytes()).await;
                });
            }
        })
    }

    fn events(&self) -> Vec<String> {
        self.got.lock().unwrap().iter().map(|(h, _)| h["x-xiaofating-event"].clone()).collect()
    }

    /// Delivers what is due and waits (up to 15 s) until `event` has arrived `times` times: the
    /// court's own worker may hold a delivery that `deliver_all_mail` then leaves to it.
    async fn wait_for(&self, app: &TestApp, event: &str, times: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            app.deliver_all_mail().await;
            if self.events().iter().filter(|e| *e == event).count() >= times {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{event} never arrived {times} times: {:?}", self.events());
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// Waits (up to 15 s) until the webhook deliveries stand as (pending, sent, dead): a sender records
/// the answer just after the receiver has it.
async fn deliveries(app: &TestApp, expected: (i64, i64, i64)) {
    let count = |status: &str| format!("outbox WHERE api_key_id IS NOT NULL AND status = '{status}'");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let now =
            (app.count(&count("pending")).await, app.count(&count("sent")).await, app.count(&count("dead")).await);
        if now == expected {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "deliveries stand at {now:?}, not {expected:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn receiver() -> (Receiver, String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let receiver = Receiver::default();
    let task = receiver.listen(listener).await;
    (receiver, url, task)
}

#[tokio::test]
async fn every_stage_of_a_full_case_reaches_the_marketplace_signed() {
    let app = jury_court(3, 6).await;
    let (hooks, url, _task) = receiver().await;
    let (key, secret) = api_key(&app, "xianyu", Some(url)).await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "party-buyer@example.com", "party-seller@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    answer(&app.juror("party-seller@example.com").await, &case).await;
    app.clock.advance(TimeDelta::hours(73));
    let seated = seat_panel(&app, &case, 3).await;
    for (i, (_, juror)) in seated.iter().enumerate() {
        vote(juror, &case, if i == 1 { "seller" } else { "buyer" }, "照片显示镜头有划痕，与描述不符，应当退款。").await;
    }
    app.wait_for_state(&case, "decided").await;
    app.clock.advance(TimeDelta::hours(49));
    app.wait_for_state(&case, "closed").await;
    let report =
        json!({"outcome": "carried_out", "reference": "RF-1", "amount": {"amount_fen": 320_000, "currency": "CNY"}});
    let (status, shown) = post(&app, &key, &format!("/api/v1/cases/{case}/remedy"), &report).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["remedy_report"]["outcome"], "carried_out");
    assert_eq!(shown["verdict"]["remedy"]["kind"], "full_refund");
    hooks.wait_for(&app, "case.remedy_reported", 1).await;
    let events = hooks.events();
    for expected in [
        "case.filed",
        "case.answered",
        "case.evidence_closed",
        "case.jury_seated",
        "case.decided",
        "case.final",
        "case.remedy_reported",
    ] {
        assert!(events.contains(&expected.to_string()), "{expected} missing from {events:?}");
    }
    let now = chrono::Utc::now().timestamp();
    for (headers, body) in hooks.got.lock().unwrap().iter() {
        assert!(verify_signature(&headers["x-xiaofating-signature"], &secret, body, now, 300), "signed");
        let delivery: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(delivery["id"], headers["x-xiaofating-delivery"].as_str());
        assert_eq!(delivery["case"]["id"], case.as_str());
    }
    let final_event =
        hooks.got.lock().unwrap().iter().find(|(h, _)| h["x-xiaofating-event"] == "case.final").cloned().unwrap();
    let delivery: Value = serde_json::from_slice(&final_event.1).unwrap();
    assert_eq!(
        (delivery["case"]["verdict"]["prevails"].as_str(), delivery["case"]["verdict"]["is_final"].as_bool()),
        (Some("buyer"), Some(true))
    );
    // The party page shows what the marketplace did.
    let buyer = app.juror("party-buyer@example.com").await;
    assert!(buyer.get_html(&format!("/cases/{case}")).await.contains("RF-1"));
}

#[tokio::test]
async fn a_failed_delivery_is_sent_again_then_not_again_and_an_outage_loses_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let (hooks, url, _task) = receiver().await;
    let (key, _) = api_key(&app, "xianyu", Some(url)).await;
    hooks.answers.lock().unwrap().push(500);
    post(&app, &key, "/api/v1/orders", &order("XY-1", "b@example.com", "s@example.com")).await;
    post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    hooks.wait_for(&app, "case.filed", 1).await;
    deliveries(&app, (1, 0, 0)).await; // refused once, waiting to be sent again
    app.clock.advance(TimeDelta::hours(1));
    hooks.wait_for(&app, "case.filed", 2).await;
    deliveries(&app, (0, 1, 0)).await; // delivered: it is never sent again
    app.clock.advance(TimeDelta::hours(1));
    app.deliver_all_mail().await;
    assert_eq!(hooks.events(), ["case.filed", "case.filed"]);
    let ids: Vec<String> = hooks.got.lock().unwrap().iter().map(|(h, _)| h["x-xiaofating-delivery"].clone()).collect();
    assert_eq!(ids[0], ids[1], "the same delivery id to deduplicate on");

    // A receiver that is down for a while: nothing is lost once it is back.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let (later_key, _) = api_key(&app, "later", Some(format!("http://{address}/hooks"))).await;
    post(&app, &later_key, "/api/v1/orders", &order("XY-2", "b2@example.com", "s2@example.com")).await;
    post(&app, &later_key, "/api/v1/cases", &filing("XY-2")).await;
    for _ in 0..3 {
        app.deliver_all_mail().await;
        app.clock.advance(TimeDelta::minutes(30));
    }
    let back = Receiver::default();
    let _task = back.listen(tokio::net::TcpListener::bind(address).await.unwrap()).await;
    app.clock.advance(TimeDelta::hours(6));
    back.wait_for(&app, "case.filed", 1).await;
    deliveries(&app, (0, 2, 0)).await; // both endpoints have their delivery
}

#[tokio::test]
async fn an_endpoint_that_never_answers_ends_in_the_moderators_queue() {
    let app = spawn_app_with(|_| {}).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let (key, _) = api_key(&app, "gone", Some(format!("http://{address}/gone"))).await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "b@example.com", "s@example.com")).await;
    post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    for _ in 0..14 {
        app.deliver_all_mail().await;
        app.clock.advance(TimeDelta::days(2));
    }
    let moderator_app = app.verified_member("mod@example.com", "管理员").await;
    moderator(&app, "mod@example.com").await;
    let queue = moderator_app.get_html("/moderation").await;
    assert!(queue.contains("case.filed") && queue.contains(&format!("http://{address}/gone")), "dead delivery listed");
}

#[tokio::test]
async fn the_marketplaces_records_join_the_case_and_no_party_can_withdraw_them() {
    let app = spawn_app_with(|_| {}).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "buyer@example.com", "seller@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    let record = json!({"kind": "tracking", "text": "2026-11-23 15:30 顺丰 已签收，签收人：本人"});
    let (status, added) = post(&app, &key, &format!("/api/v1/cases/{case}/evidence"), &record).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("已签收") && page.contains("from-marketplace"), "shown, marked as the marketplace's");
    let item = added["id"].as_str().unwrap();
    let res = buyer.submit(&format!("/cases/{case}"), &format!("/cases/{case}/evidence/{item}/withdraw"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = post(
        &app,
        &key,
        &format!("/api/v1/cases/{case}/remedy"),
        &json!({"outcome": "carried_out", "reference": "RF-1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "no final verdict yet");
}

/// A moderator's override is what the marketplace carries out: the case and the case list show it
/// as the final verdict, decided by a moderator.
#[tokio::test]
async fn a_moderators_override_reaches_the_api_as_the_final_verdict() {
    let app = jury_court(3, 6).await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    post(&app, &key, "/api/v1/orders", &order("XY-1", "party-buyer@example.com", "party-seller@example.com")).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    answer(&app.juror("party-seller@example.com").await, &case).await;
    app.clock.advance(TimeDelta::hours(73));
    for (_, juror) in seat_panel(&app, &case, 3).await {
        vote(&juror, &case, "buyer", "照片显示镜头有划痕，与描述不符，应当退款。").await;
    }
    app.wait_for_state(&case, "decided").await;
    app.seed_jurors(&[("mod@example.com", "both")]).await;
    moderator(&app, "mod@example.com").await;
    let file = format!("/moderation/cases/{case}");
    let ruling = [
        ("prevails", "seller"),
        ("remedy", "dismissed"),
        ("amount", ""),
        ("reason", crate::moderation::OVERRIDE_REASON),
    ];
    let res = app.juror("mod@example.com").await.submit(&file, &format!("{file}/override"), &ruling).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (_, shown) = get(&app, &key, &format!("/api/v1/cases/{case}")).await;
    let (_, list) = get(&app, &key, "/api/v1/cases").await;
    for verdict in [&shown["verdict"], &list["cases"][0]["verdict"]] {
        assert_eq!(
            (verdict["prevails"].as_str(), verdict["decided_by"].as_str(), verdict["is_final"].as_bool()),
            (Some("seller"), Some("moderator"), Some(true)),
            "{verdict}"
        );
        assert_eq!(verdict["remedy"]["kind"], "dismissed");
    }
}
