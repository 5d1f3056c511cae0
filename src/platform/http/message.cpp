#include "platform/http/message.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "platform/errors.h"

namespace tend::http {
namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> k_methods = {{
    {Method::Get, "GET"},
    {Method::Head, "HEAD"},
    {Method::Post, "POST"},
    {Method::Put, "PUT"},
    {Method::Patch, "PATCH"},
    {Method::Delete, "DELETE"},
    {Method::Options, "OPTIONS"},
}};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Optional white space around cookie pairs (RFC 6265 §5.2 is lenient; browsers send "; ").
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view method_name(Method m) {
  for (const auto& [method, name] : k_methods) {
    if (method == m) return name;
  }
  return "OTHER";
}

Method parse_method(std::string_view s) {
  // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  for (const auto& [method, name] : k_methods) {
    if (name == s) return method;
  }
  return Method::Other;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void Headers::set(std::string_view name, std::string value) {
  std::erase_if(items_, [&](const auto& kv) { return iequals(kv.first, name); });
  items_.emplace_back(std::string(name), std::move(value));
}

void Headers::add(std::string name, std::string value) {
  items_.emplace_back(std::move(name), std::move(value));
}

const std::string& Request::param(const std::string& name) const {
  static const std::string k_empty;
  auto it = params.find(name);
  return it == params.end() ? k_empty : it->second;
}

std::optional<std::string> Request::query_param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  // A client should send one Cookie header (RFC 6265 §5.4), but tolerate several.
  for (const auto& [key, value] : headers.all()) {
    if (!iequals(key, "Cookie")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view pair = trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;      // not a name=value pair: ignored (§5.2)
      if (trim(pair.substr(0, eq)) != name) continue;  // cookie names are case-sensitive
      std::string_view v = trim(pair.substr(eq + 1));
      // cookie-value may be wrapped in DQUOTEs, which are not part of the value (§4.1.1).
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
  }
  return std::nullopt;
}

Response Response::json(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  // '<', '>' and '&' only ever occur inside JSON strings; escaping them keeps a response that
  // is mistakenly rendered as HTML from ever containing markup.
  const std::string raw = boost::json::serialize(body);
  r.body.reserve(raw.size());
  for (char c : raw) {
    switch (c) {
      case '<':
        r.body += "\\u003c";
        break;
      case '>':
        r.body += "\\u003e";
        break;
      case '&':
        r.body += "\\u0026";
        break;
      default:
        r.body += c;
    }
  }
  return r;
}

Response Response::problem(const Error& error, std::string_view instance) {
  const ErrorInfo& info = error_info(error.code);
  boost::json::object o;
  o["type"] = std::string(k_problem_type_base) + std::string(info.type);
  o["title"] = info.title;
  o["status"] = info.http_status;
  o["detail"] = error.detail;
  if (!instance.empty()) o["instance"] = instance;
  if (!error.errors.empty()) {
    boost::json::array list;
    list.reserve(error.errors.size());
    for (const auto& fe : error.errors) {
      list.push_back(boost::json::object{{"field", fe.field}, {"message", fe.message}});
    }
    o["errors"] = std::move(list);
  }
  Response r;
  r.status = info.http_status;
  r.headers.set("Content-Type", "application/problem+json");
  if (error.retry_after_seconds > 0) {
    r.headers.set("Retry-After", std::to_string(error.retry_after_seconds));
  }
  r.body = boost::json::serialize(o);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::event_stream(std::shared_ptr<Stream> stream) {
  Response r;
  r.status = 200;
  r.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("X-Accel-Buffering", "no");  // proxies must pass events on at once
  r.stream = std::move(stream);
  return r;
}

}  // namespace tend::http
