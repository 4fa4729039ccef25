//! The demo instance: a deterministic (fixed-seed) generator of two believable communities
//! with a year of history. Later product areas add their own content here.

mod analytics;
mod applications;
mod auto_moderation;
mod discussions;
mod event_live;
mod events;
mod invitations;
mod membership_tiers;
mod moderation;
mod onboarding;
mod pictures;
mod profiles;

use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use crate::secrets::hash_password;
use crate::{App, AppError, AppResult};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use townsquare_domain::new_id;
use townsquare_store::accounts::{self as accounts, UserRow};
use townsquare_store::communities::{self as communities, CommunityRow, MembershipRow};
use townsquare_store::spaces::{self as spaces, SpaceRow};
use townsquare_store::Tx;

pub const DEMO_PASSWORD: &str = "townsquare-demo";
const SEED: u64 = 20_261_128;
const MEMBERS: usize = 540;

/// The accounts printed at start-up, so a visitor can sign in as each kind of person.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin@demo.townsquare.test", "instance superadmin"),
    (
        "maya@demo.townsquare.test",
        "owner of both communities (community manager)",
    ),
    (
        "jonas@demo.townsquare.test",
        "moderator in Open Source Guild",
    ),
    ("priya@demo.townsquare.test", "member"),
];

const FIRST: &[&str] = &[
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Elif",
    "Farah",
    "Gabriel",
    "Hana",
    "Ines",
    "Jamal",
    "Kenji",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Paula",
    "Quentin",
    "Rosa",
    "Sofia",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zara",
    "Amara",
    "Bruno",
    "Carmen",
    "Diego",
    "Emeka",
    "Freya",
    "Goran",
    "Helga",
    "Ivan",
    "Júlia",
    "Kofi",
    "Leila",
    "Marta",
    "Noah",
    "Olu",
    "Pavel",
    "Rania",
    "Sven",
    "Tomás",
    "Ursula",
    "Valentina",
    "Wiktor",
    "Yara",
];
const LAST: &[&str] = &[
    "Okafor",
    "Schmidt",
    "Tanaka",
    "Novak",
    "García",
    "Haddad",
    "Kowalski",
    "Nguyen",
    "Rossi",
    "Johansson",
    "Mensah",
    "Dubois",
    "Silva",
    "Petrov",
    "Yilmaz",
    "Kim",
    "Andersen",
    "Costa",
    "Fischer",
    "Ibrahim",
    "Lopez",
    "Müller",
    "O'Brien",
    "Patel",
    "Quinn",
    "Sato",
    "Weber",
    "Zhang",
    "Ahmed",
    "Bauer",
];

struct SpaceSeed {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    kind: &'static str,
    visibility: &'static str,
}

const GUILD_SPACES: &[SpaceSeed] = &[
    SpaceSeed {
        slug: "introductions",
        name: "Introductions",
        description: "New here? Tell us who you are and what you maintain.",
        kind: "discussion",
        visibility: "everyone",
    },
    SpaceSeed {
        slug: "general",
        name: "General",
        description: "Conversations about maintaining open-source projects.",
        kind: "discussion",
        visibility: "everyone",
    },
    SpaceSeed {
        slug: "help",
        name: "Help & Q&A",
        description: "Ask the community; mark the answer that solved it.",
        kind: "discussion",
        visibility: "members",
    },
    SpaceSeed {
        slug: "lounge",
        name: "Lounge",
        description: "Real-time chat for quick questions and water-cooler talk.",
        kind: "chat",
        visibility: "members",
    },
    SpaceSeed {
        slug: "events",
        name: "Events",
        description: "Office hours, AMAs with maintainers, and release parties.",
        kind: "events",
        visibility: "everyone",
    },
    SpaceSeed {
        slug: "library",
        name: "Resource library",
        description: "Templates: governance, code of conduct, security policy.",
        kind: "resources",
        visibility: "members",
    },
    SpaceSeed {
        slug: "moderators",
        name: "Moderators' room",
        description: "Where the moderation team coordinates.",
        kind: "chat",
        visibility: "moderators",
    },
];

const COUNCIL_SPACES: &[SpaceSeed] = &[
    SpaceSeed {
        slug: "announcements",
        name: "Announcements",
        description: "Product news for council members, before anyone else.",
        kind: "discussion",
        visibility: "members",
    },
    SpaceSeed {
        slug: "feedback",
        name: "Product feedback",
        description: "Tell the product team what to build next.",
        kind: "discussion",
        visibility: "members",
    },
    SpaceSeed {
        slug: "roundtables",
        name: "Roundtables",
        description: "Quarterly customer roundtables and workshops.",
        kind: "events",
        visibility: "members",
    },
    SpaceSeed {
        slug: "council-chat",
        name: "Council chat",
        description: "Chat with other customers and the Acme team.",
        kind: "chat",
        visibility: "members",
    },
    SpaceSeed {
        slug: "playbooks",
        name: "Playbooks",
        description: "Rollout guides and case studies from other customers.",
        kind: "resources",
        visibility: "members",
    },
    SpaceSeed {
        slug: "admins",
        name: "Admin notes",
        description: "Planning notes for the council's organisers.",
        kind: "discussion",
        visibility: "admins",
    },
];

const GUILD_GUIDELINES: &str = "1. Be kind and assume good intent.\n2. Keep discussions on topic; use the Lounge for the rest.\n3. No spam, no self-promotion without context.\n4. Respect people's time: search before asking, and mark the answer that helped you.\n5. Report problems with the flag button; moderators answer within a day.";
const COUNCIL_GUIDELINES: &str = "What is said in the council stays in the council: roadmap items shared here are confidential.\nBe specific in feedback: what you tried, what happened, what you expected.\nBe respectful to other customers and to the Acme team.";

impl App {
    /// Whether the database holds no users yet (the demo refuses to seed over real data).
    pub async fn has_no_users(&self) -> AppResult<bool> {
        Ok(accounts::count_users(self.db()).await? == 0)
    }

    /// Seeds the demo instance in one transaction; the same seed gives the same community.
    pub async fn seed_demo(&self) -> AppResult<()> {
        let password_hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(AppError::Internal)?;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let now = self.now();
        let year_ago = now - 365 * MICROS_PER_DAY;
        let mut tx = self.db().begin().await?;

        let mut users = Vec::with_capacity(MEMBERS + DEMO_LOGINS.len());
        for (i, (email, _)) in DEMO_LOGINS.iter().enumerate() {
            let name = match i {
                0 => "Instance Admin",
                1 => "Maya Lindqvist",
                2 => "Jonas Weber",
                _ => "Priya Raman",
            };
            users.push(user(
                email,
                name,
                &password_hash,
                i == 0,
                year_ago - MICROS_PER_DAY * 30,
            ));
        }
        for i in 0..MEMBERS {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
            // Join dates lean recent: a community that is growing.
            let age_days = (rng.gen::<f64>().powf(1.6) * 360.0) as i64;
            let created = now - age_days * MICROS_PER_DAY - rng.gen_range(0..MICROS_PER_DAY);
            let email = format!("{}.{}{}@demo.townsquare.test", ascii(first), ascii(last), i);
            users.push(user(
                &email,
                &format!("{first} {last}"),
                &password_hash,
                false,
                created,
            ));
        }
        for u in &users {
            accounts::insert_user(&mut tx, u).await?;
        }
        // Profiles draw from their own seed, so the rest of the demo stays as it was.
        let mut profile_rng = ChaCha8Rng::seed_from_u64(SEED + 7);
        profiles::seed_people(&mut tx, &users, now, &mut profile_rng).await?;

        let maya = &users[1];
        let mut guild = community(
            "open-source-guild",
            "Open Source Guild",
            "A home for maintainers: share what works, get help, and meet the people behind the projects you use.",
            GUILD_GUIDELINES,
            "public",
            "open",
            "#0f766e",
            &maya.id,
            year_ago,
        );
        guild.time_zone = "Europe/Berlin".into();
        let mut council = community(
            "acme-customer-council",
            "Acme Customer Council",
            "Acme's private council of customers: early roadmap, roundtables and direct lines to the product team.",
            COUNCIL_GUIDELINES,
            "private",
            "approval",
            "#b45309",
            &maya.id,
            year_ago + 60 * MICROS_PER_DAY,
        );
        council.time_zone = "America/Chicago".into();
        for (c, seeds) in [(&guild, GUILD_SPACES), (&council, COUNCIL_SPACES)] {
            communities::insert_community(&mut tx, c).await?;
            let mut invites = if c.id == council.id {
                Some(invitations::DemoInvitations::create(&mut tx, c, &maya.id, SEED + 1).await?)
            } else {
                None
            };
            let space_ids = self.seed_spaces(&mut tx, c, seeds, &maya.id).await?;
            let roster = roster(&users, c, &council.id, &mut rng);
            let mut active = 0;
            let mut members: Vec<(&UserRow, i64)> = Vec::new();
            let mut pending: Vec<(String, i64)> = Vec::new();
            for (u, role, status) in roster {
                let joined_at = u.created_at.max(c.created_at) + rng.gen_range(0..MICROS_PER_HOUR);
                communities::upsert_membership(
                    &mut tx,
                    &MembershipRow {
                        community_id: c.id.clone(),
                        user_id: u.id.clone(),
                        role: role.to_string(),
                        status: status.to_string(),
                        request_note: if status == "pending" {
                            "We run Acme at our company and would love to join the roundtables."
                                .into()
                        } else {
                            String::new()
                        },
                        joined_at,
                    },
                )
                .await?;
                if status != "active" {
                    pending.push((u.id.clone(), joined_at));
                    record(
                        &mut tx,
                        c,
                        &u.id,
                        "join_requested",
                        "community",
                        &c.id,
                        joined_at,
                    )
                    .await?;
                    continue;
                }
                active += 1;
                members.push((u, joined_at));
                let invited = match (&mut invites, role) {
                    (Some(invites), "member") => invites.pick(joined_at),
                    _ => None,
                };
                match invited {
                    Some((invitation_id, source, campaign, detail)) => {
                        townsquare_store::invitations::set_membership_attribution(
                            &mut tx,
                            &c.id,
                            &u.id,
                            &invitation_id,
                            &source,
                            &campaign,
                        )
                        .await?;
                        record_with(
                            &mut tx,
                            c,
                            &u.id,
                            "joined",
                            "community",
                            &c.id,
                            joined_at,
                            detail,
                        )
                        .await?;
                    }
                    None => {
                        record(&mut tx, c, &u.id, "joined", "community", &c.id, joined_at).await?
                    }
                }
                // A few long-standing regulars went quiet three weeks ago: the "at risk" list.
                let at_risk = role == "member"
                    && joined_at < now - 130 * MICROS_PER_DAY
                    && members.len() % 53 == 17;
                self.seed_member_history(
                    &mut tx, c, &space_ids, u, joined_at, now, at_risk, &mut rng,
                )
                .await?;
            }
            communities::add_to_member_count(&mut tx, &c.id, active - c.member_count).await?;
            if c.join_policy == "approval" {
                applications::seed(&mut tx, c, &pending).await?;
            }
            if let Some(invites) = invites {
                invites.finish(&mut tx).await?;
            }
            let spaces_by_slug: Vec<(&str, &str)> = seeds
                .iter()
                .zip(&space_ids)
                .map(|(s, (id, _))| (s.slug, id.as_str()))
                .collect();
            discussions::seed(&mut tx, c, &spaces_by_slug, &members, now, &mut rng).await?;
            analytics::seed(&mut tx, c, &spaces_by_slug, &members, now, &mut rng).await?;
            analytics::seed_report(&mut tx, c, &maya.id, now).await?;
            moderation::seed(&mut tx, c, &members, now).await?;
            onboarding::seed(&mut tx, c, &members, now).await?;
            if c.id == guild.id {
                // Its own seed, so the rest of the demo stays as it was.
                let mut tier_rng = ChaCha8Rng::seed_from_u64(SEED + 11);
                membership_tiers::seed(&mut tx, c, maya, &members, now, &mut tier_rng).await?;
            }
            profiles::seed_community(&mut tx, c, &members, c.id == guild.id, &mut profile_rng)
                .await?;
            let events_space = seeds
                .iter()
                .zip(&space_ids)
                .find(|(s, _)| s.kind == "events")
                .map(|(_, (id, _))| id.clone());
            if let Some(space_id) = events_space {
                let space_of = |slugs: &[&str]| {
                    spaces_by_slug
                        .iter()
                        .find(|(slug, _)| slugs.contains(slug))
                        .map(|(_, id)| *id)
                };
                let topic_spaces = event_live::TopicSpaces {
                    recap: space_of(&["general", "announcements"]),
                    archive: space_of(&["help", "feedback"]),
                };
                events::seed(
                    &mut tx,
                    c,
                    &space_id,
                    maya,
                    &topic_spaces,
                    &members,
                    now,
                    &mut rng,
                )
                .await?;
            }
        }
        self.commit(tx).await?;
        // The home's top lists are counted hourly; count them now so the demo opens with them.
        let mut tx = self.db().begin().await?;
        self.rank_top_topics_now(&mut tx, now).await?;
        self.seed_demo_reading(&mut tx, now).await?;
        self.commit(tx).await?;
        // Trust levels from the members' seeded history, as the daily job computes them.
        let mut tx = self.db().begin().await?;
        self.recompute_trust_levels(&mut tx, now).await?;
        self.commit(tx).await?;
        self.seed_demo_file(&users[1]).await?;
        self.seed_demo_pictures(&users).await?;
        // What the seed left to the jobs (the past AMA's archive and feedback request).
        self.run_due_jobs().await?;
        Ok(())
    }

    async fn seed_spaces(
        &self,
        tx: &mut Tx,
        c: &CommunityRow,
        seeds: &[SpaceSeed],
        creator: &str,
    ) -> AppResult<Vec<(String, String)>> {
        let mut ids = Vec::new();
        for (i, s) in seeds.iter().enumerate() {
            let row = SpaceRow {
                id: new_id(),
                community_id: c.id.clone(),
                slug: s.slug.into(),
                name: s.name.into(),
                description: s.description.into(),
                kind: s.kind.into(),
                visibility: s.visibility.into(),
                position: 0,
                member_count: 0,
                created_by: creator.into(),
                created_at: c.created_at + i as i64 * MICROS_PER_MINUTE,
            };
            spaces::insert_space(tx, &row).await?;
            record(
                tx,
                c,
                creator,
                "space_created",
                "space",
                &row.id,
                row.created_at,
            )
            .await?;
            ids.push((row.id, s.visibility.to_string()));
        }
        Ok(ids)
    }

    /// Spaces joined and days visited: more for the engaged, fading for the drifting.
    #[allow(clippy::too_many_arguments)]
    async fn seed_member_history(
        &self,
        tx: &mut Tx,
        c: &CommunityRow,
        space_ids: &[(String, String)],
        u: &UserRow,
        joined_at: i64,
        now: i64,
        at_risk: bool,
        rng: &mut ChaCha8Rng,
    ) -> AppResult<()> {
        for (space_id, visibility) in space_ids {
            if (visibility == "everyone" || visibility == "members") && rng.gen_bool(0.55) {
                let at = joined_at + rng.gen_range(0..MICROS_PER_DAY);
                if spaces::join_space(tx, space_id, &u.id, at.min(now)).await? {
                    record(tx, c, &u.id, "space_joined", "space", space_id, at.min(now)).await?;
                }
            }
        }
        // Engagement: a few champions visit most days, most people now and then, some lapse.
        let engagement: f64 = rng.gen::<f64>().powi(2);
        let lapses_after = if rng.gen_bool(0.25) {
            Some(rng.gen_range(5..120) * MICROS_PER_DAY)
        } else {
            None
        };
        // Regulars at risk: frequent visits until 23 to 26 days ago, then nothing.
        let (engagement, lapses_after) = if at_risk {
            let silent = (23 + (joined_at / MICROS_PER_DAY) % 4) * MICROS_PER_DAY;
            (0.9, Some(now - silent - joined_at))
        } else {
            (engagement, lapses_after)
        };
        let mut day = joined_at + MICROS_PER_DAY;
        while day < now {
            if lapses_after.is_some_and(|gap| day > joined_at + gap) {
                break;
            }
            // Seasons: quieter in the summer holidays and around the new year.
            let season = match chrono::DateTime::from_timestamp_micros(day)
                .map_or(1, |t| chrono::Datelike::month(&t))
            {
                7 | 8 => 0.65,
                12 => 0.75,
                1..=3 | 10 | 11 => 1.1,
                _ => 1.0,
            };
            if rng.gen_bool(((0.02 + engagement * 0.6) * season).min(1.0)) {
                let at = day + rng.gen_range(7..22) * MICROS_PER_HOUR;
                if at < now {
                    record(tx, c, &u.id, "visited", "community", &c.id, at).await?;
                }
            }
            day += MICROS_PER_DAY;
        }
        Ok(())
    }
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' => 'e',
            'ú' => 'u',
            'á' => 'a',
            'ü' => 'u',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn user(email: &str, name: &str, hash: &str, superadmin: bool, created_at: i64) -> UserRow {
    // Demo e-mails are unique and handle-shaped before the @: "ada.okafor0" → "ada_okafor0".
    let handle = email
        .split('@')
        .next()
        .unwrap_or("member")
        .replace('.', "_");
    UserRow {
        id: new_id(),
        email: email.into(),
        display_name: name.into(),
        handle,
        password_hash: hash.into(),
        is_superadmin: superadmin,
        // Members live around the world; their digests arrive by their own clocks.
        time_zone: DEMO_TIME_ZONES[email.len() % DEMO_TIME_ZONES.len()].into(),
        created_at,
        updated_at: created_at,
    }
}

const DEMO_TIME_ZONES: &[&str] = &[
    "Europe/Berlin",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "America/Sao_Paulo",
    "UTC",
];

#[allow(clippy::too_many_arguments)]
fn community(
    slug: &str,
    name: &str,
    description: &str,
    guidelines: &str,
    visibility: &str,
    join_policy: &str,
    accent: &str,
    owner: &str,
    created_at: i64,
) -> CommunityRow {
    CommunityRow {
        id: new_id(),
        slug: slug.into(),
        name: name.into(),
        description: description.into(),
        guidelines: guidelines.into(),
        visibility: visibility.into(),
        join_policy: join_policy.into(),
        accent_color: accent.into(),
        time_zone: "UTC".into(),
        member_count: 0,
        created_by: owner.into(),
        created_at,
        updated_at: created_at,
    }
}

/// Who is in a community, with what role and status. The guild has most people; the
/// council a smaller, private set with a few pending requests.
fn roster<'u>(
    users: &'u [UserRow],
    c: &CommunityRow,
    council_id: &str,
    rng: &mut ChaCha8Rng,
) -> Vec<(&'u UserRow, &'static str, &'static str)> {
    let mut out = vec![(&users[1], "owner", "active")];
    let is_council = c.id == council_id;
    if is_council {
        out.push((&users[3], "member", "active"));
    } else {
        out.push((&users[2], "moderator", "active"));
        out.push((&users[3], "member", "active"));
    }
    let mut others: Vec<&UserRow> = users[DEMO_LOGINS.len()..].iter().collect();
    others.shuffle(rng);
    let take = if is_council { 140 } else { 480 };
    for (i, u) in others.into_iter().take(take).enumerate() {
        let (role, status) = match i {
            0..=1 => ("admin", "active"),
            2..=4 => ("moderator", "active"),
            _ if is_council && i < 12 => ("member", "pending"),
            _ => ("member", "active"),
        };
        out.push((u, role, status));
    }
    out
}

async fn record(
    tx: &mut Tx,
    c: &CommunityRow,
    actor: &str,
    verb: &str,
    object_type: &str,
    object_id: &str,
    at: i64,
) -> AppResult<()> {
    record_with(
        tx,
        c,
        actor,
        verb,
        object_type,
        object_id,
        at,
        json!({"demo": true}),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn record_with(
    tx: &mut Tx,
    c: &CommunityRow,
    actor: &str,
    verb: &str,
    object_type: &str,
    object_id: &str,
    at: i64,
    detail: serde_json::Value,
) -> AppResult<()> {
    // Through the one path every activity takes, so the analytics rollups follow the log.
    crate::activity::record(
        tx,
        Some(&c.id),
        Some(actor),
        verb,
        object_type,
        object_id,
        detail,
        at,
    )
    .await
}

impl App {
    /// One shared file, through the real upload path: the guild's code of conduct, as a
    /// text file its owner shared in the community.
    async fn seed_demo_file(&self, owner: &UserRow) -> AppResult<()> {
        let actor = crate::Actor::from(owner.clone());
        let text = format!("Open Source Guild: code of conduct\n\n{GUILD_GUIDELINES}\n");
        self.upload_file(
            &actor,
            Some("open-source-guild"),
            crate::files::Upload {
                filename: "code-of-conduct.txt".into(),
                declared_type: "text/plain".into(),
                bytes: text.into(),
            },
        )
        .await?;
        Ok(())
    }
}
