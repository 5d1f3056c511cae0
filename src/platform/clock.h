#pragma once
//! Time is injected: production uses SystemClock, tests FakeClock::advance().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace tend {

using TimePoint = std::chrono::system_clock::time_point;

//! Source of wall-clock time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  //! Seconds since the Unix epoch.
  std::int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
  //! Milliseconds since the Unix epoch (how the database stores instants).
  std::int64_t unix_ms() const;
};

//! `t` as milliseconds since the Unix epoch, and back.
inline std::int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix_ms(std::int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}
inline std::int64_t Clock::unix_ms() const {
  return tend::unix_ms(now());
}

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

//! A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t unix_seconds = 1'767'225'600)  // 2026-01-01T00:00:00Z
      : micros_(unix_seconds * 1'000'000) {}
  TimePoint now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }
  void set(std::int64_t unix_seconds) { micros_ = unix_seconds * 1'000'000; }

 private:
  std::atomic<std::int64_t> micros_;
};

//! RFC 3339 UTC with millisecond precision: "2026-01-01T00:00:00.000Z".
std::string format_rfc3339(TimePoint t);
//! Parses RFC 3339 (with Z or offset); returns false on anything else.
bool parse_rfc3339(std::string_view s, TimePoint& out);
//! Parses a calendar date "YYYY-MM-DD" that exists (leap years checked).
bool parse_date(std::string_view s, int& year, int& month, int& day);
//! Days since 1970-01-01 for a valid civil date.
std::int64_t days_from_civil(int y, int m, int d);
//! Today's date in UTC as "YYYY-MM-DD".
std::string format_date(TimePoint t);

}  // namespace tend
