-- Search filters and recency (issue 3). Identical indexes in ../sqlite/0010_search_filters.sql:
-- the newest posts of a space or of a community, for filtered searches, for ranking only the
-- newest matches of a very common word, and for an empty query with filters ("everything in
-- this space, newest first"), read backwards on an index.
CREATE INDEX posts_space_time ON posts(space_id, created_at);
-- posts_community_time (community_id, created_at), which the community-wide filter reads,
-- comes with 0009_topic_lists.
