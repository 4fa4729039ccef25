//! Importing members from CSV: the dry run reports every row (BOM, CRLF and quoted cells read
//! right), a real run with one bad row writes nothing, a clean file adds or invites the people
//! (with their e-mails in the outbox), an oversized file is refused with a clear message, and
//! only admins may import.

use serde_json::{json, Value};
use townsquare_app::communities::CommunityInput;
use townsquare_app::Actor;
use townsquare_domain::profiles::FieldDefinitionInput;
use townsquare_testkit::{TestApp, PASSWORD};

/// An open community `owls` owned by Olga, with a "Company size" field and one member, Mia.
/// Returns the owner and the owner's API token.
async fn owls(t: &TestApp) -> (Actor, String) {
    let owner = t
        .app
        .create_user("owner@example.org", "Olga Owner", PASSWORD, false)
        .await
        .unwrap();
    t.app
        .create_community(
            &owner,
            &CommunityInput {
                name: "Night Owls".into(),
                slug: "owls".into(),
                description: "Astronomers who stay up late.".into(),
                visibility: "public".into(),
                join_policy: "open".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.app
        .create_profile_field(
            &owner,
            "owls",
            FieldDefinitionInput {
                label: "Company size".into(),
                kind: "single_select".into(),
                options: vec!["1-10\n11-50".into()],
                required: false,
                visibility: "members".into(),
            },
        )
        .await
        .unwrap();
    let mia = t
        .app
        .create_user("mia@example.org", "Mia Member", PASSWORD, false)
        .await
        .unwrap();
    t.app.join_community(&mia, "owls", "", true).await.unwrap();
    let (_, token) = t.app.create_api_token(&owner, "tests").await.unwrap();
    (owner, token)
}

async fn member_count(t: &TestApp) -> i64 {
    townsquare_app::store::communities::community_by_slug(t.app.db(), "owls")
        .await
        .unwrap()
        .unwrap()
        .member_count
}

/// POSTs a CSV body to the import endpoint; returns status and JSON.
async fn import(t: &TestApp, token: &str, query: &str, csv: &[u8]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/communities/owls/imports?{query}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_vec())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A file with a byte order mark, CRLF line ends, a quoted name with a comma, a quoted name
/// with a line break, a bad address, a duplicate, an existing member, a choice that is not
/// one of the field's, and two columns that are not profile fields.
fn mixed_file() -> Vec<u8> {
    let text = "\u{feff}email,name,Company size,interests,tier,shoe size\r\n\
                ada@example.org,\"Lovelace, Ada\",1-10,Maths;Engines,gold,38\r\n\
                bob@example.org,\"Bob\r\nthe Builder\",,,,\r\n\
                not-an-address,Nobody,,,,\r\n\
                ADA@example.org,Ada Again,,,,\r\n\
                mia@example.org,Mia,,,,\r\n\
                cy@example.org,Cy,huge,,,\r\n";
    text.as_bytes().to_vec()
}

fn status_by_line(report: &Value) -> Vec<(u64, String)> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn import_dry_run_reports_each_row_and_a_real_run_with_a_bad_row_writes_nothing() {
    let t = TestApp::spawn().await;
    let (_, owner) = owls(&t).await;
    let before = member_count(&t).await;

    let (status, report) = import(&t, &owner, "dry_run=true&mode=add", &mixed_file()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        status_by_line(&report),
        vec![
            (2, "will_be_added".to_string()),
            (3, "will_be_added".to_string()),
            (5, "invalid_email".to_string()),
            (6, "duplicate".to_string()),
            (7, "already_member".to_string()),
            (8, "invalid_value".to_string()),
        ]
    );
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows[0]["name"], "Lovelace, Ada");
    assert_eq!(rows[0]["new_account"], true);
    assert_eq!(rows[1]["name"], "Bob the Builder");
    assert!(rows[3]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("also on line 2"));
    assert_eq!(rows[5]["problems"][0]["column"], "Company size");
    assert!(rows[5]["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not one of the choices"));
    let skipped: Vec<&str> = report["skipped_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["column"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, vec!["tier", "shoe size"]);
    assert!(report["skipped_columns"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not supported"));
    assert_eq!(report["invalid"], 3);
    assert_eq!(report["imported"], false);

    // The real run with the same file: 422 naming each bad row, and nothing written.
    let (status, problem) = import(&t, &owner, "dry_run=false&mode=add", &mixed_file()).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec!["rows.5.email", "rows.6.email", "rows.8.Company size"]
    );
    assert_eq!(member_count(&t).await, before, "nobody was added");
    for address in ["ada@example.org", "bob@example.org"] {
        assert!(
            townsquare_app::store::accounts::user_by_email(t.app.db(), address)
                .await
                .unwrap()
                .is_none(),
            "no account for {address}"
        );
        assert!(t.app.mail_to(address).await.unwrap().is_empty());
    }
    // Nor in invite mode: no invitation goes out while a row is wrong.
    let (status, _) = import(&t, &owner, "dry_run=false&mode=invite", &mixed_file()).await;
    assert_eq!(status, 422);
    assert!(t.app.mail_to("ada@example.org").await.unwrap().is_empty());
    let (status, list) = t
        .api(
            "GET",
            "/api/v1/communities/owls/invitations",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(list["emails"].as_array().unwrap().is_empty(), "{list}");
}

/// The value of the hidden `csv` field of the confirming form, unescaped.
fn hidden_csv(html: &str) -> String {
    let start = html
        .find("name=\"csv\" value=\"")
        .expect("a confirming form")
        + 18;
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_clean_file_adds_people_from_the_page_and_invites_them_through_the_api() {
    let t = TestApp::spawn().await;
    let (_, owner) = owls(&t).await;
    let before = member_count(&t).await;
    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    let page = admin.get("/c/owls/settings/import").await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Import members"));

    // Check: every row is fine; nothing is written yet.
    let file = "email,name,Company size,interests\r\n\
                ada@example.org,\"Lovelace, Ada\",11-50,maths;engines\r\n\
                mia@example.org,Mia,,\r\n\
                bo@example.org,,,\r\n";
    let page = admin
        .post_multipart(
            "/c/owls/settings/import",
            &[
                ("step", "check"),
                ("mode", "add"),
                ("campaign", "meetup-2027"),
            ],
            Some(("file", "people.csv", file.as_bytes())),
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(
        text.contains("Every row is fine: 2 people will be added (1 skipped"),
        "{text}"
    );
    assert!(text.contains("Already a member (skipped)"));
    assert_eq!(member_count(&t).await, before);

    // Import: the confirming form re-posts the checked file.
    let csv = hidden_csv(&page.html);
    assert!(csv.contains("Lovelace, Ada"));
    let page = admin
        .post_multipart(
            "/c/owls/settings/import",
            &[
                ("step", "import"),
                ("mode", "add"),
                ("campaign", "meetup-2027"),
                ("csv", &csv),
            ],
            None,
        )
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), "/c/owls/settings/import");
    assert!(page.text().contains("2 people added"), "{}", page.text());
    assert_eq!(member_count(&t).await, before + 2);

    // Ada has an account with her name, interests and answer, and an e-mail to choose a
    // password with; after choosing one she can log in.
    let ada = townsquare_app::store::accounts::user_by_email(t.app.db(), "ada@example.org")
        .await
        .unwrap()
        .expect("an account for Ada");
    assert_eq!(ada.display_name, "Lovelace, Ada");
    let bo = townsquare_app::store::accounts::user_by_email(t.app.db(), "bo@example.org")
        .await
        .unwrap()
        .expect("an account for Bo");
    assert_eq!(
        bo.display_name, "bo",
        "named after the address when the file has no name"
    );
    let (status, profile) = t
        .api(
            "GET",
            &format!("/api/v1/communities/owls/members/{}/profile", ada.id),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    assert!(profile.to_string().contains("11-50"), "{profile}");
    assert!(profile.to_string().contains("engines"), "{profile}");
    let mail = t.app.mail_to("ada@example.org").await.unwrap();
    let added = mail
        .iter()
        .find(|m| m.subject == "You were added to Night Owls on Townsquare")
        .expect("an e-mail telling Ada");
    let link = added
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/password/reset/"))
        .unwrap();
    let token = link.rsplit('/').next().unwrap();
    t.app
        .reset_password(token, "a brand new password")
        .await
        .unwrap();
    let ada_token = t.token_for("ada@example.org", "a brand new password").await;
    let (status, me) = t
        .api("GET", "/api/v1/communities/owls", Some(&ada_token), None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["my_role"], "member", "{me}");
    assert!(t.app.mail_to("mia@example.org").await.unwrap().is_empty());

    // The memberships are attributed to the import and its campaign; the admin's import is
    // in the activity log.
    let view = t.app.community(None, "owls").await.unwrap();
    let log = townsquare_app::store::activity::recent_in_community(
        t.app.db(),
        &view.community.id,
        None,
        50,
    )
    .await
    .unwrap();
    let imported = log
        .iter()
        .find(|a| a.activity.verb == "members_imported")
        .expect("a members_imported record");
    let detail: Value = serde_json::from_str(&imported.activity.detail).unwrap();
    assert_eq!(detail["added"], 2);
    assert_eq!(detail["new_accounts"], 2);
    assert_eq!(detail["campaign"], "meetup-2027");
    let joined = log
        .iter()
        .find(|a| a.activity.verb == "joined" && a.activity.actor_id.as_deref() == Some(&ada.id))
        .expect("Ada's joined record");
    let detail: Value = serde_json::from_str(&joined.activity.detail).unwrap();
    assert_eq!(detail["source"], "import");
    let (status, analytics) = t
        .api(
            "GET",
            "/api/v1/communities/owls/analytics",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(status, 200, "{analytics}");
    assert!(
        analytics.to_string().contains("meetup-2027"),
        "acquisition counts the import's campaign: {analytics}"
    );

    // Invite mode through the API: an e-mail invitation for the new address only.
    let file = "email\ncy@example.org\nada@example.org\n";
    let (status, report) = import(
        &t,
        &owner,
        "dry_run=false&mode=invite&campaign=spring",
        file.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], true);
    assert_eq!(
        status_by_line(&report),
        vec![
            (2, "invited".to_string()),
            (3, "already_member".to_string())
        ]
    );
    let mail = t.app.mail_to("cy@example.org").await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Olga Owner invited you to Night Owls");
    let (_, list) = t
        .api(
            "GET",
            "/api/v1/communities/owls/invitations",
            Some(&owner),
            None,
        )
        .await;
    let emails = list["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["source"], "import");
    assert_eq!(emails[0]["campaign"], "spring");
    // A second run skips the person already invited.
    let (_, report) = import(&t, &owner, "dry_run=true&mode=invite", file.as_bytes()).await;
    assert_eq!(report["rows"][0]["status"], "already_invited");
}

#[tokio::test]
async fn oversized_files_and_non_admins_are_refused_with_a_clear_message() {
    let t = TestApp::spawn().await;
    let (_, owner) = owls(&t).await;

    let mut big = String::from("email,name\n");
    while big.len() <= 2 * 1024 * 1024 {
        big.push_str("someone@example.org,A name that fills the file up quickly enough\n");
    }
    let (status, problem) = import(&t, &owner, "dry_run=true", big.as_bytes()).await;
    assert_eq!(status, 413, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("2 MiB"),
        "{problem}"
    );

    let admin = t.browser();
    admin.log_in("owner@example.org", PASSWORD).await;
    admin.get("/c/owls/settings/import").await;
    let page = admin
        .post_multipart(
            "/c/owls/settings/import",
            &[("step", "check"), ("mode", "invite")],
            Some(("file", "big.csv", big.as_bytes())),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("larger than 2 MiB"), "{}", page.text());

    // A file without an e-mail column is refused as a whole, naming the file.
    let (status, problem) = import(&t, &owner, "dry_run=true", b"name\nAda\n").await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("email"));

    // Members may not import, on the page or in the API.
    let mia = t.token_for("mia@example.org", PASSWORD).await;
    let (status, _) = import(&t, &mia, "dry_run=true", b"email\nzoe@example.org\n").await;
    assert_eq!(status, 403);
    let member = t.browser();
    member.log_in("mia@example.org", PASSWORD).await;
    assert_eq!(member.get("/c/owls/settings/import").await.status, 403);
    let (status, _) = t
        .api(
            "POST",
            "/api/v1/communities/owls/imports?dry_run=maybe",
            Some(&owner),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 422);
}
