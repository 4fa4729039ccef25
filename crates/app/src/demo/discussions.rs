//! Demo conversations: introductions with welcomes, questions with accepted answers, and
//! everyday topics, with replies and reactions spread over the last months.

use super::record;
use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE};
use crate::AppResult;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use townsquare_domain::discussions::REACTIONS;
use townsquare_domain::{markdown, new_id};
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::discussions::{self as store, PostRow, TopicRow};
use townsquare_store::{search, Tx};

struct TopicSeed {
    space: &'static str,
    title: &'static str,
    body: &'static str,
    tags: &'static str,
    question: bool,
    replies: &'static [&'static str],
    /// Index into `replies` of the accepted answer.
    accepted: Option<usize>,
}

const GUILD_TOPICS: &[TopicSeed] = &[
    TopicSeed {
        space: "help",
        title: "How do you handle security reports for a one-person project?",
        body: "I maintain a small parsing library (~2k stars) and just got my first security report by e-mail.\n\nI have no idea what the **right process** is: do I fix it silently, open an advisory, request a CVE? How do you handle this when it's just you?",
        tags: "security governance",
        question: true,
        replies: &[
            "Use GitHub's private security advisories: you get a private fork to fix it in, and a CVE is requested for you when you publish.",
            "Add a `SECURITY.md` that says where to report and how fast you answer. Even \"within 7 days\" sets expectations.",
            "We published our template in the resource library — feel free to copy it.",
            "Thank you all, the advisory flow worked perfectly. Fix released this morning!",
        ],
        accepted: Some(0),
    },
    TopicSeed {
        space: "help",
        title: "Best way to deprecate a public API without breaking everyone?",
        body: "We want to remove a function that half our users still call. What worked for you: warnings, a major release, a shim crate?",
        tags: "api semver",
        question: true,
        replies: &[
            "Deprecate in a minor release with a clear message pointing to the replacement, keep it for at least one more minor, remove in the next major.",
            "Add the replacement first and let people migrate for a few months; measure downloads of the old version if you can.",
            "A changelog entry with a migration snippet reduced our issue count a lot.",
        ],
        accepted: Some(0),
    },
    TopicSeed {
        space: "help",
        title: "CI minutes keep running out — what are you using?",
        body: "Our matrix (3 OSes × 4 versions) burns through free minutes in two weeks. Any tips before we start paying?",
        tags: "ci",
        question: true,
        replies: &[
            "Run the full matrix nightly and only one job per pull request.",
            "Caching dependencies cut our build time in half.",
        ],
        accepted: None,
    },
    TopicSeed {
        space: "general",
        title: "What does a healthy contributor funnel look like to you?",
        body: "I've been tracking first-time contributors for a year: how many come back for a second pull request? For us it's about **one in five**. Curious about your numbers.",
        tags: "contributors metrics",
        question: false,
        replies: &[
            "Similar for us. Labelling `good first issue` *and* writing the first steps into the issue doubled our second-PR rate.",
            "We started thanking every first contributor in the release notes. People love seeing their name.",
            "One in five sounds great honestly. We're closer to one in ten.",
            "Pairing sessions once a month helped us the most.",
        ],
        accepted: None,
    },
    TopicSeed {
        space: "general",
        title: "Share your release checklist",
        body: "Here's ours:\n\n1. Changelog reviewed\n2. Version bumped everywhere\n3. Tag signed\n4. Announcement drafted\n\nWhat's on yours?",
        tags: "releases",
        question: false,
        replies: &[
            "We added \"check the docs build\" after shipping broken docs twice.",
            "Automating the changelog from PR labels saved us an hour per release.",
            "Don't forget to thank the contributors of the cycle!",
        ],
        accepted: None,
    },
    TopicSeed {
        space: "general",
        title: "Burnout: how do you say no to feature requests?",
        body: "I keep saying yes to things I don't have time for. How do you decline kindly without discouraging people?",
        tags: "maintainers wellbeing",
        question: false,
        replies: &[
            "\"This is a great idea for a plugin\" has saved me many times.",
            "We wrote a short scope statement in the README and link to it. It makes the no less personal.",
            "Taking a month off each year, announced in advance, changed everything for me.",
            "Thank you for opening this. Reading the replies helps more than you'd think.",
        ],
        accepted: None,
    },
    TopicSeed {
        space: "help",
        title: "Is a CLA worth the friction for a small project?",
        body: "A company wants to contribute but their lawyers ask about our contributor license agreement. We don't have one. Do we need one, or is DCO sign-off enough?",
        tags: "legal governance",
        question: true,
        replies: &[],
        accepted: None,
    },
    TopicSeed {
        space: "help",
        title: "How do you triage 300 open issues?",
        body: "Our backlog grew past 300 issues and nobody looks at the old ones anymore. Is there a triage routine that worked for you?",
        tags: "issues maintainers",
        question: true,
        replies: &[],
        accepted: None,
    },
    TopicSeed {
        space: "general",
        title: "Office hours recap: funding your project",
        body: "Notes from last week's office hours on sponsorships, grants and paid support. Recording and slides are in the resource library.",
        tags: "funding events",
        question: false,
        replies: &["Thanks for the notes! The grants list was super useful.", "Is there a follow-up session planned?"],
        accepted: None,
    },
];

const INTRODUCTIONS: &[&str] = &[
    "Hi all! I maintain a small static-site generator and I'm here to learn how others grow their contributor base.",
    "Hello 👋 I work on developer relations and help our team run an open-source SDK. Looking forward to the events!",
    "Hey, long-time lurker, first post. I maintain a couple of Python packages for data validation.",
    "Hi from Lisbon! I just became a co-maintainer of a CLI tool and want to learn about governance.",
    "Hello everyone. I run the docs team for a mid-sized database project. Happy to help with documentation questions.",
    "Hi! Student here, made my first open-source contribution last month and want to keep going.",
];

const WELCOMES: &[&str] = &[
    "Welcome! Have a look at the Help & Q&A space, it's full of good advice.",
    "Great to have you here 🎉",
    "Welcome aboard! The monthly office hours are a nice way to meet people.",
];

const COUNCIL_TOPICS: &[TopicSeed] = &[
    TopicSeed {
        space: "announcements",
        title: "Roadmap preview: Q1 priorities",
        body: "Here are the three themes we are focusing on next quarter: **faster exports**, **SSO for every plan**, and **audit logs**. Tell us in Product feedback what matters most to you.",
        tags: "roadmap",
        question: false,
        replies: &["Audit logs would unblock our security review.", "SSO for every plan is huge for us, thank you!"],
        accepted: None,
    },
    TopicSeed {
        space: "feedback",
        title: "Exports time out above 100k rows",
        body: "When we export our full customer list (about 140k rows) the request times out. Is there a workaround until the faster exports land?",
        tags: "exports bug",
        question: true,
        replies: &[
            "Filter by creation date and export in batches of 50k; the scheduled export also works for large sets.",
            "Same problem here, batching worked for us.",
        ],
        accepted: Some(0),
    },
];

/// (user, joined_at) of the community's active members.
pub(super) type Members<'a> = [(&'a UserRow, i64)];

fn author_before<'a>(members: &Members<'a>, before: i64, rng: &mut ChaCha8Rng) -> &'a UserRow {
    let eligible: Vec<&UserRow> = members
        .iter()
        .filter(|(_, joined)| *joined < before)
        .map(|(u, _)| *u)
        .collect();
    eligible.choose(rng).copied().unwrap_or(members[0].0)
}

pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    spaces: &[(&str, &str)],
    members: &Members<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let space_id = |slug: &str| {
        spaces
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, id)| id.to_string())
    };
    let seeds = if c.slug == "open-source-guild" {
        GUILD_TOPICS
    } else {
        COUNCIL_TOPICS
    };
    for (i, t) in seeds.iter().enumerate() {
        let Some(space) = space_id(t.space) else {
            continue;
        };
        let started = now - (3 + i as i64 * 9 + rng.gen_range(0..6)) * MICROS_PER_DAY;
        let author = author_before(members, started, rng);
        let replies: Vec<(&UserRow, &str)> = t
            .replies
            .iter()
            .map(|body| (author_before(members, started, rng), *body))
            .collect();
        let posts = seed_topic(
            tx, c, &space, t.title, t.body, t.tags, t.question, author, started, &replies,
            t.accepted, members, now, rng,
        )
        .await?;
        // The manager thanks a couple of members publicly: featured on the community home.
        let shout_out = match (i, posts.first()) {
            (0, Some(answer)) => Some((answer, "Thank you for showing us the security advisory flow — it saved a maintainer's week.")),
            (3, Some(reply)) => Some((reply, "A great tip for keeping first-time contributors around.")),
            _ => None,
        };
        if let Some((post, line)) = shout_out {
            let manager = members[0].0;
            townsquare_store::engagement::feature_post(
                tx,
                &post.id,
                &c.id,
                &manager.id,
                line,
                post.created_at + MICROS_PER_HOUR,
            )
            .await?;
            record(
                tx,
                c,
                &manager.id,
                "post_featured",
                "post",
                &post.id,
                post.created_at + MICROS_PER_HOUR,
            )
            .await?;
        }
    }
    if let (Some(intro), true) = (space_id("introductions"), c.slug == "open-source-guild") {
        townsquare_store::engagement::set_introductions_space(tx, &c.id, Some(&intro)).await?;
    }
    if let Some(general) = space_id("general").filter(|_| c.slug == "open-source-guild") {
        schedule_prompt(tx, c, &general, members[0].0, now).await?;
        seed_moderation(tx, c, &general, members, now, rng).await?;
        // Some members follow the general space (told of every new topic); one muted it.
        for (i, (member, joined)) in members.iter().take(12).enumerate() {
            let level = if i == 11 { "muted" } else { "following" };
            townsquare_store::topic_lists::set_space_subscription(
                tx,
                &member.id,
                &general,
                Some(level),
                *joined,
            )
            .await?;
        }
    }
    if let Some(intro_space) = space_id("introductions") {
        // The newest members introduce themselves; some are welcomed, some still wait.
        let mut newest: Vec<&(&UserRow, i64)> = members
            .iter()
            .filter(|(u, _)| !u.email.starts_with("maya@"))
            .collect();
        newest.sort_by_key(|(_, joined)| std::cmp::Reverse(*joined));
        for (i, ((user, joined), text)) in newest.iter().zip(INTRODUCTIONS).enumerate() {
            // Within a day or so of joining, an hour ago at the latest, but never before joining
            // (a member who joined within the hour introduced themselves minutes later).
            let at = (joined + rng.gen_range(1..30) * MICROS_PER_HOUR)
                .min(now - MICROS_PER_HOUR)
                .max((joined + 5 * MICROS_PER_MINUTE).min(now));
            let welcomes: Vec<(&UserRow, &str)> = if i % 3 == 2 {
                Vec::new()
            } else {
                vec![(members[0].0, WELCOMES[i % WELCOMES.len()])]
            };
            let title = format!(
                "Hello from {}",
                user.display_name.split_whitespace().next().unwrap_or("me")
            );
            seed_topic(
                tx,
                c,
                &intro_space,
                &title,
                text,
                "introductions",
                false,
                user,
                at,
                &welcomes,
                None,
                members,
                now,
                rng,
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn seed_topic(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    title: &str,
    body: &str,
    tags: &str,
    question: bool,
    author: &UserRow,
    started: i64,
    replies: &[(&UserRow, &str)],
    accepted: Option<usize>,
    members: &Members<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<Vec<PostRow>> {
    let topic = TopicRow {
        id: new_id(),
        community_id: c.id.clone(),
        space_id: space_id.to_string(),
        author_id: author.id.clone(),
        title: title.to_string(),
        tags: tags.to_string(),
        is_question: question,
        accepted_post_id: None,
        pinned: false,
        locked: false,
        reply_count: 0,
        reaction_count: 0,
        last_post_at: started,
        last_poster_id: Some(author.id.clone()),
        created_at: started,
        deleted_at: None,
        held_at: None,
    };
    store::insert_topic(tx, &topic).await?;
    record(
        tx,
        c,
        &author.id,
        "topic_created",
        "topic",
        &topic.id,
        started,
    )
    .await?;
    let first = post(&topic, author, body, true, started);
    store::insert_post(tx, &first).await?;
    search::index_post(tx, &first.id, title, &markdown::plain_text(body)).await?;
    react(tx, c, &first, members, started, now, rng).await?;
    let mut written = Vec::with_capacity(replies.len());
    let mut at = started;
    for (i, (who, text)) in replies.iter().enumerate() {
        at = (at + rng.gen_range(20..600) * MICROS_PER_MINUTE).min(now - MICROS_PER_MINUTE);
        let reply = post(&topic, who, text, false, at);
        store::insert_post(tx, &reply).await?;
        store::bump_topic(tx, &topic.id, &who.id, at, 1).await?;
        search::index_post(tx, &reply.id, title, &markdown::plain_text(text)).await?;
        record(tx, c, &who.id, "post_created", "post", &reply.id, at).await?;
        react(tx, c, &reply, members, at, now, rng).await?;
        if accepted == Some(i) {
            store::set_accepted(tx, &topic.id, Some(&reply.id)).await?;
            record(
                tx,
                c,
                &author.id,
                "answer_accepted",
                "post",
                &reply.id,
                at + MICROS_PER_HOUR,
            )
            .await?;
        }
        written.push(reply);
    }
    Ok(written)
}

fn post(topic: &TopicRow, author: &UserRow, body: &str, is_first: bool, at: i64) -> PostRow {
    PostRow {
        id: new_id(),
        topic_id: topic.id.clone(),
        community_id: topic.community_id.clone(),
        space_id: topic.space_id.clone(),
        author_id: author.id.clone(),
        reply_to_id: None,
        is_first,
        body_markdown: body.to_string(),
        body_html: markdown::render(body),
        reaction_count: 0,
        created_at: at,
        edited_at: None,
        deleted_at: None,
        hidden_at: None,
        held_at: None,
    }
}

/// A few members react to a post, mostly with a thumbs-up or a heart.
#[allow(clippy::too_many_arguments)]
async fn react(
    tx: &mut Tx,
    c: &CommunityRow,
    post: &PostRow,
    members: &Members<'_>,
    at: i64,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let n = rng.gen_range(0..7);
    for _ in 0..n {
        let (who, _) = members.choose(rng).expect("members");
        if who.id == post.author_id {
            continue;
        }
        let reaction = REACTIONS[rng.gen_range(0..REACTIONS.len()).min(rng.gen_range(0..3))].0;
        let when = (at + rng.gen_range(1..48) * MICROS_PER_HOUR).min(now);
        if store::add_reaction(tx, post, &who.id, reaction, when).await? {
            record(tx, c, &who.id, "reaction_added", "post", &post.id, when).await?;
        }
    }
    Ok(())
}

/// Next week's discussion prompt, waiting in the job queue.
async fn schedule_prompt(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    manager: &UserRow,
    now: i64,
) -> AppResult<()> {
    let run_at = now + 3 * MICROS_PER_DAY;
    let prompt = townsquare_store::engagement::PromptRow {
        id: new_id(),
        community_id: c.id.clone(),
        space_id: space_id.to_string(),
        author_id: manager.id.clone(),
        title: "Weekly prompt: what did you ship this week?".into(),
        body: "Big or small, tell us what you released, fixed or finally closed. Cheer each other on! 🎉".into(),
        run_at,
        status: "scheduled".into(),
        topic_id: None,
        created_at: now,
    };
    townsquare_store::engagement::insert_prompt(tx, &prompt).await?;
    let payload = serde_json::json!({"prompt_id": prompt.id}).to_string();
    let job_id = new_id();
    let job = townsquare_store::jobs::NewJob {
        id: &job_id,
        kind: crate::engagement::POST_PROMPT,
        payload: &payload,
        run_at,
        max_attempts: 5,
        now,
    };
    townsquare_store::jobs::enqueue(tx, &job).await?;
    Ok(())
}

/// The moderators' side of the guild: a spam reply two members flagged (waiting in the
/// queue), and an earlier rude reply a moderator hid, in the audit log.
async fn seed_moderation(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    members: &Members<'_>,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    use townsquare_store::moderation::{self as moderation, ActionRow, FlagRow};
    let manager = members[0].0;
    let started = now - 2 * MICROS_PER_DAY;
    let author = author_before(members, started, rng);
    let spammer = author_before(members, started, rng);
    let grump = author_before(members, started, rng);
    let replies = [
        (
            spammer,
            "Great thread! Check out my site for 90% off premium themes: cheap-themes.example",
        ),
        (
            grump,
            "This is a stupid question and you should feel bad for asking it.",
        ),
    ];
    let posts = seed_topic(
        tx,
        c,
        space_id,
        "Which static site generator do you use for project docs?",
        "We are moving our docs off a wiki. Zola, Hugo, mdBook: what works for you?",
        "docs tooling",
        true,
        author,
        started,
        &replies,
        None,
        members,
        now,
        rng,
    )
    .await?;
    let (spam, rude) = (&posts[0], &posts[1]);
    let reporters = members
        .iter()
        .skip(3)
        .filter(|(u, _)| u.id != spammer.id)
        .take(2);
    for (i, (reporter, _)) in reporters.enumerate() {
        let flag = FlagRow {
            id: new_id(),
            community_id: c.id.clone(),
            target_kind: "post".into(),
            target_id: spam.id.clone(),
            space_id: Some(space_id.to_string()),
            reporter_id: reporter.id.clone(),
            reason: "spam".into(),
            note: if i == 0 {
                "Link farm".into()
            } else {
                String::new()
            },
            status: "open".into(),
            created_at: spam.created_at + (i as i64 + 1) * MICROS_PER_HOUR,
            resolved_at: None,
            resolution: None,
        };
        moderation::insert_flag(tx, &flag).await?;
        record(
            tx,
            c,
            &reporter.id,
            "flag_raised",
            "post",
            &spam.id,
            flag.created_at,
        )
        .await?;
    }
    let hidden_at = rude.created_at + 3 * MICROS_PER_HOUR;
    moderation::set_post_hidden(tx, &rude.id, Some(hidden_at)).await?;
    search::unindex_post(tx, &rude.id).await?;
    let action = ActionRow {
        id: new_id(),
        community_id: c.id.clone(),
        actor_id: manager.id.clone(),
        action: "hide".into(),
        target_kind: "post".into(),
        target_id: rude.id.clone(),
        subject_user_id: Some(rude.author_id.clone()),
        reason: "Guideline 1: be kind to people asking questions.".into(),
        detail: "{}".into(),
        created_at: hidden_at,
    };
    moderation::insert_action(tx, &action).await?;
    record(
        tx,
        c,
        &manager.id,
        "moderation_action",
        "post",
        &rude.id,
        hidden_at,
    )
    .await?;
    // ...and muted its author for a few days, which the audit log also shows.
    let mute = moderation::SanctionRow {
        id: new_id(),
        community_id: c.id.clone(),
        user_id: rude.author_id.clone(),
        kind: "mute".into(),
        reason: "Guideline 1: a cooling-off period after a rude reply.".into(),
        created_by: manager.id.clone(),
        created_at: hidden_at,
        ends_at: Some(hidden_at + 3 * MICROS_PER_DAY),
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    };
    moderation::insert_sanction(tx, &mute).await?;
    let logged = ActionRow {
        id: new_id(),
        action: "mute".into(),
        target_kind: "user".into(),
        target_id: rude.author_id.clone(),
        reason: mute.reason.clone(),
        detail: serde_json::json!({"sanction_id": mute.id}).to_string(),
        ..action
    };
    moderation::insert_action(tx, &logged).await?;
    // Automatic protection, with a newcomer's reply held in this thread.
    if let Some(topic) = store::topic_by_id(&mut *tx, &spam.topic_id).await? {
        let newcomer = members
            .iter()
            .max_by_key(|(_, joined)| *joined)
            .map(|(u, _)| *u)
            .unwrap_or(manager);
        super::auto_moderation::seed(tx, c, manager, &topic, newcomer, now).await?;
    }
    Ok(())
}
