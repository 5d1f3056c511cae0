-- Appointments: a clinician's time with a client (or a couple, family or group session), in
-- person in a room, by video with a meeting link, or by phone. Times are UTC milliseconds.
CREATE TABLE care_appointments (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  clinician_id TEXT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,                       -- individual | couple | family | group
  mode TEXT NOT NULL,                       -- in_person | video | phone
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  room TEXT NOT NULL DEFAULT '',
  meeting_url TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,                     -- booked | arrived | attended | cancelled | no_show
  cancelled_by TEXT NOT NULL DEFAULT '',    -- client | service, when cancelled
  late_cancel INTEGER NOT NULL DEFAULT 0,   -- cancelled less than 24 hours before the start
  note TEXT NOT NULL DEFAULT '',            -- sealed when not empty: why cancelled, or other
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_appointments_clinician ON care_appointments(clinician_id, starts_at);
CREATE INDEX care_appointments_client ON care_appointments(client_id, starts_at);
CREATE INDEX care_appointments_room ON care_appointments(room, starts_at);
