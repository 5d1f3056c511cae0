-- Foundation: identity, sessions, clients, care teams, break-the-glass, audit.
-- Portable SQL (SQLite and PostgreSQL). Times are BIGINT milliseconds since the Unix epoch (UTC);
-- booleans are INTEGER 0/1; sealed (encrypted) values are TEXT "tk1:<key id>:<base64url>".

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,            -- lower-case
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  email TEXT,
  password_hash TEXT NOT NULL,              -- Argon2id PHC string
  totp_secret TEXT,                         -- sealed base32 secret
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step BIGINT NOT NULL DEFAULT 0, -- refuses a code used twice
  disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  client_id TEXT,                           -- for role 'client': their own record
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,                      -- BLAKE2b of the cookie token; the token is never stored
  user_id TEXT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  mfa_pending INTEGER NOT NULL DEFAULT 0,   -- password accepted, second factor still owed
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,               -- absolute lifetime
  remote_addr TEXT NOT NULL DEFAULT '',
  revoked_at BIGINT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,          -- BLAKE2b of the token
  name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users(id),
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  mrn TEXT NOT NULL UNIQUE,
  given_name TEXT NOT NULL,
  family_name TEXT NOT NULL,
  preferred_name TEXT,
  given_key TEXT NOT NULL,                  -- lower-case forms for prefix search
  family_key TEXT NOT NULL,
  preferred_key TEXT,
  pronouns TEXT,
  date_of_birth TEXT NOT NULL,              -- YYYY-MM-DD
  gender_identity TEXT,
  sex TEXT,
  language TEXT,
  interpreter_needed INTEGER NOT NULL DEFAULT 0,
  email TEXT,
  phone TEXT,
  consent_email INTEGER NOT NULL DEFAULT 0,
  consent_sms INTEGER NOT NULL DEFAULT 0,
  consent_phone INTEGER NOT NULL DEFAULT 0,
  consent_voicemail INTEGER NOT NULL DEFAULT 0,
  consent_post INTEGER NOT NULL DEFAULT 0,
  emergency_contact_name TEXT,
  emergency_contact_relationship TEXT,
  emergency_contact_phone TEXT,
  address_line1 TEXT,
  address_line2 TEXT,
  city TEXT,
  region TEXT,
  postal_code TEXT,
  country TEXT,
  race TEXT,
  ethnicity TEXT,
  funding_note TEXT,                        -- sealed
  status TEXT NOT NULL DEFAULT 'active',    -- active | archived
  archived_at BIGINT,
  version INTEGER NOT NULL DEFAULT 1,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX clients_family ON clients(family_key, given_key, id);
CREATE INDEX clients_given ON clients(given_key, family_key, id);
CREATE INDEX clients_preferred ON clients(preferred_key);
CREATE INDEX clients_dob ON clients(date_of_birth);

CREATE TABLE care_team (
  client_id TEXT NOT NULL REFERENCES clients(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  team_role TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (client_id, user_id)
);
CREATE INDEX care_team_user ON care_team(user_id, client_id);

CREATE TABLE break_glass (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  reason TEXT NOT NULL,                     -- sealed
  started_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_user_client ON break_glass(user_id, client_id, expires_at);

-- What a client's care team should see about the record (break-the-glass openings, …).
CREATE TABLE client_notices (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  ref_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX client_notices_client ON client_notices(client_id, created_at);

-- Append-only access log, chained: hash = BLAKE2b(prev_hash ‖ canonical row). See src/audit.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action TEXT NOT NULL,
  resource_kind TEXT NOT NULL,
  resource_id TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  remote_addr TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT 'ok',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_client ON audit_log(client_id, seq);

-- The chain's head: one row, updated with every append (serializes appenders).
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
