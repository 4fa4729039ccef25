//! Onboarding: a new member's checklist (progress read from the activity log), the editable
//! welcome message, nudges on the days after joining for unfinished checklists, and the
//! funnel a manager reads: of the members who joined in a period, how many did each step.

use crate::clock::MICROS_PER_DAY;
use crate::communities::CommunityView;
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use townsquare_domain::analytics::{day_of_date, day_start_utc, local_day, Day};
use townsquare_domain::onboarding::{self as rules, Onboarding, Step};
use townsquare_domain::time_zones;
use townsquare_store::communities::CommunityRow;
use townsquare_store::onboarding as store;
use townsquare_store::Tx;

/// One line of a member's checklist.
#[derive(Debug, Clone)]
pub struct ChecklistItem {
    pub step: Step,
    pub done: bool,
    /// Where to go to do it.
    pub link: String,
}

#[derive(Debug, Clone)]
pub struct Checklist {
    pub community_slug: String,
    pub items: Vec<ChecklistItem>,
    pub opted_out: bool,
}

impl Checklist {
    pub fn done(&self) -> usize {
        self.items.iter().filter(|i| i.done).count()
    }

    pub fn is_complete(&self) -> bool {
        self.items.iter().all(|i| i.done)
    }
}

/// A community's onboarding settings as its admins see them.
#[derive(Debug, Clone)]
pub struct OnboardingSettings {
    pub view: CommunityView,
    pub onboarding: Onboarding,
}

/// Of the members who joined in a period, how many did each step.
#[derive(Debug, Clone)]
pub struct Funnel {
    pub from: Day,
    pub to: Day,
    pub joined: i64,
    pub steps: Vec<(Step, i64)>,
    pub completed_all: i64,
}

/// What the community's checklist asks, given what it has: no guidelines step without
/// guidelines, no introductions step without an introductions space.
fn applicable(onboarding: &Onboarding, c: &CommunityRow, intro_space: Option<&str>) -> Vec<Step> {
    onboarding
        .steps
        .iter()
        .copied()
        .filter(|s| match s {
            Step::AcceptGuidelines => !c.guidelines.trim().is_empty(),
            Step::IntroduceYourself => intro_space.is_some(),
            _ => true,
        })
        .collect()
}

/// The steps done, given the distinct verbs found in a member's activity.
fn steps_done(steps: &[Step], verbs: &HashSet<String>) -> HashSet<Step> {
    steps
        .iter()
        .copied()
        .filter(|s| s.verbs().iter().any(|v| verbs.contains(*v)))
        .collect()
}

impl App {
    /// The community's onboarding, or the defaults when its admins never changed them.
    pub(crate) async fn onboarding_of(&self, community_id: &str) -> AppResult<Onboarding> {
        Ok(match store::settings(self.db(), community_id).await? {
            Some((steps, welcome, days)) => Onboarding::from_stored(&steps, &welcome, &days),
            None => Onboarding::default(),
        })
    }

    async fn intro_space(&self, community_id: &str) -> AppResult<Option<(String, String)>> {
        let Some(id) =
            townsquare_store::engagement::introductions_space_id(self.db(), community_id).await?
        else {
            return Ok(None);
        };
        Ok(townsquare_store::spaces::space_by_id(self.db(), &id)
            .await?
            .map(|s| (s.id, s.slug)))
    }

    async fn checklist_for(&self, c: &CommunityRow, user_id: &str) -> AppResult<Checklist> {
        let onboarding = self.onboarding_of(&c.id).await?;
        let intro = self.intro_space(&c.id).await?;
        let steps = applicable(&onboarding, c, intro.as_ref().map(|(id, _)| id.as_str()));
        let verbs: HashSet<String> = store::verbs_done(
            self.db(),
            &c.id,
            user_id,
            intro.as_ref().map(|(id, _)| id.as_str()),
            &rules::all_verbs(),
        )
        .await?
        .into_iter()
        .collect();
        let done = steps_done(&steps, &verbs);
        let slug = &c.slug;
        let items = steps
            .into_iter()
            .map(|step| ChecklistItem {
                step,
                done: done.contains(&step),
                link: match step {
                    Step::CompleteProfile => "/settings/profile".to_string(),
                    Step::AcceptGuidelines => format!("/c/{slug}#guidelines"),
                    Step::IntroduceYourself => match &intro {
                        Some((_, space)) => format!("/c/{slug}/s/{space}/new-topic"),
                        None => format!("/c/{slug}"),
                    },
                    Step::JoinSpace | Step::ReplyToTopic => format!("/c/{slug}"),
                    Step::RegisterForEvent => format!("/c/{slug}/events"),
                },
            })
            .collect();
        Ok(Checklist {
            community_slug: c.slug.clone(),
            items,
            opted_out: store::opted_out(self.db(), &c.id, user_id).await?,
        })
    }

    /// The signed-in member's checklist in a community (None if they are not a member).
    pub async fn onboarding_checklist(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<Option<Checklist>> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Ok(None);
        }
        Ok(Some(
            self.checklist_for(&view.community, &actor.user_id).await?,
        ))
    }

    /// Hides the checklist and stops the nudges for this member and community.
    pub async fn opt_out_of_onboarding(&self, actor: &Actor, slug: &str) -> AppResult<()> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Only members have an onboarding checklist.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::opt_out(&mut tx, &view.community.id, &actor.user_id, now).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "onboarding_opted_out",
            "community",
            &view.community.id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    pub async fn onboarding_settings(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> AppResult<OnboardingSettings> {
        let view = self.managed_community(actor, slug).await?;
        let onboarding = self.onboarding_of(&view.community.id).await?;
        Ok(OnboardingSettings { view, onboarding })
    }

    /// Saves the checklist, welcome message and nudge days (admins), with an audit row.
    pub async fn save_onboarding(
        &self,
        actor: &Actor,
        slug: &str,
        steps: &[String],
        welcome_message: &str,
        nudge_days: &str,
    ) -> AppResult<Onboarding> {
        let view = self.managed_community(actor, slug).await?;
        let onboarding =
            Onboarding::parse(steps, welcome_message, nudge_days).map_err(AppError::Invalid)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::save_settings(
            &mut tx,
            &view.community.id,
            &onboarding.steps_text(),
            &onboarding.welcome_message,
            &onboarding.nudge_days_text(),
            now,
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "onboarding_saved",
            "community",
            &view.community.id,
            json!({"steps": onboarding.steps_text(), "nudge_days": onboarding.nudge_days}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(onboarding)
    }

    /// The funnel for members who joined between two local dates (inclusive), admins only.
    /// Without dates: the last 30 days.
    pub async fn onboarding_funnel(
        &self,
        actor: &Actor,
        slug: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> AppResult<Funnel> {
        let view = self.managed_community(actor, slug).await?;
        let c = &view.community;
        let tz = time_zones::parse_or_utc(&c.time_zone);
        let today = local_day(self.now(), tz);
        let date = |field: &str, v: Option<&str>, default: Day| -> AppResult<Day> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map(day_of_date)
                    .map_err(|_| AppError::invalid(field, "Give a date as YYYY-MM-DD.")),
            }
        };
        let to = date("to", to, today)?;
        let from = date("from", from, to - 29)?;
        if from > to {
            return Err(AppError::invalid(
                "from",
                "The period starts after it ends.",
            ));
        }
        if to - from > 366 * 3 {
            return Err(AppError::invalid(
                "from",
                "Choose a period of three years or less.",
            ));
        }
        let (start, end) = (day_start_utc(from, tz), day_start_utc(to + 1, tz));
        let onboarding = self.onboarding_of(&c.id).await?;
        let intro = self.intro_space(&c.id).await?;
        let intro_id = intro.as_ref().map(|(id, _)| id.as_str());
        let steps = applicable(&onboarding, c, intro_id);
        let joined = store::joined_between(self.db(), &c.id, start, end).await?;
        let mut verbs_by_member: HashMap<String, HashSet<String>> = HashMap::new();
        for (member, verb) in
            store::funnel_rows(self.db(), &c.id, start, end, intro_id, &rules::all_verbs()).await?
        {
            verbs_by_member.entry(member).or_default().insert(verb);
        }
        let done: Vec<HashSet<Step>> = verbs_by_member
            .values()
            .map(|verbs| steps_done(&steps, verbs))
            .collect();
        Ok(Funnel {
            from,
            to,
            joined,
            steps: steps
                .iter()
                .map(|s| (*s, done.iter().filter(|d| d.contains(s)).count() as i64))
                .collect(),
            completed_all: done.iter().filter(|d| d.len() == steps.len()).count() as i64,
        })
    }

    /// Sends the nudges that are due: for each community's nudge day d, members who joined
    /// between d+1 and d days ago, have unfinished steps and did not opt out. Each nudge is
    /// claimed (one row per member and day) in the transaction that queues its e-mail, so it
    /// goes out once whatever the number of instances or restarts; a member found done gets
    /// a `complete` row and no mail. Returns how many were sent.
    pub async fn send_onboarding_nudges(&self) -> AppResult<usize> {
        let now = self.now();
        let mut sent = 0;
        for community_id in store::community_ids(self.db()).await? {
            let onboarding = self.onboarding_of(&community_id).await?;
            if onboarding.nudge_days.is_empty() {
                continue;
            }
            let Some(c) =
                townsquare_store::communities::community_by_id(self.db(), &community_id).await?
            else {
                continue;
            };
            for day in &onboarding.nudge_days {
                let until = now - day * MICROS_PER_DAY;
                let candidates =
                    store::nudge_candidates(self.db(), &c.id, until - MICROS_PER_DAY, until, *day)
                        .await?;
                for person in candidates {
                    let checklist = self.checklist_for(&c, &person.user_id).await?;
                    let mut tx = self.db().begin().await?;
                    let outcome = if checklist.is_complete() {
                        "complete"
                    } else {
                        "sent"
                    };
                    if !store::claim_nudge(&mut tx, &c.id, &person.user_id, *day, outcome, now)
                        .await?
                    {
                        continue;
                    }
                    if outcome == "sent" {
                        self.queue_nudge(&mut tx, &c, &person, &checklist, now)
                            .await?;
                        sent += 1;
                    }
                    self.commit(tx).await?;
                }
            }
        }
        Ok(sent)
    }

    async fn queue_nudge(
        &self,
        tx: &mut Tx,
        c: &CommunityRow,
        person: &store::NudgeCandidate,
        checklist: &Checklist,
        now: i64,
    ) -> AppResult<()> {
        let base = &self.settings().base_url;
        let todo: String = checklist
            .items
            .iter()
            .filter(|i| !i.done)
            .map(|i| format!("- {}: {base}{}\n", i.step.label(), i.link))
            .collect();
        let body = format!(
            "Hello {name},\n\nYou have done {done} of {total} first steps in {community}. \
             What is left:\n\n{todo}\nYour checklist: {base}/c/{slug}\n\n\
             No more of these reminders: {base}/c/{slug}/onboarding\n",
            name = person.display_name,
            done = checklist.done(),
            total = checklist.items.len(),
            community = c.name,
            slug = c.slug,
        );
        mail::enqueue(
            tx,
            &person.email,
            &format!("Your first steps in {}", c.name),
            &body,
            now,
        )
        .await?;
        activity::record(
            tx,
            Some(&c.id),
            // Sent by the community, not done by the member: no actor, so analytics do not
            // count the member as active; the member's timeline finds it by its object.
            None,
            "onboarding_nudged",
            "user",
            &person.user_id,
            json!({"done": checklist.done(), "total": checklist.items.len()}),
            now,
        )
        .await
    }
}
