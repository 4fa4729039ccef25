//! Demo content that makes the analytics lists tell a story in the Open Source Guild: this
//! week's talk turns to software supply chains (a trending tag), three members answer most
//! questions (champions), one answers rarely but always well (a quiet expert). Members at
//! risk come from the member history (see `seed_member_history`).

use super::discussions::{seed_topic, Members};
use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::AppResult;
use rand_chacha::ChaCha8Rng;
use townsquare_domain::analytics as days;
use townsquare_store::accounts::UserRow;
use townsquare_store::analytics::reports;
use townsquare_store::communities::CommunityRow;
use townsquare_store::Tx;

/// Who writes a reply: one of the champions, the quiet expert, or someone else.
#[derive(Clone, Copy)]
enum Who {
    Champion(usize),
    QuietExpert,
    Anyone(usize),
}

struct Thread {
    space: &'static str,
    title: &'static str,
    body: &'static str,
    tags: &'static str,
    question: bool,
    /// Days ago it was started.
    days_ago: i64,
    replies: &'static [(Who, &'static str)],
    accepted: Option<usize>,
}

use Who::{Anyone, Champion, QuietExpert};

const THREADS: &[Thread] = &[
    Thread {
        space: "help",
        title: "How do we start signing our releases?",
        body: "We publish tarballs and container images. What is the least painful way to sign them so downstream users can verify?",
        tags: "supply-chain releases",
        question: true,
        days_ago: 2,
        replies: &[
            (Champion(0), "Keyless signing with Sigstore in CI: no keys to lose, and `cosign verify` for users. Happy to pair on it."),
            (Anyone(3), "We did this last month, the CI change was about twenty lines."),
        ],
        accepted: Some(0),
    },
    Thread {
        space: "general",
        title: "SBOMs: worth it for a small project?",
        body: "A company using our library asked for an SBOM. Is it worth generating one for every release?",
        tags: "supply-chain",
        question: false,
        days_ago: 3,
        replies: &[
            (Champion(1), "Yes if your build tool does it for you (most do now); attach it to the release and forget about it."),
            (Anyone(5), "It also made our own dependency review easier."),
            (Champion(2), "Start with CycloneDX from the package manager, it is one flag."),
        ],
        accepted: None,
    },
    Thread {
        space: "help",
        title: "Pinning GitHub Actions by SHA?",
        body: "A security scanner tells us to pin every action by commit SHA. Does that break updates?",
        tags: "supply-chain ci",
        question: true,
        days_ago: 4,
        replies: &[
            (QuietExpert, "Pin by SHA and let Dependabot or Renovate bump them; you keep updates and lose the surprise."),
            (Anyone(7), "Thanks, this saved us an afternoon."),
        ],
        accepted: Some(0),
    },
    Thread {
        space: "general",
        title: "A dependency of ours was taken over — what now?",
        body: "A small transitive dependency changed owners and shipped an odd release. How do others handle this?",
        tags: "supply-chain security",
        question: false,
        days_ago: 5,
        replies: &[
            (Champion(0), "Pin the last good version, report it to the registry, and tell your users in an advisory."),
            (Champion(2), "Also worth checking who else depends on it and warning them."),
        ],
        accepted: None,
    },
    Thread {
        space: "help",
        title: "Reproducible builds for a Rust CLI",
        body: "Has anyone made their release builds reproducible? Where do the differences usually come from?",
        tags: "supply-chain releases",
        question: true,
        days_ago: 1,
        replies: &[
            (Champion(1), "Timestamps and paths: set SOURCE_DATE_EPOCH and remap the build paths; the rest was noise for us."),
        ],
        accepted: Some(0),
    },
    Thread {
        space: "help",
        title: "Which licence for documentation?",
        body: "Our code is MIT. Should the docs use the same licence?",
        tags: "legal",
        question: true,
        days_ago: 12,
        replies: &[
            (QuietExpert, "CC BY 4.0 is the usual choice for prose; keep code samples under the code's licence so people can paste them."),
        ],
        accepted: Some(0),
    },
    Thread {
        space: "help",
        title: "Triage rota for a team of four?",
        body: "We keep dropping issues on the floor. How do small teams share triage?",
        tags: "issues maintainers",
        question: true,
        days_ago: 15,
        replies: &[
            (Champion(2), "A weekly rota with a one-line hand-over note; the person on duty only labels and routes."),
            (Champion(0), "And a saved search for 'no label, older than 2 days'."),
        ],
        accepted: Some(0),
    },
    Thread {
        space: "help",
        title: "Release notes from commit messages?",
        body: "Is it worth adopting conventional commits just to generate release notes?",
        tags: "releases",
        question: true,
        days_ago: 20,
        replies: &[
            (Champion(1), "We label pull requests instead and let the release tool group them; contributors do not need to learn a format."),
        ],
        accepted: Some(0),
    },
];

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    spaces: &[(&str, &str)],
    members: &Members<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    if c.slug != "open-source-guild" || members.len() < 40 {
        return Ok(());
    }
    // Long-standing members (not the owner) play the parts.
    let veterans: Vec<&UserRow> = members
        .iter()
        .skip(1)
        .filter(|(_, joined)| *joined < now - 60 * MICROS_PER_DAY)
        .map(|(u, _)| *u)
        .collect();
    if veterans.len() < 30 {
        return Ok(());
    }
    let person = |w: Who| match w {
        Champion(i) => veterans[2 + i * 5],
        QuietExpert => veterans[21],
        Anyone(i) => veterans[9 + i * 2],
    };
    for (n, t) in THREADS.iter().enumerate() {
        let Some((_, space)) = spaces.iter().find(|(s, _)| *s == t.space) else {
            continue;
        };
        let started = now - t.days_ago * MICROS_PER_DAY - (n as i64 + 3) * MICROS_PER_HOUR;
        let author = veterans[24 + n % 6];
        let replies: Vec<(&UserRow, &str)> = t
            .replies
            .iter()
            .map(|(w, text)| (person(*w), *text))
            .collect();
        seed_topic(
            tx, c, space, t.title, t.body, t.tags, t.question, author, started, &replies,
            t.accepted, members, now, rng,
        )
        .await?;
    }
    Ok(())
}

/// The leadership report in the Open Source Guild: the manager's notes for the last two
/// months, a list to mail it to, and the month before last already mailed (last month's
/// goes out at the worker's first check, as it would in a real community).
pub(super) async fn seed_report(
    tx: &mut Tx,
    c: &CommunityRow,
    manager_id: &str,
    now: i64,
) -> AppResult<()> {
    if c.slug != "open-source-guild" {
        return Ok(());
    }
    let tz = townsquare_domain::time_zones::parse_or_utc(&c.time_zone);
    let this_month = days::month_of_day(days::local_day(now, tz));
    let notes = [
        (
            this_month - 2,
            "- The **maintainer meetup** filled all 40 seats and its waitlist.\n- Three first-time contributors got their first pull request merged after the mentoring AMA.",
            "Members keep asking how to fund maintenance. A guide to sponsorship programmes would answer a third of this month's questions in *Help*.",
        ),
        (
            this_month - 1,
            "- Release signing became the month's top conversation: the guide in *Help* was answered within an hour.\n- Our quiet expert on licensing answered four questions, each accepted.",
            "Supply-chain security is trending: product should hear that members want signed releases by default. Onboarding drop-off is at the introductions step; we will try a prompt there.",
        ),
    ];
    for (month, highlights, insights) in notes {
        reports::save_notes(tx, &c.id, month, highlights, insights, manager_id, now).await?;
    }
    reports::save_recipients(
        tx,
        &c.id,
        "leadership@demo.townsquare.test\nproduct-team@demo.townsquare.test",
        now,
    )
    .await?;
    reports::claim_mailing(tx, &c.id, this_month - 2, 2, now - 20 * MICROS_PER_DAY).await?;
    Ok(())
}
