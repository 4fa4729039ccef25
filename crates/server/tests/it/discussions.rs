use serde_json::{json, Value};
use townsquare_app::clock::MICROS_PER_SECOND;
use townsquare_testkit::TestApp;

/// An owner with a public community "guild" holding a discussion space "help" (everyone)
/// and a members-only space "inner"; returns the owner's token.
pub(crate) async fn guild(t: &TestApp) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    assert_eq!(
        t.api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Guild", "slug": "guild"}))
        )
        .await
        .0,
        201
    );
    for (name, slug, visibility) in [
        ("Help", "help", "everyone"),
        ("Inner circle", "inner", "members"),
    ] {
        let body =
            json!({"name": name, "slug": slug, "kind": "discussion", "visibility": visibility});
        assert_eq!(
            t.api(
                "POST",
                "/api/v1/communities/guild/spaces",
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

pub(crate) async fn member(t: &TestApp, email: &str, name: &str) -> String {
    let token = t.api_user(email, name).await;
    assert_eq!(
        t.api("POST", "/api/v1/communities/guild/join", Some(&token), None)
            .await
            .1["outcome"],
        "joined"
    );
    token
}

pub(crate) async fn topic(
    t: &TestApp,
    token: &str,
    space: &str,
    title: &str,
    body: &str,
    question: bool,
) -> Value {
    let (status, topic) = t
        .api("POST", &format!("/api/v1/communities/guild/spaces/{space}/topics"), Some(token), Some(json!({"title": title, "body": body, "tags": ["rust", "Async"], "is_question": question})))
        .await;
    assert_eq!(status, 201, "{topic}");
    topic
}

pub(crate) async fn reply(
    t: &TestApp,
    token: &str,
    topic_id: &str,
    body: &str,
    reply_to: Option<&str>,
) -> Value {
    let (status, post) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{topic_id}/posts"),
            Some(token),
            Some(json!({"body": body, "reply_to_id": reply_to})),
        )
        .await;
    assert_eq!(status, 201, "{post}");
    post
}

#[tokio::test]
async fn a_question_gets_replies_reactions_and_an_accepted_answer() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let asker = member(&t, "ana@example.org", "Ana Asker").await;
    let helper = member(&t, "hal@example.org", "Hal Helper").await;

    let q = topic(
        &t,
        &asker,
        "help",
        "How do I pin a dependency?",
        "I need **exact** versions.",
        true,
    )
    .await;
    let id = q["id"].as_str().unwrap();
    assert_eq!(q["tags"], json!(["rust", "async"]));
    let first = reply(&t, &helper, id, "Use `=1.2.3` in Cargo.toml.", None).await;
    let second = reply(
        &t,
        &owner,
        id,
        "And commit the lock file.",
        Some(first["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(second["reply_to_id"], first["id"]);

    let post_id = first["id"].as_str().unwrap();
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/reactions/heart"),
            Some(&asker),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/reactions/heart"),
            Some(&asker),
            None
        )
        .await
        .0,
        204,
        "idempotent"
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/reactions/poop"),
            Some(&asker),
            None
        )
        .await
        .0,
        422
    );
    let (_, reactors) = t
        .api(
            "GET",
            &format!("/api/v1/posts/{post_id}/reactions"),
            None,
            None,
        )
        .await;
    assert_eq!(
        reactors,
        json!([{"reaction": "heart", "user_id": reactors[0]["user_id"], "display_name": "Ana Asker"}])
    );

    // Only the asker (or a moderator) accepts; a helper cannot accept their own answer.
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/topics/{id}/accepted"),
            Some(&helper),
            Some(json!({"post_id": post_id}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/topics/{id}/accepted"),
            Some(&asker),
            Some(json!({"post_id": post_id}))
        )
        .await
        .0,
        204
    );

    let (_, page) = t
        .api("GET", &format!("/api/v1/topics/{id}"), None, None)
        .await;
    assert_eq!(page["topic"]["accepted_post_id"], first["id"]);
    assert_eq!(page["topic"]["reply_count"], 2);
    assert_eq!(page["posts"].as_array().unwrap().len(), 3);
    assert!(page["posts"][0]["body_html"]
        .as_str()
        .unwrap()
        .contains("<strong>exact</strong>"));
    assert_eq!(
        page["reactions"],
        json!([{"post_id": post_id, "reaction": "heart", "count": 1, "mine": false}])
    );

    // The helper hears about the reply to their post, the reaction and the acceptance.
    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&helper), None)
        .await;
    let kinds: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["answer_accepted", "reaction", "reply"]);
    assert_eq!(inbox["unread"], 3);
    assert_eq!(
        t.api("POST", "/api/v1/notifications/read", Some(&helper), None)
            .await
            .1["marked"],
        3
    );
    assert_eq!(
        t.api("GET", "/api/v1/notifications", Some(&helper), None)
            .await
            .1["unread"],
        0
    );
    // The asker hears about both replies to their topic, never about their own actions.
    let (_, asker_inbox) = t
        .api("GET", "/api/v1/notifications", Some(&asker), None)
        .await;
    assert_eq!(asker_inbox["unread"], 2);

    // The home page shows the question as answered, in the latest conversations.
    let home = t.browser().get("/c/guild").await;
    assert!(
        home.text().contains("Answered How do I pin a dependency?"),
        "{}",
        home.text()
    );
}

#[tokio::test]
async fn only_authors_edit_edits_keep_history_moderators_delete() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let author = member(&t, "al@example.org", "Al Author").await;
    let other = member(&t, "bo@example.org", "Bo Other").await;
    let tp = topic(
        &t,
        &author,
        "help",
        "Typo inside",
        "Teh first version",
        false,
    )
    .await;
    let (_, page) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{}", tp["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    let post_id = page["posts"][0]["id"].as_str().unwrap().to_string();

    assert_eq!(
        t.api(
            "PATCH",
            &format!("/api/v1/posts/{post_id}"),
            Some(&other),
            Some(json!({"body": "hijacked"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "PATCH",
            &format!("/api/v1/posts/{post_id}"),
            Some(&owner),
            Some(json!({"body": "moderated"}))
        )
        .await
        .0,
        403,
        "moderators edit with a reason (moderation issue), not here"
    );
    let (status, edited) = t
        .api(
            "PATCH",
            &format!("/api/v1/posts/{post_id}"),
            Some(&author),
            Some(json!({"body": "The first version"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(edited["edited_at"].is_string());
    let (_, revisions) = t
        .api(
            "GET",
            &format!("/api/v1/posts/{post_id}/revisions"),
            None,
            None,
        )
        .await;
    assert_eq!(revisions[0]["body_markdown"], "Teh first version");

    // Search follows the edit: the new words are found, the old ones are not.
    let (_, hits) = t
        .api(
            "GET",
            "/api/v1/communities/guild/search?q=first+version",
            None,
            None,
        )
        .await;
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(
        t.api("GET", "/api/v1/communities/guild/search?q=teh", None, None)
            .await
            .1,
        json!([])
    );

    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/posts/{post_id}"),
            Some(&other),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/posts/{post_id}"),
            Some(&owner),
            None
        )
        .await
        .0,
        204,
        "the owner moderates"
    );
    assert_eq!(
        t.api(
            "GET",
            &format!("/api/v1/topics/{}", tp["id"].as_str().unwrap()),
            None,
            None
        )
        .await
        .0,
        404,
        "deleting the first post deletes the topic"
    );
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/search?q=version",
            None,
            None
        )
        .await
        .1,
        json!([])
    );
}

#[tokio::test]
async fn locked_topics_take_replies_only_from_moderators_and_pinned_come_first() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let m = member(&t, "mi@example.org", "Mi").await;
    let older = topic(&t, &m, "help", "Older topic", "first", false).await;
    let newer = topic(&t, &m, "help", "Newer topic", "second", false).await;
    let older_id = older["id"].as_str().unwrap();

    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/topics/{older_id}/moderation"),
            Some(&m),
            Some(json!({"action": "lock"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/topics/{older_id}/moderation"),
            Some(&owner),
            Some(json!({"action": "lock"}))
        )
        .await
        .0,
        204
    );
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/topics/{older_id}/moderation"),
            Some(&owner),
            Some(json!({"action": "pin"}))
        )
        .await
        .0,
        204
    );
    let (status, refused) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{older_id}/posts"),
            Some(&m),
            Some(json!({"body": "still here?"})),
        )
        .await;
    assert_eq!(status, 403);
    assert!(refused["detail"].as_str().unwrap().contains("locked"));
    reply(
        &t,
        &owner,
        older_id,
        "Closing this, see the newer topic.",
        None,
    )
    .await;

    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/spaces/help/topics",
            None,
            None,
        )
        .await;
    let titles: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Older topic", "Newer topic"], "pinned first");
    assert_eq!(list["items"][1]["id"], newer["id"]);
}

#[tokio::test]
async fn members_only_spaces_stay_out_of_lists_search_and_topics_for_others() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let m = member(&t, "in@example.org", "Insider").await;
    let outsider = t.api_user("out@example.org", "Outsider").await;
    topic(
        &t,
        &m,
        "inner",
        "Secret roadmap",
        "The zeppelin launches in March.",
        false,
    )
    .await;
    topic(
        &t,
        &m,
        "help",
        "Public question",
        "Where is the zeppelin museum?",
        false,
    )
    .await;

    let (_, for_member) = t
        .api(
            "GET",
            "/api/v1/communities/guild/search?q=zeppelin",
            Some(&m),
            None,
        )
        .await;
    assert_eq!(for_member.as_array().unwrap().len(), 2);
    for who in [None, Some(outsider.as_str())] {
        let (_, hits) = t
            .api(
                "GET",
                "/api/v1/communities/guild/search?q=zeppelin",
                who,
                None,
            )
            .await;
        let titles: Vec<&str> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Public question"], "{who:?}");
        assert_eq!(
            t.api(
                "GET",
                "/api/v1/communities/guild/spaces/inner/topics",
                who,
                None
            )
            .await
            .0,
            404
        );
    }
    let home = t.browser().get("/c/guild").await;
    assert!(home.text().contains("Public question"));
    assert!(
        !home.text().contains("Secret roadmap"),
        "the home page's latest list respects space visibility"
    );
    let search_page = t.browser().get("/c/guild/search?q=zeppelin").await;
    assert!(
        search_page.html.contains("<mark>zeppelin</mark>"),
        "{}",
        search_page.html
    );
    assert!(!search_page.text().contains("March"));
    let _ = owner;
}

#[tokio::test]
async fn stored_markup_never_carries_script() {
    let t = TestApp::spawn().await;
    guild(&t).await;
    let m = member(&t, "x@example.org", "<img src=x onerror=alert(1)>").await;
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    ];
    let tp = topic(
        &t,
        &m,
        "help",
        "<script>alert('title')</script>",
        payloads.join("\n\n").as_str(),
        false,
    )
    .await;
    let id = tp["id"].as_str().unwrap();
    for p in payloads {
        // Members may post six times a minute (automatic protection).
        t.app.clock().advance(11 * MICROS_PER_SECOND);
        reply(&t, &m, id, p, None).await;
    }
    let (_, page) = t
        .api("GET", &format!("/api/v1/topics/{id}"), None, None)
        .await;
    for post in page["posts"].as_array().unwrap() {
        let html = post["body_html"].as_str().unwrap().to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript",
            "<iframe",
            "<style",
            "srcdoc",
        ] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
    let shown = t.browser().get(&format!("/c/guild/t/{id}")).await;
    let lower = shown.html.to_lowercase();
    assert!(
        !lower.contains("<script>alert"),
        "titles and names are escaped"
    );
    assert!(!lower.contains("<img src=x onerror"));
    assert!(
        shown
            .html
            .contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;")
            || shown.html.contains("&#60;script&#62;"),
        "the title shows as text"
    );
}

#[tokio::test]
async fn a_member_starts_a_topic_replies_with_a_quote_and_reacts_in_the_pages() {
    let t = TestApp::spawn().await;
    guild(&t).await;
    let b = t.signed_up("pia@example.org", "Pia Pages").await;
    b.get("/c/guild").await;
    b.post("/c/guild/join", &[("note", "")]).await;
    b.get("/c/guild/s/help/new-topic").await;
    let empty = b
        .post(
            "/c/guild/s/help/topics",
            &[("title", ""), ("body", ""), ("tags", "")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.text().contains("Enter a title"));
    let created = b
        .post(
            "/c/guild/s/help/topics",
            &[
                ("title", "Docs hosting?"),
                ("body", "Where do you host docs?"),
                ("tags", "docs"),
                ("is_question", "on"),
            ],
        )
        .await;
    assert!(created.path().starts_with("/c/guild/t/"), "{}", created.url);
    assert!(created.text().contains("Your topic is posted"));
    let topic_path = created.path();
    let first_post = regex_id(&created.html);

    b.get(&format!("{topic_path}?reply_to={first_post}")).await;
    let replied = b
        .post(
            &format!("{topic_path}/replies"),
            &[
                ("body", "Answering myself: GitHub Pages."),
                ("reply_to", &first_post),
            ],
        )
        .await;
    assert!(
        replied.text().contains("In reply to Pia Pages"),
        "{}",
        replied.text()
    );

    let reacted = b
        .post(
            &format!("/c/guild/posts/{first_post}/react"),
            &[("reaction", "like")],
        )
        .await;
    assert!(reacted.html.contains(r#"aria-pressed="true""#));
    let toggled = b
        .post(
            &format!("/c/guild/posts/{first_post}/react"),
            &[("reaction", "like")],
        )
        .await;
    assert!(
        !toggled.html.contains(r#"aria-pressed="true""#),
        "a second click takes the reaction back"
    );
}

fn regex_id(html: &str) -> String {
    let re = regex::Regex::new(r#"id="post-([0-9a-f-]{36})""#).unwrap();
    re.captures(html).expect("a post id")[1].to_string()
}

#[tokio::test]
async fn long_topics_are_paginated() {
    let t = TestApp::spawn().await;
    guild(&t).await;
    let m = member(&t, "pa@example.org", "Pa").await;
    let tp = topic(&t, &m, "help", "Long thread", "start", false).await;
    let id = tp["id"].as_str().unwrap();
    for i in 0..60 {
        // Members may post six times a minute (automatic protection).
        t.app.clock().advance(11 * MICROS_PER_SECOND);
        reply(&t, &m, id, &format!("reply number {i}"), None).await;
    }
    let (_, first) = t
        .api("GET", &format!("/api/v1/topics/{id}"), None, None)
        .await;
    assert_eq!(first["posts"].as_array().unwrap().len(), 50);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{id}?cursor={cursor}"),
            None,
            None,
        )
        .await;
    let bodies: Vec<&str> = second["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["body_markdown"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 11);
    assert_eq!(bodies.last(), Some(&"reply number 59"));
    assert!(second["next_cursor"].is_null());
}

#[tokio::test]
async fn mentions_notify_members_who_can_read_the_post() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let outsider = t.api_user("eve@example.org", "Eve Outside").await;
    let (_, me) = t.api("GET", "/api/v1/me", Some(&ada), None).await;
    assert_eq!(
        me["handle"], "ada_lovelace",
        "handles are made from display names"
    );
    let (_, eve) = t.api("GET", "/api/v1/me", Some(&outsider), None).await;
    let eve_handle = eve["handle"].as_str().unwrap().to_string();

    // Suggestions while typing @ad…
    let (_, suggestions) = t
        .api(
            "GET",
            "/api/v1/communities/guild/members?q=ad",
            Some(&owner),
            None,
        )
        .await;
    let handles: Vec<&str> = suggestions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["handle"].as_str().unwrap())
        .collect();
    assert_eq!(handles, ["ada_lovelace"]);
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/members?q=ad",
            Some(&outsider),
            None
        )
        .await
        .0,
        403
    );

    let body = format!(
        "Thanks @ada_lovelace! Also @{eve_handle} and @nobody_here, but not `@ada_lovelace`."
    );
    let tp = topic(&t, &owner, "inner", "Members-only planning", &body, false).await;
    let (_, page) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{}", tp["id"].as_str().unwrap()),
            Some(&owner),
            None,
        )
        .await;
    let html = page["posts"][0]["body_html"].as_str().unwrap();
    assert!(
        html.contains(r#"<span class="mention">@ada_lovelace</span>"#),
        "{html}"
    );
    assert!(html.contains("@nobody_here") && !html.contains(r#"mention">@nobody_here"#));

    let (_, inbox) = t
        .api("GET", "/api/v1/notifications", Some(&ada), None)
        .await;
    assert_eq!(inbox["items"][0]["kind"], "mention");
    let mail = t.app.mail_to("ada@example.org").await.unwrap();
    assert!(
        mail.iter()
            .any(|m| m.subject == "Olga Owner mentioned you in Members-only planning"),
        "{mail:?}"
    );
    let (_, eve_inbox) = t
        .api("GET", "/api/v1/notifications", Some(&outsider), None)
        .await;
    assert_eq!(
        eve_inbox["items"],
        json!([]),
        "a mention does not reveal a members-only post to an outsider"
    );
    assert!(t.app.mail_to("eve@example.org").await.unwrap().is_empty());

    // Editing in a new mention notifies only the newly mentioned member.
    let bo = member(&t, "bo@example.org", "Bo").await;
    let post_id = page["posts"][0]["id"].as_str().unwrap();
    t.api(
        "PATCH",
        &format!("/api/v1/posts/{post_id}"),
        Some(&owner),
        Some(json!({"body": format!("{body} And @bo.")})),
    )
    .await;
    let (_, bo_inbox) = t.api("GET", "/api/v1/notifications", Some(&bo), None).await;
    assert_eq!(bo_inbox["items"][0]["kind"], "mention");
    let (_, ada_inbox) = t
        .api("GET", "/api/v1/notifications", Some(&ada), None)
        .await;
    assert_eq!(
        ada_inbox["items"].as_array().unwrap().len(),
        1,
        "no second mention for Ada"
    );

    // Handles are unique.
    let (status, problem) = t
        .api(
            "PATCH",
            "/api/v1/me",
            Some(&bo),
            Some(json!({"handle": "ada_lovelace"})),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(problem["errors"][0]["field"], "handle");
}

#[tokio::test]
async fn unread_replies_following_muting_and_bookmarks() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let author = member(&t, "au@example.org", "Au Thor").await;
    let follower = member(&t, "fo@example.org", "Fo Llower").await;
    let tp = topic(
        &t,
        &author,
        "help",
        "Shared calendar?",
        "Which calendar do you use?",
        false,
    )
    .await;
    let id = tp["id"].as_str().unwrap().to_string();

    // The reader's space list marks the topic new, then counts replies since their visit.
    let reader = t.signed_up("re@example.org", "Re Ader").await;
    reader.get("/c/guild").await;
    reader.post("/c/guild/join", &[("note", "")]).await;
    assert!(reader
        .get("/c/guild/s/help")
        .await
        .text()
        .contains("Shared calendar? New"));
    reader.get(&format!("/c/guild/t/{id}")).await;
    assert!(!reader
        .get("/c/guild/s/help")
        .await
        .text()
        .contains("Shared calendar? New"));
    reply(&t, &owner, &id, "We use a shared CalDAV calendar.", None).await;
    reply(&t, &owner, &id, "And an .ics feed for events.", None).await;
    assert!(
        reader
            .get("/c/guild/s/help")
            .await
            .text()
            .contains("Shared calendar? 2 new"),
        "unread replies are counted"
    );
    reader.get(&format!("/c/guild/t/{id}")).await;
    assert!(!reader.get("/c/guild/s/help").await.text().contains("2 new"));

    // Following brings every reply; muting silences even replies to one's own topic.
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/topics/{id}/subscription"),
            Some(&follower),
            Some(json!({"level": "following"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/topics/{id}/subscription"),
            Some(&author),
            Some(json!({"level": "muted"}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/topics/{id}/subscription"),
            Some(&author),
            Some(json!({"level": "loud"}))
        )
        .await
        .0,
        422
    );
    let unread = |t: &TestApp, token: String| {
        let t = t.url("/api/v1/notifications");
        async move {
            let res = reqwest::Client::new()
                .get(t)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["unread"]
                .as_i64()
                .unwrap()
        }
    };
    let author_before = unread(&t, author.clone()).await;
    reply(&t, &owner, &id, "Third reply.", None).await;
    assert_eq!(
        unread(&t, follower.clone()).await,
        1,
        "the follower hears about every reply"
    );
    assert_eq!(
        unread(&t, author.clone()).await,
        author_before,
        "the author muted the topic"
    );

    // Bookmarks: kept, listed, and gone when access is.
    let (_, page) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{id}"),
            Some(&follower),
            None,
        )
        .await;
    let post_id = page["posts"][1]["id"].as_str().unwrap();
    assert_eq!(
        t.api(
            "PUT",
            &format!("/api/v1/posts/{post_id}/bookmark"),
            Some(&follower),
            None
        )
        .await
        .0,
        204
    );
    let (_, marks) = t
        .api("GET", "/api/v1/me/bookmarks", Some(&follower), None)
        .await;
    assert_eq!(marks[0]["topic_title"], "Shared calendar?");
    t.api(
        "PATCH",
        "/api/v1/communities/guild/spaces/help",
        Some(&owner),
        Some(json!({"visibility": "admins"})),
    )
    .await;
    let (_, marks) = t
        .api("GET", "/api/v1/me/bookmarks", Some(&follower), None)
        .await;
    assert_eq!(
        marks,
        json!([]),
        "a bookmark never shows what its owner can no longer read"
    );
}

#[tokio::test]
async fn moderators_move_and_merge_topics() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let m = member(&t, "mo@example.org", "Mo").await;
    let a = topic(
        &t,
        &m,
        "help",
        "Printer on floor 2?",
        "Where is the printer?",
        false,
    )
    .await;
    let b = topic(
        &t,
        &m,
        "help",
        "Office equipment",
        "Questions about the office.",
        false,
    )
    .await;
    let (a_id, b_id) = (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
    );
    reply(&t, &owner, &a_id, "Next to the kitchen.", None).await;
    reply(&t, &owner, &b_id, "Ask here.", None).await;

    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/topics/{a_id}/move"),
            Some(&m),
            Some(json!({"space": "inner"}))
        )
        .await
        .0,
        403
    );
    let (status, moved) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{a_id}/move"),
            Some(&owner),
            Some(json!({"space": "inner"})),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        t.api("GET", &format!("/api/v1/topics/{a_id}"), None, None)
            .await
            .0,
        404,
        "now members-only"
    );
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/search?q=kitchen",
            None,
            None
        )
        .await
        .1,
        json!([]),
        "search follows the move"
    );
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/search?q=kitchen",
            Some(&m),
            None
        )
        .await
        .1
        .as_array()
        .unwrap()
        .len(),
        1
    );

    let (status, merged) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{a_id}/merge"),
            Some(&owner),
            Some(json!({"into": format!("/c/guild/t/{b_id}")})),
        )
        .await;
    assert_eq!(status, 200, "{merged}");
    assert_eq!(merged["reply_count"], 3, "B's reply plus A's two posts");
    assert_eq!(
        t.api("GET", &format!("/api/v1/topics/{a_id}"), Some(&m), None)
            .await
            .0,
        404
    );
    let (_, page) = t
        .api("GET", &format!("/api/v1/topics/{b_id}"), Some(&m), None)
        .await;
    let bodies: Vec<&str> = page["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["body_markdown"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Questions about the office.",
            "Where is the printer?",
            "Next to the kitchen.",
            "Ask here."
        ],
        "the opening post stays first, the rest in time order"
    );
    let (_, hits) = t
        .api(
            "GET",
            "/api/v1/communities/guild/search?q=kitchen",
            None,
            None,
        )
        .await;
    assert_eq!(
        hits[0]["title"], "Office equipment",
        "merged posts are found under their new topic"
    );
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/topics/{b_id}/merge"),
            Some(&owner),
            Some(json!({"into": b_id})),
        )
        .await;
    assert_eq!(status, 422, "a topic cannot be merged into itself");
}

/// The community's latest-topics list entry for one topic.
async fn listed(t: &TestApp, token: &str, topic_id: &str) -> Value {
    let (status, list) = t
        .api("GET", "/api/v1/communities/guild/topics", Some(token), None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == topic_id)
        .cloned()
        .unwrap_or_else(|| panic!("topic {topic_id} not listed: {list}"))
}

#[tokio::test]
async fn removing_a_reply_names_the_latest_remaining_poster_in_the_topic_list() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ana = member(&t, "ana@example.org", "Ana Early").await;
    let bob = member(&t, "bob@example.org", "Bob Later").await;
    let (owner_id, ana_id, bob_id) = (
        t.user_id(&owner).await,
        t.user_id(&ana).await,
        t.user_id(&bob).await,
    );
    let started = topic(&t, &owner, "help", "Who was here last?", "Tell us.", false).await;
    let id = started["id"].as_str().unwrap();
    t.app.clock().advance(60 * MICROS_PER_SECOND);
    let from_ana = reply(&t, &ana, id, "Ana was here.", None).await;
    t.app.clock().advance(60 * MICROS_PER_SECOND);
    let from_bob = reply(&t, &bob, id, "Bob was here.", None).await;

    let entry = listed(&t, &owner, id).await;
    assert_eq!(entry["last_poster_id"], bob_id.as_str());
    assert_eq!(entry["last_post_at"], from_bob["created_at"]);
    assert_eq!(entry["reply_count"], 2);

    // Bob deletes his reply: Ana, at her time, is the latest again.
    let bob_post = from_bob["id"].as_str().unwrap();
    let (status, body) = t
        .api(
            "DELETE",
            &format!("/api/v1/posts/{bob_post}"),
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let entry = listed(&t, &owner, id).await;
    assert_eq!(entry["last_poster_id"], ana_id.as_str(), "{entry}");
    assert_eq!(entry["last_post_at"], from_ana["created_at"]);
    assert_eq!(entry["reply_count"], 1);
    let page = t.browser().get("/c/guild/s/help").await.text();
    assert!(
        page.contains("last by Ana Early") && !page.contains("Bob Later"),
        "{page}"
    );

    // A moderator removes Ana's reply: back to the topic's starter and start.
    let ana_post = from_ana["id"].as_str().unwrap();
    let (status, body) = t
        .api(
            "POST",
            &format!("/api/v1/posts/{ana_post}/moderation"),
            Some(&owner),
            Some(json!({"action": "delete", "reason": "Off topic"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let entry = listed(&t, &owner, id).await;
    assert_eq!(entry["last_poster_id"], owner_id.as_str(), "{entry}");
    assert_eq!(entry["last_post_at"], started["created_at"]);
    assert_eq!(entry["reply_count"], 0);
    let page = t.browser().get("/c/guild/s/help").await.text();
    assert!(!page.contains("last by"), "{page}");
    t.stop().await;
}
