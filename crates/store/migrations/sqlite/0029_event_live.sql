-- During and after an event: the live Q&A board, polls, recordings and resources, the recap
-- and AMA archive topics, and attendee feedback. Identical DDL for both backends.

-- Questions on an event's Q&A board. `vote_count` is kept in the voting transaction so the
-- board sorts by a column; `answer` is the host's Markdown answer (empty until answered).
CREATE TABLE event_questions (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    vote_count BIGINT NOT NULL DEFAULT 0,
    answer TEXT NOT NULL DEFAULT '',
    answered_at BIGINT,
    answered_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    hidden_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX event_questions_board ON event_questions(event_id, vote_count, created_at);

-- One upvote per member and question: the primary key is the rule.
CREATE TABLE event_question_votes (
    question_id TEXT NOT NULL REFERENCES event_questions(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX event_question_votes_user ON event_question_votes(user_id);

-- Polls: `choice` is single or multiple; `results` says when voters see the tally
-- (after_vote or after_close); `status` goes draft → open → closed.
CREATE TABLE event_polls (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    choice TEXT NOT NULL,
    results TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    opened_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX event_polls_event ON event_polls(event_id, created_at);

CREATE TABLE event_poll_options (
    id TEXT PRIMARY KEY NOT NULL,
    poll_id TEXT NOT NULL REFERENCES event_polls(id) ON DELETE CASCADE,
    ordinal BIGINT NOT NULL,
    label TEXT NOT NULL
);
CREATE UNIQUE INDEX event_poll_options_ordinal ON event_poll_options(poll_id, ordinal);

-- One ballot per member and poll (the primary key makes a second, concurrent ballot fail),
-- and the options it chose: counts are counted from these rows.
CREATE TABLE event_poll_ballots (
    poll_id TEXT NOT NULL REFERENCES event_polls(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX event_poll_ballots_user ON event_poll_ballots(user_id);
CREATE TABLE event_poll_choices (
    poll_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    option_id TEXT NOT NULL REFERENCES event_poll_options(id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, user_id, option_id),
    FOREIGN KEY (poll_id, user_id) REFERENCES event_poll_ballots(poll_id, user_id) ON DELETE CASCADE
);
CREATE INDEX event_poll_choices_option ON event_poll_choices(option_id);

-- What stays after the event: the recording (kind 'recording', at most one) and resources
-- (kind 'resource'), each a web address or one of the community's uploaded files (/files/..).
CREATE TABLE event_materials (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX event_materials_event ON event_materials(event_id, kind, created_at);

-- One row per event once anything happened after it: the recap topic, the AMA archive topic,
-- and when the feedback request went out (set once: it is sent once).
CREATE TABLE event_followups (
    event_id TEXT PRIMARY KEY NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    recap_topic_id TEXT REFERENCES topics(id) ON DELETE SET NULL,
    archive_topic_id TEXT REFERENCES topics(id) ON DELETE SET NULL,
    feedback_requested_at BIGINT
);

-- Attendee feedback: one per attendee and event, editable.
CREATE TABLE event_feedback (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rating BIGINT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
