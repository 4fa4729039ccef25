//! Member profiles: the person's details, the custom fields communities define, members'
//! answers to them, and the search words and sort keys the directory reads (see `directory`).

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;
use townsquare_domain::profiles::{name_key, search_terms};

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ProfileRow {
    pub user_id: String,
    pub headline: String,
    pub bio: String,
    pub location: String,
    pub company: String,
    pub job_title: String,
    /// JSON array of URLs.
    pub links: String,
    /// JSON array of normalised interests.
    pub interests: String,
    pub avatar_file_id: Option<String>,
    pub show_email: bool,
    pub show_details: bool,
    pub updated_at: i64,
}

const PROFILE_COLUMNS: &str = "user_id, headline, bio, location, company, job_title, links, \
     interests, avatar_file_id, show_email, show_details, updated_at";

pub async fn profile<'a>(src: impl Into<Source<'a>>, user_id: &str) -> Result<Option<ProfileRow>> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM member_profiles WHERE user_id = $1");
    with_read!(src, |c| sqlx::query_as::<_, ProfileRow>(&sql)
        .bind(user_id)
        .fetch_optional(c)
        .await
        .db())
}

/// Saves the details (not the avatar, which has its own writer).
pub async fn upsert_profile(tx: &mut Tx, p: &ProfileRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO member_profiles (user_id, headline, bio, location, company, job_title, links,
             interests, avatar_file_id, show_email, show_details, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11)
         ON CONFLICT (user_id) DO UPDATE SET headline = excluded.headline, bio = excluded.bio,
             location = excluded.location, company = excluded.company,
             job_title = excluded.job_title, links = excluded.links,
             interests = excluded.interests, show_email = excluded.show_email,
             show_details = excluded.show_details, updated_at = excluded.updated_at"
    )
    .bind(&p.user_id)
    .bind(&p.headline)
    .bind(&p.bio)
    .bind(&p.location)
    .bind(&p.company)
    .bind(&p.job_title)
    .bind(&p.links)
    .bind(&p.interests)
    .bind(p.show_email)
    .bind(p.show_details)
    .bind(p.updated_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Sets (or clears) the avatar, creating the profile row if the member had none.
pub async fn set_avatar(tx: &mut Tx, user_id: &str, file_id: Option<&str>, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO member_profiles (user_id, avatar_file_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET avatar_file_id = excluded.avatar_file_id,
             updated_at = excluded.updated_at"
    )
    .bind(user_id)
    .bind(file_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Whether a file is someone's current picture (pictures are shown to anyone who may see the
/// member, including visitors of a public community).
pub async fn is_avatar<'a>(src: impl Into<Source<'a>>, file_id: &str) -> Result<bool> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM member_profiles WHERE avatar_file_id = $1 LIMIT 1"
    )
    .bind(file_id)
    .fetch_optional(c)
    .await
    .map(|r| r.is_some())
    .db())
}

/// Replaces the member's interest rows (what the directory's interest filter reads).
pub async fn set_interests(tx: &mut Tx, user_id: &str, interests: &[String]) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM member_interests WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for interest in interests {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO member_interests (interest, user_id) VALUES ($1, $2)
             ON CONFLICT (interest, user_id) DO NOTHING"
        )
        .bind(interest)
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

/// Rebuilds what the directory knows of a member's name: the sort key on the user and on each
/// membership, and the search words of the name and handle. Called by every writer of names.
pub async fn refresh_name(tx: &mut Tx, user_id: &str) -> Result<()> {
    let found = with_tx!(tx, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT display_name, handle FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())?;
    let Some((display_name, handle)) = found else {
        return Ok(());
    };
    let key = name_key(&display_name);
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET name_key = $2 WHERE id = $1"
    )
    .bind(user_id)
    .bind(&key)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET name_key = $2 WHERE user_id = $1"
    )
    .bind(user_id)
    .bind(&key)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let mut terms = search_terms(&display_name);
    if !handle.is_empty() && !terms.contains(&handle) {
        terms.push(handle);
    }
    replace_terms(tx, "", "", user_id, &terms).await
}

/// Replaces the search words of one source (a name: empty community and field; or one answer).
async fn replace_terms(
    tx: &mut Tx,
    community_id: &str,
    field_id: &str,
    user_id: &str,
    terms: &[String],
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM member_search_terms
         WHERE user_id = $1 AND community_id = $2 AND field_id = $3"
    )
    .bind(user_id)
    .bind(community_id)
    .bind(field_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for term in terms {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO member_search_terms (community_id, term, field_id, user_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, term, field_id, user_id) DO NOTHING"
        )
        .bind(community_id)
        .bind(term)
        .bind(field_id)
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?;
    }
    Ok(())
}

/// Keeps the directory's "last active" sort in step with the activity log.
pub async fn touch_last_active(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET last_active_at = $3
         WHERE community_id = $1 AND user_id = $2 AND last_active_at < $3"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FieldRow {
    pub id: String,
    pub community_id: String,
    pub label: String,
    /// text, single_select, multi_select or url.
    pub kind: String,
    /// JSON array of the choices (select kinds).
    pub options: String,
    pub required: bool,
    /// everyone, members or admins.
    pub visibility: String,
    /// Where the field comes in the community's list (new fields go last).
    pub sort_order: i64,
    pub created_at: i64,
}

const FIELD_COLUMNS: &str =
    "id, community_id, label, kind, options, required, visibility, sort_order, created_at";

/// A community's custom fields, in their order.
pub async fn fields<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<Vec<FieldRow>> {
    let sql = format!(
        "SELECT {FIELD_COLUMNS} FROM profile_fields WHERE community_id = $1 ORDER BY sort_order, id"
    );
    with_read!(src, |c| sqlx::query_as::<_, FieldRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

pub async fn insert_field(tx: &mut Tx, f: &FieldRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO profile_fields (id, community_id, label, kind, options, required, visibility,
             sort_order, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
             (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM profile_fields WHERE community_id = $2), $8)"
    )
    .bind(&f.id)
    .bind(&f.community_id)
    .bind(&f.label)
    .bind(&f.kind)
    .bind(&f.options)
    .bind(f.required)
    .bind(&f.visibility)
    .bind(f.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// Changes a field's definition (its kind stays: answers were checked against it).
pub async fn update_field(tx: &mut Tx, f: &FieldRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE profile_fields SET label = $3, options = $4, required = $5, visibility = $6
         WHERE community_id = $1 AND id = $2"
    )
    .bind(&f.community_id)
    .bind(&f.id)
    .bind(&f.label)
    .bind(&f.options)
    .bind(f.required)
    .bind(&f.visibility)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Deletes a field with its answers and their search words.
pub async fn delete_field(tx: &mut Tx, community_id: &str, field_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM member_search_terms WHERE community_id = $1 AND field_id = $2"
    )
    .bind(community_id)
    .bind(field_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM profile_field_values WHERE field_id = $1"
    )
    .bind(field_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM profile_fields WHERE community_id = $1 AND id = $2"
    )
    .bind(community_id)
    .bind(field_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Drops answers to a select field that are no longer among its choices.
pub async fn drop_values_not_in(tx: &mut Tx, field_id: &str, keys: &[String]) -> Result<()> {
    let current = with_tx!(tx, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT user_id, value_key FROM profile_field_values WHERE field_id = $1"
    )
    .bind(field_id)
    .fetch_all(c)
    .await
    .db())?;
    for (user_id, key) in current.into_iter().filter(|(_, k)| !keys.contains(k)) {
        with_tx!(tx, |c| {
            sqlx::query(
            "DELETE FROM profile_field_values WHERE field_id = $1 AND user_id = $2 AND value_key = $3"
        )
        .bind(field_id)
        .bind(&user_id)
        .bind(&key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValueRow {
    pub field_id: String,
    pub user_id: String,
    pub value: String,
}

/// A member's answers in one community, in the order they were given.
pub async fn values_of<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Vec<ValueRow>> {
    with_read!(src, |c| sqlx::query_as::<_, ValueRow>(
        "SELECT field_id, user_id, value FROM profile_field_values
         WHERE community_id = $1 AND user_id = $2 ORDER BY field_id, position"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

/// The labels of a community's required fields a member has not answered, in the fields'
/// order (the prompt members who joined before a field became required see).
pub async fn unanswered_required<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Vec<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT f.label FROM profile_fields f
         WHERE f.community_id = $1 AND f.required
           AND NOT EXISTS (SELECT 1 FROM profile_field_values v
                           WHERE v.field_id = f.id AND v.user_id = $2)
         ORDER BY f.sort_order, f.id"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

/// Replaces a member's answer to one field, with the search words of its text.
pub async fn replace_values(
    tx: &mut Tx,
    community_id: &str,
    field_id: &str,
    user_id: &str,
    values: &[String],
    searchable: bool,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM profile_field_values WHERE field_id = $1 AND user_id = $2"
    )
    .bind(field_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let mut terms: Vec<String> = Vec::new();
    for (position, value) in values.iter().enumerate() {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO profile_field_values (field_id, user_id, community_id, value, value_key, position)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (field_id, user_id, value_key) DO NOTHING"
        )
        .bind(field_id)
        .bind(user_id)
        .bind(community_id)
        .bind(value)
        .bind(townsquare_domain::profiles::value_key(value))
        .bind(position as i64)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?;
        if searchable {
            for term in search_terms(value) {
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
    }
    replace_terms(tx, community_id, field_id, user_id, &terms).await
}
