-- FTS5 cannot index its post_id column, so finding a post's search row by post id scanned
-- the whole index (bench/discussions: 293 ms per reply at 1M posts). This maps post ids to
-- FTS rowids. PostgreSQL's post_search has post_id as its primary key and needs nothing.
CREATE TABLE post_search_rowids (
    post_id TEXT PRIMARY KEY NOT NULL,
    search_rowid INTEGER NOT NULL
);
INSERT INTO post_search_rowids (post_id, search_rowid) SELECT post_id, rowid FROM post_search;
