#pragma once
//! Pure decisions of the daily check-in: reading a check-in and the factor list, streaks
//! without guilt, careful patterns, chart points, the diary as CSV, and the facts crisis
//! detection takes from a check-in. No I/O, no clock: "today" comes in as the client's local
//! date.

#include <boost/json/value.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crisis/rules.h"
#include "platform/content.h"
#include "platform/result.h"
#include "tracking/model.h"

namespace tend::tracking::rules {

//! An offline check-in may be sent late, but not for a day more than this many days before
//! today: the phone keeps a week of check-ins; older ones would be memories, not check-ins.
inline constexpr int k_max_days_late = 7;
//! The longest note, in characters (Unicode code points).
inline constexpr std::size_t k_note_max = 500;
//! A pattern is stated only with at least this many days with and without the factor…
inline constexpr int k_pattern_min_days = 5;
//! …and a difference in mean mood of at least this many points.
inline constexpr int k_pattern_min_points = 1;
//! Charts over a span longer than this many days show ISO-week means instead of days.
inline constexpr int k_series_max_daily_days = 62;

std::string_view kind_name(FactorKind k);
std::string_view medication_name(Medication m);
std::string_view field_name(Field f);
std::optional<Field> parse_field(std::string_view s);

//! The factor list (content/tracking/factors.json's format, see its README). Errors name the
//! field ("factors[2].id").
Result<std::vector<Factor>> parse_factors(std::string_view text);
//! The embedded `tracking/factors.json` of `files`; an error's detail starts with its path.
Result<std::vector<Factor>> load_factors(const std::vector<content::File>& files);

//! Reads a check-in body: `date`, `mood` required; `anxiety`, `sleep_hours`, `sleep_quality`,
//! `energy`, `self_harm_urge`, `medication` ("yes", "no", "not_applicable"), `factors`
//! (ids, each in `known_factors`, once), `note`, `share_note` optional. A Validation error
//! lists every field at fault: wrong type, out of range, unknown key or factor, a date after
//! `today` or more than k_max_days_late before it.
Result<CheckIn> check_in(const boost::json::value& body, std::string_view today,
                         const std::set<std::string>& known_factors);

//! Streaks from the dates of the client's check-ins ("YYYY-MM-DD", any order, repeats and
//! dates after `today` ignored).
Streak streak(const std::vector<std::string>& dates, std::string_view today);

//! Mood on days with and without `factor` (one check-in a day). A verdict only when both
//! groups have k_pattern_min_days and the means differ by k_pattern_min_points or more;
//! otherwise the text says there are not enough days yet, or no clear difference.
Pattern pattern(const std::vector<CheckIn>& checkins, const Factor& factor);

//! Chart points of `field` for check-ins dated from `from` to `to` inclusive, by date: one a
//! day, or, when the span is longer than k_series_max_daily_days, the mean of each ISO week
//! (a week cut by the span counts only its days inside). Skipped ratings make no point.
std::vector<Point> series(const std::vector<CheckIn>& checkins, std::string_view from,
                          std::string_view to, Field field);

//! Who a diary export is for: the client (every note) or their care team (shared notes only).
enum class Reader { Client, CareTeam };
//! The diary as CSV (RFC 4180, CRLF): a header row, one row per check-in by date, ratings as
//! numbers (skipped ones empty), one 0/1 column per factor of `factors` (headed by its label),
//! medication as yes/no/not_applicable, and the note column. Text that starts with = + - @,
//! tab or carriage return is prefixed with ' so that a spreadsheet does not run it.
std::string to_csv(const std::vector<CheckIn>& checkins, const std::vector<Factor>& factors,
                   Reader reader);

//! The highest self-harm urge a check-in records (its scale is 0–5).
inline constexpr int k_self_harm_urge_max = 5;
//! Why crisis rules do not fit the check-in, or ok: every `check_in.self_harm_urge` threshold
//! must be one a check-in can reach (at most k_self_harm_urge_max), or the rule would never
//! fire. For start-up, beside crisis::rules::check_instruments.
Status check_crisis_rules(const crisis::rules::RiskConfig& cfg);

//! What crisis detection takes from check-in `id`: its self-harm urge (the check-in's own 0–5
//! value, not rescaled) and mood, and the moods of `earlier` check-ins dated in the
//! `within_days` days before it (the mood-drop rule's window).
crisis::rules::CheckIn crisis_signal(const CheckIn& c, const std::string& id,
                                     const std::vector<CheckIn>& earlier, int within_days);

//! `date` moved by `days` (negative: earlier), or nullopt when `date` is not a real
//! "YYYY-MM-DD".
std::optional<std::string> shift_date(std::string_view date, int days);

//! Minutes after midnight of a reminder time "HH:MM" (00:00–23:59), or nullopt.
std::optional<int> reminder_minute(std::string_view hhmm);

//! An e-mail's subject and plain-text body.
struct Mail {
  std::string subject;
  std::string body;
};
//! The daily check-in reminder. It says nothing clinical (no mood, no condition, no name: an
//! inbox may be shared), only that it is a reminder and where the portal is (`base_url`
//! + "/portal"; just the words when Tend's address is not set).
Mail reminder_mail(std::string_view base_url);

}  // namespace tend::tracking::rules
