//! Demo events: upcoming and past events of every format in each community's events space,
//! spread over this month and the next (so the month calendar has something on most weeks),
//! with registrations, a full workshop with a waitlist, ticket types (a workshop with a
//! sold-out type and its waitlist), registration questions answered by
//! their registrants, co-hosts and speakers, and the activity they left; what happened
//! during and after them comes from `event_live`.

use super::record;
use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::AppResult;
use chrono::{Duration, NaiveTime};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use townsquare_domain::{new_id, time_zones};
use townsquare_store::accounts::UserRow;
use townsquare_store::communities::CommunityRow;
use townsquare_store::event_hosts as hosts_store;
use townsquare_store::events::{self as store, EventRow, RegistrationRow};
use townsquare_store::registration_questions as question_store;
use townsquare_store::ticket_types as tickets_store;
use townsquare_store::Tx;

struct EventSeed {
    title: &'static str,
    format: &'static str,
    description: &'static str,
    /// Days from today (negative: in the past), and the local start hour and length.
    day: i64,
    hour: u32,
    hours: i64,
    online_url: &'static str,
    venue: &'static str,
    capacity: Option<i64>,
    /// How many register (beyond capacity: the waitlist).
    registrations: usize,
}

const GUILD_EVENTS: &[EventSeed] = &[
    EventSeed {
        title: "Maintainer office hours: triaging a flood of issues",
        format: "ama",
        description:
            "Bring your issue tracker. Jonas and Maya answer questions live about labels, \
            stale bots, templates and saying no kindly.\n\nQuestions can be posted in advance in \
            **Help & Q&A**.",
        day: 6,
        hour: 17,
        hours: 1,
        online_url: "https://meet.demo.townsquare.test/office-hours",
        venue: "",
        capacity: Some(40),
        registrations: 23,
    },
    EventSeed {
        title: "Workshop: writing a security policy that people follow",
        format: "workshop",
        description: "A hands-on session: we draft a `SECURITY.md`, set up private vulnerability \
            reporting and rehearse a coordinated disclosure.\n\n- Bring a repository you maintain\n\
            - Small group, so everyone gets feedback",
        day: 9,
        hour: 15,
        hours: 2,
        online_url: "https://meet.demo.townsquare.test/security-workshop",
        venue: "",
        capacity: Some(12),
        registrations: 16,
    },
    EventSeed {
        title: "Release party: ten years of the Guild",
        format: "networking",
        description: "Cake (virtual), lightning talks from members, and breakout rooms by \
            ecosystem. Drop in any time.",
        day: 13,
        hour: 19,
        hours: 2,
        online_url: "https://meet.demo.townsquare.test/party",
        venue: "",
        capacity: None,
        registrations: 58,
    },
    EventSeed {
        title: "Berlin maintainers' meetup",
        format: "meetup",
        description: "Three short talks, then drinks. Talks: *Funding your project through \
            grants*, *Rust in CI*, *What a foundation does for you*.",
        day: 20,
        hour: 19,
        hours: 3,
        online_url: "",
        venue: "c-base, Rungestraße 20, 10179 Berlin",
        capacity: Some(30),
        registrations: 19,
    },
    EventSeed {
        title: "Docs sprint: the contributor guide",
        format: "workshop",
        description: "Two hours of pairing on the contributor guide: first-timer paths, \
            screenshots that are out of date, and the glossary nobody finished.",
        day: 2,
        hour: 16,
        hours: 2,
        online_url: "https://meet.demo.townsquare.test/docs-sprint",
        venue: "",
        capacity: Some(20),
        registrations: 9,
    },
    EventSeed {
        title: "Newcomers' welcome call",
        format: "networking",
        description: "New to the Guild? Meet a few regulars, hear how the spaces work and \
            find a first issue to pick up.",
        day: 16,
        hour: 18,
        hours: 1,
        online_url: "https://meet.demo.townsquare.test/welcome",
        venue: "",
        capacity: None,
        registrations: 12,
    },
    EventSeed {
        title: "Webinar: CI that does not flake",
        format: "webinar",
        description: "Quarantining flaky tests, caching without surprises and keeping the \
            main branch green, with examples from three large projects.",
        day: 24,
        hour: 17,
        hours: 1,
        online_url: "https://meet.demo.townsquare.test/ci",
        venue: "",
        capacity: Some(150),
        registrations: 31,
    },
    EventSeed {
        title: "Webinar: sustainable funding for open source",
        format: "webinar",
        description: "Sponsorships, grants, dual licensing and support contracts: what worked \
            for four maintainers, with numbers.",
        day: -18,
        hour: 18,
        hours: 1,
        online_url: "https://meet.demo.townsquare.test/funding",
        venue: "",
        capacity: Some(100),
        registrations: 64,
    },
    EventSeed {
        title: "AMA: moving a project to a foundation",
        format: "ama",
        description: "Paula walked her project into a foundation last year. Ask her anything \
            about governance, trademarks and the paperwork.",
        day: -47,
        hour: 17,
        hours: 1,
        online_url: "https://meet.demo.townsquare.test/foundation-ama",
        venue: "",
        capacity: None,
        registrations: 37,
    },
];

const COUNCIL_EVENTS: &[EventSeed] = &[
    EventSeed {
        title: "Q1 customer roundtable",
        format: "networking",
        description: "The product team shares the roadmap for the next two quarters; customers \
            compare notes in small groups.",
        day: 11,
        hour: 10,
        hours: 2,
        online_url: "https://meet.demo.townsquare.test/roundtable-q1",
        venue: "",
        capacity: Some(25),
        registrations: 14,
    },
    EventSeed {
        title: "Workshop: rolling out single sign-on",
        format: "workshop",
        description: "Step by step through SAML and SCIM set-up with Acme's solutions \
            engineers. Limited seats so every team gets hands-on help.",
        day: 4,
        hour: 13,
        hours: 2,
        online_url: "https://meet.demo.townsquare.test/sso",
        venue: "",
        capacity: Some(8),
        registrations: 11,
    },
    EventSeed {
        title: "Q4 customer roundtable",
        format: "meetup",
        description: "In person at Acme's Chicago office: roadmap review and dinner.",
        day: -33,
        hour: 16,
        hours: 3,
        online_url: "",
        venue: "Acme HQ, 233 S Wacker Dr, Chicago",
        capacity: Some(20),
        registrations: 17,
    },
];

/// Events added to spread the Guild's month; they draw from their own random generator.
const MONTH_FILLERS: [&str; 3] = [
    "Docs sprint: the contributor guide",
    "Newcomers' welcome call",
    "Webinar: CI that does not flake",
];

/// A registration question: prompt, required, options (none for a text answer) and, for
/// text questions, the answers registrants give.
type QuestionSeed = (
    &'static str,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

/// What an event's hosts ask when members register.
/// A ticket type: name, price label, quantity, description.
type TicketSeed = (&'static str, &'static str, Option<i64>, &'static str);

/// The ticket types of a demo event: most offer only "General admission".
fn ticket_types_of(title: &str) -> &'static [TicketSeed] {
    match title {
        "Workshop: writing a security policy that people follow" => &[
            (
                "Maintainer seat",
                "Free",
                Some(8),
                "Bring a repository you maintain: we work on it together.",
            ),
            (
                "Observer",
                "€0 — sponsored",
                Some(4),
                "Follow along and ask questions.",
            ),
        ],
        "Release party: ten years of the Guild" => &[
            ("Guest", "Free", None, ""),
            (
                "Lightning talk speaker",
                "Free",
                Some(30),
                "Five minutes on anything you built with the Guild.",
            ),
        ],
        _ => &[("General admission", "", None, "")],
    }
}

fn questions_of(title: &str) -> &'static [QuestionSeed] {
    match title {
        "Workshop: writing a security policy that people follow" => &[
            (
                "Which repository will you bring?",
                true,
                &[],
                &[
                    "github.com/demo/tiny-http",
                    "Our company's SDK (private for now)",
                    "codeberg.org/demo/feedparser",
                    "A CLI tool I maintain alone",
                    "The docs site generator",
                ],
            ),
            (
                "Have you handled a vulnerability report before?",
                true,
                &["Never", "Once or twice", "Regularly"],
                &[],
            ),
        ],
        "Release party: ten years of the Guild" => &[(
            "Which breakout room would you like?",
            false,
            &["Rust", "Python", "JavaScript", "Go", "Something else"],
            &[],
        )],
        "Berlin maintainers' meetup" | "Q4 customer roundtable" => &[
            (
                "Any dietary needs?",
                false,
                &[],
                &["Vegetarian", "Vegan", "No nuts, please", "Gluten-free"],
            ),
            (
                "How will you get there?",
                false,
                &["Public transport", "Bike", "Car", "On foot"],
                &[],
            ),
        ],
        "Workshop: rolling out single sign-on" => &[(
            "Which identity provider do you use?",
            true,
            &["Okta", "Microsoft Entra ID", "Google Workspace", "Other"],
            &[],
        )],
        _ => &[],
    }
}

/// Who speaks at an event: name and bio (linked to the member of that name, if there is one).
fn speakers_of(title: &str) -> &'static [(&'static str, &'static str)] {
    match title {
        "Berlin maintainers' meetup" => &[
            (
                "Lena Fischer",
                "Runs the grants programme of a public-interest tech fund.",
            ),
            (
                "Tomás Ruiz",
                "Maintains a CI toolkit used by a few thousand repositories.",
            ),
            (
                "Priya Natarajan",
                "Board member of an open source foundation.",
            ),
        ],
        "Webinar: sustainable funding for open source" => &[
            (
                "Sam Okoro",
                "Has funded a parsing library through sponsorships for six years.",
            ),
            (
                "Hannah Vogel",
                "Sells support contracts for the database driver she wrote.",
            ),
        ],
        "AMA: moving a project to a foundation" => &[(
            "Paula Mendes",
            "Moved her project into a foundation last year, paperwork and all.",
        )],
        "Webinar: CI that does not flake"
        | "Maintainer office hours: triaging a flood of issues" => &[(
            "Jonas Weber",
            "Maintains the Guild's CI templates and keeps a large monorepo green.",
        )],
        "Workshop: rolling out single sign-on" => &[(
            "Dana Whitfield",
            "Solutions engineer at Acme; has set up SSO for forty customers.",
        )],
        _ => &[],
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn seed(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    host: &UserRow,
    topic_spaces: &super::event_live::TopicSpaces<'_>,
    members: &[(&UserRow, i64)],
    now: i64,
    rng: &mut ChaCha8Rng,
) -> AppResult<()> {
    let seeds = if c.slug == "open-source-guild" {
        GUILD_EVENTS
    } else {
        COUNCIL_EVENTS
    };
    let tz = time_zones::parse_or_utc(&c.time_zone);
    let host_id = host.id.as_str();
    let today = chrono::DateTime::from_timestamp_micros(now)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    // The events added for the month calendar, and the answers to registration questions,
    // draw from their own generator, so the rest of the demo stays as it was.
    let mut extra_rng = ChaCha8Rng::seed_from_u64(0xE7E7 + c.slug.len() as u64);
    let mut answer_rng = ChaCha8Rng::seed_from_u64(0xA5A5 + c.slug.len() as u64);
    for (index, s) in seeds.iter().enumerate() {
        let rng: &mut ChaCha8Rng = if MONTH_FILLERS.contains(&s.title) {
            &mut extra_rng
        } else {
            &mut *rng
        };
        let start_local = (today + Duration::days(s.day))
            .and_time(NaiveTime::from_hms_opt(s.hour, 0, 0).unwrap_or_default());
        let starts_at = time_zones::to_utc(start_local, tz);
        let created_at = (starts_at - 30 * MICROS_PER_DAY).min(now - MICROS_PER_DAY);
        let e = EventRow {
            id: new_id(),
            community_id: c.id.clone(),
            space_id: space_id.into(),
            title: s.title.into(),
            description: s.description.into(),
            format: s.format.into(),
            starts_at,
            ends_at: starts_at + s.hours * MICROS_PER_HOUR,
            time_zone: tz.name().into(),
            online_url: s.online_url.into(),
            venue: s.venue.into(),
            capacity: s.capacity,
            registration_deadline: None,
            registered_count: 0,
            sequence: 0,
            reminder_minutes: townsquare_domain::events::store_reminders(
                &townsquare_domain::events::DEFAULT_REMINDERS,
            ),
            cancelled_at: None,
            cancel_reason: String::new(),
            created_by: host_id.into(),
            created_at,
            updated_at: created_at,
            series_id: None,
            recurrence_id: None,
            edited_alone: false,
        };
        store::insert_event(tx, &e).await?;
        record(tx, c, host_id, "event_created", "event", &e.id, created_at).await?;
        // Upcoming events get their after-the-end jobs, as scheduling through the app does.
        if e.ends_at > now {
            crate::event_followups::schedule_followups(tx, &e, now).await?;
        }
        // Its ticket types; registrants take them in turn, each type with its own waitlist.
        let mut tickets: Vec<(String, Option<i64>, i64)> = Vec::new();
        for (i, (name, price, quantity, description)) in ticket_types_of(s.title).iter().enumerate()
        {
            let id = new_id();
            tickets_store::insert_ticket_type(
                tx,
                &tickets_store::TicketTypeRow {
                    id: id.clone(),
                    event_id: e.id.clone(),
                    ordinal: i as i64 + 1,
                    name: (*name).into(),
                    price_label: (*price).into(),
                    description: (*description).into(),
                    quantity: *quantity,
                    taken: 0,
                    created_at,
                },
            )
            .await?;
            tickets.push((id, *quantity, 0));
        }
        let questions = questions_of(s.title);
        let mut question_ids = Vec::with_capacity(questions.len());
        for (i, (prompt, required, options, _)) in questions.iter().enumerate() {
            let id = new_id();
            question_store::upsert_question(
                tx,
                &question_store::QuestionRow {
                    id: id.clone(),
                    event_id: e.id.clone(),
                    position: i as i64 + 1,
                    prompt: (*prompt).into(),
                    kind: if options.is_empty() { "text" } else { "choice" }.into(),
                    required: *required,
                    options: serde_json::to_string(options).unwrap_or_else(|_| "[]".into()),
                },
            )
            .await?;
            question_ids.push(id);
        }
        // Jonas (or another member) co-hosts every other event; speakers as the programme
        // says, linked to the member of that name if there is one.
        let others: Vec<&UserRow> = members
            .iter()
            .map(|(u, _)| *u)
            .filter(|u| u.id != host.id)
            .collect();
        let cohost = others
            .iter()
            .find(|u| u.display_name == "Jonas Weber")
            .or_else(|| others.get(index % 3));
        if let (Some(cohost), true) = (cohost, index % 2 == 0) {
            hosts_store::add_cohost(tx, &e.id, &cohost.id, host_id, created_at).await?;
            record(
                tx,
                c,
                host_id,
                "event_cohost_added",
                "event",
                &e.id,
                created_at,
            )
            .await?;
        }
        for (name, bio) in speakers_of(s.title) {
            hosts_store::insert_speaker(
                tx,
                &hosts_store::SpeakerRow {
                    id: new_id(),
                    event_id: e.id.clone(),
                    position: 0,
                    name: (*name).into(),
                    user_id: others
                        .iter()
                        .find(|u| u.display_name == *name)
                        .map(|u| u.id.clone()),
                    handle: None,
                    bio: (*bio).into(),
                    deleted: false,
                },
                created_at,
            )
            .await?;
        }
        // Registrations trickle in between the announcement and the start (or now).
        let until = starts_at.min(now);
        let eligible: Vec<&UserRow> = members
            .iter()
            .filter(|(_, joined)| *joined < created_at)
            .map(|(u, _)| *u)
            .collect();
        let mut who: Vec<&UserRow> = eligible
            .choose_multiple(rng, s.registrations.min(eligible.len()))
            .copied()
            .collect();
        let mut times: Vec<i64> = (0..who.len())
            .map(|_| rng.gen_range(created_at..until.max(created_at + 1)))
            .collect();
        times.sort_unstable();
        who.truncate(times.len());
        let mut seats = 0;
        // Who held a seat, and whether they came.
        let mut seated: Vec<(&UserRow, bool)> = Vec::new();
        for (n, (u, at)) in who.iter().zip(times).enumerate() {
            let ticket = n % tickets.len();
            let registered = s.capacity.is_none_or(|cap| seats < cap)
                && tickets[ticket].1.is_none_or(|q| tickets[ticket].2 < q);
            if registered {
                tickets[ticket].2 += 1;
            }
            let status = if registered {
                "registered"
            } else {
                "waitlisted"
            };
            let registration_id = new_id();
            store::upsert_registration(
                tx,
                &RegistrationRow {
                    id: registration_id.clone(),
                    event_id: e.id.clone(),
                    user_id: u.id.clone(),
                    status: status.into(),
                    queued_at: at,
                    updated_at: at,
                    checked_in_at: None,
                    checkin_code: Some(crate::secrets::new_token()),
                    ticket_type_id: Some(tickets[ticket].0.clone()),
                },
            )
            .await?;
            let verb = if registered {
                seats += 1;
                "event_registered"
            } else {
                "event_waitlisted"
            };
            record(tx, c, &u.id, verb, "event", &e.id, at).await?;
            // Their answers to the registration questions: required ones always, others
            // by most.
            let mut answers = Vec::new();
            for ((_, required, options, texts), qid) in questions.iter().zip(&question_ids) {
                if !*required && answer_rng.gen_bool(0.25) {
                    continue;
                }
                let pool = if options.is_empty() { texts } else { options };
                if let Some(a) = pool.choose(&mut answer_rng) {
                    answers.push((qid.clone(), (*a).to_string()));
                }
            }
            if !answers.is_empty() {
                question_store::replace_answers(tx, &e.id, &u.id, &answers, at).await?;
            }
            // Past events: most registrants came, checked in at the door around the start.
            let came = registered && e.ends_at < now && rng.gen_bool(0.7);
            if came {
                let arrived = starts_at + rng.gen_range(-10..20) * crate::clock::MICROS_PER_MINUTE;
                store::set_checked_in(tx, &registration_id, Some(arrived), Some(host_id)).await?;
                record(tx, c, &u.id, "event_checked_in", "event", &e.id, arrived).await?;
            }
            if registered {
                seated.push((u, came));
            }
        }
        store::add_seats(tx, &e.id, seats).await?;
        for (id, _, taken) in &tickets {
            tickets_store::add_taken(tx, id, *taken).await?;
        }
        super::event_live::seed(tx, c, &e, host, &seated, topic_spaces, now, rng).await?;
        // One upcoming event was called off, as happens: its page and calendars say so.
        if s.title == "Berlin maintainers' meetup" {
            let at = now - 2 * MICROS_PER_DAY;
            let reason = "Our venue had to close for repairs. We will announce a new date soon.";
            store::cancel_event(tx, &e.id, reason, at).await?;
            record(
                tx,
                c,
                host_id,
                "event_cancelled_by_host",
                "event",
                &e.id,
                at,
            )
            .await?;
        }
    }
    if c.slug == "open-source-guild" {
        seed_series(tx, c, space_id, host, today, tz, now).await?;
    }
    Ok(())
}

/// Two recurring series: weekly office hours for eight weeks (one date called off, one moved
/// alone) and a monthly community call on the first Thursday, each date an event of its own.
async fn seed_series(
    tx: &mut Tx,
    c: &CommunityRow,
    space_id: &str,
    host: &UserRow,
    today: chrono::NaiveDate,
    tz: time_zones::Tz,
    now: i64,
) -> AppResult<()> {
    use townsquare_domain::events::{EventFields, EventFormat, DEFAULT_REMINDERS};
    use townsquare_domain::ticket_types::TicketType;
    let series: [(&str, &str, EventFormat, u32, i64, &str); 2] = [
        (
            "Weekly office hours",
            "Bring a question about maintaining your project: triage, releases, CI, people. \
             Maintainers of the Guild answer live, every Tuesday.",
            EventFormat::Ama,
            17,
            60,
            "FREQ=WEEKLY;BYDAY=TU;COUNT=8",
        ),
        (
            "Monthly community call",
            "News from the Guild, a member's project in ten minutes, and open questions.",
            EventFormat::Webinar,
            18,
            60,
            "FREQ=MONTHLY;BYDAY=1TH;COUNT=6",
        ),
    ];
    for (title, description, format, hour, minutes, rule) in series {
        let first = today.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default());
        let expansion = townsquare_domain::recurrence::expand(rule, first, tz)
            .map_err(crate::AppError::Internal)?;
        let starts_at = expansion.starts[0];
        let fields = EventFields {
            title: title.into(),
            description: description.into(),
            format,
            starts_at,
            ends_at: starts_at + minutes * crate::clock::MICROS_PER_MINUTE,
            time_zone: tz,
            online_url: "https://meet.demo.townsquare.test/office-hours".into(),
            venue: String::new(),
            capacity: Some(25),
            registration_deadline: None,
            reminder_minutes: DEFAULT_REMINDERS.to_vec(),
        };
        let created_at = now - MICROS_PER_DAY;
        let row = townsquare_store::event_series::SeriesRow {
            id: new_id(),
            community_id: c.id.clone(),
            space_id: space_id.into(),
            rule: expansion.rule.clone(),
            time_zone: tz.name().into(),
            template: serde_json::to_string(&crate::event_series::Template::of(&fields))
                .unwrap_or_default(),
            created_by: host.id.clone(),
            created_at,
            updated_at: created_at,
            cancelled_at: None,
            sequence: 0,
        };
        let events = crate::event_series::materialise(
            tx,
            &row,
            &fields,
            &expansion.starts,
            None,
            &[TicketType::general_admission()],
            created_at,
        )
        .await?;
        for e in &events {
            record(tx, c, &host.id, "event_created", "event", &e.id, created_at).await?;
        }
        // The office hours have exceptions, as the public calendar feed shows them (an
        // EXDATE and an overriding event): the third date is called off, and the fifth runs
        // an hour later as a release special.
        if title == "Weekly office hours" && events.len() >= 5 {
            let off = &events[2];
            store::cancel_event(
                tx,
                &off.id,
                "The maintainers are at a conference that week.",
                created_at,
            )
            .await?;
            record(
                tx,
                c,
                &host.id,
                "event_cancelled",
                "event",
                &off.id,
                created_at,
            )
            .await?;
            let special = &events[4];
            let moved = EventRow {
                title: "Weekly office hours: release special".into(),
                starts_at: special.starts_at + MICROS_PER_HOUR,
                ends_at: special.ends_at + MICROS_PER_HOUR,
                edited_alone: true,
                ..special.clone()
            };
            store::update_event(tx, &moved, created_at).await?;
            record(
                tx,
                c,
                &host.id,
                "event_updated",
                "event",
                &special.id,
                created_at,
            )
            .await?;
        }
    }
    Ok(())
}
