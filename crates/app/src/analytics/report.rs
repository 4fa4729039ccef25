//! The monthly leadership report (docs/metrics.md, "Leadership report"): a calendar month's
//! key figures against the month before, the 12-month series, events and the lists, with the
//! highlights and insights the manager writes by hand; e-mailed to a configured list once
//! the month is over.

use super::lists::Lists;
use super::{Dashboard, EventTotals, Figures, PeriodQuery};
use crate::spaces::{kind_of, visibility_of};
use crate::{mail, Actor, App, AppError, AppResult};
use townsquare_domain::analytics::{
    self as rules, date_of_day, local_day, month_first_day, month_label, month_name, month_of_day,
    Month, Period, PeriodKind,
};
use townsquare_domain::values::Email;
use townsquare_domain::{time_zones, SpaceKind, SpaceVisibility, ValidationErrors};
use townsquare_store::analytics as rollups;
use townsquare_store::analytics::events as event_rollups;
use townsquare_store::analytics::lists::Scope;
use townsquare_store::analytics::reports::{self as store, ReportNotes};
use townsquare_store::communities::{community_by_id, CommunityRow};

/// Longest highlights and insights texts, in characters.
pub const NOTES_MAX_CHARS: usize = 5_000;
/// Most addresses the report is mailed to.
pub const MAX_RECIPIENTS: usize = 50;

#[derive(Debug, Clone)]
pub struct LeadershipReport {
    pub month: Month,
    pub dashboard: Dashboard,
    pub lists: Lists,
    pub notes: ReportNotes,
    pub recipients: Vec<String>,
    /// When this month's report was mailed, and to how many addresses.
    pub mailed: Option<(i64, i64)>,
    /// False while the month is still running: its figures will still change.
    pub month_is_over: bool,
}

impl LeadershipReport {
    pub fn month_name(&self) -> String {
        month_name(self.month)
    }
}

/// The month asked for, or by default the last month that is over.
fn month_asked(month: &str, current: Month) -> Result<Month, String> {
    if month.trim().is_empty() {
        return Ok(current - 1);
    }
    let m = rules::parse_month(month)?;
    if m > current {
        return Err("That month has not begun yet; pick this month or an earlier one.".into());
    }
    Ok(m)
}

/// Addresses one per line (commas and semicolons also separate), each checked, no repeats.
pub fn parse_recipients(input: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in input.split(['\n', ',', ';']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let email = Email::parse(part).map_err(|e| format!("\"{part}\": {e}"))?;
        let email = email.as_str().to_string();
        if !out.contains(&email) {
            out.push(email);
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(format!(
            "At most {MAX_RECIPIENTS} addresses; this list has {}.",
            out.len()
        ));
    }
    Ok(out)
}

fn check_notes(field: &str, text: &str, e: &mut ValidationErrors) -> String {
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > NOTES_MAX_CHARS {
        e.add(
            field,
            format!("Keep this to {NOTES_MAX_CHARS} characters or fewer."),
        );
    }
    text
}

impl App {
    /// A month's leadership report (admins); `month` is YYYY-MM, "" for last month.
    pub async fn leadership_report(
        &self,
        actor: &Actor,
        slug: &str,
        month: &str,
    ) -> AppResult<LeadershipReport> {
        let view = self.managed_community(actor, slug).await?;
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let today = local_day(self.now(), tz);
        let current = month_of_day(today);
        let month = month_asked(month, current).map_err(|e| AppError::invalid("month", e))?;
        let q = PeriodQuery {
            kind: "month".into(),
            at: date_of_day(month_first_day(month)).to_string(),
            ..PeriodQuery::default()
        };
        let id = view.community.id.clone();
        let id = id.as_str();
        let dashboard = self.dashboard_for(view.clone(), &q).await?;
        let lists = self.lists_for(view, &q, "").await?;
        let notes = store::notes(self.db(), id, month)
            .await?
            .unwrap_or_default();
        let recipients = split_lines(&store::recipients(self.db(), id).await?);
        let mailed = store::mailing(self.db(), id, month).await?;
        Ok(LeadershipReport {
            month,
            dashboard,
            lists,
            notes,
            recipients,
            mailed,
            month_is_over: month < current,
        })
    }

    /// Saves the manager's highlights and insights for a month (admins).
    pub async fn save_report_notes(
        &self,
        actor: &Actor,
        slug: &str,
        month: &str,
        highlights: &str,
        insights: &str,
    ) -> AppResult<Month> {
        let view = self.managed_community(actor, slug).await?;
        let tz = time_zones::parse_or_utc(&view.community.time_zone);
        let current = month_of_day(local_day(self.now(), tz));
        let mut e = ValidationErrors::new();
        let month = e.check("month", month_asked(month, current));
        let highlights = check_notes("highlights", highlights, &mut e);
        let insights = check_notes("insights", insights, &mut e);
        let Some(month) = month.filter(|_| e.is_empty()) else {
            return Err(AppError::Invalid(e));
        };
        let mut tx = self.db().begin().await?;
        store::save_notes(
            &mut tx,
            &view.community.id,
            month,
            &highlights,
            &insights,
            &actor.user_id,
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(month)
    }

    /// Sets who receives the monthly report by e-mail (admins); an empty list stops it.
    pub async fn save_report_recipients(
        &self,
        actor: &Actor,
        slug: &str,
        recipients: &str,
    ) -> AppResult<Vec<String>> {
        let view = self.managed_community(actor, slug).await?;
        let list = parse_recipients(recipients).map_err(|e| AppError::invalid("recipients", e))?;
        let mut tx = self.db().begin().await?;
        store::save_recipients(&mut tx, &view.community.id, &list.join("\n"), self.now()).await?;
        self.commit(tx).await?;
        Ok(list)
    }

    /// Mails each community's report for the month just over to its recipients, once per
    /// community and month (the mailing row is claimed in the transaction that queues the
    /// mail). Returns how many reports were queued.
    pub async fn send_leadership_reports(&self) -> AppResult<usize> {
        let mut sent = 0;
        for (community_id, recipients) in store::communities_with_recipients(self.db()).await? {
            let Some(c) = community_by_id(self.db(), &community_id).await? else {
                continue;
            };
            let recipients = split_lines(&recipients);
            let tz = time_zones::parse_or_utc(&c.time_zone);
            let today = local_day(self.now(), tz);
            let month = month_of_day(today) - 1;
            if store::mailing(self.db(), &c.id, month).await?.is_some() {
                continue;
            }
            let body = self.report_mail(&c, month, today).await?;
            let subject = format!("{}: community report for {}", c.name, month_name(month));
            let now = self.now();
            let mut tx = self.db().begin().await?;
            if !store::claim_mailing(&mut tx, &c.id, month, recipients.len() as i64, now).await? {
                continue;
            }
            for to in &recipients {
                mail::enqueue(&mut tx, to, &subject, &body, now).await?;
            }
            self.commit(tx).await?;
            sent += 1;
        }
        Ok(sent)
    }

    /// The report as plain text: figures against the month before, events, and the notes.
    async fn report_mail(&self, c: &CommunityRow, month: Month, today: i64) -> AppResult<String> {
        let period = Period::containing(PeriodKind::Month, month_first_day(month));
        let previous = period.previous();
        let tz = time_zones::parse_or_utc(&c.time_zone);
        let (days, headcount) = self
            .figure_inputs(&c.id, &period, today, period.first)
            .await?;
        let joined = |p: &Period| rollups::joined(self.db(), &c.id, p.first, p.last);
        let (joined_now, joined_before) = (joined(&period).await?, joined(&previous).await?);
        let now = self
            .figures(&c.id, tz, &period, today, &days, &headcount, &joined_now)
            .await?;
        let before = self
            .figures(
                &c.id,
                tz,
                &previous,
                today,
                &days,
                &headcount,
                &joined_before,
            )
            .await?;
        // Mail leaves the site: count events in the spaces every member can read.
        let spaces = townsquare_store::spaces::spaces_of(self.db(), &c.id).await?;
        let space_ids: Vec<String> = spaces
            .iter()
            .filter(|s| kind_of(s) == SpaceKind::Events)
            .filter(|s| {
                matches!(
                    visibility_of(s),
                    SpaceVisibility::Everyone | SpaceVisibility::Members
                )
            })
            .map(|s| s.id.clone())
            .collect();
        let scope = Scope {
            community_id: &c.id,
            start: rules::day_start_utc(period.first, tz),
            end: rules::day_start_utc(period.last + 1, tz),
            space_ids: &space_ids,
        };
        let events = EventTotals::of(&event_rollups::attendance(self.db(), &scope).await?);
        let notes = store::notes(self.db(), &c.id, month)
            .await?
            .unwrap_or_default();
        Ok(mail_text(
            c,
            month,
            &now,
            &before,
            &events,
            &notes,
            &self.settings().base_url,
        ))
    }
}

fn split_lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn mail_text(
    c: &CommunityRow,
    month: Month,
    now: &Figures,
    before: &Figures,
    events: &EventTotals,
    notes: &ReportNotes,
    base_url: &str,
) -> String {
    let count = |label: &str, a: i64, b: i64| format!("- {label}: {a} ({:+})\n", a - b);
    let rate = |label: &str, a: f64, b: f64| {
        format!("- {label}: {} ({:+.1} pts)\n", pct(a), (a - b) * 100.0)
    };
    let mut out = format!(
        "{} — community report for {}\n\nKey figures (change against {}):\n",
        c.name,
        month_name(month),
        month_name(month - 1)
    );
    out.push_str(&count("Monthly active members", now.mau, before.mau));
    out.push_str(&rate(
        "Active member rate",
        now.active_member_rate,
        before.active_member_rate,
    ));
    out.push_str(&rate(
        "Contribution rate",
        now.contribution_rate,
        before.contribution_rate,
    ));
    out.push_str(&count("New members", now.new_members, before.new_members));
    out.push_str(&rate(
        "Activation rate",
        now.activation_rate,
        before.activation_rate,
    ));
    out.push_str(&rate(
        "Activity churn",
        now.activity_churn,
        before.activity_churn,
    ));
    out.push_str(&count(
        "Members at the end of the month",
        now.members_at_end,
        before.members_at_end,
    ));
    if let Some(churn) = now.membership_churn {
        out.push_str(&format!(
            "- Membership churn: {} ({} of {} tier terms due were not renewed)\n",
            pct(churn),
            now.tiers_not_renewed,
            now.tiers_due
        ));
    }
    if events.events > 0 {
        out.push_str(&format!(
            "- Events: {} held; {} of {} registrants attended ({}); {} of them took part ({})\n",
            events.events,
            events.checked_in,
            events.registered,
            pct(events.attendance_rate),
            events.participants,
            pct(events.participation_rate)
        ));
    }
    if !notes.highlights.is_empty() {
        out.push_str(&format!("\nHighlights\n\n{}\n", notes.highlights));
    }
    if !notes.insights.is_empty() {
        out.push_str(&format!("\nInsights\n\n{}\n", notes.insights));
    }
    out.push_str(&format!(
        "\nThe full report, with charts and lists (for the community's admins):\n\
         {base_url}/c/{}/analytics/report?month={}\n\n\
         You receive this because an admin of {} put your address on the report's list.\n",
        c.slug,
        month_label(month),
        c.name
    ));
    out
}
