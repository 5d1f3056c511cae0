-- Who supervises whom: a supervisee's signed progress notes wait for the supervisor's
-- co-signature. One supervisor per staff member.
CREATE TABLE staff_supervisors (
  user_id TEXT PRIMARY KEY REFERENCES users(id),
  supervisor_id TEXT NOT NULL REFERENCES users(id),
  set_by TEXT NOT NULL REFERENCES users(id),
  set_at BIGINT NOT NULL
);
CREATE INDEX staff_supervisors_supervisor ON staff_supervisors(supervisor_id);

-- Progress notes (and psychotherapy notes, readable by their author only) on a template
-- (content/notes). A group note is written once and filed as one row per member, each holding
-- the shared text and that member's own part only.
CREATE TABLE care_notes (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL,                       -- progress | psychotherapy
  template TEXT NOT NULL,                   -- soap | dap | birp …
  appointment_id TEXT REFERENCES care_appointments(id),
  episode_id TEXT REFERENCES care_episodes(id),
  group_id TEXT,                            -- the group note this copy belongs to
  body TEXT NOT NULL,                       -- sealed JSON: sections, mental status exam, member part
  status TEXT NOT NULL,                     -- draft | awaiting_cosign | signed
  author_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  signed_at BIGINT,                         -- the author's signature
  cosigner_id TEXT REFERENCES users(id),    -- the supervisor who must co-sign, when one must
  cosigned_at BIGINT,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_notes_client ON care_notes(client_id, created_at);
CREATE INDEX care_notes_author ON care_notes(author_id, status, created_at);
CREATE INDEX care_notes_cosigner ON care_notes(cosigner_id, status);

-- What is added to a note after it was signed: its own text, author and time.
CREATE TABLE care_note_addenda (
  id TEXT PRIMARY KEY,
  note_id TEXT NOT NULL REFERENCES care_notes(id),
  text TEXT NOT NULL,                       -- sealed
  author_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX care_note_addenda_note ON care_note_addenda(note_id, created_at);
