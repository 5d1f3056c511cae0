// The pure rules of diagnoses and medications: the code list format and every refusal of it
// by line, the built-in list, the CMS order-file import (a synthetic fixture), code search
// by code and by words, the statuses a diagnosis may move to, and medication dates.
#include "care/diagnosis_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace tend::care::rules {
namespace {

std::vector<std::string> codes_of(const std::vector<Code>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.code);
  return out;
}

CodeList small_list() {
  auto r = parse_code_list(
      "code\tbillable\ttitle\n"
      "F32\t0\tMajor depressive disorder, single episode\n"
      "F32.0\t1\tMajor depressive disorder, single episode, mild\n"
      "F32.9\t1\tMajor depressive disorder, single episode, unspecified\n"
      "F32.A\t1\tDepression, unspecified\n"
      "F33\t0\tMajor depressive disorder, recurrent\n"
      "F33.1\t1\tMajor depressive disorder, recurrent, moderate\n"
      "F41.1\t1\tGeneralized anxiety disorder\n"
      "F43.10\t1\tPost-traumatic stress disorder, unspecified\n"
      "Z63.0\t1\tProblems in relationship with spouse or partner\n");
  EXPECT_TRUE(r) << r.error().detail;
  return std::move(*r);
}

TEST(CodeList, ParsesRowsAndFindsByExactCode) {
  auto list = small_list();
  EXPECT_EQ(list.all().size(), 9u);
  const Code* a = list.find("F32.A");
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->billable);
  EXPECT_EQ(a->title, "Depression, unspecified");
  ASSERT_NE(list.find("F32"), nullptr);
  EXPECT_FALSE(list.find("F32")->billable);
  EXPECT_EQ(list.find("F32.a"), nullptr);
  EXPECT_EQ(list.find("F329"), nullptr);
  EXPECT_EQ(list.find("F40"), nullptr);
}

TEST(CodeList, EveryBadRowIsRefusedNamingItsLine) {
  const std::string head = "code\tbillable\ttitle\n";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"code,billable,title\nF32.0,1,x\n", "line 1: the header"},
      {"", "line 1: the header"},
      {head, "line 1: the list has no codes"},
      {head + "F32.0\t1\n", "line 2: needs three columns"},
      {head + "F32.0\t1\tMild\textra\n", "line 2: needs three columns"},
      {head + "F41.1\t1\tGAD\nf32.0\t1\tMild\n", "line 3: code 'f32.0' is not"},
      {head + "F320\t1\tMild\n", "line 2: code 'F320' is not"},
      {head + "F32.\t1\tMild\n", "line 2: code 'F32.' is not"},
      {head + "F32.12345\t1\tMild\n", "line 2: code 'F32.12345' is not"},
      {head + "332.0\t1\tMild\n", "line 2: code '332.0' is not"},
      {head + "F32.0\tyes\tMild\n", "line 2: billable must be 0 or 1"},
      {head + "F32.0\t1\t  \n", "line 2: the title is empty"},
      {head + "F32.0\t1\tMild\n\nF32.0\t1\tMild\n", "line 4: code F32.0 is listed twice"},
  };
  for (const auto& [text, want] : bad) {
    auto r = parse_code_list(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().detail.rfind(want, 0), 0u) << r.error().detail;
  }
  // Windows line ends and blank lines are fine.
  auto ok = parse_code_list("code\tbillable\ttitle\r\nF32.0\t1\tMild\r\n\r\n");
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_EQ(ok->find("F32.0")->title, "Mild");
}

TEST(CodeList, FormatAndParseRoundTrip) {
  auto list = small_list();
  auto again = parse_code_list(format_code_list(list.all()));
  ASSERT_TRUE(again) << again.error().detail;
  ASSERT_EQ(again->all().size(), list.all().size());
  for (std::size_t i = 0; i < list.all().size(); ++i) {
    EXPECT_EQ(again->all()[i].code, list.all()[i].code);
    EXPECT_EQ(again->all()[i].billable, list.all()[i].billable);
    EXPECT_EQ(again->all()[i].title, list.all()[i].title);
  }
}

TEST(CodeList, TheBuiltInListLoadsAndHoldsOnlyKeptCodesWithTheirCategories) {
  const auto& list = built_in_codes();
  EXPECT_GT(list.all().size(), 300u);
  for (const auto& c : list.all()) {
    EXPECT_TRUE(kept_code(c.code)) << c.code;
    // Every subcode's category (the code one character shorter, or without the dot) is
    // listed and is a header, not valid for coding.
    if (c.code.size() > 3) {
      std::string parent = c.code.substr(0, c.code.size() - 1);
      if (parent.back() == '.') parent.pop_back();
      if (parent == "Z91") continue;  // Z91 itself is outside the kept range
      const Code* p = list.find(parent);
      ASSERT_NE(p, nullptr) << c.code << " has no " << parent;
      EXPECT_FALSE(p->billable) << parent << " has subcodes";
    }
  }
  ASSERT_NE(list.find("F32.A"), nullptr);
  EXPECT_TRUE(list.find("F32.A")->billable);
  EXPECT_EQ(list.find("F41.1")->title, "Generalized anxiety disorder");
  EXPECT_FALSE(list.find("F43.1")->billable);
  EXPECT_TRUE(list.find("F43.81")->billable);
  EXPECT_FALSE(list.find("Z91.5")->billable);
  EXPECT_TRUE(list.find("Z91.51")->billable);
}

TEST(KeptCodes, ChapterFAndTheSocialAndHistoryZCodes) {
  for (const char* c :
       {"F01.50", "F32.A", "F99", "Z55.0", "Z65.9", "Z69.010", "Z71.89", "Z91.5", "Z91.52"}) {
    EXPECT_TRUE(kept_code(c)) << c;
  }
  for (const char* c : {"F00", "E11.9", "Z54", "Z66", "Z68.1", "Z72.0", "Z91.4", "Z91.83", "G47.00",
                        "R45.851", ""}) {
    EXPECT_FALSE(kept_code(c)) << c;
  }
}

TEST(Import, TheOrderFileBecomesOurListKeepingFAndTheZRanges) {
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/tests/care/cases/icd10cm_order_sample.txt");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto r = import_cms_order(text.str());
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(codes_of(*r), (std::vector<std::string>{"F32", "F32.0", "F32.A", "F43.8", "F43.81",
                                                    "Z63", "Z63.0", "Z91.5", "Z91.51"}));
  EXPECT_FALSE((*r)[0].billable);
  EXPECT_TRUE((*r)[1].billable);
  EXPECT_EQ((*r)[1].title, "Synthetic long title for a mild single episode");
  EXPECT_EQ((*r)[8].title, "Synthetic long title for a history of suicidal behavior");
  // What it writes loads.
  auto list = parse_code_list(format_code_list(*r));
  ASSERT_TRUE(list) << list.error().detail;
  EXPECT_TRUE(list->find("F43.81")->billable);
}

TEST(Import, ALineNotInTheFixedColumnsIsRefusedNamingIt) {
  const std::string good =
      "00001 F320    1 Short                                                        Long title";
  ASSERT_TRUE(import_cms_order(good));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {good + "\nF32.0 Mild", "line 2: not in the order file's fixed columns"},
      {"0000A F320    1 Short                                                        Long",
       "line 1: the order number must be five digits"},
      {"00001 F320    2 Short                                                        Long",
       "line 1: the flag must be 0 or 1"},
      {"00001 f320    1 Short                                                        Long",
       "line 1: 'f320' is not an ICD-10-CM code"},
      {"00001 F320    1 Short                                                         ",
       "line 1: the long title is empty"},
      {"00001 E119    1 Short                                                        Long",
       "the file holds no F codes"},
      {good + "\n" + good, "line 2: code F32.0 is listed twice"},
      {"00001 F320    1 Short                                                        Long\ttab",
       "line 1: holds a tab"},
  };
  for (const auto& [text, want] : bad) {
    auto r = import_cms_order(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().detail.rfind(want, 0), 0u) << r.error().detail;
  }
}

TEST(Search, ByCodePrefixWithOrWithoutTheDotInAnyCase) {
  auto list = small_list();
  // The exact code first, then codes valid for coding, then headers; each by code.
  EXPECT_EQ(codes_of(search_codes(list, "F32", 20)),
            (std::vector<std::string>{"F32", "F32.0", "F32.9", "F32.A"}));
  EXPECT_EQ(codes_of(search_codes(list, "f3", 20)),
            (std::vector<std::string>{"F32.0", "F32.9", "F32.A", "F33.1", "F32", "F33"}));
  EXPECT_EQ(codes_of(search_codes(list, "f32a", 20)), std::vector<std::string>{"F32.A"});
  EXPECT_EQ(codes_of(search_codes(list, "F32.A", 20)), std::vector<std::string>{"F32.A"});
  EXPECT_EQ(codes_of(search_codes(list, " z63. ", 20)), std::vector<std::string>{"Z63.0"});
  EXPECT_EQ(codes_of(search_codes(list, "F3", 2)), (std::vector<std::string>{"F32.0", "F32.9"}));
  EXPECT_TRUE(search_codes(list, "F5", 20).empty());
  EXPECT_TRUE(search_codes(list, "", 20).empty());
  EXPECT_TRUE(search_codes(list, "   ", 20).empty());
}

TEST(Search, ByEveryWordAsTheStartOfAWordInAnyOrder) {
  auto list = small_list();
  EXPECT_EQ(codes_of(search_codes(list, "recurrent major", 20)),
            (std::vector<std::string>{"F33.1", "F33"}));
  EXPECT_EQ(codes_of(search_codes(list, "dep unspec", 20)),
            (std::vector<std::string>{"F32.9", "F32.A"}));
  EXPECT_EQ(codes_of(search_codes(list, "Traumatic", 20)), std::vector<std::string>{"F43.10"});
  EXPECT_EQ(codes_of(search_codes(list, "ANXIETY generalized", 20)),
            std::vector<std::string>{"F41.1"});
  // A word must start a word of the title: "ression" is inside "depression", not its start.
  EXPECT_TRUE(search_codes(list, "ression", 20).empty());
  EXPECT_TRUE(search_codes(list, "depressive bipolar", 20).empty());
  EXPECT_EQ(codes_of(search_codes(list, "spouse", 20)), std::vector<std::string>{"Z63.0"});
}

TEST(Search, TheBuiltInListFindsWhatCliniciansType) {
  const auto& list = built_in_codes();
  auto ptsd = search_codes(list, "ptsd", 20);
  ASSERT_FALSE(ptsd.empty());
  EXPECT_EQ(ptsd.front().code, "F43.1");  // the only title with the word; a header
  auto gad = search_codes(list, "generalized anxiety", 20);
  ASSERT_EQ(gad.size(), 1u);
  EXPECT_EQ(gad.front().code, "F41.1");
  EXPECT_EQ(search_codes(list, "disorder", 100).size() > 20, true);
  EXPECT_EQ(search_codes(list, "disorder", 20).size(), 20u);
}

TEST(DiagnosisStatus, EveryPairIsAllowedOrRefusedAsTheRuleSays) {
  const std::vector<std::string> all = {"provisional", "confirmed", "resolved", "ruled_out",
                                        "entered_in_error"};
  const std::map<std::string, std::vector<std::string>> allowed = {
      {"provisional", {"confirmed", "resolved", "ruled_out", "entered_in_error"}},
      {"confirmed", {"resolved", "entered_in_error"}},
      {"resolved", {}},
      {"ruled_out", {}},
      {"entered_in_error", {}},
  };
  for (const auto& [from, to_list] : allowed) {
    EXPECT_TRUE(valid_diagnosis_status(from));
    EXPECT_EQ(next_diagnosis_statuses(from), to_list) << from;
    EXPECT_EQ(is_current_diagnosis(from), from == "provisional" || from == "confirmed");
    for (const auto& to : all) {
      const bool ok = std::find(to_list.begin(), to_list.end(), to) != to_list.end();
      auto r = check_diagnosis_status(from, to);
      EXPECT_EQ(!r.has_value(), ok) << from << " → " << to;
      if (r) {
        EXPECT_TRUE(r->conflict);
        EXPECT_EQ(r->field, "status");
      }
    }
  }
  EXPECT_EQ(check_diagnosis_status("confirmed", "provisional")->message,
            "cannot go from confirmed to provisional; next can be resolved or entered_in_error");
  EXPECT_EQ(check_diagnosis_status("resolved", "confirmed")->message,
            "the diagnosis is resolved; it changes no more");
  EXPECT_FALSE(valid_diagnosis_status("Confirmed"));
  EXPECT_FALSE(valid_diagnosis_status("active"));
  EXPECT_TRUE(valid_rank("primary"));
  EXPECT_TRUE(valid_rank("secondary"));
  EXPECT_FALSE(valid_rank("tertiary"));
}

TEST(Dates, ADiagnosisDateMustBeARealDayNotAfterToday) {
  EXPECT_FALSE(check_past_date("diagnosed_on", "2026-03-01", "2026-03-01"));
  EXPECT_FALSE(check_past_date("diagnosed_on", "2025-12-31", "2026-03-01"));
  auto future = check_past_date("diagnosed_on", "2026-03-02", "2026-03-01");
  ASSERT_TRUE(future);
  EXPECT_EQ(future->field, "diagnosed_on");
  EXPECT_EQ(future->message, "must not be in the future");
  EXPECT_FALSE(future->conflict);
  for (const char* bad : {"2026-02-30", "2026-3-01", "yesterday", ""}) {
    auto r = check_past_date("on", bad, "2026-03-01");
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->message, "must be a date, YYYY-MM-DD");
  }
}

TEST(Medications, AChangeFallsBetweenTheLastChangeAndTodayOnAMedicationNotStopped) {
  Medication m;
  m.started_on = "2026-01-10";
  EXPECT_FALSE(check_medication_change(m, "2026-01-10", "2026-03-01", "on"));
  EXPECT_FALSE(check_medication_change(m, "2026-03-01", "2026-03-01", "on"));
  auto before = check_medication_change(m, "2026-01-09", "2026-03-01", "stopped_on");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->field, "stopped_on");
  EXPECT_EQ(before->message, "must not be before the start (2026-01-10)");
  EXPECT_FALSE(before->conflict);
  auto future = check_medication_change(m, "2026-03-02", "2026-03-01", "on");
  ASSERT_TRUE(future);
  EXPECT_EQ(future->message, "must not be in the future");
  m.changes.push_back(MedicationChange{"dose", "2026-02-01", "100 mg", "daily", "", "u", "", 0});
  auto earlier = check_medication_change(m, "2026-01-31", "2026-03-01", "on");
  ASSERT_TRUE(earlier);
  EXPECT_EQ(earlier->message, "must not be before the last change (2026-02-01)");
  EXPECT_FALSE(check_medication_change(m, "2026-02-01", "2026-03-01", "on"));
  m.stopped_on = "2026-02-15";
  auto stopped = check_medication_change(m, "2026-02-20", "2026-03-01", "on");
  ASSERT_TRUE(stopped);
  EXPECT_TRUE(stopped->conflict);
  EXPECT_EQ(stopped->field, "kind");
  EXPECT_TRUE(valid_medication_change("dose"));
  EXPECT_TRUE(valid_medication_change("stop"));
  EXPECT_FALSE(valid_medication_change("start"));
}

}  // namespace
}  // namespace tend::care::rules
