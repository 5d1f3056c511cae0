// The secure-message rules: the office_hours setting and every refusal, open or closed at the
// edges of a window, the next opening (later today, tomorrow, after a weekend, across both
// clock changes), the opening in words, the automatic reply, the checks on what people write
// and the e-mail notice that never carries a message.
#include "messaging/rules.h"

#include <gtest/gtest.h>

#include <string>

namespace tend::messaging {
namespace {

using namespace std::chrono_literals;

TimePoint at(const char* rfc3339) {
  TimePoint t;
  EXPECT_TRUE(parse_rfc3339(rfc3339, t)) << rfc3339;
  return t;
}

OfficeHours hours(const char* text) {
  auto h = rules::parse_office_hours(text);
  EXPECT_TRUE(h.ok()) << text << ": " << (h.ok() ? "" : h.error().detail);
  return h.ok() ? *h : OfficeHours{};
}

// New York's rule (what the zoneinfo file's footer says), without reading the file.
TimeZone new_york() {
  auto z = TimeZone::from_posix_tz("EST5EDT,M3.2.0,M11.1.0");
  EXPECT_TRUE(z.ok());
  return *z;
}

TEST(OfficeHoursParse, AcceptsDaysRangesListsAndSeveralGroups) {
  const auto h = hours("mon-fri 09:00-17:00");
  for (int d = 1; d <= 5; ++d) {
    ASSERT_EQ(h.days[static_cast<std::size_t>(d)].size(), 1U) << d;
    EXPECT_EQ(h.days[static_cast<std::size_t>(d)][0], (Window{540, 1020}));
  }
  EXPECT_TRUE(h.days[0].empty());
  EXPECT_TRUE(h.days[6].empty());

  const auto split = hours("Mon,Wed 09:00-12:00; mon,wed 13:00-17:00 ; sat 10:00-24:00");
  ASSERT_EQ(split.days[1].size(), 2U);
  EXPECT_EQ(split.days[1][0], (Window{540, 720}));
  EXPECT_EQ(split.days[1][1], (Window{780, 1020}));
  EXPECT_TRUE(split.days[2].empty());
  EXPECT_EQ(split.days[6][0], (Window{600, 1440}));

  const auto wrap = hours("fri-mon 08:00-09:00");  // a range may wrap past Sunday
  EXPECT_FALSE(wrap.days[5].empty());
  EXPECT_FALSE(wrap.days[6].empty());
  EXPECT_FALSE(wrap.days[0].empty());
  EXPECT_FALSE(wrap.days[1].empty());
  EXPECT_TRUE(wrap.days[2].empty());
}

TEST(OfficeHoursParse, RefusesBadValuesNamingWhatIsWrong) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"", "is empty"},
      {"   ", "is empty"},
      {"mon-fri", "give days and times"},
      {"monday 09:00-17:00", "days are"},
      {"mon-xyz 09:00-17:00", "days are"},
      {"mon-fri 9-5", "times are HH:MM-HH:MM"},
      {"mon-fri 09:00", "times are HH:MM-HH:MM"},
      {"mon-fri 09:60-17:00", "times are HH:MM-HH:MM"},
      {"mon-fri 24:00-24:00", "times are HH:MM-HH:MM"},
      {"mon-fri 17:00-09:00", "the end must be after the start"},
      {"mon-fri 09:00-09:00", "the end must be after the start"},
      {"mon 09:00-12:00; mon 11:00-13:00", "overlaps other hours on Monday"},
      {";;", "names no hours"},
  };
  for (const auto& [text, why] : cases) {
    auto h = rules::parse_office_hours(text);
    ASSERT_FALSE(h.ok()) << text;
    EXPECT_EQ(h.error().code, Errc::Validation) << text;
    EXPECT_EQ(h.error().detail.rfind("office_hours: ", 0), 0U) << h.error().detail;
    EXPECT_NE(h.error().detail.find(why), std::string::npos) << text << ": " << h.error().detail;
  }
  // Touching windows are not an overlap.
  EXPECT_TRUE(rules::parse_office_hours("mon 09:00-12:00; mon 12:00-13:00").ok());
}

TEST(OfficeHoursDescribe, JoinsDaysWithTheSameHours) {
  EXPECT_EQ(rules::describe(hours("mon-fri 09:00-17:00")), "Monday to Friday 09:00–17:00");
  EXPECT_EQ(rules::describe(hours("mon,tue 09:00-12:00; mon 13:00-17:00; sat-sun 10:00-11:00")),
            "Monday 09:00–12:00, 13:00–17:00; Tuesday 09:00–12:00; Saturday and Sunday "
            "10:00–11:00");
  EXPECT_EQ(rules::describe(OfficeHours{}), "no office hours");
}

TEST(OfficeHoursOpen, WindowStartIsOpenAndItsEndIsClosed) {
  const auto h = hours("mon-fri 09:00-17:00");
  const auto z = new_york();
  // Wednesday 18 November 2026, EST (UTC-5).
  EXPECT_FALSE(rules::is_open(h, z, at("2026-11-18T13:59:59Z")));  // 08:59:59
  EXPECT_TRUE(rules::is_open(h, z, at("2026-11-18T14:00:00Z")));   // 09:00
  EXPECT_TRUE(rules::is_open(h, z, at("2026-11-18T21:59:59Z")));   // 16:59:59
  EXPECT_FALSE(rules::is_open(h, z, at("2026-11-18T22:00:00Z")));  // 17:00
  // Saturday at noon: closed all day.
  EXPECT_FALSE(rules::is_open(h, z, at("2026-11-21T17:00:00Z")));
  // Until midnight with 24:00.
  const auto late = hours("wed 20:00-24:00");
  EXPECT_TRUE(rules::is_open(late, z, at("2026-11-19T04:59:00Z")));   // Wed 23:59
  EXPECT_FALSE(rules::is_open(late, z, at("2026-11-19T05:00:00Z")));  // Thu 00:00
}

TEST(OfficeHoursNext, LaterTodayTomorrowAndAfterTheWeekend) {
  const auto h = hours("mon-fri 09:00-17:00");
  const auto z = new_york();
  // Before opening on Wednesday: today at 09:00.
  EXPECT_EQ(rules::next_opening(h, z, at("2026-11-18T11:06:40Z")), at("2026-11-18T14:00:00Z"));
  // Exactly at opening: the next one, Thursday's.
  EXPECT_EQ(rules::next_opening(h, z, at("2026-11-18T14:00:00Z")), at("2026-11-19T14:00:00Z"));
  // At closing on Friday: Monday.
  EXPECT_EQ(rules::next_opening(h, z, at("2026-11-20T22:00:00Z")), at("2026-11-23T14:00:00Z"));
  // Two windows a day: after the morning one, the afternoon's.
  const auto split = hours("mon-fri 09:00-12:00; mon-fri 13:00-17:00");
  EXPECT_EQ(rules::next_opening(split, z, at("2026-11-18T17:30:00Z")), at("2026-11-18T18:00:00Z"));
  // Once a week.
  const auto weekly = hours("tue 10:00-11:00");
  EXPECT_EQ(rules::next_opening(weekly, z, at("2026-11-17T15:00:01Z")), at("2026-11-24T15:00:00Z"));
  EXPECT_EQ(rules::next_opening(OfficeHours{}, z, at("2026-11-17T15:00:01Z")), std::nullopt);
}

TEST(OfficeHoursNext, AcrossTheClockChanges) {
  const auto h = hours("mon-fri 09:00-17:00");
  const auto z = new_york();
  // Friday 30 October 2026 17:00 EDT (21:00 UTC); the clocks go back on Sunday 1 November, so
  // Monday 09:00 is EST, 14:00 UTC — not 13:00.
  EXPECT_EQ(rules::next_opening(h, z, at("2026-10-30T21:00:00Z")), at("2026-11-02T14:00:00Z"));
  // Friday 6 March 2026 17:00 EST; the clocks go forward on Sunday 8 March: Monday 09:00 EDT.
  EXPECT_EQ(rules::next_opening(h, z, at("2026-03-06T22:00:00Z")), at("2026-03-09T13:00:00Z"));
  // An opening inside the skipped hour opens when the wall clock reaches it: 02:30 → 03:30 EDT.
  const auto night = hours("sun 02:30-04:00");
  EXPECT_EQ(rules::next_opening(night, z, at("2026-03-08T05:00:00Z")),  // Sunday 00:00 EST
            at("2026-03-08T07:30:00Z"));
  EXPECT_TRUE(rules::is_open(night, z, at("2026-03-08T07:30:00Z")));  // 03:30 EDT
  // In the repeated hour (01:00–02:00 twice on 1 November) a window 01:00–01:30 is open both
  // times the wall clock shows it.
  const auto fold = hours("sun 01:00-01:30");
  EXPECT_TRUE(rules::is_open(fold, z, at("2026-11-01T05:15:00Z")));   // 01:15 EDT
  EXPECT_TRUE(rules::is_open(fold, z, at("2026-11-01T06:15:00Z")));   // 01:15 EST
  EXPECT_FALSE(rules::is_open(fold, z, at("2026-11-01T06:45:00Z")));  // 01:45 EST
}

TEST(OfficeHoursWords, TodayTomorrowAndADate) {
  const auto z = new_york();
  const auto now = z.to_local(at("2026-11-18T11:06:40Z"));  // Wednesday 06:06 EST
  EXPECT_EQ(rules::opening_in_words(z.to_local(at("2026-11-18T14:00:00Z")), now, "EST"),
            "today at 09:00 EST");
  EXPECT_EQ(rules::opening_in_words(z.to_local(at("2026-11-19T14:00:00Z")), now, ""),
            "tomorrow at 09:00");
  EXPECT_EQ(rules::opening_in_words(z.to_local(at("2026-11-23T14:00:00Z")), now, "EST"),
            "on Monday 23 November at 09:00 EST");
  // Across a month and year end.
  const auto dec31 = z.to_local(at("2026-12-31T23:00:00Z"));
  EXPECT_EQ(rules::opening_in_words(z.to_local(at("2027-01-01T14:00:00Z")), dec31, ""),
            "tomorrow at 09:00");
}

TEST(AutoReply, SaysWhenItWillBeReadAndPointsToTheCrisisLines) {
  const auto text = rules::auto_reply_text("tomorrow at 09:00 EST");
  EXPECT_NE(text.find("will read it when it opens, tomorrow at 09:00 EST"), std::string::npos);
  EXPECT_NE(text.find("not watched"), std::string::npos);
  EXPECT_NE(text.find("If you are not safe"), std::string::npos);
  EXPECT_NE(text.find("crisis lines"), std::string::npos);
  EXPECT_NE(text.find("I need help now"), std::string::npos);
}

TEST(CheckText, EmptyBlankAndTooLongAreRefusedNamingTheField) {
  EXPECT_EQ(*rules::check_text("body", "  hello \n", 5000), "hello");
  for (const char* blank : {"", " ", "\n\t  "}) {
    auto r = rules::check_text("body", blank, 5000);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(r.error().errors.size(), 1U);
    EXPECT_EQ(r.error().errors[0].field, "body");
    EXPECT_EQ(r.error().errors[0].message, "must not be empty");
  }
  // Characters, not bytes: 120 two-byte letters fit a subject, 121 do not.
  std::string s;
  for (int i = 0; i < 120; ++i) s += "é";
  EXPECT_TRUE(rules::check_text("subject", s, rules::k_subject_max).ok());
  s += "é";
  auto r = rules::check_text("subject", s, rules::k_subject_max);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().errors[0].field, "subject");
  EXPECT_EQ(r.error().errors[0].message, "must be at most 120 characters");
  EXPECT_EQ(rules::characters("a€😀"), 3U);
}

TEST(Notice, SaysThereIsAMessageAndWhereNothingMore) {
  const auto n = rules::notice_mail("https://tend.example.org/portal/messages");
  EXPECT_EQ(n.subject, "You have a new message in Tend");
  EXPECT_NE(n.body.find("https://tend.example.org/portal/messages"), std::string::npos);
  EXPECT_NE(n.body.find("does not include the message"), std::string::npos);
  const auto bare = rules::notice_mail("");
  EXPECT_NE(bare.body.find("sign in to Tend"), std::string::npos);
}

}  // namespace
}  // namespace tend::messaging
