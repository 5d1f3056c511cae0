// GET /api/v1/events over real HTTP: a care team member's open stream receives the domain
// events about their client (break-the-glass by someone else, record changes) within seconds;
// other users' streams do not; Last-Event-ID resumes; bad input and no credentials are refused.

#include <gtest/gtest.h>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

std::string token_for(ApiServer& s, const std::string& user_id) {
  auto t = s.app().access().create_token(access::system_principal("test"), user_id, "sse", 30);
  if (!t) throw std::runtime_error(t.error().detail);
  return t->token;
}

TEST(Events, CareTeamSeesItsClientsEventsLiveAndCanResume) {
  ApiServer s;
  const auto clin_id = s.add_user("clin", "clinician");
  const auto other_id = s.add_user("other", "clinician");
  auto clin = s.client_for("clin");
  auto other = s.client_for("other");
  auto created = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                          {"family_name", "Lovelace"},
                                                          {"date_of_birth", "1990-01-01"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());

  SseReader mine(s.base_url(), "/api/v1/events", token_for(s, clin_id));
  SseReader theirs(s.base_url(), "/api/v1/events", token_for(s, other_id));
  ASSERT_TRUE(mine.wait_for("retry: 3000", 10s)) << mine.text();
  ASSERT_TRUE(theirs.wait_for("retry: 3000", 10s)) << theirs.text();

  auto bg = other->post("/api/v1/clients/" + id + "/break-glass",
                        bj::object{{"reason", "Client called in crisis; clinician away"}});
  ASSERT_EQ(bg.status, 201) << bg.body;
  ASSERT_TRUE(mine.wait_for("event: client.break_glass", 5s)) << mine.text();
  EXPECT_NE(mine.text().find("\"client_id\":\"" + id + "\""), std::string::npos);
  EXPECT_EQ(mine.text().find("crisis"), std::string::npos);  // ids only, never the reason

  auto patch = clin->patch("/api/v1/clients/" + id, bj::object{{"preferred_name", "Addie"}});
  ASSERT_EQ(patch.status, 200) << patch.body;
  ASSERT_TRUE(mine.wait_for("event: client.updated", 5s)) << mine.text();
  EXPECT_EQ(mine.text().find("Addie"), std::string::npos);
  // The clinician outside the team saw none of it.
  EXPECT_EQ(theirs.text().find("event:"), std::string::npos) << theirs.text();

  // Reconnecting with the id of the break-glass event brings back only what came after.
  const auto text = mine.text();
  const auto at = text.find("event: client.break_glass");
  const auto id_line = text.rfind("id: ", at);
  const std::string last = text.substr(id_line + 4, text.find('\n', id_line) - id_line - 4);
  SseReader resumed(s.base_url(), "/api/v1/events", token_for(s, clin_id),
                    {{"Last-Event-ID", last}});
  ASSERT_TRUE(resumed.wait_for("event: client.updated", 5s)) << resumed.text();
  EXPECT_EQ(resumed.text().find("client.break_glass"), std::string::npos);
}

TEST(Events, BadLastEventIdAndMissingCredentialsAreRefused) {
  ApiServer s;
  const auto clin_id = s.add_user("clin", "clinician");
  HttpClient anonymous(s.base_url());
  EXPECT_EQ(anonymous.get("/api/v1/events").status, 401);
  HttpClient api(s.base_url());
  api.set_bearer(token_for(s, clin_id));
  auto bad = api.request("GET", "/api/v1/events", {}, {{"Last-Event-ID", "12; DROP"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Last-Event-ID"), std::string::npos);
  EXPECT_EQ(api.get("/api/v1/events?last_event_id=-1").status, 400);
}

}  // namespace
}  // namespace tend::testing

namespace tend::testing {
namespace {

TEST(StaffDirectory, ColleaguesByNameForStaffOnlyAndNamesInTheAccessLog) {
  ApiServer s;
  s.add_user("clin", "clinician");
  const auto add_staff = [&](const char* username, const char* name) {
    access::NewUser nu;
    nu.username = username;
    nu.display_name = name;
    nu.role = access::Role::Clinician;
    nu.password = k_password;
    ASSERT_TRUE(s.app().access().create_user(access::system_principal("test"), nu).ok());
  };
  add_staff("c.okafor", "Chidi Okafor");
  add_staff("gone", "Okafor Gone");
  auto gone = s.app().access().find_by_username("gone");
  ASSERT_TRUE(gone.ok());
  ASSERT_TRUE(s.app().access().set_disabled(access::system_principal("test"), gone->id, true).ok());
  auto clin = s.client_for("clin");

  auto found = clin->get("/api/v1/staff?q=okaf");  // a word of the name
  ASSERT_EQ(found.status, 200) << found.body;
  const auto items = found.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << found.body;  // the disabled account is not offered
  EXPECT_EQ(items[0].at("display_name").as_string(), "Chidi Okafor");
  EXPECT_EQ(items[0].at("role").as_string(), "clinician");
  EXPECT_FALSE(items[0].as_object().contains("email"));
  EXPECT_EQ(clin->get("/api/v1/staff?q=c.ok").json().at("items").as_array().size(), 1u);
  EXPECT_EQ(clin->get("/api/v1/staff?q=nobody").json().at("items").as_array().size(), 0u);
  EXPECT_EQ(clin->get("/api/v1/staff?limit=0").status, 400);
  EXPECT_EQ(clin->get("/api/v1/staff?q=" + std::string(101, 'a')).status, 400);
  EXPECT_EQ(clin->get("/api/v1/session").json().at("idle_timeout_seconds").as_int64(), 30 * 60);

  // The access log names who did what.
  auto created = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                          {"family_name", "Lovelace"},
                                                          {"date_of_birth", "1990-01-01"}});
  ASSERT_EQ(created.status, 201);
  const std::string id(created.json().at("id").as_string());
  auto log = clin->get("/api/v1/clients/" + id + "/access-log");
  ASSERT_EQ(log.status, 200);
  EXPECT_EQ(log.json().at("items").as_array().back().at("actor_name").as_string(), "clin");

  // Clients do not browse the staff list.
  s.add_user("ada", "client", id);
  auto portal = s.client_for("ada");
  EXPECT_EQ(portal->get("/api/v1/staff?q=ok").status, 403);
}

}  // namespace
}  // namespace tend::testing
