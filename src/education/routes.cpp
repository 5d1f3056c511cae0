#include "education/routes.h"

#include <boost/json.hpp>

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
          {"review_by", a.review_by}};
}

}  // namespace

void register_routes(http::Router& router, const Library& library, access::AccessService& access) {
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
}

}  // namespace tend::education
