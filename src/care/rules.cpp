#include "care/rules.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "platform/clock.h"

namespace tend::care::rules {
namespace {

constexpr std::array<std::string_view, 7> k_stages = {
    "referred", "waitlist", "intake", "active", "discharged", "declined", "transferred"};

std::int64_t day_number(std::string_view date) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(date, y, m, d)) return 0;
  return days_from_civil(y, m, d);
}

//! The date of the step that brought `e` to where it is now (the referral date when that
//! step's date is missing, which a stored episode never has).
const std::string& current_date(const Episode& e) {
  const std::optional<std::string>* d = nullptr;
  switch (e.stage) {
    case Stage::Waitlist:
      d = &e.waitlisted_on;
      break;
    case Stage::Intake:
      d = &e.intake_on;
      break;
    case Stage::Active:
      d = &e.active_on;
      break;
    case Stage::Discharged:
    case Stage::Declined:
    case Stage::Transferred:
      d = &e.ended_on;
      break;
    case Stage::Referred:
      break;
  }
  return d != nullptr && d->has_value() ? **d : e.referred_on;
}

std::optional<double> centile(std::vector<int> xs, double p) {
  if (xs.empty()) return std::nullopt;
  std::sort(xs.begin(), xs.end());
  const double k = (static_cast<double>(xs.size()) - 1) * p;
  const auto f = static_cast<std::size_t>(std::floor(k));
  const std::size_t c = std::min(f + 1, xs.size() - 1);
  return xs[f] + (xs[c] - xs[f]) * (k - static_cast<double>(f));
}

std::string joined(const std::vector<Stage>& stages) {
  std::string out;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (i > 0) out += i + 1 == stages.size() ? " or " : ", ";
    out += std::string(stage_name(stages[i]));
  }
  return out;
}

}  // namespace

std::string_view stage_name(Stage s) {
  return k_stages[static_cast<std::size_t>(s)];
}

std::optional<Stage> parse_stage(std::string_view s) {
  for (std::size_t i = 0; i < k_stages.size(); ++i) {
    if (k_stages[i] == s) return static_cast<Stage>(i);
  }
  return std::nullopt;
}

bool is_open(Stage s) {
  return s == Stage::Referred || s == Stage::Waitlist || s == Stage::Intake || s == Stage::Active;
}

std::vector<Stage> next_stages(Stage from) {
  switch (from) {
    case Stage::Referred:
      return {Stage::Waitlist, Stage::Intake, Stage::Declined, Stage::Transferred};
    case Stage::Waitlist:
      return {Stage::Intake, Stage::Declined, Stage::Transferred};
    case Stage::Intake:
      return {Stage::Active, Stage::Discharged, Stage::Declined, Stage::Transferred};
    case Stage::Active:
      return {Stage::Discharged, Stage::Transferred};
    case Stage::Discharged:
    case Stage::Declined:
    case Stage::Transferred:
      break;
  }
  return {};
}

std::optional<Refusal> check_step(const Episode& e, Stage to, std::string_view on,
                                  std::string_view today, std::string_view transferred_to) {
  const auto next = next_stages(e.stage);
  if (std::find(next.begin(), next.end(), to) == next.end()) {
    const std::string from(stage_name(e.stage));
    if (next.empty()) {
      return Refusal{"stage", "the episode has ended (" + from + "); open a new one", true};
    }
    return Refusal{"stage",
                   "cannot go from " + from + " to " + std::string(stage_name(to)) +
                       "; next can be " + joined(next),
                   true};
  }
  int y = 0, m = 0, d = 0;
  if (!parse_date(on, y, m, d)) return Refusal{"on", "must be a date, YYYY-MM-DD"};
  if (day_number(on) > day_number(today)) return Refusal{"on", "must not be in the future"};
  const std::string& before = current_date(e);
  if (day_number(on) < day_number(before)) {
    return Refusal{"on", "must not be before the step before it (" + before + ")"};
  }
  if (to == Stage::Transferred && transferred_to.empty()) {
    return Refusal{"transferred_to", "is required for a transfer: where to"};
  }
  return std::nullopt;
}

void apply_step(Episode& e, Stage to, const std::string& on, const std::string& transferred_to) {
  e.stage = to;
  switch (to) {
    case Stage::Waitlist:
      e.waitlisted_on = on;
      break;
    case Stage::Intake:
      e.intake_on = on;
      break;
    case Stage::Active:
      e.active_on = on;
      break;
    case Stage::Discharged:
    case Stage::Declined:
      e.ended_on = on;
      break;
    case Stage::Transferred:
      e.ended_on = on;
      e.transferred_to = transferred_to;
      break;
    case Stage::Referred:
      e.referred_on = on;
      break;
  }
}

int days_between(std::string_view a, std::string_view b) {
  return static_cast<int>(day_number(b) - day_number(a));
}

ProgramWaits waits(const std::string& program, const std::vector<Episode>& episodes,
                   std::string_view today) {
  ProgramWaits w;
  w.program = program;
  std::vector<int> now, to_intake, to_treatment, intake_to_treatment, to_first, first_to_second;
  for (const auto& e : episodes) {
    if (e.program != program) continue;
    if ((e.stage == Stage::Referred || e.stage == Stage::Waitlist)) {
      now.push_back(days_between(e.referred_on, today));
    }
    if (e.intake_on) to_intake.push_back(days_between(e.referred_on, *e.intake_on));
    if (e.active_on) {
      to_treatment.push_back(days_between(e.referred_on, *e.active_on));
      if (e.intake_on) intake_to_treatment.push_back(days_between(*e.intake_on, *e.active_on));
    }
    if (e.first_seen_on) {
      to_first.push_back(days_between(e.referred_on, *e.first_seen_on));
      if (e.second_seen_on) {
        first_to_second.push_back(days_between(*e.first_seen_on, *e.second_seen_on));
      }
    }
  }
  w.waiting_now = static_cast<int>(now.size());
  w.waiting_now_median_days = centile(now, 0.5);
  if (!now.empty()) w.waiting_now_longest_days = *std::max_element(now.begin(), now.end());
  w.reached_intake = static_cast<int>(to_intake.size());
  w.referral_to_intake_median_days = centile(to_intake, 0.5);
  w.referral_to_intake_p90_days = centile(to_intake, 0.9);
  w.reached_treatment = static_cast<int>(to_treatment.size());
  w.referral_to_treatment_median_days = centile(to_treatment, 0.5);
  w.intake_to_treatment_median_days = centile(intake_to_treatment, 0.5);
  w.seen_once = static_cast<int>(to_first.size());
  w.referral_to_first_median_days = centile(to_first, 0.5);
  w.referral_to_first_p90_days = centile(to_first, 0.9);
  w.seen_twice = static_cast<int>(first_to_second.size());
  w.first_to_second_median_days = centile(first_to_second, 0.5);
  w.first_to_second_p90_days = centile(first_to_second, 0.9);
  return w;
}

bool valid_task_kind(std::string_view kind) {
  return kind == "call" || kind == "letter" || kind == "review" || kind == "other";
}

Due due_state(std::string_view due_on, std::string_view today) {
  const auto d = days_between(today, due_on);
  if (d < 0) return Due::Overdue;
  if (d == 0) return Due::Today;
  return Due::Upcoming;
}

std::string_view due_name(Due d) {
  switch (d) {
    case Due::Overdue:
      return "overdue";
    case Due::Today:
      return "today";
    case Due::Upcoming:
      break;
  }
  return "upcoming";
}

void sort_for_work(std::vector<Task>& tasks, std::string_view today) {
  std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
    const auto da = due_state(a.due_on, today);
    const auto db = due_state(b.due_on, today);
    if (da != db) return static_cast<int>(da) < static_cast<int>(db);
    if (a.due_on != b.due_on) return a.due_on < b.due_on;
    return a.id < b.id;
  });
}

bool valid_appointment_kind(std::string_view kind) {
  return kind == "individual" || kind == "couple" || kind == "family" || kind == "group";
}

bool valid_appointment_mode(std::string_view mode) {
  return mode == "in_person" || mode == "video" || mode == "phone";
}

std::optional<Refusal> check_times(std::int64_t starts_at_ms, std::int64_t ends_at_ms) {
  constexpr std::int64_t minute = 60'000;
  if (ends_at_ms <= starts_at_ms) return Refusal{"ends_at", "must be after starts_at"};
  if (ends_at_ms - starts_at_ms < 5 * minute)
    return Refusal{"ends_at", "must be at least 5 minutes after starts_at"};
  if (ends_at_ms - starts_at_ms > 8 * 60 * minute) {
    return Refusal{"ends_at", "must be at most 8 hours after starts_at"};
  }
  return std::nullopt;
}

bool overlaps(std::int64_t a_start, std::int64_t a_end, std::int64_t b_start, std::int64_t b_end) {
  return a_start < b_end && b_start < a_end;
}

std::optional<Refusal> check_status(std::string_view from, std::string_view to) {
  static const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> next = {
      {"booked", {"arrived", "attended", "cancelled", "no_show"}},
      {"arrived", {"attended", "no_show"}},
  };
  for (const auto& [f, list] : next) {
    if (f != from) continue;
    if (std::find(list.begin(), list.end(), to) != list.end()) return std::nullopt;
    std::string words;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0) words += i + 1 == list.size() ? " or " : ", ";
      words += std::string(list[i]);
    }
    return Refusal{
        "status",
        "cannot go from " + std::string(from) + " to " + std::string(to) + "; next can be " + words,
        true};
  }
  return Refusal{"status", "the appointment is " + std::string(from) + " already", true};
}

bool late_cancellation(std::int64_t starts_at_ms, std::int64_t cancelled_at_ms) {
  return starts_at_ms - cancelled_at_ms < 24LL * 60 * 60 * 1000;
}

std::optional<Refusal> check_repeat(int every_weeks, int count) {
  if (every_weeks < 1 || every_weeks > 4) {
    return Refusal{"repeat.every_weeks", "must be 1, 2, 3 or 4"};
  }
  if (count < 2 || count > k_max_series) {
    return Refusal{"repeat.count", "must be from 2 to " + std::to_string(k_max_series)};
  }
  return std::nullopt;
}

std::vector<std::pair<std::int64_t, std::int64_t>> occurrences(const TimeZone& zone,
                                                               std::int64_t starts_at_ms,
                                                               std::int64_t ends_at_ms,
                                                               int every_weeks, int count) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  if (count < 1 || every_weeks < 1) return out;
  const auto length = ends_at_ms - starts_at_ms;
  const auto sub_second = starts_at_ms % 1000;
  const LocalTime first = zone.to_local(from_unix_ms(starts_at_ms));
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    LocalTime t = first;
    t.day += i * 7 * every_weeks;  // from_local carries the day into later months and years
    const auto start = unix_ms(zone.from_local(t)) + sub_second;
    out.emplace_back(start, start + length);
  }
  return out;
}

std::optional<std::int64_t> reminder_due(std::int64_t starts_at_ms, std::int64_t now_ms) {
  const auto due = starts_at_ms - 24LL * 60 * 60 * 1000;
  if (due < now_ms) return std::nullopt;
  return due;
}

bool valid_change_request_kind(std::string_view kind) {
  return kind == "reschedule" || kind == "cancel";
}

void set_seen(Episode& e, std::vector<std::string> seen) {
  std::sort(seen.begin(), seen.end());
  e.first_seen_on.reset();
  e.second_seen_on.reset();
  for (const auto& d : seen) {
    if (d < e.referred_on) continue;
    if (e.ended_on && d > *e.ended_on) break;
    if (!e.first_seen_on) {
      e.first_seen_on = d;
    } else {
      e.second_seen_on = d;
      break;
    }
  }
}

std::string format_span(const LocalTime& start, const LocalTime& end, std::string_view abbrev) {
  static constexpr std::array<std::string_view, 7> days = {"Sun", "Mon", "Tue", "Wed",
                                                           "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string out = "on ";
  out += days[static_cast<std::size_t>(start.weekday % 7)];
  out += " " + std::to_string(start.day) + " ";
  out += months[static_cast<std::size_t>((start.month + 11) % 12)];
  out += " " + std::to_string(start.year) + " " + two(start.hour) + ":" + two(start.minute);
  out += "–" + two(end.hour) + ":" + two(end.minute);
  if (!abbrev.empty()) {
    out += " ";
    out += abbrev;
  }
  return out;
}

ReminderMail reminder_mail(const std::string& when, std::string_view mode, std::string_view room,
                           std::string_view meeting_url, std::string_view base_url) {
  ReminderMail m;
  m.subject = "Reminder: your appointment " + when;
  std::string how;
  if (mode == "video") {
    how = "It is a video call. Join it here at the time: " + std::string(meeting_url);
  } else if (mode == "phone") {
    how = "It is by phone: we will call you at the time.";
  } else {
    how = "It is in person";
    if (!room.empty()) how += ", in " + std::string(room);
    how += ". Please come a few minutes early.";
  }
  m.body = "Hello,\n\nThis is a reminder of your appointment " + when + ".\n\n" + how + "\n\n";
  if (!base_url.empty()) {
    m.body += "If you need to move or cancel it, sign in at " + std::string(base_url) +
              "/portal and ask, or call us.\n\n";
  } else {
    m.body += "If you need to move or cancel it, please let us know.\n\n";
  }
  m.body += "Please do not reply to this e-mail: replies are not read.\n";
  return m;
}

}  // namespace tend::care::rules
