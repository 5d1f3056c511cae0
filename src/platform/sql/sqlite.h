#pragma once
//! The embedded SQLite driver: WAL, foreign keys on, busy handling, prepared-statement cache,
//! a pool of reader connections and one writer thread with group commit.
//!
//! A write job runs on the writer thread: calling read(), write() or close() on the same
//! database from inside it is refused with DbError (it would deadlock, or read around the job's
//! own uncommitted transaction). Use the Conn the job was given. The path must be a file: WAL
//! mode is required, so ":memory:" is refused.

#include <memory>
#include <string>

#include "platform/sql/db.h"

namespace tend::sql {

struct SqliteOptions {
  std::string path;                  //!< database file; created if missing
  int readers = 4;                   //!< reader connections in the pool
  std::string synchronous = "FULL";  //!< PRAGMA synchronous: FULL (durable) or NORMAL
  int busy_timeout_ms = 5000;
  std::size_t max_batch = 256;        //!< most transactions made durable by one commit
  std::size_t statement_cache = 128;  //!< prepared statements kept per connection
};

//! Opens (creating if needed) the database. Throws DbError when the file cannot be opened.
std::unique_ptr<Db> open_sqlite(const SqliteOptions& options);

}  // namespace tend::sql
