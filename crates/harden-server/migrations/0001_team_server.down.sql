-- Undoes 0001_team_server: every table, policy and function it created. The role
-- harden_tenant is cluster-wide and other databases may use it, so it is kept.
DROP TABLE IF EXISTS harden_smoke;
DROP TABLE IF EXISTS harden_waivers;
DROP TABLE IF EXISTS harden_runs;
DROP TABLE IF EXISTS harden_entries;
DROP FUNCTION IF EXISTS harden_append_only();
DROP FUNCTION IF EXISTS harden_fail(TEXT);
DROP TABLE IF EXISTS harden_sessions;
DROP TABLE IF EXISTS harden_tokens;
DROP TABLE IF EXISTS harden_projects;
DROP TABLE IF EXISTS harden_orgs;
