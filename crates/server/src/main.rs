//! The `townsquare` binary: one process serves the web pages, the API and the realtime
//! stream, and runs the background workers.

mod config;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use config::{Config, Overrides};
use std::io::Read;
use std::path::PathBuf;
use townsquare_app::clock::Clock;
use townsquare_app::{App, Settings};

#[derive(Parser)]
#[command(
    name = "townsquare",
    version,
    about = "An all-in-one, self-hosted community platform."
)]
struct Cli {
    /// A TOML configuration file (environment variables and flags override it).
    #[arg(long, global = true, env = "TOWNSQUARE_CONFIG")]
    config: Option<PathBuf>,
    /// Where the SQLite database, mail files and uploads live.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// `sqlite://PATH` (default: DATA_DIR/townsquare.db) or `postgres://...`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Seed the demo communities if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo communities into an empty database.
    Demo {
        /// Seed even though the database already has users.
        #[arg(long)]
        force: bool,
    },
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// Read the password from standard input (required: passwords never go in arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the user an instance superadmin.
        #[arg(long)]
        superadmin: bool,
    },
    /// Rebuild the analytics rollups from the activity log (after an upgrade from a version
    /// without them). Safe while servers run: their writes wait until it commits.
    RebuildAnalytics {
        /// The community's slug; without it, every community, one after the other.
        #[arg(long)]
        community: Option<String>,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("TOWNSQUARE_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    if std::env::var("TOWNSQUARE_LOG_FORMAT").as_deref() == Ok("json") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
}

async fn open_app(config: &Config) -> anyhow::Result<App> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let db = townsquare_app::store::Db::connect(&config.database_url)
        .await
        .with_context(|| format!("connecting to {}", config.database_url_for_logs()))?;
    db.migrate().await.context("migrating the database")?;
    let mut settings = Settings::for_data_dir(config.data_dir.clone(), &config.base_url);
    settings.smtp_url = config.smtp_url.clone();
    settings.mail_from = config.mail_from.clone();
    settings.files.s3 = config.s3.clone();
    settings.signup_min_fill_seconds = config.signup_min_fill_seconds;
    settings.mail_body_retention_days = config.mail_body_retention_days;
    let app = App::new(db, settings, Clock::System);
    let blobs = app
        .blob_store()
        .map_err(|e| anyhow::anyhow!("file storage: {e}"))?;
    tracing::info!(store = %blobs.description, "file storage");
    Ok(app)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let cli = Cli::parse();
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.clone(),
        _ => None,
    };
    let overrides = Overrides {
        bind,
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    match cli.command {
        Command::Serve { demo, .. } => serve(config, demo).await,
        Command::Migrate => {
            open_app(&config).await?;
            println!("Database is up to date: {}", config.database_url_for_logs());
            Ok(())
        }
        Command::Demo { force } => {
            let app = open_app(&config).await?;
            if !app.has_no_users().await? && !force {
                bail!("the database already has users; pass --force to add the demo communities anyway");
            }
            app.seed_demo().await?;
            print_demo_logins();
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::RebuildAnalytics { community },
        } => {
            let app = open_app(&config).await?;
            let slugs = match community {
                Some(slug) => vec![slug],
                None => app.all_community_slugs().await?,
            };
            for slug in slugs {
                let r = app
                    .rebuild_analytics(&slug)
                    .await
                    .map_err(|e| anyhow::anyhow!("{slug}: {e}"))?;
                println!(
                    "Rebuilt {}: {} activities, {} member-days, {} stints ({} from memberships the log never saw begin)",
                    r.slug, r.activities, r.member_days, r.stints, r.stints_from_memberships
                );
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    email,
                    name,
                    password_stdin: _,
                    superadmin,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let app = open_app(&config).await?;
            let user = app
                .create_user(&email, &name, password, superadmin)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Created {} ({}){}",
                user.email,
                user.user_id,
                if superadmin { " as superadmin" } else { "" }
            );
            Ok(())
        }
    }
}

fn print_demo_logins() {
    println!(
        "Demo logins (password: {}):",
        townsquare_app::demo::DEMO_PASSWORD
    );
    for (email, role) in townsquare_app::demo::DEMO_LOGINS {
        println!("  {email:<36} {role}");
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let app = open_app(&config).await?;
    if demo {
        if app.has_no_users().await? {
            tracing::info!("seeding the demo communities");
            app.seed_demo().await?;
        }
        print_demo_logins();
    }
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("binding {}", config.bind))?;
    let address = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let workers = tokio::spawn(app.clone().run_workers(shutdown_rx.clone()));
    let listener_task = tokio::spawn(app.clone().run_listener(shutdown_rx.clone()));
    let router = townsquare_web::router(townsquare_web::AppState::new(app.clone()));
    println!(
        "Townsquare is listening on http://{address} (database: {})",
        config.database_url_for_logs()
    );
    tracing::info!(%address, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("shutting down: in-flight requests finished");
    let _ = shutdown_tx.send(true);
    let _ = workers.await;
    let _ = listener_task.await;
    app.db().close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
