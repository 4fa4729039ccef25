//! Demo membership tiers in the Open Source Guild: a monthly "Supporter", a yearly "Pro
//! member" that unlocks the tier-only space "Maintainers' circle" (with a few topics of its
//! holders), a "Lifetime patron" without end, and an archived "Founding member". Members
//! hold active, soon-to-renew (reminded) and expired tiers, with renewals in their history;
//! one upgraded from Supporter to Pro, and one has a downgrade to Supporter scheduled.

use super::discussions::{seed_topic, Members};
use crate::clock::MICROS_PER_DAY;
use crate::AppResult;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use townsquare_domain::membership_tiers::{end_of_term, ACTIVE, CHANGED, EXPIRED, SCHEDULED};
use townsquare_domain::new_id;
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::membership_tiers::{self as store, RenewalRow, TermRow, TierRow};
use townsquare_store::spaces::{self as spaces, SpaceRow};
use townsquare_store::Tx;

const CIRCLE_TOPICS: &[(&str, &str, &[&str])] = &[
    (
        "Funding round-up: what paid for your project this year?",
        "Sponsors, grants, support contracts, foundations — share what worked and what the paperwork was like.",
        &[
            "A foundation grant covered our security audit. The application took two evenings.",
            "Support contracts with three companies; the trick was a fixed menu of what we offer.",
            "GitHub Sponsors pays for CI and a bit more. Not a salary, but it changed how I feel about the work.",
        ],
    ),
    (
        "Draft: a succession plan template for solo maintainers",
        "I wrote down who gets the keys if I disappear for three months. Feedback welcome before it goes into the library.",
        &[
            "Add where the signing keys live and who may rotate them — that bit us last year.",
            "Love it. We added a line on how to hand over the domain name.",
        ],
    ),
    (
        "Pro call notes: saying no to feature requests",
        "Notes from this month's call, for those who missed it. The recording link is in the event page.",
        &["The canned reply idea is gold. Stealing it today."],
    ),
];

fn tier(
    c: &CommunityRow,
    name: &str,
    price: &str,
    benefits: &str,
    months: Option<i64>,
    at: i64,
) -> TierRow {
    TierRow {
        id: new_id(),
        community_id: c.id.clone(),
        name: name.into(),
        price_label: price.into(),
        benefits: benefits.into(),
        period_months: months,
        reminder_days: "14, 3".into(),
        archived_at: None,
        created_at: at,
        updated_at: at,
    }
}

fn date(micros: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .date_naive()
}

fn micros(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_micros()
}

/// A term in the demo: the holder, the tier, how many days ago it started, how many
/// renewals came before the current end, and whether it lapsed.
struct Seeded<'a> {
    user: &'a UserRow,
    tier: &'a TierRow,
    started_days_ago: i64,
    renewals: i64,
    expired: bool,
}

async fn term(
    tx: &mut Tx,
    c: &CommunityRow,
    admin: &UserRow,
    s: &Seeded<'_>,
    now: i64,
) -> AppResult<TermRow> {
    let started_at = micros(date(now - s.started_days_ago * MICROS_PER_DAY));
    let months = s.tier.period_months;
    let mut end = months.map(|m| end_of_term(date(started_at), m));
    let mut term = TermRow {
        id: new_id(),
        community_id: c.id.clone(),
        user_id: s.user.id.clone(),
        tier_id: s.tier.id.clone(),
        status: ACTIVE.into(),
        started_at,
        expires_at: end.map(micros),
        ended_at: None,
        created_by: Some(admin.id.clone()),
        updated_at: started_at,
        tier_name: s.tier.name.clone(),
        display_name: s.user.display_name.clone(),
    };
    store::insert_term(tx, &term).await?;
    super::record_with(
        tx,
        c,
        &admin.id,
        "tier_started",
        "user",
        &s.user.id,
        started_at,
        json!({"tier_id": s.tier.id, "tier": s.tier.name, "term_id": term.id}),
    )
    .await?;
    if let (Some(m), Some(first_end)) = (months, end) {
        let mut current = first_end;
        for _ in 0..s.renewals {
            let next = end_of_term(current, m);
            // Recorded a week before the end came.
            let at = micros(current) - 7 * MICROS_PER_DAY;
            store::insert_renewal(
                tx,
                &RenewalRow {
                    id: new_id(),
                    member_tier_id: term.id.clone(),
                    community_id: c.id.clone(),
                    previous_expires_at: micros(current),
                    new_expires_at: micros(next),
                    renewed_by: Some(admin.id.clone()),
                    renewed_at: at,
                },
            )
            .await?;
            super::record_with(
                tx,
                c,
                &admin.id,
                "tier_renewed",
                "user",
                &s.user.id,
                at,
                json!({"tier_id": s.tier.id, "tier": s.tier.name, "term_id": term.id}),
            )
            .await?;
            current = next;
        }
        end = Some(current);
        store::set_expiry(tx, &term.id, Some(micros(current)), now).await?;
    }
    let expires_at = end.map(micros);
    term.expires_at = expires_at;
    if s.expired {
        let at = expires_at.unwrap_or(now);
        store::set_status(tx, &term.id, ACTIVE, EXPIRED, Some(at), at).await?;
        crate::activity::record(
            tx,
            Some(&c.id),
            None,
            "tier_expired",
            "user",
            &s.user.id,
            json!({"tier_id": s.tier.id, "tier": s.tier.name, "term_id": term.id}),
            at,
        )
        .await?;
    } else if let Some(e) = expires_at {
        // Reminders already sent for the days that have come.
        for d in [14, 3] {
            if e - d * MICROS_PER_DAY <= now {
                store::claim_reminder(tx, &term.id, e, d, e - d * MICROS_PER_DAY).await?;
            }
        }
    }
    Ok(term)
}

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    admin: &UserRow,
    members: &Members<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let since = c.created_at + 30 * MICROS_PER_DAY;
    let supporter = tier(
        c,
        "Supporter",
        "€5 / month",
        "Keep the Guild running.\n\n- A supporter badge on your profile\n- Our thanks in the monthly newsletter",
        Some(1),
        since,
    );
    let pro = tier(
        c,
        "Pro member",
        "€60 / year",
        "For maintainers who want more.\n\n- **Maintainers' circle**: the members-only space for funding, succession and burnout talk\n- Monthly Pro calls with guest maintainers\n- Early seats at workshops",
        Some(12),
        since,
    );
    let lifetime = tier(
        c,
        "Lifetime patron",
        "€400 once",
        "Everything Pro members get, for good.",
        None,
        since,
    );
    let mut founding = tier(
        c,
        "Founding member",
        "€30 / year",
        "Offered in the Guild's first month.",
        Some(12),
        c.created_at,
    );
    founding.archived_at = Some(since);
    for t in [&supporter, &pro, &lifetime, &founding] {
        store::insert_tier(tx, t).await?;
    }

    // The tier-only space.
    let circle = SpaceRow {
        id: new_id(),
        community_id: c.id.clone(),
        slug: "maintainers-circle".into(),
        name: "Maintainers' circle".into(),
        description: "For Pro members and patrons: funding, succession plans and the hard parts."
            .into(),
        kind: "discussion".into(),
        visibility: "members".into(),
        position: 0,
        member_count: 0,
        created_by: admin.id.clone(),
        created_at: since,
    };
    spaces::insert_space(tx, &circle).await?;
    for t in [&pro, &lifetime] {
        store::set_tier_spaces(tx, &t.id, std::slice::from_ref(&circle.id)).await?;
    }

    // members: [0] the owner, [1] a moderator, [2] Priya (the member login), then two admins,
    // three moderators, and plain members.
    let plain: Vec<&UserRow> = members.iter().skip(8).map(|(u, _)| *u).collect();
    if plain.len() < 40 {
        return Ok(());
    }
    let priya = members[2].0;
    // (user, tier, started days ago, renewals, expired)
    let mut seeded: Vec<Seeded> = vec![
        // Priya's Pro year ends in twelve days: reminded, not yet renewed.
        Seeded {
            user: priya,
            tier: &pro,
            started_days_ago: 353,
            renewals: 0,
            expired: false,
        },
    ];
    for (i, u) in plain.iter().take(24).enumerate() {
        let (tier, started_days_ago, renewals, expired) = match i {
            // Pro members: renewed ones, a new one, two due soon, two that lapsed.
            0..=3 => (&pro, 420 + i as i64 * 30, 1, false),
            4..=7 => (&pro, 20 + i as i64 * 25, 0, false),
            8 => (&pro, 360, 0, false),
            9 => (&pro, 340, 0, false),
            10 => (&pro, 375, 0, true),
            11 => (&pro, 405, 0, true),
            // Supporters, month by month.
            12..=15 => (&supporter, 3 + (i as i64 - 12) * 6, 0, false),
            16..=18 => (&supporter, 95, 3, false),
            19 => (&supporter, 80, 1, true),
            20 => (&supporter, 50, 0, true),
            // Patrons without end.
            _ => (&lifetime, 200 + i as i64, 0, false),
        };
        seeded.push(Seeded {
            user: u,
            tier,
            started_days_ago,
            renewals,
            expired,
        });
    }
    let mut holders: Vec<(&UserRow, i64)> = Vec::new();
    // One upgrade: a Supporter for three months who moved up to Pro 40 days ago.
    let upgraded = plain[24];
    let supporter_term = term(
        tx,
        c,
        admin,
        &Seeded {
            user: upgraded,
            tier: &supporter,
            started_days_ago: 130,
            renewals: 2,
            expired: false,
        },
        now,
    )
    .await?;
    let change_at = micros(date(now - 40 * MICROS_PER_DAY));
    store::set_expiry(tx, &supporter_term.id, Some(change_at), change_at).await?;
    store::set_status(
        tx,
        &supporter_term.id,
        ACTIVE,
        CHANGED,
        Some(change_at),
        change_at,
    )
    .await?;
    let pro_term = TermRow {
        id: new_id(),
        tier_id: pro.id.clone(),
        tier_name: pro.name.clone(),
        status: ACTIVE.into(),
        started_at: change_at,
        expires_at: Some(micros(end_of_term(date(change_at), 12))),
        ended_at: None,
        updated_at: change_at,
        ..supporter_term.clone()
    };
    store::insert_term(tx, &pro_term).await?;
    super::record_with(
        tx,
        c,
        &admin.id,
        "tier_changed",
        "user",
        &upgraded.id,
        change_at,
        json!({"from_tier_id": supporter.id, "from_tier": supporter.name,
               "previous_term_id": supporter_term.id, "tier_id": pro.id, "tier": pro.name,
               "term_id": pro_term.id, "expires_at": pro_term.expires_at}),
    )
    .await?;
    holders.push((upgraded, change_at));
    spaces::join_space(tx, &circle.id, &upgraded.id, change_at).await?;
    for s in &seeded {
        let t = term(tx, c, admin, s, now).await?;
        let lapsed = s.expired || t.expires_at.is_some_and(|e| e <= now);
        if lapsed && !s.expired {
            // Its end came: expire it as the sweep would.
            store::set_status(tx, &t.id, ACTIVE, EXPIRED, t.expires_at, now).await?;
        }
        if s.tier.id != supporter.id && !lapsed {
            holders.push((s.user, t.started_at));
            spaces::join_space(tx, &circle.id, &s.user.id, t.started_at).await?;
        }
    }
    // One scheduled downgrade: a new Pro member moves to Supporter in three weeks (the
    // admins' list and their Membership page say so; they keep the circle until then).
    let downgrading = plain[4];
    if let Some(current) = store::current_term(&mut *tx, &c.id, &downgrading.id)
        .await?
        .filter(|t| t.status == ACTIVE && t.tier_id == pro.id)
    {
        let starts_at = micros(date(now + 21 * MICROS_PER_DAY));
        let scheduled_at = now - 2 * MICROS_PER_DAY;
        store::set_expiry(tx, &current.id, Some(starts_at), scheduled_at).await?;
        let next = TermRow {
            id: new_id(),
            tier_id: supporter.id.clone(),
            tier_name: supporter.name.clone(),
            status: SCHEDULED.into(),
            started_at: starts_at,
            expires_at: supporter
                .period_months
                .map(|m| micros(end_of_term(date(starts_at), m))),
            ended_at: None,
            created_by: Some(admin.id.clone()),
            updated_at: scheduled_at,
            ..current.clone()
        };
        store::insert_term(tx, &next).await?;
        store::insert_change(
            tx,
            &next.id,
            &current.id,
            current.expires_at,
            &admin.id,
            scheduled_at,
        )
        .await?;
        super::record_with(
            tx,
            c,
            &admin.id,
            "tier_change_scheduled",
            "user",
            &downgrading.id,
            scheduled_at,
            json!({"from_tier_id": pro.id, "from_tier": pro.name,
                   "previous_term_id": current.id, "tier_id": supporter.id,
                   "tier": supporter.name, "term_id": next.id, "starts_at": starts_at,
                   "expires_at": next.expires_at}),
        )
        .await?;
    }
    if holders.len() < 3 {
        return Ok(());
    }
    for (i, (title, body, replies)) in CIRCLE_TOPICS.iter().enumerate() {
        let started = now - (4 + i as i64 * 11) * MICROS_PER_DAY;
        let author = holders[i % holders.len()].0;
        let replies: Vec<(&UserRow, &str)> = replies
            .iter()
            .enumerate()
            .map(|(j, r)| (holders[(i + j + 1) % holders.len()].0, *r))
            .collect();
        seed_topic(
            tx, c, &circle.id, title, body, "", false, author, started, &replies, None, &holders,
            now, rng,
        )
        .await?;
    }
    Ok(())
}
