// Portal invitations and accounts over HTTP against the real server on loopback (SQLite, and
// PostgreSQL in the .pg run): the care team invites a client by a code shown once or by an
// e-mailed link (a real SMTP sink); the client checks it, sets a username and password, agrees
// to the terms and is signed in, in one transaction; every refusal (unknown, mistyped, used,
// expired, revoked: one 404; weak password, no agreement, taken username, existing account,
// archived record, guardian for an adult, staff off the team, clients and guardians on staff
// routes, too many attempts) and two accepts racing; terms agreed again when they change;
// reminder preferences (and the appointment reminder respecting them); and guardians, who see
// only the sections the service shares and are refused on every client and staff route.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <thread>

#include "support/api.h"
#include "support/domain.h"
#include "support/peer.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

HttpResponse put(HttpClient& c, const std::string& path, const bj::value& body) {
  return c.request("PUT", path, bj::serialize(body), {{"Content-Type", "application/json"}});
}

class InvitationApi : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> settings = {}) {
    server = std::make_unique<ApiServer>(std::move(settings));
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    clin = server->client_for("clin");
    other = server->client_for("other");
    ada = new_client("Ada", "Lovelace", "1990-12-10");
    sam = new_client("Sam", "Okafor", "2012-03-04");  // 14 at the test clock's date
  }
  void SetUp() override {
    if (!manual_start_) start();
  }
  std::string new_client(const std::string& given, const std::string& family,
                         const std::string& dob) {
    auto c = clin->post(
        "/api/v1/clients",
        bj::object{{"given_name", given}, {"family_name", family}, {"date_of_birth", dob}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  HttpResponse invite(HttpClient& who, const std::string& client_id, bj::object body) {
    return who.post("/api/v1/clients/" + client_id + "/invitations", body);
  }
  //! A code invitation for the client themself; returns the code.
  std::string code_for(const std::string& client_id) {
    auto r = invite(*clin, client_id, {{"kind", "client"}, {"method", "code"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("code").as_string());
  }
  bj::object join_body(const std::string& code, const std::string& username) {
    return {{"code", code},
            {"username", username},
            {"password", "a long enough passphrase"},
            {"accept_terms", true}};
  }
  //! Accepts in a fresh client, which then holds the new session (cookie and CSRF token).
  std::unique_ptr<HttpClient> join(const bj::object& body, long expect = 201) {
    auto c = std::make_unique<HttpClient>(server->base_url());
    auto r = c->post("/api/v1/invitations/accept", body);
    EXPECT_EQ(r.status, expect) << r.body;
    if (r.status == 201) c->set_csrf(std::string(r.json().at("csrf_token").as_string()));
    return c;
  }

  bool manual_start_ = false;
  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other;
  std::string ada, sam;
};

class InvitationApiManual : public InvitationApi {
 protected:
  InvitationApiManual() { manual_start_ = true; }
};

TEST_F(InvitationApi, ACodeShownOnceMakesTheClientsAccountAndSignsThemIn) {
  auto made = invite(*clin, ada, {{"kind", "client"}, {"method", "code"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.header("cache-control"), "no-store");
  const auto made_json = made.json();
  const std::string code(made_json.at("code").as_string());
  const std::string id(made_json.at("id").as_string());
  EXPECT_TRUE(std::regex_match(code, std::regex("[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}"))) << code;
  EXPECT_EQ(made_json.at("state"), "pending");
  TimePoint created, expires;
  ASSERT_TRUE(parse_rfc3339(std::string(made_json.at("created_at").as_string()), created));
  ASSERT_TRUE(parse_rfc3339(std::string(made_json.at("expires_at").as_string()), expires));
  EXPECT_EQ(expires - created, std::chrono::hours(24));
  // Only a hash is kept; the list never shows the code.
  const std::string bare = code.substr(0, 4) + code.substr(5);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE secret_hash = ? OR secret_hash "
                  "= ?",
                  {bare, code}),
            0);
  auto listed = clin->get("/api/v1/clients/" + ada + "/invitations");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find(bare), std::string::npos);
  const auto listed_json = listed.json();
  ASSERT_EQ(listed_json.at("items").as_array().size(), 1u);
  EXPECT_FALSE(listed_json.at("items").as_array()[0].as_object().contains("code"));
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE resource_id = ? AND action = 'create'", {id}), 1);

  // The code typed on a phone: lower case, with a space instead of the hyphen.
  HttpClient anon(server->base_url());
  std::string typed = code;
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  typed[4] = ' ';
  auto checked = anon.post("/api/v1/invitations/check", bj::object{{"code", typed}});
  ASSERT_EQ(checked.status, 200) << checked.body;
  const auto checked_json = checked.json();
  EXPECT_EQ(checked_json.at("valid"), true);
  EXPECT_EQ(checked_json.at("kind"), "client");
  EXPECT_EQ(checked_json.at("service_name"), "Tend");
  EXPECT_EQ(checked_json.at("terms").at("version"), "2026-12-01");
  EXPECT_NE(std::string(checked_json.at("terms").at("text").as_string()).find("emergency"),
            std::string::npos);

  auto portal = std::make_unique<HttpClient>(server->base_url());
  auto joined = portal->post("/api/v1/invitations/accept",
                             bj::object{{"code", typed},
                                        {"username", "Ada.L"},
                                        {"password", "a long enough passphrase"},
                                        {"accept_terms", true}});
  ASSERT_EQ(joined.status, 201) << joined.body;
  EXPECT_NE(joined.header("set-cookie").find("HttpOnly"), std::string::npos);
  const auto joined_json = joined.json();
  EXPECT_EQ(joined_json.at("user").at("role"), "client");
  EXPECT_EQ(joined_json.at("user").at("client_id"), bj::value(ada));
  EXPECT_EQ(joined_json.at("user").at("username"), "ada.l");
  EXPECT_EQ(joined_json.at("user").at("display_name"), "Ada");
  portal->set_csrf(std::string(joined_json.at("csrf_token").as_string()));
  // Signed in: the session works, for reading and (with the CSRF token) for changes.
  auto session = portal->get("/api/v1/session");
  ASSERT_EQ(session.status, 200) << session.body;
  EXPECT_EQ(
      put(*portal, "/api/v1/me/preferences", bj::object{{"check_in_reminder", "20:30"}}).status,
      200);
  // And the password works for the next sign-in.
  HttpClient again(server->base_url());
  EXPECT_EQ(again.sign_in("ada.l", "a long enough passphrase").status, 201);

  // Used: the state says so, the terms are on record, and the code opens nothing any more.
  auto after = clin->get("/api/v1/clients/" + ada + "/invitations");
  EXPECT_EQ(after.json().at("items").as_array()[0].at("state"), "used");
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_terms_acceptances t JOIN users u ON u.id = "
                  "t.user_id WHERE u.client_id = ? AND t.version = '2026-12-01'",
                  {ada}),
            1);
  EXPECT_EQ(anon.post("/api/v1/invitations/check", bj::object{{"code", code}}).status, 404);
  join(join_body(code, "ada2"), 404);
  // One account per client: a new client invitation is refused.
  EXPECT_EQ(invite(*clin, ada, {{"kind", "client"}, {"method", "code"}}).status, 409);
}

TEST_F(InvitationApi, EveryBadAcceptIsRefusedAndLeavesNothingBehind) {
  const std::string code = code_for(ada);
  const auto users_before = count("SELECT COUNT(*) FROM users");
  HttpClient anon(server->base_url());
  // Unknown, impossible and used-up codes give one and the same answer.
  auto unknown = anon.post("/api/v1/invitations/check", bj::object{{"code", "ABCD-EFGH"}});
  auto garbage = anon.post("/api/v1/invitations/check", bj::object{{"code", "hello"}});
  auto token = anon.post("/api/v1/invitations/check", bj::object{{"token", "not-a-token"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(garbage.status, 404);
  EXPECT_EQ(token.status, 404);
  EXPECT_EQ(unknown.json().at("detail"), garbage.json().at("detail"));
  EXPECT_EQ(anon.post("/api/v1/invitations/check", bj::object{}).error_fields(),
            std::vector<std::string>{"code"});
  EXPECT_EQ(
      anon.post("/api/v1/invitations/check", bj::object{{"code", code}, {"token", "x"}}).status,
      422);

  auto body = join_body(code, "ada");
  body.erase("accept_terms");
  auto r = anon.post("/api/v1/invitations/accept", body);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_fields(), std::vector<std::string>{"accept_terms"});
  body["accept_terms"] = false;
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", body).error_fields(),
            std::vector<std::string>{"accept_terms"});
  body = join_body(code, "ada");
  body["password"] = "short";
  r = anon.post("/api/v1/invitations/accept", body);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.error_fields(), std::vector<std::string>{"password"});
  body["password"] = "ada-the-user";
  body["username"] = "ada-the-user";
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", body).error_fields(),
            std::vector<std::string>{"password"});
  body = join_body(code, "-bad name");
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", body).error_fields(),
            std::vector<std::string>{"username"});
  // A taken username: 409 on username. A wrong code with a good form: the one 404.
  r = anon.post("/api/v1/invitations/accept", join_body(code, "clin"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_fields(), std::vector<std::string>{"username"});
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", join_body("ABCD-EFGH", "ada")).status, 404);
  // Terms read in an older version than the current one: read again.
  body = join_body(code, "ada");
  body["terms_version"] = "2020-01-01";
  r = anon.post("/api/v1/invitations/accept", body);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.error_fields(), std::vector<std::string>{"terms_version"});
  // Nothing was made by any of them, and the invitation is still there to use.
  EXPECT_EQ(count("SELECT COUNT(*) FROM users"), users_before);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions"), 2);  // clin's and other's
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE used_at IS NULL"), 1);
  body = join_body(code, "ada");
  body["terms_version"] = "2026-12-01";
  auto ok = anon.post("/api/v1/invitations/accept", body);
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_NE(ok.header("set-cookie").find("tend_session="), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM users"), users_before + 1);
}

TEST_F(InvitationApi, AnInvitationMadeBeforeAnAdminCreatedTheAccountIsRefused) {
  const std::string code = code_for(ada);
  server->add_user("ada-by-admin", "client", ada);
  auto r =
      HttpClient(server->base_url()).post("/api/v1/invitations/accept", join_body(code, "ada"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE used_at IS NOT NULL"), 0);
}

TEST_F(InvitationApi, ExpiredRevokedAndReplacedInvitationsOpenNothing) {
  HttpClient anon(server->base_url());
  const auto check = [&](const std::string& code) {
    return anon.post("/api/v1/invitations/check", bj::object{{"code", code}});
  };
  const std::string lost = code_for(ada);
  auto second = invite(*clin, ada, {{"kind", "client"}, {"method", "code"}});
  ASSERT_EQ(second.status, 201);
  const std::string second_id(second.json().at("id").as_string());
  const std::string second_code(second.json().at("code").as_string());
  // A new client invitation withdraws the earlier pending one.
  EXPECT_EQ(check(lost).status, 404);
  EXPECT_EQ(check(second_code).status, 200);
  const auto states = [&] {
    std::map<std::string, std::string> out;
    auto list = clin->get("/api/v1/clients/" + ada + "/invitations").json();
    for (const auto& inv : list.at("items").as_array()) {
      out[std::string(inv.at("id").as_string())] = std::string(inv.at("state").as_string());
    }
    return out;
  };
  auto now_states = states();
  ASSERT_EQ(now_states.size(), 2u);
  EXPECT_EQ(now_states[second_id], "pending");
  now_states.erase(second_id);
  EXPECT_EQ(now_states.begin()->second, "revoked");

  // Revoked by hand: the code opens nothing, with the same words as an unknown one, and it
  // cannot be revoked twice.
  auto revoked = clin->post("/api/v1/invitations/" + second_id + "/revoke", bj::object{});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json().at("state"), "revoked");
  EXPECT_EQ(clin->post("/api/v1/invitations/" + second_id + "/revoke", bj::object{}).status, 409);
  auto gone = check(second_code);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json().at("detail"), check("ABCD-EFGH").json().at("detail"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE resource_id = ? AND action = 'revoke'",
                  {second_id}),
            1);

  // A day later a third code has expired: it opens nothing, cannot be revoked, and is listed so.
  auto third_made = invite(*clin, ada, {{"kind", "client"}, {"method", "code"}});
  ASSERT_EQ(third_made.status, 201);
  const std::string third(third_made.json().at("code").as_string());
  const std::string third_id(third_made.json().at("id").as_string());
  EXPECT_EQ(check(third).status, 200);
  server->clock.advance(24h);
  EXPECT_EQ(check(third).status, 404);
  join(join_body(third, "ada"), 404);
  clin = server->client_for("clin");
  now_states = states();
  ASSERT_EQ(now_states.size(), 3u);
  EXPECT_EQ(now_states[third_id], "expired");
  EXPECT_EQ(now_states[second_id], "revoked");
  EXPECT_EQ(clin->post("/api/v1/invitations/" + third_id + "/revoke", bj::object{}).status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE client_id = ?", {ada}), 0);
}

TEST_F(InvitationApi, OnlyStaffWhoMayWorkOnTheRecordInviteAndRevoke) {
  // Off the care team: the record does not exist for them.
  EXPECT_EQ(invite(*other, ada, {{"kind", "client"}, {"method", "code"}}).status, 404);
  EXPECT_EQ(other->get("/api/v1/clients/" + ada + "/invitations").status, 404);
  auto made = invite(*clin, ada, {{"kind", "client"}, {"method", "code"}});
  const std::string id(made.json().at("id").as_string());
  EXPECT_EQ(other->post("/api/v1/invitations/" + id + "/revoke", bj::object{}).status, 404);
  EXPECT_EQ(clin->post("/api/v1/invitations/iv_unknown/revoke", bj::object{}).status, 404);
  // Front desk does demographics and registration, so it invites too; analysts do not.
  server->add_user("desk", "front_desk");
  server->add_user("numbers", "analyst");
  auto desk = server->client_for("desk");
  auto analyst = server->client_for("numbers");
  EXPECT_EQ(invite(*desk, sam, {{"kind", "client"}, {"method", "code"}}).status, 201);
  EXPECT_EQ(desk->get("/api/v1/clients/" + sam + "/invitations").status, 200);
  EXPECT_EQ(invite(*analyst, sam, {{"kind", "client"}, {"method", "code"}}).status, 404);
  // A client (even about their own record) is refused.
  server->add_user("samuser", "client", sam);
  auto portal = server->client_for("samuser");
  EXPECT_EQ(invite(*portal, sam, {{"kind", "guardian"}, {"method", "code"}}).status, 403);
  EXPECT_EQ(portal->get("/api/v1/clients/" + sam + "/invitations").status, 403);
  EXPECT_EQ(portal->post("/api/v1/invitations/" + id + "/revoke", bj::object{}).status, 403);
}

TEST_F(InvitationApi, BadInvitationsAreRefusedNamingTheField) {
  const std::string path = "/api/v1/clients/" + ada + "/invitations";
  EXPECT_EQ(clin->post(path, bj::object{{"kind", "friend"}, {"method", "code"}}).error_fields(),
            std::vector<std::string>{"kind"});
  EXPECT_EQ(clin->post(path, bj::object{{"kind", "client"}, {"method", "pigeon"}}).error_fields(),
            std::vector<std::string>{"method"});
  EXPECT_EQ(clin->post(path, bj::object{{"method", "code"}}).error_fields(),
            std::vector<std::string>{"kind"});
  // No mail server here: e-mail invitations are refused, pointing to the code.
  EXPECT_EQ(
      clin->post(path,
                 bj::object{{"kind", "client"}, {"method", "email"}, {"email", "ada@example.org"}})
          .error_fields(),
      std::vector<std::string>{"method"});
  // A guardian needs a name and relationship, and is only for a client under 18.
  auto g = clin->post("/api/v1/clients/" + sam + "/invitations",
                      bj::object{{"kind", "guardian"}, {"method", "code"}});
  EXPECT_EQ(g.error_fields(), (std::vector<std::string>{"guardian_name", "relationship"}));
  auto adult = clin->post(path, bj::object{{"kind", "guardian"},
                                           {"method", "code"},
                                           {"guardian_name", "Grace Hopper"},
                                           {"relationship", "mother"}});
  EXPECT_EQ(adult.status, 422);
  EXPECT_EQ(adult.error_fields(), std::vector<std::string>{"kind"});
  EXPECT_EQ(clin->post(path, bj::object{{"kind", "client"}, {"method", "code"}, {"x", 1}}).status,
            422);
  // An archived record is not invited.
  server->app().db().write(
      [&](sql::Conn& c) { c.exec("UPDATE clients SET status = 'archived' WHERE id = ?", {ada}); });
  EXPECT_EQ(clin->post(path, bj::object{{"kind", "client"}, {"method", "code"}}).status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations"), 0);
}

TEST_F(InvitationApi, GuessingIsRateLimitedPerAddress) {
  HttpClient anon(server->base_url());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(anon.post("/api/v1/invitations/check", bj::object{{"code", "ABCD-EFGH"}}).status,
              404);
  }
  auto limited = anon.post("/api/v1/invitations/check", bj::object{{"code", "ABCD-EFGH"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.header("retry-after").empty());
  // Accepting counts too, and the right code does not get through while limited.
  const std::string code = code_for(ada);
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", join_body(code, "ada")).status, 429);
  server->clock.advance(5min + 1s);
  EXPECT_EQ(anon.post("/api/v1/invitations/accept", join_body(code, "ada")).status, 201);
}

TEST_F(InvitationApi, TwoAcceptsRacingMakeOneAccount) {
  for (int round = 0; round < 3; ++round) {
    const std::string client = new_client("Twin" + std::to_string(round), "Race", "1991-01-01");
    const std::string code = code_for(client);
    long a = 0, b = 0;
    std::thread t1([&] {
      HttpClient c(server->base_url());
      a = c.post("/api/v1/invitations/accept", join_body(code, "first" + std::to_string(round)))
              .status;
    });
    std::thread t2([&] {
      HttpClient c(server->base_url());
      b = c.post("/api/v1/invitations/accept", join_body(code, "second" + std::to_string(round)))
              .status;
    });
    t1.join();
    t2.join();
    EXPECT_EQ(std::min(a, b), 201);
    EXPECT_EQ(std::max(a, b), 404);
    EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE client_id = ?", {client}), 1);
  }
}

TEST_F(InvitationApiManual, TheEmailedLinkWorksOnceAndTheMailSaysNothingClinical) {
  TempDir mail_dir;
  auto sink =
      std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
  ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
  start({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(sink->port())},
         {"smtp_from", "portal@tend.example.org"},
         {"base_url", "https://tend.example.org/"},
         {"service_name", "Riverside Counselling"}});
  server->app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE clients SET email = 'ada@example.org' WHERE id = ?", {ada});
  });
  // No address given: the one on the record.
  auto made = invite(*clin, ada, {{"kind", "client"}, {"method", "email"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const auto made_json = made.json();
  EXPECT_FALSE(made_json.as_object().contains("code"));
  EXPECT_EQ(made_json.at("email"), "ada@example.org");
  TimePoint created, expires;
  ASSERT_TRUE(parse_rfc3339(std::string(made_json.at("created_at").as_string()), created));
  ASSERT_TRUE(parse_rfc3339(std::string(made_json.at("expires_at").as_string()), expires));
  EXPECT_EQ(expires - created, std::chrono::hours(24 * 7));
  // Sealed at rest, the token only until the mail leaves.
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE email LIKE '%example%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE mail_token IS NOT NULL"), 1);

  server->app().jobs().run_due();
  auto mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].at("rcpt_tos").as_array()[0], "ada@example.org");
  EXPECT_EQ(mails[0].at("subject"), "Your invitation to the Riverside Counselling portal");
  const std::string body(mails[0].at("body").as_string());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(body, m,
                                std::regex("https://tend\\.example\\.org/join\\?token=([A-Za-z0-"
                                           "9_-]{43})")))
      << body;
  const std::string token = m[1];
  for (const char* word : {"Ada", "Lovelace", "clin", "therap", "mental", "appointment", "diagnos",
                           "crisis", "assessment", "Okafor"}) {
    EXPECT_EQ(body.find(word), std::string::npos) << word;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE mail_token IS NOT NULL"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE sent_at IS NOT NULL"), 1);
  // Sent once: the job does not send it again.
  server->app().jobs().run_due();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 1u);

  HttpClient anon(server->base_url());
  auto checked = anon.post("/api/v1/invitations/check", bj::object{{"token", token}});
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(checked.json().at("service_name"), "Riverside Counselling");
  bj::object body_json{{"token", token},
                       {"username", "ada"},
                       {"password", "a long enough passphrase"},
                       {"accept_terms", true},
                       {"display_name", "Ada L."}};
  auto portal = join(body_json);
  EXPECT_EQ(portal->get("/api/v1/session").json().at("user").at("display_name"), "Ada L.");
  body_json["username"] = "ada2";
  join(body_json, 404);

  // A revoked e-mail invitation is never sent.
  const std::string bob = new_client("Bob", "Stone", "1980-02-02");
  auto b =
      invite(*clin, bob, {{"kind", "client"}, {"method", "email"}, {"email", "b@example.org"}});
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(
      clin->post("/api/v1/invitations/" + std::string(b.json().at("id").as_string()) + "/revoke",
                 bj::object{})
          .status,
      200);
  server->app().jobs().run_due();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 1u);
  // Without an address on the record or in the request: 422 on email.
  const std::string cy = new_client("Cy", "Lee", "1985-05-05");
  EXPECT_EQ(invite(*clin, cy, {{"kind", "client"}, {"method", "email"}}).error_fields(),
            std::vector<std::string>{"email"});
}

TEST_F(InvitationApi, TheClientsRemindersAreTheirsToChoose) {
  const std::string code = code_for(ada);
  auto portal = join(join_body(code, "ada"));
  auto prefs = portal->get("/api/v1/me/preferences");
  ASSERT_EQ(prefs.status, 200) << prefs.body;
  EXPECT_EQ(prefs.json(), bj::parse(R"({"check_in_reminder":null,"appointment_reminders":true,
      "message_notices":true,"email_on_file":false})"));
  auto set = put(*portal, "/api/v1/me/preferences",
                 bj::object{{"check_in_reminder", "07:45"}, {"appointment_reminders", false}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json().at("check_in_reminder"), "07:45");
  EXPECT_EQ(set.json().at("appointment_reminders"), false);
  EXPECT_EQ(set.json().at("message_notices"), true);  // left out: kept
  for (const char* bad : {"25:00", "7:45", "07:60", "0745", "noon"}) {
    auto r = put(*portal, "/api/v1/me/preferences", bj::object{{"check_in_reminder", bad}});
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{"check_in_reminder"}) << bad;
  }
  auto wrong_type = put(*portal, "/api/v1/me/preferences",
                        bj::object{{"message_notices", "yes"}, {"check_in_reminder", 7}});
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_EQ(wrong_type.error_fields().size(), 2u);
  auto cleared = put(*portal, "/api/v1/me/preferences",
                     bj::object{{"check_in_reminder", nullptr}, {"email_on_file", true}});
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json().at("check_in_reminder").is_null());
  EXPECT_EQ(cleared.json().at("email_on_file"), false);  // what the record says, not settable
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_preferences WHERE client_id = ? AND "
                  "appointment_reminders = 0",
                  {ada}),
            1);
  // Another client's choices are their own; staff have none.
  auto bob = join(join_body(code_for(sam), "sam"));
  EXPECT_EQ(bob->get("/api/v1/me/preferences").json().at("appointment_reminders"), true);
  EXPECT_EQ(clin->get("/api/v1/me/preferences").status, 403);
  EXPECT_EQ(put(*clin, "/api/v1/me/preferences", bj::object{{"message_notices", false}}).status,
            403);
}

TEST_F(InvitationApiManual, AppointmentRemindersRespectTheClientsChoice) {
  TempDir mail_dir;
  auto sink =
      std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
  ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
  start({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(sink->port())},
         {"base_url", "https://tend.example.org"}});
  server->app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE clients SET email = 'ada@example.org', consent_email = 1 WHERE id = ?", {ada});
    c.exec("UPDATE clients SET email = 'sam@example.org', consent_email = 1 WHERE id = ?", {sam});
  });
  auto portal = join(join_body(code_for(ada), "ada"));
  EXPECT_EQ(portal->get("/api/v1/me/preferences").json().at("email_on_file"), true);
  ASSERT_EQ(
      put(*portal, "/api/v1/me/preferences", bj::object{{"appointment_reminders", false}}).status,
      200);
  const auto book = [&](const std::string& who, std::chrono::hours ahead) {
    const auto from = server->clock.now() + ahead;
    auto r = clin->post(
        "/api/v1/clients/" + who + "/appointments",
        bj::object{{"starts_at", format_rfc3339(from)}, {"ends_at", format_rfc3339(from + 50min)}});
    EXPECT_EQ(r.status, 201) << r.body;
  };
  book(ada, 48h);
  book(sam, 50h);
  server->clock.advance(26h + 1min);  // both reminders are due
  server->app().jobs().run_due();
  auto mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 1u) << "Ada turned appointment reminders off";
  EXPECT_EQ(mails[0].at("rcpt_tos").as_array()[0], "sam@example.org");
}

TEST_F(InvitationApiManual, TermsAreAgreedAgainWhenTheirVersionChanges) {
  TempDir terms_dir;
  const auto file = terms_dir.path() / "terms.md";
  std::ofstream(file) << "---\nversion: v7\ntitle: Our portal\n---\nBe kind. In a crisis call "
                         "the emergency number.\n";
  start({{"portal_terms", file.string()}});
  auto portal = join(join_body(code_for(ada), "ada"));
  auto t = portal->get("/api/v1/me/terms");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.json().at("terms").at("version"), "v7");
  EXPECT_EQ(t.json().at("terms").at("title"), "Our portal");
  EXPECT_EQ(t.json().at("needs_acceptance"), false);
  EXPECT_EQ(t.json().at("accepted_version"), "v7");
  // As if the service published v7 after Ada agreed to v6.
  server->app().db().write(
      [&](sql::Conn& c) { c.exec("UPDATE portal_terms_acceptances SET version = 'v6'"); });
  t = portal->get("/api/v1/me/terms");
  EXPECT_EQ(t.json().at("needs_acceptance"), true);
  EXPECT_EQ(t.json().at("accepted_version"), "v6");
  EXPECT_EQ(portal->post("/api/v1/me/terms/accept", bj::object{{"version", "v6"}}).status, 409);
  EXPECT_EQ(portal->post("/api/v1/me/terms/accept", bj::object{}).error_fields(),
            std::vector<std::string>{"version"});
  auto ok = portal->post("/api/v1/me/terms/accept", bj::object{{"version", "v7"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json().at("needs_acceptance"), false);
  EXPECT_EQ(clin->get("/api/v1/me/terms").status, 403);
  // An account an admin made by hand has no agreement here and is not held up; it may agree.
  const std::string bob = new_client("Bob", "Stone", "1980-02-02");
  server->add_user("bob", "client", bob);
  auto by_admin = server->client_for("bob");
  auto none = by_admin->get("/api/v1/me/terms");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(none.json().at("accepted_version").is_null());
  EXPECT_EQ(none.json().at("needs_acceptance"), false);
  EXPECT_EQ(by_admin->post("/api/v1/me/terms/accept", bj::object{{"version", "v7"}})
                .json()
                .at("accepted_version"),
            "v7");

  // Terms without a version stop start-up, naming the file.
  std::ofstream(file) << "---\ntitle: No version\n---\nText.\n";
  EXPECT_THROW(ApiServer(std::map<std::string, std::string>{{"portal_terms", file.string()}}),
               std::runtime_error);
  EXPECT_THROW(
      ApiServer(std::map<std::string, std::string>{{"guardian_access", "appointments,notes"}}),
      std::runtime_error);
}

TEST_F(InvitationApi, AGuardianSeesOnlyWhatTheServiceSharesAboutTheirChild) {
  auto made = invite(*clin, sam,
                     {{"kind", "guardian"},
                      {"method", "code"},
                      {"guardian_name", "Grace Okafor"},
                      {"relationship", "mother"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json().at("guardian_name"), "Grace Okafor");
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE guardian_name LIKE '%Grace%' OR "
                  "relationship = 'mother'"),
            0);
  // The young person's own client invitation is separate and still possible.
  EXPECT_EQ(invite(*clin, sam, {{"kind", "client"}, {"method", "code"}}).status, 201);
  HttpClient anon(server->base_url());
  auto checked =
      anon.post("/api/v1/invitations/check", bj::object{{"code", made.json().at("code")}});
  EXPECT_EQ(checked.json().at("kind"), "guardian");
  auto guardian = join(join_body(std::string(made.json().at("code").as_string()), "grace"));
  auto me = guardian->get("/api/v1/session");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json().at("user").at("role"), "guardian");
  EXPECT_TRUE(me.json().at("user").at("client_id").is_null());
  EXPECT_EQ(me.json().at("user").at("display_name"), "Grace Okafor");

  // A booked appointment, with a note the guardian must not see.
  const auto from = server->clock.now() + 48h;
  ASSERT_EQ(clin->post("/api/v1/clients/" + sam + "/appointments",
                       bj::object{{"starts_at", format_rfc3339(from)},
                                  {"ends_at", format_rfc3339(from + 50min)},
                                  {"room", "Room 4"}})
                .status,
            201);

  auto list = guardian->get("/api/v1/guardian/clients");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto list_json = list.json();
  ASSERT_EQ(list_json.at("items").as_array().size(), 1u);
  const auto& young = list_json.at("items").as_array()[0];
  EXPECT_EQ(young.at("client_id"), bj::value(sam));
  EXPECT_EQ(young.at("name"), "Sam Okafor");
  EXPECT_EQ(young.at("relationship"), "mother");
  EXPECT_EQ(young.at("sections"), bj::parse(R"(["appointments","crisis_resources"])"));

  // Key rotation re-encrypts every sealed value of invitations and guardian links.
  const std::string old_key = server->app().keys().active_id();
  ASSERT_TRUE(server->app().keys().rotate());
  auto rotated = app::reencrypt_all(server->app().db(), server->app().keys());
  ASSERT_TRUE(rotated) << rotated.error().detail;
  for (const auto& col : app::sealed_columns()) {
    const std::string table = col.table;
    if (table != "portal_invitations" && table != "guardian_links") continue;
    EXPECT_EQ(count("SELECT COUNT(*) FROM " + table + " WHERE " + col.column + " LIKE ?",
                    {"tk1:" + old_key + ":%"}),
              0)
        << table << "." << col.column;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM guardian_links WHERE relationship LIKE ?",
                  {"tk1:" + server->app().keys().active_id() + ":%"}),
            1);
  EXPECT_EQ(
      guardian->get("/api/v1/guardian/clients").json().at("items").as_array()[0].at("relationship"),
      "mother");

  const std::string base = "/api/v1/guardian/clients/" + sam;
  auto appts = guardian->get(base + "/appointments");
  ASSERT_EQ(appts.status, 200) << appts.body;
  ASSERT_EQ(appts.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(appts.json().at("items").as_array()[0].at("room"), "Room 4");
  EXPECT_FALSE(appts.json().at("items").as_array()[0].as_object().contains("note"));
  EXPECT_EQ(guardian->get(base + "/crisis-resources").status, 200);
  // Not shared by default: 403 with the reason. Another client: 404. No route for notes.
  for (const char* s : {"safety-plan", "plan", "education"}) {
    auto r = guardian->get(base + "/" + s);
    EXPECT_EQ(r.status, 403) << s;
    EXPECT_NE(std::string(r.json().at("detail").as_string()).find("does not share"),
              std::string::npos);
  }
  EXPECT_EQ(guardian->get("/api/v1/guardian/clients/" + ada + "/appointments").status, 404);
  EXPECT_EQ(guardian->get(base + "/notes").status, 404);
  EXPECT_GE(count("SELECT COUNT(*) FROM audit_log WHERE client_id = ? AND resource_kind = "
                  "'guardian.safety_plan' AND outcome = 'denied'",
                  {sam}),
            1);
  // Staff and clients are not guardians.
  EXPECT_EQ(clin->get("/api/v1/guardian/clients").status, 403);
  EXPECT_EQ(clin->get(base + "/appointments").status, 403);

  // A guardian is not the client: every /api/v1/me route but their own sign-in settings and
  // terms refuses them, and so does every staff route tried.
  std::size_t tried = 0;
  for (const auto& route : server->app().router().routes()) {
    if (route.pattern.rfind("/api/v1/me/", 0) != 0) continue;
    if (route.pattern.rfind("/api/v1/me/totp", 0) == 0 ||
        route.pattern.rfind("/api/v1/me/terms", 0) == 0) {
      continue;
    }
    std::string path = std::regex_replace(route.pattern, std::regex("\\{[a-z_]+\\}"), "x");
    const char* method = route.method == http::Method::Get     ? "GET"
                         : route.method == http::Method::Post  ? "POST"
                         : route.method == http::Method::Put   ? "PUT"
                         : route.method == http::Method::Patch ? "PATCH"
                                                               : "DELETE";
    auto r = guardian->request(method, path, "{}", {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 403) << method << " " << path << " " << r.body;
    ++tried;
  }
  EXPECT_GE(tried, 10u);
  for (const std::string& path :
       std::vector<std::string>{"/api/v1/clients/" + sam, "/api/v1/clients/" + sam + "/invitations",
                                "/api/v1/clients/" + sam + "/care-team", "/api/v1/staff",
                                "/api/v1/tasks", "/api/v1/on-call/now", "/api/v1/clients?q=sam"}) {
    EXPECT_EQ(guardian->get(path).status, 403) << path;
  }
  EXPECT_EQ(guardian->get("/api/v1/me/terms").status, 200);

  // An admin cannot make a guardian account by hand: they come by invitation.
  server->add_user("boss", "admin");
  auto admin = server->client_for("boss");
  auto by_hand = admin->post("/api/v1/users", bj::object{{"username", "grace2"},
                                                         {"display_name", "G"},
                                                         {"password", "a long enough passphrase"},
                                                         {"role", "guardian"}});
  EXPECT_EQ(by_hand.status, 422);
  EXPECT_EQ(by_hand.error_fields(), std::vector<std::string>{"role"});
}

TEST_F(InvitationApi, AGuardianAddsAnotherChildAndTheViewEndsAtEighteen) {
  const auto guardian_code = [&](const std::string& client) {
    auto r = invite(*clin, client,
                    {{"kind", "guardian"},
                     {"method", "code"},
                     {"guardian_name", "Grace Okafor"},
                     {"relationship", "mother"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("code").as_string());
  };
  auto guardian = join(join_body(guardian_code(sam), "grace"));
  const std::string kit = new_client("Kit", "Okafor", "2015-06-01");
  const std::string link = "/api/v1/guardian/invitations/accept";
  // A client's own invitation cannot be taken by a guardian: the same 404 as a wrong code.
  EXPECT_EQ(guardian->post(link, bj::object{{"code", code_for(kit)}}).status, 404);
  EXPECT_EQ(guardian->post(link, bj::object{{"code", "ABCD-EFGH"}}).status, 404);
  const std::string kit_code = guardian_code(kit);
  EXPECT_EQ(clin->post(link, bj::object{{"code", kit_code}}).status, 403);
  auto linked = guardian->post(link, bj::object{{"code", kit_code}});
  ASSERT_EQ(linked.status, 204) << linked.body;
  EXPECT_EQ(guardian->post(link, bj::object{{"code", kit_code}}).status, 404);
  auto both = guardian->get("/api/v1/guardian/clients").json().at("items").as_array();
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(guardian->get("/api/v1/guardian/clients/" + kit + "/appointments").status, 200);
  // Already linked: 409, and the invitation stays unused.
  const std::string again = guardian_code(sam);
  EXPECT_EQ(guardian->post(link, bj::object{{"code", again}}).status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM portal_invitations WHERE client_id = ? AND kind = "
                  "'guardian' AND used_at IS NULL",
                  {sam}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE role = 'guardian'"), 1);

  // Sam turns 18 on 4 March 2030: from that day the guardian no longer sees Sam; Kit still.
  server->clock.set(1'898'769'600);  // 2030-03-03T12:00:00Z
  HttpClient before(server->base_url());
  ASSERT_EQ(before.sign_in("grace", "a long enough passphrase").status, 201);
  EXPECT_EQ(before.get("/api/v1/guardian/clients/" + sam + "/appointments").status, 200);
  server->clock.set(1'898'856'000);  // 2030-03-04T12:00:00Z
  HttpClient after(server->base_url());
  ASSERT_EQ(after.sign_in("grace", "a long enough passphrase").status, 201);
  auto now_list = after.get("/api/v1/guardian/clients").json().at("items").as_array();
  ASSERT_EQ(now_list.size(), 1u);
  EXPECT_EQ(now_list[0].at("client_id"), bj::value(kit));
  EXPECT_EQ(after.get("/api/v1/guardian/clients/" + sam + "/appointments").status, 404);
}

TEST_F(InvitationApiManual, TheServiceChoosesWhatGuardiansSee) {
  start({{"guardian_access", "safety_plan, education"}});
  auto made = invite(*clin, sam,
                     {{"kind", "guardian"},
                      {"method", "code"},
                      {"guardian_name", "Grace Okafor"},
                      {"relationship", "mother"}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto guardian = join(join_body(std::string(made.json().at("code").as_string()), "grace"));
  const std::string base = "/api/v1/guardian/clients/" + sam;
  EXPECT_EQ(guardian->get(base + "/appointments").status, 403);
  EXPECT_EQ(guardian->get(base + "/crisis-resources").status, 403);
  EXPECT_EQ(guardian->get(base + "/education").status, 200);
  // No safety plan yet: the client's own view says so (404), not a refusal.
  EXPECT_EQ(guardian->get(base + "/safety-plan").status, 404);
  EXPECT_EQ(
      guardian->get("/api/v1/guardian/clients").json().at("items").as_array()[0].at("sections"),
      bj::parse(R"(["education","safety_plan"])"));
}

TEST_F(InvitationApiManual, AServiceMayInviteGuardiansOfAdults) {
  start({{"guardian_adults", "true"}});
  EXPECT_EQ(invite(*clin, ada,
                   {{"kind", "guardian"},
                    {"method", "code"},
                    {"guardian_name", "Court Guardian"},
                    {"relationship", "court-appointed guardian"}})
                .status,
            201);
}

}  // namespace
}  // namespace tend::testing
