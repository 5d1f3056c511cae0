#pragma once
//! Pure assessment decisions: scoring answers by an instrument's rules, change between
//! results, the NHS Talking Therapies outcome, and when a scheduled measure is due. No I/O,
//! no clock: everything comes in as arguments.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "assessment/model.h"
#include "platform/result.h"

namespace tend::assessment::rules {

//! Scores `answers` for `in`. Refuses (Validation; each problem as field `answers.<linkId>`)
//! an unknown item, a value that is not one of the item's options or outside its range, an
//! answer to an item that is not enabled, and a missing required answer — unless the
//! instrument's missing rule allows the gap, in which case the result is scored with
//! `complete = false` and the gaps listed.
Result<Score> score(const Instrument& in, const Answers& answers, const ScoringContext& ctx = {});

//! True when `c` holds for these answers and scores. Unanswered items make item comparisons
//! false. `scores` maps "total" and subscale ids to their values.
bool holds(const Condition& c, const Answers& answers,
           const std::vector<std::pair<std::string, double>>& scores, const ScoringContext& ctx);

//! Whether item `it` is asked given the answers so far (FHIR enableWhen).
bool enabled(const Item& it, const Answers& answers);

//! The reliable-change threshold: the published one, else Jacobson–Truax
//! 1.96 · SD · √2 · √(1 − r); nullopt when the instrument has neither.
std::optional<double> reliable_change_threshold(const ChangeRule& rule);

//! Change from an earlier result (`from_total`, with its caseness) to `to`. With `first` set,
//! the outcome measures of the first comparison (recovery, response, remission) are filled.
std::optional<Change> change(const Instrument& in, const std::string& from_id, double from_total,
                             std::optional<bool> from_case, const Score& to, bool first);

//! NHS Talking Therapies paired outcome from the first and last PHQ-9 and GAD-7 totals
//! (NHS Talking Therapies Manual): caseness PHQ-9 ≥ 10 and/or GAD-7 ≥ 8; reliable change 6
//! and 4.
struct TalkingTherapiesOutcome {
  bool case_at_start = false;
  bool recovered = false;
  bool reliable_improvement = false;
  bool reliable_deterioration = false;
  bool reliable_recovery = false;
};
TalkingTherapiesOutcome talking_therapies(double phq9_first, double phq9_last, double gad7_first,
                                          double gad7_last);

//! When the next result of a schedule is due, given the date of the latest result on or after
//! its start (if any) and today's date (both YYYY-MM-DD). Overdue after `grace_days`.
//! nullopt when the schedule has ended before the next due date.
std::optional<Due> next_due(const Schedule& s, const std::optional<std::string>& last_result_date,
                            const std::string& today, int grace_days = 3);

//! Days from 1970-01-01 for a YYYY-MM-DD date (proleptic Gregorian); nullopt if invalid.
std::optional<long> day_number(const std::string& ymd);
//! The date `days` after 1970-01-01.
std::string date_of_day(long days);

//! Codes as written in the API.
const char* to_string(Rater r);
std::optional<Rater> rater_from(const std::string& s);
const char* to_string(Severity s);

// ---- JSON (render.cpp) ----

//! A result as the API shows it; `in` (may be null) adds total_max and the instrument's name.
boost::json::object to_json(const Assessment& a, const Instrument* in);
boost::json::object to_json(const Change& c);
//! The scored parts kept in the `result` column (subscales, band, flags, missing).
boost::json::object stored_result(const Score& s);
//! The Score back from a stored row.
Score score_from_stored(const boost::json::object& result, std::optional<double> total,
                        bool complete, std::optional<bool> is_case);
//! An instrument for lists: id, name, title, item count, respondents, total range.
boost::json::object summary_json(const Instrument& in);
//! An instrument with its items, answer options, bands, flag rules and change rules.
boost::json::object detail_json(const Instrument& in);
//! A condition in the condition language of content/instruments (parse_condition's inverse).
boost::json::object condition_json(const Condition& c);
//! A number as JSON: integral values as integers.
boost::json::value number(double v);

}  // namespace tend::assessment::rules
