#include "assessment/library.h"

#include <algorithm>
#include <boost/json.hpp>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <set>
#include <sstream>

#include "assessment/questionnaire.h"
#include "platform/content.h"

namespace tend::assessment {

namespace bj = boost::json;

namespace {

//! Collects problems while reading the scoring block, each with its field path.
class Reader {
 public:
  std::vector<FieldError> errors;

  void error(const std::string& field, const std::string& message) {
    errors.push_back({field, message});
  }

  //! Reports keys of `o` not in `known`.
  void only(const bj::object& o, const std::string& path,
            std::initializer_list<const char*> known) {
    for (const auto& kv : o) {
      const std::string key(kv.key());
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return key == k; })) {
        error(path + "." + key, "is not a known field");
      }
    }
  }

  const bj::object* object(const bj::object& o, const char* key, const std::string& path,
                           bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(path + "." + key, "is required");
      return nullptr;
    }
    if (!v->is_object()) {
      error(path + "." + key, "must be an object");
      return nullptr;
    }
    return &v->as_object();
  }

  const bj::array* array(const bj::object& o, const char* key, const std::string& path,
                         bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(path + "." + key, "is required");
      return nullptr;
    }
    if (!v->is_array()) {
      error(path + "." + key, "must be a list");
      return nullptr;
    }
    return &v->as_array();
  }

  std::string string(const bj::object& o, const char* key, const std::string& path, bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(path + "." + key, "is required");
      return {};
    }
    if (!v->is_string() || (required && v->as_string().empty())) {
      error(path + "." + key, "must be a non-empty string");
      return {};
    }
    return std::string(v->as_string());
  }

  std::optional<double> number(const bj::object& o, const char* key, const std::string& path,
                               bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(path + "." + key, "is required");
      return std::nullopt;
    }
    if (v->is_int64()) return static_cast<double>(v->as_int64());
    if (v->is_uint64()) return static_cast<double>(v->as_uint64());
    if (v->is_double() && std::isfinite(v->as_double())) return v->as_double();
    error(path + "." + key, "must be a finite number");
    return std::nullopt;
  }

  std::optional<bool> boolean(const bj::object& o, const char* key, const std::string& path,
                              bool required) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) error(path + "." + key, "is required");
      return std::nullopt;
    }
    if (!v->is_bool()) {
      error(path + "." + key, "must be true or false");
      return std::nullopt;
    }
    return v->as_bool();
  }

  std::vector<std::string> strings(const bj::object& o, const char* key, const std::string& path,
                                   bool required) {
    std::vector<std::string> out;
    const auto* a = array(o, key, path, required);
    if (!a) return out;
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (!(*a)[i].is_string()) {
        error(path + "." + key + "[" + std::to_string(i) + "]", "must be a string");
        continue;
      }
      out.emplace_back((*a)[i].as_string());
    }
    return out;
  }

  void condition(const bj::value& v, const std::string& path, Condition& out) {
    auto r = parse_condition(v, path);
    if (!r) {
      for (auto& e : r.error().errors) errors.push_back(e);
      return;
    }
    out = std::move(*r);
  }

  std::optional<ScoreRule> score_rule(const bj::object& o, const std::string& path,
                                      const std::string& id) {
    only(o, path,
         {"id", "name", "label", "method", "items", "conditions", "min", "max", "multiplier",
          "loinc", "cutoff"});
    ScoreRule r;
    r.id = id.empty() ? string(o, "id", path, true) : id;
    r.name = string(o, id.empty() ? "name" : "label", path, id.empty());
    const std::string method = string(o, "method", path, true);
    if (method == "sum") {
      r.method = ScoreMethod::Sum;
      r.items = strings(o, "items", path, true);
      if (r.items.empty()) error(path + ".items", "must name at least one item");
    } else if (method == "count") {
      r.method = ScoreMethod::Count;
      const auto* cs = array(o, "conditions", path, true);
      if (cs) {
        for (std::size_t i = 0; i < cs->size(); ++i) {
          Condition c;
          condition((*cs)[i], path + ".conditions[" + std::to_string(i) + "]", c);
          r.conditions.push_back(std::move(c));
        }
      }
    } else if (!method.empty()) {
      error(path + ".method", "must be sum or count");
    }
    r.min = number(o, "min", path, true).value_or(0);
    r.max = number(o, "max", path, true).value_or(0);
    r.multiplier = number(o, "multiplier", path, false).value_or(1);
    r.loinc = string(o, "loinc", path, false);
    r.cutoff = number(o, "cutoff", path, false);
    if (r.max <= r.min) error(path + ".max", "must be greater than min");
    return r;
  }
};

bool snake_case(const std::string& s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void collect_refs(const Condition& c, std::vector<std::string>& items,
                  std::vector<std::string>& scores) {
  if (c.kind == Condition::Kind::Item || c.kind == Condition::Kind::Answered)
    items.push_back(c.ref);
  if (c.kind == Condition::Kind::Score) scores.push_back(c.ref);
  for (const auto& ch : c.children) collect_refs(ch, items, scores);
}

std::string file_stem(const std::string& source) {
  return std::filesystem::path(source).stem().string();
}

}  // namespace

Result<Condition> parse_condition(const bj::value& v, const std::string& path) {
  auto bad = [&](const std::string& field, const std::string& msg) -> Result<Condition> {
    return make_error(Errc::Validation, "invalid condition at " + field, {{field, msg}});
  };
  if (!v.is_object()) return bad(path, "must be an object");
  const auto& o = v.as_object();
  Condition c;
  auto op_value = [&](Condition& out) -> std::optional<Error> {
    const auto* op = o.if_contains("op");
    const auto* val = o.if_contains("value");
    static const std::set<std::string> ops{">=", ">", "<=", "<", "==", "!="};
    if (!op || !op->is_string() || !ops.count(std::string(op->as_string()))) {
      return bad(path + ".op", "must be one of >=, >, <=, <, ==, !=").error();
    }
    if (!val || !val->is_number() || !std::isfinite(val->to_number<double>())) {
      return bad(path + ".value", "must be a finite number").error();
    }
    out.op = std::string(op->as_string());
    out.value = val->to_number<double>();
    return std::nullopt;
  };
  auto children = [&](const bj::value& list, const std::string& p) -> std::optional<Error> {
    if (!list.is_array() || list.as_array().empty()) {
      return bad(p, "must be a non-empty list of conditions").error();
    }
    for (std::size_t i = 0; i < list.as_array().size(); ++i) {
      auto ch = parse_condition(list.as_array()[i], p + "[" + std::to_string(i) + "]");
      if (!ch) return ch.error();
      c.children.push_back(std::move(*ch));
    }
    return std::nullopt;
  };
  auto expect_keys = [&](std::initializer_list<const char*> keys) -> std::optional<Error> {
    for (const auto& kv : o) {
      const std::string key(kv.key());
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
        return bad(path + "." + key, "is not a field of this condition").error();
      }
    }
    return std::nullopt;
  };
  std::optional<Error> err;
  if (const auto* item = o.if_contains("item")) {
    c.kind = Condition::Kind::Item;
    if (!item->is_string()) return bad(path + ".item", "must be a linkId");
    c.ref = std::string(item->as_string());
    err = expect_keys({"item", "op", "value"});
    if (!err) err = op_value(c);
  } else if (const auto* sc = o.if_contains("score")) {
    c.kind = Condition::Kind::Score;
    if (!sc->is_string()) return bad(path + ".score", "must be total or a subscale id");
    c.ref = std::string(sc->as_string());
    err = expect_keys({"score", "op", "value"});
    if (!err) err = op_value(c);
  } else if (const auto* cnt = o.if_contains("count")) {
    c.kind = Condition::Kind::Count;
    err = expect_keys({"count", "op", "value"});
    if (!err) err = children(*cnt, path + ".count");
    if (!err) err = op_value(c);
  } else if (const auto* all = o.if_contains("all")) {
    c.kind = Condition::Kind::All;
    err = expect_keys({"all"});
    if (!err) err = children(*all, path + ".all");
  } else if (const auto* any = o.if_contains("any")) {
    c.kind = Condition::Kind::Any;
    err = expect_keys({"any"});
    if (!err) err = children(*any, path + ".any");
  } else if (const auto* n = o.if_contains("not")) {
    c.kind = Condition::Kind::Not;
    err = expect_keys({"not"});
    if (!err) {
      auto ch = parse_condition(*n, path + ".not");
      if (!ch) return ch.error();
      c.children.push_back(std::move(*ch));
    }
  } else if (const auto* a = o.if_contains("answered")) {
    c.kind = Condition::Kind::Answered;
    if (!a->is_string()) return bad(path + ".answered", "must be a linkId");
    c.ref = std::string(a->as_string());
    err = expect_keys({"answered"});
  } else if (const auto* ctx = o.if_contains("context")) {
    c.kind = Condition::Kind::Context;
    if (!ctx->is_string() || ctx->as_string() != "sex") {
      return bad(path + ".context", "must be \"sex\"");
    }
    c.ref = "sex";
    const auto* eq = o.if_contains("equals");
    if (!eq || !eq->is_string()) return bad(path + ".equals", "must be a string");
    c.equals = std::string(eq->as_string());
    err = expect_keys({"context", "equals"});
  } else {
    return bad(path, "must have one of item, score, count, all, any, not, answered, context");
  }
  if (err) return *err;
  return c;
}

Status validate_instrument(const Instrument& in) {
  std::vector<FieldError> errs;
  auto has_item = [&](const std::string& id) { return in.item(id) != nullptr; };
  std::set<std::string> score_ids;
  if (in.total) score_ids.insert("total");
  for (const auto& s : in.subscales) {
    if (!score_ids.insert(s.id).second)
      errs.push_back({"scoring.subscales", "duplicate id " + s.id});
  }
  auto check_cond = [&](const Condition& c, const std::string& path) {
    std::vector<std::string> items, scores;
    collect_refs(c, items, scores);
    for (const auto& i : items) {
      if (!has_item(i)) errs.push_back({path, "names unknown item " + i});
    }
    for (const auto& s : scores) {
      if (!score_ids.count(s)) errs.push_back({path, "names unknown score " + s});
    }
  };
  auto check_rule = [&](const ScoreRule& r, const std::string& path) {
    if (r.method == ScoreMethod::Sum) {
      double lo = 0, hi = 0;
      for (const auto& id : r.items) {
        const Item* it = in.item(id);
        if (!it) {
          errs.push_back({path + ".items", "names unknown item " + id});
          continue;
        }
        if (it->type == ItemType::Choice && !it->options.empty()) {
          double mn = it->options.front().value, mx = mn;
          for (const auto& o : it->options) {
            mn = std::min(mn, o.value);
            mx = std::max(mx, o.value);
          }
          lo += mn;
          hi += mx;
        } else if (it->type == ItemType::Integer) {
          lo += static_cast<double>(it->min_value);
          hi += static_cast<double>(it->max_value);
        } else {
          errs.push_back({path + ".items", "item " + id + " has no scored answer values"});
        }
      }
      if (std::fabs(lo * r.multiplier - r.min) > 1e-9 ||
          std::fabs(hi * r.multiplier - r.max) > 1e-9) {
        std::ostringstream m;
        m << "min/max must be " << lo * r.multiplier << "/" << hi * r.multiplier
          << " from the items' answer values";
        errs.push_back({path + ".min", m.str()});
      }
    } else {
      for (std::size_t i = 0; i < r.conditions.size(); ++i) {
        check_cond(r.conditions[i], path + ".conditions[" + std::to_string(i) + "]");
      }
      if (r.min != 0 || std::fabs(r.max - r.conditions.size() * r.multiplier) > 1e-9) {
        errs.push_back({path + ".max", "a count runs from 0 to the number of conditions"});
      }
    }
  };
  if (in.total) check_rule(*in.total, "scoring.total");
  for (std::size_t i = 0; i < in.subscales.size(); ++i) {
    check_rule(in.subscales[i], "scoring.subscales[" + std::to_string(i) + "]");
  }

  // Bands: all numeric (ascending from the total's min) or all conditions (default last).
  const bool numeric = !in.bands.empty() && in.bands.front().min.has_value();
  for (std::size_t i = 0; i < in.bands.size(); ++i) {
    const auto& b = in.bands[i];
    const std::string path = "scoring.bands[" + std::to_string(i) + "]";
    if (!snake_case(b.code)) errs.push_back({path + ".code", "must be snake_case"});
    if (numeric) {
      if (!b.min) {
        errs.push_back({path + ".min", "every band needs min when the first has one"});
        continue;
      }
      if (!in.total) errs.push_back({path + ".min", "numeric bands need a total"});
      if (i == 0 && in.total && *b.min != in.total->min) {
        errs.push_back({path + ".min", "the first band must start at the total's min"});
      }
      if (i > 0 && in.bands[i - 1].min && *b.min <= *in.bands[i - 1].min) {
        errs.push_back({path + ".min", "bands must ascend"});
      }
      if (b.max) {
        const bool last = i + 1 == in.bands.size();
        const bool fits = *b.max >= *b.min &&
                          (last ? !in.total || std::fabs(*b.max - in.total->max) < 1e-9
                                : !in.bands[i + 1].min || *b.max < *in.bands[i + 1].min - 1e-9);
        if (!fits) errs.push_back({path + ".max", "must lie between min and the next band's min"});
      }
    } else {
      if (b.min) errs.push_back({path + ".min", "do not mix numeric and condition bands"});
      if (!b.when && i + 1 != in.bands.size()) {
        errs.push_back({path + ".when", "only the last band may go without a condition"});
      }
      if (b.when) check_cond(*b.when, path + ".when");
    }
  }
  std::set<std::string> flag_codes;
  for (std::size_t i = 0; i < in.flags.size(); ++i) {
    const auto& f = in.flags[i];
    const std::string path = "scoring.flags[" + std::to_string(i) + "]";
    if (!snake_case(f.code)) errs.push_back({path + ".code", "must be snake_case"});
    if (!flag_codes.insert(f.code).second) errs.push_back({path + ".code", "is a duplicate"});
    for (const auto& id : f.items) {
      if (!has_item(id)) errs.push_back({path + ".items", "names unknown item " + id});
    }
    check_cond(f.when, path + ".when");
  }
  if (in.caseness) check_cond(*in.caseness, "scoring.caseness");
  for (const auto& id : in.reversed) {
    const Item* it = in.item(id);
    if (!it) {
      errs.push_back({"scoring.reversed", "names unknown item " + id});
      continue;
    }
    for (std::size_t k = 1; k < it->options.size(); ++k) {
      if (it->options[k].value >= it->options[k - 1].value) {
        errs.push_back({"scoring.reversed", "item " + id + " options must descend"});
        break;
      }
    }
  }
  for (const auto& it : in.items) {
    for (const auto& w : it.enable_when) {
      if (!has_item(w.question)) {
        errs.push_back(
            {"questionnaire.item", it.link_id + " is enabled by unknown item " + w.question});
      }
    }
  }
  const std::size_t scored_items =
      in.total && in.total->method == ScoreMethod::Sum ? in.total->items.size() : 0;
  if (in.missing.max_missing < 0 ||
      (in.missing.max_missing > 0 &&
       static_cast<std::size_t>(in.missing.max_missing) >= scored_items)) {
    errs.push_back(
        {"scoring.missing.max_missing", "must be at least 0 and fewer than the total's items"});
  }
  if (in.missing.method == MissingMethod::None && in.missing.max_missing != 0) {
    errs.push_back({"scoring.missing.method", "none allows no missing items"});
  }
  if (!in.total && in.bands.empty()) {
    errs.push_back({"scoring.bands", "an instrument without a total needs condition bands"});
  }
  if (errs.empty()) return ok_status();
  return make_error(Errc::Validation, "instrument " + in.id + " is not valid", std::move(errs));
}

Result<Instrument> parse_instrument(std::string_view text, const std::string& source) {
  auto fail = [&](std::vector<FieldError> errs) -> Result<Instrument> {
    std::string detail = source + ": ";
    for (std::size_t i = 0; i < errs.size() && i < 3; ++i) {
      detail += (i ? "; " : "") + errs[i].field + " " + errs[i].message;
    }
    return make_error(Errc::Validation, std::move(detail), std::move(errs));
  };
  boost::system::error_code ec;
  bj::value doc = bj::parse(text, ec);
  if (ec) return fail({{"(file)", "is not valid JSON: " + ec.message()}});
  if (!doc.is_object()) return fail({{"(file)", "must be a JSON object"}});
  const auto& root = doc.as_object();
  Reader r;
  r.only(root, "", {"id", "questionnaire", "scoring"});
  for (auto& e : r.errors) e.field.erase(0, 1);
  Instrument in;
  in.id = r.string(root, "id", "", true);
  if (!r.errors.empty()) {
    for (auto& e : r.errors) {
      if (!e.field.empty() && e.field[0] == '.') e.field.erase(0, 1);
    }
    return fail(r.errors);
  }
  if (!source.empty() && file_stem(source) != in.id && source.find('/') != std::string::npos) {
    return fail({{"id", "must equal the file name (" + file_stem(source) + ")"}});
  }
  const auto* q = root.if_contains("questionnaire");
  if (!q || !q->is_object()) return fail({{"questionnaire", "is required and must be an object"}});
  auto parsed = parse_questionnaire(q->as_object());
  if (!parsed) {
    auto errs = parsed.error().errors;
    for (auto& e : errs) e.field = "questionnaire." + e.field;
    if (errs.empty()) errs.push_back({"questionnaire", parsed.error().detail});
    return fail(errs);
  }
  if (parsed->id != in.id) return fail({{"questionnaire.id", "must equal id (" + in.id + ")"}});
  in.title = parsed->title;
  in.panel_loinc = parsed->panel_loinc;
  in.url = parsed->url;
  in.copyright = parsed->copyright;
  in.items = std::move(parsed->items);
  in.instructions = std::move(parsed->instructions);
  in.questionnaire_json = bj::serialize(*q);

  const auto* sp = root.if_contains("scoring");
  if (!sp || !sp->is_object()) return fail({{"scoring", "is required and must be an object"}});
  const auto& s = sp->as_object();
  const std::string P = "scoring";
  r.only(s, P,
         {"name", "respondents", "total", "subscales", "missing", "bands", "flags", "caseness",
          "change", "client_text", "item_text", "source", "licence", "reversed"});
  in.name = r.string(s, "name", P, true);
  in.client_text = r.string(s, "client_text", P, true);
  in.source = r.string(s, "source", P, true);
  in.licence = r.string(s, "licence", P, true);
  const std::string item_text = r.string(s, "item_text", P, true);
  if (!item_text.empty() && item_text != "shipped" && item_text != "service") {
    r.error(P + ".item_text", "must be shipped or service");
  }
  in.text_shipped = item_text != "service";
  in.respondents = r.strings(s, "respondents", P, true);
  if (in.respondents.empty()) r.error(P + ".respondents", "must name at least one respondent");
  for (const auto& who : in.respondents) {
    if (who != "self" && who != "clinician" && who != "parent" && who != "teacher") {
      r.error(P + ".respondents",
              "unknown respondent " + who + " (self, clinician, parent, teacher)");
    }
  }
  in.reversed = r.strings(s, "reversed", P, false);

  if (const auto* t = s.if_contains("total"); !t) {
    r.error(P + ".total", "is required (null for an instrument without a total)");
  } else if (t->is_object()) {
    in.total = r.score_rule(t->as_object(), P + ".total", "total");
    if (in.total && in.total->name.empty()) in.total->name = in.name + " total";
  } else if (!t->is_null()) {
    r.error(P + ".total", "must be an object or null");
  }
  if (const auto* subs = r.array(s, "subscales", P, false)) {
    for (std::size_t i = 0; i < subs->size(); ++i) {
      const std::string path = P + ".subscales[" + std::to_string(i) + "]";
      if (!(*subs)[i].is_object()) {
        r.error(path, "must be an object");
        continue;
      }
      if (auto sr = r.score_rule((*subs)[i].as_object(), path, "")) in.subscales.push_back(*sr);
    }
  }
  if (const auto* m = r.object(s, "missing", P, false)) {
    r.only(*m, P + ".missing", {"max_missing", "method"});
    // Clamped first: converting a double beyond int is undefined; out of range is refused below.
    in.missing.max_missing =
        static_cast<int>(std::clamp(r.number(*m, "max_missing", P + ".missing", true).value_or(0),
                                    static_cast<double>(INT_MIN), static_cast<double>(INT_MAX)));
    const std::string method = r.string(*m, "method", P + ".missing", true);
    if (method == "none")
      in.missing.method = MissingMethod::None;
    else if (method == "prorate")
      in.missing.method = MissingMethod::Prorate;
    else if (method == "zero")
      in.missing.method = MissingMethod::Zero;
    else if (!method.empty())
      r.error(P + ".missing.method", "must be none, prorate or zero");
  }
  if (const auto* bands = r.array(s, "bands", P, false)) {
    for (std::size_t i = 0; i < bands->size(); ++i) {
      const std::string path = P + ".bands[" + std::to_string(i) + "]";
      if (!(*bands)[i].is_object()) {
        r.error(path, "must be an object");
        continue;
      }
      const auto& bo = (*bands)[i].as_object();
      r.only(bo, path, {"code", "label", "client_text", "min", "max", "when"});
      Band b;
      b.code = r.string(bo, "code", path, true);
      b.label = r.string(bo, "label", path, true);
      b.client_text = r.string(bo, "client_text", path, true);
      b.min = r.number(bo, "min", path, false);
      b.max = r.number(bo, "max", path, false);
      if (const auto* w = bo.if_contains("when")) {
        Condition c;
        r.condition(*w, path + ".when", c);
        b.when = std::move(c);
      }
      in.bands.push_back(std::move(b));
    }
    // A numeric band runs up to the next band's min (or the total's max).
    for (std::size_t i = 0; i < in.bands.size(); ++i) {
      auto& b = in.bands[i];
      if (!b.min || b.max) continue;
      if (i + 1 < in.bands.size() && in.bands[i + 1].min) {
        b.max = *in.bands[i + 1].min - (in.total ? in.total->multiplier : 1);
      } else if (in.total) {
        b.max = in.total->max;
      }
    }
  }
  if (const auto* flags = r.array(s, "flags", P, false)) {
    for (std::size_t i = 0; i < flags->size(); ++i) {
      const std::string path = P + ".flags[" + std::to_string(i) + "]";
      if (!(*flags)[i].is_object()) {
        r.error(path, "must be an object");
        continue;
      }
      const auto& fo = (*flags)[i].as_object();
      r.only(fo, path, {"code", "label", "when", "severity", "items"});
      FlagRule f;
      f.code = r.string(fo, "code", path, true);
      f.label = r.string(fo, "label", path, true);
      const std::string sev = r.string(fo, "severity", path, true);
      if (sev == "critical")
        f.severity = Severity::Critical;
      else if (sev == "warning")
        f.severity = Severity::Warning;
      else if (sev == "info")
        f.severity = Severity::Info;
      else if (!sev.empty())
        r.error(path + ".severity", "must be critical, warning or info");
      f.items = r.strings(fo, "items", path, false);
      if (const auto* w = fo.if_contains("when")) {
        r.condition(*w, path + ".when", f.when);
      } else {
        r.error(path + ".when", "is required");
      }
      in.flags.push_back(std::move(f));
    }
  }
  if (const auto* c = s.if_contains("caseness"); c && !c->is_null()) {
    Condition cond;
    r.condition(*c, P + ".caseness", cond);
    in.caseness = std::move(cond);
  }
  if (const auto* ch = r.object(s, "change", P, true)) {
    const std::string path = P + ".change";
    r.only(*ch, path,
           {"higher_is_worse", "reliable_change", "sd", "reliability", "response_fraction",
            "remission_below", "minimal_important_difference", "source"});
    in.change.higher_is_worse = r.boolean(*ch, "higher_is_worse", path, true).value_or(true);
    in.change.reliable_change = r.number(*ch, "reliable_change", path, false);
    in.change.sd = r.number(*ch, "sd", path, false);
    in.change.reliability = r.number(*ch, "reliability", path, false);
    in.change.response_fraction = r.number(*ch, "response_fraction", path, false);
    in.change.remission_below = r.number(*ch, "remission_below", path, false);
    in.change.minimal_important_difference =
        r.number(*ch, "minimal_important_difference", path, false);
    in.change.source = r.string(*ch, "source", path, false);
    if (in.change.reliability && (*in.change.reliability <= 0 || *in.change.reliability >= 1)) {
      r.error(path + ".reliability", "must be between 0 and 1");
    }
    if (in.change.sd.has_value() != in.change.reliability.has_value()) {
      r.error(path + ".sd", "sd and reliability go together");
    }
  }
  if (!r.errors.empty()) return fail(r.errors);
  if (auto v = validate_instrument(in); !v) return fail(v.error().errors);
  return in;
}

void Library::load_text(std::string_view text, const std::string& source) {
  auto r = parse_instrument(text, source);
  if (!r) {
    std::unique_lock lock(mu_);
    problems_.push_back({source, r.error().detail});
    return;
  }
  add(std::make_shared<const Instrument>(std::move(*r)));
}

void Library::load_embedded() {
  for (const auto& f : content::embedded()) {
    const std::string path(f.path);
    if (path.rfind("instruments/", 0) == 0 && path.size() > 5 &&
        path.compare(path.size() - 5, 5, ".json") == 0) {
      load_text(f.text, path);
    }
  }
}

void Library::load_dir(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  if (ec) {
    std::unique_lock lock(mu_);
    problems_.push_back({dir, "cannot read the directory: " + ec.message()});
    return;
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    load_text(ss.str(), p.string());
  }
}

void Library::add(InstrumentPtr in) {
  std::unique_lock lock(mu_);
  by_id_[in->id] = std::move(in);
}

InstrumentPtr Library::find(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<InstrumentPtr> Library::all() const {
  std::shared_lock lock(mu_);
  std::vector<InstrumentPtr> out;
  for (const auto& [id, in] : by_id_) out.push_back(in);
  return out;
}

std::vector<LoadProblem> Library::problems() const {
  std::shared_lock lock(mu_);
  return problems_;
}

}  // namespace tend::assessment
