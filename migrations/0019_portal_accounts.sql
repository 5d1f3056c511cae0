-- Portal accounts by invitation (src/access/invitation_service.cpp). Someone on a client's care
-- team invites the client, or a parent or guardian of a client who is a minor, by an e-mailed
-- link or by a short code shown once on screen. Only a hash of the link's token or of the code
-- is kept. The e-mail address, the guardian's name and the relationship are sealed; so is the
-- link's token, and only until the e-mail has been sent (then it is NULL). An invitation is
-- used once: accepting it makes the account, in the same transaction that sets used_at.
CREATE TABLE portal_invitations (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES clients(id),
  kind TEXT NOT NULL,                       -- client | guardian
  method TEXT NOT NULL,                     -- email | code
  secret_hash TEXT NOT NULL UNIQUE,         -- BLAKE2b of the link token or of the code
  email TEXT,                               -- sealed; method email only
  mail_token TEXT,                          -- sealed; the link's token until the mail is sent
  guardian_name TEXT,                       -- sealed; kind guardian only
  relationship TEXT,                        -- sealed; kind guardian only
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  sent_at BIGINT,                           -- when the e-mail left (method email)
  used_at BIGINT,
  used_by TEXT REFERENCES users(id),        -- the account it made
  revoked_at BIGINT,
  revoked_by TEXT REFERENCES users(id)
);
CREATE INDEX portal_invitations_client ON portal_invitations(client_id, created_at);

-- Which version of the portal terms (content/portal/terms.md, or the service's own file) each
-- portal user agreed to, and when. A new version asks them again at their next sign-in.
CREATE TABLE portal_terms_acceptances (
  user_id TEXT NOT NULL REFERENCES users(id),
  version TEXT NOT NULL,
  accepted_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, version)
);

-- A guardian's account and the clients (minors) it may see, within the sections the service
-- shares with guardians (setting guardian_access).
CREATE TABLE guardian_links (
  id TEXT PRIMARY KEY,
  guardian_id TEXT NOT NULL REFERENCES users(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  relationship TEXT,                        -- sealed ("mother", "foster carer", …)
  invitation_id TEXT REFERENCES portal_invitations(id),
  created_at BIGINT NOT NULL,
  ended_at BIGINT                           -- NULL while the link is active
);
CREATE UNIQUE INDEX guardian_links_pair ON guardian_links(guardian_id, client_id);
CREATE INDEX guardian_links_client ON guardian_links(client_id);
