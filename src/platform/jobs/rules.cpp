#include "platform/jobs/rules.h"

#include <algorithm>

namespace tend::jobs::rules {

std::chrono::milliseconds retry_delay(int attempts) {
  constexpr std::int64_t k_first_ms = 10'000;
  constexpr std::int64_t k_cap_ms = 3'600'000;
  const int doublings = std::clamp(attempts - 1, 0, 20);
  return std::chrono::milliseconds(std::min(k_first_ms << doublings, k_cap_ms));
}

bool exhausted(int attempts, int max_attempts) {
  return attempts >= std::max(max_attempts, 1);
}

bool valid_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 64 || kind.front() == '.' || kind.back() == '.') return false;
  return std::all_of(kind.begin(), kind.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_';
  });
}

bool valid_state(std::string_view state) {
  return state == "pending" || state == "running" || state == "done" || state == "dead" ||
         state == "cancelled";
}

}  // namespace tend::jobs::rules
