#include "platform/http/middleware.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <stdexcept>
#include <string>

#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::http {
namespace {

namespace bj = boost::json;

Request make_request(std::string path, bool secure = false) {
  Request req;
  req.method = Method::Get;
  req.method_text = "GET";
  req.target = path;
  req.path = std::move(path);
  req.remote_addr = "127.0.0.1";
  req.secure = secure;
  return req;
}

Handler ok_handler() {
  return [](Request&) { return Response::text(200, "ok"); };
}

TEST(Middleware, GeneratesARequestIdWhenNoneIsSent) {
  std::string seen;
  auto handler = with_standard_middleware([&seen](Request& req) {
    seen = req.request_id;
    return Response::text(200, "ok");
  });
  auto req = make_request("/healthz");
  Response res = handler(req);
  ASSERT_TRUE(res.headers.get("X-Request-Id").has_value());
  EXPECT_EQ(*res.headers.get("X-Request-Id"), seen);
  EXPECT_TRUE(seen.starts_with("rq_")) << seen;

  const std::string first = seen;
  auto again = make_request("/healthz");
  Response res2 = handler(again);
  EXPECT_NE(*res2.headers.get("X-Request-Id"), first);  // a new one per request
}

TEST(Middleware, EchoesASaneRequestId) {
  auto handler = with_standard_middleware(ok_handler());
  for (std::string id : {std::string("abc-123.X_y"), std::string(64, 'a'), std::string("7")}) {
    auto req = make_request("/healthz");
    req.headers.add("x-request-id", id);
    Response res = handler(req);
    EXPECT_EQ(res.headers.get("X-Request-Id"), id);
    EXPECT_EQ(req.request_id, id);
  }
}

TEST(Middleware, RefusesAnInsaneRequestId) {
  auto handler = with_standard_middleware(ok_handler());
  for (std::string id :
       {std::string(65, 'a'), std::string("has space"), std::string("<script>alert(1)</script>"),
        std::string("a\r\nSet-Cookie: x"), std::string(""), std::string("Zoë")}) {
    auto req = make_request("/healthz");
    req.headers.add("X-Request-Id", id);
    Response res = handler(req);
    ASSERT_TRUE(res.headers.get("X-Request-Id").has_value());
    EXPECT_NE(*res.headers.get("X-Request-Id"), id);
    EXPECT_TRUE(res.headers.get("X-Request-Id")->starts_with("rq_"));
  }
  EXPECT_TRUE(is_sane_request_id("a.b_c-D9"));
  EXPECT_FALSE(is_sane_request_id("a/b"));
}

TEST(Middleware, SecurityHeadersOnEveryResponse) {
  auto handler = with_standard_middleware([](Request& req) {
    if (req.path == "/missing") return Response::problem(not_found("page"));
    return Response::text(200, "ok");
  });
  for (const char* path : {"/healthz", "/missing"}) {
    auto req = make_request(path);
    Response res = handler(req);
    EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res.headers.get("X-Frame-Options"), "DENY");
    EXPECT_EQ(res.headers.get("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(res.headers.get("Content-Security-Policy"),
              "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    EXPECT_EQ(res.headers.get("Cross-Origin-Opener-Policy"), "same-origin");
    EXPECT_TRUE(res.headers.get("Permissions-Policy").has_value());
    EXPECT_FALSE(res.headers.get("Strict-Transport-Security").has_value());
  }
}

TEST(Middleware, HandlerAndOptionsCanChangeThePolicy) {
  MiddlewareOptions opts;
  opts.csp = "default-src 'none'";
  auto handler = with_standard_middleware(
      [](Request& req) {
        Response res = Response::text(200, "ok");
        if (req.path == "/docs") res.headers.set("Content-Security-Policy", "script-src 'self'");
        return res;
      },
      opts);
  auto plain = make_request("/");
  EXPECT_EQ(handler(plain).headers.get("Content-Security-Policy"), "default-src 'none'");
  auto docs = make_request("/docs");
  Response res = handler(docs);
  EXPECT_EQ(res.headers.get("Content-Security-Policy"), "script-src 'self'");
  std::size_t csp_count = 0;
  for (const auto& [k, v] : res.headers.all()) csp_count += k == "Content-Security-Policy";
  EXPECT_EQ(csp_count, 1u);
}

TEST(Middleware, HstsOnlyOverTls) {
  auto handler = with_standard_middleware(ok_handler());
  auto plain = make_request("/", false);
  EXPECT_FALSE(handler(plain).headers.get("Strict-Transport-Security").has_value());
  auto tls = make_request("/", true);
  const Response secure_res = handler(tls);
  auto hsts = secure_res.headers.get("Strict-Transport-Security");
  ASSERT_TRUE(hsts.has_value());
  EXPECT_TRUE(hsts->starts_with("max-age=63072000"));

  MiddlewareOptions off;
  off.hsts = false;
  auto no_hsts = with_standard_middleware(ok_handler(), off);
  auto tls2 = make_request("/", true);
  EXPECT_FALSE(no_hsts(tls2).headers.get("Strict-Transport-Security").has_value());
}

TEST(Middleware, ExceptionBecomes500ProblemNamingTheRequestId) {
  auto handler = with_standard_middleware([](Request& req) -> Response {
    req.route = "/api/v1/boom";
    throw std::runtime_error("database is locked");
  });
  auto req = make_request("/api/v1/boom");
  req.headers.add("X-Request-Id", "req-500");
  Response res = handler(req);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(res.headers.get("X-Request-Id"), "req-500");
  EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
  auto o = bj::parse(res.body).as_object();
  EXPECT_EQ(o.at("status").as_int64(), 500);
  EXPECT_EQ(o.at("detail").as_string(), "internal error; request id req-500");
  EXPECT_EQ(res.body.find("database is locked"), std::string::npos);  // driver text stays in logs

  auto odd = with_standard_middleware([](Request&) -> Response { throw 42; });
  auto req2 = make_request("/x");
  Response res2 = odd(req2);
  EXPECT_EQ(res2.status, 500);
  EXPECT_NE(res2.body.find(req2.request_id), std::string::npos);
}

TEST(Middleware, NoStoreOnApiUnlessTheHandlerSetsCaching) {
  auto handler = with_standard_middleware([](Request& req) {
    Response res = Response::text(200, "ok");
    if (req.path == "/api/v1/public") res.headers.set("Cache-Control", "max-age=60");
    return res;
  });
  auto api = make_request("/api/v1/clients");
  EXPECT_EQ(handler(api).headers.get("Cache-Control"), "no-store");
  auto own = make_request("/api/v1/public");
  EXPECT_EQ(handler(own).headers.get("Cache-Control"), "max-age=60");
  auto asset = make_request("/assets/app.js");
  EXPECT_FALSE(handler(asset).headers.get("Cache-Control").has_value());
}

TEST(Middleware, MetricsAndLogUseTheRoutePatternNeverTheRawRequest) {
  auto handler = with_standard_middleware([](Request& req) {
    req.route = "/api/v1/mwtest/{id}";
    return Response::text(200, "ok");
  });
  auto req = make_request("/api/v1/mwtest/Jane-Doe-Secret");
  req.target = "/api/v1/mwtest/Jane-Doe-Secret?name=Jane";
  req.query["name"] = "Jane";
  req.headers.add("Authorization", "Bearer tok-SECRET");
  req.headers.add("Cookie", "tend_session=cookie-SECRET");
  req.body = "{\"note\":\"body-SECRET\"}";
  req.headers.add("X-Request-Id", "log-check-1");

  log::init("info");
  testing::internal::CaptureStderr();
  Response res = handler(req);
  const std::string logged = testing::internal::GetCapturedStderr();
  log::init("error");

  EXPECT_EQ(res.status, 200);
  const std::string metrics_text = metrics::render();
  EXPECT_NE(metrics_text.find("route=\"/api/v1/mwtest/{id}\""), std::string::npos);
  EXPECT_EQ(metrics_text.find("Jane"), std::string::npos);

  // Exactly one http.request line, with the pattern and none of the request's content.
  std::size_t lines = 0;
  bj::object event;
  std::size_t start = 0;
  while (start < logged.size()) {
    const auto end = logged.find('\n', start);
    const std::string line = logged.substr(start, end - start);
    start = end == std::string::npos ? logged.size() : end + 1;
    if (line.find("http.request") == std::string::npos) continue;
    ++lines;
    event = bj::parse(line).as_object();
  }
  ASSERT_EQ(lines, 1u) << logged;
  EXPECT_EQ(event.at("event").as_string(), "http.request");
  EXPECT_EQ(event.at("request_id").as_string(), "log-check-1");
  EXPECT_EQ(event.at("method").as_string(), "GET");
  EXPECT_EQ(event.at("route").as_string(), "/api/v1/mwtest/{id}");
  EXPECT_EQ(event.at("status").as_int64(), 200);
  EXPECT_TRUE(event.at("duration_ms").is_number());
  EXPECT_EQ(event.at("remote_addr").as_string(), "127.0.0.1");
  for (const char* secret : {"Jane", "SECRET", "name="}) {
    EXPECT_EQ(logged.find(secret), std::string::npos) << secret;
  }
}

TEST(Middleware, ExceptionMessageGoesToTheLogAsHttpError) {
  auto handler = with_standard_middleware(
      [](Request&) -> Response { throw std::runtime_error("disk I/O error"); });
  auto req = make_request("/api/v1/x");
  log::init("info");
  testing::internal::CaptureStderr();
  Response res = handler(req);
  const std::string logged = testing::internal::GetCapturedStderr();
  log::init("error");
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(logged.find("\"event\":\"http.error\""), std::string::npos) << logged;
  EXPECT_NE(logged.find("disk I/O error"), std::string::npos);
  EXPECT_NE(logged.find("\"route\":\"unmatched\""), std::string::npos);
}

}  // namespace
}  // namespace tend::http
