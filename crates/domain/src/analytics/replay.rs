//! Rebuilding the analytics rollups from the activity log: the same rules `activity::record`
//! applies to each activity as it is written, applied to the log in order. Used for data
//! written before the rollups existed (or rollups damaged by hand).
//!
//! The log is fed oldest first. A community-local day is finished as soon as an activity of a
//! later day arrives (local days never go backwards while instants go forwards), so only the
//! current day's member rows and the open stints are held in memory.

use super::{kind, kind_of_verb, local_day, month_of_day, Day, Month, VISITED};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};

/// One member's community-local day, as `analytics_member_days` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDay {
    pub day: Day,
    pub user_id: String,
    pub month: Month,
    pub kinds: i64,
    pub activities: i64,
    pub posts: i64,
    pub reactions: i64,
}

/// One membership stint, as `analytics_memberships` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stint {
    pub user_id: String,
    pub joined_at: i64,
    pub joined_day: Day,
    pub joined_month: Month,
    pub left_at: Option<i64>,
    pub left_day: Option<Day>,
    pub source: String,
    pub campaign: String,
    pub first_post_at: Option<i64>,
}

/// One activity of the log; `source` and `campaign` are a join's (from its detail).
#[derive(Debug, Clone, Copy)]
pub struct Entry<'a> {
    pub actor_id: &'a str,
    pub verb: &'a str,
    pub at: i64,
    pub source: &'a str,
    pub campaign: &'a str,
}

/// The rollups of one community being rebuilt from its log.
pub struct Replay {
    tz: Tz,
    day: Option<Day>,
    /// The current day's member rows, by member (ordered, so output is deterministic).
    members: BTreeMap<String, MemberDay>,
    /// Stints not ended yet, by member (a member can have several if the log says so).
    open: HashMap<String, Vec<Stint>>,
    finished_days: Vec<MemberDay>,
    finished_stints: Vec<Stint>,
}

impl Replay {
    pub fn new(tz: Tz) -> Replay {
        Replay {
            tz,
            day: None,
            members: BTreeMap::new(),
            open: HashMap::new(),
            finished_days: Vec::new(),
            finished_stints: Vec::new(),
        }
    }

    /// Applies one activity of the log, in log order.
    pub fn feed(&mut self, entry: &Entry<'_>) {
        let Entry {
            actor_id,
            verb,
            at,
            source,
            campaign,
        } = *entry;
        let day = local_day(at, self.tz);
        if self.day.is_some_and(|d| d != day) {
            self.finish_day();
        }
        self.day = Some(day);
        let month = month_of_day(day);
        match verb {
            "joined" => {
                let stints = self.open.entry(actor_id.to_string()).or_default();
                // `open_stint` ignores a second join at the very same instant.
                if !stints.iter().any(|s| s.joined_at == at) {
                    stints.push(Stint {
                        user_id: actor_id.to_string(),
                        joined_at: at,
                        joined_day: day,
                        joined_month: month,
                        left_at: None,
                        left_day: None,
                        source: source.to_string(),
                        campaign: campaign.to_string(),
                        first_post_at: None,
                    });
                }
            }
            "left" => {
                for mut s in self.open.remove(actor_id).unwrap_or_default() {
                    s.left_at = Some(at);
                    s.left_day = Some(day);
                    self.finished_stints.push(s);
                }
            }
            _ => {}
        }
        let Some(bit) = kind_of_verb(verb) else {
            return;
        };
        if bit & kind::POSTED != 0 {
            for s in self.open.get_mut(actor_id).into_iter().flatten() {
                s.first_post_at.get_or_insert(at);
            }
        }
        let row = self
            .members
            .entry(actor_id.to_string())
            .or_insert_with(|| MemberDay {
                day,
                user_id: actor_id.to_string(),
                month,
                kinds: 0,
                activities: 0,
                posts: 0,
                reactions: 0,
            });
        if verb == VISITED {
            // `mark_visit` counts the first visit of a day only.
            if row.kinds & kind::VISITED != 0 {
                return;
            }
        }
        row.kinds |= bit;
        row.activities += 1;
        row.posts += i64::from(bit & kind::POSTED != 0);
        row.reactions += i64::from(bit == kind::REACTED);
    }

    fn finish_day(&mut self) {
        let members = std::mem::take(&mut self.members);
        self.finished_days.extend(members.into_values());
    }

    /// Member-days of finished days and ended stints since the last call, to be written.
    pub fn take_finished(&mut self) -> (Vec<MemberDay>, Vec<Stint>) {
        (
            std::mem::take(&mut self.finished_days),
            std::mem::take(&mut self.finished_stints),
        )
    }

    /// Ends the log: everything left, the current day and the stints still open.
    pub fn finish(mut self) -> (Vec<MemberDay>, Vec<Stint>) {
        self.finish_day();
        let mut open: Vec<Stint> = self.open.into_values().flatten().collect();
        open.sort_by(|a, b| (a.joined_at, &a.user_id).cmp(&(b.joined_at, &b.user_id)));
        self.finished_stints.extend(open);
        (self.finished_days, self.finished_stints)
    }

    /// Whether the member has a stint still open (the caller adds one for a membership the log
    /// never saw begin).
    pub fn is_open(&self, user_id: &str) -> bool {
        self.open.get(user_id).is_some_and(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000;

    fn entry<'a>(actor_id: &'a str, verb: &'a str, at: i64) -> Entry<'a> {
        Entry {
            actor_id,
            verb,
            at,
            source: "",
            campaign: "",
        }
    }

    #[test]
    fn a_day_is_finished_when_the_next_local_day_begins() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2026-03-02 04:00 UTC is still March 1st in New York.
        let march_2_utc = 1_772_409_600_000_000; // 2026-03-02T00:00:00Z
        let mut r = Replay::new(tz);
        r.feed(&Entry {
            source: "newsletter",
            ..entry("ana", "joined", march_2_utc)
        });
        r.feed(&entry("ana", "topic_created", march_2_utc + 4 * HOUR));
        r.feed(&entry("ana", VISITED, march_2_utc + 4 * HOUR));
        r.feed(&entry("ana", VISITED, march_2_utc + 4 * HOUR + 1));
        assert!(r.take_finished().0.is_empty(), "still March 1st locally");
        r.feed(&entry("ana", "reaction_added", march_2_utc + 6 * HOUR));
        let (days, stints) = r.take_finished();
        assert_eq!(days.len(), 1);
        let d = &days[0];
        assert_eq!(
            d.kinds,
            kind::JOINED | kind::TOPIC | kind::VISITED,
            "March 1st"
        );
        assert_eq!((d.activities, d.posts, d.reactions), (3, 1, 0));
        assert!(stints.is_empty(), "Ana's stint is still open");
        assert!(r.is_open("ana"));

        let (days, stints) = r.finish();
        assert_eq!(days.len(), 1);
        assert_eq!(days[0].day, d.day + 1);
        assert_eq!(days[0].reactions, 1);
        assert_eq!(stints.len(), 1);
        assert_eq!(stints[0].source, "newsletter");
        assert_eq!(stints[0].first_post_at, Some(march_2_utc + 4 * HOUR));
        assert_eq!(stints[0].left_at, None);
    }

    #[test]
    fn leaving_ends_the_stint_and_a_post_after_rejoining_counts_for_the_new_one() {
        let tz: Tz = "UTC".parse().unwrap();
        let t0 = 1_772_409_600_000_000;
        let mut r = Replay::new(tz);
        r.feed(&entry("ben", "joined", t0));
        r.feed(&entry("ben", "left", t0 + HOUR));
        r.feed(&Entry {
            campaign: "spring",
            ..entry("ben", "joined", t0 + 2 * HOUR)
        });
        r.feed(&entry("ben", "post_created", t0 + 3 * HOUR));
        let (days, stints) = r.finish();
        assert_eq!(days.len(), 1);
        assert_eq!(
            days[0].activities, 3,
            "two joins and a reply; leaving is no activity"
        );
        assert_eq!(stints.len(), 2);
        assert_eq!(stints[0].left_at, Some(t0 + HOUR));
        assert_eq!(stints[0].first_post_at, None);
        assert_eq!(stints[1].campaign, "spring");
        assert_eq!(stints[1].first_post_at, Some(t0 + 3 * HOUR));
    }
}
