#pragma once
//! The database behind one small interface. Drivers: SQLite (sqlite.h) now, PostgreSQL next.
//!
//! SQL is written once in the portable subset of SQLite and PostgreSQL with `?` placeholders;
//! drivers rewrite placeholders and keep every dialect difference inside themselves.
//!
//! Reads run in parallel on pooled connections. Writes go through Db::write(), which on SQLite
//! is a single writer thread with group commit: many callers' transactions are made durable by
//! one COMMIT (one fsync), each isolated in its own SAVEPOINT so that one caller's failure
//! rolls back only its own changes. write() returns only after the commit is durable.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "platform/result.h"

namespace tend::sql {

//! A bound parameter or a column value. Text is UTF-8; binary data is stored as text (hex or
//! base64) so that both dialects treat it alike.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

inline Value null() {
  return std::monostate{};
}
//! An optional string as a parameter: nullopt binds NULL.
inline Value opt(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value();
}
inline Value opt(const std::optional<std::int64_t>& n) {
  return n ? Value(*n) : Value();
}

//! One result row. Column accessors throw DbError on a type mismatch (a programming error).
class Row {
 public:
  Row() = default;
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  std::size_t size() const { return values_.size(); }
  bool is_null(std::size_t col) const;
  std::int64_t i64(std::size_t col) const;
  double f64(std::size_t col) const;
  //! Text column; NULL reads as "".
  std::string str(std::size_t col) const;
  std::optional<std::string> opt_str(std::size_t col) const;
  std::optional<std::int64_t> opt_i64(std::size_t col) const;
  bool boolean(std::size_t col) const { return i64(col) != 0; }
  const Value& at(std::size_t col) const;
  std::vector<Value>& values() { return values_; }

 private:
  std::vector<Value> values_;
};

//! A driver failure. `unique_violation` is set when a UNIQUE or PRIMARY KEY constraint
//! refused a row, so services can answer 409; anything else becomes a 500.
class DbError : public std::runtime_error {
 public:
  enum class Kind { Other, UniqueViolation, ForeignKeyViolation, Busy, Corrupt, Closed };
  DbError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool unique_violation() const { return kind_ == Kind::UniqueViolation; }

 private:
  Kind kind_;
};

enum class Dialect { Sqlite, Postgres };

//! One connection inside a transaction. Not thread-safe; valid only inside the callback that
//! received it.
class Conn {
 public:
  virtual ~Conn() = default;
  //! Runs one statement and returns every row. Statements are prepared once and cached.
  virtual std::vector<Row> query(std::string_view sql, const Params& params = {}) = 0;
  //! Runs one statement that returns no rows; returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, const Params& params = {}) = 0;
  //! Runs several statements separated by semicolons, without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;
  virtual Dialect dialect() const = 0;
  //! Inside a write job: runs `fn` on the writer thread once the job's changes are durable
  //! (never if they roll back). Keep it short: it delays the next batch. Reads throw DbError.
  void after_commit(std::function<void()> fn) {
    if (!writer_) throw DbError(DbError::Kind::Other, "after_commit() is only for write jobs");
    after_commit_.push_back(std::move(fn));
  }
  //! The driver's side of after_commit(): the callbacks of the job that just ran.
  std::vector<std::function<void()>> take_after_commit() { return std::move(after_commit_); }

  std::optional<Row> query_one(std::string_view sql, const Params& params = {}) {
    auto rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }

 protected:
  //! Drivers mark their writer connection, the only one write jobs run on.
  explicit Conn(bool writer = false) : writer_(writer) {}

 private:
  bool writer_;
  std::vector<std::function<void()>> after_commit_;
};

namespace detail {
//! The statement as it appears in an error message: whitespace collapsed, at most 200
//! characters. SQL is written with placeholders, so this carries no client data; bound values
//! are never put into messages.
std::string excerpt(std::string_view sql);

//! Runs after-commit callbacks; one that throws is logged and does not stop the others.
void run_callbacks(const std::vector<std::function<void()>>& callbacks) noexcept;

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<Result<T>> : std::true_type {};
}  // namespace detail

//! A database. Thread-safe: call read() and write() from any thread.
class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;

  //! Runs `fn(Conn&)` in a read transaction on a pooled connection and returns its result.
  //! Many reads run at once. Do not call write() from inside.
  template <class F>
  auto read(F&& fn) -> std::invoke_result_t<F, Conn&> {
    using R = std::invoke_result_t<F, Conn&>;
    if constexpr (std::is_void_v<R>) {
      run_read([&](Conn& c) { fn(c); });
    } else {
      std::optional<R> out;
      run_read([&](Conn& c) { out.emplace(fn(c)); });
      return std::move(*out);
    }
  }

  //! Runs `fn(Conn&)` as one atomic write and returns its result after the write is durable.
  //! If `fn` returns a Result holding an error, or throws, its changes are rolled back and the
  //! error (or exception) is handed back. `fn` may run on another thread; it must not call
  //! read() or write(), nor block on anything that does.
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F, Conn&> {
    using R = std::invoke_result_t<F, Conn&>;
    if constexpr (std::is_void_v<R>) {
      run_write([&](Conn& c) {
        fn(c);
        return true;
      });
    } else {
      std::optional<R> out;
      run_write([&](Conn& c) {
        out.emplace(fn(c));
        if constexpr (detail::is_result<R>::value) return out->ok();
        return true;
      });
      return std::move(*out);
    }
  }

  //! Stops accepting writes, finishes queued ones, closes connections. Idempotent.
  virtual void close() = 0;
  //! True while the database answers (used by /readyz).
  virtual bool healthy() = 0;

 protected:
  virtual void run_read(const std::function<void(Conn&)>& fn) = 0;
  //! `fn` returns true to keep its changes, false to roll them back. An exception thrown by
  //! `fn` rolls back its changes and is rethrown to the caller of run_write. A failed commit
  //! throws DbError to every caller whose work was in that commit.
  virtual void run_write(const std::function<bool(Conn&)>& fn) = 0;
};

}  // namespace tend::sql
