//! Townsquare's use cases, one module per product area. Each use case owns its transaction,
//! checks the authorization policy, appends the activity record, and enqueues mail, jobs and
//! realtime notices inside that same transaction. Nothing here knows about HTTP.

pub mod account_deletion;
pub mod accounts;
pub mod activity;
pub mod admin;
pub mod analytics;
pub mod applications;
pub mod auto_moderation;
pub mod bus;
pub mod calendars;
pub mod clock;
pub mod communities;
pub mod demo;
pub mod directory;
pub mod discussions;
pub mod engagement;
mod error;
pub mod event_attendance;
pub mod event_calendar;
mod event_changes;
pub mod event_covers;
pub mod event_followups;
pub mod event_hosts;
pub mod event_live;
pub mod event_series;
pub mod events;
pub mod feeds;
pub mod files;
pub mod images;
pub mod invitations;
pub mod jobs;
pub mod mail;
pub mod member_360;
pub mod member_data;
pub mod member_import;
pub mod membership_tiers;
mod mentions;
pub mod moderation;
pub mod notifications;
pub mod onboarding;
pub mod profiles;
pub mod rate_limit;
pub mod reading;
pub mod registration_questions;
pub mod search;
mod secrets;
pub mod signup_guard;
pub mod spaces;
pub mod ticket_types;
pub mod topic_lists;

pub use error::{AppError, AppResult};
pub use townsquare_domain as domain;
pub use townsquare_store as store;

use std::path::PathBuf;
use std::sync::Arc;
use townsquare_store::Db;

/// Settings the app layer needs; the server fills them from file, environment and flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The public URL people reach us at, used in e-mail links.
    pub base_url: String,
    pub data_dir: PathBuf,
    /// `smtp://user:pass@host:port` or `smtps://...`; without it mail is written as .eml files.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub rate_limits: rate_limit::Limits,
    /// Where uploads are kept (the data directory, or an S3 bucket) and their size limit.
    pub files: files::FileSettings,
    /// The sign-up form is refused when sent back sooner than this after it was shown.
    pub signup_min_fill_seconds: i64,
    /// Sent e-mails' bodies are erased this many days after sending (default 30).
    pub mail_body_retention_days: i64,
}

impl Settings {
    pub fn for_data_dir(data_dir: PathBuf, base_url: &str) -> Settings {
        Settings {
            base_url: base_url.trim_end_matches('/').to_string(),
            data_dir,
            smtp_url: None,
            mail_from: "Townsquare <no-reply@townsquare.local>".into(),
            rate_limits: rate_limit::Limits::default(),
            files: files::FileSettings::default(),
            signup_min_fill_seconds: 3,
            mail_body_retention_days: 30,
        }
    }
}

/// The application: cheap to clone, shared by every request handler and worker.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    db: Db,
    settings: Settings,
    bus: bus::Bus,
    clock: clock::Clock,
    instance_id: String,
    /// Built from the settings at start; an unusable configuration is kept as its message.
    blobs: Result<files::BlobStore, String>,
    /// Visits this process already recorded (see `analytics::Visits`).
    visits: analytics::Visits,
    /// Sealed analytics days this process decoded (see `analytics::day_sets`).
    day_set_cache: analytics::day_sets::DaySetCache,
    /// The instance-wide key that signs sign-up forms, read from the database once.
    signup_key: tokio::sync::OnceCell<String>,
}

impl App {
    pub fn new(db: Db, settings: Settings, clock: clock::Clock) -> App {
        let blobs = files::BlobStore::from_settings(&settings.data_dir, &settings.files);
        App {
            inner: Arc::new(AppInner {
                blobs,
                db,
                settings,
                bus: bus::Bus::new(),
                clock,
                instance_id: townsquare_domain::new_id(),
                visits: analytics::Visits::default(),
                day_set_cache: Default::default(),
                signup_key: tokio::sync::OnceCell::new(),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The blob store, or why the file settings could not be used.
    pub fn blob_store(&self) -> Result<&files::BlobStore, &str> {
        self.inner.blobs.as_ref().map_err(String::as_str)
    }

    pub fn bus(&self) -> &bus::Bus {
        &self.inner.bus
    }

    pub fn clock(&self) -> &clock::Clock {
        &self.inner.clock
    }

    /// Microseconds since the epoch, from the app's clock (tests can move it).
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    pub(crate) fn visits(&self) -> &analytics::Visits {
        &self.inner.visits
    }

    pub(crate) fn day_set_cache(&self) -> &analytics::day_sets::DaySetCache {
        &self.inner.day_set_cache
    }

    /// Identifies this process among several instances (job leases, logs).
    pub fn instance_id(&self) -> &str {
        &self.inner.instance_id
    }

    /// Commits a transaction and delivers its realtime notices.
    pub(crate) async fn commit(&self, tx: townsquare_store::Tx) -> AppResult<()> {
        let local = tx.commit().await?;
        for notice in local {
            self.inner.bus.publish(notice);
        }
        Ok(())
    }
}

/// The signed-in person making a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    /// What others type after @ to mention this person.
    pub handle: String,
    pub superadmin: bool,
    /// IANA name, e.g. Europe/Berlin.
    pub time_zone: String,
}
