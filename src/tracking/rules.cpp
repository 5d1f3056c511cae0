#include "tracking/rules.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <map>

#include "platform/clock.h"

namespace tend::tracking::rules {

namespace bj = boost::json;

namespace {

constexpr std::size_t k_id_max = 40;
constexpr std::size_t k_label_max = 60;

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > k_id_max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

//! Unicode code points of valid UTF-8 (Boost.JSON has checked it): bytes not 10xxxxxx.
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

//! Days since 1970-01-01, or nullopt for anything but a real "YYYY-MM-DD".
std::optional<std::int64_t> day_number(std::string_view date) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(date, y, m, d)) return std::nullopt;
  return days_from_civil(y, m, d);
}

struct Civil {
  int y, m, d;
};
// Inverse of days_from_civil (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
  return {y, static_cast<int>(m), static_cast<int>(d)};
}

std::string date_text(std::int64_t day) {
  const Civil c = civil_from_days(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.y, c.m, c.d);
  return buf;
}

//! 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
int weekday(std::int64_t day) {
  return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

//! "2026-W49": the ISO 8601 week of `day` (its year is the year of the week's Thursday).
std::string iso_week(std::int64_t day) {
  const std::int64_t thursday = day - weekday(day) + 3;
  const int year = civil_from_days(thursday).y;
  const std::int64_t first = days_from_civil(year, 1, 1);
  const auto week = static_cast<int>((thursday - first) / 7 + 1);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", year, week);
  return buf;
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

//! A whole number in [lo, hi] at `key`, recorded in `out`; a problem otherwise.
void read_int(const bj::object& o, std::string_view key, int lo, int hi, std::optional<int>& out,
              std::vector<FieldError>& errors) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return;
  const std::string field(key);
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  if (!v->is_int64() && !v->is_uint64()) {
    errors.push_back({field, "must be a whole number from " + range});
    return;
  }
  const bool in_range = v->is_int64() ? v->as_int64() >= lo && v->as_int64() <= hi
                                      : v->as_uint64() <= static_cast<std::uint64_t>(hi);
  if (!in_range) {
    errors.push_back({field, "is out of range: must be " + range});
    return;
  }
  out = static_cast<int>(v->to_number<std::int64_t>());
}

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::optional<double> value_of(const CheckIn& c, Field f) {
  switch (f) {
    case Field::Mood:
      return c.mood;
    case Field::Anxiety:
      return c.anxiety ? std::optional<double>(*c.anxiety) : std::nullopt;
    case Field::SleepHours:
      return c.sleep_hours;
    case Field::SleepQuality:
      return c.sleep_quality ? std::optional<double>(*c.sleep_quality) : std::nullopt;
    case Field::Energy:
      return c.energy ? std::optional<double>(*c.energy) : std::nullopt;
    case Field::SelfHarmUrge:
      return c.self_harm_urge ? std::optional<double>(*c.self_harm_urge) : std::nullopt;
  }
  return std::nullopt;
}

//! One CSV cell: quoted when it holds a comma, quote, CR or LF (quotes doubled, RFC 4180
//! section 2); text a spreadsheet would read as a formula gets a leading ' (OWASP, "CSV
//! Injection").
std::string cell(std::string_view text) {
  std::string s;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    s += '\'';
  }
  s += text;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string quoted = "\"";
  for (char c : s) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string number_cell(std::optional<double> v) {
  if (!v) return {};
  if (*v == std::floor(*v)) return std::to_string(static_cast<long long>(*v));
  return one_decimal(*v);
}

}  // namespace

std::string_view kind_name(FactorKind k) {
  return k == FactorKind::Activity ? "activity" : "factor";
}

std::string_view medication_name(Medication m) {
  switch (m) {
    case Medication::Yes:
      return "yes";
    case Medication::No:
      return "no";
    case Medication::NotApplicable:
      return "not_applicable";
  }
  return "";
}

std::string_view field_name(Field f) {
  switch (f) {
    case Field::Mood:
      return "mood";
    case Field::Anxiety:
      return "anxiety";
    case Field::SleepHours:
      return "sleep_hours";
    case Field::SleepQuality:
      return "sleep_quality";
    case Field::Energy:
      return "energy";
    case Field::SelfHarmUrge:
      return "self_harm_urge";
  }
  return "";
}

std::optional<Field> parse_field(std::string_view s) {
  for (auto f : {Field::Mood, Field::Anxiety, Field::SleepHours, Field::SleepQuality, Field::Energy,
                 Field::SelfHarmUrge}) {
    if (field_name(f) == s) return f;
  }
  return std::nullopt;
}

Result<std::vector<Factor>> parse_factors(std::string_view text) {
  boost::system::error_code ec;
  auto root = bj::parse(text, ec);
  if (ec) return make_error(Errc::Validation, "is not valid JSON: " + ec.message());
  if (!root.is_object()) return make_error(Errc::Validation, "must be a JSON object");
  const bj::object& o = root.as_object();
  std::vector<FieldError> errors;
  std::vector<Factor> out;
  for (const auto& [key, value] : o) {
    if (key != "about" && key != "factors") errors.push_back({key, "is not a field of the list"});
  }
  if (const auto* about = o.if_contains("about"); about && !about->is_string()) {
    errors.push_back({"about", "must be a string"});
  }
  const auto* list = o.if_contains("factors");
  if (!list || !list->is_array() || list->as_array().empty()) {
    errors.push_back({"factors", "must be a list of at least one factor"});
  } else {
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& item : list->as_array()) {
      const std::string path = "factors[" + std::to_string(i++) + "]";
      if (!item.is_object()) {
        errors.push_back({path, "must be an object"});
        continue;
      }
      const bj::object& f = item.as_object();
      Factor factor;
      const auto* id = f.if_contains("id");
      if (!id || !id->is_string() || !valid_id(id->as_string())) {
        errors.push_back({path + ".id", "must be lower-case letters, digits and _, at most 40"});
      } else if (!ids.insert(std::string(id->as_string())).second) {
        errors.push_back({path + ".id", "repeats " + std::string(id->as_string())});
      } else {
        factor.id = std::string(id->as_string());
      }
      const auto* label = f.if_contains("label");
      if (!label || !label->is_string() || label->as_string().empty() ||
          characters(label->as_string()) > k_label_max) {
        errors.push_back({path + ".label", "must be a non-empty string of at most 60 characters"});
      } else {
        factor.label = std::string(label->as_string());
      }
      const auto* kind = f.if_contains("kind");
      if (kind && kind->is_string() && kind->as_string() == "activity") {
        factor.kind = FactorKind::Activity;
      } else if (kind && kind->is_string() && kind->as_string() == "factor") {
        factor.kind = FactorKind::Factor;
      } else {
        errors.push_back({path + ".kind", "must be activity or factor"});
      }
      for (const auto& [key, value] : f) {
        if (key != "id" && key != "label" && key != "kind") {
          errors.push_back({path + "." + std::string(key), "is not a field of a factor"});
        }
      }
      out.push_back(std::move(factor));
    }
  }
  if (!errors.empty()) {
    const std::string detail = errors.front().field + " " + errors.front().message;
    return make_error(Errc::Validation, detail, std::move(errors));
  }
  return out;
}

Result<std::vector<Factor>> load_factors(const std::vector<content::File>& files) {
  constexpr std::string_view path = "tracking/factors.json";
  for (const auto& f : files) {
    if (f.path != path) continue;
    auto parsed = parse_factors(f.text);
    if (!parsed) {
      return make_error(Errc::Validation, std::string(path) + ": " + parsed.error().detail,
                        parsed.error().errors);
    }
    return parsed;
  }
  return make_error(Errc::Validation, std::string(path) + ": missing");
}

Result<CheckIn> check_in(const bj::value& body, std::string_view today,
                         const std::set<std::string>& known_factors) {
  if (!body.is_object()) return make_error(Errc::Validation, "a check-in must be a JSON object");
  const bj::object& o = body.as_object();
  std::vector<FieldError> errors;
  CheckIn c;

  static const std::set<std::string_view> keys = {
      "date",           "mood",       "anxiety", "sleep_hours", "sleep_quality", "energy",
      "self_harm_urge", "medication", "factors", "note",        "share_note"};
  for (const auto& [key, value] : o) {
    if (keys.count(key) == 0) errors.push_back({key, "is not a field of a check-in"});
  }

  const auto* date = o.if_contains("date");
  if (!date || !date->is_string() || !day_number(date->as_string())) {
    errors.push_back({"date", "must be a date, YYYY-MM-DD"});
  } else {
    c.date = std::string(date->as_string());
    const auto day = *day_number(c.date);
    const auto now = day_number(today).value_or(day);
    if (day > now) {
      errors.push_back({"date", "is in the future"});
    } else if (now - day > k_max_days_late) {
      errors.push_back({"date", "is more than " + std::to_string(k_max_days_late) +
                                    " days ago; a late check-in must be sent within a week"});
    }
  }

  std::optional<int> mood;
  if (!o.if_contains("mood") || o.at("mood").is_null()) {
    errors.push_back({"mood", "is required"});
  } else {
    read_int(o, "mood", 0, 10, mood, errors);
  }
  c.mood = mood.value_or(0);
  read_int(o, "anxiety", 0, 10, c.anxiety, errors);
  read_int(o, "sleep_quality", 0, 4, c.sleep_quality, errors);
  read_int(o, "energy", 0, 10, c.energy, errors);
  read_int(o, "self_harm_urge", 0, k_self_harm_urge_max, c.self_harm_urge, errors);

  if (const auto* sleep = o.if_contains("sleep_hours"); sleep && !sleep->is_null()) {
    if (!sleep->is_number()) {
      errors.push_back({"sleep_hours", "must be a number of hours from 0 to 24"});
    } else {
      const double hours = sleep->to_number<double>();
      if (hours < 0 || hours > 24) {
        errors.push_back({"sleep_hours", "is out of range: must be 0 to 24"});
      } else if (hours * 2 != std::floor(hours * 2)) {
        errors.push_back({"sleep_hours", "must be in half hours (7 or 7.5)"});
      } else {
        c.sleep_hours = hours;
      }
    }
  }

  if (const auto* med = o.if_contains("medication"); med && !med->is_null()) {
    const std::string_view m = med->is_string() ? std::string_view(med->as_string()) : "";
    for (auto candidate : {Medication::Yes, Medication::No, Medication::NotApplicable}) {
      if (medication_name(candidate) == m) c.medication = candidate;
    }
    if (!c.medication) errors.push_back({"medication", "must be yes, no or not_applicable"});
  }

  if (const auto* factors = o.if_contains("factors"); factors && !factors->is_null()) {
    if (!factors->is_array()) {
      errors.push_back({"factors", "must be a list of factor ids"});
    } else {
      std::set<std::string> seen;
      std::size_t i = 0;
      for (const auto& f : factors->as_array()) {
        const std::string field = "factors[" + std::to_string(i++) + "]";
        if (!f.is_string()) {
          errors.push_back({field, "must be a factor id"});
          continue;
        }
        const std::string id(f.as_string());
        if (known_factors.count(id) == 0) {
          errors.push_back({field, "is not a factor of the service's list or the client's own"});
        } else if (!seen.insert(id).second) {
          errors.push_back({field, "repeats " + id});
        } else {
          c.factors.push_back(id);
        }
      }
    }
  }

  if (const auto* note = o.if_contains("note"); note && !note->is_null()) {
    if (!note->is_string()) {
      errors.push_back({"note", "must be text"});
    } else if (characters(note->as_string()) > k_note_max) {
      errors.push_back({"note", "is longer than 500 characters"});
    } else {
      c.note = std::string(note->as_string());
    }
  }
  if (const auto* share = o.if_contains("share_note"); share && !share->is_null()) {
    if (!share->is_bool()) {
      errors.push_back({"share_note", "must be true or false"});
    } else {
      c.share_note = share->as_bool();
    }
  }

  if (!errors.empty()) {
    std::string detail = "invalid check-in:";
    for (const auto& e : errors) detail += " " + e.field;
    return make_error(Errc::Validation, std::move(detail), std::move(errors));
  }
  return c;
}

Streak streak(const std::vector<std::string>& dates, std::string_view today) {
  Streak s;
  const auto now = day_number(today);
  if (!now) return s;
  std::set<std::int64_t> days;
  for (const auto& d : dates) {
    if (auto n = day_number(d); n && *n <= *now) days.insert(*n);
  }
  int run = 0;
  std::int64_t previous = 0;
  for (auto d : days) {
    run = (run > 0 && d == previous + 1) ? run + 1 : 1;
    previous = d;
    s.best = std::max(s.best, run);
    if (*now - d < 7) ++s.last_7;
    if (*now - d < 30) ++s.last_30;
  }
  // The current run may end yesterday: today's check-in may simply not be done yet.
  if (!days.empty() && *now - previous <= 1) s.current = run;
  return s;
}

Pattern pattern(const std::vector<CheckIn>& checkins, const Factor& factor) {
  Pattern p;
  p.factor_id = factor.id;
  long sum_with = 0, sum_without = 0;
  for (const auto& c : checkins) {
    if (std::find(c.factors.begin(), c.factors.end(), factor.id) != c.factors.end()) {
      ++p.days_with;
      sum_with += c.mood;
    } else {
      ++p.days_without;
      sum_without += c.mood;
    }
  }
  if (p.days_with > 0) p.mean_with = static_cast<double>(sum_with) / p.days_with;
  if (p.days_without > 0) p.mean_without = static_cast<double>(sum_without) / p.days_without;
  const std::string what = lower_first(factor.label);
  const std::string days = "(" + std::to_string(p.days_with) + " days with, " +
                           std::to_string(p.days_without) + " without)";
  if (p.days_with < k_pattern_min_days || p.days_without < k_pattern_min_days) {
    p.text = "Not enough days yet to compare your mood on days with and without " + what + " " +
             days + ".";
    return p;
  }
  // mean_with - mean_without compared with the threshold in whole numbers, so that a
  // difference of exactly one point is not lost to rounding.
  const long scaled = sum_with * p.days_without - sum_without * p.days_with;
  const long threshold = static_cast<long>(k_pattern_min_points) * p.days_with * p.days_without;
  if (std::labs(scaled) < threshold) {
    p.text = "No clear difference so far between your mood on days with and without " + what + " " +
             days + ".";
    return p;
  }
  p.verdict = true;
  const double diff = *p.mean_with - *p.mean_without;
  p.text = "On days with " + what + " your mood was " + one_decimal(std::fabs(diff)) + " points " +
           (diff > 0 ? "higher" : "lower") + " on average " + days +
           ". This is a pattern, not proof of cause.";
  return p;
}

std::vector<Point> series(const std::vector<CheckIn>& checkins, std::string_view from,
                          std::string_view to, Field field) {
  std::vector<Point> out;
  const auto first = day_number(from), last = day_number(to);
  if (!first || !last || *last < *first) return out;
  const bool weekly = *last - *first + 1 > k_series_max_daily_days;
  std::map<std::int64_t, std::pair<double, int>> buckets;  // day or week's Monday → sum, count
  for (const auto& c : checkins) {
    const auto day = day_number(c.date);
    const auto v = value_of(c, field);
    if (!day || !v || *day < *first || *day > *last) continue;
    auto& b = buckets[weekly ? *day - weekday(*day) : *day];
    b.first += *v;
    b.second += 1;
  }
  for (const auto& [day, b] : buckets) {
    Point p;
    p.date = date_text(day);
    if (weekly) p.week = iso_week(day);
    p.value = b.first / b.second;
    p.count = b.second;
    out.push_back(std::move(p));
  }
  return out;
}

std::string to_csv(const std::vector<CheckIn>& checkins, const std::vector<Factor>& factors,
                   Reader reader) {
  std::string out = "date,mood,anxiety,sleep_hours,sleep_quality,energy,self_harm_urge,medication";
  for (const auto& f : factors) out += "," + cell(f.label);
  out += ",note\r\n";
  std::vector<const CheckIn*> rows;
  for (const auto& c : checkins) rows.push_back(&c);
  std::stable_sort(rows.begin(), rows.end(),
                   [](const CheckIn* a, const CheckIn* b) { return a->date < b->date; });
  for (const CheckIn* c : rows) {
    out += cell(c->date);
    for (auto f : {Field::Mood, Field::Anxiety, Field::SleepHours, Field::SleepQuality,
                   Field::Energy, Field::SelfHarmUrge}) {
      out += "," + number_cell(value_of(*c, f));
    }
    out += ",";
    if (c->medication) out += medication_name(*c->medication);
    for (const auto& f : factors) {
      const bool ticked = std::find(c->factors.begin(), c->factors.end(), f.id) != c->factors.end();
      out += ticked ? ",1" : ",0";
    }
    out += ",";
    if (reader == Reader::Client || c->share_note) out += cell(c->note);
    out += "\r\n";
  }
  return out;
}

Status check_crisis_rules(const crisis::rules::RiskConfig& cfg) {
  for (std::size_t i = 0; i < cfg.self_harm_urge.size(); ++i) {
    if (cfg.self_harm_urge[i].at_least > k_self_harm_urge_max) {
      const std::string field = "check_in.self_harm_urge[" + std::to_string(i) + "].at_least";
      return make_error(Errc::Validation,
                        field + " is " + std::to_string(cfg.self_harm_urge[i].at_least) +
                            ", but a check-in records self-harm urges from 0 to " +
                            std::to_string(k_self_harm_urge_max),
                        {{field, "must be at most " + std::to_string(k_self_harm_urge_max)}});
    }
  }
  return ok_status();
}

crisis::rules::CheckIn crisis_signal(const CheckIn& c, const std::string& id,
                                     const std::vector<CheckIn>& earlier, int within_days) {
  crisis::rules::CheckIn out;
  out.id = id;
  out.self_harm_urge = c.self_harm_urge;
  out.mood = c.mood;
  const auto day = day_number(c.date);
  if (!day) return out;
  std::vector<std::pair<std::int64_t, int>> window;
  for (const auto& e : earlier) {
    const auto d = day_number(e.date);
    if (d && *d < *day && *day - *d <= within_days) window.emplace_back(*d, e.mood);
  }
  std::sort(window.begin(), window.end());
  for (const auto& [d, mood] : window) out.previous_moods.push_back(mood);
  return out;
}

std::optional<std::string> shift_date(std::string_view date, int days) {
  const auto day = day_number(date);
  if (!day) return std::nullopt;
  return date_text(*day + days);
}

std::optional<int> reminder_minute(std::string_view hhmm) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (hhmm.size() != 5 || hhmm[2] != ':' || !digit(hhmm[0]) || !digit(hhmm[1]) || !digit(hhmm[3]) ||
      !digit(hhmm[4])) {
    return std::nullopt;
  }
  const int hour = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  const int minute = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (hour > 23 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

Mail reminder_mail(std::string_view base_url) {
  Mail m;
  m.subject = "A reminder to check in";
  std::string where = "in the portal";
  if (!base_url.empty()) {
    std::string url(base_url);
    while (!url.empty() && url.back() == '/') url.pop_back();
    where = "in the portal: " + url + "/portal";
  }
  m.body =
      "Hello,\n\n"
      "A reminder to check in: your daily check-in takes about a minute " +
      where +
      "\n\n"
      "You chose to get this reminder. You can change its time or turn it off in the portal's "
      "settings.\n";
  return m;
}

}  // namespace tend::tracking::rules
