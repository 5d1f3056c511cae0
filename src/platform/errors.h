#pragma once
//! The error table: HTTP status, problem+json type and title for each Errc.

#include <string_view>

#include "platform/result.h"

namespace tend {

struct ErrorInfo {
  Errc code;
  int http_status;
  std::string_view type;   //!< appended to the problem type base URI
  std::string_view title;  //!< short, human, stable
};

//! Looks up the row for `code` (every Errc has one).
const ErrorInfo& error_info(Errc code);

//! Base of the problem+json `type` URIs: "https://tend.example/problems/".
inline constexpr std::string_view k_problem_type_base = "https://tend.dev/problems/";

}  // namespace tend
