//! The instance overview for superadmins, read-only.

use super::ApiCtx;
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/admin/overview", get(overview))
}

#[derive(Serialize, ToSchema)]
pub struct Counts {
    users: i64,
    superadmins: i64,
    communities: i64,
    posts: i64,
    /// Jobs queued or running.
    pending_jobs: i64,
    failed_jobs: i64,
    /// Mail queued or being sent.
    queued_mail: i64,
    failed_mail: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CommunitySummary {
    slug: String,
    name: String,
    visibility: String,
    join_policy: String,
    member_count: i64,
    created_at: String,
    /// When the newest activity record was written; null if nothing happened yet.
    last_activity_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserSummary {
    id: String,
    email: String,
    display_name: String,
    superadmin: bool,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Overview {
    counts: Counts,
    /// Communities, most members first (at most 200).
    communities: Vec<CommunitySummary>,
    /// The 20 newest accounts.
    newest_users: Vec<UserSummary>,
    superadmins: Vec<UserSummary>,
}

fn user(u: townsquare_app::store::admin::UserSummary) -> UserSummary {
    UserSummary {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        superadmin: u.is_superadmin,
        created_at: iso(u.created_at),
    }
}

/// The instance at a glance: counts, queues, communities and the newest accounts
/// (superadmins only).
#[utoipa::path(get, path = "/api/v1/admin/overview", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Overview), (status = 401), (status = 403)))]
pub async fn overview(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<Overview>, ApiError> {
    let o = state.app.instance_overview(ctx.actor()?).await?;
    let c = o.counts;
    Ok(Json(Overview {
        counts: Counts {
            users: c.users,
            superadmins: c.superadmins,
            communities: c.communities,
            posts: c.posts,
            pending_jobs: c.pending_jobs,
            failed_jobs: c.failed_jobs,
            queued_mail: c.queued_mail,
            failed_mail: c.failed_mail,
        },
        communities: o
            .communities
            .into_iter()
            .map(|c| CommunitySummary {
                slug: c.slug,
                name: c.name,
                visibility: c.visibility,
                join_policy: c.join_policy,
                member_count: c.member_count,
                created_at: iso(c.created_at),
                last_activity_at: c.last_activity_at.map(iso),
            })
            .collect(),
        newest_users: o.newest_users.into_iter().map(user).collect(),
        superadmins: o.superadmins.into_iter().map(user).collect(),
    }))
}
