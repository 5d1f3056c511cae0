#include "care/diagnosis_routes.h"

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::care {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {
std::string at(std::int64_t ms) {
  return format_rfc3339(from_unix_ms(ms));
}
bj::value text_or_null(const std::string& s) {
  return s.empty() ? bj::value(nullptr) : bj::value(s);
}
}  // namespace

bj::object to_json(const Code& c) {
  return {{"code", c.code}, {"billable", c.billable}, {"title", c.title}};
}

bj::object to_json(const Diagnosis& d) {
  bj::array history;
  for (const auto& h : d.history) {
    history.push_back(bj::object{{"from_status", text_or_null(h.from_status)},
                                 {"to_status", h.to_status},
                                 {"from_rank", text_or_null(h.from_rank)},
                                 {"to_rank", h.to_rank},
                                 {"note", h.note},
                                 {"by", h.by},
                                 {"at", at(h.at_ms)}});
  }
  bj::array next;
  for (const auto& s : rules::next_diagnosis_statuses(d.status)) next.emplace_back(s);
  return {{"id", d.id},
          {"client_id", d.client_id},
          {"code", d.code},
          {"title", d.title},
          {"rank", d.rank},
          {"status", d.status},
          {"current", rules::is_current_diagnosis(d.status)},
          {"diagnosed_on", d.diagnosed_on},
          {"diagnosed_by", bj::object{{"id", d.diagnosed_by}, {"name", d.diagnosed_by_name}}},
          {"note", d.note},
          {"history", std::move(history)},
          {"next", std::move(next)},
          {"updated_at", at(d.updated_at_ms)},
          {"version", d.version}};
}

bj::object to_json(const Medication& m) {
  bj::array changes;
  for (const auto& c : m.changes) {
    changes.push_back(bj::object{{"kind", c.kind},
                                 {"on", c.on},
                                 {"dose", c.dose},
                                 {"frequency", c.frequency},
                                 {"reason", c.reason},
                                 {"by", bj::object{{"id", c.by}, {"name", c.by_name}}},
                                 {"at", at(c.at_ms)}});
  }
  return {{"id", m.id},
          {"client_id", m.client_id},
          {"name", m.name},
          {"dose", m.dose},
          {"route", m.route},
          {"frequency", m.frequency},
          {"started_on", m.started_on},
          {"stopped_on", json::opt(m.stopped_on)},
          {"current", !m.stopped_on.has_value()},
          {"reason", m.reason},
          {"changes", std::move(changes)},
          {"updated_at", at(m.updated_at_ms)},
          {"version", m.version}};
}

void register_diagnosis_routes(http::Router& router, DiagnosisService& diagnoses,
                               MedicationService& medications, access::AccessService& access) {
  router
      .add(Method::Get, "/api/v1/codes",
           access.guard([&diagnoses](Request& req, const access::Principal& p) {
             auto r = diagnoses.search(p, req.query_param("q").value_or(""), 20);
             return http::items_or_problem(r, [&](const auto& c) { return to_json(c); });
           }))
      .summary(
          "Search the diagnosis code list by code (with or without the dot) or by words of the "
          "title; codes valid for coding first, at most 20",
          "care")
      .query("q")
      .returns(200, "Codes");

  const auto dx_list = [](const Result<std::vector<Diagnosis>>& r) {
    return http::items_or_problem(r, [&](const auto& d) { return to_json(d); });
  };
  router
      .add(Method::Post, "/api/v1/clients/{id}/diagnoses",
           access.guard([&diagnoses](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = diagnoses.diagnose(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r));
             resp.headers.set("Location", "/api/v1/diagnoses/" + r->id);
             return resp;
           }))
      .summary("A diagnosis (a new primary makes the current primary secondary)", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{
               {"code", {{"type", "string"}}},
               {"rank", {{"type", "string"}, {"enum", bj::array{"primary", "secondary"}}}},
               {"status", {{"type", "string"}, {"enum", bj::array{"provisional", "confirmed"}}}},
               {"diagnosed_on", {{"type", "string"}, {"format", "date"}}},
               {"note", {{"type", "string"}}}}},
          {"required", bj::array{"code"}}})
      .returns(201, "The diagnosis")
      .returns(403, "Not a clinician or prescriber")
      .returns(422, "A code not in the list or not valid for coding, or a date in the future");

  router
      .add(Method::Get, "/api/v1/clients/{id}/diagnoses",
           access.guard([&diagnoses, dx_list](Request& req, const access::Principal& p) {
             return dx_list(diagnoses.list(p, req.param("id")));
           }))
      .summary("A client's diagnoses with their history, current ones first", "care")
      .returns(200, "Diagnoses");

  router
      .add(Method::Post, "/api/v1/diagnoses/{id}",
           access.guard([&diagnoses](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = diagnoses.change(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r));
           }))
      .summary(
          "Change a diagnosis's status (confirmed, resolved, ruled_out, entered_in_error) "
          "or rank",
          "care")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{{"status",
                       {{"type", "string"},
                        {"enum", bj::array{"provisional", "confirmed", "resolved", "ruled_out",
                                           "entered_in_error"}}}},
                      {"rank", {{"type", "string"}, {"enum", bj::array{"primary", "secondary"}}}},
                      {"note", {{"type", "string"}}},
                      {"version", {{"type", "integer"}}}}},
          {"required", bj::array{"version"}}})
      .returns(200, "The diagnosis")
      .returns(409, "A status that cannot follow the current one, or a stale version");

  const auto med_list = [](const Result<std::vector<Medication>>& r) {
    return http::items_or_problem(r, [&](const auto& m) { return to_json(m); });
  };
  router
      .add(Method::Post, "/api/v1/clients/{id}/medications",
           access.guard([&medications](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = medications.start(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r));
             resp.headers.set("Location", "/api/v1/medications/" + r->id);
             return resp;
           }))
      .summary("A medication started (or a past one, with its stop date): prescribers only", "care")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"name", {{"type", "string"}}},
                                                 {"dose", {{"type", "string"}}},
                                                 {"route", {{"type", "string"}}},
                                                 {"frequency", {{"type", "string"}}},
                                                 {"started_on", {{"type", "string"}}},
                                                 {"reason", {{"type", "string"}}},
                                                 {"stopped_on", {{"type", "string"}}},
                                                 {"stop_reason", {{"type", "string"}}}}},
                       {"required", bj::array{"name", "dose", "route", "frequency"}}})
      .returns(201, "The medication")
      .returns(403, "Not a prescriber")
      .returns(422, "A missing field, a date in the future, or a stop before the start");

  router
      .add(Method::Get, "/api/v1/clients/{id}/medications",
           access.guard([&medications, med_list](Request& req, const access::Principal& p) {
             return med_list(medications.list(p, req.param("id")));
           }))
      .summary("A client's medications, current then past, each with its changes", "care")
      .returns(200, "Medications");

  router
      .add(Method::Post, "/api/v1/medications/{id}/changes",
           access.guard([&medications](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = medications.change(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r));
           }))
      .summary("A dose change or a stop: prescribers only", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{{"kind", {{"type", "string"}, {"enum", bj::array{"dose", "stop"}}}},
                      {"on", {{"type", "string"}, {"format", "date"}}},
                      {"dose", {{"type", "string"}}},
                      {"frequency", {{"type", "string"}}},
                      {"reason", {{"type", "string"}}},
                      {"version", {{"type", "integer"}}}}},
          {"required", bj::array{"kind", "version"}}})
      .returns(200, "The medication")
      .returns(409, "Already stopped, or a stale version")
      .returns(422, "A date before the start or in the future, or no dose for a dose change");
}

}  // namespace tend::care
