// `tend db copy`: an installation moved from SQLite to PostgreSQL and back with the real
// binary, row for row and with its audit chain intact, and the copies it refuses. These tests
// pick their databases themselves (SQLite, then PostgreSQL, then SQLite), so the plain and the
// .pg run of test_api do the same thing.

#include "app/db_copy.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "support/api.h"
#include "support/database.h"
#include "support/domain.h"
#include "support/process.h"

namespace tend::testing {
namespace {

// Every table an installation has today (the copy finds them itself; this is what we check).
const std::vector<std::string> k_tables = {
    "users",     "sessions",    "api_tokens",     "recovery_codes", "clients",
    "care_team", "break_glass", "client_notices", "audit_log",      "audit_head"};

// `args` pointed at `db`, with `dir` as the data directory (the field-encryption keys live
// there, and a moved installation keeps them).
std::vector<std::string> with(const TempDir& dir, const TestDatabase& db,
                              std::vector<std::string> args) {
  args.insert(args.end(), {"--data-dir", dir.path().string(), "--db", db.url()});
  return args;
}

// A small clinic made the way an operator makes one: the demo, one more admin and a token.
void make_installation(const TempDir& dir, const TestDatabase& db) {
  auto demo = run_tend(with(dir, db, {"demo", "--seed", "3", "--clients", "40", "--no-serve"}));
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  auto add = run_tend(
      with(dir, db,
           {"user", "add", "--username", "operator", "--role", "admin", "--password-file", "-"}),
      k_password + "\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto token = run_tend(with(dir, db, {"token", "create", "--username", "operator"}));
  ASSERT_EQ(token.exit_code, 0) << token.err;
  // The demo makes some preferred names by cutting a given name after three bytes, which can
  // split a UTF-8 sequence; PostgreSQL cannot store those (the copy names them, see
  // TextPostgresCannotStoreIsNamedNotCopied), so this clinic gets whole names instead.
  auto handle = db.open();
  handle->write([](sql::Conn& c) {
    c.exec(
        "UPDATE clients SET preferred_name = given_name, preferred_key = given_key "
        "WHERE preferred_name IS NOT NULL");
  });
  handle->close();
}

// What must survive a copy: every table's row count, the audit chain's head, and each client's
// identifying fields (compared by id, so the databases' differing sort orders do not matter).
struct Fingerprint {
  std::map<std::string, std::int64_t> counts;
  std::string audit_head;
  std::map<std::string, std::string> clients;
  bool operator==(const Fingerprint&) const = default;
};

Fingerprint fingerprint(const TestDatabase& d) {
  auto db = d.open();
  Fingerprint f;
  db->read([&](sql::Conn& c) {
    for (const auto& t : k_tables) f.counts[t] = c.query_one("SELECT COUNT(*) FROM " + t)->i64(0);
    auto head = c.query_one("SELECT seq, hash FROM audit_head WHERE id = 1");
    f.audit_head = std::to_string(head->i64(0)) + ":" + head->str(1);
    for (const auto& r : c.query("SELECT id, mrn, family_name, date_of_birth, funding_note, "
                                 "version, created_at FROM clients")) {
      f.clients[r.str(0)] = r.str(1) + "|" + r.str(2) + "|" + r.str(3) + "|" + r.str(4) + "|" +
                            std::to_string(r.i64(5)) + "|" + std::to_string(r.i64(6));
    }
  });
  db->close();
  return f;
}

std::vector<std::string> family_names(const TestDatabase& d) {
  auto db = d.open();
  std::vector<std::string> out;
  for (const auto& r :
       db->read([](sql::Conn& c) { return c.query("SELECT family_name FROM clients"); })) {
    out.push_back(r.str(0));
  }
  db->close();
  return out;
}

RunResult copy(const TestDatabase& from, const TestDatabase& to, bool force = false) {
  std::vector<std::string> args = {"db", "copy", "--from", from.url(), "--to", to.url()};
  if (force) args.emplace_back("--force");
  return run_tend(args);
}

TEST(DbCopy, SqliteToPostgresAndBackKeepsEveryRowAndTheAuditChain) {
  TempDir dir;
  TestDatabase sqlite(dir.path(), false);
  make_installation(dir, sqlite);
  const Fingerprint before = fingerprint(sqlite);
  ASSERT_EQ(before.clients.size(), 40u);
  ASSERT_GT(before.counts.at("care_team"), 40);
  ASSERT_GT(before.counts.at("audit_log"), 40);

  TempDir pg_dir;
  TestDatabase pg(pg_dir.path(), true);
  auto to_pg = copy(sqlite, pg);
  ASSERT_EQ(to_pg.exit_code, 0) << to_pg.err;
  EXPECT_NE(to_pg.out.find("audit log intact"), std::string::npos) << to_pg.out;
  // Not a terminal: one plain line per table, parents before children.
  EXPECT_NE(to_pg.err.find("clients: 40/40\n"), std::string::npos) << to_pg.err;
  EXPECT_LT(to_pg.err.find("users: "), to_pg.err.find("care_team: ")) << to_pg.err;
  for (const auto& name : family_names(sqlite)) {
    EXPECT_EQ(to_pg.err.find(name), std::string::npos) << "row contents in the progress output";
  }
  EXPECT_EQ(fingerprint(pg), before);

  // The moved installation works: its chain verifies and staff sign in to their caseload.
  auto verify = run_tend(with(dir, pg, {"audit", "verify"}));
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("intact"), std::string::npos) << verify.out;
  {
    ServerProcess server(with(dir, pg, {}));
    HttpClient web(server.base_url());
    ASSERT_EQ(web.sign_in("c.okafor", "tend-demo-password").status, 201);
    auto mine = web.get("/api/v1/clients?mine=true&limit=5");
    EXPECT_EQ(mine.status, 200);
    EXPECT_FALSE(mine.json().at("items").as_array().empty());
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
  const Fingerprint used = fingerprint(pg);  // signing in added a session and audit entries

  // A target that holds an installation is refused, and left alone, unless --force.
  auto again = copy(sqlite, pg);
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(fingerprint(pg), used);
  auto forced = copy(sqlite, pg, true);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(fingerprint(pg), before);

  // And back to a new SQLite file.
  TempDir back_dir;
  TestDatabase back(back_dir.path(), false);
  auto to_sqlite = copy(pg, back);
  ASSERT_EQ(to_sqlite.exit_code, 0) << to_sqlite.err;
  EXPECT_EQ(fingerprint(back), before);
  auto verify_back = run_tend(with(dir, back, {"audit", "verify"}));
  EXPECT_EQ(verify_back.exit_code, 0) << verify_back.err;
}

TEST(DbCopy, PagesSmallerThanATableCopyEveryRowWithAProgressBar) {
  TempDir dir;
  TestDatabase sqlite(dir.path(), false);
  make_installation(dir, sqlite);
  const Fingerprint before = fingerprint(sqlite);

  // Seven rows a page: every table takes several pages, including the composite keys of
  // care_team, on both databases as the source.
  app::CopyOptions options;
  options.page_rows = 7;
  options.progress_bar = true;
  TempDir pg_dir;
  TestDatabase pg(pg_dir.path(), true);
  std::ostringstream progress;
  auto report = app::copy_database(sqlite.url(), pg.url(), options, progress);
  ASSERT_TRUE(report.ok()) << report.error().detail;
  EXPECT_EQ(fingerprint(pg), before);
  std::int64_t rows = 0;
  for (const auto& t : report->tables) {
    rows += t.rows;
    if (auto it = before.counts.find(t.table); it != before.counts.end()) {
      EXPECT_EQ(t.rows, it->second) << t.table;
    }
  }
  EXPECT_EQ(report->rows, rows);
  EXPECT_EQ(report->audit_entries, before.counts.at("audit_log"));
  EXPECT_NE(progress.str().find("\rclients "), std::string::npos);
  EXPECT_NE(progress.str().find("] 40/40\n"), std::string::npos) << progress.str();

  TempDir back_dir;
  TestDatabase back(back_dir.path(), false);
  std::ostringstream quiet;
  options.progress_bar = false;
  auto back_report = app::copy_database(pg.url(), back.url(), options, quiet);
  ASSERT_TRUE(back_report.ok()) << back_report.error().detail;
  EXPECT_EQ(fingerprint(back), before);
  EXPECT_EQ(quiet.str().find('\r'), std::string::npos);
}

TEST(DbCopy, TextPostgresCannotStoreIsNamedNotCopied) {
  TempDir dir;
  TestDatabase sqlite(dir.path(), false);
  make_installation(dir, sqlite);
  std::string id;
  {
    auto db = sqlite.open();
    id = db->read([](sql::Conn& c) {
      return c.query_one("SELECT id FROM clients ORDER BY id LIMIT 1")->str(0);
    });
    // "Thả" cut after its first byte of "ả", as the demo does.
    db->write([&](sql::Conn& c) {
      c.exec("UPDATE clients SET preferred_name = CAST(X'5468E1' AS TEXT) WHERE id = ?", {id});
    });
    db->close();
  }
  TempDir pg_dir;
  TestDatabase pg(pg_dir.path(), true);
  auto r = copy(sqlite, pg);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("table clients, id = " + id + ": column preferred_name"), std::string::npos)
      << r.err;
  auto db = pg.open();
  EXPECT_EQ(
      db->read([](sql::Conn& c) { return c.query_one("SELECT COUNT(*) FROM users")->i64(0); }),
      0);  // nothing of the copy was kept
  db->close();
}

TEST(DbCopy, RefusesBadUrlsAMissingSourceAndItself) {
  TempDir dir;
  const std::string target = "sqlite:" + dir.file("target.db");
  auto bad_from = run_tend({"db", "copy", "--from", "mysql://u:secret@x/tend", "--to", target});
  EXPECT_EQ(bad_from.exit_code, 2);
  EXPECT_NE(bad_from.err.find("--from is not a database URL"), std::string::npos) << bad_from.err;
  EXPECT_EQ(bad_from.err.find("secret"), std::string::npos) << bad_from.err;
  auto bad_to = run_tend({"db", "copy", "--from", target, "--to", "tend.db"});
  EXPECT_EQ(bad_to.exit_code, 2);
  EXPECT_NE(bad_to.err.find("--to is not a database URL"), std::string::npos) << bad_to.err;
  EXPECT_NE(run_tend({"db", "copy", "--from", target}).exit_code, 0);

  auto missing =
      run_tend({"db", "copy", "--from", "sqlite:" + dir.file("nothing.db"), "--to", target});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("nothing.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("target.db")));

  std::ofstream(dir.file("empty.db")).close();
  auto not_tend =
      run_tend({"db", "copy", "--from", "sqlite:" + dir.file("empty.db"), "--to", target});
  EXPECT_EQ(not_tend.exit_code, 4);
  EXPECT_NE(not_tend.err.find("no Tend installation"), std::string::npos) << not_tend.err;

  TestDatabase source(dir.path(), false);
  ASSERT_EQ(run_tend(with(dir, source, {"migrate"})).exit_code, 0);
  auto itself = run_tend({"db", "copy", "--from", source.url(), "--to",
                          "sqlite:" + dir.path().string() + "/./tend.db", "--force"});
  EXPECT_EQ(itself.exit_code, 2);
  EXPECT_NE(itself.err.find("same database"), std::string::npos) << itself.err;
}

}  // namespace
}  // namespace tend::testing
