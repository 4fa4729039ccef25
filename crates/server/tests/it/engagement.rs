use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const HOUR: i64 = 3_600_000_000;

/// A manager (owner) with a public community "club" and two discussion spaces.
async fn club(t: &TestApp) -> String {
    let owner = t.api_user("maya@example.org", "Maya Manager").await;
    assert_eq!(
        t.api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Club", "slug": "club"}))
        )
        .await
        .0,
        201
    );
    for (name, slug) in [("Introductions", "introductions"), ("General", "general")] {
        let body = json!({"name": name, "slug": slug, "kind": "discussion"});
        assert_eq!(
            t.api(
                "POST",
                "/api/v1/communities/club/spaces",
                Some(&owner),
                Some(body)
            )
            .await
            .0,
            201
        );
    }
    owner
}

async fn joined(t: &TestApp, email: &str, name: &str) -> String {
    let token = t.api_user(email, name).await;
    assert_eq!(
        t.api("POST", "/api/v1/communities/club/join", Some(&token), None)
            .await
            .0,
        200
    );
    token
}

fn in_hours(t: &TestApp, hours: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t.app.now() + hours * HOUR)
        .unwrap()
        .to_rfc3339()
}

#[tokio::test]
async fn a_scheduled_prompt_is_posted_once_when_due_and_not_if_cancelled() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let body = json!({"space": "general", "title": "What did you ship this week?", "body": "Tell us!", "run_at": in_hours(&t, 2)});
    let (status, prompt) = t
        .api(
            "POST",
            "/api/v1/communities/club/prompts",
            Some(&owner),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{prompt}");
    let cancelled = json!({"space": "general", "title": "Never posted", "body": "x", "run_at": in_hours(&t, 2)});
    let (_, cancelled) = t
        .api(
            "POST",
            "/api/v1/communities/club/prompts",
            Some(&owner),
            Some(cancelled),
        )
        .await;
    assert_eq!(
        t.api(
            "DELETE",
            &format!(
                "/api/v1/communities/club/prompts/{}",
                cancelled["id"].as_str().unwrap()
            ),
            Some(&owner),
            None
        )
        .await
        .0,
        204
    );

    let (status, past) = t.api("POST", "/api/v1/communities/club/prompts", Some(&owner), Some(json!({"space": "general", "title": "Late", "body": "x", "run_at": in_hours(&t, -1)}))).await;
    assert_eq!(status, 422);
    assert_eq!(past["errors"][0]["field"], "run_at");

    t.app.run_due_jobs().await.unwrap();
    assert!(general_topics(&t).await.is_empty(), "not due yet");

    t.app.clock().advance(3 * HOUR);
    t.app.run_due_jobs().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    let posted: Vec<Value> = general_topics(&t).await;
    assert_eq!(
        posted.len(),
        1,
        "posted once, the cancelled one never: {posted:?}"
    );
    assert_eq!(posted[0]["title"], "What did you ship this week?");
    let (_, me) = t.api("GET", "/api/v1/me", Some(&owner), None).await;
    assert_eq!(posted[0]["author_id"], me["id"], "authored by the manager");

    let (_, prompts) = t
        .api(
            "GET",
            "/api/v1/communities/club/prompts",
            Some(&owner),
            None,
        )
        .await;
    let statuses: Vec<(&str, &str)> = prompts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["title"].as_str().unwrap(), p["status"].as_str().unwrap()))
        .collect();
    assert!(statuses.contains(&("What did you ship this week?", "posted")));
    assert!(statuses.contains(&("Never posted", "cancelled")));
    assert_eq!(prompt["status"], "scheduled");
}

#[tokio::test]
async fn featured_posts_thank_their_author_on_the_home_page() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let ada = joined(&t, "ada@example.org", "Ada Helper").await;
    let (_, topic) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/general/topics",
            Some(&ada),
            Some(json!({"title": "My migration guide", "body": "Step one: back up everything."})),
        )
        .await;
    let (_, page) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{}", topic["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    let post_id = page["posts"][0]["id"].as_str().unwrap().to_string();

    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/feature"),
            Some(&ada),
            Some(json!({"shout_out": "me!"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/feature"),
            Some(&owner),
            Some(json!({"shout_out": "Thank you Ada for this guide!"}))
        )
        .await
        .0,
        204
    );
    let home = t.browser().get("/c/club").await;
    assert!(
        home.text()
            .contains("Featured contributions Thank you Ada for this guide!"),
        "{}",
        home.text()
    );
    assert!(home.text().contains("Step one: back up everything."));
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&ada), None)
        .await;
    assert_eq!(inbox["items"][0]["kind"], "featured");
    assert_eq!(
        inbox["items"][0]["excerpt"],
        "Thank you Ada for this guide!"
    );

    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/posts/{post_id}/feature"),
            Some(&owner),
            None
        )
        .await
        .0,
        204
    );
    assert!(!t
        .browser()
        .get("/c/club")
        .await
        .text()
        .contains("Featured contributions"));
}

#[tokio::test]
async fn newcomers_are_invited_to_introduce_themselves_and_tracked_until_greeted() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    assert_eq!(
        t.api(
            "PUT",
            "/api/v1/communities/club/introductions",
            Some(&owner),
            Some(json!({"space": "introductions"}))
        )
        .await
        .0,
        204
    );
    let newbie = joined(&t, "nia@example.org", "Nia Newcomer").await;
    let quiet = joined(&t, "quinn@example.org", "Quinn Quiet").await;

    t.app.run_due_jobs().await.unwrap();
    let welcome = t.app.mail_to("nia@example.org").await.unwrap();
    assert!(
        welcome[0]
            .body_text
            .contains("Tell us who you are in Introductions"),
        "{}",
        welcome[0].body_text
    );
    assert!(welcome[0]
        .body_text
        .contains("/c/club/s/introductions/new-topic"));

    let (_, intro) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/introductions/topics",
            Some(&newbie),
            Some(json!({"title": "Hi, I'm Nia", "body": "I run a book club."})),
        )
        .await;
    let status_of = |list: &Value, name: &str| -> (bool, bool, bool) {
        let row = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["display_name"] == name)
            .expect("listed")
            .clone();
        (
            row["introduced"].as_bool().unwrap(),
            row["posted"].as_bool().unwrap(),
            row["greeted"].as_bool().unwrap(),
        )
    };
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/club/newcomers",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(list["introductions_space"], "introductions");
    assert_eq!(status_of(&list, "Nia Newcomer"), (true, true, false));
    assert_eq!(status_of(&list, "Quinn Quiet"), (false, false, false));

    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{}/posts", intro["id"].as_str().unwrap()),
            Some(&owner),
            Some(json!({"body": "Welcome Nia!"})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/club/newcomers",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status_of(&list, "Nia Newcomer"), (true, true, true));
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/club/newcomers",
            Some(&quiet),
            None
        )
        .await
        .0,
        403
    );

    let page = t.browser();
    page.log_in("maya@example.org", townsquare_testkit::PASSWORD)
        .await;
    let shown = page.get("/c/club/welcome").await;
    assert!(shown.text().contains("Quinn Quiet"));
    assert!(shown.text().contains("Not yet"));
    let home = page.get("/c/club").await;
    assert!(
        home.text().contains("To welcome (2 waiting)")
            || home.text().contains("To welcome (1 waiting)"),
        "{}",
        home.text()
    );
}

#[tokio::test]
async fn unanswered_questions_wait_on_the_home_page_until_someone_replies() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let asker = joined(&t, "ask@example.org", "Asker").await;
    let (_, q) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/general/topics",
            Some(&asker),
            Some(
                json!({"title": "Where are the meeting notes?", "body": "?", "is_question": true}),
            ),
        )
        .await;
    let home = t.browser().get("/c/club").await;
    assert!(
        home.text()
            .contains("Waiting for an answer Where are the meeting notes?"),
        "{}",
        home.text()
    );
    t.api(
        "POST",
        &format!("/api/v1/topics/{}/posts", q["id"].as_str().unwrap()),
        Some(&owner),
        Some(json!({"body": "In the resource library."})),
    )
    .await;
    assert!(!t
        .browser()
        .get("/c/club")
        .await
        .text()
        .contains("Waiting for an answer"));
}

async fn general_topics(t: &TestApp) -> Vec<Value> {
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/club/spaces/general/topics",
            None,
            None,
        )
        .await;
    list["items"].as_array().unwrap().clone()
}
