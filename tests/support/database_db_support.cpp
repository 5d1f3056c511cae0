#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include "platform/sql/open.h"
#include "support/database.h"

namespace tend::testing {

bool on_postgres() {
  const char* b = std::getenv("TEND_TEST_BACKEND");
  return b != nullptr && std::string(b) == "postgres";
}

std::string postgres_test_url() {
  const char* u = std::getenv("TEND_TEST_PG_URL");
  if (u == nullptr || *u == '\0') {
    throw std::runtime_error(
        "TEND_TEST_PG_URL is not set: run the tests with scripts/test.sh, which starts a "
        "PostgreSQL cluster for them, or start one with scripts/pg-cluster.sh");
  }
  return u;
}

void pg_admin(const std::string& sql) {
  const std::string url = postgres_test_url();
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to the test cluster: " + msg);
  }
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string msg = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("test cluster: " + msg + " in " + sql);
}

TestDatabase::TestDatabase(const std::filesystem::path& dir, bool postgres) {
  if (!postgres) {
    url_ = "sqlite:" + (dir / "tend.db").string();
    return;
  }
  static std::atomic<int> counter{0};
  schema_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  pg_admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  const std::string base = postgres_test_url();
  url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema_;
}

TestDatabase::~TestDatabase() {
  if (schema_.empty()) return;
  try {
    pg_admin("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  } catch (const std::exception&) {
    // The cluster is thrown away at the end of the run anyway.
  }
}

std::unique_ptr<sql::Db> TestDatabase::open() const {
  sql::OpenOptions o;
  o.pg_readers = 4;
  return sql::open_url(url_, o);
}

}  // namespace tend::testing
