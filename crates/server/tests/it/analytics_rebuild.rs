//! Rebuilding the analytics rollups from the activity log (`townsquare admin
//! rebuild-analytics`): a community whose rollups are gone — as after an upgrade from a version
//! that kept only the log — gets every dashboard figure back, exactly as it was, and no other
//! community is touched.

use crate::analytics::{analytics, join, move_to, new_reply, new_topic, noon, ok, HOUR};
use serde_json::{json, Value};
use std::process::Command;
use townsquare_app::domain::analytics::{day_start_utc, local_day, month_first_day, month_of_day};
use townsquare_app::domain::time_zones::Tz;
use townsquare_testkit::TestApp;

/// What a manager reads on the dashboard: the month's figures against the previous month, the
/// daily and 12-month series, the cohorts and acquisition.
async fn dashboard(t: &TestApp, token: &str, slug: &str) -> Value {
    let mut v = analytics(t, token, slug, "period=month").await;
    let week = analytics(t, token, slug, "period=week").await;
    v["week"] = week["figures"].clone();
    v
}

fn rebuild(t: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_townsquare"))
        .args(["admin", "rebuild-analytics", "--data-dir"])
        .arg(&t.data_dir)
        .args(["--database-url", &t.database_url])
        .args(args)
        .env("TOWNSQUARE_LOG", "warn")
        .output()
        .expect("run townsquare")
}

#[tokio::test]
async fn a_community_whose_rollups_are_lost_gets_its_figures_back_from_the_log() {
    let t = TestApp::spawn().await;
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let today = local_day(t.app.now(), tz);
    let d0 = month_first_day(month_of_day(today) + 1);

    move_to(&t, noon(d0, tz));
    let olga = t.api_user("olga@example.org", "Olga Owner").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Guild", "slug": "guild", "time_zone": "Europe/Berlin"})),
    )
    .await;
    ok(
        &t,
        "POST",
        "/api/v1/communities/guild/spaces",
        &olga,
        Some(json!({"name": "Help", "slug": "help", "kind": "discussion"})),
    )
    .await;
    let link = ok(
        &t,
        "POST",
        "/api/v1/communities/guild/invitations",
        &olga,
        Some(json!({"source": "newsletter", "campaign": "spring"})),
    )
    .await;
    let invite = link["url"].as_str().unwrap().rsplit('/').next().unwrap();
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
        Some(json!({"name": "Other", "slug": "other", "time_zone": "Europe/Berlin"})),
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

    // 00:30 in Berlin is still the day before in UTC: the local day decides.
    move_to(&t, day_start_utc(d0 + 3, tz) + HOUR / 2);
    new_reply(&t, &ana, &ana_topic).await;
    move_to(&t, noon(d0 + 9, tz));
    let eve = t.api_user("eve@example.org", "Eve").await;
    join(&t, &eve, "guild").await;
    move_to(&t, noon(d0 + 17, tz));
    new_topic(&t, &eve, "guild", "help", "Eve's first topic").await;
    move_to(&t, noon(d0 + 20, tz));

    let guild_before = dashboard(&t, &olga, "guild").await;
    let other_before = dashboard(&t, &dan, "other").await;
    assert_eq!(
        guild_before["figures"]["mau"], 6,
        "{}",
        guild_before["figures"]
    );
    assert_eq!(
        guild_before["figures"]["new_members"], 6,
        "Olga, Ana, Ben, Cat, Fay, Eve"
    );

    // The rollups are lost, as on a database from before they existed.
    let guild_id = townsquare_app::store::communities::community_by_slug(t.app.db(), "guild")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = t.app.db().begin().await.unwrap();
    townsquare_app::store::analytics::rebuild::clear(&mut tx, &guild_id)
        .await
        .unwrap();
    townsquare_app::store::analytics::day_sets::recount_membership_days(&mut tx, &guild_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let lost = dashboard(&t, &olga, "guild").await;
    assert_eq!(lost["figures"]["mau"], 0, "{}", lost["figures"]);
    assert_eq!(lost["figures"]["new_members"], 0);

    // An unknown community is a clear error, and nothing happens.
    let out = rebuild(&t, &["--community", "nosuch"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nosuch"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The operator rebuilds the guild, in another process, while this server runs.
    let out = rebuild(&t, &["--community", "guild"]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.starts_with("Rebuilt guild: "), "{printed}");

    let guild_after = dashboard(&t, &olga, "guild").await;
    for part in [
        "figures",
        "previous",
        "week",
        "daily_active",
        "months",
        "cohorts",
        "acquisition",
    ] {
        assert_eq!(
            guild_after[part], guild_before[part],
            "{part} after the rebuild"
        );
    }
    assert_eq!(guild_after, guild_before, "the whole dashboard");
    assert_eq!(dashboard(&t, &dan, "other").await, other_before);

    // Rebuilding every community again changes nothing.
    let out = rebuild(&t, &[]);
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(printed.lines().count(), 2, "{printed}");
    assert_eq!(dashboard(&t, &olga, "guild").await, guild_before);
    assert_eq!(dashboard(&t, &dan, "other").await, other_before);
}

#[tokio::test]
async fn rebuilding_the_demo_communities_changes_no_figure() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let slugs = t.app.all_community_slugs().await.unwrap();
    assert_eq!(slugs.len(), 2, "{slugs:?}");
    let mut before = Vec::new();
    for slug in &slugs {
        let d = dashboard(&t, &maya, slug).await;
        assert!(
            d["figures"]["mau"].as_i64().unwrap() > 10,
            "{slug}: a lively demo"
        );
        before.push(d);
    }
    for (slug, before) in slugs.iter().zip(before) {
        let rebuilt = t.app.rebuild_analytics(slug).await.unwrap();
        assert!(rebuilt.activities > 1_000, "{rebuilt:?}");
        assert_eq!(dashboard(&t, &maya, slug).await, before, "{slug}");
    }
}
