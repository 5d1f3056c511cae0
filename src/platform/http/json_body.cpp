#include "platform/http/json_body.h"

#include <charconv>

#include "platform/json.h"

namespace tend::http {

Result<boost::json::object> json_body(const Request& req) {
  auto ct = req.headers.get("Content-Type");
  if (!ct) return make_error(Errc::UnsupportedMedia, "Content-Type must be application/json");
  std::string_view type = *ct;
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type != "application/json" && type != "application/merge-patch+json" &&
      type != "application/fhir+json") {
    return make_error(Errc::UnsupportedMedia, "Content-Type must be application/json");
  }
  return json::parse_object(req.body);
}

Result<int> int_query(const Request& req, const std::string& name, int fallback, int min, int max) {
  auto v = req.query_param(name);
  if (!v) return fallback;
  int n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc{} || r.ptr != v->data() + v->size() || n < min || n > max) {
    return make_error(Errc::BadRequest,
                      "query parameter " + name + " must be a whole number from " +
                          std::to_string(min) + " to " + std::to_string(max),
                      {{name, "must be a whole number from " + std::to_string(min) + " to " +
                                  std::to_string(max)}});
  }
  return n;
}

}  // namespace tend::http
