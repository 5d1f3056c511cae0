// Portal invitation rules: the code's alphabet, format and normalisation, validity windows and
// states, minors, what guardians may see, the terms' front matter and reminder times.

#include "access/invitation_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "access/rules.h"

namespace tend::access::invitations {
namespace {

TEST(InvitationCode, UsesOnlyUnambiguousSymbolsAndReadsInTwoGroups) {
  for (char c : std::string_view("0O1IL")) {
    EXPECT_EQ(k_code_alphabet.find(c), std::string_view::npos) << c;
  }
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  std::set<char> seen;
  for (std::size_t at = 0; at + k_code_length <= 248; at += k_code_length) {  // usable bytes
    const auto code = code_from_bytes(bytes.substr(at, k_code_length));
    ASSERT_EQ(code.size(), k_code_length);
    for (char c : code) {
      EXPECT_NE(k_code_alphabet.find(c), std::string_view::npos);
      seen.insert(c);
    }
  }
  EXPECT_EQ(seen.size(), k_code_alphabet.size());  // every symbol is reachable
  EXPECT_EQ(format_code("K7QM3XPA"), "K7QM-3XPA");
}

TEST(InvitationCode, EverySymbolIsEquallyLikely) {
  // Every byte value once (in blocks of a code's length): the 248 bytes below 8 × 31 give each
  // symbol exactly 8 times; the 8 above are skipped rather than folded onto the first symbols.
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  std::map<char, int> counts;
  std::string rest = bytes;
  while (true) {
    const auto code = code_from_bytes(rest);
    if (code.empty()) break;
    for (char c : code) ++counts[c];
    // Consume what this code used: its symbols' bytes and any skipped before the last one.
    std::size_t used = 0, taken = 0;
    while (taken < k_code_length) {
      if (static_cast<unsigned char>(rest[used]) < 248) ++taken;
      ++used;
    }
    rest = rest.substr(used);
  }
  ASSERT_EQ(counts.size(), k_code_alphabet.size());
  for (const auto& [symbol, n] : counts) EXPECT_EQ(n, 8) << symbol;
  // Too few usable bytes give no code rather than a short one.
  EXPECT_EQ(code_from_bytes(std::string(40, static_cast<char>(255))), "");
  EXPECT_EQ(code_from_bytes("abc"), "");
}

TEST(InvitationCode, WhatIsTypedOnAPhoneIsNormalised) {
  EXPECT_EQ(normalize_code("K7QM-3XPA"), "K7QM3XPA");
  EXPECT_EQ(normalize_code("k7qm 3xpa"), "K7QM3XPA");
  EXPECT_EQ(normalize_code(" k7qm3xpa "), "K7QM3XPA");
  EXPECT_EQ(normalize_code("K7QM-3XP"), std::nullopt);    // too short
  EXPECT_EQ(normalize_code("K7QM-3XPAA"), std::nullopt);  // too long
  EXPECT_EQ(normalize_code("K7QM-3XP0"), std::nullopt);   // 0 is never in a code
  EXPECT_EQ(normalize_code("K7QM_3XPA"), std::nullopt);
  EXPECT_EQ(normalize_code(std::string(40, 'A')), std::nullopt);
  EXPECT_EQ(normalize_code(""), std::nullopt);
}

TEST(InvitationCode, OnlyAHashIsStoredAndItDependsOnEveryCharacter) {
  EXPECT_EQ(secret_hash("K7QM3XPA"), secret_hash("K7QM3XPA"));
  EXPECT_NE(secret_hash("K7QM3XPA"), secret_hash("K7QM3XPB"));
  EXPECT_EQ(secret_hash("K7QM3XPA").find("K7QM"), std::string::npos);
  EXPECT_EQ(secret_hash("x").size(), 64u);
}

TEST(InvitationState, ExpiresAtTheBoundaryAndUsedOrRevokedWin) {
  EXPECT_EQ(valid_for_ms("code"), 24LL * 3600 * 1000);
  EXPECT_EQ(valid_for_ms("email"), 7LL * 24 * 3600 * 1000);
  EXPECT_EQ(state(1000, std::nullopt, std::nullopt, 999), "pending");
  EXPECT_EQ(state(1000, std::nullopt, std::nullopt, 1000), "expired");
  EXPECT_EQ(state(1000, 500, std::nullopt, 2000), "used");
  EXPECT_EQ(state(1000, std::nullopt, 500, 2000), "revoked");
  EXPECT_EQ(state(1000, std::nullopt, 500, 600), "revoked");
  EXPECT_TRUE(valid_kind("client"));
  EXPECT_TRUE(valid_kind("guardian"));
  EXPECT_FALSE(valid_kind("parent"));
  EXPECT_TRUE(valid_method("email"));
  EXPECT_TRUE(valid_method("code"));
  EXPECT_FALSE(valid_method("sms"));
}

TEST(InvitationMinor, UnderEighteenOnTheDay) {
  EXPECT_EQ(age_on("2008-12-02", "2026-12-01"), 17);
  EXPECT_EQ(age_on("2008-12-01", "2026-12-01"), 18);
  EXPECT_EQ(age_on("2008-02-29", "2026-02-28"), 17);
  EXPECT_EQ(age_on("2008-02-29", "2026-03-01"), 18);
  EXPECT_TRUE(is_minor("2008-12-02", "2026-12-01"));
  EXPECT_FALSE(is_minor("2008-12-01", "2026-12-01"));
  EXPECT_FALSE(is_minor("not a date", "2026-12-01"));  // unknown age: not treated as a minor
  EXPECT_EQ(age_on("2008-13-01", "2026-12-01"), std::nullopt);
}

TEST(InvitationEmail, RoughChecks) {
  EXPECT_TRUE(plausible_email("ada@example.org"));
  EXPECT_FALSE(plausible_email("ada@example"));
  EXPECT_FALSE(plausible_email("@example.org"));
  EXPECT_FALSE(plausible_email("a b@example.org"));
  EXPECT_FALSE(plausible_email("a@b@example.org"));
  EXPECT_FALSE(plausible_email("ada@example.org\r\nBcc: x@y.z"));
}

TEST(GuardianAccess, DefaultsAndParsing) {
  EXPECT_EQ(default_guardian_access(),
            (std::vector<std::string>{"appointments", "crisis_resources"}));
  auto parsed = parse_guardian_access(" appointments, safety_plan ,,plan");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (std::set<std::string>{"appointments", "safety_plan", "plan"}));
  EXPECT_TRUE(parse_guardian_access("")->empty());
  auto bad = parse_guardian_access("appointments,notes");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().errors.front().field, "guardian_access");
  EXPECT_FALSE(parse_guardian_access("messages"));
}

TEST(GuardianAccess, NeverNotesMeasuresCheckInsOrMessagesWhateverTheSetting) {
  const std::set<std::string> all(guardian_sections().begin(), guardian_sections().end());
  for (const auto& s : guardian_sections())
    EXPECT_EQ(guardian_section_refusal(s, all), std::nullopt);
  for (const char* s : {"notes", "measures", "check_ins", "messages", "psychotherapy_notes"}) {
    auto why = guardian_section_refusal(s, all);
    ASSERT_TRUE(why) << s;
    EXPECT_NE(why->find("never"), std::string::npos);
  }
  auto why = guardian_section_refusal("safety_plan", {"appointments"});
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("does not share"), std::string::npos);
  EXPECT_TRUE(guardian_section_refusal("diary", all));
}

TEST(GuardianPolicy, TheGeneralPolicyGivesAGuardianNothing) {
  ClientContext own;
  own.client_id = "cl_1";
  own.is_own_record = true;
  own.on_care_team = true;
  for (Resource res : all_resources()) {
    for (Action a : all_actions()) {
      EXPECT_FALSE(rules::decide(Role::Guardian, a, res, own).allowed);
    }
  }
  EXPECT_EQ(parse_role("guardian"), Role::Guardian);
  EXPECT_EQ(role_name(Role::Guardian), "guardian");
  EXPECT_FALSE(rules::is_clinical(Role::Guardian));
}

TEST(PortalTerms, FrontMatterNeedsAVersion) {
  auto t = parse_terms("---\nversion: \"2026-12\"\ntitle: Using the portal\n---\n\nHello.\n");
  ASSERT_TRUE(t) << t.error().detail;
  EXPECT_EQ(t->version, "2026-12");
  EXPECT_EQ(t->title, "Using the portal");
  EXPECT_EQ(t->text, "\nHello.\n");
  EXPECT_FALSE(parse_terms("---\ntitle: x\n---\nHello.\n"));
  EXPECT_FALSE(parse_terms("Hello.\n"));
  EXPECT_FALSE(parse_terms("---\nversion: 1\n"));
  EXPECT_FALSE(parse_terms("---\nversion: 1\n---\n  \n"));
  EXPECT_EQ(parse_terms("---\nversion: 1\n---\nx")->title, "Portal terms");
}

TEST(ReminderTime, HoursAndMinutesWithTwoDigits) {
  for (const char* ok : {"00:00", "07:45", "23:59", "12:00"}) EXPECT_TRUE(valid_reminder_time(ok));
  for (const char* bad : {"24:00", "7:45", "07:60", "0745", "07:4", "aa:bb", "", "07:45:00"}) {
    EXPECT_FALSE(valid_reminder_time(bad)) << bad;
  }
}

}  // namespace
}  // namespace tend::access::invitations
