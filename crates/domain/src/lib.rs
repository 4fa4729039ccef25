//! Townsquare's pure types and rules. Nothing here does IO: the store persists these values,
//! the app layer decides when to apply the rules, and the web layer renders them.

pub mod analytics;
pub mod auto_moderation;
pub mod discussions;
pub mod event_calendar;
pub mod event_hosts;
pub mod event_live;
pub mod events;
pub mod ids;
pub mod markdown;
pub mod member_import;
pub mod member_segments;
pub mod membership_tiers;
pub mod moderation;
pub mod notifications;
pub mod onboarding;
pub mod policy;
pub mod profiles;
pub mod ranking;
pub mod recurrence;
pub mod registration_questions;
pub mod roles;
pub mod ticket_types;
pub mod time_zones;
pub mod trust;
pub mod values;

pub use ids::new_id;
pub use roles::{CommunityRole, JoinPolicy, SpaceKind, SpaceVisibility, Visibility};
pub use values::{Email, FieldError, Slug, ValidationErrors};
