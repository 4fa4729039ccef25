-- Application questions: what a community that approves its members asks the people who ask
-- to join (at most 10, set by its admins), and their answers, kept with the request. An
-- answer keeps the question's text as it was asked, so it still reads right after the
-- question is changed or removed. Keep in step with the other backend's tree: a test
-- compares the two.
CREATE TABLE application_questions (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    prompt TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    ordinal BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX application_questions_community ON application_questions(community_id, ordinal);

CREATE TABLE application_answers (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ordinal BIGINT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, user_id, ordinal)
);
