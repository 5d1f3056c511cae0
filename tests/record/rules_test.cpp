// The client's own record, pure rules: the access log in plain words (grouping, emergency and
// automatic access, the client's own views left out, refused access), the FHIR document
// Bundle's shape, and the readable page's escaping.

#include "record/rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

namespace tend::record {
namespace {

namespace bj = boost::json;

// Tue 1 Dec 2026 10:04:00 UTC.
constexpr std::int64_t k_t0 = 1'796'119'440'000;
constexpr std::int64_t k_minute = 60'000;
constexpr std::int64_t k_day = 86'400'000;

audit::Entry entry(std::int64_t at, std::string actor, std::string role, std::string action,
                   std::string kind, std::string reason = "", std::string outcome = "ok") {
  audit::Entry e;
  e.at_ms = at;
  e.actor_id = std::move(actor);
  e.actor_role = std::move(role);
  e.action = std::move(action);
  e.resource_kind = std::move(kind);
  e.reason = std::move(reason);
  e.outcome = std::move(outcome);
  e.client_id = "cl_1";
  return e;
}

const std::map<std::string, Actor>& actors() {
  static const std::map<std::string, Actor> m = {
      {"u_sam", {"Sam Rivera", "clinician", true}},
      {"u_ola", {"Ola Diaz", "front_desk", false}},
      {"u_eve", {"Eve Park", "clinician", false}},
      {"u_ada", {"Ada L", "client", false}},
  };
  return m;
}

TEST(RecordWords, KindsAndActions) {
  EXPECT_EQ(rules::record_words("assessment"), "your assessment results");
  EXPECT_EQ(rules::record_words("assessments"), "your assessment results");
  EXPECT_EQ(rules::record_words("safety_plan"), "your safety plan");
  EXPECT_EQ(rules::record_words("diagnoses"), "your diagnoses");
  // Kinds not named, and psychotherapy notes (kept apart), say only "your record".
  EXPECT_EQ(rules::record_words("psychotherapy_note"), "your record");
  EXPECT_EQ(rules::record_words("something_new"), "your record");
  EXPECT_EQ(rules::action_words("read"), "looked at");
  EXPECT_EQ(rules::action_words("list"), "looked at");
  EXPECT_EQ(rules::action_words("create"), "added to");
  EXPECT_EQ(rules::action_words("update"), "changed");
  EXPECT_EQ(rules::action_words("download"), "downloaded");
}

TEST(RecordWords, WhenAndWho) {
  EXPECT_EQ(rules::when_words(k_t0, TimeZone()), "Tue 1 Dec 2026, 10:04");
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(rules::when_words(k_t0, *ny), "Tue 1 Dec 2026, 05:04");
  const Actor sam{"Sam Rivera", "clinician", true};
  const Actor ola{"Ola Diaz", "front_desk", false};
  EXPECT_EQ(rules::who_words("u_sam", &sam), "Sam Rivera (clinician, your care team)");
  EXPECT_EQ(rules::who_words("u_ola", &ola), "Ola Diaz (front desk, not on your care team)");
  EXPECT_EQ(rules::who_words("system:crisis", nullptr), "Tend, automatically");
  EXPECT_EQ(rules::who_words("system", nullptr), "Tend, automatically");
  EXPECT_EQ(rules::who_words("link:fb89a2d68120e6a1", nullptr),
            "someone using a questionnaire link sent to you");
  EXPECT_EQ(rules::who_words("u_gone", nullptr), "someone at the service (account u_gone)");
  const Actor bob{"Bob Peer", "client", false};
  EXPECT_EQ(rules::who_words("u_bob", &bob), "someone using the portal (not you)");
}

TEST(DescribeAccess, OneLinePerPersonDayKindAndAction) {
  // Newest first, as the audit log pages them.
  std::vector<audit::Entry> e = {
      entry(k_t0 + 30 * k_minute, "u_sam", "clinician", "read", "assessments"),
      entry(k_t0 + 20 * k_minute, "u_sam", "clinician", "read", "assessment"),
      entry(k_t0 + 10 * k_minute, "u_sam", "clinician", "read", "diagnoses"),
      entry(k_t0, "u_sam", "clinician", "read", "assessment"),
      entry(k_t0 - k_day, "u_sam", "clinician", "read", "assessment"),
  };
  auto lines = rules::describe_access(e, actors(), {}, TimeZone());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text,
            "Sam Rivera (clinician, your care team) looked at your assessment results — "
            "Tue 1 Dec 2026, 10:04 (3 times, until 10:34)");
  EXPECT_EQ(lines[0].times, 3);
  EXPECT_EQ(lines[0].day, "2026-12-01");
  EXPECT_EQ(lines[1].text,
            "Sam Rivera (clinician, your care team) looked at your diagnoses — "
            "Tue 1 Dec 2026, 10:14");
  EXPECT_EQ(lines[1].times, 1);
  EXPECT_EQ(lines[2].day, "2026-11-30");
  EXPECT_EQ(lines[2].text,
            "Sam Rivera (clinician, your care team) looked at your assessment results — "
            "Mon 30 Nov 2026, 10:04");
}

TEST(DescribeAccess, ReadingAndChangingAreSeparateLines) {
  std::vector<audit::Entry> e = {
      entry(k_t0 + k_minute, "u_sam", "clinician", "update", "plan"),
      entry(k_t0, "u_sam", "clinician", "read", "plan"),
  };
  auto lines = rules::describe_access(e, actors(), {}, TimeZone());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].did, "changed");
  EXPECT_EQ(lines[1].did, "looked at");
}

TEST(DescribeAccess, TheDayIsTheServicesDay) {
  // 02:30 and 03:30 UTC on 2 Dec are 21:30 and 22:30 on 1 Dec in New York: one line.
  auto ny = TimeZone::load("America/New_York");
  ASSERT_TRUE(ny.ok());
  const std::int64_t late = k_t0 + 16 * 60 * k_minute + 26 * k_minute;  // 02:30 UTC, 2 Dec
  std::vector<audit::Entry> e = {
      entry(late + 60 * k_minute, "u_sam", "clinician", "read", "notes"),
      entry(late, "u_sam", "clinician", "read", "notes"),
  };
  EXPECT_EQ(rules::describe_access(e, actors(), {}, *ny).size(), 1u);
  EXPECT_EQ(rules::describe_access(e, actors(), {}, *ny)[0].day, "2026-12-01");
  // In UTC they are on the same day too, but a line either side of midnight is two.
  std::vector<audit::Entry> across = {
      entry(k_t0 + 14 * 60 * k_minute, "u_sam", "clinician", "read", "notes"),  // 00:04 2 Dec
      entry(k_t0 + 13 * 60 * k_minute, "u_sam", "clinician", "read", "notes"),  // 23:04 1 Dec
  };
  EXPECT_EQ(rules::describe_access(across, actors(), {}, TimeZone()).size(), 2u);
}

TEST(DescribeAccess, BreakTheGlassIsSaidPlainlyWithoutItsReasonText) {
  std::vector<audit::Entry> e = {
      entry(k_t0 + k_minute, "u_eve", "clinician", "read", "safety_plan", "break-the-glass"),
      entry(k_t0, "u_eve", "clinician", "break_glass", "client",
            "Client called the crisis line at night"),
  };
  auto lines = rules::describe_access(e, actors(), {}, TimeZone());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].emergency);
  EXPECT_EQ(lines[0].text,
            "Eve Park (clinician, not on your care team) looked at your safety plan in an "
            "emergency, with a recorded reason — Tue 1 Dec 2026, 10:05");
  EXPECT_TRUE(lines[1].emergency);
  EXPECT_EQ(lines[1].text,
            "Eve Park (clinician, not on your care team) opened your record in an emergency, "
            "with a recorded reason — Tue 1 Dec 2026, 10:04");
  for (const auto& l : lines) EXPECT_EQ(l.text.find("crisis line"), std::string::npos);
}

TEST(DescribeAccess, AutomaticAccessAndRefusalsAreSaidAsSuch) {
  std::vector<audit::Entry> e = {
      entry(k_t0 + k_minute, "system:crisis", "system", "create", "crisis_alert"),
      entry(k_t0, "u_ola", "front_desk", "read", "clinical", "front desk: demographics only",
            "denied"),
  };
  e.push_back(entry(k_t0 - k_minute, "system", "admin", "create", "user"));
  auto lines = rules::describe_access(e, actors(), {}, TimeZone());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].text,
            "Tend, automatically set up your portal account — Tue 1 Dec 2026, 10:03");
  e.pop_back();
  EXPECT_TRUE(lines[0].automatic);
  EXPECT_EQ(lines[0].text,
            "Tend, automatically added to alerts about your safety — Tue 1 Dec 2026, 10:05");
  EXPECT_TRUE(lines[1].refused);
  EXPECT_EQ(lines[1].text,
            "Ola Diaz (front desk, not on your care team) tried to look at your clinical record "
            "and was refused — Tue 1 Dec 2026, 10:04");
  // A refused look and an allowed one are separate lines.
  e.push_back(entry(k_t0 - k_minute, "u_ola", "front_desk", "read", "clinical"));
  EXPECT_EQ(rules::describe_access(e, actors(), {}, TimeZone()).size(), 3u);
  // Another client who tried is never named.
  std::vector<audit::Entry> peer = {
      entry(k_t0, "u_ada", "client", "read", "clinical", "client: own record only", "denied")};
  EXPECT_EQ(rules::describe_access(peer, actors(), {"u_bob"}, TimeZone())[0].text,
            "someone using the portal (not you) tried to look at your clinical record and was "
            "refused — Tue 1 Dec 2026, 10:04");
}

TEST(DescribeAccess, TheClientsOwnViewsAreLeftOut) {
  std::vector<audit::Entry> e = {
      entry(k_t0 + k_minute, "u_ada", "client", "read", "access_log"),
      entry(k_t0, "u_sam", "clinician", "read", "client"),
  };
  auto lines = rules::describe_access(e, actors(), {"u_ada"}, TimeZone());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].actor_id, "u_sam");
  EXPECT_TRUE(rules::describe_access({e[0]}, actors(), {"u_ada"}, TimeZone()).empty());
}

// ---- the download -------------------------------------------------------------------------

RecordContents sample() {
  RecordContents r;
  r.client.id = "cl_1";
  r.client.mrn = "MRN-1";
  r.client.given_name = "Ada";
  r.client.family_name = "<b>Lovelace</b>";
  r.client.date_of_birth = "1990-12-10";
  r.client.sex = "intersex";
  r.generated_at_ms = k_t0;
  care::Diagnosis d;
  d.id = "dx_1";
  d.code = "F41.1";
  d.title = "Generalized anxiety disorder";
  d.status = "ruled_out";
  d.diagnosed_on = "2026-11-01";
  r.diagnoses.push_back(d);
  care::Medication m;
  m.id = "md_1";
  m.name = "sertraline";
  m.dose = "50 mg";
  m.started_on = "2026-11-02";
  r.medications.push_back(m);
  care::Appointment a;
  a.id = "ap_1";
  a.status = "attended";
  a.starts_at_ms = k_t0;
  a.ends_at_ms = k_t0 + 50 * k_minute;
  a.clinician_name = "Sam Rivera";
  r.appointments.push_back(a);
  care::Plan plan;
  plan.id = "pl_1";
  plan.current.content.goals.push_back({"g1", "Sleep through the night"});
  plan.current.content.objectives.push_back({"o1", "Bed by 11", "2027-01-01"});
  r.plan = plan;
  crisis::SafetyPlan sp;
  sp.version = 2;
  sp.sections.warning_signs = {"<script>alert(1)</script>"};
  r.safety_plan = sp;
  SignedNote n;
  n.note.id = "nt_1";
  n.note.author_name = "Sam Rivera";
  n.note.signed_at_ms = k_t0;
  n.sections = {{"Subjective", "Slept badly & felt \"low\""}};
  r.notes.push_back(n);
  Reading rd;
  rd.id = "ea_1";
  rd.title = "Worry time";
  rd.status = "read";
  rd.assigned_at_ms = k_t0;
  rd.read_at_ms = k_t0 + k_day;
  r.reading.push_back(rd);
  Amendment am;
  am.what = "my date of birth";
  am.change = "It is 1990-12-11";
  am.status = "refused";
  am.reason = "The birth certificate says the 10th";
  am.decided_by_name = "Sam Rivera";
  am.created_at_ms = k_t0;
  r.amendments.push_back(am);
  return r;
}

//! Every "reference" in `v`, depth first.
void references(const bj::value& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) {
      if (k == "reference" && x.is_string()) out.emplace_back(x.as_string());
      references(x, out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v.as_array()) references(x, out);
  }
}

TEST(RecordBundle, ADocumentWhoseReferencesResolveInsideIt) {
  const auto b = rules::to_bundle(sample(), "rec_1");
  EXPECT_EQ(b.at("resourceType"), "Bundle");
  EXPECT_EQ(b.at("type"), "document");
  EXPECT_TRUE(b.contains("timestamp"));
  EXPECT_TRUE(b.contains("identifier"));
  const auto& entries = b.at("entry").as_array();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].at("resource").at("resourceType"), "Composition");
  std::set<std::string> present;
  std::set<std::string> urls;
  for (const auto& e : entries) {
    const auto& res = e.at("resource").as_object();
    ASSERT_TRUE(res.contains("id"));
    const std::string key = std::string(res.at("resourceType").as_string()) + "/" +
                            std::string(res.at("id").as_string());
    EXPECT_TRUE(present.insert(key).second) << "twice: " << key;
    EXPECT_TRUE(urls.insert(std::string(e.at("fullUrl").as_string())).second);
  }
  std::vector<std::string> refs;
  references(b, refs);
  EXPECT_GT(refs.size(), 8u);
  for (const auto& r : refs) EXPECT_TRUE(present.count(r) > 0) << "dangling: " << r;
  for (const char* k : {"Patient/cl_1", "Condition/dx_1", "MedicationStatement/md_1",
                        "Appointment/ap_1", "CarePlan/pl_1", "Goal/pl_1-g1", "Task/ea_1"}) {
    EXPECT_TRUE(present.count(k) > 0) << k;
  }
}

TEST(RecordBundle, ResourcesSayWhatFhirExpects) {
  const auto b = rules::to_bundle(sample(), "rec_1");
  std::map<std::string, bj::object> by_type;
  for (const auto& e : b.at("entry").as_array()) {
    const auto& res = e.at("resource").as_object();
    by_type[std::string(res.at("resourceType").as_string())] = res;
  }
  EXPECT_EQ(by_type["Patient"].at("gender"), "other");
  EXPECT_EQ(by_type["Appointment"].at("status"), "fulfilled");
  // A ruled-out diagnosis is refuted and has no clinical status (FHIR con-5).
  EXPECT_FALSE(by_type["Condition"].contains("clinicalStatus"));
  EXPECT_EQ(by_type["Condition"].at("verificationStatus").at("coding").at(0).at("code"), "refuted");
  EXPECT_EQ(by_type["MedicationStatement"].at("status"), "active");
  EXPECT_EQ(by_type["Task"].at("status"), "completed");
  // The narrative of the safety plan is escaped XHTML.
  const std::string text = bj::serialize(by_type["Composition"]);
  EXPECT_NE(text.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(text.find("<script>"), std::string::npos);
}

TEST(RecordHtml, EscapedSelfContainedAndPrintable) {
  const auto html = rules::to_html(sample(), TimeZone());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>Lovelace"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;Lovelace&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Slept badly &amp; felt &quot;low&quot;"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_NE(html.find("Refused by Sam Rivera: The birth certificate says the 10th"),
            std::string::npos);
  EXPECT_NE(html.find("Worry time — read"), std::string::npos);
}

TEST(RecordHtml, EmptyRecordSaysSo) {
  RecordContents r;
  r.client.given_name = "Bo";
  r.client.family_name = "Chen";
  const auto html = rules::to_html(r, TimeZone());
  EXPECT_NE(html.find("No measures yet."), std::string::npos);
  EXPECT_NE(html.find("No safety plan yet."), std::string::npos);
  EXPECT_NE(html.find("You have not asked for a correction."), std::string::npos);
}

TEST(RecordRules, RefKindsAndEscaping) {
  EXPECT_TRUE(rules::valid_ref_kind("diagnosis"));
  EXPECT_TRUE(rules::valid_ref_kind("other"));
  EXPECT_FALSE(rules::valid_ref_kind("psychotherapy_note"));
  EXPECT_FALSE(rules::valid_ref_kind(""));
  EXPECT_EQ(rules::escape_html("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

}  // namespace
}  // namespace tend::record
