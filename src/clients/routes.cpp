#include "clients/routes.h"

#include <map>

#include "clients/rules.h"
#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::clients {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {
bj::object client_schema() {
  bj::object str{{"type", "string"}};
  bj::object props;
  for (const char* k : {"mrn", "given_name", "family_name", "preferred_name", "pronouns",
                        "date_of_birth", "gender_identity", "sex", "language", "email", "phone",
                        "race", "ethnicity", "funding_note"}) {
    props[k] = str;
  }
  props["interpreter_needed"] = {{"type", "boolean"}};
  props["contact_consent"] = {{"type", "object"}};
  props["emergency_contact"] = {{"type", "object"}};
  props["address"] = {{"type", "object"}};
  return {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
}

bj::object entry_json(const audit::Entry& e, const std::map<std::string, std::string>& names) {
  const auto name = names.find(e.actor_id);
  return {{"seq", e.seq},
          {"at", format_rfc3339(TimePoint(std::chrono::milliseconds(e.at_ms)))},
          {"actor_id", e.actor_id},
          {"actor_name", name == names.end() ? bj::value(nullptr) : bj::value(name->second)},
          {"actor_role", e.actor_role},
          {"action", e.action},
          {"resource_kind", e.resource_kind},
          {"resource_id", e.resource_id},
          {"reason", e.reason},
          {"outcome", e.outcome},
          {"remote_addr", e.remote_addr}};
}
}  // namespace

void register_routes(http::Router& router, ClientService& clients, access::AccessService& access) {
  router
      .add(Method::Post, "/api/v1/clients",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = clients.create(p, *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, rules::to_json(*r));
             resp.headers.set("Location", "/api/v1/clients/" + r->id);
             return resp;
           }))
      .summary("Register a client", "clients")
      .body(client_schema())
      .returns(201, "The new client record");

  router
      .add(Method::Get, "/api/v1/clients",
           access.guard([&](Request& req, const access::Principal& p) {
             SearchQuery q;
             q.q = req.query_param("q");
             q.date_of_birth = req.query_param("date_of_birth");
             q.identifier = req.query_param("identifier");
             q.cursor = req.query_param("cursor");
             q.include_archived = req.query_param("include_archived").value_or("") == "true";
             q.mine = req.query_param("mine").value_or("") == "true";
             auto limit = http::int_query(req, "limit", 25, 1, 100);
             if (!limit) return Response::problem(limit.error());
             q.limit = *limit;
             if (q.q && q.q->size() > 100) {
               return Response::problem(make_error(Errc::BadRequest, "q is too long",
                                                   {{"q", "must be at most 100 characters"}}));
             }
             if (q.date_of_birth) {
               int y, m, d;
               if (!parse_date(*q.date_of_birth, y, m, d)) {
                 return Response::problem(
                     make_error(Errc::BadRequest, "date_of_birth must be YYYY-MM-DD",
                                {{"date_of_birth", "must be a date as YYYY-MM-DD"}}));
               }
             }
             auto r = clients.search(p, q);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : r->items) items.push_back(rules::to_json(s));
             return Response::json(200, bj::object{{"items", std::move(items)},
                                                   {"next_cursor", json::opt(r->next_cursor)}});
           }))
      .summary("Search clients by name prefix, date of birth or identifier", "clients")
      .query("q")
      .query("date_of_birth")
      .query("identifier")
      .query("mine")
      .query("include_archived")
      .query("limit")
      .query("cursor")
      .returns(200, "A page of matching clients");

  router
      .add(Method::Get, "/api/v1/clients/{id}",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = clients.get(p, req.param("id"));
             return http::respond(r, 200, [](const Client& c) { return rules::to_json(c); });
           }))
      .summary("Read a client record", "clients")
      .returns(200, "The client record");

  router
      .add(Method::Patch, "/api/v1/clients/{id}",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = clients.update(p, req.param("id"), *body);
             return http::respond(r, 200, [](const Client& c) { return rules::to_json(c); });
           }))
      .summary("Change a client record (merge patch; null clears an optional field)", "clients")
      .body(client_schema())
      .returns(200, "The changed record");

  for (const auto& [path, archived] :
       {std::pair{"/api/v1/clients/{id}/archive", true}, {"/api/v1/clients/{id}/restore", false}}) {
    const bool a = archived;
    router
        .add(Method::Post, path,
             access.guard([&clients, a](Request& req, const access::Principal& p) {
               auto r = clients.set_archived(p, req.param("id"), a);
               return http::respond(r, 200, [](const Client& c) { return rules::to_json(c); });
             }))
        .summary(a ? "Archive a client record (records are never deleted)"
                   : "Restore an archived client record",
                 "clients")
        .returns(200, "The record");
  }

  router
      .add(Method::Get, "/api/v1/clients/{id}/access-log",
           access.guard([&](Request& req, const access::Principal& p) {
             auto limit = http::int_query(req, "limit", 50, 1, 500);
             if (!limit) return Response::problem(limit.error());
             auto before = http::int_query(req, "before", 0, 0, INT32_MAX);
             if (!before) return Response::problem(before.error());
             auto r = clients.access_log(p, req.param("id"), *before, *limit);
             if (!r) return Response::problem(r.error());
             std::vector<std::string> actors;
             for (const auto& e : *r) actors.push_back(e.actor_id);
             const auto names = access.display_names(actors);
             bj::array items;
             for (const auto& e : *r) items.push_back(entry_json(e, names));
             bj::value next = nullptr;
             if (static_cast<int>(r->size()) == *limit && !r->empty()) {
               next = std::to_string(r->back().seq);
             }
             return Response::json(200,
                                   bj::object{{"items", std::move(items)}, {"next_cursor", next}});
           }))
      .summary("Who has read or changed this record, newest first", "clients")
      .query("limit")
      .query("before")
      .returns(200, "Access-log entries");
}

}  // namespace tend::clients
