//! Onboarding: the checklist ticks itself from what members really do, the admins' welcome
//! message arrives in the app and by e-mail, nudges go out once on their days and stop when
//! the checklist is done or the member opts out, and the funnel counts a cohort.

use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const DAY: i64 = 24 * 60 * 60 * 1_000_000;
const HOUR: i64 = 60 * 60 * 1_000_000;

/// The owner's token for a public community `camp` with guidelines, an introductions space
/// `intros`, a discussion space `general` and an events space `meetups`.
async fn camp(t: &TestApp) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Camp", "slug": "camp", "guidelines": "Be kind."})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for (name, slug, kind) in [
        ("Introductions", "intros", "discussion"),
        ("General", "general", "discussion"),
    ] {
        let (status, body) = t
            .api(
                "POST",
                "/api/v1/communities/camp/spaces",
                Some(&owner),
                Some(json!({"name": name, "slug": slug, "kind": kind, "visibility": "everyone"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = t
        .api(
            "PUT",
            "/api/v1/communities/camp/introductions",
            Some(&owner),
            Some(json!({"space": "intros"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    owner
}

async fn join(t: &TestApp, email: &str, name: &str) -> String {
    let token = t.api_user(email, name).await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/camp/join",
            Some(&token),
            Some(json!({"accept_guidelines": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn checklist(t: &TestApp, token: &str) -> Value {
    let (status, body) = t
        .api(
            "GET",
            "/api/v1/communities/camp/onboarding",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The keys of the steps done, in checklist order.
fn done(list: &Value) -> Vec<String> {
    list["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["done"] == true)
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

async fn post_topic(t: &TestApp, token: &str, space: &str, title: &str) -> String {
    let (status, body) = t
        .api(
            "POST",
            &format!("/api/v1/communities/camp/spaces/{space}/topics"),
            Some(token),
            Some(json!({"title": title, "body": "Hello everyone, glad to be here."})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn save_settings(t: &TestApp, owner: &str, body: Value) -> (u16, Value) {
    t.api(
        "PUT",
        "/api/v1/communities/camp/onboarding/settings",
        Some(owner),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn the_checklist_ticks_itself_from_what_the_member_does() {
    let t = TestApp::spawn().await;
    let owner = camp(&t).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;

    let list = checklist(&t, &ada).await;
    let steps: Vec<&str> = list["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "accept_guidelines",
            "complete_profile",
            "introduce_yourself",
            "join_space",
            "reply_to_topic"
        ]
    );
    // Joining meant accepting the guidelines; nothing else is done yet.
    assert_eq!(done(&list), ["accept_guidelines"]);
    assert_eq!(
        (list["done"].as_i64(), list["total"].as_i64()),
        (Some(1), Some(5))
    );

    // The home page shows the card with the progress and a link to each open step.
    let browser = t.browser();
    browser
        .log_in("ada@example.org", townsquare_testkit::PASSWORD)
        .await;
    let home = browser.get("/c/camp").await;
    assert!(
        home.text().contains("Your first steps: 1 of 5 done"),
        "{}",
        home.text()
    );
    assert!(home.html.contains(r#"href="/c/camp/s/intros/new-topic""#));

    // A topic outside the introductions space does not count as introducing yourself.
    post_topic(&t, &ada, "general", "Where do I find the rota?").await;
    assert_eq!(done(&checklist(&t, &ada).await), ["accept_guidelines"]);

    post_topic(&t, &ada, "intros", "Hi, I am Ada").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/camp/spaces/general/join",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let owners_topic = post_topic(&t, &owner, "general", "Weekly thread").await;
    let (status, body) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{owners_topic}/posts"),
            Some(&ada),
            Some(json!({"body": "Count me in."})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        done(&checklist(&t, &ada).await),
        [
            "accept_guidelines",
            "introduce_yourself",
            "join_space",
            "reply_to_topic"
        ]
    );

    let (status, body) = t
        .api(
            "PUT",
            "/api/v1/me/profile",
            Some(&ada),
            Some(json!({"headline": "Analyst and engine enthusiast", "bio": "I write notes."})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let list = checklist(&t, &ada).await;
    assert_eq!(list["complete"], true, "{list}");
    // Done: the card leaves the home page.
    let home = browser.get("/c/camp").await;
    assert!(!home.text().contains("Your first steps"), "{}", home.text());

    // Someone else's actions never tick Ada's list, and another member starts from scratch.
    let bo = join(&t, "bo@example.org", "Bo Berg").await;
    assert_eq!(done(&checklist(&t, &bo).await), ["accept_guidelines"]);
}

#[tokio::test]
async fn the_admins_welcome_message_arrives_in_the_app_and_by_mail() {
    let t = TestApp::spawn().await;
    let owner = camp(&t).await;
    let (status, saved) = save_settings(
        &t,
        &owner,
        json!({
            "steps": ["reply_to_topic", "introduce_yourself"],
            "welcome_message": "Hi {name}, glad you found {community}. Coffee chat is on Fridays.",
            "nudge_days": [3, 1]
        }),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["steps"],
        json!(["introduce_yourself", "reply_to_topic"])
    );
    assert_eq!(saved["nudge_days"], json!([1, 3]));

    let cy = join(&t, "cy@example.org", "Cy Young").await;
    t.app.run_due_jobs().await.unwrap();
    let mail = t.app.mail_to("cy@example.org").await.unwrap();
    let welcome = mail
        .iter()
        .find(|m| m.subject == "Welcome to Camp")
        .expect("a welcome e-mail");
    assert!(
        welcome
            .body_text
            .starts_with("Hi Cy Young, glad you found Camp. Coffee chat is on Fridays."),
        "{}",
        welcome.body_text
    );
    let inbox = t.inbox(&cy).await;
    let notice = inbox
        .iter()
        .find(|n| n["kind"] == "welcome")
        .expect("a welcome notification");
    assert!(
        notice["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("Hi Cy Young, glad you found Camp."),
        "{notice}"
    );

    // The checklist is the admins' choice of steps, in a fixed order.
    let list = checklist(&t, &cy).await;
    let steps: Vec<&str> = list["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["introduce_yourself", "reply_to_topic"]);
}

#[tokio::test]
async fn bad_settings_are_refused_field_by_field_and_only_admins_change_them() {
    let t = TestApp::spawn().await;
    let owner = camp(&t).await;
    let member = join(&t, "m@example.org", "Mo Member").await;
    let (status, problem) = save_settings(
        &t,
        &owner,
        json!({"steps": ["fly"], "welcome_message": "Hi", "nudge_days": [0]}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["steps", "nudge_days"], "{problem}");
    let (status, problem) = save_settings(
        &t,
        &owner,
        json!({"steps": [], "welcome_message": "  ", "nudge_days": []}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "welcome_message");
    // Nothing was saved by the refused attempts.
    let (_, current) = t
        .api(
            "GET",
            "/api/v1/communities/camp/onboarding/settings",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(current["nudge_days"], json!([1, 3, 7]));

    let (status, _) = save_settings(
        &t,
        &member,
        json!({"steps": [], "welcome_message": "Mine now", "nudge_days": []}),
    )
    .await;
    assert_eq!(status, 403);

    // The HTML form shows the error beside the field and keeps what was typed.
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    browser.get("/c/camp/settings/onboarding").await;
    let page = browser
        .post(
            "/c/camp/settings/onboarding",
            &[
                ("steps", "join_space"),
                ("welcome_message", "Welcome aboard"),
                ("nudge_days", "1, 99"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(page.text().contains("Nudge days must be between 1 and 60."));
    assert!(page.html.contains("Welcome aboard"));
}

#[tokio::test]
async fn nudges_go_once_on_their_days_and_stop_when_done_or_opted_out() {
    let t = TestApp::spawn().await;
    let owner = camp(&t).await;
    let (status, body) = save_settings(
        &t,
        &owner,
        json!({"steps": ["introduce_yourself"], "welcome_message": "Hi {name}", "nudge_days": [1, 3]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let _idle = join(&t, "idle@example.org", "Ida Idle").await;
    let keen = join(&t, "keen@example.org", "Ken Keen").await;
    let quiet = join(&t, "quiet@example.org", "Quin Quiet").await;
    post_topic(&t, &keen, "intros", "Hello from Ken").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/camp/onboarding/opt-out",
            Some(&quiet),
            None,
        )
        .await;
    assert_eq!(status, 204);

    let nudges = |email: &'static str| {
        let t = &t;
        async move {
            t.app
                .mail_to(email)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.subject == "Your first steps in Camp")
                .collect::<Vec<_>>()
        }
    };

    // Not yet a day: nothing.
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 0);
    t.app.clock().advance(DAY + HOUR);
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 1);
    // Run again (a second instance, or the next sweep): still one.
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 0);
    let sent = nudges("idle@example.org").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0]
        .body_text
        .contains("You have done 0 of 1 first steps in Camp"));
    assert!(sent[0].body_text.contains("/c/camp/s/intros/new-topic"));
    assert!(nudges("keen@example.org").await.is_empty());
    assert!(nudges("quiet@example.org").await.is_empty());

    // Day 3: the second nudge, once.
    t.app.clock().advance(2 * DAY);
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 1);
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 0);
    assert_eq!(nudges("idle@example.org").await.len(), 2);
    // No third one: the community nudges on days 1 and 3 only.
    t.app.clock().advance(10 * DAY);
    assert_eq!(t.app.send_onboarding_nudges().await.unwrap(), 0);
    assert_eq!(nudges("idle@example.org").await.len(), 2);
}

#[tokio::test]
async fn the_funnel_counts_the_members_who_joined_in_the_period() {
    let t = TestApp::spawn().await;
    let owner = camp(&t).await;
    let (status, body) = save_settings(
        &t,
        &owner,
        json!({"steps": ["accept_guidelines", "introduce_yourself", "reply_to_topic"], "welcome_message": "Hi", "nudge_days": []}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let weekly = post_topic(&t, &owner, "general", "Weekly thread").await;

    // Before the period: one member who did everything (not counted).
    let early = join(&t, "early@example.org", "Eli Early").await;
    post_topic(&t, &early, "intros", "Eli here").await;
    t.app.clock().advance(3 * DAY);
    let today = chrono::DateTime::from_timestamp_micros(t.app.now())
        .unwrap()
        .date_naive();

    // In the period: three members; two introduce themselves, one of them also replies.
    let a = join(&t, "a@example.org", "An A").await;
    let b = join(&t, "b@example.org", "Bea B").await;
    let _c = join(&t, "c@example.org", "Cal C").await;
    post_topic(&t, &a, "intros", "An here").await;
    post_topic(&t, &b, "intros", "Bea here").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{weekly}/posts"),
            Some(&a),
            Some(json!({"body": "Me too."})),
        )
        .await;
    assert_eq!(status, 201);
    // A reply from the early member later on changes nothing for this cohort.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{weekly}/posts"),
            Some(&early),
            Some(json!({"body": "Welcome all."})),
        )
        .await;
    assert_eq!(status, 201);

    let (status, funnel) = t
        .api(
            "GET",
            &format!("/api/v1/communities/camp/onboarding/funnel?from={today}&to={today}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{funnel}");
    assert_eq!(funnel["joined"], 3);
    let counts: Vec<(String, i64)> = funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["members"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("accept_guidelines".to_string(), 3),
            ("introduce_yourself".to_string(), 2),
            ("reply_to_topic".to_string(), 1)
        ]
    );
    assert_eq!(funnel["completed_all"], 1);

    // A backwards period is a 422 naming the field; the page shows the same figures.
    let (status, problem) = t
        .api(
            "GET",
            "/api/v1/communities/camp/onboarding/funnel?from=2030-01-02&to=2030-01-01",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "from");
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser
        .get(&format!(
            "/c/camp/settings/onboarding?from={today}&to={today}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Of the 3 members who joined"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn the_demo_guild_has_its_own_welcome_a_funnel_and_members_part_way_through() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let browser = t.browser();
    browser
        .log_in(
            "maya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let year_ago = chrono::DateTime::from_timestamp_micros(t.app.now() - 366 * DAY)
        .unwrap()
        .date_naive();
    let page = browser
        .get(&format!(
            "/c/open-source-guild/settings/onboarding?from={year_ago}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text()
            .contains("I'm Maya, I look after Open Source Guild"),
        "{}",
        page.text()
    );

    let token = t.api_user("probe@example.org", "Probe").await;
    let role = crate::joining_fields::joining_answers(&t, &token, "open-source-guild").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/open-source-guild/join",
            Some(&token),
            Some(json!({"accept_guidelines": true, "fields": role})),
        )
        .await;
    assert_eq!(status, 200);
    let list: Value = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/onboarding",
            Some(&token),
            None,
        )
        .await
        .1;
    assert_eq!(list["total"], 6, "{list}");

    // Of everyone who joined, some did each step and fewer did them all: a real funnel.
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let (status, funnel) = t
        .api(
            "GET",
            &format!("/api/v1/communities/open-source-guild/onboarding/funnel?from={year_ago}"),
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{funnel}");
    let joined = funnel["joined"].as_i64().unwrap();
    let counts: Vec<i64> = funnel["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["members"].as_i64().unwrap())
        .collect();
    assert!(joined > 20, "{funnel}");
    assert!(
        counts.iter().all(|n| *n <= joined) && counts.iter().any(|n| *n > 0),
        "{funnel}"
    );
    assert!(
        funnel["completed_all"].as_i64().unwrap() < joined,
        "{funnel}"
    );
}
