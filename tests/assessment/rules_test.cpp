// The pure assessment rules: conditions, enableWhen, missing-answer rules, bands, change,
// Jacobson–Truax, NHS Talking Therapies outcomes and schedule due dates.
#include "assessment/rules.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tend::assessment {
namespace {

using rules::score;

Condition item_cond(const std::string& id, const std::string& op, double v) {
  Condition c;
  c.kind = Condition::Kind::Item;
  c.ref = id;
  c.op = op;
  c.value = v;
  return c;
}

Condition score_cond(const std::string& id, const std::string& op, double v) {
  Condition c = item_cond(id, op, v);
  c.kind = Condition::Kind::Score;
  return c;
}

//! n choice items q1..qn valued 0..3, total = sum, PHQ-9-like bands every 5.
Instrument sum_instrument(int n) {
  Instrument in;
  in.id = "test";
  in.name = "Test";
  ScoreRule total;
  total.id = "total";
  for (int i = 1; i <= n; ++i) {
    Item it;
    it.link_id = "q" + std::to_string(i);
    it.required = true;
    for (int v = 0; v <= 3; ++v) it.options.push_back({static_cast<double>(v), "v", "", ""});
    in.items.push_back(it);
    total.items.push_back(it.link_id);
  }
  total.min = 0;
  total.max = 3 * n;
  in.total = total;
  for (int b = 0; b * 5 <= 3 * n; ++b) {
    Band band;
    band.code = "b" + std::to_string(b);
    band.min = b * 5;
    in.bands.push_back(band);
  }
  in.caseness = score_cond("total", ">=", 10);
  in.change.reliable_change = 6;
  in.change.response_fraction = 0.5;
  in.change.remission_below = 5;
  return in;
}

Answers all(int n, double v) {
  Answers a;
  for (int i = 1; i <= n; ++i) a["q" + std::to_string(i)] = v;
  return a;
}

std::vector<std::string> fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.errors) out.push_back(f.field);
  return out;
}

TEST(Score, SumsItemsAndPicksTheBandFromItsMin) {
  auto in = sum_instrument(9);
  for (int total = 0; total <= 27; ++total) {
    Answers a = all(9, 0);
    int left = total;
    for (int i = 1; i <= 9 && left > 0; ++i) {
      a["q" + std::to_string(i)] = std::min(3, left);
      left -= std::min(3, left);
    }
    auto r = score(in, a);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r->total, total);
    EXPECT_EQ(r->band->code, "b" + std::to_string(total / 5)) << total;
    EXPECT_EQ(*r->is_case, total >= 10);
    EXPECT_TRUE(r->complete);
  }
}

TEST(Score, RefusesUnknownItemsValuesOutsideTheOptionsAndMissingRequiredAnswers) {
  auto in = sum_instrument(3);
  Answers a = all(3, 1);
  a["q4"] = 1;
  a["q2"] = 4;
  a["q3"] = 1.5;
  auto r = score(in, a);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Validation);
  EXPECT_EQ(fields(r.error()),
            (std::vector<std::string>{"answers.q2", "answers.q3", "answers.q4"}));
  EXPECT_EQ(r.error().errors[0].message, "must be one of 0, 1, 2, 3");

  Answers missing = all(3, 1);
  missing.erase("q2");
  auto m = score(in, missing);
  ASSERT_FALSE(m);
  EXPECT_EQ(fields(m.error()), (std::vector<std::string>{"answers.q2"}));
  EXPECT_EQ(m.error().errors[0].message, "is required");

  Answers nan = all(3, 1);
  nan["q1"] = std::nan("");
  EXPECT_FALSE(score(in, nan));
}

TEST(Score, ProratesWithinTheMissingRuleAndSaysTheFormIsIncomplete) {
  auto in = sum_instrument(10);
  in.total->max = 30;
  in.missing = {1, MissingMethod::Prorate};
  Answers a = all(10, 2);
  a.erase("q10");
  a["q1"] = 3;  // 19 over 9 items → 21.1
  auto r = score(in, a);
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r->total, 21.1, 1e-9);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(r->missing, std::vector<std::string>{"q10"});
  a.erase("q9");
  auto two = score(in, a);
  ASSERT_FALSE(two);
  EXPECT_EQ(fields(two.error()), (std::vector<std::string>{"answers.q10", "answers.q9"}));
}

TEST(Score, BlanksCountZeroUnderTheZeroRule) {
  auto in = sum_instrument(6);
  in.missing = {3, MissingMethod::Zero};
  Answers a = all(6, 2);
  a.erase("q1");
  a.erase("q2");
  a.erase("q3");
  auto r = score(in, a);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->total, 6);
  EXPECT_FALSE(r->complete);
  a.erase("q4");
  EXPECT_FALSE(score(in, a));
}

TEST(Score, ConditionalItemsAreNotRequiredWhenDisabledAndRefusedWhenAnsweredThen) {
  auto in = sum_instrument(3);
  in.items[2].enable_when = {{"q2", "=", 1}};
  Answers a{{"q1", 0}, {"q2", 0}};
  auto r = score(in, a);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->complete);
  a["q3"] = 2;
  auto bad = score(in, a);
  ASSERT_FALSE(bad);
  EXPECT_EQ(fields(bad.error()), std::vector<std::string>{"answers.q3"});
  a["q2"] = 1;
  EXPECT_TRUE(score(in, a));
  a.erase("q3");
  EXPECT_FALSE(score(in, a)) << "q3 is required once enabled";
}

TEST(Enabled, AnyAllAndExists) {
  Item it;
  it.enable_when = {{"a", ">", 0}, {"b", ">", 0}};
  EXPECT_FALSE(rules::enabled(it, {{"a", 1}, {"b", 0}}));
  EXPECT_TRUE(rules::enabled(it, {{"a", 1}, {"b", 2}}));
  it.enable_any = true;
  EXPECT_TRUE(rules::enabled(it, {{"a", 1}, {"b", 0}}));
  EXPECT_FALSE(rules::enabled(it, {{"a", 0}}));
  Item ex;
  ex.enable_when = {{"a", "exists", 1}};
  EXPECT_FALSE(rules::enabled(ex, {}));
  EXPECT_TRUE(rules::enabled(ex, {{"a", 0}}));
  ex.enable_when = {{"a", "!=", 2}};
  EXPECT_FALSE(rules::enabled(ex, {})) << "an unanswered question enables nothing";
}

TEST(Holds, EveryKindOfCondition) {
  const Answers a{{"q1", 2}, {"q2", 0}, {"q3", 4}};
  const std::vector<std::pair<std::string, double>> s{{"total", 6}, {"b", 3}};
  ScoringContext female{std::string("female")};
  auto h = [&](const Condition& c, const ScoringContext& ctx = {}) {
    return rules::holds(c, a, s, ctx);
  };
  for (const auto& [op, v, want] :
       std::vector<std::tuple<std::string, double, bool>>{{">=", 2, true},
                                                          {">=", 3, false},
                                                          {">", 1, true},
                                                          {">", 2, false},
                                                          {"<=", 2, true},
                                                          {"<", 2, false},
                                                          {"==", 2, true},
                                                          {"!=", 2, false}}) {
    EXPECT_EQ(h(item_cond("q1", op, v)), want) << op << v;
  }
  EXPECT_FALSE(h(item_cond("q9", "<", 100))) << "unanswered items compare false";
  EXPECT_TRUE(h(score_cond("b", "==", 3)));
  EXPECT_FALSE(h(score_cond("none", ">=", 0)));
  Condition count;
  count.kind = Condition::Kind::Count;
  count.children = {item_cond("q1", ">=", 2), item_cond("q2", ">=", 2), item_cond("q3", ">=", 2)};
  count.op = ">=";
  count.value = 2;
  EXPECT_TRUE(h(count));
  count.value = 3;
  EXPECT_FALSE(h(count));
  Condition all_c{
      Condition::Kind::All, "", "", 0, "", {item_cond("q1", "==", 2), item_cond("q2", "==", 1)}};
  Condition any_c{Condition::Kind::Any, "", "", 0, "", all_c.children};
  Condition not_c{Condition::Kind::Not, "", "", 0, "", {all_c}};
  EXPECT_FALSE(h(all_c));
  EXPECT_TRUE(h(any_c));
  EXPECT_TRUE(h(not_c));
  Condition answered{Condition::Kind::Answered, "q2", "", 0, "", {}};
  EXPECT_TRUE(h(answered));
  answered.ref = "q7";
  EXPECT_FALSE(h(answered));
  Condition sex{Condition::Kind::Context, "sex", "", 0, "female", {}};
  EXPECT_TRUE(h(sex, female));
  EXPECT_FALSE(h(sex));
  EXPECT_FALSE(h(sex, ScoringContext{std::string("male")}));
}

TEST(Score, CountMethodConditionBandsAndFlags) {
  Instrument in;
  in.id = "count";
  for (int i = 1; i <= 3; ++i) {
    Item it;
    it.link_id = "q" + std::to_string(i);
    it.required = true;
    it.options = {{0, "No", "", ""}, {1, "Yes", "", ""}};
    in.items.push_back(it);
  }
  ScoreRule total;
  total.id = "total";
  total.method = ScoreMethod::Count;
  total.conditions = {item_cond("q1", "==", 1), item_cond("q2", "==", 1), item_cond("q3", "==", 1)};
  total.max = 3;
  in.total = total;
  Band pos;
  pos.code = "positive";
  pos.when = score_cond("total", ">=", 2);
  Band neg;
  neg.code = "negative";
  in.bands = {pos, neg};
  in.flags = {{"first_yes", "First", Severity::Critical, {"q1"}, item_cond("q1", "==", 1)}};
  auto r = score(in, {{"q1", 1}, {"q2", 0}, {"q3", 1}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->total, 2);
  EXPECT_EQ(r->band->code, "positive");
  ASSERT_EQ(r->flags.size(), 1u);
  EXPECT_EQ(r->flags[0].code, "first_yes");
  EXPECT_EQ(r->flags[0].severity, Severity::Critical);
  auto n = score(in, {{"q1", 0}, {"q2", 0}, {"q3", 1}});
  EXPECT_EQ(n->band->code, "negative");
  EXPECT_TRUE(n->flags.empty());
}

TEST(Change, ReliableChangeUsesThePublishedThresholdAndTheInstrumentsDirection) {
  auto in = sum_instrument(9);
  Score to;
  to.total = 12;
  to.is_case = true;
  auto c = rules::change(in, "as_1", 18, true, to, false);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->delta, -6);
  EXPECT_EQ(c->direction, "improved");
  EXPECT_TRUE(c->reliable);
  EXPECT_EQ(c->classification, "reliable_improvement");
  EXPECT_FALSE(c->recovered.has_value()) << "outcomes only against the first result";
  to.total = 13;
  EXPECT_EQ(rules::change(in, "as_1", 18, true, to, false)->classification, "no_reliable_change");
  to.total = 24;
  EXPECT_EQ(rules::change(in, "as_1", 18, true, to, false)->classification,
            "reliable_deterioration");
  in.change.higher_is_worse = false;
  EXPECT_EQ(rules::change(in, "as_1", 18, true, to, false)->classification, "reliable_improvement");
  to.total = 18;
  EXPECT_EQ(rules::change(in, "as_1", 18, true, to, false)->direction, "same");
  EXPECT_FALSE(rules::change(in, "as_1", 18, true, Score{}, false)) << "no total, no change";
}

TEST(Change, RecoveryResponseAndRemissionAgainstTheFirstResult) {
  auto in = sum_instrument(9);
  Score to;
  to.total = 4;
  to.is_case = false;
  auto c = rules::change(in, "as_1", 16, true, to, true);
  EXPECT_TRUE(*c->recovered);
  EXPECT_TRUE(*c->reliable_recovery);
  EXPECT_TRUE(*c->response);
  EXPECT_TRUE(*c->remission);
  to.total = 8;  // 16 → 8 is exactly a 50 % fall: a response; recovered, reliable (8 ≥ 6)
  c = rules::change(in, "as_1", 16, true, to, true);
  EXPECT_TRUE(*c->response);
  EXPECT_FALSE(*c->remission);
  to.total = 9;
  c = rules::change(in, "as_1", 12, true, to, true);
  EXPECT_TRUE(*c->recovered);
  EXPECT_FALSE(*c->reliable_recovery) << "a fall of 3 is not reliable";
  EXPECT_FALSE(*c->response);
  c = rules::change(in, "as_1", 8, false, to, true);
  EXPECT_FALSE(*c->recovered) << "not a case at the start";
}

TEST(Change, JacobsonTruaxFromSdAndReliability) {
  ChangeRule r;
  EXPECT_FALSE(rules::reliable_change_threshold(r));
  r.sd = 5.0;
  r.reliability = 0.84;
  // 1.96 · 5 · √2 · √0.16 = 5.544
  EXPECT_NEAR(*rules::reliable_change_threshold(r), 1.96 * 5 * std::sqrt(2.0) * 0.4, 1e-9);
  r.reliable_change = 6;
  EXPECT_EQ(*rules::reliable_change_threshold(r), 6) << "a published threshold wins";
}

TEST(TalkingTherapies, RecoveryReliableImprovementAndDeterioration) {
  auto o = rules::talking_therapies(15, 9, 10, 7);
  EXPECT_TRUE(o.case_at_start);
  EXPECT_TRUE(o.recovered);
  EXPECT_TRUE(o.reliable_improvement);
  EXPECT_TRUE(o.reliable_recovery);
  o = rules::talking_therapies(9, 5, 7, 3);  // below both thresholds at the start
  EXPECT_FALSE(o.case_at_start);
  EXPECT_FALSE(o.recovered);
  EXPECT_TRUE(o.reliable_improvement);
  o = rules::talking_therapies(12, 10, 8, 7);  // PHQ-9 still 10: not recovered
  EXPECT_FALSE(o.recovered);
  o = rules::talking_therapies(12, 5, 6, 10);  // PHQ-9 better, GAD-7 up 4: deteriorated
  EXPECT_TRUE(o.reliable_deterioration);
  EXPECT_FALSE(o.reliable_improvement);
  EXPECT_FALSE(o.recovered) << "GAD-7 10 is a case at the end";
  o = rules::talking_therapies(10, 5, 8, 5);  // falls of 5 and 3: recovered, not reliably
  EXPECT_TRUE(o.recovered);
  EXPECT_FALSE(o.reliable_improvement);
  EXPECT_FALSE(o.reliable_recovery);
}

TEST(Dates, DayNumbersRoundTripAndRefuseImpossibleDates) {
  EXPECT_EQ(*rules::day_number("1970-01-01"), 0);
  EXPECT_EQ(*rules::day_number("2000-03-01") - *rules::day_number("2000-02-28"), 2);
  EXPECT_EQ(*rules::day_number("1900-03-01") - *rules::day_number("1900-02-28"), 1);
  for (long d = -800000; d < 800000; d += 997)
    EXPECT_EQ(*rules::day_number(rules::date_of_day(d)), d);
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01",
                          "2026/01/01", "", "2026-1-1x"}) {
    EXPECT_FALSE(rules::day_number(bad)) << bad;
  }
}

TEST(NextDue, FromTheStartThenEveryIntervalAfterTheLastResult) {
  Schedule s;
  s.every_days = 14;
  s.start_date = "2026-11-01";
  auto d = rules::next_due(s, std::nullopt, "2026-11-01");
  EXPECT_EQ(d->due_date, "2026-11-01");
  EXPECT_FALSE(d->overdue);
  d = rules::next_due(s, std::nullopt, "2026-11-04");
  EXPECT_FALSE(d->overdue) << "three days' grace";
  EXPECT_EQ(d->days_overdue, 3);
  d = rules::next_due(s, std::nullopt, "2026-11-05");
  EXPECT_TRUE(d->overdue);
  d = rules::next_due(s, std::string("2026-11-03"), "2026-11-05");
  EXPECT_EQ(d->due_date, "2026-11-17");
  EXPECT_FALSE(d->overdue);
  EXPECT_EQ(d->days_overdue, 0);
  d = rules::next_due(s, std::string("2026-09-01"), "2026-11-05");
  EXPECT_EQ(d->due_date, "2026-11-01") << "a result long before the start does not count";
  s.end_date = "2026-11-10";
  EXPECT_FALSE(rules::next_due(s, std::string("2026-11-03"), "2026-11-05")) << "ended";
  s.end_date.reset();
  s.active = false;
  EXPECT_FALSE(rules::next_due(s, std::nullopt, "2026-11-05"));
}

TEST(Raters, RoundTrip) {
  for (Rater r : {Rater::Self, Rater::Clinician, Rater::Parent, Rater::Teacher, Rater::Other}) {
    EXPECT_EQ(rules::rater_from(rules::to_string(r)), r);
  }
  EXPECT_FALSE(rules::rater_from("robot"));
}

}  // namespace
}  // namespace tend::assessment
