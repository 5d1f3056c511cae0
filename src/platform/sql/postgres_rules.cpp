#include "platform/sql/postgres_rules.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace tend::sql::pg {

namespace {

bool ident_char(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '_';
}

//! The length of a dollar-quote tag ("$$" or "$tag$") starting at `i`, or 0 when there is none.
std::size_t dollar_tag(std::string_view sql, std::size_t i) {
  if (sql[i] != '$') return 0;
  std::size_t j = i + 1;
  if (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])) != 0) return 0;  // $1
  while (j < sql.size() && ident_char(sql[j])) ++j;
  if (j < sql.size() && sql[j] == '$') return j - i + 1;
  return 0;
}

}  // namespace

std::string rewrite_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char ch = sql[i];
    if (ch == '\'' || ch == '"') {
      // A literal or quoted identifier; a doubled quote inside is an escaped quote. In E'…'
      // strings a backslash escapes the next character.
      const bool backslashes = ch == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      out += ch;
      ++i;
      while (i < n) {
        if (backslashes && sql[i] == '\\' && i + 1 < n) {
          out += sql[i];
          out += sql[i + 1];
          i += 2;
          continue;
        }
        out += sql[i];
        if (sql[i] == ch) {
          if (i + 1 < n && sql[i + 1] == ch) {
            out += sql[i + 1];
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      continue;
    }
    if (ch == '-' && i + 1 < n && sql[i + 1] == '-') {
      const auto end = sql.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (ch == '/' && i + 1 < n && sql[i + 1] == '*') {
      const auto end = sql.find("*/", i + 2);
      const std::size_t stop = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (ch == '$' && (i == 0 || !ident_char(sql[i - 1]))) {
      if (const std::size_t tag_len = dollar_tag(sql, i); tag_len > 0) {
        const std::string_view tag = sql.substr(i, tag_len);
        const auto end = sql.find(tag, i + tag_len);
        const std::size_t stop = end == std::string_view::npos ? n : end + tag_len;
        out.append(sql.substr(i, stop - i));
        i = stop;
        continue;
      }
    }
    if (ch == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
      continue;
    }
    out += ch;
    ++i;
  }
  return out;
}

Value value_from_text(unsigned type_oid, std::string_view text) {
  const std::string s(text);  // strtoll/strtod want a terminated string
  switch (type_oid) {
    case k_bool:
      return std::int64_t{!s.empty() && (s[0] == 't' || s[0] == 'T' || s[0] == '1') ? 1 : 0};
    case k_int2:
    case k_int4:
    case k_int8:
    case k_oid:
      return static_cast<std::int64_t>(std::strtoll(s.c_str(), nullptr, 10));
    case k_float4:
    case k_float8:
      return std::strtod(s.c_str(), nullptr);
    case k_numeric: {
      if (s.find_first_of(".eEN") == std::string::npos) {  // N: NaN
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0 && end != nullptr && *end == '\0') return static_cast<std::int64_t>(v);
      }
      return std::strtod(s.c_str(), nullptr);
    }
    default:
      return s;
  }
}

DbError::Kind kind_of_sqlstate(std::string_view sqlstate) {
  if (sqlstate == "23505") return DbError::Kind::UniqueViolation;
  if (sqlstate == "23503") return DbError::Kind::ForeignKeyViolation;
  if (retryable(sqlstate)) return DbError::Kind::Busy;
  if (sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return DbError::Kind::Closed;
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") return DbError::Kind::Corrupt;
  return DbError::Kind::Other;
}

bool retryable(std::string_view sqlstate) {
  return sqlstate == "40001"      // serialization_failure
         || sqlstate == "40P01"   // deadlock_detected
         || sqlstate == "55P03";  // lock_not_available (lock_timeout)
}

std::string safe_message(std::string_view sqlstate, std::string_view primary) {
  if (sqlstate.substr(0, 2) == "22") {
    return "a value was not valid for its column (SQLSTATE " + std::string(sqlstate) + ")";
  }
  std::string out(primary);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out + " (SQLSTATE " + std::string(sqlstate) + ")";
}

std::string redact_url(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme + 3;
  const auto authority_end = url.find_first_of("/?", authority_start);
  const auto at =
      url.rfind('@', authority_end == std::string_view::npos ? url.size() : authority_end);
  std::string out(url);
  if (at != std::string_view::npos && at > authority_start) {
    const auto colon = url.find(':', authority_start);
    if (colon != std::string_view::npos && colon < at) {
      out = std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
    }
  }
  // password=… in the query string
  const auto pw = out.find("password=");
  if (pw != std::string::npos) {
    const auto end = out.find('&', pw);
    out = out.substr(0, pw + 9) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

bool is_postgres_url(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

}  // namespace tend::sql::pg
