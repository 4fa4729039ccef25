use serde_json::json;
use townsquare_testkit::TestApp;

#[tokio::test]
async fn create_a_community_and_a_space_through_the_pages() {
    let t = TestApp::spawn().await;
    let b = t.signed_up("maya@example.org", "Maya").await;
    b.get("/communities/new").await;
    let home = b
        .post(
            "/communities",
            &[
                ("name", "Rust Berlin"),
                ("slug", "rust-berlin"),
                ("description", "Meetups"),
                ("guidelines", "Be kind."),
                ("visibility", "public"),
                ("join_policy", "open"),
                ("accent_color", "#0f766e"),
            ],
        )
        .await;
    assert_eq!(home.path(), "/c/rust-berlin");
    assert!(home.text().contains("You are an owner"));

    b.get("/c/rust-berlin/spaces/new").await;
    let space = b
        .post(
            "/c/rust-berlin/spaces",
            &[
                ("name", "Help & Q&A"),
                ("slug", "help"),
                ("description", "Ask"),
                ("kind", "discussion"),
                ("visibility", "members"),
            ],
        )
        .await;
    assert_eq!(space.path(), "/c/rust-berlin/s/help");
    assert!(space.text().contains("Help & Q&A"), "{}", space.text());

    let dup = b
        .post(
            "/c/rust-berlin/spaces",
            &[
                ("name", "Help again"),
                ("slug", "help"),
                ("kind", "chat"),
                ("visibility", "everyone"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.text().contains("already has a space at /s/help"));

    // A visitor sees the public community but not the members-only space.
    let visitor = t.browser();
    assert_eq!(visitor.get("/c/rust-berlin").await.status, 200);
    assert_eq!(visitor.get("/c/rust-berlin/s/help").await.status, 404);
}

#[tokio::test]
async fn private_communities_are_invisible_to_outsiders() {
    let t = TestApp::spawn().await;
    let owner = t.api_user("owner@example.org", "Owner").await;
    let outsider = t.api_user("out@example.org", "Outsider").await;
    let (status, _) = t.api("POST", "/api/v1/communities", Some(&owner), Some(json!({"name": "Secret Council", "slug": "secret", "visibility": "private", "join_policy": "approval"}))).await;
    assert_eq!(status, 201);

    let (_, list) = t
        .api("GET", "/api/v1/communities", Some(&outsider), None)
        .await;
    assert!(
        !list.to_string().contains("Secret Council"),
        "not even the name is listed"
    );
    assert_eq!(
        t.api("GET", "/api/v1/communities/secret", Some(&outsider), None)
            .await
            .0,
        404
    );
    assert_eq!(
        t.api("GET", "/api/v1/communities/secret", None, None)
            .await
            .0,
        404
    );
    let page = t.browser().get("/communities").await;
    assert!(!page.text().contains("Secret Council"));
    let (_, list) = t
        .api("GET", "/api/v1/communities", Some(&owner), None)
        .await;
    assert!(list.to_string().contains("Secret Council"));
}

#[tokio::test]
async fn approval_join_requests_and_roles() {
    let t = TestApp::spawn().await;
    let owner = t.api_user("o@example.org", "Olga").await;
    let member = t.api_user("m@example.org", "Mo").await;
    t.api(
        "POST",
        "/api/v1/communities",
        Some(&owner),
        Some(json!({"name": "Guild", "slug": "guild", "join_policy": "approval"})),
    )
    .await;

    let (status, joined) = t
        .api(
            "POST",
            "/api/v1/communities/guild/join",
            Some(&member),
            Some(json!({"note": "hi"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(joined["outcome"], "requested");
    assert_eq!(
        t.api(
            "GET",
            "/api/v1/communities/guild/members?status=pending",
            Some(&member),
            None
        )
        .await
        .0,
        403
    );

    let (_, pending) = t
        .api(
            "GET",
            "/api/v1/communities/guild/members?status=pending",
            Some(&owner),
            None,
        )
        .await;
    let user_id = pending["items"][0]["user_id"].as_str().unwrap().to_string();
    assert_eq!(pending["items"][0]["request_note"], "hi");
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/communities/guild/requests/{user_id}/approve"),
            Some(&owner),
            None
        )
        .await
        .0,
        204
    );
    let (_, c) = t
        .api("GET", "/api/v1/communities/guild", Some(&member), None)
        .await;
    assert_eq!(c["my_role"], "member");
    assert_eq!(c["member_count"], 2);

    // Members cannot promote; the owner can; an admin cannot touch the owner.
    let role_path = format!("/api/v1/communities/guild/members/{user_id}/role");
    assert_eq!(
        t.api(
            "PUT",
            &role_path,
            Some(&member),
            Some(json!({"role": "admin"}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        t.api(
            "PUT",
            &role_path,
            Some(&owner),
            Some(json!({"role": "admin"}))
        )
        .await
        .0,
        204
    );
    let (_, me) = t.api("GET", "/api/v1/me", Some(&owner), None).await;
    let owner_path = format!(
        "/api/v1/communities/guild/members/{}/role",
        me["id"].as_str().unwrap()
    );
    assert_eq!(
        t.api(
            "PUT",
            &owner_path,
            Some(&member),
            Some(json!({"role": "member"}))
        )
        .await
        .0,
        403
    );

    // The welcome e-mail is a job: it runs once and writes one message.
    t.app.run_due_jobs().await.unwrap();
    t.app.run_due_jobs().await.unwrap();
    let mail = t.app.mail_to("m@example.org").await.unwrap();
    assert_eq!(
        mail.iter()
            .filter(|m| m.subject == "Welcome to Guild")
            .count(),
        1
    );
}
