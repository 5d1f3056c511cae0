#pragma once
//! What every request goes through before and after its route: request id, exception
//! boundary, security headers, caching policy for the API, metrics and one access-log line.

#include <string>
#include <string_view>

#include "platform/http/router.h"

namespace tend::http {

//! Default Content-Security-Policy: only our own origin, never framed.
inline constexpr std::string_view k_default_csp =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

//! Default Permissions-Policy: no powerful browser features.
inline constexpr std::string_view k_default_permissions_policy =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

//! Settings of with_standard_middleware().
struct MiddlewareOptions {
  //! Send Strict-Transport-Security on responses to requests that arrived over TLS.
  bool hsts = true;
  //! max-age of Strict-Transport-Security, in seconds (default two years).
  int hsts_max_age_seconds = 63'072'000;
  //! Content-Security-Policy sent unless a handler sets its own.
  std::string csp = std::string(k_default_csp);
  //! Permissions-Policy sent unless a handler sets its own.
  std::string permissions_policy = std::string(k_default_permissions_policy);
};

//! Wraps `inner` (usually Router::dispatch) so that every request:
//! - gets req.request_id from a sane X-Request-Id (1–64 of [A-Za-z0-9._-]) or a new "rq_" id;
//! - is answered even when `inner` throws (500 problem+json naming the request id; the
//!   exception's message goes to the log as `http.error`, never to the client);
//! - gets X-Request-Id, security headers, HSTS over TLS (opts.hsts), and
//!   `Cache-Control: no-store` under /api/ unless the handler set Cache-Control;
//! - is counted by metrics::observe_request and logged once as `http.request` with the route
//!   pattern (never the raw path, query, bodies or credential headers).
//! The returned handler is thread-safe when `inner` is.
Handler with_standard_middleware(Handler inner, MiddlewareOptions opts = {});

//! True when `id` is an acceptable incoming X-Request-Id: 1–64 of [A-Za-z0-9._-].
bool is_sane_request_id(std::string_view id);

}  // namespace tend::http
