//! The member directory query: search words, filters, three sorts, keyset pagination. Built
//! from parts because the filters are optional, in SQL both backends run as written; each
//! sort walks one `memberships_directory_*` index within the community.

use crate::db::{Backend, Db};
use crate::error::MapErr;
use crate::sql::joined;
use crate::Result;
use std::collections::HashSet;
use townsquare_domain::profiles::prefix_end;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectorySort {
    /// By name, A to Z.
    Name,
    /// Newest members first.
    Joined,
    /// Most recently active first.
    Active,
}

/// Where the previous page ended: the sort key and the member's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryCursor {
    Name(String, String),
    Time(i64, String),
}

#[derive(Debug, Clone)]
pub struct DirectoryQuery {
    pub community_id: String,
    /// Every word must match the start of a word of the name, the handle, or an answer to
    /// one of `searchable_fields`.
    pub terms: Vec<String>,
    /// The fields whose answers the viewer may see, and so search.
    pub searchable_fields: Vec<String>,
    /// (field id, value key): the member's answer to the field includes the value.
    pub field_filters: Vec<(String, String)>,
    /// Members who list this interest and show their details to members.
    pub interest: Option<String>,
    pub role: Option<String>,
    pub trust_level: Option<i64>,
    /// Joined at or after / before these instants (microseconds).
    pub joined_after: Option<i64>,
    pub joined_before: Option<i64>,
    pub sort: DirectorySort,
    pub after: Option<DirectoryCursor>,
    pub limit: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DirectoryRow {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    pub role: String,
    pub joined_at: i64,
    pub last_active_at: i64,
    pub trust_level: i64,
    pub name_key: String,
    pub headline: Option<String>,
    pub avatar_file_id: Option<String>,
}

impl DirectoryRow {
    /// The cursor that continues after this row in `sort`.
    pub fn cursor(&self, sort: DirectorySort) -> DirectoryCursor {
        match sort {
            DirectorySort::Name => {
                DirectoryCursor::Name(self.name_key.clone(), self.user_id.clone())
            }
            DirectorySort::Joined => DirectoryCursor::Time(self.joined_at, self.user_id.clone()),
            DirectorySort::Active => {
                DirectoryCursor::Time(self.last_active_at, self.user_id.clone())
            }
        }
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

/// SQL text with `$n` placeholders numbered as values are pushed.
struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    fn text(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    fn bind(&mut self, b: Bind) -> &mut Self {
        self.binds.push(b);
        self.text.push_str(&format!("${}", self.binds.len()));
        self
    }

    fn str(&mut self, s: &str) -> &mut Self {
        self.bind(Bind::Text(s.to_string()))
    }

    fn int(&mut self, n: i64) -> &mut Self {
        self.bind(Bind::Int(n))
    }
}

/// The three numbers that steer a search with conditions on other tables (see `search`).
#[derive(Debug, Clone, Copy)]
pub struct SearchTuning {
    /// Most members one condition may match for the search to collect them; a condition
    /// matching more is checked per member in SQL instead.
    pub collect_max: usize,
    /// The first stretch of the sort order the search reads; each next one is four times
    /// longer.
    pub first_stretch: i64,
    /// How many members the search reads along the order, per collected match, before it
    /// looks the matches up by id instead.
    pub reads_per_lookup: usize,
}

impl SearchTuning {
    /// Reading a member's place in the sort order costs about a tenth of looking a member up
    /// by id (PostgreSQL's plans on the `bench/directory` data: about 1 µs an index entry
    /// against 11 µs a lookup); chosen from that, not tuned further.
    pub const DEFAULT: SearchTuning = SearchTuning {
        collect_max: 50_000,
        first_stretch: 1_000,
        reads_per_lookup: 10,
    };
}

/// A condition that needs another table.
#[derive(Debug, Clone, Copy)]
enum Probe<'a> {
    /// The start of a word of the name or handle, or of an answer to a searchable field.
    Term(&'a str),
    /// An answer to the field includes the value (field id, value key).
    Field(&'a str, &'a str),
    /// Lists the interest and shows their details to members.
    Interest(&'a str),
}

impl DirectoryQuery {
    fn probes(&self) -> Vec<Probe<'_>> {
        let mut probes: Vec<Probe> = self.terms.iter().map(|t| Probe::Term(t)).collect();
        probes.extend(
            self.field_filters
                .iter()
                .map(|(field, key)| Probe::Field(field, key)),
        );
        probes.extend(self.interest.as_deref().map(Probe::Interest));
        probes
    }

    /// The sort column, its direction, and the comparison that continues after a cursor.
    fn order(&self) -> (&'static str, &'static str, &'static str) {
        match self.sort {
            DirectorySort::Name => ("m.name_key", "ASC", ">"),
            DirectorySort::Joined => ("m.joined_at", "DESC", "<"),
            DirectorySort::Active => ("m.last_active_at", "DESC", "<"),
        }
    }
}

impl Probe<'_> {
    /// How many `SELECT`s the matches are the union of: a word matches names and handles in
    /// one, answers to the searchable fields in another.
    fn parts(&self, q: &DirectoryQuery) -> usize {
        match self {
            Probe::Term(_) if !q.searchable_fields.is_empty() => 2,
            _ => 1,
        }
    }
}

impl Sql {
    fn new() -> Sql {
        Sql {
            text: String::new(),
            binds: Vec::new(),
        }
    }

    /// `AND (sort key, user id) OP (cursor)`: a row-value comparison, which both backends
    /// turn into one index range (an OR of the two conditions is not always). Nothing for a
    /// cursor of another sort.
    fn keyset(&mut self, q: &DirectoryQuery, op: &str, cursor: &DirectoryCursor) -> &mut Self {
        let (column, _, _) = q.order();
        match cursor {
            DirectoryCursor::Name(key, id) if q.sort == DirectorySort::Name => {
                self.text(&format!(" AND ({column}, m.user_id) {op} ("))
                    .str(key)
                    .text(", ")
                    .str(id)
                    .text(")");
            }
            DirectoryCursor::Time(t, id) if q.sort != DirectorySort::Name => {
                self.text(&format!(" AND ({column}, m.user_id) {op} ("))
                    .int(*t)
                    .text(", ")
                    .str(id)
                    .text(")");
            }
            _ => {}
        }
        self
    }

    fn list(&mut self, items: &[String]) -> &mut Self {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.text(", ");
            }
            self.str(item);
        }
        self
    }

    /// Part `part` of the members matching `probe`: `SELECT x.user_id FROM … WHERE …`, with
    /// `correlate` in the WHERE.
    fn probe_part(
        &mut self,
        q: &DirectoryQuery,
        probe: Probe<'_>,
        part: usize,
        correlate: &str,
    ) -> &mut Self {
        match probe {
            Probe::Term(term) => {
                self.text("SELECT x.user_id FROM member_search_terms x WHERE x.community_id = ");
                if part == 0 {
                    self.text("''");
                } else {
                    self.str(&q.community_id);
                }
                self.text(correlate)
                    .text(" AND x.term >= ")
                    .str(term)
                    .text(" AND x.term < ")
                    .str(&prefix_end(term));
                if part == 1 {
                    self.text(" AND x.field_id IN (")
                        .list(&q.searchable_fields)
                        .text(")");
                }
            }
            Probe::Field(field_id, key) => {
                self.text("SELECT x.user_id FROM profile_field_values x WHERE x.field_id = ")
                    .str(field_id)
                    .text(correlate)
                    .text(" AND x.value_key = ")
                    .str(key);
            }
            Probe::Interest(interest) => {
                // Those who hide their details are few (a partial index): leaving them out
                // costs one small set, where joining each match's profile cost a lookup each.
                self.text("SELECT x.user_id FROM member_interests x WHERE x.interest = ")
                    .str(interest)
                    .text(correlate)
                    .text(
                        " AND x.user_id NOT IN
                         (SELECT h.user_id FROM member_profiles h WHERE NOT h.show_details)",
                    );
            }
        }
        self
    }

    /// `AND (EXISTS (…) OR …)`: the member `m` matches `probe`. `LIMIT 1 OFFSET 0` keeps
    /// PostgreSQL from turning the subqueries into joins that read every match first.
    fn matches(&mut self, q: &DirectoryQuery, probe: Probe<'_>) -> &mut Self {
        self.text(" AND (");
        for part in 0..probe.parts(q) {
            if part > 0 {
                self.text(" OR ");
            }
            self.text("EXISTS (")
                .probe_part(q, probe, part, " AND x.user_id = m.user_id")
                .text(" LIMIT 1 OFFSET 0)");
        }
        self.text(")")
    }

    /// The conditions on the membership row itself.
    fn membership_filters(&mut self, q: &DirectoryQuery) -> &mut Self {
        if let Some(role) = &q.role {
            self.text(" AND m.role = ").str(role);
        }
        if let Some(level) = q.trust_level {
            self.text(" AND m.trust_level = ").int(level);
        }
        if let Some(t) = q.joined_after {
            self.text(" AND m.joined_at >= ").int(t);
        }
        if let Some(t) = q.joined_before {
            self.text(" AND m.joined_at < ").int(t);
        }
        self
    }
}

/// Which members a statement considers, besides those of the community after the cursor.
enum Among<'a> {
    /// Members matching these conditions (each checked per member).
    Matching(&'a [Probe<'a>]),
    /// These members (by id), and matching these conditions.
    Ids(Backend, &'a [String], &'a [Probe<'a>]),
}

/// `SELECT <columns> FROM memberships m … WHERE` the community's active members after the
/// query's cursor (and at or before `until`) among `among`, with the membership filters.
fn members_where(
    q: &DirectoryQuery,
    columns: &str,
    among: &Among<'_>,
    until: Option<&DirectoryCursor>,
) -> Sql {
    let mut sql = Sql::new();
    sql.text(&format!("SELECT {columns} WHERE m.community_id = "))
        .str(&q.community_id)
        .text(" AND m.status = 'active'");
    let (_, _, op) = q.order();
    if let Some(after) = &q.after {
        sql.keyset(q, op, after);
    }
    if let Some(until) = until {
        sql.keyset(q, if op == ">" { "<=" } else { ">=" }, until);
    }
    let probes = match among {
        Among::Matching(probes) => probes,
        Among::Ids(backend, ids, probes) => {
            // One parameter holding every id as a JSON array: a statement with thousands of
            // parameters costs more to prepare than to run.
            let json = serde_json::to_string(ids).expect("ids serialize");
            match backend {
                Backend::Sqlite => sql.text(" AND m.user_id IN (SELECT value FROM json_each("),
                Backend::Postgres => {
                    sql.text(" AND m.user_id IN (SELECT json_array_elements_text(CAST(")
                }
            };
            sql.str(&json);
            match backend {
                Backend::Sqlite => sql.text("))"),
                Backend::Postgres => sql.text(" AS json)))"),
            };
            probes
        }
    };
    for probe in probes.iter() {
        sql.matches(q, *probe);
    }
    sql.membership_filters(q);
    sql
}

const PAGE_COLUMNS: &str = "m.user_id, u.display_name, u.handle, m.role, m.joined_at,
    m.last_active_at, m.trust_level, m.name_key, p.headline, p.avatar_file_id
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    LEFT JOIN member_profiles p ON p.user_id = m.user_id";

/// The SQL of one page (`q.limit` rows) among `among`, in the sort order.
fn page_sql(q: &DirectoryQuery, among: &Among<'_>, until: Option<&DirectoryCursor>) -> Sql {
    let (column, direction, _) = q.order();
    let mut sql = members_where(q, PAGE_COLUMNS, among, until);
    sql.text(&format!(
        " ORDER BY {column} {direction}, m.user_id {direction} LIMIT "
    ))
    .int(q.limit);
    sql
}

/// The ids of the members among `among` after the query's cursor (up to `until`), in the
/// sort order, as one comma-joined text: one row to hand over instead of thousands.
fn ordered_ids_sql(
    q: &DirectoryQuery,
    among: &Among<'_>,
    until: Option<&DirectoryCursor>,
    backend: Backend,
) -> Sql {
    let (column, direction, _) = q.order();
    let ids = joined(
        backend,
        "m.user_id",
        Some(&format!("{column} {direction}, m.user_id {direction}")),
    );
    members_where(q, &format!("{ids} FROM memberships m"), among, until)
}

async fn fetch_joined(db: &Db, sql: &Sql) -> Result<Vec<String>> {
    let text: Option<String> = with_read!(db, |c| {
        let mut query = sqlx::query_scalar::<_, Option<String>>(&sql.text);
        for b in &sql.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query.fetch_one(c).await.db()
    })?;
    Ok(text
        .filter(|t| !t.is_empty())
        .map(|t| t.split(',').map(str::to_string).collect())
        .unwrap_or_default())
}

async fn fetch_pair<K>(db: &Db, sql: &Sql) -> Result<Option<(String, K)>>
where
    K: Send + Unpin,
    for<'r> K: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    for<'r> K: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    with_read!(db, |c| {
        let mut query = sqlx::query_as::<_, (String, K)>(&sql.text);
        for b in &sql.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query.fetch_optional(c).await.db()
    })
}

async fn fetch_page(db: &Db, sql: &Sql) -> Result<Vec<DirectoryRow>> {
    with_read!(db, |c| {
        let mut query = sqlx::query_as::<_, DirectoryRow>(&sql.text);
        for b in &sql.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query.fetch_all(c).await.db()
    })
}

/// Every user matching `probe` (in any community: names are everyone's), or `None` when
/// more than `most` rows match. Reads one index range per part.
async fn collect(
    db: &Db,
    q: &DirectoryQuery,
    probe: Probe<'_>,
    most: usize,
) -> Result<Option<HashSet<String>>> {
    let mut sql = Sql::new();
    sql.text(&format!(
        "SELECT {} FROM (",
        joined(db.backend(), "c.user_id", None)
    ));
    for part in 0..probe.parts(q) {
        if part > 0 {
            sql.text(" UNION ALL ");
        }
        sql.probe_part(q, probe, part, "");
    }
    sql.text(" LIMIT ")
        .int(i64::try_from(most).unwrap_or(i64::MAX).saturating_add(1))
        .text(") c");
    let ids = fetch_joined(db, &sql).await?;
    Ok((ids.len() <= most).then(|| ids.into_iter().collect()))
}

/// One page of the directory. Without words, answers or an interest to match: one read of
/// the sort's index. With them, neither planner estimates well how common the matches are
/// along the sort order (a prefix of a word, several conditions at once), so the search
/// decides itself, from what it collects:
///
/// 1. The members matching each condition, by the condition's index (names are global, so
///    these include people of other communities), intersected in memory. A condition with
///    more than `collect_max` matches is checked per member in SQL instead.
/// 2. Then it reads the community's members along the sort order, in stretches four times
///    longer each time, keeping those collected, until the page is full: cheap when the
///    matches are common, wherever they fall in the order (a common name prefix clusters
///    far down the names).
/// 3. Once it has read `reads_per_lookup` members per collected match without filling the
///    page (rare matches), it looks the rest up by id instead and sorts them.
///
/// So a page costs at most about twice the cheaper of reading and looking up. Ids travel
/// comma-joined, one row per statement: handing over a row costs more than finding it.
pub async fn search(db: &Db, q: &DirectoryQuery) -> Result<Vec<DirectoryRow>> {
    search_tuned(db, q, SearchTuning::DEFAULT).await
}

/// `search` with other numbers: the same members in the same order, at another cost.
pub async fn search_tuned(
    db: &Db,
    q: &DirectoryQuery,
    tuning: SearchTuning,
) -> Result<Vec<DirectoryRow>> {
    let probes = q.probes();
    if probes.is_empty() {
        return fetch_page(db, &page_sql(q, &Among::Matching(&[]), None)).await;
    }
    let mut collected: Option<HashSet<String>> = None;
    let mut per_member = Vec::new();
    for probe in &probes {
        match collect(db, q, *probe, tuning.collect_max).await? {
            Some(ids) => {
                collected = Some(match collected {
                    None => ids,
                    Some(mut so_far) => {
                        so_far.retain(|id| ids.contains(id));
                        so_far
                    }
                })
            }
            None => per_member.push(*probe),
        }
    }
    let found = match &collected {
        Some(ids) if ids.is_empty() => Vec::new(),
        collected => read_along(db, q, collected.as_ref(), &per_member, tuning).await?,
    };
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let page = DirectoryQuery {
        limit: found.len() as i64,
        ..q.clone()
    };
    fetch_page(
        db,
        &page_sql(&page, &Among::Ids(db.backend(), &found, &[]), None),
    )
    .await
}

/// The ids of the page's members, in order (steps 2 and 3 of `search`).
async fn read_along(
    db: &Db,
    q: &DirectoryQuery,
    collected: Option<&HashSet<String>>,
    per_member: &[Probe<'_>],
    tuning: SearchTuning,
) -> Result<Vec<String>> {
    let backend = db.backend();
    let wanted = q.limit.max(0) as usize;
    let budget = collected.map(|ids| ids.len().saturating_mul(tuning.reads_per_lookup));
    let mut found: Vec<String> = Vec::new();
    let mut from = q.clone();
    let mut stretch = tuning.first_stretch.max(1);
    let mut read = 0usize;
    loop {
        if budget.is_some_and(|budget| read >= budget) {
            break;
        }
        let end = stretch_end(db, &from, stretch).await?;
        let ids = fetch_joined(
            db,
            &ordered_ids_sql(&from, &Among::Matching(per_member), end.as_ref(), backend),
        )
        .await?;
        read = read.saturating_add(stretch as usize);
        for id in ids {
            if collected.is_none_or(|c| c.contains(&id)) {
                found.push(id);
                if found.len() == wanted {
                    return Ok(found);
                }
            }
        }
        let Some(end) = end else {
            return Ok(found);
        };
        from.after = Some(end);
        stretch = stretch.saturating_mul(4);
    }
    // Rare matches: look up where the rest of the collected members are, after what was read.
    let ids: Vec<String> = collected
        .expect("a budget means collected ids")
        .iter()
        .cloned()
        .collect();
    let rest = fetch_joined(
        db,
        &ordered_ids_sql(&from, &Among::Ids(backend, &ids, per_member), None, backend),
    )
    .await?;
    found.extend(rest.into_iter().take(wanted - found.len()));
    Ok(found)
}

/// Where a stretch of `read` members along the sort order, from the query's cursor, ends;
/// `None` when fewer remain. Reads the sort's index only.
async fn stretch_end(db: &Db, q: &DirectoryQuery, read: i64) -> Result<Option<DirectoryCursor>> {
    let (column, direction, _) = q.order();
    let mut sql = members_where(
        q,
        &format!("m.user_id, {column} FROM memberships m"),
        &Among::Matching(&[]),
        None,
    );
    sql.text(&format!(
        " ORDER BY {column} {direction}, m.user_id {direction} LIMIT 1 OFFSET "
    ))
    .int(read - 1);
    Ok(match q.sort {
        DirectorySort::Name => fetch_pair::<String>(db, &sql)
            .await?
            .map(|(id, key)| DirectoryCursor::Name(key, id)),
        DirectorySort::Joined | DirectorySort::Active => fetch_pair::<i64>(db, &sql)
            .await?
            .map(|(id, t)| DirectoryCursor::Time(t, id)),
    })
}

/// The answers of several members to the given fields (for the directory's cards).
pub async fn answers_of(
    db: &Db,
    user_ids: &[String],
    field_ids: &[String],
) -> Result<Vec<crate::profiles::ValueRow>> {
    if user_ids.is_empty() || field_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql {
        text: String::new(),
        binds: Vec::new(),
    };
    sql.text("SELECT field_id, user_id, value FROM profile_field_values WHERE user_id IN (");
    for (i, id) in user_ids.iter().enumerate() {
        if i > 0 {
            sql.text(", ");
        }
        sql.str(id);
    }
    sql.text(") AND field_id IN (");
    for (i, id) in field_ids.iter().enumerate() {
        if i > 0 {
            sql.text(", ");
        }
        sql.str(id);
    }
    sql.text(") ORDER BY user_id, field_id, position");
    with_read!(db, |c| {
        let mut query = sqlx::query_as::<_, crate::profiles::ValueRow>(&sql.text);
        for b in &sql.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query.fetch_all(c).await.db()
    })
}
