//! Bad input at scale: every form the court shows, found by crawling the demo court as each kind of
//! user, is posted with random and hostile values (huge, empty, control characters, invalid UTF-8,
//! SQL and HTML payloads, negative and overflowing numbers) in every field, with a valid CSRF token
//! so that the values reach the handlers; so are the GET forms' queries and the ids in paths. No
//! answer may be a 500, the server must stay up, and an answer that refuses (4xx) must leave every
//! table as it was: no partial write.

use crate::common::{csrf_of, TestApp};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Values a careless or hostile client sends, as raw bytes (not all of them UTF-8).
fn hostile_value() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static str> = vec![
        "",
        " ",
        "0",
        "-1",
        "-0",
        "+5",
        "1e308",
        "NaN",
        "Infinity",
        "2147483648",
        "-2147483649",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999999999999",
        "0.000000001",
        "12,50",
        "' OR '1'='1",
        "'; DROP TABLE votes; --",
        "\" OR 1=1 --",
        "1 UNION SELECT email, password_hash FROM users --",
        "%27%20OR%201=1",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "//evil.example/",
        "../../../../etc/passwd",
        "buyer\r\nSet-Cookie: x=1",
        "\u{202e}gnp.exe",
        "\u{0}",
        "👩‍⚖️🏛️",
        "buyer",
        "seller",
        "electronics",
        "full_refund",
    ];
    prop_oneof![
        3 => proptest::sample::select(fixed).prop_map(|s| s.as_bytes().to_vec()),
        2 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => "[\\x00-\\x1f\\x7f]{1,16}".prop_map(String::into_bytes),
        1 => (1usize..4).prop_map(|n| "字".repeat(n * 20_000).into_bytes()),
        1 => (1usize..3).prop_map(|n| vec![b'a'; n * 150_000]),
        2 => any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        1 => any::<String>().prop_map(String::into_bytes),
    ]
}

fn percent(bytes: &[u8]) -> String {
    url::form_urlencoded::byte_serialize(bytes).collect()
}

/// A form on a page: where it posts (or gets), the names of its fields, who saw it.
#[derive(Clone, Debug)]
struct FormSeen {
    method: String,
    action: String,
    fields: Vec<String>,
    multipart: bool,
    page: String,
    visitor: usize,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[start..].split('"').next()?.replace("&amp;", "&"))
}

fn forms_on(html: &str, page: &str, visitor: usize) -> Vec<FormSeen> {
    html.split("<form")
        .skip(1)
        .filter_map(|chunk| {
            let body = chunk.split("</form>").next()?;
            let tag = body.split('>').next()?;
            let method = attr(tag, "method").unwrap_or_else(|| "get".into()).to_lowercase();
            let action = attr(tag, "action").unwrap_or_else(|| page.to_string());
            let mut fields: Vec<String> = body
                .split(" name=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next().map(str::to_string))
                .filter(|name| name != "csrf_token")
                .collect();
            fields.dedup();
            let multipart = tag.contains("multipart/form-data");
            Some(FormSeen { method, action, fields, multipart, page: page.to_string(), visitor })
        })
        .collect()
}

/// The same-site pages a page links to (no files, no mailbox, no stylesheet).
fn links_on(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.split('#').next().unwrap().replace("&amp;", "&"))
        .filter(|href| !["/evidence/", "/dev/mail", "/static/", "/metrics"].iter().any(|p| href.starts_with(p)))
        .collect()
}

/// A route's shape: ids replaced, so one form per shape and visitor is enough.
fn shape(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap()
        .split('/')
        .map(|part| if part.len() == 16 || part.parse::<i64>().is_ok() { "{id}" } else { part })
        .collect::<Vec<_>>()
        .join("/")
}

/// Breadth-first through the pages a visitor can reach, collecting one form per shape.
async fn crawl(visitor: &TestApp, index: usize, forms: &mut BTreeMap<(String, String, usize), FormSeen>) {
    let (mut queue, mut seen) = (VecDeque::from(["/".to_string()]), BTreeSet::new());
    let mut shapes = BTreeMap::<String, usize>::new();
    while let Some(page) = queue.pop_front() {
        if seen.len() >= 80 || !seen.insert(page.clone()) {
            continue;
        }
        let res = visitor.get(&page).await;
        if !res.status().is_success() {
            continue;
        }
        let html = res.text().await.unwrap();
        for form in forms_on(&html, &page, index) {
            if !form.fields.is_empty() {
                forms.entry((form.method.clone(), shape(&form.action), index)).or_insert(form);
            }
        }
        for link in links_on(&html) {
            // A few pages of each shape: the ids differ, the forms do not.
            let count = shapes.entry(shape(&link)).or_default();
            if *count < 3 {
                *count += 1;
                queue.push_back(link);
            }
        }
    }
}

async fn send(visitor: &TestApp, form: &FormSeen, values: &[Vec<u8>]) -> reqwest::Response {
    if form.method == "get" {
        // A URL has a length limit on the client side too (64 KB): 2 KB of each value is enough.
        let query: Vec<String> = form
            .fields
            .iter()
            .zip(values)
            .map(|(name, value)| format!("{name}={}", percent(&value[..value.len().min(2048)])))
            .collect();
        let separator = if form.action.contains('?') { '&' } else { '?' };
        return visitor.get(&format!("{}{separator}{}", form.action, query.join("&"))).await;
    }
    let token = csrf_of(&visitor.get_html(&form.page).await);
    let request = visitor.client.post(visitor.url(&form.action));
    let request = if form.multipart {
        let mut multipart = reqwest::multipart::Form::new().text("csrf_token", token);
        for (name, value) in form.fields.iter().zip(values) {
            let part = reqwest::multipart::Part::bytes(value.clone());
            let part = if name == "file" {
                part.file_name(String::from_utf8_lossy(&value[..value.len().min(40)]).to_string())
            } else {
                part
            };
            multipart = multipart.part(name.clone(), part);
        }
        request.multipart(multipart)
    } else {
        let mut body = format!("csrf_token={}", percent(token.as_bytes()));
        for (name, value) in form.fields.iter().zip(values) {
            body.push_str(&format!("&{name}={}", percent(value)));
        }
        request.header("content-type", "application/x-www-form-urlencoded").body(body)
    };
    request.send().await.expect("the court answers")
}

#[test]
fn every_form_and_query_survives_hostile_values_without_a_500_or_a_partial_write() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (app, visitors, forms) = rt.block_on(async {
        // The deadline worker runs once at start, then not during the seeding it would race.
        let app =
            crate::common::spawn_app_with(|s| s.limits.deadline_poll = std::time::Duration::from_secs(3600)).await;
        let (pool, files, now) = (app.pool.clone(), app.files(), app.clock.now());
        let report = tokio::task::spawn_blocking(move || {
            xiaofating::demo::seed(&mut pool.get().unwrap(), &files, now, &mut rand::rng()).unwrap()
        })
        .await
        .unwrap();
        let summoned = report.split_whitespace().find(|w| w.starts_with("juror") && w.contains('@')).unwrap();
        let mut visitors = vec![app.new_visitor()];
        for email in [
            "buyer@demo.xiaofating.test",
            "seller@demo.xiaofating.test",
            "alice@demo.xiaofating.test",
            "moderator@demo.xiaofating.test",
            "admin@demo.xiaofating.test",
            summoned,
        ] {
            let visitor = app.new_visitor();
            let res = visitor.sign_in(email, xiaofating::demo::DEMO_PASSWORD).await;
            assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER, "{email} signs in");
            visitors.push(visitor);
        }
        let mut forms = BTreeMap::new();
        for (index, visitor) in visitors.iter().enumerate() {
            crawl(visitor, index, &mut forms).await;
        }
        // The ids in paths, and the pages no form leads to, with their query parameters.
        for (path, fields) in [
            ("/cases/{v}", vec![]),
            ("/juror/cases/{v}", vec![]),
            ("/evidence/{v}", vec![]),
            ("/moderation/cases/{v}", vec![]),
            ("/signin", vec!["next"]),
            ("/password/reset", vec!["token"]),
            ("/verify", vec!["token"]),
            ("/unsubscribe", vec!["u", "sig"]),
            ("/cases/new", vec!["against"]),
            ("/moderation", vec!["category", "min_hours"]),
            ("/moderation/jurors", vec!["q", "status"]),
            ("/moderation/audit", vec!["action", "case", "actor"]),
        ] {
            let form = FormSeen {
                method: "get".into(),
                action: path.into(),
                fields: fields.into_iter().map(String::from).collect(),
                multipart: false,
                page: path.into(),
                visitor: 4,
            };
            forms.entry(("get".into(), path.into(), 4)).or_insert(form);
        }
        (app, visitors, forms)
    });
    let posts = forms.values().filter(|f| f.method == "post").count();
    assert!(posts >= 15, "the crawl found the court's forms: {:?}", forms.keys().collect::<Vec<_>>());
    eprintln!("{} forms ({posts} POST) found: {:?}", forms.len(), forms.keys().collect::<Vec<_>>());

    let requests = std::cell::Cell::new(0);
    for form in forms.values() {
        let visitor = &visitors[form.visitor];
        let width = form.fields.len().max(1);
        let mut runner = TestRunner::new(Config { cases: 24, failure_persistence: None, ..Config::default() });
        let result = runner.run(&proptest::collection::vec(hostile_value(), width), |values| {
            let outcome: Result<(), String> = rt.block_on(async {
                let (form, values) = if form.action.contains("{v}") {
                    let id = percent(&values[0][..values[0].len().min(2048)]).replace('+', "%20");
                    (FormSeen { action: form.action.replace("{v}", &id), ..form.clone() }, values)
                } else {
                    (form.clone(), values)
                };
                let before = app.fingerprint().await;
                let res = send(visitor, &form, &values).await;
                let status = res.status();
                if status.is_server_error() {
                    let body = res.text().await.unwrap();
                    return Err(format!(
                        "{} {} answered {status}: {}",
                        form.method,
                        &form.action[..form.action.len().min(200)],
                        &body[..body.len().min(500)]
                    ));
                }
                if status.is_client_error() && app.fingerprint().await != before {
                    return Err(format!(
                        "{} {} refused with {status} but changed the tables",
                        form.method, form.action
                    ));
                }
                Ok(())
            });
            requests.set(requests.get() + 1);
            outcome.map_err(proptest::test_runner::TestCaseError::fail)
        });
        if let Err(failure) = result {
            panic!("{} {} (fields {:?}): {failure}", form.method, form.action, form.fields);
        }
    }
    rt.block_on(async {
        assert_eq!(
            app.get("/healthz").await.status(),
            reqwest::StatusCode::OK,
            "still up after {} requests",
            requests.get()
        );
    });
}

/// The NUL character (PostgreSQL's text cannot hold it; once a 500 there) is a 400 wherever it
/// comes: path, query, form or multipart field; and nothing is written.
#[tokio::test]
async fn a_nul_character_is_a_bad_request_anywhere() {
    let app = crate::common::spawn_app().await;
    app.register("nul@example.com", "Nul").await;
    for path in ["/cases/%00", "/juror/cases/ab%00cd", "/moderation/jurors?q=%00", "/signin?next=%2F%00"] {
        assert_eq!(app.get(path).await.status(), reqwest::StatusCode::BAD_REQUEST, "{path}");
    }
    let before = app.fingerprint().await;
    let page = app.get_html("/cases/new").await;
    let body = format!("csrf_token={}&item_title=a%00b&statement=x", csrf_of(&page));
    let res = app
        .client
        .post(app.url("/cases"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("<html"), "a page, not a bare status");
    assert_eq!(app.fingerprint().await, before);
}
