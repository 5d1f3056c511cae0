-- What a client chose to hear from Tend, set when they join the portal and changed in its
-- settings: the daily check-in reminder (src/tracking), appointment reminders (src/care) and
-- e-mail notices of new messages (src/messaging). No row means the defaults: no check-in
-- reminder, appointment reminders and message notices on (each still needs e-mail consent).
CREATE TABLE portal_preferences (
  client_id TEXT PRIMARY KEY REFERENCES clients(id),
  check_in_reminder TEXT,                       -- 'HH:MM' in the service's time zone; NULL: none
  appointment_reminders INTEGER NOT NULL DEFAULT 1,
  message_notices INTEGER NOT NULL DEFAULT 1,
  updated_at BIGINT NOT NULL
);
