// The web app's files as the server hands them out: pages under a strict CSP, the client-side
// routes answered with index.html, hashed assets cached for good, nothing outside the root.

#include "app/web.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/api.h"

namespace tend::testing {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(Web, PagesAssetsAndTheClientSideRoutes) {
  TempDir root;
  write(root.path() / "index.html", "<!doctype html><title>Tend</title><div id=app></div>");
  write(root.path() / "assets" / "index-3f2a.js", "console.log('tend')");
  write(root.path() / "assets" / "index-9c1b.css", "body{margin:0}");
  write(root.path().parent_path() / "secret.txt", "not for the web");
  ApiServer s({{"web_root", root.path().string()}});
  HttpClient web(s.base_url());

  auto home = web.get("/");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("<div id=app>"), std::string::npos);
  EXPECT_EQ(home.header("content-type"), "text/html; charset=utf-8");
  const auto csp = home.header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(home.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(home.header("cache-control"), "no-cache");

  // Client-side routes get the page; the app routes on the client.
  for (const char* path : {"/clients", "/clients/cl_23oc6efwyznya5mzfy3b", "/portal", "/signin"}) {
    auto r = web.get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_NE(r.body.find("<div id=app>"), std::string::npos) << path;
  }
  auto js = web.get("/assets/index-3f2a.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(web.get("/assets/index-9c1b.css").header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(web.get("/assets/gone-0000.js").status, 404);
  EXPECT_EQ(web.get("/favicon.ico").status, 404);
  // Nothing outside the root, however the path is spelled.
  for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                           "/assets/%5c..%5csecret.txt"}) {
    auto r = web.get(path);
    EXPECT_EQ(r.body.find("not for the web"), std::string::npos) << path;
  }
  // The API and operations endpoints are not pages.
  auto api = web.get("/api/v1/nothing-here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.header("content-type"), "application/problem+json");
  EXPECT_EQ(web.get("/healthz").body, "ok\n");
  // Only GET and HEAD read pages.
  EXPECT_NE(web.request("POST", "/clients", "{}", {{"Content-Type", "application/json"}}).status,
            200);
  auto head = web.request("HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(Web, TheCompiledInAppOrAnExplanation) {
  ApiServer s;
  HttpClient web(s.base_url());
  auto r = web.get("/");
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(r.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  if (app::embedded_web_files().empty()) {
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("--web-root"), std::string::npos);
  } else {
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<script type=\"module\""), std::string::npos);
    EXPECT_EQ(web.get("/clients/anything").status, 200);
  }
}

TEST(Web, ContentTypes) {
  EXPECT_EQ(app::content_type_for("/a.svg"), "image/svg+xml");
  EXPECT_EQ(app::content_type_for("/manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(app::content_type_for("/x.bin"), "application/octet-stream");
  EXPECT_TRUE(app::is_web_path("/"));
  EXPECT_TRUE(app::is_web_path("/clients/x"));
  EXPECT_FALSE(app::is_web_path("/api/v1/clients"));
  EXPECT_FALSE(app::is_web_path("/api"));
  EXPECT_FALSE(app::is_web_path("/metrics"));
}

}  // namespace
}  // namespace tend::testing
