// The access policy, exhaustively: every role × every action × every resource, in each
// situation that changes the answer. Each row is written out by hand from DESIGN.md §5 so that
// a change to the policy must change this table too.

#include "access/rules.h"

#include <gtest/gtest.h>

#include <map>

namespace tend::access {
namespace {

// Actions in column order: Read, Search, Create, Update, Archive, ManageTeam, Administer.
// 'y' = allowed, '.' = denied.
using Row = std::map<Resource, std::string>;

enum class Situation { Stranger, OnTeam, BreakGlass, OwnRecord, TeamAuthor, TeamConsent };

ClientContext context_for(Situation s) {
  ClientContext c;
  c.client_id = "cl_x";
  switch (s) {
    case Situation::Stranger:
      break;
    case Situation::OnTeam:
      c.on_care_team = true;
      break;
    case Situation::BreakGlass:
      c.break_glass_active = true;
      break;
    case Situation::OwnRecord:
      c.is_own_record = true;
      break;
    case Situation::TeamAuthor:
      c.on_care_team = true;
      c.is_author = true;
      break;
    case Situation::TeamConsent:
      c.on_care_team = true;
      c.substance_use_consent = true;
      break;
  }
  return c;
}

const char* situation_name(Situation s) {
  switch (s) {
    case Situation::Stranger:
      return "stranger";
    case Situation::OnTeam:
      return "on_team";
    case Situation::BreakGlass:
      return "break_glass";
    case Situation::OwnRecord:
      return "own_record";
    case Situation::TeamAuthor:
      return "team_author";
    case Situation::TeamConsent:
      return "team_consent";
  }
  return "?";
}

using R = Resource;

const Row k_none = {{R::Demographics, "......."},      {R::Scheduling, "......."},
                    {R::Clinical, "......."},          {R::SelfReport, "......."},
                    {R::PsychotherapyNote, "......."}, {R::SubstanceUse, "......."},
                    {R::CareTeam, "......."},          {R::AccessLog, "......."},
                    {R::Aggregates, "......."},        {R::Users, "......."}};

Row with(Row base, std::initializer_list<std::pair<const Resource, std::string>> changes) {
  for (const auto& [r, s] : changes) base[r] = s;
  return base;
}

// Clinical staff other than peer support behave alike.
Row clinician(Situation s) {
  const Row stranger = with(k_none, {{R::Demographics, ".yy...."}, {R::Aggregates, "yy....."}});
  switch (s) {
    case Situation::Stranger:
    case Situation::OwnRecord:
      return stranger;
    case Situation::OnTeam:
      return with(stranger, {{R::Demographics, "yyyyy.."},
                             {R::Scheduling, "y.yy..."},
                             {R::Clinical, "y.yy..."},
                             {R::PsychotherapyNote, "..y...."},
                             {R::CareTeam, "y....y."},
                             {R::AccessLog, "y......"}});
    case Situation::TeamAuthor:
      return with(clinician(Situation::OnTeam), {{R::PsychotherapyNote, "y.yyy.."}});
    case Situation::TeamConsent:
      return with(clinician(Situation::OnTeam), {{R::SubstanceUse, "y.yy..."}});
    case Situation::BreakGlass:
      return with(stranger, {{R::Demographics, "yyy...."},
                             {R::Scheduling, "y......"},
                             {R::Clinical, "y......"},
                             {R::CareTeam, "y......"},
                             {R::AccessLog, "y......"}});
  }
  return k_none;
}

Row peer_support(Situation s) {
  Row r = clinician(s);
  r[R::Aggregates] = ".......";
  std::string& demo = r[R::Demographics];
  demo[2] = '.';                                          // cannot register clients
  demo[4] = '.';                                          // cannot archive
  if (r[R::CareTeam][5] == 'y') r[R::CareTeam][5] = '.';  // does not manage the team
  return r;
}

Row expected_by_role(Role role, Situation s);

// Staff see what a client reports about themselves exactly as other clinical information.
Row expected(Role role, Situation s) {
  Row r = expected_by_role(role, s);
  if (role != Role::Client) r[R::SelfReport] = r[R::Clinical];
  return r;
}

Row expected_by_role(Role role, Situation s) {
  switch (role) {
    case Role::Admin:
      return with(k_none, {{R::Demographics, "yyyyy.."},
                           {R::CareTeam, "y....y."},
                           {R::AccessLog, "y......"},
                           {R::Aggregates, "yy....."},
                           {R::Users, "yyyyyyy"}});
    case Role::FrontDesk:
      return with(
          k_none,
          {{R::Demographics, "yyyy..."}, {R::Scheduling, "yyyyy.."}, {R::CareTeam, "y......"}});
    case Role::Analyst:
      return with(k_none, {{R::Aggregates, "yy....."}});
    case Role::Client:
      if (s != Situation::OwnRecord) return k_none;
      return with(k_none, {{R::Demographics, "y......"},
                           {R::Scheduling, "y......"},
                           {R::Clinical, "y......"},
                           {R::SelfReport, "y.y...."},
                           {R::SubstanceUse, "y......"},
                           {R::CareTeam, "y......"},
                           {R::AccessLog, "y......"}});
    case Role::Clinician:
    case Role::Prescriber:
    case Role::CareManager:
      return clinician(s);
    case Role::PeerSupport:
      return peer_support(s);
    case Role::Guardian:
      // Not the client, not staff: nothing through the policy, even "own record" (the guardian
      // routes share the sections the service allows).
      return k_none;
  }
  return k_none;
}

TEST(AccessPolicy, EveryRoleActionResourceAndSituation) {
  int checked = 0;
  for (Role role : all_roles()) {
    for (Situation s : {Situation::Stranger, Situation::OnTeam, Situation::BreakGlass,
                        Situation::OwnRecord, Situation::TeamAuthor, Situation::TeamConsent}) {
      const Row want = expected(role, s);
      for (Resource res : all_resources()) {
        const std::string& cols = want.at(res);
        ASSERT_EQ(cols.size(), all_actions().size());
        for (std::size_t i = 0; i < all_actions().size(); ++i) {
          const Action a = all_actions()[i];
          const Decision d = rules::decide(role, a, res, context_for(s));
          EXPECT_EQ(d.allowed, cols[i] == 'y')
              << role_name(role) << " " << situation_name(s) << " " << action_name(a) << " "
              << resource_name(res) << ": " << d.reason;
          EXPECT_FALSE(d.reason.empty());
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 9 * 6 * 10 * 7);
}

TEST(AccessPolicy, BreakGlassIsMarkedAndOnlyWhenNotOnTeam) {
  auto glass = context_for(Situation::BreakGlass);
  auto d = rules::decide(Role::Clinician, Action::Read, Resource::Clinical, glass);
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.via_break_glass);
  glass.on_care_team = true;
  d = rules::decide(Role::Clinician, Action::Read, Resource::Clinical, glass);
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.via_break_glass);
}

TEST(AccessPolicy, ClientCannotReadAnotherClient) {
  auto own = context_for(Situation::OwnRecord);
  EXPECT_TRUE(rules::decide(Role::Client, Action::Read, Resource::Clinical, own).allowed);
  own.is_own_record = false;
  own.on_care_team = true;  // a client is never on a care team; must not matter
  EXPECT_FALSE(rules::decide(Role::Client, Action::Read, Resource::Clinical, own).allowed);
}

TEST(AccessRules, Usernames) {
  EXPECT_FALSE(rules::username_problem("ada"));
  EXPECT_FALSE(rules::username_problem("a.lovelace-1_x"));
  EXPECT_TRUE(rules::username_problem("ad"));
  EXPECT_TRUE(rules::username_problem(std::string(65, 'a')));
  EXPECT_FALSE(rules::username_problem(std::string(64, 'a')));
  EXPECT_TRUE(rules::username_problem("Ada"));
  EXPECT_TRUE(rules::username_problem("ada lovelace"));
  EXPECT_TRUE(rules::username_problem(".ada"));
  EXPECT_TRUE(rules::username_problem("ada'; DROP TABLE users;--"));
}

TEST(AccessRules, Passwords) {
  EXPECT_TRUE(rules::password_problem("short", "ada"));
  EXPECT_TRUE(rules::password_problem("elevenchars", "ada"));
  EXPECT_FALSE(rules::password_problem("twelve chars", "ada"));
  EXPECT_TRUE(rules::password_problem("ada.lovelace", "ada.lovelace"));
  EXPECT_TRUE(rules::password_problem(std::string(1025, 'x'), "ada"));
  EXPECT_FALSE(rules::password_problem(std::string(1024, 'x'), "ada"));
}

TEST(AccessRules, LockoutAfterMaxFailures) {
  AccessConfig cfg;
  cfg.max_failed_logins = 3;
  cfg.lockout_minutes = 15;
  EXPECT_EQ(rules::after_failure(0, 1000, cfg).locked_until_ms, 0);
  EXPECT_EQ(rules::after_failure(1, 1000, cfg).locked_until_ms, 0);
  const auto l = rules::after_failure(2, 1000, cfg);
  EXPECT_EQ(l.failed, 3);
  EXPECT_EQ(l.locked_until_ms, 1000 + 15 * 60'000);
}

TEST(AccessRules, SessionLifetime) {
  AccessConfig cfg;
  cfg.session_idle_minutes = 30;
  const std::int64_t created = 0, expires = 12 * 3'600'000;
  EXPECT_FALSE(rules::session_expired(created, 0, expires, 29 * 60'000, cfg));
  EXPECT_TRUE(rules::session_expired(created, 0, expires, 30 * 60'000, cfg));
  EXPECT_FALSE(rules::session_expired(created, expires - 1000, expires, expires - 1, cfg));
  EXPECT_TRUE(rules::session_expired(created, expires - 1000, expires, expires, cfg));
  EXPECT_FALSE(rules::should_touch_session(0, 59'999));
  EXPECT_TRUE(rules::should_touch_session(0, 60'000));
}

TEST(AccessRules, AddressThrottleSlidingWindow) {
  rules::AddressThrottle t(3, 60'000);
  EXPECT_EQ(t.attempt("10.0.0.1", 0), 0);
  EXPECT_EQ(t.attempt("10.0.0.1", 1000), 0);
  EXPECT_EQ(t.attempt("10.0.0.1", 2000), 0);
  EXPECT_EQ(t.attempt("10.0.0.1", 3000), 57);  // the first attempt leaves the window at 60 s
  EXPECT_EQ(t.attempt("10.0.0.2", 3000), 0);   // other addresses are not affected
  EXPECT_EQ(t.attempt("10.0.0.1", 60'000), 0);
  t.prune(200'000);
  EXPECT_EQ(t.tracked(), 0u);
}

TEST(AccessRules, TeamRolesAndRoleNames) {
  EXPECT_TRUE(rules::is_team_role("primary_clinician"));
  EXPECT_FALSE(rules::is_team_role("boss"));
  for (Role r : all_roles()) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("root"));
}

}  // namespace
}  // namespace tend::access
