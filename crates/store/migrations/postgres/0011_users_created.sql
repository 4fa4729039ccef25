-- The superadmin page lists the newest accounts.
CREATE INDEX users_created ON users(created_at);
