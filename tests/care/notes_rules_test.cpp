// The pure rules of progress notes: the shipped templates load, a bad template file is refused
// naming the file and the field, what a note's sections and examination may hold, who may edit,
// sign, co-sign or delete in which state, the one-day signature boundary, and the pre-fill text.
#include "care/notes_rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tend::care::rules {
namespace {

namespace bj = boost::json;

const char* k_mse = R"({"id": "mse", "heading": "Mental status examination", "prompt": "Pick",
  "domains": [{"id": "mood", "heading": "Mood", "choices": ["euthymic", "low"]},
              {"id": "insight", "heading": "Insight", "choices": ["good", "poor"]}]})";
const char* k_soap = R"({"id": "soap", "name": "SOAP", "title": "S O A P", "mse_after": "o",
  "sections": [{"id": "s", "heading": "S", "prompt": "p"},
               {"id": "o", "heading": "O", "prompt": "p", "prefill": ["measures"]},
               {"id": "a", "heading": "A", "prompt": "p", "prefill": ["measures", "risk"]}]})";

TEST(NoteTemplates, TheShippedTemplatesLoad) {
  auto t = load_note_templates(content::embedded());
  ASSERT_TRUE(t) << t.error().detail;
  ASSERT_EQ(t->templates.size(), 3u);
  EXPECT_EQ(t->templates[0].id, "birp");
  EXPECT_EQ(t->templates[1].id, "dap");
  EXPECT_EQ(t->templates[2].id, "soap");
  ASSERT_NE(t->find("soap"), nullptr);
  EXPECT_EQ(t->find("soap")->sections.size(), 4u);
  EXPECT_EQ(t->find("soap")->mse_after, "objective");
  EXPECT_EQ(t->find("progress"), nullptr);
  std::vector<std::string> domains;
  for (const auto& d : t->mse.domains) domains.push_back(d.id);
  EXPECT_EQ(domains, (std::vector<std::string>{"appearance", "behaviour", "speech", "mood",
                                               "affect", "thought_process", "thought_content",
                                               "perception", "cognition", "insight", "judgement"}));
}

TEST(NoteTemplates, ABadFileIsRefusedNamingTheFileAndTheField) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "s", "sections": []})",
       "sections"},
      {R"({"id": "dap", "name": "SOAP", "title": "t", "mse_after": "s",
          "sections": [{"id": "s", "heading": "S", "prompt": "p"}]})",
       "id"},
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "x",
          "sections": [{"id": "s", "heading": "S", "prompt": "p"}]})",
       "mse_after"},
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "s",
          "sections": [{"id": "s", "heading": "S", "prompt": "p"}, {"id": "s", "heading": "T",
          "prompt": "p"}]})",
       "sections[1].id"},
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "s",
          "sections": [{"id": "s", "heading": "", "prompt": "p"}]})",
       "sections[0].heading"},
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "s",
          "sections": [{"id": "s", "heading": "S", "prompt": "p", "prefill": ["plan"]}]})",
       "sections[0].prefill"},
      {R"({"id": "soap", "name": "SOAP", "title": "t", "mse_after": "s", "colour": "red",
          "sections": [{"id": "s", "heading": "S", "prompt": "p"}]})",
       "colour"},
  };
  for (const auto& [text, field] : bad) {
    const std::vector<content::File> files = {{"notes/mse.json", k_mse}, {"notes/soap.json", text}};
    auto r = load_note_templates(files);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().detail.rfind("notes/soap.json: ", 0), 0u) << r.error().detail;
    ASSERT_FALSE(r.error().errors.empty()) << text;
    EXPECT_EQ(r.error().errors.front().field, field) << r.error().detail;
  }
  const std::vector<content::File> not_json = {{"notes/mse.json", k_mse},
                                               {"notes/soap.json", "{\"id\": "}};
  auto r = load_note_templates(not_json);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("notes/soap.json: is not valid JSON", 0), 0u);
  const std::vector<content::File> bad_mse = {
      {"notes/mse.json", R"({"id": "mse", "heading": "h", "prompt": "p", "domains": [
         {"id": "mood", "heading": "Mood", "choices": []}]})"},
      {"notes/soap.json", k_soap}};
  r = load_note_templates(bad_mse);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("notes/mse.json: ", 0), 0u) << r.error().detail;
  EXPECT_EQ(r.error().errors.front().field, "domains[0].choices");
  const std::vector<content::File> no_mse = {{"notes/soap.json", k_soap}};
  EXPECT_FALSE(load_note_templates(no_mse));
  const std::vector<content::File> good = {
      {"instruments/x.json", "not ours"}, {"notes/mse.json", k_mse}, {"notes/soap.json", k_soap}};
  EXPECT_TRUE(load_note_templates(good));
}

struct Loaded {
  NoteTemplate t;
  MseDefinition mse;
};
Loaded loaded() {
  return {*parse_note_template(k_soap, "soap"), *parse_mse(k_mse)};
}

TEST(NoteTemplates, SectionsHoldTheTemplatesSectionsAsText) {
  auto [t, mse] = loaded();
  std::map<std::string, std::string> out{{"s", "kept"}};
  std::vector<FieldError> errors;
  read_sections(bj::parse(R"({"o": "seen", "a": "thought"})"), t, out, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(out,
            (std::map<std::string, std::string>{{"s", "kept"}, {"o", "seen"}, {"a", "thought"}}));
  read_sections(bj::parse(R"({"plan": "x", "s": 3})"), t, out, errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "sections.plan");
  EXPECT_EQ(errors[1].field, "sections.s");
  EXPECT_EQ(out.at("s"), "kept");
  errors.clear();
  read_sections(bj::value(std::string(20001, 'x')), t, out, errors);
  EXPECT_EQ(errors.at(0).field, "sections");
  errors.clear();
  read_sections(bj::value(bj::object{{"s", std::string(20001, 'x')}}), t, out, errors);
  EXPECT_EQ(errors.at(0).field, "sections.s");
  errors.clear();
  read_sections(bj::value(bj::object{{"s", std::string(20000, 'x')}}), t, out, errors);
  EXPECT_TRUE(errors.empty());
}

TEST(NoteTemplates, TheExaminationTakesItsOwnChoicesAndFreeText) {
  auto [t, mse] = loaded();
  std::map<std::string, MseAnswer> out;
  std::vector<FieldError> errors;
  read_mse(bj::parse(R"({"mood": {"choices": ["low", "low"], "text": "flat voice"},
                          "insight": {"choices": ["good"]}})"),
           mse, out, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(out.at("mood").choices, std::vector<std::string>{"low"});
  EXPECT_EQ(out.at("mood").text, "flat voice");
  // Empty clears a domain.
  read_mse(bj::parse(R"({"insight": {"choices": []}})"), mse, out, errors);
  EXPECT_EQ(out.count("insight"), 0u);
  read_mse(bj::parse(R"({"mood": {"choices": ["elated"]}, "gait": {}, "insight": {"x": 1}})"), mse,
           out, errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "mse.mood.choices");
  EXPECT_EQ(errors[1].field, "mse.gait");
  EXPECT_EQ(errors[2].field, "mse.insight.x");
  EXPECT_EQ(out.at("mood").choices, std::vector<std::string>{"low"});  // unchanged
}

Note note(std::string status, std::string author = "us_a") {
  Note n;
  n.id = "nt_1";
  n.status = std::move(status);
  n.author_id = std::move(author);
  return n;
}

TEST(NoteRules, OnlyTheAuthorChangesSignsOrDeletesADraft) {
  EXPECT_FALSE(check_edit(note("draft"), "us_a"));
  EXPECT_EQ(check_edit(note("draft"), "us_b")->code, Errc::Forbidden);
  for (const char* locked : {"awaiting_cosign", "signed"}) {
    auto r = check_edit(note(locked), "us_a");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, Errc::Conflict);
    EXPECT_NE(r->message.find("add an addendum"), std::string::npos);
    EXPECT_EQ(check_sign(note(locked), "us_a")->code, Errc::Conflict);
    EXPECT_EQ(check_delete(note(locked), "us_a")->code, Errc::Conflict);
    EXPECT_FALSE(check_addendum(note(locked)));
  }
  EXPECT_FALSE(check_sign(note("draft"), "us_a"));
  EXPECT_EQ(check_sign(note("draft"), "us_b")->code, Errc::Forbidden);
  EXPECT_FALSE(check_delete(note("draft"), "us_a"));
  EXPECT_EQ(check_delete(note("draft"), "us_b")->code, Errc::Forbidden);
  EXPECT_EQ(check_addendum(note("draft"))->code, Errc::Conflict);
}

TEST(NoteRules, OnlyTheNamedSupervisorCoSignsAndOnlyWhenAwaited) {
  auto n = note("awaiting_cosign");
  n.cosigner_id = "us_s";
  EXPECT_FALSE(check_cosign(n, "us_s"));
  EXPECT_EQ(check_cosign(n, "us_a")->code, Errc::Forbidden);
  EXPECT_EQ(check_cosign(n, "us_x")->code, Errc::Forbidden);
  n.status = "signed";
  EXPECT_EQ(check_cosign(n, "us_s")->code, Errc::Conflict);
  n.status = "draft";
  EXPECT_EQ(check_cosign(n, "us_s")->code, Errc::Conflict);
}

TEST(NoteRules, ASuperviseesProgressNoteAwaitsCoSignatureAPsychotherapyNoteNever) {
  auto n = note("draft");
  EXPECT_EQ(status_after_signing(n, true), "awaiting_cosign");
  EXPECT_EQ(status_after_signing(n, false), "signed");
  n.kind = "psychotherapy";
  EXPECT_EQ(status_after_signing(n, true), "signed");
  EXPECT_TRUE(valid_note_kind("progress"));
  EXPECT_TRUE(valid_note_kind("psychotherapy"));
  EXPECT_FALSE(valid_note_kind("group"));
}

TEST(NoteRules, ADraftIsOverdueForSignatureFromADayAfterItWasStarted) {
  constexpr std::int64_t day = 24LL * 60 * 60 * 1000;
  auto n = note("draft");
  n.created_at_ms = 1'000'000;
  EXPECT_FALSE(overdue_for_signature(n, n.created_at_ms + day - 1));
  EXPECT_TRUE(overdue_for_signature(n, n.created_at_ms + day));
  n.status = "awaiting_cosign";
  EXPECT_FALSE(overdue_for_signature(n, n.created_at_ms + 2 * day));
  n.status = "signed";
  EXPECT_FALSE(overdue_for_signature(n, n.created_at_ms + 2 * day));
}

TEST(NoteRules, PrefillTextNamesEachMeasureItsBandAndItsChange) {
  MeasureSummary phq;
  phq.instrument_name = "PHQ-9";
  phq.total = 9;
  phq.band_label = "Mild";
  phq.completed_on = "2026-11-30";
  phq.previous_total = 17;
  phq.previous_on = "2026-11-02";
  phq.classification = "reliable_improvement";
  MeasureSummary gad;
  gad.instrument_name = "GAD-7";
  gad.total = 6.5;
  gad.completed_on = "2026-11-30";
  MeasureSummary same = phq;
  same.instrument_name = "K10";
  same.band_label.clear();
  same.previous_total = 9;
  same.classification = "no_reliable_change";
  EXPECT_EQ(measures_text({phq, gad, same}),
            "PHQ-9 9 (Mild) on 2026-11-30, down 8 from 17 on 2026-11-02: reliable improvement.\n"
            "GAD-7 6.5 on 2026-11-30, the first result.\n"
            "K10 9 on 2026-11-30, unchanged from 2026-11-02: no reliable change.");
  EXPECT_EQ(measures_text({}), "");

  RiskSummary none;
  EXPECT_EQ(risk_text(none),
            "No open crisis alerts.\nNo risk flags on the latest measures.\nNo safety plan on "
            "file.");
  RiskSummary some;
  some.open_alerts.push_back({"al_1", "high", "acknowledged", "r", "2026-11-30"});
  some.flags = {"PHQ-9: Thoughts of self-harm"};
  some.safety_plan_version = 2;
  some.safety_plan_updated_on = "2026-11-20";
  EXPECT_EQ(risk_text(some),
            "Open crisis alerts: 1 (high, acknowledged, since 2026-11-30).\nRisk flags on the "
            "latest measures: PHQ-9: Thoughts of self-harm.\nSafety plan on file: version 2, "
            "updated 2026-11-20.");

  auto [t, mse] = loaded();
  auto sections = prefill_sections(t, "M", "R");
  EXPECT_EQ(sections, (std::map<std::string, std::string>{{"o", "M"}, {"a", "M\nR"}}));
  sections = prefill_sections(t, "", "R");
  EXPECT_EQ(sections, (std::map<std::string, std::string>{{"a", "R"}}));
}

}  // namespace
}  // namespace tend::care::rules
