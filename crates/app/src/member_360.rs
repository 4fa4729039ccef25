//! Member 360: one page per member for a community's moderators and admins — who they are
//! here, what they did (the activity log, filterable by kind and date) and the facts and
//! segment computed from the analytics rollup (docs/member-360.md).

use crate::communities::{role_of, CommunityView};
use crate::{Actor, App, AppError, AppResult};
use townsquare_domain::analytics::{day_of_date, day_start_utc, local_day};
use townsquare_domain::member_segments::{
    self as rules, group_verbs, segment, Facts, Segment, EVENT_VERB_PREFIX,
};
use townsquare_domain::{policy, time_zones, CommunityRole};
use townsquare_store::accounts::UserRow;
use townsquare_store::activity::ActivityRow;
use townsquare_store::member_timeline::{self as store, TimelineRow, VerbFilter};

pub const TIMELINE_PAGE: i64 = 50;

/// What the page and the API ask for; strings as received.
#[derive(Debug, Clone, Default)]
pub struct TimelineQuery {
    /// A verb group (posts, reactions, events, membership, moderation, visits) or empty.
    pub kind: String,
    /// YYYY-MM-DD, community time, inclusive.
    pub from: String,
    pub to: String,
    /// The last entry of the previous page: "created_at,id".
    pub before: String,
}

#[derive(Debug, Clone)]
pub struct Member360 {
    pub view: CommunityView,
    pub user: UserRow,
    pub role: Option<CommunityRole>,
    pub joined_at: i64,
    pub facts: Facts,
    pub segment: Segment,
    /// First and last day with activity here (community calendar), if any.
    pub last_active_day: Option<i64>,
    pub entries: Vec<TimelineRow>,
    /// The `before` value of the next page.
    pub next: Option<String>,
}

fn date(field: &str, s: &str) -> AppResult<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| Some(day_of_date(d)))
        .map_err(|_| AppError::invalid(field, "Give the date as YYYY-MM-DD."))
}

impl App {
    /// The member 360 page of `user_id` in a community (moderators and admins).
    pub async fn member_360(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        q: &TimelineQuery,
    ) -> AppResult<Member360> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only the community's moderators and admins see a member's full record.".into(),
            ));
        }
        let c = &view.community;
        let membership = townsquare_store::communities::membership(self.db(), &c.id, user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let user = townsquare_store::accounts::user_by_id(self.db(), user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let tz = time_zones::parse_or_utc(&c.time_zone);
        let today = local_day(self.now(), tz);

        let filter = verb_filter(&q.kind)?;
        let (from, to) = period(q)?;
        let before = match q.before.split_once(',') {
            None if q.before.trim().is_empty() => None,
            Some((at, id)) => Some((
                at.parse::<i64>()
                    .map_err(|_| AppError::invalid("before", "Not a timeline position."))?,
                id.to_string(),
            )),
            None => return Err(AppError::invalid("before", "Not a timeline position.")),
        };
        let mut entries = store::timeline(
            self.db(),
            &c.id,
            user_id,
            &filter,
            from.map(|d| day_start_utc(d, tz)).unwrap_or(i64::MIN),
            to.map(|d| day_start_utc(d + 1, tz)).unwrap_or(i64::MAX),
            before.as_ref().map(|(at, id)| (*at, id.as_str())),
            TIMELINE_PAGE + 1,
        )
        .await?;
        let next = (entries.len() as i64 > TIMELINE_PAGE).then(|| {
            entries.truncate(TIMELINE_PAGE as usize);
            let last = entries.last().expect("a full page");
            format!("{},{}", last.activity.created_at, last.activity.id)
        });

        let (days_active_30, days_active_90, posts_90, last_active_day) =
            store::activity_counts(self.db(), &c.id, user_id, today - 29, today - 89).await?;
        let facts = Facts {
            days_since_joined: today - local_day(membership.joined_at, tz),
            days_active_30,
            days_active_90,
            posts_90,
            days_since_active: last_active_day.map(|d| today - d),
        };
        Ok(Member360 {
            segment: segment(&facts),
            facts,
            role: role_of(&membership),
            joined_at: membership.joined_at,
            last_active_day,
            entries,
            next,
            user,
            view,
        })
    }
}

/// The verbs a timeline kind keeps.
fn verb_filter(kind: &str) -> AppResult<VerbFilter<'static>> {
    Ok(match kind.trim() {
        "" => VerbFilter::All,
        "events" => VerbFilter::Prefix(EVENT_VERB_PREFIX),
        rules::DONE_TO_MEMBER => VerbFilter::DoneToMember,
        kind => VerbFilter::Verbs(group_verbs(kind).ok_or_else(|| {
            AppError::invalid(
                "kind",
                format!("There is no kind of activity called “{kind}”."),
            )
        })?),
    })
}

/// The first and last day asked for (community calendar), checked.
fn period(q: &TimelineQuery) -> AppResult<(Option<i64>, Option<i64>)> {
    let from = date("from", &q.from)?;
    let to = date("to", &q.to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::invalid(
                "from",
                "The period starts after it ends.",
            ));
        }
    }
    Ok((from, to))
}

/// How many entries an export reads at a time.
pub const EXPORT_PAGE: i64 = 500;

/// A member's timeline being exported, with the page's kind and date filters: read page by
/// page (`member_timeline_export_page`) so an export of a long record holds one page at a time.
pub struct TimelineExport {
    pub slug: String,
    pub user_id: String,
    community_id: String,
    filter: VerbFilter<'static>,
    from_utc: i64,
    until_utc: i64,
}

impl App {
    /// Starts an export of a member's timeline (the community's admins).
    pub async fn member_timeline_export(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        q: &TimelineQuery,
    ) -> AppResult<TimelineExport> {
        let view = self.community(Some(actor), slug).await?;
        if !view.can_manage() {
            return Err(AppError::Forbidden(
                "Only the community's admins can export a member's record.".into(),
            ));
        }
        let c = &view.community;
        townsquare_store::communities::membership(self.db(), &c.id, user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let tz = time_zones::parse_or_utc(&c.time_zone);
        let filter = verb_filter(&q.kind)?;
        let (from, to) = period(q)?;
        Ok(TimelineExport {
            slug: c.slug.clone(),
            user_id: user_id.to_string(),
            community_id: c.id.clone(),
            filter,
            from_utc: from.map(|d| day_start_utc(d, tz)).unwrap_or(i64::MIN),
            until_utc: to.map(|d| day_start_utc(d + 1, tz)).unwrap_or(i64::MAX),
        })
    }

    /// The next page of an export, newest first, after the entry `after` of the previous page.
    pub async fn member_timeline_export_page(
        &self,
        export: &TimelineExport,
        after: Option<(i64, String)>,
    ) -> AppResult<Vec<TimelineRow>> {
        Ok(store::timeline(
            self.db(),
            &export.community_id,
            &export.user_id,
            &export.filter,
            export.from_utc,
            export.until_utc,
            after.as_ref().map(|(at, id)| (*at, id.as_str())),
            EXPORT_PAGE,
        )
        .await?)
    }
}

/// A line's kind in `member_id`'s timeline, for the page and the API: what others did to the
/// member is `admin`, the member's own activities go by their verb.
pub fn kind_of(entry: &ActivityRow, member_id: &str) -> &'static str {
    rules::timeline_kind(
        &entry.verb,
        &entry.object_type,
        &entry.object_id,
        entry.actor_id.as_deref(),
        member_id,
    )
}
