#pragma once
//! Who is acting, and on what: the values the access policy decides over.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tend::access {

//! Staff and client roles (DESIGN.md §5).
enum class Role {
  Admin,
  Clinician,
  Prescriber,
  CareManager,
  PeerSupport,
  FrontDesk,
  Analyst,
  Client,
  Guardian  //!< a parent or guardian of a client who is a minor: the guardian portal only
};

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view s);
//! Every role, in a stable order (for tables and tests).
const std::vector<Role>& all_roles();

//! What the actor wants to do.
enum class Action {
  Read,    //!< view one resource
  Search,  //!< list / search
  Create,
  Update,
  Archive,
  ManageTeam,  //!< add or remove care-team members
  Administer,  //!< manage users and tokens
};
std::string_view action_name(Action a);
const std::vector<Action>& all_actions();

//! The kind of thing acted on.
enum class Resource {
  Demographics,       //!< a client's identifying and contact details
  Scheduling,         //!< appointments (times, rooms, attendance)
  Clinical,           //!< assessments, plans, notes, alerts …
  SelfReport,         //!< what a client reports about themselves (measures, check-ins): clinical,
                      //!< and the client may add to their own
  PsychotherapyNote,  //!< private notes of their author
  SubstanceUse,       //!< records under 42 CFR Part 2-style consent
  CareTeam,
  AccessLog,   //!< who looked at a record
  Aggregates,  //!< de-identified counts and outcomes
  Users,       //!< staff accounts and tokens
};
std::string_view resource_name(Resource r);
const std::vector<Resource>& all_resources();

//! The authenticated caller of a request.
struct Principal {
  std::string user_id;
  std::string username;
  Role role = Role::Client;
  std::string client_id;   //!< for Role::Client: their own record (empty for a guardian)
  std::string session_id;  //!< empty for bearer tokens
  std::string csrf_token;  //!< for cookie sessions
  bool via_token = false;
  std::string remote_addr;
  std::string request_id;
};

//! What the policy knows about the client whose record is touched.
struct ClientContext {
  std::string client_id;               //!< empty when the action is not about one client
  bool on_care_team = false;           //!< the actor is a member of this client's team
  bool break_glass_active = false;     //!< the actor holds an unexpired break-the-glass grant
  bool is_own_record = false;          //!< the actor is this client
  bool is_author = false;              //!< the actor wrote the resource (psychotherapy notes)
  bool substance_use_consent = false;  //!< the client consented to disclosure to the actor
};

//! The policy's answer.
struct Decision {
  bool allowed = false;
  std::string
      reason;  //!< why, in words an auditor reads ("on care team", "front desk: demographics only")
  bool via_break_glass = false;  //!< allowed only because of break-the-glass
};

}  // namespace tend::access

namespace tend::access {

//! A staff or client account. Never carries the password hash or TOTP secret out of the service.
//! A colleague as the staff directory shows them: no e-mail, no account state.
struct StaffMember {
  std::string id;
  std::string username;
  std::string display_name;
  Role role = Role::Clinician;
};

struct User {
  std::string id;
  std::string username;
  std::string display_name;
  Role role = Role::Clinician;
  std::optional<std::string> email;
  bool disabled = false;
  bool totp_enabled = false;
  std::optional<std::string> client_id;
  std::int64_t created_at_ms = 0;
};

struct NewUser {
  std::string username;
  std::string display_name;
  Role role = Role::Clinician;
  std::string password;
  std::optional<std::string> email;
  std::optional<std::string> client_id;
};

//! A bearer token as shown once at creation; only its hash is stored.
struct IssuedToken {
  std::string id;
  std::string token;
  std::int64_t expires_at_ms = 0;
};

struct TokenInfo {
  std::string id;
  std::string user_id;
  std::string name;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> revoked_at_ms;
  std::optional<std::int64_t> last_used_at_ms;
};

//! The outcome of a successful password check.
struct SignIn {
  std::string session_token;  //!< goes in the cookie; only its hash is stored
  std::string csrf_token;
  bool mfa_required = false;  //!< the session is limited until POST /api/v1/session/totp
  User user;
  std::int64_t expires_at_ms = 0;
};

struct TotpEnrolment {
  std::string secret;       //!< base32, shown once
  std::string otpauth_uri;  //!< for a QR code
};

struct TeamMember {
  std::string user_id;
  std::string username;
  std::string display_name;
  Role role = Role::Clinician;  //!< the user's account role
  std::string team_role;        //!< role on this client's team ("primary_clinician", …)
  std::int64_t added_at_ms = 0;
};

struct BreakGlassGrant {
  std::string id;
  std::string client_id;
  std::int64_t expires_at_ms = 0;
};

//! Something the care team should know about a record (e.g. a break-the-glass opening).
struct ClientNotice {
  std::string id;
  std::string client_id;
  std::string kind;  //!< "break_glass"
  std::string actor_id;
  std::string actor_name;
  std::string ref_id;  //!< e.g. the break-the-glass grant
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> expires_at_ms;  //!< for break_glass: when the access ends
};

//! Settings that shape sign-in and sessions.
struct AccessConfig {
  int session_idle_minutes = 30;    //!< a session unused this long ends
  int session_absolute_hours = 12;  //!< a session ends this long after sign-in regardless
  int max_failed_logins = 5;        //!< consecutive failures before an account locks
  int lockout_minutes = 15;
  int address_attempts = 20;  //!< sign-in attempts per address per window
  int address_window_seconds = 300;
  int break_glass_minutes = 60;
  int token_days_default = 90;
  bool secure_cookies = true;  //!< Secure attribute (set when serving TLS)
  std::string totp_issuer = "Tend";
};

}  // namespace tend::access
