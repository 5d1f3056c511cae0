// Access use cases on a real SQLite file: accounts, sign-in throttling, sessions, tokens,
// TOTP, care teams and break-the-glass.

#include "access/service.h"

#include <gtest/gtest.h>

#include "support/domain.h"

namespace tend::access {
namespace {

using testing::Domain;
using testing::k_password;

http::Request with_cookie(const std::string& token, http::Method m = http::Method::Get) {
  http::Request r;
  r.method = m;
  r.headers.add("Cookie", "theme=dark; tend_session=" + token);
  r.remote_addr = "127.0.0.1";
  return r;
}

http::Request with_bearer(const std::string& token) {
  http::Request r;
  r.headers.add("Authorization", "Bearer " + token);
  return r;
}

TEST(AccessService, CreateUserValidatesAndRefusesDuplicates) {
  Domain d;
  NewUser nu{"Clin.One", "Clinician One", Role::Clinician, k_password, std::nullopt, std::nullopt};
  auto u = d.access->create_user(d.admin, nu);
  ASSERT_TRUE(u.ok()) << u.error().detail;
  EXPECT_EQ(u->username, "clin.one");  // lower-cased
  auto again = d.access->create_user(d.admin, nu);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Errc::Conflict);
  nu.username = "x";
  nu.password = "short";
  auto bad = d.access->create_user(d.admin, nu);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().errors.size(), 2u);
  // Only admins create accounts.
  auto clin = d.user("clin2", Role::Clinician);
  nu.username = "sneaky";
  nu.password = k_password;
  EXPECT_EQ(d.access->create_user(clin, nu).error().code, Errc::Forbidden);
  // A client account must point at a real client.
  nu.role = Role::Client;
  nu.client_id = "cl_nope";
  EXPECT_EQ(d.access->create_user(d.admin, nu).error().code, Errc::Validation);
  EXPECT_EQ(d.audit_count("action = 'create' AND resource_kind = 'user'"),
            3);  // admin, clin.one, clin2
}

TEST(AccessService, SignInSessionAndSignOut) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto s = d.access->sign_in("CLIN", k_password, "10.1.1.1", "rq1");
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_FALSE(s->mfa_required);
  EXPECT_EQ(s->user.id, clin.user_id);
  auto p = d.access->authenticate(with_cookie(s->session_token));
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->user_id, clin.user_id);
  EXPECT_EQ(p->role, Role::Clinician);
  // The token itself is never stored, only its hash.
  EXPECT_EQ(d.db->read([&](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM sessions WHERE id = ?", {s->session_token})->i64(0);
  }),
            0);
  ASSERT_TRUE(d.access->sign_out(*p).ok());
  EXPECT_EQ(d.access->authenticate(with_cookie(s->session_token)).error().code,
            Errc::Unauthenticated);
}

TEST(AccessService, CookieWritesNeedTheCsrfToken) {
  Domain d;
  d.user("clin", Role::Clinician);
  auto s = d.access->sign_in("clin", k_password, "10.1.1.1", "rq1");
  ASSERT_TRUE(s.ok());
  auto req = with_cookie(s->session_token, http::Method::Post);
  EXPECT_EQ(d.access->authenticate(req).error().code, Errc::Forbidden);
  req.headers.add("X-CSRF-Token", "wrong");
  EXPECT_EQ(d.access->authenticate(req).error().code, Errc::Forbidden);
  req.headers.set("X-CSRF-Token", s->csrf_token);
  EXPECT_TRUE(d.access->authenticate(req).ok());
}

TEST(AccessService, IdleTimeoutAndAbsoluteLifetime) {
  Domain d;
  d.user("clin", Role::Clinician);
  auto s = d.access->sign_in("clin", k_password, "10.1.1.1", "rq1");
  ASSERT_TRUE(s.ok());
  // Activity every 20 minutes keeps the session alive…
  for (int i = 0; i < 3; ++i) {
    d.clock.advance(std::chrono::minutes(20));
    ASSERT_TRUE(d.access->authenticate(with_cookie(s->session_token)).ok()) << i;
  }
  // …30 idle minutes end it.
  d.clock.advance(std::chrono::minutes(30));
  auto r = d.access->authenticate(with_cookie(s->session_token));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("inactivity"), std::string::npos);

  auto s2 = d.access->sign_in("clin", k_password, "10.1.1.1", "rq2");
  ASSERT_TRUE(s2.ok());
  for (int i = 0; i < 12 * 3; ++i) {  // 12 hours of activity every 20 minutes
    d.clock.advance(std::chrono::minutes(20));
    (void)d.access->authenticate(with_cookie(s2->session_token));
  }
  r = d.access->authenticate(with_cookie(s2->session_token));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("maximum lifetime"), std::string::npos);
}

TEST(AccessService, WrongPasswordsLockTheAccount) {
  Domain d;
  d.user("clin", Role::Clinician);
  for (int i = 0; i < 4; ++i) {
    auto r = d.access->sign_in("clin", "wrong password!", "10.0.0." + std::to_string(i), "rq");
    ASSERT_EQ(r.error().code, Errc::Unauthenticated);
    EXPECT_EQ(r.error().detail, "username or password is not correct");
  }
  // The fifth failure locks; then even the right password is refused until the lock ends.
  EXPECT_EQ(d.access->sign_in("clin", "wrong password!", "10.0.0.9", "rq").error().code,
            Errc::Unauthenticated);
  // A wrong password on the locked account reads exactly like one on an unknown account.
  auto guessed = d.access->sign_in("clin", "wrong password!", "10.0.0.11", "rq");
  auto nobody = d.access->sign_in("nobody-here", "wrong password!", "10.0.0.12", "rq");
  ASSERT_FALSE(guessed.ok());
  ASSERT_FALSE(nobody.ok());
  EXPECT_EQ(guessed.error().code, nobody.error().code);
  EXPECT_EQ(guessed.error().detail, nobody.error().detail);
  auto locked = d.access->sign_in("clin", k_password, "10.0.0.10", "rq");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, Errc::TooManyRequests);
  EXPECT_GT(locked.error().retry_after_seconds, 0);
  d.clock.advance(std::chrono::minutes(16));
  EXPECT_TRUE(d.access->sign_in("clin", k_password, "10.0.0.11", "rq").ok());
  EXPECT_EQ(d.audit_count("action = 'sign_in' AND outcome = 'denied'"), 6);  // with the guess
}

TEST(AccessService, UnknownUsernameGetsTheSameAnswer) {
  Domain d;
  d.user("clin", Role::Clinician);
  auto unknown = d.access->sign_in("nobody", k_password, "10.0.0.1", "rq");
  auto wrong = d.access->sign_in("clin", "not the password", "10.0.0.2", "rq");
  EXPECT_EQ(unknown.error().code, wrong.error().code);
  EXPECT_EQ(unknown.error().detail, wrong.error().detail);
}

TEST(AccessService, PerAddressThrottle) {
  Domain d;
  for (int i = 0; i < 20; ++i) (void)d.access->sign_in("nobody", "x", "10.9.9.9", "rq");
  auto r = d.access->sign_in("nobody", "x", "10.9.9.9", "rq");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::TooManyRequests);
  EXPECT_TRUE(d.access->sign_in("nobody", "x", "10.9.9.8", "rq").error().code ==
              Errc::Unauthenticated);
}

TEST(AccessService, BearerTokensExpireAndRevoke) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto t = d.access->create_token(d.admin, clin.user_id, "script", 1);
  ASSERT_TRUE(t.ok());
  auto p = d.access->authenticate(with_bearer(t->token));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->via_token);
  EXPECT_EQ(p->user_id, clin.user_id);
  EXPECT_FALSE(d.access->authenticate(with_bearer(t->token + "x")).ok());
  d.clock.advance(std::chrono::hours(25));
  EXPECT_FALSE(d.access->authenticate(with_bearer(t->token)).ok());
  auto t2 = d.access->create_token(clin, clin.user_id, "mine", 30);
  ASSERT_TRUE(t2.ok());
  ASSERT_TRUE(d.access->authenticate(with_bearer(t2->token)).ok());
  ASSERT_TRUE(d.access->revoke_token(clin, t2->id).ok());
  EXPECT_FALSE(d.access->authenticate(with_bearer(t2->token)).ok());
  // Someone else's token is invisible to a non-admin.
  auto other = d.user("other", Role::Clinician);
  auto t3 = d.access->create_token(d.admin, clin.user_id, "", 30);
  EXPECT_EQ(d.access->revoke_token(other, t3->id).error().code, Errc::NotFound);
  EXPECT_EQ(d.access->create_token(d.admin, clin.user_id, "", 0).error().code, Errc::Validation);
}

TEST(AccessService, CachedTokensStopWorkingAtOnceWhenRevokedOrDisabled) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto t = d.access->create_token(d.admin, clin.user_id, "", 30);
  ASSERT_TRUE(d.access->authenticate(with_bearer(t->token)).ok());  // now cached
  ASSERT_TRUE(d.access->authenticate(with_bearer(t->token)).ok());
  ASSERT_TRUE(d.access->revoke_token(d.admin, t->id).ok());
  EXPECT_FALSE(d.access->authenticate(with_bearer(t->token)).ok());
  auto t2 = d.access->create_token(d.admin, clin.user_id, "", 30);
  ASSERT_TRUE(d.access->authenticate(with_bearer(t2->token)).ok());
  ASSERT_TRUE(d.access->set_disabled(d.admin, clin.user_id, true).ok());
  EXPECT_FALSE(d.access->authenticate(with_bearer(t2->token)).ok());
  // A change made behind the service's back (another instance) is seen within 5 seconds.
  ASSERT_TRUE(d.access->set_disabled(d.admin, clin.user_id, false).ok());
  auto t3 = d.access->create_token(d.admin, clin.user_id, "", 30);
  ASSERT_TRUE(d.access->authenticate(with_bearer(t3->token)).ok());
  d.db->write(
      [&](sql::Conn& c) { c.exec("UPDATE api_tokens SET revoked_at = 1 WHERE id = ?", {t3->id}); });
  d.clock.advance(std::chrono::seconds(6));
  EXPECT_FALSE(d.access->authenticate(with_bearer(t3->token)).ok());
}

TEST(AccessService, DisablingEndsSessionsAndTokens) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto s = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  auto t = d.access->create_token(d.admin, clin.user_id, "", 30);
  ASSERT_TRUE(d.access->set_disabled(d.admin, clin.user_id, true).ok());
  EXPECT_FALSE(d.access->authenticate(with_cookie(s->session_token)).ok());
  EXPECT_FALSE(d.access->authenticate(with_bearer(t->token)).ok());
  auto again = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().detail.find("disabled"), std::string::npos);
  EXPECT_EQ(d.access->set_disabled(d.admin, d.admin.user_id, true).error().code, Errc::Conflict);
}

TEST(AccessService, TotpEnrolmentSecondFactorAndRecoveryCodes) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto s = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  auto p = d.access->authenticate(with_cookie(s->session_token));
  ASSERT_TRUE(p.ok());
  auto e = d.access->begin_totp(*p);
  ASSERT_TRUE(e.ok()) << e.error().detail;
  EXPECT_NE(e->otpauth_uri.find("otpauth://totp/"), std::string::npos);
  EXPECT_EQ(d.access->confirm_totp(*p, "000000").error().code, Errc::Validation);
  const auto now = d.clock.unix_seconds();
  auto codes = d.access->confirm_totp(*p, crypto::totp::code(e->secret, now));
  ASSERT_TRUE(codes.ok()) << codes.error().detail;
  ASSERT_EQ(codes->size(), 10u);

  // Next sign-in owes a second factor: the session is not usable until it is given.
  d.clock.advance(std::chrono::seconds(60));
  auto s2 = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(s2->mfa_required);
  EXPECT_FALSE(d.access->authenticate(with_cookie(s2->session_token)).ok());
  auto pending = d.access->authenticate(with_cookie(s2->session_token), true);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(d.access->verify_second_factor(*pending, "123456").error().code, Errc::Validation);
  const auto code = crypto::totp::code(e->secret, d.clock.unix_seconds());
  ASSERT_TRUE(d.access->verify_second_factor(*pending, code).ok());
  EXPECT_TRUE(d.access->authenticate(with_cookie(s2->session_token)).ok());

  // The same code cannot be used twice; a recovery code works once.
  auto s3 = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  auto pending3 = d.access->authenticate(with_cookie(s3->session_token), true);
  EXPECT_EQ(d.access->verify_second_factor(*pending3, code).error().code, Errc::Validation);
  ASSERT_TRUE(d.access->verify_second_factor(*pending3, (*codes)[0]).ok());
  auto s4 = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  auto pending4 = d.access->authenticate(with_cookie(s4->session_token), true);
  EXPECT_FALSE(d.access->verify_second_factor(*pending4, (*codes)[0]).ok());

  // An admin reset removes the factor.
  ASSERT_TRUE(d.access->reset_totp(d.admin, clin.user_id).ok());
  auto s5 = d.access->sign_in("clin", k_password, "10.0.0.1", "rq");
  EXPECT_FALSE(s5->mfa_required);
}

TEST(AccessService, CareTeamManagement) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto other = d.user("other", Role::Clinician);
  auto desk = d.user("desk", Role::FrontDesk);
  auto c = d.client(clin, "Ada", "Lovelace");
  auto team = d.access->care_team(clin, c.id);
  ASSERT_TRUE(team.ok());
  ASSERT_EQ(team->size(), 1u);  // the registering clinician
  EXPECT_EQ((*team)[0].team_role, "primary_clinician");
  // A stranger cannot see the team or even learn the client exists.
  EXPECT_EQ(d.access->care_team(other, c.id).error().code, Errc::NotFound);
  EXPECT_EQ(d.access->add_team_member(other, c.id, other.user_id, "clinician").error().code,
            Errc::NotFound);
  // Front desk may see the team but not change it.
  EXPECT_TRUE(d.access->care_team(desk, c.id).ok());
  EXPECT_EQ(d.access->add_team_member(desk, c.id, desk.user_id, "clinician").error().code,
            Errc::Forbidden);
  // Only clinical staff join; one primary clinician.
  EXPECT_EQ(d.access->add_team_member(clin, c.id, desk.user_id, "clinician").error().code,
            Errc::Validation);
  EXPECT_EQ(d.access->add_team_member(clin, c.id, other.user_id, "primary_clinician").error().code,
            Errc::Conflict);
  EXPECT_EQ(d.access->add_team_member(clin, c.id, other.user_id, "overlord").error().code,
            Errc::Validation);
  ASSERT_TRUE(d.access->add_team_member(clin, c.id, other.user_id, "clinician").ok());
  EXPECT_TRUE(d.access->care_team(other, c.id).ok());
  ASSERT_TRUE(d.access->remove_team_member(d.admin, c.id, other.user_id).ok());
  EXPECT_EQ(d.access->care_team(other, c.id).error().code, Errc::NotFound);
  EXPECT_EQ(d.access->remove_team_member(d.admin, c.id, other.user_id).error().code,
            Errc::NotFound);
}

TEST(AccessService, BreakTheGlassIsTimeLimitedAuditedAndNoticed) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto oncall = d.user("oncall", Role::Clinician);
  auto c = d.client(clin, "Ada", "Lovelace");
  EXPECT_EQ(d.clients->get(oncall, c.id).error().code, Errc::NotFound);
  EXPECT_EQ(d.access->break_glass(oncall, c.id, "short").error().code, Errc::Validation);
  EXPECT_EQ(d.access->break_glass(oncall, "cl_missing", "Client called the crisis line at night")
                .error()
                .code,
            Errc::NotFound);
  EXPECT_EQ(d.access->break_glass(clin, c.id, "Already on the team, should refuse").error().code,
            Errc::Conflict);
  auto g = d.access->break_glass(oncall, c.id, "Client called the crisis line at night");
  ASSERT_TRUE(g.ok()) << g.error().detail;
  EXPECT_TRUE(d.clients->get(oncall, c.id).ok());
  EXPECT_EQ(d.audit_count("action = 'read' AND actor_id = ? AND reason = 'break-the-glass'",
                          {oncall.user_id}),
            1);
  EXPECT_EQ(d.audit_count("action = 'break_glass' AND reason = ?",
                          {std::string("Client called the crisis line at night")}),
            1);
  EXPECT_EQ(d.db->read([&](sql::Conn& cn) {
    return cn
        .query_one(
            "SELECT COUNT(*) FROM client_notices WHERE client_id = ? AND kind = 'break_glass'",
            {c.id})
        ->i64(0);
  }),
            1);
  // The reason is encrypted at rest.
  auto stored = d.db->read(
      [&](sql::Conn& cn) { return cn.query_one("SELECT reason FROM break_glass")->str(0); });
  EXPECT_EQ(stored.rfind("tk1:", 0), 0u);
  // Read only, and only for a while.
  EXPECT_EQ(
      d.clients->update(oncall, c.id, boost::json::object{{"pronouns", "she/her"}}).error().code,
      Errc::Forbidden);
  d.clock.advance(std::chrono::minutes(61));
  EXPECT_EQ(d.clients->get(oncall, c.id).error().code, Errc::NotFound);
  // Front desk and analysts cannot break the glass.
  auto desk = d.user("desk", Role::FrontDesk);
  EXPECT_EQ(d.access->break_glass(desk, c.id, "I would like to see it please").error().code,
            Errc::Forbidden);
}

}  // namespace
}  // namespace tend::access
