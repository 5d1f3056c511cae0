// The pure rules of treatment plans: the comparisons of a measured objective at their
// boundaries, progress from baseline to latest (met, not yet, overdue), every refusal of a
// plan's content by field, the diff between two versions followed by stable item ids, and the
// outcome measures at the start and end of an episode.
#include "care/plan_rules.h"

#include <gtest/gtest.h>

namespace tend::care::rules {
namespace {

const std::vector<std::string> k_codes = {"cbt", "sleep", "other"};

Objective phq9_below_10(const std::string& by = "2027-03-01") {
  Objective o;
  o.id = "ob1";
  o.text = "Feel less low";
  o.target_on = by;
  o.instrument_id = "phq-9";
  o.comparison = "below";
  o.target = 10;
  return o;
}

PlanContent sample() {
  PlanContent p;
  p.problems = {{"pr1", "Moderate depressive episode"}};
  p.goals = {{"go1", "Get back to work"}, {"go2", "Sleep through the night"}};
  p.objectives = {phq9_below_10()};
  p.interventions = {{"iv1", "cbt", "", "weekly", "u_clin", "Dr Rivers"}};
  p.review_on = "2027-01-15";
  return p;
}

TEST(Comparisons, EachAtItsBoundary) {
  struct Case {
    const char* cmp;
    double score;
    bool met;
  };
  const Case cases[] = {{"below", 9, true},     {"below", 10, false},   {"at_most", 10, true},
                        {"at_most", 11, false}, {"at_least", 10, true}, {"at_least", 9, false},
                        {"above", 99, false}};
  for (const auto& c : cases) {
    EXPECT_EQ(meets(c.cmp, c.score, 10), c.met) << c.cmp << " " << c.score;
  }
  EXPECT_TRUE(valid_comparison("at_most"));
  EXPECT_FALSE(valid_comparison("under"));
}

TEST(Progress, BaselineIsTheLastResultOnOrBeforeTheStartAndLatestTheNewest) {
  const std::vector<ScorePoint> results = {
      {"2026-11-01", 19}, {"2026-11-20", 17}, {"2026-12-01", 14}, {"2026-12-20", 11}};
  auto p = progress(phq9_below_10(), results, "2026-11-20", "2026-12-21");
  EXPECT_EQ(p.baseline, 17);
  EXPECT_EQ(p.baseline_on, "2026-11-20");
  EXPECT_EQ(p.latest, 11);
  EXPECT_EQ(p.latest_on, "2026-12-20");
  EXPECT_EQ(p.results, 4);
  EXPECT_EQ(p.status, "not_yet");
  // Nothing before the start: the first result after it is the baseline.
  auto later = progress(phq9_below_10(), results, "2026-10-01", "2026-12-21");
  EXPECT_EQ(later.baseline, 19);
}

TEST(Progress, MetNotYetAndOverdueAroundTheTargetDate) {
  const std::vector<ScorePoint> high = {{"2026-11-01", 19}, {"2027-02-27", 12}};
  EXPECT_EQ(progress(phq9_below_10(), high, "2026-11-01", "2027-03-01").status, "not_yet");
  EXPECT_EQ(progress(phq9_below_10(), high, "2026-11-01", "2027-03-02").status, "overdue");
  const std::vector<ScorePoint> low = {{"2026-11-01", 19}, {"2027-03-05", 9}};
  EXPECT_EQ(progress(phq9_below_10(), low, "2026-11-01", "2027-03-06").status, "met");
  // No results yet: not yet, and overdue after the date, with nothing to show.
  auto none = progress(phq9_below_10(), {}, "2026-11-01", "2027-03-02");
  EXPECT_EQ(none.status, "overdue");
  EXPECT_FALSE(none.baseline);
  EXPECT_FALSE(none.latest);
  // An objective without a measure is never met by a score.
  Objective plain;
  plain.text = "Walk daily";
  plain.target_on = "2027-03-01";
  EXPECT_EQ(progress(plain, low, "2026-11-01", "2027-01-01").status, "not_yet");
}

TEST(CheckPlan, AGoodPlanPasses) {
  EXPECT_TRUE(check_plan(sample(), "2026-12-01", k_codes).empty());
  // The review may be today.
  EXPECT_TRUE(check_plan(sample(), "2027-01-15", k_codes).empty());
}

TEST(CheckPlan, EveryProblemNamesItsField) {
  auto p = sample();
  p.review_on = "2026-11-30";
  p.goals[1].text = "";
  p.objectives[0].target_on = "2027-02-30";
  p.objectives[0].comparison = "under";
  p.objectives[0].target.reset();
  p.interventions.push_back({"iv1", "hypnosis", "", "", "u", ""});
  p.interventions.push_back({"iv3", "other", "", "monthly", "u", ""});
  auto r = check_plan(p, "2026-12-01", k_codes);
  std::vector<std::string> fields;
  for (const auto& x : r) fields.push_back(x.field);
  const std::vector<std::string> want = {"review_on",
                                         "goals[1].text",
                                         "objectives[0].target_on",
                                         "objectives[0].comparison",
                                         "objectives[0].target",
                                         "interventions[1].code",
                                         "interventions[1].frequency",
                                         "interventions[2].detail",
                                         "interventions[1].id"};
  EXPECT_EQ(fields, want);
  EXPECT_EQ(r[0].message, "must not be in the past");
  p = sample();
  p.review_on = "soon";
  EXPECT_EQ(check_plan(p, "2026-12-01", k_codes).at(0).message, "must be a date, YYYY-MM-DD");
}

TEST(Diff, SameContentHasNoChanges) {
  EXPECT_TRUE(diff(sample(), sample()).empty());
}

TEST(Diff, AddedRemovedAndChangedFollowTheIds) {
  auto before = sample();
  auto after = sample();
  after.goals.erase(after.goals.begin());                // go1 removed
  after.goals.push_back({"go3", "See friends weekly"});  // go3 added
  after.objectives[0].target = 8;                        // ob1 changed
  after.interventions[0].delivered_by_name = "Dr R.";    // a new name is not a change
  after.review_on = "2027-02-01";
  auto d = diff(before, after);
  ASSERT_EQ(d.size(), 4U);
  EXPECT_EQ(d[0].section, "goals");
  EXPECT_EQ(d[0].id, "go1");
  EXPECT_EQ(d[0].kind, "removed");
  EXPECT_EQ(d[0].before, "Get back to work");
  EXPECT_EQ(d[1].id, "go3");
  EXPECT_EQ(d[1].kind, "added");
  EXPECT_EQ(d[1].after, "See friends weekly");
  EXPECT_EQ(d[2].section, "objectives");
  EXPECT_EQ(d[2].kind, "changed");
  EXPECT_EQ(d[2].before, "Feel less low (by 2027-03-01; phq-9 below 10)");
  EXPECT_EQ(d[2].after, "Feel less low (by 2027-03-01; phq-9 below 8)");
  EXPECT_EQ(d[3].section, "review_on");
  EXPECT_EQ(d[3].before, "2027-01-15");
  EXPECT_EQ(d[3].after, "2027-02-01");
  // The same text under a new id is a removal and an addition, not "unchanged".
  after = sample();
  after.problems[0].id = "pr9";
  auto moved = diff(before, after);
  ASSERT_EQ(moved.size(), 2U);
  EXPECT_EQ(moved[0].kind, "removed");
  EXPECT_EQ(moved[1].kind, "added");
  // Who delivers it, by id, is a change.
  after = sample();
  after.interventions[0].delivered_by = "u_other";
  after.interventions[0].delivered_by_name = "Sam Peer";
  auto who = diff(before, after);
  ASSERT_EQ(who.size(), 1U);
  EXPECT_EQ(who[0].after, "cbt, weekly, by Sam Peer");
}

TEST(Outcomes, FirstAndLastResultWithinTheEpisode) {
  const std::vector<MeasureSeries> series = {
      {"phq-9",
       "PHQ-9",
       {{"2026-01-01", 22}, {"2026-02-01", 18}, {"2026-04-01", 7}, {"2026-06-01", 5}}},
      {"gad-7", "GAD-7", {{"2025-12-01", 15}}},
      {"who-5", "WHO-5", {{"2026-03-01", 40}}}};
  auto o = outcome_measures(series, "2026-02-01", "2026-04-01");
  ASSERT_EQ(o.size(), 2U);
  EXPECT_EQ(o[0].instrument_id, "phq-9");
  EXPECT_EQ(o[0].start, 18);
  EXPECT_EQ(o[0].start_on, "2026-02-01");
  EXPECT_EQ(o[0].end, 7);
  EXPECT_EQ(o[0].end_on, "2026-04-01");
  EXPECT_EQ(o[1].instrument_id, "who-5");
  EXPECT_EQ(o[1].start, 40);
  EXPECT_EQ(o[1].end, 40);
}

}  // namespace
}  // namespace tend::care::rules
