//! Membership tiers: admins define tiers and the spaces they unlock; a tier-only space is
//! closed (pages, API, search, topic lists) to members without an active tier and opens
//! with one; expiry closes it again; reminders go out once each; a renewal moves the end and
//! keeps access; churn counts the ends due and those not renewed.

use serde_json::{json, Value};
use townsquare_testkit::{TestApp, PASSWORD};

const DAY: i64 = 24 * 60 * 60 * 1_000_000;
const HOUR: i64 = 60 * 60 * 1_000_000;

/// The owner's token for a public, open community `club` with a discussion space `lounge`
/// (everyone) and `backstage` (members), where the owner started "Rehearsal notes".
async fn club(t: &TestApp) -> String {
    let owner = t.api_user("owner@example.org", "Olga Owner").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&owner),
            Some(json!({"name": "Club", "slug": "club", "join_policy": "open"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for (name, slug, visibility) in [
        ("Lounge", "lounge", "everyone"),
        ("Backstage", "backstage", "members"),
    ] {
        let (status, body) = t
            .api(
                "POST",
                "/api/v1/communities/club/spaces",
                Some(&owner),
                Some(json!({"name": name, "slug": slug, "kind": "discussion", "visibility": visibility})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/backstage/topics",
            Some(&owner),
            Some(json!({"title": "Rehearsal notes", "body": "The setlist for the zeppelin tour."})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    owner
}

async fn join(t: &TestApp, email: &str, name: &str) -> String {
    let token = t.api_user(email, name).await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/club/join",
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn create_tier(t: &TestApp, owner: &str, body: Value) -> Value {
    let (status, tier) = t
        .api(
            "POST",
            "/api/v1/communities/club/tiers",
            Some(owner),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{tier}");
    tier
}

/// "Pro": a year, unlocking `backstage`, reminders 14 and 3 days ahead (the default).
async fn pro(t: &TestApp, owner: &str) -> String {
    let tier = create_tier(
        t,
        owner,
        json!({"name": "Pro", "price_label": "€60 / year", "benefits": "Rehearsals", "period_months": 12, "spaces": ["backstage"]}),
    )
    .await;
    tier["id"].as_str().unwrap().to_string()
}

/// The date `days` from the test clock's today (UTC, the community's time zone).
fn date_in(t: &TestApp, days: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t.app.now() + days * DAY)
        .unwrap()
        .date_naive()
        .to_string()
}

async fn assign(t: &TestApp, owner: &str, user: &str, tier: &str, expires_on: &str) -> Value {
    let (status, body) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/club/members/{user}/tier"),
            Some(owner),
            Some(json!({"tier": tier, "expires_on": expires_on})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_string())
        .collect()
}

/// What the member can reach of the backstage space, by every road: (space topics API,
/// topic API, search, community topic list, spaces list, space page, topic page).
async fn reach(t: &TestApp, token: &str, email: &str, topic: &str) -> [bool; 7] {
    let (topics, _) = t
        .api(
            "GET",
            "/api/v1/communities/club/spaces/backstage/topics",
            Some(token),
            None,
        )
        .await;
    let (one, _) = t
        .api("GET", &format!("/api/v1/topics/{topic}"), Some(token), None)
        .await;
    let (status, hits) = t
        .api(
            "GET",
            "/api/v1/communities/club/search?q=zeppelin",
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{hits}");
    let found = hits
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["topic_id"] == topic);
    let (status, list) = t
        .api("GET", "/api/v1/communities/club/topics", Some(token), None)
        .await;
    assert_eq!(status, 200, "{list}");
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["id"] == topic);
    let (status, spaces) = t
        .api("GET", "/api/v1/communities/club/spaces", Some(token), None)
        .await;
    assert_eq!(status, 200, "{spaces}");
    let in_spaces = spaces.to_string().contains("\"backstage\"");
    let browser = t.browser();
    browser.log_in(email, PASSWORD).await;
    let page = browser.get("/c/club/s/backstage").await;
    let topic_page = browser.get(&format!("/c/club/t/{topic}")).await;
    [
        topics == 200,
        one == 200,
        found,
        listed,
        in_spaces,
        page.status == 200,
        topic_page.status == 200,
    ]
}

async fn backstage_topic(t: &TestApp, owner: &str) -> String {
    let (status, body) = t
        .api(
            "GET",
            "/api/v1/communities/club/spaces/backstage/topics",
            Some(owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"][0]["id"].as_str().unwrap().to_string()
}

async fn mine_community_id(t: &TestApp, token: &str) -> String {
    let (status, c) = t
        .api("GET", "/api/v1/communities/club", Some(token), None)
        .await;
    assert_eq!(status, 200, "{c}");
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tiers_are_checked_field_by_field_and_only_admins_manage_them() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let member = join(&t, "ada@example.org", "Ada Lovelace").await;

    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/club/tiers",
            Some(&owner),
            Some(json!({"name": " ", "period_months": 0, "reminder_days": [100], "spaces": ["nowhere"]})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        fields(&problem),
        ["name", "period_months", "reminder_days", "spaces"]
    );

    let tier = create_tier(
        &t,
        &owner,
        json!({"name": "Supporter", "price_label": "€5 / month", "benefits": "**Thanks!**", "period_months": 1, "reminder_days": [3, 7], "spaces": []}),
    )
    .await;
    assert_eq!(tier["reminder_days"], json!([7, 3]));
    assert_eq!(tier["period_months"], 1);
    let id = tier["id"].as_str().unwrap();

    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/club/tiers",
            Some(&owner),
            Some(json!({"name": "Supporter"})),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(fields(&problem), ["name"]);

    // Members neither see nor change the admins' list.
    let (status, _) = t
        .api("GET", "/api/v1/communities/club/tiers", Some(&member), None)
        .await;
    assert_eq!(status, 403);
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/club/tiers",
            Some(&member),
            Some(json!({"name": "Mine"})),
        )
        .await;
    assert_eq!(status, 403);

    let (status, changed) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/club/tiers/{id}"),
            Some(&owner),
            Some(json!({"name": "Supporter", "price_label": "€6 / month", "period_months": null, "spaces": ["backstage"]})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["period_months"], Value::Null);
    assert_eq!(changed["spaces"][0]["slug"], "backstage");
    let (status, archived) = t
        .api(
            "POST",
            &format!("/api/v1/communities/club/tiers/{id}/archive"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{archived}");
    assert_eq!(archived["archived"], true);
    // An archived tier is no longer given.
    let ada = t.user_id(&member).await;
    let (status, problem) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/club/members/{ada}/tier"),
            Some(&owner),
            Some(json!({"tier": id})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["tier"]);

    // The page: a bad form comes back with the field's message, a good one lists the tier.
    let browser = t.browser();
    browser.log_in("owner@example.org", PASSWORD).await;
    browser.get("/c/club/settings/tiers").await;
    let page = browser
        .post(
            "/c/club/settings/tiers",
            &[
                ("name", "Pro"),
                ("period_months", "twelve"),
                ("reminder_days", "14, 3"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text()
            .contains("Give the period as a number of months"),
        "{}",
        page.text()
    );
    let page = browser
        .post(
            "/c/club/settings/tiers",
            &[
                ("name", "Pro"),
                ("price_label", "€60 / year"),
                ("period_months", "12"),
                ("reminder_days", "14, 3"),
                ("spaces", "backstage"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Tier “Pro” created."),
        "{}",
        page.text()
    );
    assert!(page.text().contains("€60 / year"));
}

#[tokio::test]
async fn a_tier_space_is_for_holders_and_closes_when_the_tier_expires() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let topic = backstage_topic(&t, &owner).await;
    let tier = pro(&t, &owner).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;
    let bob = join(&t, "bob@example.org", "Bob Builder").await;
    let ada_id = t.user_id(&ada).await;

    // Without a tier the space is not there, by any road, and nobody can post in it.
    assert_eq!(reach(&t, &bob, "bob@example.org", &topic).await, [false; 7]);
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/backstage/topics",
            Some(&bob),
            Some(json!({"title": "Let me in", "body": "Please."})),
        )
        .await;
    assert_eq!(status, 404);
    // Staff keep it.
    assert_eq!(
        reach(&t, &owner, "owner@example.org", &topic).await,
        [true; 7]
    );

    // With the tier, Ada reads and posts; Bob still does not.
    let term = assign(&t, &owner, &ada_id, &tier, &date_in(&t, 10)).await;
    assert_eq!(term["status"], "active");
    assert_eq!(term["expires_on"], date_in(&t, 10));
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [true; 7]);
    assert_eq!(reach(&t, &bob, "bob@example.org", &topic).await, [false; 7]);
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/club/spaces/backstage/topics",
            Some(&ada),
            Some(json!({"title": "Encore ideas", "body": "Two more songs?"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, mine) = t
        .api(
            "GET",
            "/api/v1/communities/club/membership",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(mine["tier"]["tier"], "Pro");

    // Past the end: closed at once, before any sweep has run.
    t.app.clock().advance(11 * DAY);
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);
    // The sweep records the expiry once.
    assert_eq!(t.app.expire_tiers().await.unwrap(), 1);
    assert_eq!(t.app.expire_tiers().await.unwrap(), 0);
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/club/membership",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(mine["tier"]["status"], "expired");
    // The activity log holds the start and the expiry, once each, for analytics.
    let club_id = mine_community_id(&t, &owner).await;
    for verb in ["tier_started", "tier_expired"] {
        let n = townsquare_app::store::activity::count_verb(t.app.db(), &club_id, verb)
            .await
            .unwrap();
        assert_eq!(n, 1, "{verb}");
    }
}

#[tokio::test]
async fn reminders_go_out_once_each_and_a_renewal_keeps_the_space_open() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let topic = backstage_topic(&t, &owner).await;
    let tier = pro(&t, &owner).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let end = date_in(&t, 20);
    assign(&t, &owner, &ada_id, &tier, &end).await;

    let reminders = || async {
        t.app
            .mail_to("ada@example.org")
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject == format!("Your Pro membership ends on {end}"))
            .collect::<Vec<_>>()
    };

    // 20 days ahead: nothing yet.
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    // 13 days ahead: the 14-day reminder, once however often the sweep runs.
    t.app.clock().advance(7 * DAY);
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (1, 0));
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    let sent = reminders().await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0]
        .body_text
        .contains("Your Pro (€60 / year) membership of Club ends on"));
    assert!(
        sent[0].body_text.contains("in 13 days"),
        "{}",
        sent[0].body_text
    );
    // 3 days ahead: the second reminder, once.
    t.app.clock().advance(10 * DAY);
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (1, 0));
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    assert_eq!(reminders().await.len(), 2);

    // The admin records the renewal: a year on from the old end.
    let (status, renewed) = t
        .api(
            "POST",
            &format!("/api/v1/communities/club/members/{ada_id}/tier/renewals"),
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{renewed}");
    let old_end = chrono::NaiveDate::parse_from_str(&end, "%Y-%m-%d").unwrap();
    let new_end = old_end
        .checked_add_months(chrono::Months::new(12))
        .unwrap()
        .to_string();
    assert_eq!(renewed["expires_on"], new_end);
    assert_eq!(renewed["renewals"].as_array().unwrap().len(), 1);
    assert_eq!(renewed["renewals"][0]["previous_expires_on"], end);

    // Past the old end: still active, still open, nothing expired, no more reminders.
    t.app.clock().advance(4 * DAY + HOUR);
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [true; 7]);
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/club/membership",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(mine["tier"]["status"], "active");
    assert_eq!(reminders().await.len(), 2);

    // A bad renewal date is a 422 naming the field; ending the tier closes the space.
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/communities/club/members/{ada_id}/tier/renewals"),
            Some(&owner),
            Some(json!({"expires_on": "2001-01-01"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["expires_on"]);
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/communities/club/members/{ada_id}/tier"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);
}

#[tokio::test]
async fn membership_churn_is_not_renewed_over_due() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let pro = pro(&t, &owner).await;
    let life = create_tier(
        &t,
        &owner,
        json!({"name": "Lifetime", "spaces": ["backstage"]}),
    )
    .await;
    let life = life["id"].as_str().unwrap().to_string();
    let (from, to) = (date_in(&t, 0), date_in(&t, 9));

    // Five members: ends on day 5 (renewed), day 5 (lapses), day 8 (still active when
    // counted), day 40 (outside the period), and a tier without end.
    let mut ids = Vec::new();
    for (email, name) in [
        ("a@example.org", "An A"),
        ("b@example.org", "Bea B"),
        ("c@example.org", "Cy C"),
        ("d@example.org", "Di D"),
        ("e@example.org", "Ed E"),
    ] {
        let token = join(&t, email, name).await;
        ids.push(t.user_id(&token).await);
    }
    assign(&t, &owner, &ids[0], &pro, &date_in(&t, 5)).await;
    assign(&t, &owner, &ids[1], &pro, &date_in(&t, 5)).await;
    assign(&t, &owner, &ids[2], &pro, &date_in(&t, 8)).await;
    assign(&t, &owner, &ids[3], &pro, &date_in(&t, 40)).await;
    assign(&t, &owner, &ids[4], &life, "").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/club/members/{}/tier/renewals", ids[0]),
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    t.app.clock().advance(6 * DAY);
    assert_eq!(t.app.expire_tiers().await.unwrap(), 1);

    let (status, churn) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/tier-churn?from={from}&to={to}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{churn}");
    // Due: A's old end, B's end, C's end = 3. Not renewed: B = 1. Churn 1 ÷ 3.
    assert_eq!(
        (churn["due"].as_i64(), churn["not_renewed"].as_i64()),
        (Some(3), Some(1))
    );
    assert!((churn["churn"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    // The dashboard's figures for the same custom period say the same.
    let (status, a) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/analytics?period=custom&from={from}&to={to}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["figures"]["tiers_due"], 3);
    assert_eq!(a["figures"]["tiers_not_renewed"], 1);
    assert!((a["figures"]["membership_churn"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    // The period before had no term due: no churn to report, not a zero.
    assert!(a["previous"]["membership_churn"].is_null(), "{a}");

    let (status, problem) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/tier-churn?from={to}&to={from}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["from"]);
}

#[tokio::test]
async fn the_demo_guild_has_tiers_a_tier_only_space_and_members_on_each_side() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let maya = t.demo_token("maya@demo.townsquare.test").await;
    let priya = t.demo_token("priya@demo.townsquare.test").await;

    let (status, tiers) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/tiers",
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{tiers}");
    let names: Vec<&str> = tiers
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Lifetime patron",
            "Pro member",
            "Supporter",
            "Founding member"
        ]
    );
    assert_eq!(tiers[1]["spaces"][0]["slug"], "maintainers-circle");
    assert_eq!(tiers[3]["archived"], true);

    let (status, terms) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/tier-members",
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{terms}");
    let terms = terms.as_array().unwrap();
    let soon = date_in(&t, 14);
    let count = |f: &dyn Fn(&Value) -> bool| terms.iter().filter(|t| f(t)).count();
    // One Pro member has a downgrade to Supporter scheduled, three weeks ahead.
    let in_three_weeks = date_in(&t, 21);
    assert_eq!(
        count(&|t| t["tier"] == "Pro member"
            && t["scheduled_change"]["tier"] == "Supporter"
            && t["scheduled_change"]["starts_on"] == in_three_weeks.as_str()),
        1,
        "{terms:?}"
    );
    assert!(count(&|t| t["status"] == "active") >= 15, "{terms:?}");
    assert!(count(&|t| t["status"] == "expired") >= 3, "{terms:?}");
    // Expired terms ended in the past; active ones end ahead (or never).
    let today = date_in(&t, 0);
    assert_eq!(
        count(&|t| t["status"] == "expired"
            && t["expires_on"].as_str().is_some_and(|d| d > today.as_str())),
        0,
        "{terms:?}"
    );
    assert!(
        count(&|t| t["status"] == "active"
            && t["expires_on"].as_str().is_some_and(|d| d <= soon.as_str()))
            >= 2,
        "{terms:?}"
    );

    // Priya, the member login, holds Pro (ending within two weeks) and reads the circle.
    let (status, mine) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/membership",
            Some(&priya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["tier"]["tier"], "Pro member");
    assert_eq!(mine["tier"]["status"], "active");
    let circle = "/api/v1/communities/open-source-guild/spaces/maintainers-circle/topics";
    let (status, topics) = t.api("GET", circle, Some(&priya), None).await;
    assert_eq!(status, 200, "{topics}");
    assert_eq!(topics["items"].as_array().unwrap().len(), 3);
    // Someone who just joined does not.
    let probe = join_guild(&t).await;
    let (status, _) = t.api("GET", circle, Some(&probe), None).await;
    assert_eq!(status, 404);

    // The renewal history and a churn worth reading over the last year.
    let (status, churn) = t
        .api(
            "GET",
            &format!(
                "/api/v1/communities/open-source-guild/tier-churn?from={}&to={}",
                date_in(&t, -365),
                date_in(&t, 0)
            ),
            Some(&maya),
            None,
        )
        .await;
    assert_eq!(status, 200, "{churn}");
    let (due, lost) = (
        churn["due"].as_i64().unwrap(),
        churn["not_renewed"].as_i64().unwrap(),
    );
    assert!(due > lost && lost >= 3, "{churn}");

    let browser = t.browser();
    browser
        .log_in(
            "maya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let page = browser.get("/c/open-source-guild/settings/tiers").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Lifetime patron"), "{}", page.text());
    assert!(page.text().contains("€60 / year"));
}

async fn join_guild(t: &TestApp) -> String {
    let token = t.api_user("probe@example.org", "Probe").await;
    let role = crate::joining_fields::joining_answers(t, &token, "open-source-guild").await;
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/open-source-guild/join",
            Some(&token),
            Some(json!({"accept_guidelines": true, "fields": role})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    token
}

async fn change(t: &TestApp, token: &str, user: &str, body: Value) -> (u16, Value) {
    t.api(
        "POST",
        &format!("/api/v1/communities/club/members/{user}/tier/change"),
        Some(token),
        Some(body),
    )
    .await
}

/// "Basic": a month, no spaces.
async fn basic(t: &TestApp, owner: &str) -> String {
    let tier = create_tier(
        t,
        owner,
        json!({"name": "Basic", "price_label": "€5 / month", "benefits": "The newsletter", "period_months": 1}),
    )
    .await;
    tier["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_tier_change_switches_access_at_once_shows_in_the_timeline_and_is_not_churn() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let pro = pro(&t, &owner).await;
    let basic = basic(&t, &owner).await;
    let topic = backstage_topic(&t, &owner).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let (from, to) = (date_in(&t, 0), date_in(&t, 9));
    // Basic until day 5: no backstage.
    assign(&t, &owner, &ada_id, &basic, &date_in(&t, 5)).await;
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);

    // Refused changes: the same tier, a start more than two years ahead, by a member.
    let (status, problem) = change(&t, &owner, &ada_id, json!({"tier": basic})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["tier"]);
    let (status, problem) = change(
        &t,
        &owner,
        &ada_id,
        json!({"tier": pro, "starts_on": date_in(&t, 750)}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["starts_on"]);
    let (status, _) = change(&t, &ada, &ada_id, json!({"tier": pro})).await;
    assert_eq!(status, 403);

    // The upgrade: Pro from today for a year; backstage opens at once, by every road.
    let (status, term) = change(&t, &owner, &ada_id, json!({"tier": pro})).await;
    assert_eq!(status, 200, "{term}");
    assert_eq!(term["tier"], "Pro", "{term}");
    assert_eq!(term["status"], "active");
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [true; 7]);

    // Basic's end (day 5) came and went: the upgrade is not a tier not renewed.
    t.app.clock().advance(6 * DAY);
    assert_eq!(t.app.expire_tiers().await.unwrap(), 0);
    let (status, churn) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/tier-churn?from={from}&to={to}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{churn}");
    assert_eq!(
        (churn["due"].as_i64(), churn["not_renewed"].as_i64()),
        (Some(0), Some(0)),
        "{churn}"
    );
    let (_, a) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/analytics?period=custom&from={from}&to={to}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(a["figures"]["tiers_not_renewed"], 0, "{a}");
    assert!(a["figures"]["membership_churn"].is_null(), "{a}");

    // The downgrade closes backstage again at once.
    let (status, term) = change(&t, &owner, &ada_id, json!({"tier": basic})).await;
    assert_eq!(status, 200, "{term}");
    assert_eq!(term["tier"], "Basic");
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);

    // Both changes are in her member 360 timeline, said from her side.
    let olga = t.browser();
    olga.log_in("owner@example.org", PASSWORD).await;
    let page = olga
        .get(&format!("/c/club/members/{ada_id}/360?kind=membership"))
        .await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("changed membership tier"), "{text}");
    assert!(text.contains("Basic → Pro"), "{text}");
    assert!(text.contains("Pro → Basic"), "{text}");
    t.stop().await;
}

#[tokio::test]
async fn members_see_the_tiers_and_ask_for_a_change_which_admins_are_told_of() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let pro = pro(&t, &owner).await;
    let basic = basic(&t, &owner).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    assign(&t, &owner, &ada_id, &basic, "").await;

    // The Membership page: every tier on offer with its benefits, hers marked, her dates.
    let browser = t.browser();
    browser.log_in("ada@example.org", PASSWORD).await;
    let page = browser.get("/c/club/membership").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    for expected in [
        "Pro",
        "€60 / year",
        "Rehearsals",
        "Unlocks: Backstage",
        "Basic",
        "Your tier",
        &date_in(&t, 0),
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    // Asking for the tier she holds is refused on the form.
    let page = browser
        .post("/c/club/membership/request", &[("tier", &basic)])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.html.contains("id=\"tier-error\""), "{}", page.html);
    let page = browser
        .post(
            "/c/club/membership/request",
            &[("tier", &pro), ("message", "Happy to pay yearly")],
        )
        .await;
    assert!(
        page.text().contains("Your request is sent"),
        "{}",
        page.text()
    );
    let (status, list) = t
        .api("GET", "/api/v1/notifications", Some(&owner), None)
        .await;
    assert_eq!(status, 200, "{list}");
    let notice = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "tier_change_requested")
        .expect("the owner is told")
        .clone();
    assert_eq!(notice["actor_name"], "Ada Lovelace");
    assert_eq!(notice["excerpt"], "from Basic to Pro: Happy to pay yearly");

    // The API: the tiers for members, the request; not for people outside.
    let (status, tiers) = t
        .api(
            "GET",
            "/api/v1/communities/club/membership/tiers",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(status, 200, "{tiers}");
    assert_eq!(tiers.as_array().unwrap().len(), 2);
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/communities/club/membership/change-requests",
            Some(&ada),
            Some(json!({"tier": pro})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let outsider = t.api_user("out@example.org", "Otto Outsider").await;
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/club/membership/tiers",
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // The admin changes it on the tiers page.
    let olga = t.browser();
    olga.log_in("owner@example.org", PASSWORD).await;
    let page = olga
        .post(
            &format!("/c/club/members/{ada_id}/tier/change"),
            &[("tier", &pro)],
        )
        .await;
    assert!(
        page.text().contains("Ada Lovelace now holds Pro"),
        "{}",
        page.text()
    );
    let page = olga
        .post(
            &format!("/c/club/members/{ada_id}/tier/change"),
            &[("tier", &pro)],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("The tier was not changed."),
        "{}",
        page.text()
    );
    let page = browser.get("/c/club/membership").await;
    assert!(page.text().contains("Pro Your tier"), "{}", page.text());
    t.stop().await;
}

#[tokio::test]
async fn new_tiers_take_the_communitys_default_reminder_days() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let (status, d) = t
        .api(
            "GET",
            "/api/v1/communities/club/tier-defaults",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["reminder_days"], json!([14, 3]), "the built-in default");
    let put = |days: Value| {
        let t = &t;
        let owner = owner.clone();
        async move {
            t.api(
                "PUT",
                "/api/v1/communities/club/tier-defaults",
                Some(&owner),
                Some(json!({ "reminder_days": days })),
            )
            .await
        }
    };
    let (status, problem) = put(json!([200])).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["reminder_days"]);
    let (status, d) = put(json!([7, 30, 1])).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["reminder_days"], json!([30, 7, 1]));

    // A tier created without reminder days gets the default; one with its own keeps them.
    let plain = create_tier(&t, &owner, json!({"name": "Plain", "period_months": 12})).await;
    assert_eq!(plain["reminder_days"], json!([30, 7, 1]), "{plain}");
    let own = create_tier(
        &t,
        &owner,
        json!({"name": "Own", "period_months": 12, "reminder_days": [2]}),
    )
    .await;
    assert_eq!(own["reminder_days"], json!([2]));
    let member = join(&t, "ada@example.org", "Ada").await;
    let (status, _) = t
        .api(
            "GET",
            "/api/v1/communities/club/tier-defaults",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(status, 403);

    // The page: the setting, and the new-tier form starts from it.
    let olga = t.browser();
    olga.log_in("owner@example.org", PASSWORD).await;
    let page = olga
        .post(
            "/c/club/settings/tiers/defaults",
            &[("reminder_days", "soon")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.html.contains("id=\"default_reminder_days-error\""),
        "{}",
        page.html
    );
    let page = olga
        .post(
            "/c/club/settings/tiers/defaults",
            &[("reminder_days", "21, 5")],
        )
        .await;
    assert!(
        page.text()
            .contains("New tiers remind holders 21, 5 days before their end."),
        "{}",
        page.text()
    );
    assert!(
        page.html
            .contains("id=\"reminder_days\" name=\"reminder_days\" value=\"21, 5\""),
        "the new-tier form starts from the default: {}",
        page.html
    );
    let page = olga
        .post(
            "/c/club/settings/tiers",
            &[
                ("name", "Formed"),
                ("period_months", "12"),
                ("reminder_days", "21, 5"),
            ],
        )
        .await;
    assert!(
        page.text().contains("Tier “Formed” created."),
        "{}",
        page.text()
    );
    // Existing tiers keep their days.
    let (_, tiers) = t
        .api("GET", "/api/v1/communities/club/tiers", Some(&owner), None)
        .await;
    let days_of = |name: &str| {
        tiers
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap()["reminder_days"]
            .clone()
    };
    assert_eq!(days_of("Plain"), json!([30, 7, 1]), "{tiers}");
    assert_eq!(days_of("Formed"), json!([21, 5]));
    t.stop().await;
}

#[tokio::test]
async fn a_change_dated_later_is_scheduled_switches_on_its_date_and_can_be_cancelled() {
    let t = TestApp::spawn().await;
    let owner = club(&t).await;
    let pro = pro(&t, &owner).await;
    let basic = basic(&t, &owner).await;
    let topic = backstage_topic(&t, &owner).await;
    let ada = join(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = t.user_id(&ada).await;
    let bob = join(&t, "bob@example.org", "Bob Builder").await;
    let bob_id = t.user_id(&bob).await;
    // Pro for a year, by the tier's period.
    assign(&t, &owner, &ada_id, &pro, "").await;

    // Bad dates: not a date, more than two years ahead.
    for bad in ["2026-13-01", &date_in(&t, 800)] {
        let (status, problem) = change(
            &t,
            &owner,
            &ada_id,
            json!({"tier": basic, "starts_on": bad}),
        )
        .await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(fields(&problem), ["starts_on"], "{bad}");
    }

    // A downgrade to Basic in 10 days: scheduled; Pro and backstage stay until then.
    let on = date_in(&t, 10);
    let (status, term) = change(&t, &owner, &ada_id, json!({"tier": basic, "starts_on": on})).await;
    assert_eq!(status, 200, "{term}");
    assert_eq!(term["tier"], "Pro", "{term}");
    assert_eq!(term["status"], "active");
    assert_eq!(term["expires_on"], on.as_str());
    assert_eq!(term["scheduled_change"]["tier"], "Basic");
    assert_eq!(term["scheduled_change"]["starts_on"], on.as_str());
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [true; 7]);
    let ada_browser = t.browser();
    ada_browser.log_in("ada@example.org", PASSWORD).await;
    let mine = ada_browser.get("/c/club/membership").await.text();
    assert!(
        mine.contains(&format!("Changes to Basic on {on}")),
        "{mine}"
    );
    let olga = t.browser();
    olga.log_in("owner@example.org", PASSWORD).await;
    let admin = olga.get("/c/club/settings/tiers").await.text();
    assert!(
        admin.contains(&format!("Changes to Basic on {on}")),
        "{admin}"
    );

    // One change at a time; no renewal of a term that ends in a change.
    let (status, problem) = change(
        &t,
        &owner,
        &ada_id,
        json!({"tier": basic, "starts_on": date_in(&t, 5)}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["tier"]);
    let (status, problem) = t
        .api(
            "POST",
            &format!("/api/v1/communities/club/members/{ada_id}/tier/renewals"),
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // Pro's end is now the change: no reminder goes out for it (14 days ahead would be due).
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));

    // The date comes: access switches without the sweep; the page shows Basic.
    t.app.clock().advance(10 * DAY + HOUR);
    assert_eq!(reach(&t, &ada, "ada@example.org", &topic).await, [false; 7]);
    let (status, now) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/members/{ada_id}/tier"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{now}");
    assert_eq!(now["tier"]["tier"], "Basic", "{now}");
    assert_eq!(now["tier"]["scheduled_change"], Value::Null);
    // The sweep settles it once: Pro was changed, not expired; one tier_changed.
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    assert_eq!(t.app.run_tier_sweep().await.unwrap(), (0, 0));
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM activities WHERE verb = 'tier_changed' AND object_id = $1",
            &ada_id
        )
        .await,
        1
    );
    assert_eq!(
        t.db_count(
            "SELECT COUNT(*) FROM member_tiers WHERE user_id = $1 AND status = 'changed'",
            &ada_id
        )
        .await,
        1
    );
    let page = olga
        .get(&format!("/c/club/members/{ada_id}/360?kind=membership"))
        .await
        .text();
    assert_eq!(page.matches("changed membership tier").count(), 1, "{page}");
    assert!(
        page.contains("had a membership tier change scheduled (by Olga Owner): Pro → Basic"),
        "{page}"
    );

    // Cancelling: Bob's Pro ends as it did before the change was scheduled.
    let term = assign(&t, &owner, &bob_id, &pro, "").await;
    let bob_end = term["expires_on"].clone();
    let (status, term) = change(
        &t,
        &owner,
        &bob_id,
        json!({"tier": basic, "starts_on": date_in(&t, 20)}),
    )
    .await;
    assert_eq!(status, 200, "{term}");
    let page = olga
        .post(&format!("/c/club/members/{bob_id}/tier/change/cancel"), &[])
        .await;
    assert!(
        page.text()
            .contains("The scheduled change is cancelled: Bob Builder keeps Pro."),
        "{}",
        page.text()
    );
    let (status, term) = t
        .api(
            "GET",
            &format!("/api/v1/communities/club/members/{bob_id}/tier"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(term["tier"]["expires_on"], bob_end, "{term}");
    assert_eq!(term["tier"]["scheduled_change"], Value::Null);
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/communities/club/members/{bob_id}/tier/change"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 404);
    // Past its date, Bob still holds Pro.
    t.app.clock().advance(21 * DAY);
    t.app.run_tier_sweep().await.unwrap();
    assert_eq!(reach(&t, &bob, "bob@example.org", &topic).await, [true; 7]);
    t.stop().await;
}
