#pragma once
//! Access use cases: accounts, sign-in and sessions, bearer tokens, TOTP, care teams,
//! break-the-glass, and the guard every authenticated route goes through.

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/model.h"
#include "access/rules.h"
#include "audit/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/events/hub.h"
#include "platform/http/message.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::access {

//! The operator at the command line: audited as "system" with the admin role.
Principal system_principal(std::string why = "cli");

//! The audit entry for `p` doing `action` on `kind`/`id` of `client_id`.
audit::NewEntry audit_entry(const Principal& p, std::string action, std::string kind,
                            std::string resource_id, std::string client_id = {},
                            std::string reason = {}, std::string outcome = "ok");

//! Thread-safe; one per process.
class AccessService {
 public:
  //! Where care-team notices (break-the-glass) are published live; none until set.
  void set_events(events::EventHub* hub) { events_ = hub; }

  //! Forbidden unless `actor` is an admin (operations routes outside this module use it).
  Status require_admin(const Principal& actor);

  AccessService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                audit::AuditLog& audit, AccessConfig cfg);

  const AccessConfig& config() const { return cfg_; }

  // ---- accounts ----
  Result<User> create_user(const Principal& actor, const NewUser& user);
  Result<User> get_user(const Principal& actor, const std::string& user_id);
  //! Users whose username starts with `username_prefix` (all when empty), by username.
  Result<std::vector<User>> list_users(const Principal& actor, const std::string& username_prefix);
  //! Active staff whose username or display name starts with `query` (any word of it), for
  //! picking colleagues by name (care teams). Any staff member may look; clients may not.
  Result<std::vector<StaffMember>> staff_directory(const Principal& actor, const std::string& query,
                                                   int limit);
  //! Display names of the given accounts (those that exist), for showing who did what.
  std::map<std::string, std::string> display_names(const std::vector<std::string>& user_ids);
  //! Disabling also ends the user's sessions and revokes their tokens.
  Result<User> set_disabled(const Principal& actor, const std::string& user_id, bool disabled);
  Result<User> find_by_username(const std::string& username);

  // ---- bearer tokens ----
  Result<IssuedToken> create_token(const Principal& actor, const std::string& user_id,
                                   const std::string& name, int days);
  Result<std::vector<TokenInfo>> list_tokens(const Principal& actor, const std::string& user_id);
  Status revoke_token(const Principal& actor, const std::string& token_id);

  // ---- sign-in ----
  //! Checks the password (Argon2id) with per-address and per-account throttling. The same
  //! answer, in about the same time, whether or not the username exists.
  Result<SignIn> sign_in(const std::string& username, const std::string& password,
                         const std::string& remote_addr, const std::string& request_id);
  //! Starts a session for `user_id` inside the caller's write transaction (sign-in, and an
  //! accepted portal invitation). `out.user` is left for the caller to fill.
  SignIn open_session(sql::Conn& c, const std::string& user_id, const std::string& remote_addr,
                      bool mfa_pending);
  //! Completes a sign-in that owes a second factor with a TOTP or recovery code.
  Status verify_second_factor(const Principal& p, const std::string& code);
  Status sign_out(const Principal& p);
  //! Who is calling: bearer token or session cookie (with CSRF for unsafe methods).
  //! `allow_mfa_pending` admits sessions that still owe a second factor.
  Result<Principal> authenticate(const http::Request& req, bool allow_mfa_pending = false);

  // ---- TOTP ----
  Result<TotpEnrolment> begin_totp(const Principal& p);
  //! Turns TOTP on after a correct code; returns ten single-use recovery codes.
  Result<std::vector<std::string>> confirm_totp(const Principal& p, const std::string& code);
  Status reset_totp(const Principal& actor, const std::string& user_id);

  // ---- care teams, break-the-glass, policy ----
  //! What the policy needs to know about `p` and `client_id` (read inside `c`).
  ClientContext client_context(sql::Conn& c, const Principal& p, const std::string& client_id);
  //! Decides `action` on `resource` of `client_id`. A record the caller may not read is
  //! NotFound (never a hint it exists); a readable one with a refused action is Forbidden.
  //! A refusal is audited.
  Result<Decision> authorize(const Principal& p, Action action, Resource resource,
                             const std::string& client_id);
  //! The same for actions not about one client (Users, Aggregates, directory search).
  Result<Decision> authorize_general(const Principal& p, Action action, Resource resource);

  Result<std::vector<TeamMember>> care_team(const Principal& p, const std::string& client_id);
  Result<TeamMember> add_team_member(const Principal& p, const std::string& client_id,
                                     const std::string& user_id, const std::string& team_role);
  Status remove_team_member(const Principal& p, const std::string& client_id,
                            const std::string& user_id);
  Result<BreakGlassGrant> break_glass(const Principal& p, const std::string& client_id,
                                      const std::string& reason);

  //! Notices on the record for its care team, newest first (readers of the access log).
  Result<std::vector<ClientNotice>> notices(const Principal& p, const std::string& client_id);

  //! Wraps a handler so that it runs only for an authenticated caller. A guardian's account
  //! is refused (403) unless `allow_guardian`: it opens only the routes made for it (session,
  //! authenticator, terms, /api/v1/guardian/…), never a client's or staff route.
  using AuthedHandler = std::function<http::Response(http::Request&, const Principal&)>;
  std::function<http::Response(http::Request&)> guard(AuthedHandler h,
                                                      bool allow_mfa_pending = false,
                                                      bool allow_guardian = false);

 private:
  std::int64_t now_ms() const;
  Result<User> load_user(sql::Conn& c, const std::string& user_id);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  AccessConfig cfg_;
  events::EventHub* events_ = nullptr;
  std::mutex throttle_mu_;
  rules::AddressThrottle throttle_;

  //! Bearer tokens seen in the last few seconds (by token hash), so that an API client's
  //! requests do not each cost a database read. Cleared on this instance by every revocation
  //! or account change; other instances notice within k_token_cache_ms.
  struct CachedToken {
    Principal who;  //!< without per-request fields
    std::int64_t token_expires_at_ms = 0;
    std::int64_t cached_until_ms = 0;
  };
  static constexpr std::int64_t k_token_cache_ms = 5000;
  static constexpr std::size_t k_token_cache_max = 10000;
  void forget_cached_tokens();
  std::mutex token_cache_mu_;
  std::unordered_map<std::string, CachedToken> token_cache_;
};

//! Row → User for `SELECT id, username, display_name, role, email, disabled, totp_enabled,
//! client_id, created_at FROM users`.
User user_from_row(const sql::Row& r);
inline constexpr std::string_view k_user_columns =
    "id, username, display_name, role, email, disabled, totp_enabled, client_id, created_at";

}  // namespace tend::access
