#pragma once
//! Pure decisions of the care pathway: which moves an episode of care may make and on which
//! dates, and the waiting times its dates give. No I/O, no clock: "today" comes in.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "care/model.h"
#include "platform/tz.h"

namespace tend::care::rules {

std::string_view stage_name(Stage s);
std::optional<Stage> parse_stage(std::string_view s);
//! Referred, Waitlist, Intake and Active.
bool is_open(Stage s);

//! The stages an episode at `from` may move to, in the order a person would offer them:
//! referred → waitlist or intake; waitlist → intake; intake → active (treatment) or
//! discharged (assessed and signposted); active → discharged; and from any open stage before
//! treatment, declined; from any open stage, transferred. An ended episode moves no more.
std::vector<Stage> next_stages(Stage from);

//! Why `e` cannot move to `to` on date `on` (a reason for the `field` named), or nullopt when
//! it can. `on` must be a real date, not after `today`, and not before the date of the step
//! before it; a transfer needs `transferred_to`.
struct Refusal {
  std::string field;
  std::string message;
  bool conflict = false;  //!< the episode's stage does not allow it (409) rather than bad input
};
std::optional<Refusal> check_step(const Episode& e, Stage to, std::string_view on,
                                  std::string_view today, std::string_view transferred_to);

//! Applies a step check_step() accepted: the stage and its date.
void apply_step(Episode& e, Stage to, const std::string& on, const std::string& transferred_to);

//! Whole days from date `a` to date `b` (both "YYYY-MM-DD"; negative when b is earlier).
int days_between(std::string_view a, std::string_view b);

//! The waiting times of `program` from its episodes (those of other programs are ignored).
//! Medians and the 90th centile interpolate between ranks; absent with no episodes to count.
ProgramWaits waits(const std::string& program, const std::vector<Episode>& episodes,
                   std::string_view today);

// ---- tasks --------------------------------------------------------------------------------

//! call, letter, review or other.
bool valid_task_kind(std::string_view kind);
//! Overdue when `due_on` is before `today`, Today on the day, else Upcoming.
Due due_state(std::string_view due_on, std::string_view today);
std::string_view due_name(Due d);
//! Open tasks in the order a person works through them: overdue first (oldest first), then
//! today's, then upcoming by date; ties by id, so the order is stable.
void sort_for_work(std::vector<Task>& tasks, std::string_view today);

// ---- appointments -------------------------------------------------------------------------

bool valid_appointment_kind(std::string_view kind);
bool valid_appointment_mode(std::string_view mode);
//! Why an appointment of these times cannot be booked (field and reason), or nullopt: it must
//! end after it starts and last from 5 minutes to 8 hours.
std::optional<Refusal> check_times(std::int64_t starts_at_ms, std::int64_t ends_at_ms);
//! Two half-open spans [a, b) and [c, d) share time (back to back does not).
bool overlaps(std::int64_t a_start, std::int64_t a_end, std::int64_t b_start, std::int64_t b_end);
//! booked → arrived, attended, cancelled or no_show; arrived → attended or no_show; the others
//! are final. Refusal (conflict) naming what may follow, or nullopt.
std::optional<Refusal> check_status(std::string_view from, std::string_view to);
//! A cancellation less than 24 hours before the start is late.
bool late_cancellation(std::int64_t starts_at_ms, std::int64_t cancelled_at_ms);

//! The most appointments one repeat rule books (a year of weekly sessions).
inline constexpr int k_max_series = 52;
//! Why a repeat rule cannot be used (field and reason), or nullopt: every 1, 2, 3 or 4 weeks,
//! 2 to k_max_series times.
std::optional<Refusal> check_repeat(int every_weeks, int count);
//! The [start, end) spans of a series whose first appointment is [starts_at, ends_at): `count`
//! appointments `every_weeks` apart, at the same wall-clock time in `zone` (10:00 stays 10:00
//! when the clocks change) and of the same length. The first is the one given.
std::vector<std::pair<std::int64_t, std::int64_t>> occurrences(const TimeZone& zone,
                                                               std::int64_t starts_at_ms,
                                                               std::int64_t ends_at_ms,
                                                               int every_weeks, int count);
//! When to send an appointment's reminder: 24 hours before it starts, or nullopt when that
//! moment is already past at `now_ms` (a booking for tomorrow morning gets no reminder).
std::optional<std::int64_t> reminder_due(std::int64_t starts_at_ms, std::int64_t now_ms);
bool valid_change_request_kind(std::string_view kind);
//! "on Thu 10 Dec 2026 10:00–10:50 EST": an appointment's day and times in a zone, as people
//! say them (the end's date is left out; the abbreviation when given).
std::string format_span(const LocalTime& start, const LocalTime& end, std::string_view abbrev);
//! A reminder e-mail. It names the time and how to attend, never the service's kind of care,
//! the clinician or anything clinical: mailboxes are shared and phones are seen by others.
struct ReminderMail {
  std::string subject;
  std::string body;
};
//! `when` as format_span gives it; `base_url` of the portal (may be empty).
ReminderMail reminder_mail(const std::string& when, std::string_view mode, std::string_view room,
                           std::string_view meeting_url, std::string_view base_url);
//! The first and second attended appointments of an episode: the earliest two of `seen` (dates
//! "YYYY-MM-DD" of the client's attended appointments, any order) on or after the referral and
//! not after the episode ended. Fills `first_seen_on` and `second_seen_on`.
void set_seen(Episode& e, std::vector<std::string> seen);

}  // namespace tend::care::rules
