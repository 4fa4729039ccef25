-- The directory's interest filter leaves out members who hide their details; they are few,
-- so it reads them from this small partial index instead of each match's profile.
CREATE INDEX member_profiles_hidden ON member_profiles(user_id) WHERE NOT show_details;
