//! Test support: the real app on an ephemeral port with a fresh database — a SQLite file in
//! a temporary directory, or, when `TOWNSQUARE_TEST_DATABASE_URL` is set, a new PostgreSQL
//! database created for the test — and clients that talk to it as a browser or API client.

mod browser;

pub use browser::{Browser, Page};

use std::net::SocketAddr;
use std::path::PathBuf;
use townsquare_app::clock::Clock;
use townsquare_app::{App, Settings};

/// The PostgreSQL server the suite runs against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TOWNSQUARE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Creates an empty PostgreSQL database for one test and returns its URL. Fails (does not
/// skip) when the server is unreachable: if the variable is set, PostgreSQL must be there.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|e| {
            panic!("TOWNSQUARE_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {e}")
        });
    // A run label (set by scripts/test) lets the script drop its own databases afterwards
    // without touching those of a run going on beside it.
    let run = std::env::var("TOWNSQUARE_TEST_RUN")
        .ok()
        .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(|r| format!("{r}_"))
        .unwrap_or_default();
    let name = format!("ts_test_{run}{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = match server_url.rfind('/') {
        Some(i) if server_url[..i].contains("://") && i > server_url.find("://").unwrap() + 2 => {
            &server_url[..i]
        }
        _ => server_url,
    };
    let (base, query) = match server_url.split_once('?') {
        Some((_, q)) => (base.split('?').next().unwrap_or(base), format!("?{q}")),
        None => (base, String::new()),
    };
    format!("{base}/{name}{query}")
}

/// A database URL for one test: a new PostgreSQL database or a SQLite file under `dir`.
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match postgres_url() {
        Some(server) => fresh_postgres_database(&server).await,
        None => format!("sqlite://{}", dir.join("townsquare.db").display()),
    }
}

/// A running app for one test.
pub struct TestApp {
    pub app: App,
    pub address: SocketAddr,
    pub base_url: String,
    pub database_url: String,
    pub data_dir: PathBuf,
    _dir: tempfile::TempDir,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with adjusted settings (lower rate limits, an SMTP URL, ...).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database_url(dir.path()).await;
        Self::start(dir, database_url, adjust).await
    }

    /// Another instance on this one's database, in this process with its own pool and port,
    /// as several `townsquare serve` share one PostgreSQL database.
    pub async fn another_instance(&self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start(dir, self.database_url.clone(), adjust).await
    }

    async fn start(
        dir: tempfile::TempDir,
        database_url: String,
        adjust: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let base_url = format!("http://{address}");
        let db = townsquare_app::store::Db::connect(&database_url)
            .await
            .expect("connect");
        db.migrate().await.expect("migrate");
        let mut settings = Settings::for_data_dir(dir.path().to_path_buf(), &base_url);
        // Test clients send the sign-up form at once; the test of that protection sets it.
        settings.signup_min_fill_seconds = 0;
        adjust(&mut settings);
        let app = App::new(db, settings, Clock::offset());
        let (shutdown, rx) = tokio::sync::watch::channel(false);
        tokio::spawn(app.clone().run_listener(rx.clone()));
        let router = townsquare_web::router(townsquare_web::AppState::new(app.clone()));
        let mut serve_rx = rx;
        tokio::spawn(async move {
            axum_serve(listener, router, async move {
                let _ = serve_rx.changed().await;
            })
            .await
        });
        TestApp {
            app,
            address,
            base_url,
            database_url,
            data_dir: dir.path().to_path_buf(),
            _dir: dir,
            shutdown,
        }
    }

    /// A browser-like client (cookies, CSRF tokens from pages) for this app.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base_url)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Signs up through the HTML form and returns the signed-in browser.
    pub async fn signed_up(&self, email: &str, name: &str) -> Browser {
        let browser = self.browser();
        browser.sign_up(email, name, PASSWORD).await;
        browser
    }

    /// Signs up through the API and returns a bearer token.
    pub async fn api_user(&self, email: &str, name: &str) -> String {
        let res = reqwest::Client::new()
            .post(self.url("/api/v1/auth/signup"))
            .json(&serde_json::json!({"email": email, "display_name": name, "password": PASSWORD}))
            .send()
            .await
            .expect("sign-up request");
        assert_eq!(
            res.status(),
            201,
            "API sign-up of {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
        let body: serde_json::Value = res.json().await.expect("json");
        body["token"].as_str().expect("token").to_string()
    }

    /// An API request with a bearer token; returns status and JSON (Null for empty bodies).
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let client = reqwest::Client::new();
        let mut req = client.request(method.parse().expect("method"), self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        (status, json)
    }

    /// A bearer token for an existing account, as `POST /api/v1/auth/token` issues it.
    pub async fn token_for(&self, email: &str, password: &str) -> String {
        let (status, body) = self
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(status, 201, "token for {email}: {body}");
        body["token"].as_str().expect("token").to_string()
    }

    /// A bearer token for one of the demo logins (after `seed_demo`).
    pub async fn demo_token(&self, email: &str) -> String {
        self.token_for(email, townsquare_app::demo::DEMO_PASSWORD)
            .await
    }

    /// The user id behind a bearer token.
    pub async fn user_id(&self, token: &str) -> String {
        let (status, me) = self.api("GET", "/api/v1/me", Some(token), None).await;
        assert_eq!(status, 200, "GET /api/v1/me: {me}");
        me["id"].as_str().expect("id").to_string()
    }

    /// The in-app notifications of the member behind a bearer token, newest first.
    pub async fn inbox(&self, token: &str) -> Vec<serde_json::Value> {
        let (status, body) = self
            .api("GET", "/api/v1/notifications", Some(token), None)
            .await;
        assert_eq!(status, 200, "GET /api/v1/notifications: {body}");
        body["items"].as_array().expect("items").clone()
    }

    /// Runs a query that returns one integer straight on the test's database, on its own
    /// connection: for checking what is stored (a deleted text is gone, not only hidden).
    /// The SQL must work on both backends; `$1` binds `arg`.
    pub async fn db_count(&self, sql: &str, arg: &str) -> i64 {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.database_url)
                .await
                .expect("connect");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .expect("connect");
            sqlx::query_scalar::<_, i64>(sql)
                .bind(arg)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }

    /// Runs a statement straight on the test's database, on its own connection, and returns
    /// the rows it changed: for putting the database in a state an older version left it in.
    /// The SQL must work on both backends; `$1` binds `arg`.
    pub async fn db_execute(&self, sql: &str, arg: &str) -> u64 {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.database_url)
                .await
                .expect("connect");
            sqlx::query(sql)
                .bind(arg)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .rows_affected()
        } else {
            let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .expect("connect");
            sqlx::query(sql)
                .bind(arg)
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .rows_affected()
        }
    }

    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
    }
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .expect("server");
}

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery";
