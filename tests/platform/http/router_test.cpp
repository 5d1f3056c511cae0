#include "platform/http/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

namespace tend::http {
namespace {

namespace bj = boost::json;

Request make_request(Method method, std::string path) {
  Request req;
  req.method = method;
  req.method_text = std::string(method_name(method));
  req.target = path;
  req.path = std::move(path);
  return req;
}

//! A handler that answers with the name it was registered under.
Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

bj::object problem_of(const Response& res) {
  EXPECT_EQ(res.headers.get("Content-Type"), "application/problem+json");
  return bj::parse(res.body).as_object();
}

TEST(Message, HeadersAreCaseInsensitiveAndSetReplacesEveryValue) {
  Headers h;
  h.add("X-Thing", "a");
  h.add("x-thing", "b");
  EXPECT_EQ(h.get("X-THING"), "a");
  h.set("X-Thing", "c");
  EXPECT_EQ(h.all().size(), 1u);
  EXPECT_EQ(h.get("x-thing"), "c");
  EXPECT_FALSE(h.get("Other").has_value());
}

TEST(Message, MethodNamesRoundTripAndAreCaseSensitive) {
  for (Method m : {Method::Get, Method::Head, Method::Post, Method::Put, Method::Patch,
                   Method::Delete, Method::Options}) {
    EXPECT_EQ(parse_method(method_name(m)), m);
  }
  EXPECT_EQ(parse_method("get"), Method::Other);
  EXPECT_EQ(parse_method("BREW"), Method::Other);
}

TEST(Message, CookieParsing) {
  Request req;
  req.headers.add("Cookie", "theme=dark;  tend_session=abc123 ; quoted=\"v w\"; flag; empty=");
  EXPECT_EQ(req.cookie("tend_session"), "abc123");
  EXPECT_EQ(req.cookie("theme"), "dark");
  EXPECT_EQ(req.cookie("quoted"), "v w");
  EXPECT_EQ(req.cookie("empty"), "");
  EXPECT_FALSE(req.cookie("flag").has_value());
  EXPECT_FALSE(req.cookie("TEND_SESSION").has_value());  // names are case-sensitive
  EXPECT_FALSE(req.cookie("session").has_value());       // no partial matches
  EXPECT_FALSE(req.cookie("").has_value());
  Request none;
  EXPECT_FALSE(none.cookie("tend_session").has_value());
}

TEST(Message, ProblemFollowsRfc9457) {
  Error e = make_error(Errc::Validation, "invalid field: name", {{"name", "must not be empty"}});
  Response res = Response::problem(e, "/api/v1/clients");
  EXPECT_EQ(res.status, 422);
  auto o = problem_of(res);
  EXPECT_EQ(o.at("type").as_string(), "https://tend.dev/problems/validation");
  EXPECT_EQ(o.at("title").as_string(), "Some fields are not valid");
  EXPECT_EQ(o.at("status").as_int64(), 422);
  EXPECT_EQ(o.at("detail").as_string(), "invalid field: name");
  EXPECT_EQ(o.at("instance").as_string(), "/api/v1/clients");
  ASSERT_EQ(o.at("errors").as_array().size(), 1u);
  EXPECT_EQ(o.at("errors").as_array()[0].at("field").as_string(), "name");
  EXPECT_FALSE(res.headers.get("Retry-After").has_value());

  Error limited = make_error(Errc::TooManyRequests, "slow down");
  limited.retry_after_seconds = 30;
  Response r2 = Response::problem(limited);
  EXPECT_EQ(r2.status, 429);
  EXPECT_EQ(r2.headers.get("Retry-After"), "30");
  auto o2 = problem_of(r2);
  EXPECT_FALSE(o2.contains("errors"));
  EXPECT_FALSE(o2.contains("instance"));
}

TEST(Message, JsonTextAndNoContent) {
  Response j = Response::json(201, bj::object{{"id", "cl_1"}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.headers.get("Content-Type"), "application/json");
  EXPECT_EQ(bj::parse(j.body).at("id").as_string(), "cl_1");
  Response t = Response::text(200, "ok\n");
  EXPECT_EQ(t.headers.get("Content-Type"), "text/plain; charset=utf-8");
  Response n = Response::no_content();
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
}

TEST(Router, ExtractsPathParameters) {
  Router router;
  router.add(Method::Get, "/api/v1/clients/{id}/notes/{note_id}", [](Request& req) {
    return Response::text(
        200, req.param("id") + "|" + req.param("note_id") + "|" + req.param("missing"));
  });
  auto req = make_request(Method::Get, "/api/v1/clients/cl_42/notes/nt 7");
  Response res = router.dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "cl_42|nt 7|");
  EXPECT_EQ(req.route, "/api/v1/clients/{id}/notes/{note_id}");
}

TEST(Router, ParameterMustBeANonEmptySegment) {
  Router router;
  router.add(Method::Get, "/clients/{id}", named("one"));
  for (const char* path : {"/clients/", "/clients", "/clients/a/b", "/clients//"}) {
    auto req = make_request(Method::Get, path);
    EXPECT_EQ(router.dispatch(req).status, 404) << path;
  }
}

TEST(Router, StaticSegmentsWinOverParametersWhateverTheOrder) {
  Router router;
  router.add(Method::Get, "/clients/{id}", named("param"));
  router.add(Method::Get, "/clients/me", named("static"));
  router.add(Method::Get, "/{section}/export", named("section-param"));
  router.add(Method::Get, "/clients/{id}/export", named("deep-static"));

  auto me = make_request(Method::Get, "/clients/me");
  EXPECT_EQ(router.dispatch(me).body, "static");
  EXPECT_EQ(me.route, "/clients/me");
  EXPECT_TRUE(me.params.empty());

  auto other = make_request(Method::Get, "/clients/cl_1");
  EXPECT_EQ(router.dispatch(other).body, "param");
  EXPECT_EQ(other.param("id"), "cl_1");

  // Same shape, different static/parameter positions: the earliest static segment wins.
  auto ambiguous = make_request(Method::Get, "/clients/export");
  EXPECT_EQ(router.dispatch(ambiguous).body, "param");
  auto deep = make_request(Method::Get, "/clients/cl_1/export");
  EXPECT_EQ(router.dispatch(deep).body, "deep-static");
  auto section = make_request(Method::Get, "/reports/export");
  EXPECT_EQ(router.dispatch(section).body, "section-param");
}

TEST(Router, UnknownPathIs404ProblemWithCappedDetail) {
  Router router;
  router.add(Method::Get, "/healthz", named("ok"));
  auto req = make_request(Method::Get, "/nothing/here");
  Response res = router.dispatch(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(req.route, "unmatched");
  auto o = problem_of(res);
  EXPECT_EQ(o.at("detail").as_string(), "no route for /nothing/here");

  auto huge = make_request(Method::Get, "/" + std::string(10000, 'x'));
  Response big = router.dispatch(huge);
  EXPECT_EQ(big.status, 404);
  EXPECT_LT(big.body.size(), 600u);

  // Bytes that are not printable ASCII are re-encoded, so the problem stays valid JSON.
  auto odd = make_request(Method::Get, std::string("/a\xff\n\"b", 6));
  auto odd_problem = problem_of(router.dispatch(odd));
  EXPECT_EQ(odd_problem.at("detail").as_string(), "no route for /a%FF%0A\"b");
}

TEST(Router, OtherMethodIs405WithAllow) {
  Router router;
  router.add(Method::Get, "/api/v1/clients/{id}", named("get"));
  router.add(Method::Delete, "/api/v1/clients/{id}", named("delete"));
  router.add(Method::Post, "/api/v1/clients", named("create"));
  auto req = make_request(Method::Put, "/api/v1/clients/cl_1");
  Response res = router.dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.get("Allow"), "GET, HEAD, DELETE");
  EXPECT_EQ(req.route, "/api/v1/clients/{id}");
  auto o = problem_of(res);
  EXPECT_EQ(o.at("type").as_string(), "https://tend.dev/problems/method-not-allowed");

  auto post = make_request(Method::Get, "/api/v1/clients");
  Response r2 = router.dispatch(post);
  EXPECT_EQ(r2.status, 405);
  EXPECT_EQ(r2.headers.get("Allow"), "POST");

  auto options = make_request(Method::Options, "/api/v1/clients/cl_1");
  Response r3 = router.dispatch(options);
  EXPECT_EQ(r3.status, 204);
  EXPECT_EQ(r3.headers.get("Allow"), "GET, HEAD, DELETE, OPTIONS");
}

TEST(Router, HeadFallsBackToGetWithoutBody) {
  Router router;
  int calls = 0;
  router.add(Method::Get, "/items/{id}", [&calls](Request& req) {
    ++calls;
    Response res = Response::text(200, "item " + req.param("id"));
    res.headers.set("ETag", "\"v1\"");
    return res;
  });
  auto req = make_request(Method::Head, "/items/7");
  Response res = router.dispatch(req);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.headers.get("Content-Length"), "6");
  EXPECT_EQ(res.headers.get("ETag"), "\"v1\"");
  EXPECT_EQ(req.route, "/items/{id}");
  EXPECT_EQ(req.param("id"), "7");
}

TEST(Router, ExplicitHeadRouteIsPreferred) {
  Router router;
  router.add(Method::Get, "/x", named("get"));
  router.add(Method::Head, "/x", [](Request&) { return Response::no_content(); });
  auto req = make_request(Method::Head, "/x");
  EXPECT_EQ(router.dispatch(req).status, 204);
}

TEST(Router, RegistrationMistakesThrow) {
  Router router;
  router.add(Method::Get, "/a/{id}", named("a"));
  EXPECT_THROW(router.add(Method::Get, "/a/{other}", named("b")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::Get, "no-slash", named("c")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::Get, "/a/{bad", named("d")), std::invalid_argument);
  EXPECT_NO_THROW(router.add(Method::Post, "/a/{id}", named("e")));
}

TEST(OpenApi, DescribesEveryRouteWithItsParameters) {
  Router router;
  router.add(Method::Get, "/healthz", named("ok"))
      .summary("Liveness", "operations")
      .returns(200, "Alive")
      .open();
  router.add(Method::Get, "/api/v1/clients", named("list"))
      .summary("List clients", "clients")
      .query("q")
      .query("cursor")
      .returns(200, "A page of clients");
  router.add(Method::Post, "/api/v1/clients", named("create"))
      .summary("Create a client", "clients")
      .body(bj::object{{"type", "object"}, {"required", bj::array{"name"}}})
      .returns(201, "Created")
      .returns(422, "Invalid fields");
  router.add(Method::Get, "/api/v1/clients/{id}/notes/{note_id}", named("note"))
      .summary("One note", "care")
      .returns(200, "The note");

  const bj::object doc = openapi_document(router, "Tend API", "1.2.3");
  // Serializes and parses back: valid JSON.
  const bj::value round = bj::parse(bj::serialize(doc));
  EXPECT_EQ(round.at("openapi").as_string(), "3.1.0");
  EXPECT_EQ(round.at("info").at("title").as_string(), "Tend API");
  EXPECT_EQ(round.at("info").at("version").as_string(), "1.2.3");

  const auto& paths = round.at("paths").as_object();
  std::size_t operations = 0;
  for (const auto& route : router.routes()) {
    std::string m(method_name(route.method));
    for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(paths.contains(route.pattern)) << route.pattern;
    ASSERT_TRUE(paths.at(route.pattern).as_object().contains(m)) << route.pattern << " " << m;
    ++operations;
  }
  EXPECT_EQ(operations, 4u);
  std::size_t described = 0;
  for (const auto& kv : paths) described += kv.value().as_object().size();
  EXPECT_EQ(described, operations);

  const auto& note = paths.at("/api/v1/clients/{id}/notes/{note_id}").at("get");
  std::set<std::string> path_params;
  for (const auto& p : note.at("parameters").as_array()) {
    EXPECT_EQ(p.at("in").as_string(), "path");
    EXPECT_TRUE(p.at("required").as_bool());
    path_params.insert(std::string(p.at("name").as_string()));
  }
  EXPECT_EQ(path_params, (std::set<std::string>{"id", "note_id"}));
  EXPECT_EQ(note.at("tags").as_array()[0].as_string(), "care");
  EXPECT_EQ(note.at("summary").as_string(), "One note");
  EXPECT_TRUE(note.at("responses").as_object().contains("default"));
  EXPECT_FALSE(note.at("security").as_array().empty());

  const auto& list = paths.at("/api/v1/clients").at("get");
  std::set<std::string> query;
  for (const auto& p : list.at("parameters").as_array()) {
    EXPECT_EQ(p.at("in").as_string(), "query");
    query.insert(std::string(p.at("name").as_string()));
  }
  EXPECT_EQ(query, (std::set<std::string>{"q", "cursor"}));
  EXPECT_FALSE(list.as_object().contains("requestBody"));

  const auto& create = paths.at("/api/v1/clients").at("post");
  EXPECT_EQ(create.at("requestBody").at("content").at("application/json").at("schema").at("type"),
            "object");
  EXPECT_TRUE(create.at("responses").as_object().contains("201"));
  EXPECT_TRUE(create.at("responses")
                  .at("422")
                  .at("content")
                  .as_object()
                  .contains("application/problem+json"));

  const auto& health = paths.at("/healthz").at("get");
  EXPECT_TRUE(health.at("security").as_array().empty());
  EXPECT_FALSE(health.as_object().contains("parameters"));

  const auto& schemes = round.at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("cookieAuth").at("in").as_string(), "cookie");
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme").as_string(), "bearer");
  EXPECT_TRUE(round.at("components").at("schemas").as_object().contains("Problem"));

  // operationIds are unique.
  std::set<std::string> ids;
  for (const auto& kv : paths) {
    for (const auto& op : kv.value().as_object()) {
      EXPECT_TRUE(ids.insert(std::string(op.value().at("operationId").as_string())).second);
    }
  }
}

}  // namespace
}  // namespace tend::http
