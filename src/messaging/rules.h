#pragma once
//! Secure messages: the pure decisions. Office hours (parsed from the `office_hours` setting,
//! open or closed at an instant, the next opening and how to say it), the automatic reply a
//! client gets outside them, the checks on a subject and a body, and the e-mail notice (which
//! never carries the message). No I/O, no clock reads: the instant and the zone come in.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "platform/result.h"
#include "platform/tz.h"

namespace tend::messaging {

//! One opening on a weekday: minutes after local midnight, `from` < `to` ≤ 1440.
struct Window {
  int from = 0;
  int to = 0;
  friend bool operator==(const Window&, const Window&) = default;
};

//! When the care team reads messages, in the service's zone: windows per weekday
//! (0 = Sunday … 6 = Saturday), sorted and not overlapping.
struct OfficeHours {
  std::array<std::vector<Window>, 7> days;
  //! True when no day has a window (the service never reads messages on a schedule).
  bool empty() const;
};

namespace rules {

//! Limits on what a person writes, in characters (Unicode code points).
inline constexpr std::size_t k_subject_max = 120;
inline constexpr std::size_t k_body_max = 5000;

//! Parses the `office_hours` setting: groups separated by ';', each `DAYS HH:MM-HH:MM`, where
//! DAYS is a day (`mon`), a range (`mon-fri`, wrapping allowed: `sat-sun`), or days joined by
//! ',' (`mon,wed,fri`); times are 24-hour, the end after the start, `24:00` allowed as an end.
//! Several groups may name the same day (`mon-fri 09:00-12:00; mon-fri 13:00-17:00`), but their
//! windows may not overlap. Example: `mon-fri 09:00-17:00`. Errors are Validation naming what
//! is wrong ("office_hours: 'mon-fri 9-5': times are HH:MM-HH:MM").
Result<OfficeHours> parse_office_hours(std::string_view text);

//! The hours in words: "Monday to Friday 09:00–17:00", "Monday 09:00–12:00, 13:00–17:00;
//! Saturday 10:00–12:00". Consecutive days with the same windows are joined.
std::string describe(const OfficeHours& h);

//! Open at the wall-clock time `local` (its weekday, hour and minute).
bool is_open(const OfficeHours& h, const LocalTime& local);
//! Open at `t` in `zone`.
bool is_open(const OfficeHours& h, const TimeZone& zone, TimePoint t);

//! The next instant after `t` at which the office opens (the start of a window); nullopt when
//! the hours are empty. If `t` falls inside a window, the next window's start, not this one's.
//! A window starting in a gap of the clock change opens when the wall clock reaches it (02:30 on
//! a day that jumps from 02:00 to 03:00 opens at 03:30, see TimeZone::from_local).
std::optional<TimePoint> next_opening(const OfficeHours& h, const TimeZone& zone, TimePoint t);

//! The opening `at` in words, relative to `now` (both wall-clock times in the service's
//! zone): "today at 09:00", "tomorrow at 09:00", "on Monday 7 December at 09:00"; `zone_abbr`
//! (e.g. "EST") is added when not empty: "tomorrow at 09:00 EST".
std::string opening_in_words(const LocalTime& at, const LocalTime& now, std::string_view zone_abbr);

//! The automatic reply to a message written while closed: when the team will read it (`when`,
//! from opening_in_words) and, plainly, that messages are not watched now and to use the crisis
//! lines if not safe. Never mentions what the client wrote.
std::string auto_reply_text(std::string_view when);

//! Checks a subject or body the person wrote: 1 to `max` characters, not only white space.
//! The error names `field`. Returns the text with surrounding white space removed.
Result<std::string> check_text(std::string_view field, std::string_view text, std::size_t max);

//! Characters (Unicode code points) in UTF-8 text.
std::size_t characters(std::string_view utf8);

//! The e-mail notice of a new message: only that there is one, and where to read it. Never the
//! text, the subject, the sender or their role.
struct Notice {
  std::string subject;
  std::string body;
};
//! `link` is the page to open (e.g. "https://tend.example.org/portal/messages"); may be empty.
Notice notice_mail(std::string_view link);

}  // namespace rules
}  // namespace tend::messaging
