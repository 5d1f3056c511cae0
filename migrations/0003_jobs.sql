-- Durable timed work (src/platform/jobs): escalations, reminders, follow-ups. A job is claimed
-- by one instance at a time (claimed_by, lease until claimed_until); done and dead jobs stay
-- for the record until pruned.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',      -- JSON; ids only, never client content
  dedupe_key TEXT,                         -- at most one pending/running job per (kind, key)
  state TEXT NOT NULL DEFAULT 'pending',   -- pending | running | done | dead | cancelled
  due_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 10,
  claimed_by TEXT,
  claimed_until BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs(state, due_at);
CREATE INDEX jobs_kind_key ON jobs(kind, dedupe_key);

-- Rows written by `system.probe` jobs (tend jobs probe): one per run, so that operators and
-- tests can see that every job ran, and ran once, across instances.
CREATE TABLE job_probe_runs (
  job_id TEXT NOT NULL,
  instance TEXT NOT NULL,
  ran_at BIGINT NOT NULL
);
CREATE INDEX job_probe_runs_job ON job_probe_runs(job_id);
