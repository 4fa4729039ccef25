//! The admins' page for importing members from a CSV file. The file is uploaded once, for the
//! check (a `multipart/form-data` form); the report page carries its text in a hidden field of
//! the confirming form, so "Import" re-posts exactly the file that was checked, and the real
//! run checks it again in its own transaction. Nothing is stored between the two steps: no
//! half-finished import to clean up, and nothing another instance needs to find.

use super::{page, redirect_with_flash, Layout};
use crate::context::Ctx;
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use townsquare_app::member_import::{
    ImportOptions, ImportReport, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS,
};
use townsquare_app::AppError;
use townsquare_domain::member_import::FileError;
use townsquare_domain::ValidationErrors;

/// The form carries the file (check) or its text (import), never both, plus small fields.
const FORM_CEILING: usize = MAX_IMPORT_BYTES * 3 + 64 * 1024;
/// Longest small field read (mode, campaign, CSRF token).
const MAX_SMALL_FIELD: usize = 1024;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/settings/import", get(form)).post(
        "/c/{slug}/settings/import",
        post(submit).layer(DefaultBodyLimit::max(FORM_CEILING)),
    )
}

pub struct ReportLine {
    pub line: u64,
    pub email: String,
    pub name: String,
    pub status: &'static str,
    pub label: &'static str,
    pub invalid: bool,
    pub problems: Vec<String>,
    pub new_account: bool,
}

#[derive(Template)]
#[template(path = "members/import.html")]
struct ImportPage {
    layout: Layout,
    slug: String,
    max_rows: usize,
    mode: String,
    campaign: String,
    errors: ValidationErrors,
    report: Option<ReportView>,
}

pub struct ReportView {
    pub summary: String,
    pub invalid: usize,
    pub can_import: bool,
    pub notes: Vec<(String, String)>,
    pub rows: Vec<ReportLine>,
    /// The checked file's text, re-posted by the confirming form.
    pub csv: String,
}

impl ReportView {
    fn new(r: ImportReport, csv: String) -> ReportView {
        ReportView {
            summary: r.summary(),
            invalid: r.invalid(),
            can_import: r.invalid() == 0 && r.to_invite() + r.to_add() > 0,
            notes: r.notes.into_iter().map(|n| (n.column, n.message)).collect(),
            rows: r
                .rows
                .into_iter()
                .map(|row| ReportLine {
                    line: row.line,
                    email: row.email,
                    name: row.name,
                    status: row.status.as_str(),
                    label: row.status.label(),
                    invalid: row.status.is_invalid(),
                    problems: row
                        .problems
                        .into_iter()
                        .map(|p| {
                            if p.column.is_empty() {
                                p.message
                            } else {
                                format!("{}: {}", p.column, p.message)
                            }
                        })
                        .collect(),
                    new_account: row.new_account,
                })
                .collect(),
            csv,
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    submitted: &Submitted,
    errors: ValidationErrors,
    report: Option<ReportView>,
) -> Result<Response, HtmlError> {
    let view = state.app.managed_community(ctx.actor()?, slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(state, ctx, "Import members")
        .await?
        .in_community(&view, &spaces, None);
    let status = if errors.is_empty() && report.as_ref().is_none_or(|r| r.invalid == 0) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(
        status,
        &ImportPage {
            layout,
            slug: slug.to_string(),
            max_rows: MAX_IMPORT_ROWS,
            mode: submitted.mode.clone(),
            campaign: submitted.campaign.clone(),
            errors,
            report,
        },
        ctx.flash.is_some(),
    ))
}

async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let submitted = Submitted {
        mode: "invite".into(),
        ..Default::default()
    };
    render(
        &state,
        &ctx,
        &slug,
        &submitted,
        ValidationErrors::new(),
        None,
    )
    .await
}

#[derive(Default)]
struct Submitted {
    csrf_token: String,
    /// The uploaded file (check) or the re-posted text (import).
    file: Vec<u8>,
    too_large: bool,
    mode: String,
    campaign: String,
    /// `check` or `import`.
    step: String,
}

fn body_error(e: MultipartError) -> HtmlError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(FileError::TooLarge.message()).into()
    } else {
        AppError::invalid("file", "The form could not be read; choose the file again.").into()
    }
}

/// Reads a part up to `max` bytes; the rest is read and dropped, and `over` says so.
async fn read_part(
    field: &mut Field<'_>,
    max: usize,
    over: &mut bool,
) -> Result<Vec<u8>, HtmlError> {
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(body_error)? {
        if buf.len() + chunk.len() > max {
            *over = true;
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok(buf)
}

async fn read_form(state: &AppState, req: Request) -> Result<Submitted, HtmlError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::invalid("file", "Send the form with the file attached."))?;
    let mut s = Submitted::default();
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        let name = field.name().unwrap_or("").to_string();
        let mut over = false;
        match name.as_str() {
            "file" | "csv" => {
                let bytes = read_part(&mut field, MAX_IMPORT_BYTES, &mut over).await?;
                // The confirming form has no file part; an empty file part is "no file chosen".
                if over {
                    s.too_large = true;
                } else if !bytes.is_empty() {
                    s.file = bytes;
                }
            }
            "csrf_token" | "mode" | "campaign" | "step" => {
                let bytes = read_part(&mut field, MAX_SMALL_FIELD, &mut over).await?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                match name.as_str() {
                    "csrf_token" => s.csrf_token = text,
                    "mode" => s.mode = text,
                    "campaign" => s.campaign = text,
                    _ => s.step = text,
                }
            }
            _ => {
                read_part(&mut field, 0, &mut over).await?;
            }
        }
    }
    Ok(s)
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    req: Request,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?.clone();
    // Who may import is decided before the body is read.
    state.app.managed_community(&actor, &slug).await?;
    let is_multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(HtmlError::status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This address takes the import form (multipart/form-data).",
        ));
    }
    let submitted = match read_form(&state, req).await {
        Ok(s) => s,
        Err(HtmlError::App(AppError::TooLarge(m))) => {
            // Too large even for the form: no token to check, so only the message is shown.
            let mut errors = ValidationErrors::new();
            errors.add("file", m);
            let s = Submitted {
                mode: "invite".into(),
                ..Default::default()
            };
            return render(&state, &ctx, &slug, &s, errors, None).await;
        }
        Err(e) => return Err(e),
    };
    ctx.check_csrf(Some(&submitted.csrf_token))?;
    let mut errors = ValidationErrors::new();
    if submitted.too_large {
        errors.add("file", FileError::TooLarge.message());
    } else if submitted.file.is_empty() {
        errors.add("file", "Choose a CSV file to check.");
    }
    if !errors.is_empty() {
        return render(&state, &ctx, &slug, &submitted, errors, None).await;
    }
    let importing = submitted.step == "import";
    let options = ImportOptions {
        mode: submitted.mode.clone(),
        campaign: submitted.campaign.clone(),
        dry_run: !importing,
    };
    match state
        .app
        .import_members(&actor, &slug, &submitted.file, &options)
        .await
    {
        Ok((_, report)) if report.imported => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/import"),
            &report.summary(),
        )),
        Ok((_, report)) => {
            let csv = String::from_utf8_lossy(&submitted.file).into_owned();
            let view = ReportView::new(report, csv);
            render(&state, &ctx, &slug, &submitted, errors, Some(view)).await
        }
        Err(AppError::TooLarge(m)) => {
            errors.add("file", m);
            render(&state, &ctx, &slug, &submitted, errors, None).await
        }
        Err(AppError::Invalid(v)) => render(&state, &ctx, &slug, &submitted, v, None).await,
        Err(e) => Err(e.into()),
    }
}
