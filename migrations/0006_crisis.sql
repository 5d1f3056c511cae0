-- Crisis response: alerts with their signals and timeline, the on-call roster, webhook targets
-- for paging gateways, caring-contact follow-ups and versioned safety plans.

CREATE TABLE crisis_alerts (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  level TEXT NOT NULL,                      -- low | moderate | high | imminent
  status TEXT NOT NULL,                     -- open | acknowledged | resolved
  reason TEXT NOT NULL,                     -- sealed: the rule's words, or the clinician's
  step INTEGER NOT NULL,                    -- index into the chain; = its length past the end
  round INTEGER NOT NULL DEFAULT 0,         -- re-notifications after the chain's end
  timer INTEGER NOT NULL DEFAULT 0,         -- bumped whenever the deadline is set; the
                                            -- escalation job for an older timer does nothing
  deadline_at BIGINT NOT NULL,              -- acknowledge by
  opened_at BIGINT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at BIGINT,
  resolved_by TEXT,
  resolved_at BIGINT,
  outcome TEXT,
  note TEXT,                                -- sealed
  deliveries_failed INTEGER NOT NULL DEFAULT 0,
  version BIGINT NOT NULL DEFAULT 1
);
-- One alert per client at a time while it is not resolved: a new signal joins it. The index
-- also stops two instances from opening two alerts for one client at once.
CREATE UNIQUE INDEX crisis_alerts_one_active ON crisis_alerts(client_id) WHERE status <> 'resolved';
CREATE INDEX crisis_alerts_status ON crisis_alerts(status, opened_at);
CREATE INDEX crisis_alerts_client ON crisis_alerts(client_id, opened_at);

CREATE TABLE crisis_signals (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES crisis_alerts(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  source TEXT NOT NULL,                     -- assessment | checkin | message | help_now | clinician
  level TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,                     -- sealed
  ref_id TEXT,
  raised_by TEXT,
  at BIGINT NOT NULL
);
CREATE INDEX crisis_signals_alert ON crisis_signals(alert_id, at);

CREATE TABLE crisis_timeline (
  alert_id TEXT NOT NULL REFERENCES crisis_alerts(id),
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  step INTEGER NOT NULL,
  user_id TEXT,
  channel TEXT,
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (alert_id, seq)
);

-- Everyone told of an alert: they may see and acknowledge it, and hear how it ends.
CREATE TABLE crisis_recipients (
  alert_id TEXT NOT NULL REFERENCES crisis_alerts(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  first_at BIGINT NOT NULL,
  PRIMARY KEY (alert_id, user_id)
);
CREATE INDEX crisis_recipients_user ON crisis_recipients(user_id, alert_id);

CREATE TABLE crisis_roster (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                       -- on_call | supervisor
  user_id TEXT NOT NULL REFERENCES users(id),
  cover INTEGER NOT NULL DEFAULT 0,
  time_zone TEXT NOT NULL,
  days TEXT NOT NULL DEFAULT '',            -- weekly: "mon tue …"; empty for a one-off window
  start_minute INTEGER NOT NULL DEFAULT 0,
  end_minute INTEGER NOT NULL DEFAULT 0,
  from_date TEXT,
  until_date TEXT,
  starts_at BIGINT,                         -- one-off window
  ends_at BIGINT,
  note TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  removed_at BIGINT
);

CREATE TABLE crisis_webhooks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,                     -- sealed
  min_level TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  removed_at BIGINT
);

CREATE TABLE crisis_follow_ups (
  id TEXT PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES crisis_alerts(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  owner_id TEXT NOT NULL REFERENCES users(id),
  label TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  status TEXT NOT NULL,                     -- pending | done
  result TEXT,
  note TEXT,                                -- sealed
  done_by TEXT,
  done_at BIGINT
);
CREATE INDEX crisis_follow_ups_owner ON crisis_follow_ups(owner_id, status, due_at);
CREATE INDEX crisis_follow_ups_client ON crisis_follow_ups(client_id, due_at);

CREATE TABLE safety_plans (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  version INTEGER NOT NULL,
  sections TEXT NOT NULL,                   -- sealed JSON
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX safety_plans_version ON safety_plans(client_id, version);
