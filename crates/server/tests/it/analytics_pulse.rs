//! The pulse check: the last 24 hours of a hand-built community, as the owner and as a
//! moderator (who must not see the admins-only space), with another community's activity
//! that must not show.
//!
//! The story (community "guild", Asia/Tokyo; d0 is tomorrow, local):
//! - d0 12:00: Olga (owner) creates the guild with spaces help (everyone), staff (admins
//!   only), intros (the introductions space) and meetups (events); Mo joins and becomes a
//!   moderator; Ana joins and asks "Old question?" in help; Olga asks "Secret question?" in
//!   staff. Dan's community "other" gets a busy topic.
//! - d2 12:00 (48 hours later): Ben joins and introduces himself ("Hi, I'm Ben"), Olga
//!   greets him; a minute later Cat joins. Ben starts "Busy thread"; Ana replies twice, Cat
//!   once. Olga replies four times to "Board notes" in staff. Cat asks "Fresh question?".
//!   Ana flags Cat's reply. Events in meetups: "Tonight's meetup" today at 18:00 (Ana
//!   registers) and "Tomorrow's meetup".

use crate::analytics::{join, move_to, new_reply, new_topic, noon, ok};
use serde_json::{json, Value};
use townsquare_app::domain::analytics::{date_of_day, local_day};
use townsquare_app::domain::time_zones::Tz;
use townsquare_testkit::{TestApp, PASSWORD};

const MINUTE: i64 = 60_000_000;

async fn question(t: &TestApp, token: &str, space: &str, title: &str) -> String {
    let body = ok(
        t,
        "POST",
        &format!("/api/v1/communities/guild/spaces/{space}/topics"),
        token,
        Some(json!({"title": title, "body": "Anyone?", "is_question": true})),
    )
    .await;
    body["id"].as_str().unwrap().to_string()
}

async fn user_id(t: &TestApp, token: &str) -> String {
    ok(t, "GET", "/api/v1/me", token, None).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_pulse_check_lists_the_last_24_hours_with_links_to_act() {
    let t = TestApp::spawn().await;
    let tz: Tz = "Asia/Tokyo".parse().unwrap();
    let d0 = local_day(t.app.now(), tz) + 1;

    // d0
    move_to(&t, noon(d0, tz));
    let olga = t.api_user("olga@example.org", "Olga Owner").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild", "time_zone": "Asia/Tokyo"})),
    )
    .await;
    for (name, slug, kind, visibility) in [
        ("Help", "help", "discussion", "everyone"),
        ("Staff", "staff", "discussion", "admins"),
        ("Intros", "intros", "discussion", "everyone"),
        ("Meetups", "meetups", "events", "everyone"),
    ] {
        ok(
            &t,
            "POST",
            "/api/v1/communities/guild/spaces",
            &olga,
            Some(json!({"name": name, "slug": slug, "kind": kind, "visibility": visibility})),
        )
        .await;
    }
    ok(
        &t,
        "PUT",
        "/api/v1/communities/guild/introductions",
        &olga,
        Some(json!({"space": "intros"})),
    )
    .await;
    let mo = t.api_user("mo@example.org", "Mo").await;
    join(&t, &mo, "guild").await;
    let mo_id = user_id(&t, &mo).await;
    ok(
        &t,
        "PUT",
        &format!("/api/v1/communities/guild/members/{mo_id}/role"),
        &olga,
        Some(json!({"role": "moderator"})),
    )
    .await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    join(&t, &ana, "guild").await;
    question(&t, &ana, "help", "Old question?").await;
    move_to(&t, noon(d0, tz) + MINUTE);
    question(&t, &olga, "staff", "Secret question?").await;
    let board = new_topic(&t, &olga, "guild", "staff", "Board notes").await;
    let dan = t.api_user("dan@example.org", "Dan").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &dan,
        Some(json!({"name": "Other", "slug": "other"})),
    )
    .await;
    ok(
        &t,
        "POST",
        "/api/v1/communities/other/spaces",
        &dan,
        Some(json!({"name": "Talk", "slug": "talk", "kind": "discussion"})),
    )
    .await;

    // d2
    move_to(&t, noon(d0 + 2, tz));
    let elsewhere = new_topic(&t, &dan, "other", "talk", "Elsewhere").await;
    for _ in 0..5 {
        new_reply(&t, &dan, &elsewhere).await;
    }
    let ben = t.api_user("ben@example.org", "Ben").await;
    join(&t, &ben, "guild").await;
    let intro = new_topic(&t, &ben, "guild", "intros", "Hi, I'm Ben").await;
    new_reply(&t, &olga, &intro).await;
    move_to(&t, noon(d0 + 2, tz) + MINUTE);
    let cat = t.api_user("cat@example.org", "Cat").await;
    join(&t, &cat, "guild").await;
    let busy = new_topic(&t, &ben, "guild", "help", "Busy thread").await;
    new_reply(&t, &ana, &busy).await;
    new_reply(&t, &ana, &busy).await;
    let cat_reply = new_reply(&t, &cat, &busy).await;
    for _ in 0..4 {
        new_reply(&t, &olga, &board).await;
    }
    move_to(&t, noon(d0 + 2, tz) + 2 * MINUTE);
    question(&t, &cat, "help", "Fresh question?").await;
    ok(
        &t,
        "POST",
        &format!("/api/v1/posts/{cat_reply}/flags"),
        &ana,
        Some(json!({"reason": "spam"})),
    )
    .await;
    let today = date_of_day(d0 + 2).to_string();
    let tomorrow = date_of_day(d0 + 3).to_string();
    let mut events = Vec::new();
    for (title, date) in [
        ("Tonight's meetup", &today),
        ("Tomorrow's meetup", &tomorrow),
    ] {
        let e = ok(
            &t,
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            &olga,
            Some(
                json!({"title": title, "description": "Come along.", "format": "meetup",
                "starts_at": format!("{date}T18:00"), "ends_at": format!("{date}T20:00"),
                "venue": "The library", "capacity": 20}),
            ),
        )
        .await;
        events.push(e["id"].as_str().unwrap().to_string());
    }
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{}/registration", events[0]),
        &ana,
        None,
    )
    .await;

    // The owner's view.
    let p = ok(&t, "GET", "/api/v1/communities/guild/pulse", &olga, None).await;
    assert_eq!(p["today"], today);
    assert_eq!(p["time_zone"], "Asia/Tokyo");
    let newcomers: Vec<(&str, bool, bool)> = p["new_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["display_name"].as_str().unwrap(),
                n["introduced"].as_bool().unwrap(),
                n["greeted"].as_bool().unwrap(),
            )
        })
        .collect();
    // Newest first; Ana and Mo joined 48 hours ago.
    assert_eq!(newcomers, [("Cat", false, false), ("Ben", true, true)]);
    assert!(p["new_members"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("/c/guild/members/"));
    let active: Vec<(String, i64, i64)> = p["active_conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap().to_string(),
                c["replies"].as_i64().unwrap(),
                c["repliers"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        active,
        [
            ("Board notes".to_string(), 4, 1),
            ("Busy thread".to_string(), 3, 2),
            ("Hi, I'm Ben".to_string(), 1, 1),
        ]
    );
    assert_eq!(
        p["active_conversations"][1]["url"],
        format!("/c/guild/t/{busy}")
    );
    assert_eq!(p["moderation"]["open_flags"], 1);
    assert_eq!(p["moderation"]["held_posts"], 0);
    assert_eq!(p["moderation"]["queue_url"], "/c/guild/moderation");
    assert_eq!(
        titles(&p["unanswered_questions"]),
        ["Old question?", "Secret question?", "Fresh question?"]
    );
    assert_eq!(titles(&p["events_today"]), ["Tonight's meetup"]);
    assert_eq!(p["events_today"][0]["registered"], 1);
    assert_eq!(p["events_today"][0]["capacity"], 20);
    assert!(!p.to_string().contains("Elsewhere"));

    // The moderator's view: the same, without the admins-only space.
    let p = ok(&t, "GET", "/api/v1/communities/guild/pulse", &mo, None).await;
    assert_eq!(
        titles(&p["active_conversations"]),
        ["Busy thread", "Hi, I'm Ben"]
    );
    assert_eq!(
        titles(&p["unanswered_questions"]),
        ["Old question?", "Fresh question?"]
    );
    assert_eq!(p["moderation"]["open_flags"], 1);
    let text = p.to_string();
    assert!(!text.contains("Board notes") && !text.contains("Secret question"));

    // Members do not get it.
    let (status, body) = t
        .api("GET", "/api/v1/communities/guild/pulse", Some(&ana), None)
        .await;
    assert_eq!(status, 403, "{body}");

    // The page: each card links to where one acts, and the home page links to it.
    let browser = t.browser();
    browser.log_in("mo@example.org", PASSWORD).await;
    let page = browser.get("/c/guild/pulse").await;
    assert_eq!(page.status, 200);
    for needle in [
        format!("href=\"/c/guild/t/{busy}\""),
        "href=\"/c/guild/moderation\"".to_string(),
        "href=\"/c/guild/s/intros\"".to_string(),
        format!("href=\"/c/guild/events/{}\"", events[0]),
    ] {
        assert!(page.html.contains(&needle), "missing {needle}");
    }
    let text = page.text();
    assert!(
        text.contains("Busy thread in Help · 3 replies from 2 people"),
        "{text}"
    );
    assert!(text.contains("Cat joined"));
    assert!(text.contains("Tonight's meetup"));
    assert!(!text.contains("Tomorrow's meetup"));
    assert!(!text.contains("Board notes") && !text.contains("Secret question"));
    assert!(browser
        .get("/c/guild")
        .await
        .html
        .contains("href=\"/c/guild/pulse\""));
    let member = t.browser();
    member.log_in("ana@example.org", PASSWORD).await;
    assert_eq!(member.get("/c/guild/pulse").await.status, 403);
}
