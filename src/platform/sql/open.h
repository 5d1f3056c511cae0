#pragma once
//! Opens a database by URL: `sqlite:PATH` (the embedded default) or `postgresql://…`.

#include <memory>
#include <string>

#include "platform/sql/db.h"

namespace tend::sql {

struct OpenOptions {
  int sqlite_readers = 4;
  std::string sqlite_synchronous = "FULL";
  int pg_readers = 8;  //!< pooled PostgreSQL read connections per instance
  int pg_lock_timeout_ms = 10000;
};

//! True for the URLs open_url() understands.
bool is_database_url(const std::string& url);

//! Opens the database `url` names. Throws DbError when it cannot (message redacts passwords).
std::unique_ptr<Db> open_url(const std::string& url, const OpenOptions& options = {});

}  // namespace tend::sql
