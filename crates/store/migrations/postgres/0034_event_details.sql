-- Event details: registration questions and members' answers, co-hosts and speakers.
-- Identical DDL for both backends.

-- Up to five questions per event, in the host's order (`position` from 1). `kind` is text or
-- choice; `options` a JSON array of the choices ("[]" for text).
CREATE TABLE registration_questions (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    prompt TEXT NOT NULL,
    kind TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    options TEXT NOT NULL,
    UNIQUE (event_id, position)
);

-- A member's answers, written with their registration (and replaced when they register
-- anew). Read per event for the hosts' list and export, per member for their own.
CREATE TABLE registration_answers (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL REFERENCES registration_questions(id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id, question_id)
);
CREATE INDEX registration_answers_question ON registration_answers(question_id);

-- Co-hosts: members the event's creator (or an admin) added. They may edit the event, check
-- registrants in and moderate its Q&A, like the community's admins.
CREATE TABLE event_hosts (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    added_by TEXT NOT NULL REFERENCES users(id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_hosts_user ON event_hosts(user_id);

-- Speakers shown on the event page, in the hosts' order: a name, a short bio and, if they
-- are a member, a link to them.
CREATE TABLE event_speakers (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ordinal BIGINT NOT NULL,
    name TEXT NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    bio TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX event_speakers_event ON event_speakers(event_id, ordinal);
CREATE INDEX event_speakers_user ON event_speakers(user_id);
