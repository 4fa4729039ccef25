//! Automatic protection: admins' rules (block, hold, flag), held posts and their approval,
//! new-member limits, and per-member rate limits.

use crate::discussions::{guild, member, reply, topic};
use serde_json::{json, Value};
use std::time::Instant;
use townsquare_app::clock::{MICROS_PER_DAY, MICROS_PER_SECOND};
use townsquare_testkit::TestApp;

/// Makes the member behind `token` a moderator of the guild.
async fn make_moderator(t: &TestApp, owner: &str, token: &str) {
    let id = t.user_id(token).await;
    let (status, body) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/guild/members/{id}/role"),
            Some(owner),
            Some(json!({"role": "moderator"})),
        )
        .await;
    assert!(status < 300, "{status} {body}");
}

async fn add_rule(t: &TestApp, admin: &str, rule: Value) -> (u16, Value) {
    t.api(
        "POST",
        "/api/v1/communities/guild/auto-moderation/rules",
        Some(admin),
        Some(rule),
    )
    .await
}

async fn set_limits(t: &TestApp, admin: &str, changes: Value) {
    let (_, current) = t
        .api(
            "GET",
            "/api/v1/communities/guild/auto-moderation",
            Some(admin),
            None,
        )
        .await;
    let mut limits = current["limits"].clone();
    for (k, v) in changes.as_object().unwrap() {
        limits[k] = v.clone();
    }
    let (status, body) = t
        .api(
            "PUT",
            "/api/v1/communities/guild/auto-moderation/limits",
            Some(admin),
            Some(limits),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn post_texts(t: &TestApp, token: Option<&str>, topic_id: &str) -> (u16, String) {
    let (status, body) = t
        .api("GET", &format!("/api/v1/topics/{topic_id}"), token, None)
        .await;
    (status, body.to_string())
}

async fn search(t: &TestApp, token: &str, q: &str) -> String {
    let (status, body) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/search?q={q}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body.to_string()
}

/// A raw API call, for the headers.
async fn raw(t: &TestApp, method: &str, path: &str, token: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .request(method.parse().unwrap(), t.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn patterns_are_checked_when_saved_and_only_admins_change_the_settings() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let mo = member(&t, "mo@example.org", "Mo Moderator").await;
    make_moderator(&t, &owner, &mo).await;
    let mem = member(&t, "mem@example.org", "Mem Member").await;

    // Safe defaults until an admin changes them.
    let (status, settings) = t
        .api(
            "GET",
            "/api/v1/communities/guild/auto-moderation",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["rules"], json!([]));
    assert_eq!(
        settings["limits"],
        json!({"hold_first_posts": 0, "new_member_days": 3, "new_member_links": 2,
               "new_member_mentions": 3, "posts_per_minute": 6, "topics_per_day": 10,
               "flags_per_day": 20})
    );

    // Invalid syntax: refused, naming the problem.
    let (status, problem) = add_rule(
        &t,
        &owner,
        json!({"kind": "pattern", "pattern": "(unclosed", "action": "hold"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "pattern");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("not a valid regular expression") && detail.contains("unclosed group"),
        "{detail}"
    );

    // A pathological pattern: refused at once as too complex, not compiled for ever.
    let started = Instant::now();
    let (status, problem) = add_rule(
        &t,
        &owner,
        json!({"kind": "pattern", "pattern": "((a|b|c|d|e)\\w{500}){500}", "action": "flag"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("too complex"),
        "{problem}"
    );
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    let (status, problem) = add_rule(
        &t,
        &owner,
        json!({"kind": "pattern", "pattern": "x".repeat(501), "action": "flag"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");

    // A blocking rule needs the message members will read; unknown actions are named.
    let (status, problem) = add_rule(
        &t,
        &owner,
        json!({"kind": "keyword", "pattern": "casino", "action": "block"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "message");
    let (status, problem) = add_rule(
        &t,
        &owner,
        json!({"kind": "keyword", "pattern": "casino", "action": "delete"}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("block, hold, flag"));

    // Limits out of range are named, all at once.
    let (status, problem) = t
        .api(
            "PUT",
            "/api/v1/communities/guild/auto-moderation/limits",
            Some(&owner),
            Some(
                json!({"hold_first_posts": -1, "new_member_days": 3, "new_member_links": 2,
                        "new_member_mentions": 3, "posts_per_minute": 0, "topics_per_day": 10,
                        "flags_per_day": 20}),
            ),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["hold_first_posts", "posts_per_minute"]);

    // Members and moderators cannot read or change the settings.
    for token in [&mem, &mo] {
        let (status, _) = t
            .api(
                "GET",
                "/api/v1/communities/guild/auto-moderation",
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, 403);
        let (status, _) = add_rule(
            &t,
            token,
            json!({"kind": "keyword", "pattern": "spam", "action": "flag"}),
        )
        .await;
        assert_eq!(status, 403);
    }

    // A good rule is saved, listed, and removed by an admin.
    let (status, rule) = add_rule(
        &t,
        &owner,
        json!({"kind": "pattern", "pattern": "bit\\.ly/\\w+", "action": "block",
               "message": "Link shorteners hide where links go; paste the full address."}),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    let (_, settings) = t
        .api(
            "GET",
            "/api/v1/communities/guild/auto-moderation",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(settings["rules"][0]["pattern"], "bit\\.ly/\\w+");
    let rule_path = format!(
        "/api/v1/communities/guild/auto-moderation/rules/{}",
        rule["id"].as_str().unwrap()
    );
    assert_eq!(t.api("DELETE", &rule_path, Some(&mo), None).await.0, 403);
    assert_eq!(t.api("DELETE", &rule_path, Some(&owner), None).await.0, 204);
    assert_eq!(t.api("DELETE", &rule_path, Some(&owner), None).await.0, 404);

    // The HTML form shows the problem beside the field and keeps what was typed.
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let form = browser.get("/c/guild/settings/auto-moderation").await;
    assert_eq!(form.status, 200);
    let page = browser
        .post(
            "/c/guild/settings/auto-moderation/rules",
            &[
                ("kind", "pattern"),
                ("pattern", "[z-a]"),
                ("action", "hold"),
                ("message", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("not a valid regular expression"),
        "{}",
        page.text()
    );
    assert!(page.html.contains(r#"value="[z-a]""#));
    let page = browser
        .post(
            "/c/guild/settings/auto-moderation/rules",
            &[
                ("kind", "keyword"),
                ("pattern", "casino"),
                ("action", "hold"),
                ("message", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Rule added"), "{}", page.text());
    assert!(page.text().contains("casino"));

    // An admin of another community has no say here, and this community's moderators none
    // there.
    let stranger = t.api_user("else@example.org", "Elsewhere Owner").await;
    t.api(
        "POST",
        "/api/v1/communities",
        Some(&stranger),
        Some(json!({"name": "Other", "slug": "other"})),
    )
    .await;
    let (status, _) = add_rule(
        &t,
        &stranger,
        json!({"kind": "keyword", "pattern": "spam", "action": "flag"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/other/moderation/held",
            Some(&mo),
            None,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn blocked_held_and_flagged_posts_follow_the_rules() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let mo = member(&t, "mo@example.org", "Mo Moderator").await;
    make_moderator(&t, &owner, &mo).await;
    let asker = member(&t, "ana@example.org", "Ana Asker").await;
    let writer = member(&t, "wil@example.org", "Wil Writer").await;
    let reader = member(&t, "rea@example.org", "Rea Reader").await;
    for rule in [
        json!({"kind": "pattern", "pattern": "bit\\.ly/\\w+", "action": "block",
               "message": "Link shorteners hide where links go; paste the full address."}),
        json!({"kind": "keyword", "pattern": "casino", "action": "hold"}),
        json!({"kind": "keyword", "pattern": "crypto", "action": "flag"}),
    ] {
        assert_eq!(add_rule(&t, &owner, rule).await.0, 201);
    }
    let thread = topic(&t, &asker, "help", "Which editor?", "Tips welcome.", false).await;
    let thread_id = thread["id"].as_str().unwrap();

    // Block: nothing saved, the rule's message as a 422.
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&writer),
            Some(json!({"body": "Try this: bit.ly/zanzibar"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["detail"],
        "Link shorteners hide where links go; paste the full address."
    );
    assert!(!post_texts(&t, Some(&asker), thread_id)
        .await
        .1
        .contains("zanzibar"));
    // ... and in the HTML form, with what was typed kept.
    let browser = t.browser();
    browser
        .log_in("wil@example.org", townsquare_testkit::PASSWORD)
        .await;
    browser.get(&format!("/c/guild/t/{thread_id}")).await;
    let page = browser
        .post(
            &format!("/c/guild/t/{thread_id}/replies"),
            &[("body", "Use BIT.LY/quokka for short"), ("reply_to", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Link shorteners hide where links go"));
    assert!(page.html.contains("Use BIT.LY/quokka for short"));

    // Hold: saved, but only its author and the moderators see it.
    let held = reply(&t, &writer, thread_id, "The casino editor is great", None).await;
    assert_eq!(held["held"], true);
    let held_id = held["id"].as_str().unwrap();
    let (status, as_reader) = post_texts(&t, Some(&reader), thread_id).await;
    assert_eq!(status, 200);
    assert!(!as_reader.contains("casino editor"));
    assert!(!post_texts(&t, None, thread_id)
        .await
        .1
        .contains("casino editor"));
    assert!(post_texts(&t, Some(&writer), thread_id)
        .await
        .1
        .contains("casino editor"));
    assert!(post_texts(&t, Some(&mo), thread_id)
        .await
        .1
        .contains("casino editor"));
    let (_, listed) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{thread_id}"),
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(listed["topic"]["reply_count"], 0, "{listed}");
    assert!(!search(&t, &reader, "casino").await.contains(held_id));
    let page = t.browser();
    page.log_in("rea@example.org", townsquare_testkit::PASSWORD)
        .await;
    let seen = page.get(&format!("/c/guild/t/{thread_id}")).await;
    assert!(!seen.text().contains("casino editor"));
    let mine = browser.get(&format!("/c/guild/t/{thread_id}")).await;
    assert!(mine.text().contains("casino editor") && mine.text().contains("Awaiting approval"));
    assert!(
        t.inbox(&asker).await.iter().all(|n| n["kind"] != "reply"),
        "no notification while held"
    );
    // Others cannot react to, flag or reply to it.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{held_id}/flags"),
            Some(&reader),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, 404);

    // A held topic is out of lists and not found by others.
    let held_topic = topic(&t, &writer, "help", "Casino night", "Who is in?", false).await;
    assert_eq!(held_topic["held"], true);
    let held_topic_id = held_topic["id"].as_str().unwrap();
    let (status, _) = post_texts(&t, Some(&reader), held_topic_id).await;
    assert_eq!(status, 404);
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/help/topics",
            Some(&reader),
            None,
        )
        .await;
    assert!(!list.to_string().contains("Casino night"), "{list}");
    let (status, _) = post_texts(&t, Some(&writer), held_topic_id).await;
    assert_eq!(status, 200);

    // The moderators see both, and the home card counts them.
    let (status, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/held",
            Some(&mo),
            None,
        )
        .await;
    assert_eq!(status, 200, "{queue}");
    let items = queue.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["post_id"], held_id);
    assert_eq!(items[0]["reason"], "auto-moderation: keyword “casino”");
    assert_eq!(items[1]["is_first"], true);
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/moderation/held",
            Some(&reader),
            None
        )
        .await
        .0,
        403
    );
    let mod_browser = t.browser();
    mod_browser
        .log_in("mo@example.org", townsquare_testkit::PASSWORD)
        .await;
    let home = mod_browser.get("/c/guild").await;
    assert!(
        home.text().contains("2 posts held for approval"),
        "{}",
        home.text()
    );

    // Approving needs a reason; then the post is published, counted, searchable, and the
    // topic's author hears of the reply as of any new one.
    let decide = |token: String, post: String, body: Value| {
        let t = &t;
        async move {
            t.api(
                "POST",
                &format!("/api/v1/held-posts/{post}/decision"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let (status, problem) = decide(
        mo.clone(),
        held_id.into(),
        json!({"decision": "approve", "reason": " "}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, _) = decide(
        reader.clone(),
        held_id.into(),
        json!({"decision": "approve", "reason": "ok"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, done) = decide(
        mo.clone(),
        held_id.into(),
        json!({"decision": "approve", "reason": "A text editor, not gambling"}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert!(post_texts(&t, Some(&reader), thread_id)
        .await
        .1
        .contains("casino editor"));
    let (_, listed) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{thread_id}"),
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(listed["topic"]["reply_count"], 1);
    assert!(search(&t, &reader, "casino").await.contains(held_id));
    assert!(t.inbox(&asker).await.iter().any(|n| n["kind"] == "reply"));
    assert!(t
        .inbox(&writer)
        .await
        .iter()
        .any(|n| n["kind"] == "moderation"
            && n["excerpt"]
                .as_str()
                .unwrap()
                .contains("A text editor, not gambling")));
    let (status, _) = decide(
        mo.clone(),
        held_id.into(),
        json!({"decision": "approve", "reason": "again"}),
    )
    .await;
    assert_eq!(status, 404, "no longer held");

    // Rejecting deletes: the held topic is gone for its author too, who is told why.
    let (status, _) = decide(
        owner.clone(),
        held_topic_id_post(&t, &mo, held_topic_id).await,
        json!({"decision": "reject", "reason": "No gambling here"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(post_texts(&t, Some(&writer), held_topic_id).await.0, 404);
    assert!(t
        .inbox(&writer)
        .await
        .iter()
        .any(|n| n["excerpt"].as_str().unwrap().contains("No gambling here")));

    // Both decisions are in the audit log, and the activity log has what the rules did.
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    let log = log.to_string();
    assert!(
        log.contains("A text editor, not gambling") && log.contains("No gambling here"),
        "{log}"
    );
    let writer_id = t.user_id(&writer).await;
    let verbs: Vec<String> =
        townsquare_app::store::activity::recent_by_actor(t.app.db(), &writer_id, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.verb)
            .collect();
    assert!(
        verbs.contains(&"rule_matched".to_string()) && verbs.contains(&"post_held".to_string()),
        "{verbs:?}"
    );
    let mo_id = t.user_id(&mo).await;
    let mod_verbs: Vec<String> =
        townsquare_app::store::activity::recent_by_actor(t.app.db(), &mo_id, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.verb)
            .collect();
    assert!(
        mod_verbs.contains(&"post_approved".to_string()),
        "{mod_verbs:?}"
    );

    // Flag: published at once, with an automatic flag in the queue.
    let flagged = reply(&t, &writer, thread_id, "Paid in crypto, naturally", None).await;
    assert_eq!(flagged["held"], false);
    assert!(post_texts(&t, Some(&reader), thread_id)
        .await
        .1
        .contains("Paid in crypto"));
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&mo),
            None,
        )
        .await;
    let queue = queue.to_string();
    assert!(queue.contains(flagged["id"].as_str().unwrap()), "{queue}");
    assert!(
        queue.contains("Auto-moderation") && queue.contains("auto-moderation: keyword “crypto”"),
        "{queue}"
    );

    // Edits go through the rules too: an edit into a held keyword takes the post out of view.
    let (status, edited) = t
        .api(
            "PATCH",
            &format!("/api/v1/posts/{}", flagged["id"].as_str().unwrap()),
            Some(&writer),
            Some(json!({"body": "Actually, visit my casino"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["held"], true);
    assert!(!post_texts(&t, Some(&reader), thread_id)
        .await
        .1
        .contains("visit my casino"));
    let (_, listed) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{thread_id}"),
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(
        listed["topic"]["reply_count"], 1,
        "the held edit is out of the count"
    );
    let (status, problem) = t
        .api(
            "PATCH",
            &format!("/api/v1/posts/{held_id}"),
            Some(&writer),
            Some(json!({"body": "see bit.ly/abc"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // Moderators are exempt from the rules.
    let own = reply(&t, &mo, thread_id, "Our casino policy: none.", None).await;
    assert_eq!(own["held"], false);
}

/// The id of a held topic's first post, from the moderators' list.
async fn held_topic_id_post(t: &TestApp, moderator: &str, topic_id: &str) -> String {
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/held",
            Some(moderator),
            None,
        )
        .await;
    queue
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["topic_id"] == topic_id)
        .map(|i| i["post_id"].as_str().unwrap().to_string())
        .expect("the held topic")
}

#[tokio::test]
async fn new_members_first_posts_wait_and_their_links_and_mentions_are_limited() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let mo = member(&t, "mo@example.org", "Mo Moderator").await;
    make_moderator(&t, &owner, &mo).await;
    let asker = member(&t, "ana@example.org", "Ana Asker").await;
    let thread = topic(&t, &asker, "help", "Which editor?", "Tips welcome.", false).await;
    let thread_id = thread["id"].as_str().unwrap();
    set_limits(&t, &owner, json!({"hold_first_posts": 1})).await;
    let newcomer = member(&t, "new@example.org", "Nia Newcomer").await;

    // The first post waits; once approved, the next is published at once.
    let first = reply(&t, &newcomer, thread_id, "Hello, first post here", None).await;
    assert_eq!(first["held"], true);
    let second = reply(&t, &newcomer, thread_id, "Still waiting?", None).await;
    assert_eq!(second["held"], true, "the first has not been approved yet");
    // The moderator approves it on the held-posts page; a missing reason is shown, not lost.
    let browser = t.browser();
    browser
        .log_in("mo@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser.get("/c/guild/moderation/held").await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Hello, first post here")
            && page
                .text()
                .contains("first 1 post of a new member wait for approval"),
        "{}",
        page.text()
    );
    let decide = format!(
        "/c/guild/held-posts/{}/decision",
        first["id"].as_str().unwrap()
    );
    let refused = browser
        .post(&decide, &[("decision", "approve"), ("reason", "")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains("Give a reason"),
        "{}",
        refused.text()
    );
    browser.get("/c/guild/moderation/held").await;
    let done = browser
        .post(&decide, &[("decision", "approve"), ("reason", "Welcome!")])
        .await;
    assert_eq!(done.status, 200);
    assert!(
        done.text().contains("Approved: the post is published"),
        "{}",
        done.text()
    );
    assert!(post_texts(&t, Some(&asker), thread_id)
        .await
        .1
        .contains("Hello, first post here"));
    let third = reply(&t, &newcomer, thread_id, "Thanks!", None).await;
    assert_eq!(third["held"], false);

    // Links and mentions over the new-member limits: a 422 saying the limit and when it lifts.
    let links = "See https://a.example, https://b.example and [c](https://c.example).";
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&newcomer),
            Some(json!({"body": links})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("at most 2 links per post in their first 3 days")
            && detail.contains("this post has 3")
            && detail.contains("The limit lifts on"),
        "{detail}"
    );
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&newcomer),
            Some(json!({"body": "@aa @bb @cc @dd look"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("mentions 4"),
        "{problem}"
    );
    // Moderators are exempt; the limit lifts after the member's first days.
    reply(&t, &mo, thread_id, links, None).await;
    t.app
        .clock()
        .advance(3 * MICROS_PER_DAY + MICROS_PER_SECOND);
    let later = reply(&t, &newcomer, thread_id, links, None).await;
    assert_eq!(later["held"], false);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_and_reset_after_the_window() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let mo = member(&t, "mo@example.org", "Mo Moderator").await;
    make_moderator(&t, &owner, &mo).await;
    let asker = member(&t, "ana@example.org", "Ana Asker").await;
    let thread = topic(&t, &asker, "help", "Which editor?", "Tips welcome.", false).await;
    let thread_id = thread["id"].as_str().unwrap();
    set_limits(
        &t,
        &owner,
        json!({"posts_per_minute": 3, "topics_per_day": 2, "flags_per_day": 1}),
    )
    .await;
    let fast = member(&t, "fay@example.org", "Fay Fast").await;

    // Posts per minute.
    for i in 0..3 {
        reply(&t, &fast, thread_id, &format!("reply {i}"), None).await;
    }
    let res = raw(
        &t,
        "POST",
        &format!("/api/v1/topics/{thread_id}/posts"),
        &fast,
        json!({"body": "one too many"}),
    )
    .await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("limit of 3 posts per minute"),
        "{problem}"
    );
    // The HTML form gets the same answer as a page.
    let browser = t.browser();
    browser
        .log_in("fay@example.org", townsquare_testkit::PASSWORD)
        .await;
    browser.get(&format!("/c/guild/t/{thread_id}")).await;
    let page = browser
        .post(
            &format!("/c/guild/t/{thread_id}/replies"),
            &[("body", "from the form"), ("reply_to", "")],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(page.text().contains("limit of 3 posts per minute"));
    // Moderators are exempt.
    let mut mod_posts = Vec::new();
    for i in 0..5 {
        let p = reply(&t, &mo, thread_id, &format!("moderator {i}"), None).await;
        mod_posts.push(p["id"].as_str().unwrap().to_string());
    }
    // A minute later the window has moved on.
    t.app.clock().advance(61 * MICROS_PER_SECOND);
    reply(&t, &fast, thread_id, "back again", None).await;

    // Topics per day.
    topic(&t, &fast, "help", "First of the day", "One", false).await;
    topic(&t, &fast, "help", "Second of the day", "Two", false).await;
    t.app.clock().advance(61 * MICROS_PER_SECOND);
    let res = raw(
        &t,
        "POST",
        "/api/v1/communities/guild/spaces/help/topics",
        &fast,
        json!({"title": "Third", "body": "Three"}),
    )
    .await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 23 * 3600 && retry <= 24 * 3600, "{retry}");
    t.app.clock().advance(MICROS_PER_DAY);
    topic(&t, &fast, "help", "Third, a day later", "Three", false).await;

    // Flags per day.
    let flag = |post: String| {
        let t = &t;
        let fast = fast.clone();
        async move {
            raw(
                t,
                "POST",
                &format!("/api/v1/posts/{post}/flags"),
                &fast,
                json!({"reason": "spam"}),
            )
            .await
        }
    };
    assert_eq!(flag(mod_posts[0].clone()).await.status(), 201);
    let res = flag(mod_posts[1].clone()).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let problem: Value = res.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("1 flags per day"));
    t.app.clock().advance(MICROS_PER_DAY);
    assert_eq!(flag(mod_posts[1].clone()).await.status(), 201);
}

#[tokio::test]
async fn the_demo_guild_has_rules_and_a_held_reply_waiting() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let (status, settings) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/auto-moderation",
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{settings}");
    let actions: Vec<&str> = settings["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["block", "hold", "flag"]);
    let jonas = t.demo_token("jonas@demo.townsquare.test").await;
    let (status, held) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/moderation/held",
            Some(&jonas),
            None,
        )
        .await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    assert!(held[0]["body_markdown"]
        .as_str()
        .unwrap()
        .contains("casino"));
    // The held reply is not shown to a member reading the thread.
    let topic_id = held[0]["topic_id"].as_str().unwrap();
    let priya = t.demo_token("priya@demo.townsquare.test").await;
    let (status, page) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{topic_id}"),
            Some(&priya),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(!page.to_string().contains("online casino"));
}
