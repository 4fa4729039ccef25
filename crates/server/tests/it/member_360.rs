//! Member 360: moderators and admins read one member's timeline (filtered by kind and date,
//! in pages), facts and segment; members and other communities' staff do not.

use crate::discussions::{guild, member, reply, topic};
use serde_json::Value;
use townsquare_testkit::TestApp;

const DAY: i64 = 24 * 60 * 60 * 1_000_000;

async fn timeline(t: &TestApp, token: &str, user_id: &str, query: &str) -> (u16, Value) {
    t.api(
        "GET",
        &format!("/api/v1/communities/guild/members/{user_id}/timeline?{query}"),
        Some(token),
        None,
    )
    .await
}

fn verbs(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["verb"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn moderators_read_a_members_timeline_facts_and_segment() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let bob = member(&t, "bob@example.org", "Bob Brown").await;
    let ada_id = t.user_id(&ada).await;
    let question = topic(&t, &ada, "help", "Which flags?", "Help me.", true).await;
    let qid = question["id"].as_str().unwrap();
    let answer = reply(&t, &bob, qid, "Use -O2.", None).await;
    let (status, _) = t
        .api(
            "PUT",
            &format!(
                "/api/v1/posts/{}/reactions/heart",
                answer["id"].as_str().unwrap()
            ),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 204);

    let (status, record) = timeline(&t, &owner, &ada_id, "").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["display_name"], "Ada Lovelace");
    assert_eq!(record["role"], "member");
    // Newest first; Bob's reply is his, not Ada's.
    let all = verbs(&record);
    assert_eq!(
        all.first().map(String::as_str),
        Some("reaction_added"),
        "{all:?}"
    );
    assert!(all.contains(&"topic_created".to_string()) && all.contains(&"joined".to_string()));
    assert!(!all.contains(&"post_created".to_string()), "{all:?}");
    assert_eq!(record["facts"]["segment"], "new");
    assert_eq!(record["facts"]["posts_90"], 1);
    assert_eq!(record["facts"]["days_active_30"], 1);

    // Filters by kind and by date.
    let (_, posts) = timeline(&t, &owner, &ada_id, "kind=posts").await;
    assert_eq!(verbs(&posts), ["topic_created"]);
    let (_, reactions) = timeline(&t, &owner, &ada_id, "kind=reactions").await;
    assert_eq!(verbs(&reactions), ["reaction_added"]);
    let (_, before) = timeline(&t, &owner, &ada_id, "to=2001-01-01").await;
    assert!(verbs(&before).is_empty());
    let (status, problem) = timeline(&t, &owner, &ada_id, "kind=gossip").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "kind");

    // Time passes: 40 days without activity is "at risk", 100 days "dormant".
    t.app.clock().advance(40 * DAY);
    let (_, later) = timeline(&t, &owner, &ada_id, "").await;
    assert_eq!(later["facts"]["segment"], "at_risk", "{}", later["facts"]);
    assert_eq!(later["facts"]["days_since_active"], 40);
    t.app.clock().advance(60 * DAY);
    let (_, much_later) = timeline(&t, &owner, &ada_id, "").await;
    assert_eq!(much_later["facts"]["segment"], "dormant");

    // Members do not read each other's records; the page shows the same as the API.
    let (status, _) = timeline(&t, &bob, &ada_id, "").await;
    assert_eq!(status, 403);
    let browser = t.browser();
    browser
        .log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = browser
        .get(&format!("/c/guild/members/{ada_id}/360?kind=posts"))
        .await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("started a topic: Which flags?"), "{text}");
    assert!(text.contains("Dormant"), "{text}");
    assert!(!text.contains("reacted to a post"), "{text}");
}

#[tokio::test]
async fn the_timeline_pages_through_every_entry_once() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let first = topic(&t, &owner, "help", "Thread", "Go.", false).await;
    let tid = first["id"].as_str().unwrap();
    for i in 0..60 {
        // Posting limits count per minute: move the clock as a person would.
        t.app.clock().advance(20 * 1_000_000);
        reply(&t, &ada, tid, &format!("Reply number {i}"), None).await;
    }
    let mut seen = Vec::new();
    let mut query = "kind=posts".to_string();
    loop {
        let (status, page) = timeline(&t, &owner, &ada_id, &query).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(next) => query = format!("kind=posts&before={}", next.replace(',', "%2C")),
            None => break,
        }
    }
    assert_eq!(seen.len(), 60);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60);
}

#[tokio::test]
async fn the_demo_guild_has_members_in_every_segment() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let mut segments = std::collections::BTreeMap::<String, usize>::new();
    let mut cursor = String::new();
    loop {
        let (status, members) = t
            .api(
                "GET",
                &format!("/api/v1/communities/open-source-guild/directory?sort=joined&limit=100&cursor={cursor}"),
                Some(&maya),
                None,
            )
            .await;
        assert_eq!(status, 200, "{members}");
        for m in members["items"].as_array().expect("items") {
            let id = m["user_id"].as_str().unwrap();
            let (status, record) = t
                .api(
                    "GET",
                    &format!("/api/v1/communities/open-source-guild/members/{id}/timeline"),
                    Some(&maya),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{record}");
            *segments
                .entry(record["facts"]["segment"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        match members["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    // A living community: newcomers, regulars, some drifting away, some gone quiet.
    for segment in ["new", "active", "at_risk", "dormant"] {
        assert!(
            segments.get(segment).is_some_and(|n| *n > 0),
            "{segments:?}"
        );
    }
}

async fn timeline_csv(
    t: &TestApp,
    token: &str,
    user_id: &str,
    query: &str,
) -> (u16, String, Vec<Vec<String>>) {
    let res = reqwest::Client::new()
        .get(t.url(&format!(
            "/api/v1/communities/guild/members/{user_id}/timeline.csv?{query}"
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = res.text().await.unwrap();
    if status != 200 {
        return (status, content_type, Vec::new());
    }
    let rows = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (status, content_type, rows)
}

#[tokio::test]
async fn admins_export_a_members_timeline_as_csv_with_the_filters() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let bob = member(&t, "bob@example.org", "Bob Brown").await;
    let ada_id = t.user_id(&ada).await;
    let question = topic(&t, &ada, "help", "=HYPERLINK(\"x\")", "Help me.", true).await;
    let qid = question["id"].as_str().unwrap().to_string();

    let (status, content_type, rows) = timeline_csv(&t, &owner, &ada_id, "").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let kinds: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert!(
        kinds.contains(&"posts") && kinds.contains(&"membership"),
        "{rows:?}"
    );

    // The kind filter; titles a spreadsheet would run are defused; links are whole.
    let (_, _, posts) = timeline_csv(&t, &owner, &ada_id, "kind=posts").await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0][3], "'=HYPERLINK(\"x\")");
    assert_eq!(posts[0][4], t.url(&format!("/c/guild/t/{qid}")));
    // The date filter.
    let (_, _, none) = timeline_csv(&t, &owner, &ada_id, "to=2001-01-01").await;
    assert!(none.is_empty());
    let (status, _, _) = timeline_csv(&t, &owner, &ada_id, "kind=gossip").await;
    assert_eq!(status, 422);

    // Members do not get it; nor does anyone for someone who is not a member.
    let (status, _, _) = timeline_csv(&t, &bob, &ada_id, "").await;
    assert_eq!(status, 403);
    let stranger = t.api_user("eve@example.org", "Eve").await;
    let eve_id = t.user_id(&stranger).await;
    let (status, _, _) = timeline_csv(&t, &owner, &eve_id, "").await;
    assert_eq!(status, 404);

    // A long record is read page by page, every entry once.
    let (_, guild_row) = t
        .api("GET", "/api/v1/communities/guild", Some(&owner), None)
        .await;
    let guild_id = guild_row["id"].as_str().unwrap().to_string();
    let start = t.app.now();
    let mut tx = t.app.db().begin().await.unwrap();
    for i in 0..1100 {
        townsquare_app::activity::record(
            &mut tx,
            Some(&guild_id),
            Some(&ada_id),
            "reaction_added",
            "post",
            &format!("post-{i}"),
            serde_json::json!({}),
            start + i,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let (_, _, reactions) = timeline_csv(&t, &owner, &ada_id, "kind=reactions").await;
    assert_eq!(reactions.len(), 1100);

    // The page links the export with its filters, for admins only.
    let olga = t.browser();
    olga.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = olga
        .get(&format!(
            "/c/guild/members/{ada_id}/360?kind=posts&from=2001-01-01"
        ))
        .await;
    let href = format!("/c/guild/members/{ada_id}/360.csv?kind=posts&#38;from=2001-01-01&#38;to=");
    assert!(page.html.contains(&href), "{}", page.html);
    let csv_page = olga
        .get(&format!(
            "/c/guild/members/{ada_id}/360.csv?kind=posts&from=2001-01-01"
        ))
        .await;
    assert_eq!(csv_page.status, 200);
    assert!(
        csv_page.html.starts_with("time,kind,what,title,link"),
        "{}",
        csv_page.html
    );
    assert_eq!(csv_page.html.lines().count(), 2);
    t.stop().await;
}

#[tokio::test]
async fn what_admins_and_moderators_did_to_a_member_is_in_their_timeline_with_who_did_it() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let mo = member(&t, "mo@example.org", "Mo Derator").await;
    let (ada_id, mo_id) = (t.user_id(&ada).await, t.user_id(&mo).await);
    topic(&t, &ada, "help", "Which flags?", "Help me.", false).await;
    let role = |user: String, role: &'static str| {
        let t = &t;
        let owner = owner.clone();
        async move {
            let (status, body) = t
                .api(
                    "PUT",
                    &format!("/api/v1/communities/guild/members/{user}/role"),
                    Some(&owner),
                    Some(serde_json::json!({ "role": role })),
                )
                .await;
            assert!(status < 300, "{status} {body}");
        }
    };
    role(mo_id.clone(), "moderator").await;
    t.app.clock().advance(60 * 1_000_000);
    // The admin makes Ada a moderator; Mo suspends her, then lifts it.
    role(ada_id.clone(), "moderator").await;
    t.app.clock().advance(60 * 1_000_000);
    let (status, suspension) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/members/{ada_id}/sanctions"),
            Some(&mo),
            Some(serde_json::json!({"kind": "suspend", "days": 3, "reason": "Cool down"})),
        )
        .await;
    assert_eq!(status, 201, "{suspension}");
    t.app.clock().advance(60 * 1_000_000);
    let (status, body) = t
        .api(
            "POST",
            &format!(
                "/api/v1/sanctions/{}/lift",
                suspension["id"].as_str().unwrap()
            ),
            Some(&mo),
            Some(serde_json::json!({"reason": "Talked it over"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // All three, newest first, with who did them; the filter keeps only them.
    let (status, done) = timeline(&t, &owner, &ada_id, "kind=admin").await;
    assert_eq!(status, 200, "{done}");
    let entries = done["entries"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["verb"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["actor_name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("moderation_action", "admin", "Mo Derator"),
            ("moderation_action", "admin", "Mo Derator"),
            ("role_changed", "admin", "Olga Owner"),
        ],
        "{done}"
    );
    assert_eq!(entries[0]["detail"]["action"], "lift");
    assert_eq!(entries[1]["detail"]["action"], "suspend");
    // Unfiltered, they sit among her own activities.
    let (_, all) = timeline(&t, &owner, &ada_id, "").await;
    let all = verbs(&all);
    assert!(
        all.contains(&"topic_created".to_string())
            && all.iter().filter(|v| *v == "moderation_action").count() == 2,
        "{all:?}"
    );
    // Mo's own record has his actions as his, not as done to him.
    let (_, mos) = timeline(&t, &owner, &mo_id, "kind=admin").await;
    assert_eq!(verbs(&mos), ["role_changed"], "{mos}");

    // The page says what happened and who did it.
    let olga = t.browser();
    olga.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    let page = olga
        .get(&format!("/c/guild/members/{ada_id}/360?kind=admin"))
        .await
        .text();
    for said in [
        "had a sanction lifted by the moderators (by Mo Derator)",
        "was suspended by the moderators (by Mo Derator)",
        "had their role changed (by Olga Owner)",
        "member → moderator",
        "Admin & moderation (done to them)",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert!(!page.contains("started a topic"), "{page}");

    // And the CSV export.
    let (status, _, rows) = timeline_csv(&t, &owner, &ada_id, "kind=admin").await;
    assert_eq!(status, 200);
    let what: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        what,
        [
            (
                "admin",
                "had a sanction lifted by the moderators (by Mo Derator)"
            ),
            ("admin", "was suspended by the moderators (by Mo Derator)"),
            ("admin", "had their role changed (by Olga Owner)"),
        ],
        "{rows:?}"
    );
    t.stop().await;
}
