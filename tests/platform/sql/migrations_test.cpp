// The migrations runner on real SQLite files: order, idempotence, checksums, names, dialects,
// all-or-nothing runs, and the migrations shipped in the binary.

#include "platform/sql/migrations.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

#include "platform/sql/sqlite.h"
#include "support/temp_dir.h"

namespace tend::sql {
namespace {

using tend::testing::TempDir;

// The SQLite database presented as PostgreSQL, to see which files the runner picks for it.
class AsPostgres final : public Db {
 public:
  explicit AsPostgres(Db& inner) : inner_(inner) {}
  Dialect dialect() const override { return Dialect::Postgres; }
  void close() override {}
  bool healthy() override { return inner_.healthy(); }

 protected:
  void run_read(const std::function<void(Conn&)>& fn) override { inner_.read(fn); }
  void run_write(const std::function<bool(Conn&)>& fn) override {
    Status s = inner_.write([&](Conn& c) -> Status {
      if (fn(c)) return ok_status();
      return make_error(Errc::Internal, "rolled back");
    });
    (void)s;
  }

 private:
  Db& inner_;
};

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions o;
    o.path = dir_.file("tend.db");
    db_ = open_sqlite(o);
  }

  std::vector<std::string> tables() {
    return db_->read([](Conn& c) {
      std::vector<std::string> out;
      for (const auto& r : c.query(
               "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
               "ORDER BY name")) {
        out.push_back(r.str(0));
      }
      return out;
    });
  }

  std::vector<std::int64_t> applied_versions() {
    return db_->read([](Conn& c) {
      std::vector<std::int64_t> out;
      for (const auto& r : c.query("SELECT version FROM schema_migrations ORDER BY version")) {
        out.push_back(r.i64(0));
      }
      return out;
    });
  }

  TempDir dir_;
  std::unique_ptr<Db> db_;
};

const std::vector<MigrationSource> k_first = {
    {"0001_people.sql", "CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT NOT NULL);"},
    {"0002_visits.sql",
     "-- visits belong to people\n"
     "CREATE TABLE visits (id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people(id));\n"
     "CREATE INDEX visits_person ON visits(person_id);\n"},
};

TEST(MigrationChecksum, IsSha256InLowerCaseHex) {
  EXPECT_EQ(migration_checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(migration_checksum("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(MigrationsTest, AppliesInVersionOrderAndOnlyOnce) {
  // Given out of order: 0002 refers to a table 0001 creates.
  std::vector<MigrationSource> sources = {k_first[1], k_first[0]};
  auto report = migrate(*db_, sources);
  ASSERT_TRUE(report.ok()) << report.error().detail;
  EXPECT_EQ(report->applied, (std::vector<std::string>{"0001_people.sql", "0002_visits.sql"}));
  EXPECT_EQ(report->current_version, 2);
  EXPECT_EQ(tables(), (std::vector<std::string>{"people", "schema_migrations", "visits"}));

  auto recorded = db_->read([](Conn& c) {
    return c.query(
        "SELECT version, name, checksum, applied_at FROM schema_migrations "
        "ORDER BY version");
  });
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].i64(0), 1);
  EXPECT_EQ(recorded[0].str(1), "0001_people.sql");
  EXPECT_EQ(recorded[0].str(2), migration_checksum(k_first[0].sql));
  EXPECT_GT(recorded[0].i64(3), 1'600'000'000'000);  // milliseconds since the epoch
  EXPECT_EQ(recorded[1].str(2), migration_checksum(k_first[1].sql));

  auto again = migrate(*db_, sources);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->current_version, 2);

  std::vector<MigrationSource> more = k_first;
  more.push_back({"0003_notes.sql", "ALTER TABLE visits ADD COLUMN note TEXT;"});
  auto third = migrate(*db_, more);
  ASSERT_TRUE(third.ok()) << third.error().detail;
  EXPECT_EQ(third->applied, (std::vector<std::string>{"0003_notes.sql"}));
  EXPECT_EQ(third->current_version, 3);
}

TEST_F(MigrationsTest, NothingToApplyOnAnEmptyDatabase) {
  auto report = migrate(*db_, {});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->applied.empty());
  EXPECT_EQ(report->current_version, 0);
}

TEST_F(MigrationsTest, ChangedMigrationIsRefusedAndNothingIsApplied) {
  ASSERT_TRUE(migrate(*db_, {k_first[0]}).ok());
  std::vector<MigrationSource> edited = {
      {"0001_people.sql", "CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT);"}, k_first[1]};
  auto report = migrate(*db_, edited);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, Errc::Conflict);
  const std::string& detail = report.error().detail;
  EXPECT_NE(detail.find("migration 0001_people.sql was changed after it was applied"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail.find(migration_checksum(edited[0].sql)), std::string::npos) << detail;
  EXPECT_NE(detail.find("restore the original file or add a new migration"), std::string::npos);
  EXPECT_EQ(tables(), (std::vector<std::string>{"people", "schema_migrations"}));
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1}));
}

TEST_F(MigrationsTest, MalformedFileNamesAreRefused) {
  for (const std::string name :
       {"1_people.sql", "0001-people.sql", "0001_People.sql", "0001_people.txt", "0001_.sql",
        "00001_people.sql", "0001_people.mysql.sql", "0001_people.sql.bak", "0001_pe ople.sql",
        "people.sql", "abcd_people.sql"}) {
    std::vector<MigrationSource> sources = {k_first[0], {name, "CREATE TABLE x (id INTEGER);"}};
    auto report = migrate(*db_, sources);
    ASSERT_FALSE(report.ok()) << name;
    EXPECT_EQ(report.error().code, Errc::Conflict) << name;
    EXPECT_NE(report.error().detail.find(name), std::string::npos) << report.error().detail;
  }
  EXPECT_TRUE(tables().empty());  // refused before anything ran
}

TEST_F(MigrationsTest, TwoFilesWithOneVersionAreRefused) {
  std::vector<MigrationSource> sources = {k_first[0],
                                          {"0001_other.sql", "CREATE TABLE other (id TEXT);"}};
  auto report = migrate(*db_, sources);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, Errc::Conflict);
  EXPECT_NE(report.error().detail.find("0001_people.sql"), std::string::npos);
  EXPECT_NE(report.error().detail.find("0001_other.sql"), std::string::npos);
  EXPECT_TRUE(tables().empty());

  // The same version in a shared file and a dialect file also collides.
  sources = {k_first[0], {"0001_people.sqlite.sql", "CREATE TABLE other (id TEXT);"}};
  EXPECT_FALSE(migrate(*db_, sources).ok());
}

const std::vector<MigrationSource> k_dialects = {
    {"0001_base.sql", "CREATE TABLE base (id TEXT PRIMARY KEY);"},
    {"0002_search.sqlite.sql", "CREATE TABLE search_sqlite (id TEXT);"},
    // Written in SQL SQLite accepts too, so the Postgres view of this file can run it.
    {"0002_search.postgres.sql", "CREATE TABLE search_postgres (id TEXT);"},
    {"0003_more.postgres.sql", "CREATE TABLE more_postgres (id TEXT);"},
};

TEST_F(MigrationsTest, SqliteSkipsPostgresOnlyFiles) {
  auto report = migrate(*db_, k_dialects);
  ASSERT_TRUE(report.ok()) << report.error().detail;
  EXPECT_EQ(report->applied, (std::vector<std::string>{"0001_base.sql", "0002_search.sqlite.sql"}));
  EXPECT_EQ(report->current_version, 2);
  EXPECT_EQ(tables(), (std::vector<std::string>{"base", "schema_migrations", "search_sqlite"}));
}

TEST_F(MigrationsTest, PostgresSkipsSqliteOnlyFiles) {
  AsPostgres pg(*db_);
  auto report = migrate(pg, k_dialects);
  ASSERT_TRUE(report.ok()) << report.error().detail;
  EXPECT_EQ(report->applied, (std::vector<std::string>{"0001_base.sql", "0002_search.postgres.sql",
                                                       "0003_more.postgres.sql"}));
  EXPECT_EQ(report->current_version, 3);
  EXPECT_EQ(tables(), (std::vector<std::string>{"base", "more_postgres", "schema_migrations",
                                                "search_postgres"}));
}

TEST_F(MigrationsTest, FailingMigrationLeavesNothingFromItsRun) {
  std::vector<MigrationSource> sources = {
      k_first[0],
      {"0002_broken.sql", "CREATE TABLE half (id TEXT);\nCREATE TABLE oops (id TEXT,);\n"},
      {"0003_later.sql", "CREATE TABLE later (id TEXT);"},
  };
  auto report = migrate(*db_, sources);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().detail.find("0002_broken.sql"), std::string::npos)
      << report.error().detail;
  EXPECT_TRUE(tables().empty());  // not even schema_migrations: one transaction

  // Once fixed, the same run applies everything.
  sources[1].sql = "CREATE TABLE half (id TEXT);";
  auto fixed = migrate(*db_, sources);
  ASSERT_TRUE(fixed.ok()) << fixed.error().detail;
  EXPECT_EQ(fixed->applied.size(), 3u);
}

TEST_F(MigrationsTest, FailureAfterEarlierRunsKeepsTheEarlierOnes) {
  ASSERT_TRUE(migrate(*db_, {k_first[0]}).ok());
  std::vector<MigrationSource> sources = {
      k_first[0], k_first[1], {"0003_broken.sql", "INSERT INTO nowhere VALUES (1);"}};
  auto report = migrate(*db_, sources);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(tables(), (std::vector<std::string>{"people", "schema_migrations"}));
  EXPECT_EQ(applied_versions(), (std::vector<std::int64_t>{1}));
}

TEST_F(MigrationsTest, EmbeddedMigrationsApplyToAFreshDatabase) {
  const auto& embedded = embedded_migrations();
  ASSERT_FALSE(embedded.empty());
  auto report = migrate(*db_, embedded);
  ASSERT_TRUE(report.ok()) << report.error().detail;
  EXPECT_FALSE(report->applied.empty());
  EXPECT_EQ(report->applied.front(), embedded.front().name);
  EXPECT_GE(report->current_version, 1);
  auto all = tables();
  EXPECT_NE(std::find(all.begin(), all.end(), "users"), all.end());
  db_->read([](Conn& c) {
    EXPECT_EQ(c.query_one("PRAGMA integrity_check")->str(0), "ok");
    EXPECT_TRUE(c.query("PRAGMA foreign_key_check").empty());
  });

  auto again = migrate(*db_, embedded);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->current_version, report->current_version);
}

}  // namespace
}  // namespace tend::sql
