#pragma once
//! Pure decisions of treatment plans: whether a plan's dates and targets hold, how far an
//! objective tied to a measure has come, what changed between two versions, and the measures
//! at the start and end of an episode. No I/O, no clock: "today" comes in.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "care/plan_model.h"
#include "care/rules.h"

namespace tend::care::rules {

//! below | at_most | at_least.
bool valid_comparison(std::string_view comparison);
//! Whether `score` reaches `target` by `comparison` (below: <, at_most: <=, at_least: >=).
bool meets(std::string_view comparison, double score, double target);

//! Every problem with a plan's content as of `today`, by field path ("objectives[1].target_on"):
//! a review date that is not a date or is before today; an objective's target date that is not
//! a date; a measure without a known comparison or target; an intervention not in `codes`;
//! items without text; an item id used twice in one section.
std::vector<Refusal> check_plan(const PlanContent& plan, std::string_view today,
                                const std::vector<std::string>& codes);

//! How far `o` has come by `today`, from its measure's `results` (oldest first). The baseline
//! is the last result on or before `since` (the day the objective was set), else the first
//! after it; the latest is the newest. Met when the latest reaches the target; otherwise
//! overdue after the target date, else not yet.
Progress progress(const Objective& o, const std::vector<ScorePoint>& results,
                  std::string_view since, std::string_view today);

//! One readable line per item, as the diff and history show them.
std::string describe(const Objective& o);
std::string describe(const Intervention& i);

//! What changed from `before` to `after`, item by item (followed by their stable ids), in
//! section order: problems, goals, objectives, interventions, then the review date. Within a
//! section: removed and changed in the order of `before`, then added in the order of `after`.
std::vector<PlanChange> diff(const PlanContent& before, const PlanContent& after);

//! One instrument's results for the outcome measures.
struct MeasureSeries {
  std::string instrument_id;
  std::string instrument_name;
  std::vector<ScorePoint> results;  //!< oldest first
};

//! The first and last result of each instrument from `from` to `to` (dates, both included);
//! instruments without a result in that span are left out.
std::vector<OutcomeMeasure> outcome_measures(const std::vector<MeasureSeries>& series,
                                             std::string_view from, std::string_view to);

}  // namespace tend::care::rules
