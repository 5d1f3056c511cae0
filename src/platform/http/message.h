#pragma once
//! Plain HTTP request and response values. No Beast here: modules include this, and only
//! server.cpp turns these into bytes on a socket.

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

//! A response body produced over time: server-sent events. The server calls attach() once
//! the headers are out, then take() on its own thread whenever the waker has been called (from
//! any thread) or a heartbeat is due, and detach() when the connection ends for any reason.
class Stream {
 public:
  virtual ~Stream() = default;
  //! `wake` is thread-safe and cheap; call it when take() has something new.
  virtual void attach(std::function<void()> wake) = 0;
  //! Everything ready to send now ("" when nothing). Sets `ended` to finish the response.
  virtual std::string take(bool& ended) = 0;
  //! The connection is gone or the server is stopping; take() is not called again.
  virtual void detach() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  //! When set, the body is streamed (chunked) from here instead of `body`.
  std::shared_ptr<Stream> stream;

  //! 200 text/event-stream, never cached, streamed from `stream`.
  static Response event_stream(std::shared_ptr<Stream> stream);

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
