// The pure rules of episodes of care: every move an episode may and may not make, every date
// refusal at its boundary, and waiting times computed by hand.
#include "care/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace tend::care::rules {
namespace {

Episode at(Stage s) {
  Episode e;
  e.program = "Adult counselling";
  e.referred_on = "2026-01-05";
  const std::map<Stage, std::vector<std::pair<Stage, const char*>>> path = {
      {Stage::Referred, {}},
      {Stage::Waitlist, {{Stage::Waitlist, "2026-01-06"}}},
      {Stage::Intake, {{Stage::Waitlist, "2026-01-06"}, {Stage::Intake, "2026-02-02"}}},
      {Stage::Active,
       {{Stage::Waitlist, "2026-01-06"},
        {Stage::Intake, "2026-02-02"},
        {Stage::Active, "2026-02-16"}}},
      {Stage::Discharged, {{Stage::Intake, "2026-01-20"}, {Stage::Discharged, "2026-01-21"}}},
      {Stage::Declined, {{Stage::Declined, "2026-01-07"}}},
      {Stage::Transferred, {{Stage::Transferred, "2026-01-07"}}},
  };
  for (const auto& [stage, on] : path.at(s)) apply_step(e, stage, on, "Community team");
  return e;
}

TEST(Stages, NamesRoundTripAndUnknownIsRefused) {
  for (auto s : {Stage::Referred, Stage::Waitlist, Stage::Intake, Stage::Active, Stage::Discharged,
                 Stage::Declined, Stage::Transferred}) {
    EXPECT_EQ(parse_stage(stage_name(s)), s);
  }
  EXPECT_FALSE(parse_stage("Active"));
  EXPECT_FALSE(parse_stage(""));
  EXPECT_FALSE(parse_stage("closed"));
  EXPECT_TRUE(is_open(Stage::Active));
  EXPECT_FALSE(is_open(Stage::Declined));
}

TEST(Moves, EveryPairOfStagesIsAllowedOrRefusedAsThePathwaySays) {
  const std::map<Stage, std::vector<Stage>> allowed = {
      {Stage::Referred, {Stage::Waitlist, Stage::Intake, Stage::Declined, Stage::Transferred}},
      {Stage::Waitlist, {Stage::Intake, Stage::Declined, Stage::Transferred}},
      {Stage::Intake, {Stage::Active, Stage::Discharged, Stage::Declined, Stage::Transferred}},
      {Stage::Active, {Stage::Discharged, Stage::Transferred}},
      {Stage::Discharged, {}},
      {Stage::Declined, {}},
      {Stage::Transferred, {}},
  };
  for (const auto& [from, to_list] : allowed) {
    EXPECT_EQ(next_stages(from), to_list) << stage_name(from);
    for (auto to : {Stage::Referred, Stage::Waitlist, Stage::Intake, Stage::Active,
                    Stage::Discharged, Stage::Declined, Stage::Transferred}) {
      const bool ok = std::find(to_list.begin(), to_list.end(), to) != to_list.end();
      auto r = check_step(at(from), to, "2026-03-01", "2026-03-01", "Community team");
      EXPECT_EQ(!r.has_value(), ok) << stage_name(from) << " → " << stage_name(to);
      if (r) {
        EXPECT_TRUE(r->conflict);
        EXPECT_EQ(r->field, "stage");
      }
    }
  }
}

TEST(Moves, TheRefusalSaysWhatCanComeNext) {
  auto r = check_step(at(Stage::Waitlist), Stage::Active, "2026-03-01", "2026-03-01", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message,
            "cannot go from waitlist to active; next can be intake, declined or transferred");
  r = check_step(at(Stage::Discharged), Stage::Active, "2026-03-01", "2026-03-01", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "the episode has ended (discharged); open a new one");
}

TEST(Dates, EachBoundaryOfTheStepDate) {
  const Episode e = at(Stage::Intake);  // intake on 2026-02-02
  struct Case {
    const char* on;
    const char* today;
    bool ok;
    const char* why;
  };
  const Case cases[] = {
      {"2026-02-02", "2026-03-01", true, "the same day as the step before"},
      {"2026-02-01", "2026-03-01", false, "the day before the step before"},
      {"2026-03-01", "2026-03-01", true, "today"},
      {"2026-03-02", "2026-03-01", false, "tomorrow"},
      {"2026-02-30", "2026-03-01", false, "a day that does not exist"},
      {"2026-2-10", "2026-03-01", false, "not YYYY-MM-DD"},
      {"", "2026-03-01", false, "empty"},
      {"2024-02-29", "2026-03-01", false, "a real leap day, but before the step before"},
  };
  for (const auto& c : cases) {
    auto r = check_step(e, Stage::Active, c.on, c.today, "");
    EXPECT_EQ(!r.has_value(), c.ok) << c.why;
    if (r) {
      EXPECT_EQ(r->field, "on") << c.why;
      EXPECT_FALSE(r->conflict) << c.why;
    }
  }
}

TEST(Moves, ATransferNamesWhereTo) {
  auto r = check_step(at(Stage::Active), Stage::Transferred, "2026-03-01", "2026-03-01", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->field, "transferred_to");
  EXPECT_FALSE(check_step(at(Stage::Active), Stage::Transferred, "2026-03-01", "2026-03-01",
                          "Eating disorders service"));
  Episode e = at(Stage::Active);
  apply_step(e, Stage::Transferred, "2026-03-01", "Eating disorders service");
  EXPECT_EQ(e.stage, Stage::Transferred);
  EXPECT_EQ(e.ended_on, "2026-03-01");
  EXPECT_EQ(e.transferred_to, "Eating disorders service");
  EXPECT_EQ(e.active_on, "2026-02-16");  // earlier dates are kept
}

TEST(Days, BetweenDatesAcrossMonthsYearsAndLeapDays) {
  EXPECT_EQ(days_between("2026-01-05", "2026-01-05"), 0);
  EXPECT_EQ(days_between("2026-01-05", "2026-02-02"), 28);
  EXPECT_EQ(days_between("2023-12-31", "2024-03-01"), 61);  // 2024 is a leap year
  EXPECT_EQ(days_between("2025-12-31", "2026-03-01"), 60);
  EXPECT_EQ(days_between("2026-02-02", "2026-01-05"), -28);
}

Episode referred(const std::string& program, const char* on) {
  Episode e;
  e.program = program;
  e.referred_on = on;
  return e;
}

TEST(Waits, FromTheDatesOfEveryEpisodeOfTheProgram) {
  std::vector<Episode> all;
  // Waiting now, referred 10, 20 and 40 days before today (2026-03-01).
  all.push_back(referred("A", "2026-02-19"));
  all.push_back(referred("A", "2026-02-09"));
  all.push_back(referred("A", "2026-01-20"));
  apply_step(all.back(), Stage::Waitlist, "2026-01-21", "");
  // Reached intake after 7, 14, 21 and 28 days; two went on to treatment.
  const char* intakes[] = {"2026-01-08", "2026-01-15", "2026-01-22", "2026-01-29"};
  for (int i = 0; i < 4; ++i) {
    all.push_back(referred("A", "2026-01-01"));
    apply_step(all.back(), Stage::Intake, intakes[i], "");
  }
  apply_step(all[3], Stage::Active, "2026-01-15", "");  // 14 days; 7 after intake
  apply_step(all[6], Stage::Active, "2026-02-12", "");  // 42 days; 14 after intake
  apply_step(all[6], Stage::Discharged, "2026-02-26", "");
  // Another program, which must not count.
  all.push_back(referred("B", "2025-01-01"));

  const auto w = waits("A", all, "2026-03-01");
  EXPECT_EQ(w.program, "A");
  EXPECT_EQ(w.waiting_now, 3);
  EXPECT_EQ(w.waiting_now_median_days, 20);
  EXPECT_EQ(w.waiting_now_longest_days, 40);
  EXPECT_EQ(w.reached_intake, 4);
  EXPECT_EQ(w.referral_to_intake_median_days, 17.5);       // between 14 and 21
  EXPECT_DOUBLE_EQ(*w.referral_to_intake_p90_days, 25.9);  // 21 + 0.7 × 7
  EXPECT_EQ(w.reached_treatment, 2);
  EXPECT_EQ(w.referral_to_treatment_median_days, 28);
  EXPECT_EQ(w.intake_to_treatment_median_days, 10.5);

  const auto none = waits("C", all, "2026-03-01");
  EXPECT_EQ(none.waiting_now, 0);
  EXPECT_FALSE(none.waiting_now_median_days);
  EXPECT_FALSE(none.waiting_now_longest_days);
  EXPECT_FALSE(none.referral_to_intake_median_days);
}

TEST(Tasks, KindsAndWhereATaskStandsAgainstToday) {
  for (const char* k : {"call", "letter", "review", "other"}) EXPECT_TRUE(valid_task_kind(k)) << k;
  for (const char* k : {"", "Call", "email", "calls"}) EXPECT_FALSE(valid_task_kind(k)) << k;
  EXPECT_EQ(due_state("2026-02-28", "2026-03-01"), Due::Overdue);
  EXPECT_EQ(due_state("2026-03-01", "2026-03-01"), Due::Today);
  EXPECT_EQ(due_state("2026-03-02", "2026-03-01"), Due::Upcoming);
  EXPECT_EQ(due_state("2025-12-31", "2026-01-01"), Due::Overdue);  // across a year
  EXPECT_EQ(due_name(Due::Overdue), "overdue");
  EXPECT_EQ(due_name(Due::Today), "today");
  EXPECT_EQ(due_name(Due::Upcoming), "upcoming");
}

TEST(Tasks, WorkingOrderIsOverdueOldestFirstThenTodayThenUpcoming) {
  const auto task = [](const char* id, const char* due) {
    Task t;
    t.id = id;
    t.due_on = due;
    return t;
  };
  std::vector<Task> ts = {task("e", "2026-03-09"), task("c", "2026-03-01"),
                          task("b", "2026-02-27"), task("a", "2026-02-10"),
                          task("d", "2026-03-01"), task("f", "2026-03-02")};
  sort_for_work(ts, "2026-03-01");
  std::string order;
  for (const auto& t : ts) order += t.id;
  EXPECT_EQ(order, "abcdfe");
}

TEST(Appointments, TimesAtEachBoundary) {
  constexpr std::int64_t m = 60'000;
  const std::int64_t t0 = 1'800'000'000'000;
  EXPECT_FALSE(check_times(t0, t0 + 50 * m));
  EXPECT_FALSE(check_times(t0, t0 + 5 * m));       // the shortest
  EXPECT_FALSE(check_times(t0, t0 + 8 * 60 * m));  // the longest
  EXPECT_EQ(check_times(t0, t0 + 5 * m - 1)->field, "ends_at");
  EXPECT_EQ(check_times(t0, t0 + 8 * 60 * m + 1)->field, "ends_at");
  EXPECT_EQ(check_times(t0, t0)->message, "must be after starts_at");
  EXPECT_EQ(check_times(t0, t0 - m)->message, "must be after starts_at");
}

TEST(Appointments, OverlapIsSharedTimeAndBackToBackIsNot) {
  EXPECT_TRUE(overlaps(10, 20, 15, 25));
  EXPECT_TRUE(overlaps(15, 25, 10, 20));
  EXPECT_TRUE(overlaps(10, 20, 12, 18));  // inside
  EXPECT_TRUE(overlaps(12, 18, 10, 20));  // around
  EXPECT_TRUE(overlaps(10, 20, 10, 20));
  EXPECT_FALSE(overlaps(10, 20, 20, 30));  // back to back
  EXPECT_FALSE(overlaps(20, 30, 10, 20));
  EXPECT_FALSE(overlaps(10, 20, 25, 30));
}

TEST(Appointments, StatusMovesAndLateCancellation) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> allowed = {
      {"booked", {"arrived", "attended", "cancelled", "no_show"}},
      {"arrived", {"attended", "no_show"}},
      {"attended", {}},
      {"cancelled", {}},
      {"no_show", {}}};
  for (const auto& [from, ok] : allowed) {
    for (const char* to : {"booked", "arrived", "attended", "cancelled", "no_show"}) {
      const bool expect_ok = std::find(ok.begin(), ok.end(), to) != ok.end();
      auto r = check_status(from, to);
      EXPECT_EQ(!r.has_value(), expect_ok) << from << " → " << to;
      if (r) {
        EXPECT_TRUE(r->conflict);
      }
    }
  }
  EXPECT_EQ(check_status("arrived", "cancelled")->message,
            "cannot go from arrived to cancelled; next can be attended or no_show");
  EXPECT_EQ(check_status("attended", "no_show")->message, "the appointment is attended already");
  constexpr std::int64_t h = 3'600'000;
  EXPECT_TRUE(late_cancellation(100 * h, 100 * h - 24 * h + 1));
  EXPECT_FALSE(late_cancellation(100 * h, 100 * h - 24 * h));
  EXPECT_TRUE(late_cancellation(100 * h, 101 * h));  // after the start
  EXPECT_TRUE(valid_appointment_kind("group"));
  EXPECT_FALSE(valid_appointment_kind("Group"));
  EXPECT_TRUE(valid_appointment_mode("in_person"));
  EXPECT_FALSE(valid_appointment_mode("zoom"));
}

TEST(Series, RepeatRuleBounds) {
  EXPECT_FALSE(check_repeat(1, 2));
  EXPECT_FALSE(check_repeat(4, k_max_series));
  ASSERT_TRUE(check_repeat(0, 10));
  EXPECT_EQ(check_repeat(0, 10)->field, "repeat.every_weeks");
  EXPECT_EQ(check_repeat(5, 10)->field, "repeat.every_weeks");
  EXPECT_EQ(check_repeat(1, 1)->field, "repeat.count");
  EXPECT_EQ(check_repeat(1, k_max_series + 1)->field, "repeat.count");
}

std::int64_t ms_at(const char* rfc3339) {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339(rfc3339, t)) << rfc3339;
  return unix_ms(t);
}

TEST(Series, WeeklyKeepsTheWallClockTimeAcrossTheClockChange) {
  // New York: summer time ends on Sunday 1 November 2026. A Thursday 10:00 session stays at
  // 10:00 local, so its UTC time moves from 14:00 to 15:00.
  auto ny = TimeZone::from_posix_tz("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(ny);
  const auto s =
      occurrences(*ny, ms_at("2026-10-22T14:00:00Z"), ms_at("2026-10-22T14:50:00Z"), 1, 3);
  ASSERT_EQ(s.size(), 3U);
  EXPECT_EQ(s[0].first, ms_at("2026-10-22T14:00:00Z"));
  EXPECT_EQ(s[1].first, ms_at("2026-10-29T14:00:00Z"));
  EXPECT_EQ(s[2].first, ms_at("2026-11-05T15:00:00Z"));
  for (const auto& [start, end] : s) EXPECT_EQ(end - start, 50 * 60 * 1000);
}

TEST(Series, FortnightlyAcrossMonthsAndTheYearEnd) {
  const TimeZone utc;
  const auto s =
      occurrences(utc, ms_at("2026-12-17T09:00:00Z"), ms_at("2026-12-17T10:00:00Z"), 2, 3);
  ASSERT_EQ(s.size(), 3U);
  EXPECT_EQ(s[1].first, ms_at("2026-12-31T09:00:00Z"));
  EXPECT_EQ(s[2].first, ms_at("2027-01-14T09:00:00Z"));
  EXPECT_TRUE(occurrences(utc, 0, 1000, 1, 0).empty());
}

TEST(Reminders, DueADayBeforeUnlessThatHasPassed) {
  const auto start = ms_at("2026-12-10T10:00:00Z");
  EXPECT_EQ(reminder_due(start, ms_at("2026-12-01T10:00:00Z")), ms_at("2026-12-09T10:00:00Z"));
  EXPECT_EQ(reminder_due(start, ms_at("2026-12-09T10:00:00Z")), ms_at("2026-12-09T10:00:00Z"));
  EXPECT_FALSE(reminder_due(start, ms_at("2026-12-09T10:00:01Z")));
}

TEST(Reminders, TheMailSaysWhenAndHowAndNothingClinical) {
  LocalTime start{2026, 12, 10, 9, 5, 0, 4};
  LocalTime end{2026, 12, 10, 9, 55, 0, 4};
  const auto when = format_span(start, end, "EST");
  EXPECT_EQ(when, "on Thu 10 Dec 2026 09:05–09:55 EST");
  EXPECT_EQ(format_span(start, end, ""), "on Thu 10 Dec 2026 09:05–09:55");

  auto m = reminder_mail(when, "in_person", "Room 2", "", "https://tend.example.org");
  EXPECT_EQ(m.subject, "Reminder: your appointment on Thu 10 Dec 2026 09:05–09:55 EST");
  EXPECT_NE(m.body.find("in person, in Room 2"), std::string::npos);
  EXPECT_NE(m.body.find("https://tend.example.org/portal"), std::string::npos);
  m = reminder_mail(when, "video", "", "https://meet.example.org/x", "");
  EXPECT_NE(m.body.find("https://meet.example.org/x"), std::string::npos);
  EXPECT_NE(m.body.find("please let us know"), std::string::npos);
  m = reminder_mail(when, "phone", "", "", "");
  EXPECT_NE(m.body.find("by phone"), std::string::npos);
  for (const char* word : {"therap", "counsel", "mental", "clinic"}) {
    EXPECT_EQ(m.body.find(word), std::string::npos) << word;
  }
}

TEST(Waits, FirstAndSecondAppointmentsWithinTheEpisode) {
  Episode e;
  e.referred_on = "2026-01-05";
  e.ended_on = "2026-03-01";
  // An appointment before the referral (an earlier episode) and one after the end don't count.
  set_seen(e, {"2026-02-10", "2026-01-02", "2026-01-26", "2026-03-02"});
  EXPECT_EQ(e.first_seen_on, "2026-01-26");
  EXPECT_EQ(e.second_seen_on, "2026-02-10");
  set_seen(e, {"2026-03-02"});
  EXPECT_FALSE(e.first_seen_on);
  EXPECT_FALSE(e.second_seen_on);
  set_seen(e, {"2026-01-05"});
  EXPECT_EQ(e.first_seen_on, "2026-01-05");
  EXPECT_FALSE(e.second_seen_on);
}

TEST(Waits, TheHiddenWaitBetweenTheFirstAndSecondAppointments) {
  std::vector<Episode> es(3);
  for (auto& e : es) {
    e.program = "Adult counselling";
    e.referred_on = "2026-01-01";
  }
  set_seen(es[0], {"2026-01-11", "2026-02-10"});  // 10 days, then 30
  set_seen(es[1], {"2026-01-21", "2026-03-02"});  // 20 days, then 40
  set_seen(es[2], {"2026-01-31"});                // 30 days, no second yet
  const auto w = waits("Adult counselling", es, "2026-03-10");
  EXPECT_EQ(w.seen_once, 3);
  EXPECT_EQ(w.referral_to_first_median_days, 20);
  EXPECT_EQ(w.seen_twice, 2);
  EXPECT_EQ(w.first_to_second_median_days, 35);
}

}  // namespace
}  // namespace tend::care::rules
