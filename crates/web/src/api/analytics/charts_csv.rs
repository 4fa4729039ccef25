//! The dashboard's other charts as CSV (admins): the figures of the cards with their previous
//! period, the daily active members, the retention cohorts and acquisition by source. With
//! `series.csv`, `events.csv` and `lists.csv`, every chart and list has its data as CSV.

use super::{figures, AnalyticsQuery};
use crate::api::ApiCtx;
use crate::csv_export::{attachment, spreadsheet_safe};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use townsquare_app::analytics::Dashboard;
use townsquare_app::AppError;
use townsquare_domain::analytics::{date_of_day, month_label, ratio};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/analytics/figures.csv",
        get(figures_csv),
    )
    .get(
        "/api/v1/communities/{slug}/analytics/daily.csv",
        get(daily_csv),
    )
    .get(
        "/api/v1/communities/{slug}/analytics/cohorts.csv",
        get(cohorts_csv),
    )
    .get(
        "/api/v1/communities/{slug}/analytics/acquisition.csv",
        get(acquisition_csv),
    )
}

/// A CSV file of `header` and `rows`, named after the community and `what`.
fn csv_file(
    d: &Dashboard,
    what: &str,
    header: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<Response, ApiError> {
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(internal)?;
    for row in &rows {
        out.write_record(row).map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let filename = format!("{}-analytics-{what}.csv", d.view.community.slug);
    Ok(attachment(&filename, bytes))
}

async fn dashboard(
    state: &AppState,
    ctx: &ApiCtx,
    slug: &str,
    q: &AnalyticsQuery,
) -> Result<Dashboard, ApiError> {
    Ok(state.app.analytics(ctx.actor()?, slug, &q.to_app()).await?)
}

/// The cards' figures of the period as CSV (figure, value, previous_value; rates are
/// fractions; an empty cell where a figure has no value, e.g. membership churn with no tier
/// due).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/figures.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn figures_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = dashboard(&state, &ctx, &slug, &q).await?;
    let as_map = |f| match serde_json::to_value(figures(f)) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let (now, before) = (as_map(&d.current), as_map(&d.before));
    let cell = |v: Option<&serde_json::Value>| match v {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let rows = now
        .iter()
        .map(|(name, value)| vec![name.clone(), cell(Some(value)), cell(before.get(name))])
        .collect();
    csv_file(&d, "figures", &["figure", "value", "previous_value"], rows)
}

/// Members with any activity per day, for the 30 days ending on the period's as-of day.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/daily.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn daily_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = dashboard(&state, &ctx, &slug, &q).await?;
    let rows = d
        .daily_active
        .iter()
        .map(|(day, n)| vec![date_of_day(*day).to_string(), n.to_string()])
        .collect();
    csv_file(&d, "daily", &["day", "active_members"], rows)
}

/// The retention matrix: one row per cohort month with its size and the share of it active
/// in each month after joining (m0 = the month joined; empty for months still to come).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/cohorts.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn cohorts_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = dashboard(&state, &ctx, &slug, &q).await?;
    let months: Vec<String> = (0..12).map(|k| format!("m{k}")).collect();
    let mut header = vec!["cohort", "size"];
    header.extend(months.iter().map(String::as_str));
    let rows = d
        .cohorts
        .iter()
        .map(|c| {
            let mut row = vec![month_label(c.month), c.size.to_string()];
            row.extend(
                c.cells
                    .iter()
                    .map(|cell| cell.map_or(String::new(), |v| format!("{v:.4}"))),
            );
            row
        })
        .collect();
    csv_file(&d, "cohorts", &header, rows)
}

/// New members of the period by source and campaign, with how many were activated.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/acquisition.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn acquisition_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = dashboard(&state, &ctx, &slug, &q).await?;
    let rows = d
        .acquisition
        .iter()
        .map(|j| {
            vec![
                spreadsheet_safe(&j.source),
                spreadsheet_safe(&j.campaign),
                j.members.to_string(),
                j.activated.to_string(),
                format!("{:.4}", ratio(j.activated, j.members)),
            ]
        })
        .collect();
    csv_file(
        &d,
        "acquisition",
        &[
            "source",
            "campaign",
            "members",
            "activated",
            "activation_rate",
        ],
        rows,
    )
}
