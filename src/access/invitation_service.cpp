#include "access/invitation_service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "platform/ids.h"
#include "platform/json.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::access {

namespace bj = boost::json;
namespace inv = invitations;

namespace {
constexpr const char* k_ctx_email = "portal_invitations.email";
constexpr const char* k_ctx_mail_token = "portal_invitations.mail_token";
constexpr const char* k_ctx_guardian_name = "portal_invitations.guardian_name";
constexpr const char* k_ctx_relationship = "portal_invitations.relationship";
constexpr const char* k_ctx_link_relationship = "guardian_links.relationship";
constexpr const char* k_mail_job = "access.invitation_mail";
constexpr const char* k_columns =
    "i.id, i.client_id, i.kind, i.method, i.email, i.guardian_name, i.relationship, "
    "i.created_by, u.display_name, i.created_at, i.expires_at, i.sent_at, i.used_at, "
    "i.revoked_at";
// The one answer for every secret that does not open a pending invitation, so that a guess
// learns nothing (not whether it was ever issued, used, expired or withdrawn).
constexpr const char* k_not_valid =
    "this invitation link or code is not valid: it may be mistyped, already used, expired or "
    "withdrawn; ask your care team for a new one";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Error not_valid() {
  return make_error(Errc::NotFound, k_not_valid);
}

bool is_portal(Role r) {
  return r == Role::Client || r == Role::Guardian;
}
}  // namespace

InvitationService::InvitationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                     audit::AuditLog& audit, AccessService& access,
                                     PortalSettings settings)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      settings_(std::move(settings)),
      throttle_(access.config().address_attempts,
                static_cast<std::int64_t>(access.config().address_window_seconds) * 1000) {}

void InvitationService::set_mail(jobs::JobQueue* jobs, InvitationMailFn mail) {
  jobs_ = jobs;
  mail_ = std::move(mail);
  if (jobs_) {
    jobs_->handle_external(k_mail_job, [this](const jobs::Job& j) { return deliver_mail(j); });
  }
}

std::string InvitationService::open_or_empty(const sql::Row& r, int col,
                                             const char* context) const {
  if (r.is_null(col) || r.str(col).empty()) return {};
  auto plain = keys_.open(r.str(col), context);
  return plain ? *plain : std::string();
}

std::vector<Invitation> InvitationService::load_many(sql::Conn& c, const std::string& where,
                                                     const sql::Params& params) {
  std::vector<Invitation> out;
  const auto now = clock_.unix_ms();
  for (const auto& r : c.query(std::string("SELECT ") + k_columns +
                                   " FROM portal_invitations i JOIN users u ON u.id = "
                                   "i.created_by WHERE " +
                                   where,
                               params)) {
    Invitation v;
    v.id = r.str(0);
    v.client_id = r.str(1);
    v.kind = r.str(2);
    v.method = r.str(3);
    if (auto e = open_or_empty(r, 4, k_ctx_email); !e.empty()) v.email = e;
    if (auto g = open_or_empty(r, 5, k_ctx_guardian_name); !g.empty()) v.guardian_name = g;
    if (auto rel = open_or_empty(r, 6, k_ctx_relationship); !rel.empty()) v.relationship = rel;
    v.created_by = r.str(7);
    v.created_by_name = r.str(8);
    v.created_at_ms = r.i64(9);
    v.expires_at_ms = r.i64(10);
    v.sent_at_ms = r.opt_i64(11);
    v.used_at_ms = r.opt_i64(12);
    v.revoked_at_ms = r.opt_i64(13);
    v.state = inv::state(v.expires_at_ms, v.used_at_ms, v.revoked_at_ms, now);
    out.push_back(std::move(v));
  }
  return out;
}

// ---- staff --------------------------------------------------------------------------------------

Result<IssuedInvitation> InvitationService::invite(const Principal& p, const std::string& client_id,
                                                   const bj::object& body) {
  if (is_portal(p.role)) return make_error(Errc::Forbidden, "invitations are sent by staff");
  json::FieldReader r(body);
  const auto kind = r.string("kind", {.required = true, .max_len = 20}).value_or("");
  const auto method = r.string("method", {.required = true, .max_len = 20}).value_or("");
  auto email = r.string("email", {.max_len = 254});
  auto guardian_name = r.string("guardian_name", {.max_len = 200});
  auto relationship = r.string("relationship", {.max_len = 100});
  if (!kind.empty() && !inv::valid_kind(kind)) r.add_error("kind", "must be client or guardian");
  if (!method.empty() && !inv::valid_method(method)) r.add_error("method", "must be email or code");
  if (email && !inv::plausible_email(*email)) r.add_error("email", "must be an e-mail address");
  if (kind == "guardian") {
    if (!guardian_name || guardian_name->empty()) {
      r.add_error("guardian_name", "is required for a guardian invitation");
    }
    if (!relationship || relationship->empty()) {
      r.add_error("relationship", "is required for a guardian invitation (mother, carer, …)");
    }
  } else if (kind == "client" && (guardian_name || relationship)) {
    r.add_error(guardian_name ? "guardian_name" : "relationship",
                "only a guardian invitation names a guardian");
  }
  if (method == "email" && (!mail_ || settings_.base_url.empty())) {
    r.add_error(
        "method",
        "e-mail is not set up on this service (smtp_url and base_url); show a code instead");
  }
  if (method == "code" && email) r.add_error("email", "a code invitation is not e-mailed");
  if (method == "email" && kind == "guardian" && !email) {
    r.add_error("email", "is required to e-mail a guardian");
  }
  if (auto st = r.finish(); !st) return st.error();

  auto d = access_.authorize(p, Action::Update, Resource::Demographics, client_id);
  if (!d) return d.error();

  IssuedInvitation out;
  Invitation& v = out.invitation;
  v.id = new_id("iv");
  v.client_id = client_id;
  v.kind = kind;
  v.method = method;
  v.guardian_name = guardian_name;
  v.relationship = relationship;
  v.created_by = p.user_id;
  v.created_at_ms = clock_.unix_ms();
  v.expires_at_ms = v.created_at_ms + inv::valid_for_ms(method);
  v.state = "pending";
  std::string secret;
  if (method == "code") {
    do {
      out.code = inv::code_from_bytes(crypto::random_bytes(inv::k_code_random_bytes));
    } while (out.code.empty());
    secret = out.code;
  } else {
    secret = crypto::random_token();
  }
  const std::string today = format_date(clock_.now());
  auto written = db_.write([&](sql::Conn& c) -> Result<IssuedInvitation> {
    auto cl =
        c.query_one("SELECT status, date_of_birth, email FROM clients WHERE id = ?", {client_id});
    if (!cl) return not_found("client " + client_id);
    if (cl->str(0) != "active") {
      return make_error(Errc::Conflict,
                        "client " + client_id + " is archived; restore the record to invite");
    }
    if (kind == "client") {
      if (c.query_one("SELECT 1 FROM users WHERE client_id = ? AND role = 'client'", {client_id})) {
        return make_error(Errc::Conflict, "client " + client_id + " already has a portal account");
      }
      if (method == "email" && !email) {
        if (cl->is_null(2) || cl->str(2).empty()) {
          return invalid("email", "is required: the record has no e-mail address");
        }
        email = cl->str(2);
      }
    } else if (!settings_.guardian_adults && !inv::is_minor(cl->str(1), today)) {
      return invalid("kind",
                     "a guardian is invited only for a client under 18 (this service does not "
                     "give guardians access to adults' records)");
    }
    v.email = email;
    if (kind == "client") {
      // One way in at a time: a new client invitation (the code was lost, the mail went to an
      // old address) withdraws the earlier pending ones. Guardians may be several.
      for (const auto& earlier :
           c.query("SELECT id FROM portal_invitations WHERE client_id = ? AND kind = 'client' AND "
                   "used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                   {client_id, v.created_at_ms})) {
        c.exec(
            "UPDATE portal_invitations SET revoked_at = ?, revoked_by = ?, mail_token = NULL "
            "WHERE id = ?",
            {v.created_at_ms, p.user_id, earlier.str(0)});
        audit_.append(c, audit_entry(p, "revoke", "portal_invitation", earlier.str(0), client_id,
                                     "replaced by " + v.id));
      }
    }
    c.exec(
        "INSERT INTO portal_invitations (id, client_id, kind, method, secret_hash, email, "
        "mail_token, guardian_name, relationship, created_by, created_at, expires_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {v.id, client_id, kind, method, inv::secret_hash(secret),
         email ? sql::Value(keys_.seal(*email, k_ctx_email)) : sql::null(),
         method == "email" ? sql::Value(keys_.seal(secret, k_ctx_mail_token)) : sql::null(),
         guardian_name ? sql::Value(keys_.seal(*guardian_name, k_ctx_guardian_name)) : sql::null(),
         relationship ? sql::Value(keys_.seal(*relationship, k_ctx_relationship)) : sql::null(),
         p.user_id, v.created_at_ms, v.expires_at_ms});
    if (method == "email" && jobs_) {
      jobs::NewJob j;
      j.kind = k_mail_job;
      j.payload = bj::serialize(bj::object{{"invitation_id", v.id}});
      j.due = clock_.now();
      j.dedupe_key = v.id;
      jobs_->enqueue(c, j);
    }
    audit_.append(
        c, audit_entry(p, "create", "portal_invitation", v.id, client_id, kind + " by " + method));
    auto name = c.query_one("SELECT display_name FROM users WHERE id = ?", {p.user_id});
    v.created_by_name = name ? name->str(0) : std::string();
    return out;
  });
  if (written) {
    metrics::inc("tend_portal_invitations_total", "method", method);
    if (!written->code.empty()) written->code = inv::format_code(written->code);
  }
  return written;
}

Result<std::vector<Invitation>> InvitationService::list(const Principal& p,
                                                        const std::string& client_id) {
  if (is_portal(p.role)) return make_error(Errc::Forbidden, "invitations are managed by staff");
  auto d = access_.authorize(p, Action::Read, Resource::Demographics, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Invitation>> {
    auto out =
        load_many(c, "i.client_id = ? ORDER BY i.created_at DESC, i.id LIMIT 100", {client_id});
    audit_.append(c, audit_entry(p, "read", "portal_invitations", client_id, client_id,
                                 d->via_break_glass ? "break-the-glass" : ""));
    return out;
  });
}

Result<Invitation> InvitationService::revoke(const Principal& p, const std::string& id) {
  if (is_portal(p.role)) return make_error(Errc::Forbidden, "invitations are managed by staff");
  auto client = db_.read([&](sql::Conn& c) -> std::optional<std::string> {
    auto row = c.query_one("SELECT client_id FROM portal_invitations WHERE id = ?", {id});
    if (!row) return std::nullopt;
    return row->str(0);
  });
  if (!client) return not_found("invitation " + id);
  auto d = access_.authorize(p, Action::Update, Resource::Demographics, *client);
  if (!d) {
    if (d.error().code == Errc::NotFound) return not_found("invitation " + id);
    return d.error();
  }
  const auto now = clock_.unix_ms();
  return db_.write([&](sql::Conn& c) -> Result<Invitation> {
    if (c.exec("UPDATE portal_invitations SET revoked_at = ?, revoked_by = ?, mail_token = NULL "
               "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
               {now, p.user_id, id, now}) == 0) {
      auto cur = load_many(c, "i.id = ?", {id});
      const std::string st = cur.empty() ? "unknown" : cur.front().state;
      return make_error(Errc::Conflict,
                        "invitation " + id + " is " + st + "; only a pending one can be revoked");
    }
    audit_.append(c, audit_entry(p, "revoke", "portal_invitation", id, *client));
    return load_many(c, "i.id = ?", {id}).front();
  });
}

Status InvitationService::deliver_mail(const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string id(payload.at("invitation_id").as_string());
  struct Mail {
    std::string email, token, kind;
  };
  const auto now = clock_.unix_ms();
  auto mail = db_.read([&](sql::Conn& c) -> std::optional<Mail> {
    auto r = c.query_one(
        "SELECT email, mail_token, kind FROM portal_invitations WHERE id = ? AND used_at IS NULL "
        "AND revoked_at IS NULL AND expires_at > ? AND mail_token IS NOT NULL",
        {id, now});
    if (!r) return std::nullopt;
    Mail m{open_or_empty(*r, 0, k_ctx_email), open_or_empty(*r, 1, k_ctx_mail_token), r->str(2)};
    if (m.email.empty() || m.token.empty()) return std::nullopt;
    return m;
  });
  // Revoked, used, expired or already sent: nothing to send, and nothing to retry.
  if (!mail) return ok_status();
  if (!mail_) return make_error(Errc::Unavailable, "e-mail is not configured");
  std::string base = settings_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string link = base + "/join?token=" + mail->token;
  // Nothing about care: who is invited, by whom, or why stays out of the mail.
  const std::string subject = "Your invitation to the " + settings_.service_name + " portal";
  std::string text = "Hello,\n\n";
  text += mail->kind == "guardian"
              ? "You have been invited to set up a parent or guardian account on the " +
                    settings_.service_name + " portal.\n\n"
              : "You have been invited to set up your account on the " + settings_.service_name +
                    " portal.\n\n";
  text += "Open this link to choose a username and password:\n\n" + link +
          "\n\nThe link works once and for 7 days. If you were not expecting this e-mail, you can "
          "ignore it; nothing happens unless the link is used.\n";
  auto st = mail_({mail->email}, subject, text);
  if (!st) {
    log::warn("access.invitation_mail_failed", {{"invitation", id}, {"detail", st.error().detail}});
    return st;
  }
  db_.write([&](sql::Conn& c) {
    c.exec("UPDATE portal_invitations SET mail_token = NULL, sent_at = ? WHERE id = ?",
           {clock_.unix_ms(), id});
  });
  metrics::inc("tend_portal_invitation_mails_total", "result", "sent");
  return ok_status();
}

// ---- public -------------------------------------------------------------------------------------

Status InvitationService::throttle(const std::string& remote_addr) {
  const auto now = clock_.unix_ms();
  std::lock_guard lock(throttle_mu_);
  throttle_.prune(now);
  if (int wait = throttle_.attempt(remote_addr, now); wait > 0) {
    Error e = make_error(Errc::TooManyRequests,
                         "too many invitation attempts from this address; "
                         "try again in " +
                             std::to_string(wait) + " seconds");
    e.retry_after_seconds = wait;
    return e;
  }
  return ok_status();
}

namespace {
//! `{token}` or `{code}` from a body, as the secret to hash; a field error otherwise.
Result<std::string> secret_of(json::FieldReader& r) {
  auto token = r.string("token", {.max_len = 100});
  auto code = r.string("code", {.max_len = 32});
  if (token && code) {
    r.add_error("code", "send either token or code, not both");
    return std::string();
  }
  if (!token && !code) {
    r.add_error("code", "is required (or token, from the e-mailed link)");
    return std::string();
  }
  if (token) return *token;
  // A code that cannot be one is treated like any wrong code (the same 404), not as a field
  // error that would tell the two apart.
  return inv::normalize_code(*code).value_or(std::string("-"));
}

struct Pending {
  std::string id, client_id, kind, secret_hash;
  std::optional<std::string> guardian_name, relationship;
};
}  // namespace

Result<InvitationCheck> InvitationService::check(const bj::object& body,
                                                 const std::string& remote_addr) {
  if (auto st = throttle(remote_addr); !st) return st.error();
  json::FieldReader r(body);
  auto secret = secret_of(r);
  if (auto st = r.finish(); !st) return st.error();
  const std::string hash = inv::secret_hash(*secret);
  const auto now = clock_.unix_ms();
  auto kind = db_.read([&](sql::Conn& c) -> std::optional<std::string> {
    auto row = c.query_one(
        "SELECT i.kind, i.secret_hash FROM portal_invitations i JOIN clients c ON c.id = "
        "i.client_id WHERE i.secret_hash = ? AND i.used_at IS NULL AND i.revoked_at IS NULL AND "
        "i.expires_at > ? AND c.status = 'active'",
        {hash, now});
    if (!row || !crypto::equal_constant_time(row->str(1), hash)) return std::nullopt;
    return row->str(0);
  });
  if (!kind) return not_valid();
  return InvitationCheck{*kind, settings_.service_name, settings_.terms};
}

Result<SignIn> InvitationService::accept(const bj::object& body, const std::string& remote_addr,
                                         const std::string& request_id) {
  if (auto st = throttle(remote_addr); !st) return st.error();
  json::FieldReader r(body);
  auto secret = secret_of(r);
  const std::string username =
      lower(r.string("username", {.required = true, .max_len = 64}).value_or(""));
  const std::string password =
      r.string("password", {.required = true, .max_len = 1024}).value_or("");
  auto agreed = r.boolean("accept_terms", true);
  auto display_name = r.string("display_name", {.max_len = 200});
  auto terms_version = r.string("terms_version", {.max_len = 40});
  if (r.has("username")) {
    if (auto problem = rules::username_problem(username)) r.add_error("username", *problem);
  }
  if (r.has("password")) {
    if (auto problem = rules::password_problem(password, username)) {
      r.add_error("password", *problem);
    }
  }
  if (agreed && !*agreed) r.add_error("accept_terms", "the portal terms must be agreed to");
  if (display_name && display_name->empty()) r.add_error("display_name", "must not be empty");
  if (auto st = r.finish(); !st) return st.error();
  // The terms read on the join page are the ones agreed to: if they changed meanwhile, read again.
  if (terms_version && *terms_version != settings_.terms.version) {
    return make_error(Errc::Conflict,
                      "the portal terms changed while you were reading them; read the new version",
                      {{"terms_version", "is not the current version"}});
  }

  // Argon2id is deliberately slow: hash before taking the writer.
  const std::string password_hash = crypto::hash_password(password);
  const std::string hash = inv::secret_hash(*secret);
  const std::string user_id = new_id("us");
  const auto now = clock_.unix_ms();
  Principal who;
  who.user_id = user_id;
  who.username = username;
  who.remote_addr = remote_addr;
  who.request_id = request_id;
  auto joined = db_.write([&](sql::Conn& c) -> Result<SignIn> {
    auto row = c.query_one(
        "SELECT i.id, i.client_id, i.kind, i.secret_hash, i.guardian_name, i.relationship, "
        "c.preferred_name, c.given_name FROM portal_invitations i JOIN clients c ON c.id = "
        "i.client_id WHERE i.secret_hash = ? AND i.used_at IS NULL AND i.revoked_at IS NULL AND "
        "i.expires_at > ? AND c.status = 'active'",
        {hash, now});
    if (!row || !crypto::equal_constant_time(row->str(3), hash)) return not_valid();
    Pending pending{row->str(0), row->str(1), row->str(2), row->str(3), std::nullopt, std::nullopt};
    if (auto g = open_or_empty(*row, 4, k_ctx_guardian_name); !g.empty()) pending.guardian_name = g;
    if (auto rel = open_or_empty(*row, 5, k_ctx_relationship); !rel.empty()) {
      pending.relationship = rel;
    }
    const bool guardian = pending.kind == "guardian";
    if (!guardian && c.query_one("SELECT 1 FROM users WHERE client_id = ? AND role = 'client'",
                                 {pending.client_id})) {
      return make_error(Errc::Conflict,
                        "there is already a portal account for this person; sign in instead");
    }
    if (c.query_one("SELECT 1 FROM users WHERE username = ?", {username})) {
      return make_error(Errc::Conflict, "username " + username + " is taken",
                        {{"username", "is already taken; choose another"}});
    }
    // Claim the invitation first: of two accepts racing, the second waits on this row and
    // then finds it used.
    if (c.exec("UPDATE portal_invitations SET used_at = ?, mail_token = NULL "
               "WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
               {now, pending.id}) == 0) {
      return not_valid();
    }
    std::string name;
    if (display_name) {
      name = *display_name;
    } else if (guardian) {
      name = pending.guardian_name.value_or(username);
    } else {
      name = !row->is_null(6) && !row->str(6).empty() ? row->str(6) : row->str(7);
    }
    const Role role = guardian ? Role::Guardian : Role::Client;
    who.role = role;
    c.exec(
        "INSERT INTO users (id, username, display_name, role, password_hash, client_id, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {user_id, username, name, std::string(role_name(role)), password_hash,
         guardian ? sql::null() : sql::Value(pending.client_id), now, now});
    c.exec("UPDATE portal_invitations SET used_by = ? WHERE id = ?", {user_id, pending.id});
    if (guardian) {
      c.exec(
          "INSERT INTO guardian_links (id, guardian_id, client_id, relationship, invitation_id, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {new_id("gl"), user_id, pending.client_id,
           pending.relationship
               ? sql::Value(keys_.seal(*pending.relationship, k_ctx_link_relationship))
               : sql::null(),
           pending.id, now});
    }
    c.exec("INSERT INTO portal_terms_acceptances (user_id, version, accepted_at) VALUES (?, ?, ?)",
           {user_id, settings_.terms.version, now});
    SignIn s = access_.open_session(c, user_id, remote_addr, false);
    audit_.append(c, audit_entry(who, "accept", "portal_invitation", pending.id, pending.client_id,
                                 "account " + user_id));
    auto u = c.query_one("SELECT " + std::string(k_user_columns) + " FROM users WHERE id = ?",
                         {user_id});
    s.user = user_from_row(*u);
    return s;
  });
  if (joined) {
    metrics::inc("tend_portal_accounts_total", "role", std::string(role_name(joined->user.role)));
    log::info("access.invitation_accepted", {{"user_id", user_id}, {"request_id", request_id}});
  }
  return joined;
}

// ---- portal users -------------------------------------------------------------------------------

Result<TermsStatus> InvitationService::my_terms(const Principal& p) {
  if (!is_portal(p.role)) return make_error(Errc::Forbidden, "portal terms are for portal users");
  return db_.read([&](sql::Conn& c) -> Result<TermsStatus> {
    TermsStatus t;
    t.terms = settings_.terms;
    auto row = c.query_one(
        "SELECT version, accepted_at FROM portal_terms_acceptances WHERE user_id = ? "
        "ORDER BY accepted_at DESC LIMIT 1",
        {p.user_id});
    if (row) {
      t.accepted_version = row->str(0);
      t.accepted_at_ms = row->i64(1);
    }
    // Asked again when they agreed to an earlier version. Accounts an admin made by hand
    // (before invitations, agreement recorded the service's own way) are not held up.
    t.needs_acceptance =
        t.accepted_version &&
        !c.query_one("SELECT 1 FROM portal_terms_acceptances WHERE user_id = ? AND version = ?",
                     {p.user_id, settings_.terms.version});
    return t;
  });
}

Result<TermsStatus> InvitationService::accept_terms(const Principal& p, const bj::object& body) {
  if (!is_portal(p.role)) return make_error(Errc::Forbidden, "portal terms are for portal users");
  json::FieldReader r(body);
  auto version = r.string("version", {.required = true, .max_len = 40});
  if (auto st = r.finish(); !st) return st.error();
  if (*version != settings_.terms.version) {
    return make_error(
        Errc::Conflict,
        "the terms changed to version " + settings_.terms.version + "; read them again",
        {{"version", "is not the current version"}});
  }
  const auto now = clock_.unix_ms();
  auto done = db_.write([&](sql::Conn& c) -> Status {
    if (!c.query_one("SELECT 1 FROM portal_terms_acceptances WHERE user_id = ? AND version = ?",
                     {p.user_id, *version})) {
      c.exec(
          "INSERT INTO portal_terms_acceptances (user_id, version, accepted_at) VALUES (?, ?, ?)",
          {p.user_id, *version, now});
      audit_.append(c, audit_entry(p, "accept", "portal_terms", *version, p.client_id));
    }
    return ok_status();
  });
  if (!done) return done.error();
  return my_terms(p);
}

namespace {
Preferences read_preferences(sql::Conn& c, const std::string& client_id) {
  Preferences out;
  if (auto row =
          c.query_one("SELECT check_in_reminder, appointment_reminders, message_notices FROM "
                      "portal_preferences WHERE client_id = ?",
                      {client_id})) {
    out.check_in_reminder = row->opt_str(0);
    out.appointment_reminders = row->boolean(1);
    out.message_notices = row->boolean(2);
  }
  if (auto cl = c.query_one("SELECT email, consent_email FROM clients WHERE id = ?", {client_id})) {
    out.email_on_file = !cl->is_null(0) && !cl->str(0).empty() && cl->boolean(1);
  }
  return out;
}

Status own_client(const Principal& p) {
  if (p.role != Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "reminder preferences are the client's own");
  }
  return ok_status();
}
}  // namespace

Result<Preferences> InvitationService::preferences(const Principal& p) {
  if (auto st = own_client(p); !st) return st.error();
  return db_.read(
      [&](sql::Conn& c) -> Result<Preferences> { return read_preferences(c, p.client_id); });
}

Result<Preferences> InvitationService::set_preferences(const Principal& p, const bj::object& body) {
  if (auto st = own_client(p); !st) return st.error();
  json::FieldReader r(body);
  const bool has_reminder = r.has("check_in_reminder");
  auto reminder = r.string("check_in_reminder", {.max_len = 5});
  auto appointments = r.boolean("appointment_reminders");
  auto messages = r.boolean("message_notices");
  (void)r.has("email_on_file");  // read-only: what the record says; ignored when sent back
  if (reminder && !inv::valid_reminder_time(*reminder)) {
    r.add_error("check_in_reminder", "must be a time HH:MM (00:00–23:59), or null for none");
  }
  if (auto st = r.finish(); !st) return st.error();
  const auto now = clock_.unix_ms();
  return db_.write([&](sql::Conn& c) -> Result<Preferences> {
    Preferences cur = read_preferences(c, p.client_id);
    if (has_reminder) cur.check_in_reminder = reminder;
    if (appointments) cur.appointment_reminders = *appointments;
    if (messages) cur.message_notices = *messages;
    c.exec(
        "INSERT INTO portal_preferences (client_id, check_in_reminder, appointment_reminders, "
        "message_notices, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id) DO UPDATE "
        "SET check_in_reminder = excluded.check_in_reminder, appointment_reminders = "
        "excluded.appointment_reminders, message_notices = excluded.message_notices, "
        "updated_at = excluded.updated_at",
        {p.client_id, sql::opt(cur.check_in_reminder), std::int64_t{cur.appointment_reminders},
         std::int64_t{cur.message_notices}, now});
    audit_.append(c, audit_entry(p, "update", "portal_preferences", p.client_id, p.client_id));
    return cur;
  });
}

// ---- guardians ----------------------------------------------------------------------------------

bool InvitationService::still_guarded(const std::string& date_of_birth) const {
  // A guardian's view ends on the young person's 18th birthday, unless the service gives
  // guardians access to adults' records (guardian_adults).
  return settings_.guardian_adults || inv::is_minor(date_of_birth, format_date(clock_.now()));
}

Result<std::vector<GuardedClient>> InvitationService::guardian_clients(const Principal& p) {
  if (p.role != Role::Guardian) {
    return make_error(Errc::Forbidden, "this list is for parents and guardians");
  }
  return db_.write([&](sql::Conn& c) -> Result<std::vector<GuardedClient>> {
    std::vector<GuardedClient> out;
    for (const auto& r : c.query(
             "SELECT l.client_id, c.preferred_name, c.given_name, c.family_name, l.relationship, "
             "c.date_of_birth FROM guardian_links l JOIN clients c ON c.id = l.client_id WHERE "
             "l.guardian_id = ? AND l.ended_at IS NULL AND c.status = 'active' ORDER BY "
             "c.given_name, l.client_id",
             {p.user_id})) {
      if (!still_guarded(r.str(5))) continue;
      GuardedClient g;
      g.client_id = r.str(0);
      const std::string given = !r.is_null(1) && !r.str(1).empty() ? r.str(1) : r.str(2);
      g.name = given + " " + r.str(3);
      if (auto rel = open_or_empty(r, 4, k_ctx_link_relationship); !rel.empty()) {
        g.relationship = rel;
      }
      audit_.append(c, audit_entry(p, "read", "guardian_client", g.client_id, g.client_id));
      out.push_back(std::move(g));
    }
    return out;
  });
}

Status InvitationService::link_guardian(const Principal& p, const bj::object& body,
                                        const std::string& remote_addr) {
  if (p.role != Role::Guardian) {
    return make_error(Errc::Forbidden, "this is for parents and guardians already signed in");
  }
  if (auto st = throttle(remote_addr); !st) return st.error();
  json::FieldReader r(body);
  auto secret = secret_of(r);
  if (auto st = r.finish(); !st) return st.error();
  const std::string hash = inv::secret_hash(*secret);
  const auto now = clock_.unix_ms();
  return db_.write([&](sql::Conn& c) -> Status {
    auto row = c.query_one(
        "SELECT i.id, i.client_id, i.kind, i.secret_hash, i.relationship, c.date_of_birth FROM "
        "portal_invitations i JOIN clients c ON c.id = i.client_id WHERE i.secret_hash = ? AND "
        "i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? AND c.status = "
        "'active'",
        {hash, now});
    if (!row || row->str(2) != "guardian" || !crypto::equal_constant_time(row->str(3), hash)) {
      return not_valid();
    }
    const std::string id = row->str(0);
    const std::string client_id = row->str(1);
    if (c.query_one("SELECT 1 FROM guardian_links WHERE guardian_id = ? AND client_id = ? AND "
                    "ended_at IS NULL",
                    {p.user_id, client_id})) {
      return make_error(Errc::Conflict, "your account already sees this young person");
    }
    if (c.exec("UPDATE portal_invitations SET used_at = ?, used_by = ?, mail_token = NULL WHERE "
               "id = ? AND used_at IS NULL AND revoked_at IS NULL",
               {now, p.user_id, id}) == 0) {
      return not_valid();
    }
    const std::string rel = open_or_empty(*row, 4, k_ctx_relationship);
    const sql::Value sealed =
        rel.empty() ? sql::null() : sql::Value(keys_.seal(rel, k_ctx_link_relationship));
    if (c.exec("UPDATE guardian_links SET ended_at = NULL, relationship = ?, invitation_id = ?, "
               "created_at = ? WHERE guardian_id = ? AND client_id = ?",
               {sealed, id, now, p.user_id, client_id}) == 0) {
      c.exec(
          "INSERT INTO guardian_links (id, guardian_id, client_id, relationship, invitation_id, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {new_id("gl"), p.user_id, client_id, sealed, id, now});
    }
    audit_.append(c, audit_entry(p, "accept", "portal_invitation", id, client_id,
                                 "linked to guardian " + p.user_id));
    return ok_status();
  });
}

Result<Principal> InvitationService::guardian_view(const Principal& p, const std::string& client_id,
                                                   const std::string& section) {
  if (p.role != Role::Guardian) {
    return make_error(Errc::Forbidden, "these pages are for parents and guardians");
  }
  const bool linked = db_.read([&](sql::Conn& c) {
    auto row = c.query_one(
        "SELECT c.date_of_birth FROM guardian_links l JOIN clients c ON c.id = l.client_id WHERE "
        "l.guardian_id = ? AND l.client_id = ? AND l.ended_at IS NULL AND c.status = 'active'",
        {p.user_id, client_id});
    return row && still_guarded(row->str(0));
  });
  if (!linked) return not_found("client " + client_id);
  auto refusal = inv::guardian_section_refusal(section, settings_.guardian_access);
  db_.write([&](sql::Conn& c) {
    audit_.append(c, audit_entry(p, "read", "guardian." + section, client_id, client_id,
                                 refusal.value_or(""), refusal ? "denied" : "ok"));
  });
  if (refusal) return make_error(Errc::Forbidden, *refusal);
  // The client's own portal view, read on the guardian's behalf: never more than the client
  // sees themself, and the guardian's id on every audit entry.
  Principal as_client = p;
  as_client.role = Role::Client;
  as_client.client_id = client_id;
  as_client.session_id.clear();
  as_client.csrf_token.clear();
  return as_client;
}

}  // namespace tend::access
