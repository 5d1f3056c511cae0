#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/errors.h"
#include "platform/ids.h"
#include "platform/json.h"

namespace tend {
namespace {

TEST(Clock, Rfc3339RoundTrip) {
  TimePoint t;
  ASSERT_TRUE(parse_rfc3339("2026-11-23T10:15:30.250Z", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-23T10:15:30.250Z");
  ASSERT_TRUE(parse_rfc3339("2026-11-23T12:15:30+02:00", t));
  EXPECT_EQ(format_rfc3339(t), "2026-11-23T10:15:30.000Z");
  EXPECT_FALSE(parse_rfc3339("2026-11-23 10:15:30Z", t));
  EXPECT_FALSE(parse_rfc3339("2026-02-30T10:15:30Z", t));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T24:00:00Z", t));
  EXPECT_FALSE(parse_rfc3339("2026-11-23T10:15:30", t));
  // Beyond what a nanosecond TimePoint holds: refused, never wrapped round to another date.
  EXPECT_FALSE(parse_rfc3339("1012-03-01T09:30:00Z", t));
  EXPECT_FALSE(parse_rfc3339("2424-02-29T09:30:00Z", t));
  ASSERT_TRUE(parse_rfc3339("1900-01-01T00:00:00Z", t));
  EXPECT_EQ(format_rfc3339(t), "1900-01-01T00:00:00.000Z");
}

TEST(Clock, Dates) {
  int y, m, d;
  EXPECT_TRUE(parse_date("2024-02-29", y, m, d));
  EXPECT_FALSE(parse_date("2023-02-29", y, m, d));
  EXPECT_FALSE(parse_date("1900-02-29", y, m, d));
  EXPECT_TRUE(parse_date("2000-02-29", y, m, d));
  EXPECT_FALSE(parse_date("2024-13-01", y, m, d));
  EXPECT_FALSE(parse_date("2024-1-01", y, m, d));
  EXPECT_FALSE(parse_date("２０２４-01-01", y, m, d));
  FakeClock clock(0);
  EXPECT_EQ(format_date(clock.now()), "1970-01-01");
  clock.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(format_date(clock.now()), "1971-01-01");
}

TEST(Ids, ShapeAndUniqueness) {
  const auto a = new_id("cl");
  const auto b = new_id("cl");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 23u);
  EXPECT_TRUE(is_well_formed_id(a));
  EXPECT_FALSE(is_well_formed_id("cl_"));
  EXPECT_FALSE(is_well_formed_id("../etc/passwd"));
}

TEST(Ids, RandomDigitsAreDigitsAndVary) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto d = random_digits(9);
    ASSERT_EQ(d.size(), 9u);
    EXPECT_EQ(d.find_first_not_of("0123456789"), std::string::npos) << d;
    seen.insert(d);
  }
  EXPECT_GT(seen.size(), 195u);  // 10^9 possibilities: a repeat in 200 draws is near impossible
}

TEST(Ids, LaterIdsSortAfterEarlierOnes) {
  std::set<std::string> seen;
  std::string previous = new_id("cl");
  for (int i = 0; i < 2000; ++i) {
    if (i % 500 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::string next = new_id("cl");
    // Strictly in the order made: within one millisecond too, where the random part of the
    // next is the last one's plus one.
    EXPECT_LT(previous, next);
    EXPECT_TRUE(seen.insert(next).second);
    previous = std::move(next);
  }
  const std::string early = new_id("cl");
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_LT(early, new_id("cl"));
}

TEST(Ids, ManyThreadsInOneMillisecondStillGiveDistinctOrderedIds) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& out : made) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 5000; ++i) out.push_back(new_id("sg"));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : made) {
    // Each thread's ids are in the order that thread made them.
    for (std::size_t i = 1; i < out.size(); ++i) ASSERT_LT(out[i - 1], out[i]);
    for (const auto& id : out) {
      EXPECT_TRUE(is_well_formed_id(id)) << id;
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), 20000u);
}

TEST(Errors, EveryCodeHasARow) {
  for (Errc c :
       {Errc::BadRequest, Errc::Validation, Errc::Unauthenticated, Errc::Forbidden, Errc::NotFound,
        Errc::MethodNotAllowed, Errc::Conflict, Errc::PayloadTooLarge, Errc::UnsupportedMedia,
        Errc::TooManyRequests, Errc::Internal, Errc::Unavailable}) {
    EXPECT_EQ(error_info(c).code, c);
  }
  EXPECT_EQ(error_info(Errc::Validation).http_status, 422);
  EXPECT_EQ(error_info(Errc::NotFound).http_status, 404);
}

TEST(Json, ParseRefusals) {
  EXPECT_FALSE(json::parse_object("").ok());
  EXPECT_FALSE(json::parse_object("{").ok());
  EXPECT_FALSE(json::parse_object("[1]").ok());
  EXPECT_FALSE(json::parse_object("{\"a\":1,}").ok());
  EXPECT_FALSE(json::parse_object(std::string("{\"a\":\"\xff\"}")).ok());
  EXPECT_FALSE(json::parse_object(std::string(40, '[') + std::string(40, ']')).ok());
  EXPECT_TRUE(json::parse_object("{\"a\":\"é\"}").ok());
}

TEST(Json, FieldReaderCollectsEveryProblem) {
  auto o = json::parse_object(R"({"name":5,"age":"x","extra":true,"n":300})");
  ASSERT_TRUE(o.ok());
  json::FieldReader r(*o);
  r.string("name", {.required = true});
  r.integer("age");
  r.integer("n", false, 0, 255);
  r.string("missing", {.required = true});
  auto st = r.finish();
  ASSERT_FALSE(st.ok());
  std::vector<std::string> fields;
  for (const auto& e : st.error().errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"name", "age", "n", "missing", "extra"}));
}

}  // namespace
}  // namespace tend
