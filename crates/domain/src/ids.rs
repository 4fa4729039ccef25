//! Ids are made by the application, not the database, so that a row's id is known before the
//! insert (activity records and notifications can point at it in the same transaction) and
//! sort by creation time on both backends.

/// A new UUIDv7 as lowercase hyphenated text: sortable by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
