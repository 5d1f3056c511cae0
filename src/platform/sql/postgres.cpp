// The PostgreSQL driver on libpq. See postgres.h for the shape (reader pool, one batching writer
// per instance) and the failure rules; postgres_rules.h for the pure parts.
//
// Parameters are sent in text format with their types declared for numbers (int8, float8) and
// left for the server to infer for text and NULL, which is what lets the same portable SQL
// compare a bound value with INTEGER, BIGINT or TEXT columns alike. Results come back in text
// format and are converted by column type (postgres_rules.cpp).
// See https://www.postgresql.org/docs/15/libpq-exec.html.

#include "platform/sql/postgres.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/sql/pool.h"
#include "platform/sql/postgres_rules.h"

namespace tend::sql {
namespace {

//! Frees a PGresult when it goes out of scope.
struct ResultPtr {
  PGresult* r = nullptr;
  explicit ResultPtr(PGresult* res) : r(res) {}
  ~ResultPtr() {
    if (r != nullptr) PQclear(r);
  }
  ResultPtr(const ResultPtr&) = delete;
  ResultPtr& operator=(const ResultPtr&) = delete;
};

void ignore_notice(void*, const char*) {}

PGconn* connect(const std::string& url, int connect_timeout_s) {
  const std::string timeout = std::to_string(std::max(connect_timeout_s, 1));
  // Defaults first: settings in the URL (expanded in place of dbname) override them. GSSAPI
  // encryption is off unless asked for: probing for Kerberos credentials slows every connect.
  const char* keys[] = {"gssencmode",      "connect_timeout", "application_name",
                        "client_encoding", "dbname",          nullptr};
  const char* values[] = {"disable", timeout.c_str(), "tend", "UTF8", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);  // expand_dbname: dbname may be a URL
  if (conn == nullptr) throw DbError(DbError::Kind::Closed, "postgres: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQfinish(conn);
    throw DbError(DbError::Kind::Closed,
                  "postgres: cannot connect to " + pg::redact_url(url) + ": " + msg);
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  return conn;
}

//! One PostgreSQL connection with its own prepared-statement cache. Used by one thread at a time.
class PgConn final : public Conn {
 public:
  PgConn(const PostgresOptions& options, bool writer)
      : Conn(writer), options_(options), writer_(writer) {
    open();
  }
  ~PgConn() override {
    if (pg_ != nullptr) PQfinish(pg_);
  }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  std::vector<Row> query(std::string_view sql, const Params& params) override {
    ResultPtr res(execute(sql, params));
    const int rows = PQntuples(res.r);
    const int cols = PQnfields(res.r);
    std::vector<Row> out;
    out.reserve(static_cast<std::size_t>(rows));
    std::vector<unsigned> types(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) types[static_cast<std::size_t>(c)] = PQftype(res.r, c);
    for (int r = 0; r < rows; ++r) {
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        if (PQgetisnull(res.r, r, c) != 0) {
          values.emplace_back(std::monostate{});
        } else {
          values.push_back(pg::value_from_text(
              types[static_cast<std::size_t>(c)],
              std::string_view(PQgetvalue(res.r, r, c),
                               static_cast<std::size_t>(PQgetlength(res.r, r, c)))));
        }
      }
      out.emplace_back(std::move(values));
    }
    return out;
  }

  std::int64_t exec(std::string_view sql, const Params& params) override {
    ResultPtr res(execute(sql, params));
    const char* n = PQcmdTuples(res.r);
    return (n != nullptr && *n != '\0') ? std::strtoll(n, nullptr, 10) : 0;
  }

  void exec_script(std::string_view sql) override {
    // Scripts are migrations: no placeholders, several statements, run as they are.
    run(sql);
  }

  Dialect dialect() const override { return Dialect::Postgres; }

  //! Runs one or more statements without parameters (transaction control, scripts).
  void run(std::string_view sql) {
    const std::string text(sql);
    ResultPtr res(PQexec(pg_, text.c_str()));
    check(res.r, sql);
  }

  bool broken() const { return pg_ == nullptr || PQstatus(pg_) != CONNECTION_OK; }
  bool in_transaction() const { return pg_ != nullptr && PQtransactionStatus(pg_) != PQTRANS_IDLE; }

  //! Ends whatever transaction is open, ignoring errors (used on failure paths).
  void rollback_quietly() noexcept {
    if (broken() || !in_transaction()) return;
    PGresult* r = PQexec(pg_, "ROLLBACK");
    if (r != nullptr) PQclear(r);
  }

  //! Drops the connection and opens a new one (after the server went away).
  void reconnect() {
    if (pg_ != nullptr) PQfinish(pg_);
    pg_ = nullptr;
    lru_.clear();
    index_.clear();
    open();
  }

 private:
  struct Prepared {
    std::string key;
    std::string name;
  };

  void open() {
    pg_ = connect(options_.url, options_.connect_timeout_s);
    try {
      std::string setup =
          "SET TIME ZONE 'UTC'; SET client_min_messages = warning; SET lock_timeout = " +
          std::to_string(std::max(options_.lock_timeout_ms, 1)) + ";";
      if (writer_) setup += " SET idle_in_transaction_session_timeout = 60000;";
      run(setup);
    } catch (...) {
      PQfinish(pg_);
      pg_ = nullptr;
      throw;
    }
  }

  //! Throws DbError unless `res` is a success.
  void check(PGresult* res, std::string_view sql) {
    const auto status = res != nullptr ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
      return;
    }
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string sqlstate = state != nullptr ? state : "";
    std::string msg;
    DbError::Kind kind = DbError::Kind::Other;
    if (broken() || sqlstate.empty()) {
      // No SQLSTATE: the connection failed (libpq's own message names no data).
      std::string why = pg_ != nullptr ? PQerrorMessage(pg_) : "no connection";
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      msg = "postgres: connection lost: " + why;
      kind = DbError::Kind::Closed;
    } else {
      msg = "postgres: " + pg::safe_message(sqlstate, primary != nullptr ? primary : "error");
      kind = pg::kind_of_sqlstate(sqlstate);
    }
    if (!sql.empty()) msg += " in `" + detail::excerpt(sql) + "`";
    throw DbError(kind, msg);
  }

  //! Prepares (once per connection) and runs `sql` with `params`. Returns a successful result.
  PGresult* execute(std::string_view sql, const Params& params) {
    // The types of the parameters are part of a prepared statement, so they are part of its key.
    std::string key(sql);
    key += '\x1f';
    std::vector<Oid> types(params.size(), 0);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (std::holds_alternative<std::int64_t>(params[i])) {
        types[i] = pg::k_int8;
        key += 'i';
      } else if (std::holds_alternative<double>(params[i])) {
        types[i] = pg::k_float8;
        key += 'd';
      } else {
        key += 't';
      }
    }
    const std::string& name = prepared(key, sql, types);

    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      if (const auto* n = std::get_if<std::int64_t>(&v)) {
        text[i] = std::to_string(*n);
      } else if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        text[i] = buf;
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        if (s->find('\0') != std::string::npos) {
          throw DbError(DbError::Kind::Other, "postgres: text parameter " + std::to_string(i + 1) +
                                                  " holds a NUL byte in `" + detail::excerpt(sql) +
                                                  "`");
        }
        text[i] = *s;
      } else {
        continue;  // NULL
      }
      values[i] = text[i].c_str();
    }
    PGresult* res = PQexecPrepared(pg_, name.c_str(), static_cast<int>(params.size()),
                                   values.data(), nullptr, nullptr, 0);
    try {
      check(res, sql);
    } catch (...) {
      if (res != nullptr) PQclear(res);
      throw;
    }
    return res;
  }

  const std::string& prepared(const std::string& key, std::string_view sql,
                              const std::vector<Oid>& types) {
    if (auto it = index_.find(key); it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return it->second->name;
    }
    int count = 0;
    const std::string text = pg::rewrite_placeholders(sql, count);
    if (static_cast<std::size_t>(count) != types.size()) {
      throw DbError(DbError::Kind::Other, "postgres: statement takes " + std::to_string(count) +
                                              " parameters, got " + std::to_string(types.size()) +
                                              " in `" + detail::excerpt(sql) + "`");
    }
    std::string name = "t" + std::to_string(++next_name_);
    ResultPtr res(PQprepare(pg_, name.c_str(), text.c_str(), count, types.data()));
    check(res.r, sql);
    lru_.push_front(Prepared{key, std::move(name)});
    index_.emplace(lru_.front().key, lru_.begin());
    while (lru_.size() > std::max<std::size_t>(options_.statement_cache, 1)) {
      // DEALLOCATE cannot run in a failed transaction; a statement left behind then lives only
      // until the connection closes.
      if (!broken() && PQtransactionStatus(pg_) != PQTRANS_INERROR) {
        const std::string dealloc = "DEALLOCATE " + lru_.back().name;
        PGresult* r = PQexec(pg_, dealloc.c_str());
        if (r != nullptr) PQclear(r);
      }
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    return lru_.front().name;
  }

  const PostgresOptions& options_;
  const bool writer_;
  PGconn* pg_ = nullptr;
  std::list<Prepared> lru_;  // front: most recently used
  std::unordered_map<std::string_view, std::list<Prepared>::iterator> index_;
  std::uint64_t next_name_ = 0;
};

using detail::WriteJob;
using detail::WriteQueue;

class PgDb final : public detail::PooledDb<PgConn> {
 public:
  explicit PgDb(const PostgresOptions& options) : PooledDb(options.max_batch), options_(options) {
    writer_conn_ = std::make_unique<PgConn>(options_, true);
    const int readers = std::max(options_.readers, 1);
    for (int i = 0; i < readers; ++i) readers_.add(std::make_unique<PgConn>(options_, false));
    writes_.start([this](const std::vector<WriteJob*>& batch) { commit(batch); });
    log::debug("db.opened", {{"driver", "postgres"},
                             {"server", pg::redact_url(options_.url)},
                             {"readers", readers},
                             {"max_batch", options_.max_batch}});
  }

  ~PgDb() override { close(); }
  PgDb(const PgDb&) = delete;
  PgDb& operator=(const PgDb&) = delete;

  Dialect dialect() const override { return Dialect::Postgres; }

 protected:
  void read_with(PgConn& conn, const std::function<void(Conn&)>& fn) override {
    begin_read(conn);
    try {
      fn(conn);
      conn.run("COMMIT");
    } catch (...) {
      conn.rollback_quietly();
      throw;
    }
  }

  void release() override { writer_conn_.reset(); }

 private:
  //! Starts a snapshot read; a connection found dead is replaced once (nothing has run yet).
  void begin_read(PgConn& conn) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (conn.broken()) conn.reconnect();
        conn.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        return;
      } catch (const DbError& e) {
        if (attempt > 0 || e.kind() != DbError::Kind::Closed) throw;
        metrics::inc("tend_db_reconnects_total");
        log::warn("db.reconnecting", {{"connection", "reader"}});
        conn.reconnect();
      }
    }
  }

  enum class Outcome { Pending, Kept, Discarded };

  //! Runs the batch in one transaction and commits once; see postgres.h for what is retried.
  void commit(const std::vector<WriteJob*>& batch) {
    constexpr int k_batch_attempts = 3;
    for (int attempt = 0;; ++attempt) {
      std::vector<Outcome> outcome(batch.size(), Outcome::Pending);
      for (WriteJob* job : batch) job->error = nullptr;
      bool committing = false;
      after_.clear();
      try {
        PgConn& conn = writer();
        conn.run("BEGIN");
        for (std::size_t i = 0; i < batch.size(); ++i) {
          outcome[i] = run_job(conn, *batch[i]);
        }
        committing = true;
        conn.run("COMMIT");
        metrics::observe_commit_batch(batch.size());
        detail::run_callbacks(std::exchange(after_, {}));
        return;
      } catch (const DbError& e) {
        const bool lost =
            !writer_conn_ || writer_conn_->broken() || e.kind() == DbError::Kind::Closed;
        if (lost && !committing && attempt + 1 < k_batch_attempts) {
          metrics::inc("tend_db_reconnects_total");
          log::warn("db.reconnecting", {{"connection", "writer"}, {"attempt", attempt + 1}});
          std::this_thread::sleep_for(std::chrono::milliseconds(100 * (attempt + 1)));
          continue;  // nothing was committed: run the whole batch again on a new connection
        }
        if (committing && lost) {
          fail_batch(batch, outcome, DbError::Kind::Closed,
                     "the connection was lost during COMMIT; the write may or may not have been "
                     "saved: " +
                         std::string(e.what()));
        } else {
          fail_batch(batch, outcome, e.kind(), e.what());
        }
        return;
      } catch (const std::exception& e) {
        fail_batch(batch, outcome, DbError::Kind::Other, e.what());
        return;
      }
    }
  }

  //! The writer connection, reconnected if it was lost. Throws DbError(Closed) if it cannot be.
  PgConn& writer() {
    if (!writer_conn_) {
      writer_conn_ = std::make_unique<PgConn>(options_, true);
    } else if (writer_conn_->broken()) {
      writer_conn_->reconnect();
    }
    return *writer_conn_;
  }

  //! One job in its own savepoint; a deadlock, serialization failure or lock time-out rolls
  //! back to the savepoint and runs the job again. Throws only when the connection fails.
  Outcome run_job(PgConn& conn, WriteJob& job) {
    for (int attempt = 0;; ++attempt) {
      conn.run("SAVEPOINT w");
      bool keep = false;
      bool retry = false;
      job.error = nullptr;
      try {
        keep = (*job.fn)(conn);
      } catch (const DbError& e) {
        if (conn.broken()) throw;  // the batch is retried or failed as a whole
        retry = e.kind() == DbError::Kind::Busy && attempt < options_.job_retries;
        job.error = std::current_exception();
      } catch (...) {
        if (conn.broken()) throw;
        job.error = std::current_exception();
      }
      auto callbacks = conn.take_after_commit();
      if (keep && !job.error) {
        conn.run("RELEASE w");
        for (auto& cb : callbacks) after_.push_back(std::move(cb));
        return Outcome::Kept;
      }
      conn.run("ROLLBACK TO w");
      conn.run("RELEASE w");
      if (retry) {
        metrics::inc("tend_db_retries_total");
        continue;
      }
      return Outcome::Discarded;
    }
  }

  void fail_batch(const std::vector<WriteJob*>& batch, const std::vector<Outcome>& outcome,
                  DbError::Kind kind, const std::string& what) {
    if (writer_conn_) writer_conn_->rollback_quietly();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcome[i] == Outcome::Discarded) continue;
      batch[i]->error = std::make_exception_ptr(DbError(kind, "write not committed: " + what));
    }
    metrics::inc("tend_db_failed_commits_total");
    log::error("db.commit_failed", {{"transactions", batch.size()}, {"error", what}});
  }

  const PostgresOptions options_;
  std::vector<std::function<void()>> after_;  // writer thread only: the batch's callbacks
  std::unique_ptr<PgConn> writer_conn_;       // writer thread only
};

class PgListenerImpl final : public PgListener {
 public:
  explicit PgListenerImpl(std::string url) : url_(std::move(url)) {
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_ < 0) throw DbError(DbError::Kind::Other, "postgres: eventfd failed");
    try {
      pg_ = connect(url_, 10);
    } catch (...) {
      ::close(wake_);
      throw;
    }
  }
  ~PgListenerImpl() override {
    if (pg_ != nullptr) PQfinish(pg_);
    ::close(wake_);
  }
  PgListenerImpl(const PgListenerImpl&) = delete;
  PgListenerImpl& operator=(const PgListenerImpl&) = delete;

  void listen(const std::string& channel) override {
    for (char ch : channel) {
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
        throw DbError(DbError::Kind::Other, "postgres: channel names are [a-z0-9_]");
      }
    }
    channels_.push_back(channel);
    if (pg_ != nullptr) subscribe(channel);
  }

  std::vector<std::pair<std::string, std::string>> wait(int timeout_ms) override {
    std::vector<std::pair<std::string, std::string>> out;
    if (pg_ == nullptr || PQstatus(pg_) != CONNECTION_OK) {
      if (!try_reconnect()) {
        sleep_or_wake(std::min(timeout_ms, 500));
        return out;
      }
    }
    drain(out);
    if (!out.empty()) return out;
    pollfd fds[2] = {{PQsocket(pg_), POLLIN, 0}, {wake_, POLLIN, 0}};
    const int rc = ::poll(fds, 2, timeout_ms);
    if (rc > 0 && (fds[1].revents & POLLIN) != 0) {
      std::uint64_t v = 0;
      [[maybe_unused]] auto n = ::read(wake_, &v, sizeof v);
    }
    if (rc > 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      if (PQconsumeInput(pg_) == 0) {
        log::warn("events.listener_lost", {});
        PQfinish(pg_);
        pg_ = nullptr;
        return out;
      }
      drain(out);
    }
    return out;
  }

  void interrupt() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_, &one, sizeof one);
  }

 private:
  void subscribe(const std::string& channel) {
    const std::string sql = "LISTEN " + channel;
    PGresult* r = PQexec(pg_, sql.c_str());
    const bool ok = r != nullptr && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (r != nullptr) PQclear(r);
    if (!ok) throw DbError(DbError::Kind::Closed, "postgres: LISTEN failed");
  }

  bool try_reconnect() {
    if (pg_ != nullptr) PQfinish(pg_);
    pg_ = nullptr;
    try {
      pg_ = connect(url_, 5);
      for (const auto& c : channels_) subscribe(c);
      log::info("events.listener_reconnected", {});
      return true;
    } catch (const DbError&) {
      if (pg_ != nullptr) PQfinish(pg_);
      pg_ = nullptr;
      return false;
    }
  }

  void drain(std::vector<std::pair<std::string, std::string>>& out) {
    while (PGnotify* n = PQnotifies(pg_)) {
      out.emplace_back(n->relname, n->extra != nullptr ? n->extra : "");
      PQfreemem(n);
    }
  }

  void sleep_or_wake(int ms) {
    pollfd fd{wake_, POLLIN, 0};
    if (::poll(&fd, 1, ms) > 0) {
      std::uint64_t v = 0;
      [[maybe_unused]] auto n = ::read(wake_, &v, sizeof v);
    }
  }

  std::string url_;
  PGconn* pg_ = nullptr;
  int wake_ = -1;
  std::vector<std::string> channels_;
};

}  // namespace

std::unique_ptr<Db> open_postgres(const PostgresOptions& options) {
  if (!pg::is_postgres_url(options.url)) {
    throw DbError(DbError::Kind::Other,
                  "postgres: the database URL must start with postgresql:// or postgres://");
  }
  return std::make_unique<PgDb>(options);
}

std::unique_ptr<PgListener> open_pg_listener(const std::string& url) {
  return std::make_unique<PgListenerImpl>(url);
}

}  // namespace tend::sql
