#include "fhir/assessment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "assessment/questionnaire.h"

namespace tend::fhir {
namespace {

namespace bj = boost::json;
using assessment::Answers;
using assessment::Assessment;
using assessment::Instrument;
using ::testing::HasSubstr;

const std::string k_fixtures = TEND_SOURCE_DIR "/../shared/fixtures/fhir/";

bj::object read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return bj::parse(ss.str()).as_object();
}

// An instrument read from a Questionnaire: its items, the Questionnaire as stored, and a total
// over the first nine items.
Instrument instrument_from(const bj::object& q, const std::string& id) {
  auto p = assessment::parse_questionnaire(q);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().detail);
  Instrument in;
  in.id = id;
  in.items = p->items;
  in.questionnaire_json = bj::serialize(q);
  assessment::ScoreRule total;
  total.id = "total";
  total.name = "PHQ-9 total score";
  total.loinc = "44261-6";
  for (std::size_t i = 0; i < 9 && i < in.items.size(); ++i) {
    total.items.push_back(in.items[i].link_id);
  }
  in.total = total;
  return in;
}

const Instrument& phq9() {
  static const Instrument in = instrument_from(
      read_json(TEND_SOURCE_DIR "/content/instruments/phq-9.json").at("questionnaire").as_object(),
      "phq-9");
  return in;
}

const Instrument& lhc_phq9() {
  static const Instrument in = [] {
    auto imported = assessment::import_questionnaire(
        read_json(k_fixtures + "lhc-phq9-questionnaire.json"), "lhc-phq9", {});
    EXPECT_TRUE(imported.ok());
    return *imported;
  }();
  return in;
}

const Instrument& argonaut_phq9() {
  static const Instrument in =
      instrument_from(read_json(k_fixtures + "argonaut-phq9-grouped-questionnaire.json"), "arg");
  return in;
}

// A yes/no gate, a count asked only after "yes", and a 0..2 choice.
const Instrument& mixed() {
  static const Instrument in = instrument_from(bj::parse(R"({
    "resourceType": "Questionnaire",
    "item": [
      {"linkId": "used", "type": "boolean", "text": "Used this month?", "item": [
        {"linkId": "days", "type": "integer", "text": "On how many days?", "extension": [
          {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
          {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 30}]}]},
      {"linkId": "often", "type": "open-choice", "answerOption": [
        {"valueString": "never", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}]},
        {"valueString": "sometimes", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1}]},
        {"valueString": "often", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 2}]}]},
      {"linkId": "note", "type": "string"}
    ]})")
                                                   .as_object(),
                                               "mixed");
  return in;
}

bj::object response(std::string_view items) {
  bj::object qr = bj::parse(R"({"resourceType": "QuestionnaireResponse", "status": "completed",
                                "questionnaire": "urn:tend:questionnaire:phq-9",
                                "subject": {"reference": "Patient/cl_1"},
                                "authored": "2026-01-02T10:00:00+01:00"})")
                      .as_object();
  qr["item"] = bj::parse(items);
  return qr;
}

void expect_refused(const Result<ResponseIn>& r, const std::string& field,
                    const std::string& words) {
  ASSERT_FALSE(r.ok()) << "expected a refusal at " << field;
  EXPECT_EQ(r.error().code, Errc::Validation);
  ASSERT_EQ(r.error().errors.size(), 1u);
  EXPECT_EQ(r.error().errors[0].field, field) << r.error().errors[0].message;
  EXPECT_THAT(r.error().errors[0].message, HasSubstr(words));
}

Assessment result(const Instrument& in, Answers answers) {
  Assessment a;
  a.id = "as_1";
  a.client_id = "cl_1";
  a.instrument_id = in.id;
  a.completed_at_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  a.answers = std::move(answers);
  return a;
}

// ---- read_response ------------------------------------------------------------------------------

TEST(FhirReadResponse, CodesWithAndWithoutSystem) {
  auto r = read_response(response(R"([
      {"linkId": "q1", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6569-3"}}]},
      {"linkId": "intro"},
      {"linkId": "q2", "text": "Feeling down", "answer": [{"valueCoding": {"code": "LA6571-9", "display": "Nearly every day"}}]},
      {"linkId": "q3", "answer": []},
      {"linkId": "difficulty", "answer": [{"valueCoding": {"code": "LA6575-0"}}]}])"),
                         phq9());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->questionnaire, "urn:tend:questionnaire:phq-9");
  EXPECT_EQ(r->subject_id, "cl_1");
  EXPECT_EQ(r->authored, "2026-01-02T10:00:00+01:00");
  EXPECT_EQ(r->answers, (Answers{{"q1", 1}, {"q2", 3}, {"difficulty", 2}}));
}

TEST(FhirReadResponse, NestedGroupsAndUnscoredItems) {
  auto r = read_response(response(R"([
      {"linkId": "g1", "item": [
        {"linkId": "g1.d"},
        {"linkId": "g1.q1", "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1"}}]},
        {"linkId": "g1.q9", "answer": [{"valueCoding": {"code": "LA6569-3"}}]},
        {"linkId": "g1.s"}]},
      {"linkId": "g2", "item": [
        {"linkId": "g2.q1", "answer": [{"valueCoding": {"code": "LA6573-5"}}]}]}])"),
                         argonaut_phq9());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  // g2.q1 (difficulty, no values) is accepted and not scored.
  EXPECT_EQ(r->answers, (Answers{{"g1.q1", 2}, {"g1.q9", 1}}));
}

TEST(FhirReadResponse, CalculatedTotalIsIgnored) {
  auto r = read_response(response(R"([
      {"linkId": "/44250-9", "answer": [{"valueCoding": {"code": "LA6571-9"}}]},
      {"linkId": "/44261-6", "answer": [{"valueDecimal": 25}]},
      {"linkId": "/69722-7", "answer": [{"valueCoding": {"code": "LA6574-3"}}]}])"),
                         lhc_phq9());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->answers, (Answers{{"/44250-9", 3}}));
}

TEST(FhirReadResponse, BooleanIntegerAndStringAnswers) {
  auto r = read_response(response(R"([
      {"linkId": "used", "answer": [{"valueBoolean": true, "item": [
        {"linkId": "days", "answer": [{"valueInteger": 12}]}]}]},
      {"linkId": "often", "answer": [{"valueString": "sometimes"}]},
      {"linkId": "note", "answer": [{"valueString": "free text is not kept"}]}])"),
                         mixed());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->answers, (Answers{{"used", 1}, {"days", 12}, {"often", 1}}));
  auto by_value = read_response(response(R"([
      {"linkId": "used", "answer": [{"valueBoolean": false}]},
      {"linkId": "days", "answer": [{"valueDecimal": 2.5}]},
      {"linkId": "often", "answer": [{"valueInteger": 2}]}])"),
                                mixed());
  ASSERT_TRUE(by_value.ok()) << by_value.error().detail;
  EXPECT_EQ(by_value->answers, (Answers{{"used", 0}, {"days", 2.5}, {"often", 2}}));
}

TEST(FhirReadResponse, BooleanByValueWhenOptionsAreNotYesNo) {
  Instrument in = phq9();  // q1: 0..3, none labelled Yes/No
  auto r = read_response(response(R"([{"linkId": "q1", "answer": [{"valueBoolean": true}]}])"), in);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->answers.at("q1"), 1);
}

TEST(FhirReadResponse, WithoutSubjectOrAuthored) {
  bj::object qr = response("[]");
  qr.erase("subject");
  qr.erase("authored");
  qr["status"] = "amended";
  auto r = read_response(qr, phq9());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->subject_id, "");
  EXPECT_FALSE(r->authored);
  EXPECT_TRUE(r->answers.empty());
}

TEST(FhirReadResponseRefused, NotAQuestionnaireResponse) {
  bj::object qr = response("[]");
  qr["resourceType"] = "Questionnaire";
  expect_refused(read_response(qr, phq9()), "resourceType", "must be QuestionnaireResponse");
}

TEST(FhirReadResponseRefused, StatusNotFinished) {
  for (const char* status : {"in-progress", "stopped", "entered-in-error"}) {
    bj::object qr = response("[]");
    qr["status"] = status;
    expect_refused(read_response(qr, phq9()), "status", "completed or amended");
  }
  bj::object qr = response("[]");
  qr.erase("status");
  expect_refused(read_response(qr, phq9()), "status", "completed or amended");
}

TEST(FhirReadResponseRefused, UnknownLinkId) {
  expect_refused(read_response(response(R"([{"linkId": "g1", "item": [
                                   {"linkId": "g1.q1"}, {"linkId": "g1.q10"}]}])"),
                               argonaut_phq9()),
                 "item[0].item[1].linkId", "'g1.q10' is not an item of arg");
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [
                                   {"valueCoding": {"code": "LA6568-5"},
                                    "item": [{"linkId": "zz"}]}]}])"),
                               phq9()),
                 "item[0].answer[0].item[0].linkId", "'zz'");
  expect_refused(read_response(response(R"([{"text": "no id"}])"), phq9()), "item[0].linkId",
                 "no linkId");
}

TEST(FhirReadResponseRefused, CodeThatIsNotAnOption) {
  auto items = R"([
      {"linkId": "q1", "answer": [{"valueCoding": {"code": "LA6568-5"}}]},
      {"linkId": "q2", "answer": [{"valueCoding": {"code": "LA6568-5"}}]},
      {"linkId": "q3", "answer": [{"valueCoding": {"code": "LA6568-5"}}]},
      {"linkId": "q4", "answer": [{"valueCoding": {"code": "LA18938-3"}}]}])";
  expect_refused(read_response(response(items), phq9()), "item[3].answer[0].valueCoding",
                 "code 'LA18938-3' is not one of the options of item 'q4'");
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [{"valueCoding":
                                  {"system": "http://snomed.info/sct", "code": "LA6568-5"}}]}])"),
                               phq9()),
                 "item[0].answer[0].valueCoding", "not one of the options");
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [{"valueCoding":
                                            {"display": "Not at all"}}]}])"),
                               phq9()),
                 "item[0].answer[0].valueCoding", "no code");
}

TEST(FhirReadResponseRefused, MoreThanOneAnswer) {
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [
                                   {"valueCoding": {"code": "LA6568-5"}},
                                   {"valueCoding": {"code": "LA6569-3"}}]}])"),
                               phq9()),
                 "item[0].answer[1]", "more than one answer");
  expect_refused(
      read_response(
          response(R"([{"linkId": "q1", "answer": [{"valueCoding": {"code": "LA6568-5"}}]},
                                 {"linkId": "q1", "answer": [{"valueCoding": {"code": "LA6569-3"}}]}])"),
          phq9()),
      "item[1].linkId", "answered more than once");
}

TEST(FhirReadResponseRefused, ValuesThatDoNotFit) {
  expect_refused(
      read_response(response(R"([{"linkId": "q1", "answer": [{"valueInteger": 7}]}])"), phq9()),
      "item[0].answer[0].valueInteger", "7 is not the value of an option");
  expect_refused(read_response(response(R"([{"linkId": "days", "answer": [
                                   {"valueCoding": {"code": "x"}}]}])"),
                               mixed()),
                 "item[0].answer[0].valueCoding", "needs valueInteger");
  expect_refused(read_response(response(R"([{"linkId": "often", "answer": [
                                   {"valueString": "daily"}]}])"),
                               mixed()),
                 "item[0].answer[0].valueString", "not one of the options");
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [
                                   {"valueDate": "2026-01-01"}]}])"),
                               phq9()),
                 "item[0].answer[0].valueDate", "does not fit");
  expect_refused(read_response(response(R"([{"linkId": "q1", "answer": [{}]}])"), phq9()),
                 "item[0].answer[0]", "no value");
  expect_refused(
      read_response(response(R"([{"linkId": "q1", "answer": [{"valueBoolean": 1}]}])"), phq9()),
      "item[0].answer[0].valueBoolean", "true or false");
}

TEST(FhirReadResponseRefused, SubjectAndAuthored) {
  bj::object qr = response("[]");
  qr["subject"] = bj::parse(R"({"reference": "Group/g1"})");
  expect_refused(read_response(qr, phq9()), "subject.reference", "Patient/{id}");
  qr["subject"] = bj::parse(R"({"reference": "Patient/"})");
  expect_refused(read_response(qr, phq9()), "subject.reference", "Patient/{id}");
  qr = response("[]");
  qr["authored"] = "2026-01-02";
  expect_refused(read_response(qr, phq9()), "authored", "RFC 3339");
}

// ---- to_questionnaire_response ------------------------------------------------------------------

TEST(FhirQuestionnaireResponse, Shape) {
  bj::object qr =
      to_questionnaire_response(result(phq9(), {{"q1", 2}, {"difficulty", 0}}), phq9(), "");
  EXPECT_EQ(qr.at("resourceType").as_string(), "QuestionnaireResponse");
  EXPECT_EQ(qr.at("id").as_string(), "as_1");
  EXPECT_EQ(qr.at("status").as_string(), "completed");
  EXPECT_EQ(qr.at("questionnaire").as_string(), "urn:tend:questionnaire:phq-9");
  EXPECT_EQ(qr.at("subject"), bj::parse(R"({"reference": "Patient/cl_1"})"));
  EXPECT_EQ(qr.at("authored").as_string(), "2026-01-01T00:00:00.000Z");
  const bj::array& items = qr.at("item").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0], bj::parse(R"({"linkId": "q1",
      "text": "Little interest or pleasure in doing things",
      "answer": [{"valueCoding": {"system": "http://loinc.org", "code": "LA6570-1",
                  "display": "More than half the days",
                  "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                 "valueDecimal": 2}]}}]})"));
  EXPECT_EQ(items[1].at("linkId").as_string(), "difficulty");

  bj::object imported = to_questionnaire_response(result(lhc_phq9(), {{"/44250-9", 1}}), lhc_phq9(),
                                                  "http://example.org/Questionnaire/phq9");
  EXPECT_EQ(imported.at("questionnaire").as_string(), "http://example.org/Questionnaire/phq9");
  const bj::object& coding =
      imported.at("item").as_array()[0].at("answer").as_array()[0].at("valueCoding").as_object();
  EXPECT_FALSE(coding.contains("system"));  // the form's options carry none
  EXPECT_EQ(coding.at("code").as_string(), "LA6569-3");
}

TEST(FhirQuestionnaireResponse, IntegerItems) {
  bj::object qr =
      to_questionnaire_response(result(mixed(), {{"days", 4}, {"used", 1}}), mixed(), "");
  const bj::array& items = qr.at("item").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("linkId").as_string(), "used");
  EXPECT_EQ(items[0].at("answer").as_array()[0].at("valueCoding").at("code").as_string(), "LA33-6");
  EXPECT_EQ(items[1].at("answer"), bj::parse(R"([{"valueInteger": 4}])"));
}

TEST(FhirQuestionnaireResponse, RoundTrip) {
  struct Case {
    const Instrument* in;
    Answers answers;
  };
  const std::vector<Case> cases = {
      {&phq9(),
       {{"q1", 0},
        {"q2", 1},
        {"q3", 2},
        {"q4", 3},
        {"q5", 0},
        {"q6", 1},
        {"q7", 2},
        {"q8", 3},
        {"q9", 1},
        {"difficulty", 2}}},
      {&lhc_phq9(), {{"/44250-9", 3}, {"/44260-8", 0}, {"/44253-3", 2}}},
      {&argonaut_phq9(), {{"g1.q1", 1}, {"g1.q9", 3}}},
      {&mixed(), {{"used", 1}, {"days", 30}, {"often", 2}}},
      {&mixed(), {{"used", 0}, {"days", 2.5}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in->id);
    bj::object qr = to_questionnaire_response(result(*c.in, c.answers), *c.in, "");
    auto back = read_response(qr, *c.in);
    ASSERT_TRUE(back.ok()) << back.error().detail
                           << (back.error().errors.empty() ? "" : back.error().errors[0].field);
    EXPECT_EQ(back->answers, c.answers);
    EXPECT_EQ(back->subject_id, "cl_1");
    EXPECT_EQ(back->authored, "2026-01-01T00:00:00.000Z");
    EXPECT_EQ(back->questionnaire, "urn:tend:questionnaire:" + c.in->id);
  }
}

// ---- to_observations ----------------------------------------------------------------------------

TEST(FhirObservations, TotalWithBandAndCodedSubscales) {
  Instrument in = phq9();
  assessment::ScoreRule coded;
  coded.id = "somatic";
  coded.name = "Somatic";
  coded.loinc = "12345-6";
  assessment::ScoreRule uncoded;
  uncoded.id = "cognitive";
  uncoded.name = "Cognitive";
  in.subscales = {coded, uncoded};
  Assessment a = result(in, {});
  a.score.total = 12;
  a.score.band = assessment::Band{"moderate", "Moderate", "", 10, 14, std::nullopt};
  a.score.subscales = {{"somatic", "Somatic", 4.5, std::nullopt},
                       {"cognitive", "Cognitive", 7, std::nullopt}};
  auto obs = to_observations(a, in);
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[0], bj::parse(R"({
      "resourceType": "Observation", "id": "as_1-total", "status": "final",
      "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "survey", "display": "Survey"}]}],
      "code": {"coding": [{"system": "http://loinc.org", "code": "44261-6",
                           "display": "PHQ-9 total score"}], "text": "PHQ-9 total score"},
      "subject": {"reference": "Patient/cl_1"},
      "effectiveDateTime": "2026-01-01T00:00:00.000Z",
      "valueQuantity": {"value": 12, "unit": "{score}", "system": "http://unitsofmeasure.org",
                        "code": "{score}"},
      "derivedFrom": [{"reference": "QuestionnaireResponse/as_1"}],
      "interpretation": [{"text": "Moderate"}]})"));
  EXPECT_EQ(obs[1].at("id").as_string(), "as_1-somatic");
  EXPECT_EQ(obs[1].at("code").at("coding").as_array()[0].at("code").as_string(), "12345-6");
  EXPECT_EQ(obs[1].at("valueQuantity").at("value").as_double(), 4.5);
  EXPECT_FALSE(obs[1].contains("interpretation"));
}

TEST(FhirObservations, NothingWithoutCodeOrScore) {
  Instrument in = phq9();
  Assessment a = result(in, {});
  EXPECT_TRUE(to_observations(a, in).empty());  // no total in the result (C-SSRS)
  a.score.total = 3;
  EXPECT_EQ(to_observations(a, in).size(), 1u);
  EXPECT_FALSE(to_observations(a, in)[0].contains("interpretation"));  // no band
  in.total->loinc.clear();
  EXPECT_TRUE(to_observations(a, in).empty());
}

// ---- operation_outcome --------------------------------------------------------------------------

TEST(FhirOperationOutcome, OneIssuePerField) {
  Error e = make_error(Errc::Validation, "answers do not fit phq-9",
                       {{"item[3].answer[0].valueCoding", "code 'x' is not one of the options"},
                        {"status", "status must be completed or amended"}});
  EXPECT_EQ(operation_outcome(e), bj::parse(R"({"resourceType": "OperationOutcome", "issue": [
      {"severity": "error", "code": "invalid", "diagnostics": "code 'x' is not one of the options",
       "expression": ["item[3].answer[0].valueCoding"]},
      {"severity": "error", "code": "invalid", "diagnostics": "status must be completed or amended",
       "expression": ["status"]}]})"));
}

TEST(FhirOperationOutcome, ErrorsWithoutFields) {
  auto issue = [](const Error& e) { return operation_outcome(e).at("issue").as_array()[0]; };
  EXPECT_EQ(issue(not_found("instrument x")),
            bj::parse(R"({"severity": "error", "code": "not-found",
                          "diagnostics": "instrument x not found"})"));
  EXPECT_EQ(issue(make_error(Errc::Forbidden, "no")).at("code").as_string(), "forbidden");
  EXPECT_EQ(issue(make_error(Errc::Conflict, "dup")).at("code").as_string(), "conflict");
  EXPECT_EQ(issue(make_error(Errc::BadRequest, "bad json")).at("code").as_string(), "structure");
  EXPECT_EQ(issue(make_error(Errc::Unauthenticated, "who")).at("code").as_string(), "login");
  EXPECT_EQ(issue(make_error(Errc::TooManyRequests, "slow")).at("code").as_string(), "throttled");
  EXPECT_EQ(issue(make_error(Errc::Internal, "oops")).at("code").as_string(), "exception");
}

TEST(FhirOperationOutcome, FromARefusedResponse) {
  auto r =
      read_response(response(R"([{"linkId": "q1", "answer": [{"valueInteger": 9}]}])"), phq9());
  ASSERT_FALSE(r.ok());
  bj::object oo = operation_outcome(r.error());
  EXPECT_EQ(oo.at("issue").as_array()[0].at("expression"),
            bj::parse(R"(["item[0].answer[0].valueInteger"])"));
}

}  // namespace
}  // namespace tend::fhir
