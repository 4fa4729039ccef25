-- Search filters and recency (issue 3). Identical indexes in ../postgres/0010_search_filters.sql:
-- the newest posts of a space or of a community, for filtered searches and for an empty query
-- with filters ("everything in this space, newest first"), read backwards on an index.
CREATE INDEX posts_space_time ON posts(space_id, created_at);
-- posts_community_time (community_id, created_at), which the community-wide filter reads,
-- comes with 0009_topic_lists.

-- FTS5 rowids become a time key: created_at * 1000 + n (n tells apart posts written in the
-- same microsecond). Reading the index in rowid order is then reading matches newest first,
-- and a date range is a rowid range the index answers itself, so a word in nearly every post
-- costs the newest few thousand matches, not all of them. Rebuild the table with those rowids.
CREATE TABLE post_search_rekey AS
SELECT s.post_id AS post_id, s.title AS title, s.body AS body,
       p.created_at * 1000 + (row_number() OVER (PARTITION BY p.created_at ORDER BY p.id) - 1) AS rid
FROM post_search s JOIN posts p ON p.id = s.post_id;
DELETE FROM post_search;
DELETE FROM post_search_rowids;
-- In rowid order: FTS5 flushes its pending terms whenever a rowid goes backwards.
INSERT INTO post_search (rowid, post_id, title, body)
SELECT rid, post_id, title, body FROM post_search_rekey ORDER BY rid;
INSERT INTO post_search_rowids (post_id, search_rowid) SELECT post_id, rid FROM post_search_rekey;
DROP TABLE post_search_rekey;
