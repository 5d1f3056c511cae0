-- The daily check-in, continued (src/tracking): the answers given to Idempotency-Keys, so that
-- a check-in an offline phone sends again is stored once and answered as the first time; and
-- the daily reminders, one per client per local date whatever the number of instances.

-- One row per Idempotency-Key a client has used. A key sent again with the same body gets
-- `response` back; with another body it is refused. Kept apart from the check-in row, which a
-- later check-in for the same date replaces, so that an old key sent late never overwrites it.
CREATE TABLE tracking_check_in_requests (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  idempotency_key TEXT NOT NULL,            -- 1–100 printable ASCII, the client's choice
  request_hash TEXT NOT NULL,               -- BLAKE2b of the body in canonical JSON
  check_in_id TEXT NOT NULL,
  status INTEGER NOT NULL,                  -- 201 (first for its date) or 200 (replaced)
  response TEXT NOT NULL,                   -- sealed: the check-in JSON as first answered
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tracking_check_in_requests_key
  ON tracking_check_in_requests(client_id, idempotency_key);

-- The check-in reminder of one client on one local date (the service's time zone): created
-- when it falls due (the primary key makes it once a day, on any number of instances), sent by
-- a durable job, with what became of it.
CREATE TABLE tracking_reminders (
  client_id TEXT NOT NULL REFERENCES clients(id),
  local_date TEXT NOT NULL,                 -- YYYY-MM-DD
  remind_at TEXT NOT NULL,                  -- the preference's 'HH:MM' it was made for
  due_at BIGINT NOT NULL,                   -- that local time as an instant (clock changes applied)
  outcome TEXT,                             -- NULL pending | sent | checked_in | no_consent | stale
  done_at BIGINT,
  PRIMARY KEY (client_id, local_date)
);
