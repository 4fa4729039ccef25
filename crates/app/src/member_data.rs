//! A member's own data: everything the platform holds about them, as one JSON document they
//! can download (profile, memberships, posts, event registrations, activity).

use crate::{Actor, App, AppError, AppResult};
use serde_json::{json, Value};
use townsquare_store::member_data as store;

/// RFC 3339 in UTC, to the second.
fn iso(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl App {
    /// The signed-in member's data archive. Only ever their own: it takes no user id.
    pub async fn export_my_data(&self, actor: &Actor) -> AppResult<Value> {
        let db = self.db();
        let user = townsquare_store::accounts::user_by_id(db, &actor.user_id)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        let memberships = store::memberships(db, &user.id).await?;
        let posts = store::posts(db, &user.id).await?;
        let registrations = store::registrations(db, &user.id).await?;
        let activities = store::activities(db, &user.id).await?;
        Ok(json!({
            "format": "townsquare-member-export/1",
            "exported_at": iso(self.now()),
            "account": {
                "id": user.id,
                "email": user.email,
                "display_name": user.display_name,
                "handle": user.handle,
                "time_zone": user.time_zone,
                "created_at": iso(user.created_at),
            },
            "memberships": memberships.into_iter().map(|m| json!({
                "community": m.community_slug,
                "community_name": m.community_name,
                "role": m.role,
                "status": m.status,
                "joined_at": iso(m.joined_at),
            })).collect::<Vec<_>>(),
            "posts": posts.into_iter().map(|p| json!({
                "id": p.id,
                "community": p.community_slug,
                "topic_id": p.topic_id,
                "topic_title": p.topic_title,
                "opens_topic": p.is_first,
                "body_markdown": p.body_markdown,
                "created_at": iso(p.created_at),
                "edited_at": p.edited_at.map(iso),
            })).collect::<Vec<_>>(),
            "event_registrations": registrations.into_iter().map(|r| json!({
                "event_id": r.event_id,
                "event_title": r.event_title,
                "community": r.community_slug,
                "starts_at": iso(r.starts_at),
                "status": r.status,
                "registered_at": iso(r.registered_at),
                "checked_in_at": r.checked_in_at.map(iso),
            })).collect::<Vec<_>>(),
            "activity": activities.into_iter().map(|a| json!({
                "community": a.community_slug,
                "verb": a.verb,
                "object_type": a.object_type,
                "object_id": a.object_id,
                "detail": serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::String(a.detail)),
                "at": iso(a.created_at),
            })).collect::<Vec<_>>(),
        }))
    }
}
