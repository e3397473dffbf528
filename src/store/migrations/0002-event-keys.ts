/** Migration 0002: the event log keyed by one integer, and fewer job indexes. Never edited once applied. */

/**
 * Appending to the event log was dominated by index upkeep: a second B-tree for the
 * (session_id, seq) primary key and a third for the job-history index. Here each session gets
 * an integer key, and an event's rowid is `key << 32 | seq`, so an append writes one B-tree
 * and a session's log is one rowid range (DESIGN-14). A job's own history is read from its
 * owning session's range (the job row names the session and bounds the seqs to scan);
 * `unowned_history` lists the sessions holding a job's own events that no job row leads to
 * (the job was pruned while its session lived on, or never had a row). The jobs table loses
 * the indexes only a full scan at startup or an unfiltered operator listing needed.
 */
export const EVENT_KEYS_SQL = `
-- Keys are never reused (AUTOINCREMENT), so a stale cached key can never reach another
-- session's events; 31 bits keep key << 32 | seq a positive 64-bit rowid.
CREATE TABLE session_keys (
  key INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT CHECK (key BETWEEN 1 AND 2147483647),
  id  TEXT    NOT NULL UNIQUE
) STRICT;

INSERT INTO session_keys (id) SELECT DISTINCT session_id FROM events ORDER BY session_id;

CREATE TABLE unowned_history (
  session_key INTEGER NOT NULL,
  job_id      TEXT    NOT NULL,
  PRIMARY KEY (session_key, job_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX unowned_history_by_job ON unowned_history (job_id);

INSERT INTO unowned_history (session_key, job_id)
  SELECT DISTINCT k.key, e.job_id
  FROM events AS e JOIN session_keys AS k ON k.id = e.session_id
  WHERE e.owner_event = 1 AND e.job_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM jobs AS j WHERE j.id = e.job_id AND j.session_id = e.session_id);

-- The seqs of the job's own events appended while this row existed: where reading its
-- history in the owning session starts and ends.
ALTER TABLE jobs ADD COLUMN own_first_seq INTEGER;
ALTER TABLE jobs ADD COLUMN own_last_seq INTEGER;

UPDATE jobs SET (own_first_seq, own_last_seq) = (
  SELECT min(e.seq), max(e.seq) FROM events AS e
  WHERE e.job_id = jobs.id AND e.owner_event = 1 AND e.session_id = jobs.session_id
);

CREATE TABLE events_by_key (
  id          INTEGER NOT NULL PRIMARY KEY,      -- session key << 32 | seq
  job_id      TEXT,
  type        TEXT    NOT NULL,
  kind        TEXT,
  ts          INTEGER NOT NULL,
  frame       TEXT    NOT NULL,
  owner_event INTEGER NOT NULL CHECK (owner_event IN (0, 1))
) STRICT;

-- A seq outside 0..2^32-1 cannot be keyed; the text makes the insert, and so this whole
-- migration, fail instead of filing the event under another seq.
INSERT INTO events_by_key (id, job_id, type, kind, ts, frame, owner_event)
  SELECT CASE WHEN e.seq BETWEEN 0 AND 4294967295 THEN (k.key << 32) + e.seq
              ELSE 'event seq out of range' END,
         e.job_id, e.type, e.kind, e.ts, e.frame, e.owner_event
  FROM events AS e JOIN session_keys AS k ON k.id = e.session_id
  ORDER BY k.key, e.seq;

DROP TABLE events;
ALTER TABLE events_by_key RENAME TO events;

-- Listing without a principal and the live-job scan at startup may scan the table; listing
-- per principal keeps jobs_by_principal, pruning keeps jobs_ended.
DROP INDEX jobs_by_created;
DROP INDEX jobs_live;
`;
