// Treatment plans, discharge summaries and relapse prevention plans over HTTP against the real
// server on loopback (SQLite, and PostgreSQL in the .pg run): a plan with a PHQ-9 objective
// shows progress from the results; every change is a new version with a diff, a stale one is
// refused; the client reads and agrees in the portal, and a new version needs agreeing again;
// a client never reads another's plan; staff off the care team, front desk and analysts see
// nothing; a discharged episode gets a summary filled from the results and a relapse
// prevention plan the client keeps. Every refusal names its field and writes nothing.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class PlanApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    clin_id = server->add_user("clin", "clinician");
    peer_id = server->add_user("peer", "clinician");
    server->add_user("desk", "front_desk");
    server->add_user("numbers", "analyst");
    clin = server->client_for("clin");
    peer = server->client_for("peer");
    desk = server->client_for("desk");
    analyst = server->client_for("numbers");
    client_id = new_client("Ada", "Lovelace");
    base = "/api/v1/clients/" + client_id;
    server->add_user("ada", "client", client_id);
    portal = server->client_for("ada");
  }

  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }

  //! The server's date `days` days from today (negative: ago).
  std::string day(int days) { return format_date(server->clock.now() + 24h * days); }

  std::int64_t count(const std::string& sql, const sql::Params& p = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql, p)->i64(0); });
  }

  //! A PHQ-9 with `total` spread over items 1–8 (item 9 answered 0), completed `ago` days ago.
  void phq9(const std::string& client, int total, int ago) {
    bj::array answers;
    for (int i = 1; i <= 9; ++i) {
      const int v = i == 9 ? 0 : std::min(3, std::max(0, total - 3 * (i - 1)));
      answers.push_back(bj::object{{"linkId", "q" + std::to_string(i)}, {"value", v}});
    }
    auto r =
        clin->post("/api/v1/clients/" + client + "/assessments",
                   bj::object{{"instrument", "phq-9"},
                              {"answers", std::move(answers)},
                              {"completed_at", format_rfc3339(server->clock.now() - 24h * ago)}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  bj::object plan_body() {
    return {{"problems", bj::array{bj::object{{"text", "Moderate depressive episode"}}}},
            {"goals", bj::array{bj::object{{"text", "I want to get back to work"}},
                                bj::object{{"text", "Sleep through the night"}}}},
            {"objectives", bj::array{bj::object{{"text", "Mood lifts"},
                                                {"target_on", day(60)},
                                                {"instrument_id", "phq-9"},
                                                {"comparison", "below"},
                                                {"target", 10}}}},
            {"interventions",
             bj::array{
                 bj::object{{"code", "cbt"}, {"frequency", "weekly"}, {"delivered_by", clin_id}}}},
            {"review_on", day(28)}};
  }

  bj::object create(const std::string& client = {}) {
    auto r = clin->post("/api/v1/clients/" + (client.empty() ? client_id : client) + "/plans",
                        plan_body());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  HttpResponse put(HttpClient& who, const std::string& id, const bj::object& body) {
    return who.request("PUT", "/api/v1/plans/" + id, bj::serialize(body),
                       {{"Content-Type", "application/json"}});
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, peer, desk, analyst, portal;
  std::string clin_id, peer_id, client_id, base;
};

TEST_F(PlanApi, APlanWithAPhq9ObjectiveShowsProgressFromTheResults) {
  phq9(client_id, 18, 30);
  phq9(client_id, 16, 1);
  auto plan = create();
  const std::string id(plan.at("id").as_string());
  EXPECT_EQ(plan.at("version"), 1);
  ASSERT_EQ(plan.at("goals").as_array().size(), 2U);
  EXPECT_EQ(plan.at("goals").as_array()[0].at("text"), "I want to get back to work");
  const auto& ob = plan.at("objectives").as_array()[0];
  EXPECT_EQ(ob.at("instrument_name"), "PHQ-9");
  EXPECT_EQ(ob.at("progress").at("baseline"), 16.0);  // the last result on or before today
  EXPECT_EQ(ob.at("progress").at("latest"), 16.0);
  EXPECT_EQ(ob.at("progress").at("status"), "not_yet");
  const auto& iv = plan.at("interventions").as_array()[0];
  EXPECT_EQ(iv.at("name"), "Cognitive behavioural therapy (CBT)");
  EXPECT_EQ(iv.at("delivered_by").at("id"), bj::value(clin_id));
  EXPECT_EQ(plan.at("agreement").at("current"), false);

  // A new result counts at once: below 10 meets the objective.
  server->clock.advance(24h);
  clin = server->client_for("clin");  // a day on: a new session
  phq9(client_id, 8, 0);
  auto got = clin->get("/api/v1/plans/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  const auto now = got.json();
  const auto& pr = now.at("objectives").as_array()[0].at("progress");
  EXPECT_EQ(pr.at("baseline"), 16.0);
  EXPECT_EQ(pr.at("latest"), 8.0);
  EXPECT_EQ(pr.at("results"), 3);
  EXPECT_EQ(pr.at("status"), "met");

  // The review is a task for the author, due on the review date.
  auto tasks = clin->get(base + "/tasks");
  ASSERT_EQ(tasks.status, 200);
  const auto items = tasks.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("kind"), "review");
  EXPECT_EQ(items[0].at("due_on"), bj::value(day(27)));  // a day passed
  EXPECT_EQ(items[0].at("owner").at("id"), bj::value(clin_id));
  // Sealed at rest; audited.
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_versions WHERE content LIKE '%back to work%'"),
            0);
  EXPECT_GE(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'plan'"), 2);
  auto list = clin->get(base + "/plans");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1U);
}

TEST_F(PlanApi, EveryChangeIsANewVersionWithADiffAndAStaleOneIsRefused) {
  auto plan = create();
  const std::string id(plan.at("id").as_string());
  auto body = plan_body();
  // Items keep their ids: the second goal is changed, the first removed, one added.
  const auto goals = plan.at("goals").as_array();
  const std::string kept(goals[1].at("id").as_string());
  body["goals"] = bj::array{bj::object{{"id", kept}, {"text", "Sleep 7 hours most nights"}},
                            bj::object{{"text", "See friends every week"}}};
  bj::array problems;
  problems.push_back(plan.at("problems").as_array()[0]);
  body["problems"] = problems;
  bj::array objectives;
  auto ob = plan.at("objectives").as_array()[0].as_object();
  bj::object same_ob{
      {"id", ob.at("id")},        {"text", ob.at("text")}, {"target_on", ob.at("target_on")},
      {"instrument_id", "phq-9"}, {"comparison", "below"}, {"target", 10}};
  objectives.push_back(same_ob);
  body["objectives"] = objectives;
  body["interventions"] =
      bj::array{bj::object{{"id", plan.at("interventions").as_array()[0].at("id")},
                           {"code", "cbt"},
                           {"frequency", "weekly"},
                           {"delivered_by", clin_id}}};
  body["review_on"] = day(35);
  body["version"] = 1;
  auto v2 = put(*clin, id, body);
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_EQ(v2.json().at("version"), 2);

  // The same edit again, from version 1: refused, nothing written.
  auto stale = put(*clin, id, body);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.error_fields(), std::vector<std::string>{"version"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_versions WHERE plan_id = ?", {id}), 2);

  auto versions = clin->get("/api/v1/plans/" + id + "/versions");
  ASSERT_EQ(versions.status, 200);
  const auto vs = versions.json().at("items").as_array();
  ASSERT_EQ(vs.size(), 2U);
  EXPECT_EQ(vs[0].at("version"), 2);
  EXPECT_EQ(vs[1].at("goals").as_array().size(), 2U);  // version 1 as it was
  EXPECT_EQ(vs[1].at("goals").as_array()[0].at("text"), "I want to get back to work");
  auto one = clin->get("/api/v1/plans/" + id + "/versions/1");
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json().at("review_on"), bj::value(day(28)));
  EXPECT_EQ(clin->get("/api/v1/plans/" + id + "/versions/3").status, 404);
  EXPECT_EQ(clin->get("/api/v1/plans/" + id + "/versions/x").status, 400);

  auto d = clin->get("/api/v1/plans/" + id + "/diff?from=1&to=2");
  ASSERT_EQ(d.status, 200) << d.body;
  const auto changes = d.json().at("changes").as_array();
  ASSERT_EQ(changes.size(), 4U) << d.body;
  EXPECT_EQ(changes[0].at("section"), "goals");
  EXPECT_EQ(changes[0].at("kind"), "removed");
  EXPECT_EQ(changes[0].at("before"), "I want to get back to work");
  EXPECT_EQ(changes[1].at("kind"), "changed");
  EXPECT_EQ(changes[1].at("id"), bj::value(kept));
  EXPECT_EQ(changes[1].at("after"), "Sleep 7 hours most nights");
  EXPECT_EQ(changes[2].at("kind"), "added");
  EXPECT_EQ(changes[3].at("section"), "review_on");
  EXPECT_EQ(clin->get("/api/v1/plans/" + id + "/diff?from=1").status, 400);

  // The review task moved with the date.
  auto tasks = clin->get(base + "/tasks");
  const auto items = tasks.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].at("due_on"), bj::value(day(35)));
}

TEST_F(PlanApi, APlanForAnEpisodeAndAReviewTaskSetAgainOnceTheLastWasDone) {
  const std::string other_client = new_client("Bo", "Other");
  auto theirs = clin->post("/api/v1/clients/" + other_client + "/episodes",
                           bj::object{{"program", "Adult counselling"},
                                      {"referral_source", "self"},
                                      {"referral_reason", "Worry"}});
  ASSERT_EQ(theirs.status, 201);
  auto opened = clin->post(base + "/episodes", bj::object{{"program", "Adult counselling"},
                                                          {"referral_source", "self"},
                                                          {"referral_reason", "Low mood"}});
  ASSERT_EQ(opened.status, 201);
  const std::string ep(opened.json().at("id").as_string());
  // Another client's episode is refused by name.
  auto body = plan_body();
  body["episode_id"] = theirs.json().at("id");
  auto wrong = clin->post(base + "/plans", body);
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(wrong.error_fields(), std::vector<std::string>{"episode_id"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plans"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_tasks"), 0);

  body["episode_id"] = ep;
  auto r = clin->post(base + "/plans", body);
  ASSERT_EQ(r.status, 201) << r.body;
  const auto plan = r.json();
  const std::string id(plan.at("id").as_string());
  EXPECT_EQ(plan.at("episode_id"), bj::value(ep));
  auto tasks = clin->get(base + "/tasks").json().at("items").as_array();
  ASSERT_EQ(tasks.size(), 1U);
  EXPECT_EQ(tasks[0].at("episode_id"), bj::value(ep));
  // The review is done; the next review date sets a new task, the done one stays done.
  auto done = clin->post("/api/v1/tasks/" + std::string(tasks[0].at("id").as_string()) + "/done",
                         bj::object{{"version", tasks[0].at("version")}});
  ASSERT_EQ(done.status, 200) << done.body;
  body.erase("episode_id");  // fixed when the plan is written
  body["version"] = 1;
  body["review_on"] = day(56);
  ASSERT_EQ(put(*clin, id, body).status, 200);
  tasks = clin->get(base + "/tasks").json().at("items").as_array();
  ASSERT_EQ(tasks.size(), 2U);
  EXPECT_EQ(tasks[0].at("status"), "open");
  EXPECT_EQ(tasks[0].at("due_on"), bj::value(day(56)));
  EXPECT_EQ(tasks[0].at("kind"), "review");
  EXPECT_EQ(tasks[1].at("status"), "done");
  // The same review date again: no new task.
  body["version"] = 2;
  ASSERT_EQ(put(*clin, id, body).status, 200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_tasks"), 2);
}

TEST_F(PlanApi, EveryRefusalNamesItsFieldAndWritesNothing) {
  auto body = plan_body();
  body["review_on"] = day(-1);
  auto past = clin->post(base + "/plans", body);
  EXPECT_EQ(past.status, 422) << past.body;
  EXPECT_EQ(past.error_fields(), std::vector<std::string>{"review_on"});

  body = plan_body();
  body["objectives"].as_array()[0].as_object()["instrument_id"] = "no-such-scale";
  body["objectives"].as_array()[0].as_object()["target_on"] = "2027-02-30";
  body["interventions"].as_array()[0].as_object()["code"] = "hypnosis";
  body["goals"].as_array()[1].as_object()["text"] = "";
  body["colour"] = "blue";
  auto bad = clin->post(base + "/plans", body);
  EXPECT_EQ(bad.status, 422) << bad.body;
  auto f = bad.error_fields();
  for (const char* want : {"goals[1].text", "colour"}) {
    EXPECT_NE(std::find(f.begin(), f.end(), want), f.end()) << want << " in " << bad.body;
  }
  body = plan_body();
  body["objectives"].as_array()[0].as_object()["target_on"] = "2027-02-30";
  body["interventions"].as_array()[0].as_object()["code"] = "hypnosis";
  bad = clin->post(base + "/plans", body);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_fields(),
            (std::vector<std::string>{"objectives[0].target_on", "interventions[0].code"}));
  body = plan_body();
  body["objectives"].as_array()[0].as_object()["instrument_id"] = "no-such-scale";
  bad = clin->post(base + "/plans", body);
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"objectives[0].instrument_id"});

  // Who delivers it must be a clinical colleague, not the front desk.
  body = plan_body();
  body["interventions"].as_array()[0].as_object()["delivered_by"] =
      server->add_user("desk2", "front_desk");
  bad = clin->post(base + "/plans", body);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"interventions[0].delivered_by"});
  body = plan_body();
  body.erase("goals");
  EXPECT_EQ(clin->post(base + "/plans", body).error_fields(), std::vector<std::string>{"goals"});

  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plans"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_versions"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_tasks"), 0);

  // An edit with a past review date is refused too, and leaves version 1.
  auto plan = create();
  const std::string id(plan.at("id").as_string());
  body = plan_body();
  body["version"] = 1;
  body["review_on"] = day(-3);
  auto r = put(*clin, id, body);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_versions"), 1);
  EXPECT_EQ(clin->get("/api/v1/plans/nope").status, 404);
}

TEST_F(PlanApi, TheClientAgreesInThePortalAndANewVersionNeedsAgreeingAgain) {
  phq9(client_id, 15, 3);
  auto plan = create();
  const std::string id(plan.at("id").as_string());
  auto mine = portal->get("/api/v1/me/plan");
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto m = mine.json();
  EXPECT_EQ(m.at("id"), bj::value(id));
  EXPECT_EQ(m.at("goals").as_array()[0].at("text"), "I want to get back to work");
  EXPECT_NE(m.at("interventions").as_array()[0].at("client_text").as_string().size(), 0U);
  EXPECT_EQ(m.at("objectives").as_array()[0].at("progress").at("latest"), 15.0);

  auto agreed = portal->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", 1}});
  ASSERT_EQ(agreed.status, 200) << agreed.body;
  EXPECT_EQ(agreed.json().at("agreement").at("version"), 1);
  EXPECT_EQ(agreed.json().at("agreement").at("current"), true);
  EXPECT_EQ(agreed.json().at("agreement").at("at"), bj::value(format_rfc3339(server->clock.now())));
  // Agreeing twice changes nothing.
  EXPECT_EQ(portal->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", 1}}).status,
            200);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_agreements"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'agree'"), 1);

  // The clinician sees it agreed; a new version is not agreed yet.
  EXPECT_EQ(clin->get("/api/v1/plans/" + id).json().at("agreement").at("current"), true);
  auto body = plan_body();
  body["version"] = 1;
  auto v2 = put(*clin, id, body);
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_EQ(v2.json().at("agreement").at("version"), 1);
  EXPECT_EQ(v2.json().at("agreement").at("current"), false);
  // Agreeing to the old version now: refused, the client is told to read it again.
  auto old = portal->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", 1}});
  EXPECT_EQ(old.status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_agreements"), 1);
  auto bad = portal->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", "two"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"version"});
  auto again = portal->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", 2}});
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json().at("agreement").at("version"), 2);
  EXPECT_EQ(again.json().at("agreement").at("current"), true);

  // Only the client agrees; staff have no "own plan".
  EXPECT_EQ(clin->post("/api/v1/me/plans/" + id + "/agree", bj::object{{"version", 2}}).status,
            403);
  EXPECT_EQ(clin->get("/api/v1/me/plan").status, 403);
}

TEST_F(PlanApi, AClientNeverReadsAnotherClientsPlanAndStaffOffTheTeamSeeNothing) {
  const std::string other_client = new_client("Bo", "Other");
  auto theirs = create(other_client);
  const std::string their_id(theirs.at("id").as_string());
  EXPECT_EQ(portal->get("/api/v1/me/plan").status, 404);  // Ada has none yet
  auto own = create();
  const std::string own_id(own.at("id").as_string());
  EXPECT_EQ(portal->get("/api/v1/me/plan").json().at("id"), bj::value(own_id));
  for (const std::string& path :
       {"/api/v1/plans/" + their_id, "/api/v1/plans/" + their_id + "/versions",
        "/api/v1/plans/" + their_id + "/versions/1",
        "/api/v1/plans/" + their_id + "/diff?from=1&to=1",
        "/api/v1/clients/" + other_client + "/plans"}) {
    const auto r = portal->get(path);
    EXPECT_TRUE(r.status == 404 || r.status == 403) << path << " " << r.status;
    EXPECT_EQ(r.body.find("back to work"), std::string::npos) << path;
  }
  EXPECT_EQ(
      portal->post("/api/v1/me/plans/" + their_id + "/agree", bj::object{{"version", 1}}).status,
      404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_agreements"), 0);
  // The client cannot write their plan through the staff route.
  auto body = plan_body();
  body["version"] = 1;
  EXPECT_EQ(put(*portal, own_id, body).status, 404);
  // Front desk, analysts, and clinicians off the care team see nothing.
  for (auto* who : {desk.get(), analyst.get(), peer.get()}) {
    EXPECT_EQ(who->get("/api/v1/plans/" + own_id).status, 404);
    const auto listed = who->get(base + "/plans");
    EXPECT_TRUE(listed.status == 403 || listed.status == 404) << listed.status;
    EXPECT_EQ(listed.body.find("back to work"), std::string::npos);
    EXPECT_EQ(put(*who, own_id, body).status, 404);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_plan_versions WHERE plan_id = ?", {own_id}), 1);
}

TEST_F(PlanApi, ADischargedEpisodeGetsASummaryFromTheResultsAndARelapsePreventionPlan) {
  auto opened = clin->post(base + "/episodes", bj::object{{"program", "Adult counselling"},
                                                          {"referral_source", "self"},
                                                          {"referral_reason", "Low mood"},
                                                          {"referred_on", day(-90)}});
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string ep(opened.json().at("id").as_string());
  phq9(client_id, 20, 100);  // before the referral: not an outcome of this episode
  phq9(client_id, 19, 80);
  phq9(client_id, 12, 40);
  phq9(client_id, 6, 2);
  const bj::object summary{
      {"version", 0},
      {"reason", "Goals met"},
      {"what_helped", "Activity scheduling"},
      {"recommendations", "GP to review in three months"},
      {"relapse", bj::object{{"warning_signs", bj::array{"Staying in bed", "Skipping meals"}},
                             {"what_helps", bj::array{"A walk each morning"}},
                             {"contacts", bj::array{"GP surgery 555-0100"}},
                             {"coming_back", "Call the service; no new referral is needed"}}}};
  auto early = clin->request("PUT", "/api/v1/episodes/" + ep + "/discharge", bj::serialize(summary),
                             {{"Content-Type", "application/json"}});
  EXPECT_EQ(early.status, 409) << early.body;  // not discharged yet
  std::int64_t version = opened.json().at("version").as_int64();
  for (const char* stage : {"intake", "discharged"}) {
    auto r = clin->post("/api/v1/episodes/" + ep + "/steps",
                        bj::object{{"stage", stage}, {"version", version}});
    ASSERT_EQ(r.status, 200) << r.body;
    version = r.json().at("version").as_int64();
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_discharges"), 0);
  EXPECT_EQ(portal->get("/api/v1/me/relapse-prevention").status, 404);

  bj::object no_signs = summary;
  no_signs["relapse"].as_object()["warning_signs"] = bj::array{};
  no_signs.erase("reason");
  auto bad = clin->request("PUT", "/api/v1/episodes/" + ep + "/discharge", bj::serialize(no_signs),
                           {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_fields(), (std::vector<std::string>{"reason", "relapse.warning_signs"}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_discharges"), 0);

  auto put_summary = [&](const bj::object& b) {
    return clin->request("PUT", "/api/v1/episodes/" + ep + "/discharge", bj::serialize(b),
                         {{"Content-Type", "application/json"}});
  };
  auto written = put_summary(summary);
  ASSERT_EQ(written.status, 200) << written.body;
  const auto w = written.json();
  EXPECT_EQ(w.at("version"), 1);
  const auto outcomes = w.at("outcomes").as_array();
  ASSERT_EQ(outcomes.size(), 1U);
  EXPECT_EQ(outcomes[0].at("instrument_name"), "PHQ-9");
  EXPECT_EQ(outcomes[0].at("start"), 19.0);
  EXPECT_EQ(outcomes[0].at("start_on"), bj::value(day(-80)));
  EXPECT_EQ(outcomes[0].at("end"), 6.0);
  EXPECT_EQ(w.at("relapse").at("warning_signs").as_array().size(), 2U);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_discharges WHERE relapse LIKE '%Staying in bed%' OR "
                  "summary LIKE '%Goals met%'"),
            0);
  // A second write from version 0 is stale.
  EXPECT_EQ(put_summary(summary).status, 409);
  bj::object v1 = summary;
  v1["version"] = 1;
  v1["relapse"].as_object()["what_helps"] = bj::array{"A walk each morning", "Calling my sister"};
  auto changed = put_summary(v1);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("version"), 2);

  // The client keeps the relapse prevention plan, not the clinician's summary.
  auto kept = portal->get("/api/v1/me/relapse-prevention");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.json().at("relapse").at("what_helps").as_array().size(), 2U);
  EXPECT_EQ(kept.json().at("relapse").at("coming_back"),
            "Call the service; no new referral is needed");
  EXPECT_EQ(kept.json().at("reason"), "");
  EXPECT_EQ(kept.json().at("program"), "Adult counselling");
  // Staff read it on the episode; front desk and others off the team do not.
  EXPECT_EQ(clin->get("/api/v1/episodes/" + ep + "/discharge").status, 200);
  EXPECT_EQ(desk->get("/api/v1/episodes/" + ep + "/discharge").status, 404);
  EXPECT_EQ(peer->get("/api/v1/episodes/" + ep + "/discharge").status, 404);
  EXPECT_EQ(put_summary(v1).status, 409);  // stale again
}

}  // namespace
}  // namespace tend::testing
