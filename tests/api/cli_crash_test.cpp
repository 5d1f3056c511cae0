// The `tend` binary as operators use it: CLI subcommands on one data directory, the served
// API, graceful shutdown, a crash (SIGKILL) in the middle of a stream of creates, and the audit
// chain verified afterwards — then broken on purpose.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "support/api.h"
#include "support/domain.h"
#include "support/installation.h"
#include "support/process.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

using DataDir = Installation;

//! Adds `username` with `role` through the CLI and returns a new bearer token for them.
std::string make_token(const DataDir& d, const std::string& username = "admin",
                       const std::string& role = "admin") {
  auto add = run_tend(
      d.with({"user", "add", "--username", username, "--role", role, "--password-file", "-"}),
      k_password + "\n");
  EXPECT_EQ(add.exit_code, 0) << add.err;
  auto tok = run_tend(d.with({"token", "create", "--username", username, "--name", "test"}));
  EXPECT_EQ(tok.exit_code, 0) << tok.err;
  std::string t = tok.out;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

TEST(Cli, VersionHelpAndBadSettings) {
  auto v = run_tend({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("tend ", 0), 0u);
  auto help = run_tend({"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--data-dir", "--listen", "--db", "--tls-cert", "--tls-key",
                           "--session-idle-minutes", "--max-body-bytes", "--config"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  DataDir d;
  auto bad = run_tend(d.with({"migrate", "--session-idle-minutes", "zero"}));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("session_idle_minutes"), std::string::npos) << bad.err;
  auto pg = run_tend(d.with({"migrate", "--db", "mysql://x"}));
  EXPECT_NE(pg.exit_code, 0);
  auto insecure = run_tend(d.with({"serve", "--listen", "0.0.0.0:0"}));
  EXPECT_NE(insecure.exit_code, 0);
  EXPECT_NE(insecure.err.find("refusing plain HTTP"), std::string::npos) << insecure.err;
  // A true/false setting given alone means true; given a word that is neither, it is refused.
  EXPECT_EQ(run_tend(d.with({"migrate", "--allow-insecure-http"})).exit_code, 0);
  EXPECT_EQ(run_tend(d.with({"migrate", "--allow-insecure-http", "false"})).exit_code, 0);
  auto maybe = run_tend(d.with({"migrate", "--webhook-allow-loopback=maybe"}));
  EXPECT_EQ(maybe.exit_code, 2);
  EXPECT_NE(maybe.err.find("webhook_allow_loopback"), std::string::npos) << maybe.err;
}

TEST(Cli, UsersAndTokensShareTheDataDirectoryWithTheServer) {
  DataDir d;
  ASSERT_EQ(run_tend(d.with({"migrate"})).exit_code, 0);
  const std::string token = make_token(d);
  ASSERT_EQ(token.rfind("tnd_", 0), 0u);
  auto add = run_tend(
      d.with({"user", "add", "--username", "clin", "--role", "clinician", "--password-file", "-"}),
      k_password + "\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto dup = run_tend(
      d.with({"user", "add", "--username", "clin", "--role", "clinician", "--password-file", "-"}),
      k_password + "\n");
  EXPECT_EQ(dup.exit_code, 4);
  auto weak = run_tend(
      d.with({"user", "add", "--username", "weak", "--role", "clinician", "--password-file", "-"}),
      "short\n");
  EXPECT_EQ(weak.exit_code, 2);
  EXPECT_NE(weak.err.find("password"), std::string::npos);
  // A portal account needs the client record it belongs to, and only a portal account has one.
  auto no_record = run_tend(
      d.with({"user", "add", "--username", "c1", "--role", "client", "--password-file", "-"}),
      k_password + "\n");
  EXPECT_EQ(no_record.exit_code, 2);
  EXPECT_NE(no_record.err.find("--client-id"), std::string::npos) << no_record.err;
  EXPECT_EQ(run_tend(d.with({"user", "add", "--username", "c2", "--role", "clinician",
                             "--client-id", "cl_x", "--password-file", "-"}),
                     k_password + "\n")
                .exit_code,
            2);
  auto list = run_tend(d.with({"user", "list"}));
  EXPECT_NE(list.out.find("clin"), std::string::npos);
  EXPECT_NE(list.out.find("admin"), std::string::npos);

  ServerProcess server(d.with({}));
  HttpClient api(server.base_url());
  api.set_bearer(token);
  EXPECT_EQ(api.get("/api/v1/users?username=clin").json().at("items").as_array().size(), 1u);
  HttpClient web(server.base_url());
  EXPECT_EQ(web.sign_in("clin", k_password).status, 201);
  ASSERT_EQ(run_tend(d.with({"user", "disable", "--username", "clin"})).exit_code, 0);
  EXPECT_EQ(web.get("/api/v1/clients").status, 401);  // the CLI ended the live session
  EXPECT_EQ(server.stop(SIGTERM), 0);                 // graceful shutdown exits 0
}

// The first column of every row `sql` returns, read through the same driver as the server.
std::vector<std::string> column_rows(const DataDir& d, const std::string& sql) {
  auto db = d.database.open();
  std::vector<std::string> out;
  for (const auto& r : db->read([&](sql::Conn& c) { return c.query(sql); })) {
    out.push_back(r.is_null(0) ? "" : r.str(0));
  }
  db->close();
  return out;
}

TEST(Demo, SameSeedSameClinicWithVariedPeople) {
  DataDir a, b, c;
  for (const auto* d : {&a, &b}) {
    auto r = run_tend(d->with({"demo", "--seed", "7", "--clients", "60", "--no-serve"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("tend-demo-password"), std::string::npos);
    EXPECT_NE(r.out.find("c.okafor"), std::string::npos);
  }
  ASSERT_EQ(run_tend(c.with({"demo", "--seed", "8", "--clients", "60", "--no-serve"})).exit_code,
            0);
  const std::string people =
      "SELECT given_name || '|' || family_name || '|' || date_of_birth || '|' || "
      "COALESCE(language, '') || '|' || COALESCE(city, '') FROM clients ORDER BY 1";
  const auto pa = column_rows(a, people);
  EXPECT_EQ(pa.size(), 60u);
  EXPECT_EQ(pa, column_rows(b, people));
  EXPECT_NE(pa, column_rows(c, people));
  // A clinic that looks alive: several languages, regions, genders and caseloads.
  const auto count = [&](const std::string& sql) { return column_rows(a, sql).size(); };
  EXPECT_GE(count("SELECT DISTINCT language FROM clients"), 3u);
  EXPECT_GE(count("SELECT DISTINCT region FROM clients"), 3u);
  EXPECT_GE(count("SELECT DISTINCT pronouns FROM clients"), 3u);
  EXPECT_EQ(count("SELECT DISTINCT user_id FROM care_team WHERE team_role = 'primary_clinician'"),
            3u);
  // Crisis: an on-call roster and a supervisor, the portal client's safety plan, and past
  // alerts answered except the latest two (one in hand, one waiting for someone).
  EXPECT_EQ(count("SELECT id FROM crisis_roster"), 4u);
  EXPECT_EQ(count("SELECT id FROM crisis_roster WHERE kind = 'supervisor'"), 1u);
  EXPECT_EQ(count("SELECT client_id FROM safety_plans"), 1u);
  EXPECT_EQ(count("SELECT id FROM crisis_alerts WHERE status = 'open'"), 1u);
  EXPECT_EQ(count("SELECT id FROM crisis_alerts WHERE status = 'acknowledged'"), 1u);
  EXPECT_EQ(count("SELECT id FROM crisis_alerts WHERE status = 'resolved'") * 3,
            count("SELECT id FROM crisis_follow_ups"));
  // Every client was referred into a program; most are in treatment, some still wait.
  EXPECT_EQ(count("SELECT id FROM care_episodes"), 60u);
  EXPECT_GE(count("SELECT DISTINCT program FROM care_episodes"), 3u);
  EXPECT_GE(count("SELECT id FROM care_episodes WHERE stage = 'active'"), 10u);
  EXPECT_GE(count("SELECT id FROM care_episodes WHERE stage IN ('referred', 'waitlist')"), 1u);
  EXPECT_GE(count("SELECT id FROM care_tasks WHERE status = 'open'"), 1u);
  // The waiting times report on the command line, as a table and as the API's JSON.
  auto table = run_tend(a.with({"report", "waits"}));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("Adult counselling | "), std::string::npos) << table.out;
  auto as_json = run_tend(a.with({"report", "waits", "--json", "--program", "Adult counselling"}));
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto waits = bj::parse(as_json.out);
  ASSERT_EQ(waits.at("items").as_array().size(), 1U);
  EXPECT_EQ(waits.at("items").as_array()[0].at("program"), "Adult counselling");
  EXPECT_EQ(waits.at("items").as_array()[0].at("reached_intake").as_int64(),
            static_cast<std::int64_t>(
                count("SELECT id FROM care_episodes WHERE program = 'Adult counselling' AND "
                      "intake_on IS NOT NULL")));
  // Running the demo again serves the same clinic instead of adding another.
  auto again = run_tend(a.with({"demo", "--seed", "7", "--clients", "60", "--no-serve"}));
  EXPECT_NE(again.out.find("existing demo clinic"), std::string::npos);
  EXPECT_EQ(column_rows(a, "SELECT id FROM clients").size(), 60u);
}

TEST(Crash, EveryAcknowledgedCreateSurvivesSigkill) {
  DataDir d;
  const std::string token = make_token(d);
  std::vector<std::string> acknowledged;
  std::mutex mu;
  {
    ServerProcess server(d.with({}));
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient api(server.base_url());
        api.set_bearer(token);
        for (int i = 0; i < 5000 && !stop; ++i) {
          bj::object body{{"given_name", "Crash" + std::to_string(w)},
                          {"family_name", "Test" + std::to_string(i)},
                          {"date_of_birth", "1990-01-01"}};
          try {
            auto r = api.post("/api/v1/clients", body);
            if (r.status == 201) {
              std::lock_guard lock(mu);
              acknowledged.emplace_back(r.json().at("id").as_string());
            }
          } catch (const std::exception&) {
            return;  // the server is gone
          }
        }
      });
    }
    // Kill it mid-stream once a good number of creates were acknowledged.
    for (int spins = 0; spins < 6000; ++spins) {
      {
        std::lock_guard lock(mu);
        if (acknowledged.size() >= 400) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (auto& t : writers) t.join();
  }
  ASSERT_GE(acknowledged.size(), 100u);

  ServerProcess again(d.with({}));
  HttpClient api(again.base_url());
  api.set_bearer(token);
  std::size_t missing = 0;
  for (const auto& id : acknowledged) {
    if (api.get("/api/v1/clients/" + id).status != 200) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged creates";
  EXPECT_EQ(again.stop(SIGTERM), 0);

  auto verify = run_tend(d.with({"audit", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("intact"), std::string::npos);
}

TEST(Crash, EveryAcknowledgedAssessmentSurvivesSigkillAndARetryIsStoredOnce) {
  DataDir d;
  const std::string token = make_token(d, "clin", "clinician");
  ASSERT_FALSE(token.empty());

  struct Acked {
    std::string id, key;
    bj::array answers;
  };
  std::vector<Acked> acknowledged;
  std::mutex mu;
  std::string client_id;
  {
    ServerProcess server(d.with({}));
    HttpClient setup(server.base_url());
    setup.set_bearer(token);
    auto c = setup.post("/api/v1/clients", bj::object{{"given_name", "Crash"},
                                                      {"family_name", "Measures"},
                                                      {"date_of_birth", "1990-01-01"}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient api(server.base_url());
        api.set_bearer(token);
        for (int i = 0; i < 5000 && !stop; ++i) {
          bj::array answers;
          for (int q = 1; q <= 9; ++q) {
            answers.push_back(
                bj::object{{"linkId", "q" + std::to_string(q)}, {"value", (i + q + w) % 4}});
          }
          const std::string key = "w" + std::to_string(w) + "-" + std::to_string(i);
          try {
            auto r = api.request(
                "POST", "/api/v1/clients/" + client_id + "/assessments",
                bj::serialize(bj::object{{"instrument", "phq-9"}, {"answers", answers}}),
                {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
            if (r.status == 201) {
              std::lock_guard lock(mu);
              acknowledged.push_back({std::string(r.json().at("id").as_string()), key, answers});
            }
          } catch (const std::exception&) {
            return;  // the server is gone
          }
        }
      });
    }
    for (int spins = 0; spins < 6000; ++spins) {
      {
        std::lock_guard lock(mu);
        if (acknowledged.size() >= 300) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
    stop = true;
    for (auto& t : writers) t.join();
  }
  ASSERT_GE(acknowledged.size(), 100u);

  ServerProcess again(d.with({}));
  HttpClient api(again.base_url());
  api.set_bearer(token);
  std::size_t missing = 0;
  for (const auto& a : acknowledged) {
    if (api.get("/api/v1/assessments/" + a.id).status != 200) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged submissions";
  // The phone never heard back and sends again: the same result, not a second one.
  const auto& last = acknowledged.back();
  auto retry =
      api.request("POST", "/api/v1/clients/" + client_id + "/assessments",
                  bj::serialize(bj::object{{"instrument", "phq-9"}, {"answers", last.answers}}),
                  {{"Content-Type", "application/json"}, {"Idempotency-Key", last.key}});
  EXPECT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(std::string(retry.json().at("id").as_string()), last.id);
  EXPECT_EQ(again.stop(SIGTERM), 0);
  auto verify = run_tend(d.with({"audit", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST(Audit, VerifyNamesTheFirstTamperedEntry) {
  DataDir d;
  make_token(d);
  ASSERT_EQ(run_tend(d.with({"user", "add", "--username", "clin", "--role", "clinician",
                             "--password-file", "-"}),
                     k_password + "\n")
                .exit_code,
            0);
  ASSERT_EQ(run_tend(d.with({"audit", "verify"})).exit_code, 0);
  {
    auto db = d.database.open();
    db->write([](sql::Conn& c) {
      EXPECT_EQ(c.exec("UPDATE audit_log SET actor_id = 'someone_else' WHERE seq = 2"), 1);
    });
    db->close();
  }
  auto verify = run_tend(d.with({"audit", "verify"}));
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.err.find("first bad entry: 2"), std::string::npos) << verify.err;
}

TEST(Keys, RotateReencryptsEverySealedValue) {
  DataDir d;
  const std::string token = make_token(d);
  ASSERT_EQ(run_tend(d.with({"user", "add", "--username", "clin", "--role", "clinician",
                             "--password-file", "-"}),
                     k_password + "\n")
                .exit_code,
            0);
  std::string id;
  {
    ServerProcess server(d.with({}));
    HttpClient web(server.base_url());
    ASSERT_EQ(web.sign_in("clin", k_password).status, 201);
    auto r = web.post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                    {"family_name", "L"},
                                                    {"date_of_birth", "1990-01-01"},
                                                    {"funding_note", "County grant"}});
    ASSERT_EQ(r.status, 201);
    id = std::string(r.json().at("id").as_string());
    server.stop(SIGTERM);
  }
  auto rot = run_tend(d.with({"keys", "rotate"}));
  ASSERT_EQ(rot.exit_code, 0) << rot.err;
  EXPECT_NE(rot.out.find("re-encrypted 1 values"), std::string::npos) << rot.out;
  std::ifstream keys(d.path() + "/keys/field.keys");
  std::string line;
  int lines = 0;
  while (std::getline(keys, line)) ++lines;
  EXPECT_EQ(lines, 2);
  ServerProcess server(d.with({}));
  HttpClient web(server.base_url());
  ASSERT_EQ(web.sign_in("clin", k_password).status, 201);
  EXPECT_EQ(web.get("/api/v1/clients/" + id).json().at("funding_note").as_string(), "County grant");
}

// Every column that holds sealed values is re-encrypted: after the demo clinic (which writes
// into every module's tables) and a rotation, no value anywhere is left under the old key. A
// column missing from the rotation's list fails here, naming the table and column.
TEST(Keys, AfterTheDemoClinicARotationLeavesNoValueUnderTheOldKey) {
  DataDir d;
  auto demo = run_tend(d.with({"demo", "--seed", "5", "--clients", "30", "--no-serve"}));
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  auto rot = run_tend(d.with({"keys", "rotate"}));
  ASSERT_EQ(rot.exit_code, 0) << rot.err;
  auto keys = crypto::Keyring::open(d.path() + "/keys/field.keys");
  ASSERT_TRUE(keys) << keys.error().detail;
  const std::string active = keys->active_id();
  // Every text column of every table, from the catalogue.
  const std::string catalogue =
      d.database.postgres()
          ? "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE "
            "table_schema = current_schema() AND data_type = 'text'"
          : "SELECT m.name || '.' || p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND upper(p.type) = 'TEXT'";
  int sealed_columns = 0;
  for (const auto& tc : column_rows(d, catalogue)) {
    const auto dot = tc.find('.');
    const std::string table = tc.substr(0, dot), column = tc.substr(dot + 1);
    int sealed = 0, stale = 0;
    for (const auto& v : column_rows(d, "SELECT " + column + " FROM " + table)) {
      const auto id = crypto::Keyring::key_id_of(v);
      if (id.empty()) continue;
      ++sealed;
      if (id != active) ++stale;
    }
    if (sealed > 0) ++sealed_columns;
    EXPECT_EQ(stale, 0) << table << "." << column << ": " << stale << " of " << sealed
                        << " values still under an old key";
  }
  // The demo fills sealed columns across the modules (clients, crisis, care …).
  EXPECT_GE(sealed_columns, 12);
}

}  // namespace
}  // namespace tend::testing
