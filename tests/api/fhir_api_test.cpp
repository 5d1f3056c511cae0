// FHIR R4 over HTTP: the library as Questionnaires, QuestionnaireResponses scored and stored
// (to a built-in and to an imported published questionnaire), totals as LOINC Observations
// over time, and OperationOutcome for every refusal.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "support/api.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/../shared/fixtures/fhir/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* k_phq_codes[] = {"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"};

//! A QuestionnaireResponse answering `items` with option codes for `values`.
bj::object response(const std::string& questionnaire, const std::string& patient,
                    const std::vector<std::string>& items, const std::vector<int>& values) {
  bj::array answered;
  for (std::size_t i = 0; i < items.size(); ++i) {
    answered.push_back(bj::object{
        {"linkId", items[i]},
        {"answer",
         bj::array{bj::object{{"valueCoding", bj::object{{"system", "http://loinc.org"},
                                                         {"code", k_phq_codes[values[i]]}}}}}}});
  }
  return {{"resourceType", "QuestionnaireResponse"},
          {"status", "completed"},
          {"questionnaire", questionnaire},
          {"subject", bj::object{{"reference", "Patient/" + patient}}},
          {"authored", "2026-11-10T09:00:00Z"},
          {"item", std::move(answered)}};
}

class FhirApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    clin = server->client_for("clin");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    ASSERT_EQ(c.status, 201);
    patient = std::string(c.json().at("id").as_string());
  }

  HttpResponse post_fhir(HttpClient& who, const std::string& path, const bj::object& body) {
    return who.request("POST", path, bj::serialize(body),
                       {{"Content-Type", "application/fhir+json"}});
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin;
  std::string patient;
};

const std::vector<std::string> k_builtin_items{"q1", "q2", "q3", "q4", "q5",
                                               "q6", "q7", "q8", "q9"};

TEST_F(FhirApi, TheLibraryIsServedAsQuestionnaires) {
  HttpClient anon(server->base_url());
  auto meta = anon.get("/fhir/metadata");
  ASSERT_EQ(meta.status, 200);
  EXPECT_EQ(meta.json().at("fhirVersion").as_string(), "4.0.1");
  EXPECT_EQ(anon.get("/fhir/Questionnaire").status, 401);
  auto all = clin->get("/fhir/Questionnaire");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.header("content-type").rfind("application/fhir+json", 0), 0u);
  EXPECT_GE(all.json().at("total").as_int64(), 19);
  auto phq = clin->get("/fhir/Questionnaire/phq-9");
  ASSERT_EQ(phq.status, 200);
  EXPECT_EQ(phq.json().at("code").as_array()[0].at("code").as_string(), "44249-1");
  auto missing = clin->get("/fhir/Questionnaire/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json().at("resourceType").as_string(), "OperationOutcome");
}

TEST_F(FhirApi, AResponseIsScoredStoredAndItsTotalsAreObservationsOverTime) {
  auto first = post_fhir(*clin, "/fhir/QuestionnaireResponse",
                         response("urn:tend:questionnaire:phq-9", patient, k_builtin_items,
                                  {3, 3, 2, 2, 2, 1, 1, 1, 0}));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.json().at("resourceType").as_string(), "QuestionnaireResponse");
  const std::string id(first.json().at("id").as_string());
  EXPECT_EQ(first.header("location"), "/fhir/QuestionnaireResponse/" + id);
  auto second = post_fhir(
      *clin, "/fhir/QuestionnaireResponse",
      response("Questionnaire/phq-9", patient, k_builtin_items, {1, 1, 1, 0, 0, 0, 0, 0, 0}));
  ASSERT_EQ(second.status, 201) << second.body;

  auto obs = clin->get("/fhir/Observation?subject=Patient/" + patient +
                       "&code=http://loinc.org%7C44261-6");
  ASSERT_EQ(obs.status, 200) << obs.body;
  const auto b = obs.json();
  ASSERT_EQ(b.at("total").as_int64(), 2);
  const auto& e = b.at("entry").as_array();
  EXPECT_EQ(e[0].at("resource").at("valueQuantity").at("value").as_int64(), 15);
  EXPECT_EQ(e[1].at("resource").at("valueQuantity").at("value").as_int64(), 3);
  EXPECT_EQ(clin->get("/fhir/Observation?subject=Patient/" + patient + "&code=70274-6")
                .json()
                .at("total")
                .as_int64(),
            0);

  auto read = clin->get("/fhir/QuestionnaireResponse/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json().at("subject").at("reference").as_string(), "Patient/" + patient);
  auto listed = clin->get("/fhir/QuestionnaireResponse?subject=Patient/" + patient);
  EXPECT_EQ(listed.json().at("total").as_int64(), 2);
  const std::string obs_id(e[0].at("resource").at("id").as_string());
  EXPECT_EQ(clin->get("/fhir/Observation/" + obs_id).status, 200);

  // The same through the REST API: one store, two views.
  EXPECT_EQ(
      clin->get("/api/v1/clients/" + patient + "/assessments").json().at("items").as_array().size(),
      2u);

  auto other = server->client_for("other");
  EXPECT_EQ(other->get("/fhir/QuestionnaireResponse/" + id).status, 404);
  EXPECT_EQ(other->get("/fhir/Observation?subject=Patient/" + patient).status, 404);
}

TEST_F(FhirApi, AResponseToAnImportedPublishedQuestionnaireScoresLikeTheBuiltIn) {
  const auto q = bj::parse(fixture("lhc-phq9-questionnaire.json")).as_object();
  auto imported = clin->post("/api/v1/instruments/import",
                             bj::object{{"id", "lhc-phq-9"}, {"questionnaire", q}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  std::vector<std::string> items;
  const auto detail = imported.json();
  for (const auto& it : detail.at("items").as_array()) {
    if (it.at("options").as_array().size() == 4 && items.size() < 9)
      items.emplace_back(it.at("linkId").as_string());
  }
  ASSERT_EQ(items.size(), 9u);
  // This published form has no canonical url: it is referred to by its id here.
  const std::string url =
      q.contains("url") ? std::string(q.at("url").as_string()) : "Questionnaire/lhc-phq-9";
  auto r = post_fhir(*clin, "/fhir/QuestionnaireResponse",
                     response(url, patient, items, {3, 3, 2, 2, 2, 1, 1, 1, 1}));
  ASSERT_EQ(r.status, 201) << r.body;
  auto b = post_fhir(*clin, "/fhir/QuestionnaireResponse",
                     response("urn:tend:questionnaire:phq-9", patient, k_builtin_items,
                              {3, 3, 2, 2, 2, 1, 1, 1, 1}));
  ASSERT_EQ(b.status, 201);
  const auto hist = clin->get("/api/v1/clients/" + patient + "/assessments").json();
  const auto& items_json = hist.at("items").as_array();
  ASSERT_EQ(items_json.size(), 2u);
  EXPECT_EQ(items_json[0].at("total"), items_json[1].at("total"));
  EXPECT_EQ(items_json[0].at("band"), items_json[1].at("band"));
  ASSERT_EQ(items_json[0].at("flags").as_array().size(), 1u);
  ASSERT_EQ(items_json[1].at("flags").as_array().size(), 1u);
  EXPECT_EQ(items_json[0].at("flags").as_array()[0].at("code"),
            items_json[1].at("flags").as_array()[0].at("code"));
}

TEST_F(FhirApi, RefusalsAreOperationOutcomesNamingTheElement) {
  auto unknown = post_fhir(*clin, "/fhir/QuestionnaireResponse",
                           response("http://example.org/Questionnaire/x", patient, k_builtin_items,
                                    {0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(unknown.json().at("resourceType").as_string(), "OperationOutcome");
  auto no_subject = response("urn:tend:questionnaire:phq-9", patient, k_builtin_items,
                             {0, 0, 0, 0, 0, 0, 0, 0, 0});
  no_subject.erase("subject");
  EXPECT_EQ(post_fhir(*clin, "/fhir/QuestionnaireResponse", no_subject).status, 422);
  auto bad_code = response("urn:tend:questionnaire:phq-9", patient, k_builtin_items,
                           {0, 0, 0, 0, 0, 0, 0, 0, 0});
  bad_code["item"]
      .as_array()[2]
      .as_object()["answer"]
      .as_array()[0]
      .as_object()["valueCoding"]
      .as_object()["code"] = "LA0000-0";
  auto bc = post_fhir(*clin, "/fhir/QuestionnaireResponse", bad_code);
  EXPECT_EQ(bc.status, 422);
  EXPECT_NE(bc.body.find("item[2]"), std::string::npos) << bc.body;
  auto short_form = response("urn:tend:questionnaire:phq-9", patient, {"q1"}, {1});
  auto sf = post_fhir(*clin, "/fhir/QuestionnaireResponse", short_form);
  EXPECT_EQ(sf.status, 422);
  EXPECT_NE(sf.body.find("q2"), std::string::npos);
  auto wrong_type =
      bj::object{{"resourceType", "Patient"}, {"questionnaire", "urn:tend:questionnaire:phq-9"}};
  EXPECT_EQ(post_fhir(*clin, "/fhir/QuestionnaireResponse", wrong_type).status, 422);
  EXPECT_EQ(clin->get("/fhir/Observation").status, 400);
  EXPECT_EQ(
      clin->get("/fhir/Observation?subject=Patient/" + patient + "&code=http://snomed.info/sct%7C1")
          .status,
      400);
  EXPECT_EQ(
      clin->get("/api/v1/clients/" + patient + "/assessments").json().at("items").as_array().size(),
      0u);
}

}  // namespace
}  // namespace tend::testing
