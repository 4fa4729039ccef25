//! The member directory query: search words, filters, three sorts, keyset pagination. Built
//! from parts because the filters are optional, in SQL both backends run as written; each
//! sort walks one `memberships_directory_*` index within the community.

use crate::db::Db;
use crate::error::MapErr;
use crate::Result;
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

/// How many members a search checks one by one along the sort order before it collects its
/// matches first instead (see `search`).
pub const WALK: i64 = 500;

/// The two shapes of a search's SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Walk the sort's index and check each member (a correlated `EXISTS` per condition):
    /// stops after a page of matches, so fast when matches are common.
    Walk,
    /// Collect the members that match each condition (`IN (subquery)`), then sort them: fast
    /// when matches are few.
    Collect,
}

impl DirectoryQuery {
    /// Whether a condition needs another table (words, answers, an interest).
    fn has_probes(&self) -> bool {
        !self.terms.is_empty() || !self.field_filters.is_empty() || self.interest.is_some()
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
}

/// The SQL of one page (`q.limit` rows) in `shape`; `until`, for a walk, is where it stops.
fn build(q: &DirectoryQuery, shape: Shape, until: Option<&DirectoryCursor>) -> Sql {
    let mut sql = Sql::new();
    sql.text(
        "SELECT m.user_id, u.display_name, u.handle, m.role, m.joined_at, m.last_active_at,
                m.trust_level, m.name_key, p.headline, p.avatar_file_id
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN member_profiles p ON p.user_id = m.user_id
         WHERE m.community_id = ",
    )
    .str(&q.community_id)
    .text(" AND m.status = 'active'");
    let (column, direction, op) = q.order();
    if let Some(after) = &q.after {
        sql.keyset(q, op, after);
    }
    if let Some(until) = until {
        sql.keyset(q, if op == ">" { "<=" } else { ">=" }, until);
    }
    // A walk checks each member with correlated subqueries; `LIMIT 1 OFFSET 0` keeps
    // PostgreSQL from turning them into joins that read every match first. Collecting reads
    // the matches of each condition through its index.
    let walk = shape == Shape::Walk;
    let (probe, close) = if walk {
        (" EXISTS (SELECT 1", " LIMIT 1 OFFSET 0)")
    } else {
        (" m.user_id IN (SELECT x.user_id", ")")
    };
    let me = if walk {
        " AND x.user_id = m.user_id"
    } else {
        ""
    };
    for term in &q.terms {
        let end = prefix_end(term);
        sql.text(" AND (")
            .text(probe)
            .text(" FROM member_search_terms x WHERE x.community_id = ''")
            .text(me)
            .text(" AND x.term >= ")
            .str(term)
            .text(" AND x.term < ")
            .str(&end)
            .text(close);
        if !q.searchable_fields.is_empty() {
            sql.text(" OR")
                .text(probe)
                .text(" FROM member_search_terms x WHERE x.community_id = ")
                .str(&q.community_id)
                .text(me)
                .text(" AND x.term >= ")
                .str(term)
                .text(" AND x.term < ")
                .str(&end)
                .text(" AND x.field_id IN (")
                .list(&q.searchable_fields)
                .text(")")
                .text(close);
        }
        sql.text(")");
    }
    for (field_id, key) in &q.field_filters {
        sql.text(" AND")
            .text(probe)
            .text(" FROM profile_field_values x WHERE x.field_id = ")
            .str(field_id)
            .text(me)
            .text(" AND x.value_key = ")
            .str(key)
            .text(close);
    }
    if let Some(interest) = &q.interest {
        sql.text(" AND")
            .text(probe)
            .text(
                " FROM member_interests x JOIN member_profiles xp ON xp.user_id = x.user_id
                 WHERE x.interest = ",
            )
            .str(interest)
            .text(me)
            .text(" AND xp.show_details")
            .text(close);
    }
    if let Some(role) = &q.role {
        sql.text(" AND m.role = ").str(role);
    }
    if let Some(level) = q.trust_level {
        sql.text(" AND m.trust_level = ").int(level);
    }
    if let Some(t) = q.joined_after {
        sql.text(" AND m.joined_at >= ").int(t);
    }
    if let Some(t) = q.joined_before {
        sql.text(" AND m.joined_at < ").int(t);
    }
    sql.text(&format!(
        " ORDER BY {column} {direction}, m.user_id {direction} LIMIT "
    ))
    .int(q.limit);
    sql
}

/// Where a walk of `walk` members along the sort order, from the query's cursor, ends; `None`
/// when fewer remain. Reads the sort's index only.
async fn walk_end(db: &Db, q: &DirectoryQuery, walk: i64) -> Result<Option<DirectoryCursor>> {
    let (column, direction, op) = q.order();
    let mut sql = Sql::new();
    sql.text(&format!(
        "SELECT m.user_id, {column} AS sort_key FROM memberships m WHERE m.community_id = "
    ))
    .str(&q.community_id)
    .text(" AND m.status = 'active'");
    if let Some(after) = &q.after {
        sql.keyset(q, op, after);
    }
    sql.text(&format!(
        " ORDER BY {column} {direction}, m.user_id {direction} LIMIT 1 OFFSET "
    ))
    .int(walk - 1);
    Ok(match q.sort {
        DirectorySort::Name => fetch_end::<String>(db, &sql)
            .await?
            .map(|(id, key)| DirectoryCursor::Name(key, id)),
        DirectorySort::Joined | DirectorySort::Active => fetch_end::<i64>(db, &sql)
            .await?
            .map(|(id, t)| DirectoryCursor::Time(t, id)),
    })
}

async fn fetch_end<K>(db: &Db, sql: &Sql) -> Result<Option<(String, K)>>
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

/// One page of the directory. Without words, answers or an interest to match: one walk of
/// the sort's index. With them, the cost depends on how common the matches are along the sort
/// order, which neither planner estimates well here (a prefix of a word, several conditions
/// at once). So: first a walk of at most `WALK` members in order, checking each; when that
/// fills the page (common matches), done. Otherwise the rest of the page comes from after the
/// walk's end by collecting the matches first and sorting them, which is cheap when they are
/// few (and as slow as before this walk when they are many but rare at the start of the
/// order, as a common name prefix is among names sorted from "A").
pub async fn search(db: &Db, q: &DirectoryQuery) -> Result<Vec<DirectoryRow>> {
    if !q.has_probes() {
        return fetch_page(db, &build(q, Shape::Walk, None)).await;
    }
    let end = walk_end(db, q, WALK).await?;
    let mut rows = fetch_page(db, &build(q, Shape::Walk, end.as_ref())).await?;
    let Some(end) = end else {
        return Ok(rows);
    };
    if rows.len() as i64 >= q.limit {
        return Ok(rows);
    }
    let rest = DirectoryQuery {
        after: Some(end),
        limit: q.limit - rows.len() as i64,
        ..q.clone()
    };
    rows.extend(fetch_page(db, &build(&rest, Shape::Collect, None)).await?);
    Ok(rows)
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
