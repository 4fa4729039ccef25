//! Membership tiers: admins define what a community offers (and which spaces each tier
//! unlocks), give members a tier, record renewals and end terms. A sweep reminds holders
//! before their term ends and expires the terms whose end has come; the access check itself
//! (`spaces::can_see`) compares the end with the clock, so an ended term opens nothing even
//! before the sweep runs. Membership churn counts the ends due in a period and those not renewed.

use crate::clock::MICROS_PER_DAY;
use crate::communities::{role_of, CommunityView};
use crate::{activity, mail, Actor, App, AppError, AppResult};
use chrono::NaiveDate;
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::analytics::{date_of_day, day_of_date, day_start_utc, local_day, Day};
use townsquare_domain::membership_tiers::{
    self as rules, Tier, ACTIVE, CHANGED, ENDED, EXPIRED, SCHEDULED,
};
use townsquare_domain::{new_id, policy, time_zones};
use townsquare_store::membership_tiers::{self as store, RenewalRow, TermRow, TierRow};
use townsquare_store::spaces::SpaceRow;

/// What an admin submits to create or change a tier.
#[derive(Debug, Clone, Default)]
pub struct TierInput {
    pub name: String,
    pub price_label: String,
    pub benefits: String,
    /// Months, or empty for a tier without end.
    pub period_months: String,
    /// Days before the end to remind, e.g. "14, 3"; empty for none.
    pub reminder_days: String,
    /// Slugs of the spaces the tier unlocks.
    pub spaces: Vec<String>,
}

/// A tier with the spaces it unlocks.
#[derive(Debug, Clone)]
pub struct TierView {
    pub tier: TierRow,
    pub spaces: Vec<SpaceRow>,
}

impl TierView {
    pub fn reminder_days(&self) -> Vec<i64> {
        rules::reminder_days_from_stored(&self.tier.reminder_days)
    }
}

/// What an admin submits to give a member a tier.
#[derive(Debug, Clone, Default)]
pub struct AssignInput {
    /// The tier's id.
    pub tier: String,
    /// YYYY-MM-DD in the community's time zone; empty for today.
    pub starts_on: String,
    /// YYYY-MM-DD; empty to compute it from the tier's period.
    pub expires_on: String,
}

/// A member's term as shown: dates in the community's time zone.
#[derive(Debug, Clone)]
pub struct TermView {
    pub term: TermRow,
    pub starts_on: NaiveDate,
    /// The day the term ends (access stops at the start of it); None for a tier without end.
    pub expires_on: Option<NaiveDate>,
    pub renewals: Vec<RenewalRow>,
    /// A change to another tier dated in the future, if one is scheduled.
    pub change: Option<ScheduledChange>,
}

/// A tier change waiting for its date: the member keeps the current tier until then.
#[derive(Debug, Clone)]
pub struct ScheduledChange {
    pub tier_id: String,
    pub tier_name: String,
    /// The day the new tier starts (the current term ends at the start of it).
    pub starts_on: NaiveDate,
    /// The new term's end; None for a tier without end.
    pub expires_on: Option<NaiveDate>,
}

/// Membership churn for a period (docs/metrics.md): term ends due, and those not renewed.
#[derive(Debug, Clone)]
pub struct Churn {
    pub from: Day,
    pub to: Day,
    pub due: i64,
    pub not_renewed: i64,
}

impl Churn {
    /// Not renewed ÷ due, as a share; None when nothing was due.
    pub fn rate(&self) -> Option<f64> {
        (self.due > 0).then(|| self.not_renewed as f64 / self.due as f64)
    }
}

fn tz_of(view: &CommunityView) -> time_zones::Tz {
    time_zones::parse_or_utc(&view.community.time_zone)
}

fn day_of(micros: i64, tz: time_zones::Tz) -> NaiveDate {
    date_of_day(local_day(micros, tz))
}

fn start_of(date: NaiveDate, tz: time_zones::Tz) -> i64 {
    day_start_utc(day_of_date(date), tz)
}

impl App {
    /// The community's tiers with their spaces (admins).
    pub async fn membership_tiers(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<TierView>)> {
        let view = self.managed_community(actor, slug).await?;
        let tiers = self.tier_views(&view.community.id).await?;
        Ok((view, tiers))
    }

    async fn tier_views(&self, community_id: &str) -> AppResult<Vec<TierView>> {
        let tiers = store::tiers_of(self.db(), community_id).await?;
        let spaces: HashMap<String, SpaceRow> =
            townsquare_store::spaces::spaces_of(self.db(), community_id)
                .await?
                .into_iter()
                .map(|s| (s.id.clone(), s))
                .collect();
        let mut by_tier: HashMap<String, Vec<SpaceRow>> = HashMap::new();
        for (tier_id, space_id) in store::tier_spaces(self.db(), community_id).await? {
            if let Some(s) = spaces.get(&space_id) {
                by_tier.entry(tier_id).or_default().push(s.clone());
            }
        }
        Ok(tiers
            .into_iter()
            .map(|tier| {
                let mut spaces = by_tier.remove(&tier.id).unwrap_or_default();
                spaces.sort_by_key(|s| s.position);
                TierView { tier, spaces }
            })
            .collect())
    }

    pub async fn membership_tier(
        &self,
        actor: &Actor,
        slug: &str,
        tier_id: &str,
    ) -> AppResult<(CommunityView, TierView)> {
        let (view, tiers) = self.membership_tiers(actor, slug).await?;
        let tier = tiers
            .into_iter()
            .find(|t| t.tier.id == tier_id)
            .ok_or(AppError::NotFound("tier"))?;
        Ok((view, tier))
    }

    /// Checks a tier and resolves its space slugs to the community's spaces.
    async fn check_tier(
        &self,
        view: &CommunityView,
        input: &TierInput,
    ) -> AppResult<(Tier, Vec<String>)> {
        let parsed = Tier::parse(
            &input.name,
            &input.price_label,
            &input.benefits,
            &input.period_months,
            &input.reminder_days,
        );
        let all = townsquare_store::spaces::spaces_of(self.db(), &view.community.id).await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for slug in input
            .spaces
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match all.iter().find(|s| s.slug == slug) {
                Some(s) if !ids.contains(&s.id) => ids.push(s.id.clone()),
                Some(_) => {}
                None => unknown.push(slug.to_string()),
            }
        }
        let mut errors = match &parsed {
            Ok(_) => Default::default(),
            Err(e) => e.clone(),
        };
        if !unknown.is_empty() {
            errors.add(
                "spaces",
                format!("This community has no space {}.", unknown.join(", ")),
            );
        }
        match parsed {
            Ok(tier) if errors.is_empty() => Ok((tier, ids)),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    fn name_taken(e: townsquare_store::StoreError, name: &str) -> AppError {
        if e.is_conflict_on("name") {
            AppError::conflict(
                "name",
                format!("This community already has a tier “{name}”."),
            )
        } else {
            e.into()
        }
    }

    /// Creates a tier (admins), with an audit row.
    pub async fn create_tier(
        &self,
        actor: &Actor,
        slug: &str,
        input: &TierInput,
    ) -> AppResult<TierView> {
        let view = self.managed_community(actor, slug).await?;
        let (tier, space_ids) = self.check_tier(&view, input).await?;
        let now = self.now();
        let row = TierRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            name: tier.name.clone(),
            price_label: tier.price_label.clone(),
            benefits: tier.benefits.clone(),
            period_months: tier.period_months,
            reminder_days: tier.reminder_days_text(),
            archived_at: None,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_tier(&mut tx, &row)
            .await
            .map_err(|e| Self::name_taken(e, &row.name))?;
        store::set_tier_spaces(&mut tx, &row.id, &space_ids).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_created",
            "tier",
            &row.id,
            json!({"name": row.name}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.tier_view(&view.community.id, &row.id).await
    }

    async fn tier_view(&self, community_id: &str, tier_id: &str) -> AppResult<TierView> {
        self.tier_views(community_id)
            .await?
            .into_iter()
            .find(|t| t.tier.id == tier_id)
            .ok_or(AppError::NotFound("tier"))
    }

    /// Changes a tier (admins). The spaces it unlocks change for its holders at once.
    pub async fn update_tier(
        &self,
        actor: &Actor,
        slug: &str,
        tier_id: &str,
        input: &TierInput,
    ) -> AppResult<TierView> {
        let view = self.managed_community(actor, slug).await?;
        let current = store::tier_by_id(self.db(), &view.community.id, tier_id)
            .await?
            .ok_or(AppError::NotFound("tier"))?;
        let (tier, space_ids) = self.check_tier(&view, input).await?;
        let now = self.now();
        let row = TierRow {
            name: tier.name.clone(),
            price_label: tier.price_label.clone(),
            benefits: tier.benefits.clone(),
            period_months: tier.period_months,
            reminder_days: tier.reminder_days_text(),
            updated_at: now,
            ..current
        };
        let mut tx = self.db().begin().await?;
        store::update_tier(&mut tx, &row)
            .await
            .map_err(|e| Self::name_taken(e, &row.name))?;
        store::set_tier_spaces(&mut tx, &row.id, &space_ids).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_updated",
            "tier",
            &row.id,
            json!({"name": row.name}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.tier_view(&view.community.id, &row.id).await
    }

    /// Archives a tier (admins): it is no longer given to members; those who hold it keep it,
    /// and its spaces stay theirs, until their term ends.
    pub async fn archive_tier(
        &self,
        actor: &Actor,
        slug: &str,
        tier_id: &str,
    ) -> AppResult<TierView> {
        let view = self.managed_community(actor, slug).await?;
        let current = store::tier_by_id(self.db(), &view.community.id, tier_id)
            .await?
            .ok_or(AppError::NotFound("tier"))?;
        let now = self.now();
        if current.archived_at.is_none() {
            let row = TierRow {
                archived_at: Some(now),
                updated_at: now,
                ..current
            };
            let mut tx = self.db().begin().await?;
            store::update_tier(&mut tx, &row).await?;
            activity::record(
                &mut tx,
                Some(&view.community.id),
                Some(&actor.user_id),
                "tier_archived",
                "tier",
                &row.id,
                json!({"name": row.name}),
                now,
            )
            .await?;
            self.commit(tx).await?;
        }
        self.tier_view(&view.community.id, tier_id).await
    }

    fn term_view(&self, term: TermRow, renewals: Vec<RenewalRow>, tz: time_zones::Tz) -> TermView {
        TermView {
            starts_on: day_of(term.started_at, tz),
            expires_on: term.expires_at.map(|e| day_of(e, tz)),
            term,
            renewals,
            change: None,
        }
    }

    /// Every member's current term (admins).
    pub async fn tier_terms(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<TermView>)> {
        let view = self.managed_community(actor, slug).await?;
        let tz = tz_of(&view);
        let mut changes: HashMap<String, store::ChangeRow> =
            store::scheduled_changes_in(self.db(), &view.community.id)
                .await?
                .into_iter()
                .map(|c| (c.term.user_id.clone(), c))
                .collect();
        let terms = store::terms_of(self.db(), &view.community.id)
            .await?
            .into_iter()
            .map(|t| {
                let change = changes.remove(&t.user_id);
                let mut shown = self.term_view(t, Vec::new(), tz);
                shown.change = change.map(|ch| ScheduledChange {
                    tier_id: ch.term.tier_id,
                    tier_name: ch.term.tier_name,
                    starts_on: day_of(ch.term.started_at, tz),
                    expires_on: ch.term.expires_at.map(|e| day_of(e, tz)),
                });
                shown
            })
            .collect();
        Ok((view, terms))
    }

    /// A member's current term with its renewals: for staff (moderators and above), and for
    /// the member themselves.
    pub async fn member_tier(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
    ) -> AppResult<Option<TermView>> {
        let view = self.community(Some(actor), slug).await?;
        if actor.user_id != user_id && !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only the community's staff see members' tiers.".into(),
            ));
        }
        self.term_of(&view, user_id).await
    }

    /// The member's current term, with the change scheduled on it. A scheduled change whose
    /// date has come is the current term already (access follows the dates), even before the
    /// sweep has marked it so.
    async fn term_of(&self, view: &CommunityView, user_id: &str) -> AppResult<Option<TermView>> {
        let tz = tz_of(view);
        let change = store::scheduled_change(self.db(), &view.community.id, user_id).await?;
        if let Some(ch) = change.as_ref().filter(|c| c.term.started_at <= self.now()) {
            let term = TermRow {
                status: ACTIVE.to_string(),
                ..ch.term.clone()
            };
            return Ok(Some(self.term_view(term, Vec::new(), tz)));
        }
        let Some(term) = store::current_term(self.db(), &view.community.id, user_id).await? else {
            return Ok(None);
        };
        let renewals = store::renewals_of(self.db(), &term.id).await?;
        let mut shown = self.term_view(term, renewals, tz);
        shown.change = change.map(|ch| ScheduledChange {
            tier_id: ch.term.tier_id,
            tier_name: ch.term.tier_name,
            starts_on: day_of(ch.term.started_at, tz),
            expires_on: ch.term.expires_at.map(|e| day_of(e, tz)),
        });
        Ok(Some(shown))
    }

    /// The tier (not archived), the start (today if empty) and the end date given, if any, of
    /// an assignment or a change, with every field's error at once.
    async fn read_assignment(
        &self,
        view: &CommunityView,
        input: &AssignInput,
        today: NaiveDate,
    ) -> AppResult<(TierRow, NaiveDate, Option<NaiveDate>)> {
        let tier = store::tier_by_id(self.db(), &view.community.id, input.tier.trim())
            .await?
            .filter(|t| t.archived_at.is_none());
        let mut e = townsquare_domain::ValidationErrors::new();
        if tier.is_none() {
            e.add("tier", "Choose one of the community's tiers.");
        }
        let starts_on = if input.starts_on.trim().is_empty() {
            Some(today)
        } else {
            e.check("starts_on", rules::parse_date(&input.starts_on))
        };
        let given_end = if input.expires_on.trim().is_empty() {
            None
        } else {
            e.check("expires_on", rules::parse_date(&input.expires_on))
        };
        let (Some(tier), Some(starts_on)) = (tier, starts_on) else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        Ok((tier, starts_on, given_end))
    }

    /// The target must be an active member of the community.
    async fn tier_member(&self, view: &CommunityView, user_id: &str) -> AppResult<()> {
        let membership =
            townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
                .await?;
        if membership.as_ref().and_then(role_of).is_none() {
            return Err(AppError::NotFound("member"));
        }
        Ok(())
    }

    /// Gives a member a tier (admins): from the start date (today if empty) to the end date
    /// given or computed from the tier's period. A member holds one tier at a time.
    pub async fn assign_tier(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        input: &AssignInput,
    ) -> AppResult<TermView> {
        let view = self.managed_community(actor, slug).await?;
        self.tier_member(&view, user_id).await?;
        let tz = tz_of(&view);
        let now = self.now();
        let today = day_of(now, tz);
        let (tier, starts_on, given_end) = self.read_assignment(&view, input, today).await?;
        let expires_on =
            given_end.or_else(|| tier.period_months.map(|m| rules::end_of_term(starts_on, m)));
        if let Some(end) = expires_on {
            if end <= starts_on {
                return Err(AppError::invalid(
                    "expires_on",
                    "The tier must end after it starts.",
                ));
            }
            if end <= today {
                return Err(AppError::invalid(
                    "expires_on",
                    "That end date has passed: the member would get nothing.",
                ));
            }
        }
        let mut tx = self.db().begin().await?;
        if let Some(current) = store::current_term(&mut tx, &view.community.id, user_id).await? {
            if current.status == ACTIVE {
                return Err(AppError::conflict(
                    "tier",
                    format!(
                        "This member holds {} already: renew or end it first.",
                        current.tier_name
                    ),
                ));
            }
        }
        let term = TermRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            user_id: user_id.to_string(),
            tier_id: tier.id.clone(),
            status: ACTIVE.to_string(),
            started_at: start_of(starts_on, tz),
            expires_at: expires_on.map(|d| start_of(d, tz)),
            ended_at: None,
            created_by: Some(actor.user_id.clone()),
            updated_at: now,
            tier_name: tier.name.clone(),
            display_name: String::new(),
        };
        store::insert_term(&mut tx, &term).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_started",
            "user",
            user_id,
            json!({"tier_id": tier.id, "tier": tier.name, "term_id": term.id,
                   "expires_at": term.expires_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.term_of(&view, user_id)
            .await?
            .ok_or(AppError::NotFound("tier"))
    }

    /// Records a renewal (admins): the term's end moves to the date given, or one period on
    /// (from the current end, or from today if it has passed); an expired term is active
    /// again. The renewal is kept in the term's history.
    pub async fn renew_tier(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        expires_on: &str,
    ) -> AppResult<TermView> {
        let view = self.managed_community(actor, slug).await?;
        // A scheduled change whose date has come is settled first: it is the current term.
        self.apply_tier_changes().await?;
        let tz = tz_of(&view);
        let now = self.now();
        let today = day_of(now, tz);
        let given = if expires_on.trim().is_empty() {
            None
        } else {
            Some(rules::parse_date(expires_on).map_err(|m| AppError::invalid("expires_on", m))?)
        };
        let mut tx = self.db().begin().await?;
        let term = store::current_term(&mut tx, &view.community.id, user_id)
            .await?
            .filter(|t| t.status != ENDED)
            .ok_or(AppError::NotFound("tier"))?;
        if let Some(ch) = store::scheduled_change(&mut tx, &view.community.id, user_id).await? {
            return Err(AppError::invalid(
                "expires_on",
                format!(
                    "A change to {} is scheduled on {}: cancel it before renewing.",
                    ch.term.tier_name,
                    day_of(ch.term.started_at, tz)
                ),
            ));
        }
        let Some(current_end) = term.expires_at else {
            return Err(AppError::invalid(
                "expires_on",
                "This tier has no end, so there is nothing to renew.",
            ));
        };
        let tier = store::tier_by_id(&mut tx, &view.community.id, &term.tier_id)
            .await?
            .ok_or(AppError::NotFound("tier"))?;
        let current_on = day_of(current_end, tz);
        let new_end = match (given, tier.period_months) {
            (Some(d), _) => d,
            (None, Some(m)) => rules::renewed_end(current_on, today, m),
            (None, None) => {
                return Err(AppError::invalid(
                    "expires_on",
                    "Give the new end date: this tier has no period.",
                ))
            }
        };
        if new_end <= current_on || new_end <= today {
            return Err(AppError::invalid(
                "expires_on",
                "The new end must be after the current end and after today.",
            ));
        }
        let new_expires_at = start_of(new_end, tz);
        store::set_expiry(&mut tx, &term.id, Some(new_expires_at), now).await?;
        if term.status == EXPIRED {
            store::set_status(&mut tx, &term.id, EXPIRED, ACTIVE, None, now).await?;
        }
        store::insert_renewal(
            &mut tx,
            &RenewalRow {
                id: new_id(),
                member_tier_id: term.id.clone(),
                community_id: view.community.id.clone(),
                previous_expires_at: current_end,
                new_expires_at,
                renewed_by: Some(actor.user_id.clone()),
                renewed_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_renewed",
            "user",
            user_id,
            json!({"tier_id": term.tier_id, "tier": term.tier_name, "term_id": term.id,
                   "previous_expires_at": current_end, "expires_at": new_expires_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.term_of(&view, user_id)
            .await?
            .ok_or(AppError::NotFound("tier"))
    }

    /// Changes a member's tier to another (admins): an upgrade or a downgrade. The current
    /// term ends where the new one starts (`starts_on`, today if empty; not before the current
    /// term began) and is marked `changed`; the new term runs to the date given or one period
    /// of the new tier on. The spaces follow the new tier at once. One transaction; recorded
    /// as `tier_changed` about the member. A changed term is not counted in membership churn
    /// (docs/metrics.md).
    ///
    /// A start in the future (up to two years ahead) schedules the change instead: the
    /// current term gets that date as its end, the new term is stored `scheduled` from then
    /// (access switches on the date, see `store::space_locks`), and the sweep marks the switch
    /// and records `tier_changed` once the date has come. One change at a time; an admin can
    /// cancel it (`cancel_tier_change`) until its date.
    pub async fn change_tier(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        input: &AssignInput,
    ) -> AppResult<TermView> {
        let view = self.managed_community(actor, slug).await?;
        // A scheduled change whose date has come is settled first: it is the current term.
        self.apply_tier_changes().await?;
        self.tier_member(&view, user_id).await?;
        let tz = tz_of(&view);
        let now = self.now();
        let today = day_of(now, tz);
        let (tier, starts_on, given_end) = self.read_assignment(&view, input, today).await?;
        let scheduled = rules::change_is_scheduled(starts_on, today)
            .map_err(|m| AppError::invalid("starts_on", m))?;
        let expires_on =
            given_end.or_else(|| tier.period_months.map(|m| rules::end_of_term(starts_on, m)));
        if let Some(end) = expires_on {
            if end <= today || end <= starts_on {
                return Err(AppError::invalid(
                    "expires_on",
                    "The new tier must end after today and after it starts.",
                ));
            }
        }
        let mut tx = self.db().begin().await?;
        let current = store::current_term(&mut tx, &view.community.id, user_id)
            .await?
            .filter(|t| t.status == ACTIVE)
            .ok_or_else(|| {
                AppError::invalid(
                    "tier",
                    "This member holds no tier now: give them one instead.",
                )
            })?;
        if let Some(ch) = store::scheduled_change(&mut tx, &view.community.id, user_id).await? {
            return Err(AppError::invalid(
                "tier",
                format!(
                    "A change to {} on {} is scheduled already: cancel it first.",
                    ch.term.tier_name,
                    day_of(ch.term.started_at, tz)
                ),
            ));
        }
        if current.tier_id == tier.id {
            return Err(AppError::invalid(
                "tier",
                format!(
                    "This member holds {} already: renew it instead.",
                    current.tier_name
                ),
            ));
        }
        let change_at = start_of(starts_on, tz);
        if change_at < current.started_at {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "The new tier cannot start before the current one did ({}).",
                    day_of(current.started_at, tz)
                ),
            ));
        }
        if scheduled && current.expires_at.is_some_and(|end| end <= change_at) {
            return Err(AppError::invalid(
                "starts_on",
                format!(
                    "The current term ends on {}, before that date: give the new tier then instead.",
                    day_of(current.expires_at.unwrap_or_default(), tz)
                ),
            ));
        }
        store::set_expiry(&mut tx, &current.id, Some(change_at), now).await?;
        if !scheduled {
            store::set_status(&mut tx, &current.id, ACTIVE, CHANGED, Some(now), now).await?;
        }
        let term = TermRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            user_id: user_id.to_string(),
            tier_id: tier.id.clone(),
            status: if scheduled { SCHEDULED } else { ACTIVE }.to_string(),
            started_at: change_at,
            expires_at: expires_on.map(|d| start_of(d, tz)),
            ended_at: None,
            created_by: Some(actor.user_id.clone()),
            updated_at: now,
            tier_name: tier.name.clone(),
            display_name: String::new(),
        };
        store::insert_term(&mut tx, &term).await?;
        if scheduled {
            store::insert_change(
                &mut tx,
                &term.id,
                &current.id,
                current.expires_at,
                &actor.user_id,
                now,
            )
            .await?;
            activity::record(
                &mut tx,
                Some(&view.community.id),
                Some(&actor.user_id),
                "tier_change_scheduled",
                "user",
                user_id,
                json!({"from_tier_id": current.tier_id, "from_tier": current.tier_name,
                       "previous_term_id": current.id, "tier_id": tier.id, "tier": tier.name,
                       "term_id": term.id, "starts_at": change_at,
                       "expires_at": term.expires_at}),
                now,
            )
            .await?;
            self.commit(tx).await?;
            return self
                .term_of(&view, user_id)
                .await?
                .ok_or(AppError::NotFound("tier"));
        }
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_changed",
            "user",
            user_id,
            json!({"from_tier_id": current.tier_id, "from_tier": current.tier_name,
                   "previous_term_id": current.id, "tier_id": tier.id, "tier": tier.name,
                   "term_id": term.id, "expires_at": term.expires_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.term_of(&view, user_id)
            .await?
            .ok_or(AppError::NotFound("tier"))
    }

    /// Cancels a member's scheduled tier change (admins) before its date: the new term is
    /// dropped and the current term gets back the end it had. 404 when none is scheduled,
    /// 409 when its date has come (it took effect).
    pub async fn cancel_tier_change(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
    ) -> AppResult<TermView> {
        let view = self.managed_community(actor, slug).await?;
        let tz = tz_of(&view);
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let ch = store::scheduled_change(&mut tx, &view.community.id, user_id)
            .await?
            .ok_or(AppError::NotFound("scheduled tier change"))?;
        if ch.term.started_at <= now {
            return Err(AppError::conflict(
                "tier",
                format!(
                    "The change to {} took effect on {}.",
                    ch.term.tier_name,
                    day_of(ch.term.started_at, tz)
                ),
            ));
        }
        if !store::delete_scheduled_term(&mut tx, &ch.term.id).await? {
            return Err(AppError::NotFound("scheduled tier change"));
        }
        store::set_expiry(&mut tx, &ch.from_term_id, ch.from_expires_at, now).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_change_cancelled",
            "user",
            user_id,
            json!({"from_tier_id": ch.from_tier_id, "from_tier": ch.from_tier_name,
                   "tier_id": ch.term.tier_id, "tier": ch.term.tier_name,
                   "starts_at": ch.term.started_at, "expires_at": ch.from_expires_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.term_of(&view, user_id)
            .await?
            .ok_or(AppError::NotFound("tier"))
    }

    /// Applies the scheduled tier changes whose date has come, once each (a change another
    /// run applied first is skipped): the new term becomes `active`, the replaced one
    /// `changed` (ended at the change), and `tier_changed` is recorded about the member, by
    /// the admin who scheduled it. Access switched at the date already; this settles the
    /// statuses that pages, churn and analytics read. Returns how many.
    pub async fn apply_tier_changes(&self) -> AppResult<usize> {
        let now = self.now();
        let mut applied = 0;
        for ch in store::changes_due(self.db(), now).await? {
            let mut tx = self.db().begin().await?;
            if !store::set_status(&mut tx, &ch.term.id, SCHEDULED, ACTIVE, None, now).await? {
                continue;
            }
            store::set_status(
                &mut tx,
                &ch.from_term_id,
                ACTIVE,
                CHANGED,
                Some(ch.term.started_at),
                now,
            )
            .await?;
            activity::record(
                &mut tx,
                Some(&ch.term.community_id),
                ch.term.created_by.as_deref(),
                "tier_changed",
                "user",
                &ch.term.user_id,
                json!({"from_tier_id": ch.from_tier_id, "from_tier": ch.from_tier_name,
                       "previous_term_id": ch.from_term_id, "tier_id": ch.term.tier_id,
                       "tier": ch.term.tier_name, "term_id": ch.term.id,
                       "expires_at": ch.term.expires_at, "scheduled": true,
                       "starts_at": ch.term.started_at}),
                now,
            )
            .await?;
            self.commit(tx).await?;
            applied += 1;
        }
        Ok(applied)
    }

    /// What a member sees of the community's tiers: those on offer (not archived) with their
    /// benefits and spaces, and their own current term.
    pub async fn membership_overview(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<TierView>, Option<TermView>)> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to see its membership tiers.".into(),
            ));
        }
        let tiers = self
            .tier_views(&view.community.id)
            .await?
            .into_iter()
            .filter(|t| t.tier.archived_at.is_none())
            .collect();
        let term = self.term_of(&view, &actor.user_id).await?;
        Ok((view, tiers, term))
    }

    /// A member asks the admins for another tier: each owner and admin gets a notification
    /// (in the app, or by e-mail if they chose so) saying which tier and why. Nothing changes
    /// until an admin changes the tier.
    pub async fn request_tier_change(
        &self,
        actor: &Actor,
        slug: &str,
        tier_id: &str,
        message: &str,
    ) -> AppResult<()> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to ask for a membership tier.".into(),
            ));
        }
        let message = townsquare_domain::values::optional_text(message, "message", 1000)
            .map_err(|m| AppError::invalid("message", m))?;
        let c = &view.community;
        let tier = store::tier_by_id(self.db(), &c.id, tier_id.trim())
            .await?
            .filter(|t| t.archived_at.is_none())
            .ok_or_else(|| AppError::invalid("tier", "Choose one of the community's tiers."))?;
        let current = store::current_term(self.db(), &c.id, &actor.user_id)
            .await?
            .filter(|t| t.status == ACTIVE);
        if current.as_ref().is_some_and(|t| t.tier_id == tier.id) {
            return Err(AppError::invalid(
                "tier",
                format!("You hold {} already.", tier.name),
            ));
        }
        let wish = match &current {
            Some(t) => format!("from {} to {}", t.tier_name, tier.name),
            None => format!("for {}", tier.name),
        };
        let excerpt = if message.is_empty() {
            wish.clone()
        } else {
            format!("{wish}: {message}")
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        for admin in store::admin_ids(&mut tx, &c.id).await? {
            if admin == actor.user_id {
                continue;
            }
            self.notify(
                &mut tx,
                crate::notifications::Notice {
                    user_id: &admin,
                    community_id: &c.id,
                    kind: "tier_change_requested",
                    actor_id: &actor.user_id,
                    topic_id: None,
                    post_id: None,
                    excerpt: &excerpt,
                },
                now,
            )
            .await?;
        }
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "tier_change_requested",
            "tier",
            &tier.id,
            json!({"tier": tier.name, "from_tier": current.map(|t| t.tier_name)}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// The reminder days a new tier gets unless the admin says otherwise: the community's
    /// setting, or 14 and 3 days.
    pub async fn default_reminder_days(&self, view: &CommunityView) -> AppResult<Vec<i64>> {
        Ok(
            match store::default_reminder_days(self.db(), &view.community.id).await? {
                Some(stored) => rules::reminder_days_from_stored(&stored),
                None => rules::DEFAULT_REMINDER_DAYS.to_vec(),
            },
        )
    }

    /// The community's default reminder days for new tiers (admins).
    pub async fn tier_defaults(&self, actor: &Actor, slug: &str) -> AppResult<Vec<i64>> {
        let view = self.managed_community(actor, slug).await?;
        self.default_reminder_days(&view).await
    }

    /// Sets the default reminder days for new tiers (admins): e.g. "30, 7, 1"; empty for no
    /// reminders. Tiers that exist keep their own days.
    pub async fn set_tier_defaults(
        &self,
        actor: &Actor,
        slug: &str,
        reminder_days: &str,
    ) -> AppResult<Vec<i64>> {
        let view = self.managed_community(actor, slug).await?;
        let days = rules::parse_reminder_days(reminder_days)
            .map_err(|m| AppError::invalid("reminder_days", m))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::set_default_reminder_days(
            &mut tx,
            &view.community.id,
            &rules::days_text(&days),
            now,
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_defaults_updated",
            "community",
            &view.community.id,
            json!({"reminder_days": days}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(days)
    }

    /// Ends a member's active term now (admins): the tier's spaces close to them at once.
    pub async fn end_tier(&self, actor: &Actor, slug: &str, user_id: &str) -> AppResult<()> {
        let view = self.managed_community(actor, slug).await?;
        // A scheduled change whose date has come is settled first: it is the current term.
        self.apply_tier_changes().await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let term = store::current_term(&mut tx, &view.community.id, user_id)
            .await?
            .filter(|t| t.status == ACTIVE)
            .ok_or(AppError::NotFound("tier"))?;
        store::set_status(&mut tx, &term.id, ACTIVE, ENDED, Some(now), now).await?;
        // A change scheduled on the term goes with it.
        if let Some(ch) = store::scheduled_change(&mut tx, &view.community.id, user_id).await? {
            store::delete_scheduled_term(&mut tx, &ch.term.id).await?;
        }
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "tier_ended",
            "user",
            user_id,
            json!({"tier_id": term.tier_id, "tier": term.tier_name, "term_id": term.id}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Membership churn between two local dates, inclusive (admins); default the last 30 days.
    pub async fn membership_churn(
        &self,
        actor: &Actor,
        slug: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> AppResult<Churn> {
        let view = self.managed_community(actor, slug).await?;
        let tz = tz_of(&view);
        let today = local_day(self.now(), tz);
        let date = |field: &str, v: Option<&str>, default: Day| -> AppResult<Day> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => rules::parse_date(v)
                    .map(day_of_date)
                    .map_err(|m| AppError::invalid(field, m)),
            }
        };
        let to = date("to", to, today)?;
        let from = date("from", from, to - 29)?;
        if from > to {
            return Err(AppError::invalid(
                "from",
                "The period starts after it ends.",
            ));
        }
        if to - from > 366 * 3 {
            return Err(AppError::invalid(
                "from",
                "Choose a period of three years or less.",
            ));
        }
        let (due, not_renewed) = store::churn_counts(
            self.db(),
            &view.community.id,
            day_start_utc(from, tz),
            day_start_utc(to + 1, tz),
        )
        .await?;
        Ok(Churn {
            from,
            to,
            due,
            not_renewed,
        })
    }

    /// The sweep: scheduled changes whose date has come, reminders, then expiry. Returns
    /// (reminders sent, terms expired).
    pub async fn run_tier_sweep(&self) -> AppResult<(usize, usize)> {
        self.apply_tier_changes().await?;
        let sent = self.send_tier_reminders().await?;
        let expired = self.expire_tiers().await?;
        Ok((sent, expired))
    }

    /// Sends the renewal reminders that are due: for a term ending at E and a reminder day d
    /// of its tier, from E − d days on. Each (term, end, day) is claimed in the transaction
    /// that queues its e-mail, so it goes out once whatever the number of instances or runs;
    /// when several days are due at once (a term given shortly before its end), one e-mail
    /// goes out, for the nearest. A renewal moves E, so the new end gets its own reminders.
    pub async fn send_tier_reminders(&self) -> AppResult<usize> {
        let now = self.now();
        let mut sent = 0;
        for c in store::reminder_candidates(self.db(), now, now + 90 * MICROS_PER_DAY).await? {
            let mut due: Vec<i64> = rules::reminder_days_from_stored(&c.reminder_days)
                .into_iter()
                .filter(|d| now >= c.expires_at - d * MICROS_PER_DAY)
                .collect();
            if due.is_empty() {
                continue;
            }
            due.sort_unstable();
            let mut tx = self.db().begin().await?;
            let mut claimed = Vec::new();
            for d in &due {
                if store::claim_reminder(&mut tx, &c.term_id, c.expires_at, *d, now).await? {
                    claimed.push(*d);
                }
            }
            if claimed.first() == due.first() {
                self.queue_tier_reminder(&mut tx, &c, now).await?;
                sent += 1;
            }
            self.commit(tx).await?;
        }
        Ok(sent)
    }

    async fn queue_tier_reminder(
        &self,
        tx: &mut townsquare_store::Tx,
        c: &store::ReminderCandidate,
        now: i64,
    ) -> AppResult<()> {
        let tz = time_zones::parse_or_utc(&c.time_zone);
        let ends = day_of(c.expires_at, tz);
        let days_left = (c.expires_at - now + MICROS_PER_DAY - 1) / MICROS_PER_DAY;
        let base = &self.settings().base_url;
        let price = if c.price_label.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.price_label)
        };
        let body = format!(
            "Hello {name},\n\nYour {tier}{price} membership of {community} ends on {ends}, \
             in {days_left} day{s}. To keep its benefits and spaces, renew it with the \
             community's admins before then.\n\nYour membership: {base}/c/{slug}/membership\n",
            name = c.display_name,
            tier = c.tier_name,
            community = c.community_name,
            slug = c.community_slug,
            s = if days_left == 1 { "" } else { "s" },
        );
        mail::enqueue(
            tx,
            &c.email,
            &format!("Your {} membership ends on {ends}", c.tier_name),
            &body,
            now,
        )
        .await?;
        activity::record(
            tx,
            Some(&c.community_id),
            // Sent by the community, not done by the member (as onboarding nudges).
            None,
            "tier_reminded",
            "user",
            &c.user_id,
            json!({"term_id": c.term_id, "days_left": days_left}),
            now,
        )
        .await
    }

    /// Marks the terms whose end has come as expired, once each (a term another run expired
    /// first is skipped), with a `tier_expired` row for analytics. Returns how many.
    pub async fn expire_tiers(&self) -> AppResult<usize> {
        let now = self.now();
        let mut expired = 0;
        for term in store::terms_to_expire(self.db(), now).await? {
            let mut tx = self.db().begin().await?;
            if !store::set_status(&mut tx, &term.id, ACTIVE, EXPIRED, term.expires_at, now).await? {
                continue;
            }
            activity::record(
                &mut tx,
                Some(&term.community_id),
                None,
                "tier_expired",
                "user",
                &term.user_id,
                json!({"tier_id": term.tier_id, "tier": term.tier_name, "term_id": term.id}),
                now,
            )
            .await?;
            self.commit(tx).await?;
            expired += 1;
        }
        Ok(expired)
    }
}
