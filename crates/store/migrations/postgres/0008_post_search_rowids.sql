-- Keeps the migration numbers of both trees aligned: SQLite's 0008 adds a rowid map for its
-- FTS5 search table; PostgreSQL's post_search is keyed by post_id already.
SELECT 1;
