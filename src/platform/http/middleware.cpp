#include "platform/http/middleware.h"

#include <chrono>
#include <exception>
#include <string_view>

#include "platform/errors.h"
#include "platform/ids.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::http {
namespace {

constexpr std::size_t k_max_request_id = 64;

void set_if_absent(Headers& headers, std::string_view name, std::string value) {
  if (!headers.get(name)) headers.set(name, std::move(value));
}

std::string_view route_label(const Request& req) {
  return req.route.empty() ? std::string_view("unmatched") : std::string_view(req.route);
}

Response internal_error(const Request& req, std::string_view what) {
  log::error("http.error", {{"request_id", req.request_id},
                            {"method", method_name(req.method)},
                            {"route", route_label(req)},
                            {"error", what}});
  return Response::problem(
      make_error(Errc::Internal, "internal error; request id " + req.request_id));
}

}  // namespace

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > k_max_request_id) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Handler with_standard_middleware(Handler inner, MiddlewareOptions opts) {
  return [inner = std::move(inner), opts = std::move(opts)](Request& req) -> Response {
    const auto started = std::chrono::steady_clock::now();
    const auto incoming = req.headers.get("X-Request-Id");
    req.request_id =
        incoming && is_sane_request_id(*incoming) ? std::string(*incoming) : new_id("rq");

    // The exception boundary: driver failures and bugs become a 500 that names the request
    // id, so a user's report can be matched with the log line carrying the message.
    Response res;
    try {
      res = inner(req);
    } catch (const std::exception& e) {
      res = internal_error(req, e.what());
    } catch (...) {
      res = internal_error(req, "unknown exception");
    }

    Headers& h = res.headers;
    h.set("X-Request-Id", req.request_id);
    set_if_absent(h, "X-Content-Type-Options", "nosniff");
    set_if_absent(h, "X-Frame-Options", "DENY");
    set_if_absent(h, "Referrer-Policy", "no-referrer");
    set_if_absent(h, "Content-Security-Policy", opts.csp);
    set_if_absent(h, "Cross-Origin-Opener-Policy", "same-origin");
    set_if_absent(h, "Permissions-Policy", opts.permissions_policy);
    if (req.secure && opts.hsts) {
      set_if_absent(h, "Strict-Transport-Security",
                    "max-age=" + std::to_string(opts.hsts_max_age_seconds) + "; includeSubDomains");
    }
    // API answers carry health data: no browser or proxy may keep them.
    if (req.path.starts_with("/api/")) set_if_absent(h, "Cache-Control", "no-store");

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string_view route = route_label(req);
    metrics::observe_request(method_name(req.method), route, res.status, seconds);
    log::info("http.request",
              {{"request_id", req.request_id},
               {"method", method_name(req.method)},
               {"route", route},
               {"status", res.status},
               {"duration_ms", static_cast<double>(static_cast<std::int64_t>(seconds * 1e6)) / 1e3},
               {"remote_addr", req.remote_addr}});
    return res;
  };
}

}  // namespace tend::http
