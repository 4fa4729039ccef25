//! Snapshots of what other programs and people read from us: the OpenAPI document and the
//! e-mails. A change to either shows up in review as a diff of the `.snap` files
//! (`cargo insta review` after `cargo insta test`, or INSTA_UPDATE=always).

use serde_json::json;
use townsquare_testkit::TestApp;

#[test]
fn openapi_document() {
    let document: serde_json::Value =
        serde_json::from_str(&townsquare_web::openapi_document()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", document);
}

/// Replaces what changes from run to run (ids, tokens, host and port) with stable words.
fn redact(t: &TestApp, text: &str) -> String {
    let ids =
        regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let tokens = regex::Regex::new(r"/password/reset/[A-Za-z0-9_-]+").unwrap();
    let text = text.replace(&t.base_url, "https://community.example");
    let text = ids.replace_all(&text, "<id>");
    tokens
        .replace_all(&text, "/password/reset/<token>")
        .into_owned()
}

#[tokio::test]
async fn emails() {
    let t = TestApp::spawn().await;
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    t.api("POST", "/api/v1/communities", Some(&owner), Some(json!({"name": "Book Club", "slug": "books", "description": "We read together.", "guidelines": "Be kind.\nNo spoilers."}))).await;
    t.api(
        "POST",
        "/api/v1/communities/books/spaces",
        Some(&owner),
        Some(json!({"name": "Introductions", "slug": "hello"})),
    )
    .await;
    t.api(
        "PUT",
        "/api/v1/communities/books/introductions",
        Some(&owner),
        Some(json!({"space": "hello"})),
    )
    .await;
    let reader = t.api_user("rea@example.org", "Rea Reader").await;
    t.api(
        "POST",
        "/api/v1/communities/books/join",
        Some(&reader),
        Some(json!({"accept_guidelines": true})),
    )
    .await;
    t.app.run_due_jobs().await.unwrap();
    let (_, topic) = t
        .api(
            "POST",
            "/api/v1/communities/books/spaces/hello/topics",
            Some(&owner),
            Some(json!({"title": "Say hello", "body": "Tell us your favourite book."})),
        )
        .await;
    t.api(
        "POST",
        &format!("/api/v1/topics/{}/posts", topic["id"].as_str().unwrap()),
        Some(&reader),
        Some(json!({"body": "Middlemarch, without a doubt."})),
    )
    .await;
    t.api(
        "POST",
        "/api/v1/auth/password-reset",
        None,
        Some(json!({"email": "rea@example.org"})),
    )
    .await;

    let mut mails = t.app.mail_to("rea@example.org").await.unwrap();
    mails.extend(t.app.mail_to("owner@example.org").await.unwrap());
    mails.sort_by(|a, b| a.subject.cmp(&b.subject));
    let rendered: Vec<String> = mails
        .iter()
        .map(|m| {
            format!(
                "To: {}\nSubject: {}\n\n{}",
                m.to_address,
                m.subject,
                redact(&t, &m.body_text)
            )
        })
        .collect();
    insta::assert_snapshot!(
        "emails",
        rendered.join("\n----------------------------------------\n")
    );
}

#[tokio::test]
async fn invitation_email() {
    let t = TestApp::spawn().await;
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    t.api("POST", "/api/v1/communities", Some(&owner), Some(json!({"name": "Book Club", "slug": "books", "description": "We read together.", "join_policy": "invite"}))).await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/books/invitations/email",
            Some(&owner),
            Some(json!({"emails": ["rea@example.org"], "campaign": "autumn"})),
        )
        .await;
    assert_eq!(status, 200);
    let mails = t.app.mail_to("rea@example.org").await.unwrap();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    let tokens = regex::Regex::new(r"/invite/[A-Za-z0-9_-]+").unwrap();
    let dates = regex::Regex::new(r"until \d{1,2} [A-Z][a-z]+ \d{4}").unwrap();
    let body = redact(&t, &m.body_text);
    let body = tokens.replace_all(&body, "/invite/<token>");
    let body = dates.replace_all(&body, "until <date>");
    insta::assert_snapshot!(
        "invitation_email",
        format!("To: {}\nSubject: {}\n\n{}", m.to_address, m.subject, body)
    );
}

#[tokio::test]
async fn waitlist_promotion_email() {
    let t = TestApp::spawn().await;
    let owner = crate::events::events_guild(&t).await;
    let (status, event) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            Some(&owner),
            Some(json!({
                "title": "Rust meetup: async in practice",
                "format": "meetup",
                "starts_at": "2027-06-10T18:30",
                "ends_at": "2027-06-10T21:00",
                "time_zone": "Europe/Berlin",
                "venue": "Café Central, Oranienstraße 1, Berlin",
                "online_url": "https://meet.example.org/rust",
                "capacity": 1,
            })),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let id = event["id"].as_str().unwrap();
    let first = crate::discussions::member(&t, "ann@example.org", "Ann Early").await;
    let second = crate::discussions::member(&t, "rea@example.org", "Rea Reader").await;
    let path = format!("/api/v1/events/{id}/registration");
    assert_eq!(t.api("POST", &path, Some(&first), None).await.0, 200);
    assert_eq!(t.api("POST", &path, Some(&second), None).await.0, 200);
    assert_eq!(t.api("DELETE", &path, Some(&first), None).await.0, 204);
    let mails = t.app.mail_to("rea@example.org").await.unwrap();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    insta::assert_snapshot!(
        "waitlist_promotion_email",
        format!(
            "To: {}\nSubject: {}\n\n{}",
            m.to_address,
            m.subject,
            redact(&t, &m.body_text)
        )
    );
}
