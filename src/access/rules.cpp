#include "access/rules.h"

#include <algorithm>
#include <array>

namespace tend::access {

namespace {
constexpr std::array<std::pair<Role, std::string_view>, 9> k_roles = {{
    {Role::Admin, "admin"},
    {Role::Clinician, "clinician"},
    {Role::Prescriber, "prescriber"},
    {Role::CareManager, "care_manager"},
    {Role::PeerSupport, "peer_support"},
    {Role::FrontDesk, "front_desk"},
    {Role::Analyst, "analyst"},
    {Role::Client, "client"},
    {Role::Guardian, "guardian"},
}};
}  // namespace

std::string_view role_name(Role r) {
  for (const auto& [role, name] : k_roles) {
    if (role == r) return name;
  }
  return "client";
}

std::optional<Role> parse_role(std::string_view s) {
  for (const auto& [role, name] : k_roles) {
    if (name == s) return role;
  }
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> v = [] {
    std::vector<Role> out;
    for (const auto& kv : k_roles) out.push_back(kv.first);
    return out;
  }();
  return v;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::Read:
      return "read";
    case Action::Search:
      return "search";
    case Action::Create:
      return "create";
    case Action::Update:
      return "update";
    case Action::Archive:
      return "archive";
    case Action::ManageTeam:
      return "manage_team";
    case Action::Administer:
      return "administer";
  }
  return "read";
}

const std::vector<Action>& all_actions() {
  static const std::vector<Action> v = {Action::Read,      Action::Search,  Action::Create,
                                        Action::Update,    Action::Archive, Action::ManageTeam,
                                        Action::Administer};
  return v;
}

std::string_view resource_name(Resource r) {
  switch (r) {
    case Resource::Demographics:
      return "demographics";
    case Resource::Scheduling:
      return "scheduling";
    case Resource::Clinical:
      return "clinical";
    case Resource::SelfReport:
      return "self_report";
    case Resource::PsychotherapyNote:
      return "psychotherapy_note";
    case Resource::SubstanceUse:
      return "substance_use";
    case Resource::CareTeam:
      return "care_team";
    case Resource::AccessLog:
      return "access_log";
    case Resource::Aggregates:
      return "aggregates";
    case Resource::Users:
      return "users";
  }
  return "clinical";
}

const std::vector<Resource>& all_resources() {
  static const std::vector<Resource> v = {
      Resource::Demographics,      Resource::Scheduling,   Resource::Clinical, Resource::SelfReport,
      Resource::PsychotherapyNote, Resource::SubstanceUse, Resource::CareTeam, Resource::AccessLog,
      Resource::Aggregates,        Resource::Users};
  return v;
}

namespace rules {

namespace {
Decision allow(std::string reason, bool via_break_glass = false) {
  return Decision{true, std::move(reason), via_break_glass};
}
Decision deny(std::string reason) {
  return Decision{false, std::move(reason), false};
}

bool is_one_of(Action a, std::initializer_list<Action> set) {
  return std::find(set.begin(), set.end(), a) != set.end();
}

// A client acting through the portal: their own record only, read-only for now.
Decision decide_client(Action action, Resource resource, const ClientContext& ctx) {
  if (!ctx.is_own_record) return deny("client: own record only");
  if (resource == Resource::SelfReport && action == Action::Create) {
    return allow("client: reports on themselves (measures, check-ins)");
  }
  if (action != Action::Read) return deny("client: read-only access to own record");
  switch (resource) {
    case Resource::Demographics:
    case Resource::Scheduling:
    case Resource::Clinical:
    case Resource::SelfReport:
    case Resource::CareTeam:
    case Resource::AccessLog:
    case Resource::SubstanceUse:
      return allow("client: own record");
    default:
      return deny("client: not part of the client's own record");
  }
}

Decision decide_front_desk(Action action, Resource resource) {
  switch (resource) {
    case Resource::Demographics:
      if (is_one_of(action, {Action::Read, Action::Search, Action::Create, Action::Update})) {
        return allow("front desk: demographics");
      }
      return deny("front desk: cannot archive records");
    case Resource::Scheduling:
      if (action == Action::Administer || action == Action::ManageTeam) break;
      return allow("front desk: scheduling");
    case Resource::CareTeam:
      if (action == Action::Read) return allow("front desk: sees who is on the team");
      break;
    default:
      break;
  }
  return deny("front desk: demographics and scheduling only");
}

Decision decide_admin(Action action, Resource resource) {
  switch (resource) {
    case Resource::Users:
      return allow("admin: manages accounts");
    case Resource::Demographics:
      if (is_one_of(action, {Action::Read, Action::Search, Action::Create, Action::Update,
                             Action::Archive})) {
        return allow("admin: record administration");
      }
      break;
    case Resource::CareTeam:
      if (is_one_of(action, {Action::Read, Action::ManageTeam}))
        return allow("admin: assigns care teams");
      break;
    case Resource::AccessLog:
      if (action == Action::Read) return allow("admin: reviews access");
      break;
    case Resource::Aggregates:
      if (is_one_of(action, {Action::Read, Action::Search})) return allow("admin: service figures");
      break;
    default:
      break;
  }
  return deny("admin: no clinical access without care-team membership");
}

Decision decide_clinical(Role role, Action action, Resource resource, const ClientContext& ctx) {
  const bool team = ctx.on_care_team;
  const bool glass = !team && ctx.break_glass_active;
  switch (resource) {
    case Resource::Users:
      return deny("staff accounts are managed by admins");
    case Resource::Aggregates:
      if (role != Role::PeerSupport && is_one_of(action, {Action::Read, Action::Search})) {
        return allow("clinical staff: service figures");
      }
      return deny("aggregates: read only, not for peer support");
    case Resource::PsychotherapyNote:
      if (ctx.is_author && team && action != Action::Search && action != Action::ManageTeam &&
          action != Action::Administer) {
        return allow("psychotherapy note: its author");
      }
      if (action == Action::Create && team) return allow("psychotherapy note: own new note");
      return deny("psychotherapy notes are visible to their author only");
    case Resource::SubstanceUse:
      if (!team) return deny("substance-use records: care team with the client's consent only");
      if (!ctx.substance_use_consent)
        return deny("substance-use records: no consent recorded for this recipient");
      if (is_one_of(action, {Action::Read, Action::Create, Action::Update})) {
        return allow("substance-use records: team member with consent");
      }
      return deny("substance-use records: action not allowed");
    default:
      break;
  }
  if (resource == Resource::Demographics && action == Action::Search) {
    return allow("clinical staff: client directory search");
  }
  if (resource == Resource::Demographics && action == Action::Create) {
    if (role == Role::PeerSupport) return deny("peer support: cannot register clients");
    return allow("clinical staff: registers new clients");
  }
  if (action == Action::Administer) return deny("administration is for admins");
  if (team) {
    switch (action) {
      case Action::Read:
        return allow("on care team");
      case Action::Create:
      case Action::Update:
        if (resource == Resource::AccessLog) return deny("the access log is append-only");
        if (resource == Resource::CareTeam) break;
        return allow("on care team");
      case Action::Archive:
        if (resource == Resource::Demographics && role != Role::PeerSupport) {
          return allow("on care team: may archive");
        }
        break;
      case Action::ManageTeam:
        if (resource == Resource::CareTeam &&
            (role == Role::Clinician || role == Role::CareManager || role == Role::Prescriber)) {
          return allow("on care team: manages the team");
        }
        break;
      default:
        break;
    }
    return deny("on care team, but this action is not allowed for the role");
  }
  if (glass) {
    if (action == Action::Read) return allow("break-the-glass access", true);
    return deny("break-the-glass grants read access only");
  }
  return deny("not on the client's care team");
}
}  // namespace

Decision decide(Role role, Action action, Resource resource, const ClientContext& ctx) {
  // For staff, what a client reports about themselves is clinical information like any other.
  if (role != Role::Client && resource == Resource::SelfReport) resource = Resource::Clinical;
  switch (role) {
    case Role::Client:
      return decide_client(action, resource, ctx);
    case Role::Guardian:
      // A guardian is not the client: nothing of the record through the general policy. The
      // guardian routes show the sections the service shares (rules::guardian_section).
      return deny("guardian: only the sections the service shares, through the guardian portal");
    case Role::Analyst:
      if (resource == Resource::Aggregates && is_one_of(action, {Action::Read, Action::Search})) {
        return allow("analyst: de-identified aggregates");
      }
      return deny("analyst: de-identified aggregates only");
    case Role::FrontDesk:
      return decide_front_desk(action, resource);
    case Role::Admin:
      return decide_admin(action, resource);
    case Role::Clinician:
    case Role::Prescriber:
    case Role::CareManager:
    case Role::PeerSupport:
      return decide_clinical(role, action, resource, ctx);
  }
  return deny("unknown role");
}

bool is_clinical(Role role) {
  return role == Role::Clinician || role == Role::Prescriber || role == Role::CareManager ||
         role == Role::PeerSupport;
}

const std::vector<std::string>& team_roles() {
  static const std::vector<std::string> v = {"primary_clinician", "clinician",    "psychiatrist",
                                             "prescriber",        "care_manager", "peer_support",
                                             "supervisor",        "consultant",   "other"};
  return v;
}

bool is_team_role(std::string_view team_role) {
  const auto& v = team_roles();
  return std::find(v.begin(), v.end(), team_role) != v.end();
}

std::optional<std::string> username_problem(std::string_view u) {
  if (u.size() < 3 || u.size() > 64) return "must be 3 to 64 characters";
  for (char c : u) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return "may contain only a-z, 0-9, '.', '_' and '-'";
  }
  const char first = u.front();
  if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) {
    return "must start with a letter or digit";
  }
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password, std::string_view username) {
  if (password.size() < 12) return "must be at least 12 characters";
  if (password.size() > 1024) return "must be at most 1024 characters";
  if (password == username) return "must not be the username";
  return std::nullopt;
}

Lockout after_failure(int failed_before, std::int64_t now_ms, const AccessConfig& cfg) {
  Lockout l;
  l.failed = failed_before + 1;
  if (l.failed >= cfg.max_failed_logins) {
    l.locked_until_ms = now_ms + static_cast<std::int64_t>(cfg.lockout_minutes) * 60'000;
  }
  return l;
}

std::optional<std::string> session_expired(std::int64_t created_ms, std::int64_t last_seen_ms,
                                           std::int64_t expires_at_ms, std::int64_t now_ms,
                                           const AccessConfig& cfg) {
  (void)created_ms;
  if (now_ms >= expires_at_ms) return "session reached its maximum lifetime";
  if (now_ms - last_seen_ms >= static_cast<std::int64_t>(cfg.session_idle_minutes) * 60'000) {
    return "session timed out after inactivity";
  }
  return std::nullopt;
}

bool should_touch_session(std::int64_t last_seen_ms, std::int64_t now_ms) {
  return now_ms - last_seen_ms >= 60'000;
}

int AddressThrottle::attempt(const std::string& address, std::int64_t now_ms) {
  auto& q = attempts_[address];
  while (!q.empty() && q.front() <= now_ms - window_ms_) q.pop_front();
  if (static_cast<int>(q.size()) >= max_) {
    const std::int64_t wait_ms = q.front() + window_ms_ - now_ms;
    return static_cast<int>(std::max<std::int64_t>(1, (wait_ms + 999) / 1000));
  }
  q.push_back(now_ms);
  return 0;
}

void AddressThrottle::prune(std::int64_t now_ms) {
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    auto& q = it->second;
    while (!q.empty() && q.front() <= now_ms - window_ms_) q.pop_front();
    it = q.empty() ? attempts_.erase(it) : std::next(it);
  }
}

}  // namespace rules
}  // namespace tend::access
