//! A member deletes their account: password re-entered; afterwards they cannot sign in, their
//! address can sign up again, the directory no longer lists them, their posts are kept as by
//! "Deleted member" or removed as each community decided, and past months' analytics counts do
//! not change. The only owner of a community must hand it over first.

use crate::analytics::{analytics, HOUR};
use crate::discussions::{guild, member, topic};
use crate::pictures::{field_error, jpeg_with_exif, put_picture};
use serde_json::{json, Value};
use townsquare_testkit::{TestApp, PASSWORD};

async fn ok(t: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (status, v) = t.api(method, path, Some(token), body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {v}"
    );
    v
}

#[tokio::test]
async fn a_deleted_account_is_anonymous_its_posts_follow_each_communitys_rule() {
    let t = TestApp::spawn().await;
    let olga = guild(&t).await;
    // A second community that removes a deleted account's posts.
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Club", "slug": "club"})),
    )
    .await;
    ok(
        &t,
        "POST",
        "/api/v1/communities/club/spaces",
        &olga,
        Some(
            json!({"name": "Talk", "slug": "talk", "kind": "discussion", "visibility": "everyone"}),
        ),
    )
    .await;
    let policy = ok(
        &t,
        "GET",
        "/api/v1/communities/club/departed-posts",
        &olga,
        None,
    )
    .await;
    assert_eq!(policy["departed_posts"], "keep", "keeping is the default");
    let (status, body) = t
        .api(
            "PUT",
            "/api/v1/communities/club/departed-posts",
            Some(&olga),
            Some(json!({"departed_posts": "shred"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    ok(
        &t,
        "PUT",
        "/api/v1/communities/club/departed-posts",
        &olga,
        Some(json!({"departed_posts": "remove"})),
    )
    .await;

    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let _bob = member(&t, "bob@example.org", "Bob Babbage").await;
    ok(&t, "POST", "/api/v1/communities/club/join", &ada, None).await;
    let (status, _) = put_picture(
        &t,
        &ada,
        "/api/v1/me/avatar",
        "me.jpg",
        "image/jpeg",
        jpeg_with_exif(64, 64),
    )
    .await;
    assert_eq!(status, 200);
    let kept = topic(&t, &ada, "help", "Kept question", "Will this stay?", false).await;
    let kept_id = kept["id"].as_str().unwrap().to_string();
    let club_topic = ok(
        &t,
        "POST",
        "/api/v1/communities/club/spaces/talk/topics",
        &ada,
        Some(json!({"title": "Club chatter", "body": "Goes with me"})),
    )
    .await;
    let club_topic_id = club_topic["id"].as_str().unwrap().to_string();

    // More than a month later, the past months' figures are what they are.
    t.app.clock().advance(40 * 24 * HOUR);
    let before = analytics(&t, &olga, "guild", "period=month").await;
    let past_before: Vec<Value> = before["months"].as_array().unwrap()[..11].to_vec();
    assert!(
        past_before
            .iter()
            .any(|m| m["new_members"].as_f64() == Some(3.0)
                && m["members_at_end"].as_f64() == Some(3.0)),
        "{past_before:?}"
    );

    // The wrong password changes nothing.
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/me/delete",
            Some(&ada),
            Some(json!({"password": "not my password"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(field_error(&body, "password").contains("not correct"));
    assert_eq!(t.api("GET", "/api/v1/me", Some(&ada), None).await.0, 200);

    let (status, body) = t
        .api(
            "POST",
            "/api/v1/me/delete",
            Some(&ada),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    // Signed out everywhere, and signing in fails.
    assert_eq!(t.api("GET", "/api/v1/me", Some(&ada), None).await.0, 401);
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"email": "ada@example.org", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 422, "the old password opens nothing");

    // The directory no longer lists her; the member count went down.
    let directory = ok(
        &t,
        "GET",
        "/api/v1/communities/guild/directory",
        &olga,
        None,
    )
    .await;
    assert!(!directory.to_string().contains("Ada"), "{directory}");
    assert!(!directory.to_string().contains(&ada_id), "{directory}");
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{ada_id}/profile"),
            Some(&olga),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Guild keeps her post, by "Deleted member"; Club removed hers.
    let shown = ok(&t, "GET", &format!("/api/v1/topics/{kept_id}"), &olga, None).await;
    assert_eq!(
        shown["posts"][0]["author_name"], "Deleted member",
        "{shown}"
    );
    assert_eq!(shown["posts"][0]["body_markdown"], "Will this stay?");
    assert!(!shown.to_string().contains("Lovelace"));
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/topics/{club_topic_id}"),
            Some(&olga),
            None,
        )
        .await;
    assert_eq!(status, 404, "the removed topic is gone");
    let bob_browser = t.browser();
    bob_browser.log_in("bob@example.org", PASSWORD).await;
    let page = bob_browser.get(&format!("/c/guild/t/{kept_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Deleted member"), "{}", page.text());
    assert!(!page.text().contains("Ada Lovelace"));
    assert!(
        !page.html.contains(&format!("/members/{ada_id}")),
        "no profile link"
    );

    // The past month's counts are unchanged.
    let after = analytics(&t, &olga, "guild", "period=month").await;
    let past_after: Vec<Value> = after["months"].as_array().unwrap()[..11].to_vec();
    assert_eq!(past_after, past_before, "past months do not change");

    // The address can sign up again, as a new account.
    let again = t.api_user("ada@example.org", "Ada Again").await;
    assert_ne!(t.user_id(&again).await, ada_id);
    t.stop().await;
}

#[tokio::test]
async fn the_only_owner_hands_over_first_and_the_settings_page_deletes_an_account() {
    let t = TestApp::spawn().await;
    let olga = guild(&t).await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/me/delete",
            Some(&olga),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        field_error(&body, "account").contains("only owner of Guild"),
        "{body}"
    );
    assert_eq!(t.api("GET", "/api/v1/me", Some(&olga), None).await.0, 200);

    let ada = t.signed_up("ada@example.org", "Ada Lovelace").await;
    assert_eq!(ada.post("/c/guild/join", &[]).await.status, 200);
    let page = ada.get("/settings/account").await;
    assert!(page.text().contains("Delete your account"));
    let page = ada
        .post(
            "/settings/account/delete",
            &[("password", "wrong password")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("Your password is not correct."));
    let page = ada
        .post("/settings/account/delete", &[("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), "/");
    assert!(
        page.text().contains("Your account is deleted."),
        "{}",
        page.text()
    );
    assert_eq!(ada.get("/settings/account").await.path(), "/login");
    let page = t.browser().log_in("ada@example.org", PASSWORD).await;
    assert!(page.text().contains("do not match"), "{}", page.text());
    t.stop().await;
}

/// How many rows of the test's database hold `needle` in the given text columns.
async fn rows_with(t: &TestApp, table: &str, columns: &[&str], needle: &str) -> i64 {
    let wheres: Vec<String> = columns.iter().map(|c| format!("{c} LIKE $1")).collect();
    t.db_count(
        &format!("SELECT COUNT(*) FROM {table} WHERE {}", wheres.join(" OR ")),
        &format!("%{needle}%"),
    )
    .await
}

#[tokio::test]
async fn removed_posts_lose_their_text_topics_their_last_poster_and_events_their_links() {
    let t = TestApp::spawn().await;
    let olga = crate::events::events_guild(&t).await;
    ok(
        &t,
        "PUT",
        "/api/v1/communities/guild/departed-posts",
        &olga,
        Some(json!({"departed_posts": "remove"})),
    )
    .await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    ok(
        &t,
        "PATCH",
        "/api/v1/me",
        &ada,
        Some(json!({"handle": "ada"})),
    )
    .await;
    let bob = member(&t, "bob@example.org", "Bob Babbage").await;

    // Olga asks; Bob answers; Ada has the last word, then edits it (a revision keeps the
    // first version). Olga is told about the replies, with an excerpt.
    let asked = topic(&t, &olga, "help", "Olga asks", "Which editor?", false).await;
    let asked_id = asked["id"].as_str().unwrap().to_string();
    t.app.clock().advance(HOUR);
    let bobs = crate::discussions::reply(&t, &bob, &asked_id, "Bob says vim", None).await;
    t.app.clock().advance(HOUR);
    let adas =
        crate::discussions::reply(&t, &ada, &asked_id, "Ada says zephyrfirst draft", None).await;
    let adas_id = adas["id"].as_str().unwrap().to_string();
    ok(
        &t,
        "PATCH",
        &format!("/api/v1/posts/{adas_id}"),
        &ada,
        Some(json!({"body": "Ada says zephyrsecond thoughts"})),
    )
    .await;
    // Ada starts a topic that Bob replies in: his search document carries her title.
    let started = topic(
        &t,
        &ada,
        "help",
        "Ada wonders zephyrtitle",
        "Ada asks zephyrbody",
        false,
    )
    .await;
    let started_id = started["id"].as_str().unwrap().to_string();
    let bob_in_hers =
        crate::discussions::reply(&t, &bob, &started_id, "Bob answers her", None).await;
    let bob_in_hers_id = bob_in_hers["id"].as_str().unwrap().to_string();
    assert!(rows_with(&t, "post_revisions", &["body_markdown"], "zephyr").await > 0);
    assert!(rows_with(&t, "notifications", &["excerpt"], "zephyr").await > 0);
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM post_search WHERE post_id = $1",
            &bob_in_hers_id
        )
        .await,
        1
    );
    let listed = ok(
        &t,
        "GET",
        &format!("/api/v1/topics/{asked_id}"),
        &olga,
        None,
    )
    .await;
    assert_eq!(
        listed["topic"]["last_post_at"], adas["created_at"],
        "{listed}"
    );

    // Ada hosts: she creates an event as an admin, co-hosts Olga's and speaks at it.
    ok(
        &t,
        "PUT",
        &format!("/api/v1/communities/guild/members/{ada_id}/role"),
        &olga,
        Some(json!({"role": "admin"})),
    )
    .await;
    let hers = crate::events::create(&t, &ada, crate::events::event_body(None)).await;
    let hers_id = hers["id"].as_str().unwrap().to_string();
    let olgas = crate::events::create(&t, &olga, crate::events::event_body(None)).await;
    let olgas_id = olgas["id"].as_str().unwrap().to_string();
    ok(
        &t,
        "PUT",
        &format!("/api/v1/events/{olgas_id}/hosts/{ada_id}"),
        &olga,
        None,
    )
    .await;
    ok(
        &t,
        "POST",
        &format!("/api/v1/events/{olgas_id}/speakers"),
        &olga,
        Some(json!({"name": "Ada Lovelace", "handle": "@ada", "bio": "Writes zephyrnotes."})),
    )
    .await;
    let visitor = t.browser();
    let page = visitor.get(&format!("/c/guild/events/{olgas_id}")).await;
    assert!(
        page.html.contains(&format!("/c/guild/members/{ada_id}\"")),
        "linked before: {}",
        page.html
    );

    let (status, body) = t
        .api(
            "POST",
            "/api/v1/me/delete",
            Some(&ada),
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    // Her text is gone from the database, not only hidden: post bodies, earlier versions,
    // excerpts in others' notifications, her topic's title, and the search documents that
    // carried it (Bob's reply in her removed topic included).
    assert_eq!(
        rows_with(&t, "posts", &["body_markdown", "body_html"], "zephyr").await,
        0
    );
    assert_eq!(
        rows_with(&t, "post_revisions", &["body_markdown"], "zephyr").await,
        0
    );
    assert_eq!(
        rows_with(&t, "notifications", &["excerpt"], "zephyr").await,
        0
    );
    assert_eq!(rows_with(&t, "topics", &["title"], "zephyr").await, 0);
    assert_eq!(
        rows_with(&t, "event_speakers", &["name", "bio"], "Lovelace").await
            + rows_with(&t, "event_speakers", &["bio"], "zephyr").await,
        0
    );
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM post_search WHERE post_id = $1",
            &bob_in_hers_id
        )
        .await,
        0
    );
    let found = ok(
        &t,
        "GET",
        "/api/v1/communities/guild/search?q=zephyrtitle",
        &olga,
        None,
    )
    .await;
    assert_eq!(found, json!([]));
    // Bob's reply is still where it was, and still his.
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM posts WHERE id = $1 AND body_markdown = 'Bob answers her'",
            &bob_in_hers_id
        )
        .await,
        1
    );

    // Olga's topic: Bob is the last poster again, at the time of his reply.
    let listed = ok(
        &t,
        "GET",
        &format!("/api/v1/topics/{asked_id}"),
        &olga,
        None,
    )
    .await;
    assert_eq!(
        listed["topic"]["last_post_at"], bobs["created_at"],
        "{listed}"
    );
    assert_eq!(listed["topic"]["reply_count"], 1, "{listed}");
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM topics WHERE last_poster_id = $1",
            &ada_id
        )
        .await,
        0
    );
    let bob_id = t.user_id(&bob).await;
    assert_eq!(
        t.db_count(
            &format!("SELECT COUNT(*) FROM topics WHERE id = $1 AND last_poster_id = '{bob_id}'"),
            &asked_id
        )
        .await,
        1
    );

    // The events name a "Deleted member", without a link to a profile that is no more.
    for (id, hosted_by) in [
        (&olgas_id, "Hosted by Olga Owner and Deleted member"),
        (&hers_id, "Hosted by Deleted member"),
    ] {
        let page = visitor.get(&format!("/c/guild/events/{id}")).await;
        assert_eq!(page.status, 200);
        let text = page.text();
        assert!(text.contains(hosted_by), "{text}");
        assert!(!text.contains("Lovelace"), "{text}");
        assert!(
            !page.html.contains(&format!("/members/{ada_id}")),
            "no profile link: {}",
            page.html
        );
    }
    let page = visitor.get(&format!("/c/guild/events/{olgas_id}")).await;
    assert!(
        page.html
            .contains("<li><strong>Deleted member</strong></li>"),
        "{}",
        page.html
    );
    let people = ok(
        &t,
        "GET",
        &format!("/api/v1/events/{olgas_id}/people"),
        &olga,
        None,
    )
    .await;
    assert_eq!(people["cohosts"][0]["display_name"], "Deleted member");
    assert_eq!(people["cohosts"][0]["deleted"], true);
    assert_eq!(people["creator"]["deleted"], false);
    assert_eq!(people["speakers"][0]["name"], "Deleted member");
    assert_eq!(people["speakers"][0]["deleted"], true);
    assert_eq!(people["speakers"][0]["handle"], Value::Null);
    assert_eq!(people["speakers"][0]["bio"], "");
    t.stop().await;
}
