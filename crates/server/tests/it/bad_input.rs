//! Bad input gets a 4xx with a message that says what is wrong, never a 5xx: problem+json
//! (RFC 9457) on the API, a readable error page or the form again on pages.

use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const TOO_BIG: usize = 256 * 1024 + 1024;

/// Checks a problem+json answer and returns its body.
async fn problem(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "status; body: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?} for {text}"
    );
    let body: Value = serde_json::from_str(&text).expect("problem+json body");
    assert!(body["type"].is_string(), "type in {body}");
    assert!(body["title"].is_string(), "title in {body}");
    assert_eq!(body["status"], status, "status in {body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty()),
        "a human detail in {body}"
    );
    body
}

/// The fields named in `errors[].field`.
fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An error page for people: HTML, the status, and a message in words.
async fn error_page(res: reqwest::Response, status: u16, message: &str) {
    let got = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let html = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "status; body: {html}");
    assert!(
        content_type.starts_with("text/html"),
        "content type {content_type:?} for {html}"
    );
    assert!(html.contains(message), "{message:?} in {html}");
}

async fn send_oversized_json(t: &TestApp) -> reqwest::Response {
    let token = t.api_user("big@example.org", "Big").await;
    let body = json!({"name": "Big", "description": "x".repeat(TOO_BIG)}).to_string();
    client()
        .post(t.url("/api/v1/communities"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oversized_json_body_is_413_problem_json() {
    let t = TestApp::spawn().await;
    problem(send_oversized_json(&t).await, 413).await;
}

async fn send_oversized_form(t: &TestApp) -> reqwest::Response {
    let b = t.browser();
    b.get("/signup").await;
    let form = format!(
        "csrf_token={}&email=big%40example.org&display_name={}&password=a+long+enough+password",
        b.csrf(),
        "x".repeat(TOO_BIG)
    );
    client()
        .post(t.url("/signup"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oversized_form_is_413_with_a_page_that_says_so() {
    let t = TestApp::spawn().await;
    error_page(send_oversized_form(&t).await, 413, "too large").await;
}

#[tokio::test]
async fn malformed_json_is_422_naming_the_body() {
    let t = TestApp::spawn().await;
    let token = t.api_user("json@example.org", "Json").await;
    for body in ["{\"name\": ", "not json at all", "{\"name\": 5}", "[]", ""] {
        let res = client()
            .post(t.url("/api/v1/communities"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422).await;
        assert_eq!(fields(&p), ["body"], "{body:?}: {p}");
        assert!(p["type"].as_str().unwrap().ends_with("invalid-input"));
    }
    // The join route reads its optional body itself.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&token),
            Some(json!({"name": "Open House", "slug": "open-house"})),
        )
        .await;
    assert_eq!(status, 201);
    let res = client()
        .post(t.url("/api/v1/communities/open-house/join"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    let p = problem(res, 422).await;
    assert_eq!(fields(&p), ["body"]);
}

#[tokio::test]
async fn a_form_sent_to_a_json_route_is_refused_with_a_problem() {
    let t = TestApp::spawn().await;
    let res = client()
        .post(t.url("/api/v1/auth/signup"))
        .form(&[
            ("email", "form@example.org"),
            ("display_name", "Form"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    let p = problem(res, 422).await;
    assert_eq!(fields(&p), ["body"]);
    assert!(p["detail"].as_str().unwrap().contains("application/json"));
}

#[tokio::test]
async fn json_sent_to_a_form_route_is_415_with_a_page_that_says_so() {
    let t = TestApp::spawn().await;
    let res = client()
        .post(t.url("/signup"))
        .json(&json!({"email": "j@example.org", "display_name": "J", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    error_page(res, 415, "takes a form").await;
}

#[tokio::test]
async fn unknown_ids_and_slugs_are_404_not_found() {
    let t = TestApp::spawn().await;
    let token = t.api_user("who@example.org", "Who").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&token),
            Some(json!({"name": "Known", "slug": "known"})),
        )
        .await;
    assert_eq!(status, 201);
    let c = client();
    for (method, path, body) in [
        ("GET", "/api/v1/communities/no-such-community", None),
        ("GET", "/api/v1/communities/no-such-community/spaces", None),
        (
            "GET",
            "/api/v1/communities/known/spaces/no-such-space",
            None,
        ),
        ("POST", "/api/v1/communities/no-such-community/join", None),
        ("DELETE", "/api/v1/me/tokens/no-such-token", None),
        (
            "PUT",
            "/api/v1/communities/known/members/no-such-user/role",
            Some(json!({"role": "moderator"})),
        ),
        (
            "POST",
            "/api/v1/communities/known/requests/no-such-user/approve",
            None,
        ),
    ] {
        let mut req = c
            .request(method.parse().unwrap(), t.url(path))
            .bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let p = problem(req.send().await.unwrap(), 404).await;
        assert!(
            p["type"].as_str().unwrap().ends_with("not-found"),
            "{method} {path}: {p}"
        );
    }
    error_page(
        c.get(t.url("/c/no-such-community")).send().await.unwrap(),
        404,
        "We could not find that community",
    )
    .await;
    error_page(
        c.get(t.url("/c/known/s/no-such-space"))
            .send()
            .await
            .unwrap(),
        404,
        "We could not find that space",
    )
    .await;
    error_page(
        c.get(t.url("/no/such/page")).send().await.unwrap(),
        404,
        "There is no page at this address",
    )
    .await;
}

/// An unknown address under /api/v1 is answered like the rest of the API.
#[tokio::test]
async fn unknown_api_paths_are_404_problem_json() {
    let t = TestApp::spawn().await;
    let res = client()
        .get(t.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    let p = problem(res, 404).await;
    assert!(p["type"].as_str().unwrap().ends_with("not-found"));
}

#[tokio::test]
async fn duplicate_slugs_and_emails_are_409_naming_the_field() {
    let t = TestApp::spawn().await;
    let token = t.api_user("dup@example.org", "Dup").await;
    let body = json!({"name": "Twice", "slug": "twice"});
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201);
    let res = client()
        .post(t.url("/api/v1/communities"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(res, 409).await;
    assert_eq!(fields(&p), ["slug"]);
    assert!(p["type"].as_str().unwrap().ends_with("conflict"));

    let res = client()
        .post(t.url("/api/v1/auth/signup"))
        .json(&json!({"email": "DUP@example.org", "display_name": "Again", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    let p = problem(res, 409).await;
    assert_eq!(fields(&p), ["email"]);

    // On the page, the form comes back with the message next to the field.
    let b = t.signed_up("page@example.org", "Page").await;
    b.get("/communities/new").await;
    let page = b
        .post(
            "/communities",
            &[
                ("name", "Twice again"),
                ("slug", "twice"),
                ("visibility", "public"),
                ("join_policy", "open"),
                ("accent_color", "#4f46e5"),
            ],
        )
        .await;
    assert!((400..500).contains(&page.status), "status {}", page.status);
    assert!(page.text().contains("twice"), "{}", page.text());
}

#[tokio::test]
async fn invalid_emails_and_overlong_names_are_422_naming_the_field() {
    let t = TestApp::spawn().await;
    let c = client();
    let res = c
        .post(t.url("/api/v1/auth/signup"))
        .json(&json!({"email": "not-an-email", "display_name": "Ok", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(res, 422).await), ["email"]);

    let res = c
        .post(t.url("/api/v1/auth/signup"))
        .json(&json!({"email": "long@example.org", "display_name": "n".repeat(500), "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(res, 422).await), ["display_name"]);

    let token = t.api_user("ok@example.org", "Ok").await;
    let res = c
        .patch(t.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"email": "still not an email"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(res, 422).await), ["email"]);

    let res = c
        .post(t.url("/api/v1/communities"))
        .bearer_auth(&token)
        .json(&json!({"name": "n".repeat(500), "slug": "long-name"}))
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(res, 422).await), ["name"]);

    // The sign-up page says so in words, with the typed name kept.
    let b = t.browser();
    b.get("/signup").await;
    let page = b
        .post(
            "/signup",
            &[
                ("email", "nope"),
                ("display_name", "Grace"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("is not an e-mail address"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn a_garbage_cursor_is_422_naming_the_cursor() {
    let t = TestApp::spawn().await;
    let token = t.api_user("cur@example.org", "Cursor").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&token),
            Some(json!({"name": "Paged", "slug": "paged"})),
        )
        .await;
    assert_eq!(status, 201);
    for path in [
        "/api/v1/communities?cursor=%21%21garbage%21%21",
        "/api/v1/communities?cursor=bm90LWEtY3Vyc29y",
        "/api/v1/communities/paged/members?cursor=garbage",
    ] {
        let res = client()
            .get(t.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let p = problem(res, 422).await;
        assert_eq!(fields(&p), ["cursor"], "{path}: {p}");
    }
    let res = client()
        .get(t.url("/api/v1/communities/paged/members?status=banned"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(res, 422).await), ["status"]);
}

/// A query parameter of the wrong type is a client error described like any other.
#[tokio::test]
async fn a_non_numeric_limit_is_a_problem() {
    let t = TestApp::spawn().await;
    let res = client()
        .get(t.url("/api/v1/communities?limit=abc"))
        .send()
        .await
        .unwrap();
    let p = problem(res, 422).await;
    assert_eq!(fields(&p), ["limit"]);
}
