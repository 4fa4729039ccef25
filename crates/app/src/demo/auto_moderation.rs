//! Demo automatic protection: the guild blocks link shorteners, holds posts that mention a
//! casino, flags crypto giveaways, and has one newcomer's reply waiting for approval.

use super::record_with;
use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::AppResult;
use serde_json::json;
use townsquare_domain::{markdown, new_id};
use townsquare_store::accounts::UserRow;
use townsquare_store::auto_moderation::{self as store, RuleRow, SettingsRow};
use townsquare_store::communities::CommunityRow;
use townsquare_store::discussions::{self as discussions, PostRow, TopicRow};
use townsquare_store::Tx;

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    manager: &UserRow,
    topic: &TopicRow,
    newcomer: &UserRow,
    now: i64,
) -> AppResult<()> {
    let set_up = now - 30 * MICROS_PER_DAY;
    let rules = [
        (
            "pattern",
            r"\b(bit\.ly|tinyurl\.com|t\.co)/\w+",
            "block",
            "Link shorteners hide where a link goes: paste the full address instead.",
        ),
        ("keyword", "casino", "hold", ""),
        ("keyword", "crypto giveaway", "flag", ""),
    ];
    for (i, (kind, pattern, action, message)) in rules.into_iter().enumerate() {
        let rule = RuleRow {
            id: new_id(),
            community_id: c.id.clone(),
            kind: kind.into(),
            pattern: pattern.into(),
            action: action.into(),
            message: message.into(),
            created_by: Some(manager.id.clone()),
            created_at: set_up + i as i64 * 60_000_000,
        };
        store::insert_rule(tx, &rule).await?;
    }
    let limits = SettingsRow {
        hold_first_posts: 1,
        new_member_days: 3,
        new_member_links: 2,
        new_member_mentions: 3,
        posts_per_minute: 6,
        topics_per_day: 10,
        flags_per_day: 20,
    };
    store::save_settings(tx, &c.id, &limits, &manager.id, set_up).await?;

    // A newcomer's first reply, which mentions a casino: held for a moderator.
    let at = now - 5 * MICROS_PER_HOUR;
    let body = "Hi all! I host our docs on a site sponsored by an online casino, happy to share the setup.";
    let post = PostRow {
        id: new_id(),
        topic_id: topic.id.clone(),
        community_id: c.id.clone(),
        space_id: topic.space_id.clone(),
        author_id: newcomer.id.clone(),
        reply_to_id: None,
        is_first: false,
        body_markdown: body.into(),
        body_html: markdown::render(body),
        reaction_count: 0,
        created_at: at,
        edited_at: None,
        deleted_at: None,
        hidden_at: None,
        held_at: Some(at),
    };
    discussions::insert_post(tx, &post).await?;
    store::set_post_held(
        tx,
        &post,
        Some(at),
        Some("auto-moderation: keyword “casino”"),
    )
    .await?;
    record_with(
        tx,
        c,
        &newcomer.id,
        "rule_matched",
        "auto_moderation_rule",
        &post.id,
        at,
        json!({"action": "hold", "rule": "keyword “casino”", "post_id": post.id}),
    )
    .await?;
    record_with(
        tx,
        c,
        &newcomer.id,
        "post_held",
        "post",
        &post.id,
        at,
        json!({"topic_id": topic.id, "reason": "auto-moderation: keyword “casino”"}),
    )
    .await?;
    Ok(())
}
