//! The member side of moderation: accepting the guidelines on joining, moderators' private
//! notes on members, edits with a reason, flags on profiles and events, trust levels.

use crate::discussions::{guild, member, reply, topic};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

const GUIDELINES: &str = "1. **Be kind.**\n2. No spam. <script>alert('x')</script>";

/// The owner's token for a community `guild` with guidelines.
async fn guild_with_guidelines(t: &TestApp, join_policy: &str) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Guild", "slug": "guild", "guidelines": GUIDELINES, "join_policy": join_policy})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    owner
}

/// The community's activity records of one verb, oldest first.
async fn activities(
    t: &TestApp,
    slug: &str,
    verb: &str,
) -> Vec<townsquare_app::store::activity::ActivityRow> {
    let c = townsquare_app::store::communities::community_by_slug(t.app.db(), slug)
        .await
        .unwrap()
        .unwrap();
    let mut rows: Vec<_> =
        townsquare_app::store::activity::recent_in_community(t.app.db(), &c.id, None, 1_000_000)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.activity)
            .filter(|a| a.verb == verb)
            .collect();
    rows.reverse();
    rows
}

fn detail(row: &townsquare_app::store::activity::ActivityRow) -> Value {
    serde_json::from_str(&row.detail).unwrap()
}

#[tokio::test]
async fn joining_needs_the_guidelines_accepted_and_records_the_version() {
    let t = TestApp::spawn().await;
    let owner = guild_with_guidelines(&t, "open").await;
    let (_, community) = t
        .api("GET", "/api/v1/communities/guild", Some(&owner), None)
        .await;
    let version = community["guidelines_version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(version.len(), 16);

    // The join form shows the guidelines as sanitized Markdown, with a box to tick.
    let ana = t.signed_up("ana@example.org", "Ana Adams").await;
    let page = ana.get("/c/guild").await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<strong>Be kind.</strong>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>alert"), "sanitized");
    assert!(page.html.contains(r#"name="accept_guidelines""#));

    // Joining without ticking it is refused with a message, and makes no member.
    let page = ana.post("/c/guild/join", &[("note", "")]).await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(
        page.text()
            .contains("Read Guild's guidelines and accept them to join."),
        "{}",
        page.text()
    );
    let page = ana.get("/c/guild").await;
    assert!(
        page.html.contains(r#"name="accept_guidelines""#),
        "still not a member"
    );
    let page = ana
        .post(
            "/c/guild/join",
            &[("note", ""), ("accept_guidelines", "yes")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Welcome! You are now a member."),
        "{}",
        page.text()
    );

    // The API needs `accept_guidelines: true`, and says which field is missing.
    let bob = t.api_user("bob@example.org", "Bob Brown").await;
    let (status, problem) = t
        .api("POST", "/api/v1/communities/guild/join", Some(&bob), None)
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "accept_guidelines");
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&bob),
            Some(json!({"accept_guidelines": false})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, joined) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&bob),
            Some(json!({"accept_guidelines": true})),
        )
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined["outcome"], "joined");

    // Each acceptance is in the activity log: who, when, which version.
    let accepted = activities(&t, "guild", "guidelines_accepted").await;
    let ana_id = ana_id(&t).await;
    let bob_id = t.user_id(&bob).await;
    let who: Vec<_> = accepted
        .iter()
        .map(|a| a.actor_id.clone().unwrap())
        .collect();
    assert_eq!(who, [ana_id, bob_id]);
    assert!(accepted
        .iter()
        .all(|a| detail(a)["version"] == version.as_str()));

    // New guidelines are a new version; the next member accepts that one.
    let (status, _) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(&owner),
            Some(json!({"guidelines": "1. Be kind.\n2. No spam.\n3. No politics."})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, community) = t
        .api("GET", "/api/v1/communities/guild", Some(&owner), None)
        .await;
    let new_version = community["guidelines_version"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_version, version);
    let cy = t.api_user("cy@example.org", "Cy Cole").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&cy),
            Some(json!({"accept_guidelines": true})),
        )
        .await;
    assert_eq!(status, 200);
    let accepted = activities(&t, "guild", "guidelines_accepted").await;
    assert_eq!(
        detail(accepted.last().unwrap())["version"],
        new_version.as_str()
    );
}

async fn ana_id(t: &TestApp) -> String {
    townsquare_app::store::accounts::user_by_email(t.app.db(), "ana@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn joining_by_invitation_or_request_needs_the_guidelines_accepted_too() {
    let t = TestApp::spawn().await;
    let owner = guild_with_guidelines(&t, "invite").await;
    let (status, link) = t
        .api(
            "POST",
            "/api/v1/communities/guild/invitations",
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let path = format!(
        "/invite/{}",
        link["url"].as_str().unwrap().rsplit('/').next().unwrap()
    );

    // The invitation page shows the guidelines and the box; not ticking it is refused.
    let ana = t.signed_up("ana@example.org", "Ana Adams").await;
    let page = ana.get(&path).await;
    assert!(
        page.html.contains("<strong>Be kind.</strong>"),
        "{}",
        page.html
    );
    assert!(page.html.contains(r#"name="accept_guidelines""#));
    let page = ana.post(&path, &[]).await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(
        page.text().contains("accept them to join"),
        "{}",
        page.text()
    );
    let page = ana.post(&path, &[("accept_guidelines", "yes")]).await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("Welcome to Guild!"), "{}", page.text());

    // The API's accept needs the field too.
    let token = link["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let bob = t.api_user("bob@example.org", "Bob Brown").await;
    let accept = format!("/api/v1/invitations/{token}/accept");
    let (status, problem) = t.api("POST", &accept, Some(&bob), None).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "accept_guidelines");
    let (status, body) = t
        .api(
            "POST",
            &accept,
            Some(&bob),
            Some(json!({"accept_guidelines": true})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "joined");
    assert_eq!(
        activities(&t, "guild", "guidelines_accepted").await.len(),
        2
    );

    // A join request accepts them when asking.
    let (status, _) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(&owner),
            Some(json!({"join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, 200);
    let cy = t.api_user("cy@example.org", "Cy Cole").await;
    let (status, _) = t
        .api("POST", "/api/v1/communities/guild/join", Some(&cy), None)
        .await;
    assert_eq!(status, 422);
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&cy),
            Some(json!({"accept_guidelines": true, "note": "Hi"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "requested");
    assert_eq!(
        activities(&t, "guild", "guidelines_accepted").await.len(),
        3
    );
}

/// Makes the member a moderator of the guild (by its owner).
async fn promote(t: &TestApp, owner: &str, token: &str, role: &str) -> String {
    let id = t.user_id(token).await;
    let (status, body) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/guild/members/{id}/role"),
            Some(owner),
            Some(json!({ "role": role })),
        )
        .await;
    assert!(status < 300, "{status} {body}");
    id
}

#[tokio::test]
async fn moderator_notes_are_private_append_only_and_audited() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let sam = member(&t, "sam@example.org", "Sam Spammer").await;
    let sam_id = t.user_id(&sam).await;
    let rea = member(&t, "rea@example.org", "Rea Reader").await;
    let notes_url = format!("/api/v1/communities/guild/members/{sam_id}/notes");

    // A moderator writes two notes; an empty one is refused.
    let (status, problem) = t
        .api(
            "POST",
            &notes_url,
            Some(&moderator),
            Some(json!({"body": "  "})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "body");
    for body in ["Posted links to a shop twice.", "Promised to stop; watch."] {
        let (status, note) = t
            .api(
                "POST",
                &notes_url,
                Some(&moderator),
                Some(json!({ "body": body })),
            )
            .await;
        assert_eq!(status, 201, "{note}");
        assert_eq!(note["author_name"], "Mo Derator");
    }
    let (status, notes) = t.api("GET", &notes_url, Some(&owner), None).await;
    assert_eq!(status, 200);
    let bodies: Vec<_> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Promised to stop; watch.", "Posted links to a shop twice."]
    );

    // Members never see notes: not other members', not their own, not on any page.
    for token in [&sam, &rea] {
        let (status, _) = t.api("GET", &notes_url, Some(token), None).await;
        assert_eq!(status, 403);
        let (status, _) = t
            .api(
                "GET",
                &format!("/api/v1/communities/guild/members/{sam_id}/moderation"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(status, 403);
    }
    let sams_browser = t.browser();
    sams_browser
        .log_in("sam@example.org", townsquare_testkit::PASSWORD)
        .await;
    for path in ["/c/guild", "/c/guild/my-moderation", "/c/guild/members"] {
        let page = sams_browser.get(path).await;
        assert!(!page.text().contains("shop twice"), "{path} shows a note");
    }
    let page = sams_browser
        .get(&format!("/c/guild/members/{sam_id}/moderation"))
        .await;
    assert_eq!(page.status, 403);

    // Notes are append-only: there is no route to change or delete one.
    for method in ["PATCH", "DELETE", "PUT"] {
        let (status, _) = t.api(method, &notes_url, Some(&owner), None).await;
        assert_eq!(status, 405, "{method}");
    }

    // Each note is in the audit log (admins) and the activity log.
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    let noted: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "note")
        .collect();
    assert_eq!(noted.len(), 2, "{log}");
    assert_eq!(noted[0]["subject_name"], "Sam Spammer");
    assert_eq!(activities(&t, "guild", "member_note_added").await.len(), 2);

    // The moderators' view of the member shows them; so does the queue, next to the author.
    let mods = t.browser();
    mods.log_in("mod@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mods
        .get(&format!("/c/guild/members/{sam_id}/moderation"))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Promised to stop; watch. Mo Derator"),
        "{}",
        page.text()
    );
    let thread = topic(&t, &rea, "help", "Which editor?", "Tips?", false).await;
    let spam = reply(
        &t,
        &sam,
        thread["id"].as_str().unwrap(),
        "Buy watches",
        None,
    )
    .await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{}/flags", spam["id"].as_str().unwrap()),
            Some(&rea),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&moderator),
            None,
        )
        .await;
    assert_eq!(
        queue[0]["author_notes"].as_array().unwrap().len(),
        2,
        "{queue}"
    );
    let page = mods.get("/c/guild/moderation").await;
    assert!(
        page.text().contains("Moderator notes on Sam Spammer"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Posted links to a shop twice."));

    // The HTML form adds a note too.
    mods.get(&format!("/c/guild/members/{sam_id}/moderation"))
        .await;
    let page = mods
        .post(
            &format!("/c/guild/members/{sam_id}/notes"),
            &[("body", "Third note, from the page.")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Note added. Only moderators see it."));
    assert!(page.text().contains("Third note, from the page."));
}

#[tokio::test]
async fn notes_give_no_power_over_admins_or_in_other_communities() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let owner_id = t.user_id(&owner).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let admin = member(&t, "adm@example.org", "Ada Admin").await;
    let admin_id = promote(&t, &owner, &admin, "admin").await;
    let sam = member(&t, "sam@example.org", "Sam Spammer").await;
    let sam_id = t.user_id(&sam).await;

    // A moderator cannot write notes on an admin or the owner.
    for id in [&admin_id, &owner_id] {
        let (status, problem) = t
            .api(
                "POST",
                &format!("/api/v1/communities/guild/members/{id}/notes"),
                Some(&moderator),
                Some(json!({"body": "Bossy"})),
            )
            .await;
        assert_eq!(status, 403, "{problem}");
    }
    // The admin can write one on a member; the owner on the admin.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/members/{sam_id}/notes"),
            Some(&admin),
            Some(json!({"body": "Fine so far"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/members/{admin_id}/notes"),
            Some(&owner),
            Some(json!({"body": "Ask before banning"})),
        )
        .await;
    assert_eq!(status, 201);

    // Another community's owner has no power here, and no one outside is a member.
    let stranger = t.api_user("else@example.org", "Elsewhere Owner").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&stranger),
            Some(json!({"name": "Other", "slug": "other"})),
        )
        .await;
    assert_eq!(status, 201);
    for (method, body) in [("GET", None), ("POST", Some(json!({"body": "Hi"})))] {
        let (status, _) = t
            .api(
                method,
                &format!("/api/v1/communities/guild/members/{sam_id}/notes"),
                Some(&stranger),
                body,
            )
            .await;
        assert_eq!(status, 403, "{method}");
    }
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/communities/other/members/{sam_id}/notes"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(status, 404, "Sam is not a member of Other");
    // The guild's notes do not leak into the other community's view.
    let (status, case) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{sam_id}/moderation"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["notes"].as_array().unwrap().len(), 1);
    assert_eq!(case["role"], "member");
}

#[tokio::test]
async fn a_moderator_edit_needs_a_reason_keeps_the_revision_and_tells_the_author() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let sam = member(&t, "sam@example.org", "Sam Sharer").await;
    let rea = member(&t, "rea@example.org", "Rea Reader").await;
    let thread = topic(&t, &rea, "help", "Meet-up", "Who comes?", false).await;
    let thread_id = thread["id"].as_str().unwrap();
    let post = reply(&t, &sam, thread_id, "Me! Call me on 0123 456789.", None).await;
    let post_id = post["id"].as_str().unwrap();
    let edit_url = format!("/api/v1/posts/{post_id}/moderator-edit");

    // A reason is required; members cannot edit others' posts; a moderator not their own.
    let (status, problem) = t
        .api(
            "POST",
            &edit_url,
            Some(&moderator),
            Some(json!({"body": "Me!", "reason": " "})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, _) = t
        .api(
            "POST",
            &edit_url,
            Some(&rea),
            Some(json!({"body": "Me!", "reason": "Privacy"})),
        )
        .await;
    assert_eq!(status, 403);
    let own = reply(&t, &moderator, thread_id, "I will bring snacks.", None).await;
    let (status, _) = t
        .api(
            "POST",
            &format!(
                "/api/v1/posts/{}/moderator-edit",
                own["id"].as_str().unwrap()
            ),
            Some(&moderator),
            Some(json!({"body": "Snacks!", "reason": "Mine"})),
        )
        .await;
    assert_eq!(status, 422);

    let (status, edited) = t
        .api(
            "POST",
            &edit_url,
            Some(&moderator),
            Some(json!({"body": "Me! (phone number removed)", "reason": "Rule 6: no phone numbers in public"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert!(edited["body_html"]
        .as_str()
        .unwrap()
        .contains("phone number removed"));

    // The earlier text is kept with the reason; the author is told; the audit log has it.
    let (_, revisions) = t
        .api(
            "GET",
            &format!("/api/v1/posts/{post_id}/revisions"),
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(revisions.as_array().unwrap().len(), 1, "{revisions}");
    assert_eq!(revisions[0]["body_markdown"], "Me! Call me on 0123 456789.");
    assert_eq!(revisions[0]["editor_name"], "Mo Derator");
    assert_eq!(revisions[0]["reason"], "Rule 6: no phone numbers in public");
    let told = t.inbox(&sam).await;
    assert!(
        told.iter().any(|n| n["kind"] == "moderation"
            && n["excerpt"]
                .as_str()
                .unwrap()
                .contains("Rule 6: no phone numbers")),
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
    let item = &log["items"][0];
    assert_eq!(item["action"], "edit", "{log}");
    assert_eq!(item["subject_name"], "Sam Sharer");
    assert_eq!(item["reason"], "Rule 6: no phone numbers in public");
    let page = t.browser().get(&format!("/c/guild/t/{thread_id}")).await;
    assert!(page.text().contains("phone number removed"));
    assert!(!page.text().contains("456789"));

    // A moderator cannot edit the owner's post.
    let owners = reply(&t, &owner, thread_id, "See you there.", None).await;
    let (status, _) = t
        .api(
            "POST",
            &format!(
                "/api/v1/posts/{}/moderator-edit",
                owners["id"].as_str().unwrap()
            ),
            Some(&moderator),
            Some(json!({"body": "Changed", "reason": "Testing"})),
        )
        .await;
    assert_eq!(status, 403);

    // The page: the moderator gets the form, edits with a reason, and the history shows it.
    let mods = t.browser();
    mods.log_in("mod@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mods.get(&format!("/c/guild/posts/{post_id}/edit")).await;
    assert!(page.text().contains("Save as moderator"), "{}", page.text());
    let page = mods
        .post(
            &format!("/c/guild/posts/{post_id}/moderator-edit"),
            &[("body", "Me! See you there."), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Give a reason"), "{}", page.text());
    let page = mods
        .post(
            &format!("/c/guild/posts/{post_id}/moderator-edit"),
            &[("body", "Me! See you there."), ("reason", "Tidied up")],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Edited. The author is told why"),
        "{}",
        page.text()
    );
    let page = t
        .browser()
        .get(&format!("/c/guild/posts/{post_id}/edit"))
        .await;
    assert!(
        page.text().contains("moderator's reason: Tidied up"),
        "{}",
        page.text()
    );
}

#[tokio::test]
async fn profiles_and_events_are_flagged_once_and_the_reporter_hears_the_outcome() {
    let t = TestApp::spawn().await;
    let owner = crate::events::events_guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let sam = member(&t, "sam@example.org", "Sam Spammer").await;
    let sam_id = t.user_id(&sam).await;
    let rea = member(&t, "rea@example.org", "Rea Reader").await;
    let (status, event) = t
        .api(
            "POST",
            "/api/v1/communities/guild/spaces/meetups/events",
            Some(&owner),
            Some(json!({"title": "Watch party", "description": "Cheap watches for sale!", "format": "meetup", "starts_at": "2030-03-04T18:00", "ends_at": "2030-03-04T20:00", "venue": "Hall"})),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let event_id = event["id"].as_str().unwrap();
    let profile_flags = format!("/api/v1/communities/guild/members/{sam_id}/flags");
    let event_flags = format!("/api/v1/events/{event_id}/flags");

    // One open flag per member per item; not on oneself; outsiders cannot.
    let spam = json!({"reason": "spam"});
    let (status, flag) = t
        .api("POST", &profile_flags, Some(&rea), Some(spam.clone()))
        .await;
    assert_eq!(status, 201, "{flag}");
    assert_eq!(flag["status"], "open");
    let (status, problem) = t
        .api("POST", &profile_flags, Some(&rea), Some(spam.clone()))
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem.to_string().contains("already flagged this member"));
    let (status, _) = t
        .api("POST", &profile_flags, Some(&sam), Some(spam.clone()))
        .await;
    assert_eq!(status, 422);
    let outsider = t.api_user("out@example.org", "Otto Outsider").await;
    let (status, _) = t
        .api("POST", &profile_flags, Some(&outsider), Some(spam.clone()))
        .await;
    assert_eq!(status, 404);
    let (status, _) = t
        .api("POST", &event_flags, Some(&outsider), Some(spam.clone()))
        .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "POST",
            &event_flags,
            Some(&rea),
            Some(json!({"reason": "other", "note": "Selling watches at a meetup"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = t
        .api("POST", &event_flags, Some(&rea), Some(spam.clone()))
        .await;
    assert_eq!(status, 409);
    let (status, _) = t
        .api("POST", &event_flags, Some(&owner), Some(spam.clone()))
        .await;
    assert_eq!(status, 422, "not one's own event");

    // The reporter sees both received.
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/my-flags",
            Some(&rea),
            None,
        )
        .await;
    let states: Vec<_> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["target_kind"].as_str().unwrap(),
                f["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, [("event", "open"), ("user", "open")]);

    // Moderators see both with their context; members do not.
    let reports_url = "/api/v1/communities/guild/moderation/reports";
    let (status, _) = t.api("GET", reports_url, Some(&rea), None).await;
    assert_eq!(status, 403);
    let (status, reports) = t.api("GET", reports_url, Some(&moderator), None).await;
    assert_eq!(status, 200, "{reports}");
    assert_eq!(reports.as_array().unwrap().len(), 2, "{reports}");
    assert_eq!(reports[0]["target_kind"], "user");
    assert_eq!(reports[0]["title"], "Sam Spammer");
    assert!(reports[0]["context"]
        .as_str()
        .unwrap()
        .contains("member since"));
    assert_eq!(reports[1]["target_kind"], "event");
    assert_eq!(reports[1]["title"], "Watch party");
    assert!(reports[1]["context"]
        .as_str()
        .unwrap()
        .contains("Cheap watches"));
    assert_eq!(reports[1]["subject_name"], "Olga Owner");
    assert_eq!(
        reports[1]["flags"][0]["note"],
        "Selling watches at a meetup"
    );
    let mods = t.browser();
    mods.log_in("mod@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mods.get("/c/guild/moderation").await;
    assert!(page.text().contains("Flagged profiles and events"));
    assert!(page.text().contains("Watch party"), "{}", page.text());

    // Closing needs a reason and a known outcome; another community's owner cannot.
    let resolve = "/api/v1/communities/guild/moderation/reports/resolve";
    let (status, problem) = t
        .api(
            "POST",
            resolve,
            Some(&moderator),
            Some(json!({"target_kind": "user", "target_id": sam_id, "outcome": "upheld", "reason": ""})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = t
        .api(
            "POST",
            resolve,
            Some(&moderator),
            Some(json!({"target_kind": "user", "target_id": sam_id, "outcome": "maybe", "reason": "Hm"})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = t
        .api(
            "POST",
            resolve,
            Some(&outsider),
            Some(json!({"target_kind": "user", "target_id": sam_id, "outcome": "dismissed", "reason": "Fine"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = t
        .api(
            "POST",
            resolve,
            Some(&moderator),
            Some(json!({"target_kind": "user", "target_id": sam_id, "outcome": "upheld", "reason": "Spam links in the bio; warned"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["flags_closed"], 1);

    // The reporter sees it handled, is told, and the audit log keeps it.
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/my-flags",
            Some(&rea),
            None,
        )
        .await;
    let user_flag = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target_kind"] == "user")
        .unwrap();
    assert_eq!(user_flag["status"], "actioned");
    assert_eq!(user_flag["resolution"], "Spam links in the bio; warned");
    assert!(t
        .inbox(&rea)
        .await
        .iter()
        .any(|n| n["kind"] == "flag_handled"
            && n["excerpt"]
                .as_str()
                .unwrap()
                .contains("the moderators acted on it")));
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(log["items"][0]["action"], "uphold_flags");
    assert_eq!(log["items"][0]["subject_name"], "Sam Spammer");
    let reas = t.browser();
    reas.log_in("rea@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = reas.get("/c/guild/my-moderation").await;
    assert!(
        page.text()
            .contains("Handled: acted on — Spam links in the bio; warned"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Received: waiting for a moderator"));

    // The profile page carries the flag form for other members, not for oneself.
    let page = reas.get(&format!("/c/guild/members/{sam_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Flag this profile"));
    assert!(
        !page.text().contains("trust level"),
        "members do not see trust levels"
    );
    let page = reas
        .post(
            &format!("/c/guild/members/{sam_id}/flag"),
            &[("reason", "harassment")],
        )
        .await;
    assert!(
        page.text().contains("your flag is with the moderators"),
        "{}",
        page.text()
    );
    let sams = t.browser();
    sams.log_in("sam@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = sams.get(&format!("/c/guild/members/{sam_id}")).await;
    assert!(!page.text().contains("Flag this profile"));
    let page = reas.get(&format!("/c/guild/events/{event_id}")).await;
    assert!(page.text().contains("Flag this event"));
}

#[tokio::test]
async fn the_demo_shows_accepted_guidelines_notes_and_a_flagged_profile() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let slug = "open-source-guild";
    let accepted = activities(&t, slug, "guidelines_accepted").await;
    assert!(accepted.len() > 100, "{}", accepted.len());

    let jonas = t.browser();
    jonas
        .log_in(
            "jonas@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let page = jonas.get(&format!("/c/{slug}/moderation")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Flagged profiles and events"));
    assert!(page.text().contains("crypto giveaway"), "{}", page.text());

    // The moderators' view of a noted member shows the notes and the accepted guidelines.
    let c = townsquare_app::store::communities::community_by_slug(t.app.db(), slug)
        .await
        .unwrap()
        .unwrap();
    let noted = activities(&t, slug, "member_note_added").await;
    assert_eq!(noted.len(), 3);
    let subject = &noted[0].object_id;
    let page = jonas
        .get(&format!("/c/{slug}/members/{subject}/moderation"))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Talked it through in a DM"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Accepted version"), "{}", page.text());
    assert!(!c.guidelines.is_empty());

    // Priya sees the flag she raised as received.
    let priya = t.browser();
    priya
        .log_in(
            "priya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let page = priya.get(&format!("/c/{slug}/my-moderation")).await;
    assert!(
        page.text().contains("Your flag on a member's profile"),
        "{}",
        page.text()
    );
}

async fn trust_of(t: &TestApp, moderator: &str, user_id: &str) -> Value {
    let (status, case) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{user_id}/moderation"),
            Some(moderator),
            None,
        )
        .await;
    assert_eq!(status, 200, "{case}");
    case
}

#[tokio::test]
async fn trust_levels_rise_with_activity_and_fall_with_upheld_flags() {
    const DAY: i64 = 86_400_000_000;
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let rea = member(&t, "rea@example.org", "Rea Reader").await;
    let rea_id = t.user_id(&rea).await;
    let sam = member(&t, "sam@example.org", "Sam Spammer").await;

    // A new member is at level 0, never computed.
    let case = trust_of(&t, &moderator, &rea_id).await;
    assert_eq!(case["trust_level"], 0);
    assert_eq!(case["trust_label"], "new");
    assert!(case["trust_computed_at"].is_null());

    // Day 1: Rea reads three topics of three replies each (12 posts read).
    let mut topics = Vec::new();
    for title in ["Editors", "Licences", "Releases"] {
        let topic_row = topic(&t, &owner, "help", title, "What do you think?", false).await;
        let id = topic_row["id"].as_str().unwrap().to_string();
        for n in 0..3 {
            reply(&t, &owner, &id, &format!("Thought number {n}"), None).await;
        }
        topics.push(id);
    }
    for id in &topics {
        let (status, _) = t
            .api("GET", &format!("/api/v1/topics/{id}"), Some(&rea), None)
            .await;
        assert_eq!(status, 200);
    }
    t.app.schedule_trust_levels().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    let case = trust_of(&t, &moderator, &rea_id).await;
    assert_eq!(
        case["trust_level"], 0,
        "one day of visits is not enough: {case}"
    );
    assert!(case["trust_computed_at"].is_string());

    // Day 2: she replies. Two days, three topics, twelve posts read: level 1 at the next run,
    // which the job queued for the next midnight (queuing today's run again does nothing).
    t.app.clock().advance(DAY);
    let rea_post = reply(&t, &rea, &topics[0], "I use Helix.", None).await;
    t.app.schedule_trust_levels().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    assert_eq!(trust_of(&t, &moderator, &rea_id).await["trust_level"], 1);

    // A flag upheld against her post lowers the level by one.
    let post_id = rea_post["id"].as_str().unwrap();
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{post_id}/flags"),
            Some(&sam),
            Some(json!({"reason": "off_topic"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{post_id}/moderation"),
            Some(&moderator),
            Some(json!({"action": "hide", "reason": "Rule 2: on topic please"})),
        )
        .await;
    assert_eq!(status, 200);
    t.app.clock().advance(DAY);
    t.app.run_due_jobs().await.unwrap();
    let case = trust_of(&t, &moderator, &rea_id).await;
    assert_eq!(case["trust_level"], 0, "{case}");

    // Moderators see levels in the queue and on the profile; members never do.
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&moderator),
            None,
        )
        .await;
    assert!(queue
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["author_trust_level"].is_i64()));
    let mods = t.browser();
    mods.log_in("mod@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mods.get(&format!("/c/guild/members/{rea_id}")).await;
    assert!(page.text().contains("trust level 0"), "{}", page.text());
    let page = mods
        .get(&format!("/c/guild/members/{rea_id}/moderation"))
        .await;
    assert!(
        page.text().contains("Trust level 0 (new), computed"),
        "{}",
        page.text()
    );
    let sams = t.browser();
    sams.log_in("sam@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = sams.get(&format!("/c/guild/members/{rea_id}")).await;
    assert!(!page.text().to_lowercase().contains("trust level"));
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{rea_id}/moderation"),
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_demo_spreads_trust_levels_from_zero_to_four() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let c = townsquare_app::store::communities::community_by_slug(t.app.db(), "open-source-guild")
        .await
        .unwrap()
        .unwrap();
    let members = townsquare_app::store::moderation::trust::active_members(t.app.db(), &c.id)
        .await
        .unwrap();
    let levels =
        townsquare_app::store::moderation::trust::trust_levels(t.app.db(), &c.id, &members)
            .await
            .unwrap();
    let mut spread = [0usize; 5];
    for (_, level, computed) in &levels {
        assert!(computed.is_some());
        spread[*level as usize] += 1;
    }
    assert!(spread.iter().all(|n| *n > 0), "levels 0..4: {spread:?}");
}

/// Sets a member's trust level directly (the job's result), for tests about what levels do.
async fn set_level(t: &TestApp, user_id: &str, level: i64) {
    let c = townsquare_app::store::communities::community_by_slug(t.app.db(), "guild")
        .await
        .unwrap()
        .unwrap();
    let mut tx = t.app.db().begin().await.unwrap();
    townsquare_app::store::moderation::trust::set_trust_level(&mut tx, &c.id, user_id, level, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn flags_from_trusted_members_hide_a_post_until_a_moderator_approves_it() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let moderator = member(&t, "mod@example.org", "Mo Derator").await;
    promote(&t, &owner, &moderator, "moderator").await;
    let author = member(&t, "ann@example.org", "Ann Author").await;
    let mut trusted = Vec::new();
    for (email, name) in [
        ("t1@example.org", "Tia One"),
        ("t2@example.org", "Teo Two"),
        ("t3@example.org", "Tom Three"),
    ] {
        let token = member(&t, email, name).await;
        set_level(&t, &t.user_id(&token).await, 2).await;
        trusted.push(token);
    }
    let newcomer = member(&t, "new@example.org", "Nel Newcomer").await;
    let thread = topic(&t, &owner, "help", "Hot takes", "Go.", false).await;
    let thread_id = thread["id"].as_str().unwrap();
    let post = reply(
        &t,
        &author,
        thread_id,
        "An unpopular opinion zanzibar",
        None,
    )
    .await;
    let post_id = post["id"].as_str().unwrap();
    let flag = |token: String| {
        let t = &t;
        async move {
            t.api(
                "POST",
                &format!("/api/v1/posts/{post_id}/flags"),
                Some(&token),
                Some(json!({"reason": "inappropriate"})),
            )
            .await
            .0
        }
    };
    let visible = || async {
        t.browser()
            .get(&format!("/c/guild/t/{thread_id}"))
            .await
            .text()
            .contains("unpopular opinion")
    };

    // Two trusted flags and a newcomer's are not enough (the default threshold is 3).
    assert_eq!(flag(trusted[0].clone()).await, 201);
    assert_eq!(flag(trusted[1].clone()).await, 201);
    assert_eq!(flag(newcomer.clone()).await, 201);
    assert!(visible().await);
    // The third trusted flag hides it, pending review.
    assert_eq!(flag(trusted[2].clone()).await, 201);
    assert!(!visible().await, "hidden from readers");
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&moderator),
            None,
        )
        .await;
    assert_eq!(queue[0]["post_id"], post_id);
    assert_eq!(queue[0]["hidden"], true);
    assert_eq!(queue[0]["hidden_automatically"], true);
    assert_eq!(queue[0]["flags"].as_array().unwrap().len(), 4);
    let (_, log) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/log",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(log["items"][0]["action"], "auto_hide", "{log}");
    assert_eq!(log["items"][0]["subject_name"], "Ann Author");
    let hidden = activities(&t, "guild", "post_auto_hidden").await;
    assert_eq!(hidden.len(), 1);
    assert!(hidden[0].actor_id.is_none(), "the system acted");
    assert!(t.inbox(&author).await.iter().any(|n| n["excerpt"]
        .as_str()
        .unwrap()
        .contains("Hidden automatically after 3 flags")));
    let mods = t.browser();
    mods.log_in("mod@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = mods.get("/c/guild/moderation").await;
    assert!(page.text().contains("Hidden automatically, pending review"));

    // Approving restores it and closes the flags.
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{post_id}/moderation"),
            Some(&moderator),
            Some(json!({"action": "approve", "reason": "Unpopular is not against the rules"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(visible().await, "shown again");
    let (_, queue) = t
        .api(
            "GET",
            "/api/v1/communities/guild/moderation/queue",
            Some(&moderator),
            None,
        )
        .await;
    assert!(queue.as_array().unwrap().is_empty());

    // Admins set the threshold; moderators and members cannot; nonsense is refused.
    let settings = "/api/v1/communities/guild/moderation/settings";
    let (status, _) = t
        .api(
            "PUT",
            settings,
            Some(&moderator),
            Some(json!({"auto_hide_flags": 1})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, problem) = t
        .api(
            "PUT",
            settings,
            Some(&owner),
            Some(json!({"auto_hide_flags": 99})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, body) = t
        .api(
            "PUT",
            settings,
            Some(&owner),
            Some(json!({"auto_hide_flags": 1})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = t.api("GET", settings, Some(&moderator), None).await;
    assert_eq!(body["auto_hide_flags"], 1);
    let second = reply(&t, &author, thread_id, "Another take zanzibar", None).await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{}/flags", second["id"].as_str().unwrap()),
            Some(&newcomer),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, 201);
    let page = t.browser().get(&format!("/c/guild/t/{thread_id}")).await;
    assert!(
        page.text().contains("Another take"),
        "a level-0 flag never hides"
    );
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{}/flags", second["id"].as_str().unwrap()),
            Some(&trusted[0]),
            Some(json!({"reason": "spam"})),
        )
        .await;
    assert_eq!(status, 201);
    let page = t.browser().get(&format!("/c/guild/t/{thread_id}")).await;
    assert!(!page.text().contains("Another take"));
}
