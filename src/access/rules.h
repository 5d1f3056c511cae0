#pragma once
//! Pure access decisions: the policy (who may do what to which record), sign-in throttling,
//! session lifetime, and account-field rules. No I/O, no clock reads: time comes in as arguments.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "access/model.h"
#include "platform/result.h"

namespace tend::access::rules {

//! The one policy function: may an actor in `role` do `action` on `resource` of the client
//! described by `ctx`? Clinical data needs care-team membership; break-the-glass grants read
//! access only, never to psychotherapy notes or substance-use records; front desk sees
//! demographics and scheduling only; analysts see de-identified aggregates only; a client sees
//! only their own record.
Decision decide(Role role, Action action, Resource resource, const ClientContext& ctx);

//! True for roles that deliver care (clinician, prescriber, care manager, peer support).
bool is_clinical(Role role);

//! Team roles a care-team membership may carry.
bool is_team_role(std::string_view team_role);
const std::vector<std::string>& team_roles();

//! Usernames: 3–64 of [a-z0-9._-], starting with a letter or digit (checked after lower-casing).
std::optional<std::string> username_problem(std::string_view username);
//! Passwords: 12–1024 bytes (NIST SP 800-63B allows long passphrases), not the username.
std::optional<std::string> password_problem(std::string_view password, std::string_view username);

//! After a failed sign-in: the new failure count and the lock-out end (0 = not locked).
struct Lockout {
  int failed = 0;
  std::int64_t locked_until_ms = 0;
};
Lockout after_failure(int failed_before, std::int64_t now_ms, const AccessConfig& cfg);

//! Why a session is no longer valid, or nullopt when it is.
std::optional<std::string> session_expired(std::int64_t created_ms, std::int64_t last_seen_ms,
                                           std::int64_t expires_at_ms, std::int64_t now_ms,
                                           const AccessConfig& cfg);
//! A session's last_seen is written at most once a minute, to keep reads read-only.
bool should_touch_session(std::int64_t last_seen_ms, std::int64_t now_ms);

//! Sign-in attempts per remote address in a sliding window. Not thread-safe: guard it.
class AddressThrottle {
 public:
  explicit AddressThrottle(int max_attempts, std::int64_t window_ms)
      : max_(max_attempts), window_ms_(window_ms) {}
  //! Records an attempt at `now_ms`; returns the seconds to wait when over the limit, else 0.
  int attempt(const std::string& address, std::int64_t now_ms);
  //! Drops addresses with no attempt in the window (call now and then).
  void prune(std::int64_t now_ms);
  std::size_t tracked() const { return attempts_.size(); }

 private:
  int max_;
  std::int64_t window_ms_;
  std::map<std::string, std::deque<std::int64_t>> attempts_;
};

}  // namespace tend::access::rules
