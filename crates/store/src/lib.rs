//! Townsquare's storage: one query code base over SQLite (the embedded default) and
//! PostgreSQL (for several instances). Each product area has its module; statements whose SQL
//! truly differs between the two dialects live in `sqlite.rs` and `postgres.rs`.
//!
//! A query is written once inside `with_tx!` or `with_read!`, which expand the body once per
//! backend: the same SQL text, compiled against both drivers.

#[macro_use]
mod macros;

pub mod account_deletion;
pub mod accounts;
pub mod activity;
pub mod admin;
pub mod analytics;
pub mod applications;
pub mod auto_moderation;
pub mod communities;
mod db;
pub mod directory;
pub mod discussions;
pub mod engagement;
mod error;
pub mod event_covers;
pub mod event_followups;
pub mod event_hosts;
pub mod event_live;
pub mod event_series;
pub mod events;
pub mod files;
pub mod instance_secrets;
pub mod invitations;
pub mod jobs;
pub mod member_data;
pub mod member_import;
pub mod member_timeline;
pub mod membership_tiers;
pub mod moderation;
pub mod notifications;
pub mod onboarding;
pub mod outbox;
pub mod postgres;
pub mod profiles;
pub mod rate_limits;
pub mod reading;
pub mod registration_questions;
pub mod schema;
pub mod search;
pub mod spaces;
mod sql;
mod sqlite;
pub mod ticket_types;
pub mod topic_lists;

pub use db::{Backend, Db, Notice, Source, Tx, NOTIFY_CHANNEL};
pub use error::StoreError;

pub type Result<T> = std::result::Result<T, StoreError>;
