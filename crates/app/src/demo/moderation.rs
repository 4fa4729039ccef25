//! The member side of moderation in the demo: every member accepted the guidelines when they
//! joined, moderators keep notes on a few members, and a profile is flagged.

use super::discussions::Members;
use super::record_with;
use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::moderation::members::guidelines_version;
use crate::AppResult;
use serde_json::json;
use townsquare_domain::new_id;
use townsquare_store::communities::CommunityRow;
use townsquare_store::moderation::members::{self as members_store, AcceptanceRow, NoteRow};
use townsquare_store::moderation::{self as moderation, ActionRow, FlagRow};
use townsquare_store::Tx;

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    members: &Members<'_>,
    now: i64,
) -> AppResult<()> {
    if !c.guidelines.trim().is_empty() {
        let version = guidelines_version(&c.guidelines);
        for (u, joined_at) in members {
            members_store::insert_acceptance(
                tx,
                &AcceptanceRow {
                    id: new_id(),
                    community_id: c.id.clone(),
                    user_id: u.id.clone(),
                    version: version.clone(),
                    accepted_at: *joined_at,
                },
            )
            .await?;
            record_with(
                tx,
                c,
                &u.id,
                "guidelines_accepted",
                "community",
                &c.id,
                *joined_at,
                json!({"demo": true, "version": version}),
            )
            .await?;
        }
    }
    if members.len() < 25 {
        return Ok(());
    }
    // In the guild the moderator (Jonas) writes the notes; in the council its owner.
    let author = if members[1].0.email.starts_with("jonas@") {
        members[1].0
    } else {
        members[0].0
    };
    let notes: [(usize, &str, i64); 3] = [
        (
            10,
            "Posted the same link in three spaces on their first day. Talked it through in a DM; seems to be enthusiasm, not spam.",
            20,
        ),
        (
            10,
            "Follow-up: contributing good answers in Help since. No further action.",
            6,
        ),
        (
            17,
            "Heated in the licensing thread. Reminded them of guideline 1 privately; watch tone if flagged again.",
            3,
        ),
    ];
    for (i, body, days_ago) in notes {
        let subject = members[i].0;
        let at = now - days_ago * MICROS_PER_DAY;
        let note = NoteRow {
            id: new_id(),
            community_id: c.id.clone(),
            user_id: subject.id.clone(),
            author_id: author.id.clone(),
            body: body.into(),
            created_at: at,
        };
        members_store::insert_note(tx, &note).await?;
        moderation::insert_action(
            tx,
            &ActionRow {
                id: new_id(),
                community_id: c.id.clone(),
                actor_id: author.id.clone(),
                action: "note".into(),
                target_kind: "user".into(),
                target_id: subject.id.clone(),
                subject_user_id: Some(subject.id.clone()),
                reason: note.body.clone(),
                detail: json!({"note_id": note.id}).to_string(),
                created_at: at,
            },
        )
        .await?;
        record_with(
            tx,
            c,
            &author.id,
            "member_note_added",
            "user",
            &subject.id,
            at,
            json!({"demo": true, "note_id": note.id}),
        )
        .await?;
    }
    // A member (Priya, in the guild) flags a profile that advertises a giveaway.
    let reporter = members[2].0;
    let flagged = members[24].0;
    let at = now - 5 * MICROS_PER_HOUR;
    let flag = FlagRow {
        id: new_id(),
        community_id: c.id.clone(),
        target_kind: "user".into(),
        target_id: flagged.id.clone(),
        space_id: None,
        reporter_id: reporter.id.clone(),
        reason: "spam".into(),
        note: "Their profile and every post link to a crypto giveaway.".into(),
        status: "open".into(),
        created_at: at,
        resolved_at: None,
        resolution: None,
    };
    moderation::insert_flag(tx, &flag).await?;
    record_with(
        tx,
        c,
        &reporter.id,
        "flag_raised",
        "user",
        &flagged.id,
        at,
        json!({"demo": true, "reason": "spam", "flag_id": flag.id}),
    )
    .await?;
    Ok(())
}

impl crate::App {
    /// Gives the demo's members a reading history that spreads their trust levels: each
    /// member aims at a level (most low, a few high), capped by what their seeded posts
    /// allow, and reads enough topics on enough distinct days to reach it. The levels
    /// themselves are then computed by the same code as the daily job.
    pub(super) async fn seed_demo_reading(&self, tx: &mut Tx, now: i64) -> AppResult<()> {
        use townsquare_domain::trust::THRESHOLDS;
        use townsquare_store::moderation::trust as trust_store;
        const AIMS: [usize; 10] = [0, 0, 1, 1, 1, 2, 2, 3, 3, 4];
        for community_id in trust_store::community_ids(self.db()).await? {
            let mut topics = trust_store::topics_with_replies(self.db(), &community_id).await?;
            topics.sort_by_key(|t| std::cmp::Reverse(t.1));
            for (i, (user_id, activity)) in self
                .member_activity(&community_id)
                .await?
                .into_iter()
                .enumerate()
            {
                let aim = AIMS[(i * 7 + 3) % AIMS.len()];
                let reachable = THRESHOLDS
                    .iter()
                    .take_while(|t| activity.posts_written >= t.3)
                    .count();
                // Members who wrote something become members, regulars and leaders.
                let level = if reachable >= 3 {
                    reachable.min(2 + i % 3)
                } else {
                    aim.min(reachable)
                };
                if level == 0 {
                    continue;
                }
                let (days, topic_count, _, _) = THRESHOLDS[level - 1];
                // A little more than the minimum, so the level does not sit on its edge.
                let wanted = (topic_count + topic_count / 5) as usize;
                let days = days + days / 5;
                for (j, (topic_id, replies)) in topics.iter().take(wanted).enumerate() {
                    let day = (j as i64) % days;
                    let at = now - day * MICROS_PER_DAY - MICROS_PER_HOUR;
                    townsquare_store::reading::mark_read(tx, &user_id, topic_id, *replies, at)
                        .await?;
                }
            }
        }
        Ok(())
    }
}
