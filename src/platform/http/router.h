#pragma once
//! Routes registered in one table. Each route documents itself; the OpenAPI document is built
//! from that table (openapi.cpp), so a route cannot be served without being described.

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "platform/http/message.h"

namespace tend::http {

using Handler = std::function<Response(Request&)>;

//! What the OpenAPI document says about a route.
struct RouteDoc {
  std::string summary;
  std::string tag;
  boost::json::object request_schema;                  //!< JSON Schema of the body (empty: no body)
  std::vector<std::pair<int, std::string>> responses;  //!< status, description
  std::vector<std::string> query;                      //!< query parameter names
  bool authenticated = true;
};

struct Route {
  Method method;
  std::string pattern;                //!< "/api/v1/clients/{id}"
  std::vector<std::string> segments;  //!< split pattern
  Handler handler;
  RouteDoc doc;
};

//! Fluent handle to describe a route after adding it.
class RouteBuilder {
 public:
  explicit RouteBuilder(Route& r) : r_(r) {}
  RouteBuilder& summary(std::string s, std::string tag);
  RouteBuilder& body(boost::json::object schema);
  RouteBuilder& returns(int status, std::string description);
  RouteBuilder& query(std::string name);
  RouteBuilder& open();  //!< no authentication needed
 private:
  Route& r_;
};

class Router {
 public:
  //! Registers `handler` for `method` and `pattern` ({name} marks a path parameter).
  RouteBuilder add(Method method, std::string pattern, Handler handler);
  //! Finds the route, fills req.params and req.route, and calls it. 404 problem for no path,
  //! 405 with Allow for a known path with another method.
  Response dispatch(Request& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // deque-like stability is not needed: built before serving
};

//! Builds the OpenAPI 3.1 document for every route.
boost::json::object openapi_document(const Router& router, std::string_view title,
                                     std::string_view version);

}  // namespace tend::http
