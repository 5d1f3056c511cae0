// Progress notes over HTTP against the real server on loopback (SQLite, and PostgreSQL in the
// .pg run): a SOAP note opened pre-filled with the latest PHQ-9 and the risk status, saved
// (stale version → 409), signed and locked (an edit → 409), an addendum; bad input → 422 by
// field with nothing stored; who may read notes at all; psychotherapy notes that do not exist
// for anyone but their author on any route; a supervisee's note waiting for its co-signature;
// drafts unsigned for a day on the author's list; a group note filed to each member without
// the others.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

bj::array phq9(int each, int item9) {
  bj::array a;
  for (int i = 1; i <= 8; ++i) {
    a.push_back(bj::object{{"linkId", "q" + std::to_string(i)}, {"value", each}});
  }
  a.push_back(bj::object{{"linkId", "q9"}, {"value", item9}});
  return a;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class NotesApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    clin_id = server->add_user("clin", "clinician");
    other_id = server->add_user("other", "clinician");
    sup_id = server->add_user("sup", "clinician");
    server->add_user("desk", "front_desk");
    server->add_user("analyst", "analyst");
    server->add_user("admin", "admin");
    sign_in();
    client_id = new_client("Ada", "Lovelace");
    base = "/api/v1/clients/" + client_id;
    ASSERT_EQ(
        clin->post(base + "/care-team", bj::object{{"user_id", other_id}, {"role", "clinician"}})
            .status,
        201);
    server->add_user("ada", "client", client_id);
    portal = server->client_for("ada");
  }
  void sign_in() {
    clin = server->client_for("clin");
    other = server->client_for("other");
    sup = server->client_for("sup");
    desk = server->client_for("desk");
    analyst = server->client_for("analyst");
    admin = server->client_for("admin");
  }
  //! Moves the server's clock on; sessions idle that long have ended, so everyone signs in again.
  void advance(std::chrono::microseconds d) {
    server->clock.advance(d);
    sign_in();
  }
  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& sql) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql)->i64(0); });
  }
  HttpResponse put(HttpClient& who, const std::string& path, const bj::object& body) {
    return who.request("PUT", path, bj::serialize(body), {{"Content-Type", "application/json"}});
  }
  HttpResponse draft(HttpClient& who, bj::object body = {}, const std::string& path = "") {
    if (!body.contains("template")) body["template"] = "soap";
    return who.post(path.empty() ? base + "/notes" : path, body);
  }
  static std::string id_of(const HttpResponse& r) {
    return std::string(r.json().at("id").as_string());
  }
  static std::vector<std::string> ids(const HttpResponse& r, const char* key = "items") {
    std::vector<std::string> out;
    const bj::value v = r.json();
    for (const auto& n : v.at(key).as_array()) out.emplace_back(n.at("id").as_string());
    return out;
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, sup, desk, analyst, admin, portal;
  std::string clin_id, other_id, sup_id, client_id, base;
};

TEST_F(NotesApi, ASoapNoteOpensPrefilledIsSavedSignedLockedAndAddedTo) {
  // Two PHQ-9 results a fortnight apart: 17, then 9 with item 9 answered (a risk flag).
  ASSERT_EQ(clin->post(base + "/assessments",
                       bj::object{{"instrument", "phq-9"}, {"answers", phq9(2, 1)}})
                .status,
            201);
  advance(14 * 24h);
  ASSERT_EQ(clin->post(base + "/assessments",
                       bj::object{{"instrument", "phq-9"}, {"answers", phq9(1, 1)}})
                .status,
            201);
  auto pre = clin->get(base + "/notes/prefill?template=soap");
  ASSERT_EQ(pre.status, 200) << pre.body;
  const bj::value prefill = pre.json();
  ASSERT_EQ(prefill.at("measures").as_array().size(), 1u);
  const auto& phq = prefill.at("measures").at(0);
  EXPECT_EQ(phq.at("instrument"), "phq-9");
  EXPECT_EQ(phq.at("total").to_number<double>(), 9);
  EXPECT_EQ(phq.at("band"), "Mild");
  EXPECT_EQ(phq.at("previous_total").to_number<double>(), 17);
  EXPECT_EQ(phq.at("change"), "reliable_improvement");
  const std::string objective(prefill.at("sections").at("objective").as_string());
  EXPECT_TRUE(contains(objective, "PHQ-9 9 (Mild) on ")) << objective;
  EXPECT_TRUE(contains(objective, "down 8 from 17")) << objective;
  EXPECT_TRUE(contains(objective, "reliable improvement")) << objective;
  const std::string assessment(prefill.at("sections").at("assessment").as_string());
  EXPECT_TRUE(contains(assessment, "Open crisis alerts: 1")) << assessment;
  EXPECT_TRUE(contains(assessment, "Thoughts of death or self-harm (item 9)")) << assessment;
  EXPECT_TRUE(contains(assessment, "No safety plan on file.")) << assessment;
  EXPECT_EQ(prefill.at("risk").at("open_alerts").as_array().size(), 1u);
  EXPECT_EQ(prefill.at("template").at("mse_after"), "objective");
  EXPECT_EQ(prefill.at("mse").at("domains").as_array().size(), 11u);
  auto no_template = clin->get(base + "/notes/prefill?template=progress");
  EXPECT_EQ(no_template.status, 422);
  EXPECT_EQ(no_template.error_fields(), std::vector<std::string>{"template"});

  // Bad input, by field; nothing stored.
  const std::string other_client = new_client("Grace", "Hopper");
  auto appt = clin->post("/api/v1/clients/" + other_client + "/appointments",
                         bj::object{{"starts_at", format_rfc3339(server->clock.now() + 1h)},
                                    {"ends_at", format_rfc3339(server->clock.now() + 2h)}});
  ASSERT_EQ(appt.status, 201) << appt.body;
  const std::vector<std::pair<bj::object, std::string>> bad = {
      {{{"template", "progress"}}, "template"},
      {{{"kind", "secret"}}, "kind"},
      {{{"sections", bj::object{{"history", "x"}}}}, "sections.history"},
      {{{"sections", bj::object{{"plan", 3}}}}, "sections.plan"},
      {{{"mse", bj::object{{"mood", bj::object{{"choices", bj::array{"elated beyond words"}}}}}}},
       "mse.mood.choices"},
      {{{"mse", bj::object{{"gait", bj::object{{"text", "x"}}}}}}, "mse.gait"},
      {{{"appointment_id", id_of(appt)}}, "appointment_id"},
      {{{"episode_id", "ep_nothing"}}, "episode_id"},
      {{{"colour", "red"}}, "colour"},
  };
  for (const auto& [body, field] : bad) {
    auto r = draft(*clin, body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << r.body;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes"), 0);

  auto created = draft(
      *clin, {{"sections", bj::object{{"subjective", "Sleeping better since the last session"},
                                      {"objective", prefill.at("sections").at("objective")}}},
              {"mse", bj::object{{"mood", bj::object{{"choices", bj::array{"low"}},
                                                     {"text", "Says 'a bit brighter'"}}}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = id_of(created);
  const std::string path = "/api/v1/notes/" + id;
  EXPECT_EQ(created.header("location"), path);
  EXPECT_EQ(created.json().at("status"), "draft");
  EXPECT_EQ(created.json().at("version"), 1);
  EXPECT_EQ(created.json().at("author").at("id"), bj::value(clin_id));
  EXPECT_EQ(created.json().at("mse").at("mood").at("choices").at(0), "low");
  // The text is sealed at rest.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_notes WHERE body LIKE '%Sleeping better%' OR body LIKE "
            "'%a bit brighter%' OR body LIKE '%PHQ-9 9 %'"),
      0);

  // Save: a stale version is refused and changes nothing.
  auto saved =
      put(*clin, path,
          {{"version", 1}, {"sections", bj::object{{"plan", "Continue behavioural activation"}}}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json().at("version"), 2);
  EXPECT_EQ(saved.json().at("sections").at("subjective"), "Sleeping better since the last session");
  EXPECT_EQ(saved.json().at("sections").at("plan"), "Continue behavioural activation");
  auto stale = put(*clin, path, {{"version", 1}, {"sections", bj::object{{"plan", "Other"}}}});
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.error_fields(), std::vector<std::string>{"version"});
  auto no_version = put(*clin, path, {{"sections", bj::object{{"plan", "Other"}}}});
  EXPECT_EQ(no_version.status, 422);
  EXPECT_EQ(no_version.error_fields(), std::vector<std::string>{"version"});
  auto bad_save = put(*clin, path, {{"version", 2}, {"member_part", "x"}});
  EXPECT_EQ(bad_save.status, 422);
  EXPECT_EQ(bad_save.error_fields(), std::vector<std::string>{"member_part"});
  // A colleague on the team reads the draft but may not change, sign or delete it.
  EXPECT_EQ(other->get(path).status, 200);
  EXPECT_EQ(put(*other, path, {{"version", 2}, {"sections", bj::object{{"plan", "x"}}}}).status,
            403);
  EXPECT_EQ(other->post(path + "/sign", bj::object{{"version", 2}}).status, 403);
  EXPECT_EQ(other->del(path).status, 403);
  EXPECT_EQ(clin->get(path).json().at("sections").at("plan"), "Continue behavioural activation");

  // An addendum before signing: change the draft instead.
  EXPECT_EQ(clin->post(path + "/addenda", bj::object{{"text", "x"}}).status, 409);
  // Sign: locked from now on.
  EXPECT_EQ(clin->post(path + "/sign", bj::object{{"version", 1}}).status, 409);
  auto signed_note = clin->post(path + "/sign", bj::object{{"version", 2}});
  ASSERT_EQ(signed_note.status, 200) << signed_note.body;
  EXPECT_EQ(signed_note.json().at("status"), "signed");
  EXPECT_TRUE(signed_note.json().at("signed_at").is_string());
  EXPECT_TRUE(signed_note.json().at("cosigner").is_null());
  auto edit = put(*clin, path, {{"version", 3}, {"sections", bj::object{{"plan", "Changed"}}}});
  EXPECT_EQ(edit.status, 409) << edit.body;
  EXPECT_TRUE(contains(edit.body, "signed and locked; add an addendum")) << edit.body;
  EXPECT_EQ(clin->post(path + "/sign", bj::object{{"version", 3}}).status, 409);
  EXPECT_EQ(clin->del(path).status, 409);
  EXPECT_EQ(clin->get(path).json().at("sections").at("plan"), "Continue behavioural activation");

  // Addenda: own text, author and time; sealed; from any clinician on the team.
  auto empty = clin->post(path + "/addenda", bj::object{{"text", ""}});
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(empty.error_fields(), std::vector<std::string>{"text"});
  auto add =
      clin->post(path + "/addenda", bj::object{{"text", "Client called: GP appointment booked"}});
  ASSERT_EQ(add.status, 201) << add.body;
  EXPECT_EQ(add.json().at("addenda").as_array().size(), 1u);
  EXPECT_EQ(add.json().at("addenda").at(0).at("text"), "Client called: GP appointment booked");
  EXPECT_EQ(add.json().at("addenda").at(0).at("author").at("id"), bj::value(clin_id));
  ASSERT_EQ(other->post(path + "/addenda", bj::object{{"text", "Seen in clinic"}}).status, 201);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_note_addenda WHERE text LIKE '%appointment booked%'"),
            0);
  auto list = clin->get(base + "/notes");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(ids(list), std::vector<std::string>{id});
  const bj::value listed = list.json();
  EXPECT_EQ(listed.at("items").at(0).at("addenda").as_array().size(), 2u);
  EXPECT_EQ(listed.at("items").at(0).at("addenda").at(1).at("author").at("id"),
            bj::value(other_id));
  // Every read of a note is audited.
  EXPECT_GE(count("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND resource_kind = 'note' "
                  "AND resource_id = '" +
                  id + "'"),
            3);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE action = 'sign' AND resource_id = '" + id + "'"),
      1);

  // A draft is deleted by its author only.
  auto another = draft(*clin);
  ASSERT_EQ(another.status, 201);
  EXPECT_EQ(clin->del("/api/v1/notes/" + id_of(another)).status, 204);
  EXPECT_EQ(clin->get("/api/v1/notes/" + id_of(another)).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes"), 1);
}

TEST_F(NotesApi, FrontDeskAnalystsAdminsClientsAndColleaguesOffTheTeamNeverReadNotes) {
  auto n = draft(*clin, {{"sections", bj::object{{"subjective", "Talked about work"}}}});
  ASSERT_EQ(n.status, 201);
  const std::string path = "/api/v1/notes/" + id_of(n);
  server->add_user("stranger", "clinician");
  auto stranger = server->client_for("stranger");
  for (HttpClient* who : {desk.get(), analyst.get(), admin.get(), portal.get(), stranger.get()}) {
    auto list = who->get(base + "/notes");
    EXPECT_TRUE(list.status == 403 || list.status == 404) << list.status << list.body;
    EXPECT_FALSE(contains(list.body, "Talked about work"));
    EXPECT_EQ(who->get(path).status, 404);
    EXPECT_EQ(put(*who, path, {{"version", 1}, {"sections", bj::object{{"plan", "x"}}}}).status,
              404);
    EXPECT_EQ(who->del(path).status, 404);
    auto write = draft(*who);
    EXPECT_TRUE(write.status == 403 || write.status == 404) << write.status;
    auto pre = who->get(base + "/notes/prefill?template=soap");
    EXPECT_TRUE(pre.status == 403 || pre.status == 404) << pre.status;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes"), 1);
  EXPECT_EQ(desk->get("/api/v1/notes/unsigned").status, 403);
  EXPECT_EQ(analyst->get("/api/v1/notes/unsigned").status, 403);
  EXPECT_EQ(portal->get("/api/v1/notes/unsigned").status, 403);
  EXPECT_EQ(portal->get("/api/v1/note-templates").status, 403);
  EXPECT_EQ(clin->get("/api/v1/note-templates").json().at("items").as_array().size(), 3u);
}

TEST_F(NotesApi, PsychotherapyNotesExistForTheirAuthorOnlyOnEveryRoute) {
  // The author has a supervisor on the team: a psychotherapy note still needs no co-signature.
  ASSERT_EQ(
      put(*admin, "/api/v1/users/" + clin_id + "/supervisor", {{"supervisor_id", sup_id}}).status,
      200);
  ASSERT_EQ(clin->post(base + "/care-team", bj::object{{"user_id", sup_id}, {"role", "supervisor"}})
                .status,
            201);
  auto progress = draft(*clin);
  ASSERT_EQ(progress.status, 201);
  auto private_note =
      draft(*clin, {{"kind", "psychotherapy"},
                    {"sections", bj::object{{"subjective", "Process notes on the transference"}}}});
  ASSERT_EQ(private_note.status, 201) << private_note.body;
  const std::string pid = id_of(private_note);
  const std::string path = "/api/v1/notes/" + pid;
  EXPECT_EQ(private_note.json().at("kind"), "psychotherapy");
  // The author sees it in the list and by id.
  auto mine = clin->get(base + "/notes");
  auto listed = ids(mine);
  EXPECT_NE(std::find(listed.begin(), listed.end(), pid), listed.end());
  EXPECT_EQ(clin->get(path).status, 200);
  // Everyone else: not listed, not found, on every route.
  for (HttpClient* who :
       {other.get(), sup.get(), admin.get(), portal.get(), desk.get(), analyst.get()}) {
    auto list = who->get(base + "/notes");
    EXPECT_FALSE(contains(list.body, pid)) << list.body;
    EXPECT_FALSE(contains(list.body, "transference"));
    EXPECT_FALSE(contains(list.body, "psychotherapy"));
    EXPECT_EQ(who->get(path).status, 404);
    EXPECT_EQ(put(*who, path, {{"version", 1}}).status, 404);
    EXPECT_EQ(who->post(path + "/sign", bj::object{{"version", 1}}).status, 404);
    EXPECT_EQ(who->post(path + "/cosign", bj::object{{"version", 1}}).status, 404);
    EXPECT_EQ(who->post(path + "/addenda", bj::object{{"text", "x"}}).status, 404);
    EXPECT_EQ(who->del(path).status, 404);
    auto unsigned_list = who->get("/api/v1/notes/unsigned");
    EXPECT_FALSE(contains(unsigned_list.body, pid));
  }
  // Other clinicians may list the team's progress notes.
  EXPECT_EQ(ids(other->get(base + "/notes")), std::vector<std::string>{id_of(progress)});
  // Signed directly, never awaiting the supervisor; never on their list; nothing else signs it.
  advance(25h);
  auto unsigned_list = clin->get("/api/v1/notes/unsigned");
  auto to_sign = ids(unsigned_list, "to_sign");
  EXPECT_NE(std::find(to_sign.begin(), to_sign.end(), pid), to_sign.end());
  auto signed_note = clin->post(path + "/sign", bj::object{{"version", 1}});
  ASSERT_EQ(signed_note.status, 200) << signed_note.body;
  EXPECT_EQ(signed_note.json().at("status"), "signed");
  EXPECT_TRUE(signed_note.json().at("cosigner").is_null());
  EXPECT_TRUE(ids(sup->get("/api/v1/notes/unsigned"), "to_cosign").empty());
  // The client's access log never shows it: its audit entries name no client.
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE resource_id = '" + pid + "' AND client_id <> ''"),
      0);
  EXPECT_GE(count("SELECT COUNT(*) FROM audit_log WHERE resource_id = '" + pid +
                  "' AND resource_kind = 'psychotherapy_note'"),
            3);
  auto log = clin->get(base + "/access-log");
  ASSERT_EQ(log.status, 200);
  EXPECT_FALSE(contains(log.body, pid)) << log.body;
  // Nor do the record's exports, even to its author.
  for (const char* fhir :
       {"/fhir/QuestionnaireResponse?subject=Patient/", "/fhir/Observation?subject=Patient/"}) {
    auto bundle = clin->get(fhir + client_id);
    ASSERT_EQ(bundle.status, 200) << fhir << bundle.body;
    EXPECT_FALSE(contains(bundle.body, pid));
    EXPECT_FALSE(contains(bundle.body, "transference"));
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes WHERE body LIKE '%the transference%'"), 0);
}

TEST_F(NotesApi, ASuperviseesNoteWaitsForTheSupervisorsCoSignature) {
  const std::string setting = "/api/v1/users/" + clin_id + "/supervisor";
  EXPECT_EQ(put(*clin, setting, {{"supervisor_id", sup_id}}).status, 403);
  auto self = put(*admin, setting, {{"supervisor_id", clin_id}});
  EXPECT_EQ(self.status, 422);
  EXPECT_EQ(self.error_fields(), std::vector<std::string>{"supervisor_id"});
  auto desk_sup =
      put(*admin, setting, {{"supervisor_id", server->add_user("desk2", "front_desk")}});
  EXPECT_EQ(desk_sup.status, 422);
  EXPECT_EQ(put(*admin, setting, bj::object{}).status, 422);
  auto set = put(*admin, setting, {{"supervisor_id", sup_id}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json().at("supervisor_id"), bj::value(sup_id));
  // The admin page reads who supervises whom; nobody else does.
  EXPECT_EQ(clin->get("/api/v1/supervisors").status, 403);
  auto listed = admin->get("/api/v1/supervisors");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto listed_body = listed.json();
  const auto& supervisions = listed_body.at("items").as_array();
  ASSERT_EQ(supervisions.size(), 1U);
  EXPECT_EQ(supervisions[0].at("user_id"), bj::value(clin_id));
  EXPECT_EQ(supervisions[0].at("supervisor").at("id"), bj::value(sup_id));

  auto n = draft(*clin, {{"sections", bj::object{{"plan", "Review in two weeks"}}}});
  ASSERT_EQ(n.status, 201);
  const std::string path = "/api/v1/notes/" + id_of(n);
  // The supervisor must be on the care team to read and co-sign: said, and nothing changes.
  auto off_team = clin->post(path + "/sign", bj::object{{"version", 1}});
  EXPECT_EQ(off_team.status, 409) << off_team.body;
  EXPECT_EQ(off_team.error_fields(), std::vector<std::string>{"cosigner"});
  EXPECT_EQ(clin->get(path).json().at("status"), "draft");
  ASSERT_EQ(clin->post(base + "/care-team", bj::object{{"user_id", sup_id}, {"role", "supervisor"}})
                .status,
            201);
  auto awaiting = clin->post(path + "/sign", bj::object{{"version", 1}});
  ASSERT_EQ(awaiting.status, 200) << awaiting.body;
  EXPECT_EQ(awaiting.json().at("status"), "awaiting_cosign");
  EXPECT_EQ(awaiting.json().at("cosigner").at("id"), bj::value(sup_id));
  EXPECT_TRUE(awaiting.json().at("signed_at").is_string());
  EXPECT_TRUE(awaiting.json().at("cosigned_at").is_null());
  // Locked already: an edit is refused; addenda are allowed.
  EXPECT_EQ(put(*clin, path, {{"version", 2}, {"sections", bj::object{{"plan", "x"}}}}).status,
            409);
  // On the supervisor's list; only they co-sign.
  auto waiting = sup->get("/api/v1/notes/unsigned");
  ASSERT_EQ(waiting.status, 200);
  EXPECT_EQ(ids(waiting, "to_cosign"), std::vector<std::string>{id_of(n)});
  EXPECT_EQ(waiting.json().at("to_cosign").at(0).at("client_name"), "Ada Lovelace");
  EXPECT_FALSE(contains(waiting.body, "Review in two weeks"));
  EXPECT_EQ(clin->post(path + "/cosign", bj::object{{"version", 2}}).status, 403);
  EXPECT_EQ(other->post(path + "/cosign", bj::object{{"version", 2}}).status, 403);
  EXPECT_EQ(sup->post(path + "/cosign", bj::object{{"version", 1}}).status, 409);
  auto cosigned = sup->post(path + "/cosign", bj::object{{"version", 2}});
  ASSERT_EQ(cosigned.status, 200) << cosigned.body;
  EXPECT_EQ(cosigned.json().at("status"), "signed");
  EXPECT_TRUE(cosigned.json().at("cosigned_at").is_string());
  EXPECT_EQ(sup->post(path + "/cosign", bj::object{{"version", 3}}).status, 409);
  EXPECT_TRUE(ids(sup->get("/api/v1/notes/unsigned"), "to_cosign").empty());
  // Cleared: the next note is signed by its author alone.
  ASSERT_EQ(put(*admin, setting, {{"supervisor_id", nullptr}}).status, 200);
  EXPECT_TRUE(admin->get("/api/v1/supervisors").json().at("items").as_array().empty());
  auto next = draft(*clin);
  auto alone = clin->post("/api/v1/notes/" + id_of(next) + "/sign", bj::object{{"version", 1}});
  EXPECT_EQ(alone.json().at("status"), "signed");
}

TEST_F(NotesApi, DraftsUnsignedForADayShowOnTheAuthorsList) {
  auto n = draft(*clin);
  ASSERT_EQ(n.status, 201);
  const std::string id = id_of(n);
  EXPECT_TRUE(ids(clin->get("/api/v1/notes/unsigned"), "to_sign").empty());
  advance(24h - 1min);
  EXPECT_TRUE(ids(clin->get("/api/v1/notes/unsigned"), "to_sign").empty());
  advance(1min);
  auto overdue = clin->get("/api/v1/notes/unsigned");
  ASSERT_EQ(overdue.status, 200);
  EXPECT_EQ(ids(overdue, "to_sign"), std::vector<std::string>{id});
  EXPECT_EQ(overdue.json().at("to_sign").at(0).at("client_name"), "Ada Lovelace");
  // Not on a colleague's list.
  EXPECT_TRUE(ids(other->get("/api/v1/notes/unsigned"), "to_sign").empty());
  ASSERT_EQ(clin->post("/api/v1/notes/" + id + "/sign", bj::object{{"version", 1}}).status, 200);
  EXPECT_TRUE(ids(clin->get("/api/v1/notes/unsigned"), "to_sign").empty());
}

TEST_F(NotesApi, AGroupNoteIsFiledToEachMemberWithoutTheOthers) {
  const std::string grace = new_client("Grace", "Hopper");
  const std::string mary = new_client("Mary", "Somerville");
  const std::string elsewhere = [&] {
    auto c = other->post("/api/v1/clients", bj::object{{"given_name", "Emmy"},
                                                       {"family_name", "Noether"},
                                                       {"date_of_birth", "1990-12-10"}});
    return std::string(c.json().at("id").as_string());
  }();
  const bj::object shared{{"subjective", "Group discussed sleep hygiene"}};
  const std::vector<std::pair<bj::object, std::string>> bad = {
      {{{"template", "soap"}, {"members", bj::array{bj::object{{"client_id", client_id}}}}},
       "members"},
      {{{"template", "soap"},
        {"members",
         bj::array{bj::object{{"client_id", client_id}}, bj::object{{"client_id", elsewhere}}}}},
       "members[1].client_id"},
      {{{"template", "soap"},
        {"members",
         bj::array{bj::object{{"client_id", client_id}}, bj::object{{"client_id", client_id}}}}},
       "members[1].client_id"},
      {{{"template", "nope"},
        {"members",
         bj::array{bj::object{{"client_id", client_id}}, bj::object{{"client_id", grace}}}}},
       "template"},
      {{{"template", "soap"},
        {"members", bj::array{bj::object{{"client_id", client_id}, {"colour", "red"}},
                              bj::object{{"client_id", grace}}}}},
       "members[0].colour"},
  };
  for (const auto& [body, field] : bad) {
    auto r = clin->post("/api/v1/group-notes", body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << r.body;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes"), 0);

  auto group = clin->post(
      "/api/v1/group-notes",
      bj::object{{"template", "soap"},
                 {"sections", shared},
                 {"members",
                  bj::array{bj::object{{"client_id", client_id}, {"text", "Ada led the role play"}},
                            bj::object{{"client_id", grace}, {"text", "Grace left early"}},
                            bj::object{{"client_id", mary}}}}});
  ASSERT_EQ(group.status, 201) << group.body;
  EXPECT_EQ(group.json().at("items").as_array().size(), 3u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes WHERE group_id IS NOT NULL"), 3);

  struct Member {
    std::string client, own, given;
  };
  const std::vector<Member> members = {{client_id, "Ada led the role play", "Ada"},
                                       {grace, "Grace left early", "Grace"},
                                       {mary, "", "Mary"}};
  for (const auto& m : members) {
    auto chart = clin->get("/api/v1/clients/" + m.client + "/notes");
    ASSERT_EQ(chart.status, 200);
    const bj::value v = chart.json();
    ASSERT_EQ(v.at("items").as_array().size(), 1u) << m.given;
    const auto& note = v.at("items").at(0);
    EXPECT_EQ(note.at("group"), true);
    EXPECT_EQ(note.at("sections").at("subjective"), "Group discussed sleep hygiene");
    EXPECT_EQ(note.at("member_part"), bj::value(m.own));
    for (const auto& others : members) {
      if (others.client == m.client) continue;
      EXPECT_FALSE(contains(chart.body, others.client)) << m.given;
      EXPECT_FALSE(contains(chart.body, others.given)) << m.given << chart.body;
      if (!others.own.empty()) {
        EXPECT_FALSE(contains(chart.body, others.own)) << m.given;
      }
    }
    // Each copy is the member's own note: saved and signed on its own.
    const std::string path = "/api/v1/notes/" + std::string(note.at("id").as_string());
    auto part = put(*clin, path, {{"version", 1}, {"member_part", m.own + " (revised)"}});
    ASSERT_EQ(part.status, 200) << part.body;
    EXPECT_EQ(clin->post(path + "/sign", bj::object{{"version", 2}}).json().at("status"), "signed");
  }
  // A colleague on only one member's team sees that member's copy and nothing of the others.
  auto ada_chart = other->get(base + "/notes");
  EXPECT_EQ(ada_chart.json().at("items").as_array().size(), 1u);
  EXPECT_FALSE(contains(ada_chart.body, "Grace"));
  EXPECT_EQ(other->get("/api/v1/clients/" + grace + "/notes").status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_notes WHERE body LIKE '%sleep hygiene%'"), 0);
}

}  // namespace
}  // namespace tend::testing
