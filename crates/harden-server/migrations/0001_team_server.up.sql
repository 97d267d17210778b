-- The team server's schema: organisations own projects, each project has one hash chain of
-- entries, and the run, waiver and token tables index what the API and dashboard read.
--
-- Tenancy is enforced by PostgreSQL: every tenant table carries org_id under a row-level
-- security policy for the role harden_tenant, and the server runs every organisation's queries
-- as that role with `harden.org` set for the transaction. A query that forgets its organisation
-- sees nothing; it cannot see another's rows.

DO $$
BEGIN
    CREATE ROLE harden_tenant NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;
-- The server's login role switches to harden_tenant with SET LOCAL ROLE.
GRANT harden_tenant TO CURRENT_USER;

CREATE TABLE harden_orgs (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE harden_projects (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    name TEXT NOT NULL,
    -- The head of the project's chain (seq 0: empty). Appenders queue on this row's lock, so
    -- one project's chain never forks while other projects append concurrently.
    head_seq BIGINT NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (org_id, name)
);

-- Tokens are stored as SHA-256 digests: the token itself is printed once and never kept.
CREATE TABLE harden_tokens (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    project_id BIGINT REFERENCES harden_projects (id),
    digest BYTEA NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);

-- Dashboard sessions, stored as digests of the cookie value.
CREATE TABLE harden_sessions (
    digest BYTEA PRIMARY KEY,
    token_id BIGINT NOT NULL REFERENCES harden_tokens (id),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX harden_sessions_expiry ON harden_sessions (expires_at);

-- One hash chain per project, in the CLI ledger's entry format (harden-ledger/1).
CREATE TABLE harden_entries (
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    project_id BIGINT NOT NULL REFERENCES harden_projects (id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    -- What makes a retried push the same push: a run's id, else the entry's hash in the
    -- pushing repository's ledger.
    push_key TEXT NOT NULL,
    PRIMARY KEY (project_id, seq),
    UNIQUE (project_id, push_key)
);
CREATE INDEX harden_entries_by_kind ON harden_entries (project_id, kind, seq DESC);

CREATE FUNCTION harden_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the evidence ledger is append-only'; END
$$ LANGUAGE plpgsql;
CREATE TRIGGER harden_entries_append_only BEFORE UPDATE OR DELETE ON harden_entries
FOR EACH ROW EXECUTE FUNCTION harden_append_only();
CREATE TRIGGER harden_entries_no_truncate BEFORE TRUNCATE ON harden_entries
FOR EACH STATEMENT EXECUTE FUNCTION harden_append_only();

-- Fails the statement (and so the transaction) it is called from: how a pipelined write that
-- touched nothing stops the COMMIT sent behind it from committing the rest.
CREATE FUNCTION harden_fail(message TEXT) RETURNS INTEGER AS $$
BEGIN RAISE EXCEPTION '%', message; END
$$ LANGUAGE plpgsql VOLATILE;

-- What the API reads of each run entry, beside the entry itself.
CREATE TABLE harden_runs (
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    project_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    run_id TEXT NOT NULL,
    commit_id TEXT,
    dirty BOOLEAN,
    artifact TEXT,
    profile TEXT NOT NULL,
    strict BOOLEAN NOT NULL,
    passed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    waived INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    findings INTEGER NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL,
    -- Gate id to outcome, so a gate's history is read from this index without the bodies.
    outcomes JSONB NOT NULL,
    PRIMARY KEY (project_id, seq),
    FOREIGN KEY (project_id, seq) REFERENCES harden_entries (project_id, seq)
);
-- Byte order, so a commit prefix is a range scan whatever the database's collation.
CREATE INDEX harden_runs_by_commit ON harden_runs (project_id, (commit_id COLLATE "C"));

CREATE TABLE harden_waivers (
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    project_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    waiver TEXT NOT NULL,
    gate TEXT NOT NULL,
    expires DATE NOT NULL,
    state TEXT NOT NULL,
    owner TEXT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (project_id, seq, waiver),
    FOREIGN KEY (project_id, seq) REFERENCES harden_runs (project_id, seq)
);

-- What streaks read of each smoke record: its day, whether it passed and what failed.
CREATE TABLE harden_smoke (
    org_id BIGINT NOT NULL REFERENCES harden_orgs (id),
    project_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    day DATE NOT NULL,
    pass BOOLEAN NOT NULL,
    failing TEXT[] NOT NULL,
    PRIMARY KEY (project_id, seq),
    FOREIGN KEY (project_id, seq) REFERENCES harden_entries (project_id, seq)
);
CREATE INDEX harden_smoke_by_day ON harden_smoke (project_id, day DESC);

-- Row-level security on every tenant table.
ALTER TABLE harden_orgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_orgs ON harden_orgs TO harden_tenant
    USING (id = current_setting('harden.org')::BIGINT);
ALTER TABLE harden_projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_projects ON harden_projects TO harden_tenant
    USING (org_id = current_setting('harden.org')::BIGINT)
    WITH CHECK (org_id = current_setting('harden.org')::BIGINT);
ALTER TABLE harden_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_entries ON harden_entries TO harden_tenant
    USING (org_id = current_setting('harden.org')::BIGINT)
    WITH CHECK (org_id = current_setting('harden.org')::BIGINT);
ALTER TABLE harden_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_runs ON harden_runs TO harden_tenant
    USING (org_id = current_setting('harden.org')::BIGINT)
    WITH CHECK (org_id = current_setting('harden.org')::BIGINT);
ALTER TABLE harden_waivers ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_waivers ON harden_waivers TO harden_tenant
    USING (org_id = current_setting('harden.org')::BIGINT)
    WITH CHECK (org_id = current_setting('harden.org')::BIGINT);

ALTER TABLE harden_smoke ENABLE ROW LEVEL SECURITY;
CREATE POLICY harden_tenant_smoke ON harden_smoke TO harden_tenant
    USING (org_id = current_setting('harden.org')::BIGINT)
    WITH CHECK (org_id = current_setting('harden.org')::BIGINT);

-- The tenant role reads and appends; it updates only a project's head and deletes nothing.
GRANT SELECT ON harden_orgs TO harden_tenant;
GRANT SELECT ON harden_projects TO harden_tenant;
GRANT UPDATE (head_seq, head_hash) ON harden_projects TO harden_tenant;
GRANT SELECT, INSERT ON harden_entries, harden_runs, harden_waivers, harden_smoke TO harden_tenant;
