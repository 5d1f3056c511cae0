#pragma once
//! Pure decisions of the care pathway: which moves an episode of care may make and on which
//! dates, and the waiting times its dates give. No I/O, no clock: "today" comes in.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "care/model.h"

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

}  // namespace tend::care::rules
