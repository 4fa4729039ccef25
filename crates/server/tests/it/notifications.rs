use serde_json::json;
use townsquare_testkit::TestApp;

const HOUR: i64 = 3_600_000_000;

/// A community with a discussion space, an author with a topic, and a replier.
async fn conversation(t: &TestApp) -> (String, String, String) {
    let author = t.api_user("ann@example.org", "Ann Author").await;
    t.api(
        "POST",
        "/api/v1/communities",
        Some(&author),
        Some(json!({"name": "Club", "slug": "club"})),
    )
    .await;
    t.api(
        "POST",
        "/api/v1/communities/club/spaces",
        Some(&author),
        Some(json!({"name": "General", "slug": "general"})),
    )
    .await;
    let replier = t.api_user("rob@example.org", "Rob Replier").await;
    t.api(
        "POST",
        "/api/v1/communities/club/join",
        Some(&replier),
        None,
    )
    .await;
    let (_, topic) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/general/topics",
            Some(&author),
            Some(json!({"title": "Garden plans", "body": "What are you planting?"})),
        )
        .await;
    (author, replier, topic["id"].as_str().unwrap().to_string())
}

async fn reply(t: &TestApp, token: &str, topic: &str, body: &str) {
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{topic}/posts"),
            Some(token),
            Some(json!({"body": body})),
        )
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn replies_are_mailed_right_away_by_default_and_not_at_all_when_off() {
    let t = TestApp::spawn().await;
    let (author, replier, topic) = conversation(&t).await;
    reply(&t, &replier, &topic, "Tomatoes, as every year.").await;
    let mail = t.app.mail_to("ann@example.org").await.unwrap();
    let mailed: Vec<&str> = mail.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(mailed, ["Rob Replier replied in Garden plans"]);
    assert!(mail[0].body_text.contains("> Tomatoes, as every year."));
    assert!(mail[0]
        .body_text
        .contains(&format!("/c/club/t/{topic}#post-")));

    let (status, prefs) = t
        .api(
            "PUT",
            "/api/v1/me/notification-preferences",
            Some(&author),
            Some(json!({"reply": "off"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(prefs
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "reply" && p["delivery"] == "off"));
    reply(&t, &replier, &topic, "And beans.").await;
    assert_eq!(
        t.app.mail_to("ann@example.org").await.unwrap().len(),
        1,
        "no second mail"
    );
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&author), None)
        .await;
    assert_eq!(
        inbox["items"].as_array().unwrap().len(),
        1,
        "off means no notification at all"
    );

    let (status, problem) = t
        .api(
            "PUT",
            "/api/v1/me/notification-preferences",
            Some(&author),
            Some(json!({"reply": "pigeon"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "reply");
}

#[tokio::test]
async fn the_daily_digest_collects_waiting_notifications_once() {
    let t = TestApp::spawn().await;
    let (author, replier, topic) = conversation(&t).await;
    t.api(
        "PUT",
        "/api/v1/me/notification-preferences",
        Some(&author),
        Some(json!({"reply": "digest"})),
    )
    .await;
    reply(&t, &replier, &topic, "Tomatoes.").await;
    reply(&t, &replier, &topic, "Beans too.").await;
    assert!(
        t.app.mail_to("ann@example.org").await.unwrap().is_empty(),
        "nothing until the digest"
    );
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&author), None)
        .await;
    assert_eq!(
        inbox["unread"], 2,
        "digest notifications are in the app right away"
    );

    // Ann lives in Tokyo (UTC+9, no daylight saving): her digest leaves at 08:00 there,
    // which is 23:00 UTC. The job runs hourly and serves whoever is at 08:00.
    let (status, me) = t
        .api(
            "PATCH",
            "/api/v1/me",
            Some(&author),
            Some(json!({"time_zone": "Asia/Tokyo"})),
        )
        .await;
    assert_eq!(
        (status, me["time_zone"].as_str()),
        (200, Some("Asia/Tokyo"))
    );
    t.app.schedule_next_digest().await.unwrap();
    t.app.schedule_next_digest().await.unwrap(); // a second instance doing the same: still one job
    let now = t.app.now();
    let mut half_past_ten_pm = now - now.rem_euclid(24 * HOUR) + 22 * HOUR + HOUR / 2;
    if half_past_ten_pm <= now + HOUR {
        half_past_ten_pm += 24 * HOUR;
    }
    t.app.clock().advance(half_past_ten_pm - now);
    t.app.run_due_jobs().await.unwrap();
    assert!(
        t.app.mail_to("ann@example.org").await.unwrap().is_empty(),
        "not at 07:30 in Tokyo"
    );
    t.app.clock().advance(HOUR);
    t.app.run_due_jobs().await.unwrap();
    let mail = t.app.mail_to("ann@example.org").await.unwrap();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].subject, "Your Townsquare digest: 2 updates");
    assert_eq!(
        mail[0]
            .body_text
            .matches("Rob Replier replied in Garden plans")
            .count(),
        2
    );

    t.app.clock().advance(25 * HOUR);
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(
        t.app.mail_to("ann@example.org").await.unwrap().len(),
        1,
        "nothing new: no second digest"
    );
    let _ = replier;
}

#[tokio::test]
async fn preferences_are_chosen_in_the_settings_page() {
    let t = TestApp::spawn().await;
    let b = t.signed_up("pat@example.org", "Pat").await;
    let page = b.get("/settings/notifications").await;
    assert!(page.text().contains("Replies to your topics and posts"));
    let saved = b
        .post(
            "/settings/notifications",
            &[
                ("reply", "digest"),
                ("reaction", "off"),
                ("answer_accepted", "email"),
                ("featured", "in_app"),
            ],
        )
        .await;
    assert!(saved.text().contains("Notification settings saved"));
    assert!(saved.html.contains(r#"<option value="digest" selected>"#));
    let bad = b
        .post("/settings/notifications", &[("reply", "carrier-pigeon")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("is not one of"));
}
