// Row column accessors. A type mismatch is a programming error (the SQL and the code reading
// it disagree), so it throws DbError naming the column index, never the value.

#include <cctype>
#include <string>

#include "platform/log.h"
#include "platform/sql/db.h"

namespace tend::sql {
namespace {

const char* type_name(const Value& v) {
  switch (v.index()) {
    case 0:
      return "NULL";
    case 1:
      return "integer";
    case 2:
      return "real";
    default:
      return "text";
  }
}

[[noreturn]] void mismatch(std::size_t col, const char* wanted, const Value& got) {
  throw DbError(DbError::Kind::Other, "column " + std::to_string(col) + ": expected " + wanted +
                                          ", got " + type_name(got));
}

}  // namespace

const Value& Row::at(std::size_t col) const {
  if (col >= values_.size()) {
    throw DbError(DbError::Kind::Other, "column " + std::to_string(col) +
                                            " out of range (row has " +
                                            std::to_string(values_.size()) + " columns)");
  }
  return values_[col];
}

bool Row::is_null(std::size_t col) const {
  return std::holds_alternative<std::monostate>(at(col));
}

std::int64_t Row::i64(std::size_t col) const {
  const Value& v = at(col);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  mismatch(col, "integer", v);
}

double Row::f64(std::size_t col) const {
  const Value& v = at(col);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  // SUM() of integers and numeric columns holding whole numbers come back as integers.
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  mismatch(col, "real", v);
}

std::string Row::str(std::size_t col) const {
  const Value& v = at(col);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::monostate>(v)) return {};
  mismatch(col, "text", v);
}

std::optional<std::string> Row::opt_str(std::size_t col) const {
  const Value& v = at(col);
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  mismatch(col, "text or NULL", v);
}

std::optional<std::int64_t> Row::opt_i64(std::size_t col) const {
  const Value& v = at(col);
  if (std::holds_alternative<std::monostate>(v)) return std::nullopt;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  mismatch(col, "integer or NULL", v);
}

std::string detail::excerpt(std::string_view sql) {
  constexpr std::size_t k_max = 200;
  std::string out;
  bool space = false;
  for (char ch : sql) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
    if (out.size() >= k_max) {
      out += "...";
      break;
    }
  }
  return out;
}

void detail::run_callbacks(const std::vector<std::function<void()>>& callbacks) noexcept {
  for (const auto& cb : callbacks) {
    try {
      cb();
    } catch (const std::exception& e) {
      log::error("db.after_commit_failed", {{"error", e.what()}});
    } catch (...) {
      log::error("db.after_commit_failed", {{"error", "unknown exception"}});
    }
  }
}

}  // namespace tend::sql
