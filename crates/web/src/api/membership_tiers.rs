//! Membership tiers in the API: the admins' tiers (create, change, archive), members' terms
//! (give, renew, end), a member's own tier, and membership churn.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::membership_tiers::{AssignInput, Churn, TermView, TierInput, TierView};
use townsquare_domain::analytics::date_of_day;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/tiers", get(list_tiers))
        .post("/api/v1/communities/{slug}/tiers", post(create_tier))
        .put("/api/v1/communities/{slug}/tiers/{tier}", put(update_tier))
        .post(
            "/api/v1/communities/{slug}/tiers/{tier}/archive",
            post(archive_tier),
        )
        .get("/api/v1/communities/{slug}/tier-members", get(list_terms))
        .get("/api/v1/communities/{slug}/tier-churn", get(churn))
        .get(
            "/api/v1/communities/{slug}/tier-defaults",
            get(tier_defaults),
        )
        .put(
            "/api/v1/communities/{slug}/tier-defaults",
            put(set_tier_defaults),
        )
        .get("/api/v1/communities/{slug}/membership", get(my_tier))
        .get(
            "/api/v1/communities/{slug}/members/{user_id}/tier",
            get(member_tier),
        )
        .put(
            "/api/v1/communities/{slug}/members/{user_id}/tier",
            put(assign_tier),
        )
        .delete(
            "/api/v1/communities/{slug}/members/{user_id}/tier",
            delete(end_tier),
        )
        .post(
            "/api/v1/communities/{slug}/members/{user_id}/tier/renewals",
            post(renew_tier),
        )
        .post(
            "/api/v1/communities/{slug}/members/{user_id}/tier/change",
            post(change_tier),
        )
        .delete(
            "/api/v1/communities/{slug}/members/{user_id}/tier/change",
            delete(cancel_tier_change),
        )
        .get(
            "/api/v1/communities/{slug}/membership/tiers",
            get(offered_tiers),
        )
        .post(
            "/api/v1/communities/{slug}/membership/change-requests",
            post(request_change),
        )
}

#[derive(Serialize, ToSchema)]
pub struct TierSpace {
    slug: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipTier {
    id: String,
    name: String,
    /// Free text, e.g. "€60 / year": payments happen elsewhere.
    price_label: String,
    /// Markdown.
    benefits: String,
    /// Months a term lasts; null for a tier without end.
    period_months: Option<i64>,
    /// Days before the end on which holders are reminded by e-mail.
    reminder_days: Vec<i64>,
    /// The spaces only holders of an active tier unlocking them (and staff) can read.
    spaces: Vec<TierSpace>,
    archived: bool,
}

impl From<TierView> for MembershipTier {
    fn from(t: TierView) -> Self {
        MembershipTier {
            reminder_days: t.reminder_days(),
            id: t.tier.id,
            name: t.tier.name,
            price_label: t.tier.price_label,
            benefits: t.tier.benefits,
            period_months: t.tier.period_months,
            archived: t.tier.archived_at.is_some(),
            spaces: t
                .spaces
                .into_iter()
                .map(|s| TierSpace {
                    slug: s.slug,
                    name: s.name,
                })
                .collect(),
        }
    }
}

/// A tier as sent to create or change it.
#[derive(Deserialize, ToSchema)]
pub struct TierBody {
    name: String,
    #[serde(default)]
    price_label: String,
    #[serde(default)]
    benefits: String,
    /// 1–120; null or absent for a tier without end.
    #[serde(default)]
    period_months: Option<i64>,
    /// Each 1–90, at most five; empty for none. Absent: on creation the community's default
    /// (`tier-defaults`, 14 and 3 unless set), on a change 14 and 3.
    #[serde(default)]
    reminder_days: Option<Vec<i64>>,
    /// Slugs of the community's spaces that the tier unlocks.
    #[serde(default)]
    spaces: Vec<String>,
}

impl From<TierBody> for TierInput {
    fn from(b: TierBody) -> Self {
        let days = b
            .reminder_days
            .unwrap_or_else(|| townsquare_domain::membership_tiers::DEFAULT_REMINDER_DAYS.to_vec());
        TierInput {
            name: b.name,
            price_label: b.price_label,
            benefits: b.benefits,
            period_months: b.period_months.map(|m| m.to_string()).unwrap_or_default(),
            reminder_days: townsquare_domain::membership_tiers::days_text(&days),
            spaces: b.spaces,
        }
    }
}

/// The community's tiers, archived ones last (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/tiers", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = [MembershipTier]), (status = 403), (status = 404)))]
pub async fn list_tiers(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MembershipTier>>, ApiError> {
    let (_, tiers) = state.app.membership_tiers(ctx.actor()?, &slug).await?;
    Ok(Json(tiers.into_iter().map(Into::into).collect()))
}

/// Create a tier (admins); 422 names each bad field, 409 a name in use.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/tiers", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = TierBody,
    responses((status = 201, body = MembershipTier), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<TierBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let given_days = b.reminder_days.is_some();
    let mut input: TierInput = b.into();
    if !given_days {
        // A new tier without reminder days gets the community's default (`tier-defaults`).
        let days = state.app.tier_defaults(actor, &slug).await?;
        input.reminder_days = townsquare_domain::membership_tiers::days_text(&days);
    }
    let t = state.app.create_tier(actor, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(MembershipTier::from(t))))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TierDefaults {
    /// Days before a term's end on which holders of a new tier are reminded (each 1–90, at
    /// most five; empty for none). Tiers created without `reminder_days` get these.
    reminder_days: Vec<i64>,
}

/// The community's defaults for new tiers (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/tier-defaults", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = TierDefaults), (status = 403), (status = 404)))]
pub async fn tier_defaults(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<TierDefaults>, ApiError> {
    let reminder_days = state.app.tier_defaults(ctx.actor()?, &slug).await?;
    Ok(Json(TierDefaults { reminder_days }))
}

/// Set the community's defaults for new tiers (admins); existing tiers keep their own days.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/tier-defaults", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = TierDefaults,
    responses((status = 200, body = TierDefaults), (status = 403), (status = 404), (status = 422)))]
pub async fn set_tier_defaults(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<TierDefaults>,
) -> Result<Json<TierDefaults>, ApiError> {
    let text = townsquare_domain::membership_tiers::days_text(&b.reminder_days);
    let reminder_days = state
        .app
        .set_tier_defaults(ctx.actor()?, &slug, &text)
        .await?;
    Ok(Json(TierDefaults { reminder_days }))
}

/// Change a tier (admins); its spaces change for its holders at once.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/tiers/{tier}", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("tier" = String, Path)), request_body = TierBody,
    responses((status = 200, body = MembershipTier), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, tier)): Path<(String, String)>,
    JsonBody(b): JsonBody<TierBody>,
) -> Result<Json<MembershipTier>, ApiError> {
    let t = state
        .app
        .update_tier(ctx.actor()?, &slug, &tier, &b.into())
        .await?;
    Ok(Json(t.into()))
}

/// Archive a tier (admins): no longer given; holders keep it until their term ends.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/tiers/{tier}/archive", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("tier" = String, Path)),
    responses((status = 200, body = MembershipTier), (status = 403), (status = 404)))]
pub async fn archive_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, tier)): Path<(String, String)>,
) -> Result<Json<MembershipTier>, ApiError> {
    let t = state.app.archive_tier(ctx.actor()?, &slug, &tier).await?;
    Ok(Json(t.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TierRenewal {
    /// RFC 3339.
    renewed_at: String,
    previous_expires_on: String,
    expires_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberTier {
    user_id: String,
    display_name: String,
    tier_id: String,
    tier: String,
    /// active, expired (its end passed), ended (by an admin) or changed (replaced by another
    /// tier: an upgrade or downgrade).
    status: String,
    /// Dates in the community's time zone (YYYY-MM-DD).
    starts_on: String,
    /// The day access stops; null for a tier without end.
    expires_on: Option<String>,
    /// Latest first.
    renewals: Vec<TierRenewal>,
    /// A change to another tier dated in the future: the member keeps this tier until then.
    scheduled_change: Option<ScheduledTierChange>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduledTierChange {
    tier_id: String,
    tier: String,
    /// The day the new tier starts and this term ends (YYYY-MM-DD).
    starts_on: String,
    /// The new term's end; null for a tier without end.
    expires_on: Option<String>,
}

fn rfc3339(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339()
}

impl From<TermView> for MemberTier {
    fn from(t: TermView) -> Self {
        // Renewal dates are shown as UTC days of the stored ends: the term view holds the
        // community-local end of the current term.
        let day = |m: i64| {
            chrono::DateTime::from_timestamp_micros(m)
                .unwrap_or_default()
                .date_naive()
                .to_string()
        };
        MemberTier {
            scheduled_change: t.change.map(|c| ScheduledTierChange {
                tier_id: c.tier_id,
                tier: c.tier_name,
                starts_on: c.starts_on.to_string(),
                expires_on: c.expires_on.map(|d| d.to_string()),
            }),
            user_id: t.term.user_id,
            display_name: t.term.display_name,
            tier_id: t.term.tier_id,
            tier: t.term.tier_name,
            status: t.term.status,
            starts_on: t.starts_on.to_string(),
            expires_on: t.expires_on.map(|d| d.to_string()),
            renewals: t
                .renewals
                .into_iter()
                .map(|r| TierRenewal {
                    renewed_at: rfc3339(r.renewed_at),
                    previous_expires_on: day(r.previous_expires_at),
                    expires_on: day(r.new_expires_at),
                })
                .collect(),
        }
    }
}

/// Every member's current tier (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/tier-members", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = [MemberTier]), (status = 403), (status = 404)))]
pub async fn list_terms(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MemberTier>>, ApiError> {
    let (_, terms) = state.app.tier_terms(ctx.actor()?, &slug).await?;
    Ok(Json(terms.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct MyMembership {
    /// Null when the member never held a tier here.
    tier: Option<MemberTier>,
}

/// The signed-in member's own tier in the community.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/membership", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = MyMembership), (status = 404)))]
pub async fn my_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<MyMembership>, ApiError> {
    let actor = ctx.actor()?;
    let t = state.app.member_tier(actor, &slug, &actor.user_id).await?;
    Ok(Json(MyMembership {
        tier: t.map(Into::into),
    }))
}

/// A member's current tier with its renewals (staff).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/tier", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = MyMembership), (status = 403), (status = 404)))]
pub async fn member_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Json<MyMembership>, ApiError> {
    let t = state.app.member_tier(ctx.actor()?, &slug, &user_id).await?;
    Ok(Json(MyMembership {
        tier: t.map(Into::into),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    /// The tier's id.
    tier: String,
    /// YYYY-MM-DD in the community's time zone; default today.
    #[serde(default)]
    starts_on: Option<String>,
    /// YYYY-MM-DD; default one period after the start.
    #[serde(default)]
    expires_on: Option<String>,
}

/// Give a member a tier (admins); 409 if they hold one already.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/members/{user_id}/tier", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = AssignBody,
    responses((status = 200, body = MemberTier), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn assign_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<AssignBody>,
) -> Result<Json<MemberTier>, ApiError> {
    let input = AssignInput {
        tier: b.tier,
        starts_on: b.starts_on.unwrap_or_default(),
        expires_on: b.expires_on.unwrap_or_default(),
    };
    let t = state
        .app
        .assign_tier(ctx.actor()?, &slug, &user_id, &input)
        .await?;
    Ok(Json(t.into()))
}

/// Change a member's tier to another (admins): an upgrade or a downgrade. The current term
/// ends where the new one starts (`starts_on`, default today; not later than today) and the
/// new term runs to `expires_on` or one period of the new tier on; the spaces follow at once.
/// 422 if the member holds no active tier or already holds this one.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{user_id}/tier/change", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = AssignBody,
    responses((status = 200, body = MemberTier), (status = 403), (status = 404), (status = 422)))]
pub async fn change_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<AssignBody>,
) -> Result<Json<MemberTier>, ApiError> {
    let input = AssignInput {
        tier: b.tier,
        starts_on: b.starts_on.unwrap_or_default(),
        expires_on: b.expires_on.unwrap_or_default(),
    };
    let t = state
        .app
        .change_tier(ctx.actor()?, &slug, &user_id, &input)
        .await?;
    Ok(Json(t.into()))
}

/// Cancel a member's scheduled tier change (admins): the current term keeps the end it had.
/// 404 when no change is scheduled; 409 when its date has come (it took effect).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/members/{user_id}/tier/change", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = MemberTier), (status = 403), (status = 404), (status = 409)))]
pub async fn cancel_tier_change(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Json<MemberTier>, ApiError> {
    let t = state
        .app
        .cancel_tier_change(ctx.actor()?, &slug, &user_id)
        .await?;
    Ok(Json(t.into()))
}

/// The tiers the community offers (not archived), with benefits and spaces (members).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/membership/tiers", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<MembershipTier>), (status = 403), (status = 404)))]
pub async fn offered_tiers(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<MembershipTier>>, ApiError> {
    let (_, tiers, _) = state.app.membership_overview(ctx.actor()?, &slug).await?;
    Ok(Json(tiers.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeRequestBody {
    /// The id of the tier the member would like.
    tier: String,
    /// Why, for the admins (optional, up to 1000 characters).
    #[serde(default)]
    message: String,
}

/// Ask the admins for another tier (members): each owner and admin is notified. Nothing
/// changes until an admin changes the tier.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/membership/change-requests", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ChangeRequestBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn request_change(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ChangeRequestBody>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .request_tier_change(ctx.actor()?, &slug, &b.tier, &b.message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RenewBody {
    /// YYYY-MM-DD; default one period on.
    #[serde(default)]
    expires_on: Option<String>,
}

/// Record a renewal (admins): the end moves on and an expired tier is active again. Send `{}`
/// for one more period.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{user_id}/tier/renewals", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = RenewBody,
    responses((status = 200, body = MemberTier), (status = 403), (status = 404), (status = 422)))]
pub async fn renew_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<RenewBody>,
) -> Result<Json<MemberTier>, ApiError> {
    let t = state
        .app
        .renew_tier(
            ctx.actor()?,
            &slug,
            &user_id,
            b.expires_on.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(t.into()))
}

/// End a member's tier now (admins).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/members/{user_id}/tier", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn end_tier(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.app.end_tier(ctx.actor()?, &slug, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChurnQuery {
    /// First day (YYYY-MM-DD, community time); default 29 days before `to`.
    from: Option<String>,
    /// Last day (YYYY-MM-DD); default today.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipChurn {
    from: String,
    to: String,
    /// Tier term ends that fell in the period (renewed ones included).
    due: i64,
    /// Of them, terms that expired or were ended without renewal.
    not_renewed: i64,
    /// not_renewed ÷ due; null when nothing was due.
    churn: Option<f64>,
}

impl From<Churn> for MembershipChurn {
    fn from(c: Churn) -> Self {
        MembershipChurn {
            from: date_of_day(c.from).to_string(),
            to: date_of_day(c.to).to_string(),
            churn: c.rate(),
            due: c.due,
            not_renewed: c.not_renewed,
        }
    }
}

/// Membership churn for a period (admins): see docs/metrics.md.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/tier-churn", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ChurnQuery), responses((status = 200, body = MembershipChurn), (status = 403), (status = 404), (status = 422)))]
pub async fn churn(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<ChurnQuery>,
) -> Result<Json<MembershipChurn>, ApiError> {
    let c = state
        .app
        .membership_churn(ctx.actor()?, &slug, q.from.as_deref(), q.to.as_deref())
        .await?;
    Ok(Json(c.into()))
}
