// Crisis over HTTP against the real server on loopback (SQLite, and PostgreSQL in the .pg run):
// a client's risk answer in the portal reaches the clinician's open event stream within
// seconds; the alert, acknowledgement and resolution; escalation at the deadline under the
// server's fake clock; every bad input refused with the field named and nothing half-written;
// the roster, webhooks, follow-ups, safety plans for clinician and client, help-now, crisis
// lines without sign-in.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/notify/rules.h"
#include "support/api.h"
#include "support/domain.h"
#include "support/peer.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

std::string token_for(ApiServer& s, const std::string& user_id) {
  auto t = s.app().access().create_token(access::system_principal("test"), user_id, "sse", 30);
  if (!t) throw std::runtime_error(t.error().detail);
  return t->token;
}

bj::object phq9(int item9) {
  bj::array a;
  for (int i = 1; i <= 8; ++i)
    a.push_back(bj::object{{"linkId", "q" + std::to_string(i)}, {"value", 1}});
  a.push_back(bj::object{{"linkId", "q9"}, {"value", item9}});
  return {{"instrument", "phq-9"}, {"answers", std::move(a)}};
}

class CrisisApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    clin_id = server->add_user("clin", "clinician");
    other_id = server->add_user("other", "clinician");
    oncall_id = server->add_user("oncall", "clinician");
    server->add_user("boss", "admin");
    clin = server->client_for("clin");
    admin = server->client_for("boss");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"},
                                                      {"phone", "555-0101"},
                                                      {"address", {{"country", "GB"}}}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
    server->add_user("ada", "client", client_id);
    portal = server->client_for("ada");
  }

  std::int64_t count(const std::string& sql, const sql::Params& p = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql, p)->i64(0); });
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, admin, portal;
  std::string clin_id, other_id, oncall_id, client_id, base;
};

TEST_F(CrisisApi, ARiskAnswerInThePortalReachesTheClinicianLiveAndIsAnswered) {
  SseReader stream(server->base_url(), "/api/v1/events", token_for(*server, clin_id));
  ASSERT_TRUE(stream.wait_for("retry: 3000", 10s)) << stream.text();
  auto sub = portal->post(base + "/assessments", phq9(2));
  ASSERT_EQ(sub.status, 201) << sub.body;
  ASSERT_TRUE(stream.wait_for("event: crisis.alert", 5s)) << stream.text();
  EXPECT_EQ(stream.text().find("Ada"), std::string::npos);  // ids and states only

  auto board = clin->get("/api/v1/alerts");
  ASSERT_EQ(board.status, 200) << board.body;
  const auto items = board.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  const auto alert = items[0].as_object();
  EXPECT_EQ(alert.at("level"), "high");
  EXPECT_EQ(alert.at("status"), "open");
  EXPECT_EQ(alert.at("step_name"), "primary_clinician");
  EXPECT_EQ(alert.at("client_name"), "Ada Lovelace");
  const std::string id(alert.at("id").as_string());
  // Seeing the client on the board is in their access log.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'list' AND resource_kind = "
                  "'crisis_alert' AND resource_id = ? AND client_id = ? AND actor_id = ?",
                  {id, client_id, clin_id}),
            1);

  auto one = clin->get("/api/v1/alerts/" + id);
  ASSERT_EQ(one.status, 200) << one.body;
  const auto detail = one.json().as_object();
  EXPECT_EQ(detail.at("contact").at("phone"), "555-0101");
  EXPECT_GE(detail.at("timeline").as_array().size(), 2U);
  // Someone outside the team and the roster does not learn it exists.
  auto other = server->client_for("other");
  EXPECT_EQ(other->get("/api/v1/alerts/" + id).status, 404);
  EXPECT_EQ(other->post("/api/v1/alerts/" + id + "/acknowledge", bj::object{}).status, 404);
  // The client cannot see the board.
  EXPECT_EQ(portal->get("/api/v1/alerts").status, 403);

  auto ack = clin->post("/api/v1/alerts/" + id + "/acknowledge", bj::object{});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.json().at("status"), "acknowledged");
  ASSERT_TRUE(stream.wait_for("event: crisis.updated", 5s)) << stream.text();
  EXPECT_EQ(clin->post("/api/v1/alerts/" + id + "/acknowledge", bj::object{}).status, 409);

  auto bad = clin->post("/api/v1/alerts/" + id + "/resolve", bj::object{{"outcome", "other"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"note"});
  auto unknown = clin->post("/api/v1/alerts/" + id + "/resolve",
                            bj::object{{"outcome", "contacted_client"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(clin->request("POST", "/api/v1/alerts/" + id + "/resolve", "{",
                          {{"Content-Type", "application/json"}})
                .status,
            400);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts WHERE status = 'resolved'"), 0);
  auto done = clin->post("/api/v1/alerts/" + id + "/resolve",
                         bj::object{{"outcome", "safety_plan_reviewed"},
                                    {"note", "Reviewed the plan together by phone."}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("status"), "resolved");
  auto fus = clin->get("/api/v1/follow-ups?mine=true");
  ASSERT_EQ(fus.status, 200) << fus.body;
  EXPECT_EQ(fus.json().at("items").as_array().size(), 3U);
  EXPECT_EQ(clin->get("/api/v1/follow-ups?status=later").status, 400);
  EXPECT_EQ(clin->get("/api/v1/alerts?status=closed").status, 400);
}

TEST_F(CrisisApi, AnUnacknowledgedAlertGoesToOnCallAtItsDeadline) {
  auto r =
      admin->post("/api/v1/on-call",
                  bj::object{{"kind", "on_call"},
                             {"user_id", oncall_id},
                             {"time_zone", "Europe/London"},
                             {"weekly",
                              {{"days", bj::array{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
                               {"start", "00:00"},
                               {"end", "00:00"}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto now = clin->get("/api/v1/on-call/now");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.json().at("on_call").as_array().size(), 1U);

  SseReader stream(server->base_url(), "/api/v1/events", token_for(*server, oncall_id));
  ASSERT_TRUE(stream.wait_for("retry: 3000", 10s)) << stream.text();
  auto raised = clin->post(
      base + "/alerts", bj::object{{"level", "imminent"}, {"reason", "Called, sounded unsafe."}});
  ASSERT_EQ(raised.status, 201) << raised.body;
  EXPECT_EQ(raised.json().at("level"), "imminent");
  server->clock.advance(5min);
  server->app().jobs().run_due();
  ASSERT_TRUE(stream.wait_for("event: crisis.alert", 5s)) << stream.text();
  auto board = server->client_for("oncall")->get("/api/v1/alerts");
  ASSERT_EQ(board.status, 200);
  const auto items = board.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("step_name"), "on_call");
}

TEST_F(CrisisApi, BadRosterAndWebhookInputIsRefusedByName) {
  auto r = admin->post(
      "/api/v1/on-call",
      bj::object{
          {"kind", "on_call"},
          {"user_id", oncall_id},
          {"time_zone", "Mars/Olympus"},
          {"weekly", {{"days", bj::array{"funday"}}, {"start", "25:00"}, {"end", "09:00"}}}});
  EXPECT_EQ(r.status, 422) << r.body;
  const auto fields = r.error_fields();
  for (const char* f : {"weekly.days", "weekly.start", "time_zone"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f << " in " << r.body;
  }
  auto once = admin->post(
      "/api/v1/on-call",
      bj::object{
          {"kind", "supervisor"},
          {"user_id", oncall_id},
          {"once", {{"starts_at", "2026-11-20T17:00:00Z"}, {"ends_at", "2026-11-20T09:00:00Z"}}}});
  EXPECT_EQ(once.status, 422) << once.body;
  EXPECT_EQ(once.error_fields(), std::vector<std::string>{"once.ends_at"});
  EXPECT_EQ(clin->post("/api/v1/on-call", bj::object{{"kind", "on_call"}}).status, 403);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_roster"), 0);

  auto hook = admin->post("/api/v1/crisis/webhooks",
                          bj::object{{"name", "pager"}, {"url", "ftp://pager.example.org"}});
  EXPECT_EQ(hook.status, 422) << hook.body;
  EXPECT_EQ(hook.error_fields(), std::vector<std::string>{"url"});
  // Addresses the sender would refuse at delivery are refused when the webhook is added.
  const std::pair<const char*, const char*> refused[] = {
      {"http://169.254.169.254/latest/meta-data", "cloud metadata"},
      {"http://[fe80::1]/hook", "link-local"},
      {"http://127.0.0.1:9000/hook", "loopback"},
      {"http://2130706433/hook", "dotted-quad"},
      {"https://user:pw@pager.example.org/hook", ""},
      {"https://pager.example.org/hook#frag", ""},
  };
  for (const auto& [url, why] : refused) {
    auto bad = admin->post("/api/v1/crisis/webhooks", bj::object{{"name", "pager"}, {"url", url}});
    EXPECT_EQ(bad.status, 422) << url << " " << bad.body;
    EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"url"}) << url;
    EXPECT_NE(bad.body.find(why), std::string::npos) << url << " " << bad.body;
    EXPECT_EQ(bad.body.find("pw@"), std::string::npos) << "the URL is never echoed";
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_webhooks"), 0);
  EXPECT_EQ(clin->post("/api/v1/crisis/webhooks",
                       bj::object{{"name", "pager"}, {"url", "https://pager.example.org"}})
                .status,
            403);
  auto ok = admin->post("/api/v1/crisis/webhooks",
                        bj::object{{"name", "pager"}, {"url", "https://pager.example.org/hook"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(ok.json().as_object().contains("secret"));
  auto list = admin->get("/api/v1/crisis/webhooks");
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(list.json().at("items").as_array()[0].as_object().contains("secret"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_webhooks WHERE secret LIKE '%" +
                  std::string(ok.json().at("secret").as_string()) + "%'"),
            0);
}

TEST_F(CrisisApi, TheSafetyPlanIsWrittenTogetherAndTheClientHasItsLinesAndHelpNow) {
  EXPECT_EQ(portal->get("/api/v1/me/safety-plan").status, 404);
  bj::object plan{
      {"version", 0},
      {"sections",
       {{"warning_signs", bj::array{"Not sleeping"}},
        {"coping_strategies", bj::array{"Walk the dog"}},
        {"professionals", bj::array{bj::object{{"name", "Crisis team"}, {"phone", "555-0199"}}}}}}};
  auto put = clin->request("PUT", base + "/safety-plan", bj::serialize(plan),
                           {{"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json().at("version"), 1);
  auto mine = portal->get("/api/v1/me/safety-plan");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json().at("sections").at("coping_strategies").as_array()[0], "Walk the dog");
  // The client adds a reason for living; the clinician's stale save is a 409.
  plan["version"] = 1;
  plan["sections"].as_object()["reasons_for_living"] = bj::array{"My garden"};
  auto client_put = portal->request("PUT", "/api/v1/me/safety-plan", bj::serialize(plan),
                                    {{"Content-Type", "application/json"}});
  ASSERT_EQ(client_put.status, 200) << client_put.body;
  auto stale = clin->request("PUT", base + "/safety-plan", bj::serialize(plan),
                             {{"Content-Type", "application/json"}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  auto bad = clin->request("PUT", base + "/safety-plan",
                           bj::serialize(bj::object{{"version", 2}, {"sections", "everything"}}),
                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto versions = clin->get(base + "/safety-plan/versions");
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(versions.json().at("items").as_array().size(), 2U);
  EXPECT_EQ(clin->get(base + "/safety-plan/versions/1").status, 200);
  EXPECT_EQ(clin->get(base + "/safety-plan/versions/x").status, 400);
  EXPECT_EQ(clin->get(base + "/safety-plan/versions/9").status, 404);
  EXPECT_EQ(server->client_for("other")->get(base + "/safety-plan").status, 404);

  // Crisis lines: by region for anyone, and the client's own (GB from their address).
  HttpClient anon(server->base_url());
  auto us = anon.get("/api/v1/crisis-resources");
  ASSERT_EQ(us.status, 200) << us.body;
  EXPECT_EQ(us.json().at("emergency").at("number"), "911");
  auto gb = portal->get("/api/v1/me/crisis-resources");
  ASSERT_EQ(gb.status, 200) << gb.body;
  EXPECT_EQ(gb.json().at("region"), "GB");
  EXPECT_EQ(gb.json().at("emergency").at("number"), "999");

  // I need help now: an imminent alert at once, a calm answer to the client.
  SseReader stream(server->base_url(), "/api/v1/events", token_for(*server, clin_id));
  ASSERT_TRUE(stream.wait_for("retry: 3000", 10s)) << stream.text();
  auto help = portal->post("/api/v1/me/help-now", bj::object{});
  ASSERT_EQ(help.status, 201) << help.body;
  ASSERT_TRUE(stream.wait_for("\"level\":\"imminent\"", 5s)) << stream.text();
  EXPECT_EQ(clin->post("/api/v1/me/help-now", bj::object{}).status, 403);
}

// ---- the real channels: an SMTP sink and a webhook receiver on loopback --------------------

std::string header_of(const bj::object& rec, const std::string& name) {
  for (const auto& h : rec.at("headers").as_array()) {
    if (h.as_array()[0].as_string() == name) return std::string(h.as_array()[1].as_string());
  }
  return {};
}

TEST(CrisisChannels, MailAndWebhookReachRealPeersAndOneDownNeverStopsTheOther) {
  TempDir mail_dir, hook_dir;
  auto sink =
      std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
  Peer receiver("tests/platform/notify/webhook_receiver.py", hook_dir.path().string());
  ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
  ASSERT_NE(receiver.port(), 0);
  const int smtp_port = sink->port();
  ApiServer server({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(smtp_port)},
                    {"smtp_from", "alerts@tend.example.org"},
                    {"base_url", "https://tend.example.org"},
                    {"webhook_allow_loopback", "true"}});
  const auto clin_id = server.add_user("clin", "clinician");
  server.add_user("boss", "admin");
  server.app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE users SET email = 'clin@example.org' WHERE id = ?", {clin_id});
  });
  auto clin = server.client_for("clin");
  auto admin = server.client_for("boss");
  auto hook = admin->post(
      "/api/v1/crisis/webhooks",
      bj::object{{"name", "pager"},
                 {"url", "http://127.0.0.1:" + std::to_string(receiver.port()) + "/page"},
                 {"min_level", "high"}});
  ASSERT_EQ(hook.status, 201) << hook.body;
  const std::string secret(hook.json().at("secret").as_string());
  auto test = admin->post(
      "/api/v1/crisis/webhooks/" + std::string(hook.json().at("id").as_string()) + "/test",
      bj::object{});
  ASSERT_EQ(test.status, 200) << test.body;
  EXPECT_EQ(test.json().at("delivered"), true) << test.body;
  auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                    {"family_name", "Lovelace"},
                                                    {"date_of_birth", "1990-12-10"}});
  ASSERT_EQ(c.status, 201) << c.body;
  const std::string client_id(c.json().at("id").as_string());

  // 1. Both channels up: the mail and the signed page arrive, without the client's name.
  auto raised = clin->post("/api/v1/clients/" + client_id + "/alerts",
                           bj::object{{"level", "high"}, {"reason", "Ada said she is not safe."}});
  ASSERT_EQ(raised.status, 201) << raised.body;
  const std::string alert_id(raised.json().at("id").as_string());
  server.app().jobs().run_due();
  auto mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 1U);
  EXPECT_EQ(mails[0].at("rcpt_tos").as_array()[0], "clin@example.org");
  EXPECT_NE(std::string(mails[0].at("subject").as_string()).find("HIGH"), std::string::npos);
  const std::string body(mails[0].at("body").as_string());
  EXPECT_NE(body.find("https://tend.example.org/alerts/" + alert_id), std::string::npos);
  EXPECT_EQ(body.find("Ada"), std::string::npos);
  auto pages = peer_records(hook_dir.path());
  ASSERT_EQ(pages.size(), 2U);  // the test delivery, then the alert
  const std::string page(pages[1].at("body").as_string());
  EXPECT_NE(page.find(alert_id), std::string::npos);
  EXPECT_EQ(page.find("Ada"), std::string::npos);
  EXPECT_TRUE(notify::rules::verify_webhook_signature(secret, header_of(pages[1], "Tend-Signature"),
                                                      page, server.clock.unix_seconds(), 300));

  // 2. The mail server goes down: the escalation still pages, and the failure is visible.
  sink.reset();
  server.clock.advance(std::chrono::minutes(15));
  server.app().jobs().run_due();  // escalation: enqueues mail and webhook
  server.app().jobs().run_due();  // deliveries
  EXPECT_EQ(peer_records(hook_dir.path()).size(), 3U);
  auto alert = clin->get("/api/v1/alerts/" + alert_id);
  ASSERT_EQ(alert.status, 200);
  EXPECT_GE(alert.json().at("deliveries").at("failed").as_int64(), 1);
  bool failure_named = false;
  const auto alert_json = alert.json();
  for (const auto& t : alert_json.at("timeline").as_array()) {
    if (t.at("kind") == "delivery_failed" && t.at("channel") == "email") {
      failure_named =
          std::string(t.at("detail").as_string()).find("127.0.0.1:" + std::to_string(smtp_port)) !=
          std::string::npos;
    }
  }
  EXPECT_TRUE(failure_named) << alert.body;
  // The failed mail waits to be retried with back-off; it is not given up.
  auto waiting = server.app().db().read([&](sql::Conn& cn) {
    return cn
        .query_one(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.email' AND attempts >= 1 "
            "AND state = 'pending'")
        ->i64(0);
  });
  EXPECT_EQ(waiting, 1);
}

}  // namespace
}  // namespace tend::testing
