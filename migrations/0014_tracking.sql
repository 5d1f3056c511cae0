-- The daily check-in (src/tracking): one per client per local date, sent at most once
-- (the Idempotency-Key of an offline check-in sent late), the note sealed and readable by the
-- care team only when the client shares it. Ratings are plain so that charts, patterns and
-- crisis rules can read them; a rating the client skipped is NULL, never 0.
CREATE TABLE tracking_check_ins (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  local_date TEXT NOT NULL,                 -- YYYY-MM-DD, the client's own date
  mood INTEGER NOT NULL,                    -- 0–10
  anxiety INTEGER,                          -- 0–10
  sleep_hours DOUBLE PRECISION,             -- 0–24 in half hours
  sleep_quality INTEGER,                    -- 0–4
  energy INTEGER,                           -- 0–10
  self_harm_urge INTEGER,                   -- 0–5
  medication TEXT,                          -- yes | no | not_applicable
  factors TEXT NOT NULL DEFAULT '',         -- factor ids ticked, space separated
  note TEXT,                                -- sealed; NULL when the client wrote none
  share_note INTEGER NOT NULL DEFAULT 0,    -- 1: the care team may read the note
  idempotency_key TEXT,
  request_hash TEXT,                        -- a key sent again with another body is refused
  created_at BIGINT NOT NULL,               -- when the server stored it
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tracking_check_ins_day ON tracking_check_ins(client_id, local_date);
CREATE UNIQUE INDEX tracking_check_ins_idempotency
  ON tracking_check_ins(client_id, idempotency_key);

-- The factors a client adds to the service's list (content/tracking/factors.json, or the
-- tracking_factors setting). The label is what the client typed, so it is sealed.
CREATE TABLE tracking_client_factors (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  factor_id TEXT NOT NULL,                  -- lower-case letters, digits and _; stored in check-ins
  label TEXT NOT NULL,                      -- sealed
  kind TEXT NOT NULL,                       -- activity | factor
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tracking_client_factors_id ON tracking_client_factors(client_id, factor_id);
