#pragma once
//! Pure decisions about durable jobs: when a failed job runs again, and when it is given up.

#include <chrono>
#include <cstdint>
#include <string_view>

namespace tend::jobs::rules {

//! Delay before attempt `attempts + 1` after `attempts` failed ones: 10 s doubling, capped at
//! one hour (10 s, 20 s, 40 s, … 1 h). Deterministic, so tests and operators can predict it.
std::chrono::milliseconds retry_delay(int attempts);

//! True when a job that has failed `attempts` times (of `max_attempts`) is dead.
bool exhausted(int attempts, int max_attempts);

//! A job kind is a dotted lower-case name ("crisis.escalate"), 1–64 characters.
bool valid_kind(std::string_view kind);

//! The states a job can be in.
bool valid_state(std::string_view state);

}  // namespace tend::jobs::rules
