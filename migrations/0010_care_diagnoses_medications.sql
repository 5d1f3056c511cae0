-- Diagnoses (ICD-10-CM codes from the code list) and psychiatric medications on a client's
-- record, each with the history of its changes: who, when, from what to what.
CREATE TABLE care_diagnoses (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  code TEXT NOT NULL,                       -- "F32.A": billable in the code list when made
  title TEXT NOT NULL,                      -- the list's title when made
  rank TEXT NOT NULL,                       -- primary | secondary
  status TEXT NOT NULL,                     -- provisional | confirmed | resolved | ruled_out |
                                            -- entered_in_error
  diagnosed_on TEXT NOT NULL,               -- YYYY-MM-DD
  diagnosed_by TEXT NOT NULL REFERENCES users(id),
  note TEXT NOT NULL DEFAULT '',            -- sealed when not empty
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_diagnoses_client ON care_diagnoses(client_id, diagnosed_on);
-- At most one current primary diagnosis per client (a new primary demotes the old one).
CREATE UNIQUE INDEX care_diagnoses_one_primary ON care_diagnoses(client_id)
  WHERE rank = 'primary' AND status IN ('provisional', 'confirmed');

CREATE TABLE care_diagnosis_changes (
  id TEXT PRIMARY KEY,
  diagnosis_id TEXT NOT NULL REFERENCES care_diagnoses(id),
  from_status TEXT NOT NULL DEFAULT '',     -- empty on the first row (the diagnosis made)
  to_status TEXT NOT NULL,
  from_rank TEXT NOT NULL DEFAULT '',
  to_rank TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',            -- sealed when not empty
  by_user TEXT NOT NULL REFERENCES users(id),
  at BIGINT NOT NULL
);
CREATE INDEX care_diagnosis_changes_diagnosis ON care_diagnosis_changes(diagnosis_id, at);

CREATE TABLE care_medications (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  name TEXT NOT NULL,                       -- sealed
  dose TEXT NOT NULL,                       -- the current dose ("50 mg")
  route TEXT NOT NULL,
  frequency TEXT NOT NULL,
  started_on TEXT NOT NULL,                 -- YYYY-MM-DD
  stopped_on TEXT,
  reason TEXT NOT NULL DEFAULT '',          -- sealed when not empty: why started
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_medications_client ON care_medications(client_id, started_on);

CREATE TABLE care_medication_changes (
  id TEXT PRIMARY KEY,
  medication_id TEXT NOT NULL REFERENCES care_medications(id),
  kind TEXT NOT NULL,                       -- start | dose | stop
  on_date TEXT NOT NULL,
  dose TEXT NOT NULL DEFAULT '',
  frequency TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',          -- sealed when not empty
  by_user TEXT NOT NULL REFERENCES users(id),
  at BIGINT NOT NULL
);
CREATE INDEX care_medication_changes_medication ON care_medication_changes(medication_id, at);
