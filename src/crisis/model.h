#pragma once
//! Crisis response values: risk signals, alerts with levels, the escalation chain, the on-call
//! roster, caring-contact follow-ups and the Stanley-Brown safety plan.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tend::crisis {

//! How urgently a person must answer. Ordered: a higher value is more urgent.
enum class Level { Low = 0, Moderate = 1, High = 2, Imminent = 3 };

//! Where a risk signal came from.
enum class Source { Assessment, CheckIn, Message, HelpNow, Clinician };

//! One reason to worry, before it is an alert (or joins one).
struct Signal {
  Source source = Source::Clinician;
  Level level = Level::Low;
  std::string rule;    //!< the rule that fired ("phq-9.suicidal_ideation", "help_now")
  std::string reason;  //!< plain words for the person who must answer; no free text of the client
  std::string ref_id;  //!< the assessment, check-in or message; empty for help-now
};

//! A link of the escalation chain.
enum class Step { PrimaryClinician, CareTeam, OnCall, Supervisor };

//! A stored signal, as part of an alert.
struct StoredSignal {
  std::string id;
  Source source = Source::Clinician;
  Level level = Level::Low;
  std::string rule;
  std::string reason;
  std::string ref_id;
  std::string raised_by;  //!< the clinician who raised it by hand, else empty
  std::int64_t at_ms = 0;
};

//! Something that happened to an alert.
struct TimelineEntry {
  std::int64_t seq = 0;
  std::int64_t at_ms = 0;
  std::string kind;  //!< raised | signal | level_raised | notified | escalated | renotified |
                     //!< delivered | delivery_failed | acknowledged | resolved | follow_up
  int step = 0;
  std::string user_id;  //!< recipient or actor, if any
  std::string user_name;
  std::string channel;  //!< live | email | webhook, for notifications
  std::string detail;   //!< ids, states and error text; never client content
};

struct Person {
  std::string id;
  std::string name;
};

//! An alert: one per client at a time while it is open or acknowledged.
struct Alert {
  std::string id;  //!< al_…
  std::string client_id;
  std::string client_name;  //!< for staff screens; filled on read
  Level level = Level::Low;
  std::string status = "open";  //!< open | acknowledged | resolved
  std::string reason;           //!< the first signal's reason, or the most urgent one's
  int step = 0;                 //!< index into the chain
  int round = 0;                //!< re-notifications after the chain's end
  std::int64_t deadline_at_ms = 0;
  std::int64_t opened_at_ms = 0;
  std::optional<Person> acknowledged_by;
  std::optional<std::int64_t> acknowledged_at_ms;
  std::optional<Person> resolved_by;
  std::optional<std::int64_t> resolved_at_ms;
  std::optional<std::string> outcome;
  std::optional<std::string> note;  //!< decrypted; only on a single read
  std::vector<StoredSignal> signals;
  std::vector<Person> notified;
  int deliveries_failed = 0;
  std::vector<TimelineEntry> timeline;  //!< only on a single read
  std::int64_t version = 1;
  std::int64_t timer = 0;  //!< which escalation job is current
};

//! Who answers at each link of the chain, right now.
struct ChainPeople {
  std::optional<std::string> primary_clinician;
  std::vector<std::string> care_team;  //!< clinical members, primary included
  std::vector<std::string> on_call;
  std::vector<std::string> supervisors;
};

//! A roster entry: a weekly pattern in a time zone, or one window. While an entry marked cover
//! is active, it replaces the regular entries of its kind.
struct RosterEntry {
  std::string id;
  std::string kind = "on_call";  //!< on_call | supervisor
  std::string user_id;
  bool cover = false;
  std::string time_zone = "UTC";
  // weekly pattern
  std::vector<int> days;  //!< 0 = Sunday … 6 = Saturday; empty for a one-off window
  int start_minute = 0;   //!< minutes after local midnight
  int end_minute = 0;     //!< at or before start: runs into the next day
  std::optional<std::string> from_date;   //!< YYYY-MM-DD, local; inclusive
  std::optional<std::string> until_date;  //!< YYYY-MM-DD, local; inclusive (a shift starting then)
  // one-off window
  std::optional<std::int64_t> starts_at_ms;
  std::optional<std::int64_t> ends_at_ms;
  std::string note;
  std::string created_by;
  std::int64_t created_at_ms = 0;
};

//! A caring-contact follow-up after an alert is resolved.
struct FollowUp {
  std::string id;  //!< fu_…
  std::string alert_id;
  std::string client_id;
  std::string client_name;
  Person owner;
  std::string label;  //!< "24 hours", "72 hours", "7 days"
  std::int64_t due_at_ms = 0;
  std::string status = "pending";     //!< pending | done
  bool overdue = false;               //!< pending past its due time (a missed caring contact)
  std::optional<std::string> result;  //!< reached | no_answer | message_left
  std::optional<std::int64_t> done_at_ms;
  std::optional<Person> done_by;
};

//! A professional or agency in a safety plan.
struct Contact {
  std::string name;
  std::string phone;
  std::string note;
};

//! The Stanley-Brown safety plan's sections.
struct SafetyPlanSections {
  std::vector<std::string> warning_signs;
  std::vector<std::string> coping_strategies;
  std::vector<std::string> distractions;      //!< people and social settings for distraction
  std::vector<std::string> people_to_ask;     //!< people to ask for help
  std::vector<Contact> professionals;         //!< professionals and agencies in a crisis
  std::vector<std::string> safe_environment;  //!< making the environment safe
  std::vector<std::string> reasons_for_living;
};

struct SafetyPlan {
  std::string client_id;
  std::int64_t version = 0;
  SafetyPlanSections sections;
  Person updated_by;
  std::int64_t updated_at_ms = 0;
};

}  // namespace tend::crisis
