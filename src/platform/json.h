#pragma once
//! Strict JSON input: parse a request body and read an object's fields with every problem
//! collected as a FieldError (unknown fields, wrong types, over-long strings).

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

namespace tend::json {

namespace bj = boost::json;

//! Parses `body` as one JSON object. Refuses malformed JSON, invalid UTF-8, nesting deeper
//! than 32, and anything but an object, with a BadRequest that says which.
Result<bj::object> parse_object(std::string_view body);

//! Rules for one string field.
struct Str {
  bool required = false;
  std::size_t max_len = 200;  //!< in bytes of UTF-8
  std::size_t min_len = 0;    //!< a required string must have at least max(1, min_len)
};

//! Reads fields of one JSON object strictly. Every accessor marks the key as known; finish()
//! reports any key never asked for as "unknown field". Not thread-safe; one per request.
class FieldReader {
 public:
  explicit FieldReader(const bj::object& obj, std::string prefix = "");

  //! A string field. Absent → nullopt (error if required); null → nullopt; other type → error.
  std::optional<std::string> string(std::string_view key, Str rule = {});
  std::optional<bool> boolean(std::string_view key, bool required = false);
  std::optional<std::int64_t> integer(std::string_view key, bool required = false,
                                      std::int64_t min = INT64_MIN, std::int64_t max = INT64_MAX);
  //! The raw value, or nullptr when absent. Marks the key known.
  const bj::value* raw(std::string_view key);
  //! True when the key is present (with any value, null included). Marks it known.
  bool has(std::string_view key);
  //! True when the key is present with the value null. Marks it known.
  bool is_null(std::string_view key);

  void add_error(std::string field, std::string message);
  std::string path(std::string_view key) const;
  bool failed() const { return !errors_.empty(); }
  const std::vector<FieldError>& errors() const { return errors_; }

  //! Reports unknown fields and returns Validation with every error collected, or ok.
  Status finish();

 private:
  const bj::object& obj_;
  std::string prefix_;
  std::set<std::string, std::less<>> known_;
  std::vector<FieldError> errors_;
};

//! `s` as a JSON string value, or null for nullopt.
inline bj::value opt(const std::optional<std::string>& s) {
  return s ? bj::value(*s) : bj::value(nullptr);
}

//! The time `ms` (Unix milliseconds) as an RFC 3339 string value, or null for nullopt.
bj::value opt_time(const std::optional<std::int64_t>& ms);

}  // namespace tend::json
