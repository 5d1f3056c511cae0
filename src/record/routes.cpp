#include "record/routes.h"

#include <boost/json.hpp>

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "record/rules.h"

namespace tend::record {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

bj::object line_json(const AccessLine& l) {
  return {{"text", l.text},
          {"who", l.who},
          {"did", l.did},
          {"what", l.what},
          {"day", l.day},
          {"first_at", format_rfc3339(from_unix_ms(l.first_at_ms))},
          {"last_at", format_rfc3339(from_unix_ms(l.last_at_ms))},
          {"times", l.times},
          {"emergency", l.emergency},
          {"automatic", l.automatic},
          {"refused", l.refused}};
}

bj::object amendment_json(const Amendment& a, bool staff) {
  bj::object o{{"id", a.id},
               {"client_id", a.client_id},
               {"what", a.what},
               {"ref_kind", a.ref_kind.empty() ? bj::value(nullptr) : bj::value(a.ref_kind)},
               {"ref_id", a.ref_id.empty() ? bj::value(nullptr) : bj::value(a.ref_id)},
               {"change", a.change},
               {"status", a.status},
               {"created_at", format_rfc3339(from_unix_ms(a.created_at_ms))},
               {"decided_at", json::opt_time(a.decided_at_ms)},
               {"decided_by",
                a.decided_by.empty()
                    ? bj::value(nullptr)
                    : bj::value(bj::object{{"id", a.decided_by}, {"name", a.decided_by_name}})},
               {"reason", a.reason.empty() ? bj::value(nullptr) : bj::value(a.reason)}};
  if (staff) o["client_name"] = a.client_name;
  return o;
}

}  // namespace

void register_routes(http::Router& router, RecordService& record, access::AccessService& access) {
  router
      .add(Method::Get, "/api/v1/me/access-log",
           access.guard([&record](Request& req, const access::Principal& p) {
             auto limit = http::int_query(req, "limit", 200, 1, 1000);
             if (!limit) return Response::problem(limit.error());
             auto before = http::int_query(req, "before", 0, 0, INT32_MAX);
             if (!before) return Response::problem(before.error());
             auto page = record.access_log(p, *before, *limit);
             if (!page) return Response::problem(page.error());
             bj::array items;
             for (const auto& l : page->lines) items.push_back(line_json(l));
             return Response::json(200,
                                   bj::object{{"items", std::move(items)},
                                              {"next_cursor", page->next_cursor.empty()
                                                                  ? bj::value(nullptr)
                                                                  : bj::value(page->next_cursor)}});
           }))
      .summary(
          "Who has seen the calling client's record, in plain words: one line per person, day, "
          "kind of record and action, newest first; the client's own views left out",
          "record")
      .query("limit")
      .query("before")
      .returns(200, "Lines, and next_cursor (an access-log position) while there are more")
      .returns(403, "Not a client");

  router
      .add(Method::Get, "/api/v1/me/record",
           access.guard([&record](Request&, const access::Principal& p) {
             auto r = record.contents(p);
             if (!r) return Response::problem(r.error());
             auto res = Response::text(200, bj::serialize(rules::to_bundle(*r, new_id("rec"))),
                                       "application/fhir+json; charset=utf-8");
             res.headers.set("Content-Disposition", "attachment; filename=\"my-record.json\"");
             res.headers.set("Cache-Control", "no-store");
             return res;
           }))
      .summary(
          "Download the calling client's record as a FHIR R4 document Bundle (psychotherapy "
          "notes are never part of it)",
          "record")
      .returns(200, "application/fhir+json, as an attachment my-record.json")
      .returns(403, "Not a client");

  router
      .add(Method::Get, "/api/v1/me/record.html",
           access.guard([&record](Request&, const access::Principal& p) {
             auto r = record.contents(p);
             if (!r) return Response::problem(r.error());
             auto res =
                 Response::text(200, rules::to_html(*r, record.zone()), "text/html; charset=utf-8");
             res.headers.set("Content-Disposition", "attachment; filename=\"my-record.html\"");
             res.headers.set("Cache-Control", "no-store");
             return res;
           }))
      .summary("The same record as one readable, printable HTML page", "record")
      .returns(200, "text/html, as an attachment my-record.html")
      .returns(403, "Not a client");

  router
      .add(Method::Post, "/api/v1/me/amendments",
           access.guard([&record](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(record.request(p, *body), 201,
                                  [](const Amendment& a) { return amendment_json(a, false); });
           }))
      .summary("Ask for a correction to the record; the care team accepts or refuses it", "record")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"what", {{"type", "string"}, {"maxLength", 300}}},
                                    {"change", {{"type", "string"}, {"maxLength", 5000}}},
                                    {"ref_kind", {{"type", "string"}}},
                                    {"ref_id", {{"type", "string"}}}}},
          {"required", bj::array{"what", "change"}}})
      .returns(201, "The request, open")
      .returns(403, "Not a client")
      .returns(422, "what or change missing or empty, an unknown ref_kind");

  router
      .add(Method::Get, "/api/v1/me/amendments",
           access.guard([&record](Request&, const access::Principal& p) {
             return http::items_or_problem(
                 record.mine(p), [](const Amendment& a) { return amendment_json(a, false); });
           }))
      .summary("The calling client's correction requests with their answers, newest first",
               "record")
      .returns(200, "Requests")
      .returns(403, "Not a client");

  router
      .add(Method::Get, "/api/v1/clients/{id}/amendments",
           access.guard([&record](Request& req, const access::Principal& p) {
             return http::items_or_problem(
                 record.for_client(p, req.param("id")),
                 [](const Amendment& a) { return amendment_json(a, true); });
           }))
      .summary("A client's correction requests and their answers, newest first", "record")
      .returns(200, "Requests");

  router
      .add(Method::Get, "/api/v1/amendments",
           access.guard([&record](Request& req, const access::Principal& p) {
             return http::items_or_problem(
                 record.for_staff(p, req.query_param("status").value_or("")),
                 [](const Amendment& a) { return amendment_json(a, true); });
           }))
      .summary("Correction requests about the caller's clients, oldest first", "record")
      .query("status")
      .returns(200, "Requests")
      .returns(400, "An unknown status")
      .returns(403, "Not on a care team");

  for (const auto& [path, accept] : {std::pair{"/api/v1/amendments/{id}/accept", true},
                                     std::pair{"/api/v1/amendments/{id}/refuse", false}}) {
    const bool yes = accept;
    router
        .add(Method::Post, path,
             access.guard([&record, yes](Request& req, const access::Principal& p) {
               auto body = http::json_body(req);
               if (!body) return Response::problem(body.error());
               return http::respond(record.decide(p, req.param("id"), yes, *body), 200,
                                    [](const Amendment& a) { return amendment_json(a, true); });
             }))
        .summary(yes ? "Accept a correction request, with an optional note"
                     : "Refuse a correction request, saying why (the client reads it)",
                 "record")
        .body(yes ? bj::object{{"type", "object"},
                               {"properties", bj::object{{"note", {{"type", "string"}}}}}}
                  : bj::object{{"type", "object"},
                               {"properties",
                                bj::object{{"reason", {{"type", "string"}, {"minLength", 10}}}}},
                               {"required", bj::array{"reason"}}})
        .returns(200, "The request, decided")
        .returns(404, "No such request, or not one of the caller's clients")
        .returns(409, "Already decided")
        .returns(422, yes ? "A note too long" : "No reason, or one under 10 characters");
  }
}

}  // namespace tend::record
