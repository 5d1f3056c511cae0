#include "platform/http/router.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <set>
#include <stdexcept>
#include <string_view>

#include "platform/errors.h"

namespace tend::http {
namespace {

//! Longest part of a request path echoed back in a 404 detail.
constexpr std::size_t k_max_echoed_path = 200;

//! Order of methods in an Allow header and in the OpenAPI document.
constexpr std::array<Method, 7> k_method_order = {Method::Get,    Method::Head,  Method::Post,
                                                  Method::Put,    Method::Patch, Method::Delete,
                                                  Method::Options};

//! "/a/b/" → {"a", "b", ""}; "/" → {""}. Empty segments are kept so that "/a//b" and "/a/"
//! cannot match a pattern whose parameter would be empty.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string param_name(std::string_view segment) {
  return std::string(segment.substr(1, segment.size() - 2));
}

bool matches(const Route& route, const std::vector<std::string_view>& path) {
  if (route.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::string& seg = route.segments[i];
    if (is_param(seg)) {
      if (path[i].empty()) return false;
    } else if (seg != path[i]) {
      return false;
    }
  }
  return true;
}

//! For two routes matching the same path: the one with a static segment where the other has
//! a parameter, at the first place they differ, is more specific ("/clients/me" beats
//! "/clients/{id}").
bool more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    const bool pa = is_param(a.segments[i]);
    const bool pb = is_param(b.segments[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

void fill_params(const Route& route, const std::vector<std::string_view>& path, Request& req) {
  req.params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (is_param(route.segments[i])) req.params[param_name(route.segments[i])] = path[i];
  }
}

//! The path made safe to echo: printable ASCII kept, anything else percent-encoded, capped.
std::string echo_path(std::string_view path) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x21 && c < 0x7f && c != '%') {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 0xf];
    }
    if (out.size() >= k_max_echoed_path) {
      out.resize(k_max_echoed_path);
      out += "...";
      break;
    }
  }
  return out;
}

std::string lower_method(Method m) {
  std::string s(method_name(m));
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

RouteBuilder& RouteBuilder::summary(std::string s, std::string tag) {
  r_.doc.summary = std::move(s);
  r_.doc.tag = std::move(tag);
  return *this;
}

RouteBuilder& RouteBuilder::body(boost::json::object schema) {
  r_.doc.request_schema = std::move(schema);
  return *this;
}

RouteBuilder& RouteBuilder::returns(int status, std::string description) {
  r_.doc.responses.emplace_back(status, std::move(description));
  return *this;
}

RouteBuilder& RouteBuilder::query(std::string name) {
  r_.doc.query.push_back(std::move(name));
  return *this;
}

RouteBuilder& RouteBuilder::open() {
  r_.doc.authenticated = false;
  return *this;
}

RouteBuilder Router::add(Method method, std::string pattern, Handler handler) {
  // Programming errors, found when routes are registered at start-up.
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + pattern);
  }
  if (method == Method::Other)
    throw std::invalid_argument("route needs a known method: " + pattern);
  Route route{method, pattern, {}, std::move(handler), {}};
  for (auto seg : split_path(pattern)) {
    if (seg.find_first_of("{}") != std::string_view::npos && !is_param(seg)) {
      throw std::invalid_argument("bad path parameter in route pattern: " + pattern);
    }
    route.segments.emplace_back(seg);
  }
  for (const auto& other : routes_) {
    if (other.method != method || other.segments.size() != route.segments.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < route.segments.size() && same; ++i) {
      const bool pa = is_param(route.segments[i]);
      same = pa == is_param(other.segments[i]) && (pa || route.segments[i] == other.segments[i]);
    }
    if (same) {
      throw std::invalid_argument("route registered twice: " + std::string(method_name(method)) +
                                  " " + pattern);
    }
  }
  routes_.push_back(std::move(route));
  return RouteBuilder(routes_.back());
}

Response Router::dispatch(Request& req) const {
  const auto path = split_path(req.path);
  const Route* best_for_path = nullptr;
  const Route* best_same_method = nullptr;
  const Route* best_get = nullptr;
  std::set<Method> allowed;
  for (const auto& route : routes_) {
    if (!matches(route, path)) continue;
    allowed.insert(route.method);
    if (!best_for_path || more_specific(route, *best_for_path)) best_for_path = &route;
    if (route.method == req.method) {
      if (!best_same_method || more_specific(route, *best_same_method)) best_same_method = &route;
    } else if (route.method == Method::Get) {
      if (!best_get || more_specific(route, *best_get)) best_get = &route;
    }
  }

  if (best_same_method) {
    req.route = best_same_method->pattern;
    fill_params(*best_same_method, path, req);
    return best_same_method->handler(req);
  }
  if (req.method == Method::Head && best_get) {
    // HEAD is GET without the body (RFC 9110 §9.3.2); the length is what GET would send.
    req.route = best_get->pattern;
    fill_params(*best_get, path, req);
    Response res = best_get->handler(req);
    if (!res.headers.get("Content-Length")) {
      res.headers.set("Content-Length", std::to_string(res.body.size()));
    }
    res.body.clear();
    return res;
  }
  if (!best_for_path) {
    req.route = "unmatched";
    return Response::problem(make_error(Errc::NotFound, "no route for " + echo_path(req.path)));
  }

  req.route = best_for_path->pattern;
  if (allowed.count(Method::Get)) allowed.insert(Method::Head);
  std::string allow;
  for (Method m : k_method_order) {
    if (!allowed.count(m)) continue;
    if (!allow.empty()) allow += ", ";
    allow += method_name(m);
  }
  if (req.method == Method::Options) {
    // Answer OPTIONS for any known path with the methods it supports (RFC 9110 §9.3.7).
    Response res = Response::no_content();
    res.headers.set("Allow", allow + (allow.empty() ? "" : ", ") + "OPTIONS");
    return res;
  }
  Response res = Response::problem(
      make_error(Errc::MethodNotAllowed,
                 "method " +
                     std::string(req.method == Method::Other ? std::string_view("(other)")
                                                             : method_name(req.method)) +
                     " is not allowed on " + best_for_path->pattern + "; allowed: " + allow));
  res.headers.set("Allow", allow);
  return res;
}

boost::json::object openapi_document(const Router& router, std::string_view title,
                                     std::string_view version) {
  namespace bj = boost::json;
  const bj::array auth_security = {bj::object{{"cookieAuth", bj::array{}}},
                                   bj::object{{"bearerAuth", bj::array{}}}};
  const bj::object problem_response = {
      {"description", "Problem details (RFC 9457)"},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};

  bj::object paths;
  std::set<std::string> tags;
  std::set<std::string> operation_ids;
  for (const auto& route : router.routes()) {
    bj::object op;
    std::string operation_id = lower_method(route.method);
    for (const auto& seg : route.segments) {
      if (seg.empty()) continue;
      operation_id += '_';
      for (char c : seg) {
        if (c == '{' || c == '}') continue;
        const bool word =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        operation_id += word ? c : '_';
      }
    }
    for (int n = 2; operation_ids.count(operation_id); ++n) {
      operation_id += "_" + std::to_string(n);
    }
    operation_ids.insert(operation_id);
    op["operationId"] = operation_id;
    op["summary"] = route.doc.summary;
    if (!route.doc.tag.empty()) {
      op["tags"] = bj::array{bj::value(route.doc.tag)};
      tags.insert(route.doc.tag);
    }

    bj::array params;
    for (const auto& seg : route.segments) {
      if (!is_param(seg)) continue;
      params.push_back(bj::object{{"name", param_name(seg)},
                                  {"in", "path"},
                                  {"required", true},
                                  {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : route.doc.query) {
      params.push_back(bj::object{
          {"name", q}, {"in", "query"}, {"required", false}, {"schema", {{"type", "string"}}}});
    }
    if (!params.empty()) op["parameters"] = std::move(params);

    if (!route.doc.request_schema.empty()) {
      op["requestBody"] =
          bj::object{{"required", true},
                     {"content", {{"application/json", {{"schema", route.doc.request_schema}}}}}};
    }

    bj::object responses;
    for (const auto& [status, description] : route.doc.responses) {
      bj::object r{{"description", description}};
      if (status >= 400) r["content"] = problem_response.at("content");
      responses[std::to_string(status)] = std::move(r);
    }
    if (route.doc.authenticated && !responses.contains("401")) {
      bj::object r = problem_response;
      r["description"] = "Sign-in required";
      responses["401"] = std::move(r);
    }
    responses["default"] = problem_response;
    op["responses"] = std::move(responses);
    op["security"] = route.doc.authenticated ? auth_security : bj::array{};

    auto it = paths.find(route.pattern);
    if (it == paths.end()) it = paths.emplace(route.pattern, bj::object{}).first;
    it->value().as_object()[lower_method(route.method)] = std::move(op);
  }

  bj::array tag_list;
  for (const auto& t : tags) tag_list.push_back(bj::object{{"name", t}});

  bj::object field_error = {
      {"type", "object"},
      {"properties", {{"field", {{"type", "string"}}}, {"message", {{"type", "string"}}}}},
      {"required", bj::array{"field", "message"}}};
  bj::object problem_schema = {
      {"type", "object"},
      {"properties",
       {{"type", {{"type", "string"}, {"format", "uri"}}},
        {"title", {{"type", "string"}}},
        {"status", {{"type", "integer"}}},
        {"detail", {{"type", "string"}}},
        {"instance", {{"type", "string"}}},
        {"errors", {{"type", "array"}, {"items", std::move(field_error)}}}}},
      {"required", bj::array{"type", "title", "status"}}};

  bj::object doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = bj::object{{"title", title}, {"version", version}};
  if (!tag_list.empty()) doc["tags"] = std::move(tag_list);
  doc["paths"] = std::move(paths);
  doc["components"] =
      bj::object{{"schemas", {{"Problem", std::move(problem_schema)}}},
                 {"securitySchemes",
                  {{"cookieAuth", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "tend_session"}}},
                   {"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}}}}};
  doc["security"] = auth_security;
  return doc;
}

}  // namespace tend::http
