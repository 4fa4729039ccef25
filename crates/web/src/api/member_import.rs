//! Importing members from CSV in the API: the file is the request body (`text/csv`), the
//! options are query parameters. A dry run (the default) answers with the row-by-row report;
//! a real run answers with the report of what was written, or 422 naming every problem row
//! when nothing was written.

use super::ApiCtx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::routing::post;
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::member_import::{ImportOptions, ImportReport, MAX_IMPORT_BYTES};
use townsquare_app::AppError;
use townsquare_domain::member_import::FileError;
use townsquare_domain::ValidationErrors;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/communities/{slug}/imports", post(import))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true` (the default) checks the file and writes nothing; `false` imports it, all or
    /// nothing.
    dry_run: Option<String>,
    /// `invite` (the default: an e-mail invitation each) or `add` (members at once; accounts
    /// without a password are created for new addresses).
    mode: Option<String>,
    /// An optional campaign tag kept on the invitations or memberships (at most 60 characters).
    campaign: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportProblem {
    /// invalid_email, invalid_value, duplicate or wrong_cell_count.
    kind: &'static str,
    /// The column as the file names it (empty for the whole row).
    column: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportedRow {
    /// The line of the file the row starts on (the header is line 1).
    line: u64,
    email: String,
    name: String,
    /// will_be_invited, will_be_added, invited, added, already_member, already_invited, or
    /// the kind of the row's first problem (invalid_email, invalid_value, duplicate,
    /// wrong_cell_count).
    status: &'static str,
    problems: Vec<ImportProblem>,
    /// Add mode: an account is (or was) created for the address.
    new_account: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedColumn {
    column: String,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    /// invite or add.
    mode: &'static str,
    campaign: String,
    dry_run: bool,
    /// True when the people were written.
    imported: bool,
    summary: String,
    columns: Vec<String>,
    /// Columns that are not e-mail, name, interests or a profile field's label: skipped.
    skipped_columns: Vec<SkippedColumn>,
    rows: Vec<ImportedRow>,
    invalid: usize,
    invited: usize,
    added: usize,
    skipped: usize,
}

impl From<ImportReport> for ImportResult {
    fn from(r: ImportReport) -> ImportResult {
        ImportResult {
            mode: r.mode.as_str(),
            summary: r.summary(),
            invalid: r.invalid(),
            invited: r.to_invite(),
            added: r.to_add(),
            skipped: r.skipped(),
            campaign: r.campaign,
            dry_run: r.dry_run,
            imported: r.imported,
            columns: r.columns,
            skipped_columns: r
                .notes
                .into_iter()
                .map(|n| SkippedColumn {
                    column: n.column,
                    message: n.message,
                })
                .collect(),
            rows: r
                .rows
                .into_iter()
                .map(|row| ImportedRow {
                    line: row.line,
                    email: row.email,
                    name: row.name,
                    status: row.status.as_str(),
                    problems: row
                        .problems
                        .into_iter()
                        .map(|p| ImportProblem {
                            kind: p.kind.as_str(),
                            column: p.column,
                            message: p.message,
                        })
                        .collect(),
                    new_account: row.new_account,
                })
                .collect(),
        }
    }
}

/// Every problem row as a field error: `rows.<line>.<column>`.
fn row_errors(r: &ImportReport) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for row in &r.rows {
        for p in &row.problems {
            let column = if p.column.is_empty() {
                "row"
            } else {
                &p.column
            };
            errors.add(&format!("rows.{}.{column}", row.line), p.message.clone());
        }
    }
    errors
}

fn parse_bool(raw: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(default),
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        Some(other) => Err(ApiError(AppError::invalid(
            "dry_run",
            format!("dry_run is true or false, not {other:?}."),
        ))),
    }
}

/// Check or import a CSV file of people (community admins). Columns: `email` (required),
/// `name`, `interests` (separated by `;`) and any custom profile field by its label (several
/// choices separated by `;`); other columns are skipped and reported. UTF-8 with or without a
/// byte order mark, quoted cells, CRLF or LF; at most 2 MiB and 5000 rows (413 beyond).
/// A real run writes everything in one transaction, or nothing (422 with a field error per
/// problem, named `rows.<line>.<column>`).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/imports", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportResult), (status = 401), (status = 403), (status = 404), (status = 413), (status = 422), (status = 429)))]
pub async fn import(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<ImportQuery>,
    req: Request,
) -> Result<Json<ImportResult>, ApiError> {
    let actor = ctx.actor()?.clone();
    // Who may import is decided before the body is read.
    state.app.managed_community(&actor, &slug).await?;
    let dry_run = parse_bool(q.dry_run.as_deref(), true)?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !(content_type.starts_with("text/csv")
        || content_type.starts_with("text/plain")
        || content_type.starts_with("application/csv"))
    {
        return Err(ApiError(AppError::invalid(
            "body",
            "Send the file as the request body, with Content-Type: text/csv.",
        )));
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_IMPORT_BYTES)
        .await
        .map_err(|_| ApiError(AppError::TooLarge(FileError::TooLarge.message())))?;
    let options = ImportOptions {
        mode: q.mode.unwrap_or_else(|| "invite".into()),
        campaign: q.campaign.unwrap_or_default(),
        dry_run,
    };
    let (_, report) = state
        .app
        .import_members(&actor, &slug, &bytes, &options)
        .await?;
    if !report.dry_run && !report.imported {
        return Err(ApiError(AppError::Invalid(row_errors(&report))));
    }
    Ok(Json(report.into()))
}
