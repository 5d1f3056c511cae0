#include "fhir/routes.h"

#include <boost/json.hpp>

#include "assessment/rules.h"
#include "fhir/assessment.h"
#include "platform/clock.h"
#include "platform/errors.h"
#include "platform/http/json_body.h"

namespace tend::fhir {

namespace bj = boost::json;
using assessment::AssessmentService;
using assessment::InstrumentPtr;
using http::Method;
using http::Request;
using http::Response;

namespace {

constexpr const char* k_fhir_json = "application/fhir+json; charset=utf-8";

Response resource(int status, const bj::object& body) {
  auto r = Response::json(status, body);
  r.headers.set("Content-Type", k_fhir_json);
  return r;
}

//! Errors as an OperationOutcome with the status of the error table.
Response outcome(const Error& e) {
  return resource(error_info(e.code).http_status, operation_outcome(e));
}

std::string base_url(const Request& req) {
  const auto host = req.headers.get("Host");
  return std::string(req.secure ? "https://" : "http://") +
         (host ? std::string(*host) : std::string("localhost")) + "/fhir/";
}

bj::object bundle(const Request& req, const std::string& type,
                  const std::vector<bj::object>& resources) {
  bj::array entries;
  for (const auto& r : resources) {
    entries.push_back(
        bj::object{{"fullUrl", base_url(req) + std::string(r.at("resourceType").as_string()) + "/" +
                                   std::string(r.at("id").as_string())},
                   {"resource", r},
                   {"search", bj::object{{"mode", "match"}}}});
  }
  return {{"resourceType", "Bundle"},
          {"type", type},
          {"total", resources.size()},
          {"entry", std::move(entries)}};
}

//! The canonical url of an instrument's Questionnaire as written in it.
std::string questionnaire_url(const assessment::Instrument& in) {
  return in.url.empty() ? "urn:tend:questionnaire:" + in.id : in.url;
}

bj::object questionnaire_resource(const assessment::Instrument& in) {
  boost::system::error_code ec;
  auto q = bj::parse(in.questionnaire_json, ec);
  bj::object out = !ec && q.is_object() ? q.as_object() : bj::object{};
  out["resourceType"] = "Questionnaire";
  out["id"] = in.id;
  return out;
}

//! The instrument a QuestionnaireResponse answers: "urn:tend:questionnaire:<id>",
//! "[…/]Questionnaire/<id>", or the canonical url of an imported questionnaire.
Result<InstrumentPtr> resolve(AssessmentService& svc, const std::string& ref) {
  const std::string urn = "urn:tend:questionnaire:";
  std::string id;
  if (ref.rfind(urn, 0) == 0) {
    id = ref.substr(urn.size());
  } else if (auto pos = ref.rfind("Questionnaire/"); pos != std::string::npos) {
    id = ref.substr(pos + 14);
    if (auto bar = id.find('|'); bar != std::string::npos) id.resize(bar);
  }
  if (!id.empty()) {
    if (auto in = svc.instrument(id)) return *in;
  }
  std::string canonical = ref.substr(0, ref.find('|'));
  for (const auto& in : svc.instruments()) {
    if (questionnaire_url(*in) == canonical) {
      return in;
    }
  }
  return make_error(
      Errc::Validation, "questionnaire " + ref + " is not known to this server",
      {{"questionnaire", "is not a known Questionnaire (see GET /fhir/Questionnaire)"}});
}

//! "Patient/{id}" → id, from a `subject` search parameter.
Result<std::string> subject_param(const Request& req) {
  auto s = req.query_param("subject");
  if (!s) s = req.query_param("patient");
  if (!s || s->empty()) {
    return make_error(Errc::BadRequest, "the subject parameter is required (subject=Patient/{id})",
                      {{"subject", "is required"}});
  }
  std::string v = *s;
  if (v.rfind("Patient/", 0) == 0) v = v.substr(8);
  if (v.empty() || v.find('/') != std::string::npos) {
    return make_error(Errc::BadRequest, "subject must be Patient/{id}",
                      {{"subject", "must be Patient/{id}"}});
  }
  return v;
}

}  // namespace

void register_routes(http::Router& router, AssessmentService& svc, access::AccessService& access) {
  router
      .add(Method::Get, "/fhir/metadata",
           [](Request&) {
             bj::array resources;
             for (const auto& [type, interactions, params] : std::vector<
                      std::tuple<const char*, std::vector<const char*>, std::vector<const char*>>>{
                      {"Questionnaire", {"read", "search-type"}, {}},
                      {"QuestionnaireResponse",
                       {"read", "create", "search-type"},
                       {"subject", "questionnaire"}},
                      {"Observation", {"read", "search-type"}, {"subject", "code"}}}) {
               bj::array inter;
               for (const auto* i : interactions) inter.push_back(bj::object{{"code", i}});
               bj::array search;
               for (const auto* s : params)
                 search.push_back(bj::object{{"name", s}, {"type", "reference"}});
               resources.push_back(bj::object{{"type", type},
                                              {"interaction", std::move(inter)},
                                              {"searchParam", std::move(search)}});
             }
             return resource(
                 200,
                 bj::object{{"resourceType", "CapabilityStatement"},
                            {"status", "active"},
                            {"kind", "instance"},
                            {"fhirVersion", "4.0.1"},
                            {"format", bj::array{"application/fhir+json"}},
                            {"rest", bj::array{bj::object{{"mode", "server"},
                                                          {"resource", std::move(resources)}}}}});
           })
      .summary("FHIR CapabilityStatement", "fhir")
      .returns(200, "What this FHIR endpoint supports")
      .open();

  router
      .add(Method::Get, "/fhir/Questionnaire",
           access.guard([&](Request& req, const access::Principal&) {
             std::vector<bj::object> out;
             for (const auto& in : svc.instruments()) out.push_back(questionnaire_resource(*in));
             return resource(200, bundle(req, "searchset", out));
           }))
      .summary("The instrument library as FHIR Questionnaires", "fhir")
      .returns(200, "Bundle of Questionnaires");

  router
      .add(Method::Get, "/fhir/Questionnaire/{id}",
           access.guard([&](Request& req, const access::Principal&) {
             auto in = svc.instrument(req.param("id"));
             if (!in) return outcome(in.error());
             return resource(200, questionnaire_resource(**in));
           }))
      .summary("One instrument as a FHIR Questionnaire", "fhir")
      .returns(200, "Questionnaire");

  router
      .add(Method::Post, "/fhir/QuestionnaireResponse",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return outcome(body.error());
             const auto* q = body->if_contains("questionnaire");
             if (!q || !q->is_string()) {
               return outcome(make_error(Errc::Validation, "questionnaire is required",
                                         {{"questionnaire", "is required (a canonical url)"}}));
             }
             auto in = resolve(svc, std::string(q->as_string()));
             if (!in) return outcome(in.error());
             auto read = read_response(*body, **in);
             if (!read) return outcome(read.error());
             if (read->subject_id.empty()) {
               return outcome(make_error(Errc::Validation, "subject is required",
                                         {{"subject", "must reference Patient/{id}"}}));
             }
             assessment::Submission s;
             s.instrument = (*in)->id;
             s.answers = read->answers;
             s.via = "fhir";
             if (read->authored) {
               TimePoint t;
               if (parse_rfc3339(*read->authored, t)) {
                 s.completed_at_ms =
                     std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch())
                         .count();
               }
             }
             if (auto k = req.headers.get("Idempotency-Key")) s.idempotency_key = std::string(*k);
             auto stored = svc.submit(p, read->subject_id, s);
             if (!stored) return outcome(stored.error());
             auto r = resource(
                 stored->replayed ? 200 : 201,
                 to_questionnaire_response(stored->assessment, **in, questionnaire_url(**in)));
             r.headers.set("Location", "/fhir/QuestionnaireResponse/" + stored->assessment.id);
             return r;
           }))
      .summary("Score and store a QuestionnaireResponse to a known Questionnaire", "fhir")
      .returns(201, "The stored QuestionnaireResponse")
      .returns(422, "OperationOutcome naming what does not fit");

  router
      .add(Method::Get, "/fhir/QuestionnaireResponse/{id}",
           access.guard([&](Request& req, const access::Principal& p) {
             auto a = svc.get(p, req.param("id"));
             if (!a) return outcome(a.error());
             auto in = svc.instrument(a->instrument_id);
             if (!in) return outcome(in.error());
             return resource(200, to_questionnaire_response(*a, **in, questionnaire_url(**in)));
           }))
      .summary("One stored result as a QuestionnaireResponse", "fhir")
      .returns(200, "QuestionnaireResponse");

  router
      .add(Method::Get, "/fhir/QuestionnaireResponse",
           access.guard([&](Request& req, const access::Principal& p) {
             auto subject = subject_param(req);
             if (!subject) return outcome(subject.error());
             std::optional<std::string> instrument;
             if (auto q = req.query_param("questionnaire")) {
               auto in = resolve(svc, *q);
               if (!in) return outcome(in.error());
               instrument = (*in)->id;
             }
             auto h = svc.history(p, *subject, instrument, 1000);
             if (!h) return outcome(h.error());
             std::vector<bj::object> out;
             for (auto it = h->rbegin(); it != h->rend(); ++it) {
               auto in = svc.instrument(it->instrument_id);
               if (in) out.push_back(to_questionnaire_response(*it, **in, questionnaire_url(**in)));
             }
             return resource(200, bundle(req, "searchset", out));
           }))
      .summary("A patient's QuestionnaireResponses, oldest first", "fhir")
      .query("subject")
      .query("questionnaire")
      .returns(200, "Bundle");

  router
      .add(
          Method::Get, "/fhir/Observation",
          access.guard([&](Request& req, const access::Principal& p) {
            auto subject = subject_param(req);
            if (!subject) return outcome(subject.error());
            std::string code = req.query_param("code").value_or("");
            if (auto bar = code.find('|'); bar != std::string::npos) {
              if (code.substr(0, bar) != "http://loinc.org") {
                return outcome(make_error(Errc::BadRequest, "only LOINC codes are searchable",
                                          {{"code", "must be a LOINC code (http://loinc.org|…)"}}));
              }
              code = code.substr(bar + 1);
            }
            auto h = svc.history(p, *subject, std::nullopt, 1000);
            if (!h) return outcome(h.error());
            std::vector<bj::object> out;
            for (auto it = h->rbegin(); it != h->rend(); ++it) {
              auto in = svc.instrument(it->instrument_id);
              if (!in) continue;
              for (auto& o : to_observations(*it, **in)) {
                const auto& coding = o.at("code").at("coding").as_array();
                if (code.empty() || (!coding.empty() && coding[0].at("code").as_string() == code)) {
                  out.push_back(std::move(o));
                }
              }
            }
            return resource(200, bundle(req, "searchset", out));
          }))
      .summary("Scores as Observations (LOINC coded), oldest first", "fhir")
      .query("subject")
      .query("code")
      .returns(200, "Bundle");

  router
      .add(Method::Get, "/fhir/Observation/{id}",
           access.guard([&](Request& req, const access::Principal& p) {
             const std::string id = req.param("id");
             const auto dash = id.rfind('-');
             if (dash == std::string::npos) return outcome(not_found("Observation " + id));
             auto a = svc.get(p, id.substr(0, dash));
             if (!a) return outcome(not_found("Observation " + id));
             auto in = svc.instrument(a->instrument_id);
             if (!in) return outcome(in.error());
             for (auto& o : to_observations(*a, **in)) {
               if (o.at("id").as_string() == id) return resource(200, o);
             }
             return outcome(not_found("Observation " + id));
           }))
      .summary("One score as an Observation", "fhir")
      .returns(200, "Observation");
}

}  // namespace tend::fhir
