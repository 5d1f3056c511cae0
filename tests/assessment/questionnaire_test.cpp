#include "assessment/questionnaire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tend::assessment {
namespace {

namespace bj = boost::json;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const std::string k_fixtures = TEND_SOURCE_DIR "/../shared/fixtures/fhir/";
const std::string k_ordinal = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
const std::string k_calculated =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";

const std::vector<std::string> k_lhc_items = {"/44250-9", "/44255-8", "/44259-0",
                                              "/44254-1", "/44251-7", "/44258-2",
                                              "/44252-5", "/44253-3", "/44260-8"};
const std::vector<std::string> k_argonaut_items = {"g1.q1", "g1.q2", "g1.q3", "g1.q4", "g1.q5",
                                                   "g1.q6", "g1.q7", "g1.q8", "g1.q9"};
const std::vector<std::string> k_phq9_loinc = {"44250-9", "44255-8", "44259-0",
                                               "44254-1", "44251-7", "44258-2",
                                               "44252-5", "44253-3", "44260-8"};

bj::object read_json(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f.good()) << path;
  std::stringstream ss;
  ss << f.rdbuf();
  return bj::parse(ss.str()).as_object();
}

bj::object fixture(const std::string& name) {
  return read_json(k_fixtures + name);
}

bj::object parse(std::string_view text) {
  return bj::parse(text).as_object();
}

std::vector<double> values(const Item& i) {
  std::vector<double> v;
  for (const auto& o : i.options) v.push_back(o.value);
  return v;
}

// ---- Small questionnaires built in the test ---------------------------------------------------

bj::object ordinal(double v) {
  return {{"url", k_ordinal}, {"valueDecimal", v}};
}

bj::object choice(const std::string& id, std::vector<double> vals = {0, 1, 2, 3},
                  const std::string& loinc = "") {
  bj::array options;
  for (std::size_t i = 0; i < vals.size(); ++i) {
    options.push_back(bj::object{
        {"valueCoding",
         {{"code", id + "-a" + std::to_string(i)}, {"display", "A" + std::to_string(i)}}},
        {"extension", bj::array{ordinal(vals[i])}}});
  }
  bj::object item{{"linkId", id},
                  {"type", "choice"},
                  {"text", "Question " + id},
                  {"answerOption", std::move(options)}};
  if (!loinc.empty()) {
    item["code"] = bj::array{bj::object{{"system", "http://loinc.org"}, {"code", loinc}}};
  }
  return item;
}

bj::object variable(const std::string& name, const std::string& expression) {
  return {{"url", "http://hl7.org/fhir/StructureDefinition/variable"},
          {"valueExpression",
           {{"name", name}, {"language", "text/fhirpath"}, {"expression", expression}}}};
}

bj::object calculated(const std::string& id, const std::string& expression,
                      bj::array variables = {}, const std::string& loinc = "") {
  bj::array ext = std::move(variables);
  ext.push_back(
      bj::object{{"url", k_calculated},
                 {"valueExpression", {{"language", "text/fhirpath"}, {"expression", expression}}}});
  bj::object item{{"linkId", id}, {"type", "decimal"}, {"text", "Total"}, {"extension", ext}};
  if (!loinc.empty()) {
    item["code"] = bj::array{bj::object{{"system", "http://loinc.org"}, {"code", loinc}}};
  }
  return item;
}

bj::object questionnaire(bj::array items, const std::string& panel = "") {
  bj::object q{{"resourceType", "Questionnaire"}, {"title", "Test"}, {"item", std::move(items)}};
  if (!panel.empty()) {
    q["code"] = bj::array{bj::object{{"system", "http://loinc.org"}, {"code", panel}}};
  }
  return q;
}

// a, b, c (0..3) and a total with `expression`; the root holds `vars`.
bj::object with_sum(const std::string& expression, bj::array vars = {}) {
  bj::object q =
      questionnaire({choice("a"), choice("b"), choice("c"), calculated("t", expression)});
  if (!vars.empty()) q["extension"] = std::move(vars);
  return q;
}

template <class T>
void expect_refused(const Result<T>& r, const std::string& field, const std::string& words) {
  ASSERT_FALSE(r.ok()) << "expected a refusal at " << field;
  EXPECT_EQ(r.error().code, Errc::Validation);
  ASSERT_EQ(r.error().errors.size(), 1u) << r.error().detail;
  EXPECT_EQ(r.error().errors[0].field, field) << r.error().errors[0].message;
  EXPECT_THAT(r.error().errors[0].message, HasSubstr(words));
}

// The built-in PHQ-9, by hand: items q1..q9 (+ difficulty), total, bands, the item-9 flag.
InstrumentPtr known_phq9(bool with_item_codes = true) {
  Instrument in;
  in.id = "phq-9";
  in.name = "PHQ-9";
  in.title = "Patient Health Questionnaire-9 (PHQ-9)";
  in.panel_loinc = "44249-1";
  in.respondents = {"self", "clinician"};
  auto options = [](std::vector<std::string> codes) {
    std::vector<AnswerOption> o;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      o.push_back(AnswerOption{static_cast<double>(i), "Option", codes[i], "http://loinc.org"});
    }
    return o;
  };
  for (int i = 1; i <= 9; ++i) {
    Item it;
    it.link_id = "q" + std::to_string(i);
    it.loinc = with_item_codes ? k_phq9_loinc[i - 1] : "";
    it.required = true;
    it.options = options({"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"});
    in.items.push_back(it);
  }
  Item difficulty;
  difficulty.link_id = "difficulty";
  difficulty.loinc = with_item_codes ? "69722-7" : "";
  difficulty.options = options({"LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"});
  in.items.push_back(difficulty);
  ScoreRule total;
  total.id = "total";
  total.name = "PHQ-9 total score";
  total.items = {"q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9"};
  total.max = 27;
  total.loinc = "44261-6";
  in.total = total;
  const std::vector<std::pair<std::string, double>> bands = {
      {"minimal", 0}, {"mild", 5}, {"moderate", 10}, {"moderately_severe", 15}, {"severe", 20}};
  for (const auto& [code, min] : bands) {
    Band b;
    b.code = code;
    b.label = code;
    b.min = min;
    in.bands.push_back(b);
  }
  FlagRule flag;
  flag.code = "suicidal_ideation";
  flag.severity = Severity::Critical;
  flag.items = {"q9"};
  flag.when = Condition{Condition::Kind::Item, "q9", ">=", 1, "", {}};
  in.flags.push_back(flag);
  in.caseness = Condition{Condition::Kind::Score, "total", ">=", 10, "", {}};
  in.change.reliable_change = 6;
  in.missing.max_missing = 0;
  return std::make_shared<const Instrument>(std::move(in));
}

// ---- Tend's own instrument files --------------------------------------------------------------

TEST(Questionnaire, BuiltInPhq9HasNineScoredItemsAndDifficulty) {
  bj::object file = read_json(TEND_SOURCE_DIR "/content/instruments/phq-9.json");
  auto p = parse_questionnaire(file.at("questionnaire").as_object());
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->id, "phq-9");
  EXPECT_EQ(p->url, "urn:tend:questionnaire:phq-9");
  EXPECT_EQ(p->panel_loinc, "44249-1");
  EXPECT_THAT(p->copyright, HasSubstr("Pfizer"));
  ASSERT_EQ(p->items.size(), 10u);  // the display item is left out
  for (int i = 0; i < 9; ++i) {
    const Item& it = p->items[i];
    EXPECT_EQ(it.link_id, "q" + std::to_string(i + 1));
    EXPECT_EQ(it.type, ItemType::Choice);
    EXPECT_EQ(it.loinc, k_phq9_loinc[i]);
    EXPECT_TRUE(it.required);
    EXPECT_THAT(values(it), ElementsAre(0, 1, 2, 3));
  }
  EXPECT_EQ(p->items[0].options[1].code, "LA6569-3");
  EXPECT_EQ(p->items[0].options[1].system, "http://loinc.org");
  EXPECT_EQ(p->items[0].options[1].label, "Several days");
  EXPECT_EQ(p->items[0].prefix, "1.");
  EXPECT_EQ(p->items[9].link_id, "difficulty");
  EXPECT_FALSE(p->items[9].required);
  EXPECT_THAT(values(p->items[9]), ElementsAre(0, 1, 2, 3));
  EXPECT_TRUE(p->sums.empty());
}

TEST(Questionnaire, EveryShippedInstrumentParses) {
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(TEND_SOURCE_DIR "/content/instruments")) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    bj::object file = read_json(entry.path().string());
    auto p = parse_questionnaire(file.at("questionnaire").as_object());
    EXPECT_TRUE(p.ok()) << entry.path() << ": "
                        << (p.ok() ? ""
                            : p.error().errors.empty()
                                ? p.error().detail
                                : p.error().errors[0].field + ": " + p.error().errors[0].message);
  }
  EXPECT_GE(files, 1);
}

// ---- The published fixtures -------------------------------------------------------------------

TEST(Questionnaire, LhcPhq9WithVariables) {
  auto p = parse_questionnaire(fixture("lhc-phq9-questionnaire.json"));
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->panel_loinc, "44249-1");
  ASSERT_EQ(p->items.size(), 10u);  // the calculated total is not an answerable item
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(p->items[i].link_id, k_lhc_items[i]);
    EXPECT_THAT(values(p->items[i]), ElementsAre(0, 1, 2, 3));
  }
  // Options without `system`.
  EXPECT_EQ(p->items[0].options[0].code, "LA6568-5");
  EXPECT_EQ(p->items[0].options[0].system, "");
  EXPECT_EQ(p->items[0].options[3].label, "Nearly every day");
  // Difficulty: options without values → kept, unscored.
  EXPECT_EQ(p->items[9].link_id, "/69722-7");
  EXPECT_EQ(p->items[9].type, ItemType::Choice);
  EXPECT_TRUE(p->items[9].options.empty());
  ASSERT_EQ(p->sums.size(), 1u);
  EXPECT_EQ(p->sums[0].link_id, "/44261-6");
  EXPECT_EQ(p->sums[0].loinc, "44261-6");
  EXPECT_THAT(p->sums[0].items, ElementsAreArray(k_lhc_items));
}

TEST(Questionnaire, LhcPhq9WithWeightFunction) {
  auto p = parse_questionnaire(fixture("lhc-phq9-weight-function-questionnaire.json"));
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->items.size(), 10u);
  EXPECT_EQ(p->items[0].options[0].system, "http://loinc.org");
  EXPECT_TRUE(p->items[9].options.empty());
  ASSERT_EQ(p->sums.size(), 1u);
  EXPECT_EQ(p->sums[0].link_id, "/44261-6");
  // Every top-level item but the difficulty one; the total itself has no weight.
  EXPECT_THAT(p->sums[0].items, ElementsAreArray(k_lhc_items));
}

TEST(Questionnaire, ArgonautGroupedWithContainedValueSets) {
  auto p = parse_questionnaire(fixture("argonaut-phq9-grouped-questionnaire.json"));
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(
      p->url,
      "http://fhir.org/guides/argonaut-questionnaire/Questionnaire/questionnaire-example-phq9");
  EXPECT_EQ(p->title, "Patient Health Questionnaire (PHQ-9)");
  EXPECT_THAT(p->copyright, HasSubstr("Pfizer"));
  ASSERT_EQ(p->items.size(), 10u);  // display items g1.d and g1.s are left out
  for (std::size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(p->items[i].link_id, k_argonaut_items[i]);
    EXPECT_EQ(p->items[i].loinc, k_phq9_loinc[i]);
    EXPECT_THAT(values(p->items[i]), ElementsAre(0, 1, 2, 3));
    EXPECT_EQ(p->items[i].options[2].system, "http://loinc.org");
  }
  // g1.q9 names the ValueSet by its canonical url rather than "#PHQ-9".
  EXPECT_EQ(p->items[8].options[3].code, "LA6571-9");
  EXPECT_EQ(p->items[9].link_id, "g2.q1");
  EXPECT_TRUE(p->items[9].options.empty());
  // The total is a hidden display item with no expression: nothing to calculate.
  EXPECT_TRUE(p->sums.empty());
}

TEST(QuestionnaireImport, FixturesTakeTheKnownPhq9Scoring) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"lhc-phq9-questionnaire.json", k_lhc_items},
      {"lhc-phq9-weight-function-questionnaire.json", k_lhc_items},
      {"argonaut-phq9-grouped-questionnaire.json", k_argonaut_items}};
  for (const auto& [name, link_ids] : cases) {
    SCOPED_TRACE(name);
    bj::object q = fixture(name);
    auto in = import_questionnaire(q, "phq-9-import", {known_phq9()});
    ASSERT_TRUE(in.ok()) << in.error().detail;
    EXPECT_EQ(in->id, "phq-9-import");
    EXPECT_TRUE(in->imported);
    EXPECT_EQ(in->name, "PHQ-9");
    EXPECT_EQ(in->panel_loinc, "44249-1");
    EXPECT_FALSE(in->title.empty());
    EXPECT_EQ(in->items.size(), 10u);
    ASSERT_TRUE(in->total);
    EXPECT_THAT(in->total->items, ElementsAreArray(link_ids));
    EXPECT_EQ(in->total->max, 27);
    EXPECT_EQ(in->total->loinc, "44261-6");
    EXPECT_EQ(in->bands.size(), 5u);
    ASSERT_EQ(in->flags.size(), 1u);
    EXPECT_THAT(in->flags[0].items, ElementsAre(link_ids[8]));
    EXPECT_EQ(in->flags[0].when.ref, link_ids[8]);
    EXPECT_EQ(in->flags[0].severity, Severity::Critical);
    ASSERT_TRUE(in->caseness);
    EXPECT_EQ(in->caseness->ref, "total");
    EXPECT_EQ(in->change.reliable_change, 6);
    EXPECT_THAT(in->respondents, ElementsAre("self", "clinician"));
    EXPECT_EQ(bj::parse(in->questionnaire_json).as_object(), q);
  }
}

TEST(QuestionnaireImport, MatchesByPositionWhenItemsHaveNoCodes) {
  bj::array items;
  for (int i = 1; i <= 9; ++i) items.push_back(choice("PHQ." + std::to_string(i)));
  items.push_back(choice("PHQ.10", {0, 1, 2, 3}));
  auto in =
      import_questionnaire(questionnaire(items, "44249-1"), "phq9-local", {known_phq9(false)});
  ASSERT_TRUE(in.ok()) << in.error().detail;
  EXPECT_THAT(in->total->items, ElementsAre("PHQ.1", "PHQ.2", "PHQ.3", "PHQ.4", "PHQ.5", "PHQ.6",
                                            "PHQ.7", "PHQ.8", "PHQ.9"));
  EXPECT_EQ(in->flags[0].when.ref, "PHQ.9");
}

TEST(QuestionnaireImport, KnownItemsWithDifferentValuesAreRefused) {
  bj::array items;
  for (int i = 1; i <= 9; ++i) {
    items.push_back(
        choice("q" + std::to_string(i),
               i == 4 ? std::vector<double>{0, 1, 2, 4} : std::vector<double>{0, 1, 2, 3},
               k_phq9_loinc[i - 1]));
  }
  auto in = import_questionnaire(questionnaire(items, "44249-1"), "x", {known_phq9()});
  expect_refused(in, "item[3]", "answer values (0, 1, 2, 4) differ");
}

TEST(QuestionnaireImport, UnmatchedPanelFallsBackToTheCalculatedSum) {
  // Only two of the nine items: the known scoring cannot apply, the questionnaire's own sum does.
  bj::object q = questionnaire(
      {choice("x1", {0, 1, 2, 3}, "44250-9"), choice("x2", {1, 2, 3, 4, 5}, "44255-8"),
       calculated("sum",
                  "%resource.item.where(linkId = 'x1' or linkId = 'x2').answer.weight().sum()", {},
                  "55758-7")},
      "44249-1");
  auto in = import_questionnaire(q, "two", {known_phq9()});
  ASSERT_TRUE(in.ok()) << in.error().detail;
  ASSERT_TRUE(in->total);
  EXPECT_EQ(in->total->id, "total");
  EXPECT_EQ(in->total->method, ScoreMethod::Sum);
  EXPECT_THAT(in->total->items, ElementsAre("x1", "x2"));
  EXPECT_EQ(in->total->min, 1);
  EXPECT_EQ(in->total->max, 8);
  EXPECT_EQ(in->total->loinc, "55758-7");
  EXPECT_TRUE(in->bands.empty());
  EXPECT_TRUE(in->flags.empty());
}

TEST(QuestionnaireImport, CalculatedSumWithoutKnownInstrument) {
  auto in = import_questionnaire(fixture("lhc-phq9-questionnaire.json"), "lhc-phq9", {});
  ASSERT_TRUE(in.ok()) << in.error().detail;
  EXPECT_TRUE(in->imported);
  EXPECT_THAT(in->total->items, ElementsAreArray(k_lhc_items));
  EXPECT_EQ(in->total->min, 0);
  EXPECT_EQ(in->total->max, 27);
  EXPECT_EQ(in->total->loinc, "44261-6");
  EXPECT_TRUE(in->bands.empty());
  EXPECT_TRUE(in->flags.empty());
}

TEST(QuestionnaireImport, NoSumAndNoKnownInstrumentIsRefused) {
  auto in = import_questionnaire(fixture("argonaut-phq9-grouped-questionnaire.json"), "a", {});
  expect_refused(in, "item", "no scoring rule");
}

TEST(QuestionnaireImport, TotalIsTheSumNoOtherSumUses) {
  bj::object q = questionnaire({choice("a"), choice("b"), choice("c"),
                                calculated("sub",
                                           "%resource.item.where(linkId='a').answer.weight() + "
                                           "%resource.item.where(linkId='b').answer.weight()"),
                                calculated("all",
                                           "%resource.item.where(linkId='sub').answer.value + "
                                           "%resource.item.where(linkId='c').answer.weight()")});
  auto p = parse_questionnaire(q);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->sums.size(), 2u);
  EXPECT_THAT(p->sums[1].items, ElementsAre("a", "b", "c"));
  auto in = import_questionnaire(q, "s", {});
  ASSERT_TRUE(in.ok()) << in.error().detail;
  EXPECT_THAT(in->total->items, ElementsAre("a", "b", "c"));
}

TEST(QuestionnaireImport, KnownTotalDisagreeingWithTheQuestionnairesTotalIsRefused) {
  bj::array items;
  for (int i = 1; i <= 9; ++i) {
    items.push_back(choice("q" + std::to_string(i), {0, 1, 2, 3}, k_phq9_loinc[i - 1]));
  }
  items.push_back(
      calculated("t", "%resource.item.where(linkId != 'q9').answer.weight().sum()", {}, "44261-6"));
  auto in = import_questionnaire(questionnaire(items, "44249-1"), "x", {known_phq9()});
  expect_refused(in, "item[9]", "adds other items");
}

// ---- Item types, options, enableWhen ----------------------------------------------------------

TEST(Questionnaire, ItemTypes) {
  bj::object q = parse(R"({
    "resourceType": "Questionnaire",
    "item": [
      {"linkId": "g", "type": "group", "text": "Part A", "item": [
        {"linkId": "intro", "type": "display", "text": "Read this"},
        {"linkId": "days", "type": "integer", "required": true, "extension": [
          {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 0},
          {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 30}]},
        {"linkId": "inner", "type": "group", "item": [
          {"linkId": "yn", "type": "boolean"}]}
      ]},
      {"linkId": "kg", "type": "decimal"},
      {"linkId": "note", "type": "text"},
      {"linkId": "name", "type": "string"},
      {"linkId": "oc", "type": "open-choice", "answerOption": [
        {"valueString": "low", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value", "valueDecimal": 1}]},
        {"valueString": "high", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value", "valueDecimal": 5}]}]},
      {"linkId": "co", "type": "choice", "answerOption": [
        {"valueCoding": {"code": "n", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value", "valueDecimal": 0}]}},
        {"valueCoding": {"code": "y", "display": "Yes", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value", "valueDecimal": 2}]}}]}
    ]})");
  auto p = parse_questionnaire(q);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->items.size(), 5u);
  const Item& days = p->items[0];
  EXPECT_EQ(days.link_id, "days");
  EXPECT_EQ(days.type, ItemType::Integer);
  EXPECT_EQ(days.min_value, 0);
  EXPECT_EQ(days.max_value, 30);
  EXPECT_EQ(days.group, "Part A");
  const Item& yn = p->items[1];
  EXPECT_EQ(yn.type, ItemType::Choice);
  EXPECT_EQ(yn.group, "Part A");  // the inner group has no text of its own
  ASSERT_EQ(yn.options.size(), 2u);
  EXPECT_EQ(yn.options[0].label, "No");
  EXPECT_EQ(yn.options[0].value, 0);
  EXPECT_EQ(yn.options[1].code, "LA33-6");
  EXPECT_EQ(yn.options[1].value, 1);
  const Item& kg = p->items[2];
  EXPECT_EQ(kg.type, ItemType::Integer);
  EXPECT_EQ(kg.min_value, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(kg.max_value, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(kg.group, "");
  EXPECT_EQ(p->items[3].link_id, "oc");
  EXPECT_THAT(values(p->items[3]), ElementsAre(1, 5));
  EXPECT_EQ(p->items[3].options[1].label, "high");
  EXPECT_EQ(p->items[4].link_id, "co");
  EXPECT_THAT(values(p->items[4]), ElementsAre(0, 2));  // the old extension, on the coding
  EXPECT_EQ(p->items[4].options[0].label, "n");
}

TEST(Questionnaire, ValueSetFromCompose) {
  bj::object q = parse(R"({
    "resourceType": "Questionnaire",
    "contained": [{"resourceType": "ValueSet", "id": "vs", "compose": {"include": [
      {"system": "http://example.org/cs", "concept": [
        {"code": "never", "display": "Never", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}]},
        {"code": "often", "display": "Often", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 4}]}]}]}}],
    "item": [{"linkId": "q", "type": "choice", "answerValueSet": "#vs"}]})");
  auto p = parse_questionnaire(q);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->items[0].options.size(), 2u);
  EXPECT_EQ(p->items[0].options[1].code, "often");
  EXPECT_EQ(p->items[0].options[1].system, "http://example.org/cs");
  EXPECT_EQ(p->items[0].options[1].value, 4);
}

TEST(Questionnaire, EnableWhen) {
  bj::object q =
      questionnaire({choice("a"), choice("b"), bj::object{{"linkId", "yn"}, {"type", "boolean"}},
                     bj::object{{"linkId", "n"}, {"type", "integer"}}});
  q["item"].as_array()[1].as_object()["enableBehavior"] = "any";
  q["item"].as_array()[1].as_object()["enableWhen"] = bj::parse(R"([
    {"question": "a", "operator": "=", "answerCoding": {"code": "a-a2"}},
    {"question": "a", "operator": ">=", "answerInteger": 2},
    {"question": "n", "operator": "<", "answerDecimal": 1.5},
    {"question": "yn", "operator": "=", "answerBoolean": true},
    {"question": "a", "operator": "exists", "answerBoolean": false},
    {"question": "a", "operator": "!=", "answerCoding": {"system": "s", "code": "a-a1"}}])");
  auto p = parse_questionnaire(q);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  const Item& b = p->items[1];
  EXPECT_TRUE(b.enable_any);
  ASSERT_EQ(b.enable_when.size(), 6u);
  EXPECT_EQ(b.enable_when[0].question, "a");
  EXPECT_EQ(b.enable_when[0].op, "=");
  EXPECT_EQ(b.enable_when[0].value, 2);  // the option's value, not its code
  EXPECT_EQ(b.enable_when[1].op, ">=");
  EXPECT_EQ(b.enable_when[1].value, 2);
  EXPECT_EQ(b.enable_when[2].value, 1.5);
  EXPECT_EQ(b.enable_when[3].question, "yn");
  EXPECT_EQ(b.enable_when[3].value, 1);
  EXPECT_EQ(b.enable_when[4].op, "exists");
  EXPECT_EQ(b.enable_when[4].value, 0);
  EXPECT_EQ(b.enable_when[5].value, 1);
}

TEST(Questionnaire, GroupEnableWhenIsCarriedToItsItems) {
  bj::object q = parse(R"({"resourceType": "Questionnaire", "item": [
    {"linkId": "gate", "type": "boolean"},
    {"linkId": "g", "type": "group",
     "enableWhen": [{"question": "gate", "operator": "=", "answerBoolean": true}],
     "item": [{"linkId": "x", "type": "integer"},
              {"linkId": "y", "type": "integer",
               "enableWhen": [{"question": "x", "operator": ">", "answerInteger": 0}]}]}]})");
  auto p = parse_questionnaire(q);
  ASSERT_TRUE(p.ok()) << p.error().detail;
  ASSERT_EQ(p->items.size(), 3u);
  ASSERT_EQ(p->items[1].enable_when.size(), 1u);
  EXPECT_EQ(p->items[1].enable_when[0].question, "gate");
  ASSERT_EQ(p->items[2].enable_when.size(), 2u);
  EXPECT_EQ(p->items[2].enable_when[1].question, "x");
  EXPECT_FALSE(p->items[2].enable_any);
}

// ---- Calculated sums --------------------------------------------------------------------------

std::vector<std::string> sum_items(const bj::object& q) {
  auto p = parse_questionnaire(q);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().errors[0].message);
  if (!p.ok() || p->sums.empty()) return {};
  return p->sums[0].items;
}

TEST(QuestionnaireSum, PlusOverVariablesAtRootAndItem) {
  bj::array root_vars = {variable("a", "%resource.item.where(linkId='a').answer.value.ordinal()")};
  bj::object q = questionnaire(
      {choice("a"), choice("b"), choice("c"),
       calculated("t", "%a + %b + %c",
                  {variable("b", "%resource.item.where(linkId='b').answer.weight()"),
                   variable("c", "%resource.item.where(linkId='c').answer.value.weight()")})});
  q["extension"] = root_vars;
  EXPECT_THAT(sum_items(q), ElementsAre("a", "b", "c"));
}

TEST(QuestionnaireSum, GuardsAndNestedPaths) {
  bj::object q = questionnaire({bj::object{
      {"linkId", "g"},
      {"type", "group"},
      {"extension", bj::array{variable("x",
                                       "%resource.item.where(linkId='g').item.where(linkId='"
                                       "x').answer.value.ordinal()")}},
      {"item", bj::array{choice("x"), choice("y"),
                         calculated("t",
                                    "iif(%any, iif(%x.exists(), %x, 0) + "
                                    "iif(%y.empty(), 0, %y), {})",
                                    {variable("y",
                                              "%resource.repeat(item).where("
                                              "linkId='y').answer.weight()"),
                                     variable("any", "%x.exists() or %y.exists()")})}}}});
  EXPECT_THAT(sum_items(q), ElementsAre("x", "y"));
}

TEST(QuestionnaireSum, AnswerOptionExtensionForm) {
  const std::string value_of =
      "%questionnaire.item.where(linkId = 'b').answerOption.where(valueCoding.code="
      "%resource.item.where(linkId = 'b').answer.valueCoding.code).extension.where(url=%ext)"
      ".valueDecimal";
  bj::object q = with_sum("%resource.item.where(linkId='a').answer.weight() + %b",
                          {variable("ext", "'" + k_ordinal + "'"), variable("b", value_of)});
  EXPECT_THAT(sum_items(q), ElementsAre("a", "b"));
}

TEST(QuestionnaireSum, IntegerItemsAddTheirValue) {
  bj::object q = questionnaire(
      {bj::object{{"linkId", "n"},
                  {"type", "integer"},
                  {"extension",
                   bj::array{bj::object{{"url", "http://hl7.org/fhir/StructureDefinition/minValue"},
                                        {"valueInteger", 0}},
                             bj::object{{"url", "http://hl7.org/fhir/StructureDefinition/maxValue"},
                                        {"valueInteger", 7}}}}},
       choice("a"),
       calculated("t",
                  "%resource.item.where(linkId='n').answer.value + "
                  "%resource.item.where(linkId='a').answer.weight()")});
  EXPECT_THAT(sum_items(q), ElementsAre("n", "a"));
  auto in = import_questionnaire(q, "n", {});
  ASSERT_TRUE(in.ok()) << in.error().detail;
  EXPECT_EQ(in->total->max, 10);
}

// ---- Refusals ---------------------------------------------------------------------------------

TEST(QuestionnaireRefused, NotAQuestionnaire) {
  expect_refused(parse_questionnaire(parse(R"({"resourceType": "Patient", "item": []})")),
                 "resourceType", "must be Questionnaire");
}

TEST(QuestionnaireRefused, NoItems) {
  expect_refused(parse_questionnaire(parse(R"({"resourceType": "Questionnaire"})")), "item",
                 "no items");
  expect_refused(parse_questionnaire(parse(R"({"resourceType": "Questionnaire", "item": []})")),
                 "item", "no items");
}

TEST(QuestionnaireRefused, DuplicateLinkId) {
  bj::object q = questionnaire(
      {bj::object{{"linkId", "g"}, {"type", "group"}, {"item", bj::array{choice("a")}}},
       choice("a")});
  expect_refused(parse_questionnaire(q), "item[1].linkId", "'a' appears twice");
  expect_refused(import_questionnaire(q, "x", {}), "item[1].linkId", "appears twice");
}

TEST(QuestionnaireRefused, MissingLinkIdOrType) {
  expect_refused(parse_questionnaire(questionnaire({bj::object{{"type", "choice"}}})),
                 "item[0].linkId", "no linkId");
  expect_refused(parse_questionnaire(questionnaire({bj::object{{"linkId", "a"}}})), "item[0].type",
                 "no type");
}

TEST(QuestionnaireRefused, UnknownItemType) {
  bj::object q = questionnaire({bj::object{
      {"linkId", "g"},
      {"type", "group"},
      {"item", bj::array{choice("a"), bj::object{{"linkId", "when"}, {"type", "date"}}}}}});
  expect_refused(parse_questionnaire(q), "item[0].item[1].type", "type 'date'");
}

TEST(QuestionnaireRefused, SomeOptionsWithoutValue) {
  bj::object q = questionnaire({choice("a")});
  q["item"].as_array()[0].as_object()["answerOption"].as_array()[2].as_object().erase("extension");
  expect_refused(parse_questionnaire(q), "item[0].answerOption[2]", "has no value");
}

TEST(QuestionnaireRefused, SumOfAnItemWithoutValues) {
  // The LHC difficulty item carries no values: a sum that adds it cannot be scored.
  bj::object q = fixture("lhc-phq9-weight-function-questionnaire.json");
  auto& ext = q["item"].as_array()[9].as_object()["extension"].as_array();
  std::size_t calc = 0;
  for (std::size_t i = 0; i < ext.size(); ++i) {
    if (ext[i].as_object()["url"].as_string() == k_calculated) calc = i;
  }
  ext[calc].as_object()["valueExpression"].as_object()["expression"] =
      "%resource.item.answer.weight().sum()";
  expect_refused(parse_questionnaire(q),
                 "item[9].extension[" + std::to_string(calc) + "].valueExpression.expression",
                 "options of item '/69722-7' carry no values");
}

TEST(QuestionnaireRefused, EnableWhenOnUnknownQuestion) {
  bj::object q = questionnaire({choice("a"), choice("b")});
  q["item"].as_array()[1].as_object()["enableWhen"] =
      bj::parse(R"([{"question": "zz", "operator": "exists", "answerBoolean": true}])");
  expect_refused(parse_questionnaire(q), "item[1].enableWhen[0].question", "unknown item 'zz'");
}

TEST(QuestionnaireRefused, EnableWhenDetails) {
  auto with = [](std::string_view ew) {
    bj::object q = questionnaire({choice("a"), choice("b", {}), choice("c"),
                                  bj::object{{"linkId", "s"}, {"type", "string"}}});
    q["item"].as_array()[2].as_object()["enableWhen"] = bj::parse(ew);
    return parse_questionnaire(q);
  };
  expect_refused(with(R"([{"question": "a", "operator": "=", "answerCoding": {"code": "nope"}}])"),
                 "item[2].enableWhen[0].answerCoding", "'nope' is not an option");
  expect_refused(with(R"([{"question": "a", "operator": "~", "answerInteger": 1}])"),
                 "item[2].enableWhen[0].operator", "unknown");
  expect_refused(with(R"([{"question": "a", "operator": "=", "answerString": "x"}])"),
                 "item[2].enableWhen[0]", "answer type");
  expect_refused(with(R"([{"question": "s", "operator": "exists", "answerBoolean": true}])"),
                 "item[2].enableWhen[0].question", "does not keep");
  expect_refused(with(R"([{"question": "b", "operator": "exists", "answerBoolean": true}])"),
                 "item[2].enableWhen[0].question", "does not keep");
}

TEST(QuestionnaireRefused, UnresolvableValueSet) {
  bj::object q = questionnaire({bj::object{
      {"linkId", "a"}, {"type", "choice"}, {"answerValueSet", "http://loinc.org/vs/LL358-3"}}});
  expect_refused(parse_questionnaire(q), "item[0].answerValueSet", "not a ValueSet contained");
}

TEST(QuestionnaireRefused, RepeatingChoice) {
  bj::object q = questionnaire({choice("a")});
  q["item"].as_array()[0].as_object()["repeats"] = true;
  expect_refused(parse_questionnaire(q), "item[0].repeats", "several answers");
}

TEST(QuestionnaireRefused, UninterpretableExpressions) {
  const std::string field = "item[3].extension[0].valueExpression.expression";
  const std::string a = "%resource.item.where(linkId='a').answer.weight()";
  const std::string b = "%resource.item.where(linkId='b').answer.weight()";
  struct Case {
    std::string expression;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"%a * 2", "`%a * 2`"},
      {"%a * 2", "`*` is not addition"},
      {"%a + 1", "adds the constant 1"},
      {"%a - %b", "`-` is not addition"},
      {"%a + %a", "'a' is added more than once"},
      {"%nope", "%nope is not a variable"},
      {"%resource.item.answer.weight()", "a list of values, not their sum"},
      {a + ".count()", "count() is not understood"},
      {"iif(%a.exists(), %a, 1)", "guard"},
      {"iif(%a > 1, %a, 0)", "`>` is not addition"},
      {"%resource.item.where(linkId='zz').answer.weight()", "no item at this level"},
      {"%resource.item.where(text='x').answer.weight().sum()", "conditions on linkId"},
      {"%resource.item.where(linkId='a').answer.value", "is not a number"},
      {"%a + (", "unexpected end"},
      {"%a + 'x", "unterminated string"},
      {"-%a", "`-` before a value"},
      {"%context.item.answer.weight().sum()", "%context is not a variable"},
      // Found by reading ExprParser while writing fuzz/questionnaire_fuzz: std::stod threw.
      {"%a + 1" + std::string(400, '0'), "a number is out of range"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expression);
    bj::object q = with_sum(c.expression, {variable("a", a), variable("b", b)});
    expect_refused(parse_questionnaire(q), field, c.words);
  }
}

TEST(QuestionnaireRefused, ExpressionsTooDeepForTheStack) {
  const std::string field = "item[3].extension[0].valueExpression.expression";
  std::string parens = std::string(5000, '(') + "%a" + std::string(5000, ')');
  expect_refused(parse_questionnaire(with_sum(parens)), field, "nested too deeply");
  std::string chain = "%a";
  for (int i = 0; i < 1000; ++i) chain += " + %a";
  expect_refused(parse_questionnaire(with_sum(chain)), field, "nested too deeply");
  expect_refused(parse_questionnaire(with_sum(std::string(30000, ' ') + "%a")), field,
                 "longer than");
  bj::array vars = {variable("v0", "%resource.item.where(linkId='a').answer.weight()")};
  for (int i = 1; i < 100; ++i) {
    vars.push_back(variable("v" + std::to_string(i), "%v" + std::to_string(i - 1)));
  }
  auto r = parse_questionnaire(with_sum("%v99", vars));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().errors[0].message, HasSubstr("too deeply"));
}

TEST(QuestionnaireRefused, CircularDefinitions) {
  auto r = parse_questionnaire(with_sum("%a", {variable("a", "%b"), variable("b", "%a")}));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().errors[0].message, HasSubstr("depends on itself"));
  bj::object q = questionnaire(
      {choice("a"), calculated("t1", "%resource.item.where(linkId='t2').answer.value"),
       calculated("t2", "%resource.item.where(linkId='t1').answer.value")});
  auto r2 = parse_questionnaire(q);
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(r2.error().errors[0].message, HasSubstr("depends on itself"));
}

TEST(QuestionnaireRefused, ErrorsInsideAVariableNameTheVariable) {
  bj::object q =
      with_sum("%a + %b", {variable("a", "%resource.item.where(linkId='a').answer.weight() * 2"),
                           variable("b", "%resource.item.where(linkId='b').answer.weight()")});
  expect_refused(parse_questionnaire(q), "extension[0].valueExpression.expression",
                 "variable %a: cannot read");
}

TEST(QuestionnaireRefused, WeightOfNumbersOrBooleans) {
  bj::object q = questionnaire({choice("a"), bj::object{{"linkId", "n"}, {"type", "integer"}},
                                calculated("t", "%resource.item.answer.weight().sum()")});
  expect_refused(parse_questionnaire(q), "item[2].extension[0].valueExpression.expression",
                 "weight() of integer item 'n'");
  bj::object q2 = questionnaire({choice("a"), bj::object{{"linkId", "yn"}, {"type", "boolean"}},
                                 calculated("t", "%resource.item.answer.weight().sum()")});
  expect_refused(parse_questionnaire(q2), "item[2].extension[0].valueExpression.expression",
                 "weight() of boolean item 'yn'");
}

TEST(QuestionnaireRefused, OptionExtensionFormNeedsTheValuesWhereItLooks) {
  // Values on the coding, but the expression reads answerOption.extension.
  bj::object q = parse(R"({"resourceType": "Questionnaire", "item": [
    {"linkId": "a", "type": "choice", "answerOption": [
      {"valueCoding": {"code": "0", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0}]}},
      {"valueCoding": {"code": "1", "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1}]}}]},
    {"linkId": "t", "type": "decimal", "extension": [{
      "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
      "valueExpression": {"language": "text/fhirpath", "expression": "%questionnaire.item.where(linkId = 'a').answerOption.where(valueCoding.code=%resource.item.where(linkId = 'a').answer.valueCoding.code).extension.where(url='http://hl7.org/fhir/StructureDefinition/ordinalValue').valueDecimal"}}]}]})");
  expect_refused(parse_questionnaire(q), "item[1].extension[0].valueExpression.expression",
                 "do not all carry their value in answerOption.extension");
}

TEST(QuestionnaireRefused, OtherExpressionLanguages) {
  bj::object q = with_sum("%a");
  q["item"]
      .as_array()[3]
      .as_object()["extension"]
      .as_array()[0]
      .as_object()["valueExpression"]
      .as_object()["language"] = "text/cql";
  expect_refused(parse_questionnaire(q), "item[3].extension[0].valueExpression.language",
                 "not FHIRPath");
}

TEST(QuestionnaireRefused, CalculatedSumOfUnboundedIntegerHasNoRange) {
  bj::object q = questionnaire({bj::object{{"linkId", "n"}, {"type", "integer"}},
                                calculated("t", "%resource.item.where(linkId='n').answer.value")});
  EXPECT_TRUE(parse_questionnaire(q).ok());
  expect_refused(import_questionnaire(q, "n", {}), "item[0]", "no minValue and maxValue");
}

// Found by fuzz/instrument_fuzz: a bound beyond int64 (or 1e400, read as infinity) was
// converted to int64 all the same, which is undefined.
TEST(QuestionnaireRefused, IntegerBoundsBeyondInt64) {
  auto bounded = [](bj::value min, bj::value max) {
    bj::array ext{
        {{"url", "http://hl7.org/fhir/StructureDefinition/minValue"}, {"valueDecimal", min}},
        {{"url", "http://hl7.org/fhir/StructureDefinition/maxValue"}, {"valueDecimal", max}}};
    return questionnaire({bj::object{{"linkId", "n"}, {"type", "integer"}, {"extension", ext}}});
  };
  const double inf = std::numeric_limits<double>::infinity();
  expect_refused(parse_questionnaire(bounded(0, 3.0333e44)), "item[0].extension[1]",
                 "maxValue is out of range");
  expect_refused(parse_questionnaire(bounded(0, inf)), "item[0].extension[1]",
                 "maxValue is no number");
  expect_refused(parse_questionnaire(bounded(0, std::numeric_limits<std::int64_t>::max())),
                 "item[0].extension[1]", "maxValue is out of range");  // 2^63 as a double
  expect_refused(parse_questionnaire(bounded(-1e19, 0)), "item[0].extension[0]",
                 "minValue is out of range");
  auto p = parse_questionnaire(bounded(-9.2e18, 9.2e18));
  ASSERT_TRUE(p.ok()) << p.error().detail;
  EXPECT_EQ(p->items[0].min_value, -9200000000000000000);
  EXPECT_EQ(p->items[0].max_value, 9200000000000000000);
}

}  // namespace
}  // namespace tend::assessment

namespace tend::assessment {
namespace {

// Found by fuzz/questionnaire_fuzz: 1e400 reads as infinity; an option valued so was kept and
// written back as `Infinity`, which is not JSON. It is now an option without a value.
TEST(QuestionnaireRefused, AnInfiniteOptionValueIsNoValue) {
  const auto q = bj::parse(R"({"resourceType": "Questionnaire", "item": [{"linkId": "a",
      "type": "choice", "answerOption": [
        {"valueCoding": {"code": "x"}, "extension": [{"url":
          "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1e400}]},
        {"valueCoding": {"code": "y"}, "extension": [{"url":
          "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 1}]}]}]})");
  auto p = parse_questionnaire(q.as_object());
  ASSERT_FALSE(p.ok()) << "options where only some carry values are refused";
}

}  // namespace
}  // namespace tend::assessment
