#include "access/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "platform/ids.h"
#include "platform/log.h"

namespace tend::access {

namespace {
constexpr std::string_view k_cookie = "tend_session";
constexpr std::string_view k_bad_credentials = "username or password is not correct";

bool unsafe_method(http::Method m) {
  return m == http::Method::Post || m == http::Method::Put || m == http::Method::Patch ||
         m == http::Method::Delete;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

Principal system_principal(std::string why) {
  Principal p;
  p.user_id = "system";
  p.username = "system:" + why;
  p.role = Role::Admin;
  return p;
}

audit::NewEntry audit_entry(const Principal& p, std::string action, std::string kind,
                            std::string resource_id, std::string client_id, std::string reason,
                            std::string outcome) {
  audit::NewEntry e;
  e.actor_id = p.user_id;
  e.actor_role = std::string(role_name(p.role));
  e.action = std::move(action);
  e.resource_kind = std::move(kind);
  e.resource_id = std::move(resource_id);
  e.client_id = std::move(client_id);
  e.remote_addr = p.remote_addr;
  e.request_id = p.request_id;
  e.reason = std::move(reason);
  e.outcome = std::move(outcome);
  return e;
}

User user_from_row(const sql::Row& r) {
  User u;
  u.id = r.str(0);
  u.username = r.str(1);
  u.display_name = r.str(2);
  u.role = parse_role(r.str(3)).value_or(Role::Client);
  u.email = r.opt_str(4);
  u.disabled = r.boolean(5);
  u.totp_enabled = r.boolean(6);
  u.client_id = r.opt_str(7);
  u.created_at_ms = r.i64(8);
  return u;
}

AccessService::AccessService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                             audit::AuditLog& audit, AccessConfig cfg)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      cfg_(std::move(cfg)),
      throttle_(cfg_.address_attempts,
                static_cast<std::int64_t>(cfg_.address_window_seconds) * 1000) {}

std::int64_t AccessService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

void AccessService::forget_cached_tokens() {
  std::lock_guard lock(token_cache_mu_);
  token_cache_.clear();
}

Status AccessService::require_admin(const Principal& actor) {
  auto d = rules::decide(actor.role, Action::Administer, Resource::Users, {});
  if (!d.allowed) return make_error(Errc::Forbidden, "only admins manage accounts");
  return ok_status();
}

Result<User> AccessService::load_user(sql::Conn& c, const std::string& user_id) {
  auto row =
      c.query_one("SELECT " + std::string(k_user_columns) + " FROM users WHERE id = ?", {user_id});
  if (!row) return not_found("user " + user_id);
  return user_from_row(*row);
}

// ---- accounts --------------------------------------------------------------------------

Result<User> AccessService::create_user(const Principal& actor, const NewUser& in) {
  if (auto s = require_admin(actor); !s) return s.error();
  std::vector<FieldError> errs;
  const std::string username = lower(in.username);
  if (auto p = rules::username_problem(username)) errs.push_back({"username", *p});
  if (in.display_name.empty() || in.display_name.size() > 200) {
    errs.push_back({"display_name", "must be 1 to 200 characters"});
  }
  if (auto p = rules::password_problem(in.password, username)) errs.push_back({"password", *p});
  if (in.email && (in.email->size() > 254 || in.email->find('@') == std::string::npos)) {
    errs.push_back({"email", "must be an e-mail address"});
  }
  if (in.role == Role::Client && !in.client_id) {
    errs.push_back({"client_id", "is required for a client account"});
  }
  if (in.role == Role::Guardian) {
    errs.push_back({"role", "guardian accounts are made by accepting an invitation"});
  }
  if (in.role != Role::Client && in.client_id) {
    errs.push_back({"client_id", "only client accounts link to a client record"});
  }
  if (!errs.empty()) return make_error(Errc::Validation, "invalid user", std::move(errs));

  // Argon2id is deliberately slow: hash before taking the writer.
  const std::string hash = crypto::hash_password(in.password);
  const std::string id = new_id("us");
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<User> {
    if (c.query_one("SELECT 1 FROM users WHERE username = ?", {username})) {
      return make_error(Errc::Conflict, "username " + username + " is taken",
                        {{"username", "is already taken"}});
    }
    if (in.client_id && !c.query_one("SELECT 1 FROM clients WHERE id = ?", {*in.client_id})) {
      return make_error(Errc::Validation, "unknown client", {{"client_id", "no such client"}});
    }
    c.exec(
        "INSERT INTO users (id, username, display_name, role, email, password_hash, client_id, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id, username, in.display_name, std::string(role_name(in.role)), sql::opt(in.email), hash,
         sql::opt(in.client_id), now, now});
    audit_.append(c, audit_entry(actor, "create", "user", id, in.client_id.value_or("")));
    return load_user(c, id);
  });
}

Result<User> AccessService::get_user(const Principal& actor, const std::string& user_id) {
  if (actor.user_id != user_id) {
    if (auto s = require_admin(actor); !s) return s.error();
  }
  return db_.read([&](sql::Conn& c) { return load_user(c, user_id); });
}

Result<std::vector<User>> AccessService::list_users(const Principal& actor,
                                                    const std::string& prefix) {
  if (auto s = require_admin(actor); !s) return s.error();
  const std::string p = lower(prefix);
  return db_.read([&](sql::Conn& c) -> Result<std::vector<User>> {
    std::vector<User> out;
    const auto rows = p.empty() ? c.query("SELECT " + std::string(k_user_columns) +
                                          " FROM users ORDER BY username LIMIT 500")
                                : c.query("SELECT " + std::string(k_user_columns) +
                                              " FROM users WHERE username >= ? AND username < ? "
                                              "ORDER BY username LIMIT 500",
                                          {p, p + "\x7f"});
    for (const auto& r : rows) out.push_back(user_from_row(r));
    return out;
  });
}

Result<std::vector<StaffMember>> AccessService::staff_directory(const Principal& actor,
                                                                const std::string& query,
                                                                int limit) {
  if (actor.role == Role::Client || actor.role == Role::Guardian) {
    return make_error(Errc::Forbidden, "the staff directory is for staff");
  }
  const std::int64_t n = std::clamp(limit, 1, 100);
  const std::string q = lower(query);
  return db_.read([&](sql::Conn& c) -> Result<std::vector<StaffMember>> {
    // Small tables: a service has tens to hundreds of staff. Match in code so that "okafor"
    // finds "Chidi Okafor" without a dialect-specific case-insensitive LIKE.
    auto rows = c.query(
        "SELECT id, username, display_name, role FROM users WHERE disabled = 0 AND role NOT IN "
        "('client', 'guardian') ORDER BY display_name, username");
    std::vector<StaffMember> out;
    for (const auto& r : rows) {
      const std::string username = r.str(1);
      const std::string name = lower(r.str(2));
      bool match = q.empty() || username.rfind(q, 0) == 0 || name.rfind(q, 0) == 0;
      for (std::size_t at = name.find(' '); !match && at != std::string::npos;
           at = name.find(' ', at + 1)) {
        match = name.compare(at + 1, q.size(), q) == 0;
      }
      if (!match) continue;
      auto role = parse_role(r.str(3));
      out.push_back({r.str(0), username, r.str(2), role.value_or(Role::Clinician)});
      if (static_cast<std::int64_t>(out.size()) >= n) break;
    }
    return out;
  });
}

std::map<std::string, std::string> AccessService::display_names(
    const std::vector<std::string>& user_ids) {
  std::map<std::string, std::string> out;
  if (user_ids.empty()) return out;
  std::set<std::string> unique(user_ids.begin(), user_ids.end());
  std::string in;
  sql::Params params;
  for (const auto& id : unique) {
    in += in.empty() ? "?" : ", ?";
    params.emplace_back(id);
  }
  db_.read([&](sql::Conn& c) {
    for (const auto& r :
         c.query("SELECT id, display_name FROM users WHERE id IN (" + in + ")", params)) {
      out[r.str(0)] = r.str(1);
    }
  });
  return out;
}

Result<User> AccessService::set_disabled(const Principal& actor, const std::string& user_id,
                                         bool disabled) {
  if (auto s = require_admin(actor); !s) return s.error();
  if (disabled && actor.user_id == user_id) {
    return make_error(Errc::Conflict, "you cannot disable your own account");
  }
  const std::int64_t now = now_ms();
  auto changed = db_.write([&](sql::Conn& c) -> Result<User> {
    if (c.exec("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?",
               {std::int64_t{disabled}, now, user_id}) == 0) {
      return not_found("user " + user_id);
    }
    if (disabled) {
      c.exec("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
             {now, user_id});
      c.exec("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
             {now, user_id});
    } else {
      c.exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?", {user_id});
    }
    audit_.append(c, audit_entry(actor, disabled ? "disable" : "enable", "user", user_id));
    return load_user(c, user_id);
  });
  if (changed) forget_cached_tokens();  // after the commit, so nothing re-caches the old state
  return changed;
}

Result<User> AccessService::find_by_username(const std::string& username) {
  return db_.read([&](sql::Conn& c) -> Result<User> {
    auto row =
        c.query_one("SELECT " + std::string(k_user_columns) + " FROM users WHERE username = ?",
                    {lower(username)});
    if (!row) return not_found("user " + lower(username));
    return user_from_row(*row);
  });
}

// ---- tokens ----------------------------------------------------------------------------

Result<IssuedToken> AccessService::create_token(const Principal& actor, const std::string& user_id,
                                                const std::string& name, int days) {
  if (actor.user_id != user_id) {
    if (auto s = require_admin(actor); !s) return s.error();
  }
  if (days < 1 || days > 366) {
    return invalid("expires_in_days", "must be between 1 and 366");
  }
  if (name.size() > 100) return invalid("name", "must be at most 100 characters");
  IssuedToken t;
  t.id = new_id("tk");
  t.token = "tnd_" + crypto::random_token();
  const std::int64_t now = now_ms();
  t.expires_at_ms = now + static_cast<std::int64_t>(days) * 86'400'000;
  return db_.write([&](sql::Conn& c) -> Result<IssuedToken> {
    auto u = load_user(c, user_id);
    if (!u) return u.error();
    if (u->disabled) return make_error(Errc::Conflict, "user " + user_id + " is disabled");
    c.exec(
        "INSERT INTO api_tokens (id, user_id, token_hash, name, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {t.id, user_id, crypto::blake2b_hex(t.token), name, now, t.expires_at_ms});
    audit_.append(c, audit_entry(actor, "create", "api_token", t.id));
    return t;
  });
}

Result<std::vector<TokenInfo>> AccessService::list_tokens(const Principal& actor,
                                                          const std::string& user_id) {
  if (actor.user_id != user_id) {
    if (auto s = require_admin(actor); !s) return s.error();
  }
  return db_.read([&](sql::Conn& c) -> Result<std::vector<TokenInfo>> {
    std::vector<TokenInfo> out;
    for (const auto& r :
         c.query("SELECT id, user_id, name, created_at, expires_at, revoked_at, last_used_at "
                 "FROM api_tokens WHERE user_id = ? ORDER BY created_at",
                 {user_id})) {
      out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.i64(4), r.opt_i64(5), r.opt_i64(6)});
    }
    return out;
  });
}

Status AccessService::revoke_token(const Principal& actor, const std::string& token_id) {
  const std::int64_t now = now_ms();
  auto revoked = db_.write([&](sql::Conn& c) -> Status {
    auto row = c.query_one("SELECT user_id FROM api_tokens WHERE id = ?", {token_id});
    if (!row) return not_found("token " + token_id);
    if (row->str(0) != actor.user_id) {
      if (auto s = require_admin(actor); !s) return not_found("token " + token_id);
    }
    c.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
           {now, token_id});
    audit_.append(c, audit_entry(actor, "revoke", "api_token", token_id));
    return ok_status();
  });
  if (revoked) forget_cached_tokens();  // after the commit
  return revoked;
}

// ---- sign-in ---------------------------------------------------------------------------

Result<SignIn> AccessService::sign_in(const std::string& username_in, const std::string& password,
                                      const std::string& remote_addr,
                                      const std::string& request_id) {
  const std::int64_t now = now_ms();
  {
    std::lock_guard lock(throttle_mu_);
    throttle_.prune(now);
    if (int wait = throttle_.attempt(remote_addr, now); wait > 0) {
      Error e = make_error(Errc::TooManyRequests,
                           "too many sign-in attempts from this address; try again in " +
                               std::to_string(wait) + " seconds");
      e.retry_after_seconds = wait;
      return e;
    }
  }
  const std::string username = lower(username_in);
  struct Account {
    std::string id, hash;
    bool disabled;
    int failed;
    std::int64_t locked_until;
    bool totp;
  };
  auto account = db_.read([&](sql::Conn& c) -> std::optional<Account> {
    auto r = c.query_one(
        "SELECT id, password_hash, disabled, failed_logins, locked_until, totp_enabled "
        "FROM users WHERE username = ?",
        {username});
    if (!r) return std::nullopt;
    return Account{r->str(0), r->str(1),    r->boolean(2), static_cast<int>(r->i64(3)),
                   r->i64(4), r->boolean(5)};
  });
  if (!account) {
    (void)crypto::verify_password(crypto::dummy_password_hash(), password);
    return make_error(Errc::Unauthenticated, std::string(k_bad_credentials));
  }
  const bool password_ok = crypto::verify_password(account->hash, password);
  Principal who;
  who.user_id = account->id;
  who.username = username;
  who.remote_addr = remote_addr;
  who.request_id = request_id;
  if (account->locked_until > now) {
    // Only someone who knows the password learns that the account is locked: to anyone else a
    // locked account answers like a wrong password (or an unknown name) does.
    if (!password_ok) {
      db_.write([&](sql::Conn& c) {
        audit_.append(c, audit_entry(who, "sign_in", "session", "", "", "", "denied"));
      });
      return make_error(Errc::Unauthenticated, std::string(k_bad_credentials));
    }
    const auto minutes = (account->locked_until - now + 59'999) / 60'000;
    Error e = make_error(Errc::TooManyRequests,
                         "this account is locked after too many failed sign-ins; try again in " +
                             std::to_string(minutes) + " minutes or ask an administrator");
    e.retry_after_seconds = static_cast<int>((account->locked_until - now + 999) / 1000);
    return e;
  }
  if (!password_ok) {
    const auto lock = rules::after_failure(account->failed, now, cfg_);
    db_.write([&](sql::Conn& c) {
      c.exec("UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?",
             {std::int64_t{lock.failed}, lock.locked_until_ms, account->id});
      audit_.append(c, audit_entry(who, "sign_in", "session", "", "", "", "denied"));
    });
    log::info("access.sign_in_failed", {{"user_id", account->id}, {"request_id", request_id}});
    return make_error(Errc::Unauthenticated, std::string(k_bad_credentials));
  }
  if (account->disabled) {
    return make_error(Errc::Unauthenticated, "this account is disabled; ask an administrator");
  }
  SignIn out;
  auto user = db_.write([&](sql::Conn& c) -> Result<User> {
    c.exec("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?", {account->id});
    out = open_session(c, account->id, remote_addr, account->totp);
    auto u = load_user(c, account->id);
    if (u) {
      who.role = u->role;
      audit_.append(c, audit_entry(who, "sign_in", "session", "", "", "",
                                   out.mfa_required ? "mfa_pending" : "ok"));
    }
    return u;
  });
  if (!user) return user.error();
  out.user = std::move(*user);
  return out;
}

SignIn AccessService::open_session(sql::Conn& c, const std::string& user_id,
                                   const std::string& remote_addr, bool mfa_pending) {
  const std::int64_t now = now_ms();
  SignIn out;
  out.session_token = crypto::random_token();
  out.csrf_token = crypto::random_token();
  out.mfa_required = mfa_pending;
  out.expires_at_ms = now + static_cast<std::int64_t>(cfg_.session_absolute_hours) * 3'600'000;
  c.exec(
      "INSERT INTO sessions (id, user_id, csrf_token, mfa_pending, created_at, last_seen_at, "
      "expires_at, remote_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {crypto::blake2b_hex(out.session_token), user_id, out.csrf_token,
       std::int64_t{out.mfa_required}, now, now, out.expires_at_ms, remote_addr});
  return out;
}

Result<Principal> AccessService::authenticate(const http::Request& req, bool allow_mfa_pending) {
  const std::int64_t now = now_ms();
  if (auto auth = req.headers.get("Authorization")) {
    constexpr std::string_view k_bearer = "Bearer ";
    if (auth->size() <= k_bearer.size() || auth->substr(0, k_bearer.size()) != k_bearer) {
      return make_error(Errc::Unauthenticated, "Authorization must be a Bearer token");
    }
    const std::string token(auth->substr(k_bearer.size()));
    const std::string token_hash = crypto::blake2b_hex(token);
    {
      std::lock_guard lock(token_cache_mu_);
      auto it = token_cache_.find(token_hash);
      if (it != token_cache_.end() && it->second.cached_until_ms > now &&
          it->second.token_expires_at_ms > now) {
        Principal p = it->second.who;
        p.remote_addr = req.remote_addr;
        p.request_id = req.request_id;
        return p;
      }
    }
    auto row = db_.read([&](sql::Conn& c) {
      return c.query_one(
          "SELECT t.id, t.expires_at, t.revoked_at, t.last_used_at, u.id, u.username, u.role, "
          "u.disabled, u.client_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
          "WHERE t.token_hash = ?",
          {token_hash});
    });
    if (!row || !row->is_null(2) || row->i64(1) <= now || row->boolean(7)) {
      return make_error(Errc::Unauthenticated, "the bearer token is not valid or has expired");
    }
    Principal p;
    p.user_id = row->str(4);
    p.username = row->str(5);
    p.role = parse_role(row->str(6)).value_or(Role::Client);
    p.client_id = row->opt_str(8).value_or("");
    p.via_token = true;
    {
      std::lock_guard lock(token_cache_mu_);
      if (token_cache_.size() >= k_token_cache_max) token_cache_.clear();
      token_cache_[token_hash] = CachedToken{p, row->i64(1), now + k_token_cache_ms};
    }
    p.remote_addr = req.remote_addr;
    p.request_id = req.request_id;
    if (rules::should_touch_session(row->opt_i64(3).value_or(0), now)) {
      const std::string token_id = row->str(0);
      db_.write([&](sql::Conn& c) {
        c.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", {now, token_id});
      });
    }
    return p;
  }
  auto cookie = req.cookie(k_cookie);
  if (!cookie || cookie->empty()) return make_error(Errc::Unauthenticated, "sign-in required");
  const std::string session_id = crypto::blake2b_hex(*cookie);
  auto row = db_.read([&](sql::Conn& c) {
    return c.query_one(
        "SELECT s.csrf_token, s.mfa_pending, s.created_at, s.last_seen_at, s.expires_at, "
        "s.revoked_at, u.id, u.username, u.role, u.disabled, u.client_id "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
        {session_id});
  });
  if (!row || !row->is_null(5) || row->boolean(9)) {
    return make_error(Errc::Unauthenticated, "sign-in required");
  }
  if (auto why = rules::session_expired(row->i64(2), row->i64(3), row->i64(4), now, cfg_)) {
    return make_error(Errc::Unauthenticated, *why + "; sign in again");
  }
  if (row->boolean(1) && !allow_mfa_pending) {
    return make_error(Errc::Unauthenticated,
                      "the second sign-in step (authenticator code) is still needed");
  }
  Principal p;
  p.csrf_token = row->str(0);
  p.user_id = row->str(6);
  p.username = row->str(7);
  p.role = parse_role(row->str(8)).value_or(Role::Client);
  p.client_id = row->opt_str(10).value_or("");
  p.session_id = session_id;
  p.remote_addr = req.remote_addr;
  p.request_id = req.request_id;
  if (unsafe_method(req.method)) {
    auto sent = req.headers.get("X-CSRF-Token");
    if (!sent || !crypto::equal_constant_time(*sent, p.csrf_token)) {
      return make_error(Errc::Forbidden,
                        "missing or wrong X-CSRF-Token header for a cookie-authenticated change");
    }
  }
  if (rules::should_touch_session(row->i64(3), now)) {
    db_.write([&](sql::Conn& c) {
      c.exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", {now, session_id});
    });
  }
  return p;
}

Status AccessService::sign_out(const Principal& p) {
  if (p.session_id.empty())
    return make_error(Errc::BadRequest, "bearer tokens are revoked, not signed out");
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Status {
    c.exec("UPDATE sessions SET revoked_at = ? WHERE id = ?", {now, p.session_id});
    audit_.append(c, audit_entry(p, "sign_out", "session", ""));
    return ok_status();
  });
}

// ---- TOTP ------------------------------------------------------------------------------

Result<TotpEnrolment> AccessService::begin_totp(const Principal& p) {
  if (p.via_token)
    return make_error(Errc::Forbidden, "enrol an authenticator from a signed-in session");
  TotpEnrolment e;
  e.secret = crypto::totp::new_secret();
  e.otpauth_uri = crypto::totp::otpauth_uri(cfg_.totp_issuer, p.username, e.secret);
  const std::string sealed = keys_.seal(e.secret, "users.totp_secret");
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<TotpEnrolment> {
    auto row = c.query_one("SELECT totp_enabled FROM users WHERE id = ?", {p.user_id});
    if (!row) return not_found("user " + p.user_id);
    if (row->boolean(0)) {
      return make_error(Errc::Conflict,
                        "an authenticator is already enrolled; an admin can reset it");
    }
    c.exec("UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ?",
           {sealed, now, p.user_id});
    return e;
  });
}

Result<std::vector<std::string>> AccessService::confirm_totp(const Principal& p,
                                                             const std::string& code) {
  const std::int64_t now = now_ms();
  const std::int64_t now_s = now / 1000;
  std::vector<std::string> codes;
  for (int i = 0; i < 10; ++i) {
    auto c = crypto::base32_encode(crypto::random_bytes(8)).substr(0, 10);
    codes.push_back(lower(c.substr(0, 5) + "-" + c.substr(5)));
  }
  return db_.write([&](sql::Conn& c) -> Result<std::vector<std::string>> {
    auto row = c.query_one("SELECT totp_secret, totp_enabled FROM users WHERE id = ?", {p.user_id});
    if (!row || row->is_null(0)) return make_error(Errc::Conflict, "start enrolment first");
    if (row->boolean(1)) return make_error(Errc::Conflict, "an authenticator is already enrolled");
    auto secret = keys_.open(row->str(0), "users.totp_secret");
    if (!secret) return make_error(Errc::Internal, "stored authenticator secret cannot be read");
    std::int64_t step = 0;
    if (!crypto::totp::verify(*secret, code, now_s, &step)) {
      return invalid("code", "is not the current code from the authenticator app");
    }
    c.exec("UPDATE users SET totp_enabled = 1, totp_last_step = ?, updated_at = ? WHERE id = ?",
           {step, now, p.user_id});
    c.exec("DELETE FROM recovery_codes WHERE user_id = ?", {p.user_id});
    for (const auto& rc : codes) {
      c.exec("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
             {p.user_id, crypto::blake2b_hex(rc)});
    }
    audit_.append(c, audit_entry(p, "enrol_totp", "user", p.user_id));
    return codes;
  });
}

Status AccessService::verify_second_factor(const Principal& p, const std::string& code_in) {
  if (p.session_id.empty()) return make_error(Errc::BadRequest, "no session to complete");
  const std::int64_t now = now_ms();
  const std::string code = lower(code_in);
  return db_.write([&](sql::Conn& c) -> Status {
    auto row =
        c.query_one("SELECT totp_secret, totp_last_step FROM users WHERE id = ?", {p.user_id});
    if (!row || row->is_null(0)) return make_error(Errc::Conflict, "no authenticator enrolled");
    auto secret = keys_.open(row->str(0), "users.totp_secret");
    if (!secret) return make_error(Errc::Internal, "stored authenticator secret cannot be read");
    std::int64_t step = 0;
    if (crypto::totp::verify(*secret, code, now / 1000, &step)) {
      if (step <= row->i64(1))
        return invalid("code", "this code was already used; wait for the next one");
      c.exec("UPDATE users SET totp_last_step = ? WHERE id = ?", {step, p.user_id});
    } else if (c.exec("UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? "
                      "AND used_at IS NULL",
                      {now, p.user_id, crypto::blake2b_hex(code)}) == 0) {
      audit_.append(c, audit_entry(p, "verify_totp", "session", "", "", "", "denied"));
      return invalid("code", "is not correct");
    }
    c.exec("UPDATE sessions SET mfa_pending = 0, last_seen_at = ? WHERE id = ?",
           {now, p.session_id});
    audit_.append(c, audit_entry(p, "verify_totp", "session", ""));
    return ok_status();
  });
}

Status AccessService::reset_totp(const Principal& actor, const std::string& user_id) {
  if (auto s = require_admin(actor); !s) return s;
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Status {
    if (c.exec("UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = 0, "
               "updated_at = ? WHERE id = ?",
               {now, user_id}) == 0) {
      return not_found("user " + user_id);
    }
    c.exec("DELETE FROM recovery_codes WHERE user_id = ?", {user_id});
    audit_.append(c, audit_entry(actor, "reset_totp", "user", user_id));
    return ok_status();
  });
}

// ---- policy, care teams, break-the-glass -------------------------------------------------

ClientContext AccessService::client_context(sql::Conn& c, const Principal& p,
                                            const std::string& client_id) {
  ClientContext ctx;
  ctx.client_id = client_id;
  ctx.is_own_record = p.role == Role::Client && !p.client_id.empty() && p.client_id == client_id;
  if (rules::is_clinical(p.role)) {
    ctx.on_care_team = c.query_one("SELECT 1 FROM care_team WHERE client_id = ? AND user_id = ?",
                                   {client_id, p.user_id})
                           .has_value();
    if (!ctx.on_care_team) {
      ctx.break_glass_active =
          c.query_one(
               "SELECT 1 FROM break_glass WHERE user_id = ? AND client_id = ? AND "
               "expires_at > ?",
               {p.user_id, client_id, now_ms()})
              .has_value();
    }
  }
  return ctx;
}

Result<Decision> AccessService::authorize(const Principal& p, Action action, Resource resource,
                                          const std::string& client_id) {
  auto found = db_.read([&](sql::Conn& c) -> std::optional<ClientContext> {
    if (!c.query_one("SELECT 1 FROM clients WHERE id = ?", {client_id})) return std::nullopt;
    return client_context(c, p, client_id);
  });
  if (!found) return not_found("client " + client_id);
  const Decision d = rules::decide(p.role, action, resource, *found);
  if (d.allowed) return d;
  // Existence is secret unless the caller could read the record or this part of it.
  const bool visible =
      rules::decide(p.role, Action::Read, Resource::Demographics, *found).allowed ||
      rules::decide(p.role, Action::Read, resource, *found).allowed;
  db_.write([&](sql::Conn& c) {
    audit_.append(
        c, audit_entry(p, std::string(action_name(action)), std::string(resource_name(resource)),
                       client_id, client_id, d.reason, "denied"));
  });
  if (!visible) return not_found("client " + client_id);
  return make_error(Errc::Forbidden, d.reason);
}

Result<Decision> AccessService::authorize_general(const Principal& p, Action action,
                                                  Resource resource) {
  const Decision d = rules::decide(p.role, action, resource, {});
  if (d.allowed) return d;
  return make_error(Errc::Forbidden, d.reason);
}

Result<std::vector<TeamMember>> AccessService::care_team(const Principal& p,
                                                         const std::string& client_id) {
  auto d = authorize(p, Action::Read, Resource::CareTeam, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<TeamMember>> {
    std::vector<TeamMember> out;
    for (const auto& r :
         c.query("SELECT u.id, u.username, u.display_name, u.role, t.team_role, t.added_at "
                 "FROM care_team t JOIN users u ON u.id = t.user_id WHERE t.client_id = ? "
                 "ORDER BY t.added_at, u.username",
                 {client_id})) {
      out.push_back({r.str(0), r.str(1), r.str(2), parse_role(r.str(3)).value_or(Role::Clinician),
                     r.str(4), r.i64(5)});
    }
    audit_.append(c, audit_entry(p, "read", "care_team", client_id, client_id,
                                 d->via_break_glass ? "break-the-glass" : ""));
    return out;
  });
}

Result<TeamMember> AccessService::add_team_member(const Principal& p, const std::string& client_id,
                                                  const std::string& user_id,
                                                  const std::string& team_role) {
  if (!rules::is_team_role(team_role)) {
    return invalid("role", "must be one of the care-team roles (primary_clinician, clinician, …)");
  }
  auto d = authorize(p, Action::ManageTeam, Resource::CareTeam, client_id);
  if (!d) return d.error();
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<TeamMember> {
    auto u = load_user(c, user_id);
    if (!u) return make_error(Errc::Validation, "unknown user", {{"user_id", "no such user"}});
    if (!rules::is_clinical(u->role)) {
      return make_error(
          Errc::Validation, "only clinical staff join care teams",
          {{"user_id", "must be a clinician, prescriber, care manager or peer support worker"}});
    }
    if (u->disabled)
      return make_error(Errc::Validation, "user is disabled", {{"user_id", "is disabled"}});
    if (team_role == "primary_clinician" &&
        c.query_one(
            "SELECT 1 FROM care_team WHERE client_id = ? AND team_role = ? AND user_id <> ?",
            {client_id, team_role, user_id})) {
      return make_error(Errc::Conflict, "client " + client_id + " already has a primary clinician",
                        {{"role", "only one primary_clinician per client"}});
    }
    if (c.exec("UPDATE care_team SET team_role = ? WHERE client_id = ? AND user_id = ?",
               {team_role, client_id, user_id}) == 0) {
      c.exec(
          "INSERT INTO care_team (client_id, user_id, team_role, added_by, added_at) "
          "VALUES (?, ?, ?, ?, ?)",
          {client_id, user_id, team_role, p.user_id, now});
    }
    audit_.append(c, audit_entry(p, "add_member", "care_team", user_id, client_id));
    auto r = c.query_one("SELECT added_at FROM care_team WHERE client_id = ? AND user_id = ?",
                         {client_id, user_id});
    return TeamMember{u->id, u->username, u->display_name, u->role, team_role, r ? r->i64(0) : now};
  });
}

Status AccessService::remove_team_member(const Principal& p, const std::string& client_id,
                                         const std::string& user_id) {
  auto d = authorize(p, Action::ManageTeam, Resource::CareTeam, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Status {
    if (c.exec("DELETE FROM care_team WHERE client_id = ? AND user_id = ?", {client_id, user_id}) ==
        0) {
      return not_found("care-team member " + user_id);
    }
    audit_.append(c, audit_entry(p, "remove_member", "care_team", user_id, client_id));
    return ok_status();
  });
}

Result<BreakGlassGrant> AccessService::break_glass(const Principal& p, const std::string& client_id,
                                                   const std::string& reason) {
  if (!rules::is_clinical(p.role)) {
    return make_error(Errc::Forbidden, "break-the-glass is for clinical staff");
  }
  if (reason.size() < 10 || reason.size() > 2000) {
    return invalid("reason", "must be a written reason of 10 to 2000 characters");
  }
  const std::int64_t now = now_ms();
  BreakGlassGrant g;
  g.id = new_id("bg");
  g.client_id = client_id;
  g.expires_at_ms = now + static_cast<std::int64_t>(cfg_.break_glass_minutes) * 60'000;
  const std::string sealed = keys_.seal(reason, "break_glass.reason");
  return db_.write([&](sql::Conn& c) -> Result<BreakGlassGrant> {
    if (!c.query_one("SELECT 1 FROM clients WHERE id = ?", {client_id})) {
      return not_found("client " + client_id);
    }
    if (c.query_one("SELECT 1 FROM care_team WHERE client_id = ? AND user_id = ?",
                    {client_id, p.user_id})) {
      return make_error(Errc::Conflict,
                        "you are on this client's care team; no need to break the glass");
    }
    c.exec(
        "INSERT INTO break_glass (id, user_id, client_id, reason, started_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {g.id, p.user_id, client_id, sealed, now, g.expires_at_ms});
    c.exec(
        "INSERT INTO client_notices (id, client_id, kind, actor_id, ref_id, created_at) "
        "VALUES (?, ?, 'break_glass', ?, ?, ?)",
        {new_id("nt"), client_id, p.user_id, g.id, now});
    audit_.append(c, audit_entry(p, "break_glass", "client", client_id, client_id, reason));
    if (events_ != nullptr) {
      // The care team sees at once that someone outside it opened the record.
      std::vector<std::string> team;
      for (const auto& r :
           c.query("SELECT user_id FROM care_team WHERE client_id = ?", {client_id})) {
        team.push_back(r.str(0));
      }
      events_->publish(c, {"client.break_glass",
                           boost::json::serialize(boost::json::object{
                               {"client_id", client_id}, {"by", p.user_id}, {"grant_id", g.id}}),
                           team});
    }
    return g;
  });
}

Result<std::vector<ClientNotice>> AccessService::notices(const Principal& p,
                                                         const std::string& client_id) {
  auto d = authorize(p, Action::Read, Resource::AccessLog, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<ClientNotice>> {
    std::vector<ClientNotice> out;
    for (const auto& r :
         c.query("SELECT n.id, n.client_id, n.kind, n.actor_id, u.display_name, n.ref_id, "
                 "n.created_at, "
                 "b.expires_at FROM client_notices n JOIN users u ON u.id = n.actor_id "
                 "LEFT JOIN break_glass b ON b.id = n.ref_id WHERE n.client_id = ? "
                 "ORDER BY n.created_at DESC, n.id LIMIT 200",
                 {client_id})) {
      out.push_back(
          {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5), r.i64(6), r.opt_i64(7)});
    }
    audit_.append(c, audit_entry(p, "read", "notices", client_id, client_id));
    return out;
  });
}

std::function<http::Response(http::Request&)> AccessService::guard(AuthedHandler h,
                                                                   bool allow_mfa_pending,
                                                                   bool allow_guardian) {
  return [this, h = std::move(h), allow_mfa_pending, allow_guardian](http::Request& req) {
    auto p = authenticate(req, allow_mfa_pending);
    if (!p) {
      auto resp = http::Response::problem(p.error());
      if (p.error().code == Errc::Unauthenticated) {
        resp.headers.set("WWW-Authenticate", "Bearer realm=\"tend\"");
      }
      return resp;
    }
    // Deny by default: a guardian is neither the client nor staff, so every route that was not
    // made for guardians refuses them, including routes added later.
    if (p->role == Role::Guardian && !allow_guardian) {
      return http::Response::problem(make_error(
          Errc::Forbidden,
          "a guardian's account opens the guardian portal only (/api/v1/guardian/…), not the "
          "client's own pages or staff pages"));
    }
    return h(req, *p);
  };
}

}  // namespace tend::access
