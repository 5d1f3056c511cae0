// The client's own record over HTTP against the real server on loopback (SQLite, and
// PostgreSQL in the .pg run): who has seen it in plain words (the client's own views left out,
// break-the-glass said plainly), the download as a FHIR document Bundle and as a readable page
// (never a psychotherapy note; the client's markup escaped), and correction requests that the
// care team accepts or refuses with a reason, kept and shown to the client. A client never
// reaches another client's anything, and staff have no /me routes.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "support/api.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bj::array phq9(int each) {
  bj::array a;
  for (int i = 1; i <= 9; ++i) {
    a.push_back(bj::object{{"linkId", "q" + std::to_string(i)}, {"value", i == 9 ? 0 : each}});
  }
  return a;
}

//! Every "reference" in `v`.
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

class RecordApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    server->add_user("eve", "clinician");
    server->add_user("desk", "front_desk");
    clin = server->client_for("clin");
    eve = server->client_for("eve");
    desk = server->client_for("desk");
    client_id = new_client("Ada", "Lovelace <b>bold</b>");
    peer_id = new_client("Bob", "Peer");
    base = "/api/v1/clients/" + client_id;
    server->add_user("ada", "client", client_id);
    server->add_user("bob", "client", peer_id);
    portal = server->client_for("ada");
    peer = server->client_for("bob");
  }
  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  std::string ask(HttpClient& who, const std::string& what, const std::string& change) {
    auto r = who.post("/api/v1/me/amendments", bj::object{{"what", what}, {"change", change}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  std::vector<std::string> texts(const HttpResponse& r) {
    std::vector<std::string> out;
    const bj::value v = r.json();
    for (const auto& l : v.at("items").as_array()) out.emplace_back(l.at("text").as_string());
    return out;
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, eve, desk, portal, peer;
  std::string client_id, peer_id, base;
};

TEST_F(RecordApi, WhoHasSeenMyRecordInPlainWords) {
  ASSERT_EQ(clin->get(base + "/diagnoses").status, 200);
  ASSERT_EQ(clin->get(base + "/diagnoses").status, 200);
  ASSERT_EQ(clin->get(base + "/assessments").status, 200);
  // Someone off the care team is refused; then opens the record in an emergency.
  EXPECT_EQ(eve->get(base + "/diagnoses").status, 404);
  auto bg = eve->post(base + "/break-glass",
                      bj::object{{"reason", "Client rang the crisis line about an overdose"}});
  ASSERT_EQ(bg.status, 201) << bg.body;
  ASSERT_EQ(eve->get(base + "/safety-plan").status, 404);
  ASSERT_EQ(eve->get(base + "/diagnoses").status, 200);
  // The client's own looks are left out.
  ASSERT_EQ(portal->get("/api/v1/me/education").status, 200);

  auto log = portal->get("/api/v1/me/access-log");
  ASSERT_EQ(log.status, 200) << log.body;
  const auto lines = texts(log);
  const auto has = [&](const std::string& part) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return contains(l, part); });
  };
  EXPECT_TRUE(has("clin (clinician, your care team) looked at your diagnoses — ")) << log.body;
  EXPECT_TRUE(has("clin (clinician, your care team) looked at your assessment results"));
  EXPECT_TRUE(
      has("eve (clinician, not on your care team) opened your record in an emergency, "
          "with a recorded reason"))
      << log.body;
  EXPECT_TRUE(
      has("eve (clinician, not on your care team) looked at your diagnoses in an "
          "emergency, with a recorded reason"));
  EXPECT_TRUE(has("eve (clinician, not on your care team) tried to look at"));
  // The reason's text is never shown; the client's own reading is not listed.
  EXPECT_FALSE(contains(log.body, "overdose"));
  EXPECT_FALSE(has("ada "));
  // Two reads of the diagnoses on one day are one line.
  const bj::value v = log.json();
  bool folded = false;
  for (const auto& l : v.at("items").as_array()) {
    if (l.at("who").as_string().starts_with("clin ") && l.at("what") == "your diagnoses" &&
        l.at("did") == "looked at") {
      EXPECT_GE(l.at("times").as_int64(), 2);
      folded = true;
    }
  }
  EXPECT_TRUE(folded);
  // Only this client's record: nothing about Bob (whose record clin created) shows up.
  auto bobs = peer->get("/api/v1/me/access-log");
  ASSERT_EQ(bobs.status, 200);
  EXPECT_FALSE(contains(bobs.body, "diagnoses"));
  EXPECT_FALSE(contains(bobs.body, "eve"));

  // Paged by access-log position.
  auto page = portal->get("/api/v1/me/access-log?limit=2");
  ASSERT_EQ(page.status, 200);
  const bj::value pv = page.json();
  ASSERT_TRUE(pv.at("next_cursor").is_string());
  auto next = portal->get("/api/v1/me/access-log?limit=2&before=" +
                          std::string(pv.at("next_cursor").as_string()));
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(portal->get("/api/v1/me/access-log?limit=0").status, 400);
  EXPECT_EQ(portal->get("/api/v1/me/access-log?before=x").status, 400);
  // Staff have no /me; nobody signed in gets nothing.
  EXPECT_EQ(clin->get("/api/v1/me/access-log").status, 403);
  HttpClient anonymous(server->base_url());
  EXPECT_EQ(anonymous.get("/api/v1/me/access-log").status, 401);
}

TEST_F(RecordApi, TheDownloadHoldsTheRecordButNeverAPsychotherapyNote) {
  ASSERT_EQ(
      clin->post(base + "/assessments", bj::object{{"instrument", "phq-9"}, {"answers", phq9(2)}})
          .status,
      201);
  ASSERT_EQ(clin->post(base + "/diagnoses", bj::object{{"code", "F41.1"}}).status, 201);
  bj::object plan{{"version", 0},
                  {"sections",
                   {{"warning_signs", bj::array{"<img src=x onerror=alert(1)>"}},
                    {"coping_strategies", bj::array{"Walk the dog"}}}}};
  ASSERT_EQ(clin->request("PUT", base + "/safety-plan", bj::serialize(plan),
                          {{"Content-Type", "application/json"}})
                .status,
            200);
  auto progress =
      clin->post(base + "/notes",
                 bj::object{{"template", "soap"},
                            {"sections", bj::object{{"subjective", "Sleeping better: quokka"}}}});
  ASSERT_EQ(progress.status, 201) << progress.body;
  const std::string pid(progress.json().at("id").as_string());
  ASSERT_EQ(clin->post("/api/v1/notes/" + pid + "/sign", bj::object{{"version", 1}}).status, 200);
  auto draft = clin->post(base + "/notes",
                          bj::object{{"template", "soap"},
                                     {"sections", bj::object{{"subjective", "Unsigned wombat"}}}});
  ASSERT_EQ(draft.status, 201);
  auto private_note =
      clin->post(base + "/notes",
                 bj::object{{"template", "soap"},
                            {"kind", "psychotherapy"},
                            {"sections", bj::object{{"subjective", "Transference pangolin"}}}});
  ASSERT_EQ(private_note.status, 201) << private_note.body;
  const std::string ppid(private_note.json().at("id").as_string());
  clin->post("/api/v1/notes/" + ppid + "/sign", bj::object{{"version", 1}});
  ask(*portal, "my name", "Please spell it <i>properly</i>");

  auto json = portal->get("/api/v1/me/record");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(json.header("content-disposition"), "attachment; filename=\"my-record.json\"");
  EXPECT_TRUE(contains(json.header("content-type"), "application/fhir+json"));
  EXPECT_TRUE(contains(json.body, "quokka"));
  EXPECT_FALSE(contains(json.body, "pangolin"));
  EXPECT_FALSE(contains(json.body, ppid));
  EXPECT_FALSE(contains(json.body, "wombat"));
  const bj::value b = bj::parse(json.body);
  EXPECT_EQ(b.at("resourceType"), "Bundle");
  EXPECT_EQ(b.at("type"), "document");
  const auto& entries = b.at("entry").as_array();
  EXPECT_EQ(entries.at(0).at("resource").at("resourceType"), "Composition");
  std::set<std::string> present;
  std::map<std::string, int> kinds;
  for (const auto& e : entries) {
    const auto& r = e.at("resource");
    ASSERT_TRUE(r.as_object().contains("id"));
    present.insert(std::string(r.at("resourceType").as_string()) + "/" +
                   std::string(r.at("id").as_string()));
    kinds[std::string(r.at("resourceType").as_string())]++;
  }
  std::vector<std::string> refs;
  references(b, refs);
  for (const auto& r : refs) EXPECT_TRUE(present.count(r) > 0) << "dangling " << r;
  EXPECT_EQ(kinds["Patient"], 1);
  EXPECT_EQ(kinds["QuestionnaireResponse"], 1);
  EXPECT_GE(kinds["Observation"], 1);
  EXPECT_EQ(kinds["Condition"], 1);
  EXPECT_TRUE(present.count("Patient/" + client_id) > 0);
  EXPECT_FALSE(contains(json.body, "Peer"));

  auto html = portal->get("/api/v1/me/record.html");
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_EQ(html.header("content-disposition"), "attachment; filename=\"my-record.html\"");
  EXPECT_TRUE(contains(html.header("content-type"), "text/html"));
  EXPECT_TRUE(contains(html.body, "quokka"));
  EXPECT_FALSE(contains(html.body, "pangolin"));
  EXPECT_FALSE(contains(html.body, "wombat"));
  EXPECT_FALSE(contains(html.body, "<script"));
  EXPECT_FALSE(contains(html.body, "<img"));
  EXPECT_FALSE(contains(html.body, "<b>bold"));
  EXPECT_FALSE(contains(html.body, "<i>properly"));
  EXPECT_TRUE(contains(html.body, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(contains(html.body, "Lovelace &lt;b&gt;bold&lt;/b&gt;"));
  EXPECT_TRUE(contains(html.body, "@media print"));

  // Each download is audited as one, by the client.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'download' AND resource_kind = "
                  "'record' AND client_id = ?",
                  {client_id}),
            2);
  // Staff have no /me download; another client downloads only their own.
  EXPECT_EQ(clin->get("/api/v1/me/record").status, 403);
  EXPECT_EQ(clin->get("/api/v1/me/record.html").status, 403);
  auto bobs = peer->get("/api/v1/me/record");
  ASSERT_EQ(bobs.status, 200);
  EXPECT_FALSE(contains(bobs.body, "quokka"));
  EXPECT_FALSE(contains(bobs.body, "Lovelace"));
  EXPECT_FALSE(contains(bobs.body, "properly"));
}

TEST_F(RecordApi, TheDownloadHoldsCheckInsAndMessagesButNoStaffOnlyThread) {
  auto summary = portal->get("/api/v1/me/check-ins/summary");
  ASSERT_EQ(summary.status, 200) << summary.body;
  const std::string today(summary.json().at("today").as_string());
  auto ci =
      portal->post("/api/v1/me/check-ins", bj::object{{"date", today},
                                                      {"mood", 6},
                                                      {"sleep_hours", 7.5},
                                                      {"self_harm_urge", 0},
                                                      {"factors", bj::array{"exercise"}},
                                                      {"note", "Swam with <b>Jo</b> axolotl"}});
  ASSERT_EQ(ci.status, 201) << ci.body;
  auto mine = portal->post("/api/v1/me/threads",
                           bj::object{{"subject", "Tuesday"}, {"body", "Can we talk narwhal?"}});
  ASSERT_EQ(mine.status, 201) << mine.body;
  auto staff_only = clin->post(
      base + "/threads",
      bj::object{{"kind", "staff"}, {"subject", "Dose"}, {"body", "Between us: okapi review"}});
  ASSERT_EQ(staff_only.status, 201) << staff_only.body;

  auto json = portal->get("/api/v1/me/record");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_TRUE(
      contains(json.body, today + ": Mood 6 of 10; slept 7.5 hours; urge to self-harm 0 of 5"))
      << json.body;
  EXPECT_TRUE(contains(json.body, "axolotl"));
  EXPECT_TRUE(contains(json.body, "Messages: Tuesday"));
  EXPECT_TRUE(contains(json.body, "Can we talk narwhal?"));
  EXPECT_FALSE(contains(json.body, "okapi"));  // about the client, but not theirs to read

  auto html = portal->get("/api/v1/me/record.html");
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_TRUE(contains(html.body, "<h2>Daily check-ins</h2>"));
  EXPECT_TRUE(contains(html.body, "Swam with &lt;b&gt;Jo&lt;/b&gt; axolotl"));
  EXPECT_FALSE(contains(html.body, "<b>Jo</b>"));
  EXPECT_TRUE(contains(html.body, "Can we talk narwhal?"));
  EXPECT_FALSE(contains(html.body, "okapi"));
  // Another client's download has none of it.
  auto theirs = peer->get("/api/v1/me/record");
  ASSERT_EQ(theirs.status, 200);
  EXPECT_FALSE(contains(theirs.body, "axolotl"));
  EXPECT_FALSE(contains(theirs.body, "narwhal"));
}

TEST_F(RecordApi, ACorrectionIsAskedAnsweredAndKept) {
  auto bad =
      portal->post("/api/v1/me/amendments", bj::object{{"what", "my name"}, {"change", "  "}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"change"});
  auto missing = portal->post("/api/v1/me/amendments", bj::object{{"change", "x"}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.error_fields(), std::vector<std::string>{"what"});
  auto kind =
      portal->post("/api/v1/me/amendments",
                   bj::object{{"what", "a"}, {"change", "b"}, {"ref_kind", "psychotherapy_note"}});
  EXPECT_EQ(kind.status, 422);
  EXPECT_EQ(kind.error_fields(), std::vector<std::string>{"ref_kind"});
  auto unknown = portal->post("/api/v1/me/amendments",
                              bj::object{{"what", "a"}, {"change", "b"}, {"colour", "red"}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(count("SELECT COUNT(*) FROM record_amendments"), 0);
  EXPECT_EQ(clin->post("/api/v1/me/amendments", bj::object{{"what", "a"}, {"change", "b"}}).status,
            403);

  auto made = portal->post("/api/v1/me/amendments",
                           bj::object{{"what", "my diagnosis"},
                                      {"change", "I was never told about a gambling problem"},
                                      {"ref_kind", "diagnosis"},
                                      {"ref_id", "dx_123"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const bj::value mv = made.json();
  const std::string id(mv.at("id").as_string());
  EXPECT_EQ(mv.at("status"), "open");
  EXPECT_EQ(mv.at("ref_kind"), "diagnosis");
  EXPECT_TRUE(mv.at("reason").is_null());
  // Sealed at rest; a review task for the primary clinician (the client's creator).
  EXPECT_EQ(count("SELECT COUNT(*) FROM record_amendments WHERE change LIKE '%gambling%' OR "
                  "what LIKE '%diagnosis%'"),
            0);
  auto tasks = clin->get("/api/v1/tasks");
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  EXPECT_TRUE(contains(tasks.body, "asks for a correction")) << tasks.body;

  // The care team sees it; the open list is for the caller's own clients.
  auto list = clin->get(base + "/amendments");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1u);
  auto open = clin->get("/api/v1/amendments?status=open");
  ASSERT_EQ(open.status, 200);
  EXPECT_EQ(open.json().at("items").at(0).at("id"), bj::value(id));
  EXPECT_EQ(open.json().at("items").at(0).at("client_name"), "Ada Lovelace <b>bold</b>");
  EXPECT_EQ(eve->get("/api/v1/amendments?status=open").json().at("items").as_array().size(), 0u);
  EXPECT_EQ(clin->get("/api/v1/amendments?status=maybe").status, 400);
  EXPECT_EQ(desk->get("/api/v1/amendments").status, 403);
  EXPECT_EQ(portal->get("/api/v1/amendments").status, 403);

  // Off the care team: not found. Refusing needs a reason of 10+ characters.
  EXPECT_EQ(eve->get(base + "/amendments").status, 404);
  EXPECT_EQ(eve->post("/api/v1/amendments/" + id + "/refuse",
                      bj::object{{"reason", "Not my client at all"}})
                .status,
            404);
  auto short_reason =
      clin->post("/api/v1/amendments/" + id + "/refuse", bj::object{{"reason", "No."}});
  EXPECT_EQ(short_reason.status, 422);
  EXPECT_EQ(short_reason.error_fields(), std::vector<std::string>{"reason"});
  auto no_reason = clin->post("/api/v1/amendments/" + id + "/refuse", bj::object{});
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(no_reason.error_fields(), std::vector<std::string>{"reason"});
  // The client cannot answer their own.
  EXPECT_EQ(portal->post("/api/v1/amendments/" + id + "/accept", bj::object{}).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM record_amendments WHERE status = 'open'"), 1);

  auto refused = clin->post(
      "/api/v1/amendments/" + id + "/refuse",
      bj::object{{"reason", "The diagnosis was discussed on 3 November and is correct"}});
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(refused.json().at("status"), "refused");
  EXPECT_EQ(refused.json().at("decided_by").at("name"), "clin");
  EXPECT_EQ(count("SELECT COUNT(*) FROM record_amendments WHERE reason LIKE '%November%'"), 0);
  // Deciding twice: 409, either way.
  EXPECT_EQ(clin->post("/api/v1/amendments/" + id + "/accept", bj::object{}).status, 409);
  EXPECT_EQ(clin->post("/api/v1/amendments/" + id + "/refuse",
                       bj::object{{"reason", "Still refused, as before"}})
                .status,
            409);
  // Its task is done.
  EXPECT_FALSE(contains(clin->get("/api/v1/tasks").body, "asks for a correction"));

  // The client sees the request and the answer, for ever.
  auto mine = portal->get("/api/v1/me/amendments");
  ASSERT_EQ(mine.status, 200);
  const bj::value mj = mine.json();
  ASSERT_EQ(mj.at("items").as_array().size(), 1u);
  EXPECT_EQ(mj.at("items").at(0).at("reason"),
            "The diagnosis was discussed on 3 November and is correct");
  EXPECT_EQ(mj.at("items").at(0).at("change"), "I was never told about a gambling problem");

  // Accepting with a note.
  const std::string second = ask(*portal, "my phone number", "It is 555-0100 now");
  auto accepted =
      clin->post("/api/v1/amendments/" + second + "/accept", bj::object{{"note", "Updated"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json().at("status"), "accepted");
  EXPECT_EQ(accepted.json().at("reason"), "Updated");
  EXPECT_EQ(clin->get("/api/v1/amendments?status=open").json().at("items").as_array().size(), 0u);
  EXPECT_EQ(clin->get("/api/v1/amendments").json().at("items").as_array().size(), 2u);
  EXPECT_EQ(clin->post("/api/v1/amendments/nope/accept", bj::object{}).status, 404);
}

TEST_F(RecordApi, AnotherClientsRequestIsNotFoundOnEveryRoute) {
  const std::string id = ask(*portal, "my name", "Ada, not Adah");
  // Bob sees none of Ada's requests, on no route.
  EXPECT_EQ(peer->get("/api/v1/me/amendments").json().at("items").as_array().size(), 0u);
  EXPECT_EQ(peer->get(base + "/amendments").status, 404);
  EXPECT_EQ(peer->post("/api/v1/amendments/" + id + "/accept", bj::object{}).status, 404);
  EXPECT_EQ(peer->post("/api/v1/amendments/" + id + "/refuse",
                       bj::object{{"reason", "Refused by someone else"}})
                .status,
            404);
  EXPECT_EQ(peer->get("/api/v1/amendments").status, 403);
  EXPECT_FALSE(contains(peer->get("/api/v1/me/record").body, "Adah"));
  EXPECT_FALSE(contains(peer->get("/api/v1/me/record.html").body, "Adah"));
  EXPECT_FALSE(contains(peer->get("/api/v1/me/access-log").body, "correction"));
  // Ada sees that someone tried, never who: Bob's name is his own.
  auto adas = portal->get("/api/v1/me/access-log");
  EXPECT_TRUE(contains(adas.body, "someone using the portal (not you) tried to look at"))
      << adas.body;
  EXPECT_FALSE(contains(adas.body, "bob"));
  // Staff with no access to the client: not found, and nothing changed.
  EXPECT_EQ(eve->post("/api/v1/amendments/" + id + "/accept", bj::object{}).status, 404);
  EXPECT_EQ(desk->post("/api/v1/amendments/" + id + "/accept", bj::object{}).status, 404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM record_amendments WHERE status = 'open'"), 1);
}

}  // namespace
}  // namespace tend::testing
