#pragma once
//! Plain HTTP request and response values. No Beast here: modules include this, and only
//! server.cpp turns these into bytes on a socket.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/result.h"

namespace tend::http {

enum class Method { Get, Head, Post, Put, Patch, Delete, Options, Other };
std::string_view method_name(Method m);
Method parse_method(std::string_view s);

//! Header list with case-insensitive lookup. Order is kept.
class Headers {
 public:
  //! First value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  //! Replaces every value of `name` with `value`.
  void set(std::string_view name, std::string value);
  void add(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
  Method method = Method::Get;
  std::string method_text;                   //!< as received
  std::string target;                        //!< raw request target ("/api/v1/clients?q=ad")
  std::string path;                          //!< percent-decoded path without the query
  std::map<std::string, std::string> query;  //!< decoded query parameters (last one wins)
  Headers headers;
  std::string body;
  std::string remote_addr;                    //!< peer IP address
  bool secure = false;                        //!< arrived over TLS
  std::string request_id;                     //!< from X-Request-Id (if sane) or generated
  std::map<std::string, std::string> params;  //!< path parameters from the router
  std::string route;                          //!< the matched route pattern, for metrics and logs

  //! A path parameter set by the router ("" when absent).
  const std::string& param(const std::string& name) const;
  //! A query parameter or nullopt.
  std::optional<std::string> query_param(const std::string& name) const;
  //! A cookie value from the Cookie header, or nullopt.
  std::optional<std::string> cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  //! application/json body.
  static Response json(int status, const boost::json::value& body);
  //! application/problem+json (RFC 9457) built from an Error and the request it answers.
  static Response problem(const Error& error, std::string_view instance = {});
  static Response text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response no_content();
};

//! The Result's value as JSON with `status`, or its error as problem+json.
template <class T, class F>
Response respond(const Result<T>& r, int status, F&& to_json) {
  if (!r.ok()) return Response::problem(r.error());
  return Response::json(status, to_json(r.value()));
}

}  // namespace tend::http
