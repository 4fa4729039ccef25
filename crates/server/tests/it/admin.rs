//! The superadmin's instance page: what it shows, who may see it, granting and revoking.

use townsquare_app::communities::CommunityInput;
use townsquare_testkit::{TestApp, PASSWORD};

#[tokio::test]
async fn superadmins_see_the_instance_and_manage_superadmins() {
    let t = TestApp::spawn().await;
    let root = t
        .app
        .create_user("root@example.org", "Root", PASSWORD, true)
        .await
        .unwrap();
    t.app
        .create_community(
            &root,
            &CommunityInput {
                name: "Gardeners".into(),
                slug: "gardeners".into(),
                visibility: "private".into(),
                join_policy: "open".into(),
                accent_color: "#4f46e5".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let maya = t.signed_up("maya@example.org", "Maya Lind").await;

    // Someone who is not a superadmin: no link, and the page is refused.
    let home = maya.get("/").await;
    assert!(!home.html.contains("href=\"/admin\""));
    assert_eq!(maya.get("/admin").await.status, 403);

    let browser = t.browser();
    browser.log_in("root@example.org", PASSWORD).await;
    let home = browser.get("/").await;
    assert!(
        home.html.contains("href=\"/admin\""),
        "the menu links the page"
    );
    let page = browser.get("/admin").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("Accounts 2"), "{text}");
    assert!(text.contains("Communities 1"), "{text}");
    assert!(text.contains("Gardeners private open 1"), "{text}");
    assert!(text.contains("Maya Lind maya@example.org"), "{text}");

    // The last superadmin cannot be revoked.
    let page = browser
        .post(
            "/admin/superadmins",
            &[("email", "root@example.org"), ("action", "revoke")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("This is the last superadmin"));
    // An unknown address is a clear form error.
    let page = browser
        .post(
            "/admin/superadmins",
            &[("email", "nobody@example.org"), ("action", "grant")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page
        .text()
        .contains("Nobody has an account with nobody@example.org"));

    // Granting works, is audited, and takes effect on Maya's next request.
    let page = browser
        .post(
            "/admin/superadmins",
            &[("email", "Maya@Example.org"), ("action", "grant")],
        )
        .await;
    assert_eq!(page.status, 200, "redirected back to /admin");
    assert!(page.text().contains("Maya Lind is a superadmin."));
    assert_eq!(maya.get("/admin").await.status, 200);
    let (status, body) = t
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "maya@example.org", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let (status, body) = t
        .api("GET", "/api/v1/admin/overview", Some(&token), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["counts"]["superadmins"], 2);
    assert_eq!(body["communities"][0]["slug"], "gardeners");
    assert!(body["communities"][0]["last_activity_at"].is_string());

    // Now root can be revoked (by Maya), and loses the page at once.
    maya.get("/admin").await;
    let page = maya
        .post(
            "/admin/superadmins",
            &[("email", "root@example.org"), ("action", "revoke")],
        )
        .await;
    assert!(page.text().contains("Root is no longer a superadmin."));
    assert_eq!(browser.get("/admin").await.status, 403);

    // Both changes are in the activity log, under who made them.
    let by_root = townsquare_app::store::activity::recent_by_actor(t.app.db(), &root.user_id, 10)
        .await
        .unwrap();
    let granted = by_root
        .iter()
        .find(|a| a.verb == "superadmin_granted")
        .expect("the grant is audited");
    assert!(granted.detail.contains("maya@example.org"));
    let maya_id = granted.object_id.clone();
    let by_maya = townsquare_app::store::activity::recent_by_actor(t.app.db(), &maya_id, 10)
        .await
        .unwrap();
    assert!(by_maya
        .iter()
        .any(|a| a.verb == "superadmin_revoked" && a.object_id == root.user_id));
    t.stop().await;
}
