// Episodes of care over HTTP against the real server on loopback (SQLite, and PostgreSQL in the
// .pg run): a referral through waitlist, intake and treatment to discharge with the date of
// every step; every refusal (a move the pathway does not allow → 409 naming what may come next,
// a stale version → 409, impossible or future dates → 422) leaving nothing half-written; a
// second open referral to one program refused; who may see an episode; waiting times per
// program.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class EpisodeApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    server->add_user("numbers", "analyst");
    clin = server->client_for("clin");
    other = server->client_for("other");
    desk = server->client_for("desk");
    analyst = server->client_for("numbers");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
  }

  //! The server's date `days` days ago.
  std::string ago(int days) { return format_date(server->clock.now() - 24h * days); }

  std::int64_t count(const std::string& sql) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql)->i64(0); });
  }

  HttpResponse move(const std::string& id, const bj::object& body) {
    return clin->post("/api/v1/episodes/" + id + "/steps", body);
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, desk, analyst;
  std::string client_id, base;
};

TEST_F(EpisodeApi, AReferralGoesThroughWaitlistIntakeAndTreatmentToDischarge) {
  auto opened = clin->post(base + "/episodes",
                           bj::object{{"program", "Adult counselling"},
                                      {"referral_source", "primary care"},
                                      {"referral_reason", "Low mood since losing her job."},
                                      {"referred_on", ago(40)}});
  ASSERT_EQ(opened.status, 201) << opened.body;
  auto ep = opened.json().as_object();
  const std::string id(ep.at("id").as_string());
  EXPECT_EQ(opened.header("location"), "/api/v1/episodes/" + id);
  EXPECT_EQ(ep.at("stage"), "referred");
  EXPECT_EQ(ep.at("open"), true);
  EXPECT_EQ(ep.at("referred_on"), bj::value(ago(40)));
  EXPECT_EQ(ep.at("next"), bj::parse(R"(["waitlist","intake","declined","transferred"])"));
  // The reason is sealed at rest.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_episodes WHERE referral_reason LIKE '%losing her job%'"), 0);

  std::int64_t version = ep.at("version").as_int64();
  const std::pair<const char*, int> path[] = {
      {"waitlist", 39}, {"intake", 20}, {"active", 13}, {"discharged", 0}};
  for (const auto& [stage, days] : path) {
    auto r = move(id, bj::object{{"stage", stage},
                                 {"on", ago(days)},
                                 {"version", version},
                                 {"note", std::string("Moved to ") + stage}});
    ASSERT_EQ(r.status, 200) << stage << ": " << r.body;
    EXPECT_EQ(r.json().at("stage"), stage);
    version = r.json().at("version").as_int64();
  }
  auto got = clin->get("/api/v1/episodes/" + id);
  ASSERT_EQ(got.status, 200);
  const auto j = got.json();
  EXPECT_EQ(j.at("waitlisted_on"), bj::value(ago(39)));
  EXPECT_EQ(j.at("intake_on"), bj::value(ago(20)));
  EXPECT_EQ(j.at("active_on"), bj::value(ago(13)));
  EXPECT_EQ(j.at("ended_on"), bj::value(ago(0)));
  EXPECT_EQ(j.at("open"), false);
  EXPECT_TRUE(j.at("next").as_array().empty());
  const auto& steps = j.at("steps").as_array();
  ASSERT_EQ(steps.size(), 5U);
  EXPECT_EQ(steps[2].at("stage"), "intake");
  EXPECT_EQ(steps[2].at("note"), "Moved to intake");
  EXPECT_EQ(j.at("referral_reason"), "Low mood since losing her job.");
  // Listed on the client's record, and audited.
  auto list = clin->get(base + "/episodes");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1U);
  EXPECT_GE(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'episode'"), 6);

  // Ended: a new referral to the same program is a new episode.
  auto again = clin->post(base + "/episodes", bj::object{{"program", "Adult counselling"},
                                                         {"referral_source", "self"},
                                                         {"referral_reason", "Back again"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json().at("referred_on"), bj::value(ago(0)));  // today when not given
}

TEST_F(EpisodeApi, EveryRefusalNamesTheProblemAndChangesNothing) {
  // Opening: missing fields and bad dates, by name.
  auto bad = clin->post(base + "/episodes", bj::object{{"referred_on", "2026-02-30"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto f = bad.error_fields();
  for (const char* field : {"program", "referral_source", "referral_reason", "referred_on"}) {
    EXPECT_NE(std::find(f.begin(), f.end(), field), f.end()) << field << " in " << bad.body;
  }
  auto future = clin->post(base + "/episodes", bj::object{{"program", "A"},
                                                          {"referral_source", "self"},
                                                          {"referral_reason", "x"},
                                                          {"referred_on", ago(-1)}});
  EXPECT_EQ(future.status, 422);
  EXPECT_EQ(future.error_fields(), std::vector<std::string>{"referred_on"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_episodes"), 0);

  auto opened = clin->post(base + "/episodes", bj::object{{"program", "A"},
                                                          {"referral_source", "self"},
                                                          {"referral_reason", "x"},
                                                          {"referred_on", ago(10)}});
  ASSERT_EQ(opened.status, 201);
  const std::string id(opened.json().at("id").as_string());
  // A second open episode in the same program.
  auto twice = clin->post(
      base + "/episodes",
      bj::object{{"program", "A"}, {"referral_source", "self"}, {"referral_reason", "y"}});
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_NE(twice.body.find(id), std::string::npos) << "the open episode is named";
  // Moves the pathway does not allow: 409 naming what may come next.
  auto skip = move(id, bj::object{{"stage", "active"}, {"version", 1}});
  EXPECT_EQ(skip.status, 409) << skip.body;
  EXPECT_NE(skip.body.find("next can be waitlist, intake, declined or transferred"),
            std::string::npos)
      << skip.body;
  // Dates: impossible, in the future, before the step before.
  for (const auto& on : {std::string("2026-13-01"), ago(-1), ago(11)}) {
    auto r = move(id, bj::object{{"stage", "waitlist"}, {"on", on}, {"version", 1}});
    EXPECT_EQ(r.status, 422) << on << ": " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{"on"}) << on;
  }
  // An unknown stage, no version, a transfer without a destination.
  auto unknown = move(id, bj::object{{"stage", "closed"}});
  EXPECT_EQ(unknown.status, 422);
  f = unknown.error_fields();
  EXPECT_NE(std::find(f.begin(), f.end(), "stage"), f.end());
  EXPECT_NE(std::find(f.begin(), f.end(), "version"), f.end());
  auto nowhere = move(id, bj::object{{"stage", "transferred"}, {"version", 1}});
  EXPECT_EQ(nowhere.status, 422);
  EXPECT_EQ(nowhere.error_fields(), std::vector<std::string>{"transferred_to"});
  // A stale version: someone moved it since.
  ASSERT_EQ(move(id, bj::object{{"stage", "waitlist"}, {"version", 1}}).status, 200);
  auto stale = move(id, bj::object{{"stage", "intake"}, {"version", 1}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_episode_steps"), 2);  // referred, waitlist
  EXPECT_EQ(count("SELECT version FROM care_episodes"), 2);
  // Not JSON, and an episode that does not exist.
  EXPECT_EQ(clin->request("POST", "/api/v1/episodes/" + id + "/steps", "{",
                          {{"Content-Type", "application/json"}})
                .status,
            400);
  EXPECT_EQ(move("ep_nope", bj::object{{"stage", "intake"}, {"version", 1}}).status, 404);
}

TEST_F(EpisodeApi, OnlyTheCareTeamSeesEpisodesAndWaitsAreCountsForStaff) {
  auto opened = clin->post(base + "/episodes", bj::object{{"program", "A"},
                                                          {"referral_source", "self"},
                                                          {"referral_reason", "x"},
                                                          {"referred_on", ago(30)}});
  ASSERT_EQ(opened.status, 201);
  const std::string id(opened.json().at("id").as_string());
  // A clinician off the team: the episode looks like one that does not exist.
  EXPECT_EQ(other->get("/api/v1/episodes/" + id).status, 404);
  EXPECT_EQ(other
                ->post("/api/v1/episodes/" + id + "/steps",
                       bj::object{{"stage", "intake"}, {"version", 1}})
                .status,
            404);
  EXPECT_NE(other->get(base + "/episodes").status, 200);
  EXPECT_EQ(desk->get("/api/v1/episodes/" + id).status, 404);
  // A second client, taken to intake.
  auto c2 = clin->post("/api/v1/clients", bj::object{{"given_name", "Grace"},
                                                     {"family_name", "Hopper"},
                                                     {"date_of_birth", "1986-12-09"}});
  ASSERT_EQ(c2.status, 201);
  auto e2 =
      clin->post("/api/v1/clients/" + std::string(c2.json().at("id").as_string()) + "/episodes",
                 bj::object{{"program", "A"},
                            {"referral_source", "school"},
                            {"referral_reason", "y"},
                            {"referred_on", ago(50)}});
  ASSERT_EQ(e2.status, 201);
  ASSERT_EQ(move(std::string(e2.json().at("id").as_string()),
                 bj::object{{"stage", "intake"}, {"on", ago(36)}, {"version", 1}})
                .status,
            200);
  // Waiting times: counts and days, for analysts too; never a client's name.
  auto w = analyst->get("/api/v1/episodes/waits");
  ASSERT_EQ(w.status, 200) << w.body;
  const auto waits = w.json();
  const auto& items = waits.at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("program"), "A");
  EXPECT_EQ(items[0].at("waiting_now"), 1);
  EXPECT_EQ(items[0].at("waiting_now_median_days"), 30);
  EXPECT_EQ(items[0].at("reached_intake"), 1);
  EXPECT_EQ(items[0].at("referral_to_intake_median_days"), 14);
  EXPECT_EQ(w.body.find("Ada"), std::string::npos);
  EXPECT_EQ(w.body.find(client_id), std::string::npos);
  EXPECT_EQ(clin->get("/api/v1/episodes/waits?program=B").json().at("items").as_array().size(), 0U);
  server->add_user("ada", "client", client_id);
  EXPECT_EQ(server->client_for("ada")->get("/api/v1/episodes/waits").status, 403);
}

TEST_F(EpisodeApi, TasksAreSetForSomeoneOnTheTeamDoneOnceAndListedOverdueFirst) {
  const auto clin_id = server->app().db().read([](sql::Conn& c) {
    return c.query_one("SELECT id FROM users WHERE username = 'clin'")->str(0);
  });
  const auto other_id = server->app().db().read([](sql::Conn& c) {
    return c.query_one("SELECT id FROM users WHERE username = 'other'")->str(0);
  });
  // Refusals by name; nothing stored.
  auto bad =
      clin->post(base + "/tasks",
                 bj::object{{"kind", "email"}, {"due_on", "2026-02-30"}, {"owner_id", other_id}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto f = bad.error_fields();
  for (const char* field : {"kind", "title", "due_on"}) {
    EXPECT_NE(std::find(f.begin(), f.end(), field), f.end()) << field << " in " << bad.body;
  }
  auto off_team = clin->post(base + "/tasks", bj::object{{"kind", "call"},
                                                         {"title", "Check in after discharge"},
                                                         {"due_on", ago(-2)},
                                                         {"owner_id", other_id}});
  EXPECT_EQ(off_team.status, 422);
  EXPECT_EQ(off_team.error_fields(), std::vector<std::string>{"owner_id"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_tasks"), 0);

  // Three tasks: due in two days, today, and three days ago (overdue).
  std::vector<std::string> ids;
  for (const auto& [title, days] :
       std::vector<std::pair<std::string, int>>{{"Letter to the GP", -2},
                                                {"Call about the missed session", 0},
                                                {"Review the plan", 3}}) {
    auto t = clin->post(base + "/tasks", bj::object{{"kind", title[0] == 'L'   ? "letter"
                                                             : title[0] == 'C' ? "call"
                                                                               : "review"},
                                                    {"title", title},
                                                    {"due_on", ago(days)}});
    ASSERT_EQ(t.status, 201) << t.body;
    EXPECT_EQ(t.json().at("owner").at("id"), bj::value(clin_id));
    ids.emplace_back(t.json().at("id").as_string());
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_tasks WHERE title LIKE '%to the GP%'"), 0);  // sealed
  auto mine = clin->get("/api/v1/tasks");
  ASSERT_EQ(mine.status, 200);
  const auto listed = mine.json();
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(items[0].at("title"), "Review the plan");
  EXPECT_EQ(items[0].at("due"), "overdue");
  EXPECT_EQ(items[1].at("due"), "today");
  EXPECT_EQ(items[2].at("due"), "upcoming");
  EXPECT_EQ(items[0].at("client_name"), "Ada Lovelace");
  EXPECT_TRUE(other->get("/api/v1/tasks").json().at("items").as_array().empty());

  // Done once, with what happened; a second close or a stale version is refused.
  auto done = clin->post("/api/v1/tasks/" + ids[2] + "/done",
                         bj::object{{"version", 1}, {"outcome", "Plan reviewed; goals kept"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("status"), "done");
  EXPECT_EQ(done.json().at("due"), nullptr);
  EXPECT_EQ(clin->post("/api/v1/tasks/" + ids[2] + "/cancel", bj::object{{"version", 2}}).status,
            409);
  EXPECT_EQ(clin->post("/api/v1/tasks/" + ids[1] + "/cancel", bj::object{{"version", 7}}).status,
            409);
  EXPECT_EQ(clin->post("/api/v1/tasks/" + ids[1] + "/cancel", bj::object{}).status, 422);
  EXPECT_EQ(other->post("/api/v1/tasks/" + ids[1] + "/cancel", bj::object{{"version", 1}}).status,
            404);
  EXPECT_EQ(clin->get("/api/v1/tasks").json().at("items").as_array().size(), 2U);
  // The client's list: open in working order, then the closed.
  auto all = clin->get(base + "/tasks");
  ASSERT_EQ(all.status, 200);
  const auto client_tasks = all.json();
  ASSERT_EQ(client_tasks.at("items").as_array().size(), 3U);
  EXPECT_EQ(client_tasks.at("items").as_array()[2].at("outcome"), "Plan reviewed; goals kept");
  EXPECT_NE(other->get(base + "/tasks").status, 200);
}

}  // namespace
}  // namespace tend::testing
