-- Secure messages (src/messaging/service.cpp). A thread is about one client: kind 'client'
-- (the client and their care team) or 'staff' (the care team only: the client never sees it).
-- Subjects and bodies are sealed. Messages are numbered within their thread (seq, taken from
-- the thread's last_seq under the thread's row lock), so their order never depends on two
-- sharing a millisecond.
CREATE TABLE message_threads (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL,                     -- client | staff
  subject TEXT NOT NULL,                  -- sealed
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  last_message_at BIGINT NOT NULL,
  last_seq INTEGER NOT NULL
);
CREATE INDEX message_threads_client ON message_threads(client_id, last_message_at);

-- kind 'message' has a sender; 'auto_reply' (outside office hours) has none and carries the
-- opening it promises (opens_at): at most one per thread and closed period.
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL REFERENCES message_threads(id),
  seq INTEGER NOT NULL,
  sender_user_id TEXT REFERENCES users(id),
  kind TEXT NOT NULL,                     -- message | auto_reply
  body TEXT NOT NULL,                     -- sealed
  opens_at BIGINT,                        -- auto_reply: the next opening, ms
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_thread_seq ON messages(thread_id, seq);
CREATE UNIQUE INDEX messages_auto_reply_once ON messages(thread_id, opens_at)
  WHERE kind = 'auto_reply';

-- Read receipts: who read which message, when (first read only).
CREATE TABLE message_receipts (
  message_id TEXT NOT NULL REFERENCES messages(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  read_at BIGINT NOT NULL,
  PRIMARY KEY (message_id, user_id)
);
CREATE INDEX message_receipts_user ON message_receipts(user_id, message_id);

-- E-mail notices owed or sent: at most one per thread and recipient until the recipient reads
-- the thread (which deletes the row), so a burst of messages sends one notice.
CREATE TABLE message_notices (
  thread_id TEXT NOT NULL REFERENCES message_threads(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  sent_at BIGINT,
  PRIMARY KEY (thread_id, user_id)
);
