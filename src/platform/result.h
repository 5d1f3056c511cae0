#pragma once
//! Expected failures as values: every module returns Result<T> for what a caller can get wrong
//! (bad input, not found, conflict, forbidden). Exceptions are kept for driver failures.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tend {

//! The one table of error codes. Each maps to an HTTP status and a problem+json type in
//! errors.cpp; add a code there and here together.
enum class Errc {
  BadRequest,        //!< 400 malformed request (bad JSON, bad query parameter)
  Validation,        //!< 422 well-formed but invalid fields
  Unauthenticated,   //!< 401 no or bad credentials
  Forbidden,         //!< 403 authenticated but not allowed (only where existence is not secret)
  NotFound,          //!< 404 unknown id, or a record the caller may not see
  MethodNotAllowed,  //!< 405
  Conflict,          //!< 409 state conflict (duplicate, stale version)
  PayloadTooLarge,   //!< 413
  UnsupportedMedia,  //!< 415
  TooManyRequests,   //!< 429 rate limited or locked out
  Internal,          //!< 500 never for user input
  Unavailable,       //!< 503 not ready, shutting down
};

//! One field-level problem: `field` is a JSON pointer-ish dotted path ("date_of_birth").
struct FieldError {
  std::string field;
  std::string message;
};

//! An error value. `detail` names ids and fields, never client content.
struct Error {
  Errc code = Errc::Internal;
  std::string detail;
  std::vector<FieldError> errors;
  int retry_after_seconds = 0;  //!< for TooManyRequests; 0 = not set
};

inline Error make_error(Errc code, std::string detail, std::vector<FieldError> errors = {}) {
  return Error{code, std::move(detail), std::move(errors), 0};
}
inline Error not_found(std::string what) {
  return make_error(Errc::NotFound, what + " not found");
}
inline Error invalid(std::string field, std::string message) {
  std::string detail = "invalid field: " + field;
  return make_error(Errc::Validation, std::move(detail), {{std::move(field), std::move(message)}});
}

//! A value or an Error. Small and explicit in the spirit of std::expected (C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

//! Result of an operation with no value.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
  return Unit{};
}

}  // namespace tend
