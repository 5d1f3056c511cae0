// The pure rules of the daily check-in: every refusal of a check-in at its boundary, the
// factor list, streaks, the thresholds of a pattern, chart points, the CSV diary and the
// facts handed to crisis detection. Dates and moods are synthetic.
#include "tracking/rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tend::tracking::rules {
namespace {

namespace bj = boost::json;

constexpr const char* k_today = "2026-12-02";
const std::set<std::string> k_known = {"exercise", "alcohol", "my_walk_with_dog"};

bj::value body(std::string_view extra = "") {
  std::string text = R"({"date": "2026-12-02", "mood": 6)";
  if (!extra.empty()) text += std::string(", ") + std::string(extra);
  text += "}";
  return bj::parse(text);
}

//! The fields a refused check-in names.
std::vector<std::string> refused(std::string_view extra, std::string_view today = k_today) {
  auto r = check_in(body(extra), today, k_known);
  std::vector<std::string> fields;
  if (r) return fields;
  EXPECT_EQ(r.error().code, Errc::Validation);
  for (const auto& e : r.error().errors) fields.push_back(e.field);
  return fields;
}

using Fields = std::vector<std::string>;

// ---- factors ----------------------------------------------------------------------------

TEST(Factors, TheEmbeddedListLoadsWithUniqueIdsAndLabels) {
  auto r = load_factors(content::embedded());
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_GE(r->size(), 12u);
  std::set<std::string> ids;
  for (const auto& f : *r) {
    EXPECT_TRUE(ids.insert(f.id).second) << f.id;
    EXPECT_FALSE(f.label.empty()) << f.id;
  }
  for (const char* id :
       {"exercise", "outdoors", "social_contact", "work_or_study", "good_meals", "caffeine_late",
        "alcohol", "drugs", "screen_late", "conflict", "caring_duties", "period"}) {
    EXPECT_EQ(ids.count(id), 1u) << id;
  }
  const auto alcohol =
      std::find_if(r->begin(), r->end(), [](auto& f) { return f.id == "alcohol"; });
  EXPECT_EQ(alcohol->kind, FactorKind::Factor);
  EXPECT_EQ(r->front().kind, FactorKind::Activity);
}

TEST(Factors, AMissingFileIsAnErrorNamingIt) {
  auto r = load_factors({});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "tracking/factors.json: missing");
  const std::vector<content::File> bad = {{"tracking/factors.json", "{\"factors\": []}"}};
  auto b = load_factors(bad);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().detail.rfind("tracking/factors.json: factors ", 0), 0u) << b.error().detail;
}

TEST(Factors, EachRefusalNamesItsField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"factors": [{"id": "a", "label": "A", "kind": "activity"},
                       {"id": "a", "label": "B", "kind": "factor"}]})",
       "factors[1].id"},
      {R"({"factors": [{"id": "Exercise", "label": "A", "kind": "activity"}]})", "factors[0].id"},
      {R"({"factors": [{"id": "", "label": "A", "kind": "activity"}]})", "factors[0].id"},
      {R"({"factors": [{"label": "A", "kind": "activity"}]})", "factors[0].id"},
      {R"({"factors": [{"id": "a", "label": "", "kind": "activity"}]})", "factors[0].label"},
      {R"({"factors": [{"id": "a", "label": 3, "kind": "activity"}]})", "factors[0].label"},
      {R"({"factors": [{"id": "a", "label": "A", "kind": "habit"}]})", "factors[0].kind"},
      {R"({"factors": [{"id": "a", "label": "A"}]})", "factors[0].kind"},
      {R"({"factors": [{"id": "a", "label": "A", "kind": "factor", "colour": "red"}]})",
       "factors[0].colour"},
      {R"({"factors": ["a"]})", "factors[0]"},
      {R"({"factors": {}})", "factors"},
      {R"({"factor": [{"id": "a", "label": "A", "kind": "factor"}]})", "factor"},
  };
  for (const auto& [text, field] : cases) {
    auto r = parse_factors(text);
    ASSERT_FALSE(r) << text;
    bool named = false;
    for (const auto& e : r.error().errors) named = named || e.field == field;
    EXPECT_TRUE(named) << text << " → " << r.error().detail;
  }
  EXPECT_FALSE(parse_factors("not json"));
  EXPECT_FALSE(parse_factors("[]"));
  auto ok = parse_factors(R"({"factors": [{"id": "a_1", "label": "A", "kind": "factor"}]})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at(0).id, "a_1");
  EXPECT_EQ(ok->at(0).kind, FactorKind::Factor);
  const std::string label60(60, 'x'), label61(61, 'x');
  EXPECT_TRUE(parse_factors(R"({"factors": [{"id": "a", "label": ")" + label60 +
                            R"(", "kind": "factor"}]})"));
  EXPECT_FALSE(parse_factors(R"({"factors": [{"id": "a", "label": ")" + label61 +
                             R"(", "kind": "factor"}]})"));
}

// ---- check_in ---------------------------------------------------------------------------

TEST(CheckInBody, AFullCheckInIsRead) {
  auto r = check_in(body(R"("anxiety": 3, "sleep_hours": 7.5, "sleep_quality": 2, "energy": 5,
                            "self_harm_urge": 1, "medication": "not_applicable",
                            "factors": ["exercise", "my_walk_with_dog"], "note": "Quiet day.",
                            "share_note": true)"),
                    k_today, k_known);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->date, "2026-12-02");
  EXPECT_EQ(r->mood, 6);
  EXPECT_EQ(r->anxiety, 3);
  EXPECT_EQ(r->sleep_hours, 7.5);
  EXPECT_EQ(r->sleep_quality, 2);
  EXPECT_EQ(r->energy, 5);
  EXPECT_EQ(r->self_harm_urge, 1);
  EXPECT_EQ(r->medication, Medication::NotApplicable);
  EXPECT_EQ(r->factors, (std::vector<std::string>{"exercise", "my_walk_with_dog"}));
  EXPECT_EQ(r->note, "Quiet day.");
  EXPECT_TRUE(r->share_note);
}

TEST(CheckInBody, OnlyDateAndMoodAreRequiredAndSkippedRatingsStayAbsent) {
  auto r = check_in(body(R"("anxiety": null)"), k_today, k_known);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->anxiety);
  EXPECT_FALSE(r->sleep_hours);
  EXPECT_FALSE(r->self_harm_urge);
  EXPECT_FALSE(r->medication);
  EXPECT_TRUE(r->factors.empty());
  EXPECT_FALSE(r->share_note);
  auto no_mood = check_in(bj::parse(R"({"date": "2026-12-02"})"), k_today, k_known);
  ASSERT_FALSE(no_mood);
  EXPECT_EQ(no_mood.error().errors.at(0).field, "mood");
  auto no_date = check_in(bj::parse(R"({"mood": 5})"), k_today, k_known);
  ASSERT_FALSE(no_date);
  EXPECT_EQ(no_date.error().errors.at(0).field, "date");
  EXPECT_FALSE(check_in(bj::parse("[]"), k_today, k_known));
}

TEST(CheckInBody, RatingsAreAcceptedAtTheirBoundsAndRefusedJustOutside) {
  struct Range {
    const char* field;
    int lo, hi;
  };
  for (const Range& f : {Range{"anxiety", 0, 10}, Range{"sleep_quality", 0, 4},
                         Range{"energy", 0, 10}, Range{"self_harm_urge", 0, 5}}) {
    const std::string key = std::string("\"") + f.field + "\": ";
    EXPECT_EQ(refused(key + std::to_string(f.lo)), Fields{}) << f.field;
    EXPECT_EQ(refused(key + std::to_string(f.hi)), Fields{}) << f.field;
    EXPECT_EQ(refused(key + std::to_string(f.lo - 1)), Fields{f.field}) << f.field;
    EXPECT_EQ(refused(key + std::to_string(f.hi + 1)), Fields{f.field}) << f.field;
    EXPECT_EQ(refused(key + "\"3\""), Fields{f.field}) << f.field;
    EXPECT_EQ(refused(key + "2.5"), Fields{f.field}) << f.field;
    EXPECT_EQ(refused(key + "true"), Fields{f.field}) << f.field;
    EXPECT_EQ(refused(key + "18446744073709551615"), Fields{f.field}) << f.field;
  }
  auto mood = [](const std::string& v) {
    auto r = check_in(bj::parse(R"({"date": "2026-12-02", "mood": )" + v + "}"), k_today, k_known);
    return r ? std::string() : r.error().errors.at(0).field;
  };
  EXPECT_EQ(mood("0"), "");
  EXPECT_EQ(mood("10"), "");
  EXPECT_EQ(mood("-1"), "mood");
  EXPECT_EQ(mood("11"), "mood");
  EXPECT_EQ(mood("\"6\""), "mood");
  EXPECT_EQ(mood("null"), "mood");
}

TEST(CheckInBody, SleepIsZeroToTwentyFourInHalfHours) {
  for (const char* ok : {"0", "0.5", "7", "7.5", "24", "24.0"}) {
    EXPECT_EQ(refused(std::string("\"sleep_hours\": ") + ok), Fields{}) << ok;
  }
  for (const char* bad : {"-0.5", "24.5", "7.25", "7.1", "\"7\"", "true"}) {
    EXPECT_EQ(refused(std::string("\"sleep_hours\": ") + bad), Fields{"sleep_hours"}) << bad;
  }
}

TEST(CheckInBody, MedicationIsYesNoOrNotApplicable) {
  EXPECT_EQ(check_in(body(R"("medication": "yes")"), k_today, k_known)->medication,
            Medication::Yes);
  EXPECT_EQ(check_in(body(R"("medication": "no")"), k_today, k_known)->medication, Medication::No);
  for (const char* bad : {"\"Yes\"", "\"\"", "true", "1", "\"na\""}) {
    EXPECT_EQ(refused(std::string("\"medication\": ") + bad), Fields{"medication"}) << bad;
  }
}

TEST(CheckInBody, FactorsMustBeKnownAndOnceEach) {
  EXPECT_EQ(refused(R"("factors": ["exercise", "gardening"])"), Fields{"factors[1]"});
  EXPECT_EQ(refused(R"("factors": ["exercise", "exercise"])"), Fields{"factors[1]"});
  EXPECT_EQ(refused(R"("factors": [3])"), Fields{"factors[0]"});
  EXPECT_EQ(refused(R"("factors": "exercise")"), Fields{"factors"});
  EXPECT_EQ(refused(R"("factors": [])"), Fields{});
}

TEST(CheckInBody, DateMayNotBeInTheFutureNorMoreThanSevenDaysBack) {
  auto on = [](const std::string& date) {
    auto r = check_in(bj::parse(R"({"mood": 5, "date": ")" + date + "\"}"), k_today, k_known);
    return r ? std::string() : r.error().errors.at(0).message;
  };
  EXPECT_EQ(on("2026-12-02"), "");  // today
  EXPECT_EQ(on("2026-11-25"), "");  // 7 days back: an offline check-in sent late
  EXPECT_NE(on("2026-11-24").find("more than 7"), std::string::npos);  // 8 days back
  EXPECT_EQ(on("2026-12-03"), "is in the future");
  EXPECT_EQ(on("2026-02-30"), "must be a date, YYYY-MM-DD");
  EXPECT_EQ(on("02/12/2026"), "must be a date, YYYY-MM-DD");
  // Across a year's end.
  auto r = check_in(bj::parse(R"({"mood": 5, "date": "2026-12-27"})"), "2027-01-03", k_known);
  EXPECT_TRUE(r);
  EXPECT_FALSE(check_in(bj::parse(R"({"mood": 5, "date": "2026-12-26"})"), "2027-01-03", k_known));
}

TEST(CheckInBody, NoteIsAtMostFiveHundredCharactersNotBytes) {
  const std::string ascii500(500, 'a'), ascii501(501, 'a');
  std::string accented500;
  for (int i = 0; i < 500; ++i) accented500 += "\xC3\xA9";  // é: 2 bytes, 1 character
  EXPECT_EQ(refused("\"note\": \"" + ascii500 + "\""), Fields{});
  EXPECT_EQ(refused("\"note\": \"" + accented500 + "\""), Fields{});
  EXPECT_EQ(refused("\"note\": \"" + ascii501 + "\""), Fields{"note"});
  EXPECT_EQ(refused("\"note\": \"" + accented500 + "a\""), Fields{"note"});
  EXPECT_EQ(refused("\"note\": 5"), Fields{"note"});
  EXPECT_EQ(refused("\"share_note\": \"yes\""), Fields{"share_note"});
}

TEST(CheckInBody, UnknownKeysAndEveryFaultAreNamedTogether) {
  EXPECT_EQ(refused(R"("moood": 5)"), Fields{"moood"});
  EXPECT_EQ(refused(R"("anxiety": 11, "energy": -1, "extra": 1)"),
            (Fields{"extra", "anxiety", "energy"}));
  auto r = check_in(body(R"("note": "private words", "energy": 20)"), k_today, k_known);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.find("private"), std::string::npos) << "no client content in detail";
}

// ---- streak -----------------------------------------------------------------------------

TEST(Streaks, CurrentRunEndsTodayOrYesterday) {
  const std::vector<std::string> three = {"2026-11-30", "2026-12-01", "2026-12-02"};
  EXPECT_EQ(streak(three, "2026-12-02").current, 3);
  EXPECT_EQ(streak(three, "2026-12-03").current, 3);  // today's not done yet
  EXPECT_EQ(streak(three, "2026-12-04").current, 0);  // a day missed
  EXPECT_EQ(streak({}, "2026-12-04").current, 0);
  EXPECT_EQ(streak({}, "2026-12-04").best, 0);
}

TEST(Streaks, BestRunRepeatsAndFutureDatesAreHandled) {
  const std::vector<std::string> dates = {"2026-11-10", "2026-11-11", "2026-11-12", "2026-11-13",
                                          "2026-11-20", "2026-11-21", "2026-11-21", "2026-12-01",
                                          "2026-12-02", "2026-12-05", "not a date"};
  const Streak s = streak(dates, "2026-12-02");
  EXPECT_EQ(s.best, 4);
  EXPECT_EQ(s.current, 2);  // 12-05 is after today and ignored
  EXPECT_EQ(s.last_7, 2);   // 11-26 … 12-02
  EXPECT_EQ(s.last_30, 8);  // 11-03 … 12-02, 11-21 once
  EXPECT_EQ(streak({"2026-02-28", "2026-03-01"}, "2026-03-01").current, 2);  // no leap day
}

TEST(Streaks, LastSevenAndThirtyDaysAtTheirEdges) {
  EXPECT_EQ(streak({"2026-11-26"}, "2026-12-02").last_7, 1);   // 6 days before today
  EXPECT_EQ(streak({"2026-11-25"}, "2026-12-02").last_7, 0);   // 7 days before
  EXPECT_EQ(streak({"2026-11-03"}, "2026-12-02").last_30, 1);  // 29 days before
  EXPECT_EQ(streak({"2026-11-02"}, "2026-12-02").last_30, 0);  // 30 days before
}

// ---- pattern ----------------------------------------------------------------------------

const Factor k_exercise{"exercise", "Exercise", FactorKind::Activity};

//! `with` check-ins ticking exercise at mood `mood_with`, `without` at `mood_without`; the
//! first day with may be moved by `adjust` points.
std::vector<CheckIn> days(int with, int mood_with, int without, int mood_without, int adjust = 0) {
  std::vector<CheckIn> out;
  for (int i = 0; i < with + without; ++i) {
    CheckIn c;
    c.date = "2026-11-" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1);
    c.mood = i < with ? mood_with + (i == 0 ? adjust : 0) : mood_without;
    if (i < with) c.factors = {"alcohol", "exercise"};
    out.push_back(c);
  }
  return out;
}

TEST(Patterns, AVerdictNeedsFiveDaysInEachGroup) {
  EXPECT_TRUE(pattern(days(5, 7, 5, 5), k_exercise).verdict);
  EXPECT_FALSE(pattern(days(4, 7, 5, 5), k_exercise).verdict);
  EXPECT_FALSE(pattern(days(5, 7, 4, 5), k_exercise).verdict);
  const Pattern few = pattern(days(4, 7, 9, 5), k_exercise);
  EXPECT_EQ(few.text,
            "Not enough days yet to compare your mood on days with and without exercise "
            "(4 days with, 9 without).");
  EXPECT_EQ(few.days_with, 4);
  EXPECT_EQ(few.days_without, 9);
  EXPECT_DOUBLE_EQ(*few.mean_with, 7);
  EXPECT_DOUBLE_EQ(*few.mean_without, 5);
  const Pattern none = pattern({}, k_exercise);
  EXPECT_FALSE(none.mean_with);
  EXPECT_FALSE(none.mean_without);
}

TEST(Patterns, AVerdictNeedsADifferenceOfAtLeastOnePoint) {
  // 5 days with: 6,6,6,6,6 + adjust; 5 without at 5. A sum of 30 gives exactly 1.0.
  const Pattern exactly = pattern(days(5, 6, 5, 5), k_exercise);
  EXPECT_TRUE(exactly.verdict);
  EXPECT_EQ(exactly.text,
            "On days with exercise your mood was 1.0 points higher on average (5 days with, 5 "
            "without). This is a pattern, not proof of cause.");
  const Pattern just_under = pattern(days(5, 6, 5, 5, -1), k_exercise);  // 0.8
  EXPECT_FALSE(just_under.verdict);
  EXPECT_EQ(just_under.text,
            "No clear difference so far between your mood on days with and without exercise "
            "(5 days with, 5 without).");
  // Sixths: means 43/6 and 37/6 differ by exactly 1, which floating point may put just under.
  std::vector<CheckIn> sixths = days(6, 7, 6, 6);
  sixths[0].mood = 8;   // with: 43
  sixths[11].mood = 7;  // without: 37
  const Pattern p = pattern(sixths, k_exercise);
  EXPECT_TRUE(p.verdict);
  EXPECT_DOUBLE_EQ(*p.mean_with, 43.0 / 6);
  sixths[0].mood = 7;  // with: 42, a difference of 5/6
  EXPECT_FALSE(pattern(sixths, k_exercise).verdict);
}

TEST(Patterns, LowerMoodIsStatedAsLower) {
  const Pattern p = pattern(days(12, 4, 9, 6), k_exercise);
  EXPECT_TRUE(p.verdict);
  EXPECT_EQ(p.text,
            "On days with exercise your mood was 2.0 points lower on average (12 days with, 9 "
            "without). This is a pattern, not proof of cause.");
  const Pattern just = pattern(days(5, 4, 5, 5), k_exercise);  // exactly 1 lower
  EXPECT_TRUE(just.verdict);
  EXPECT_FALSE(pattern(days(5, 4, 5, 5, 1), k_exercise).verdict);  // 0.8 lower
}

// ---- series -----------------------------------------------------------------------------

CheckIn on(const std::string& date, int mood, std::optional<double> sleep = std::nullopt) {
  CheckIn c;
  c.date = date;
  c.mood = mood;
  c.sleep_hours = sleep;
  return c;
}

TEST(Series, AWeekOrMonthIsOnePointADayInsideTheSpan) {
  const std::vector<CheckIn> cs = {on("2026-12-02", 6, 7.5), on("2026-11-30", 4),
                                   on("2026-11-25", 3, 5), on("2026-12-08", 9, 8)};
  const auto mood = series(cs, "2026-11-26", "2026-12-02", Field::Mood);
  ASSERT_EQ(mood.size(), 2u);
  EXPECT_EQ(mood[0].date, "2026-11-30");
  EXPECT_EQ(mood[0].value, 4);
  EXPECT_EQ(mood[0].week, "");
  EXPECT_EQ(mood[1].date, "2026-12-02");
  const auto sleep = series(cs, "2026-11-25", "2026-12-08", Field::SleepHours);
  ASSERT_EQ(sleep.size(), 3u);  // the skipped sleep makes no point
  EXPECT_EQ(sleep[0].value, 5);
  EXPECT_EQ(sleep[1].value, 7.5);
  EXPECT_TRUE(series(cs, "2026-12-02", "2026-11-26", Field::Mood).empty());
  // 62 days is still by day.
  EXPECT_EQ(series(cs, "2026-10-02", "2026-12-02", Field::Mood).size(), 3u);
  EXPECT_EQ(series(cs, "2026-10-02", "2026-12-02", Field::Mood)[0].week, "");
}

TEST(Series, AYearIsTheMeanOfEachIsoWeek) {
  // Mon 2026-11-30 … Sun 2026-12-06 is ISO week 49; 2026-11-29 (Sun) is week 48.
  const std::vector<CheckIn> cs = {on("2026-11-30", 4), on("2026-12-02", 7), on("2026-12-06", 7),
                                   on("2026-11-29", 2), on("2026-12-07", 9)};
  const auto pts = series(cs, "2025-12-07", "2026-12-06", Field::Mood);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].week, "2026-W48");
  EXPECT_EQ(pts[0].date, "2026-11-23");
  EXPECT_EQ(pts[0].value, 2);
  EXPECT_EQ(pts[1].week, "2026-W49");
  EXPECT_EQ(pts[1].date, "2026-11-30");
  EXPECT_DOUBLE_EQ(pts[1].value, 6);
  EXPECT_EQ(pts[1].count, 3);
}

TEST(Series, IsoWeeksAcrossTheYearsEnd) {
  // 2027-01-01 is a Friday: it belongs to 2026-W53. 2025-12-29 (Mon) starts 2026-W01.
  const std::vector<CheckIn> cs = {on("2027-01-01", 5), on("2025-12-30", 3), on("2027-01-04", 8)};
  const auto pts = series(cs, "2025-12-01", "2027-01-31", Field::Mood);
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[0].week, "2026-W01");
  EXPECT_EQ(pts[0].date, "2025-12-29");
  EXPECT_EQ(pts[1].week, "2026-W53");
  EXPECT_EQ(pts[2].week, "2027-W01");
  EXPECT_EQ(parse_field("sleep_hours"), Field::SleepHours);
  EXPECT_FALSE(parse_field("Mood"));
}

// ---- CSV --------------------------------------------------------------------------------

TEST(Csv, NumbersFactorColumnsAndSharedNotes) {
  CheckIn a = on("2026-12-02", 6, 7.5);
  a.anxiety = 3;
  a.self_harm_urge = 0;
  a.medication = Medication::Yes;
  a.factors = {"alcohol"};
  a.note = "Slept well";
  a.share_note = false;
  CheckIn b = on("2026-12-01", 4);
  b.factors = {"exercise", "alcohol"};
  b.note = "Walked, then \"rested\"\non the sofa";
  b.share_note = true;
  const std::vector<Factor> factors = {k_exercise, {"alcohol", "Alcohol", FactorKind::Factor}};
  const std::string header =
      "date,mood,anxiety,sleep_hours,sleep_quality,energy,self_harm_urge,medication,Exercise,"
      "Alcohol,note\r\n";
  EXPECT_EQ(to_csv({a, b}, factors, Reader::Client),
            header +
                "2026-12-01,4,,,,,,,1,1,\"Walked, then \"\"rested\"\"\non the sofa\"\r\n"
                "2026-12-02,6,3,7.5,,,0,yes,0,1,Slept well\r\n");
  EXPECT_EQ(to_csv({a, b}, factors, Reader::CareTeam),
            header +
                "2026-12-01,4,,,,,,,1,1,\"Walked, then \"\"rested\"\"\non the sofa\"\r\n"
                "2026-12-02,6,3,7.5,,,0,yes,0,1,\r\n");
  EXPECT_EQ(to_csv({}, factors, Reader::Client), header);
}

TEST(Csv, FormulasAreDefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"=SUM(A1)", "'=SUM(A1)"},
      {"+1", "'+1"},
      {"-2", "'-2"},
      {"@cmd", "'@cmd"},
      {"\tx", "'\tx"},
      {"=1,2", "\"'=1,2\""},
      {"a=b", "a=b"},
      {"fine", "fine"},
      {"", ""},
  };
  for (const auto& [note, expected] : cases) {
    CheckIn c = on("2026-12-02", 5);
    c.note = note;
    const std::string csv = to_csv({c}, {}, Reader::Client);
    const std::string row = csv.substr(csv.find("\r\n") + 2);
    EXPECT_EQ(row, "2026-12-02,5,,,,,,," + expected + "\r\n") << note;
  }
  const std::string header =
      to_csv({}, {{"own", "=HYPERLINK(x)", FactorKind::Factor}}, Reader::Client);
  EXPECT_NE(header.find(",'=HYPERLINK(x),"), std::string::npos) << header;
}

// ---- crisis -----------------------------------------------------------------------------

TEST(Crisis, TheSignalCarriesUrgeMoodAndTheMoodsOfTheWindow) {
  CheckIn today = on("2026-12-02", 2);
  today.self_harm_urge = 4;
  const std::vector<CheckIn> earlier = {on("2026-11-24", 9), on("2026-11-25", 8),
                                        on("2026-11-30", 6), on("2026-12-01", 7),
                                        on("2026-12-02", 3), on("2026-12-03", 1)};
  const auto s = crisis_signal(today, "ci_1", earlier, 7);
  EXPECT_EQ(s.id, "ci_1");
  EXPECT_EQ(s.self_harm_urge, 4);
  EXPECT_EQ(s.mood, 2);
  // 11-25 is 7 days before (in), 11-24 is 8 (out); the day itself and later are not earlier.
  EXPECT_EQ(s.previous_moods, (std::vector<int>{8, 6, 7}));
  const auto skipped = crisis_signal(on("2026-12-02", 5), "ci_2", {}, 7);
  EXPECT_FALSE(skipped.self_harm_urge);
  EXPECT_TRUE(skipped.previous_moods.empty());
}

TEST(Crisis, AMoodDropUnderTheCrisisRulesRaisesASignal) {
  crisis::rules::RiskConfig cfg;
  cfg.mood_drop = crisis::rules::MoodDropRule{4, 7, 3, crisis::Level::Moderate, "drop {drop}"};
  const std::vector<CheckIn> earlier = {on("2026-11-29", 7), on("2026-11-30", 6),
                                        on("2026-12-01", 8)};
  const auto fell = crisis::rules::signal_from_check_in(
      crisis_signal(on("2026-12-02", 3), "ci_3", earlier, 7), cfg);
  ASSERT_TRUE(fell);
  EXPECT_EQ(fell->rule, "check_in.mood_drop");
  EXPECT_EQ(fell->ref_id, "ci_3");
  EXPECT_FALSE(crisis::rules::signal_from_check_in(
      crisis_signal(on("2026-12-02", 4), "ci_4", earlier, 7), cfg));
}

TEST(Crisis, UrgeThresholdsAboveTheCheckInScaleAreRefused) {
  crisis::rules::RiskConfig cfg;
  EXPECT_TRUE(check_crisis_rules(cfg));
  cfg.self_harm_urge = {{5, crisis::Level::High, "urge {value}"},
                        {3, crisis::Level::Moderate, "urge {value}"}};
  EXPECT_TRUE(check_crisis_rules(cfg));
  cfg.self_harm_urge[0].at_least = 6;
  auto r = check_crisis_rules(cfg);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errors.at(0).field, "check_in.self_harm_urge[0].at_least");
  // The value passed on is the check-in's own: an urge of 5 meets a threshold of 5.
  cfg.self_harm_urge[0].at_least = 5;
  CheckIn c = on("2026-12-02", 5);
  c.self_harm_urge = 5;
  const auto s = crisis::rules::signal_from_check_in(crisis_signal(c, "ci_5", {}, 7), cfg);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->level, crisis::Level::High);
  c.self_harm_urge = 4;
  EXPECT_EQ(crisis::rules::signal_from_check_in(crisis_signal(c, "ci_6", {}, 7), cfg)->level,
            crisis::Level::Moderate);
}

TEST(TrackingRules, ShiftDateCrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(shift_date("2026-12-02", -7), "2026-11-25");
  EXPECT_EQ(shift_date("2026-12-31", 1), "2027-01-01");
  EXPECT_EQ(shift_date("2028-03-01", -1), "2028-02-29");
  EXPECT_EQ(shift_date("2027-03-01", -1), "2027-02-28");
  EXPECT_EQ(shift_date("2026-12-02", 0), "2026-12-02");
  EXPECT_FALSE(shift_date("2026-02-30", 1));
  EXPECT_FALSE(shift_date("yesterday", 1));
}

TEST(TrackingRules, ReminderTimesAreHoursAndMinutesOfADay) {
  EXPECT_EQ(reminder_minute("00:00"), 0);
  EXPECT_EQ(reminder_minute("08:30"), 8 * 60 + 30);
  EXPECT_EQ(reminder_minute("23:59"), 23 * 60 + 59);
  for (const char* bad : {"24:00", "12:60", "8:30", "08:30:00", "0830", "ab:cd", ""}) {
    EXPECT_FALSE(reminder_minute(bad)) << bad;
  }
}

TEST(TrackingRules, TheReminderMailSaysNothingClinical) {
  const auto m = reminder_mail("https://tend.example.org/");
  EXPECT_EQ(m.subject, "A reminder to check in");
  EXPECT_NE(m.body.find("https://tend.example.org/portal"), std::string::npos) << m.body;
  for (const char* word : {"mood", "urge", "harm", "depress", "anxi", "crisis"}) {
    EXPECT_EQ(m.body.find(word), std::string::npos) << word;
  }
  const auto bare = reminder_mail("");
  EXPECT_NE(bare.body.find("in the portal"), std::string::npos);
  EXPECT_EQ(bare.body.find("http"), std::string::npos);
}

}  // namespace
}  // namespace tend::tracking::rules
