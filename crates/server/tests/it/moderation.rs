//! Moderation: flags, the queue, actions on posts, and the audit log.

use crate::discussions::{guild, member, reply, topic};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

#[tokio::test]
async fn a_flag_reaches_the_queue_and_hiding_the_post_is_logged_and_told() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let spammer = member(&t, "sam@example.org", "Sam Spammer").await;
    let reader = member(&t, "rea@example.org", "Rea Reader").await;
    let other = member(&t, "oto@example.org", "Oto Other").await;
    let thread = topic(
        &t,
        &reader,
        "help",
        "Which editor?",
        "Looking for tips.",
        false,
    )
    .await;
    let thread_id = thread["id"].as_str().unwrap();
    let spam = reply(
        &t,
        &spammer,
        thread_id,
        "Buy cheap watches at example.com zanzibar",
        None,
    )
    .await;
    let spam_id = spam["id"].as_str().unwrap();

    // Members flag; a second open flag from the same member is refused, as is a bad reason.
    let flag = |token: String, body: Value| {
        let t = &t;
        async move {
            t.api(
                "POST",
                &format!("/api/v1/posts/{spam_id}/flags"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert_eq!(flag(reader.clone(), json!({"reason": "spam"})).await.0, 201);
    let (status, problem) = flag(reader.clone(), json!({"reason": "harassment"})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem.to_string().contains("already flagged"), "{problem}");
    let (status, problem) = flag(other.clone(), json!({"reason": "other"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "note");
    assert_eq!(
        flag(
            other.clone(),
            json!({"reason": "other", "note": "Ads for watches"})
        )
        .await
        .0,
        201
    );
    assert_eq!(
        flag(spammer.clone(), json!({"reason": "spam"})).await.0,
        422,
        "not one's own post"
    );

    // Members cannot see the queue; moderators see the post with both flags, oldest first.
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["post_id"], spam_id);
    let reasons: Vec<&str> = queue[0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["spam", "other"]);
    let (_, filtered) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue?reason=harassment",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(filtered.as_array().unwrap().len(), 0);

    // An action needs a reason.
    let act = |body: Value| {
        let t = &t;
        let owner = owner.clone();
        async move {
            t.api(
                "POST",
                &format!("/api/v1/posts/{spam_id}/moderation"),
                Some(&owner),
                Some(body),
            )
            .await
        }
    };
    let (status, problem) = act(json!({"action": "hide", "reason": " "})).await;
    assert_eq!(status, 422, "{problem}");
    let visitor = t.browser();
    let found = visitor.get("/c/guild/search?q=zanzibar").await.text();
    assert!(found.contains("watches"), "found before hiding: {found}");
    let (_, sam) = t.api("GET", "/api/v1/me", Some(&spammer), None).await;
    let by_sam = format!("/c/guild/search?author={}", sam["handle"].as_str().unwrap());
    assert!(
        visitor.get(&by_sam).await.text().contains("watches"),
        "listed by author before hiding"
    );
    assert_eq!(
        act(json!({"action": "hide", "reason": "Advertising (rule 3)"}))
            .await
            .0,
        200
    );

    // Hidden: others see that it is hidden, its author still reads it, search forgets it.
    let page = visitor.get(&format!("/c/guild/t/{thread_id}")).await.text();
    assert!(
        page.contains("This post is hidden by the moderators") && !page.contains("cheap watches"),
        "{page}"
    );
    let (_, as_author) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{thread_id}"),
            Some(&spammer),
            None,
        )
        .await;
    assert!(
        as_author.to_string().contains("cheap watches"),
        "{as_author}"
    );
    let found = visitor.get("/c/guild/search?q=zanzibar").await.text();
    assert!(
        !found.contains("watches"),
        "hidden posts leave search: {found}"
    );
    let listed = visitor.get(&by_sam).await.text();
    assert!(
        !listed.contains("watches"),
        "and word-less listings: {listed}"
    );

    // The queue is empty; the author and both reporters were told.
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(queue.as_array().unwrap().len(), 0);
    let told = t.inbox(&spammer).await;
    assert_eq!(told[0]["kind"], "moderation", "{told:?}");
    assert!(told[0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("Advertising (rule 3)"));
    for reporter in [&reader, &other] {
        assert!(t
            .inbox(reporter)
            .await
            .iter()
            .any(|n| n["kind"] == "flag_handled"));
    }
    // A flag after handling is a new, open flag.
    assert_eq!(flag(reader.clone(), json!({"reason": "spam"})).await.0, 201);

    // The audit log: admins only, one row per action, exportable as CSV.
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&reader),
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        act(json!({"action": "unhide", "reason": "Appeal: it was a joke"}))
            .await
            .0,
        200
    );
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["unhide", "hide"]);
    assert_eq!(log["items"][1]["subject_name"], "Sam Spammer");
    let admin = t.browser();
    admin
        .log_in("owner@example.org", "correct horse battery")
        .await;
    let csv = admin.get("/c/guild/moderation/log.csv").await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.html.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.html);
    assert!(lines[0].starts_with("time,actor,action"));
    assert!(lines[2].contains(",hide,post,") && lines[2].contains("Advertising (rule 3)"));
    let page = visitor.get(&format!("/c/guild/t/{thread_id}")).await.text();
    assert!(
        page.contains("cheap watches"),
        "unhidden posts are visible again"
    );
}

#[tokio::test]
async fn moderators_have_no_power_over_admins_or_other_communities() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    let (_, me) = t.api("GET", "/api/v1/me", Some(&moderator), None).await;
    let (status, _) = t
        .api(
            "PUT",
            &format!(
                "/api/v1/communities/guild/members/{}/role",
                me["id"].as_str().unwrap()
            ),
            Some(&owner),
            Some(json!({"role": "moderator"})),
        )
        .await;
    assert!(status < 300, "{status}");
    let owners_topic = topic(&t, &owner, "help", "House rules", "Be kind.", false).await;
    let owners_post = reply(
        &t,
        &owner,
        owners_topic["id"].as_str().unwrap(),
        "And patient.",
        None,
    )
    .await;
    let (status, problem) = t
        .api(
            "POST",
            &format!(
                "/api/v1/posts/{}/moderation",
                owners_post["id"].as_str().unwrap()
            ),
            Some(&moderator),
            Some(json!({"action": "hide", "reason": "Testing my powers"})),
        )
        .await;
    assert_eq!(status, 403, "{problem}");

    // Another community's owner is a stranger here: no queue, no actions.
    let stranger = t.api_user("else@example.org", "Elsewhere Owner").await;
    t.api(
        "POST",
        "/api/v1/communities",
        Some(&stranger),
        Some(json!({"name": "Other", "slug": "other"})),
    )
    .await;
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "POST",
            &format!(
                "/api/v1/posts/{}/moderation",
                owners_post["id"].as_str().unwrap()
            ),
            Some(&stranger),
            Some(json!({"action": "hide", "reason": "Not my community"})),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_queue_page_shows_flags_and_applies_actions() {
    let t = TestApp::spawn().await;
    guild(&t).await;
    let author = member(&t, "au@example.org", "Au Thor").await;
    let thread = topic(
        &t,
        &author,
        "help",
        "Off topic ramble",
        "Cats are great.",
        false,
    )
    .await;
    let b = t.signed_up("fl@example.org", "Fla Gger").await;
    assert_eq!(b.post("/c/guild/join", &[("note", "")]).await.status, 200);
    let (_, posts) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{}", thread["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    let post_id = posts["posts"][0]["id"].as_str().unwrap().to_string();
    let flagged = b
        .post(
            &format!("/c/guild/posts/{post_id}/flag"),
            &[("reason", "off_topic"), ("note", "")],
        )
        .await;
    assert!(
        flagged.text().contains("your flag is with the moderators"),
        "{}",
        flagged.text()
    );

    let owner = t.browser();
    owner
        .log_in("owner@example.org", "correct horse battery")
        .await;
    let home = owner.get("/c/guild").await.text();
    assert!(home.contains("1 open flag"), "{home}");
    let queue = owner.get("/c/guild/moderation").await;
    assert!(
        queue.text().contains("Off-topic") && queue.text().contains("Fla Gger"),
        "{}",
        queue.text()
    );
    let done = owner
        .post(
            &format!("/c/guild/posts/{post_id}/moderation"),
            &[("action", "approve"), ("reason", "On topic enough")],
        )
        .await;
    assert!(
        done.text().contains("Approved") && done.text().contains("Nothing waiting"),
        "{}",
        done.text()
    );
    assert!(owner.get("/c/guild").await.text().contains("No open flags"));
    let bad = owner.get("/c/guild/moderation?reason=boring").await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn mutes_and_suspensions_are_enforced_until_they_end_or_are_lifted() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let loud = member(&t, "lou@example.org", "Lou Loud").await;
    let (_, me) = t.api("GET", "/api/v1/me", Some(&loud), None).await;
    let loud_id = me["id"].as_str().unwrap().to_string();
    let thread = topic(&t, &owner, "help", "Welcome thread", "Say hi.", false).await;
    let thread_id = thread["id"].as_str().unwrap().to_string();
    let inner = topic(&t, &owner, "inner", "Members only", "Shh.", false).await;
    let inner_id = inner["id"].as_str().unwrap().to_string();
    let earlier = reply(&t, &loud, &thread_id, "First!", None).await;

    let sanction = |body: Value| {
        let t = &t;
        let owner = owner.clone();
        let loud_id = loud_id.clone();
        async move {
            t.api(
                "POST",
                &format!("/api/v1/communities/guild/members/{loud_id}/sanctions"),
                Some(&owner),
                Some(body),
            )
            .await
        }
    };
    let (status, problem) = sanction(json!({"kind": "mute", "reason": "Rule 2"})).await;
    assert_eq!(status, 422, "a mute needs a period: {problem}");
    assert_eq!(problem["errors"][0]["field"], "days");
    let (status, mute) =
        sanction(json!({"kind": "mute", "days": 2, "reason": "Rule 2: stay on topic"})).await;
    assert_eq!(status, 201, "{mute}");

    // Muted: every write is refused with why and until when; reading still works.
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&loud),
            Some(json!({"body": "Hello again"})),
        )
        .await;
    assert_eq!(status, 403, "{problem}");
    let why = problem["detail"].as_str().unwrap_or_default().to_string();
    assert!(
        why.contains("muted") && why.contains("until") && why.contains("Rule 2"),
        "{problem}"
    );
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/help/topics",
            Some(&loud),
            Some(json!({"title": "Muted topic", "body": "x"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "PATCH",
            &format!("/api/v1/posts/{}", earlier["id"].as_str().unwrap()),
            Some(&loud),
            Some(json!({"body": "Edited"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "PUT",
            &format!(
                "/api/v1/posts/{}/reactions/like",
                earlier["id"].as_str().unwrap()
            ),
            Some(&loud),
            None,
        )
        .await;
    assert_eq!(status, 403, "reacting is writing too");
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{inner_id}"),
            Some(&loud),
            None,
        )
        .await;
    assert_eq!(status, 200, "a muted member still reads");
    let b = t.browser();
    b.log_in("lou@example.org", "correct horse battery").await;
    assert!(b
        .get("/c/guild")
        .await
        .text()
        .contains("You are muted in Guild until"));
    let blocked = b
        .post(
            &format!("/c/guild/t/{thread_id}/replies"),
            &[("body", "Through the form"), ("reply_to", "")],
        )
        .await;
    assert_eq!(blocked.status, 403, "the HTML form is refused too");

    // The mute ends by itself.
    t.app.clock().advance(3 * 86_400_000_000);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&loud),
            Some(json!({"body": "Back"})),
        )
        .await;
    assert_eq!(status, 201);

    // Suspended: no more than a visitor; joining again is no way around it; lifting restores.
    let (status, suspension) =
        sanction(json!({"kind": "suspend", "days": 7, "reason": "Rule 1: harassment"})).await;
    assert_eq!(status, 201, "{suspension}");
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{inner_id}"),
            Some(&loud),
            None,
        )
        .await;
    assert_eq!(
        status, 404,
        "members-only content is closed to a suspended member"
    );
    let (status, problem) = t
        .api("POST", "/api/v1/communities/guild/join", Some(&loud), None)
        .await;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("suspended"));
    let (_, in_force) = t
        .api(
            "GET",
            "/api/v1/communities/guild/sanctions",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        in_force.as_array().unwrap().len(),
        1,
        "the mute ended: {in_force}"
    );
    let (status, _) = t
        .api(
            "POST",
            &format!(
                "/api/v1/sanctions/{}/lift",
                suspension["id"].as_str().unwrap()
            ),
            Some(&owner),
            Some(json!({"reason": "Apologised"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{inner_id}"),
            Some(&loud),
            None,
        )
        .await;
    assert_eq!(status, 200);

    // Told each time; every step in the audit log.
    let notices: Vec<String> = t
        .inbox(&loud)
        .await
        .iter()
        .filter(|n| n["kind"] == "sanction")
        .map(|n| n["excerpt"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert!(notices[0].contains("lifted") && notices[0].contains("Apologised"));
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["lift", "suspend", "mute"]);
    let _ = mute;
}

#[tokio::test]
async fn an_appeal_is_heard_once_and_overturning_restores_what_was_hidden() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let writer = member(&t, "wri@example.org", "Wri Ter").await;
    let thread = topic(&t, &owner, "help", "Book tips", "Any?", false).await;
    let thread_id = thread["id"].as_str().unwrap().to_string();
    let post = reply(&t, &writer, &thread_id, "Read the quixotic classics", None).await;
    let post_id = post["id"].as_str().unwrap().to_string();
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{post_id}/moderation"),
            Some(&owner),
            Some(json!({"action": "hide", "reason": "Looked like spam"})),
        )
        .await;
    assert_eq!(status, 200);

    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/my-moderation",
            Some(&writer),
            None,
        )
        .await;
    assert_eq!(mine[0]["action"], "hide", "{mine}");
    let action_id = mine[0]["action_id"].as_str().unwrap().to_string();
    let appeal = |statement: &str| {
        let t = &t;
        let body = json!({"action_id": action_id, "statement": statement});
        let writer = writer.clone();
        async move {
            t.api(
                "POST",
                "/api/v1/communities/guild/appeals",
                Some(&writer),
                Some(body),
            )
            .await
        }
    };
    let (status, problem) = appeal("  ").await;
    assert_eq!(status, 422, "{problem}");
    let (status, made) = appeal("It is a real book recommendation.").await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(appeal("Really!").await.0, 409, "one appeal per action");
    // Nobody else can appeal it.
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/appeals",
            Some(&owner),
            Some(json!({"action_id": action_id, "statement": "Me too"})),
        )
        .await;
    assert_eq!(status, 404);

    let (_, open) = t
        .api(
            "GET",
            "/api/v1/communities/guild/appeals",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    let owner_page = t.browser();
    owner_page
        .log_in("owner@example.org", "correct horse battery")
        .await;
    assert!(owner_page
        .get("/c/guild")
        .await
        .text()
        .contains("1 open appeal"));
    let (status, decided) = t
        .api(
            "POST",
            &format!("/api/v1/appeals/{}/resolve", made["id"].as_str().unwrap()),
            Some(&owner),
            Some(json!({"decision": "overturned", "reason": "You are right, sorry"})),
        )
        .await;
    assert_eq!(
        (status, decided["status"].as_str()),
        (200, Some("overturned")),
        "{decided}"
    );

    // Restored for everyone, back in search, the member told, the log complete.
    let visitor = t.browser();
    assert!(visitor
        .get(&format!("/c/guild/t/{thread_id}"))
        .await
        .text()
        .contains("quixotic classics"));
    assert!(visitor
        .get("/c/guild/search?q=quixotic")
        .await
        .text()
        .contains("classics"));
    let told = t.inbox(&writer).await;
    assert!(
        told.iter().any(|n| n["excerpt"]
            .as_str()
            .unwrap_or_default()
            .contains("overturned: You are right")),
        "{told:?}"
    );
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(log["items"][0]["action"], "appeal_overturned");
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/my-moderation",
            Some(&writer),
            None,
        )
        .await;
    assert_eq!(mine[0]["appeal"]["status"], "overturned");

    // An upheld appeal of a mute leaves the member muted.
    let (_, me) = t.api("GET", "/api/v1/me", Some(&writer), None).await;
    t.api(
        "POST",
        &format!(
            "/api/v1/communities/guild/members/{}/sanctions",
            me["id"].as_str().unwrap()
        ),
        Some(&owner),
        Some(json!({"kind": "mute", "days": 5, "reason": "Cooling off"})),
    )
    .await;
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/my-moderation",
            Some(&writer),
            None,
        )
        .await;
    let mute_action = mine[0]["action_id"].as_str().unwrap().to_string();
    let (_, made) = t
        .api(
            "POST",
            "/api/v1/communities/guild/appeals",
            Some(&writer),
            Some(json!({"action_id": mute_action, "statement": "I was calm"})),
        )
        .await;
    t.api(
        "POST",
        &format!("/api/v1/appeals/{}/resolve", made["id"].as_str().unwrap()),
        Some(&owner),
        Some(json!({"decision": "upheld", "reason": "Guideline 1 applies"})),
    )
    .await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{thread_id}/posts"),
            Some(&writer),
            Some(json!({"body": "Still here"})),
        )
        .await;
    assert_eq!(status, 403, "still muted after an upheld appeal");
}
