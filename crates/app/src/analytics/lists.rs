//! The analytics lists of a period (docs/metrics.md, "Lists"), for a community's admins:
//! champions, quiet experts, members at risk, top topics and posts, trending tags with example
//! topics, and support deflection. Content lists keep to the spaces the viewer can see, and
//! to one of them when the space filter is set.

use super::PeriodQuery;
use crate::communities::CommunityView;
use crate::spaces::kind_of;
use crate::{Actor, App, AppError, AppResult};
use townsquare_domain::analytics::lists as rules;
use townsquare_domain::analytics::terms::{self, TermTrend};
use townsquare_domain::analytics::{self as days, Day, Period};
use townsquare_domain::{time_zones, SpaceKind};
use townsquare_store::analytics::lists::{
    self as store, ExampleTopic, HelpRow, PostingRow, QuietRow, Scope, TitledTopic, TopPostRow,
    TopTopicRow,
};
use townsquare_store::spaces::SpaceRow;

/// How many rows each ranked list keeps.
pub const LIST_LIMIT: usize = 10;
/// Members at risk listed at most (the longest silent first).
pub const AT_RISK_LIMIT: usize = 100;
/// How many trending tags, and example topics per tag, are shown.
const TRENDING_TAGS: usize = 5;
const EXAMPLES_PER_TAG: i64 = 3;

#[derive(Debug, Clone)]
pub struct Champion {
    pub help: HelpRow,
    pub score: i64,
}

#[derive(Debug, Clone)]
pub struct QuietExpert {
    pub posting: PostingRow,
    pub accepted_rate: f64,
    pub reactions_per_post: f64,
}

#[derive(Debug, Clone)]
pub struct AtRisk {
    pub member: QuietRow,
    /// Whole days since their last active day, up to the as-of day.
    pub days_silent: i64,
}

#[derive(Debug, Clone)]
pub struct TrendingTag {
    pub tag: String,
    pub recent: i64,
    pub baseline: i64,
    pub recent_share: f64,
    pub baseline_share: f64,
    pub lift: f64,
    pub examples: Vec<ExampleTopic>,
}

#[derive(Debug, Clone)]
pub struct TrendingTerm {
    pub trend: TermTrend,
    /// Recent topics whose title holds the term, most replied first.
    pub examples: Vec<ExampleTopic>,
}

/// Titles read for the significant terms of the trending windows, newest first.
const TITLES_READ: i64 = 5_000;

/// The trending terms of the topics read, split into the recent and the baseline windows at
/// `recent_start`, with up to three recent examples each.
fn trending_terms(topics: &[TitledTopic], recent_start: i64) -> Vec<TrendingTerm> {
    let (recent, baseline): (Vec<&TitledTopic>, Vec<&TitledTopic>) =
        topics.iter().partition(|t| t.created_at >= recent_start);
    fn titles<'a>(v: &[&'a TitledTopic]) -> Vec<&'a str> {
        v.iter().map(|t| t.title.as_str()).collect()
    }
    terms::significant_terms(&titles(&recent), &titles(&baseline), TRENDING_TAGS)
        .into_iter()
        .map(|trend| {
            let mut examples: Vec<ExampleTopic> = recent
                .iter()
                .filter(|t| terms::title_terms(&t.title).contains(&trend.term))
                .map(|t| ExampleTopic {
                    topic_id: t.topic_id.clone(),
                    title: t.title.clone(),
                    reply_count: t.reply_count,
                })
                .collect();
            examples.sort_by_key(|e| std::cmp::Reverse(e.reply_count));
            examples.truncate(EXAMPLES_PER_TAG as usize);
            TrendingTerm { trend, examples }
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct Deflection {
    pub questions: i64,
    /// Questions whose accepted answer (or, without one, first reply) came from a member
    /// who is not staff.
    pub deflected: i64,
    pub rate: f64,
    /// Questions with a reply from someone other than the asker.
    pub responded: i64,
    /// Median seconds from asking to that first reply.
    pub median_first_response_secs: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Lists {
    pub view: CommunityView,
    pub period: Period,
    pub as_of: Day,
    /// The space filter, when set.
    pub space: Option<SpaceRow>,
    pub champions: Vec<Champion>,
    pub quiet_experts: Vec<QuietExpert>,
    pub at_risk: Vec<AtRisk>,
    /// The calendar months a member at risk was active in, and the silent days.
    pub at_risk_months: (i64, i64),
    pub silent_since: Day,
    pub top_topics: Vec<TopTopicRow>,
    pub top_posts: Vec<TopPostRow>,
    /// Trending compares these local days (inclusive) ...
    pub trending_recent: (Day, Day),
    /// ... with these.
    pub trending_baseline: (Day, Day),
    pub trending: Vec<TrendingTag>,
    /// Significant terms in the titles of the same windows.
    pub trending_terms: Vec<TrendingTerm>,
    pub deflection: Deflection,
}

fn is_staff(role: Option<&str>) -> bool {
    matches!(role, Some("moderator" | "admin" | "owner"))
}

impl App {
    /// The lists of a period; `space` (a slug, "" for all) narrows the content lists.
    pub async fn analytics_lists(
        &self,
        actor: &Actor,
        slug: &str,
        q: &PeriodQuery,
        space: &str,
    ) -> AppResult<Lists> {
        let view = self.managed_community(actor, slug).await?;
        self.lists_for(view, q, space).await
    }

    /// The lists for a community the caller has checked the viewer manages.
    pub(crate) async fn lists_for(
        &self,
        view: CommunityView,
        q: &PeriodQuery,
        space: &str,
    ) -> AppResult<Lists> {
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let today = days::local_day(self.now(), tz);
        let period = Period::parse(&q.kind, &q.at, &q.from, &q.to, today)
            .map_err(|e| AppError::invalid(e.field, e.message))?;
        let visible = self.visible_spaces(&view).await?;
        let space = match space.trim() {
            "" => None,
            s => Some(
                visible
                    .iter()
                    .find(|v| v.slug == s)
                    .cloned()
                    .ok_or_else(|| AppError::invalid("space", "There is no such space."))?,
            ),
        };
        let space_ids: Vec<String> = match &space {
            Some(s) => vec![s.id.clone()],
            None => visible
                .iter()
                .filter(|s| kind_of(s) == SpaceKind::Discussion)
                .map(|s| s.id.clone())
                .collect(),
        };
        let id = view.community.id.as_str();
        let utc = |d: Day| days::day_start_utc(d, tz);
        let scope = Scope {
            community_id: id,
            start: utc(period.first),
            end: utc(period.last + 1),
            space_ids: &space_ids,
        };
        let db = self.db();
        let intro = self.introductions_space(&view).await?;
        let intro_id = intro.as_ref().map_or("", |s| s.id.as_str());

        let mut champions: Vec<Champion> = store::help_given(db, &scope, intro_id)
            .await?
            .into_iter()
            .map(|h| Champion {
                score: rules::champion_score(h.accepted_answers, h.helpful_replies, h.welcomes),
                help: h,
            })
            .collect();
        champions.sort_by(|a, b| {
            (b.score, b.help.accepted_answers)
                .cmp(&(a.score, a.help.accepted_answers))
                .then_with(|| a.help.display_name.cmp(&b.help.display_name))
        });
        champions.truncate(LIST_LIMIT);

        let mut quiet_experts: Vec<QuietExpert> =
            store::light_posters(db, &scope, rules::QUIET_MIN_POSTS, rules::QUIET_MAX_POSTS)
                .await?
                .into_iter()
                .filter(|p| {
                    rules::is_quiet_expert(p.posts, p.accepted_answers, p.reactions_received)
                })
                .map(|p| QuietExpert {
                    accepted_rate: days::ratio(p.accepted_answers, p.posts),
                    reactions_per_post: days::ratio(p.reactions_received, p.posts),
                    posting: p,
                })
                .collect();
        quiet_experts.sort_by(|a, b| {
            (b.accepted_rate, b.reactions_per_post)
                .partial_cmp(&(a.accepted_rate, a.reactions_per_post))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.posting.display_name.cmp(&b.posting.display_name))
        });
        quiet_experts.truncate(LIST_LIMIT);

        let as_of = period.as_of(today);
        let this_month = days::month_of_day(as_of);
        let at_risk_months = (this_month - rules::AT_RISK_ACTIVE_MONTHS, this_month - 1);
        let silent_since = as_of - rules::AT_RISK_SILENT_DAYS + 1;
        let at_risk = self
            .gone_quiet(
                id,
                at_risk_months,
                silent_since,
                as_of,
                today,
                AT_RISK_LIMIT,
            )
            .await?
            .into_iter()
            .map(|m| AtRisk {
                days_silent: as_of - m.last_active_day,
                member: m,
            })
            .collect();

        let top_topics = store::top_topics(db, &scope, LIST_LIMIT as i64).await?;
        let top_posts = store::top_posts(db, &scope, LIST_LIMIT as i64).await?;

        let trending_recent = (as_of - rules::TRENDING_RECENT_DAYS + 1, as_of);
        let trending_baseline = (
            trending_recent.0 - rules::TRENDING_BASELINE_DAYS,
            trending_recent.0 - 1,
        );
        // Introductions are greetings, not a subject of conversation: they stay out of trending
        // (unless that space is the one asked for).
        let topical: Vec<String> = space_ids
            .iter()
            .filter(|s| space.is_some() || s.as_str() != intro_id)
            .cloned()
            .collect();
        let window = Scope {
            start: utc(trending_baseline.0),
            end: utc(as_of + 1),
            space_ids: &topical,
            ..scope
        };
        let recent_start = utc(trending_recent.0);
        let counts = store::tag_counts(db, &window, recent_start).await?;
        let totals = counts.iter().find(|c| c.tag.is_empty());
        let (recent_total, baseline_total) = totals.map_or((0, 0), |t| (t.recent, t.baseline));
        let mut trending: Vec<TrendingTag> = counts
            .iter()
            .filter(|c| !c.tag.is_empty())
            .filter(|c| rules::is_trending(c.recent, recent_total, c.baseline, baseline_total))
            .map(|c| TrendingTag {
                tag: c.tag.clone(),
                recent: c.recent,
                baseline: c.baseline,
                recent_share: days::ratio(c.recent, recent_total),
                baseline_share: days::ratio(c.baseline, baseline_total),
                lift: rules::trend_lift(c.recent, recent_total, c.baseline, baseline_total),
                examples: Vec::new(),
            })
            .collect();
        trending.sort_by(|a, b| {
            b.lift
                .partial_cmp(&a.lift)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b.recent.cmp(&a.recent))
                .then_with(|| a.tag.cmp(&b.tag))
        });
        trending.truncate(TRENDING_TAGS);
        let recent_scope = Scope {
            start: recent_start,
            ..window
        };
        for t in &mut trending {
            t.examples = store::tag_examples(db, &recent_scope, &t.tag, EXAMPLES_PER_TAG).await?;
        }
        let titled = store::topic_titles(db, &window, TITLES_READ).await?;
        let trending_terms = trending_terms(&titled, recent_start);

        let questions = store::questions(db, &scope).await?;
        let deflected = questions
            .iter()
            .filter(|q| {
                if q.has_accepted {
                    q.accepted_role.is_some() && !is_staff(q.accepted_role.as_deref())
                } else {
                    q.first_reply_at.is_some() && !is_staff(q.first_reply_role.as_deref())
                }
            })
            .count() as i64;
        let mut waits: Vec<i64> = questions
            .iter()
            .filter_map(|q| q.first_reply_at.map(|r| r - q.created_at))
            .collect();
        let deflection = Deflection {
            questions: questions.len() as i64,
            deflected,
            rate: days::ratio(deflected, questions.len() as i64),
            responded: waits.len() as i64,
            // Microseconds, rounded to the nearest second.
            median_first_response_secs: rules::median(&mut waits)
                .map(|m| (m + 500_000) / 1_000_000),
        };

        Ok(Lists {
            view,
            period,
            as_of,
            space,
            champions,
            quiet_experts,
            at_risk,
            at_risk_months,
            silent_since,
            top_topics,
            top_posts,
            trending_recent,
            trending_baseline,
            trending,
            trending_terms,
            deflection,
        })
    }
}
