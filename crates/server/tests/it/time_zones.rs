//! Named time zones: a community's clock for what its managers schedule, a member's clock
//! for their settings.

use serde_json::json;
use townsquare_testkit::TestApp;

#[tokio::test]
async fn a_community_schedules_prompts_on_its_own_clock() {
    let t = TestApp::spawn().await;
    let owner = t.api_user("olga@example.org", "Olga Owner").await;
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Club", "slug": "club", "time_zone": "Mars/Olympus_Mons"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "time_zone");
    let (status, club) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Club", "slug": "club", "time_zone": "Asia/Tokyo"})),
        )
        .await;
    assert_eq!(
        (status, club["time_zone"].as_str()),
        (201, Some("Asia/Tokyo"))
    );
    t.api(
        "POST",
        "/api/v1/communities/club/spaces",
        Some(&owner),
        Some(json!({"name": "General", "slug": "general"})),
    )
    .await;

    // The manager types 09:00 on the prompt form: 09:00 in Tokyo (UTC+9), whatever the
    // browser's or the server's clock says.
    let b = t.browser();
    b.log_in("olga@example.org", "correct horse battery").await;
    let form = b.get("/c/club/prompts").await;
    assert!(form.text().contains("Asia/Tokyo time"), "{}", form.text());
    let day = chrono::DateTime::from_timestamp_micros(t.app.now() + 3 * 86_400_000_000)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let saved = b
        .post(
            "/c/club/prompts",
            &[
                ("space", "general"),
                ("title", "Weekly wins"),
                ("body", "What went well?"),
                ("run_at", &format!("{day}T09:00")),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text());
    assert!(
        saved.text().contains(", 09:00"),
        "listed on the community's clock: {}",
        saved.text()
    );
    let (_, prompts) = t
        .api(
            "GET",
            "/api/v1/communities/club/prompts",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        prompts[0]["run_at"].as_str().unwrap(),
        format!("{day}T00:00:00Z"),
        "{prompts}"
    );

    // Admins change the zone in the settings form; nonsense is refused there too.
    let bad = b
        .post(
            "/c/club/settings",
            &[
                ("name", "Club"),
                ("visibility", "public"),
                ("join_policy", "open"),
                ("accent_color", "#4f46e5"),
                ("time_zone", "Nowhere/Special"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("Nowhere/Special"), "{}", bad.text());
    b.post(
        "/c/club/settings",
        &[
            ("name", "Club"),
            ("visibility", "public"),
            ("join_policy", "open"),
            ("accent_color", "#4f46e5"),
            ("time_zone", "Europe/Lisbon"),
        ],
    )
    .await;
    let (_, club) = t.api("GET", "/api/v1/communities/club", None, None).await;
    assert_eq!(club["time_zone"], "Europe/Lisbon");
}

#[tokio::test]
async fn members_choose_their_time_zone_in_their_settings() {
    let t = TestApp::spawn().await;
    let b = t.signed_up("mia@example.org", "Mia").await;
    let page = b.get("/settings/account").await;
    assert!(
        page.html.contains("<option selected>UTC</option>"),
        "new members start on UTC"
    );
    let bad = b
        .post(
            "/settings/account",
            &[
                ("email", "mia@example.org"),
                ("display_name", "Mia"),
                ("handle", "mia"),
                ("time_zone", "Atlantis/Capital"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.text().contains("Atlantis/Capital"));
    let saved = b
        .post(
            "/settings/account",
            &[
                ("email", "mia@example.org"),
                ("display_name", "Mia"),
                ("handle", "mia"),
                ("time_zone", "America/Sao_Paulo"),
            ],
        )
        .await;
    assert!(saved
        .html
        .contains("<option selected>America/Sao_Paulo</option>"));
}
