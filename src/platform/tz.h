#pragma once
//! IANA time zones ("America/New_York") read from the system's zoneinfo: TZif files (RFC 8536,
//! package tzdata) and the POSIX TZ rule in their footer for instants after the last listed
//! transition. GCC 12's libstdc++ has no std::chrono time-zone database, hence this.
//!
//! Time points are Unix time (no leap seconds), whole seconds: sub-second parts are floored.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/clock.h"
#include "platform/result.h"

namespace tend {

//! Where tzdata installs the compiled zones on Debian and most other systems.
inline constexpr std::string_view k_default_zoneinfo_dir = "/usr/share/zoneinfo";

//! A civil (wall-clock) date and time in some zone, proleptic Gregorian calendar.
struct LocalTime {
  int year = 1970;
  int month = 1;    //!< 1..12
  int day = 1;      //!< 1..31
  int hour = 0;     //!< 0..23
  int minute = 0;   //!< 0..59
  int second = 0;   //!< 0..59
  int weekday = 4;  //!< 0 = Sunday .. 6 = Saturday; set by to_local, ignored by from_local

  friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

//! Which instant from_local picks when a wall-clock time happens twice (a fold: the clocks went
//! back, so 01:30 occurs first in summer time and an hour later in standard time).
enum class Choose {
  Earliest,  //!< the first occurrence (usually still summer time)
  Latest,    //!< the second occurrence
};

//! One IANA time zone. Immutable and cheap to copy (a shared pointer to the parsed zone);
//! safe to use from any number of threads. Default-constructed, it is UTC.
class TimeZone {
 public:
  TimeZone();

  //! Reads `<zoneinfo_dir>/<name>`. Errc::Validation naming the zone when the name is not of
  //! IANA form (see valid_zone_name), the zone does not exist, or its file is not a usable TZif
  //! file (files with leap-second records, the "right/" zones, are refused: TimePoint is Unix
  //! time). "UTC" always works, even without the file.
  static Result<TimeZone> load(std::string_view name,
                               std::string_view zoneinfo_dir = k_default_zoneinfo_dir);
  //! Parses TZif bytes (v1, or the 64-bit data and footer of v2 and later); `name` is what
  //! name() reports. Errc::Validation when the bytes are not a well-formed TZif file.
  static Result<TimeZone> from_tzif(std::string name, std::string_view bytes);
  //! A zone given only by a POSIX TZ rule such as "EST5EDT,M3.2.0,M11.1.0" or "<+0330>-3:30",
  //! with the RFC 8536 extensions (rule times from -167 to 167 hours). A rule without dates
  //! (`EST5EDT`) uses the US rule ",M3.2.0,M11.1.0", as tzcode does. name() is `spec`.
  static Result<TimeZone> from_posix_tz(std::string_view spec);

  //! The name given to load() or from_tzif(), the POSIX TZ rule, or "UTC" for the default.
  const std::string& name() const;

  //! Local time minus UTC at `utc`: -05:00 in New York in winter is -18000 s.
  std::chrono::seconds offset_at(TimePoint utc) const;
  //! The abbreviation in use at `utc`, e.g. "EST", "EDT", "+0530".
  std::string abbreviation_at(TimePoint utc) const;
  //! Whether summer (daylight saving) time is in effect at `utc`.
  bool is_dst_at(TimePoint utc) const;
  //! The first instant after `utc` at which the offset, abbreviation or DST flag changes;
  //! nullopt when nothing changes ever again (a zone without DST).
  std::optional<TimePoint> next_transition(TimePoint utc) const;

  //! The wall-clock time at `utc`, with its weekday.
  LocalTime to_local(TimePoint utc) const;
  //! The instant at which the wall clock shows `local` (weekday ignored). Fields out of range are
  //! carried like timegm does (day 32 of January is February 1, hour 24 is midnight next day),
  //! so "the next day at 09:00" is `local.day += 1` then from_local. A time in a gap (skipped
  //! when the clocks went forward) moves forward by the gap: 02:30 on a day that jumps from
  //! 02:00 to 03:00 gives 03:30. A time in a fold is resolved by `choose`. Results beyond what
  //! TimePoint holds (years before 1678 or after 2261) saturate at TimePoint::min()/max().
  TimePoint from_local(const LocalTime& local, Choose choose = Choose::Earliest) const;

 private:
  struct Data;  // the parsed zone, in tz.cpp
  explicit TimeZone(std::shared_ptr<const Data> data);
  std::shared_ptr<const Data> data_;
};

//! True for names of IANA form: 1 to 64 characters of letters, digits, '/', '_', '-' and '+',
//! made of non-empty '/'-separated parts that do not begin with '-' ("Etc/GMT+5" is fine;
//! "../etc/passwd", "/etc/x", "a//b" and "" are not). Says nothing about whether the zone exists.
bool valid_zone_name(std::string_view name);

//! The zone `name` from the system's zoneinfo, loaded once per process and then shared
//! (thread-safe). Errors as TimeZone::load; failures are not cached.
Result<TimeZone> time_zone(std::string_view name);

}  // namespace tend
