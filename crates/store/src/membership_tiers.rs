//! Membership tiers: the tiers a community offers and the spaces they unlock, the members'
//! terms, the renewals recorded, the reminders sent; and the counts behind membership churn.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TierRow {
    pub id: String,
    pub community_id: String,
    pub name: String,
    pub price_label: String,
    pub benefits: String,
    pub period_months: Option<i64>,
    pub reminder_days: String,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const TIER_COLUMNS: &str = "id, community_id, name, price_label, benefits, period_months, \
     reminder_days, archived_at, created_at, updated_at";

pub async fn insert_tier(tx: &mut Tx, row: &TierRow) -> Result<()> {
    let sql = "INSERT INTO membership_tiers (id, community_id, name, price_label, benefits,
             period_months, reminder_days, archived_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.community_id)
        .bind(&row.name)
        .bind(&row.price_label)
        .bind(&row.benefits)
        .bind(row.period_months)
        .bind(&row.reminder_days)
        .bind(row.archived_at)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// Saves name, price, benefits, period, reminder days and the archived mark.
pub async fn update_tier(tx: &mut Tx, row: &TierRow) -> Result<()> {
    let sql = "UPDATE membership_tiers SET name = $2, price_label = $3, benefits = $4,
             period_months = $5, reminder_days = $6, archived_at = $7, updated_at = $8
         WHERE id = $1";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.name)
        .bind(&row.price_label)
        .bind(&row.benefits)
        .bind(row.period_months)
        .bind(&row.reminder_days)
        .bind(row.archived_at)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// The community's tiers: offered ones first, then archived, each by name.
pub async fn tiers_of<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<Vec<TierRow>> {
    let sql = format!(
        "SELECT {TIER_COLUMNS} FROM membership_tiers WHERE community_id = $1
         ORDER BY CASE WHEN archived_at IS NULL THEN 0 ELSE 1 END, name, id"
    );
    with_read!(src, |c| sqlx::query_as::<_, TierRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

pub async fn tier_by_id<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    id: &str,
) -> Result<Option<TierRow>> {
    let sql =
        format!("SELECT {TIER_COLUMNS} FROM membership_tiers WHERE community_id = $1 AND id = $2");
    with_read!(src, |c| sqlx::query_as::<_, TierRow>(&sql)
        .bind(community_id)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Replaces the set of spaces a tier unlocks.
pub async fn set_tier_spaces(tx: &mut Tx, tier_id: &str, space_ids: &[String]) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM membership_tier_spaces WHERE tier_id = $1"
    )
    .bind(tier_id)
    .execute(c)
    .await
    .map(|_| ())
    .db())?;
    for space_id in space_ids {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO membership_tier_spaces (tier_id, space_id) VALUES ($1, $2)"
        )
        .bind(tier_id)
        .bind(space_id)
        .execute(c)
        .await
        .map(|_| ())
        .db())?;
    }
    Ok(())
}

/// (tier id, space id) for every space a tier of the community unlocks.
pub async fn tier_spaces<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Vec<(String, String)>> {
    let sql = "SELECT ts.tier_id, ts.space_id FROM membership_tier_spaces ts
         JOIN membership_tiers t ON t.id = ts.tier_id
         WHERE t.community_id = $1 ORDER BY ts.tier_id, ts.space_id";
    with_read!(src, |c| sqlx::query_as::<_, (String, String)>(sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

/// Every space of the community that a tier unlocks (archived tiers included: archiving stops
/// offering a tier, it does not open its spaces), with 1 if `user_id` holds a term of such a
/// tier that is active at `now`, else 0. A scheduled change's term counts from its start
/// (and the term it replaces ends there), so access switches on the date without the sweep. One query per page, read with the community.
pub async fn space_locks<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
    now: i64,
) -> Result<Vec<(String, i64)>> {
    let sql = "SELECT ts.space_id,
             CAST(MAX(CASE WHEN mt.id IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS held
         FROM membership_tier_spaces ts
         JOIN membership_tiers t ON t.id = ts.tier_id
         LEFT JOIN member_tiers mt ON mt.tier_id = t.id AND mt.user_id = $2
             AND (mt.status = 'active' OR (mt.status = 'scheduled' AND mt.started_at <= $3))
             AND (mt.expires_at IS NULL OR mt.expires_at > $3)
         WHERE t.community_id = $1
         GROUP BY ts.space_id";
    with_read!(src, |c| sqlx::query_as::<_, (String, i64)>(sql)
        .bind(community_id)
        .bind(user_id)
        .bind(now)
        .fetch_all(c)
        .await
        .db())
}

/// A member's term of a tier.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermRow {
    pub id: String,
    pub community_id: String,
    pub user_id: String,
    pub tier_id: String,
    pub status: String,
    pub started_at: i64,
    pub expires_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub created_by: Option<String>,
    pub updated_at: i64,
    pub tier_name: String,
    pub display_name: String,
}

const TERM_SELECT: &str = "SELECT mt.id, mt.community_id, mt.user_id, mt.tier_id, mt.status, \
     mt.started_at, mt.expires_at, mt.ended_at, mt.created_by, mt.updated_at, \
     t.name AS tier_name, u.display_name \
     FROM member_tiers mt JOIN membership_tiers t ON t.id = mt.tier_id \
     JOIN users u ON u.id = mt.user_id";

pub async fn insert_term(tx: &mut Tx, row: &TermRow) -> Result<()> {
    let sql = "INSERT INTO member_tiers (id, community_id, user_id, tier_id, status, started_at,
             expires_at, ended_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.community_id)
        .bind(&row.user_id)
        .bind(&row.tier_id)
        .bind(&row.status)
        .bind(row.started_at)
        .bind(row.expires_at)
        .bind(row.ended_at)
        .bind(&row.created_by)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// The member's current term in the community: the active one if any, else the latest.
pub async fn current_term<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Option<TermRow>> {
    let sql = format!(
        "{TERM_SELECT} WHERE mt.community_id = $1 AND mt.user_id = $2
         ORDER BY CASE WHEN mt.status = 'active' THEN 0 ELSE 1 END, mt.started_at DESC, mt.id DESC
         LIMIT 1"
    );
    with_read!(src, |c| sqlx::query_as::<_, TermRow>(&sql)
        .bind(community_id)
        .bind(user_id)
        .fetch_optional(c)
        .await
        .db())
}

/// Each member's current term (as `current_term` picks it), by member name.
pub async fn terms_of(db: &Db, community_id: &str) -> Result<Vec<TermRow>> {
    let sql = format!(
        "{TERM_SELECT} WHERE mt.community_id = $1
           AND mt.id = (SELECT m2.id FROM member_tiers m2
                        WHERE m2.community_id = mt.community_id AND m2.user_id = mt.user_id
                        ORDER BY CASE WHEN m2.status = 'active' THEN 0 ELSE 1 END,
                                 m2.started_at DESC, m2.id DESC
                        LIMIT 1)
         ORDER BY u.display_name, mt.user_id"
    );
    with_read!(db, |c| sqlx::query_as::<_, TermRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

/// Moves an active term's end (a renewal); false if the term is no longer active.
pub async fn set_expiry(tx: &mut Tx, id: &str, expires_at: Option<i64>, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE member_tiers SET expires_at = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

/// Sets a term's status (`active` again after a late renewal, `expired`, `ended`), only if it
/// is `from` now; false if another run changed it first.
pub async fn set_status(
    tx: &mut Tx,
    id: &str,
    from: &str,
    to: &str,
    ended_at: Option<i64>,
    now: i64,
) -> Result<bool> {
    let sql = "UPDATE member_tiers SET status = $3, ended_at = $4, updated_at = $5
         WHERE id = $1 AND status = $2";
    let n = with_tx!(tx, |c| sqlx::query(sql)
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(ended_at)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RenewalRow {
    pub id: String,
    pub member_tier_id: String,
    pub community_id: String,
    pub previous_expires_at: i64,
    pub new_expires_at: i64,
    pub renewed_by: Option<String>,
    pub renewed_at: i64,
}

pub async fn insert_renewal(tx: &mut Tx, row: &RenewalRow) -> Result<()> {
    let sql = "INSERT INTO member_tier_renewals (id, member_tier_id, community_id,
             previous_expires_at, new_expires_at, renewed_by, renewed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.member_tier_id)
        .bind(&row.community_id)
        .bind(row.previous_expires_at)
        .bind(row.new_expires_at)
        .bind(&row.renewed_by)
        .bind(row.renewed_at)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// A term's renewals, latest first.
pub async fn renewals_of<'a>(src: impl Into<Source<'a>>, term_id: &str) -> Result<Vec<RenewalRow>> {
    let sql = "SELECT id, member_tier_id, community_id, previous_expires_at, new_expires_at,
             renewed_by, renewed_at
         FROM member_tier_renewals WHERE member_tier_id = $1 ORDER BY renewed_at DESC, id DESC";
    with_read!(src, |c| sqlx::query_as::<_, RenewalRow>(sql)
        .bind(term_id)
        .fetch_all(c)
        .await
        .db())
}

/// Active terms whose end has come (`expires_at <= now`), for the expiry sweep; not those a
/// scheduled change replaces (their end is the change, which the sweep applies first).
pub async fn terms_to_expire(db: &Db, now: i64) -> Result<Vec<TermRow>> {
    let sql = format!(
        "{TERM_SELECT} WHERE mt.status = 'active' AND mt.expires_at IS NOT NULL
           AND mt.expires_at <= $1 AND {NOT_REPLACED}
         ORDER BY mt.expires_at, mt.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, TermRow>(&sql)
        .bind(now)
        .fetch_all(c)
        .await
        .db())
}

/// An active term ending within the reminder horizon, with what its reminder e-mail says.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderCandidate {
    pub term_id: String,
    pub community_id: String,
    pub user_id: String,
    pub expires_at: i64,
    pub reminder_days: String,
    pub tier_name: String,
    pub price_label: String,
    pub email: String,
    pub display_name: String,
    pub community_name: String,
    pub community_slug: String,
    pub time_zone: String,
}

/// Active terms that end in `(now, until]`; the caller picks the reminder days that are due.
/// A term's end that is a scheduled change is no end to remind of.
pub async fn reminder_candidates(db: &Db, now: i64, until: i64) -> Result<Vec<ReminderCandidate>> {
    let sql = format!(
        "SELECT mt.id AS term_id, mt.community_id, mt.user_id, mt.expires_at,
             t.reminder_days, t.name AS tier_name, t.price_label, u.email, u.display_name,
             c.name AS community_name, c.slug AS community_slug, c.time_zone
         FROM member_tiers mt
         JOIN membership_tiers t ON t.id = mt.tier_id
         JOIN users u ON u.id = mt.user_id
         JOIN communities c ON c.id = mt.community_id
         WHERE mt.status = 'active' AND mt.expires_at > $1 AND mt.expires_at <= $2
           AND {NOT_REPLACED}
         ORDER BY mt.expires_at, mt.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, ReminderCandidate>(&sql)
        .bind(now)
        .bind(until)
        .fetch_all(c)
        .await
        .db())
}

/// Records the reminder `days_before` the end `expires_at` of a term; false if it was already
/// sent (by another instance or an earlier run), in which case the caller sends nothing.
pub async fn claim_reminder(
    tx: &mut Tx,
    term_id: &str,
    expires_at: i64,
    days_before: i64,
    now: i64,
) -> Result<bool> {
    let sql =
        "INSERT INTO member_tier_reminders (member_tier_id, expires_at, days_before, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (member_tier_id, expires_at, days_before) DO NOTHING";
    let n = with_tx!(tx, |c| sqlx::query(sql)
        .bind(term_id)
        .bind(expires_at)
        .bind(days_before)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(n == 1)
}

/// Membership churn's counts for a community and the period `[from, until)`:
/// (due, not renewed). A term end is *due* in the period when it falls in it: the ends that
/// renewals moved on (each renewal's previous end) plus the terms' current ends. It is *not
/// renewed* when the term's current end falls in the period and the term expired or was ended
/// there. Terms without end are never due, nor ends that are a scheduled change (as `changed`).
pub async fn churn_counts(
    db: &Db,
    community_id: &str,
    from: i64,
    until: i64,
) -> Result<(i64, i64)> {
    let sql = format!(
        "SELECT
           CAST((SELECT COUNT(*) FROM member_tier_renewals r
                 WHERE r.community_id = $1
                   AND r.previous_expires_at >= $2 AND r.previous_expires_at < $3) AS BIGINT)
         + CAST((SELECT COUNT(*) FROM member_tiers mt
                 WHERE mt.community_id = $1 AND mt.status <> 'changed' AND {NOT_REPLACED}
                   AND mt.expires_at >= $2 AND mt.expires_at < $3) AS BIGINT),
           CAST((SELECT COUNT(*) FROM member_tiers mt
                 WHERE mt.community_id = $1 AND mt.status IN ('expired', 'ended')
                   AND mt.expires_at >= $2 AND mt.expires_at < $3) AS BIGINT)"
    );
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(&sql)
        .bind(community_id)
        .bind(from)
        .bind(until)
        .fetch_one(c)
        .await
        .db())
}

/// The active owners and admins of a community (who hear of members' tier change requests).
pub async fn admin_ids<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<Vec<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM memberships
         WHERE community_id = $1 AND status = 'active' AND role IN ('owner', 'admin')
         ORDER BY user_id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// The community's default reminder days for new tiers as stored ("14, 3"), if an admin set
/// them.
pub async fn default_reminder_days<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Option<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT default_reminder_days FROM community_tier_settings WHERE community_id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .db())
}

pub async fn set_default_reminder_days(
    tx: &mut Tx,
    community_id: &str,
    days: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO community_tier_settings (community_id, default_reminder_days, updated_at)
         VALUES ($1, $2, $3)
         ON CONFLICT (community_id) DO UPDATE SET
             default_reminder_days = excluded.default_reminder_days,
             updated_at = excluded.updated_at"
    )
    .bind(community_id)
    .bind(days)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

// --- scheduled changes -------------------------------------------------------------------

/// A term `mt` is not one that a scheduled change replaces (its member has no scheduled term).
const NOT_REPLACED: &str = "NOT EXISTS (SELECT 1 FROM member_tiers s
     WHERE s.community_id = mt.community_id AND s.user_id = mt.user_id AND s.status = 'scheduled')";

/// A tier change dated in the future: the new term (status `scheduled`, from its start), the
/// term it replaces and the end that term had before (None: it had none).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangeRow {
    #[sqlx(flatten)]
    pub term: TermRow,
    pub from_term_id: String,
    pub from_tier_id: String,
    pub from_tier_name: String,
    pub from_expires_at: Option<i64>,
}

const CHANGE_SELECT: &str = "SELECT mt.id, mt.community_id, mt.user_id, mt.tier_id, mt.status, \
     mt.started_at, mt.expires_at, mt.ended_at, mt.created_by, mt.updated_at, \
     t.name AS tier_name, u.display_name, \
     ch.from_term_id, f.tier_id AS from_tier_id, ft.name AS from_tier_name, ch.from_expires_at \
     FROM member_tier_changes ch \
     JOIN member_tiers mt ON mt.id = ch.term_id \
     JOIN membership_tiers t ON t.id = mt.tier_id \
     JOIN users u ON u.id = mt.user_id \
     JOIN member_tiers f ON f.id = ch.from_term_id \
     JOIN membership_tiers ft ON ft.id = f.tier_id";

/// Records that `term_id` (inserted as `scheduled`) replaces `from_term_id`, whose end was
/// `from_expires_at` before the change moved it to the change's start.
pub async fn insert_change(
    tx: &mut Tx,
    term_id: &str,
    from_term_id: &str,
    from_expires_at: Option<i64>,
    scheduled_by: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO member_tier_changes (term_id, from_term_id, from_expires_at, scheduled_by,
             scheduled_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(term_id)
    .bind(from_term_id)
    .bind(from_expires_at)
    .bind(scheduled_by)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    .db())
}

/// The member's scheduled change, if any (at most one).
pub async fn scheduled_change<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Option<ChangeRow>> {
    let sql = format!(
        "{CHANGE_SELECT} WHERE mt.community_id = $1 AND mt.user_id = $2 AND mt.status = 'scheduled'
         ORDER BY mt.started_at, mt.id LIMIT 1"
    );
    with_read!(src, |c| sqlx::query_as::<_, ChangeRow>(&sql)
        .bind(community_id)
        .bind(user_id)
        .fetch_optional(c)
        .await
        .db())
}

/// The community's scheduled changes (for the admins' list of members' tiers).
pub async fn scheduled_changes_in(db: &Db, community_id: &str) -> Result<Vec<ChangeRow>> {
    let sql = format!(
        "{CHANGE_SELECT} WHERE mt.community_id = $1 AND mt.status = 'scheduled'
         ORDER BY mt.started_at, mt.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, ChangeRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

/// Scheduled changes whose start has come, for the sweep.
pub async fn changes_due(db: &Db, now: i64) -> Result<Vec<ChangeRow>> {
    let sql = format!(
        "{CHANGE_SELECT} WHERE mt.status = 'scheduled' AND mt.started_at <= $1
         ORDER BY mt.started_at, mt.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, ChangeRow>(&sql)
        .bind(now)
        .fetch_all(c)
        .await
        .db())
}

/// Deletes a scheduled term (a cancelled change) with its link; false if it is no longer
/// scheduled (the sweep applied it, or another request cancelled it).
pub async fn delete_scheduled_term(tx: &mut Tx, term_id: &str) -> Result<bool> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM member_tier_changes WHERE term_id = $1"
    )
    .bind(term_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM member_tiers WHERE id = $1 AND status = 'scheduled'"
    )
    .bind(term_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}
