//! Search of a community's topics and posts, with filters (space, author, tag, dates, topics
//! only) and an order (best match or newest). Filters only narrow: the spaces searched are
//! always a subset of the spaces the reader may see.

use crate::communities::CommunityView;
use crate::{Actor, App, AppError, AppResult};
use chrono::NaiveDate;
use townsquare_domain::discussions::parse_tags;
use townsquare_domain::{markdown, ValidationErrors};
use townsquare_store::accounts;
use townsquare_store::search::{self, SearchFilter, SearchHit, SearchOrder};

/// Results per search.
pub const SEARCH_LIMIT: i64 = 30;
const MAX_QUERY: usize = 200;

/// A search as the reader typed it; every field may be empty.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    pub q: String,
    /// Space slug.
    pub space: String,
    /// Author handle, with or without the `@`.
    pub author: String,
    pub tag: String,
    /// First day, `YYYY-MM-DD` in the reader's time zone.
    pub from: String,
    /// Last day (included), `YYYY-MM-DD` in the reader's time zone.
    pub to: String,
    /// The reader's offset from UTC as JavaScript's `getTimezoneOffset()` gives it: minutes
    /// to add to local time to get UTC (0 for UTC, -60 for Central European winter time).
    pub tz_offset_minutes: i64,
    /// `topics` for first posts only; empty or `all` for every post.
    pub kind: String,
    /// `relevance` or `newest`; empty picks relevance for words, newest without.
    pub sort: String,
}

impl SearchInput {
    /// Whether anything narrows the search besides the words.
    pub fn has_filters(&self) -> bool {
        [&self.space, &self.author, &self.tag, &self.from, &self.to]
            .iter()
            .any(|f| !f.trim().is_empty())
            || self.kind.trim() == "topics"
    }
}

/// What a search found, and the order it was sorted in.
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub order: SearchOrder,
    /// Whether a search ran (words or filters were given).
    pub searched: bool,
}

const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Midnight starting `day` in the reader's zone, as microseconds UTC.
fn local_midnight(day: NaiveDate, tz_offset_minutes: i64) -> i64 {
    let utc_midnight = day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or(0);
    utc_midnight + tz_offset_minutes.clamp(-1440, 1440) * MICROS_PER_MINUTE
}

fn parse_day(e: &mut ValidationErrors, field: &str, value: &str, what: &str) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) if (1970..=2200).contains(&chrono::Datelike::year(&d)) => Some(d),
        _ => {
            e.add(
                field,
                format!(
                    "The {what} date “{value}” is not a date: use YYYY-MM-DD, e.g. 2026-03-01."
                ),
            );
            None
        }
    }
}

/// A plain-text excerpt of a post's Markdown, for results found without words.
fn excerpt(md: &str) -> String {
    let text = markdown::plain_text(md);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 200 {
        return text;
    }
    let cut: String = text.chars().take(200).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

impl App {
    /// Searches the posts of a community, only in spaces the reader can see. Unknown spaces
    /// (and spaces the reader may not see), unknown handles, bad dates and a range that ends
    /// before it starts are input errors.
    pub async fn search(
        &self,
        actor: Option<&Actor>,
        community_slug: &str,
        input: &SearchInput,
    ) -> AppResult<(CommunityView, SearchResults)> {
        let view = self.community(actor, community_slug).await?;
        let visible = self.visible_spaces(&view).await?;
        let mut e = ValidationErrors::new();
        let query = input.q.trim();
        if query.chars().count() > MAX_QUERY {
            e.add("q", format!("Search for at most {MAX_QUERY} characters."));
        }
        let space = input.space.trim();
        let space_ids: Vec<String> = if space.is_empty() {
            visible.iter().map(|s| s.id.clone()).collect()
        } else {
            match visible.iter().find(|s| s.slug == space) {
                Some(s) => vec![s.id.clone()],
                None => {
                    e.add(
                        "space",
                        format!("There is no space “{space}” here to search."),
                    );
                    Vec::new()
                }
            }
        };
        let handle = input.author.trim().trim_start_matches('@').to_lowercase();
        let author_id = if handle.is_empty() {
            None
        } else {
            let found =
                accounts::users_by_handles(self.db(), std::slice::from_ref(&handle)).await?;
            match found.into_iter().next() {
                Some(u) => Some(u.id),
                None => {
                    e.add("author", format!("No member has the handle @{handle}."));
                    None
                }
            }
        };
        let tag = match input.tag.trim() {
            "" => None,
            raw => match parse_tags(raw) {
                Ok(tags) if tags.len() == 1 => tags.into_iter().next(),
                Ok(_) => {
                    e.add("tag", "Filter by one tag at a time.");
                    None
                }
                Err(message) => {
                    e.add("tag", message);
                    None
                }
            },
        };
        let from = parse_day(&mut e, "from", &input.from, "start");
        let to = parse_day(&mut e, "to", &input.to, "end");
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                e.add("to", "The end date is before the start date.");
            }
        }
        let topics_only = match input.kind.trim() {
            "" | "all" => false,
            "topics" => true,
            other => {
                e.add(
                    "type",
                    format!("“{other}” is not a result type: use all or topics."),
                );
                false
            }
        };
        let order = match input.sort.trim() {
            "" if query.is_empty() => SearchOrder::Newest,
            "" | "relevance" => SearchOrder::Relevance,
            "newest" => SearchOrder::Newest,
            other => {
                e.add(
                    "sort",
                    format!("“{other}” is not an order: use relevance or newest."),
                );
                SearchOrder::Relevance
            }
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let searched = !query.is_empty() || input.has_filters();
        let words = search::has_words(query);
        if !words && !input.has_filters() {
            return Ok((
                view,
                SearchResults {
                    hits: Vec::new(),
                    order,
                    searched,
                },
            ));
        }
        let offset = input.tz_offset_minutes;
        let filter = SearchFilter {
            community_id: view.community.id.clone(),
            space_ids,
            author_id,
            tag,
            from: from.map(|d| local_midnight(d, offset)),
            until: to
                .and_then(|d| d.succ_opt())
                .map(|d| local_midnight(d, offset)),
            topics_only,
            // Without words there is nothing to rank: newest first.
            order: if !words { SearchOrder::Newest } else { order },
            limit: SEARCH_LIMIT,
        };
        let mut hits = search::search(self.db(), query, &filter).await?;
        if !words {
            for h in &mut hits {
                h.snippet = excerpt(&h.snippet);
            }
        }
        Ok((
            view,
            SearchResults {
                hits,
                order: filter.order,
                searched,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_days_start_at_the_readers_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let utc = local_midnight(day, 0);
        assert_eq!(utc, 1_772_323_200_000_000);
        // Berlin in winter (UTC+1): getTimezoneOffset() is -60, midnight is 23:00 UTC before.
        assert_eq!(local_midnight(day, -60), utc - 60 * MICROS_PER_MINUTE);
        // New York (UTC-5): 05:00 UTC.
        assert_eq!(local_midnight(day, 300), utc + 300 * MICROS_PER_MINUTE);
    }

    #[test]
    fn excerpts_are_plain_and_short() {
        assert_eq!(excerpt("**Hello** _world_"), "Hello world");
        let long = "word ".repeat(100);
        let e = excerpt(&long);
        assert!(e.ends_with('…') && e.chars().count() <= 201, "{e}");
    }
}
