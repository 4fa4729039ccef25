//! The member directory page (`/c/{slug}/members`): search, filters, sorts and pages; for
//! admins also the join requests and role changes.

use super::{date, page, Layout};
use crate::context::Ctx;
use crate::csv_export::{attachment, spreadsheet_safe};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use townsquare_app::communities::PENDING;
use townsquare_app::directory::{sort_name, DirectoryRequest};
use townsquare_domain::profiles::FieldKind;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/members", get(directory))
        .get("/c/{slug}/members.csv", get(directory_csv))
}

/// The query string as pairs, so that `f.<field id>` filters can be any field.
pub(crate) fn directory_request(pairs: &[(String, String)]) -> DirectoryRequest {
    let one = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    DirectoryRequest {
        q: one("q"),
        fields: pairs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("f.").map(|id| (id.to_string(), v.clone())))
            .collect(),
        interest: one("interest"),
        role: one("role"),
        trust_level: one("trust_level"),
        joined_from: one("joined_from"),
        joined_before: one("joined_before"),
        sort: one("sort"),
        cursor: one("cursor"),
        limit: one("limit").trim().parse().unwrap_or(0),
    }
}

pub struct Entry {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    pub initials: String,
    pub avatar_file_id: Option<String>,
    pub headline: String,
    pub role: String,
    pub joined: String,
    pub trust_level: Option<i64>,
    pub answers: Vec<(String, String)>,
}

pub struct Filter {
    pub id: String,
    pub label: String,
    pub options: Vec<String>,
    pub chosen: String,
}

pub struct Pending {
    pub user_id: String,
    pub display_name: String,
    pub request_note: String,
    /// (question as asked, answer) given with the request.
    pub answers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "members/directory.html")]
struct DirectoryPage {
    layout: Layout,
    slug: String,
    name: String,
    can_manage: bool,
    can_filter_trust: bool,
    entries: Vec<Entry>,
    pending: Vec<Pending>,
    filters: Vec<Filter>,
    req: DirectoryRequest,
    sort: &'static str,
    /// The query string of the next page.
    next: Option<String>,
    /// The current search and filters, for the CSV export.
    export_query: String,
    filtered: bool,
}

async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let req = directory_request(&pairs);
    let result = state.app.directory(ctx.actor.as_ref(), &slug, &req).await?;
    let view = &result.view;
    let pending = if view.can_manage() {
        let requests = state
            .app
            .members(ctx.actor.as_ref(), &slug, PENDING, None, 100)
            .await?
            .1;
        let ids: Vec<String> = requests.iter().map(|m| m.user_id.clone()).collect();
        let mut answers = state
            .app
            .application_answers(&view.community.id, &ids)
            .await?;
        requests
            .into_iter()
            .map(|m| Pending {
                answers: answers
                    .remove(&m.user_id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a| (a.question, a.answer))
                    .collect(),
                user_id: m.user_id,
                display_name: m.display_name,
                request_note: m.request_note,
            })
            .collect()
    } else {
        Vec::new()
    };
    let export_query = serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(k, v)| k != "cursor" && !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    let next = result.next_cursor.as_ref().map(|cursor| {
        let mut keep: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, v)| k != "cursor" && !v.is_empty())
            .cloned()
            .collect();
        keep.push(("cursor".into(), cursor.clone()));
        serde_urlencoded::to_string(&keep).unwrap_or_default()
    });
    let filters = result
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::SingleSelect | FieldKind::MultiSelect))
        .map(|f| Filter {
            chosen: req
                .fields
                .iter()
                .find(|(id, _)| id == &f.id)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            id: f.id.clone(),
            label: f.label.clone(),
            options: f.options.clone(),
        })
        .collect();
    let entries = result
        .entries
        .into_iter()
        .map(|e| Entry {
            initials: super::format::initials(&e.row.display_name),
            user_id: e.row.user_id,
            display_name: e.row.display_name,
            handle: e.row.handle,
            avatar_file_id: e.row.avatar_file_id,
            headline: e.row.headline.unwrap_or_default(),
            role: e.row.role,
            joined: date(e.row.joined_at),
            trust_level: e.trust_level,
            answers: e
                .answers
                .into_iter()
                .map(|(label, values)| (label, values.join(", ")))
                .collect(),
        })
        .collect();
    let spaces = state.app.visible_spaces(view).await?;
    let layout = Layout::new(&state, &ctx, "Members")
        .await?
        .in_community(view, &spaces, None);
    let filtered = !req.q.trim().is_empty()
        || req.fields.iter().any(|(_, v)| !v.is_empty())
        || !req.interest.is_empty()
        || !req.role.is_empty()
        || !req.trust_level.is_empty()
        || !req.joined_from.is_empty()
        || !req.joined_before.is_empty();
    let body = DirectoryPage {
        slug: slug.clone(),
        name: view.community.name.clone(),
        can_manage: view.can_manage(),
        can_filter_trust: result.can_filter_trust,
        sort: sort_name(result.sort),
        entries,
        pending,
        filters,
        req,
        next,
        export_query,
        filtered,
        layout,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

/// Members who export at once at most; a bigger community filters or pages the directory.
const CSV_MAX_MEMBERS: usize = 200_000;

/// The directory as CSV, with the same search and filters (community admins): name, handle,
/// role, dates, trust level, headline and one column per profile field. No e-mail addresses:
/// members choose who sees theirs.
async fn directory_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    state.app.managed_community(actor, &slug).await?;
    let mut req = directory_request(&pairs);
    req.limit = 100;
    req.cursor = String::new();
    let internal = |e: csv::Error| townsquare_app::AppError::Internal(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut columns: Vec<(String, String)> = Vec::new();
    let mut written = 0;
    let mut first = true;
    loop {
        let page = state.app.directory(Some(actor), &slug, &req).await?;
        if std::mem::take(&mut first) {
            columns = page
                .fields
                .iter()
                .map(|f| (f.id.clone(), f.label.clone()))
                .collect();
            let mut header = vec![
                "name".to_string(),
                "handle".into(),
                "role".into(),
                "joined".into(),
                "last_active".into(),
                "trust_level".into(),
                "headline".into(),
            ];
            header.extend(columns.iter().map(|(_, label)| spreadsheet_safe(label)));
            out.write_record(&header).map_err(internal)?;
        }
        for e in &page.entries {
            let mut record = vec![
                spreadsheet_safe(&e.row.display_name),
                e.row.handle.clone(),
                e.row.role.clone(),
                super::format::iso(e.row.joined_at),
                super::format::iso(e.row.last_active_at),
                e.trust_level.map(|l| l.to_string()).unwrap_or_default(),
                spreadsheet_safe(e.row.headline.as_deref().unwrap_or("")),
            ];
            for (_, label) in &columns {
                let values = e
                    .answers
                    .iter()
                    .find(|(l, _)| l == label)
                    .map(|(_, v)| v.join("; "))
                    .unwrap_or_default();
                record.push(spreadsheet_safe(&values));
            }
            out.write_record(&record).map_err(internal)?;
            written += 1;
        }
        match page.next_cursor {
            Some(c) if written < CSV_MAX_MEMBERS => req.cursor = c,
            _ => break,
        }
    }
    let bytes = out
        .into_inner()
        .map_err(|e| townsquare_app::AppError::Internal(e.to_string()))?;
    Ok(attachment(&format!("{slug}-members.csv"), bytes))
}
