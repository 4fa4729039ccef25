//! The analytics lists in the API (admins): JSON, and each list as CSV.

use super::AnalyticsQuery;
use crate::api::ApiCtx;
use crate::csv_export::spreadsheet_safe;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::analytics::lists::Lists as AppLists;
use townsquare_app::AppError;
use townsquare_domain::analytics::date_of_day;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/analytics/lists", get(lists))
        .get(
            "/api/v1/communities/{slug}/analytics/lists.csv",
            get(list_csv),
        )
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SpaceFilter {
    /// A space's slug: narrows champions, quiet experts, top content, trending tags and
    /// support deflection to it (members at risk stay community-wide).
    space: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhichList {
    /// `champions`, `quiet_experts`, `at_risk`, `top_topics`, `top_posts`, `trending_tags`,
    /// `trending_terms` or `deflection`.
    list: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChampionRow {
    user_id: String,
    display_name: String,
    /// 3 × accepted_answers + helpful_replies + welcomes.
    score: i64,
    accepted_answers: i64,
    /// Replies that received at least one reaction from someone else.
    helpful_replies: i64,
    /// Replies to someone else's topic in the introductions space.
    welcomes: i64,
}

#[derive(Serialize, ToSchema)]
pub struct QuietExpertRow {
    user_id: String,
    display_name: String,
    posts: i64,
    accepted_answers: i64,
    reactions_received: i64,
    accepted_rate: f64,
    reactions_per_post: f64,
}

#[derive(Serialize, ToSchema)]
pub struct AtRiskRow {
    user_id: String,
    display_name: String,
    /// Their last day with any activity (YYYY-MM-DD, community time).
    last_active: String,
    days_silent: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TopTopic {
    topic_id: String,
    title: String,
    space_id: String,
    replies: i64,
    reactions: i64,
    participants: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TopPost {
    post_id: String,
    topic_id: String,
    topic_title: String,
    author_name: String,
    reactions: i64,
    replies: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ExampleTopic {
    topic_id: String,
    title: String,
    replies: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrendingTag {
    tag: String,
    /// New topics with the tag in the recent window, and in the baseline window.
    recent: i64,
    baseline: i64,
    /// Share of all new topics in each window.
    recent_share: f64,
    baseline_share: f64,
    /// recent_share − baseline_share.
    lift: f64,
    examples: Vec<ExampleTopic>,
}

/// A word of topic titles whose share of new topics grew (at least 3 recent topics).
#[derive(Serialize, ToSchema)]
pub struct TrendingTerm {
    term: String,
    /// New topics whose title holds the term, in the recent and the baseline window.
    recent: i64,
    baseline: i64,
    /// Its share of new topics now minus before.
    lift: f64,
    examples: Vec<ExampleTopic>,
}

#[derive(Serialize, ToSchema)]
pub struct Deflection {
    /// Questions asked in the period.
    questions: i64,
    /// Of them, answered (accepted answer, else first reply) by a member who is not staff.
    deflected: i64,
    /// deflected ÷ questions.
    rate: f64,
    /// Questions with a reply from someone other than the asker.
    responded: i64,
    /// Median seconds from asking to that first reply; null when none was answered.
    median_first_response_seconds: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct DayRange {
    first: String,
    last: String,
}

#[derive(Serialize, ToSchema)]
pub struct AnalyticsLists {
    community: String,
    /// The period's first and last days.
    period: DayRange,
    /// The space filter, if set.
    space: Option<String>,
    champions: Vec<ChampionRow>,
    quiet_experts: Vec<QuietExpertRow>,
    /// Active in each of the 3 calendar months before the as-of day's, silent for the last 21
    /// days (community-wide).
    at_risk: Vec<AtRiskRow>,
    top_topics: Vec<TopTopic>,
    top_posts: Vec<TopPost>,
    /// The 7 days compared and the 28 days before them.
    trending_recent: DayRange,
    trending_baseline: DayRange,
    trending_tags: Vec<TrendingTag>,
    /// Significant terms in the titles of the same windows.
    trending_terms: Vec<TrendingTerm>,
    deflection: Deflection,
}

fn range(r: (i64, i64)) -> DayRange {
    DayRange {
        first: date_of_day(r.0).to_string(),
        last: date_of_day(r.1).to_string(),
    }
}

pub fn lists_json(l: &AppLists) -> AnalyticsLists {
    let d = &l.deflection;
    AnalyticsLists {
        community: l.view.community.slug.clone(),
        period: range((l.period.first, l.period.last)),
        space: l.space.as_ref().map(|s| s.slug.clone()),
        champions: l
            .champions
            .iter()
            .map(|c| ChampionRow {
                user_id: c.help.user_id.clone(),
                display_name: c.help.display_name.clone(),
                score: c.score,
                accepted_answers: c.help.accepted_answers,
                helpful_replies: c.help.helpful_replies,
                welcomes: c.help.welcomes,
            })
            .collect(),
        quiet_experts: l
            .quiet_experts
            .iter()
            .map(|q| QuietExpertRow {
                user_id: q.posting.user_id.clone(),
                display_name: q.posting.display_name.clone(),
                posts: q.posting.posts,
                accepted_answers: q.posting.accepted_answers,
                reactions_received: q.posting.reactions_received,
                accepted_rate: q.accepted_rate,
                reactions_per_post: q.reactions_per_post,
            })
            .collect(),
        at_risk: l
            .at_risk
            .iter()
            .map(|a| AtRiskRow {
                user_id: a.member.user_id.clone(),
                display_name: a.member.display_name.clone(),
                last_active: date_of_day(a.member.last_active_day).to_string(),
                days_silent: a.days_silent,
            })
            .collect(),
        top_topics: l
            .top_topics
            .iter()
            .map(|t| TopTopic {
                topic_id: t.topic_id.clone(),
                title: t.title.clone(),
                space_id: t.space_id.clone(),
                replies: t.replies,
                reactions: t.reactions,
                participants: t.participants,
            })
            .collect(),
        top_posts: l
            .top_posts
            .iter()
            .map(|p| TopPost {
                post_id: p.post_id.clone(),
                topic_id: p.topic_id.clone(),
                topic_title: p.topic_title.clone(),
                author_name: p.author_name.clone(),
                reactions: p.reactions,
                replies: p.replies,
            })
            .collect(),
        trending_recent: range(l.trending_recent),
        trending_baseline: range(l.trending_baseline),
        trending_tags: l
            .trending
            .iter()
            .map(|t| TrendingTag {
                tag: t.tag.clone(),
                recent: t.recent,
                baseline: t.baseline,
                recent_share: t.recent_share,
                baseline_share: t.baseline_share,
                lift: t.lift,
                examples: t
                    .examples
                    .iter()
                    .map(|e| ExampleTopic {
                        topic_id: e.topic_id.clone(),
                        title: e.title.clone(),
                        replies: e.reply_count,
                    })
                    .collect(),
            })
            .collect(),
        trending_terms: l
            .trending_terms
            .iter()
            .map(|t| TrendingTerm {
                term: t.trend.term.clone(),
                recent: t.trend.recent,
                baseline: t.trend.baseline,
                lift: t.trend.lift,
                examples: t
                    .examples
                    .iter()
                    .map(|e| ExampleTopic {
                        topic_id: e.topic_id.clone(),
                        title: e.title.clone(),
                        replies: e.reply_count,
                    })
                    .collect(),
            })
            .collect(),
        deflection: Deflection {
            questions: d.questions,
            deflected: d.deflected,
            rate: d.rate,
            responded: d.responded,
            median_first_response_seconds: d.median_first_response_secs,
        },
    }
}

async fn load(
    state: &AppState,
    ctx: &ApiCtx,
    slug: &str,
    q: &AnalyticsQuery,
    f: &SpaceFilter,
) -> Result<AppLists, ApiError> {
    Ok(state
        .app
        .analytics_lists(
            ctx.actor()?,
            slug,
            &q.to_app(),
            f.space.as_deref().unwrap_or(""),
        )
        .await?)
}

/// Champions, quiet experts, members at risk, top topics and posts, trending tags with example
/// topics and support deflection for a period (admins). Definitions: docs/metrics.md.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/lists", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery, SpaceFilter),
    responses((status = 200, body = AnalyticsLists), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn lists(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
    Query(f): Query<SpaceFilter>,
) -> Result<Json<AnalyticsLists>, ApiError> {
    let l = load(&state, &ctx, &slug, &q, &f).await?;
    Ok(Json(lists_json(&l)))
}

/// A CSV field: quoted, with quotes doubled, when it holds a comma, quote or line break; and
/// defused when it starts like a spreadsheet formula.
fn field(s: &str) -> String {
    let s = spreadsheet_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv_of(l: &AppLists, list: &str) -> Option<String> {
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    };
    match list {
        "champions" => {
            line(vec![
                "display_name".into(),
                "score".into(),
                "accepted_answers".into(),
                "helpful_replies".into(),
                "welcomes".into(),
            ]);
            for c in &l.champions {
                line(vec![
                    c.help.display_name.clone(),
                    c.score.to_string(),
                    c.help.accepted_answers.to_string(),
                    c.help.helpful_replies.to_string(),
                    c.help.welcomes.to_string(),
                ]);
            }
        }
        "quiet_experts" => {
            line(vec![
                "display_name".into(),
                "posts".into(),
                "accepted_answers".into(),
                "reactions_received".into(),
            ]);
            for q in &l.quiet_experts {
                let p = &q.posting;
                line(vec![
                    p.display_name.clone(),
                    p.posts.to_string(),
                    p.accepted_answers.to_string(),
                    p.reactions_received.to_string(),
                ]);
            }
        }
        "at_risk" => {
            line(vec![
                "display_name".into(),
                "last_active".into(),
                "days_silent".into(),
            ]);
            for a in &l.at_risk {
                line(vec![
                    a.member.display_name.clone(),
                    date_of_day(a.member.last_active_day).to_string(),
                    a.days_silent.to_string(),
                ]);
            }
        }
        "top_topics" => {
            line(vec![
                "title".into(),
                "replies".into(),
                "reactions".into(),
                "participants".into(),
            ]);
            for t in &l.top_topics {
                line(vec![
                    t.title.clone(),
                    t.replies.to_string(),
                    t.reactions.to_string(),
                    t.participants.to_string(),
                ]);
            }
        }
        "top_posts" => {
            line(vec![
                "topic_title".into(),
                "author_name".into(),
                "reactions".into(),
                "replies".into(),
            ]);
            for p in &l.top_posts {
                line(vec![
                    p.topic_title.clone(),
                    p.author_name.clone(),
                    p.reactions.to_string(),
                    p.replies.to_string(),
                ]);
            }
        }
        "trending_tags" => {
            line(vec![
                "tag".into(),
                "recent".into(),
                "baseline".into(),
                "recent_share".into(),
                "baseline_share".into(),
                "examples".into(),
            ]);
            for t in &l.trending {
                let examples = t
                    .examples
                    .iter()
                    .map(|e| e.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ");
                line(vec![
                    t.tag.clone(),
                    t.recent.to_string(),
                    t.baseline.to_string(),
                    format!("{:.4}", t.recent_share),
                    format!("{:.4}", t.baseline_share),
                    examples,
                ]);
            }
        }
        "trending_terms" => {
            line(vec![
                "term".into(),
                "recent".into(),
                "baseline".into(),
                "lift".into(),
                "examples".into(),
            ]);
            for t in &l.trending_terms {
                let examples = t
                    .examples
                    .iter()
                    .map(|e| e.title.as_str())
                    .collect::<Vec<_>>()
                    .join(" | ");
                line(vec![
                    t.trend.term.clone(),
                    t.trend.recent.to_string(),
                    t.trend.baseline.to_string(),
                    format!("{:.4}", t.trend.lift),
                    examples,
                ]);
            }
        }
        "deflection" => {
            let d = &l.deflection;
            line(vec![
                "questions".into(),
                "deflected".into(),
                "rate".into(),
                "responded".into(),
                "median_first_response_seconds".into(),
            ]);
            line(vec![
                d.questions.to_string(),
                d.deflected.to_string(),
                format!("{:.4}", d.rate),
                d.responded.to_string(),
                d.median_first_response_secs
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ]);
        }
        _ => return None,
    }
    Some(out)
}

/// One analytics list as CSV, for the same period and space filter as the JSON (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/lists.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), WhichList, AnalyticsQuery, SpaceFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn list_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(which): Query<WhichList>,
    Query(q): Query<AnalyticsQuery>,
    Query(f): Query<SpaceFilter>,
) -> Result<Response, ApiError> {
    let l = load(&state, &ctx, &slug, &q, &f).await?;
    let list = which.list.as_deref().unwrap_or("");
    let csv = csv_of(&l, list)
        .ok_or_else(|| ApiError::from(AppError::invalid("list", "There is no such list.")))?;
    let filename = format!("{}-{}.csv", l.view.community.slug, list.replace('_', "-"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response())
}
