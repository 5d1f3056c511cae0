-- Psychoeducation assigned to a client (src/education/service.cpp): an article of the library
-- (content/education, by slug) given by someone on the care team, with an optional note to the
-- client (sealed). The client marks it read and may say how useful it was (1–5). One open
-- (assigned, not yet read) assignment per client and article; a cancelled or read one does not
-- stop the article being given again.
CREATE TABLE education_assignments (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  slug TEXT NOT NULL,                       -- content/education/<slug>.md
  note TEXT,                                -- sealed; NULL when none was written
  status TEXT NOT NULL,                     -- assigned | read | cancelled
  assigned_by TEXT NOT NULL REFERENCES users(id),
  assigned_at BIGINT NOT NULL,
  read_at BIGINT,
  rating INTEGER,                           -- 1–5, how useful the client found it; NULL: not rated
  rated_at BIGINT,
  cancelled_by TEXT REFERENCES users(id),
  cancelled_at BIGINT,
  version INTEGER NOT NULL
);
CREATE INDEX education_assignments_client ON education_assignments(client_id, assigned_at);
CREATE UNIQUE INDEX education_assignments_open
  ON education_assignments(client_id, slug) WHERE status = 'assigned';
