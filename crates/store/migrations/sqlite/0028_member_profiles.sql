-- Member profiles and the member directory. Keep in step with ../postgres/0028_member_profiles.sql
-- (a test compares the two; PostgreSQL declares the prefix-searched columns COLLATE "C" so that
-- both backends compare them byte by byte, as the prefix ranges in store::profiles assume).

-- What a member says about themselves, the same in every community. `links` and `interests`
-- are JSON arrays; the interests are also rows of member_interests, for filtering.
CREATE TABLE member_profiles (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    headline TEXT NOT NULL DEFAULT '',
    bio TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '[]',
    interests TEXT NOT NULL DEFAULT '[]',
    avatar_file_id TEXT,
    show_email BOOLEAN NOT NULL DEFAULT FALSE,
    show_details BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at BIGINT NOT NULL
);

CREATE TABLE member_interests (
    interest TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (interest, user_id)
);
CREATE INDEX member_interests_user ON member_interests(user_id);

-- Custom profile fields, defined per community by its admins. `options` is a JSON array (for
-- the select kinds).
CREATE TABLE profile_fields (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    visibility TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX profile_fields_community ON profile_fields(community_id, sort_order);

-- A member's answers: one row per value (several for a multi select). `value_key` is the
-- value in lower case, what the directory filters by.
CREATE TABLE profile_field_values (
    field_id TEXT NOT NULL REFERENCES profile_fields(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (field_id, user_id, value_key)
);
CREATE INDEX profile_field_values_filter ON profile_field_values(field_id, value_key, user_id);
CREATE INDEX profile_field_values_member ON profile_field_values(community_id, user_id);

-- The words the directory search matches by prefix: a member's name and handle (community_id
-- and field_id empty: the same in every community), and the words of their answers to custom
-- fields (with the field, so a search only matches fields the viewer may see).
CREATE TABLE member_search_terms (
    community_id TEXT NOT NULL,
    term TEXT NOT NULL,
    field_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (community_id, term, field_id, user_id)
);
CREATE INDEX member_search_terms_user ON member_search_terms(user_id, community_id);

-- What the directory sorts by, kept on the membership row so each sort is one index range:
-- the name's sort key (lower case, copied from users) and the last activity in the community.
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN last_active_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET name_key = lower(display_name);
UPDATE memberships SET
    name_key = (SELECT u.name_key FROM users u WHERE u.id = memberships.user_id),
    last_active_at = joined_at;
CREATE INDEX memberships_directory_name ON memberships(community_id, status, name_key, user_id);
CREATE INDEX memberships_directory_joined ON memberships(community_id, status, joined_at, user_id);
CREATE INDEX memberships_directory_active ON memberships(community_id, status, last_active_at, user_id);

-- Existing accounts become searchable by their whole name and handle; new names are split
-- into words when saved.
INSERT INTO member_search_terms (community_id, term, field_id, user_id)
SELECT '', lower(display_name), '', id FROM users WHERE display_name <> ''
UNION SELECT '', handle, '', id FROM users WHERE handle <> '';
