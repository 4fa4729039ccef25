-- The analytics lists (docs/metrics.md, "Lists") read topics created in a period per
-- community: questions for support deflection, tags for trending.
CREATE INDEX topics_community_created ON topics(community_id, created_at);
-- Top posts count each post's direct replies.
CREATE INDEX posts_reply_to ON posts(reply_to_id);
