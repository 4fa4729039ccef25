//! Integration tests: the real server on an ephemeral port, driven over HTTP like a browser
//! or an API client. SQLite by default; PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set.

mod accounts;
mod admin;
mod analytics;
mod analytics_lists;
mod analytics_pulse;
mod application_questions;
mod authz;
mod auto_moderation;
mod bad_input;
mod communities;
mod discussions;
mod engagement;
mod event_attendance;
mod event_live;
mod events;
mod feeds;
mod files;
mod invitations;
mod member_360;
mod member_data;
mod member_directory;
mod member_import;
mod member_moderation;
mod member_profiles;
mod moderation;
mod notifications;
mod onboarding;
mod process;
mod realtime;
mod schema;
mod search;
mod smtp;
mod snapshots;
mod time_zones;
mod topic_lists;
