#include "assessment/rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace tend::assessment::rules {

namespace {

constexpr double k_eps = 1e-9;

bool compare(double lhs, std::string_view op, double rhs) {
  if (op == ">=") return lhs >= rhs - k_eps;
  if (op == ">") return lhs > rhs + k_eps;
  if (op == "<=") return lhs <= rhs + k_eps;
  if (op == "<") return lhs < rhs - k_eps;
  if (op == "==" || op == "=") return std::fabs(lhs - rhs) < k_eps;
  if (op == "!=") return std::fabs(lhs - rhs) >= k_eps;
  return false;
}

std::string number_text(double v) {
  char buf[32];
  if (std::fabs(v - std::round(v)) < k_eps) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

double round1(double v) {
  return std::round(v * 10.0) / 10.0;
}

using Scores = std::vector<std::pair<std::string, double>>;

//! A total or subscale from the answers, under the missing rule. nullopt when an item it
//! needs is missing and the rule does not allow it (already reported by validation).
double compute(const ScoreRule& r, const Instrument& in, const Answers& answers, const Scores& sc,
               const ScoringContext& ctx) {
  if (r.method == ScoreMethod::Count) {
    int n = 0;
    for (const auto& c : r.conditions) n += holds(c, answers, sc, ctx) ? 1 : 0;
    return n * r.multiplier;
  }
  double sum = 0;
  int answered = 0;
  int asked = 0;
  for (const auto& id : r.items) {
    // An answered item was asked (score() refuses answers to items that were not); only a
    // gap needs its enableWhen looked at.
    if (auto a = answers.find(id); a != answers.end()) {
      sum += a->second;
      ++answered;
      ++asked;
      continue;
    }
    const Item* it = in.item(id);
    if (!it || enabled(*it, answers)) ++asked;
  }
  if (in.missing.method == MissingMethod::Prorate && answered > 0 && answered < asked) {
    sum = sum * asked / answered;
  }
  return round1(sum * r.multiplier);
}

}  // namespace

bool enabled(const Item& it, const Answers& answers) {
  if (it.enable_when.empty()) return true;
  bool any = false;
  bool all = true;
  for (const auto& w : it.enable_when) {
    auto a = answers.find(w.question);
    bool ok;
    if (w.op == "exists") {
      ok = (a != answers.end()) == (w.value != 0);
    } else {
      ok = a != answers.end() && compare(a->second, w.op, w.value);
    }
    any = any || ok;
    all = all && ok;
  }
  return it.enable_any ? any : all;
}

bool holds(const Condition& c, const Answers& answers, const Scores& scores,
           const ScoringContext& ctx) {
  switch (c.kind) {
    case Condition::Kind::True:
      return true;
    case Condition::Kind::Item: {
      auto a = answers.find(c.ref);
      return a != answers.end() && compare(a->second, c.op, c.value);
    }
    case Condition::Kind::Score:
      for (const auto& [id, v] : scores) {
        if (id == c.ref) return compare(v, c.op, c.value);
      }
      return false;
    case Condition::Kind::Count: {
      int n = 0;
      for (const auto& ch : c.children) n += holds(ch, answers, scores, ctx) ? 1 : 0;
      return compare(n, c.op, c.value);
    }
    case Condition::Kind::All:
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const Condition& ch) { return holds(ch, answers, scores, ctx); });
    case Condition::Kind::Any:
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const Condition& ch) { return holds(ch, answers, scores, ctx); });
    case Condition::Kind::Not:
      return !c.children.empty() && !holds(c.children.front(), answers, scores, ctx);
    case Condition::Kind::Answered:
      return answers.count(c.ref) > 0;
    case Condition::Kind::Context:
      return c.ref == "sex" && ctx.sex && *ctx.sex == c.equals;
  }
  return false;
}

Result<Score> score(const Instrument& in, const Answers& answers, const ScoringContext& ctx) {
  std::vector<FieldError> errors;
  auto field = [](const std::string& id) { return "answers." + id; };

  std::vector<const Item*> asked;  // the item of each answer, in the answers' order
  asked.reserve(answers.size());
  for (const auto& [id, value] : answers) {
    const Item* it = in.item(id);
    asked.push_back(it);
    if (!it) {
      errors.push_back({field(id), "is not an item of " + in.id});
      continue;
    }
    if (!std::isfinite(value)) {
      errors.push_back({field(id), "must be a number"});
      continue;
    }
    if (it->type == ItemType::Integer) {
      if (std::fabs(value - std::round(value)) > k_eps) {
        errors.push_back({field(id), "must be a whole number"});
      } else if (it->max_value > it->min_value && (value < static_cast<double>(it->min_value) ||
                                                   value > static_cast<double>(it->max_value))) {
        errors.push_back({field(id), "must be from " + std::to_string(it->min_value) + " to " +
                                         std::to_string(it->max_value)});
      }
    } else if (it->type == ItemType::Choice && !it->options.empty()) {
      const bool known = std::any_of(
          it->options.begin(), it->options.end(),
          [v = value](const AnswerOption& o) { return std::fabs(o.value - v) < k_eps; });
      if (!known) {
        std::string allowed;
        for (const auto& o : it->options) {
          if (!allowed.empty()) allowed += ", ";
          allowed += number_text(o.value);
        }
        errors.push_back({field(id), "must be one of " + allowed});
      }
    } else if (it->type == ItemType::Display) {
      errors.push_back({field(id), "is not a question"});
    }
  }
  if (!errors.empty()) {
    return make_error(Errc::Validation, "answers do not fit " + in.id, std::move(errors));
  }
  {
    std::size_t k = 0;
    for (const auto& [id, value] : answers) {
      if (!enabled(*asked[k++], answers)) {
        errors.push_back({field(id), "is not asked given the other answers"});
      }
    }
  }

  // The items the scores add up, and the gaps among them.
  auto scored = [&in](const std::string& id) {
    auto in_rule = [&id](const ScoreRule& r) {
      return r.method == ScoreMethod::Sum &&
             std::find(r.items.begin(), r.items.end(), id) != r.items.end();
    };
    return (in.total && in_rule(*in.total)) ||
           std::any_of(in.subscales.begin(), in.subscales.end(), in_rule);
  };
  Score out;
  for (const auto& it : in.items) {
    if (it.type == ItemType::Display || answers.count(it.link_id) || !enabled(it, answers)) {
      continue;
    }
    if (scored(it.link_id)) {
      out.missing.push_back(it.link_id);
    } else if (it.required && !(it.type == ItemType::Choice && it.options.empty())) {
      // A choice whose options carry no values (an imported form's "how difficult") is
      // recorded when answered but can never be scored, so it cannot be required for scoring.
      errors.push_back({field(it.link_id), "is required"});
    }
  }
  if (static_cast<int>(out.missing.size()) > in.missing.max_missing) {
    for (const auto& id : out.missing) {
      errors.push_back({field(id), in.missing.max_missing == 0
                                       ? std::string("is required")
                                       : "is missing: at most " +
                                             std::to_string(in.missing.max_missing) +
                                             " items may be left out"});
    }
  }
  if (!errors.empty()) {
    std::sort(errors.begin(), errors.end(),
              [](const FieldError& a, const FieldError& b) { return a.field < b.field; });
    return make_error(Errc::Validation, "answers are incomplete for " + in.id, std::move(errors));
  }
  out.complete = out.missing.empty();

  Scores sc;
  for (const auto& s : in.subscales) {
    SubscaleResult r{s.id, s.name, compute(s, in, answers, sc, ctx), std::nullopt};
    if (s.cutoff) r.positive = compare(r.score, ">=", *s.cutoff);
    out.subscales.push_back(r);
  }
  for (const auto& r : out.subscales) sc.emplace_back(r.id, r.score);
  if (in.total) {
    out.total = compute(*in.total, in, answers, sc, ctx);
    sc.emplace(sc.begin(), "total", *out.total);
  }

  const Band* band = nullptr;
  for (const auto& b : in.bands) {
    if (b.when) {
      if (holds(*b.when, answers, sc, ctx)) {
        band = &b;
        break;
      }
    } else if (b.min) {
      if (out.total && compare(*out.total, ">=", *b.min)) band = &b;
    } else {
      band = &b;  // the default band after condition bands
      break;
    }
  }
  if (band) out.band = *band;
  for (const auto& f : in.flags) {
    if (holds(f.when, answers, sc, ctx)) {
      out.flags.push_back({f.code, f.label, f.severity, f.items});
    }
  }
  if (in.caseness) out.is_case = holds(*in.caseness, answers, sc, ctx);
  return out;
}

std::optional<double> reliable_change_threshold(const ChangeRule& rule) {
  if (rule.reliable_change) return rule.reliable_change;
  if (rule.sd && rule.reliability) {
    // Jacobson NS, Truax P. J Consult Clin Psychol 1991;59:12-19.
    return 1.96 * *rule.sd * std::sqrt(2.0) * std::sqrt(1.0 - *rule.reliability);
  }
  return std::nullopt;
}

std::optional<Change> change(const Instrument& in, const std::string& from_id, double from_total,
                             std::optional<bool> from_case, const Score& to, bool first) {
  if (!to.total) return std::nullopt;
  Change c;
  c.from_id = from_id;
  c.from_total = from_total;
  c.delta = round1(*to.total - from_total);
  const double better = in.change.higher_is_worse ? -c.delta : c.delta;
  c.direction = better > k_eps ? "improved" : better < -k_eps ? "worse" : "same";
  const auto threshold = reliable_change_threshold(in.change);
  c.threshold = threshold.value_or(0);
  c.reliable = threshold && std::fabs(c.delta) >= *threshold - k_eps && std::fabs(c.delta) > k_eps;
  c.classification = !c.reliable                 ? "no_reliable_change"
                     : c.direction == "improved" ? "reliable_improvement"
                                                 : "reliable_deterioration";
  if (first) {
    if (from_case && to.is_case) {
      c.recovered = *from_case && !*to.is_case;
      c.reliable_recovery = *c.recovered && c.classification == "reliable_improvement";
    }
    if (in.change.response_fraction && from_total > k_eps) {
      const double f = *in.change.response_fraction;
      c.response = in.change.higher_is_worse ? *to.total <= from_total * (1.0 - f) + k_eps
                                             : *to.total >= from_total * (1.0 + f) - k_eps;
    }
    if (in.change.remission_below) c.remission = *to.total < *in.change.remission_below - k_eps;
  }
  return c;
}

TalkingTherapiesOutcome talking_therapies(double phq9_first, double phq9_last, double gad7_first,
                                          double gad7_last) {
  // NHS Talking Therapies Manual: caseness PHQ-9 >= 10 or GAD-7 >= 8; reliable change is a
  // change of 6 or more on the PHQ-9 and 4 or more on the GAD-7.
  TalkingTherapiesOutcome o;
  o.case_at_start = phq9_first >= 10 || gad7_first >= 8;
  o.recovered = o.case_at_start && phq9_last < 10 && gad7_last < 8;
  o.reliable_deterioration = phq9_last - phq9_first >= 6 || gad7_last - gad7_first >= 4;
  o.reliable_improvement =
      (phq9_first - phq9_last >= 6 || gad7_first - gad7_last >= 4) && !o.reliable_deterioration;
  o.reliable_recovery = o.recovered && o.reliable_improvement;
  return o;
}

std::optional<long> day_number(const std::string& ymd) {
  int y, m, d;
  char dash1, dash2;
  if (ymd.size() != 10 ||
      std::sscanf(ymd.c_str(), "%4d%c%2d%c%2d", &y, &dash1, &m, &dash2, &d) != 5 || dash1 != '-' ||
      dash2 != '-' || m < 1 || m > 12 || d < 1) {
    return std::nullopt;
  }
  static const int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > k_days[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  // Days from civil (H. Hinnant, chrono-Compatible Low-Level Date Algorithms).
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

std::string date_of_day(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04ld-%02u-%02u", y, m, d);
  return buf;
}

std::optional<Due> next_due(const Schedule& s, const std::optional<std::string>& last_result_date,
                            const std::string& today, int grace_days) {
  const auto start = day_number(s.start_date);
  const auto now = day_number(today);
  if (!start || !now || !s.active) return std::nullopt;
  long due = *start;
  if (last_result_date) {
    const auto last = day_number(*last_result_date);
    if (last) due = std::max(*start, *last + s.every_days);
  }
  if (s.end_date) {
    const auto end = day_number(*s.end_date);
    if (end && due > *end) return std::nullopt;
  }
  Due d;
  d.due_date = date_of_day(due);
  d.days_overdue = static_cast<int>(std::max(0L, *now - due));
  d.overdue = *now > due + grace_days;
  return d;
}

const char* to_string(Rater r) {
  switch (r) {
    case Rater::Self:
      return "self";
    case Rater::Clinician:
      return "clinician";
    case Rater::Parent:
      return "parent";
    case Rater::Teacher:
      return "teacher";
    case Rater::Other:
      return "other";
  }
  return "other";
}

std::optional<Rater> rater_from(const std::string& s) {
  for (Rater r : {Rater::Self, Rater::Clinician, Rater::Parent, Rater::Teacher, Rater::Other}) {
    if (s == to_string(r)) return r;
  }
  return std::nullopt;
}

const char* to_string(Severity s) {
  switch (s) {
    case Severity::Info:
      return "info";
    case Severity::Warning:
      return "warning";
    case Severity::Critical:
      return "critical";
  }
  return "warning";
}

}  // namespace tend::assessment::rules
