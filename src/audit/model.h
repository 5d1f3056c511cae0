#pragma once
//! The access log's values: one entry per read or write of client data (and per security
//! event), chained by BLAKE2b so that changing, deleting or reordering rows is detectable.

#include <cstdint>
#include <string>

namespace tend::audit {

//! What a caller records. Fields are ids, roles and short codes; never client content.
struct NewEntry {
  std::string actor_id;        //!< user id, or "system:<why>" for the operator
  std::string actor_role;      //!< role name ("clinician", "admin", …)
  std::string action;          //!< verb: "read", "create", "update", "sign_in", "break_glass", …
  std::string resource_kind;   //!< "client", "user", "session", "care_team", …
  std::string resource_id;     //!< id of the resource, "" when none
  std::string client_id;       //!< client whose record this touches, "" when none
  std::string remote_addr;     //!< IP address of the request, "" from the command line
  std::string request_id;      //!< request id, to correlate with logs
  std::string reason;          //!< why, when recorded ("break-the-glass", a policy name)
  std::string outcome = "ok";  //!< "ok" or "denied"
};

//! One stored entry: a NewEntry with its place in the chain.
struct Entry {
  std::int64_t seq = 0;    //!< 1, 2, 3, … without gaps
  std::int64_t at_ms = 0;  //!< milliseconds since the Unix epoch (UTC)
  std::string actor_id;
  std::string actor_role;
  std::string action;
  std::string resource_kind;
  std::string resource_id;
  std::string client_id;
  std::string remote_addr;
  std::string request_id;
  std::string reason;
  std::string outcome = "ok";
  std::string prev_hash;  //!< hash of entry seq-1 (64 zeros for entry 1), lower-case hex
  std::string hash;       //!< BLAKE2b-256(prev_hash ‖ canonical(entry)), lower-case hex
};

//! The outcome of checking the chain.
struct VerifyReport {
  bool ok = true;
  std::int64_t entries_checked = 0;  //!< entries examined (all of them when ok)
  std::int64_t first_bad_seq = 0;    //!< the first entry found changed or missing; 0 when ok
  std::string problem;               //!< what is wrong, in words; "" when ok
};

}  // namespace tend::audit
