//! Member profiles: a member's own details (Markdown bio sanitized, links and interests
//! validated, privacy choices), the custom fields admins define, answers checked by kind, and
//! who sees which answer (everyone, members, admins) on the profile page and in the API.

use crate::discussions::{guild, member};
use serde_json::{json, Value};
use townsquare_testkit::TestApp;

pub(crate) async fn user_id(t: &TestApp, token: &str) -> String {
    let (status, me) = t.api("GET", "/api/v1/me", Some(token), None).await;
    assert_eq!(status, 200, "{me}");
    me["id"].as_str().unwrap().to_string()
}

/// Defines a field in `slug` as its owner; returns the field's id.
pub(crate) async fn field(t: &TestApp, owner: &str, slug: &str, body: Value) -> String {
    let (status, f) = t
        .api(
            "POST",
            &format!("/api/v1/communities/{slug}/profile-fields"),
            Some(owner),
            Some(body),
        )
        .await;
    assert_eq!(status, 201, "{f}");
    f["id"].as_str().unwrap().to_string()
}

pub(crate) async fn answer(t: &TestApp, token: &str, slug: &str, answers: Value) {
    let (status, body) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/{slug}/profile-answers"),
            Some(token),
            Some(json!({ "answers": answers })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

#[tokio::test]
async fn a_member_fills_in_their_profile_and_members_see_it_sanitized() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = user_id(&t, &ada).await;
    let (status, saved) = t
        .api(
            "PUT",
            "/api/v1/me/profile",
            Some(&ada),
            Some(json!({
                "headline": "  Analyst of   engines ",
                "bio": "I write **notes**. <script>alert('x')</script>",
                "location": "London",
                "company": "Analytical Engines Ltd",
                "job_title": "Programmer",
                "links": ["https://example.org/ada", ""],
                "interests": ["Mathematics, Poetry", "mathematics"],
            })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["headline"], "Analyst of engines");
    assert_eq!(saved["links"], json!(["https://example.org/ada"]));
    assert_eq!(saved["interests"], json!(["mathematics", "poetry"]));
    assert_eq!(saved["show_email"], false, "e-mail is private by default");
    assert_eq!(saved["show_details"], true);
    let (_, again) = t.api("GET", "/api/v1/me/profile", Some(&ada), None).await;
    assert_eq!(again, saved);

    // Another member sees the bio rendered and sanitized, the details, not the e-mail.
    let bob = t.signed_up("bob@example.org", "Bob Babbage").await;
    assert_eq!(bob.post("/c/guild/join", &[]).await.status, 200);
    let page = bob.get(&format!("/c/guild/members/{ada_id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.html.contains("<strong>notes</strong>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>alert"));
    assert!(page.text().contains("Analyst of engines"));
    assert!(page.text().contains("Programmer at Analytical Engines Ltd"));
    assert!(page.html.contains("https://example.org/ada"));
    assert!(page.text().contains("poetry"));
    assert!(!page.text().contains("ada@example.org"));

    // She shows her e-mail and hides her details: members see the one, not the others.
    let (status, _) = t
        .api(
            "PUT",
            "/api/v1/me/profile",
            Some(&ada),
            Some(json!({"headline": "Analyst", "location": "London", "show_email": true, "show_details": false})),
        )
        .await;
    assert_eq!(status, 200);
    let page = bob.get(&format!("/c/guild/members/{ada_id}")).await;
    assert!(page.text().contains("ada@example.org"));
    assert!(!page.text().contains("London"), "details hidden");
    let (_, seen) = t
        .api(
            "GET",
            &format!("/api/v1/communities/guild/members/{ada_id}/profile"),
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(
        seen["details"]["location"], "London",
        "she still sees her own"
    );
}

#[tokio::test]
async fn bad_profile_input_is_refused_per_field_on_the_form_and_in_the_api() {
    let t = TestApp::spawn().await;
    let ada = t.api_user("ada@example.org", "Ada Lovelace").await;
    let (status, problem) = t
        .api(
            "PUT",
            "/api/v1/me/profile",
            Some(&ada),
            Some(json!({
                "links": ["javascript:alert(1)"],
                "interests": (0..11).map(|n| format!("topic {n}")).collect::<Vec<_>>(),
                "headline": "x".repeat(121),
            })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["links", "interests", "headline"] {
        assert!(fields.contains(&f), "{problem}");
    }

    let browser = t.signed_up("bob@example.org", "Bob Babbage").await;
    assert_eq!(browser.get("/settings/profile").await.status, 200);
    let page = browser
        .post(
            "/settings/profile",
            &[
                ("headline", "Tinkerer"),
                ("link", "ftp://files.example.org"),
                ("interests", "gears"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.html.contains(r#"id="links-error""#), "{}", page.html);
    assert!(
        page.html.contains("ftp://files.example.org"),
        "kept the input"
    );
    let page = browser
        .post(
            "/settings/profile",
            &[
                ("headline", "Tinkerer"),
                ("link", "https://bob.example.org"),
                ("interests", "Gears, Steam"),
                ("show_details", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("gears, steam"), "{}", page.html);
}

#[tokio::test]
async fn admins_define_fields_and_answers_are_checked_by_kind() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;

    // Only admins define fields; a definition is checked.
    let body = json!({"label": "Company size", "kind": "single_select", "options": ["1-10", "11-50", "51+"], "visibility": "members", "required": true});
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/guild/profile-fields",
            Some(&ada),
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 403);
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/profile-fields",
            Some(&owner),
            Some(json!({"label": "", "kind": "colour", "visibility": "nobody"})),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let (status, problem) = t
        .api(
            "POST",
            "/api/v1/communities/guild/profile-fields",
            Some(&owner),
            Some(json!({"label": "Size", "kind": "single_select", "options": ["only one"], "visibility": "members"})),
        )
        .await;
    assert_eq!(status, 422, "a select needs two choices: {problem}");
    let size = field(&t, &owner, "guild", body).await;
    let site = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Website", "kind": "url", "visibility": "everyone"}),
    )
    .await;
    let langs = field(&t, &owner, "guild", json!({"label": "Languages", "kind": "multi_select", "options": ["Rust", "Go", "Python"], "visibility": "members"})).await;

    // Answers are checked against the kind; a required field must be answered.
    let put = |answers: Value| {
        let t = &t;
        let ada = ada.clone();
        async move {
            t.api(
                "PUT",
                "/api/v1/communities/guild/profile-answers",
                Some(&ada),
                Some(json!({ "answers": answers })),
            )
            .await
        }
    };
    let (status, problem) = put(json!({ &site: ["https://ada.example.org"] })).await;
    assert_eq!(status, 422);
    assert_eq!(
        problem["errors"][0]["field"],
        format!("fields.{size}"),
        "{problem}"
    );
    let (status, problem) = put(json!({ &size: ["huge"] })).await;
    assert_eq!(status, 422, "not a choice: {problem}");
    let (status, _) = put(json!({ &size: ["11-50"], &site: ["javascript:alert(1)"] })).await;
    assert_eq!(status, 422, "not a web address");
    let (status, _) = put(json!({ &size: ["11-50", "51+"] })).await;
    assert_eq!(status, 422, "one choice only");
    let (status, _) = put(json!({ &size: ["11-50"], "no-such-field": ["x"] })).await;
    assert_eq!(status, 422);
    let (status, body) = put(
        json!({ &size: ["11-50"], &site: ["https://ada.example.org"], &langs: ["rust", "Go"] }),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/profile-answers",
            Some(&ada),
            None,
        )
        .await;
    let values: Vec<Value> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["values"].clone())
        .collect();
    assert_eq!(
        values,
        vec![
            json!(["11-50"]),
            json!(["https://ada.example.org/"]),
            json!(["Rust", "Go"])
        ]
    );

    // Removing a choice drops the answers that chose it; the kind cannot change.
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/guild/profile-fields/{langs}"),
            Some(&owner),
            Some(json!({"label": "Languages", "options": ["Rust", "Python"], "visibility": "members"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = t
        .api(
            "PUT",
            &format!("/api/v1/communities/guild/profile-fields/{langs}"),
            Some(&owner),
            Some(json!({"label": "Languages", "kind": "text", "visibility": "members"})),
        )
        .await;
    assert_eq!(status, 422);
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/profile-answers",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(mine["items"][2]["values"], json!(["Rust"]));

    // Deleting a field deletes its answers.
    let (status, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/communities/guild/profile-fields/{site}"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, mine) = t
        .api(
            "GET",
            "/api/v1/communities/guild/profile-answers",
            Some(&ada),
            None,
        )
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn admins_manage_fields_and_members_answer_on_pages() {
    let t = TestApp::spawn().await;
    let _owner = guild(&t).await;
    // Ada joins before the field exists (joining afterwards asks for it: see joining_fields).
    let ada = t.signed_up("ada@example.org", "Ada Lovelace").await;
    assert_eq!(ada.post("/c/guild/join", &[]).await.status, 200);
    let olga = t.browser();
    olga.log_in("owner@example.org", townsquare_testkit::PASSWORD)
        .await;
    assert_eq!(
        olga.get("/c/guild/settings/profile-fields").await.status,
        200
    );
    let page = olga
        .post(
            "/c/guild/settings/profile-fields",
            &[
                ("label", "Team"),
                ("kind", "single_select"),
                ("options", "Red"),
                ("visibility", "members"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.html.contains(r#"id="options-error""#));
    let page = olga
        .post(
            "/c/guild/settings/profile-fields",
            &[
                ("label", "Team"),
                ("kind", "single_select"),
                ("options", "Red\nBlue"),
                ("visibility", "members"),
                ("required", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Team"));

    let form = ada.get("/c/guild/profile").await;
    assert_eq!(form.status, 200);
    let name = form
        .html
        .split("name=\"f.")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|id| format!("f.{id}"))
        .expect("a field input");
    let page = ada.post("/c/guild/profile", &[(name.as_str(), "")]).await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("“Team” is required."));
    let page = ada
        .post("/c/guild/profile", &[(name.as_str(), "Blue")])
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Team"));
    assert!(page.text().contains("Blue"));

    // A member cannot open the admins' page.
    assert_eq!(
        ada.get("/c/guild/settings/profile-fields").await.status,
        403
    );
}

#[tokio::test]
async fn each_field_is_seen_only_by_those_its_visibility_allows() {
    let t = TestApp::spawn().await;
    let owner = guild(&t).await;
    let ada = member(&t, "ada@example.org", "Ada Lovelace").await;
    let ada_id = user_id(&t, &ada).await;
    let bob = member(&t, "bob@example.org", "Bob Babbage").await;
    let public = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Favourite topic", "kind": "text", "visibility": "everyone"}),
    )
    .await;
    let members = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Team", "kind": "text", "visibility": "members"}),
    )
    .await;
    let admins = field(
        &t,
        &owner,
        "guild",
        json!({"label": "Dietary needs", "kind": "text", "visibility": "admins"}),
    )
    .await;
    answer(
        &t,
        &ada,
        "guild",
        json!({ &public: ["Engines"], &members: ["Analysts"], &admins: ["Vegetarian"] }),
    )
    .await;

    // Someone else's admin: owns another community, is not in this one.
    let other_admin = t.api_user("carol@example.org", "Carol Other").await;
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities",
            Some(&other_admin),
            Some(json!({"name": "Other", "slug": "other"})),
        )
        .await;
    assert_eq!(status, 201);
    let outsider = t.api_user("dan@example.org", "Dan Outside").await;

    let path = format!("/api/v1/communities/guild/members/{ada_id}/profile");
    let labels = |p: &Value| -> Vec<String> {
        p["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["field"]["label"].as_str().unwrap().to_string())
            .collect()
    };
    let seen = |token: Option<String>| {
        let t = &t;
        let path = path.clone();
        async move {
            let (status, p) = t.api("GET", &path, token.as_deref(), None).await;
            assert_eq!(status, 200, "{p}");
            p
        }
    };
    let p = seen(Some(owner.clone())).await;
    assert_eq!(labels(&p), ["Favourite topic", "Team", "Dietary needs"]);
    let p = seen(Some(ada.clone())).await;
    assert_eq!(
        labels(&p),
        ["Favourite topic", "Team", "Dietary needs"],
        "her own answers"
    );
    let p = seen(Some(bob.clone())).await;
    assert_eq!(labels(&p), ["Favourite topic", "Team"]);
    assert!(p["bio"].is_string(), "members see the bio");
    for stranger in [Some(outsider.clone()), Some(other_admin.clone()), None] {
        let p = seen(stranger).await;
        assert_eq!(labels(&p), ["Favourite topic"]);
        assert!(p["bio"].is_null() && p["details"].is_null(), "{p}");
    }

    // The page says the same: no "Team" for a stranger, no dietary needs for a member.
    let page = t.browser().get(&format!("/c/guild/members/{ada_id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Engines"));
    assert!(!page.text().contains("Analysts"));
    let bob_page = t.signed_up("eve@example.org", "Eve Member").await;
    assert_eq!(bob_page.post("/c/guild/join", &[]).await.status, 200);
    let page = bob_page.get(&format!("/c/guild/members/{ada_id}")).await;
    assert!(page.text().contains("Analysts"));
    assert!(!page.text().contains("Vegetarian"));

    // The field list itself follows the same rule.
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/profile-fields",
            Some(&bob),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/guild/profile-fields",
            Some(&outsider),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // In a private community nobody outside sees any profile at all.
    let (status, _) = t
        .api(
            "PATCH",
            "/api/v1/communities/guild",
            Some(&owner),
            Some(json!({"visibility": "private"})),
        )
        .await;
    assert_eq!(status, 200);
    for stranger in [Some(outsider.as_str()), Some(other_admin.as_str()), None] {
        let (status, _) = t.api("GET", &path, stranger, None).await;
        assert_eq!(status, 404);
    }
}
