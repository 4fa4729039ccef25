-- Secrets the whole instance shares (every server process behind the load balancer must
-- agree on them), made on first use: e.g. the key that signs the time a sign-up form was
-- shown, so a form filled in faster than a person can is refused.
CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
