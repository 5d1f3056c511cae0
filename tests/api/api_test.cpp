// The HTTP API end to end: the real server on a loopback port, a real SQLite file, libcurl.

#include "support/api.h"

#include <gtest/gtest.h>

#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

bj::object ada() {
  return {{"given_name", "Ada"},
          {"family_name", "Lovelace"},
          {"preferred_name", "Ada"},
          {"pronouns", "she/her"},
          {"date_of_birth", "1990-12-10"}};
}

class Api : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("admin", "admin");
    clin_id = server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    clin = server->client_for("clin");
  }
  std::unique_ptr<ApiServer> server;
  std::string clin_id;
  std::unique_ptr<HttpClient> clin;
};

TEST_F(Api, OperationsEndpoints) {
  HttpClient anon(server->base_url());
  EXPECT_EQ(anon.get("/healthz").status, 200);
  EXPECT_EQ(anon.get("/readyz").status, 200);
  auto m = anon.get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("tend_http_requests_total"), std::string::npos);
  EXPECT_NE(m.body.find("route=\"/healthz\""), std::string::npos);
  auto doc = anon.get("/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const auto doc_json = doc.json();
  const auto& paths = doc_json.at("paths").as_object();
  for (const char* p :
       {"/api/v1/clients", "/api/v1/clients/{id}", "/api/v1/clients/{id}/access-log",
        "/api/v1/clients/{id}/care-team", "/api/v1/session", "/api/v1/users"}) {
    EXPECT_TRUE(paths.contains(p)) << p;
  }
  EXPECT_EQ(doc_json.at("openapi").as_string(), "3.1.0");
}

TEST_F(Api, RegisterReadChangeSearchAndSeeTheAccessLog) {
  auto created = clin->post("/api/v1/clients", ada());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  EXPECT_EQ(created.header("location"), "/api/v1/clients/" + id);
  EXPECT_EQ(created.json().at("pronouns").as_string(), "she/her");

  auto got = clin->get("/api/v1/clients/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("given_name").as_string(), "Ada");
  EXPECT_EQ(got.header("cache-control"), "no-store");

  auto changed =
      clin->patch("/api/v1/clients/" + id, bj::object{{"preferred_name", "Addie"}, {"version", 1}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json().at("version").as_int64(), 2);

  auto found = clin->get("/api/v1/clients?q=lov");
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.json().at("items").as_array().size(), 1u);
  EXPECT_TRUE(found.json().at("next_cursor").is_null());

  auto log1 = clin->get("/api/v1/clients/" + id + "/access-log");
  ASSERT_EQ(log1.status, 200);
  const auto n1 = log1.json().at("items").as_array().size();
  // A colleague at the front desk looks; the log names them.
  auto desk = server->client_for("desk");
  ASSERT_EQ(desk->get("/api/v1/clients/" + id).status, 200);
  auto log2 = clin->get("/api/v1/clients/" + id + "/access-log");
  const auto log2_json = log2.json();
  const auto& items = log2_json.at("items").as_array();
  ASSERT_GE(items.size(), n1 + 2);  // the desk's read and our previous look at the log
  bool desk_read = false;
  for (const auto& e : items) {
    if (e.at("actor_role").as_string() == "front_desk" && e.at("action").as_string() == "read")
      desk_read = true;
  }
  EXPECT_TRUE(desk_read);
}

TEST_F(Api, BadInputIsRefusedWithProblemJsonNamingTheField) {
  struct Case {
    std::string body;
    std::string content_type;
    long status;
    std::string field;  // "" when the problem is not about one field
  };
  const std::vector<Case> cases = {
      {R"({"given_name":"A","family_name":"B","date_of_birth":"1990-02-30"})", "application/json",
       422, "date_of_birth"},
      {R"({"given_name":"A","family_name":"B","date_of_birth":"1990-01-01","shoe_size":9})",
       "application/json", 422, "shoe_size"},
      {R"({"given_name":1,"family_name":"B","date_of_birth":"1990-01-01"})", "application/json",
       422, "given_name"},
      {R"({"given_name":")" + std::string(300, 'x') +
           R"(","family_name":"B","date_of_birth":"1990-01-01"})",
       "application/json", 422, "given_name"},
      {R"({"given_name":"A","family_name":"B")", "application/json", 400, ""},
      {std::string(
           "{\"given_name\":\"\xc3\x28\",\"family_name\":\"B\",\"date_of_birth\":\"1990-01-01\"}"),
       "application/json", 400, ""},
      {R"([1,2,3])", "application/json", 400, ""},
      {R"({"given_name":"A","family_name":"B","date_of_birth":"1990-01-01"})", "text/plain", 415,
       ""},
      {"", "application/json", 400, ""},
  };
  for (const auto& c : cases) {
    auto r = clin->request("POST", "/api/v1/clients", c.body, {{"Content-Type", c.content_type}});
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << " → " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << c.body.substr(0, 80);
    auto p = r.json().as_object();
    EXPECT_EQ(p.at("status").as_int64(), c.status);
    EXPECT_FALSE(p.at("title").as_string().empty());
    if (!c.field.empty()) {
      auto f = r.error_fields();
      EXPECT_NE(std::find(f.begin(), f.end(), c.field), f.end()) << r.body;
    }
  }
  // Nothing half-written: no client and no "create" audit entry came from any of these.
  auto list = clin->get("/api/v1/clients?include_archived=true");
  EXPECT_TRUE(list.json().at("items").as_array().empty());
  EXPECT_EQ(server->app().db().read([](sql::Conn& c) {
    return c
        .query_one(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND resource_kind = 'client'")
        ->i64(0);
  }),
            0);
}

TEST_F(Api, OversizedBodyIs413) {
  std::string big = R"({"given_name":")" + std::string(2 << 20, 'x') + R"("})";
  auto r = clin->request("POST", "/api/v1/clients", big, {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 413);
}

TEST_F(Api, BadQueryParametersAre400) {
  EXPECT_EQ(clin->get("/api/v1/clients?limit=0").status, 400);
  EXPECT_EQ(clin->get("/api/v1/clients?limit=abc").status, 400);
  EXPECT_EQ(clin->get("/api/v1/clients?limit=101").status, 400);
  EXPECT_EQ(clin->get("/api/v1/clients?date_of_birth=12%2F10%2F1990").status, 400);
  EXPECT_EQ(clin->get("/api/v1/clients?cursor=nonsense").status, 400);
}

TEST_F(Api, UnknownAndInvisibleRecordsLookTheSame) {
  auto created = clin->post("/api/v1/clients", ada());
  const std::string id(created.json().at("id").as_string());
  auto other = server->client_for("other");
  auto hidden = other->get("/api/v1/clients/" + id);
  auto missing = other->get("/api/v1/clients/cl_aaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.json().at("title"), missing.json().at("title"));
  EXPECT_EQ(other->patch("/api/v1/clients/" + id, bj::object{{"pronouns", "x"}}).status, 404);
  EXPECT_EQ(other->get("/api/v1/clients/" + id + "/access-log").status, 404);
  EXPECT_EQ(other->get("/api/v1/nowhere").status, 404);
  EXPECT_EQ(other->request("PUT", "/api/v1/clients").status, 405);
}

TEST_F(Api, AuthenticationAndCsrf) {
  HttpClient anon(server->base_url());
  auto r = anon.get("/api/v1/clients");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(anon.sign_in("clin", "wrong password").status, 401);
  EXPECT_EQ(anon.sign_in("nobody", "wrong password").status, 401);
  // A signed-in browser session without the CSRF header cannot write.
  HttpClient browser(server->base_url());
  ASSERT_EQ(browser.sign_in("clin", k_password).status, 201);
  browser.set_csrf("");
  EXPECT_EQ(browser.post("/api/v1/clients", ada()).status, 403);
  EXPECT_EQ(browser.get("/api/v1/clients").status, 200);  // reads need no CSRF token
  // The session cookie is HttpOnly and SameSite=Strict.
  HttpClient raw(server->base_url());
  auto s = raw.post("/api/v1/session", bj::object{{"username", "clin"}, {"password", k_password}});
  const auto cookie = s.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  // Sign-out ends the session.
  ASSERT_EQ(browser.del("/api/v1/session").status, 403);  // CSRF needed for this too
  auto me = browser.get("/api/v1/session");
  browser.set_csrf(std::string(me.json().at("csrf_token").as_string()));
  EXPECT_EQ(browser.del("/api/v1/session").status, 204);
  EXPECT_EQ(browser.get("/api/v1/clients").status, 401);
}

TEST_F(Api, HostileStringsAreStoredVerbatimAndReturnedAsJson) {
  const std::string evil = "<img src=x onerror=alert(1)>'); DROP TABLE clients;-- \"quoted\" \\";
  bj::object body = ada();
  body["given_name"] = evil;
  body["family_name"] = "O'Brien\" OR 1=1 --";
  auto created = clin->post("/api/v1/clients", body);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  auto got = clin->get("/api/v1/clients/" + id);
  EXPECT_EQ(got.json().at("given_name").as_string(), evil);
  EXPECT_EQ(got.json().at("family_name").as_string(), "O'Brien\" OR 1=1 --");
  EXPECT_EQ(got.header("content-type"), "application/json");
  EXPECT_EQ(got.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(got.body.find("<img"), std::string::npos) << "markup must be escaped in JSON";
  auto search = clin->get("/api/v1/clients?q=%27%29%3B%20DROP");
  EXPECT_EQ(search.status, 200);
  EXPECT_EQ(clin->get("/api/v1/clients?q=o%27brien").json().at("items").as_array().size(), 1u);
}

TEST_F(Api, CareTeamAndBreakTheGlass) {
  const std::string id(clin->post("/api/v1/clients", ada()).json().at("id").as_string());
  auto other = server->client_for("other");
  EXPECT_EQ(other->get("/api/v1/clients/" + id).status, 404);
  auto bg = other->post("/api/v1/clients/" + id + "/break-glass", bj::object{{"reason", "x"}});
  EXPECT_EQ(bg.status, 422);
  bg = other->post("/api/v1/clients/" + id + "/break-glass",
                   bj::object{{"reason", "Client in crisis on the phone; primary clinician away"}});
  ASSERT_EQ(bg.status, 201) << bg.body;
  EXPECT_EQ(other->get("/api/v1/clients/" + id).status, 200);

  const std::string other_id(server->app().access().find_by_username("other")->id);
  auto team = clin->get("/api/v1/clients/" + id + "/care-team");
  ASSERT_EQ(team.status, 200);
  EXPECT_EQ(team.json().at("items").as_array().size(), 1u);
  auto add = clin->post("/api/v1/clients/" + id + "/care-team",
                        bj::object{{"user_id", other_id}, {"role", "clinician"}});
  ASSERT_EQ(add.status, 201) << add.body;
  EXPECT_EQ(clin->get("/api/v1/clients/" + id + "/care-team").json().at("items").as_array().size(),
            2u);
  EXPECT_EQ(clin->del("/api/v1/clients/" + id + "/care-team/" + other_id).status, 204);
  // The access log shows the break-the-glass reason.
  auto log = clin->get("/api/v1/clients/" + id + "/access-log?limit=100");
  bool found = false;
  const auto log_json = log.json();
  for (const auto& e : log_json.at("items").as_array()) {
    if (e.at("action").as_string() == "break_glass") {
      found = true;
      EXPECT_EQ(e.at("reason").as_string(),
                "Client in crisis on the phone; primary clinician away");
    }
  }
  EXPECT_TRUE(found);
  // The team sees a notice naming who opened the record, and until when.
  auto notices = clin->get("/api/v1/clients/" + id + "/notices");
  ASSERT_EQ(notices.status, 200) << notices.body;
  const auto nj = notices.json();
  ASSERT_EQ(nj.at("items").as_array().size(), 1u);
  EXPECT_EQ(nj.at("items").at(0).at("kind").as_string(), "break_glass");
  EXPECT_EQ(nj.at("items").at(0).at("actor_name").as_string(), "other");
  EXPECT_FALSE(nj.at("items").at(0).at("expires_at").is_null());
}

TEST_F(Api, AdminsManageUsersAndTokens) {
  auto admin = server->client_for("admin");
  auto created = admin->post("/api/v1/users", bj::object{{"username", "newclin"},
                                                         {"display_name", "New Clinician"},
                                                         {"role", "clinician"},
                                                         {"password", k_password}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string uid(created.json().at("id").as_string());
  EXPECT_FALSE(created.json().as_object().contains("password_hash"));
  EXPECT_EQ(admin
                ->post("/api/v1/users", bj::object{{"username", "newclin"},
                                                   {"display_name", "x"},
                                                   {"role", "clinician"},
                                                   {"password", k_password}})
                .status,
            409);
  auto bad_role = admin->post("/api/v1/users", bj::object{{"username", "x1y"},
                                                          {"display_name", "x"},
                                                          {"role", "wizard"},
                                                          {"password", k_password}});
  EXPECT_EQ(bad_role.status, 422);
  EXPECT_EQ(bad_role.error_fields(), std::vector<std::string>{"role"});
  auto list = admin->get("/api/v1/users?username=new");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(clin->get("/api/v1/users").status, 403);

  auto tok = admin->post("/api/v1/users/" + uid + "/tokens",
                         bj::object{{"name", "integration"}, {"expires_in_days", 7}});
  ASSERT_EQ(tok.status, 201) << tok.body;
  HttpClient api(server->base_url());
  api.set_bearer(std::string(tok.json().at("token").as_string()));
  EXPECT_EQ(api.post("/api/v1/clients", ada()).status, 201);  // bearer clients need no CSRF
  const std::string tok_id(tok.json().at("id").as_string());
  EXPECT_EQ(admin->del("/api/v1/tokens/" + tok_id).status, 204);
  EXPECT_EQ(api.get("/api/v1/clients").status, 401);

  EXPECT_EQ(admin->patch("/api/v1/users/" + uid, bj::object{{"disabled", true}}).status, 200);
  HttpClient disabled(server->base_url());
  EXPECT_EQ(disabled.sign_in("newclin", k_password).status, 401);
}

TEST_F(Api, ClientPortalAccountSeesOnlyItsOwnRecord) {
  const std::string mine(clin->post("/api/v1/clients", ada()).json().at("id").as_string());
  bj::object grace{
      {"given_name", "Grace"}, {"family_name", "Hopper"}, {"date_of_birth", "1960-01-01"}};
  const std::string theirs(clin->post("/api/v1/clients", grace).json().at("id").as_string());
  server->add_user("ada.portal", "client", mine);
  auto portal = server->client_for("ada.portal");
  EXPECT_EQ(portal->get("/api/v1/clients/" + mine).status, 200);
  EXPECT_EQ(portal->get("/api/v1/clients/" + mine + "/access-log").status, 200);
  EXPECT_EQ(portal->get("/api/v1/clients/" + theirs).status, 404);
  EXPECT_EQ(portal->get("/api/v1/clients/" + theirs + "/access-log").status, 404);
  EXPECT_EQ(portal->get("/api/v1/clients/" + theirs + "/care-team").status, 404);
  EXPECT_EQ(portal->get("/api/v1/clients").status, 403);
  EXPECT_EQ(portal->patch("/api/v1/clients/" + mine, bj::object{{"pronouns", "x"}}).status, 403);
  EXPECT_EQ(portal->post("/api/v1/clients", grace).status, 403);
  EXPECT_EQ(portal->get("/api/v1/users").status, 403);
}

}  // namespace
}  // namespace tend::testing
