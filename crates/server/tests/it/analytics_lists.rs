//! The analytics lists (docs/metrics.md, "Lists") against a hand-built community whose
//! expected numbers are written out from the story below. Another community's activity never
//! counts, the space filter keeps other spaces' titles out, and only admins see the lists.
//!
//! The story (community "guild", Europe/Berlin). M0 is next month; "Mk dN" is day N of
//! month M0 + k, at noon local unless said.
//! - M0 d1: Olga (owner) creates the guild with spaces help, intros (the introductions space)
//!   and staff (admins only). Ana, Ben, Cat, Dee, Eli, Gus and Mo join; Mo is a moderator.
//! - M1 d10 and M2 d10: Ana, Eli and Gus visit. M3 d5: Gus visits.
//! - M3 d2: Ben opens three topics tagged general, Ana one tagged rust, Olga "Secret board
//!   plans" in staff (the trending baseline).
//! - M3 d20: 12:00 Cat asks "How do I deploy?" (tag deploy), 12:01 Ben asks "Where are the
//!   docs?" (deploy), 12:02 Ben asks "Unanswered?" (general). 12:30 Ana answers Cat; 12:40 Dee
//!   replies to Cat; 14:01 Mo (staff) answers Ben; 15:01 Dee replies to Ben. 15:10 Cat reacts
//!   to Ana's answer and accepts it; Ana and Ben react to Dee's first reply, Cat and Ben to
//!   her second. 15:20 Fay joins and introduces herself; Ana welcomes her.
//!   In Dan's community "other", Ana asks a deploy question and Dan answers it.
//! - The lists are read on M3 d22 for the custom period M3 d16 – M3 d22.

use crate::analytics::{assert_figures, join, move_to, new_reply, new_topic, ok};
use serde_json::{json, Value};
use townsquare_app::domain::analytics::{
    date_of_day, day_start_utc, local_day, month_first_day, month_of_day, Day,
};
use townsquare_app::domain::time_zones::Tz;
use townsquare_testkit::{TestApp, PASSWORD};

const MINUTE: i64 = 60_000_000;

async fn topic(
    t: &TestApp,
    token: &str,
    slug: &str,
    space: &str,
    title: &str,
    tags: &[&str],
    question: bool,
) -> String {
    let body = ok(
        t,
        "POST",
        &format!("/api/v1/communities/{slug}/spaces/{space}/topics"),
        token,
        Some(json!({"title": title, "body": "Words.", "tags": tags, "is_question": question})),
    )
    .await;
    body["id"].as_str().unwrap().to_string()
}

async fn react(t: &TestApp, token: &str, post: &str) {
    ok(
        t,
        "PUT",
        &format!("/api/v1/posts/{post}/reactions/heart"),
        token,
        None,
    )
    .await;
}

async fn visit(t: &TestApp, token: &str) {
    ok(t, "GET", "/api/v1/communities/guild", token, None).await;
}

fn names(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[field].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_lists_follow_the_definitions_on_a_hand_built_community() {
    let t = TestApp::spawn().await;
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let m0 = month_of_day(local_day(t.app.now(), tz)) + 1;
    let at = |k: i64, d: i64, minutes: i64| -> i64 {
        let day: Day = month_first_day(m0 + k) + d - 1;
        day_start_utc(day, tz) + 12 * 60 * MINUTE + minutes * MINUTE
    };
    let day = |k: i64, d: i64| date_of_day(month_first_day(m0 + k) + d - 1).to_string();

    // M0 d1
    move_to(&t, at(0, 1, 0));
    let olga = t.api_user("olga@example.org", "Olga").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild", "time_zone": "Europe/Berlin"})),
    )
    .await;
    for (name, slug, visibility) in [
        ("Help", "help", "everyone"),
        ("Intros", "intros", "everyone"),
        ("Staff", "staff", "admins"),
    ] {
        ok(
            &t,
            "POST",
            "/api/v1/communities/guild/spaces",
            &olga,
            Some(
                json!({"name": name, "slug": slug, "kind": "discussion", "visibility": visibility}),
            ),
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
    let mut tokens = Vec::new();
    for name in ["Ana", "Ben", "Cat", "Dee", "Eli", "Gus", "Mo"] {
        let token = t
            .api_user(&format!("{}@example.org", name.to_lowercase()), name)
            .await;
        join(&t, &token, "guild").await;
        tokens.push(token);
    }
    let [ana, ben, cat, dee, eli, gus, mo] = <[String; 7]>::try_from(tokens).unwrap();
    let mo_id = ok(&t, "GET", "/api/v1/me", &mo, None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &t,
        "PUT",
        &format!("/api/v1/communities/guild/members/{mo_id}/role"),
        &olga,
        Some(json!({"role": "moderator"})),
    )
    .await;
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
    join(&t, &ana, "other").await;

    // M1 d10, M2 d10, M3 d5: the regulars.
    for k in [1, 2] {
        move_to(&t, at(k, 10, 0));
        for who in [&ana, &eli, &gus] {
            visit(&t, who).await;
        }
    }
    // M3 d2: the baseline topics.
    move_to(&t, at(3, 2, 0));
    for i in 1..=3 {
        topic(
            &t,
            &ben,
            "guild",
            "help",
            &format!("Ben general {i}"),
            &["general"],
            false,
        )
        .await;
    }
    topic(&t, &ana, "guild", "help", "Rust basics", &["rust"], false).await;
    topic(
        &t,
        &olga,
        "guild",
        "staff",
        "Secret board plans",
        &[],
        false,
    )
    .await;
    move_to(&t, at(3, 5, 0));
    visit(&t, &gus).await;

    // M3 d20
    move_to(&t, at(3, 20, 0));
    let deploy = topic(
        &t,
        &cat,
        "guild",
        "help",
        "How do I deploy?",
        &["deploy"],
        true,
    )
    .await;
    move_to(&t, at(3, 20, 1));
    let docs = topic(
        &t,
        &ben,
        "guild",
        "help",
        "Where are the docs?",
        &["deploy"],
        true,
    )
    .await;
    move_to(&t, at(3, 20, 2));
    topic(&t, &ben, "guild", "help", "Unanswered?", &["general"], true).await;
    move_to(&t, at(3, 20, 30));
    let answer = new_reply(&t, &ana, &deploy).await;
    move_to(&t, at(3, 20, 40));
    let dee_first = new_reply(&t, &dee, &deploy).await;
    move_to(&t, at(3, 20, 121));
    new_reply(&t, &mo, &docs).await;
    move_to(&t, at(3, 20, 181));
    let dee_second = new_reply(&t, &dee, &docs).await;
    move_to(&t, at(3, 20, 190));
    react(&t, &cat, &answer).await;
    ok(
        &t,
        "PUT",
        &format!("/api/v1/topics/{deploy}/accepted"),
        &cat,
        Some(json!({"post_id": answer})),
    )
    .await;
    react(&t, &ana, &dee_first).await;
    react(&t, &ben, &dee_first).await;
    react(&t, &cat, &dee_second).await;
    react(&t, &ben, &dee_second).await;
    move_to(&t, at(3, 20, 200));
    let fay = t.api_user("fay@example.org", "Fay").await;
    join(&t, &fay, "guild").await;
    let intro = new_topic(&t, &fay, "guild", "intros", "Hello, I'm Fay").await;
    new_reply(&t, &ana, &intro).await;
    let elsewhere = topic(
        &t,
        &ana,
        "other",
        "talk",
        "Deploying elsewhere?",
        &["deploy"],
        true,
    )
    .await;
    let dan_answer = new_reply(&t, &dan, &elsewhere).await;
    react(&t, &ana, &dan_answer).await;

    // M3 d22
    move_to(&t, at(3, 22, 0));
    let query = format!("period=custom&from={}&to={}", day(3, 16), day(3, 22));
    let l = ok(
        &t,
        "GET",
        &format!("/api/v1/communities/guild/analytics/lists?{query}"),
        &olga,
        None,
    )
    .await;

    // Champions: Ana 3 × 1 accepted + 1 reply reacted to + 1 welcome = 5; Dee 2 replies
    // reacted to = 2. Mo's answer got no reaction.
    let champions: Vec<(String, i64, i64, i64, i64)> = l["champions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["display_name"].as_str().unwrap().to_string(),
                c["score"].as_i64().unwrap(),
                c["accepted_answers"].as_i64().unwrap(),
                c["helpful_replies"].as_i64().unwrap(),
                c["welcomes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        champions,
        [
            ("Ana".to_string(), 5, 1, 1, 1),
            ("Dee".to_string(), 2, 0, 2, 0)
        ]
    );

    // Quiet experts: Ana 2 posts, 1 accepted (0.5 per post); Dee 2 posts, 4 reactions (2 per
    // post). Ben's 2 topics got nothing; the others posted once.
    assert_eq!(names(&l["quiet_experts"], "display_name"), ["Ana", "Dee"]);
    assert_figures(
        &l["quiet_experts"][0],
        &[
            ("posts", 2.0),
            ("accepted_answers", 1.0),
            ("accepted_rate", 0.5),
            ("reactions_received", 1.0),
        ],
    );
    assert_figures(
        &l["quiet_experts"][1],
        &[
            ("posts", 2.0),
            ("accepted_answers", 0.0),
            ("reactions_received", 4.0),
            ("reactions_per_post", 2.0),
        ],
    );

    // At risk: Eli was active in M0, M1 and M2 and not since M2 d10; Gus visited 17 days ago,
    // Ana posted this month, Olga skipped M1 and M2.
    assert_eq!(names(&l["at_risk"], "display_name"), ["Eli"]);
    assert_eq!(l["at_risk"][0]["last_active"], day(2, 10));
    let silent = (month_first_day(m0 + 3) + 21) - (month_first_day(m0 + 2) + 9);
    assert_eq!(l["at_risk"][0]["days_silent"], silent);

    // Top topics of the period: replies, then reactions, then participants.
    let top: Vec<(String, i64, i64, i64)> = l["top_topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["title"].as_str().unwrap().to_string(),
                x["replies"].as_i64().unwrap(),
                x["reactions"].as_i64().unwrap(),
                x["participants"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("How do I deploy?".to_string(), 2, 3, 3),
            ("Where are the docs?".to_string(), 2, 2, 3),
            ("Hello, I'm Fay".to_string(), 1, 0, 2),
            ("Unanswered?".to_string(), 0, 0, 1),
        ]
    );
    let posts: Vec<(String, String, i64)> = l["top_posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["topic_title"].as_str().unwrap().to_string(),
                x["author_name"].as_str().unwrap().to_string(),
                x["reactions"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        posts,
        [
            ("How do I deploy?".to_string(), "Dee".to_string(), 2),
            ("Where are the docs?".to_string(), "Dee".to_string(), 2),
            ("How do I deploy?".to_string(), "Ana".to_string(), 1),
        ]
    );

    // Trending: 2 of the 3 new topics of M3 d16–d22 are tagged deploy (Fay's introduction
    // is a greeting, not a subject), none of the 5 before (Ben's 3, Ana's, Olga's); general
    // has 1 (below the minimum of 2).
    assert_eq!(l["trending_recent"]["first"], day(3, 16));
    assert_eq!(names(&l["trending_tags"], "tag"), ["deploy"]);
    assert_figures(
        &l["trending_tags"][0],
        &[
            ("recent", 2.0),
            ("baseline", 0.0),
            ("recent_share", 2.0 / 3.0),
            ("baseline_share", 0.0),
            ("lift", 2.0 / 3.0),
        ],
    );
    assert_eq!(
        names(&l["trending_tags"][0]["examples"], "title"),
        ["Where are the docs?", "How do I deploy?"]
    );

    // Deflection: Ana (a member) answered Cat; Mo (staff) answered Ben; one is unanswered.
    // First responses after 30 min and 2 h: the median is 75 min.
    assert_figures(
        &l["deflection"],
        &[
            ("questions", 3.0),
            ("deflected", 1.0),
            ("rate", 1.0 / 3.0),
            ("responded", 2.0),
            ("median_first_response_seconds", 4500.0),
        ],
    );

    let text = l.to_string();
    assert!(
        !text.contains("elsewhere") && !text.contains("Dan"),
        "another community leaked: {text}"
    );

    // The space filter: only Help. Ana's welcome and Fay's introduction drop out.
    let h = ok(
        &t,
        "GET",
        &format!("/api/v1/communities/guild/analytics/lists?{query}&space=help"),
        &olga,
        None,
    )
    .await;
    assert_eq!(h["space"], "help");
    assert_eq!(h["champions"][0]["score"], 4);
    assert_eq!(h["champions"][0]["welcomes"], 0);
    assert!(!h.to_string().contains("Hello, I'm Fay"));
    assert_eq!(names(&h["trending_tags"], "tag"), ["deploy"]);
    assert_eq!(names(&h["at_risk"], "display_name"), ["Eli"]);
    let (status, body) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/analytics/lists?{query}&space=staff-nope"),
            Some(&olga),
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");

    // CSV of a list.
    let csv = reqwest::Client::new()
        .get(t.url(&format!(
            "/api/v1/communities/guild/analytics/lists.csv?list=champions&{query}"
        )))
        .bearer_auth(&olga)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(
        csv.text().await.unwrap(),
        "display_name,score,accepted_answers,helpful_replies,welcomes\nAna,5,1,1,1\nDee,2,0,2,0\n"
    );
    let (status, _) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/analytics/lists.csv?list=nope&{query}"),
            Some(&olga),
            None,
        )
        .await;
    assert_eq!(status, 422);

    // Only admins.
    for who in [&mo, &ana] {
        let (status, _) = t
            .api(
                "GET",
                "/api/v1/communities/guild/analytics/lists",
                Some(who),
                None,
            )
            .await;
        assert_eq!(status, 403);
    }

    // The dashboard shows the same lists.
    let browser = t.browser();
    browser.log_in("olga@example.org", PASSWORD).await;
    let page = browser.get(&format!("/c/guild/analytics?{query}")).await;
    assert_eq!(page.status, 200);
    let text = page.text();
    let eli_line = format!("Eli {silent} days silent");
    for needle in [
        "Ana 5 1 accepted answer, 1 reply others reacted to, 1 welcome",
        "Quiet experts",
        eli_line.as_str(),
        "Support deflection 33.3%",
        "Median time to first response 1 h 15 min",
        "deploy 2 topics this week (67% of new topics)",
    ] {
        assert!(text.contains(needle), "missing {needle} in {text}");
    }
    assert!(page
        .html
        .contains("lists.csv?list=champions&amp;period=custom"));
    let filtered = browser
        .get(&format!("/c/guild/analytics?{query}&space=help"))
        .await;
    assert!(!filtered.text().contains("Hello, I'm Fay"));
    let _ = (&eli, &gus, &dee);
}

#[tokio::test]
async fn the_demo_guild_has_champions_a_quiet_expert_members_at_risk_and_a_trending_tag() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    // The 30 days ending today.
    let today = local_day(t.app.now(), "Europe/Berlin".parse().unwrap());
    let query = format!(
        "period=custom&from={}&to={}",
        date_of_day(today - 29),
        date_of_day(today)
    );
    let l = ok(
        &t,
        "GET",
        &format!("/api/v1/communities/open-source-guild/analytics/lists?{query}"),
        &maya,
        None,
    )
    .await;
    let champions = l["champions"].as_array().unwrap();
    assert!(champions.len() >= 3, "{l}");
    assert!(
        champions[0]["accepted_answers"].as_i64().unwrap() >= 1,
        "{l}"
    );
    assert!(
        l["quiet_experts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["accepted_answers"] == 2),
        "{}",
        l["quiet_experts"]
    );
    assert!(
        l["at_risk"].as_array().unwrap().len() >= 2,
        "{}",
        l["at_risk"]
    );
    assert_eq!(
        l["trending_tags"][0]["tag"], "supply-chain",
        "{}",
        l["trending_tags"]
    );
    assert!(l["deflection"]["questions"].as_i64().unwrap() >= 5);
    let p = ok(
        &t,
        "GET",
        "/api/v1/communities/open-source-guild/pulse",
        &maya,
        None,
    )
    .await;
    assert!(
        !p["unanswered_questions"].as_array().unwrap().is_empty()
            || !p["active_conversations"].as_array().unwrap().is_empty(),
        "{p}"
    );
}

#[tokio::test]
async fn words_trend_when_more_new_topic_titles_use_them_than_before() {
    let t = TestApp::spawn().await;
    let owner = crate::discussions::guild(&t).await;
    let ana = crate::discussions::member(&t, "ana@example.org", "Ana").await;
    for title in [
        "Meetup venues",
        "Docs layout",
        "Release notes format",
        "Sigstore maybe?",
    ] {
        topic(&t, &ana, "guild", "help", title, &[], false).await;
    }
    // Two weeks later: the baseline is 8 to 35 days before the as-of day's week ends.
    t.app.clock().advance(14 * 24 * 60 * MINUTE);
    for title in [
        "Sigstore for releases",
        "Is sigstore worth it?",
        "Sigstore keyless signing",
        "Meetup photos",
    ] {
        topic(&t, &owner, "guild", "help", title, &[], false).await;
    }
    let l = ok(
        &t,
        "GET",
        "/api/v1/communities/guild/analytics/lists?period=day",
        &owner,
        None,
    )
    .await;
    // "sigstore": 3 of 4 recent titles against 1 of 4 before; "meetup" is in one recent
    // title only, and "is", "for" and "it" are not subjects.
    assert_eq!(names(&l["trending_terms"], "term"), ["sigstore"], "{l}");
    assert_figures(
        &l["trending_terms"][0],
        &[("recent", 3.0), ("baseline", 1.0), ("lift", 0.5)],
    );
    assert_eq!(
        l["trending_terms"][0]["examples"].as_array().unwrap().len(),
        3
    );
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/guild/analytics/lists.csv?list=trending_terms&period=day",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200);
}
