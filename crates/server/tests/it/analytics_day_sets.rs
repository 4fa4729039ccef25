//! The dashboard counts with sealed per-day member sets (docs/metrics.md, "How the figures are
//! computed"). A day that is over is sealed the first time a dashboard needs it; recording
//! anything for it afterwards must show in the next dashboard, on this instance and on another
//! one that had the day decoded in memory.

use crate::analytics::{analytics, join, move_to, new_topic, noon, ok};
use serde_json::{json, Value};
use townsquare_app::activity;
use townsquare_app::analytics::PeriodQuery;
use townsquare_app::domain::analytics::{date_of_day, local_day, Day};
use townsquare_app::domain::time_zones::Tz;
use townsquare_app::{Actor, App, Settings};
use townsquare_testkit::TestApp;

#[tokio::test]
async fn a_sealed_day_that_gets_new_activity_is_counted_again_on_every_instance() {
    let t = TestApp::spawn().await;
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let d0 = local_day(t.app.now(), tz) + 1;
    let date = |d: Day| date_of_day(d).to_string();

    move_to(&t, noon(d0, tz));
    let olga = t.api_user("olga@example.org", "Olga").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Club", "slug": "club", "time_zone": "Europe/Berlin"})),
    )
    .await;
    ok(
        &t,
        "POST",
        "/api/v1/communities/club/spaces",
        &olga,
        Some(json!({"name": "Talk", "slug": "talk", "kind": "discussion"})),
    )
    .await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    let ben = t.api_user("ben@example.org", "Ben").await;
    join(&t, &ana, "club").await;
    join(&t, &ben, "club").await;
    new_topic(&t, &ana, "club", "talk", "Hello").await;

    // Ten days later, d0..d0+4 are long over: the first dashboard seals them.
    move_to(&t, noon(d0 + 10, tz));
    let range = format!("period=custom&from={}&to={}", date(d0), date(d0 + 4));
    let figures = |a: &Value| {
        let f = &a["figures"];
        (
            f["participants"].as_i64().unwrap(),
            f["contributors"].as_i64().unwrap(),
            f["members_at_end"].as_i64().unwrap(),
        )
    };
    let first = analytics(&t, &olga, "club", &range).await;
    assert_eq!(figures(&first), (1, 1, 3)); // Ana's topic; Olga, Ana and Ben are members

    // A second instance on the same database, with its own memory, reads the same figures
    // from the sealed days.
    let other = App::new(
        townsquare_app::store::Db::connect(&t.database_url)
            .await
            .unwrap(),
        Settings::for_data_dir(t.data_dir.join("other"), &t.base_url),
        t.app.clock().clone(),
    );
    let olga_id = t.user_id(&olga).await;
    let actor = Actor {
        user_id: olga_id,
        email: "olga@example.org".into(),
        display_name: "Olga".into(),
        handle: "olga".into(),
        superadmin: false,
        time_zone: "Europe/Berlin".into(),
    };
    let query = PeriodQuery {
        kind: "custom".into(),
        from: date(d0),
        to: date(d0 + 4),
        ..Default::default()
    };
    let seen = other.analytics(&actor, "club", &query).await.unwrap();
    assert_eq!(
        (seen.current.participants, seen.current.contributors),
        (1, 1)
    );

    // Ben's reply of d0+2 arrives late (an import, a replayed job): the other instance records
    // it for its own day, which was sealed.
    let community_id = seen.view.community.id.clone();
    let ben_id = t.user_id(&ben).await;
    let mut tx = other.db().begin().await.unwrap();
    activity::record(
        &mut tx,
        Some(&community_id),
        Some(&ben_id),
        "post_created",
        "post",
        "late-reply",
        json!({}),
        noon(d0 + 2, tz),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let seen = other.analytics(&actor, "club", &query).await.unwrap();
    assert_eq!(
        (seen.current.participants, seen.current.contributors),
        (2, 2)
    );
    // The first instance had d0+2 decoded in memory: it must notice the day changed.
    let again = analytics(&t, &olga, "club", &range).await;
    assert_eq!(figures(&again), (2, 2, 3));
    let on = |a: &Value, d: Day| {
        let daily = a["daily_active"].as_array().unwrap();
        let day = daily.iter().find(|x| x["date"] == date(d)).unwrap();
        day["members"].as_i64().unwrap()
    };
    // Ben's late reply made him active on d0+2 too (the range's last day is its as-of day,
    // so the 30 days shown end on d0+4).
    assert_eq!(on(&first, d0 + 2), 0);
    assert_eq!(on(&again, d0 + 2), 1);

    // Leaving counts at once in the members at the end of each later day.
    ok(&t, "POST", "/api/v1/communities/club/leave", &ben, None).await;
    let today = analytics(&t, &olga, "club", "period=day").await;
    assert_eq!(today["figures"]["members_at_end"], 2);
    let before = analytics(&t, &olga, "club", &range).await;
    assert_eq!(figures(&before), (2, 2, 3));
}

#[tokio::test]
async fn a_sealing_waits_for_a_late_write_to_the_same_day_and_counts_it() {
    let t = TestApp::spawn().await;
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let d0 = local_day(t.app.now(), tz) + 1;
    move_to(&t, noon(d0, tz));
    let olga = t.api_user("olga@example.org", "Olga").await;
    ok(
        &t,
        "POST",
        "/api/v1/communities",
        &olga,
        Some(json!({"name": "Club", "slug": "club", "time_zone": "Europe/Berlin"})),
    )
    .await;
    let ana = t.api_user("ana@example.org", "Ana").await;
    join(&t, &ana, "club").await;
    let ana_id = t.user_id(&ana).await;
    let community_id = townsquare_app::store::communities::community_by_slug(t.app.db(), "club")
        .await
        .unwrap()
        .unwrap()
        .id;
    move_to(&t, noon(d0 + 10, tz));

    // An import writes Ana's reply of d0+3 and has not committed yet when d0+3 is sealed
    // (as the worker's sweep or a dashboard on another instance would).
    let late = d0 + 3;
    let mut import = t.app.db().begin().await.unwrap();
    activity::record(
        &mut import,
        Some(&community_id),
        Some(&ana_id),
        "post_created",
        "post",
        "imported-reply",
        json!({}),
        noon(late, tz),
    )
    .await
    .unwrap();
    let sealer = t.app.clone();
    let cid = community_id.clone();
    let sealing = tokio::spawn(async move { sealer.seal_days(&cid, late, late).await });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !sealing.is_finished(),
        "the sealing must wait for the write to its day"
    );
    import.commit().await.unwrap();
    assert_eq!(sealing.await.unwrap().unwrap(), 1, "d0+3 was sealed");

    let day = analytics(
        &t,
        &olga,
        "club",
        &format!(
            "period=custom&from={0}&to={0}",
            date_of_day(late).to_string()
        ),
    )
    .await;
    assert_eq!(day["figures"]["participants"], 1, "Ana's imported reply");
    assert_eq!(day["figures"]["contributors"], 1);
}
