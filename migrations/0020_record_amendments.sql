-- A client's requests to correct their record (src/record/service.cpp), and the service's answer.
-- Both are kept for ever and shown to the client: a request is never changed or deleted, only
-- decided once (accepted or refused, a refusal with its reason). The requested change and the
-- reason (or an acceptance's note) are sealed.
CREATE TABLE record_amendments (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  what TEXT NOT NULL,                       -- sealed: which part of the record, in the client's words
  ref_kind TEXT NOT NULL DEFAULT '',        -- optional pointer: details | diagnosis | note | …
  ref_id TEXT NOT NULL DEFAULT '',
  change TEXT NOT NULL,                     -- sealed: what the client asks to change
  status TEXT NOT NULL,                     -- open | accepted | refused
  task_id TEXT,                             -- the care task raised for the primary clinician
  decided_by TEXT REFERENCES users(id),
  decided_at BIGINT,
  reason TEXT,                              -- sealed: why refused, or the note on acceptance
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX record_amendments_client ON record_amendments(client_id, created_at);
CREATE INDEX record_amendments_status ON record_amendments(status, created_at);
