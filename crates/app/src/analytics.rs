//! Analytics (docs/metrics.md): recording members' daily visits, and the KPI dashboard's
//! figures computed from the rollups that `activity::record` keeps. Only a community's admins
//! see its analytics.

pub mod day_sets;
pub mod lists;
pub mod pulse;
pub mod rebuild;
pub mod report;

use crate::communities::CommunityView;
use crate::spaces::kind_of;
use crate::{activity, Actor, App, AppError, AppResult};
use std::collections::HashSet;
use std::sync::Mutex;
use townsquare_domain::analytics::member_sets::{Class, Days, Headcount};
use townsquare_domain::analytics::{self as rules, CohortRow, Day, Month, Period};
use townsquare_domain::time_zones::Tz;
use townsquare_domain::{time_zones, SpaceKind};
use townsquare_store::analytics as rollups;
use townsquare_store::analytics::events::{self as event_rollups, EventAttendanceRow};
use townsquare_store::analytics::lists::Scope;
use townsquare_store::communities::CommunityRow;

/// The (community, member, local day) visits this process has already recorded, so that a
/// member's page loads cost no write after the first of the day. Per process by design: another
/// instance's first load of the day finds the visit in the database and writes nothing.
#[derive(Default)]
pub struct Visits {
    seen: Mutex<HashSet<(String, String, Day)>>,
}

/// Entries kept before the set is cleared (a clear only costs one idempotent upsert each).
const VISITS_KEPT: usize = 100_000;

impl Visits {
    /// True the first time a key is seen (since the last clear).
    fn first(&self, community_id: &str, user_id: &str, day: Day) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= VISITS_KEPT {
            seen.clear();
        }
        seen.insert((community_id.to_string(), user_id.to_string(), day))
    }

    fn forget(&self, community_id: &str, user_id: &str, day: Day) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.remove(&(community_id.to_string(), user_id.to_string(), day));
    }
}

/// Which period to report: `kind` is day, week, month or custom; `at` picks the day the
/// period contains (default today); `from`/`to` bound a custom range (YYYY-MM-DD).
#[derive(Debug, Clone, Default)]
pub struct PeriodQuery {
    pub kind: String,
    pub at: String,
    pub from: String,
    pub to: String,
}

/// The figures of one period (docs/metrics.md says exactly what each counts).
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub dau: i64,
    pub wau: i64,
    pub mau: i64,
    pub stickiness: f64,
    pub active_members: i64,
    pub participants: i64,
    pub contributors: i64,
    pub members_at_end: i64,
    pub active_member_rate: f64,
    pub contribution_rate: f64,
    pub new_members: i64,
    pub activated: i64,
    pub activation_rate: f64,
    pub previously_active: i64,
    pub churned: i64,
    pub activity_churn: f64,
    /// Tier terms whose end fell in the period, and of those the ones not renewed.
    pub tiers_due: i64,
    pub tiers_not_renewed: i64,
    /// tiers_not_renewed ÷ tiers_due; None when no term was due.
    pub membership_churn: Option<f64>,
}

/// One calendar month of the 12-month series.
#[derive(Debug, Clone)]
pub struct MonthFigures {
    pub month: Month,
    pub label: String,
    pub mau: i64,
    pub members_at_end: i64,
    pub active_member_rate: f64,
    pub contribution_rate: f64,
    pub new_members: i64,
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub view: CommunityView,
    pub time_zone: String,
    pub today: Day,
    pub period: Period,
    pub previous: Period,
    pub current: Figures,
    pub before: Figures,
    /// Members with any activity per day, for the 30 days ending on the period's as-of day.
    pub daily_active: Vec<(Day, i64)>,
    pub months: Vec<MonthFigures>,
    pub cohorts: Vec<CohortRow>,
    pub acquisition: Vec<rollups::Joined>,
    /// Events that started in the period, with their attendance.
    pub events: Vec<EventAttendanceRow>,
    pub event_totals: EventTotals,
    pub event_totals_before: EventTotals,
}

/// Attendance summed over a period's events (docs/metrics.md, "Events").
#[derive(Debug, Clone, Copy, Default)]
pub struct EventTotals {
    pub events: i64,
    pub registered: i64,
    pub checked_in: i64,
    pub participants: i64,
    /// checked_in ÷ registered.
    pub attendance_rate: f64,
    /// participants ÷ checked_in.
    pub participation_rate: f64,
}

impl EventTotals {
    pub fn of(rows: &[EventAttendanceRow]) -> EventTotals {
        let sum = |f: fn(&EventAttendanceRow) -> i64| rows.iter().map(f).sum::<i64>();
        let (registered, checked_in, participants) = (
            sum(|r| r.registered),
            sum(|r| r.checked_in),
            sum(|r| r.participants),
        );
        EventTotals {
            events: rows.len() as i64,
            registered,
            checked_in,
            participants,
            attendance_rate: rules::ratio(checked_in, registered),
            participation_rate: rules::ratio(participants, checked_in),
        }
    }
}

impl App {
    /// Records a signed-in member's visit to a community, at most once per community-local
    /// day. A failure is logged, never shown: a page must not fail because a visit was not
    /// counted.
    pub(crate) async fn note_visit(&self, community: &CommunityRow, user_id: &str) {
        let now = self.now();
        let tz = time_zones::parse_or_utc(&community.time_zone);
        let day = rules::local_day(now, tz);
        if !self.visits().first(&community.id, user_id, day) {
            return;
        }
        let result = async {
            let mut tx = self.db().begin().await?;
            activity::record_visit(&mut tx, &community.id, user_id, tz, now).await?;
            self.commit(tx).await
        }
        .await;
        if let Err(e) = result {
            self.visits().forget(&community.id, user_id, day);
            tracing::warn!(error = %e, community = %community.id, "could not record a visit");
        }
    }

    /// The KPI dashboard of a community for a period (admins).
    pub async fn analytics(
        &self,
        actor: &Actor,
        slug: &str,
        q: &PeriodQuery,
    ) -> AppResult<Dashboard> {
        let view = self.managed_community(actor, slug).await?;
        self.dashboard_for(view, q).await
    }

    /// The dashboard for a community the caller has checked the viewer manages.
    pub(crate) async fn dashboard_for(
        &self,
        view: CommunityView,
        q: &PeriodQuery,
    ) -> AppResult<Dashboard> {
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let today = rules::local_day(self.now(), tz);
        let period = Period::parse(&q.kind, &q.at, &q.from, &q.to, today)
            .map_err(|e| AppError::invalid(e.field, e.message))?;
        let previous = period.previous();
        let id = view.community.id.as_str();
        let as_of = period.as_of(today);
        let last_month = rules::month_of_day(as_of);
        let cohort_months = rules::trailing_months(last_month);

        // Every figure below is set arithmetic over day sets loaded once.
        let month_days = rules::month_first_day(cohort_months[0]) - 30;
        let (days, headcount) = self.figure_inputs(id, &period, today, month_days).await?;
        let acquisition = rollups::joined(self.db(), id, period.first, period.last).await?;
        let current = self
            .figures(id, tz, &period, today, &days, &headcount, &acquisition)
            .await?;
        let joined_before = rollups::joined(self.db(), id, previous.first, previous.last).await?;
        let before = self
            .figures(id, tz, &previous, today, &days, &headcount, &joined_before)
            .await?;

        let daily_active = (as_of - 29..=as_of).map(|d| (d, days.on(d))).collect();
        let months = monthly(&cohort_months, today, &days, &headcount);
        let cohorts = cohorts(&cohort_months, last_month, &days);
        let events = self.period_events(&view, &period).await?;
        let event_totals = EventTotals::of(&events);
        let event_totals_before = EventTotals::of(&self.period_events(&view, &previous).await?);
        Ok(Dashboard {
            time_zone: tz.name().to_string(),
            view,
            today,
            period,
            previous,
            current,
            before,
            daily_active,
            months,
            cohorts,
            acquisition,
            events,
            event_totals,
            event_totals_before,
        })
    }

    /// Events of the period in the events spaces the viewer can see.
    async fn period_events(
        &self,
        view: &CommunityView,
        p: &Period,
    ) -> AppResult<Vec<EventAttendanceRow>> {
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let space_ids: Vec<String> = self
            .visible_spaces(view)
            .await?
            .into_iter()
            .filter(|s| kind_of(s) == SpaceKind::Events)
            .map(|s| s.id)
            .collect();
        let scope = Scope {
            community_id: &view.community.id,
            start: rules::day_start_utc(p.first, tz),
            end: rules::day_start_utc(p.last + 1, tz),
            space_ids: &space_ids,
        };
        Ok(event_rollups::attendance(self.db(), &scope).await?)
    }

    /// What `figures` reads for `period` and the period before it: the day sets (from the
    /// earliest day either needs, or `also_from` if earlier) and the headcount.
    pub(crate) async fn figure_inputs(
        &self,
        id: &str,
        period: &Period,
        today: Day,
        also_from: Day,
    ) -> AppResult<(Days, Headcount)> {
        let previous = period.previous();
        let as_of = period.as_of(today);
        let earliest = [
            previous.previous().first,
            previous.as_of(today) - 29,
            as_of - 29,
            also_from,
        ]
        .into_iter()
        .min()
        .unwrap_or(also_from);
        let last = period.last.max(as_of).min(today);
        let days = self.day_sets(id, earliest, last, today).await?;
        let changes = rollups::day_sets::membership_days(self.db(), id).await?;
        Ok((days, Headcount::from_changes(&changes)))
    }

    /// The figures of one period: counts over the loaded day sets, the period's new members
    /// (`joined`, by source and campaign) and its membership tiers due.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn figures(
        &self,
        id: &str,
        tz: Tz,
        p: &Period,
        today: Day,
        days: &Days,
        headcount: &Headcount,
        joined: &[rollups::Joined],
    ) -> AppResult<Figures> {
        let as_of = p.as_of(today);
        let any = |first, last| days.count(Class::Any, first, last);
        let (dau, wau, mau) = (
            any(as_of, as_of),
            any(as_of - 6, as_of),
            any(as_of - 29, as_of),
        );
        let active_members = any(p.first, p.last);
        let participants = days.count(Class::Participated, p.first, p.last);
        let contributors = days.count(Class::Contributed, p.first, p.last);
        let members_at_end = headcount.at_end_of(as_of);
        let new_members = joined.iter().map(|j| j.members).sum();
        let activated = joined.iter().map(|j| j.activated).sum();
        let prev = p.previous();
        let previously_active = any(prev.first, prev.last);
        let churned = days.churned((prev.first, prev.last), (p.first, p.last));
        let (tiers_due, tiers_not_renewed) = townsquare_store::membership_tiers::churn_counts(
            self.db(),
            id,
            rules::day_start_utc(p.first, tz),
            rules::day_start_utc(p.last + 1, tz),
        )
        .await?;
        Ok(Figures {
            dau,
            wau,
            mau,
            stickiness: rules::ratio(dau, mau),
            active_members,
            participants,
            contributors,
            members_at_end,
            active_member_rate: rules::ratio(participants, members_at_end),
            contribution_rate: rules::ratio(contributors, members_at_end),
            new_members,
            activated,
            activation_rate: rules::ratio(activated, new_members),
            previously_active,
            churned,
            activity_churn: rules::ratio(churned, previously_active),
            tiers_due,
            tiers_not_renewed,
            membership_churn: (tiers_due > 0).then(|| rules::ratio(tiers_not_renewed, tiers_due)),
        })
    }
}

/// The 12-month series: each month's MAU and members at its end (or today, for the current
/// month), its active member and contribution rates, and its new members.
fn monthly(months: &[Month], today: Day, days: &Days, headcount: &Headcount) -> Vec<MonthFigures> {
    months
        .iter()
        .map(|&m| {
            let (first, last) = (rules::month_first_day(m), rules::month_last_day(m));
            let end = last.min(today);
            let members_at_end = headcount.at_end_of(end);
            MonthFigures {
                month: m,
                label: rules::month_label(m),
                mau: days.count(Class::Any, end - 29, end),
                members_at_end,
                active_member_rate: rules::ratio(
                    days.count(Class::Participated, first, last),
                    members_at_end,
                ),
                contribution_rate: rules::ratio(
                    days.count(Class::Contributed, first, last),
                    members_at_end,
                ),
                new_members: days.count(Class::Joined, first, last),
            }
        })
        .collect()
}

/// The retention matrix: each cohort (members whose stint began in the month) intersected
/// with the members active in each of its next twelve months.
fn cohorts(months: &[Month], current: Month, days: &Days) -> Vec<CohortRow> {
    let span = |m: Month| (rules::month_first_day(m), rules::month_last_day(m));
    let Some(&oldest) = months.first() else {
        return Vec::new();
    };
    let active_in: Vec<_> = (oldest..=current)
        .map(|m| {
            let (first, last) = span(m);
            days.union(Class::Any, first, last)
        })
        .collect();
    let mut sizes = Vec::with_capacity(months.len());
    let mut active = Vec::new();
    for &cohort in months {
        let (first, last) = span(cohort);
        let members = days.union(Class::Joined, first, last);
        sizes.push((cohort, members.len() as i64));
        for m in cohort..=current.min(cohort + 11) {
            let n = active_in[(m - oldest) as usize].intersection_len(&members);
            if n > 0 {
                active.push((cohort, m, n as i64));
            }
        }
    }
    rules::cohort_matrix(months, current, &sizes, &active)
}
