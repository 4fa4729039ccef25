//! Demo onboarding: each community's own checklist and welcome message, and the reminders its
//! newest members have had (their progress comes from the history seeded for them).

use crate::clock::MICROS_PER_DAY;
use crate::AppResult;
use townsquare_domain::onboarding::{Onboarding, Step};
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::onboarding as store;
use townsquare_store::Tx;

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    members: &[(&UserRow, i64)],
    now: i64,
) -> AppResult<()> {
    let onboarding = Onboarding {
        steps: vec![
            Step::AcceptGuidelines,
            Step::CompleteProfile,
            Step::IntroduceYourself,
            Step::JoinSpace,
            Step::ReplyToTopic,
            Step::RegisterForEvent,
        ],
        welcome_message: format!(
            "Hi {{name}}, welcome to {{community}}! I'm Maya, I look after {}. \
             Say hello in Introductions and tell us what you're working on; \
             the checklist on the community page shows a few good first steps.",
            c.name
        ),
        nudge_days: vec![1, 3, 7],
    };
    store::save_settings(
        tx,
        &c.id,
        &onboarding.steps_text(),
        &onboarding.welcome_message,
        &onboarding.nudge_days_text(),
        now,
    )
    .await?;
    for (member, joined_at) in members {
        if now - joined_at > 8 * MICROS_PER_DAY {
            continue;
        }
        for day in &onboarding.nudge_days {
            let at = joined_at + day * MICROS_PER_DAY;
            if at <= now {
                store::claim_nudge(tx, &c.id, &member.id, *day, "sent", at).await?;
            }
        }
    }
    Ok(())
}
