-- Treatment plans: every change is a new, immutable version; the plan row points at the
-- current one. The client agrees to a version (a new version needs agreeing again). A review
-- date sets a review task for the plan's author.
CREATE TABLE care_plans (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  episode_id TEXT REFERENCES care_episodes(id),
  version BIGINT NOT NULL,                  -- the current version
  review_on TEXT NOT NULL,                  -- YYYY-MM-DD, of the current version
  review_task_id TEXT REFERENCES care_tasks(id),
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX care_plans_client ON care_plans(client_id, updated_at);

CREATE TABLE care_plan_versions (
  id TEXT PRIMARY KEY,
  plan_id TEXT NOT NULL REFERENCES care_plans(id),
  version BIGINT NOT NULL,
  content TEXT NOT NULL,                    -- sealed JSON: problems, goals, objectives,
                                            -- interventions, review_on
  saved_by TEXT NOT NULL REFERENCES users(id),
  saved_at BIGINT NOT NULL,
  UNIQUE (plan_id, version)
);

CREATE TABLE care_plan_agreements (
  id TEXT PRIMARY KEY,
  plan_id TEXT NOT NULL REFERENCES care_plans(id),
  version BIGINT NOT NULL,
  agreed_by TEXT NOT NULL REFERENCES users(id),
  agreed_at BIGINT NOT NULL,
  UNIQUE (plan_id, version)
);

-- The discharge summary of a discharged episode and the relapse prevention plan the client
-- keeps. One per episode, changed in place with a version number.
CREATE TABLE care_discharges (
  episode_id TEXT PRIMARY KEY REFERENCES care_episodes(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  summary TEXT NOT NULL,                    -- sealed JSON: reason, what helped, outcomes,
                                            -- recommendations
  relapse TEXT NOT NULL,                    -- sealed JSON: the relapse prevention plan
  written_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX care_discharges_client ON care_discharges(client_id, updated_at);
