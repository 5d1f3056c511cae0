#pragma once
//! Reading a JSON request body with the checks every JSON route needs.

#include <boost/json/object.hpp>

#include "platform/http/message.h"
#include "platform/result.h"

namespace tend::http {

//! The body as one JSON object: 415 unless Content-Type is application/json, 400 for
//! malformed JSON or invalid UTF-8.
Result<boost::json::object> json_body(const Request& req);

//! A query parameter as an integer in [min, max]; `fallback` when absent; 400 naming it when
//! it is not a whole number in range.
Result<int> int_query(const Request& req, const std::string& name, int fallback, int min, int max);

}  // namespace tend::http
