#pragma once
//! Values of treatment plans, discharge summaries and relapse prevention plans. Plain data, no
//! behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tend::care {

//! A problem (in clinical words) or a goal (in the client's own words): a stable id and text.
struct PlanItem {
  std::string id;  //!< stable across versions: the diff follows it
  std::string text;
};

//! A measurable objective, optionally tied to a measure ("PHQ-9 below 10 by 1 March").
struct Objective {
  std::string id;
  std::string text;
  std::string target_on;         //!< "YYYY-MM-DD"
  std::string instrument_id;     //!< empty when not tied to a measure
  std::string comparison;        //!< below | at_most | at_least (with an instrument)
  std::optional<double> target;  //!< the target score (with an instrument)
  std::string since;             //!< the day it was first set: progress counts from here
  std::string instrument_name;   //!< filled for display
};

//! An intervention from the list (content/care/interventions.json), how often and by whom.
struct Intervention {
  std::string id;
  std::string code;               //!< "cbt", "behavioural_activation" …
  std::string detail;             //!< optional free text ("other": what it is)
  std::string frequency;          //!< "weekly", "every two weeks" …
  std::string delivered_by;       //!< user id of the staff member
  std::string delivered_by_name;  //!< filled for display
};

//! What one version of a plan says.
struct PlanContent {
  std::vector<PlanItem> problems;
  std::vector<PlanItem> goals;
  std::vector<Objective> objectives;
  std::vector<Intervention> interventions;
  std::string review_on;  //!< "YYYY-MM-DD"
};

//! One immutable version of a plan.
struct PlanVersion {
  std::int64_t version = 1;
  PlanContent content;
  std::string saved_by;
  std::string saved_by_name;
  std::int64_t saved_at_ms = 0;
};

//! The client's agreement to one version.
struct Agreement {
  std::int64_t version = 0;
  std::int64_t at_ms = 0;
};

//! A treatment plan: the current version, and the last version the client agreed to.
struct Plan {
  std::string id;
  std::string client_id;
  std::string episode_id;  //!< empty when not tied to an episode
  std::string created_by;  //!< the author: review tasks are theirs
  std::int64_t created_at_ms = 0;
  PlanVersion current;
  std::optional<Agreement> agreed;  //!< the latest agreement, to whichever version
};

//! Where an objective tied to a measure stands, from the results themselves.
struct Progress {
  std::optional<double> baseline;  //!< the last result on or before the start, else the first
  std::string baseline_on;
  std::optional<double> latest;
  std::string latest_on;
  int results = 0;
  std::string status = "not_yet";  //!< met | not_yet | overdue
};

//! A result as the progress rule needs it.
struct ScorePoint {
  std::string on;  //!< "YYYY-MM-DD"
  double total = 0;
};

//! One change between two versions of a plan.
struct PlanChange {
  std::string section;  //!< problems | goals | objectives | interventions | review_on
  std::string id;       //!< the item's stable id (empty for review_on)
  std::string kind;     //!< added | removed | changed
  std::string before;   //!< a readable line of the item before (empty when added)
  std::string after;    //!< and after (empty when removed)
};

//! One measure at the start and the end of an episode.
struct OutcomeMeasure {
  std::string instrument_id;
  std::string instrument_name;
  double start = 0;
  std::string start_on;
  double end = 0;
  std::string end_on;
};

//! What the client keeps to stay well after discharge.
struct RelapsePrevention {
  std::vector<std::string> warning_signs;
  std::vector<std::string> what_helps;
  std::vector<std::string> contacts;
  std::string coming_back;  //!< how to come back to the service
};

//! The discharge summary of one discharged episode, with its relapse prevention plan.
struct Discharge {
  std::string episode_id;
  std::string client_id;
  std::string program;
  std::string ended_on;
  std::string reason;
  std::string what_helped;
  std::string recommendations;
  std::vector<OutcomeMeasure> outcomes;  //!< filled from the results when written
  RelapsePrevention relapse;
  std::string written_by;
  std::string written_by_name;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 1;
};

}  // namespace tend::care
