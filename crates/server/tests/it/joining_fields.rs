//! Required profile fields when joining: every way in (open join, approval request, invite
//! link, on the page and in the API) asks for the community's required fields and refuses a
//! join without a valid answer; the answer is saved with the membership and seen per the
//! field's visibility. A member who joined before a field became required is prompted on the
//! community's pages until they answer it, without being blocked from reading.

use crate::discussions::guild;
use crate::member_profiles::{field, user_id};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

/// The required “Role” field (one choice, seen by members) of `guild`; returns its id.
async fn role_field(t: &TestApp, owner: &str) -> String {
    field(
        t,
        owner,
        "guild",
        json!({"label": "Role", "kind": "single_select", "options": ["Maker", "Organiser"],
               "visibility": "members", "required": true}),
    )
    .await
}

async fn join_api(t: &TestApp, token: &str, body: Value) -> (u16, Value) {
    t.api(
        "POST",
        "/api/v1/communities/guild/join",
        Some(token),
        Some(body),
    )
    .await
}

/// The values of the answer to `label` on a member's profile as `viewer` sees it (None: the
/// answer is not shown to them).
async fn seen_answer(t: &TestApp, viewer: &str, member_id: &str, label: &str) -> Option<Value> {
    let (status, profile) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{member_id}/profile"),
            Some(viewer),
            None,
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    profile["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["field"]["label"] == label)
        .map(|a| a["values"].clone())
}

#[tokio::test]
async fn the_api_join_needs_the_required_fields_and_saves_them_with_the_membership() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let role = role_field(&t, &owner).await;
    // An optional field is not asked when joining.
    field(
        &t,
        &owner,
        "guild",
        json!({"label": "Website", "kind": "url", "visibility": "everyone"}),
    )
    .await;
    let sam = t.api_user("sam@example.org", "Sam Smith").await;

    // Anyone who can see the community learns what joining asks.
    let (status, asked) = t
        .api(
            "GET",
            "/api/v1/communities/guild/joining-fields",
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(status, 200, "{asked}");
    assert_eq!(asked["items"].as_array().unwrap().len(), 1, "{asked}");
    assert_eq!(asked["items"][0]["label"], "Role");
    assert_eq!(asked["items"][0]["options"], json!(["Maker", "Organiser"]));

    // Missing: 422 naming the field, and no membership.
    let (status, problem) = join_api(&t, &sam, json!({})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], format!("fields.{role}"));
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Role"),
        "{problem}"
    );
    // Invalid: not one of the choices.
    let (status, problem) = join_api(&t, &sam, json!({"fields": {&role: ["Wizard"]}})).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not one of the choices"));
    let (_, c) = t
        .api("GET", "/api/v1/communities/guild", Some(&sam), None)
        .await;
    assert_eq!(c["member_count"], 1, "refused joins add no member: {c}");

    // Answered: joined, the answer saved.
    let (status, body) = join_api(&t, &sam, json!({"fields": {&role: ["maker"]}})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "joined");
    let sam_id = user_id(&t, &sam).await;
    // Members see it (the field's visibility); someone outside the community does not.
    let ada = member_with_role(&t, "ada@example.org", "Ada Lovelace", &role).await;
    assert_eq!(
        seen_answer(&t, &ada, &sam_id, "Role").await,
        Some(json!(["Maker"]))
    );
    let outsider = t.api_user("out@example.org", "Otto Outsider").await;
    assert_eq!(seen_answer(&t, &outsider, &sam_id, "Role").await, None);
    t.stop().await;
}

/// A member of `guild` who joined answering the required “Role” field.
async fn member_with_role(t: &TestApp, email: &str, name: &str, role: &str) -> String {
    let token = t.api_user(email, name).await;
    let (status, body) = join_api(t, &token, json!({"fields": {role: ["Organiser"]}})).await;
    assert_eq!(status, 200, "{body}");
    token
}

#[tokio::test]
async fn the_join_form_and_an_approval_request_ask_the_required_fields() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let role = role_field(&t, &owner).await;

    // The open join form asks for it; without it the page says why and keeps what was typed.
    let kim = t.signed_up("kim@example.org", "Kim Lee").await;
    let home = kim.get("/c/guild").await;
    assert!(
        home.html.contains(&format!("name=\"f.{role}\"")),
        "{}",
        home.html
    );
    let page = kim.post("/c/guild/join", &[("note", "")]).await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(page.text().contains("You have not joined yet"));
    assert!(
        page.text().contains("“Role” is required."),
        "{}",
        page.text()
    );
    let name = format!("f.{role}");
    let page = kim.post("/c/guild/join", &[(&name, "Organiser")]).await;
    assert!(page.text().contains("Welcome!"), "{}", page.text());
    let kim_id = kim_user_id(&t, "kim@example.org").await;
    assert_eq!(
        seen_answer(&t, &owner, &kim_id, "Role").await,
        Some(json!(["Organiser"]))
    );

    // An approval community: the request needs it too, and the answer waits with it.
    let (status, body) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(&owner),
            Some(json!({"join_policy": "approval"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let lee = t.signed_up("lee@example.org", "Lee Park").await;
    let page = lee.post("/c/guild/join", &[("note", "Hello")]).await;
    assert_eq!(page.status, 422);
    assert!(
        page.text().contains("Your request was not sent"),
        "{}",
        page.text()
    );
    assert!(page.html.contains("value=\"Hello\""), "the note is kept");
    let page = lee
        .post("/c/guild/join", &[("note", "Hello"), (&name, "Maker")])
        .await;
    assert!(
        page.text().contains("Your request is sent"),
        "{}",
        page.text()
    );
    let lee_id = kim_user_id(&t, "lee@example.org").await;
    let (status, _) = t
        .api(
            "POST",
            &format!("/api/v1/communities/guild/requests/{lee_id}/approve"),
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert!(status < 300, "approved: {status}");
    assert_eq!(
        seen_answer(&t, &owner, &lee_id, "Role").await,
        Some(json!(["Maker"]))
    );
    t.stop().await;
}

async fn kim_user_id(t: &TestApp, email: &str) -> String {
    let token = t.token_for(email, townsquare_testkit::PASSWORD).await;
    user_id(t, &token).await
}

#[tokio::test]
async fn an_invite_link_asks_the_required_fields_on_the_page_and_in_the_api() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let role = role_field(&t, &owner).await;
    let (status, link) = t
        .api(
            "POST",
            "/api/v1/communities/guild/invitations",
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let url = link["url"].as_str().unwrap().to_string();
    let token = url.rsplit('/').next().unwrap().to_string();

    // The API: the preview lists the field; accepting without it is 422 and uses nothing up.
    let sam = t.api_user("sam@example.org", "Sam Smith").await;
    let (_, preview) = t
        .api(
            "GET",
            &format!("/api/v1/invitations/{token}"),
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(preview["joining_fields"][0]["label"], "Role", "{preview}");
    let accept = format!("/api/v1/invitations/{token}/accept");
    let (status, problem) = t.api("POST", &accept, Some(&sam), Some(json!({}))).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], format!("fields.{role}"));
    let (status, body) = t
        .api(
            "POST",
            &accept,
            Some(&sam),
            Some(json!({"fields": {&role: ["Maker"]}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["outcome"], "joined");
    let sam_id = user_id(&t, &sam).await;
    assert_eq!(
        seen_answer(&t, &owner, &sam_id, "Role").await,
        Some(json!(["Maker"]))
    );

    // The page: the form asks it; a refused join comes back with the field's error.
    let kim = t.signed_up("kim@example.org", "Kim Lee").await;
    let page = kim.get(&format!("/invite/{token}")).await;
    assert!(
        page.html.contains(&format!("name=\"f.{role}\"")),
        "{}",
        page.html
    );
    let page = kim.post(&format!("/invite/{token}"), &[]).await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(
        page.text().contains("“Role” is required."),
        "{}",
        page.text()
    );
    let name = format!("f.{role}");
    let page = kim
        .post(&format!("/invite/{token}"), &[(&name, "Organiser")])
        .await;
    assert!(page.text().contains("Welcome to Guild!"), "{}", page.text());
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/invitations",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        list["links"][0]["use_count"], 2,
        "refused joins used nothing: {list}"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_member_from_before_a_field_became_required_is_prompted_until_they_answer() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = t.signed_up("ada@example.org", "Ada Lovelace").await;
    assert_eq!(ada.post("/c/guild/join", &[]).await.status, 200);
    let home = ada.get("/c/guild").await;
    assert!(!home.text().contains("now asks every member"));

    let role = role_field(&t, &owner).await;
    // Every community page prompts her, linking to the form; reading is not blocked.
    for path in ["/c/guild", "/c/guild/s/help", "/c/guild/members"] {
        let page = ada.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.text()
                .contains("Guild now asks every member for “Role”"),
            "{path}: {}",
            page.text()
        );
        assert!(page.html.contains("href=\"/c/guild/profile\""), "{path}");
    }
    let name = format!("f.{role}");
    let page = ada.post("/c/guild/profile", &[(&name, "Maker")]).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let home = ada.get("/c/guild").await;
    assert!(
        !home.text().contains("now asks every member"),
        "{}",
        home.text()
    );
    // Someone joining after the field exists answers it when joining, so is never prompted.
    let sam = member_with_role_browser(&t, &role).await;
    assert!(!sam
        .get("/c/guild")
        .await
        .text()
        .contains("now asks every member"));
    t.stop().await;
}

async fn member_with_role_browser(t: &TestApp, role: &str) -> townsquare_testkit::Browser {
    let b = t.signed_up("sam@example.org", "Sam Smith").await;
    let name = format!("f.{role}");
    let page = b.post("/c/guild/join", &[(&name, "Maker")]).await;
    assert!(page.text().contains("Welcome!"), "{}", page.text());
    b
}

/// Answers to every field joining `slug` asks (the first choice of a select, a word or a
/// web address otherwise), for tests that join a community with required fields (the demo's).
pub(crate) async fn joining_answers(t: &TestApp, token: &str, slug: &str) -> Value {
    let (status, asked) = t
        .api(
            "GET",
            &format!("/api/v1/communities/{slug}/joining-fields"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{asked}");
    let mut answers = serde_json::Map::new();
    for f in asked["items"].as_array().unwrap() {
        let value = match f["kind"].as_str().unwrap() {
            "single_select" | "multi_select" => f["options"][0].clone(),
            "url" => json!("https://example.org"),
            _ => json!("Testing"),
        };
        answers.insert(f["id"].as_str().unwrap().to_string(), json!([value]));
    }
    Value::Object(answers)
}

#[tokio::test]
async fn the_demo_guild_asks_its_role_and_its_members_answered_it() {
    let t = TestApp::spawn().await;
    t.app.seed_demo().await.expect("demo");
    let probe = t.api_user("probe@example.org", "Probe").await;
    let (status, asked) = t
        .api(
            "GET",
            "/api/v1/communities/open-source-guild/joining-fields",
            Some(&probe),
            None,
        )
        .await;
    assert_eq!(status, 200, "{asked}");
    assert_eq!(asked["items"][0]["label"], "Role", "{asked}");
    // Demo members answered it: Priya is not prompted.
    let priya = t.browser();
    priya
        .log_in(
            "priya@demo.townsquare.test",
            townsquare_app::demo::DEMO_PASSWORD,
        )
        .await;
    let home = priya.get("/c/open-source-guild").await;
    assert_eq!(home.status, 200);
    assert!(!home.text().contains("now asks every member"));
    t.stop().await;
}
