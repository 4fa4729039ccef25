//! The community's topic lists (trending, top, unread) and following or muting spaces.

use crate::discussions::{guild, member, reply, topic};
use serde_json::{json, Value};
use townsquare_testkit::{Browser, TestApp};

const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

async fn list(t: &TestApp, token: Option<&str>, query: &str) -> Vec<String> {
    let (status, body) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/topics?{query}"),
            token,
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    titles(&body)
}

fn titles(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect()
}

async fn react(t: &TestApp, token: &str, post_id: &str, reaction: &str) {
    let (status, body) = t
        .api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/reactions/{reaction}"),
            Some(token),
            None,
        )
        .await;
    assert!(status < 300, "{status} {body}");
}

#[tokio::test]
async fn trending_favours_fresh_activity_and_top_counts_the_period() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ana = member(&t, "ana@example.org", "Ana").await;
    let bo = member(&t, "bo@example.org", "Bo").await;

    // A busy topic last month, a quieter one this week, and a brand-new one today.
    let old = topic(
        &t,
        &ana,
        "help",
        "Last month's big debate",
        "Tabs or spaces?",
        false,
    )
    .await;
    let old_id = old["id"].as_str().unwrap();
    for i in 0..6 {
        reply(
            &t,
            if i % 2 == 0 { &bo } else { &owner },
            old_id,
            "Spaces, obviously.",
            None,
        )
        .await;
    }
    t.app.clock().advance(25 * DAY);
    let week = topic(
        &t,
        &bo,
        "help",
        "This week's release notes",
        "What shipped?",
        false,
    )
    .await;
    let week_id = week["id"].as_str().unwrap();
    let week_reply = reply(&t, &ana, week_id, "The new parser!", None).await;
    reply(&t, &owner, week_id, "And faster builds.", None).await;
    react(&t, &owner, week_reply["id"].as_str().unwrap(), "like").await;
    react(&t, &bo, week_reply["id"].as_str().unwrap(), "heart").await;
    t.app.clock().advance(2 * DAY);
    topic(
        &t,
        &owner,
        "help",
        "Fresh question",
        "Anyone around?",
        false,
    )
    .await;
    // Members-only space: never listed to visitors.
    let secret = topic(&t, &ana, "inner", "Inner plans", "Only for members.", false).await;
    for _ in 0..5 {
        reply(&t, &bo, secret["id"].as_str().unwrap(), "Agreed.", None).await;
    }

    let trending = list(&t, Some(&ana), "list=trending").await;
    assert_eq!(trending[0], "Inner plans", "{trending:?}");
    let week_pos = trending
        .iter()
        .position(|x| x == "This week's release notes")
        .unwrap();
    let old_pos = trending
        .iter()
        .position(|x| x == "Last month's big debate")
        .unwrap();
    assert!(
        week_pos < old_pos,
        "fresh activity beats a month-old debate: {trending:?}"
    );
    let visitor = list(&t, None, "list=trending").await;
    assert!(!visitor.contains(&"Inner plans".to_string()), "{visitor:?}");
    assert_eq!(visitor.len(), 3);

    // Top lists are counted by the hourly job.
    assert!(list(&t, Some(&ana), "list=top&period=week")
        .await
        .is_empty());
    t.app.schedule_top_ranking().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    let (_, body) = t
        .api(
            "GET",
            "/api/v1/communities/guild/topics?list=top&period=week",
            Some(&ana),
            None,
        )
        .await;
    assert_eq!(titles(&body), ["Inner plans", "This week's release notes"]);
    assert_eq!(
        body["items"][1]["interactions"], 4,
        "two replies and two reactions"
    );
    assert_eq!(
        list(&t, None, "list=top&period=week").await,
        ["This week's release notes"],
        "the members-only topic stays hidden from visitors"
    );
    let month = list(&t, None, "list=top&period=month").await;
    assert_eq!(
        month,
        ["Last month's big debate", "This week's release notes"]
    );

    // The job requeues itself for the next hour, and a later run sees later activity.
    t.app.clock().advance(HOUR);
    for _ in 0..5 {
        reply(&t, &ana, week_id, "More notes.", None).await;
    }
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(
        list(&t, None, "list=top&period=month").await[0],
        "This week's release notes"
    );

    let (status, problem) = t
        .api(
            "GET",
            "/api/v1/communities/guild/topics?list=top&period=decade",
            None,
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"].to_string().contains("week, month, year"),
        "{problem}"
    );
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/guild/topics?list=unread",
            None,
            None,
        )
        .await;
    assert_eq!(status, 401);
}

async fn unread(b: &Browser) -> String {
    b.get("/c/guild?list=unread").await.text()
}

#[tokio::test]
async fn unread_counts_what_changed_since_the_member_last_read() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let before = topic(&t, &owner, "help", "Before you joined", "Old news.", false).await;
    t.app.clock().advance(HOUR);
    let reader = t.signed_up("rea@example.org", "Rea Reader").await;
    let join = reader.post("/c/guild/join", &[("note", "")]).await;
    assert_eq!(join.status, 200, "{}", join.text());
    assert!(unread(&reader).await.contains("You are all caught up"));

    let fresh = topic(
        &t,
        &owner,
        "help",
        "Welcome week schedule",
        "See you there.",
        false,
    )
    .await;
    let fresh_id = fresh["id"].as_str().unwrap();
    let home = reader.get("/c/guild").await;
    assert!(
        home.text()
            .contains("Since you last read: 1 new topic and 0 with new replies"),
        "{}",
        home.text()
    );
    let page = unread(&reader).await;
    assert!(page.contains("Welcome week schedule"), "{page}");
    assert!(
        !page.contains("Before you joined"),
        "topics from before joining are not news"
    );

    // Opening the topic reads it; a reply makes it unread again.
    reader.get(&format!("/c/guild/t/{fresh_id}")).await;
    assert!(unread(&reader).await.contains("You are all caught up"));
    reply(&t, &owner, fresh_id, "Updated: Tuesday.", None).await;
    reply(
        &t,
        &owner,
        before["id"].as_str().unwrap(),
        "Still old news.",
        None,
    )
    .await;
    let home = reader.get("/c/guild").await.text();
    assert!(
        home.contains("0 new topics and 1 with new replies"),
        "{home}"
    );
    let page = unread(&reader).await;
    assert!(
        page.contains("Welcome week schedule") && page.contains("1 new reply"),
        "{page}"
    );

    let bad = reader.get("/c/guild?list=everything").await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text().contains("latest, unread, trending, top"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn following_a_space_tells_of_new_topics_and_muting_quiets_it() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let fan = member(&t, "fan@example.org", "Fan").await;
    let quiet = member(&t, "quiet@example.org", "Quiet").await;
    let outsider = t.api_user("out@example.org", "Outsider").await;

    let set = |token: String, space: &'static str, level: &'static str| {
        let t = &t;
        async move {
            t.api(
                "PUT",
                &format!("/api/v1/communities/guild/spaces/{space}/subscription"),
                Some(&token),
                Some(json!({ "level": level })),
            )
            .await
        }
    };
    assert_eq!(set(fan.clone(), "help", "following").await.0, 200);
    assert_eq!(set(quiet.clone(), "help", "muted").await.0, 200);
    let (status, problem) = set(fan.clone(), "help", "loud").await;
    assert_eq!(status, 422, "{problem}");
    // Someone outside a members-only space cannot follow it: it does not exist for them.
    assert_eq!(set(outsider.clone(), "inner", "following").await.0, 404);

    let quiet_topic = topic(&t, &quiet, "help", "Quiet's own question", "Hm?", false).await;
    topic(
        &t,
        &owner,
        "help",
        "Office hours moved",
        "Now Thursdays.",
        false,
    )
    .await;

    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&fan), None)
        .await;
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["new_topic", "new_topic"], "{inbox}");
    assert!(inbox.to_string().contains("Office hours moved"), "{inbox}");

    // The muted space leaves Quiet's lists, and replies there no longer notify them...
    assert!(list(&t, Some(&quiet), "list=latest").await.is_empty());
    assert_eq!(list(&t, Some(&fan), "list=latest").await.len(), 2);
    reply(
        &t,
        &owner,
        quiet_topic["id"].as_str().unwrap(),
        "Here is how.",
        None,
    )
    .await;
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&quiet), None)
        .await;
    assert_eq!(inbox["items"].as_array().unwrap().len(), 0, "{inbox}");
    // ...unless they follow that topic on its own.
    let (status, _) = t
        .api(
            "PUT",
            &format!(
                "/api/v1/topics/{}/subscription",
                quiet_topic["id"].as_str().unwrap()
            ),
            Some(&quiet),
            Some(json!({"level": "following"})),
        )
        .await;
    assert_eq!(status, 200);
    reply(
        &t,
        &owner,
        quiet_topic["id"].as_str().unwrap(),
        "One more thing.",
        None,
    )
    .await;
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&quiet), None)
        .await;
    assert_eq!(inbox["items"][0]["kind"], "reply", "{inbox}");

    // Back to normal brings the space's topics back.
    assert_eq!(set(quiet.clone(), "help", "normal").await.0, 200);
    assert_eq!(list(&t, Some(&quiet), "list=latest").await.len(), 2);
}

#[tokio::test]
async fn the_space_page_sets_the_level_with_a_form() {
    let t = TestApp::spawn().await;
    guild(&t).await;
    let b = t.signed_up("fan@example.org", "Fan").await;
    assert_eq!(b.post("/c/guild/join", &[("note", "")]).await.status, 200);
    let page = b.get("/c/guild/s/help").await;
    assert!(
        page.html.contains("Follow: every new topic"),
        "{}",
        page.text()
    );
    let saved = b
        .post("/c/guild/s/help/subscription", &[("level", "following")])
        .await;
    assert!(
        saved.text().contains("You follow this space"),
        "{}",
        saved.text()
    );
    assert!(saved
        .html
        .contains(r#"<option value="following" selected>"#));
    let bad = b
        .post("/c/guild/s/help/subscription", &[("level", "loud")])
        .await;
    assert_eq!(bad.status, 422);
}
