//! Loading the per-day member sets the dashboard counts with (domain::analytics::member_sets).
//!
//! A day is *sealed* once it is safely over: its sets are built once from the member-day rows
//! and stored (`analytics_day_sets`), and this process keeps a decoded copy, checked against
//! the stored generation on every load. The last two days are always built live from their
//! member-day rows: they may still be written to (an instance's clock may run behind another's,
//! a visit may commit just after midnight), and they are small. Recording anything for a
//! sealed day unseals it (store::analytics::bump_member_day), and a sealing and a write for
//! the same day never overlap (store::analytics::day_lock), so the sets are never stale.

use crate::{App, AppResult};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use townsquare_domain::analytics::member_sets::{self as sets, Class, DaySets, Days};
use townsquare_domain::analytics::{self as rules, Day, Month};
use townsquare_domain::time_zones;
use townsquare_store::analytics::day_sets::{self as store, DayGroup, SealedDay};
use townsquare_store::analytics::lists::QuietRow;
use townsquare_store::Tx;

/// Days younger than this many days before today are never sealed.
const LIVE_DAYS: i64 = 2;
/// Days sealed per transaction, so a first sealing of a year of a large community neither holds
/// SQLite's writer for long nor reads more than a few weeks of member-days at once.
const SEAL_BATCH_DAYS: i64 = 14;
/// Days back from today the sweep keeps sealed: a year and a month, what the dashboard's
/// 12-month series and the previous period's trailing 30 days read.
const SWEPT_DAYS: i64 = 400;
/// Member numbers kept per process before they are forgotten (about 100 bytes each).
const CACHED_NUMBERS: usize = 1_000_000;
/// Decoded days kept per process before the cache is cleared (a clear costs a reload).
const CACHED_DAYS: usize = 20_000;

/// A decoded sealed day and the generation it was decoded from.
type Decoded = (i64, Arc<DaySets>);

/// This process's decoded sealed days, by community and day, and the member numbers it has
/// looked up (a number, once given, never changes).
#[derive(Default)]
pub struct DaySetCache {
    days: Mutex<HashMap<(String, Day), Decoded>>,
    numbers: Mutex<HashMap<String, HashMap<String, u32>>>,
    /// A sealing sweep of this process is running (one at a time).
    sweeping: AtomicBool,
}

impl DaySetCache {
    fn get(&self, community_id: &str, day: Day, generation: i64) -> Option<Arc<DaySets>> {
        let days = self.days.lock().unwrap_or_else(|e| e.into_inner());
        days.get(&(community_id.to_string(), day))
            .filter(|(g, _)| *g == generation)
            .map(|(_, s)| s.clone())
    }

    fn put(&self, community_id: &str, day: Day, generation: i64, s: Arc<DaySets>) {
        let mut days = self.days.lock().unwrap_or_else(|e| e.into_inner());
        if days.len() >= CACHED_DAYS {
            days.clear();
        }
        days.insert((community_id.to_string(), day), (generation, s));
    }

    /// Splits `user_ids` into the numbers known here and the ids still to look up.
    fn known_numbers<'a>(
        &self,
        community_id: &str,
        user_ids: impl Iterator<Item = &'a str>,
    ) -> (HashMap<String, u32>, Vec<String>) {
        let numbers = self.numbers.lock().unwrap_or_else(|e| e.into_inner());
        let known = numbers.get(community_id);
        let (mut found, mut missing) = (HashMap::new(), Vec::new());
        for id in user_ids {
            match known.and_then(|k| k.get(id)) {
                Some(&n) => {
                    found.insert(id.to_string(), n);
                }
                None => missing.push(id.to_string()),
            }
        }
        (found, missing)
    }

    fn remember_numbers(&self, community_id: &str, found: &[(String, i64)]) {
        let mut numbers = self.numbers.lock().unwrap_or_else(|e| e.into_inner());
        if numbers.values().map(HashMap::len).sum::<usize>() + found.len() > CACHED_NUMBERS {
            numbers.clear();
        }
        let known = numbers.entry(community_id.to_string()).or_default();
        for (id, n) in found {
            known.insert(id.clone(), *n as u32);
        }
    }
}

impl App {
    /// The member sets of each day in `first..=last` with any activity or join.
    pub(crate) async fn day_sets(
        &self,
        community_id: &str,
        first: Day,
        last: Day,
        today: Day,
    ) -> AppResult<Days> {
        let mut out = Days::default();
        let sealable = last.min(today - LIVE_DAYS);
        if first <= sealable {
            self.load_sealed(community_id, first, sealable, &mut out.days)
                .await?;
        }
        let live_first = first.max(sealable + 1);
        if live_first <= last {
            for (day, s) in self.build_live_days(community_id, live_first, last).await? {
                out.days.insert(day, Arc::new(s));
            }
        }
        out.days
            .retain(|_, s| !(s.any.is_empty() && s.joined.is_empty()));
        Ok(out)
    }

    /// Seals the days of `first..=last` that are not sealed yet (the worker's sweep, and a
    /// dashboard that finds a day missing). Returns how many it sealed.
    pub async fn seal_days(&self, community_id: &str, first: Day, last: Day) -> AppResult<usize> {
        let sealed: HashSet<Day> = store::sealed_generations(self.db(), community_id, first, last)
            .await?
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        let missing: Vec<Day> = (first..=last).filter(|d| !sealed.contains(d)).collect();
        for batch in missing.chunk_by(|a, b| b - a == 1) {
            for run in batch.chunks(SEAL_BATCH_DAYS as usize) {
                let (lo, hi) = (run[0], run[run.len() - 1]);
                // Read in the writing transaction, after taking the days' locks: no activity for
                // these days can commit between the read and the seal (on SQLite the write lock
                // sees to it).
                let mut tx = self.db().begin().await?;
                store::lock_for_sealing(&mut tx, community_id, lo, hi).await?;
                let built = self.build_days(community_id, lo, hi, &mut tx).await?;
                for day in lo..=hi {
                    let s = built.get(&day).cloned().unwrap_or_default();
                    let row = SealedDay {
                        day,
                        generation: rand::random::<i64>(),
                        any_set: sets::to_bytes(&s.any),
                        participated_set: sets::to_bytes(&s.participated),
                        contributed_set: sets::to_bytes(&s.contributed),
                        joined_set: sets::to_bytes(&s.joined),
                    };
                    store::seal_day(&mut tx, community_id, &row).await?;
                }
                self.commit(tx).await?;
            }
        }
        Ok(missing.len())
    }

    /// Seals, for every community, the days a dashboard of the last twelve months reads, so
    /// that dashboards find them sealed. After the first run for a community it only checks.
    pub async fn seal_recent_days(&self) -> AppResult<usize> {
        let mut sealed = 0;
        for (community_id, time_zone) in store::communities(self.db()).await? {
            let tz = time_zones::parse_or_utc(&time_zone);
            let today = rules::local_day(self.now(), tz);
            sealed += self
                .seal_days(&community_id, today - SWEPT_DAYS, today - LIVE_DAYS)
                .await?;
        }
        Ok(sealed)
    }

    /// Starts `seal_recent_days` in a task of its own unless one is still running.
    pub(crate) fn spawn_day_sealing(&self) {
        let cache = self.day_set_cache();
        if cache.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(e) = app.seal_recent_days().await {
                tracing::error!(error = %e, "sealing analytics days");
            }
            app.day_set_cache().sweeping.store(false, Ordering::Release);
        });
    }

    async fn load_sealed(
        &self,
        community_id: &str,
        first: Day,
        last: Day,
        into: &mut BTreeMap<Day, Arc<DaySets>>,
    ) -> AppResult<()> {
        let mut generations =
            store::sealed_generations(self.db(), community_id, first, last).await?;
        if generations.len() < (last - first + 1) as usize {
            self.seal_days(community_id, first, last).await?;
            generations = store::sealed_generations(self.db(), community_id, first, last).await?;
        }
        let mut stale: Vec<Day> = Vec::new();
        for &(day, generation) in &generations {
            match self.day_set_cache().get(community_id, day, generation) {
                Some(s) => {
                    into.insert(day, s);
                }
                None => stale.push(day),
            }
        }
        if let (Some(&lo), Some(&hi)) = (stale.first(), stale.last()) {
            let wanted: HashSet<Day> = stale.iter().copied().collect();
            for row in store::sealed_days(self.db(), community_id, lo, hi).await? {
                if !wanted.contains(&row.day) {
                    continue;
                }
                let s = Arc::new(decode(&row));
                self.day_set_cache()
                    .put(community_id, row.day, row.generation, s.clone());
                into.insert(row.day, s);
            }
        }
        // A day unsealed by a write between the reads above is read as a live day.
        let absent: Vec<Day> = (first..=last).filter(|d| !into.contains_key(d)).collect();
        if let (Some(&lo), Some(&hi)) = (absent.first(), absent.last()) {
            for (day, s) in self.build_live_days(community_id, lo, hi).await? {
                if absent.binary_search(&day).is_ok() {
                    into.insert(day, Arc::new(s));
                }
            }
        }
        Ok(())
    }

    /// Builds the sets of the live days `first..=last` from their member-day and stint rows:
    /// user ids grouped in the database, numbered from this process's memory where it can.
    async fn build_live_days(
        &self,
        community_id: &str,
        first: Day,
        last: Day,
    ) -> AppResult<BTreeMap<Day, DaySets>> {
        let active = store::member_day_ids(self.db(), community_id, first, last).await?;
        let joins = store::join_ids(self.db(), community_id, first, last).await?;
        let ids = active
            .iter()
            .map(|(_, _, ids)| ids.as_str())
            .chain(joins.iter().map(|(_, ids)| ids.as_str()))
            .flat_map(|ids| ids.split(','))
            .collect::<HashSet<&str>>();
        let cache = self.day_set_cache();
        let (mut numbers, missing) = cache.known_numbers(community_id, ids.into_iter());
        if !missing.is_empty() {
            let mut found = store::numbers_of(self.db(), community_id, &missing).await?;
            let have: HashSet<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
            let unnumbered: Vec<String> = missing
                .iter()
                .filter(|id| !have.contains(id.as_str()))
                .cloned()
                .collect();
            if !unnumbered.is_empty() {
                let mut tx = self.db().begin().await?;
                let given = store::number_members(&mut tx, community_id, &unnumbered).await?;
                self.commit(tx).await?;
                found.extend(given);
            }
            cache.remember_numbers(community_id, &found);
            numbers.extend(found.into_iter().map(|(id, n)| (id, n as u32)));
        }
        let members = |ids: &str| -> Vec<u32> {
            ids.split(',')
                .filter_map(|id| numbers.get(id).copied())
                .collect()
        };
        let mut days: BTreeMap<Day, DaySets> = BTreeMap::new();
        for (day, kinds, ids) in &active {
            let sets = days.entry(*day).or_default();
            for m in members(ids) {
                sets.add_activity(m, *kinds);
            }
        }
        for (day, ids) in &joins {
            days.entry(*day).or_default().joined.extend(members(ids));
        }
        Ok(days)
    }

    /// Builds the sets of `first..=last` for sealing, reading and numbering in `tx`.
    async fn build_days(
        &self,
        community_id: &str,
        first: Day,
        last: Day,
        tx: &mut Tx,
    ) -> AppResult<BTreeMap<Day, DaySets>> {
        let active = store::member_day_groups(&mut *tx, community_id, first, last).await?;
        let joins = store::join_groups(&mut *tx, community_id, first, last).await?;
        let unnumbered: Vec<String> = active
            .iter()
            .chain(&joins)
            .filter_map(|g| g.unnumbered.as_deref())
            .flat_map(|ids| ids.split(','))
            .map(str::to_string)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut numbers: HashMap<String, i64> = HashMap::new();
        if !unnumbered.is_empty() {
            numbers.extend(store::number_members(tx, community_id, &unnumbered).await?);
        }
        let members = |g: &DayGroup| -> Vec<u32> {
            let numbered = g.numbers.as_deref().unwrap_or("").split(',');
            let fresh = g.unnumbered.as_deref().unwrap_or("").split(',');
            numbered
                .filter_map(|n| n.parse::<u32>().ok())
                .chain(fresh.filter_map(|id| numbers.get(id).map(|&n| n as u32)))
                .collect()
        };
        let mut days: BTreeMap<Day, DaySets> = BTreeMap::new();
        for g in &active {
            let day = days.entry(g.day).or_default();
            for m in members(g) {
                day.add_activity(m, g.kinds);
            }
        }
        for g in &joins {
            days.entry(g.day).or_default().joined.extend(members(g));
        }
        Ok(days)
    }
}

fn decode(row: &SealedDay) -> DaySets {
    // Only a hand-edited row could fail to decode: count it as empty rather than fail the
    // dashboard, and say so.
    let read = |b: &[u8]| {
        sets::from_bytes(b).unwrap_or_else(|| {
            tracing::warn!(
                day = row.day,
                "an analytics day set does not decode; counted as empty"
            );
            Default::default()
        })
    };
    DaySets {
        any: read(&row.any_set),
        participated: read(&row.participated_set),
        contributed: read(&row.contributed_set),
        joined: read(&row.joined_set),
    }
}

impl App {
    /// Members at risk (docs/metrics.md, "Lists"): current members active in each month of
    /// `months` and in none of the days `silent_from..=as_of`, with their last active day;
    /// the `limit` longest silent first (then by name). Set arithmetic over the day sets; only
    /// the members shown are looked up.
    pub(crate) async fn gone_quiet(
        &self,
        community_id: &str,
        months: (Month, Month),
        silent_from: Day,
        as_of: Day,
        today: Day,
        limit: usize,
    ) -> AppResult<Vec<QuietRow>> {
        let first = rules::month_first_day(months.0);
        let days = self.day_sets(community_id, first, as_of, today).await?;
        let mut candidates = days.union(Class::Any, first, rules::month_last_day(months.0));
        for m in months.0 + 1..=months.1 {
            candidates &= days.union(
                Class::Any,
                rules::month_first_day(m),
                rules::month_last_day(m),
            );
        }
        candidates -= days.union(Class::Any, silent_from, as_of);

        // Each candidate's last active day: walk back from the day before the silence.
        let mut by_day: Vec<(Day, Vec<u32>)> = Vec::new();
        for (&day, sets) in days.days.range(first..silent_from).rev() {
            if candidates.is_empty() {
                break;
            }
            let seen = &sets.any & &candidates;
            if !seen.is_empty() {
                candidates -= &seen;
                by_day.push((day, seen.iter().collect()));
            }
        }
        by_day.reverse();

        // Look up day by day (longest silent first) until the list is full.
        let mut out: Vec<QuietRow> = Vec::new();
        for (day, numbers) in by_day {
            if out.len() >= limit {
                break;
            }
            let numbers: Vec<i64> = numbers.into_iter().map(i64::from).collect();
            let mut found: Vec<QuietRow> =
                store::current_members_by_number(self.db(), community_id, &numbers)
                    .await?
                    .into_iter()
                    .map(|(_, user_id, display_name)| QuietRow {
                        user_id,
                        display_name,
                        last_active_day: day,
                    })
                    .collect();
            found.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            out.extend(found);
        }
        out.truncate(limit);
        Ok(out)
    }
}
