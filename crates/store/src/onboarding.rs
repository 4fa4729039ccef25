//! Onboarding: each community's checklist settings, the nudges sent and the opt-outs; and the
//! reads over the activity log that tell which steps a member has done.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;

/// (steps, welcome message, nudge days) as stored, or None for a community on the defaults.
pub async fn settings<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Option<(String, String, String)>> {
    with_read!(src, |c| {
        sqlx::query_as::<_, (String, String, String)>(
        "SELECT steps, welcome_message, nudge_days FROM onboarding_settings WHERE community_id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .db()
    })
}

pub async fn save_settings(
    tx: &mut Tx,
    community_id: &str,
    steps: &str,
    welcome_message: &str,
    nudge_days: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO onboarding_settings (community_id, steps, welcome_message, nudge_days, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (community_id) DO UPDATE SET steps = excluded.steps,
             welcome_message = excluded.welcome_message, nudge_days = excluded.nudge_days,
             updated_at = excluded.updated_at"
    )
    .bind(community_id)
    .bind(steps)
    .bind(welcome_message)
    .bind(nudge_days)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    .db()
    })
}

/// The SQL condition that keeps an activity row `a` only if it counts for a step of the
/// community bound at `$community`: any of `verbs` in that community, except that a
/// `topic_created` counts only in the introductions space (bound at `$intro`); and saving
/// the profile, which is account-wide and belongs to no community.
fn counting(community: usize, verbs_from: usize, n: usize, intro: usize) -> String {
    format!(
        "a.verb IN ({}) AND (a.verb <> 'topic_created'
             OR a.object_id IN (SELECT t.id FROM topics t WHERE t.space_id = ${intro}))
         AND (a.community_id = ${community}
             OR (a.community_id IS NULL AND a.verb = 'profile_updated'))",
        placeholders(verbs_from, n)
    )
}

/// Which of `verbs` the member's activity in the community holds (a topic only if it was
/// started in the introductions space `intro_space_id`).
pub async fn verbs_done<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
    intro_space_id: Option<&str>,
    verbs: &[&str],
) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT a.verb FROM activities a
         WHERE a.actor_id = $1 AND {}",
        counting(2, 4, verbs.len(), 3)
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_scalar::<_, String>(&sql)
            .bind(user_id)
            .bind(community_id)
            .bind(intro_space_id.unwrap_or(""));
        for v in verbs {
            q = q.bind(*v);
        }
        q.fetch_all(c).await.db()
    })
}

/// Plain members (active now; staff are not onboarded) who joined in `[from, until)`.
pub async fn joined_between(db: &Db, community_id: &str, from: i64, until: i64) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships
         WHERE community_id = $1 AND status = 'active' AND role = 'member'
           AND joined_at >= $2 AND joined_at < $3"
    )
    .bind(community_id)
    .bind(from)
    .bind(until)
    .fetch_one(c)
    .await
    .db())
}

/// (member, verb) for every counting action since `from` of the plain members (active now) who
/// joined in `[from, until)`: the rows of the onboarding funnel. Read from the members
/// (joined in the period) to their activity, by the actor index.
pub async fn funnel_rows(
    db: &Db,
    community_id: &str,
    from: i64,
    until: i64,
    intro_space_id: Option<&str>,
    verbs: &[&str],
) -> Result<Vec<(String, String)>> {
    let sql = format!(
        "SELECT DISTINCT a.actor_id, a.verb FROM activities a
         JOIN memberships m ON m.user_id = a.actor_id
         WHERE m.community_id = $1 AND m.status = 'active' AND m.role = 'member'
           AND m.joined_at >= $2 AND m.joined_at < $3
           AND a.created_at >= $2 AND {}",
        counting(1, 5, verbs.len(), 4)
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, (String, String)>(&sql)
            .bind(community_id)
            .bind(from)
            .bind(until)
            .bind(intro_space_id.unwrap_or(""));
        for v in verbs {
            q = q.bind(*v);
        }
        q.fetch_all(c).await.db()
    })
}

/// Someone who may get a nudge.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NudgeCandidate {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
}

/// Active plain members (staff set the checklist up; they are not nudged) who joined in
/// `(after, until]`, have not had the nudge for `day` and have not opted out.
pub async fn nudge_candidates(
    db: &Db,
    community_id: &str,
    after: i64,
    until: i64,
    day: i64,
) -> Result<Vec<NudgeCandidate>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, NudgeCandidate>(
        "SELECT m.user_id, u.email, u.display_name FROM memberships m
         JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 AND m.status = 'active' AND m.role = 'member'
           AND m.joined_at > $2 AND m.joined_at <= $3
           AND NOT EXISTS (SELECT 1 FROM onboarding_nudges n
                           WHERE n.community_id = m.community_id AND n.user_id = m.user_id AND n.day = $4)
           AND NOT EXISTS (SELECT 1 FROM onboarding_opt_outs o
                           WHERE o.community_id = m.community_id AND o.user_id = m.user_id)
         ORDER BY m.joined_at"
    )
    .bind(community_id)
    .bind(after)
    .bind(until)
    .bind(day)
    .fetch_all(c)
    .await
    .db()
    })
}

/// Records the nudge for `day`; false if another instance (or an earlier run) already did,
/// in which case the caller sends nothing.
pub async fn claim_nudge(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    day: i64,
    outcome: &str,
    now: i64,
) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO onboarding_nudges (community_id, user_id, day, outcome, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id, user_id, day) DO NOTHING"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(day)
    .bind(outcome)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

pub async fn opt_out(tx: &mut Tx, community_id: &str, user_id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO onboarding_opt_outs (community_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (community_id, user_id) DO NOTHING"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    .db())
}

pub async fn opted_out<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<bool> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM onboarding_opt_outs WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_one(c)
    .await
    .map(|n| n > 0)
    .db())
}

/// Every community's id, for the nudge sweep.
pub async fn community_ids(db: &Db) -> Result<Vec<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT id FROM communities ORDER BY id"
    )
    .fetch_all(c)
    .await
    .db())
}
