use townsquare_testkit::{TestApp, PASSWORD};

#[tokio::test]
async fn sign_up_log_out_and_log_in_again() {
    let t = TestApp::spawn().await;
    let browser = t.signed_up("ada@example.org", "Ada Lovelace").await;
    let home = browser.get("/").await;
    assert!(home.text().contains("Welcome back, Ada Lovelace"));

    browser.post("/logout", &[]).await;
    let after = browser.get("/").await;
    assert!(
        after.text().contains("Log in"),
        "logged out header offers to log in"
    );
    assert!(!after.text().contains("Ada Lovelace"));

    let wrong = browser.log_in("ada@example.org", "not the password").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("do not match an account"));

    let ok = browser.log_in("ADA@example.org", PASSWORD).await;
    assert_eq!(ok.status, 200);
    assert!(
        ok.text().contains("Ada Lovelace"),
        "e-mail is case-insensitive"
    );
}

#[tokio::test]
async fn sign_up_errors_keep_the_typed_values() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    b.get("/signup").await;
    let page = b
        .post(
            "/signup",
            &[
                ("email", "not-an-email"),
                ("display_name", "Grace"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.text().contains("is not an e-mail address"));
    assert!(page.text().contains("at least 10 characters"));
    assert!(
        page.html.contains(r#"value="Grace""#),
        "the name stays filled in"
    );

    t.signed_up("grace@example.org", "Grace").await;
    let again = t.browser();
    again.get("/signup").await;
    let dup = again
        .post(
            "/signup",
            &[
                ("email", "Grace@Example.org"),
                ("display_name", "Other"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(dup.status, 422, "duplicate e-mail re-renders the form");
    assert!(dup.text().contains("already exists"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let t = TestApp::spawn().await;
    let b = t.browser();
    b.get("/signup").await;
    let page = b
        .post_raw(
            "/signup",
            &[
                ("email", "eve@example.org"),
                ("display_name", "Eve"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(t.app.mail_to("eve@example.org").await.unwrap().is_empty());
    let (status, _) = t.api("GET", "/api/v1/me", None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn password_reset_goes_through_the_outbox_and_works_once() {
    let t = TestApp::spawn().await;
    let b = t.signed_up("lin@example.org", "Lin").await;
    b.post("/logout", &[]).await;
    b.get("/password/forgot").await;
    let sent = b
        .post("/password/forgot", &[("email", "lin@example.org")])
        .await;
    assert!(sent.text().contains("we have sent it a link"));

    let delivered = t.app.deliver_due_mail().await.unwrap();
    assert_eq!(delivered, 1);
    let mail = t.app.mail_to("lin@example.org").await.unwrap();
    assert_eq!(mail[0].status, "sent");
    let eml = std::fs::read_to_string(t.data_dir.join("mail").join(format!("{}.eml", mail[0].id)))
        .expect("the .eml file exists");
    assert!(eml.contains("Reset your Townsquare password"));
    let link = mail[0]
        .body_text
        .lines()
        .find(|l| l.contains("/password/reset/"))
        .expect("a reset link")
        .trim()
        .to_string();
    let path = link.trim_start_matches(&t.base_url).to_string();

    b.get(&path).await;
    let done = b.post(&path, &[("password", "a brand new secret")]).await;
    assert!(
        done.text().contains("Your password is changed"),
        "{}",
        done.text()
    );
    assert_eq!(
        b.log_in("lin@example.org", PASSWORD).await.status,
        422,
        "the old password no longer works"
    );
    assert_eq!(
        b.log_in("lin@example.org", "a brand new secret")
            .await
            .status,
        200
    );

    let other = t.browser();
    other.get(&path).await;
    let reused = other
        .post(&path, &[("password", "yet another secret")])
        .await;
    assert_eq!(reused.status, 422);
    assert!(reused.text().contains("expired or was already used"));
}

#[tokio::test]
async fn change_password_and_edit_account() {
    let t = TestApp::spawn().await;
    let b = t.signed_up("kim@example.org", "Kim").await;
    b.get("/settings/account").await;
    let wrong = b
        .post(
            "/settings/password",
            &[
                ("current_password", "nope nope nope"),
                ("new_password", "another good one"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text().contains("current password is not correct"));
    let ok = b
        .post(
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another good one"),
            ],
        )
        .await;
    assert!(ok.text().contains("Your password is changed"));

    let saved = b
        .post(
            "/settings/account",
            &[
                ("email", "kim.new@example.org"),
                ("display_name", "Kim Park"),
                ("handle", "kim_park"),
            ],
        )
        .await;
    assert!(saved.text().contains("Your account is saved"));
    assert!(saved.text().contains("Kim Park"));
    let fresh = t.browser();
    assert_eq!(
        fresh
            .log_in("kim.new@example.org", "another good one")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn login_is_rate_limited_per_account_and_resets() {
    let t = TestApp::spawn_with(|s| s.rate_limits.login_per_account = 3).await;
    t.signed_up("max@example.org", "Max").await;
    let b = t.browser();
    for _ in 0..3 {
        assert_eq!(
            b.log_in("max@example.org", "wrong password!").await.status,
            422
        );
    }
    let limited = b.log_in("max@example.org", PASSWORD).await;
    assert_eq!(limited.status, 429);
    assert!(limited.text().contains("Too many sign-in attempts"));
    t.app.clock().advance(16 * 60 * 1_000_000);
    assert_eq!(
        b.log_in("max@example.org", PASSWORD).await.status,
        200,
        "a new window allows sign-in again"
    );
}

#[tokio::test]
async fn api_tokens_authenticate_and_can_be_revoked() {
    let t = TestApp::spawn().await;
    let token = t.api_user("api@example.org", "Api User").await;
    let (status, me) = t.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "api@example.org");

    let (status, created) = t
        .api(
            "POST",
            "/api/v1/me/tokens",
            Some(&token),
            Some(serde_json::json!({"name": "CRM sync"})),
        )
        .await;
    assert_eq!(status, 201);
    let second = created["token"].as_str().unwrap().to_string();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(t.api("GET", "/api/v1/me", Some(&second), None).await.0, 200);
    assert_eq!(
        t.api(
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            Some(&token),
            None
        )
        .await
        .0,
        204
    );
    let (status, problem) = t.api("GET", "/api/v1/me", Some(&second), None).await;
    assert_eq!(status, 401);
    assert_eq!(
        problem["type"],
        "https://townsquare.dev/problems/unauthenticated"
    );

    let (status, exchanged) = t
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "api@example.org", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201);
    assert!(exchanged["token"].as_str().unwrap().starts_with("ts_"));
}

/// The sign-up form stops bots: a filled honeypot, a missing or forged stamp, a form sent
/// back faster than a person types or a day later are refused with a message; a person who
/// takes a few seconds gets in. The time is the test clock's, so nothing sleeps.
#[tokio::test]
async fn the_signup_form_stops_bots() {
    let t = TestApp::spawn_with(|s| s.signup_min_fill_seconds = 3).await;
    let fields = |email: &'static str| {
        [
            ("email", email),
            ("display_name", "Bo Tanic"),
            ("password", "a long enough password"),
        ]
    };
    let refused = |page: &townsquare_testkit::Page, expected: &str| {
        assert_eq!(page.status, 422, "{}", page.text());
        assert!(page.text().contains(expected), "{}", page.text());
    };

    let b = t.browser();
    b.get("/signup").await;
    let too_fast = b.post("/signup", &fields("bot1@example.org")).await;
    refused(&too_fast, "faster than a person types");
    assert!(
        too_fast.html.contains("value=\"bot1@example.org\""),
        "keeps what was typed"
    );

    // The refused page carries a fresh stamp: waiting a moment and sending it again works.
    t.app.clock().advance(4_000_000);
    let mut with_honeypot = fields("bot2@example.org").to_vec();
    with_honeypot.push(("website", "http://spam.example"));
    refused(
        &b.post("/signup", &with_honeypot).await,
        "leave the field marked",
    );
    b.get("/signup").await;
    let stamp = b.form_stamp();
    t.app.clock().advance(4_000_000);
    let (issued, _) = stamp.split_once('.').unwrap();
    let mut forged = fields("bot3@example.org").to_vec();
    let earlier = format!(
        "{}.{}",
        issued.parse::<i64>().unwrap() - 60_000_000,
        "0".repeat(64)
    );
    forged.push(("form_stamp", &earlier));
    refused(&b.post("/signup", &forged).await, "Reload the page");
    let mut missing = fields("bot4@example.org").to_vec();
    missing.push(("form_stamp", ""));
    refused(&b.post("/signup", &missing).await, "Reload the page");

    // A stale form (shown more than a day ago) is refused; a fresh one, filled calmly, works.
    b.get("/signup").await;
    t.app.clock().advance(25 * 3600 * 1_000_000);
    refused(
        &b.post("/signup", &fields("late@example.org")).await,
        "expired",
    );
    b.get("/signup").await;
    t.app.clock().advance(5_000_000);
    let person = b.post("/signup", &fields("bo@example.org")).await;
    assert_eq!(person.status, 200, "{}", person.text());
    assert!(
        person.text().contains("Welcome to Townsquare, Bo Tanic!"),
        "{}",
        person.text()
    );
    for bot in ["bot1", "bot2", "bot3", "bot4", "late"] {
        let login = t
            .browser()
            .log_in(&format!("{bot}@example.org"), "a long enough password")
            .await;
        assert_eq!(login.status, 422, "{bot} got no account");
    }
}
