-- Assessment and measurement-based care: scored results, measurement schedules, single-use
-- links for answering without an account, and questionnaires imported by the service.

CREATE TABLE assessments (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  instrument_id TEXT NOT NULL,
  rater TEXT NOT NULL,                      -- self | clinician | parent | teacher | other
  entered_by TEXT,                          -- user id; NULL when answered through a link
  via TEXT NOT NULL,                        -- session | portal | link | fhir
  completed_at BIGINT NOT NULL,
  recorded_at BIGINT NOT NULL,
  answers TEXT NOT NULL,                    -- JSON {linkId: value}
  total DOUBLE PRECISION,                   -- NULL for instruments without a total (C-SSRS)
  band TEXT,                                -- band code
  is_case INTEGER,                          -- caseness, where the instrument defines it
  complete INTEGER NOT NULL,
  flags TEXT NOT NULL DEFAULT '',           -- flag codes, space separated
  result TEXT NOT NULL,                     -- JSON of the scored result as shown at the time
  idempotency_key TEXT,
  request_hash TEXT
);
CREATE INDEX assessments_client ON assessments(client_id, instrument_id, completed_at);
CREATE UNIQUE INDEX assessments_idempotency ON assessments(client_id, idempotency_key);

CREATE TABLE assessment_schedules (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  instrument_id TEXT NOT NULL,
  every_days INTEGER NOT NULL,
  start_date TEXT NOT NULL,                 -- YYYY-MM-DD
  end_date TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  stopped_by TEXT,
  stopped_at BIGINT,
  reminded_for TEXT                         -- the due date last reminded about
);
CREATE INDEX assessment_schedules_client ON assessment_schedules(client_id);
CREATE INDEX assessment_schedules_active ON assessment_schedules(active, client_id);

CREATE TABLE assessment_links (
  token_hash TEXT PRIMARY KEY,              -- BLAKE2b of the token; the token is never stored
  client_id TEXT NOT NULL REFERENCES clients(id),
  instrument_id TEXT NOT NULL,
  rater TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  assessment_id TEXT
);
CREATE INDEX assessment_links_client ON assessment_links(client_id);

CREATE TABLE imported_instruments (
  id TEXT PRIMARY KEY,
  questionnaire TEXT NOT NULL,              -- the FHIR Questionnaire as imported
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
