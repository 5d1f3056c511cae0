#pragma once
// A data directory and the database every `tend` command in a test is pointed at (SQLite in
// the directory, or a PostgreSQL schema of its own in the .pg run).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/database.h"
#include "support/temp_dir.h"

namespace tend::testing {

struct Installation {
  TempDir dir;
  TestDatabase database{dir.path()};

  std::string path() const { return dir.path().string(); }
  //! `args` with --data-dir and --db added.
  std::vector<std::string> with(std::vector<std::string> args) const {
    args.insert(args.end(), {"--data-dir", path(), "--db", database.url()});
    return args;
  }
  //! The first column of the first row of `sql`, read through the driver the server uses.
  //! Opened once, on first use, and kept: tests poll with it.
  std::int64_t scalar(const std::string& sql) const {
    if (!db_) db_ = database.open();
    return db_->read([&](sql::Conn& c) { return c.query_one(sql)->i64(0); });
  }

 private:
  mutable std::unique_ptr<sql::Db> db_;
};

}  // namespace tend::testing
