//! Who did what on one community-local day, as compressed bitmaps of member numbers (a
//! community numbers its members densely from 0, see `store::analytics::day_sets`).
//!
//! Every dashboard figure over days is a set operation on these: the members active in a
//! period are the union of its days' sets, churn is a difference, a retention cell an
//! intersection. A union of a month of days costs microseconds where counting distinct
//! members over the member-day rows scanned them all, and a new metric over days needs no new
//! scan, only new set arithmetic.

use super::{kind, Day};
use roaring::RoaringBitmap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The sets of one day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DaySets {
    /// Members with any activity (visits included).
    pub any: RoaringBitmap,
    /// Members who posted, replied or reacted (`kind::PARTICIPATED`).
    pub participated: RoaringBitmap,
    /// Members who created content (`kind::CONTRIBUTED`).
    pub contributed: RoaringBitmap,
    /// Members whose membership stint began that day.
    pub joined: RoaringBitmap,
}

/// Which of a day's sets a figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Any,
    Participated,
    Contributed,
    Joined,
}

impl DaySets {
    /// Adds a member-day row: the member's number and the kinds bitmask of what they did.
    pub fn add_activity(&mut self, member: u32, kinds: i64) {
        self.any.insert(member);
        if kinds & kind::PARTICIPATED != 0 {
            self.participated.insert(member);
        }
        if kinds & kind::CONTRIBUTED != 0 {
            self.contributed.insert(member);
        }
    }

    pub fn get(&self, class: Class) -> &RoaringBitmap {
        match class {
            Class::Any => &self.any,
            Class::Participated => &self.participated,
            Class::Contributed => &self.contributed,
            Class::Joined => &self.joined,
        }
    }
}

/// A bitmap in its portable serialized form (the Roaring format, the same on every platform).
pub fn to_bytes(set: &RoaringBitmap) -> Vec<u8> {
    let mut out = Vec::with_capacity(set.serialized_size());
    set.serialize_into(&mut out)
        .expect("writing to a Vec cannot fail");
    out
}

/// Reads a serialized bitmap; `None` if the bytes are not one.
pub fn from_bytes(bytes: &[u8]) -> Option<RoaringBitmap> {
    RoaringBitmap::deserialize_from(bytes).ok()
}

/// The sets of a run of days, keyed by day; a day absent from the map had no activity.
#[derive(Debug, Clone, Default)]
pub struct Days {
    pub days: BTreeMap<Day, Arc<DaySets>>,
}

impl Days {
    /// The union of one class over `first..=last`.
    pub fn union(&self, class: Class, first: Day, last: Day) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        if first > last {
            return out;
        }
        for sets in self.days.range(first..=last).map(|(_, s)| s) {
            out |= sets.get(class);
        }
        out
    }

    /// Distinct members in one class over `first..=last`.
    pub fn count(&self, class: Class, first: Day, last: Day) -> i64 {
        self.union(class, first, last).len() as i64
    }

    /// Members active (any class) on a single day.
    pub fn on(&self, day: Day) -> i64 {
        self.days.get(&day).map_or(0, |s| s.any.len() as i64)
    }

    /// Members active in `prev` and not in `cur` (inclusive day ranges).
    pub fn churned(&self, prev: (Day, Day), cur: (Day, Day)) -> i64 {
        let before = self.union(Class::Any, prev.0, prev.1);
        let now = self.union(Class::Any, cur.0, cur.1);
        (before - now).len() as i64
    }
}

/// Members over time from the stints begun and ended per day: members at the end of a day
/// are the stints begun by then less those ended by then.
#[derive(Debug, Clone, Default)]
pub struct Headcount {
    /// `(day, members at the end of that day)` for each day with a change, oldest first.
    running: Vec<(Day, i64)>,
}

impl Headcount {
    /// From `(day, begun, ended)` rows ordered by day.
    pub fn from_changes(changes: &[(Day, i64, i64)]) -> Headcount {
        let mut total = 0;
        let running = changes
            .iter()
            .map(|&(day, begun, ended)| {
                total += begun - ended;
                (day, total)
            })
            .collect();
        Headcount { running }
    }

    /// Members at the end of `day`.
    pub fn at_end_of(&self, day: Day) -> i64 {
        let after = self.running.partition_point(|&(d, _)| d <= day);
        after.checked_sub(1).map_or(0, |i| self.running[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(any: &[u32], kinds: i64) -> Arc<DaySets> {
        let mut s = DaySets::default();
        for &m in any {
            s.add_activity(m, kinds);
        }
        Arc::new(s)
    }

    #[test]
    fn activity_classes_follow_the_kind_bits() {
        let mut s = DaySets::default();
        s.add_activity(1, kind::VISITED);
        s.add_activity(2, kind::REACTED);
        s.add_activity(3, kind::TOPIC | kind::VISITED);
        s.add_activity(4, kind::RESOURCE);
        assert_eq!(s.any.iter().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(s.participated.iter().collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(s.contributed.iter().collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn unions_count_each_member_once_and_churn_is_a_difference() {
        let mut days = Days::default();
        days.days.insert(10, day(&[1, 2, 3], kind::VISITED));
        days.days.insert(11, day(&[2, 3, 4], kind::REPLY));
        days.days.insert(13, day(&[5], kind::VISITED));
        assert_eq!(days.count(Class::Any, 10, 13), 5);
        assert_eq!(days.count(Class::Any, 10, 11), 4);
        assert_eq!(days.count(Class::Participated, 10, 13), 3);
        assert_eq!(days.count(Class::Any, 12, 12), 0);
        assert_eq!(days.count(Class::Any, 13, 10), 0);
        assert_eq!(days.on(11), 3);
        assert_eq!(days.on(12), 0);
        // Active on 10..11 (1, 2, 3, 4), then on 12..13 only 5: all four churned.
        assert_eq!(days.churned((10, 11), (12, 13)), 4);
        assert_eq!(days.churned((10, 10), (11, 11)), 1);
    }

    #[test]
    fn headcount_is_a_running_sum_of_stints_begun_less_ended() {
        let h = Headcount::from_changes(&[(5, 3, 0), (7, 1, 2), (9, 0, 1)]);
        assert_eq!(h.at_end_of(4), 0);
        assert_eq!(h.at_end_of(5), 3);
        assert_eq!(h.at_end_of(6), 3);
        assert_eq!(h.at_end_of(7), 2);
        assert_eq!(h.at_end_of(9), 1);
        assert_eq!(h.at_end_of(100), 1);
        assert_eq!(Headcount::from_changes(&[]).at_end_of(5), 0);
    }

    #[test]
    fn serialized_sets_read_back_identical() {
        let mut set = RoaringBitmap::new();
        set.insert_range(0..5_000);
        set.insert(1_000_000);
        let back = from_bytes(&to_bytes(&set)).unwrap();
        assert_eq!(back, set);
        assert!(from_bytes(b"not a bitmap").is_none());
    }
}
