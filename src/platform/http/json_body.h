#pragma once
//! Reading a JSON request body with the checks every JSON route needs.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <utility>
#include <vector>

#include "platform/http/message.h"
#include "platform/result.h"

namespace tend::http {

//! The body as one JSON object: 415 unless Content-Type is application/json, 400 for
//! malformed JSON or invalid UTF-8.
Result<boost::json::object> json_body(const Request& req);

//! A query parameter as an integer in [min, max]; `fallback` when absent; 400 naming it when
//! it is not a whole number in range.
Result<int> int_query(const Request& req, const std::string& name, int fallback, int min, int max);

//! `{items: [...]}` with each of `r` as `to_json` gives it, or the error as a problem.
template <class T, class F>
Response items_or_problem(const Result<std::vector<T>>& r, F&& to_json) {
  if (!r) return Response::problem(r.error());
  boost::json::array items;
  for (const auto& x : *r) items.push_back(to_json(x));
  return Response::json(200, boost::json::object{{"items", std::move(items)}});
}

}  // namespace tend::http
