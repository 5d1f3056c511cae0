-- Live events (src/platform/events): what the server-sent event stream delivers. Numbered from
-- a head row, like the audit log, so that numbers follow commit order on every database and a
-- client resuming with Last-Event-ID misses nothing. Pruned after a day by a job.
CREATE TABLE event_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL
);
INSERT INTO event_head (id, seq) VALUES (1, 0);

CREATE TABLE events (
  seq BIGINT PRIMARY KEY,
  type TEXT NOT NULL,
  data TEXT NOT NULL,                       -- JSON: ids and states, never client content
  created_at BIGINT NOT NULL
);

-- Who may see each event: one row per user.
CREATE TABLE event_audience (
  user_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  PRIMARY KEY (user_id, seq)
);
CREATE INDEX event_audience_seq ON event_audience(seq);
