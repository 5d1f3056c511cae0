// The daily check-in over HTTP against the real server on loopback (SQLite, and PostgreSQL in
// the .pg run): one check-in per local date (201, then 200 replacing it), stored exactly once
// per Idempotency-Key (a replay answers as the first time, also after a restart; the same key
// with another body is refused), every bad field named, crisis detection in the same
// transaction (an urge of 4 raises a high alert; a failed crisis write keeps no check-in; the
// mood-drop rule reads earlier check-ins), the chart summary, the CSV diary, the client's own
// factors, the care team's view (notes only when shared; audited), a client never reaching
// another client's anything, and the daily reminder e-mail (consent, once a day, not after a
// check-in, retried when the mail server is down, at the chosen local time across a clock
// change).

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "platform/http/server.h"
#include "support/api.h"
#include "support/domain.h"
#include "support/peer.h"
#include "tracking/rules.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

std::string day(const std::string& today, int ago) {
  return *tracking::rules::shift_date(today, -ago);
}

class CheckInApi : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void start(std::map<std::string, std::string> settings = {}) {
    server = std::make_unique<ApiServer>(std::move(settings));
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    clin = server->client_for("clin");
    other = server->client_for("other");
    desk = server->client_for("desk");
    ada_id = new_client("Ada", "Lovelace");
    bob_id = new_client("Bob", "Stone");
    server->add_user("ada", "client", ada_id);
    server->add_user("bob", "client", bob_id);
    ada = server->client_for("ada");
    bob = server->client_for("bob");
    today = server->app().tracking().today();
  }
  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  HttpResponse send(HttpClient& who, const bj::object& body, const std::string& key = "") {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!key.empty()) headers["Idempotency-Key"] = key;
    return who.request("POST", "/api/v1/me/check-ins", bj::serialize(body), headers);
  }
  std::string checked_in(HttpClient& who, const bj::object& body, const std::string& key = "") {
    auto r = send(who, body, key);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, desk, ada, bob;
  std::string ada_id, bob_id, today;
};

TEST_F(CheckInApi, OnePerDateAFirstIs201AndASecondReplacesIt) {
  auto first = send(*ada,
                    bj::object{{"date", today},
                               {"mood", 6},
                               {"anxiety", 3},
                               {"sleep_hours", 7.5},
                               {"factors", bj::array{"exercise", "outdoors"}},
                               {"medication", "yes"},
                               {"note", "Walked by the river"}},
                    "k-1");
  ASSERT_EQ(first.status, 201) << first.body;
  const auto j = first.json();
  const std::string id(j.at("id").as_string());
  EXPECT_EQ(j.at("date"), bj::value(today));
  EXPECT_EQ(j.at("mood"), 6);
  EXPECT_EQ(j.at("anxiety"), 3);
  EXPECT_EQ(j.at("sleep_hours").to_number<double>(), 7.5);
  // Skipped ratings are null, never 0.
  EXPECT_TRUE(j.at("sleep_quality").is_null());
  EXPECT_TRUE(j.at("energy").is_null());
  EXPECT_TRUE(j.at("self_harm_urge").is_null());
  EXPECT_EQ(j.at("medication"), "yes");
  EXPECT_EQ(j.at("factors"), (bj::array{"exercise", "outdoors"}));
  EXPECT_EQ(j.at("note"), "Walked by the river");
  EXPECT_EQ(j.at("share_note"), false);
  EXPECT_EQ(j.at("alert_raised"), false);
  EXPECT_FALSE(j.at("created_at").as_string().empty());
  // The note is sealed at rest; the ratings are plain.
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins WHERE note LIKE '%river%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins WHERE mood = 6"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_in_requests WHERE response LIKE "
                  "'%river%'"),
            0);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE resource_id = ? AND action = 'create'", {id}), 1);

  // Another check-in for the same date replaces it: 200, the same id, the old ratings gone.
  auto second = send(*ada, bj::object{{"date", today}, {"mood", 4}}, "k-2");
  ASSERT_EQ(second.status, 200) << second.body;
  const auto j2 = second.json();
  EXPECT_EQ(j2.at("id"), bj::value(id));
  EXPECT_EQ(j2.at("mood"), 4);
  EXPECT_TRUE(j2.at("anxiety").is_null());
  EXPECT_TRUE(j2.at("note").is_null());
  EXPECT_EQ(j2.at("factors"), bj::array{});
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins WHERE client_id = ?", {ada_id}), 1);
  // The first key sent again late is answered as then: it does not overwrite the newer one.
  auto late = send(*ada,
                   bj::object{{"date", today},
                              {"mood", 6},
                              {"anxiety", 3},
                              {"sleep_hours", 7.5},
                              {"factors", bj::array{"exercise", "outdoors"}},
                              {"medication", "yes"},
                              {"note", "Walked by the river"}},
                   "k-1");
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_EQ(late.header("idempotent-replayed"), "true");
  EXPECT_EQ(late.json().at("mood"), 6);
  auto list = ada->get("/api/v1/me/check-ins");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto lj = list.json();
  ASSERT_EQ(lj.at("items").as_array().size(), 1u);
  EXPECT_EQ(lj.at("items").as_array()[0].at("mood"), 4);

  // Without a key it works too (the portal always sends one).
  EXPECT_EQ(send(*ada, bj::object{{"date", day(today, 1)}, {"mood", 5}}).status, 201);
}

TEST_F(CheckInApi, TheSameKeyIsStoredOnceAndADifferentBodyIsRefused) {
  const bj::object body{{"date", today}, {"mood", 7}, {"energy", 6}, {"note", "ok"}};
  auto first = send(*ada, body, "offline-42");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("idempotent-replayed"), "");
  // Sent again (the phone never saw the answer), keys in another order: the stored answer.
  auto again =
      ada->request("POST", "/api/v1/me/check-ins",
                   R"({"note":"ok","energy":6,"mood":7,"date":")" + today + "\"}",
                   {{"Content-Type", "application/json"}, {"Idempotency-Key", "offline-42"}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(again.json(), first.json());
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_in_requests"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'check_in'"), 1);

  // The same key with another body: 422 naming the header, nothing written.
  auto changed = send(*ada, bj::object{{"date", today}, {"mood", 2}}, "offline-42");
  ASSERT_EQ(changed.status, 422) << changed.body;
  EXPECT_EQ(changed.error_fields(), std::vector<std::string>{"Idempotency-Key"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins WHERE mood = 7"), 1);
  // A key that is not 1–100 printable ASCII.
  auto long_key = send(*ada, body, std::string(101, 'k'));
  EXPECT_EQ(long_key.status, 422) << long_key.body;
  EXPECT_EQ(long_key.error_fields(), std::vector<std::string>{"Idempotency-Key"});
  auto tab_key = send(*ada, body, "a\tb");
  EXPECT_EQ(tab_key.status, 422) << tab_key.body;

  // Keys are the client's own: Bob's phone picking the same key stores Bob's check-in.
  auto bobs = send(*bob, bj::object{{"date", today}, {"mood", 3}}, "offline-42");
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  EXPECT_EQ(bobs.json().at("mood"), 3);
  EXPECT_NE(bobs.json().at("id"), first.json().at("id"));
}

TEST_F(CheckInApi, EveryBadFieldIsNamed) {
  auto bad = send(*ada,
                  bj::object{{"date", today},
                             {"mood", 11},
                             {"anxiety", "high"},
                             {"sleep_hours", 7.3},
                             {"sleep_quality", 5},
                             {"energy", -1},
                             {"self_harm_urge", 6},
                             {"medication", "sometimes"},
                             {"factors", bj::array{"exercise", "skydiving"}},
                             {"note", std::string(501, 'a')},
                             {"share_note", "yes"},
                             {"colour", "blue"}},
                  "bad-1");
  ASSERT_EQ(bad.status, 422) << bad.body;
  auto fields = bad.error_fields();
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"anxiety", "colour", "energy", "factors[1]",
                                              "medication", "mood", "note", "self_harm_urge",
                                              "share_note", "sleep_hours", "sleep_quality"}));
  auto missing = send(*ada, bj::object{{"note", "x"}});
  ASSERT_EQ(missing.status, 422) << missing.body;
  fields = missing.error_fields();
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"date", "mood"}));
  auto future = send(*ada, bj::object{{"date", day(today, -1)}, {"mood", 5}});
  EXPECT_EQ(future.status, 422) << future.body;
  EXPECT_EQ(future.error_fields(), std::vector<std::string>{"date"});
  auto eight = send(*ada, bj::object{{"date", day(today, 8)}, {"mood", 5}});
  EXPECT_EQ(eight.status, 422) << eight.body;
  EXPECT_EQ(eight.error_fields(), std::vector<std::string>{"date"});
  EXPECT_EQ(send(*ada, bj::object{{"date", day(today, 7)}, {"mood", 5}}).status, 201);
  auto not_date = send(*ada, bj::object{{"date", "2026-02-30"}, {"mood", 5}});
  EXPECT_EQ(not_date.error_fields(), std::vector<std::string>{"date"});
  // Not JSON: 400; not a client: 403.
  EXPECT_EQ(
      ada->request("POST", "/api/v1/me/check-ins", "{", {{"Content-Type", "application/json"}})
          .status,
      400);
  EXPECT_EQ(send(*clin, bj::object{{"date", today}, {"mood", 5}}).status, 403);
  // Only the one good check-in was kept; a refused one left nothing behind.
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_in_requests"), 0);
}

TEST_F(CheckInApi, AnUrgeOf4RaisesAHighAlertWithTheCheckIn) {
  auto low = send(*ada, bj::object{{"date", day(today, 1)}, {"mood", 5}, {"self_harm_urge", 2}});
  ASSERT_EQ(low.status, 201) << low.body;
  EXPECT_EQ(low.json().at("alert_raised"), false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts"), 0);

  auto high = send(*ada, bj::object{{"date", today}, {"mood", 4}, {"self_harm_urge", 4}}, "u4");
  ASSERT_EQ(high.status, 201) << high.body;
  EXPECT_EQ(high.json().at("alert_raised"), true);
  const std::string id(high.json().at("id").as_string());
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts WHERE client_id = ? AND level = 'high' AND "
                  "status = 'open'",
                  {ada_id}),
            1);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM crisis_signals WHERE ref_id = ? AND source = 'checkin'", {id}),
      1);
  // The replay says so too; a second signal joins the open alert.
  auto replay = send(*ada, bj::object{{"date", today}, {"mood", 4}, {"self_harm_urge", 4}}, "u4");
  EXPECT_EQ(replay.json().at("alert_raised"), true);
  auto three = send(*ada, bj::object{{"date", today}, {"mood", 4}, {"self_harm_urge", 3}});
  ASSERT_EQ(three.status, 200) << three.body;
  EXPECT_EQ(three.json().at("alert_raised"), true);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_signals"), 2);
}

TEST_F(CheckInApi, AFailedCrisisWriteKeepsNoCheckIn) {
  server->app().db().write(
      [](sql::Conn& c) { c.exec("ALTER TABLE crisis_signals RENAME TO crisis_signals_away"); });
  server->app().db().write(
      [](sql::Conn& c) { c.exec("ALTER TABLE crisis_alerts RENAME TO crisis_alerts_away"); });
  auto r = send(*ada, bj::object{{"date", today}, {"mood", 2}, {"self_harm_urge", 5}}, "fails");
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_in_requests"), 0);
  server->app().db().write([](sql::Conn& c) {
    c.exec("ALTER TABLE crisis_alerts_away RENAME TO crisis_alerts");
    c.exec("ALTER TABLE crisis_signals_away RENAME TO crisis_signals");
  });
  // The phone sends it again with the same key: now it is stored, with its alert.
  auto again = send(*ada, bj::object{{"date", today}, {"mood", 2}, {"self_harm_urge", 5}}, "fails");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json().at("alert_raised"), true);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts"), 1);
}

TEST_F(CheckInApi, AMoodDropAgainstTheEarlierCheckInsRaisesAModerateAlert) {
  // Built-in rule: 4 points below the mean of at least 3 ratings in the 7 days before.
  for (int ago = 3; ago >= 1; --ago) {
    ASSERT_EQ(send(*ada, bj::object{{"date", day(today, ago)}, {"mood", 8}}).status, 201);
  }
  auto drop3 = send(*bob, bj::object{{"date", today}, {"mood", 5}});
  EXPECT_EQ(drop3.json().at("alert_raised"), false);
  auto drop = send(*ada, bj::object{{"date", today}, {"mood", 3}});
  ASSERT_EQ(drop.status, 201) << drop.body;
  EXPECT_EQ(drop.json().at("alert_raised"), true);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts WHERE client_id = ? AND level = 'moderate'",
                  {ada_id}),
            1);
  // Bob has no earlier check-ins: the same mood raises nothing for him.
  auto bob_low = send(*bob, bj::object{{"date", day(today, 1)}, {"mood", 3}});
  EXPECT_EQ(bob_low.json().at("alert_raised"), false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts WHERE client_id = ?", {bob_id}), 0);
  // A drop of 3 points is not enough.
  start();
  for (int ago = 3; ago >= 1; --ago) {
    ASSERT_EQ(send(*ada, bj::object{{"date", day(today, ago)}, {"mood", 7}}).status, 201);
  }
  EXPECT_EQ(send(*ada, bj::object{{"date", today}, {"mood", 4}}).json().at("alert_raised"), false);
  EXPECT_EQ(send(*ada, bj::object{{"date", today}, {"mood", 3}}).json().at("alert_raised"), true);
}

TEST_F(CheckInApi, TheCareTeamSeesCheckInsWithSharedNotesOnlyAudited) {
  checked_in(*ada, bj::object{{"date", day(today, 1)},
                              {"mood", 5},
                              {"factors", bj::array{"exercise"}},
                              {"note", "kept to myself"}});
  checked_in(
      *ada,
      bj::object{{"date", today}, {"mood", 6}, {"note", "please read this"}, {"share_note", true}});
  const std::string base = "/api/v1/clients/" + ada_id + "/check-ins";
  auto r = clin->get(base);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = r.json();
  const auto& items = j.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("date"), bj::value(day(today, 1)));
  EXPECT_TRUE(items[0].at("note").is_null());
  EXPECT_EQ(items[0].at("factor_labels"), bj::array{"Exercise"});
  EXPECT_EQ(items[1].at("note"), "please read this");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND resource_kind = "
                  "'check_ins' AND client_id = ?",
                  {ada_id}),
            1);
  // A range.
  auto one = clin->get(base + "?from=" + today + "&to=" + today);
  EXPECT_EQ(one.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(clin->get(base + "?from=yesterday").status, 422);
  EXPECT_EQ(clin->get(base + "?from=" + today + "&to=" + day(today, 1)).status, 422);

  // The CSV for the care team: shared notes only; audited.
  auto csv = clin->get(base + ".csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
  EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_NE(csv.body.find("please read this"), std::string::npos);
  EXPECT_EQ(csv.body.find("kept to myself"), std::string::npos);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND client_id = ?", {ada_id}),
      1);

  // Off the care team: not found; the front desk: forbidden; nothing is shown.
  EXPECT_EQ(other->get(base).status, 404);
  EXPECT_EQ(other->get(base + ".csv").status, 404);
  EXPECT_EQ(desk->get(base).status, 403);
  EXPECT_EQ(desk->get(base + ".csv").status, 403);
  EXPECT_EQ(clin->get("/api/v1/clients/cl_nobody/check-ins").status, 404);
}

TEST_F(CheckInApi, AClientNeverReachesAnotherClientsCheckIns) {
  checked_in(*ada, bj::object{{"date", today}, {"mood", 6}, {"note", "Ada's own words"}});
  auto own = ada->post("/api/v1/me/factors",
                       bj::object{{"label", "Choir practice"}, {"kind", "activity"}});
  ASSERT_EQ(own.status, 201) << own.body;
  const std::string base = "/api/v1/clients/" + ada_id + "/check-ins";
  // Bob, on every route.
  EXPECT_EQ(bob->get(base).status, 404);
  EXPECT_EQ(bob->get(base + ".csv").status, 404);
  auto list = bob->get("/api/v1/me/check-ins");
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(list.json().at("items").as_array().empty());
  auto summary = bob->get("/api/v1/me/check-ins/summary?span=month");
  ASSERT_EQ(summary.status, 200);
  EXPECT_EQ(summary.json().at("streak").at("current"), 0);
  EXPECT_TRUE(summary.json().at("series").at("mood").as_array().empty());
  auto csv = bob->get("/api/v1/me/check-ins.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find("Ada"), std::string::npos);
  EXPECT_EQ(csv.body.find("Choir"), std::string::npos);
  auto factors = bob->get("/api/v1/me/factors");
  EXPECT_EQ(factors.body.find("choir"), std::string::npos);
  // Ada's own factor is not Bob's to tick.
  auto tick = send(
      *bob, bj::object{{"date", today}, {"mood", 5}, {"factors", bj::array{"choir_practice"}}});
  EXPECT_EQ(tick.status, 422);
  EXPECT_EQ(tick.error_fields(), std::vector<std::string>{"factors[0]"});
  // Bob cannot write Ada's day: his check-in is his.
  checked_in(*bob, bj::object{{"date", today}, {"mood", 1}});
  auto adas = ada->get("/api/v1/me/check-ins");
  EXPECT_EQ(adas.json().at("items").as_array()[0].at("mood"), 6);
  // Staff have no "me" diary.
  EXPECT_EQ(clin->get("/api/v1/me/check-ins").status, 403);
  EXPECT_EQ(clin->get("/api/v1/me/check-ins.csv").status, 403);
  EXPECT_EQ(clin->get("/api/v1/me/check-ins/summary").status, 403);
  EXPECT_EQ(clin->get("/api/v1/me/factors").status, 403);
  EXPECT_EQ(
      clin->post("/api/v1/me/factors", bj::object{{"label", "X"}, {"kind", "activity"}}).status,
      403);
  // Signed out: 401 everywhere.
  HttpClient anonymous(server->base_url());
  EXPECT_EQ(anonymous.get("/api/v1/me/check-ins").status, 401);
  EXPECT_EQ(anonymous.get(base).status, 401);
}

TEST_F(CheckInApi, TheClientsOwnFactors) {
  auto list = ada->get("/api/v1/me/factors");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto lj = list.json();
  const auto& items = lj.at("items").as_array();
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].at("id"), "exercise");
  EXPECT_EQ(items[0].at("kind"), "activity");
  EXPECT_EQ(items[0].at("own"), false);

  auto made = ada->post("/api/v1/me/factors",
                        bj::object{{"label", " Choir practice! "}, {"kind", "activity"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json(), (bj::value{{"id", "choir_practice"},
                                    {"label", "Choir practice!"},
                                    {"kind", "activity"},
                                    {"own", true}}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_client_factors WHERE label LIKE '%Choir%'"), 0);
  // The same id again, or one of the service's list: 409.
  EXPECT_EQ(
      ada->post("/api/v1/me/factors", bj::object{{"label", "choir  PRACTICE"}, {"kind", "factor"}})
          .status,
      409);
  EXPECT_EQ(ada->post("/api/v1/me/factors", bj::object{{"label", "Exercise"}, {"kind", "activity"}})
                .status,
            409);
  auto bad = ada->post("/api/v1/me/factors", bj::object{{"label", ""}, {"kind", "hobby"}});
  ASSERT_EQ(bad.status, 422);
  auto fields = bad.error_fields();
  std::sort(fields.begin(), fields.end());
  EXPECT_EQ(fields, (std::vector<std::string>{"kind", "label"}));
  EXPECT_EQ(ada->post("/api/v1/me/factors",
                      bj::object{{"label", std::string(61, 'a')}, {"kind", "factor"}})
                .status,
            422);
  auto cyrillic =
      ada->post("/api/v1/me/factors", bj::object{{"label", "Спорт"}, {"kind", "activity"}});
  ASSERT_EQ(cyrillic.status, 201) << cyrillic.body;
  EXPECT_EQ(std::string(cyrillic.json().at("id").as_string()).rfind("own_", 0), 0u);

  auto after = ada->get("/api/v1/me/factors");
  const auto aj = after.json();
  const auto& all = aj.at("items").as_array();
  EXPECT_EQ(all[all.size() - 2].at("id"), "choir_practice");
  EXPECT_EQ(all[all.size() - 2].at("own"), true);
  EXPECT_EQ(all.back().at("label"), "Спорт");
  // Now Ada can tick it.
  auto r = send(*ada,
                bj::object{{"date", today}, {"mood", 7}, {"factors", bj::array{"choir_practice"}}});
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(CheckInApi, TheSummaryHasStreaksSeriesAndCarefulPatterns) {
  // The last 7 days; days 8 and 9 missing; then 6 more days back (only within a week of today
  // can be sent, so older ones are seeded as `tend demo` does).
  std::vector<tracking::CheckIn> older;
  for (int ago = 10; ago <= 40; ++ago) {
    tracking::CheckIn c;
    c.date = day(today, ago);
    c.mood = ago % 2 == 0 ? 7 : 4;
    if (ago % 2 == 0) c.factors = {"exercise"};
    older.push_back(c);
  }
  server->app().tracking().seed_demo(ada_id, older);
  for (int ago = 6; ago >= 0; --ago) {
    bj::object body{{"date", day(today, ago)}, {"mood", ago % 2 == 0 ? 8 : 5}, {"sleep_hours", 7}};
    if (ago % 2 == 0) body["factors"] = bj::array{"exercise"};
    checked_in(*ada, body);
  }
  auto week = ada->get("/api/v1/me/check-ins/summary?span=week");
  ASSERT_EQ(week.status, 200) << week.body;
  const auto w = week.json();
  EXPECT_EQ(w.at("today"), bj::value(today));
  EXPECT_EQ(w.at("span"), "week");
  EXPECT_EQ(w.at("from"), bj::value(day(today, 6)));
  EXPECT_EQ(w.at("to"), bj::value(today));
  EXPECT_EQ(w.at("streak").at("current"), 7);
  EXPECT_EQ(w.at("streak").at("best"), 31);
  EXPECT_EQ(w.at("streak").at("last_7"), 7);
  EXPECT_EQ(w.at("streak").at("last_30"), 27);
  const auto& mood = w.at("series").at("mood").as_array();
  ASSERT_EQ(mood.size(), 7u);
  EXPECT_EQ(mood[0].at("date"), bj::value(day(today, 6)));
  EXPECT_EQ(mood[0].at("value").to_number<double>(), 8);
  EXPECT_TRUE(mood[0].at("week").is_null());
  EXPECT_EQ(mood[0].at("count"), 1);
  EXPECT_EQ(w.at("series").at("sleep_hours").as_array().size(), 7u);
  EXPECT_TRUE(w.at("series").at("anxiety").as_array().empty());
  for (const char* f : {"sleep_quality", "energy", "self_harm_urge"}) {
    EXPECT_TRUE(w.at("series").as_object().contains(f)) << f;
  }
  // One pattern, for the factor ticked: exercise days are 3 points better.
  const auto& patterns = w.at("patterns").as_array();
  ASSERT_EQ(patterns.size(), 1u);
  EXPECT_EQ(patterns[0].at("factor_id"), "exercise");
  EXPECT_EQ(patterns[0].at("label"), "Exercise");
  EXPECT_EQ(patterns[0].at("days_with"), 20);
  EXPECT_EQ(patterns[0].at("days_without"), 18);
  EXPECT_EQ(patterns[0].at("verdict"), true);
  EXPECT_NE(std::string(patterns[0].at("text").as_string()).find("not proof of cause"),
            std::string::npos);

  // A year: weekly means.
  auto year = ada->get("/api/v1/me/check-ins/summary?span=year");
  ASSERT_EQ(year.status, 200) << year.body;
  const auto y = year.json();
  EXPECT_EQ(y.at("from"), bj::value(day(today, 364)));
  const auto& weeks = y.at("series").at("mood").as_array();
  ASSERT_FALSE(weeks.empty());
  EXPECT_FALSE(weeks[0].at("week").is_null());
  int total = 0;
  for (const auto& p : weeks) total += static_cast<int>(p.at("count").as_int64());
  EXPECT_EQ(total, 38);
  auto month = ada->get("/api/v1/me/check-ins/summary?span=month");
  EXPECT_EQ(month.json().at("series").at("mood").as_array().size(), 27u);
  auto bad = ada->get("/api/v1/me/check-ins/summary?span=decade");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"span"});

  // The diary by range, default 30 days.
  auto list = ada->get("/api/v1/me/check-ins");
  EXPECT_EQ(list.json().at("items").as_array().size(), 27u);
  auto range = ada->get("/api/v1/me/check-ins?from=" + day(today, 40) + "&to=" + day(today, 35));
  const auto rj = range.json();
  ASSERT_EQ(rj.at("items").as_array().size(), 6u);
  EXPECT_EQ(rj.at("items").as_array()[0].at("date"), bj::value(day(today, 40)));
  EXPECT_EQ(ada->get("/api/v1/me/check-ins?to=someday").error_fields(),
            std::vector<std::string>{"to"});
}

TEST_F(CheckInApi, TheDiaryAsCsvWithNumbers) {
  checked_in(*ada, bj::object{{"date", day(today, 1)},
                              {"mood", 3},
                              {"anxiety", 7},
                              {"sleep_hours", 6.5},
                              {"sleep_quality", 1},
                              {"energy", 2},
                              {"self_harm_urge", 1},
                              {"medication", "no"},
                              {"factors", bj::array{"alcohol"}},
                              {"note", "=1+1, \"quoted\""}});
  checked_in(*ada, bj::object{{"date", today}, {"mood", 8}, {"factors", bj::array{"exercise"}}});
  auto csv = ada->get("/api/v1/me/check-ins.csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.header("content-disposition").find("my-check-ins.csv"), std::string::npos);
  const auto header_end = csv.body.find("\r\n");
  const std::string header = csv.body.substr(0, header_end);
  EXPECT_EQ(header.rfind("date,mood,anxiety,sleep_hours,sleep_quality,energy,self_harm_urge,"
                         "medication,Exercise,",
                         0),
            0u)
      << header;
  EXPECT_EQ(header.substr(header.size() - 5), ",note");
  // Row 1: numbers, the factor columns 0/1, the note quoted and defused.
  const auto row1_end = csv.body.find("\r\n", header_end + 2);
  const std::string row1 = csv.body.substr(header_end + 2, row1_end - header_end - 2);
  EXPECT_EQ(row1.rfind(day(today, 1) + ",3,7,6.5,1,2,1,no,0,", 0), 0u) << row1;
  EXPECT_NE(row1.find(",1,"), std::string::npos) << row1;  // alcohol
  EXPECT_NE(row1.find("\"'=1+1, \"\"quoted\"\"\""), std::string::npos) << row1;
  const std::string row2 = csv.body.substr(row1_end + 2);
  EXPECT_EQ(row2.rfind(today + ",8,,,,,,,1,", 0), 0u) << row2;
}

TEST_F(CheckInApi, AReplayAfterARestartStillGetsTheStoredAnswer) {
  // A server of our own on a data directory that outlives it.
  TempDir dir;
  TestDatabase database(dir.path());
  FakeClock clock{1'795'000'000};
  std::unique_ptr<app::App> running;
  std::unique_ptr<http::Server> listener;
  const auto up = [&] {
    app::FlagValues flags;
    flags["data_dir"] = dir.path().string();
    flags["db"] = database.url();
    flags["listen"] = "127.0.0.1:0";
    flags["log_level"] = "error";
    auto cfg = app::load("", flags);
    ASSERT_TRUE(cfg) << cfg.error().detail;
    auto a = app::App::open(*cfg, clock);
    ASSERT_TRUE(a) << a.error().detail;
    running = std::move(*a);
    http::ServerOptions so;
    so.host = "127.0.0.1";
    so.port = 0;
    listener =
        std::make_unique<http::Server>(so, [&](http::Request& r) { return running->handle(r); });
    listener->start();
  };
  const auto down = [&] {
    listener->stop();
    listener.reset();
    running.reset();
  };
  up();
  const auto principal = running->access().create_user(access::system_principal("test"), [] {
    access::NewUser nu;
    nu.username = "admin";
    nu.display_name = "admin";
    nu.role = access::Role::Clinician;
    nu.password = k_password;
    return nu;
  }());
  ASSERT_TRUE(principal);
  const std::string base = "http://127.0.0.1:" + std::to_string(listener->port());
  auto staff = std::make_unique<HttpClient>(base);
  ASSERT_EQ(staff->sign_in("admin", k_password).status, 201);
  auto made = staff->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                        {"family_name", "Lovelace"},
                                                        {"date_of_birth", "1990-12-10"}});
  ASSERT_EQ(made.status, 201) << made.body;
  access::NewUser nu;
  nu.username = "ada";
  nu.display_name = "ada";
  nu.role = access::Role::Client;
  nu.password = k_password;
  nu.client_id = std::string(made.json().at("id").as_string());
  ASSERT_TRUE(running->access().create_user(access::system_principal("test"), nu));
  const std::string body =
      R"({"date":")" + running->tracking().today() + R"(","mood":5,"note":"n"})";
  const std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                                   {"Idempotency-Key", "before-restart"}};
  HttpResponse first;
  {
    HttpClient portal(base);
    ASSERT_EQ(portal.sign_in("ada", k_password).status, 201);
    first = portal.request("POST", "/api/v1/me/check-ins", body, headers);
    ASSERT_EQ(first.status, 201) << first.body;
  }
  staff.reset();
  down();
  clock.advance(2h);
  up();
  const std::string base2 = "http://127.0.0.1:" + std::to_string(listener->port());
  {
    HttpClient portal(base2);
    ASSERT_EQ(portal.sign_in("ada", k_password).status, 201);
    auto again = portal.request("POST", "/api/v1/me/check-ins", body, headers);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    EXPECT_EQ(again.json(), first.json());
  }
  EXPECT_EQ(running->db().read([](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM tracking_check_ins")->i64(0);
  }),
            1);
  down();
}

// ---- reminders ------------------------------------------------------------------------------

class ReminderApi : public CheckInApi {
 protected:
  void SetUp() override {
    sink = std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
    ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
    start({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(sink->port())},
           {"smtp_from", "reminders@tend.example.org"},
           {"base_url", "https://tend.example.org"},
           {"time_zone", "America/New_York"}});
    cy_id = new_client("Cy", "Twombly");
    server->add_user("cyril", "client", cy_id);
    server->app().db().write([&](sql::Conn& c) {
      c.exec("UPDATE clients SET email = 'ada@example.org', consent_email = 1 WHERE id = ?",
             {ada_id});
      c.exec("UPDATE clients SET email = 'bob@example.org', consent_email = 0 WHERE id = ?",
             {bob_id});
      c.exec("UPDATE clients SET email = 'cy@example.org', consent_email = 1 WHERE id = ?",
             {cy_id});
      for (const auto& id : {ada_id, bob_id, cy_id}) {
        c.exec(
            "INSERT INTO portal_preferences (client_id, check_in_reminder, updated_at) VALUES "
            "(?, '08:00', ?)",
            {id, server->clock.unix_ms()});
      }
      server->app().tracking().schedule_reminder_sweep(c);
    });
  }
  //! Runs what is due: the sweep, then the reminders it set.
  void run() {
    server->app().jobs().run_due();
    server->app().jobs().run_due();
  }
  std::vector<bj::object> mails() { return peer_records(mail_dir.path()); }
  int mails_to(const std::string& address) {
    int n = 0;
    for (const auto& m : mails()) {
      if (m.at("rcpt_tos").as_array()[0] == bj::value(address)) ++n;
    }
    return n;
  }
  std::string outcome(const std::string& client_id, const std::string& date) {
    return server->app().db().read([&](sql::Conn& c) {
      auto r = c.query_one(
          "SELECT outcome FROM tracking_reminders WHERE client_id = ? AND local_date = ?",
          {client_id, date});
      return r ? (r->is_null(0) ? std::string("pending") : r->str(0)) : std::string("none");
    });
  }

  TempDir mail_dir;
  std::unique_ptr<Peer> sink;
  std::string cy_id;
};

TEST_F(ReminderApi, AtTheChosenLocalTimeOnlyWithConsentOnceADayAndNotAfterACheckIn) {
  // The test clock starts at 2026-11-18T11:06:40Z, 06:06 in New York (EST, UTC-5). Cy checks in
  // early.
  ASSERT_EQ(today, "2026-11-18");
  auto cy = server->client_for("cyril");
  checked_in(*cy, bj::object{{"date", today}, {"mood", 6}});
  server->clock.set(1'795'006'800 - 600);  // 12:50Z, 07:50 local
  run();
  EXPECT_TRUE(mails().empty()) << "not 08:00 yet";
  server->clock.set(1'795'006'800 + 30);  // 2026-11-18T13:00:30Z, 08:00 EST
  run();
  auto sent = mails();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("rcpt_tos").as_array()[0], "ada@example.org");
  EXPECT_EQ(sent[0].at("subject"), "A reminder to check in");
  const std::string text(sent[0].at("body").as_string());
  EXPECT_NE(text.find("https://tend.example.org/portal"), std::string::npos) << text;
  for (const char* word : {"Ada", "Lovelace", "mood", "Mood", "urge"}) {
    EXPECT_EQ(text.find(word), std::string::npos) << word;
  }
  EXPECT_EQ(outcome(ada_id, today), "sent");
  EXPECT_EQ(outcome(bob_id, today), "no_consent");
  EXPECT_EQ(outcome(cy_id, today), "checked_in");
  // Later the same day, and a second sweep chain (another instance): nothing more.
  server->app().db().write([&](sql::Conn& c) {
    jobs::NewJob j;
    j.kind = "tracking.reminder_sweep";
    j.due = server->clock.now();
    j.dedupe_key = "second-instance";
    server->app().jobs().enqueue(c, j);
  });
  server->clock.advance(3h);
  run();
  run();
  EXPECT_EQ(mails().size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_reminders WHERE client_id = ?", {ada_id}), 1);

  // The next day Ada checks in at 07:00: no reminder. The day after, she does not: one.
  server->clock.set(1'795'089'600);  // 2026-11-19T12:00Z, 07:00 EST
  ada = server->client_for("ada");
  checked_in(*ada, bj::object{{"date", "2026-11-19"}, {"mood", 7}});
  server->clock.advance(1h + 1min);
  run();
  EXPECT_EQ(mails_to("ada@example.org"), 1);
  EXPECT_EQ(outcome(ada_id, "2026-11-19"), "checked_in");
  EXPECT_EQ(outcome(cy_id, "2026-11-19"), "sent");
  server->clock.advance(24h);
  run();
  EXPECT_EQ(mails_to("ada@example.org"), 2);
  EXPECT_EQ(outcome(ada_id, "2026-11-20"), "sent");
}

TEST_F(ReminderApi, AFailedSendIsRetriedAndClockChangesKeepTheLocalTime) {
  // DST starts in New York on 2027-03-14: 08:00 is 13:00Z the day before, 12:00Z that day.
  server->clock.set(1'804'942'800 - 3600);  // 2027-03-13T12:00:00Z, 07:00 EST
  run();
  EXPECT_EQ(mails_to("ada@example.org"), 0);
  server->clock.set(1'804'942'800 + 30);  // 2027-03-13T13:00:30Z, 08:00 EST
  run();
  ASSERT_EQ(mails_to("ada@example.org"), 1);
  EXPECT_EQ(outcome(ada_id, "2027-03-13"), "sent");
  server->clock.set(1'805'025'600 - 600);  // 2027-03-14T11:50Z, 07:50 EDT
  run();
  EXPECT_EQ(mails_to("ada@example.org"), 1);
  server->clock.set(1'805'025'600 + 30);  // 2027-03-14T12:00:30Z, 08:00 EDT
  run();
  ASSERT_EQ(mails_to("ada@example.org"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_reminders WHERE client_id = ? AND local_date = "
                  "'2027-03-14' AND due_at = ?",
                  {ada_id, std::int64_t{1'805'025'600'000}}),
            1);

  // The mail server is down the next day: the reminder is kept and retried, not lost.
  sink.reset();
  server->clock.set(1'805'025'600 + 86400 + 30);
  run();
  EXPECT_EQ(outcome(ada_id, "2027-03-15"), "pending");
  const auto failed = [&] {
    return count(
        "SELECT COUNT(*) FROM jobs WHERE kind = 'tracking.check_in_reminder' AND state = "
        "'pending' AND attempts >= 1 AND last_error LIKE '%127.0.0.1%'");
  };
  EXPECT_EQ(failed(), 2);  // Ada's and Cy's
  const auto attempts = [&] {
    return count("SELECT MAX(attempts) FROM jobs WHERE kind = 'tracking.check_in_reminder'");
  };
  const auto before = attempts();
  server->clock.advance(10min);
  run();
  EXPECT_GT(attempts(), before) << "retried";
  EXPECT_EQ(outcome(ada_id, "2027-03-15"), "pending");
  // The error names the server, never the client.
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE last_error LIKE '%ada@%' OR last_error LIKE "
                  "'%Lovelace%'"),
            0);
  // Retried into the next day it is dropped: the day it was about is over.
  server->clock.advance(24h);
  server->app().db().write([&](sql::Conn& c) {
    c.exec(
        "UPDATE jobs SET due_at = ? WHERE kind = 'tracking.check_in_reminder' AND state = "
        "'pending'",
        {server->clock.unix_ms()});
  });
  run();
  EXPECT_EQ(outcome(ada_id, "2027-03-15"), "stale");
}

}  // namespace
}  // namespace tend::testing

namespace tend::testing {
namespace {

namespace bj = boost::json;

TEST_F(CheckInApi, TheSameKeySentTwiceAtOnceIsStoredOnce) {
  const std::string body = R"({"date":")" + today + R"(","mood":6,"note":"from the bus"})";
  std::vector<long> statuses(4);
  std::vector<std::string> ids(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    threads.emplace_back([&, i] {
      HttpClient phone(server->base_url());
      if (phone.sign_in("ada", k_password).status != 201) return;
      auto r = phone.request("POST", "/api/v1/me/check-ins", body,
                             {{"Content-Type", "application/json"}, {"Idempotency-Key", "race"}});
      statuses[i] = r.status;
      if (r.status == 200 || r.status == 201) ids[i] = std::string(r.json().at("id").as_string());
    });
  }
  for (auto& t : threads) t.join();
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<long>{200, 200, 200, 201}));
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_ins"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM tracking_check_in_requests"), 1);
}

TEST(CheckInStartUp, ABadFactorListOrAnUnreachableUrgeRuleStopsStartUp) {
  TempDir dir;
  TestDatabase database(dir.path());
  FakeClock clock{1'795'000'000};
  const auto open_with = [&](const std::string& key, const std::string& text) {
    const auto file = dir.path() / (key + ".json");
    std::ofstream(file) << text;
    app::FlagValues flags{{"data_dir", dir.path().string()},
                          {"db", database.url()},
                          {"log_level", "error"},
                          {key, file.string()}};
    auto cfg = app::load("", flags);
    EXPECT_TRUE(cfg) << cfg.error().detail;
    return app::App::open(*cfg, clock);
  };
  auto bad = open_with("tracking_factors",
                       R"({"factors":[{"id":"swim","label":"Swimming","kind":"sport"}]})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("tracking_factors.json"), std::string::npos)
      << bad.error().detail;
  EXPECT_NE(bad.error().detail.find("factors[0].kind"), std::string::npos) << bad.error().detail;
  auto missing = open_with("tracking_factors", "");
  EXPECT_FALSE(missing);

  // A service's own list replaces the built-in one.
  auto own = open_with("tracking_factors",
                       R"({"factors":[{"id":"swim","label":"Swimming","kind":"activity"}]})");
  ASSERT_TRUE(own) << own.error().detail;
  own->reset();

  // A crisis rule on an urge the check-in cannot record (its scale ends at 5).
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/content/crisis/risk.json");
  std::stringstream risk;
  risk << in.rdbuf();
  std::string text = risk.str();
  const auto at = text.find("\"at_least\": 4");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("\"at_least\": 4").size(), "\"at_least\": 6");
  auto unreachable = open_with("crisis_rules", text);
  ASSERT_FALSE(unreachable);
  EXPECT_NE(unreachable.error().detail.find("self_harm_urge"), std::string::npos)
      << unreachable.error().detail;
}

}  // namespace
}  // namespace tend::testing
