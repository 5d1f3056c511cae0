#include "platform/errors.h"

#include <array>

namespace tend {
namespace {
constexpr std::array k_table = {
    ErrorInfo{Errc::BadRequest, 400, "bad-request", "Bad request"},
    ErrorInfo{Errc::Validation, 422, "validation", "Some fields are not valid"},
    ErrorInfo{Errc::Unauthenticated, 401, "unauthenticated", "Sign-in required"},
    ErrorInfo{Errc::Forbidden, 403, "forbidden", "Not allowed"},
    ErrorInfo{Errc::NotFound, 404, "not-found", "Not found"},
    ErrorInfo{Errc::MethodNotAllowed, 405, "method-not-allowed", "Method not allowed"},
    ErrorInfo{Errc::Conflict, 409, "conflict", "Conflict"},
    ErrorInfo{Errc::PayloadTooLarge, 413, "payload-too-large", "Request body too large"},
    ErrorInfo{Errc::UnsupportedMedia, 415, "unsupported-media-type", "Unsupported media type"},
    ErrorInfo{Errc::TooManyRequests, 429, "too-many-requests", "Too many requests"},
    ErrorInfo{Errc::Internal, 500, "internal", "Internal error"},
    ErrorInfo{Errc::Unavailable, 503, "unavailable", "Service unavailable"},
};
}  // namespace

const ErrorInfo& error_info(Errc code) {
  for (const auto& row : k_table) {
    if (row.code == code) return row;
  }
  return k_table[10];
}

}  // namespace tend
