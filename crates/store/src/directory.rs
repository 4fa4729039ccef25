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

fn build(q: &DirectoryQuery) -> Sql {
    let mut sql = Sql {
        text: String::new(),
        binds: Vec::new(),
    };
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
    for term in &q.terms {
        let end = prefix_end(term);
        sql.text(
            " AND m.user_id IN (SELECT t.user_id FROM member_search_terms t
               WHERE t.community_id = '' AND t.term >= ",
        )
        .str(term)
        .text(" AND t.term < ")
        .str(&end);
        if !q.searchable_fields.is_empty() {
            sql.text(
                " UNION ALL SELECT f.user_id FROM member_search_terms f WHERE f.community_id = ",
            )
            .str(&q.community_id)
            .text(" AND f.term >= ")
            .str(term)
            .text(" AND f.term < ")
            .str(&end)
            .text(" AND f.field_id IN (");
            for (i, field) in q.searchable_fields.iter().enumerate() {
                if i > 0 {
                    sql.text(", ");
                }
                sql.str(field);
            }
            sql.text(")");
        }
        sql.text(")");
    }
    for (field_id, key) in &q.field_filters {
        sql.text(
            " AND m.user_id IN (SELECT v.user_id FROM profile_field_values v WHERE v.field_id = ",
        )
        .str(field_id)
        .text(" AND v.value_key = ")
        .str(key)
        .text(")");
    }
    if let Some(interest) = &q.interest {
        sql.text(
            " AND m.user_id IN (SELECT i.user_id FROM member_interests i
               JOIN member_profiles ip ON ip.user_id = i.user_id
               WHERE ip.show_details AND i.interest = ",
        )
        .str(interest)
        .text(")");
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
    let (column, direction, op) = match q.sort {
        DirectorySort::Name => ("m.name_key", "ASC", ">"),
        DirectorySort::Joined => ("m.joined_at", "DESC", "<"),
        DirectorySort::Active => ("m.last_active_at", "DESC", "<"),
    };
    // A row-value comparison, which both backends turn into one index range (an OR of the
    // two conditions is not always).
    match &q.after {
        Some(DirectoryCursor::Name(key, id)) if q.sort == DirectorySort::Name => {
            sql.text(&format!(" AND ({column}, m.user_id) {op} ("))
                .str(key)
                .text(", ")
                .str(id)
                .text(")");
        }
        Some(DirectoryCursor::Time(t, id)) if q.sort != DirectorySort::Name => {
            sql.text(&format!(" AND ({column}, m.user_id) {op} ("))
                .int(*t)
                .text(", ")
                .str(id)
                .text(")");
        }
        _ => {}
    }
    sql.text(&format!(
        " ORDER BY {column} {direction}, m.user_id {direction} LIMIT "
    ))
    .int(q.limit);
    sql
}

/// One page of the directory.
pub async fn search(db: &Db, q: &DirectoryQuery) -> Result<Vec<DirectoryRow>> {
    let sql = build(q);
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
