// The SQLite driver: connections with a prepared-statement cache, a pool of reader connections
// and one writer thread that makes many callers' transactions durable with a single COMMIT.
//
// Group commit, in short: run_write() queues a job and waits. The writer thread takes every
// queued job (up to max_batch), opens one BEGIN IMMEDIATE transaction, runs each job inside its
// own SAVEPOINT (released if the job keeps its changes, rolled back to if it fails or throws),
// and COMMITs once. With journal_mode=WAL and synchronous=FULL that COMMIT is one fsync of the
// WAL file for the whole batch. Callers are released only after COMMIT returns, so an
// acknowledged write is durable. Jobs that arrive while a COMMIT is in progress form the next
// batch, which is what lets many concurrent writers share one fsync.
// See https://www.sqlite.org/wal.html and https://www.sqlite.org/lang_savepoint.html.

#include "platform/sql/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/sql/pool.h"

namespace tend::sql {
namespace {

DbError::Kind kind_of(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return DbError::Kind::UniqueViolation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return DbError::Kind::ForeignKeyViolation;
    default:
      break;
  }
  switch (extended_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return DbError::Kind::Busy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DbError::Kind::Corrupt;
    default:
      return DbError::Kind::Other;
  }
}

//! Throws the DbError for a failed SQLite call: the SQLite message and extended code, and the
//! statement (never its parameters).
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view sql) {
  int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  if ((code & 0xff) != (rc & 0xff)) code = rc;  // the handle's code belongs to another call
  std::string msg = "sqlite: ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (code " + std::to_string(code) + ")";
  if (!sql.empty()) msg += " in `" + detail::excerpt(sql) + "`";
  throw DbError(kind_of(code), msg);
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return ch == ';' || std::isspace(static_cast<unsigned char>(ch));
  });
}

int sql_length(std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    throw DbError(DbError::Kind::Other, "sqlite: statement too long");
  }
  return static_cast<int>(sql.size());
}

//! Prepared statements of one connection, keyed by SQL text, least recently used evicted
//! beyond `capacity`. Only one statement of a connection is ever in use at a time (query() and
//! exec() step to completion before returning), so eviction never finalizes a live one.
class StatementCache {
 public:
  StatementCache(sqlite3* db, std::size_t capacity)
      : db_(db), capacity_(std::max<std::size_t>(capacity, 1)) {}
  ~StatementCache() {
    for (auto& e : lru_) sqlite3_finalize(e.stmt);
  }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  //! The prepared statement for `sql`, preparing it on a miss. Throws DbError.
  sqlite3_stmt* get(std::string_view sql) {
    if (auto it = index_.find(sql); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->stmt;
    }
    sqlite3_stmt* stmt = prepare(sql);
    lru_.push_front(Entry{std::string(sql), stmt});
    index_.emplace(lru_.front().sql, lru_.begin());
    while (lru_.size() > capacity_) {
      index_.erase(lru_.back().sql);
      sqlite3_finalize(lru_.back().stmt);
      lru_.pop_back();
    }
    return stmt;
  }

 private:
  struct Entry {
    std::string sql;
    sqlite3_stmt* stmt;
  };

  sqlite3_stmt* prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), sql_length(sql), SQLITE_PREPARE_PERSISTENT, &stmt,
                                &tail);
    if (rc != SQLITE_OK) fail(db_, rc, sql);
    if (stmt == nullptr) throw DbError(DbError::Kind::Other, "sqlite: empty statement");
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    if (!blank(rest)) {
      // Only comments may follow; a second statement would be silently ignored otherwise.
      sqlite3_stmt* extra = nullptr;
      rc = sqlite3_prepare_v2(db_, rest.data(), sql_length(rest), &extra, nullptr);
      sqlite3_finalize(extra);
      if (rc != SQLITE_OK || extra != nullptr) {
        sqlite3_finalize(stmt);
        throw DbError(DbError::Kind::Other,
                      "sqlite: query() and exec() take one statement (use exec_script) in `" +
                          detail::excerpt(sql) + "`");
      }
    }
    return stmt;
  }

  sqlite3* db_;
  std::size_t capacity_;
  std::list<Entry> lru_;  // front: most recently used
  // Keys view the strings inside lru_'s nodes, which never move.
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

//! Leaves a cached statement ready for its next use, whatever happened to this one.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

//! One SQLite connection. Used by one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
class SqliteConn final : public Conn {
 public:
  // Any connection that is not a reader may take after_commit(); write jobs run only on the
  // writer's (the checkpointer's never runs one).
  SqliteConn(const SqliteOptions& options, const std::string& synchronous, bool reader)
      : Conn(!reader) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (!reader) flags |= SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(options.path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = "sqlite: cannot open database " + options.path + ": " +
                        (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
      int code = db_ != nullptr ? sqlite3_extended_errcode(db_) : rc;
      sqlite3_close_v2(db_);
      throw DbError(kind_of(code), msg);
    }
    try {
      sqlite3_extended_result_codes(db_, 1);
      sqlite3_busy_timeout(db_, options.busy_timeout_ms);
      cache_ = std::make_unique<StatementCache>(db_, options.statement_cache);
      auto mode = query_one("PRAGMA journal_mode=WAL");
      if (!mode || mode->str(0) != "wal") {
        throw DbError(DbError::Kind::Other, "sqlite: cannot use WAL journal mode for " +
                                                options.path +
                                                " (it must be a file on a local disk)");
      }
      exec_script("PRAGMA synchronous=" + synchronous + "; PRAGMA foreign_keys=ON;");
      if (reader) {
        exec_script("PRAGMA query_only=1; PRAGMA cache_size=-8192;");
      } else {
        // Checkpoints run on their own thread (SqliteDb::checkpoint_loop), not in a commit.
        // Each job in a batch runs under a SAVEPOINT, whose statement journal SQLite spills to
        // a temporary file past 64 KiB unless temp_store is MEMORY: keep it in memory.
        exec_script(
            "PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=0; PRAGMA temp_store=MEMORY;");
      }
    } catch (...) {
      cache_.reset();
      sqlite3_close_v2(db_);
      throw;
    }
  }

  sqlite3* handle() { return db_; }

  ~SqliteConn() override {
    cache_.reset();  // statements are finalized before their connection closes
    sqlite3_close_v2(db_);
  }
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  std::vector<Row> query(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = cache_->get(sql);
    StatementUse use(stmt);
    bind(stmt, sql, params);
    std::vector<Row> rows;
    const int columns = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db_, rc, sql);
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int i = 0; i < columns; ++i) values.push_back(column(stmt, i));
      rows.emplace_back(std::move(values));
    }
    return rows;
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    sqlite3_stmt* stmt = cache_->get(sql);
    StatementUse use(stmt);
    bind(stmt, sql, params);
    const sqlite3_int64 before = sqlite3_total_changes64(db_);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db_, rc, sql);
    }
    // changes64() keeps the count of the last INSERT/UPDATE/DELETE, which is stale after DDL.
    if (sqlite3_total_changes64(db_) == before) return 0;
    return sqlite3_changes64(db_);
  }

  void exec_script(std::string_view sql) override {
    std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      sqlite3_free(err);  // the same text is available from sqlite3_errmsg()
      fail(db_, rc, {});
    }
  }

  Dialect dialect() const override { return Dialect::Sqlite; }

  //! Runs a statement without parameters or results (transaction control).
  void run(std::string_view sql) { exec(sql, {}); }

  //! True while a transaction is open on this connection.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  //! Ends whatever transaction is open, ignoring errors (used on failure paths).
  void rollback_quietly() noexcept {
    if (!in_transaction()) return;
    try {
      run("ROLLBACK");
    } catch (...) {
      // The connection reports the original failure; a failed ROLLBACK leaves nothing to undo.
    }
  }

 private:
  void bind(sqlite3_stmt* stmt, std::string_view sql, const Params& params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<std::size_t>(expected) != params.size()) {
      throw DbError(DbError::Kind::Other, "sqlite: statement takes " + std::to_string(expected) +
                                              " parameters, got " + std::to_string(params.size()) +
                                              " in `" + detail::excerpt(sql) + "`");
    }
    for (int i = 0; i < expected; ++i) {
      const Value& v = params[static_cast<std::size_t>(i)];
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, i + 1, *n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, i + 1, *d);
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        // SQLITE_STATIC: `params` outlives the statement's use, and the binding is cleared after.
        rc = sqlite3_bind_text64(stmt, i + 1, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, i + 1);
      }
      if (rc != SQLITE_OK) fail(db_, rc, sql);
    }
  }

  static Value column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT:
        return sqlite3_column_double(stmt, i);
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, i));
        const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
        return p != nullptr ? std::string(p, n) : std::string();
      }
      default:
        return std::monostate{};
    }
  }

  sqlite3* db_ = nullptr;
  std::unique_ptr<StatementCache> cache_;
};

std::string checked_synchronous(std::string value) {
  for (char& ch : value) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (value != "OFF" && value != "NORMAL" && value != "FULL" && value != "EXTRA") {
    throw DbError(DbError::Kind::Other,
                  "sqlite: synchronous must be OFF, NORMAL, FULL or EXTRA, not '" + value + "'");
  }
  return value;
}

//! The database the writer thread is serving, on that thread only: read() or write() from
//! inside a write job would deadlock or read around the job's own transaction, so it is refused.
using detail::WriteJob;
using detail::WriteQueue;

class SqliteDb final : public detail::PooledDb<SqliteConn> {
 public:
  explicit SqliteDb(const SqliteOptions& options) : PooledDb(options.max_batch) {
    const std::string synchronous = checked_synchronous(options.synchronous);
    // The writer opens first: it creates the file and switches it to WAL.
    writer_conn_ = std::make_unique<SqliteConn>(options, synchronous, false);
    const int readers = std::max(options.readers, 1);
    for (int i = 0; i < readers; ++i) {
      readers_.add(std::make_unique<SqliteConn>(options, synchronous, true));
    }
    checkpoint_conn_ = std::make_unique<SqliteConn>(options, synchronous, false);
    sqlite3_wal_hook(writer_conn_->handle(), &SqliteDb::on_wal_commit, this);
    writes_.start([this](const std::vector<WriteJob*>& batch) { commit(batch); });
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
    log::debug("db.opened", {{"driver", "sqlite"},
                             {"readers", readers},
                             {"synchronous", synchronous},
                             {"max_batch", options.max_batch}});
  }

  ~SqliteDb() override { close(); }
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Dialect dialect() const override { return Dialect::Sqlite; }

 protected:
  void read_with(SqliteConn& conn, const std::function<void(Conn&)>& fn) override {
    try {
      conn.run("BEGIN");  // deferred: the snapshot is taken by the first read
      fn(conn);
      conn.run("COMMIT");
    } catch (...) {
      conn.rollback_quietly();
      throw;
    }
  }

  void release() override {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    checkpoint_conn_.reset();
    writer_conn_.reset();
  }

 private:
  //! What became of a job in the batch being committed.
  enum class Outcome { Pending, Kept, Discarded };

  //! Runs a batch of jobs in one transaction, each in its own savepoint, and commits once.
  //! Never throws: every failure ends up in the jobs' `error`.
  void commit(const std::vector<WriteJob*>& batch) {
    std::vector<Outcome> outcome(batch.size(), Outcome::Pending);
    std::vector<std::function<void()>> after;  // of the kept jobs, run once COMMIT is durable
    SqliteConn& conn = *writer_conn_;
    try {
      conn.run("BEGIN IMMEDIATE");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        WriteJob& job = *batch[i];
        conn.run("SAVEPOINT w");
        bool keep = false;
        try {
          keep = (*job.fn)(conn);
        } catch (...) {
          job.error = std::current_exception();
        }
        outcome[i] = keep ? Outcome::Kept : Outcome::Discarded;
        auto callbacks = conn.take_after_commit();
        if (keep) {
          for (auto& cb : callbacks) after.push_back(std::move(cb));
          conn.run("RELEASE w");
        } else {
          conn.run("ROLLBACK TO w");
          conn.run("RELEASE w");
        }
      }
      conn.run("COMMIT");
      metrics::observe_commit_batch(batch.size());
    } catch (const DbError& e) {
      conn.take_after_commit();
      fail_batch(batch, outcome, e.kind(), e.what());
      return;
    } catch (const std::exception& e) {
      conn.take_after_commit();
      fail_batch(batch, outcome, DbError::Kind::Other, e.what());
      return;
    } catch (...) {
      conn.take_after_commit();
      fail_batch(batch, outcome, DbError::Kind::Other, "unknown error");
      return;
    }
    detail::run_callbacks(after);
  }

  //! Rolls the batch back and tells every job whose work it held that nothing is durable.
  void fail_batch(const std::vector<WriteJob*>& batch, const std::vector<Outcome>& outcome,
                  DbError::Kind kind, const std::string& what) {
    writer_conn_->rollback_quietly();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // A job that failed on its own keeps its own answer: it was never going to commit.
      if (outcome[i] == Outcome::Discarded) continue;
      batch[i]->error = std::make_exception_ptr(DbError(kind, "write not committed: " + what));
    }
    metrics::inc("tend_db_failed_commits_total");
    log::error("db.commit_failed", {{"transactions", batch.size()}, {"error", what}});
  }

  //! Called by SQLite after each commit with the WAL's size in pages: past the threshold the
  //! checkpointer copies the WAL into the database file while the writer carries on.
  static int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    auto* db = static_cast<SqliteDb*>(self);
    if (pages >= k_checkpoint_pages) {
      std::lock_guard lock(db->checkpoint_mu_);
      db->checkpoint_wanted_ = true;
      db->checkpoint_cv_.notify_one();
    }
    return SQLITE_OK;
  }

  //! Runs PASSIVE checkpoints (never blocking the writer or readers) when the WAL has grown.
  void checkpoint_loop() {
    for (;;) {
      {
        std::unique_lock lock(checkpoint_mu_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stop_; });
        if (checkpoint_stop_) return;
        checkpoint_wanted_ = false;
      }
      int log_pages = 0, done = 0;
      const int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->handle(), nullptr,
                                               SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        log::warn("db.checkpoint_failed", {{"error", sqlite3_errstr(rc)}});
      }
      metrics::inc("tend_db_checkpoints_total");
    }
  }

  static constexpr int k_checkpoint_pages = 4000;  // ~16 MiB of WAL

  std::unique_ptr<SqliteConn> writer_conn_;  // used only by the writer thread

  std::unique_ptr<SqliteConn> checkpoint_conn_;  // used only by the checkpointer thread
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;
};

}  // namespace

std::unique_ptr<Db> open_sqlite(const SqliteOptions& options) {
  return std::make_unique<SqliteDb>(options);
}

}  // namespace tend::sql
