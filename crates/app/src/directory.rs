//! The member directory: search by name, handle and answers, filters, sorts and keyset pages.
//! Only what the viewer may see is searched or filtered: answers to fields hidden from them
//! are not matched, a filter on such a field is refused as if the field did not exist, the
//! trust level is for moderators, and interests count only for members who show their details.

use crate::communities::CommunityView;
use crate::profiles::{visible_fields, Field};
use crate::{Actor, App, AppError, AppResult};
use base64::Engine;
use chrono::NaiveDate;
use std::collections::HashMap;
use townsquare_domain::profiles::{normalize_interest, query_terms, value_key};
use townsquare_domain::{policy, time_zones, CommunityRole, ValidationErrors};
use townsquare_store::directory::{
    self as store, DirectoryCursor, DirectoryQuery, DirectoryRow, DirectorySort,
};

pub const DEFAULT_PAGE: i64 = 30;

/// A directory request as the web layer receives it (strings; checked here).
#[derive(Debug, Clone, Default)]
pub struct DirectoryRequest {
    pub q: String,
    /// (field id, value): members whose answer includes the value.
    pub fields: Vec<(String, String)>,
    pub interest: String,
    pub role: String,
    pub trust_level: String,
    /// YYYY-MM-DD on the community's clock: joined on or after that day / before that day.
    pub joined_from: String,
    pub joined_before: String,
    /// name (default), joined or active.
    pub sort: String,
    pub cursor: String,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct DirectoryEntry {
    pub row: DirectoryRow,
    /// Only for moderators.
    pub trust_level: Option<i64>,
    /// Answers to fields the viewer may see: (label, values).
    pub answers: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Clone)]
pub struct DirectoryPage {
    pub view: CommunityView,
    pub entries: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
    /// Fields the viewer may see (and so filter by).
    pub fields: Vec<Field>,
    pub can_filter_trust: bool,
    pub sort: DirectorySort,
}

pub fn sort_name(sort: DirectorySort) -> &'static str {
    match sort {
        DirectorySort::Name => "name",
        DirectorySort::Joined => "joined",
        DirectorySort::Active => "active",
    }
}

fn parse_sort(s: &str) -> Result<DirectorySort, String> {
    match s.trim() {
        "" | "name" => Ok(DirectorySort::Name),
        "joined" => Ok(DirectorySort::Joined),
        "active" => Ok(DirectorySort::Active),
        other => Err(format!("Sort by name, joined or active (not “{other}”).")),
    }
}

/// Opaque to clients: base64url of "kind, key, id".
pub fn encode_cursor(c: &DirectoryCursor) -> String {
    let text = match c {
        DirectoryCursor::Name(key, id) => format!("n\u{0}{key}\u{0}{id}"),
        DirectoryCursor::Time(t, id) => format!("t\u{0}{t}\u{0}{id}"),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(s: &str, sort: DirectorySort) -> Result<Option<DirectoryCursor>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let bad = || "The cursor is not one this directory gave out for this sort.".to_string();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\u{0}');
    let (kind, key, id) = match (parts.next(), parts.next(), parts.next()) {
        (Some(k), Some(key), Some(id)) => (k, key, id),
        _ => return Err(bad()),
    };
    match (kind, sort) {
        ("n", DirectorySort::Name) => Ok(Some(DirectoryCursor::Name(key.into(), id.into()))),
        ("t", DirectorySort::Joined | DirectorySort::Active) => Ok(Some(DirectoryCursor::Time(
            key.parse().map_err(|_| bad())?,
            id.into(),
        ))),
        _ => Err(bad()),
    }
}

fn parse_day(s: &str, tz: chrono_tz::Tz) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("Give the date as YYYY-MM-DD (not “{s}”)."))?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or("Not a date.")?;
    Ok(Some(time_zones::to_utc(midnight, tz)))
}

impl App {
    pub async fn directory(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        req: &DirectoryRequest,
    ) -> AppResult<DirectoryPage> {
        let view = self.community(actor, slug).await?;
        if !policy::can_see_member_list(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only members can see who else is a member.".into(),
            ));
        }
        let can_filter_trust = policy::can_moderate(&view.viewer);
        let fields = visible_fields(self.fields_of(&view.community.id).await?, &view.viewer);
        let tz = time_zones::parse_or_utc(&view.community.time_zone);

        let mut errors = ValidationErrors::new();
        let sort = errors.check("sort", parse_sort(&req.sort));
        let after = match sort {
            Some(s) => errors
                .check("cursor", decode_cursor(&req.cursor, s))
                .flatten(),
            None => None,
        };
        let role = match req.role.trim() {
            "" => None,
            r => match CommunityRole::parse(r) {
                Ok(role) => Some(role.to_string()),
                Err(_) => {
                    errors.add("role", "Filter by member, moderator, admin or owner.");
                    None
                }
            },
        };
        let trust_level = match req.trust_level.trim() {
            "" => None,
            t if !can_filter_trust => {
                let _ = t;
                return Err(AppError::Forbidden(
                    "Only moderators can filter by trust level.".into(),
                ));
            }
            t => match t.parse::<i64>() {
                Ok(n) if (0..=4).contains(&n) => Some(n),
                _ => {
                    errors.add("trust_level", "A trust level is 0 to 4.");
                    None
                }
            },
        };
        let joined_after = errors
            .check("joined_from", parse_day(&req.joined_from, tz))
            .flatten();
        let joined_before = errors
            .check("joined_before", parse_day(&req.joined_before, tz))
            .flatten();
        let mut field_filters = Vec::new();
        for (field_id, value) in &req.fields {
            if value.trim().is_empty() {
                continue;
            }
            if fields.iter().any(|f| &f.id == field_id) {
                field_filters.push((field_id.clone(), value_key(value)));
            } else {
                errors.add(
                    &format!("fields.{field_id}"),
                    "There is no such profile field.",
                );
            }
        }
        errors.finish(())?;
        let interest = Some(normalize_interest(&req.interest)).filter(|i| !i.is_empty());
        let sort = sort.unwrap_or(DirectorySort::Name);
        let limit = if req.limit <= 0 {
            DEFAULT_PAGE
        } else {
            req.limit.min(100)
        };
        let query = DirectoryQuery {
            community_id: view.community.id.clone(),
            terms: query_terms(&req.q),
            searchable_fields: fields
                .iter()
                .filter(|f| f.searchable())
                .map(|f| f.id.clone())
                .collect(),
            field_filters,
            interest,
            role,
            trust_level,
            joined_after,
            joined_before,
            sort,
            after,
            limit: limit + 1,
        };
        let mut rows = store::search(self.db(), &query).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&r.cursor(sort)))
        } else {
            None
        };
        let user_ids: Vec<String> = rows.iter().map(|r| r.user_id.clone()).collect();
        let field_ids: Vec<String> = fields.iter().map(|f| f.id.clone()).collect();
        let mut answers: HashMap<(String, String), Vec<String>> = HashMap::new();
        for v in store::answers_of(self.db(), &user_ids, &field_ids).await? {
            answers
                .entry((v.user_id, v.field_id))
                .or_default()
                .push(v.value);
        }
        let entries = rows
            .into_iter()
            .map(|row| {
                let shown = fields
                    .iter()
                    .filter_map(|f| {
                        answers
                            .remove(&(row.user_id.clone(), f.id.clone()))
                            .map(|v| (f.label.clone(), v))
                    })
                    .collect();
                DirectoryEntry {
                    trust_level: can_filter_trust.then_some(row.trust_level),
                    answers: shown,
                    row,
                }
            })
            .collect();
        Ok(DirectoryPage {
            view,
            entries,
            next_cursor,
            fields,
            can_filter_trust,
            sort,
        })
    }
}
