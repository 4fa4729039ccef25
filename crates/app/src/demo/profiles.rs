//! Profiles in the demo: most people say who they are (headline, a short bio, where they work,
//! links, interests), a few show their e-mail, a few hide their details; each community asks
//! its own questions (company size, favourite topic, GitHub, ...) and most members answer.

use super::discussions::Members;
use crate::AppResult;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use townsquare_domain::new_id;
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::profiles::{self as store, FieldRow, ProfileRow};
use townsquare_store::Tx;

const ROLES: &[(&str, &str)] = &[
    ("Maintainer", "Maintainer of a small HTTP library"),
    ("Staff engineer", "Building developer tools"),
    (
        "Developer advocate",
        "Helping people ship their first contribution",
    ),
    (
        "Security engineer",
        "Supply-chain security, one SBOM at a time",
    ),
    ("Product manager", "Turning feedback into roadmaps"),
    ("Data engineer", "Pipelines, parquet and patience"),
    ("Student", "Learning in public"),
    ("Technical writer", "Docs are a feature"),
    ("Engineering manager", "Growing teams that review kindly"),
    ("Freelance developer", "Rust and Go for hire"),
];

const COMPANIES: &[&str] = &[
    "Nordlicht Labs",
    "Acme Analytics",
    "Kestrel Systems",
    "Open Civic Tech",
    "Bluefin Cloud",
    "Mosaic Health",
    "Tidewater Robotics",
    "Self-employed",
];

const CITIES: &[&str] = &[
    "Berlin",
    "Lisbon",
    "Nairobi",
    "Montréal",
    "Bengaluru",
    "São Paulo",
    "Tokyo",
    "Chicago",
    "Helsinki",
    "Lagos",
];

const INTERESTS: &[&str] = &[
    "rust",
    "go",
    "python",
    "documentation",
    "security",
    "accessibility",
    "governance",
    "devops",
    "databases",
    "mentoring",
    "open data",
    "community building",
];

const BIOS: &[&str] = &[
    "I maintain a couple of crates and review a lot of pull requests. Happy to pair on **first contributions**.",
    "Ex-sysadmin, now mostly writing docs and release notes. Ask me about *changelogs*.",
    "I run our company's open source program office. We fund maintainers; say hello if you need help.",
    "Weekend contributor, weekday data engineer. Currently learning Rust the slow way.",
    "I organise the Berlin meetup and the monthly office hours. Bring questions!",
];

/// Every person's own profile, the same in both communities.
pub(super) async fn seed_people(
    tx: &mut Tx,
    users: &[UserRow],
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    for (i, u) in users.iter().enumerate() {
        // One in eight never filled in a profile: the directory shows their initials only.
        if i > 3 && rng.gen_ratio(1, 8) {
            continue;
        }
        let (title, headline) = ROLES[rng.gen_range(0..ROLES.len())];
        let count = rng.gen_range(1..=4);
        let mut interests: Vec<String> = INTERESTS
            .choose_multiple(rng, count)
            .map(|s| s.to_string())
            .collect();
        interests.sort();
        let handle = &u.handle;
        let links = if rng.gen_ratio(2, 3) {
            vec![format!("https://github.com/{}", handle.replace('_', "-"))]
        } else {
            Vec::new()
        };
        let profile = ProfileRow {
            user_id: u.id.clone(),
            headline: headline.into(),
            bio: BIOS[rng.gen_range(0..BIOS.len())].into(),
            location: CITIES[rng.gen_range(0..CITIES.len())].into(),
            company: COMPANIES[rng.gen_range(0..COMPANIES.len())].into(),
            job_title: title.into(),
            links: json!(links).to_string(),
            interests: json!(interests).to_string(),
            avatar_file_id: None,
            // The demo logins show what each choice looks like.
            show_email: i == 1 || rng.gen_ratio(1, 10),
            show_details: i == 1 || !rng.gen_ratio(1, 12),
            updated_at: now,
        };
        store::upsert_profile(tx, &profile).await?;
        store::set_interests(tx, &u.id, &interests).await?;
    }
    Ok(())
}

struct FieldSeed {
    label: &'static str,
    kind: &'static str,
    options: &'static [&'static str],
    required: bool,
    visibility: &'static str,
}

const GUILD_FIELDS: &[FieldSeed] = &[
    // Required: asked on every way in, answered by every demo member.
    FieldSeed {
        label: "Role",
        kind: "single_select",
        options: &["Maintainer", "Contributor", "User", "Sponsor"],
        required: true,
        visibility: "members",
    },
    FieldSeed {
        label: "Company size",
        kind: "single_select",
        options: &["Just me", "2–10", "11–50", "51–200", "201+"],
        required: false,
        visibility: "members",
    },
    FieldSeed {
        label: "Favourite topic",
        kind: "text",
        options: &[],
        required: false,
        visibility: "everyone",
    },
    FieldSeed {
        label: "GitHub",
        kind: "url",
        options: &[],
        required: false,
        visibility: "members",
    },
    FieldSeed {
        label: "Languages",
        kind: "multi_select",
        options: &["Rust", "Go", "Python", "TypeScript", "C++", "Java"],
        required: false,
        visibility: "everyone",
    },
    FieldSeed {
        label: "Open to mentoring",
        kind: "single_select",
        options: &["Yes", "Not now"],
        required: false,
        visibility: "admins",
    },
];

const COUNCIL_FIELDS: &[FieldSeed] = &[
    FieldSeed {
        label: "Company size",
        kind: "single_select",
        options: &["1–50", "51–500", "501–5,000", "5,001+"],
        required: true,
        visibility: "members",
    },
    FieldSeed {
        label: "Your team",
        kind: "text",
        options: &[],
        required: false,
        visibility: "members",
    },
    FieldSeed {
        label: "Acme plan",
        kind: "single_select",
        options: &["Starter", "Growth", "Enterprise"],
        required: false,
        visibility: "admins",
    },
];

const TOPICS: &[&str] = &[
    "Release engineering",
    "Fuzzing parsers",
    "Code review etiquette",
    "Funding maintainers",
    "Accessible documentation",
    "Async Rust",
    "Reproducible builds",
];

const TEAMS: &[&str] = &[
    "Platform",
    "Customer success",
    "IT operations",
    "Data & analytics",
    "Security",
];

/// The community's profile fields, and most members' answers to them.
pub(super) async fn seed_community(
    tx: &mut Tx,
    c: &CommunityRow,
    members: &Members<'_>,
    guild: bool,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let seeds = if guild { GUILD_FIELDS } else { COUNCIL_FIELDS };
    let mut fields = Vec::new();
    for s in seeds {
        let row = FieldRow {
            id: new_id(),
            community_id: c.id.clone(),
            label: s.label.into(),
            kind: s.kind.into(),
            options: json!(s.options).to_string(),
            required: s.required,
            visibility: s.visibility.into(),
            sort_order: 0,
            created_at: c.created_at,
        };
        store::insert_field(tx, &row).await?;
        fields.push((row, s));
    }
    for (u, _) in members {
        let answers_all = rng.gen_ratio(3, 4);
        for (row, s) in &fields {
            let answers = s.required || (answers_all && rng.gen_ratio(4, 5));
            if !answers {
                continue;
            }
            let values: Vec<String> = match s.kind {
                "single_select" => vec![s.options[rng.gen_range(0..s.options.len())].into()],
                "multi_select" => {
                    let count = rng.gen_range(1..=3);
                    // In the order the field lists them, as a member's form would save them.
                    let chosen: Vec<&&str> = s.options.choose_multiple(rng, count).collect();
                    s.options
                        .iter()
                        .filter(|o| chosen.contains(o))
                        .map(|o| o.to_string())
                        .collect()
                }
                "url" => vec![format!("https://github.com/{}", u.handle.replace('_', "-"))],
                _ if guild => vec![TOPICS[rng.gen_range(0..TOPICS.len())].into()],
                _ => vec![TEAMS[rng.gen_range(0..TEAMS.len())].into()],
            };
            store::replace_values(tx, &c.id, &row.id, &u.id, &values, s.kind != "url").await?;
        }
    }
    Ok(())
}
