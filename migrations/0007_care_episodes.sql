-- Episodes of care: one referral into one program, from referral through waitlist, intake and
-- treatment to discharge (or declined, or transferred), with the date of every step.
CREATE TABLE care_episodes (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  program TEXT NOT NULL,
  stage TEXT NOT NULL,                      -- referred | waitlist | intake | active |
                                            -- discharged | declined | transferred
  referral_source TEXT NOT NULL,
  referral_reason TEXT NOT NULL,            -- sealed
  referred_on TEXT NOT NULL,                -- dates as YYYY-MM-DD
  waitlisted_on TEXT,
  intake_on TEXT,
  active_on TEXT,
  ended_on TEXT,
  transferred_to TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
-- One open episode per client and program: a second referral while one is open is refused.
CREATE UNIQUE INDEX care_episodes_one_open ON care_episodes(client_id, program)
  WHERE ended_on IS NULL;
CREATE INDEX care_episodes_client ON care_episodes(client_id, referred_on);
CREATE INDEX care_episodes_program ON care_episodes(program, stage);

CREATE TABLE care_episode_steps (
  id TEXT PRIMARY KEY,
  episode_id TEXT NOT NULL REFERENCES care_episodes(id),
  stage TEXT NOT NULL,
  on_date TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',            -- sealed when not empty
  by_user TEXT NOT NULL REFERENCES users(id),
  at BIGINT NOT NULL
);
CREATE INDEX care_episode_steps_episode ON care_episode_steps(episode_id, at);
