// Assessment over HTTP against the real server on loopback (SQLite, and PostgreSQL in the .pg
// run): the instrument library, submissions with Idempotency-Key, every kind of bad input,
// history and measures, schedules and what is due, single-use links without an account, the
// portal, and importing the published PHQ-9 questionnaires.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "support/api.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

bj::array answers(std::initializer_list<std::pair<const char*, int>> list) {
  bj::array a;
  for (const auto& [id, v] : list) a.push_back(bj::object{{"linkId", id}, {"value", v}});
  return a;
}

bj::array phq9(int q1, int q2, int q3, int q4, int q5, int q6, int q7, int q8, int q9) {
  return answers({{"q1", q1},
                  {"q2", q2},
                  {"q3", q3},
                  {"q4", q4},
                  {"q5", q5},
                  {"q6", q6},
                  {"q7", q7},
                  {"q8", q8},
                  {"q9", q9}});
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/../shared/fixtures/fhir/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AssessmentApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    clin = server->client_for("clin");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"},
                                                      {"sex", "female"}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
  }

  HttpResponse submit(HttpClient& who, const bj::object& body, const std::string& key = "") {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    if (!key.empty()) h["Idempotency-Key"] = key;
    return who.request("POST", base + "/assessments", bj::serialize(body), h);
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin;
  std::string client_id;
  std::string base;
};

TEST_F(AssessmentApi, TheLibraryListsEveryInstrumentWithItsItemsAndValues) {
  auto list = clin->get("/api/v1/instruments");
  ASSERT_EQ(list.status, 200);
  std::set<std::string> ids;
  const auto listed = list.json();
  for (const auto& i : listed.at("items").as_array()) ids.emplace(i.at("id").as_string());
  for (const char* id : {"phq-9", "phq-2", "phq-a", "gad-7", "gad-2", "pcl-5", "audit", "audit-c",
                         "dast-10", "cssrs-screener", "epds", "k10", "k6", "who-5", "core-10",
                         "psc-17", "asrs-screener", "mdq", "crafft"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
  auto phq = clin->get("/api/v1/instruments/phq-9");
  ASSERT_EQ(phq.status, 200);
  const auto j = phq.json();
  const auto& items = j.at("items").as_array();
  ASSERT_EQ(items.size(), 10u);
  EXPECT_EQ(items[8].at("linkId").as_string(), "q9");
  EXPECT_EQ(items[8].at("options").as_array().size(), 4u);
  EXPECT_EQ(items[8].at("options").as_array()[3].at("value").as_int64(), 3);
  EXPECT_EQ(j.at("bands").as_array().size(), 5u);
  EXPECT_EQ(j.at("reliable_change").as_int64(), 6);
  // The flag rules travel with their conditions, so the portal can tell a risk answer offline.
  const auto& flags = j.at("flags").as_array();
  ASSERT_FALSE(flags.empty());
  const auto si = std::find_if(flags.begin(), flags.end(), [](const bj::value& f) {
    return f.at("code").as_string() == "suicidal_ideation";
  });
  ASSERT_NE(si, flags.end());
  EXPECT_EQ(si->at("severity").as_string(), "critical");
  EXPECT_EQ(si->at("when"), bj::parse(R"({"item":"q9","op":">=","value":1})")) << si->at("when");
  EXPECT_EQ(clin->get("/api/v1/instruments/nope").status, 404);
  HttpClient anon(server->base_url());
  EXPECT_EQ(anon.get("/api/v1/instruments").status, 401);
}

TEST_F(AssessmentApi, ASubmissionIsScoredStoredAndRetriedOnce) {
  auto first = submit(
      *clin, {{"instrument", "phq-9"}, {"answers", phq9(2, 2, 2, 2, 2, 2, 2, 1, 1)}}, "device-1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto a = first.json().as_object();
  EXPECT_EQ(a.at("total").as_int64(), 16);
  EXPECT_EQ(a.at("total_max").as_int64(), 27);
  EXPECT_EQ(a.at("band").at("code").as_string(), "moderately_severe");
  EXPECT_EQ(a.at("band").at("label").as_string(), "Moderately severe");
  ASSERT_EQ(a.at("flags").as_array().size(), 1u);
  EXPECT_EQ(a.at("flags").as_array()[0].at("code").as_string(), "suicidal_ideation");
  EXPECT_EQ(a.at("flags").as_array()[0].at("severity").as_string(), "critical");
  EXPECT_TRUE(a.at("complete").as_bool());
  EXPECT_TRUE(a.at("case").as_bool());
  EXPECT_TRUE(a.at("change").at("previous").is_null());
  EXPECT_FALSE(first.header("location").empty());

  auto replay = submit(
      *clin, {{"instrument", "phq-9"}, {"answers", phq9(2, 2, 2, 2, 2, 2, 2, 1, 1)}}, "device-1");
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(replay.json().at("id"), a.at("id"));
  auto reuse = submit(
      *clin, {{"instrument", "phq-9"}, {"answers", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)}}, "device-1");
  EXPECT_EQ(reuse.status, 409);

  auto second =
      submit(*clin, {{"instrument", "phq-9"}, {"answers", phq9(1, 1, 1, 1, 1, 0, 0, 0, 0)}});
  ASSERT_EQ(second.status, 201);
  const auto change = second.json().at("change").as_object();
  EXPECT_EQ(change.at("previous").at("delta").as_int64(), -11);
  EXPECT_EQ(change.at("previous").at("classification").as_string(), "reliable_improvement");
  EXPECT_TRUE(change.at("first").at("recovered").as_bool());
  EXPECT_TRUE(change.at("first").at("response").as_bool());

  auto history = clin->get(base + "/assessments?instrument=phq-9");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.json().at("items").as_array().size(), 2u);
  auto one = clin->get("/api/v1/assessments/" + std::string(a.at("id").as_string()));
  EXPECT_EQ(one.status, 200);
  auto measures = clin->get(base + "/measures");
  ASSERT_EQ(measures.status, 200);
  const auto m = measures.json().at("items").as_array();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].at("count").as_int64(), 2);
  EXPECT_EQ(m[0].at("latest").at("total").as_int64(), 5);

  auto other = server->client_for("other");
  EXPECT_EQ(other->get(base + "/assessments").status, 404);
  EXPECT_EQ(other->get("/api/v1/assessments/" + std::string(a.at("id").as_string())).status, 404);
  EXPECT_EQ(submit(*other, {{"instrument", "phq-9"}, {"answers", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)}})
                .status,
            404);
  auto desk = server->client_for("desk");
  EXPECT_EQ(desk->get(base + "/assessments").status, 403);
}

TEST_F(AssessmentApi, OutcomesFollowTheTalkingTherapiesDefinitions) {
  auto gad7 = [](int v1, int v2) {
    return answers({{"q1", v1}, {"q2", v2}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}, {"q7", 1}});
  };
  EXPECT_TRUE(clin->get(base + "/outcomes").json().at("talking_therapies").is_null());
  ASSERT_EQ(
      submit(*clin, {{"instrument", "phq-9"}, {"answers", phq9(2, 2, 2, 2, 2, 2, 2, 0, 0)}}).status,
      201);
  ASSERT_EQ(submit(*clin, {{"instrument", "gad-7"}, {"answers", gad7(3, 3)}}).status, 201);
  EXPECT_TRUE(clin->get(base + "/outcomes").json().at("talking_therapies").is_null())
      << "one of each is not a pair";
  ASSERT_EQ(
      submit(*clin, {{"instrument", "phq-9"}, {"answers", phq9(1, 1, 1, 1, 1, 1, 0, 0, 0)}}).status,
      201);
  ASSERT_EQ(submit(*clin, {{"instrument", "gad-7"}, {"answers", gad7(1, 1)}}).status, 201);
  auto o = clin->get(base + "/outcomes");
  ASSERT_EQ(o.status, 200);
  const auto j = o.json();
  const auto& tt = j.at("talking_therapies");
  EXPECT_EQ(tt.at("phq9_first").as_int64(), 14);
  EXPECT_EQ(tt.at("phq9_last").as_int64(), 6);
  EXPECT_EQ(tt.at("gad7_first").as_int64(), 11);
  EXPECT_EQ(tt.at("gad7_last").as_int64(), 7);
  EXPECT_TRUE(tt.at("case_at_start").as_bool());
  EXPECT_TRUE(tt.at("recovered").as_bool());
  EXPECT_TRUE(tt.at("reliable_improvement").as_bool());
  EXPECT_TRUE(tt.at("reliable_recovery").as_bool());
  EXPECT_FALSE(tt.at("reliable_deterioration").as_bool());
  EXPECT_EQ(j.at("measures").as_array().size(), 2u);
  EXPECT_EQ(server->client_for("other")->get(base + "/outcomes").status, 404);
}

TEST_F(AssessmentApi, EveryBadInputIsRefusedNamingTheFieldAndNothingIsStored) {
  struct Case {
    const char* what;
    std::string body;
    int status;
    std::string field;
  };
  const std::string ok_answers = bj::serialize(phq9(0, 0, 0, 0, 0, 0, 0, 0, 0));
  const std::vector<Case> cases{
      {"not JSON", "{nope", 400, ""},
      {"no instrument", R"({"answers": [] })", 422, "instrument"},
      {"unknown instrument", R"({"instrument": "phq-99", "answers": )" + ok_answers + "}", 422,
       "instrument"},
      {"answers not a list", R"({"instrument": "phq-9", "answers": {}})", 422, "answers"},
      {"value not a number",
       R"({"instrument": "phq-9", "answers": [{"linkId": "q1", "value": "2"}]})", 422,
       "answers[0].value"},
      {"no linkId", R"({"instrument": "phq-9", "answers": [{"value": 2}]})", 422,
       "answers[0].linkId"},
      {"twice",
       R"({"instrument": "phq-9", "answers": [{"linkId": "q1", "value": 2}, {"linkId": "q1", "value": 1}]})",
       422, "answers[1].linkId"},
      {"out of range",
       R"({"instrument": "phq-9", "answers": [{"linkId": "q1", "value": 4}, {"linkId": "q2", "value": 0}, {"linkId": "q3", "value": 0}, {"linkId": "q4", "value": 0}, {"linkId": "q5", "value": 0}, {"linkId": "q6", "value": 0}, {"linkId": "q7", "value": 0}, {"linkId": "q8", "value": 0}, {"linkId": "q9", "value": 0}]})",
       422, "answers.q1"},
      {"missing item", R"({"instrument": "phq-9", "answers": [{"linkId": "q1", "value": 1}]})", 422,
       "answers.q2"},
      {"unknown item", R"({"instrument": "phq-9", "answers": [{"linkId": "q10", "value": 1}]})",
       422, "answers.q10"},
      {"bad rater", R"({"instrument": "phq-9", "rater": "robot", "answers": )" + ok_answers + "}",
       422, "rater"},
      {"bad time",
       R"({"instrument": "phq-9", "completed_at": "yesterday", "answers": )" + ok_answers + "}",
       422, "completed_at"},
      {"unknown field", R"({"instrument": "phq-9", "score": 3, "answers": )" + ok_answers + "}",
       422, "score"},
  };
  for (const auto& c : cases) {
    auto r = clin->request("POST", base + "/assessments", c.body,
                           {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << c.what;
    if (!c.field.empty()) {
      const auto f = r.error_fields();
      EXPECT_TRUE(std::find(f.begin(), f.end(), c.field) != f.end()) << c.what << ": " << r.body;
    }
  }
  EXPECT_TRUE(clin->get(base + "/assessments").json().at("items").as_array().empty());
}

TEST_F(AssessmentApi, SchedulesShowWhatIsDueOnTheCaseload) {
  auto s = clin->post(base + "/schedules", bj::object{{"instrument", "gad-7"}, {"every_days", 14}});
  ASSERT_EQ(s.status, 201) << s.body;
  const std::string sid(s.json().at("id").as_string());
  EXPECT_FALSE(s.json().at("next_due").is_null());
  EXPECT_EQ(clin->post(base + "/schedules", bj::object{{"instrument", "gad-7"}, {"every_days", 7}})
                .status,
            409);
  auto bad =
      clin->post(base + "/schedules", bj::object{{"instrument", "gad-7"}, {"every_days", 0}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"every_days"});
  auto due = clin->get("/api/v1/assessments/due?mine=true");
  ASSERT_EQ(due.status, 200);
  const auto items = due.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("client_name").as_string(), "Ada Lovelace");
  EXPECT_EQ(items[0].at("instrument").as_string(), "gad-7");
  EXPECT_EQ(clin->get(base + "/schedules").json().at("items").as_array().size(), 1u);
  auto stopped = clin->del(base + "/schedules/" + sid);
  ASSERT_EQ(stopped.status, 200);
  EXPECT_FALSE(stopped.json().at("active").as_bool());
  EXPECT_TRUE(clin->get("/api/v1/assessments/due").json().at("items").as_array().empty());
}

TEST_F(AssessmentApi, ALinkIsAnsweredWithoutAnAccountOnce) {
  auto link = clin->post(base + "/assessment-links", bj::object{{"instrument", "phq-9"}});
  ASSERT_EQ(link.status, 201) << link.body;
  const std::string url(link.json().at("url").as_string());
  const std::string token = url.substr(3);
  HttpClient anon(server->base_url());
  auto open = anon.get("/api/v1/assessment-links/" + token);
  ASSERT_EQ(open.status, 200);
  EXPECT_EQ(open.json().at("instrument").at("id").as_string(), "phq-9");
  EXPECT_EQ(open.body.find("Lovelace"), std::string::npos) << "no client details";
  auto bad =
      anon.post("/api/v1/assessment-links/" + token, bj::object{{"answers", answers({{"q1", 1}})}});
  EXPECT_EQ(bad.status, 422);
  auto sent = anon.request("POST", "/api/v1/assessment-links/" + token,
                           bj::serialize(bj::object{{"answers", phq9(3, 3, 3, 3, 3, 3, 0, 0, 2)}}),
                           {{"Content-Type", "application/json"}, {"Idempotency-Key", "phone-1"}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_TRUE(sent.json().at("needs_follow_up").as_bool());
  EXPECT_EQ(sent.json().at("band").at("label").as_string(), "Severe");
  auto retry = anon.request("POST", "/api/v1/assessment-links/" + token,
                            bj::serialize(bj::object{{"answers", phq9(3, 3, 3, 3, 3, 3, 0, 0, 2)}}),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", "phone-1"}});
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(anon.get("/api/v1/assessment-links/" + token).status, 404);
  EXPECT_EQ(anon.post("/api/v1/assessment-links/" + token,
                      bj::object{{"answers", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0)}})
                .status,
            404);
  auto hist = clin->get(base + "/assessments").json().at("items").as_array();
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].at("via").as_string(), "link");
}

TEST_F(AssessmentApi, AClientAnswersInThePortalForThemselvesOnly) {
  server->add_user("ada", "client", client_id);
  auto ada = server->client_for("ada");
  auto mine = submit(
      *ada,
      {{"instrument", "gad-7"},
       {"answers",
        answers({{"q1", 1}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 0}, {"q6", 0}, {"q7", 0}})}});
  ASSERT_EQ(mine.status, 201) << mine.body;
  EXPECT_EQ(mine.json().at("via").as_string(), "portal");
  EXPECT_EQ(ada->get(base + "/assessments").status, 200);
  EXPECT_EQ(ada->get(base + "/schedules").status, 200);
  EXPECT_EQ(
      ada->post(base + "/schedules", bj::object{{"instrument", "gad-7"}, {"every_days", 7}}).status,
      403);
  auto other = clin->post("/api/v1/clients", bj::object{{"given_name", "Grace"},
                                                        {"family_name", "Hopper"},
                                                        {"date_of_birth", "1980-01-01"}});
  const std::string other_base =
      "/api/v1/clients/" + std::string(other.json().at("id").as_string());
  EXPECT_EQ(ada->get(other_base + "/assessments").status, 404);
  EXPECT_EQ(ada->get(other_base + "/measures").status, 404);
  EXPECT_EQ(ada->get(other_base + "/schedules").status, 404);
  EXPECT_EQ(
      ada->post(other_base + "/assessments",
                bj::object{{"instrument", "gad-2"}, {"answers", answers({{"q1", 0}, {"q2", 0}})}})
          .status,
      404);
  EXPECT_EQ(ada->post(other_base + "/assessment-links", bj::object{{"instrument", "gad-2"}}).status,
            404);
  EXPECT_EQ(ada->get("/api/v1/assessments/due").status, 403);
}

TEST_F(AssessmentApi, PublishedPhq9QuestionnairesImportAndScoreLikeTheBuiltIn) {
  const std::vector<std::pair<std::string, std::string>> fixtures{
      {"lhc", "lhc-phq9-questionnaire.json"},
      {"lhc-weight", "lhc-phq9-weight-function-questionnaire.json"},
      {"argonaut", "argonaut-phq9-grouped-questionnaire.json"}};
  const auto builtin =
      submit(*clin, {{"instrument", "phq-9"}, {"answers", phq9(3, 2, 2, 1, 1, 1, 2, 0, 1)}});
  ASSERT_EQ(builtin.status, 201);
  for (const auto& [id, file] : fixtures) {
    auto imported = clin->post("/api/v1/instruments/import",
                               bj::object{{"id", id}, {"questionnaire", bj::parse(fixture(file))}});
    ASSERT_EQ(imported.status, 201) << file << ": " << imported.body;
    // Answer each scored item with the built-in's values, in order.
    const auto detail = imported.json();
    std::vector<std::string> scored;
    bj::array a;
    for (const auto& it : detail.at("items").as_array()) {
      const auto& options = it.at("options").as_array();
      if (!options.empty() && scored.size() < 9) {
        scored.emplace_back(it.at("linkId").as_string());
      } else if (it.at("required").as_bool()) {
        // Other required questions (e.g. how difficult) are answered but do not score.
        a.push_back(bj::object{{"linkId", it.at("linkId")}, {"value", 0}});
      }
    }
    ASSERT_EQ(scored.size(), 9u) << file;
    const int values[] = {3, 2, 2, 1, 1, 1, 2, 0, 1};
    for (std::size_t i = 0; i < 9; ++i)
      a.push_back(bj::object{{"linkId", scored[i]}, {"value", values[i]}});
    auto r = submit(*clin, {{"instrument", id}, {"answers", a}});
    ASSERT_EQ(r.status, 201) << file << ": " << r.body;
    EXPECT_EQ(r.json().at("total"), builtin.json().at("total")) << file;
    EXPECT_EQ(r.json().at("band"), builtin.json().at("band")) << file;
    EXPECT_EQ(r.json().at("flags").as_array().size(), 1u) << file;
  }
  auto again =
      clin->post("/api/v1/instruments/import",
                 bj::object{{"id", "lhc"},
                            {"questionnaire", bj::parse(fixture("lhc-phq9-questionnaire.json"))}});
  EXPECT_EQ(again.status, 409);
  auto not_q = clin->post(
      "/api/v1/instruments/import",
      bj::object{{"id", "x1"}, {"questionnaire", bj::object{{"resourceType", "Patient"}}}});
  EXPECT_EQ(not_q.status, 422) << not_q.body;
  EXPECT_EQ(clin->get("/api/v1/instruments/lhc").status, 200);
}

}  // namespace
}  // namespace tend::testing
