// Known answers below come from `zdump -v` and `TZ=<zone> date -d @<unix>` against tzdata
// 2025b; the 2026 transitions have been settled law for years, so newer tzdata keeps them.

#include "platform/tz.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace tend {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string k_zoneinfo(k_default_zoneinfo_dir);

TimePoint at(std::int64_t unix_seconds) {
  return TimePoint(seconds(unix_seconds));
}

std::int64_t unix_of(TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

TimeZone zone(std::string_view name) {
  auto z = TimeZone::load(name);
  if (!z) ADD_FAILURE() << name << ": " << z.error().detail;
  return z ? *z : TimeZone();
}

TimeZone posix(std::string_view spec) {
  auto z = TimeZone::from_posix_tz(spec);
  if (!z) ADD_FAILURE() << spec << ": " << z.error().detail;
  return z ? *z : TimeZone();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The TZ string a TZif file ends with: the text between its last two newlines.
std::string footer_of(const std::string& bytes) {
  const std::size_t last = bytes.rfind('\n');
  const std::size_t before = bytes.rfind('\n', last - 1);
  return bytes.substr(before + 1, last - before - 1);
}

// --- Names and loading

TEST(TzName, IanaFormOnly) {
  for (const char* good : {"UTC", "America/New_York", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                           "Etc/GMT-14", "America/Port-au-Prince", "EST5EDT"}) {
    EXPECT_TRUE(valid_zone_name(good)) << good;
  }
  for (const char* bad : {"", "../etc/passwd", "/etc/passwd", "America/", "America//New_York",
                          "America/../../etc/passwd", "America/New York", "Europe/London\n",
                          "-help", "Etc/-x", "zone.tab", "Zürich"}) {
    EXPECT_FALSE(valid_zone_name(bad)) << bad;
  }
  EXPECT_TRUE(valid_zone_name(std::string(64, 'A')));
  EXPECT_FALSE(valid_zone_name(std::string(65, 'A')));
}

TEST(TzLoad, UtcAlwaysWorks) {
  auto utc = TimeZone::load("UTC", "/nonexistent/zoneinfo");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(utc->name(), "UTC");
  EXPECT_EQ(utc->offset_at(at(1'772'953'200)), seconds(0));
  EXPECT_EQ(utc->abbreviation_at(at(1'772'953'200)), "UTC");
  EXPECT_FALSE(utc->is_dst_at(at(0)));
  EXPECT_EQ(utc->next_transition(at(0)), std::nullopt);
  EXPECT_EQ(TimeZone().name(), "UTC");
  EXPECT_EQ(TimeZone().to_local(at(0)), (LocalTime{1970, 1, 1, 0, 0, 0, 4}));
  EXPECT_EQ(unix_of(TimeZone().from_local({2026, 3, 8, 2, 30, 0})), 1'772'937'000);
}

TEST(TzLoad, RefusesBadAndUnknownNames) {
  for (const char* name : {"../etc/passwd", "", "Not/AZone", "/etc/passwd", "America"}) {
    auto z = TimeZone::load(name);
    ASSERT_FALSE(z.ok()) << name;
    EXPECT_EQ(z.error().code, Errc::Validation) << name;
    EXPECT_NE(z.error().detail.find('"' + std::string(name) + '"'), std::string::npos)
        << z.error().detail;
    ASSERT_EQ(z.error().errors.size(), 1u);
    EXPECT_EQ(z.error().errors[0].field, "time_zone");
  }
  EXPECT_NE(TimeZone::load("Not/AZone").error().detail.find("unknown time zone"),
            std::string::npos);
  // Control characters are not echoed into messages.
  EXPECT_EQ(TimeZone::load("a\nb").error().detail.find('\n'), std::string::npos);
}

TEST(TzLoad, RefusesFilesThatAreNotUsableZones) {
  auto text = TimeZone::load("leapseconds");  // tzdata's text list of leap seconds
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().detail.find("not a usable TZif file"), std::string::npos);
  if (std::filesystem::exists(k_zoneinfo + "/right/UTC")) {
    auto right = TimeZone::load("right/UTC");
    ASSERT_FALSE(right.ok());
    EXPECT_NE(right.error().detail.find("leap-second"), std::string::npos);
  }
}

TEST(TzLoad, ReadsFromTheGivenDirectory) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "Test");
  std::filesystem::copy_file(k_zoneinfo + "/America/New_York", dir.file("Test/Zone"));
  auto z = TimeZone::load("Test/Zone", dir.path().string());
  ASSERT_TRUE(z.ok()) << z.error().detail;
  EXPECT_EQ(z->name(), "Test/Zone");
  EXPECT_EQ(z->offset_at(at(1'772'953'200)), -hours(4));
  EXPECT_FALSE(TimeZone::load("America/New_York", dir.path().string()).ok());
}

TEST(TzCache, LoadsEachZoneOnceAndShares) {
  std::vector<std::thread> threads;
  std::vector<const std::string*> names(8);
  for (std::size_t i = 0; i < names.size(); ++i) {
    threads.emplace_back([&names, i] {
      auto z = time_zone("Europe/London");
      ASSERT_TRUE(z.ok());
      EXPECT_EQ(z->offset_at(at(1'774'746'000)), hours(1));
      names[i] = &z->name();  // the cache keeps the zone, so the address stays valid
    });
  }
  for (auto& t : threads) t.join();
  for (const std::string* n : names) EXPECT_EQ(n, names[0]);  // one parsed zone, shared
  EXPECT_FALSE(time_zone("Not/AZone").ok());
  EXPECT_FALSE(time_zone("../etc/passwd").ok());
}

// --- Offsets, abbreviations, transitions

struct Known {
  const char* zone;
  std::int64_t unix;
  int offset_minutes;
  const char* abbr;
  bool dst;
};

TEST(TzOffsets, KnownAnswers) {
  const Known cases[] = {
      // New York, both 2026 changes (2026-03-08 07:00Z and 2026-11-01 06:00Z).
      {"America/New_York", 1'772'953'199, -300, "EST", false},
      {"America/New_York", 1'772'953'200, -240, "EDT", true},
      {"America/New_York", 1'793'512'799, -240, "EDT", true},
      {"America/New_York", 1'793'512'800, -300, "EST", false},
      // 2040 lies past the file's table: the footer rule "EST5EDT,M3.2.0,M11.1.0" decides.
      {"America/New_York", 2'215'061'999, -300, "EST", false},
      {"America/New_York", 2'215'062'000, -240, "EDT", true},
      {"America/New_York", 2'235'621'599, -240, "EDT", true},
      {"America/New_York", 2'235'621'600, -300, "EST", false},
      // London: 2026-03-29 01:00Z and 2026-10-25 01:00Z.
      {"Europe/London", 1'774'745'999, 0, "GMT", false},
      {"Europe/London", 1'774'746'000, 60, "BST", true},
      {"Europe/London", 1'792'889'999, 60, "BST", true},
      {"Europe/London", 1'792'890'000, 0, "GMT", false},
      // Sydney, southern hemisphere: summer time ends 2026-04-04 16:00Z, starts 10-03 16:00Z.
      {"Australia/Sydney", 1'768'478'400, 660, "AEDT", true},
      {"Australia/Sydney", 1'775'318'399, 660, "AEDT", true},
      {"Australia/Sydney", 1'775'318'400, 600, "AEST", false},
      {"Australia/Sydney", 1'784'116'800, 600, "AEST", false},
      {"Australia/Sydney", 1'791'043'199, 600, "AEST", false},
      {"Australia/Sydney", 1'791'043'200, 660, "AEDT", true},
      // Kolkata, a half-hour offset and no DST.
      {"Asia/Kolkata", 1'768'478'400, 330, "IST", false},
      {"Asia/Kolkata", 1'784'116'800, 330, "IST", false},
      // Chatham, quarter-hour offsets: 2026-04-04 14:00Z and 2026-09-26 14:00Z.
      {"Pacific/Chatham", 1'775'311'199, 825, "+1345", true},
      {"Pacific/Chatham", 1'775'311'200, 765, "+1245", false},
      {"Pacific/Chatham", 1'790'431'199, 765, "+1245", false},
      {"Pacific/Chatham", 1'790'431'200, 825, "+1345", true},
      // Sao Paulo: summer time until 2019-02-17 02:00Z, none since.
      {"America/Sao_Paulo", 1'550'368'799, -120, "-02", true},
      {"America/Sao_Paulo", 1'550'368'800, -180, "-03", false},
      {"America/Sao_Paulo", 1'768'478'400, -180, "-03", false},
      {"America/Sao_Paulo", 1'784'116'800, -180, "-03", false},
      {"America/Sao_Paulo", 2'215'062'000, -180, "-03", false},
  };
  for (const Known& c : cases) {
    SCOPED_TRACE(std::string(c.zone) + " @" + std::to_string(c.unix));
    const TimeZone z = zone(c.zone);
    EXPECT_EQ(z.offset_at(at(c.unix)), minutes(c.offset_minutes));
    EXPECT_EQ(z.abbreviation_at(at(c.unix)), c.abbr);
    EXPECT_EQ(z.is_dst_at(at(c.unix)), c.dst);
  }
}

TEST(TzOffsets, SubSecondInstantsFloor) {
  const TimeZone ny = zone("America/New_York");
  EXPECT_EQ(ny.offset_at(at(1'772'953'200) - std::chrono::nanoseconds(1)), -hours(5));
  EXPECT_EQ(ny.to_local(at(1'772'953'200) - std::chrono::milliseconds(1)).second, 59);
}

TEST(TzTransitions, NextTransition) {
  const TimeZone ny = zone("America/New_York");
  auto next = ny.next_transition(at(1'767'225'600));  // 2026-01-01
  ASSERT_TRUE(next);
  EXPECT_EQ(unix_of(*next), 1'772'953'200);
  next = ny.next_transition(*next);
  ASSERT_TRUE(next);
  EXPECT_EQ(unix_of(*next), 1'793'512'800);
  next = ny.next_transition(at(2'215'000'000));  // 2040, from the footer rule
  ASSERT_TRUE(next);
  EXPECT_EQ(unix_of(*next), 2'215'062'000);
  EXPECT_EQ(zone("America/Sao_Paulo").next_transition(at(1'767'225'600)), std::nullopt);
  EXPECT_EQ(zone("Asia/Kolkata").next_transition(at(1'767'225'600)), std::nullopt);
}

// --- Local time

TEST(TzLocal, ToLocalFieldsAndWeekday) {
  const TimeZone ny = zone("America/New_York");
  // 2026-03-08 07:00Z is 03:00 EDT on a Sunday; one second before, 01:59:59 EST.
  EXPECT_EQ(ny.to_local(at(1'772'953'200)), (LocalTime{2026, 3, 8, 3, 0, 0, 0}));
  EXPECT_EQ(ny.to_local(at(1'772'953'199)), (LocalTime{2026, 3, 8, 1, 59, 59, 0}));
  EXPECT_EQ(zone("Asia/Kolkata").to_local(at(1'768'478'400)),
            (LocalTime{2026, 1, 15, 17, 30, 0, 4}));
  EXPECT_EQ(zone("Pacific/Chatham").to_local(at(1'768'478'400)),
            (LocalTime{2026, 1, 16, 1, 45, 0, 5}));
  EXPECT_EQ(TimeZone().to_local(at(-1)), (LocalTime{1969, 12, 31, 23, 59, 59, 3}));
}

TEST(TzLocal, GapMovesForwardByTheGap) {
  const TimeZone ny = zone("America/New_York");
  for (Choose c : {Choose::Earliest, Choose::Latest}) {
    const TimePoint t = ny.from_local({2026, 3, 8, 2, 30, 0}, c);
    EXPECT_EQ(unix_of(t), 1'772'955'000);  // 07:30Z
    EXPECT_EQ(ny.to_local(t), (LocalTime{2026, 3, 8, 3, 30, 0, 0}));
    EXPECT_EQ(ny.abbreviation_at(t), "EDT");
  }
  // The edges of the gap: 01:59:59 EST exists, 02:00 becomes 03:00, 03:00 EDT exists.
  EXPECT_EQ(unix_of(ny.from_local({2026, 3, 8, 1, 59, 59})), 1'772'953'199);
  EXPECT_EQ(unix_of(ny.from_local({2026, 3, 8, 2, 0, 0})), 1'772'953'200);
  EXPECT_EQ(unix_of(ny.from_local({2026, 3, 8, 3, 0, 0})), 1'772'953'200);
  // Chatham skips 02:45 to 03:45 on 2026-09-27.
  const TimeZone chatham = zone("Pacific/Chatham");
  EXPECT_EQ(chatham.to_local(chatham.from_local({2026, 9, 27, 3, 0, 0})),
            (LocalTime{2026, 9, 27, 4, 0, 0, 0}));
}

TEST(TzLocal, FoldEarliestOrLatest) {
  const TimeZone ny = zone("America/New_York");
  const LocalTime fold{2026, 11, 1, 1, 30, 0};
  const TimePoint earliest = ny.from_local(fold, Choose::Earliest);
  const TimePoint latest = ny.from_local(fold, Choose::Latest);
  EXPECT_EQ(unix_of(earliest), 1'793'511'000);  // 05:30Z, EDT
  EXPECT_EQ(unix_of(latest), 1'793'514'600);    // 06:30Z, EST
  EXPECT_EQ(ny.abbreviation_at(earliest), "EDT");
  EXPECT_EQ(ny.abbreviation_at(latest), "EST");
  EXPECT_EQ(unix_of(ny.from_local(fold)), unix_of(earliest));  // Earliest by default
  // Outside the fold the choice does not matter.
  EXPECT_EQ(ny.from_local({2026, 11, 1, 2, 0, 0}, Choose::Earliest),
            ny.from_local({2026, 11, 1, 2, 0, 0}, Choose::Latest));
  // Sydney's fold, 2026-04-05 02:30, in the southern autumn.
  const TimeZone sydney = zone("Australia/Sydney");
  EXPECT_EQ(sydney.offset_at(sydney.from_local({2026, 4, 5, 2, 30, 0}, Choose::Earliest)),
            hours(11));
  EXPECT_EQ(sydney.offset_at(sydney.from_local({2026, 4, 5, 2, 30, 0}, Choose::Latest)), hours(10));
}

TEST(TzLocal, OutOfRangeFieldsCarry) {
  const TimeZone ny = zone("America/New_York");
  const TimePoint feb1 = ny.from_local({2026, 2, 1, 9, 0, 0});
  EXPECT_EQ(ny.from_local({2026, 1, 32, 9, 0, 0}), feb1);
  EXPECT_EQ(ny.from_local({2025, 14, 1, 9, 0, 0}), feb1);
  EXPECT_EQ(ny.from_local({2026, 2, 0, 33, 0, 0}), feb1);
  EXPECT_EQ(ny.from_local({2026, 2, 1, 8, 60, 0}), feb1);
  EXPECT_EQ(ny.from_local({2026, 3, -27, 9, 0, 0}), feb1);
  // "Next working day 09:00": Friday 2026-03-06 18:00 -> Monday 03-09 09:00 EDT, across the
  // change to summer time.
  LocalTime t = ny.to_local(ny.from_local({2026, 3, 6, 18, 0, 0}));
  ASSERT_EQ(t.weekday, 5);
  t.day += 3;
  t.hour = 9;
  t.minute = 0;
  EXPECT_EQ(unix_of(ny.from_local(t)), 1'773'061'200);  // 13:00Z
  // Beyond TimePoint's range: saturates instead of overflowing.
  EXPECT_EQ(ny.from_local({300'000, 1, 1, 0, 0, 0}), TimePoint::max());
  EXPECT_EQ(ny.from_local({-300'000, 1, 1, 0, 0, 0}), TimePoint::min());
  EXPECT_EQ(ny.from_local({2026, 2'000'000'000, 1, 0, 0, 0}), TimePoint::max());
}

// Every hour of 2026 survives to_local then from_local, and every local hour from_local then
// to_local, except the hour a gap skips.
TEST(TzLocal, RoundTripsHourlyOverAYear) {
  for (const char* name :
       {"America/New_York", "Europe/London", "Australia/Sydney", "Pacific/Chatham", "Asia/Kolkata",
        "America/Sao_Paulo", "Australia/Lord_Howe"}) {
    SCOPED_TRACE(name);
    const TimeZone z = zone(name);
    int folds = 0;
    for (std::int64_t t = 1'767'225'600; t < 1'767'225'600 + 365 * 86400; t += 3600) {
      const LocalTime local = z.to_local(at(t));
      const std::int64_t earliest = unix_of(z.from_local(local, Choose::Earliest));
      const std::int64_t latest = unix_of(z.from_local(local, Choose::Latest));
      ASSERT_TRUE(earliest == t || latest == t) << t;
      folds += earliest != latest;
    }
    int gaps = 0;
    LocalTime local{2026, 1, 1, 0, 0, 0};
    for (int h = 0; h < 365 * 24; ++h, ++local.hour) {
      LocalTime wanted = z.to_local(z.from_local(local));
      LocalTime normal = TimeZone().to_local(TimeZone().from_local(local));
      gaps += !(wanted == normal);
    }
    const bool has_dst =
        std::string(name) != "Asia/Kolkata" && std::string(name) != "America/Sao_Paulo";
    // Hourly instants inside the repeated hour: two (New York 05:00Z and 06:00Z show 01:00);
    // Lord Howe moves by half an hour, so one of each.
    EXPECT_EQ(folds, has_dst ? (std::string(name) == "Australia/Lord_Howe" ? 1 : 2) : 0);
    EXPECT_EQ(gaps, has_dst ? 1 : 0);
  }
}

// --- POSIX TZ rules

TEST(TzPosix, Forms) {
  const struct {
    const char* spec;
    std::int64_t unix;
    int offset_minutes;
    const char* abbr;
  } cases[] = {
      {"<+0330>-3:30", 1'772'953'200, 210, "+0330"},
      {"<-03>3", 1'772'953'200, -180, "-03"},
      {"IST-5:30", 0, 330, "IST"},
      {"UTC0", 0, 0, "UTC"},
      {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 1'775'311'199, 825, "+1345"},
      {"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45", 1'775'311'200, 765, "+1245"},
      // Jn: day 60 is March 1 in every year, leap or not.
      {"XXX3YYY,J60/2,J300/2", 1'709'269'199, -180, "XXX"},  // 2024-03-01 01:59:59 local
      {"XXX3YYY,J60/2,J300/2", 1'709'269'200, -120, "YYY"},
      {"XXX3YYY,J60/2,J300/2", 1'740'805'200, -120, "YYY"},  // 2025-03-01
      // n: zero-based and counting February 29, so day 59 is 2024-02-29 but 2025-03-01.
      {"AAA3BBB,59,300", 1'709'182'800, -120, "BBB"},
      {"AAA3BBB,59,300", 1'740'805'199, -180, "AAA"},
      {"AAA3BBB,59,300", 1'740'805'200, -120, "BBB"},
      // Negative rule time (Nuuk): the last Sunday of March at -1:00, i.e. Saturday 23:00.
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1'774'745'999, -120, "-02"},
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", 1'774'746'000, -60, "-01"},
      // Past 24 hours (Jerusalem): the fourth Thursday of March at 26:00, Friday 02:00.
      {"IST-2IDT,M3.4.4/26,M10.5.0", 1'774'569'599, 120, "IST"},
      {"IST-2IDT,M3.4.4/26,M10.5.0", 1'774'569'600, 180, "IDT"},
      // No dates: the US rule.
      {"EST5EDT", 1'772'953'199, -300, "EST"},
      {"EST5EDT", 1'772'953'200, -240, "EDT"},
      // Explicit summer offset, with seconds.
      {"AAA+3BBB+1:30:15,M3.2.0,M11.1.0", 1'784'116'800, -90, "BBB"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.spec) + " @" + std::to_string(c.unix));
    const TimeZone z = posix(c.spec);
    EXPECT_EQ(z.name(), c.spec);
    if (c.offset_minutes == -90) {
      EXPECT_EQ(z.offset_at(at(c.unix)), seconds(-(90 * 60 + 15)));
    } else {
      EXPECT_EQ(z.offset_at(at(c.unix)), minutes(c.offset_minutes));
    }
    EXPECT_EQ(z.abbreviation_at(at(c.unix)), c.abbr);
  }
}

TEST(TzPosix, SummerTimeAllYear) {
  // RFC 8536 section 3.3.1: "EST5EDT,0/0,J365/25" is daylight saving time all year.
  const TimeZone z = posix("EST5EDT,0/0,J365/25");
  for (std::int64_t t = 1'704'067'200; t < 1'704'067'200 + 3 * 366 * 86400; t += 3600) {
    ASSERT_EQ(z.offset_at(at(t)), -hours(4)) << t;
  }
  EXPECT_EQ(z.next_transition(at(1'704'067'200)), std::nullopt);
}

TEST(TzPosix, RefusesMalformed) {
  for (const char* spec :
       {"", "EST", "ES5", "<+03", "<+3>-3", "EST25", "EST5:60", "EST5EDT,M3.2.0",
        "EST5EDT,M13.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J365", "EST5EDT,366,J365", "EST5EDT,M3.2.0/168,M11.1.0", ":America/New_York",
        "EST5x", "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT4junk"}) {
    auto z = TimeZone::from_posix_tz(spec);
    EXPECT_FALSE(z.ok()) << spec;
    if (!z.ok()) {
      EXPECT_EQ(z.error().code, Errc::Validation);
    }
  }
  EXPECT_FALSE(TimeZone::from_posix_tz(std::string(300, 'A') + "5").ok());
}

// zic writes each zone's transitions out to 2037 and the rule that continues them into the
// footer; the rule evaluated alone must give the same transitions. Left out are the zones
// whose table follows Ramadan, which no POSIX rule expresses: Gaza and Hebron (summer time
// paused), Casablanca and El Aaiun (an hour back during Ramadan).
TEST(TzPosix, FooterRuleMatchesZicTables) {
  std::ifstream tab(k_zoneinfo + "/zone1970.tab");
  if (!tab) GTEST_SKIP() << "no zone1970.tab";
  int zones = 0;
  for (std::string line; std::getline(tab, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string codes, coordinates, name;
    fields >> codes >> coordinates >> name;
    if (name == "Asia/Gaza" || name == "Asia/Hebron" || name == "Africa/Casablanca" ||
        name == "Africa/El_Aaiun") {
      continue;
    }
    SCOPED_TRACE(name);
    const TimeZone z = zone(name);
    const std::string footer = footer_of(read_file(k_zoneinfo + "/" + name));
    ASSERT_FALSE(footer.empty());
    const TimeZone rule = posix(footer);
    const TimePoint from = at(1'798'761'600);   // 2027-01-01
    const TimePoint until = at(2'145'916'800);  // 2038-01-01
    EXPECT_EQ(z.offset_at(from), rule.offset_at(from));
    EXPECT_EQ(z.abbreviation_at(from), rule.abbreviation_at(from));
    auto a = z.next_transition(from);
    auto b = rule.next_transition(from);
    int steps = 0;
    for (; a && *a < until; a = z.next_transition(*a), b = rule.next_transition(*b)) {
      ASSERT_TRUE(b);
      ASSERT_EQ(unix_of(*a), unix_of(*b));
      ASSERT_EQ(z.offset_at(*a), rule.offset_at(*b));
      ASSERT_EQ(z.abbreviation_at(*a), rule.abbreviation_at(*b));
      ++steps;
    }
    EXPECT_TRUE(!b || *b >= until);
    EXPECT_EQ(steps, rule.next_transition(from) ? 22 : 0);
    ++zones;
  }
  EXPECT_GT(zones, 300);
}

// --- TZif files

// Builds a TZif file: `version` 0 gives a version 1 file, else a version 1 block with no data
// followed by the 64-bit block and the footer.
struct TzifBuilder {
  struct Type {
    std::int32_t offset;
    bool dst;
    std::uint8_t abbr_index;
  };
  char version = '2';
  std::vector<std::int64_t> times;
  std::vector<std::uint8_t> indexes;
  std::vector<Type> types;
  std::string chars;
  std::uint32_t leaps = 0;
  std::string footer;

  static void put(std::string& out, std::uint64_t v, int size) {
    for (int i = size - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  }
  void header(std::string& out, bool empty) const {
    out += "TZif";
    out += version;
    out.append(15, '\0');
    const std::uint32_t n_types = empty ? 1 : static_cast<std::uint32_t>(types.size());
    for (std::uint32_t v :
         {0u, 0u, empty ? 0u : leaps, empty ? 0u : static_cast<std::uint32_t>(times.size()),
          n_types, empty ? 1u : static_cast<std::uint32_t>(chars.size())}) {
      put(out, v, 4);
    }
  }
  std::string bytes() const {
    std::string out;
    const int time_size = version == 0 ? 4 : 8;
    if (version != 0) {
      header(out, true);
      out.append(6, '\0');  // one type: UTC+0, abbreviation ""
      out += '\0';
    }
    header(out, false);
    for (std::int64_t t : times) put(out, static_cast<std::uint64_t>(t), time_size);
    for (std::uint8_t i : indexes) out += static_cast<char>(i);
    for (const Type& t : types) {
      put(out, static_cast<std::uint32_t>(t.offset), 4);
      out += static_cast<char>(t.dst);
      out += static_cast<char>(t.abbr_index);
    }
    out += chars;
    for (std::uint32_t i = 0; i < leaps; ++i) {
      put(out, 0, time_size);  // when
      put(out, 1, 4);          // correction
    }
    if (version != 0) out += "\n" + footer + "\n";
    return out;
  }
};

TzifBuilder two_types() {
  TzifBuilder b;
  b.times = {1'000'000, 2'000'000};
  b.indexes = {1, 0};
  b.types = {{3600, false, 0}, {7200, true, 4}};
  b.chars = std::string("AAA\0BBB\0", 8);
  b.footer = "AAA-1";
  return b;
}

TEST(TzTzif, HandBuiltFiles) {
  auto z = TimeZone::from_tzif("Test/Two", two_types().bytes());
  ASSERT_TRUE(z.ok()) << z.error().detail;
  EXPECT_EQ(z->name(), "Test/Two");
  EXPECT_EQ(z->abbreviation_at(at(0)), "AAA");  // before the first transition: type 0
  EXPECT_EQ(z->abbreviation_at(at(1'000'000)), "BBB");
  EXPECT_EQ(z->offset_at(at(1'999'999)), hours(2));
  EXPECT_EQ(z->offset_at(at(2'000'000)), hours(1));
  EXPECT_EQ(z->offset_at(at(2'000'000'000)), hours(1));  // footer

  TzifBuilder v1 = two_types();
  v1.version = 0;
  EXPECT_TRUE(TimeZone::from_tzif("v1", v1.bytes()).ok());
  TzifBuilder v3 = two_types();
  v3.version = '3';
  v3.footer = "AAA-1BBB,M3.5.0/-1,M10.5.0/26";
  EXPECT_TRUE(TimeZone::from_tzif("v3", v3.bytes()).ok());
  TzifBuilder no_footer = two_types();
  no_footer.footer = "";
  auto last_type = TimeZone::from_tzif("no footer", no_footer.bytes());
  ASSERT_TRUE(last_type.ok());
  EXPECT_EQ(last_type->offset_at(at(2'000'000'000)), hours(1));  // the last transition's type

  TzifBuilder no_transitions;  // RFC 8536: then the footer rules all time
  no_transitions.types = {{0, false, 0}};
  no_transitions.chars = std::string("LMT\0", 4);
  no_transitions.footer = "<+0330>-3:30";
  auto footer_only = TimeZone::from_tzif("footer only", no_transitions.bytes());
  ASSERT_TRUE(footer_only.ok());
  EXPECT_EQ(footer_only->offset_at(at(0)), hours(3) + minutes(30));
}

TEST(TzTzif, RefusesMalformedFiles) {
  const auto refused = [](const TzifBuilder& b, const char* why) {
    auto z = TimeZone::from_tzif("Test/Bad", b.bytes());
    ASSERT_FALSE(z.ok()) << why;
    EXPECT_EQ(z.error().code, Errc::Validation);
    EXPECT_NE(z.error().detail.find(why), std::string::npos) << z.error().detail;
  };
  TzifBuilder b = two_types();
  b.version = '1';
  refused(b, "version");
  b = two_types();
  b.times = {2'000'000, 1'000'000};
  refused(b, "unordered");
  b = two_types();
  b.indexes = {1, 2};
  refused(b, "transition type");
  b = two_types();
  b.types[1].abbr_index = 8;
  refused(b, "local time type");
  b = two_types();
  b.types[1].offset = 30 * 3600;
  refused(b, "offset");
  b = two_types();
  b.chars = std::string("AAA\0BBB", 7);
  refused(b, "abbreviation");
  b = two_types();
  b.leaps = 1;
  refused(b, "leap-second");
  b = two_types();
  b.footer = "AAA";
  refused(b, "footer");
  b = two_types();
  b.types.clear();
  b.indexes.clear();
  b.times.clear();
  refused(b, "types");
  EXPECT_FALSE(TimeZone::from_tzif("Test/Bad", "").ok());
  EXPECT_FALSE(TimeZone::from_tzif("Test/Bad", "TZif2 not really").ok());
}

TEST(TzTzif, EveryPrefixOfARealFileIsRefusedAndNoCorruptionCrashes) {
  const std::string bytes = read_file(k_zoneinfo + "/America/New_York");
  ASSERT_GT(bytes.size(), 100u);
  ASSERT_TRUE(TimeZone::from_tzif("America/New_York", bytes).ok());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_FALSE(TimeZone::from_tzif("prefix", bytes.substr(0, n)).ok()) << n;
  }
  // Any one byte inverted: parsed or refused, never out of bounds (ASan watches).
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(~corrupt[i]);
    auto z = TimeZone::from_tzif("corrupt", corrupt);
    if (z.ok()) {
      (void)z->to_local(at(1'772'953'200));
      (void)z->from_local({2026, 3, 8, 2, 30, 0});
      (void)z->next_transition(at(1'772'953'200));
    }
  }
}

TEST(TzTzif, VersionOneDataAlone) {
  // The 32-bit block of a real file, presented as a version 1 file: no footer, so after its
  // last transition (2037) the last type stays.
  const std::string bytes = read_file(k_zoneinfo + "/America/New_York");
  const auto be32 = [&](std::size_t at_byte) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      v = v << 8 | static_cast<unsigned char>(bytes[at_byte + i]);
    }
    return std::uint64_t{v};
  };
  const std::uint64_t isut = be32(20), isstd = be32(24), leap = be32(28), time = be32(32),
                      type = be32(36), chars = be32(40);
  std::string v1 = bytes.substr(0, 44 + time * 5 + type * 6 + chars + leap * 8 + isstd + isut);
  v1[4] = '\0';
  auto z = TimeZone::from_tzif("v1", v1);
  ASSERT_TRUE(z.ok()) << z.error().detail;
  EXPECT_EQ(z->offset_at(at(1'772'953'199)), -hours(5));
  EXPECT_EQ(z->offset_at(at(1'772'953'200)), -hours(4));
  EXPECT_EQ(z->offset_at(at(2'225'000'000)), -hours(5));  // July 2040: no rule, EST stays
}

}  // namespace
}  // namespace tend
