// JSON renderings of instruments and results for the API (declared in rules.h).
#include <boost/json.hpp>
#include <cmath>

#include "assessment/rules.h"
#include "platform/clock.h"

namespace tend::assessment::rules {

namespace bj = boost::json;

namespace {
std::string time_text(std::int64_t ms) {
  return format_rfc3339(TimePoint(std::chrono::milliseconds(ms)));
}

bj::value band_json(const std::optional<Band>& b) {
  if (!b) return nullptr;
  return bj::object{{"code", b->code}, {"label", b->label}, {"client_text", b->client_text}};
}

bj::array strings(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

const char* op_text(const std::string& op) {
  return op.c_str();
}
}  // namespace

bj::value number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) {
    return static_cast<std::int64_t>(std::llround(v));
  }
  return v;
}

bj::object to_json(const Change& c) {
  bj::object o{{"from_id", c.from_id},
               {"from_total", number(c.from_total)},
               {"delta", number(c.delta)},
               {"threshold",
                c.threshold > 0 ? number(std::round(c.threshold * 100) / 100) : bj::value(nullptr)},
               {"direction", c.direction},
               {"reliable", c.reliable},
               {"classification", c.classification}};
  if (c.recovered) o["recovered"] = *c.recovered;
  if (c.reliable_recovery) o["reliable_recovery"] = *c.reliable_recovery;
  if (c.response) o["response"] = *c.response;
  if (c.remission) o["remission"] = *c.remission;
  return o;
}

bj::object stored_result(const Score& s) {
  bj::array subs;
  for (const auto& r : s.subscales) {
    bj::object o{{"id", r.id}, {"name", r.name}, {"score", number(r.score)}};
    o["positive"] = r.positive ? bj::value(*r.positive) : bj::value(nullptr);
    subs.push_back(std::move(o));
  }
  bj::array flags;
  for (const auto& f : s.flags) {
    flags.push_back(bj::object{{"code", f.code},
                               {"label", f.label},
                               {"severity", to_string(f.severity)},
                               {"items", strings(f.items)}});
  }
  return {{"subscales", std::move(subs)},
          {"band", band_json(s.band)},
          {"flags", std::move(flags)},
          {"missing", strings(s.missing)}};
}

Score score_from_stored(const bj::object& r, std::optional<double> total, bool complete,
                        std::optional<bool> is_case) {
  Score s;
  s.total = total;
  s.complete = complete;
  s.is_case = is_case;
  if (const auto* subs = r.if_contains("subscales")) {
    for (const auto& v : subs->as_array()) {
      const auto& o = v.as_object();
      SubscaleResult sr;
      sr.id = std::string(o.at("id").as_string());
      sr.name = std::string(o.at("name").as_string());
      sr.score = o.at("score").to_number<double>();
      if (o.at("positive").is_bool()) sr.positive = o.at("positive").as_bool();
      s.subscales.push_back(std::move(sr));
    }
  }
  if (const auto* b = r.if_contains("band"); b && b->is_object()) {
    Band band;
    band.code = std::string(b->as_object().at("code").as_string());
    band.label = std::string(b->as_object().at("label").as_string());
    band.client_text = std::string(b->as_object().at("client_text").as_string());
    s.band = std::move(band);
  }
  if (const auto* fl = r.if_contains("flags")) {
    for (const auto& v : fl->as_array()) {
      const auto& o = v.as_object();
      FlagResult f;
      f.code = std::string(o.at("code").as_string());
      f.label = std::string(o.at("label").as_string());
      const std::string sev(o.at("severity").as_string());
      f.severity = sev == "critical" ? Severity::Critical
                   : sev == "info"   ? Severity::Info
                                     : Severity::Warning;
      for (const auto& i : o.at("items").as_array()) f.items.emplace_back(i.as_string());
      s.flags.push_back(std::move(f));
    }
  }
  if (const auto* m = r.if_contains("missing")) {
    for (const auto& i : m->as_array()) s.missing.emplace_back(i.as_string());
  }
  return s;
}

bj::object to_json(const Assessment& a, const Instrument* in) {
  bj::array answers;
  for (const auto& [id, v] : a.answers)
    answers.push_back(bj::object{{"linkId", id}, {"value", number(v)}});
  auto o = stored_result(a.score);
  o["id"] = a.id;
  o["client_id"] = a.client_id;
  o["instrument"] = a.instrument_id;
  o["instrument_name"] = in ? in->name : a.instrument_name;
  o["rater"] = to_string(a.rater);
  o["via"] = a.via;
  o["entered_by"] = a.entered_by.empty() ? bj::value(nullptr) : bj::value(a.entered_by);
  o["completed_at"] = time_text(a.completed_at_ms);
  o["recorded_at"] = time_text(a.recorded_at_ms);
  o["answers"] = std::move(answers);
  o["total"] = a.score.total ? number(*a.score.total) : bj::value(nullptr);
  o["total_max"] = in && in->total ? number(in->total->max) : bj::value(nullptr);
  o["complete"] = a.score.complete;
  o["case"] = a.score.is_case ? bj::value(*a.score.is_case) : bj::value(nullptr);
  o["change"] = bj::object{
      {"previous", a.since_previous ? bj::value(to_json(*a.since_previous)) : bj::value(nullptr)},
      {"first", a.since_first ? bj::value(to_json(*a.since_first)) : bj::value(nullptr)}};
  return o;
}

bj::object condition_json(const Condition& c) {
  using K = Condition::Kind;
  auto list = [&] {
    bj::array a;
    for (const auto& ch : c.children) a.push_back(condition_json(ch));
    return a;
  };
  switch (c.kind) {
    case K::Item:
      return {{"item", c.ref}, {"op", c.op}, {"value", number(c.value)}};
    case K::Score:
      return {{"score", c.ref}, {"op", c.op}, {"value", number(c.value)}};
    case K::Count:
      return {{"count", list()}, {"op", c.op}, {"value", number(c.value)}};
    case K::All:
      return {{"all", list()}};
    case K::Any:
      return {{"any", list()}};
    case K::Not:
      return {
          {"not", c.children.empty() ? bj::value(bj::object{}) : condition_json(c.children[0])}};
    case K::Answered:
      return {{"answered", c.ref}};
    case K::Context:
      return {{"context", c.ref}, {"equals", c.equals}};
    case K::True:
      break;
  }
  return {{"all", bj::array{}}};
}

bj::object summary_json(const Instrument& in) {
  bj::value total = nullptr;
  if (in.total) total = bj::object{{"min", number(in.total->min)}, {"max", number(in.total->max)}};
  int answerable = 0;
  for (const auto& it : in.items) answerable += it.type == ItemType::Display ? 0 : 1;
  return {{"id", in.id},
          {"name", in.name},
          {"title", in.title},
          {"item_count", answerable},
          {"respondents", strings(in.respondents)},
          {"total", total},
          {"item_text", in.text_shipped ? "shipped" : "service"},
          {"imported", in.imported},
          {"loinc", in.panel_loinc.empty() ? bj::value(nullptr) : bj::value(in.panel_loinc)}};
}

bj::object detail_json(const Instrument& in) {
  auto o = summary_json(in);
  o["client_text"] = in.client_text;
  o["instructions"] = strings(in.instructions);
  o["copyright"] = in.copyright;
  o["source"] = in.source;
  o["licence"] = in.licence;
  if (in.total) {
    o["total"] = bj::object{
        {"min", number(in.total->min)},
        {"max", number(in.total->max)},
        {"label", in.total->name},
        {"loinc", in.total->loinc.empty() ? bj::value(nullptr) : bj::value(in.total->loinc)}};
  }
  bj::array subs;
  for (const auto& s : in.subscales) {
    subs.push_back(bj::object{{"id", s.id},
                              {"name", s.name},
                              {"min", number(s.min)},
                              {"max", number(s.max)},
                              {"cutoff", s.cutoff ? number(*s.cutoff) : bj::value(nullptr)}});
  }
  o["subscales"] = std::move(subs);
  bj::array bands;
  for (const auto& b : in.bands) {
    bands.push_back(bj::object{{"code", b.code},
                               {"label", b.label},
                               {"client_text", b.client_text},
                               {"min", b.min ? number(*b.min) : bj::value(nullptr)},
                               {"max", b.max ? number(*b.max) : bj::value(nullptr)}});
  }
  o["bands"] = std::move(bands);
  // The flag rules, conditions included: the portal decides before a submission is sent
  // whether the next screen is the client's safety plan, so that it is even when offline.
  bj::array flags;
  for (const auto& f : in.flags) {
    flags.push_back(bj::object{{"code", f.code},
                               {"label", f.label},
                               {"severity", to_string(f.severity)},
                               {"items", strings(f.items)},
                               {"when", condition_json(f.when)}});
  }
  o["flags"] = std::move(flags);
  o["higher_is_worse"] = in.change.higher_is_worse;
  const auto rc = reliable_change_threshold(in.change);
  o["reliable_change"] = rc ? number(std::round(*rc * 100) / 100) : bj::value(nullptr);
  bj::array items;
  for (const auto& it : in.items) {
    if (it.type == ItemType::Display) continue;
    bj::array options;
    for (const auto& op : it.options) {
      options.push_back(bj::object{{"value", number(op.value)}, {"label", op.label}});
    }
    bj::array when;
    for (const auto& w : it.enable_when) {
      when.push_back(bj::object{
          {"question", w.question}, {"operator", op_text(w.op)}, {"value", number(w.value)}});
    }
    bj::object item{{"linkId", it.link_id},
                    {"prefix", it.prefix},
                    {"text", it.text},
                    {"group", it.group.empty() ? bj::value(nullptr) : bj::value(it.group)},
                    {"type", it.type == ItemType::Integer ? "integer" : "choice"},
                    {"required", it.required},
                    {"options", std::move(options)},
                    {"enable_when", std::move(when)},
                    {"enable_behavior", it.enable_any ? "any" : "all"}};
    if (it.type == ItemType::Integer) {
      item["min"] = it.min_value;
      item["max"] = it.max_value;
    } else {
      item["min"] = nullptr;
      item["max"] = nullptr;
    }
    items.push_back(std::move(item));
  }
  o["items"] = std::move(items);
  return o;
}

}  // namespace tend::assessment::rules
