#include "platform/sql/open.h"

#include "platform/sql/postgres.h"
#include "platform/sql/postgres_rules.h"
#include "platform/sql/sqlite.h"

namespace tend::sql {

bool is_database_url(const std::string& url) {
  return (url.rfind("sqlite:", 0) == 0 && url.size() > 7) || pg::is_postgres_url(url);
}

std::unique_ptr<Db> open_url(const std::string& url, const OpenOptions& options) {
  if (pg::is_postgres_url(url)) {
    PostgresOptions po;
    po.url = url;
    po.readers = options.pg_readers;
    po.lock_timeout_ms = options.pg_lock_timeout_ms;
    return open_postgres(po);
  }
  if (url.rfind("sqlite:", 0) == 0 && url.size() > 7) {
    SqliteOptions so;
    so.path = url.substr(7);
    so.readers = options.sqlite_readers;
    so.synchronous = options.sqlite_synchronous;
    return open_sqlite(so);
  }
  throw DbError(DbError::Kind::Other,
                "database URL must be sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
}

}  // namespace tend::sql
