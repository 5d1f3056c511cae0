-- Recurring series, reminders and the client's change requests for appointments.
-- A series is the appointments booked together by one repeat rule; each stays its own row.
ALTER TABLE care_appointments ADD COLUMN series_id TEXT NOT NULL DEFAULT '';
-- When the e-mail reminder went out (UTC ms); 0 while none has.
ALTER TABLE care_appointments ADD COLUMN reminded_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX care_appointments_series ON care_appointments(series_id);

-- A client's request to move or cancel an appointment, from the portal. The care team answers
-- it (done or declined, with a note); the request is kept either way.
CREATE TABLE care_appointment_requests (
  id TEXT PRIMARY KEY,
  appointment_id TEXT NOT NULL REFERENCES care_appointments(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL,                    -- reschedule | cancel
  message TEXT NOT NULL DEFAULT '',      -- sealed when not empty
  status TEXT NOT NULL,                  -- open | done | declined
  task_id TEXT NOT NULL DEFAULT '',      -- the follow-up task it set for the clinician
  answer TEXT NOT NULL DEFAULT '',       -- sealed when not empty
  answered_by TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  answered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX care_appointment_requests_appointment ON care_appointment_requests(appointment_id);
CREATE INDEX care_appointment_requests_client ON care_appointment_requests(client_id, created_at);
