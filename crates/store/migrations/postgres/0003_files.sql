-- Uploaded files (avatars, attachments, recordings). The bytes live in the blob store
-- (the data directory or an S3 bucket) under `storage_key`, which the server makes;
-- nothing here is a path built from what the uploader sent.
CREATE TABLE files (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT REFERENCES communities(id) ON DELETE CASCADE,
    uploader_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX files_community_time ON files(community_id, created_at);
