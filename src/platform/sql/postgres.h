#pragma once
//! The PostgreSQL driver (libpq): the same Db interface as SQLite, for services that run several
//! `tend serve` instances on one database.
//!
//! Reads run on a pool of connections, each read() in one REPEATABLE READ READ ONLY transaction
//! (a snapshot, as a SQLite WAL read is). Writes keep SQLite's shape: one writer connection per
//! instance runs queued write jobs in one transaction, each job in its own SAVEPOINT, and
//! COMMITs once, so that many requests share one round of WAL flushing. Across instances, row
//! locks order the writers (the audit chain's head row is the one every write takes).
//!
//! Failures: a job that hits a deadlock, serialization failure or lock time-out is rolled back
//! to its savepoint and run again (up to `job_retries` times); a connection lost before COMMIT
//! is re-opened and the whole batch run again; a connection lost *during* COMMIT leaves the
//! outcome unknown and every job in the batch is told so (DbError::Kind::Closed), never retried
//! blindly. A write job may therefore run more than once and must touch nothing but its Conn.

#include <memory>
#include <string>

#include "platform/sql/db.h"

namespace tend::sql {

struct PostgresOptions {
  std::string url;  //!< postgresql://user[:password]@host[:port]/database[?param=value…]
  int readers = 8;  //!< pooled read connections
  std::size_t max_batch = 256;        //!< most write jobs in one COMMIT
  std::size_t statement_cache = 128;  //!< prepared statements kept per connection
  int lock_timeout_ms = 10000;        //!< a write waiting this long for a row lock fails (Busy)
  int job_retries = 3;                //!< re-runs of a job after deadlock/serialization failure
  int connect_timeout_s = 10;
};

//! Connects (the writer and every reader) and returns the database. Throws DbError naming the
//! server (password redacted) when it cannot connect.
std::unique_ptr<Db> open_postgres(const PostgresOptions& options);

//! A dedicated connection for LISTEN/NOTIFY (platform/events). Not pooled; one per listener.
class PgListener {
 public:
  virtual ~PgListener() = default;
  //! Subscribes to `channel` (an SQL identifier made of [a-z0-9_]).
  virtual void listen(const std::string& channel) = 0;
  //! Waits up to `timeout_ms` for notifications and returns them as (channel, payload) pairs.
  //! Reconnects (and re-subscribes) after a lost connection; returns an empty list meanwhile.
  virtual std::vector<std::pair<std::string, std::string>> wait(int timeout_ms) = 0;
  //! Makes a blocked wait() return at once (thread-safe).
  virtual void interrupt() = 0;
};

std::unique_ptr<PgListener> open_pg_listener(const std::string& url);

}  // namespace tend::sql
