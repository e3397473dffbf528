/** Migration 0001: the initial SQLite schema. Applied migrations are never edited (CONVENTIONS 9). */

/**
 * Sessions, jobs, the event log, the credential ledger and the audit log (DESIGN-14).
 * Times are epoch milliseconds; JSON values are TEXT; budgets are a JSON object of exact
 * decimal strings (never floats, DESIGN-10). There are no foreign keys between these tables
 * on purpose: jobs outlive their sessions (DESIGN-13), a job's own events outlive its session
 * for `job.subscribe` history, and ledger rows outlive their jobs until revoked (§9.8).
 */
export const INIT_SQL = `
CREATE TABLE sessions (
  id                TEXT    NOT NULL PRIMARY KEY,
  principal         TEXT    NOT NULL,
  resume_token_hash TEXT    NOT NULL,
  features          TEXT    NOT NULL,            -- JSON array of feature names
  resume_window_sec INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  detached_at       INTEGER,                     -- null while a transport is attached
  last_seq          INTEGER NOT NULL DEFAULT 0,  -- raised by every append
  acked_seq         INTEGER NOT NULL DEFAULT 0,
  origin            TEXT    NOT NULL CHECK (origin IN ('arcp', 'arp'))
) STRICT;

CREATE INDEX sessions_detached ON sessions (detached_at, id) WHERE detached_at IS NOT NULL;

CREATE TABLE jobs (
  id                TEXT    NOT NULL PRIMARY KEY,
  session_id        TEXT    NOT NULL,            -- the owning session; may be gone
  principal         TEXT    NOT NULL,
  agent             TEXT    NOT NULL,            -- name@version
  state             TEXT    NOT NULL
    CHECK (state IN ('pending', 'running', 'success', 'error', 'cancelled', 'timed_out')),
  input             TEXT    NOT NULL,            -- JSON
  lease             TEXT    NOT NULL,            -- JSON object
  lease_constraints TEXT,                        -- JSON object
  budget            TEXT,                        -- JSON object of decimal strings (micro-units)
  parent_job_id     TEXT,
  delegate_id       TEXT,
  trace_id          TEXT    NOT NULL,
  idempotency_key   TEXT,
  submit_digest     TEXT,
  max_runtime_sec   INTEGER,
  accepted_payload  TEXT    NOT NULL,
  run_id            TEXT,
  run_context       TEXT,                        -- JSON object (ARP run_context)
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  ended_at          INTEGER,
  last_event_seq    INTEGER NOT NULL DEFAULT 0,
  error_code        TEXT
) STRICT;

CREATE UNIQUE INDEX jobs_idempotency ON jobs (principal, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX jobs_run_id ON jobs (principal, run_id) WHERE run_id IS NOT NULL;
CREATE INDEX jobs_by_principal ON jobs (principal, created_at, id);
CREATE INDEX jobs_by_created ON jobs (created_at, id);
CREATE INDEX jobs_live ON jobs (created_at, id) WHERE state IN ('pending', 'running');
CREATE INDEX jobs_ended ON jobs (ended_at) WHERE ended_at IS NOT NULL;

-- One row per seq-bearing envelope, stored exactly as sent. The composite primary key is
-- the replay order; the partial index serves a job's own history (job.subscribe).
CREATE TABLE events (
  session_id  TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  job_id      TEXT,
  type        TEXT    NOT NULL,
  kind        TEXT,
  ts          INTEGER NOT NULL,
  frame       TEXT    NOT NULL,
  owner_event INTEGER NOT NULL CHECK (owner_event IN (0, 1)),
  PRIMARY KEY (session_id, seq)
) STRICT;

CREATE INDEX events_job_history ON events (job_id, seq) WHERE owner_event = 1;

CREATE TABLE credentials (
  id              TEXT    NOT NULL PRIMARY KEY,
  job_id          TEXT    NOT NULL,
  provisioner     TEXT    NOT NULL,
  handle          TEXT    NOT NULL,              -- non-secret revocation reference
  state           TEXT    NOT NULL CHECK (state IN ('live', 'revoking', 'revoked', 'failed')),
  issued_at       INTEGER NOT NULL,
  expires_at      INTEGER,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error      TEXT,
  revoked_at      INTEGER
) STRICT;

CREATE INDEX credentials_by_job ON credentials (job_id, issued_at, id);
CREATE INDEX credentials_by_state ON credentials (state, next_attempt_at, id);

CREATE TABLE audit (
  id        INTEGER NOT NULL PRIMARY KEY,        -- append order
  ts        INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  principal TEXT,
  details   TEXT    NOT NULL                     -- JSON object
) STRICT;

CREATE INDEX audit_by_kind ON audit (kind, id);
`;
