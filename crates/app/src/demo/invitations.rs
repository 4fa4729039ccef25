//! Demo invitations for the customer council: a launch campaign with invite links (one
//! still open, one from a summit booth that expired, one withdrawn) and personal e-mail
//! invitations from account managers, with members who joined through them.

use crate::clock::MICROS_PER_DAY;
use crate::secrets::{hash_token, new_token};
use crate::AppResult;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use townsquare_domain::new_id;
use townsquare_store::communities::CommunityRow;
use townsquare_store::invitations::{self as store, InvitationRow};
use townsquare_store::Tx;

pub(super) struct DemoInvitations {
    rows: Vec<InvitationRow>,
    rng: ChaCha8Rng,
}

/// (kind, source, campaign, days after the community opened, max uses, days valid, revoked
/// after days, e-mail).
type Seed = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<&'static str>,
);

const SEEDS: &[Seed] = &[
    (
        "link",
        "newsletter",
        "launch-2026",
        20,
        None,
        None,
        None,
        None,
    ),
    (
        "link",
        "summit-booth",
        "launch-2026",
        45,
        Some(25),
        Some(21),
        None,
        None,
    ),
    (
        "link",
        "partner-webinar",
        "roundtables",
        120,
        Some(100),
        None,
        Some(150),
        None,
    ),
    (
        "email",
        "account-manager",
        "launch-2026",
        25,
        Some(1),
        Some(30),
        None,
        Some("cto@northwind.example"),
    ),
    (
        "email",
        "account-manager",
        "launch-2026",
        25,
        Some(1),
        Some(30),
        None,
        Some("ops@contoso.example"),
    ),
    (
        "email",
        "account-manager",
        "launch-2026",
        26,
        Some(1),
        Some(30),
        None,
        Some("it@fabrikam.example"),
    ),
    (
        "email",
        "account-manager",
        "roundtables",
        200,
        Some(1),
        Some(30),
        None,
        Some("head.of.data@tailspin.example"),
    ),
    (
        "email",
        "account-manager",
        "roundtables",
        290,
        Some(1),
        Some(30),
        None,
        Some("platform@wingtip.example"),
    ),
];

impl DemoInvitations {
    pub(super) async fn create(
        tx: &mut Tx,
        c: &CommunityRow,
        owner_id: &str,
        seed: u64,
    ) -> AppResult<DemoInvitations> {
        let mut rows = Vec::new();
        for (kind, source, campaign, after, max_uses, valid, revoked, email) in SEEDS {
            let created_at = c.created_at + after * MICROS_PER_DAY;
            let token = new_token();
            let row = InvitationRow {
                id: new_id(),
                community_id: c.id.clone(),
                kind: kind.to_string(),
                token_hash: hash_token(&token),
                link_token: (*kind == "link").then_some(token),
                email: email.map(str::to_string),
                source: source.to_string(),
                campaign: campaign.to_string(),
                max_uses: *max_uses,
                use_count: 0,
                expires_at: valid.map(|d| created_at + d * MICROS_PER_DAY),
                revoked_at: revoked.map(|d| c.created_at + d * MICROS_PER_DAY),
                created_by: Some(owner_id.to_string()),
                created_at,
            };
            store::insert(tx, &row).await?;
            rows.push(row);
        }
        Ok(DemoInvitations {
            rows,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    /// For a member joining at `at`: the invitation they came through, if any (about a third
    /// of those who join while one is usable), as the `joined` record's detail.
    pub(super) fn pick(&mut self, at: i64) -> Option<(String, String, String, Value)> {
        let usable: Vec<usize> = (0..self.rows.len())
            .filter(|&i| {
                let r = &self.rows[i];
                r.created_at <= at
                    && r.expires_at.is_none_or(|t| at < t)
                    && r.revoked_at.is_none_or(|t| at < t)
                    && r.max_uses.is_none_or(|m| r.use_count < m)
            })
            .collect();
        // An event's link (a booth, a webinar) brings in most of the people who join while
        // it runs; otherwise about a third come through the newsletter or an e-mail.
        let weight = |r: &InvitationRow| {
            if r.kind == "link" && r.max_uses.is_some() {
                6
            } else {
                1
            }
        };
        let total: u32 = usable.iter().map(|&i| weight(&self.rows[i])).sum();
        let chance = if total > usable.len() as u32 {
            0.7
        } else {
            0.35
        };
        if usable.is_empty() || !self.rng.gen_bool(chance) {
            return None;
        }
        let mut n = self.rng.gen_range(0..total);
        let mut chosen = usable[0];
        for &i in &usable {
            let w = weight(&self.rows[i]);
            if n < w {
                chosen = i;
                break;
            }
            n -= w;
        }
        let r = &mut self.rows[chosen];
        r.use_count += 1;
        Some((
            r.id.clone(),
            r.source.clone(),
            r.campaign.clone(),
            json!({"demo": true, "invitation_id": r.id, "via": r.kind, "source": r.source, "campaign": r.campaign}),
        ))
    }

    pub(super) async fn finish(self, tx: &mut Tx) -> AppResult<()> {
        for r in &self.rows {
            store::set_use_count(tx, &r.id, r.use_count).await?;
        }
        Ok(())
    }
}
