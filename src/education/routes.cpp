#include "education/routes.h"

#include <boost/json.hpp>

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::education {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

bj::array strings(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

bj::object summary_json(const Article& a) {
  return {{"slug", a.slug},
          {"title", a.title},
          {"summary", a.summary},
          {"topics", strings(a.topics)},
          {"conditions", strings(a.conditions)},
          {"reading_level", a.reading_level},
          {"kind", a.kind},
          {"minutes", a.minutes},
          {"reviewed", a.reviewed},
          {"review_by", a.review_by},
          {"from_service", a.from_service}};
}

bj::object assignment_json(const Assignment& a, const Article* article) {
  bj::object o{{"id", a.id},
               {"client_id", a.client_id},
               {"slug", a.slug},
               {"note", a.note},
               {"status", a.status},
               {"assigned_by", bj::object{{"id", a.assigned_by}, {"name", a.assigned_by_name}}},
               {"assigned_at", format_rfc3339(from_unix_ms(a.assigned_at_ms))},
               {"read_at", json::opt_time(a.read_at_ms)},
               {"rating", a.rating ? bj::value(*a.rating) : bj::value(nullptr)},
               {"rated_at", json::opt_time(a.rated_at_ms)},
               {"version", a.version}};
  if (article) {
    o["title"] = article->title;
    o["summary"] = article->summary;
    o["kind"] = article->kind;
    o["minutes"] = article->minutes;
    o["from_service"] = article->from_service;
  }
  return o;
}

}  // namespace

void register_routes(http::Router& router, const Library& library, EducationService& assignments,
                     access::AccessService& access) {
  router
      .add(Method::Get, "/api/v1/education/articles",
           access.guard([&](Request& req, const access::Principal&) {
             bj::array items;
             const auto topic = req.query_param("topic").value_or("");
             const auto condition = req.query_param("condition").value_or("");
             const auto words = req.query_param("q").value_or("");
             for (const auto* a : library.filter(topic, condition, words)) {
               items.push_back(summary_json(*a));
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary(
          "The psychoeducation library, filtered by topic, condition and words in the "
          "title or summary",
          "education")
      .query("topic")
      .query("condition")
      .query("q")
      .returns(200, "Matching articles and exercises, sorted by slug");

  router
      .add(Method::Get, "/api/v1/education/articles/{slug}",
           access.guard([&](Request& req, const access::Principal&) {
             const auto* a = library.find(req.param("slug"));
             if (!a) return Response::problem(not_found("article"));
             auto o = summary_json(*a);
             o["words"] = a->words;
             o["html"] = rules::render_html(a->body);
             return Response::json(200, std::move(o));
           }))
      .summary("One article, its body rendered as safe HTML", "education")
      .returns(200, "The article")
      .returns(404, "No such article");

  const auto one = [&assignments](const Result<Assignment>& r, int status) {
    if (!r) return Response::problem(r.error());
    return Response::json(status, assignment_json(*r, assignments.article(*r)));
  };
  const auto many = [&assignments](const Result<std::vector<Assignment>>& r) {
    if (!r) return Response::problem(r.error());
    bj::array items;
    for (const auto& a : *r) items.push_back(assignment_json(a, assignments.article(a)));
    return Response::json(200, bj::object{{"items", std::move(items)}});
  };

  router
      .add(Method::Post, "/api/v1/clients/{id}/education",
           access.guard([&assignments, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(assignments.assign(p, req.param("id"), *body), 201);
           }))
      .summary("Give a client an article of the library to read, with an optional note to them",
               "education")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"slug", {{"type", "string"}}},
                                    {"note", {{"type", "string"}, {"maxLength", 1000}}}}},
          {"required", bj::array{"slug"}}})
      .returns(201, "The assignment")
      .returns(409, "The article is already assigned to the client and unread")
      .returns(422, "No such article (slug), or a note too long");

  router
      .add(Method::Get, "/api/v1/clients/{id}/education",
           access.guard([&assignments, many](Request& req, const access::Principal& p) {
             return many(assignments.for_client(p, req.param("id")));
           }))
      .summary("The articles given to a client, newest first: what was read and how useful",
               "education")
      .returns(200, "Assignments");

  router
      .add(Method::Get, "/api/v1/clients/{id}/education/suggestions",
           access.guard([&assignments](Request& req, const access::Principal& p) {
             auto r = assignments.suggestions(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : *r) {
               auto o = summary_json(*s.article);
               o["reasons"] = strings(s.reasons);
               items.push_back(std::move(o));
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary(
          "Articles suggested for a client from their current diagnoses (content/education/"
          "conditions.tsv) and recent measures, each with its reasons; those already given "
          "are left out",
          "education")
      .returns(200, "Suggestions, most reasons first")
      .returns(403, "A client");

  router
      .add(Method::Get, "/api/v1/me/education",
           access.guard([&assignments, many](Request&, const access::Principal& p) {
             return many(assignments.mine(p));
           }))
      .summary("The calling client's reading: articles given to them, newest first", "education")
      .returns(200, "Assignments")
      .returns(403, "Not a client");

  router
      .add(Method::Post, "/api/v1/me/education/{id}/read",
           access.guard([&assignments, one](Request& req, const access::Principal& p) {
             return one(assignments.mark_read(p, req.param("id")), 200);
           }))
      .summary("The client has read one of their articles (again: no change)", "education")
      .returns(200, "The assignment, read")
      .returns(404, "Not one of the caller's assignments")
      .returns(409, "Taken back by the care team");

  router
      .add(Method::Post, "/api/v1/me/education/{id}/rating",
           access.guard([&assignments, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(assignments.rate(p, req.param("id"), *body), 200);
           }))
      .summary("How useful the client found an article they read, 1–5", "education")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{{"rating", {{"type", "integer"}, {"minimum", 1}, {"maximum", 5}}}}},
          {"required", bj::array{"rating"}}})
      .returns(200, "The assignment, rated")
      .returns(404, "Not one of the caller's assignments")
      .returns(409, "Not read yet, or taken back")
      .returns(422, "A rating outside 1–5");

  router
      .add(Method::Post, "/api/v1/education-assignments/{id}/cancel",
           access.guard([&assignments, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(assignments.cancel(p, req.param("id"), *body), 200);
           }))
      .summary("Take back an unread article", "education")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"version", {{"type", "integer"}}}}},
                       {"required", bj::array{"version"}}})
      .returns(200, "The assignment, cancelled")
      .returns(409, "Already read or cancelled, or a stale version");
}

}  // namespace tend::education
