//! A member's own data: the export holds what they wrote, joined and registered for, in every
//! community, and nothing of anyone else's.

use crate::discussions::{guild, member, reply, topic};
use crate::events::{create, event_body, register};
use serde_json::{json, Value};
use townsquare_testkit::{TestApp, PASSWORD};

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_export_holds_my_posts_memberships_registrations_and_activity_only() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let bob = member(&t, "bob@example.org", "Bob Brown").await;
    let question = topic(
        &t,
        &ada,
        "help",
        "Which compiler flags?",
        "I use -O2.",
        true,
    )
    .await;
    let qid = question["id"].as_str().unwrap();
    reply(&t, &bob, qid, "Bob's answer, not Ada's.", None).await;
    reply(&t, &ada, qid, "Thanks, that worked.", None).await;
    // An events space and an event Ada registers for.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces",
            Some(&owner),
            Some(json!({"name": "Meetups", "slug": "meetups", "kind": "events", "visibility": "everyone"})),
        )
        .await;
    assert_eq!(status, 201);
    let event = create(&t, &owner, event_body(None)).await;
    let event_id = event["id"].as_str().unwrap();
    assert_eq!(register(&t, &ada, event_id).await.0, 200);

    let (status, export) = t.api("GET", "/api/v1/me/export", Some(&ada), None).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["account"]["email"], "ada@example.org");
    assert_eq!(export["account"]["display_name"], "Ada Lovelace");
    assert_eq!(strings(&export["memberships"], "community"), ["guild"]);
    let bodies = strings(&export["posts"], "body_markdown");
    assert_eq!(bodies, ["I use -O2.", "Thanks, that worked."]);
    assert_eq!(export["posts"][0]["opens_topic"], true);
    assert_eq!(export["posts"][0]["topic_title"], "Which compiler flags?");
    assert_eq!(
        strings(&export["event_registrations"], "event_id"),
        [event_id]
    );
    let verbs = strings(&export["activity"], "verb");
    for expected in [
        "joined",
        "topic_created",
        "post_created",
        "event_registered",
    ] {
        assert!(
            verbs.iter().any(|v| v == expected),
            "{expected} in {verbs:?}"
        );
    }
    assert!(!export.to_string().contains("Bob's answer"), "{export}");

    // The page download is the same archive, as an attachment; signed out, one is asked to log in.
    let browser = t.browser();
    let res = browser.get("/settings/account/export.json").await;
    assert!(res.path().starts_with("/login"), "{}", res.path());
    browser.log_in("ada@example.org", PASSWORD).await;
    let settings = browser.get("/settings/account").await;
    assert!(settings
        .html
        .contains(r#"href="/settings/account/export.json""#));
    let page = browser.get("/settings/account/export.json").await;
    assert_eq!(page.status, 200);
    let file: Value = serde_json::from_str(&page.html).expect("JSON");
    assert_eq!(strings(&file["posts"], "body_markdown"), bodies);
}
