#pragma once
//! The web app: static files built from web/ (TypeScript, Preact, Vite), embedded into the
//! binary at build time, or read from `--web-root DIR` while developing. Every path that is not
//! the API, an operations endpoint or a file is answered with index.html (the app routes on
//! the client), under a strict Content-Security-Policy.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/http/message.h"

namespace tend::app {

struct EmbeddedFile {
  const char* path;  //!< "/index.html", "/assets/index-3f2a.js"
  const unsigned char* data;
  std::size_t size;
};

//! The files of web/dist compiled into this binary (empty when it was built without them).
const std::vector<EmbeddedFile>& embedded_web_files();

//! The Content-Security-Policy of the web app's pages: our own origin only, no inline script.
inline constexpr std::string_view k_web_csp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

//! True for paths the web app answers (everything but /api/…, /healthz, /readyz, /metrics).
bool is_web_path(std::string_view path);

//! Content type by file name.
std::string content_type_for(std::string_view path);

class WebApp {
 public:
  //! Serves `root` from disk when given, else the embedded files.
  explicit WebApp(std::string root = {});
  //! The answer to a GET or HEAD of `path`.
  http::Response serve(std::string_view path) const;

 private:
  std::optional<std::string> read(std::string_view path) const;
  std::string root_;
};

}  // namespace tend::app
