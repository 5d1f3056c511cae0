#pragma once
// The database a test runs on. CTest runs every service and API test twice: once on SQLite and
// once on PostgreSQL (TEND_TEST_BACKEND=postgres), the second against the throwaway cluster that
// scripts/test.sh starts (TEND_TEST_PG_URL).

#include <filesystem>
#include <memory>
#include <string>

#include "platform/sql/db.h"

namespace tend::testing {

//! True when this run of the tests is the PostgreSQL one.
bool on_postgres();

//! The test cluster's URL. Throws when it is not configured: PostgreSQL tests never pass by
//! being skipped.
std::string postgres_test_url();

//! A fresh, empty database for one test. SQLite: `dir`/tend.db. PostgreSQL: a new schema of
//! its own on the test cluster (selected through the URL's search_path), dropped at the end.
class TestDatabase {
 public:
  explicit TestDatabase(const std::filesystem::path& dir, bool postgres = on_postgres());
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  //! What `--db` takes: "sqlite:PATH" or "postgresql://…?options=-csearch_path%3D…".
  const std::string& url() const { return url_; }
  bool postgres() const { return !schema_.empty(); }
  //! Opens the database through the same factory the server uses.
  std::unique_ptr<sql::Db> open() const;

 private:
  std::string url_;
  std::string schema_;  // PostgreSQL only
};

//! Runs one SQL statement on the cluster's maintenance connection (PostgreSQL tests only).
void pg_admin(const std::string& sql);

}  // namespace tend::testing
