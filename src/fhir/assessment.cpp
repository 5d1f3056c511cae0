#include "fhir/assessment.h"

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <set>
#include <string_view>

#include "platform/clock.h"

namespace tend::fhir {

namespace bj = boost::json;
using assessment::Assessment;
using assessment::Instrument;
using assessment::Item;
using assessment::ItemType;

namespace {

constexpr std::string_view k_ordinal_value = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
constexpr std::string_view k_loinc = "http://loinc.org";
constexpr std::string_view k_ucum = "http://unitsofmeasure.org";
constexpr std::string_view k_observation_category =
    "http://terminology.hl7.org/CodeSystem/observation-category";
// LOINC answer codes of yes/no items (LL361-7), as Tend's instrument files use them.
constexpr std::string_view k_yes = "LA33-6";
constexpr std::string_view k_no = "LA32-8";
constexpr double k_eps = 1e-9;

Error refuse(std::string field, std::string message) {
  std::string detail = "QuestionnaireResponse not accepted: " + message;
  return make_error(Errc::Validation, std::move(detail), {{std::move(field), std::move(message)}});
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Whole numbers as JSON integers: Boost.JSON writes doubles in exponent form (2 → 2e0).
bj::value number(double v) {
  if (std::fabs(v - std::round(v)) < k_eps && std::fabs(v) < 9e15) {
    return static_cast<std::int64_t>(std::llround(v));
  }
  return v;
}

std::string number_text(double v) {
  return bj::serialize(number(v));
}

std::string rfc3339(std::int64_t ms) {
  return format_rfc3339(TimePoint(std::chrono::milliseconds(ms)));
}

std::string string_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool scored(const Item& it) {
  return it.type == ItemType::Integer || (it.type == ItemType::Choice && !it.options.empty());
}

// Every linkId of the instrument's Questionnaire, the items Tend does not score included.
void collect_link_ids(const bj::value& items, std::set<std::string>& out) {
  const bj::array* list = items.if_array();
  if (list == nullptr) return;
  for (const auto& v : *list) {
    const bj::object* o = v.if_object();
    if (o == nullptr) continue;
    out.insert(string_at(*o, "linkId"));
    if (const bj::value* children = o->if_contains("item")) collect_link_ids(*children, out);
  }
}

std::set<std::string> known_link_ids(const Instrument& in) {
  std::set<std::string> ids;
  for (const auto& it : in.items) ids.insert(it.link_id);
  boost::system::error_code ec;
  bj::value q = bj::parse(in.questionnaire_json, ec);
  if (!ec && q.is_object()) {
    if (const bj::value* items = q.as_object().if_contains("item")) collect_link_ids(*items, ids);
  }
  return ids;
}

bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

const assessment::AnswerOption* option_with_value(const Item& it, double v) {
  for (const auto& o : it.options) {
    if (std::fabs(o.value - v) < k_eps) return &o;
  }
  return nullptr;
}

class ResponseReader {
 public:
  explicit ResponseReader(const Instrument& in) : in_(in), known_(known_link_ids(in)) {}

  Status items(const bj::value& v, const std::string& path) {
    const bj::array* list = v.if_array();
    if (list == nullptr) return refuse(path, "item must be a list");
    for (std::size_t i = 0; i < list->size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      Status st = item((*list)[i], p);
      if (!st) return st;
    }
    return ok_status();
  }

  assessment::Answers answers;

 private:
  Status item(const bj::value& v, const std::string& path) {
    const bj::object* o = v.if_object();
    if (o == nullptr) return refuse(path, "an item must be an object");
    std::string link_id = string_at(*o, "linkId");
    if (link_id.empty()) return refuse(path + ".linkId", "the item has no linkId");
    const Item* it = in_.item(link_id);
    if (it == nullptr && known_.count(link_id) == 0) {
      return refuse(path + ".linkId", "linkId " + quoted(link_id) + " is not an item of " + in_.id);
    }
    const bj::array* list = nullptr;
    if (const bj::value* a = o->if_contains("answer")) {
      list = a->if_array();
      if (list == nullptr) return refuse(path + ".answer", "answer must be a list");
    }
    if (it != nullptr && scored(*it)) {
      if (answers.count(link_id) != 0) {
        return refuse(path + ".linkId", "item " + quoted(link_id) + " is answered more than once");
      }
      if (list != nullptr && list->size() > 1) {
        return refuse(path + ".answer[1]", "item " + quoted(link_id) + " has more than one answer");
      }
      if (list != nullptr && list->size() == 1) {
        auto value = answer((*list)[0], path + ".answer[0]", *it);
        if (!value) return value.error();
        answers[link_id] = *value;
      }
    }
    // Children sit under the item (groups) or under its answers (follow-up questions).
    if (const bj::value* children = o->if_contains("item")) {
      Status st = items(*children, path + ".item");
      if (!st) return st;
    }
    if (list != nullptr) {
      for (std::size_t k = 0; k < list->size(); ++k) {
        const bj::object* a = (*list)[k].if_object();
        if (a == nullptr) continue;
        if (const bj::value* children = a->if_contains("item")) {
          Status st = items(*children, path + ".answer[" + std::to_string(k) + "].item");
          if (!st) return st;
        }
      }
    }
    return ok_status();
  }

  Result<double> answer(const bj::value& v, const std::string& path, const Item& it) {
    const bj::object* a = v.if_object();
    if (a == nullptr) return refuse(path, "an answer must be an object");
    std::string key;
    const bj::value* value = nullptr;
    for (const auto& kv : *a) {
      if (std::string_view(kv.key().data(), kv.key().size()).starts_with("value")) {
        key = std::string(kv.key());
        value = &kv.value();
        break;
      }
    }
    if (value == nullptr) return refuse(path, "the answer has no value");
    std::string field = path + "." + key;
    std::string whose = " of item " + quoted(it.link_id);
    if (key == "valueInteger" || key == "valueDecimal") {
      if (!value->is_number()) return refuse(field, key + " must be a number");
      double n = value->to_number<double>();
      if (it.type == ItemType::Integer) return n;
      if (const auto* o = option_with_value(it, n)) return o->value;
      return refuse(field, number_text(n) + " is not the value of an option" + whose);
    }
    if (it.type == ItemType::Integer) {
      return refuse(field, "integer item " + quoted(it.link_id) + " needs valueInteger");
    }
    if (key == "valueCoding") {
      const bj::object* coding = value->if_object();
      if (coding == nullptr) return refuse(field, "valueCoding must be an object");
      std::string code = string_at(*coding, "code");
      std::string system = string_at(*coding, "system");
      if (code.empty()) return refuse(field, "the coding has no code");
      for (const auto& o : it.options) {
        if (o.code == code && (system.empty() || o.system.empty() || o.system == system)) {
          return o.value;
        }
      }
      return refuse(field, "code " + quoted(code) + " is not one of the options" + whose);
    }
    if (key == "valueBoolean") {
      if (!value->is_bool()) return refuse(field, "valueBoolean must be true or false");
      bool yes = value->get_bool();
      for (const auto& o : it.options) {
        if (o.code == (yes ? k_yes : k_no) || same_text(o.label, yes ? "Yes" : "No")) {
          return o.value;
        }
      }
      if (const auto* o = option_with_value(it, yes ? 1 : 0)) return o->value;
      return refuse(
          field, "item " + quoted(it.link_id) + " has no option for " + (yes ? "true" : "false"));
    }
    if (key == "valueString") {
      // open-choice and valueString options: the text is the option's code.
      if (value->is_string()) {
        for (const auto& o : it.options) {
          if (o.code == value->get_string()) return o.value;
        }
      }
      return refuse(field, "the text is not one of the options" + whose);
    }
    return refuse(field, "a " + key + " answer does not fit choice item " + quoted(it.link_id));
  }

  const Instrument& in_;
  std::set<std::string> known_;
};

bj::object reference(std::string_view type, const std::string& id) {
  return {{"reference", std::string(type) + "/" + id}};
}

bj::object observation(const Assessment& a, const std::string& score_id, const std::string& loinc,
                       const std::string& name, double value, const std::string& band) {
  bj::object code{
      {"coding", bj::array{bj::object{{"system", k_loinc}, {"code", loinc}, {"display", name}}}},
      {"text", name}};
  bj::object o{
      {"resourceType", "Observation"},
      {"id", a.id + "-" + score_id},
      {"status", "final"},
      {"category",
       bj::array{bj::object{{"coding", bj::array{bj::object{{"system", k_observation_category},
                                                            {"code", "survey"},
                                                            {"display", "Survey"}}}}}}},
      {"code", std::move(code)},
      {"subject", reference("Patient", a.client_id)},
      {"effectiveDateTime", rfc3339(a.completed_at_ms)},
      {"valueQuantity",
       {{"value", number(value)}, {"unit", "{score}"}, {"system", k_ucum}, {"code", "{score}"}}},
      {"derivedFrom", bj::array{reference("QuestionnaireResponse", a.id)}}};
  if (!band.empty()) o["interpretation"] = bj::array{bj::object{{"text", band}}};
  return o;
}

// OperationOutcome.issue.code (http://hl7.org/fhir/valueset-issue-type.html) for each Errc.
std::string_view issue_type(Errc code) {
  switch (code) {
    case Errc::BadRequest:
      return "structure";
    case Errc::Validation:
      return "invalid";
    case Errc::Unauthenticated:
      return "login";
    case Errc::Forbidden:
      return "forbidden";
    case Errc::NotFound:
      return "not-found";
    case Errc::MethodNotAllowed:
    case Errc::UnsupportedMedia:
      return "not-supported";
    case Errc::Conflict:
      return "conflict";
    case Errc::PayloadTooLarge:
      return "too-costly";
    case Errc::TooManyRequests:
      return "throttled";
    case Errc::Unavailable:
      return "transient";
    case Errc::Internal:
      return "exception";
  }
  return "exception";
}

}  // namespace

Result<ResponseIn> read_response(const bj::object& qr, const Instrument& in) {
  if (string_at(qr, "resourceType") != "QuestionnaireResponse") {
    return refuse("resourceType", "resourceType must be QuestionnaireResponse");
  }
  std::string status = string_at(qr, "status");
  if (status != "completed" && status != "amended") {
    return refuse("status", "status must be completed or amended, not " + quoted(status));
  }
  ResponseIn out;
  if (const bj::value* q = qr.if_contains("questionnaire")) {
    if (!q->is_string()) return refuse("questionnaire", "questionnaire must be a canonical url");
    out.questionnaire = std::string(q->get_string());
  }
  if (const bj::value* s = qr.if_contains("subject")) {
    const bj::object* subject = s->if_object();
    std::string ref = subject != nullptr ? string_at(*subject, "reference") : "";
    constexpr std::string_view prefix = "Patient/";
    if (!ref.starts_with(prefix) || ref.size() == prefix.size() ||
        ref.find('/', prefix.size()) != std::string::npos) {
      return refuse("subject.reference", "subject must be a reference Patient/{id}");
    }
    out.subject_id = ref.substr(prefix.size());
  }
  if (const bj::value* t = qr.if_contains("authored")) {
    TimePoint ignored;
    if (!t->is_string() ||
        !parse_rfc3339(std::string_view(t->get_string().data(), t->get_string().size()), ignored)) {
      return refuse("authored", "authored must be an RFC 3339 date and time with a time zone");
    }
    out.authored = std::string(t->get_string());
  }
  ResponseReader reader(in);
  if (const bj::value* items = qr.if_contains("item")) {
    Status st = reader.items(*items, "item");
    if (!st) return st.error();
  }
  out.answers = std::move(reader.answers);
  return out;
}

bj::object to_questionnaire_response(const Assessment& a, const Instrument& in,
                                     const std::string& questionnaire_url) {
  bj::array items;
  for (const auto& it : in.items) {
    auto found = a.answers.find(it.link_id);
    if (found == a.answers.end()) continue;
    double v = found->second;
    bj::object answer;
    const assessment::AnswerOption* o =
        it.type == ItemType::Choice ? option_with_value(it, v) : nullptr;
    if (o != nullptr) {
      bj::object coding;
      if (!o->system.empty()) coding["system"] = o->system;
      if (!o->code.empty()) coding["code"] = o->code;
      if (!o->label.empty()) coding["display"] = o->label;
      coding["extension"] =
          bj::array{bj::object{{"url", k_ordinal_value}, {"valueDecimal", number(o->value)}}};
      answer["valueCoding"] = std::move(coding);
    } else {
      bj::value n = number(v);
      answer[n.is_int64() ? "valueInteger" : "valueDecimal"] = n;
    }
    bj::object item{{"linkId", it.link_id}};
    if (!it.text.empty()) item["text"] = it.text;
    item["answer"] = bj::array{std::move(answer)};
    items.push_back(std::move(item));
  }
  return {{"resourceType", "QuestionnaireResponse"},
          {"id", a.id},
          {"status", "completed"},
          {"questionnaire",
           questionnaire_url.empty() ? "urn:tend:questionnaire:" + in.id : questionnaire_url},
          {"subject", reference("Patient", a.client_id)},
          {"authored", rfc3339(a.completed_at_ms)},
          {"item", std::move(items)}};
}

std::vector<bj::object> to_observations(const Assessment& a, const Instrument& in) {
  std::vector<bj::object> out;
  if (in.total && !in.total->loinc.empty() && a.score.total) {
    std::string band = a.score.band ? a.score.band->label : "";
    out.push_back(observation(a, in.total->id.empty() ? "total" : in.total->id, in.total->loinc,
                              in.total->name, *a.score.total, band));
  }
  for (const auto& rule : in.subscales) {
    if (rule.loinc.empty()) continue;
    for (const auto& result : a.score.subscales) {
      if (result.id == rule.id) {
        out.push_back(observation(a, rule.id, rule.loinc, rule.name, result.score, ""));
      }
    }
  }
  return out;
}

bj::object operation_outcome(const Error& e) {
  std::string_view code = issue_type(e.code);
  bj::array issues;
  for (const auto& f : e.errors) {
    bj::object issue{{"severity", "error"}, {"code", code}, {"diagnostics", f.message}};
    if (!f.field.empty()) issue["expression"] = bj::array{bj::value(f.field)};
    issues.push_back(std::move(issue));
  }
  if (issues.empty()) {
    issues.push_back(bj::object{{"severity", "error"}, {"code", code}, {"diagnostics", e.detail}});
  }
  return {{"resourceType", "OperationOutcome"}, {"issue", std::move(issues)}};
}

}  // namespace tend::fhir
