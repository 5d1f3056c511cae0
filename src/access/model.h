#pragma once
//! Who is acting, and on what: the values the access policy decides over.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tend::access {

//! Staff and client roles (DESIGN.md §5).
enum class Role { Admin, Clinician, Prescriber, CareManager, PeerSupport, FrontDesk, Analyst, Client };

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view s);
//! Every role, in a stable order (for tables and tests).
const std::vector<Role>& all_roles();

//! What the actor wants to do.
enum class Action {
  Read,       //!< view one resource
  Search,     //!< list / search
  Create,
  Update,
  Archive,
  ManageTeam, //!< add or remove care-team members
  Administer, //!< manage users and tokens
};
std::string_view action_name(Action a);
const std::vector<Action>& all_actions();

//! The kind of thing acted on.
enum class Resource {
  Demographics,     //!< a client's identifying and contact details
  Scheduling,       //!< appointments (times, rooms, attendance)
  Clinical,         //!< assessments, plans, notes, alerts …
  PsychotherapyNote,//!< private notes of their author
  SubstanceUse,     //!< records under 42 CFR Part 2-style consent
  CareTeam,
  AccessLog,        //!< who looked at a record
  Aggregates,       //!< de-identified counts and outcomes
  Users,            //!< staff accounts and tokens
};
std::string_view resource_name(Resource r);
const std::vector<Resource>& all_resources();

//! The authenticated caller of a request.
struct Principal {
  std::string user_id;
  std::string username;
  Role role = Role::Client;
  std::string client_id;     //!< for Role::Client: their own record
  std::string session_id;    //!< empty for bearer tokens
  std::string csrf_token;    //!< for cookie sessions
  bool via_token = false;
  std::string remote_addr;
  std::string request_id;
};

//! What the policy knows about the client whose record is touched.
struct ClientContext {
  std::string client_id;           //!< empty when the action is not about one client
  bool on_care_team = false;       //!< the actor is a member of this client's team
  bool break_glass_active = false; //!< the actor holds an unexpired break-the-glass grant
  bool is_own_record = false;      //!< the actor is this client
  bool is_author = false;          //!< the actor wrote the resource (psychotherapy notes)
  bool substance_use_consent = false; //!< the client consented to disclosure to the actor
};

//! The policy's answer.
struct Decision {
  bool allowed = false;
  std::string reason;  //!< why, in words an auditor reads ("on care team", "front desk: demographics only")
  bool via_break_glass = false;  //!< allowed only because of break-the-glass
};

}  // namespace tend::access
