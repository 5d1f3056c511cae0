#include "crisis/rules.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

#include "platform/content.h"

namespace tend::crisis::rules {

namespace bj = boost::json;

namespace {
constexpr std::string_view k_levels[] = {"low", "moderate", "high", "imminent"};
constexpr std::string_view k_sources[] = {"assessment", "checkin", "message", "help_now",
                                          "clinician"};
constexpr std::string_view k_steps[] = {"primary_clinician", "care_team", "on_call", "supervisor"};
constexpr std::string_view k_days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::optional<int> parse_day(std::string_view s) {
  for (int i = 0; i < 7; ++i) {
    if (k_days[i] == s) return i;
  }
  return std::nullopt;
}

//! "HH:MM" → minutes after midnight.
std::optional<int> parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (std::size_t i : {0U, 1U, 3U, 4U}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

//! "5m", "15m", "4h", "2d" → minutes.
std::optional<std::chrono::minutes> parse_span(std::string_view s) {
  if (s.size() < 2 || s.size() > 6) return std::nullopt;
  const char unit = s.back();
  long n = 0;
  for (char ch : s.substr(0, s.size() - 1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  if (n <= 0) return std::nullopt;
  switch (unit) {
    case 'm':
      return std::chrono::minutes(n);
    case 'h':
      return std::chrono::minutes(n * 60);
    case 'd':
      return std::chrono::minutes(n * 24 * 60);
    default:
      return std::nullopt;
  }
}

//! Reads the configuration, throwing std::invalid_argument naming the field.
struct Reader {
  [[noreturn]] static void bad(const std::string& field, const std::string& why) {
    throw std::invalid_argument(field + ": " + why);
  }
  static const bj::object& obj(const bj::value& v, const std::string& field) {
    if (!v.is_object()) bad(field, "must be an object");
    return v.get_object();
  }
  //! The object member `key` of `o`; refused when missing or not an object.
  static const bj::object& obj(const bj::object& o, std::string_view key,
                               const std::string& field) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_object()) bad(field, "must be an object");
    return v->get_object();
  }
  static const bj::array& arr(const bj::object& o, std::string_view key, const std::string& field) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_array()) bad(field, "must be a list");
    return v->get_array();
  }
  static std::string str(const bj::object& o, std::string_view key, const std::string& field,
                         bool required = true) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) {
      if (required) bad(field, "is required");
      return {};
    }
    if (!v->is_string() || (required && v->get_string().empty())) {
      bad(field, "must be a text");
    }
    return std::string(v->get_string());
  }
  static int integer(const bj::object& o, std::string_view key, const std::string& field, int min,
                     int max) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64()) bad(field, "must be a whole number");
    const auto n = v->get_int64();
    if (n < min || n > max) {
      bad(field, "must be from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return static_cast<int>(n);
  }
  //! Refuses a key not in `keys`: a misspelt "check_in" would otherwise drop its rules quietly.
  static void only(const bj::object& o, const std::string& path,
                   std::initializer_list<std::string_view> keys) {
    for (const auto& kv : o) {
      if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
        bad(path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key()),
            "is not a field here");
      }
    }
  }
  static Level level(const bj::object& o, const std::string& field) {
    auto l = parse_level(str(o, "level", field + ".level"));
    if (!l) bad(field + ".level", "must be low, moderate, high or imminent");
    return *l;
  }
};

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
  for (std::size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + with.size())) {
    s.replace(at, what.size(), with);
  }
  return s;
}
}  // namespace

std::string_view level_name(Level l) {
  return k_levels[static_cast<int>(l)];
}
std::optional<Level> parse_level(std::string_view s) {
  for (int i = 0; i < 4; ++i) {
    if (k_levels[i] == s) return static_cast<Level>(i);
  }
  return std::nullopt;
}
std::string_view source_name(Source s) {
  return k_sources[static_cast<int>(s)];
}
std::optional<Source> parse_source(std::string_view s) {
  for (int i = 0; i < 5; ++i) {
    if (k_sources[i] == s) return static_cast<Source>(i);
  }
  return std::nullopt;
}
std::string_view step_name(Step s) {
  return k_steps[static_cast<int>(s)];
}
std::optional<Step> parse_step(std::string_view s) {
  for (int i = 0; i < 4; ++i) {
    if (k_steps[i] == s) return static_cast<Step>(i);
  }
  return std::nullopt;
}

Result<RiskConfig> RiskConfig::parse(std::string_view text) {
  bj::value doc;
  try {
    doc = bj::parse(text);
  } catch (const std::exception& e) {
    return make_error(Errc::Validation, std::string("crisis rules are not JSON: ") + e.what());
  }
  RiskConfig cfg;
  try {
    using R = Reader;
    const auto& root = R::obj(doc, "rules");
    R::only(root, "",
            {"about", "assessment", "check_in", "messages", "help_now", "deadlines", "working_days",
             "working_day_start", "chain", "follow_ups", "outcomes", "outcomes_needing_note"});
    const auto& assessment = R::arr(root, "assessment", "assessment");
    for (std::size_t i = 0; i < assessment.size(); ++i) {
      const std::string f = "assessment[" + std::to_string(i) + "]";
      const auto& o = R::obj(assessment[i], f);
      R::only(o, f, {"instrument", "flag", "band", "level", "reason"});
      AssessmentRule r;
      r.instrument = R::str(o, "instrument", f + ".instrument");
      if (o.contains("flag")) r.flag = R::str(o, "flag", f + ".flag");
      if (o.contains("band")) r.band = R::str(o, "band", f + ".band");
      if (r.flag.has_value() == r.band.has_value()) R::bad(f, "needs one of flag or band");
      r.level = R::level(o, f);
      r.reason = R::str(o, "reason", f + ".reason");
      cfg.assessment.push_back(std::move(r));
    }
    if (const auto* ci = root.if_contains("check_in")) {
      const auto& c = R::obj(*ci, "check_in");
      R::only(c, "check_in", {"self_harm_urge", "mood_drop"});
      if (c.contains("self_harm_urge")) {
        const auto& list = R::arr(c, "self_harm_urge", "check_in.self_harm_urge");
        for (std::size_t i = 0; i < list.size(); ++i) {
          const std::string f = "check_in.self_harm_urge[" + std::to_string(i) + "]";
          const auto& o = R::obj(list[i], f);
          R::only(o, f, {"at_least", "level", "reason"});
          ThresholdRule t;
          t.at_least =
              R::integer(o, "at_least", f + ".at_least", 1, 5);  // the check-in's 0–5 scale
          t.level = R::level(o, f);
          t.reason = R::str(o, "reason", f + ".reason");
          cfg.self_harm_urge.push_back(std::move(t));
        }
        std::sort(cfg.self_harm_urge.begin(), cfg.self_harm_urge.end(),
                  [](const auto& a, const auto& b) { return a.at_least > b.at_least; });
      }
      if (const auto* md = c.if_contains("mood_drop")) {
        const std::string f = "check_in.mood_drop";
        const auto& o = R::obj(*md, f);
        R::only(o, f, {"points", "within_days", "min_previous", "level", "reason"});
        MoodDropRule m;
        m.points = R::integer(o, "points", f + ".points", 1, 10);
        m.within_days = R::integer(o, "within_days", f + ".within_days", 1, 60);
        m.min_previous = R::integer(o, "min_previous", f + ".min_previous", 1, 60);
        m.level = R::level(o, f);
        m.reason = R::str(o, "reason", f + ".reason");
        cfg.mood_drop = std::move(m);
      }
    }
    if (const auto* mv = root.if_contains("messages")) {
      const auto& m = R::obj(*mv, "messages");
      R::only(m, "messages", {"reason", "phrases"});
      const std::string reason = R::str(m, "reason", "messages.reason");
      const auto& list = R::arr(m, "phrases", "messages.phrases");
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string f = "messages.phrases[" + std::to_string(i) + "]";
        const auto& o = R::obj(list[i], f);
        R::only(o, f, {"phrase", "level"});
        PhraseRule p;
        p.phrase = R::str(o, "phrase", f + ".phrase");
        p.normalized = normalize_text(p.phrase);
        if (p.normalized.empty()) R::bad(f + ".phrase", "has no letters or digits");
        p.level = R::level(o, f);
        cfg.phrases.push_back(std::move(p));
      }
      cfg.message_reason = reason;
    }
    {
      const auto& h = R::obj(root, "help_now", "help_now");
      R::only(h, "help_now", {"level", "reason"});
      cfg.help_now = R::level(h, "help_now");
      cfg.help_now_reason = R::str(h, "reason", "help_now.reason");
    }
    {
      const auto& d = R::obj(root, "deadlines", "deadlines");
      R::only(d, "deadlines", {"low", "moderate", "high", "imminent"});
      for (int i = 0; i < 4; ++i) {
        const std::string key(k_levels[i]);
        const std::string v = R::str(d, key, "deadlines." + key);
        if (v == "next_working_day") {
          cfg.deadlines[i].next_working_day = true;
        } else if (auto span = parse_span(v)) {
          cfg.deadlines[i].after = *span;
        } else {
          R::bad("deadlines." + key, "must be like 5m, 4h, 2d or next_working_day");
        }
      }
    }
    const auto& days = R::arr(root, "working_days", "working_days");
    for (std::size_t i = 0; i < days.size(); ++i) {
      const std::string f = "working_days[" + std::to_string(i) + "]";
      if (!days[i].is_string()) R::bad(f, "must be a day: sun, mon … sat");
      auto d = parse_day(days[i].get_string());
      if (!d) R::bad(f, "must be a day: sun, mon … sat");
      cfg.working_days.push_back(*d);
    }
    if (cfg.working_days.empty()) R::bad("working_days", "needs at least one day");
    auto start = parse_hhmm(R::str(root, "working_day_start", "working_day_start"));
    if (!start) R::bad("working_day_start", "must be HH:MM");
    cfg.working_day_start_minute = *start;
    const auto& chain = R::arr(root, "chain", "chain");
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const std::string f = "chain[" + std::to_string(i) + "]";
      auto s = chain[i].is_string() ? parse_step(chain[i].get_string()) : std::nullopt;
      if (!s) R::bad(f, "must be primary_clinician, care_team, on_call or supervisor");
      if (std::find(cfg.chain.begin(), cfg.chain.end(), *s) != cfg.chain.end()) {
        R::bad(f, "is listed twice");
      }
      cfg.chain.push_back(*s);
    }
    if (cfg.chain.empty()) R::bad("chain", "needs at least one link");
    const auto& fus = R::arr(root, "follow_ups", "follow_ups");
    for (std::size_t i = 0; i < fus.size(); ++i) {
      const std::string f = "follow_ups[" + std::to_string(i) + "]";
      const auto& o = R::obj(fus[i], f);
      R::only(o, f, {"label", "after_hours"});
      FollowUpRule r;
      r.label = R::str(o, "label", f + ".label");
      r.after = std::chrono::hours(R::integer(o, "after_hours", f + ".after_hours", 1, 24 * 90));
      cfg.follow_ups.push_back(std::move(r));
    }
    const auto& outcomes = R::arr(root, "outcomes", "outcomes");
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (!outcomes[i].is_string() || outcomes[i].get_string().empty()) {
        R::bad("outcomes[" + std::to_string(i) + "]", "must be a text");
      }
      cfg.outcomes.emplace_back(outcomes[i].get_string());
    }
    if (cfg.outcomes.empty()) R::bad("outcomes", "needs at least one outcome");
    if (root.contains("outcomes_needing_note")) {
      const auto& need = R::arr(root, "outcomes_needing_note", "outcomes_needing_note");
      for (std::size_t i = 0; i < need.size(); ++i) {
        const std::string f = "outcomes_needing_note[" + std::to_string(i) + "]";
        if (!need[i].is_string()) R::bad(f, "must be a text");
        std::string o(need[i].get_string());
        if (std::find(cfg.outcomes.begin(), cfg.outcomes.end(), o) == cfg.outcomes.end()) {
          R::bad(f, "is not one of outcomes");
        }
        cfg.outcomes_needing_note.push_back(std::move(o));
      }
    }
  } catch (const std::invalid_argument& e) {
    return make_error(Errc::Validation, std::string("crisis rules: ") + e.what());
  }
  return cfg;
}

const RiskConfig& built_in() {
  static const RiskConfig cfg = [] {
    for (const auto& f : content::embedded()) {
      if (f.path == "crisis/risk.json") {
        auto r = RiskConfig::parse(f.text);
        if (!r) throw std::logic_error("built-in crisis rules: " + r.error().detail);
        return std::move(*r);
      }
    }
    throw std::logic_error("built-in crisis rules are missing (content/crisis/risk.json)");
  }();
  return cfg;
}

Status check_instruments(
    const RiskConfig& cfg,
    const std::function<std::optional<InstrumentCodes>(const std::string&)>& lookup) {
  for (std::size_t i = 0; i < cfg.assessment.size(); ++i) {
    const auto& r = cfg.assessment[i];
    const std::string f = "assessment[" + std::to_string(i) + "]";
    auto codes = lookup(r.instrument);
    if (!codes) {
      return make_error(Errc::Validation,
                        "crisis rules: " + f + ".instrument: " + r.instrument +
                            " is not in the instrument library",
                        {{f + ".instrument", "is not in the instrument library"}});
    }
    if (r.flag && !codes->flags.count(*r.flag)) {
      return make_error(Errc::Validation,
                        "crisis rules: " + f + ".flag: " + r.instrument + " has no flag " + *r.flag,
                        {{f + ".flag", "is not a flag of " + r.instrument}});
    }
    if (r.band && !codes->bands.count(*r.band)) {
      return make_error(Errc::Validation,
                        "crisis rules: " + f + ".band: " + r.instrument + " has no band " + *r.band,
                        {{f + ".band", "is not a band of " + r.instrument}});
    }
  }
  return ok_status();
}

Result<bj::object> parse_resources(std::string_view text) {
  bj::value doc;
  try {
    doc = bj::parse(text);
  } catch (const std::exception& e) {
    return make_error(Errc::Validation, std::string("crisis lines are not JSON: ") + e.what());
  }
  try {
    using R = Reader;
    const auto& root = R::obj(doc, "resources");
    R::only(root, "", {"about", "default_region", "regions"});
    const auto& regions = R::obj(root, "regions", "regions");
    if (regions.empty()) R::bad("regions", "needs at least one region");
    const auto is_code = [](std::string_view k) {
      return k.size() == 2 && std::isupper(static_cast<unsigned char>(k[0])) &&
             std::isupper(static_cast<unsigned char>(k[1]));
    };
    for (const auto& kv : regions) {
      const std::string f = "regions." + std::string(kv.key());
      if (!is_code(kv.key())) R::bad(f, "must be keyed by a two-letter country code (US, GB)");
      const auto& region = R::obj(kv.value(), f);
      R::only(region, f, {"name", "emergency", "lines"});
      R::str(region, "name", f + ".name");
      const auto& em = R::obj(region, "emergency", f + ".emergency");
      R::only(em, f + ".emergency", {"number", "label"});
      R::str(em, "number", f + ".emergency.number");
      R::str(em, "label", f + ".emergency.label", false);
      const auto& lines = R::arr(region, "lines", f + ".lines");
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string lf = f + ".lines[" + std::to_string(i) + "]";
        const auto& line = R::obj(lines[i], lf);
        R::only(line, lf, {"name", "phone", "text", "text_body", "url", "hours", "description"});
        R::str(line, "name", lf + ".name");
        const auto phone = R::str(line, "phone", lf + ".phone", false);
        const auto sms = R::str(line, "text", lf + ".text", false);
        const auto url = R::str(line, "url", lf + ".url", false);
        R::str(line, "text_body", lf + ".text_body", false);
        R::str(line, "hours", lf + ".hours", false);
        R::str(line, "description", lf + ".description", false);
        if (phone.empty() && sms.empty() && url.empty()) {
          R::bad(lf, "needs a phone, text or url to reach it by");
        }
        if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
          R::bad(lf + ".url", "must be an http:// or https:// address");
        }
      }
    }
    const auto def = R::str(root, "default_region", "default_region");
    if (!regions.contains(def)) R::bad("default_region", "is not one of regions");
    return root;
  } catch (const std::invalid_argument& e) {
    return make_error(Errc::Validation, std::string("crisis lines: ") + e.what());
  }
}

const bj::object& built_in_resources() {
  static const bj::object doc = [] {
    for (const auto& f : content::embedded()) {
      if (f.path == "crisis/resources.json") {
        auto r = parse_resources(f.text);
        if (!r) throw std::logic_error("built-in crisis lines: " + r.error().detail);
        return std::move(*r);
      }
    }
    throw std::logic_error("built-in crisis lines are missing");
  }();
  return doc;
}

// ---- detection ----------------------------------------------------------------------------

namespace {
void sort_by_urgency(std::vector<Signal>& v) {
  std::stable_sort(v.begin(), v.end(),
                   [](const Signal& a, const Signal& b) { return a.level > b.level; });
}
}  // namespace

std::vector<Signal> signals_from_assessment(const ScoredMeasure& m, const RiskConfig& cfg) {
  std::vector<Signal> out;
  for (const auto& r : cfg.assessment) {
    if (r.instrument != m.instrument_id) continue;
    bool hit = false;
    if (r.flag) hit = std::find(m.flags.begin(), m.flags.end(), *r.flag) != m.flags.end();
    if (r.band) hit = m.band == r.band;
    if (!hit) continue;
    Signal s;
    s.source = Source::Assessment;
    s.level = r.level;
    s.rule = r.instrument + "." + (r.flag ? *r.flag : "band." + *r.band);
    s.reason = r.reason;
    s.ref_id = m.assessment_id;
    out.push_back(std::move(s));
  }
  sort_by_urgency(out);
  return out;
}

std::optional<Signal> signal_from_check_in(const CheckIn& c, const RiskConfig& cfg) {
  std::vector<Signal> found;
  if (c.self_harm_urge) {
    for (const auto& t : cfg.self_harm_urge) {  // most severe threshold first
      if (*c.self_harm_urge >= t.at_least) {
        Signal s;
        s.source = Source::CheckIn;
        s.level = t.level;
        s.rule = "check_in.self_harm_urge." + std::to_string(t.at_least);
        s.reason = replace_all(t.reason, "{value}", std::to_string(*c.self_harm_urge));
        s.ref_id = c.id;
        found.push_back(std::move(s));
        break;
      }
    }
  }
  if (c.mood && cfg.mood_drop &&
      static_cast<int>(c.previous_moods.size()) >= cfg.mood_drop->min_previous) {
    double sum = 0;
    for (int v : c.previous_moods) sum += v;
    const double mean = sum / static_cast<double>(c.previous_moods.size());
    const double drop = mean - *c.mood;
    if (drop >= cfg.mood_drop->points) {
      Signal s;
      s.source = Source::CheckIn;
      s.level = cfg.mood_drop->level;
      s.rule = "check_in.mood_drop";
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.1f", drop);
      s.reason = replace_all(replace_all(cfg.mood_drop->reason, "{value}", std::to_string(*c.mood)),
                             "{drop}", buf);
      s.ref_id = c.id;
      found.push_back(std::move(s));
    }
  }
  if (found.empty()) return std::nullopt;
  sort_by_urgency(found);
  return found.front();
}

namespace {
//! Decodes the UTF-8 sequence at `text[i]`; false when it is malformed.
bool decode_utf8(std::string_view text, std::size_t i, char32_t& cp, std::size_t& len) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
    cp = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    cp = lead & 0x0FU;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    cp = lead & 0x07U;
  } else {
    return false;
  }
  if (i + len > text.size()) return false;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0U) != 0x80U) return false;
    cp = (cp << 6U) | (b & 0x3FU);
  }
  constexpr char32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
  return cp >= k_min[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

//! Apostrophes join words: ' ` ´ ‘ ’ and ʼ (keyboards and phones write "can't" all these ways).
bool apostrophe(char32_t cp) {
  return cp == U'\'' || cp == U'`' || cp == 0xB4 || cp == 0x2018 || cp == 0x2019 || cp == 0x2BC;
}

//! Whether a non-ASCII code point belongs to a word: letters of any script do; Latin-1 signs and
//! the no-break space, general punctuation (dashes, curly quotes, the ellipsis, zero-width and
//! other spaces), symbols, dingbats and emoji do not, so "die”", "die—" and "die😢" end at "die".
bool word_code_point(char32_t cp) {
  if (cp < 0xC0 || cp == 0xD7 || cp == 0xF7) return false;  // C1, NBSP, « » ¿ …, × ÷
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;           // punctuation, symbols, arrows
  if (cp >= 0x3000 && cp <= 0x303F) return false;           // CJK punctuation and space
  if (cp >= 0xFE00 && cp <= 0xFE0F) return false;           // variation selectors
  if (cp == 0xFEFF) return false;                           // zero-width no-break space
  if (cp >= 0x1F000 && cp <= 0x1FBFF) return false;         // emoji and pictographs
  return true;
}
}  // namespace

std::string normalize_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = true;  // suppresses leading and repeated spaces
  auto word_break = [&] {
    if (!space) out.push_back(' ');
    space = true;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if (ch < 0x80) {
      ++i;
      if (apostrophe(ch)) continue;
      if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
        out.push_back(static_cast<char>(ch));
        space = false;
      } else if (ch >= 'A' && ch <= 'Z') {
        out.push_back(static_cast<char>(ch - 'A' + 'a'));
        space = false;
      } else {
        word_break();
      }
      continue;
    }
    char32_t cp = 0;
    std::size_t len = 1;
    if (!decode_utf8(text, i, cp, len)) {
      // A malformed byte separates words rather than gluing a phrase to its neighbour.
      word_break();
      ++i;
      continue;
    }
    if (apostrophe(cp)) {
      i += len;
      continue;
    }
    if (!word_code_point(cp)) {
      word_break();
      i += len;
      continue;
    }
    if (cp >= 0xC0 && cp <= 0xDE) {  // Latin-1 capitals (× excluded above): À → à
      out.push_back(text[i]);
      out.push_back(static_cast<char>(static_cast<unsigned char>(text[i + 1]) + 0x20));
    } else {
      out.append(text.substr(i, len));
    }
    space = false;
    i += len;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<Signal> screen_message(std::string_view text, const std::string& message_id,
                                     const RiskConfig& cfg) {
  const std::string padded = " " + normalize_text(text) + " ";
  const PhraseRule* best = nullptr;
  for (const auto& p : cfg.phrases) {
    if (padded.find(" " + p.normalized + " ") == std::string::npos) continue;
    if (best == nullptr || p.level > best->level) best = &p;
  }
  if (best == nullptr) return std::nullopt;
  Signal s;
  s.source = Source::Message;
  s.level = best->level;
  s.rule = "message.phrase";
  s.reason = replace_all(cfg.message_reason, "{phrase}", best->phrase);
  s.ref_id = message_id;
  return s;
}

Signal help_now(const RiskConfig& cfg) {
  Signal s;
  s.source = Source::HelpNow;
  s.level = cfg.help_now;
  s.rule = "help_now";
  s.reason = cfg.help_now_reason;
  return s;
}

Signal raised_by_hand(Level level, std::string reason) {
  Signal s;
  s.source = Source::Clinician;
  s.level = level;
  s.rule = "clinician";
  s.reason = std::move(reason);
  return s;
}

// ---- alerts -------------------------------------------------------------------------------

const Signal& most_urgent(const std::vector<Signal>& signals) {
  if (signals.empty()) throw std::invalid_argument("most_urgent: no signals");
  const Signal* best = &signals.front();
  for (const auto& s : signals) {
    if (s.level > best->level) best = &s;
  }
  return *best;
}

LocalClock utc_clock() {
  LocalClock c;
  c.to_local = [](TimePoint t, int& y, int& m, int& d, int& minute, int& weekday) {
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
      rem += 86400;
      --days;
    }
    minute = static_cast<int>(rem / 60);
    weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    const std::chrono::sys_days sd{std::chrono::days(days)};
    const std::chrono::year_month_day ymd(sd);
    y = static_cast<int>(ymd.year());
    m = static_cast<int>(static_cast<unsigned>(ymd.month()));
    d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  };
  c.from_local = [](int y, int m, int d, int minute) {
    return TimePoint(std::chrono::seconds(days_from_civil(y, m, d) * 86400 + minute * 60));
  };
  return c;
}

TimePoint ack_deadline(Level level, TimePoint from, const RiskConfig& cfg,
                       const LocalClock& local) {
  const auto& d = cfg.deadlines[static_cast<int>(level)];
  if (!d.next_working_day) return from + d.after;
  int y = 0, m = 0, day = 0, minute = 0, weekday = 0;
  local.to_local(from, y, m, day, minute, weekday);
  auto working = [&](int wd) {
    return std::find(cfg.working_days.begin(), cfg.working_days.end(), wd) !=
           cfg.working_days.end();
  };
  // Before the start of a working day: that day's start. Otherwise the next working day's.
  std::int64_t civil = days_from_civil(y, m, day);
  int wd = weekday;
  if (!(working(wd) && minute < cfg.working_day_start_minute)) {
    do {
      ++civil;
      wd = (wd + 1) % 7;
    } while (!working(wd));
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days(civil)}};
  return local.from_local(
      static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
      static_cast<int>(static_cast<unsigned>(ymd.day())), cfg.working_day_start_minute);
}

Routing route(int after_step, const std::vector<Step>& chain, const ChainPeople& people,
              const std::set<std::string>& already_notified,
              const std::vector<std::string>& fallback) {
  auto members = [&](Step s) {
    std::vector<std::string> v;
    switch (s) {
      case Step::PrimaryClinician:
        if (people.primary_clinician) v.push_back(*people.primary_clinician);
        break;
      case Step::CareTeam:
        v = people.care_team;
        break;
      case Step::OnCall:
        v = people.on_call;
        break;
      case Step::Supervisor:
        v = people.supervisors;
        break;
    }
    return v;
  };
  auto add_unique = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    for (const auto& id : from) {
      if (std::find(to.begin(), to.end(), id) == to.end()) to.push_back(id);
    }
  };
  for (int i = std::max(after_step + 1, 0); i < static_cast<int>(chain.size()); ++i) {
    const auto who = members(chain[static_cast<std::size_t>(i)]);
    const bool someone_new = std::any_of(who.begin(), who.end(), [&](const std::string& id) {
      return already_notified.count(id) == 0;
    });
    if (!someone_new) continue;
    Routing r;
    r.step = i;
    // A link is told in full: colleagues already told hear it again with the escalation.
    add_unique(r.recipients, who);
    return r;
  }
  Routing r;
  r.step = static_cast<int>(chain.size());
  r.chain_end = true;
  add_unique(r.recipients, people.on_call);
  add_unique(r.recipients, people.supervisors);
  if (r.recipients.empty()) {
    // Nobody on the roster: everyone told so far, and the service's fallback (its admins), so
    // an alert never goes to no one.
    add_unique(r.recipients, {already_notified.begin(), already_notified.end()});
    add_unique(r.recipients, fallback);
  }
  return r;
}

std::string check_resolution(const RiskConfig& cfg, std::string_view outcome,
                             std::string_view note) {
  if (std::find(cfg.outcomes.begin(), cfg.outcomes.end(), outcome) == cfg.outcomes.end()) {
    std::string list;
    for (const auto& o : cfg.outcomes) list += (list.empty() ? "" : ", ") + o;
    return "must be one of " + list;
  }
  const bool needs = std::find(cfg.outcomes_needing_note.begin(), cfg.outcomes_needing_note.end(),
                               outcome) != cfg.outcomes_needing_note.end();
  const bool blank = note.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (needs && blank) return "note: say what happened (required for " + std::string(outcome) + ")";
  return {};
}

// ---- roster -------------------------------------------------------------------------------

bool roster_active(const RosterEntry& e, TimePoint t, const ZoneLookup& zones) {
  if (e.starts_at_ms && e.ends_at_ms) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    return ms >= *e.starts_at_ms && ms < *e.ends_at_ms;
  }
  auto zone = zones(e.time_zone);
  if (!zone) return false;
  int y = 0, m = 0, d = 0, minute = 0, weekday = 0;
  zone->to_local(t, y, m, d, minute, weekday);
  const std::int64_t today = days_from_civil(y, m, d);
  auto within_dates = [&](std::int64_t shift_day) {
    int fy = 0, fm = 0, fd = 0;
    if (e.from_date && parse_date(*e.from_date, fy, fm, fd) &&
        shift_day < days_from_civil(fy, fm, fd)) {
      return false;
    }
    if (e.until_date && parse_date(*e.until_date, fy, fm, fd) &&
        shift_day > days_from_civil(fy, fm, fd)) {
      return false;
    }
    return true;
  };
  auto on_day = [&](int wd) { return std::find(e.days.begin(), e.days.end(), wd) != e.days.end(); };
  const bool overnight = e.end_minute <= e.start_minute;
  // A shift that starts today.
  if (on_day(weekday) && within_dates(today) && minute >= e.start_minute &&
      (overnight || minute < e.end_minute)) {
    return true;
  }
  // An overnight shift that started yesterday.
  const int yesterday = (weekday + 6) % 7;
  return overnight && on_day(yesterday) && within_dates(today - 1) && minute < e.end_minute;
}

std::vector<std::string> on_duty(const std::vector<RosterEntry>& roster, std::string_view kind,
                                 TimePoint t, const ZoneLookup& zones) {
  std::vector<std::string> cover, regular;
  for (const auto& e : roster) {
    if (e.kind != kind || !roster_active(e, t, zones)) continue;
    (e.cover ? cover : regular).push_back(e.user_id);
  }
  auto& v = cover.empty() ? regular : cover;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string check_roster_entry(const RosterEntry& e) {
  if (e.kind != "on_call" && e.kind != "supervisor") return "kind: must be on_call or supervisor";
  if (e.user_id.empty()) return "user_id: is required";
  const bool once = e.starts_at_ms.has_value() || e.ends_at_ms.has_value();
  if (once) {
    if (!e.starts_at_ms || !e.ends_at_ms) return "once: needs starts_at and ends_at";
    if (*e.ends_at_ms <= *e.starts_at_ms) return "once.ends_at: must be after starts_at";
    if (*e.ends_at_ms - *e.starts_at_ms > 31LL * 24 * 3600 * 1000) {
      return "once: a window is at most 31 days (use a weekly pattern)";
    }
    if (!e.days.empty()) return "weekly: give either weekly or once, not both";
    return {};
  }
  if (e.days.empty()) return "weekly.days: needs at least one day";
  for (int d : e.days) {
    if (d < 0 || d > 6) return "weekly.days: must be sun, mon … sat";
  }
  if (e.start_minute < 0 || e.start_minute >= 24 * 60) return "weekly.start: must be HH:MM";
  if (e.end_minute < 0 || e.end_minute >= 24 * 60) return "weekly.end: must be HH:MM";
  int y = 0, m = 0, d = 0;
  if (e.from_date && !parse_date(*e.from_date, y, m, d)) return "from_date: must be YYYY-MM-DD";
  if (e.until_date && !parse_date(*e.until_date, y, m, d)) return "until_date: must be YYYY-MM-DD";
  if (e.from_date && e.until_date && *e.until_date < *e.from_date) {
    return "until_date: must not be before from_date";
  }
  return {};
}

std::optional<int> day_number(std::string_view name) {
  return parse_day(name);
}
std::string_view day_name(int d) {
  return k_days[((d % 7) + 7) % 7];
}
std::optional<int> minutes_of(std::string_view hhmm) {
  return parse_hhmm(hhmm);
}

}  // namespace tend::crisis::rules
