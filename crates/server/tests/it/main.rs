//! Integration tests: the real server on an ephemeral port, driven over HTTP like a browser
//! or an API client. SQLite by default; PostgreSQL when TOWNSQUARE_TEST_DATABASE_URL is set.

mod accounts;
mod admin;
mod analytics;
mod authz;
mod bad_input;
mod communities;
mod discussions;
mod engagement;
mod events;
mod feeds;
mod files;
mod invitations;
mod moderation;
mod notifications;
mod process;
mod realtime;
mod schema;
mod search;
mod snapshots;
mod time_zones;
mod topic_lists;
