#pragma once
//! Values of the client's own record in the portal: who has seen it (the access log in plain
//! words), everything Tend holds about them for download, and their requests to correct it
//! (amendments). Plain data, no behaviour.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "assessment/model.h"
#include "care/diagnosis_model.h"
#include "care/model.h"
#include "care/notes_model.h"
#include "care/plan_model.h"
#include "clients/model.h"
#include "crisis/model.h"
#include "messaging/model.h"
#include "tracking/service.h"

namespace tend::record {

//! Who a person in the access log is to the client.
struct Actor {
  std::string name;  //!< display name; empty when the account is unknown
  std::string role;  //!< account role ("clinician", "front_desk", …)
  bool on_care_team = false;
};

//! One line of "who has seen my record": one person, one day, one kind of record, one kind of
//! action, however many times it happened.
struct AccessLine {
  std::string text;      //!< the whole line in plain words
  std::string actor_id;  //!< user id, or "system:…"
  std::string who;       //!< "Sam Rivera (clinician, your care team)", "Tend, automatically"
  std::string did;       //!< "looked at", "changed", "tried to look at … and was refused"
  std::string what;      //!< "your assessment results"
  std::string day;       //!< YYYY-MM-DD in the service's time zone
  std::int64_t first_at_ms = 0;
  std::int64_t last_at_ms = 0;
  int times = 0;           //!< entries folded into this line
  bool emergency = false;  //!< break-the-glass: outside the care team, with a recorded reason
  bool automatic = false;  //!< Tend itself (a scheduled job), not a person
  bool refused = false;    //!< the access was denied
};

//! A page of lines and where the next page starts (an audit seq; empty at the end).
struct AccessPage {
  std::vector<AccessLine> lines;
  std::string next_cursor;
};

//! A request to correct the record and, once decided, the answer. Kept for ever.
struct Amendment {
  std::string id;  //!< am_…
  std::string client_id;
  std::string what;      //!< which part of the record, in the client's words
  std::string ref_kind;  //!< optional pointer into the record ("diagnosis", "note", …)
  std::string ref_id;
  std::string change;           //!< decrypted; what the client asks to change
  std::string status = "open";  //!< open | accepted | refused
  std::string decided_by;
  std::string decided_by_name;
  std::optional<std::int64_t> decided_at_ms;
  std::string reason;   //!< decrypted; the refusal's reason or the acceptance's note
  std::string task_id;  //!< the care task the request raised; empty when nobody was on the team
  std::int64_t created_at_ms = 0;
  std::string client_name;  //!< filled for staff lists
};

//! One measure result with its instrument, for the download.
struct MeasureResult {
  assessment::Assessment result;
  assessment::InstrumentPtr instrument;
  std::string questionnaire_url;  //!< the instrument's canonical url as FHIR shows it
};

//! A signed progress note with its sections' headings, for the download.
struct SignedNote {
  care::Note note;
  std::vector<std::pair<std::string, std::string>> sections;  //!< heading, text; in order
};

//! An article given to the client, for the download.
struct Reading {
  std::string id;
  std::string title;
  std::string status;  //!< assigned | read
  std::int64_t assigned_at_ms = 0;
  std::optional<std::int64_t> read_at_ms;
  std::optional<int> rating;
};

//! Everything Tend holds about one client that the client may have: the download's contents.
//! Psychotherapy notes are never part of it.
struct RecordContents {
  clients::Client client;
  std::vector<MeasureResult> measures;  //!< oldest first
  std::vector<care::Appointment> appointments;
  std::vector<care::Diagnosis> diagnoses;
  std::vector<care::Medication> medications;
  std::optional<care::Plan> plan;
  std::optional<crisis::SafetyPlan> safety_plan;
  std::vector<SignedNote> notes;  //!< signed progress notes, oldest first
  std::vector<Reading> reading;
  std::vector<tracking::StoredCheckIn> check_ins;    //!< every daily check-in, by date
  std::map<std::string, std::string> factor_labels;  //!< factor id → label, for check-ins
  std::vector<messaging::Thread> threads;  //!< the client's conversations, with their messages
  std::vector<Amendment> amendments;
  std::int64_t generated_at_ms = 0;
  std::string service_name = "Tend";
};

}  // namespace tend::record
