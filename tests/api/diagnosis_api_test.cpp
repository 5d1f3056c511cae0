// Diagnoses and the medication list over HTTP against the real server on loopback (SQLite, and
// PostgreSQL in the .pg run): code search; a diagnosis made, confirmed and resolved with its
// history; one current primary (a new one demotes the old); codes not in the list or not valid
// for coding, future dates and stale versions refused by field with nothing stored; who may
// read and write; medications started, changed and stopped by prescribers only; the
// `code_list` setting replacing the built-in list and a bad one stopping start-up.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class DiagnosisApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    psych_id = server->add_user("psych", "prescriber");
    peer_id = server->add_user("peer", "peer_support");
    server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    server->add_user("numbers", "analyst");
    clin = server->client_for("clin");
    psych = server->client_for("psych");
    peer = server->client_for("peer");
    other = server->client_for("other");
    desk = server->client_for("desk");
    analyst = server->client_for("numbers");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
    for (const auto& [id, role] : {std::pair{psych_id, "prescriber"}, {peer_id, "peer_support"}}) {
      auto add = clin->post(base + "/care-team", bj::object{{"user_id", id}, {"role", role}});
      ASSERT_EQ(add.status, 201) << add.body;
    }
  }

  std::string ago(int days) { return format_date(server->clock.now() - 24h * days); }
  std::int64_t count(const std::string& sql) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql)->i64(0); });
  }
  std::vector<std::string> codes_for(const std::string& q) {
    auto r = clin->get("/api/v1/codes?q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const auto items = r.json().at("items").as_array();
    for (const auto& i : items) out.emplace_back(i.at("code").as_string());
    return out;
  }
  HttpResponse diagnose(HttpClient& who, bj::object body) {
    return who.post(base + "/diagnoses", body);
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, psych, peer, other, desk, analyst;
  std::string psych_id, peer_id, client_id, base;
};

TEST_F(DiagnosisApi, CodesAreFoundByCodeOrWordsBillableFirst) {
  auto f32 = codes_for("F32");
  ASSERT_GE(f32.size(), 5u);
  EXPECT_EQ(f32.front(), "F32");  // the exact code first
  EXPECT_EQ(f32[1], "F32.0");
  EXPECT_EQ(codes_for("f32a"), std::vector<std::string>{"F32.A"});
  EXPECT_EQ(codes_for("grief%20prolonged"), std::vector<std::string>{"F43.81"});
  EXPECT_EQ(codes_for("disorder").size(), 20u);
  EXPECT_TRUE(codes_for("").empty());
  auto one = clin->get("/api/v1/codes?q=F41.1");
  EXPECT_EQ(one.json().at("items").at(0).at("title"), "Generalized anxiety disorder");
  EXPECT_EQ(one.json().at("items").at(0).at("billable"), true);
  // The code list is for staff: a client in the portal is refused.
  server->add_user("ada", "client", client_id);
  EXPECT_EQ(server->client_for("ada")->get("/api/v1/codes?q=F32").status, 403);
}

TEST_F(DiagnosisApi, ADiagnosisIsMadeConfirmedAndResolvedWithItsHistory) {
  auto made = diagnose(*clin, {{"code", "F32.1"},
                               {"rank", "primary"},
                               {"diagnosed_on", ago(3)},
                               {"note", "Low mood since spring"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(made.json().at("id").as_string());
  EXPECT_EQ(made.json().at("title"), "Major depressive disorder, single episode, moderate");
  EXPECT_EQ(made.json().at("status"), "provisional");
  EXPECT_EQ(made.json().at("rank"), "primary");
  EXPECT_EQ(made.json().at("diagnosed_on"), bj::value(ago(3)));
  EXPECT_EQ(made.json().at("diagnosed_by").at("name"), "clin");
  EXPECT_EQ(made.json().at("history").as_array().size(), 1u);
  // The note is sealed at rest.
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnoses WHERE note LIKE '%spring%'"), 0);
  auto confirmed =
      clin->post("/api/v1/diagnoses/" + id, bj::object{{"status", "confirmed"}, {"version", 1}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.json().at("status"), "confirmed");
  EXPECT_EQ(confirmed.json().at("version"), 2);
  // A stale version: 409, nothing changes.
  auto stale =
      clin->post("/api/v1/diagnoses/" + id, bj::object{{"status", "resolved"}, {"version", 1}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.error_fields(), std::vector<std::string>{"version"});
  // Confirmed cannot go back to provisional: 409 naming what may follow.
  auto back =
      clin->post("/api/v1/diagnoses/" + id, bj::object{{"status", "provisional"}, {"version", 2}});
  EXPECT_EQ(back.status, 409);
  EXPECT_NE(back.body.find("resolved or entered_in_error"), std::string::npos) << back.body;
  // The prescriber resolves it, with a note.
  auto resolved =
      psych->post("/api/v1/diagnoses/" + id,
                  bj::object{{"status", "resolved"}, {"version", 2}, {"note", "In remission"}});
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  const auto history = resolved.json().at("history").as_array();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].at("from_status"), nullptr);
  EXPECT_EQ(history[0].at("to_status"), "provisional");
  EXPECT_EQ(history[1].at("from_status"), "provisional");
  EXPECT_EQ(history[1].at("to_status"), "confirmed");
  EXPECT_EQ(history[2].at("to_status"), "resolved");
  EXPECT_EQ(history[2].at("by"), bj::value(psych_id));
  EXPECT_EQ(history[2].at("note"), "In remission");
  EXPECT_EQ(resolved.json().at("current"), false);
  EXPECT_TRUE(resolved.json().at("next").as_array().empty());
  // Final: no more changes, not even the rank.
  auto again =
      clin->post("/api/v1/diagnoses/" + id, bj::object{{"status", "confirmed"}, {"version", 3}});
  EXPECT_EQ(again.status, 409);
  auto rank =
      clin->post("/api/v1/diagnoses/" + id, bj::object{{"rank", "secondary"}, {"version", 3}});
  EXPECT_EQ(rank.status, 409);
  EXPECT_EQ(rank.error_fields(), std::vector<std::string>{"rank"});
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnosis_changes"), 3);
  // Every write and read is in the access log.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'diagnosis' AND "
                  "action IN ('create', 'update')"),
            3);
}

TEST_F(DiagnosisApi, ANewPrimaryDemotesTheCurrentOneInTheSameTransaction) {
  auto first = diagnose(*clin, {{"code", "F41.1"}, {"rank", "primary"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string first_id(first.json().at("id").as_string());
  auto second = diagnose(*clin, {{"code", "F33.1"}, {"rank", "primary"}, {"status", "confirmed"}});
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_id(second.json().at("id").as_string());
  auto list = clin->get(base + "/diagnoses");
  ASSERT_EQ(list.status, 200);
  const auto items = list.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), bj::value(second_id));  // the primary first
  EXPECT_EQ(items[0].at("rank"), "primary");
  EXPECT_EQ(items[1].at("id"), bj::value(first_id));
  EXPECT_EQ(items[1].at("rank"), "secondary");
  EXPECT_EQ(items[1].at("version"), 2);
  const auto demoted = items[1].at("history").as_array();
  ASSERT_EQ(demoted.size(), 2u);
  EXPECT_EQ(demoted[1].at("from_rank"), "primary");
  EXPECT_EQ(demoted[1].at("to_rank"), "secondary");
  // Raising the old one to primary again demotes the other.
  auto raised =
      clin->post("/api/v1/diagnoses/" + first_id, bj::object{{"rank", "primary"}, {"version", 2}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnoses WHERE rank = 'primary'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnoses WHERE rank = 'primary' AND id = '" +
                  first_id + "'"),
            1);
  // Nothing to change: 422.
  auto same =
      clin->post("/api/v1/diagnoses/" + first_id, bj::object{{"rank", "primary"}, {"version", 3}});
  EXPECT_EQ(same.status, 422);
}

TEST_F(DiagnosisApi, BadInputIsRefusedByFieldAndNothingIsStored) {
  const std::vector<std::pair<bj::object, std::string>> bad = {
      {{{"code", "F32.7"}}, "code"},    // not in the list
      {{{"code", "F32"}}, "code"},      // a category, not valid for coding
      {{{"code", "f32.1"}}, "code"},    // codes are written as listed
      {{{"rank", "primary"}}, "code"},  // missing
      {{{"code", "F32.1"}, {"rank", "main"}}, "rank"},
      {{{"code", "F32.1"}, {"status", "resolved"}}, "status"},
      {{{"code", "F32.1"}, {"diagnosed_on", format_date(server->clock.now() + 24h)}},
       "diagnosed_on"},
      {{{"code", "F32.1"}, {"diagnosed_on", "2026-02-30"}}, "diagnosed_on"},
      {{{"code", "F32.1"}, {"severity", "high"}}, "severity"},
  };
  for (const auto& [body, field] : bad) {
    auto r = diagnose(*clin, body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << bj::serialize(body);
  }
  auto made = diagnose(*clin, {{"code", "Z63.0"}});
  ASSERT_EQ(made.status, 201);
  const std::string id(made.json().at("id").as_string());
  for (const auto& [body, field] : std::vector<std::pair<bj::object, std::string>>{
           {{{"status", "closed"}, {"version", 1}}, "status"},
           {{{"version", 1}}, "status"},
           {{{"status", "confirmed"}}, "version"},
           {{{"rank", "first"}, {"version", 1}}, "rank"}}) {
    auto r = clin->post("/api/v1/diagnoses/" + id, body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << bj::serialize(body);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnoses"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnosis_changes"), 1);
}

TEST_F(DiagnosisApi, OnlyTheCareTeamReadsAndOnlyClinicalStaffWrite) {
  auto made = diagnose(*clin, {{"code", "F43.10"}});
  ASSERT_EQ(made.status, 201);
  const std::string id(made.json().at("id").as_string());
  // Peer support on the team reads but does not diagnose.
  EXPECT_EQ(peer->get(base + "/diagnoses").status, 200);
  EXPECT_EQ(diagnose(*peer, {{"code", "F43.10"}}).status, 403);
  EXPECT_EQ(
      peer->post("/api/v1/diagnoses/" + id, bj::object{{"status", "confirmed"}, {"version", 1}})
          .status,
      403);
  // Front desk (demographics only) and analysts (aggregates only) read nothing; a clinician
  // off the team does not learn the diagnosis exists.
  EXPECT_EQ(desk->get(base + "/diagnoses").status, 403);
  EXPECT_EQ(analyst->get(base + "/diagnoses").status, 404);
  EXPECT_EQ(other->get(base + "/diagnoses").status, 404);
  EXPECT_EQ(
      other->post("/api/v1/diagnoses/" + id, bj::object{{"status", "confirmed"}, {"version", 1}})
          .status,
      404);
  EXPECT_EQ(
      desk->post("/api/v1/diagnoses/" + id, bj::object{{"status", "confirmed"}, {"version", 1}})
          .status,
      404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_diagnosis_changes"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE outcome = 'denied' AND client_id = '" +
                  client_id + "'") > 0,
            true);
}

TEST_F(DiagnosisApi, APrescriberStartsChangesAndStopsAMedication) {
  auto started = psych->post(base + "/medications", bj::object{{"name", "Sertraline"},
                                                               {"dose", "50 mg"},
                                                               {"route", "oral"},
                                                               {"frequency", "once daily"},
                                                               {"started_on", ago(30)},
                                                               {"reason", "Moderate depression"}});
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id(started.json().at("id").as_string());
  const std::string path = "/api/v1/medications/" + id + "/changes";
  EXPECT_EQ(started.json().at("current"), true);
  EXPECT_EQ(started.json().at("changes").as_array().size(), 1u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_medications WHERE name LIKE '%ertral%'"), 0);
  // A dose change, then a stop; each a history row.
  auto dose = psych->post(path, bj::object{{"kind", "dose"},
                                           {"dose", "100 mg"},
                                           {"on", ago(10)},
                                           {"reason", "Partial response"},
                                           {"version", 1}});
  ASSERT_EQ(dose.status, 200) << dose.body;
  EXPECT_EQ(dose.json().at("dose"), "100 mg");
  EXPECT_EQ(dose.json().at("frequency"), "once daily");
  // Stale version; a stop before the last change or the start; a dose change without a dose.
  auto stale = psych->post(path, bj::object{{"kind", "stop"}, {"version", 1}});
  EXPECT_EQ(stale.status, 409);
  auto early = psych->post(path, bj::object{{"kind", "stop"}, {"on", ago(31)}, {"version", 2}});
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(early.error_fields(), std::vector<std::string>{"on"});
  auto before_change =
      psych->post(path, bj::object{{"kind", "stop"}, {"on", ago(11)}, {"version", 2}});
  EXPECT_EQ(before_change.status, 422);
  auto no_dose = psych->post(path, bj::object{{"kind", "dose"}, {"version", 2}});
  EXPECT_EQ(no_dose.error_fields(), std::vector<std::string>{"dose"});
  auto same = psych->post(path, bj::object{{"kind", "dose"}, {"dose", "100 mg"}, {"version", 2}});
  EXPECT_EQ(same.status, 422);
  auto future = psych->post(
      path,
      bj::object{{"kind", "stop"}, {"on", format_date(server->clock.now() + 24h)}, {"version", 2}});
  EXPECT_EQ(future.status, 422);
  auto stopped = psych->post(
      path, bj::object{{"kind", "stop"}, {"on", ago(2)}, {"reason", "Nausea"}, {"version", 2}});
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json().at("stopped_on"), bj::value(ago(2)));
  EXPECT_EQ(stopped.json().at("current"), false);
  const auto changes = stopped.json().at("changes").as_array();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].at("kind"), "start");
  EXPECT_EQ(changes[1].at("kind"), "dose");
  EXPECT_EQ(changes[1].at("reason"), "Partial response");
  EXPECT_EQ(changes[2].at("kind"), "stop");
  EXPECT_EQ(changes[2].at("by").at("id"), bj::value(psych_id));
  // Stopped: no more changes.
  auto after = psych->post(path, bj::object{{"kind", "dose"}, {"dose", "25 mg"}, {"version", 3}});
  EXPECT_EQ(after.status, 409);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_medication_changes"), 3);
  // A current one is listed before the past one.
  auto current = psych->post(base + "/medications", bj::object{{"name", "Mirtazapine"},
                                                               {"dose", "15 mg"},
                                                               {"route", "oral"},
                                                               {"frequency", "at night"}});
  ASSERT_EQ(current.status, 201) << current.body;
  auto list = clin->get(base + "/medications");
  ASSERT_EQ(list.status, 200);
  const auto items = list.json().at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name"), "Mirtazapine");
  EXPECT_EQ(items[1].at("name"), "Sertraline");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'medication'"), 4);
}

TEST_F(DiagnosisApi, OnlyPrescribersWriteMedicationsAndBadDatesAreRefused) {
  const bj::object body{{"name", "Lithium carbonate"},
                        {"dose", "400 mg"},
                        {"route", "oral"},
                        {"frequency", "nightly"}};
  EXPECT_EQ(clin->post(base + "/medications", body).status, 403);
  EXPECT_EQ(peer->post(base + "/medications", body).status, 403);
  EXPECT_EQ(desk->post(base + "/medications", body).status, 403);
  EXPECT_EQ(desk->get(base + "/medications").status, 403);
  EXPECT_EQ(analyst->get(base + "/medications").status, 404);
  EXPECT_EQ(clin->get(base + "/medications").status, 200);
  const std::vector<std::pair<bj::object, std::string>> bad = {
      {{{"dose", "400 mg"}, {"route", "oral"}, {"frequency", "nightly"}}, "name"},
      {{{"name", "x"}, {"route", "oral"}, {"frequency", "nightly"}}, "dose"},
      {{{"name", "x"},
        {"dose", "1"},
        {"route", "oral"},
        {"frequency", "d"},
        {"started_on", "soon"}},
       "started_on"},
      {{{"name", "x"},
        {"dose", "1"},
        {"route", "oral"},
        {"frequency", "d"},
        {"started_on", format_date(server->clock.now() + 24h)}},
       "started_on"},
      {{{"name", "x"},
        {"dose", "1"},
        {"route", "oral"},
        {"frequency", "d"},
        {"started_on", ago(10)},
        {"stopped_on", ago(11)}},
       "stopped_on"},
      {{{"name", "x"}, {"dose", "1"}, {"route", "oral"}, {"frequency", "d"}, {"stop_reason", "y"}},
       "stop_reason"},
  };
  for (const auto& [b, field] : bad) {
    auto r = psych->post(base + "/medications", b);
    EXPECT_EQ(r.status, 422) << bj::serialize(b) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << bj::serialize(b);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_medications"), 0);
  // A past medication with its stop date: two history rows.
  auto past = psych->post(base + "/medications", bj::object{{"name", "Fluoxetine"},
                                                            {"dose", "20 mg"},
                                                            {"route", "oral"},
                                                            {"frequency", "once daily"},
                                                            {"started_on", ago(400)},
                                                            {"stopped_on", ago(200)},
                                                            {"stop_reason", "Ineffective"}});
  ASSERT_EQ(past.status, 201) << past.body;
  EXPECT_EQ(past.json().at("current"), false);
  EXPECT_EQ(past.json().at("changes").as_array().size(), 2u);
  // A clinician cannot change it either.
  const std::string id(past.json().at("id").as_string());
  EXPECT_EQ(clin->post("/api/v1/medications/" + id + "/changes",
                       bj::object{{"kind", "stop"}, {"version", 1}})
                .status,
            403);
}

TEST(DiagnosisCodeList, AServicesOwnListReplacesTheBuiltInAndABadOneStopsStartUp) {
  TempDir files;
  const auto good = files.path() / "codes.tsv";
  {
    std::ofstream out(good);
    out << "code\tbillable\ttitle\nF32\t0\tSynthetic category\nF32.1\t1\tSynthetic moderate\n";
  }
  {
    ApiServer server({{"code_list", good.string()}});
    server.add_user("clin", "clinician");
    auto clin = server.client_for("clin");
    auto r = clin->get("/api/v1/codes?q=F3");
    ASSERT_EQ(r.status, 200);
    const auto items = r.json().at("items").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("title"), "Synthetic moderate");
  }
  const auto bad = files.path() / "bad.tsv";
  {
    std::ofstream out(bad);
    out << "code\tbillable\ttitle\nF32\t0\tSynthetic category\nF32.1\tmaybe\tSynthetic\n";
  }
  try {
    ApiServer server({{"code_list", bad.string()}});
    ADD_FAILURE() << "a bad code list must stop start-up";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3: billable must be 0 or 1"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tend::testing
