//! Analytics: the figures of docs/metrics.md against a small hand-built community whose days
//! are placed with the test clock, in a time zone far from UTC. Each expected number is
//! written out from the story below; other communities and private spaces must not leak, and
//! only admins see analytics.
//!
//! The story (community "guild", America/New_York; d0 is the 1st of a month, 12:00 local):
//! - d0: Olga (owner) creates the guild, an invite link (newsletter/spring) and a topic in the
//!   members-only space; Ana joins and posts a topic; Ben joins through the invite link; Cat
//!   joins. Dan creates "other"; Ana joins it and posts there.
//! - d1: Ben replies to Ana's topic; Fay joins and reacts to Ben's reply; Cat leaves.
//! - d2, 23:30 local (04:30 UTC on d3): Ana replies.
//! - d9: Eve joins; Ana deletes her reply of d2.
//! - d17: Eve posts her first topic (8 days after joining: not activated).
//! - The 1st of the next month: Ana visits.

use serde_json::{json, Value};
use townsquare_app::domain::analytics::{
    date_of_day, day_start_utc, local_day, month_first_day, month_of_day, Day,
};
use townsquare_app::domain::time_zones::Tz;
use townsquare_testkit::{TestApp, PASSWORD};

pub(crate) const HOUR: i64 = 3_600_000_000;

/// Moves the app's clock to `target` (UTC microseconds; never backwards).
pub(crate) fn move_to(t: &TestApp, target: i64) {
    let now = t.app.now();
    assert!(target >= now, "the test clock only moves forward");
    t.app.clock().advance(target - now);
}

/// Noon (local) of day `d`.
pub(crate) fn noon(d: Day, tz: Tz) -> i64 {
    day_start_utc(d, tz) + 12 * HOUR
}

pub(crate) async fn ok(
    t: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (status, body) = t.api(method, path, Some(token), body).await;
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {body}"
    );
    body
}

pub(crate) async fn join(t: &TestApp, token: &str, slug: &str) {
    let body = ok(
        t,
        "POST",
        &format!("/api/v1/communities/{slug}/join"),
        token,
        None,
    )
    .await;
    assert_eq!(body["outcome"], "joined");
}

pub(crate) async fn new_topic(
    t: &TestApp,
    token: &str,
    slug: &str,
    space: &str,
    title: &str,
) -> String {
    let body = ok(
        t,
        "POST",
        &format!("/api/v1/communities/{slug}/spaces/{space}/topics"),
        token,
        Some(json!({"title": title, "body": "Some words."})),
    )
    .await;
    body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn new_reply(t: &TestApp, token: &str, topic: &str) -> String {
    let body = ok(
        t,
        "POST",
        &format!("/api/v1/topics/{topic}/posts"),
        token,
        Some(json!({"body": "A reply."})),
    )
    .await;
    body["id"].as_str().unwrap().to_string()
}

pub(crate) async fn analytics(t: &TestApp, token: &str, slug: &str, query: &str) -> Value {
    ok(
        t,
        "GET",
        &format!("/api/v1/communities/{slug}/analytics?{query}"),
        token,
        None,
    )
    .await
}

pub(crate) fn close(v: &Value, expected: f64) -> bool {
    (v.as_f64().unwrap_or(f64::NAN) - expected).abs() < 1e-9
}

#[track_caller]
pub(crate) fn assert_figures(f: &Value, expected: &[(&str, f64)]) {
    for (name, want) in expected {
        assert!(
            close(&f[name], *want),
            "{name}: got {}, want {want}",
            f[name]
        );
    }
}

#[tokio::test]
async fn figures_follow_the_definitions_on_a_hand_built_community() {
    let t = TestApp::spawn().await;
    let tz: Tz = "America/New_York".parse().unwrap();
    let today = local_day(t.app.now(), tz);
    let d0 = month_first_day(month_of_day(today) + 1);
    let date = |d: Day| date_of_day(d).to_string();

    // d0
    move_to(&t, noon(d0, tz));
    let olga = t.api_user("olga@example.org", "Olga Owner").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild", "time_zone": "America/New_York"})),
    )
    .await;
    for (name, slug, visibility) in [
        ("Help", "help", "everyone"),
        ("Inner circle", "inner", "members"),
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
    let link = ok(
        &t,
        "POST",
        "/api/v1/communities/guild/invitations",
        &olga,
        Some(json!({"source": "newsletter", "campaign": "spring"})),
    )
    .await;
    let invite = link["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    new_topic(&t, &olga, "guild", "inner", "Secret plans").await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    join(&t, &ana, "guild").await;
    let ana_topic = new_topic(&t, &ana, "guild", "help", "Hello from Ana").await;
    let ben = t.api_user("ben@example.org", "Ben").await;
    ok(
        &t,
        "POST",
        &format!("/api/v1/invitations/{invite}/accept"),
        &ben,
        None,
    )
    .await;
    let cat = t.api_user("cat@example.org", "Cat").await;
    join(&t, &cat, "guild").await;
    let dan = t.api_user("dan@example.org", "Dan").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &dan,
        Some(json!({"name": "Other", "slug": "other", "time_zone": "America/New_York"})),
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
    new_topic(&t, &ana, "other", "talk", "Ana elsewhere").await;

    // d1
    move_to(&t, noon(d0 + 1, tz));
    let ben_reply = new_reply(&t, &ben, &ana_topic).await;
    let fay = t.api_user("fay@example.org", "Fay").await;
    join(&t, &fay, "guild").await;
    ok(
        &t,
        "PUT",
        &format!("/api/v1/posts/{ben_reply}/reactions/heart"),
        &fay,
        None,
    )
    .await;
    ok(&t, "POST", "/api/v1/communities/guild/leave", &cat, None).await;

    // d2, half an hour before local midnight: already d3 in UTC.
    move_to(&t, day_start_utc(d0 + 3, tz) - HOUR / 2);
    let ana_reply = new_reply(&t, &ana, &ana_topic).await;

    // d9
    move_to(&t, noon(d0 + 9, tz));
    let eve = t.api_user("eve@example.org", "Eve").await;
    join(&t, &eve, "guild").await;
    ok(
        &t,
        "DELETE",
        &format!("/api/v1/posts/{ana_reply}"),
        &ana,
        None,
    )
    .await;

    // d17
    move_to(&t, noon(d0 + 17, tz));
    new_topic(&t, &eve, "guild", "help", "Eve at last").await;

    // The first ten days, as a custom range.
    let a = analytics(
        &t,
        &olga,
        "guild",
        &format!("period=custom&from={}&to={}", date(d0), date(d0 + 9)),
    )
    .await;
    assert_eq!(a["time_zone"], "America/New_York");
    assert_eq!(a["period"]["first"], date(d0));
    assert_eq!(a["period"]["as_of"], date(d0 + 9));
    assert_eq!(a["previous_period"]["last"], date(d0 - 1));
    assert_figures(
        &a["figures"],
        &[
            ("members_at_end", 5.0),     // Olga, Ana, Ben, Fay, Eve (Cat left)
            ("active_members", 6.0),     // ... and Cat, active before she left
            ("participants", 4.0),       // Olga, Ana, Ben, Fay
            ("active_member_rate", 0.8), // 4 ÷ 5
            ("contributors", 3.0),       // Olga, Ana, Ben (Fay only reacted)
            ("contribution_rate", 0.6),  // 3 ÷ 5
            ("new_members", 6.0),
            ("activated", 3.0), // Olga, Ana, Ben posted within 7 days
            ("activation_rate", 0.5),
            ("dau", 2.0), // d9: Eve joined, Ana deleted
            ("wau", 2.0),
            ("mau", 6.0),
            ("stickiness", 2.0 / 6.0),
            ("previously_active", 0.0),
            ("activity_churn", 0.0),
        ],
    );
    assert!(a["figures"]["membership_churn"].is_null());
    assert_figures(&a["previous"], &[("members_at_end", 0.0), ("mau", 0.0)]);
    assert_eq!(
        a["acquisition"],
        json!([
            {"source": "", "campaign": "", "members": 5, "activated": 2},
            {"source": "newsletter", "campaign": "spring", "members": 1, "activated": 1},
        ])
    );
    let text = a.to_string();
    assert!(!text.contains("Secret plans") && !text.contains("Ana elsewhere"));

    // The time zone boundary: Ana's reply at 23:30 local is on d2, not on d3 as in UTC.
    let day2 = analytics(
        &t,
        &olga,
        "guild",
        &format!("period=day&at={}", date(d0 + 2)),
    )
    .await;
    assert_figures(
        &day2["figures"],
        &[("dau", 1.0), ("participants", 1.0), ("contributors", 1.0)],
    );
    let day3 = analytics(
        &t,
        &olga,
        "guild",
        &format!("period=day&at={}", date(d0 + 3)),
    )
    .await;
    // Members at the end of d3: Olga, Ana, Ben, Fay (Cat left on d1, Eve comes on d9).
    assert_figures(
        &day3["figures"],
        &[
            ("dau", 0.0),
            ("active_members", 0.0),
            ("members_at_end", 4.0),
        ],
    );
    assert_eq!(day3["previous_period"]["first"], date(d0 + 2));
    assert_figures(
        &day3["figures"],
        &[
            ("previously_active", 1.0),
            ("churned", 1.0),
            ("activity_churn", 1.0),
        ],
    );

    // The month so far (today is d17; Olga's own visit today counts).
    let month = analytics(&t, &olga, "guild", &format!("period=month&at={}", date(d0))).await;
    assert_eq!(month["period"]["as_of"], date(d0 + 17));
    assert_figures(
        &month["figures"],
        &[
            ("members_at_end", 5.0),
            ("participants", 5.0), // and Eve
            ("active_member_rate", 1.0),
            ("contributors", 4.0),
            ("contribution_rate", 0.8),
            ("new_members", 6.0),
            ("activated", 3.0), // Eve's first post came 8 days after joining
            ("dau", 2.0),       // Eve posted, Olga is looking
            ("mau", 6.0),
        ],
    );
    let months = month["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let last = &months[11];
    assert_eq!(last["month"], date(d0)[..7]);
    assert_figures(
        last,
        &[
            ("mau", 6.0),
            ("members_at_end", 5.0),
            ("active_member_rate", 1.0),
            ("new_members", 6.0),
        ],
    );
    assert_figures(
        &months[10],
        &[("mau", 0.0), ("members_at_end", 0.0), ("new_members", 0.0)],
    );
    let cohorts = month["cohorts"].as_array().unwrap();
    assert_eq!(cohorts.len(), 12);
    assert_eq!(cohorts[11]["size"], 6);
    assert!(close(&cohorts[11]["retention"][0], 1.0));
    assert!(
        cohorts[11]["retention"][1].is_null(),
        "next month has not come yet"
    );
    let daily = month["daily_active"].as_array().unwrap();
    assert_eq!(daily.len(), 30);
    assert_eq!(daily[29], json!({"date": date(d0 + 17), "members": 2}));

    // Another community's figures are its own: Ana's activity there stays there.
    let other = analytics(
        &t,
        &dan,
        "other",
        &format!("period=custom&from={}&to={}", date(d0), date(d0 + 9)),
    )
    .await;
    assert_figures(
        &other["figures"],
        &[
            ("members_at_end", 2.0),
            ("participants", 1.0),
            ("new_members", 2.0),
        ],
    );

    // A community with no activity in the range: zeros, not errors.
    let empty = analytics(
        &t,
        &dan,
        "other",
        &format!("period=day&at={}", date(d0 + 5)),
    )
    .await;
    assert_figures(
        &empty["figures"],
        &[
            ("dau", 0.0),
            ("active_member_rate", 0.0),
            ("activation_rate", 0.0),
        ],
    );

    // The next month: Ana comes back; her cohort's month +1 is 2 of 6, and 4 of the 6 active
    // last month have not come back (yet).
    move_to(&t, noon(month_first_day(month_of_day(d0) + 1), tz));
    ok(&t, "GET", "/api/v1/communities/guild", &ana, None).await;
    let next = analytics(&t, &olga, "guild", "period=month").await;
    let cohorts = next["cohorts"].as_array().unwrap();
    assert!(
        close(&cohorts[10]["retention"][1], 2.0 / 6.0),
        "{}",
        cohorts[10]
    );
    assert_figures(
        &next["figures"],
        &[
            ("previously_active", 6.0),
            ("churned", 4.0),
            ("activity_churn", 4.0 / 6.0),
        ],
    );

    // The same series as CSV.
    let csv = reqwest::Client::new()
        .get(t.url("/api/v1/communities/guild/analytics/series.csv?period=month"))
        .bearer_auth(&olga)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "month,mau,members_at_end,active_member_rate,contribution_rate,new_members"
    );
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[11], format!("{},6,5,1.0000,0.8000,6", &date(d0)[..7]));

    // Every other chart of the same dashboard as CSV, cell for cell what the JSON says.
    let get_csv = |name: &'static str| {
        let (t, olga) = (&t, &olga);
        async move {
            let r = reqwest::Client::new()
                .get(t.url(&format!(
                    "/api/v1/communities/guild/analytics/{name}.csv?period=month"
                )))
                .bearer_auth(olga)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{name}.csv");
            let text = r.text().await.unwrap();
            let mut rows = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = rows.headers().unwrap().iter().map(String::from).collect();
            let body: Vec<Vec<String>> = rows
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect();
            (header, body)
        }
    };
    let (header, figures) = get_csv("figures").await;
    assert_eq!(header, ["figure", "value", "previous_value"]);
    let figure = |name: &str| figures.iter().find(|r| r[0] == name).unwrap().clone();
    assert_eq!(figure("previously_active"), ["previously_active", "6", "0"]);
    assert_eq!(figure("churned")[1], "4");
    assert_eq!(figure("membership_churn")[1], ""); // no tier was due
    assert_eq!(
        figures.len(),
        next["figures"].as_object().unwrap().len(),
        "one row per figure"
    );
    for row in &figures {
        let json = &next["figures"][&row[0]];
        if !json.is_null() {
            assert!(
                close(json, row[1].parse().unwrap()),
                "{row:?} against {json}"
            );
        }
    }

    let (header, daily) = get_csv("daily").await;
    assert_eq!(header, ["day", "active_members"]);
    assert_eq!(daily.len(), 30);
    let today = daily.last().unwrap();
    assert_eq!(today[0], next["daily_active"][29]["date"].as_str().unwrap());
    assert_eq!(
        today[1],
        next["daily_active"][29]["members"].to_string(),
        "Ana's and Olga's visits"
    );

    let (header, cohorts) = get_csv("cohorts").await;
    assert_eq!(header[..3], ["cohort", "size", "m0"]);
    assert_eq!(header.len(), 14);
    assert_eq!(cohorts.len(), 12);
    let guild = &cohorts[10]; // d0's month, the month before this one
    assert_eq!(guild[0], &date(d0)[..7]);
    assert_eq!(guild[1], "6");
    assert_eq!(guild[2], "1.0000");
    assert_eq!(guild[3], "0.3333"); // 2 of 6 came back: Ana, and Olga reading her dashboard
    assert_eq!(guild[4], ""); // the month after this one is still to come

    let custom = |name: &'static str| {
        let (t, olga) = (&t, &olga);
        let query = format!("period=custom&from={}&to={}", date(d0), date(d0 + 9));
        async move {
            let r = reqwest::Client::new()
                .get(t.url(&format!(
                    "/api/v1/communities/guild/analytics/{name}.csv?{query}"
                )))
                .bearer_auth(olga)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    let acquisition = custom("acquisition").await;
    let lines: Vec<&str> = acquisition.lines().collect();
    assert_eq!(
        lines[0],
        "source,campaign,members,activated,activation_rate"
    );
    assert!(
        lines.contains(&"newsletter,spring,1,1,1.0000"),
        "{acquisition}"
    );
}

#[tokio::test]
async fn only_admins_see_analytics_and_bad_periods_are_refused() {
    let t = TestApp::spawn().await;
    let olga = t.api_user("olga@example.org", "Olga Owner").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild"})),
    )
    .await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    join(&t, &ana, "guild").await;
    let dan = t.api_user("dan@example.org", "Dan").await;
    ok(&t, "POST", "/api/v1/communities", &dan, Some(json!({"name": "Hidden", "slug": "hidden", "visibility": "private", "join_policy": "approval"}))).await;

    let path = "/api/v1/communities/guild/analytics";
    assert_eq!(t.api("GET", path, None, None).await.0, 401);
    assert_eq!(
        t.api("GET", path, Some(&ana), None).await.0,
        403,
        "a member is not an admin"
    );
    assert_eq!(t.api("GET", path, Some(&dan), None).await.0, 403);
    // A private community's analytics do not reveal that it exists.
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/hidden/analytics",
            Some(&olga),
            None
        )
        .await
        .0,
        404
    );
    // Olga makes Ana a moderator: still no analytics (only the moderation cards, later).
    let ana_id = ok(&t, "GET", "/api/v1/me", &ana, None).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &t,
        "PUT",
        &format!("/api/v1/communities/guild/members/{ana_id}/role"),
        &olga,
        Some(json!({"role": "moderator"})),
    )
    .await;
    assert_eq!(t.api("GET", path, Some(&ana), None).await.0, 403);
    ok(
        &t,
        "PUT",
        &format!("/api/v1/communities/guild/members/{ana_id}/role"),
        &olga,
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(t.api("GET", path, Some(&ana), None).await.0, 200);

    for (query, field) in [
        ("period=year", "period"),
        ("period=day&at=28/11/2026", "at"),
        ("period=custom&from=2026-11-10&to=2026-11-01", "to"),
        ("period=custom&from=2025-01-01&to=2026-11-01", "to"),
        ("period=custom&to=2026-11-01", "from"),
    ] {
        let (status, body) = t
            .api("GET", &format!("{path}?{query}"), Some(&olga), None)
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(body.to_string().contains(field), "{query}: {body}");
    }

    // The page: cards, charts with titles and data tables, and a visible message for a bad
    // period (with this month shown instead).
    let browser = t.browser();
    browser.log_in("olga@example.org", PASSWORD).await;
    let page = browser.get("/c/guild/analytics").await;
    assert_eq!(page.status, 200);
    for needle in [
        "Monthly active members, last 12 months",
        "<svg class=\"chart\"",
        "id=\"series-table\"",
        "id=\"cohort-table\"",
        "data-figure=\"mau\"",
        "/api/v1/communities/guild/analytics/series.csv?period=month",
    ] {
        assert!(page.html.contains(needle), "missing {needle}");
    }
    let bad = browser
        .get("/c/guild/analytics?period=custom&from=2026-11-10&to=2026-11-01")
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad
        .text()
        .contains("The end date is before the start date."));
    let member = t.browser();
    member.log_in("dan@example.org", PASSWORD).await;
    assert_eq!(member.get("/c/guild/analytics").await.status, 403);
}

#[tokio::test]
async fn a_visit_is_recorded_once_per_member_per_local_day() {
    let t = TestApp::spawn().await;
    let olga = t.api_user("olga@example.org", "Olga Owner").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild", "time_zone": "Asia/Tokyo"})),
    )
    .await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    join(&t, &ana, "guild").await;
    let tz: Tz = "Asia/Tokyo".parse().unwrap();
    let today = local_day(t.app.now(), tz);
    move_to(&t, noon(today + 1, tz));
    for _ in 0..3 {
        ok(&t, "GET", "/api/v1/communities/guild", &ana, None).await;
    }
    // Visits are counted, once, but are not "recent activity" anyone reads.
    let c = t.app.community(None, "guild").await.unwrap();
    let recent =
        townsquare_app::store::activity::recent_in_community(t.app.db(), &c.community.id, None, 50)
            .await
            .unwrap();
    assert!(recent.iter().all(|r| r.activity.verb != "visited"));
    let a = analytics(
        &t,
        &olga,
        "guild",
        &format!("period=day&at={}", date_of_day(today + 1)),
    )
    .await;
    assert_figures(
        &a["figures"],
        &[("dau", 2.0), ("active_members", 2.0), ("participants", 0.0)],
    );
    let count: i64 = count_visits(&t, &c.community.id).await;
    assert_eq!(
        count, 2,
        "Ana's three loads and Olga's look: one visit each"
    );
    // A non-member reading a public community is not a member visit.
    let dan = t.api_user("dan@example.org", "Dan").await;
    ok(&t, "GET", "/api/v1/communities/guild", &dan, None).await;
    assert_eq!(count_visits(&t, &c.community.id).await, 2);
}

async fn count_visits(t: &TestApp, community_id: &str) -> i64 {
    townsquare_app::store::activity::count_verb(t.app.db(), community_id, "visited")
        .await
        .unwrap()
}
