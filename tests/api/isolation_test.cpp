// A client never reaches another client's anything, tried on every route the server has: the
// demo clinic fills every module (clients, measures, crisis, care, check-ins, messages, reading,
// plans …), one of its clients signs in to the portal, and then every path of the OpenAPI
// document is called, each path parameter given the id of every kind of record that is not
// theirs (one of each id prefix: cl_, th_, nt_ …). Reads must not answer 2xx; writes must not
// answer 2xx and must change no row of any table; lists without parameters must not mention
// any other client. Then the same again as a parent or guardian linked to that client. Runs
// against SQLite and, in the .pg run, PostgreSQL.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/demo.h"
#include "support/api.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

struct Column {
  std::string table;
  std::string column;
};

// Tables whose rows a refused request may still add: the audit of the refusal, sessions and
// rate limits, and the live-event log.
const std::set<std::string> k_bookkeeping = {"audit_log",      "audit_head", "sessions",
                                             "login_attempts", "events",     "rate_limits"};

class Isolation : public ::testing::Test {
 protected:
  std::vector<std::string> tables() {
    const std::string q =
        server.database.postgres()
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = "
              "current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
    std::vector<std::string> out;
    server.app().db().read([&](sql::Conn& c) {
      for (const auto& r : c.query(q)) out.push_back(r.str(0));
    });
    return out;
  }
  std::set<std::string> columns(const std::string& table) {
    std::set<std::string> out;
    server.app().db().read([&](sql::Conn& c) {
      if (server.database.postgres()) {
        for (const auto& r : c.query("SELECT column_name FROM information_schema.columns WHERE "
                                     "table_schema = current_schema() AND table_name = ?",
                                     {table})) {
          out.insert(r.str(0));
        }
      } else {
        for (const auto& r : c.query("SELECT name FROM pragma_table_info(?)", {table})) {
          out.insert(r.str(0));
        }
      }
    });
    return out;
  }
  std::map<std::string, std::int64_t> counts() {
    std::map<std::string, std::int64_t> out;
    server.app().db().read([&](sql::Conn& c) {
      for (const auto& t : all_tables) {
        out[t] = c.query_one("SELECT COUNT(*) FROM " + t)->i64(0);
      }
    });
    return out;
  }

  // Guardians may be invited for adults here and see every section a service can share, so the
  // guardian's sweep meets the most a guardian can ever be shown.
  ApiServer server{
      {{"guardian_adults", "true"},
       {"guardian_access", "appointments,education,safety_plan,plan,crisis_resources"}}};
  std::vector<std::string> all_tables;
};

TEST_F(Isolation, AClientOrTheirGuardianReachesNoOtherClientsRecordOnAnyRoute) {
  app::DemoOptions opts;
  opts.seed = 3;
  opts.clients = 12;
  auto demo = app::generate_demo(server.app(), opts);
  ASSERT_TRUE(demo) << demo.error().detail;
  all_tables = tables();

  // The portal client of the demo has the fullest record (check-ins, messages, plans …); the
  // intruder is another demo client with a portal account of their own.
  std::string victim, intruder;
  server.app().db().read([&](sql::Conn& c) {
    victim = c.query_one("SELECT client_id FROM users WHERE username = ?", {demo->portal.username})
                 ->str(0);
    intruder =
        c.query_one("SELECT id FROM clients WHERE id <> ? ORDER BY id LIMIT 1", {victim})->str(0);
  });
  server.add_user("intruder", "client", intruder);
  auto me = server.client_for("intruder");
  {
    // The demo gives no reading: the victim's clinician gives one, so that it is tried too.
    std::string clinician;
    server.app().db().read([&](sql::Conn& c) {
      clinician = c.query_one(
                       "SELECT u.username FROM care_team t JOIN users u ON u.id = "
                       "t.user_id WHERE t.client_id = ? AND u.role = 'clinician' "
                       "ORDER BY u.username LIMIT 1",
                       {victim})
                      ->str(0);
    });
    HttpClient staff(server.base_url());
    ASSERT_EQ(staff.sign_in(clinician, demo->password).status, 201);
    auto given = staff.post("/api/v1/clients/" + victim + "/education",
                            bj::object{{"slug", "worry-time"}, {"note", "For Tuesday"}});
    ASSERT_EQ(given.status, 201) << given.body;
  }
  // A parent of the intruder, invited by the intruder's clinician, joins the portal.
  std::unique_ptr<HttpClient> parent;
  {
    std::string clinician;
    server.app().db().read([&](sql::Conn& c) {
      clinician = c.query_one(
                       "SELECT u.username FROM care_team t JOIN users u ON u.id = "
                       "t.user_id WHERE t.client_id = ? AND u.role = 'clinician' "
                       "ORDER BY u.username LIMIT 1",
                       {intruder})
                      ->str(0);
    });
    HttpClient staff(server.base_url());
    ASSERT_EQ(staff.sign_in(clinician, demo->password).status, 201);
    auto invited = staff.post("/api/v1/clients/" + intruder + "/invitations",
                              bj::object{{"kind", "guardian"},
                                         {"method", "code"},
                                         {"guardian_name", "Pat Doe"},
                                         {"relationship", "parent"}});
    ASSERT_EQ(invited.status, 201) << invited.body;
    parent = std::make_unique<HttpClient>(server.base_url());
    auto joined = parent->post("/api/v1/invitations/accept",
                               bj::object{{"code", invited.json().at("code")},
                                          {"username", "parent"},
                                          {"password", "a long enough passphrase"},
                                          {"accept_terms", true}});
    ASSERT_EQ(joined.status, 201) << joined.body;
    parent->set_csrf(std::string(joined.json().at("csrf_token").as_string()));
    ASSERT_EQ(parent->get("/api/v1/guardian/clients/" + intruder + "/appointments").status, 200);
  }

  // One id of every prefix that is not the intruder's own: from every table with an id column,
  // rows of other clients (or of no client, such as staff accounts and rosters).
  std::map<std::string, std::string> by_prefix;  // "th" → "th_…"
  std::vector<std::string> other_client_ids;
  for (const auto& t : all_tables) {
    const auto cols = columns(t);
    if (cols.count("id") == 0) continue;
    const bool per_client = cols.count("client_id") > 0;
    server.app().db().read([&](sql::Conn& c) {
      const auto rows =
          per_client ? c.query("SELECT CAST(id AS TEXT) FROM " + t +
                                   " WHERE client_id <> ? ORDER BY id DESC LIMIT 3",
                               {intruder})
                     : c.query("SELECT CAST(id AS TEXT) FROM " + t + " ORDER BY id DESC LIMIT 3");
      for (const auto& r : rows) {
        const std::string id = r.str(0);
        const auto us = id.find('_');
        if (us == std::string::npos || us == 0) continue;
        by_prefix.emplace(id.substr(0, us) + "@" + t, id);
      }
    });
  }
  server.app().db().read([&](sql::Conn& c) {
    for (const auto& r : c.query("SELECT id FROM clients WHERE id <> ?", {intruder})) {
      other_client_ids.push_back(r.str(0));
    }
  });
  ASSERT_GE(by_prefix.size(), 20U) << "the demo should fill most modules";
  // The victim's records of the between-sessions modules are among those tried.
  std::set<std::string> tried_tables;
  for (const auto& [k, id] : by_prefix) tried_tables.insert(k.substr(k.find('@') + 1));
  for (const char* t : {"clients", "tracking_check_ins", "message_threads", "care_notes",
                        "education_assignments", "crisis_alerts", "assessments"}) {
    EXPECT_TRUE(tried_tables.count(t)) << "no other client's row of " << t << " to try";
  }

  auto spec = HttpClient(server.base_url()).get("/api/v1/openapi.json");
  ASSERT_EQ(spec.status, 200);
  const auto doc = spec.json();
  const auto& paths = doc.at("paths").as_object();
  ASSERT_GE(paths.size(), 100U);

  const auto before = counts();
  int calls = 0;
  const auto sweep = [&](HttpClient& who, const std::string& name) {
    for (const auto& [path_key, ops] : paths) {
      const std::string path(path_key);
      const bool has_params = path.find('{') != std::string::npos;
      for (const auto& [method_key, op] : ops.as_object()) {
        std::string method(method_key);
        for (auto& ch : method) ch = static_cast<char>(std::toupper(ch));
        if (method != "GET" && method != "POST" && method != "PUT" && method != "PATCH" &&
            method != "DELETE") {
          continue;
        }
        if (path == "/api/v1/events") continue;  // a stream: its own tests cover who gets what
        if (path == "/api/v1/session" && method == "DELETE") continue;  // signs the intruder out
        if (!has_params) {
          if (method != "GET") continue;  // the intruder's own writes are other tests' business
          auto r = who.get(path);
          ++calls;
          for (const auto& other : other_client_ids) {
            EXPECT_EQ(r.body.find(other), std::string::npos)
                << name << ": GET " << path << " names another client (" << other << ")";
          }
          continue;
        }
        for (const auto& [kind, id] : by_prefix) {
          std::string url;
          for (std::size_t i = 0; i < path.size();) {
            if (path[i] == '{') {
              url += id;
              i = path.find('}', i) + 1;
            } else {
              url += path[i++];
            }
          }
          auto r = method == "GET"
                       ? who.get(url)
                       : who.request(method, url, "{}", {{"Content-Type", "application/json"}});
          ++calls;
          EXPECT_TRUE(r.status < 200 || r.status >= 300)
              << name << ": " << method << " " << url << " (" << kind << ") answered " << r.status
              << ": " << r.body.substr(0, 200);
          EXPECT_LT(r.status, 500) << name << ": " << method << " " << url << " (" << kind << ")";
        }
      }
    }
  };
  sweep(*me, "client");
  sweep(*parent, "guardian");
  const auto after = counts();
  for (const auto& [table, n] : before) {
    if (k_bookkeeping.count(table)) continue;
    EXPECT_EQ(after.at(table), n) << table << " changed under the intruders' requests";
  }
  EXPECT_GT(calls, 2000);
  RecordProperty("requests", calls);
}

}  // namespace
}  // namespace tend::testing
