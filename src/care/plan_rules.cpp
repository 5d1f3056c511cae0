#include "care/plan_rules.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "platform/clock.h"

namespace tend::care::rules {

bool valid_comparison(std::string_view comparison) {
  return comparison == "below" || comparison == "at_most" || comparison == "at_least";
}

bool meets(std::string_view comparison, double score, double target) {
  if (comparison == "below") return score < target;
  if (comparison == "at_most") return score <= target;
  if (comparison == "at_least") return score >= target;
  return false;
}

namespace {
bool is_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  return parse_date(std::string(s), y, m, d);
}

template <class T>
void check_ids(const std::vector<T>& items, const std::string& section, std::vector<Refusal>& out) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = section + "[" + std::to_string(i) + "]";
    if (!items[i].id.empty() && !seen.insert(items[i].id).second) {
      out.push_back({at + ".id", "is used by another item of " + section});
    }
  }
}

std::string number(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}
}  // namespace

std::vector<Refusal> check_plan(const PlanContent& plan, std::string_view today,
                                const std::vector<std::string>& codes) {
  std::vector<Refusal> out;
  if (!is_date(plan.review_on)) {
    out.push_back({"review_on", "must be a date, YYYY-MM-DD"});
  } else if (days_between(today, plan.review_on) < 0) {
    out.push_back({"review_on", "must not be in the past"});
  }
  const auto texts = [&out](const std::vector<PlanItem>& items, const std::string& section) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].text.empty()) {
        out.push_back({section + "[" + std::to_string(i) + "].text", "is required"});
      }
    }
  };
  texts(plan.problems, "problems");
  texts(plan.goals, "goals");
  for (std::size_t i = 0; i < plan.objectives.size(); ++i) {
    const auto& o = plan.objectives[i];
    const std::string at = "objectives[" + std::to_string(i) + "]";
    if (o.text.empty()) out.push_back({at + ".text", "is required"});
    if (!is_date(o.target_on)) out.push_back({at + ".target_on", "must be a date, YYYY-MM-DD"});
    if (!o.instrument_id.empty()) {
      if (!valid_comparison(o.comparison)) {
        out.push_back({at + ".comparison", "must be below, at_most or at_least"});
      }
      if (!o.target) out.push_back({at + ".target", "is required with a measure"});
    }
  }
  for (std::size_t i = 0; i < plan.interventions.size(); ++i) {
    const auto& iv = plan.interventions[i];
    const std::string at = "interventions[" + std::to_string(i) + "]";
    if (std::find(codes.begin(), codes.end(), iv.code) == codes.end()) {
      out.push_back({at + ".code", "is not an intervention on the list"});
    }
    if (iv.code == "other" && iv.detail.empty()) {
      out.push_back({at + ".detail", "says what the intervention is (required for other)"});
    }
    if (iv.frequency.empty()) out.push_back({at + ".frequency", "is required"});
  }
  check_ids(plan.problems, "problems", out);
  check_ids(plan.goals, "goals", out);
  check_ids(plan.objectives, "objectives", out);
  check_ids(plan.interventions, "interventions", out);
  return out;
}

Progress progress(const Objective& o, const std::vector<ScorePoint>& results,
                  std::string_view since, std::string_view today) {
  Progress p;
  p.results = static_cast<int>(results.size());
  if (!results.empty()) {
    const ScorePoint* base = nullptr;
    for (const auto& r : results) {
      if (days_between(r.on, since) >= 0) base = &r;  // on or before `since`
    }
    if (base == nullptr) base = &results.front();
    p.baseline = base->total;
    p.baseline_on = base->on;
    p.latest = results.back().total;
    p.latest_on = results.back().on;
  }
  if (p.latest && o.target && meets(o.comparison, *p.latest, *o.target)) {
    p.status = "met";
  } else if (days_between(o.target_on, today) > 0) {
    p.status = "overdue";
  } else {
    p.status = "not_yet";
  }
  return p;
}

std::string describe(const Objective& o) {
  std::string s = o.text + " (by " + o.target_on;
  if (!o.instrument_id.empty() && o.target) {
    const std::string cmp = o.comparison == "below"     ? "below"
                            : o.comparison == "at_most" ? "at most"
                                                        : "at least";
    s += "; " + o.instrument_id + " " + cmp + " " + number(*o.target);
  }
  return s + ")";
}

std::string describe(const Intervention& i) {
  std::string s = i.code;
  if (!i.detail.empty()) s += ": " + i.detail;
  s += ", " + i.frequency;
  const std::string who = i.delivered_by_name.empty() ? i.delivered_by : i.delivered_by_name;
  if (!who.empty()) s += ", by " + who;
  return s;
}

namespace {
//! `key` decides whether an item changed; `line` is what a person reads.
template <class T, class Key, class Line>
void diff_section(const std::string& section, const std::vector<T>& before,
                  const std::vector<T>& after, Key key, Line line, std::vector<PlanChange>& out) {
  for (const auto& b : before) {
    auto a = std::find_if(after.begin(), after.end(), [&b](const T& x) { return x.id == b.id; });
    if (a == after.end()) {
      out.push_back({section, b.id, "removed", line(b), ""});
    } else if (key(*a) != key(b)) {
      out.push_back({section, b.id, "changed", line(b), line(*a)});
    }
  }
  for (const auto& a : after) {
    auto b = std::find_if(before.begin(), before.end(), [&a](const T& x) { return x.id == a.id; });
    if (b == before.end()) out.push_back({section, a.id, "added", "", line(a)});
  }
}
}  // namespace

std::vector<PlanChange> diff(const PlanContent& before, const PlanContent& after) {
  std::vector<PlanChange> out;
  const auto text = [](const PlanItem& i) { return i.text; };
  diff_section("problems", before.problems, after.problems, text, text, out);
  diff_section("goals", before.goals, after.goals, text, text, out);
  const auto objective = [](const Objective& o) { return describe(o); };
  diff_section("objectives", before.objectives, after.objectives, objective, objective, out);
  // Who delivers it is compared by id: a renamed colleague is not a change to the plan.
  diff_section(
      "interventions", before.interventions, after.interventions,
      [](const Intervention& i) {
        Intervention by_id = i;
        by_id.delivered_by_name.clear();
        return describe(by_id);
      },
      [](const Intervention& i) { return describe(i); }, out);
  if (before.review_on != after.review_on) {
    out.push_back({"review_on", "", "changed", before.review_on, after.review_on});
  }
  return out;
}

std::vector<OutcomeMeasure> outcome_measures(const std::vector<MeasureSeries>& series,
                                             std::string_view from, std::string_view to) {
  std::vector<OutcomeMeasure> out;
  for (const auto& s : series) {
    const ScorePoint* first = nullptr;
    const ScorePoint* last = nullptr;
    for (const auto& r : s.results) {
      if (days_between(from, r.on) < 0 || days_between(r.on, to) < 0) continue;
      if (first == nullptr) first = &r;
      last = &r;
    }
    if (first == nullptr) continue;
    out.push_back(
        {s.instrument_id, s.instrument_name, first->total, first->on, last->total, last->on});
  }
  return out;
}

}  // namespace tend::care::rules
