#include "app/web.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace tend::app {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

//! A request path that may name a file: no "..", no backslashes, no NUL, no empty segments.
bool safe_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos || path.find("//") != std::string_view::npos) {
    return false;
  }
  return true;
}

http::Response page(int status, std::string body, std::string_view type) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.set("Content-Type", std::string(type));
  r.headers.set("Content-Security-Policy", std::string(k_web_csp));
  return r;
}

}  // namespace

bool is_web_path(std::string_view path) {
  if (path.rfind("/api/", 0) == 0 || path == "/api") return false;
  if (path.rfind("/fhir/", 0) == 0 || path == "/fhir") return false;
  return path != "/healthz" && path != "/readyz" && path != "/metrics";
}

std::string content_type_for(std::string_view path) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type k_types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  };
  for (const auto& t : k_types) {
    if (ends_with(path, t.ext)) return std::string(t.type);
  }
  return "application/octet-stream";
}

WebApp::WebApp(std::string root) : root_(std::move(root)) {}

std::optional<std::string> WebApp::read(std::string_view path) const {
  if (!safe_path(path)) return std::nullopt;
  if (root_.empty()) {
    for (const auto& f : embedded_web_files()) {
      if (path == f.path) return std::string(reinterpret_cast<const char*>(f.data), f.size);
    }
    return std::nullopt;
  }
  std::error_code ec;
  const auto file = std::filesystem::path(root_) / std::string(path.substr(1));
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

http::Response WebApp::serve(std::string_view path) const {
  const std::string_view name = path == "/" ? std::string_view("/index.html") : path;
  if (auto body = read(name)) {
    auto r = page(200, std::move(*body), content_type_for(name));
    // Built files carry a content hash in their names and never change; the page itself is
    // checked every time so that a new release is picked up at once.
    r.headers.set("Cache-Control", name.rfind("/assets/", 0) == 0
                                       ? "public, max-age=31536000, immutable"
                                       : "no-cache");
    return r;
  }
  // A missing file under /assets/ or with an extension is a 404; any other path is a page of
  // the app, which routes on the client.
  const auto slash = path.rfind('/');
  const bool looks_like_file =
      path.find('.', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
  if (path.rfind("/assets/", 0) == 0 || looks_like_file) {
    return page(404, "not found\n", "text/plain; charset=utf-8");
  }
  if (auto index = read("/index.html")) {
    auto r = page(200, std::move(*index), "text/html; charset=utf-8");
    r.headers.set("Cache-Control", "no-cache");
    return r;
  }
  return page(503,
              "<!doctype html><html lang=\"en\"><title>Tend</title><main><h1>Tend</h1><p>This "
              "binary was built without the web app. Build it with <code>npm ci &amp;&amp; npm "
              "run build</code> in <code>web/</code> and rebuild, or serve it from disk with "
              "<code>--web-root web/dist</code>. The API is at <code>/api/v1/</code>.</p></main>"
              "</html>\n",
              "text/html; charset=utf-8");
}

}  // namespace tend::app
