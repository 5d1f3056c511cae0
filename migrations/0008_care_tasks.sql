-- Follow-up tasks with a due date and an owner: calls, letters, reviews. Open until done or
-- cancelled; overdue ones show first on their owner's home page.
CREATE TABLE care_tasks (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  episode_id TEXT REFERENCES care_episodes(id),
  kind TEXT NOT NULL,                       -- call | letter | review | other
  title TEXT NOT NULL,                      -- sealed: it may name what the call is about
  due_on TEXT NOT NULL,                     -- YYYY-MM-DD
  owner_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,                     -- open | done | cancelled
  outcome TEXT NOT NULL DEFAULT '',         -- sealed when not empty
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  closed_by TEXT,
  closed_at BIGINT,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_tasks_owner ON care_tasks(owner_id, status, due_on);
CREATE INDEX care_tasks_client ON care_tasks(client_id, status, due_on);
