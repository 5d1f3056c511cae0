#pragma once
//! The pure parts of the PostgreSQL driver, tested without a server: placeholder rewriting,
//! reading text-format values by type, classifying SQLSTATEs, and redacting connection URLs.

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/sql/db.h"

namespace tend::sql::pg {

//! `sql` with each `?` placeholder replaced by `$1`, `$2`, … in order. Question marks inside
//! string literals ('…', E'…'), quoted identifiers ("…"), dollar-quoted bodies ($$…$$, $t$…$t$)
//! and comments (-- …, /* … */) are left alone. `count` receives the number of placeholders.
std::string rewrite_placeholders(std::string_view sql, int& count);

//! Type OIDs the driver reads as something other than text (from pg_type.h, stable values).
inline constexpr unsigned k_bool = 16;
inline constexpr unsigned k_int8 = 20;
inline constexpr unsigned k_int2 = 21;
inline constexpr unsigned k_int4 = 23;
inline constexpr unsigned k_oid = 26;
inline constexpr unsigned k_float4 = 700;
inline constexpr unsigned k_float8 = 701;
inline constexpr unsigned k_numeric = 1700;

//! A column value in PostgreSQL's text format, read as SQLite would hand it back: integers
//! (and booleans, as 0/1) as int64, floating types as double, NUMERIC as int64 when it is a
//! whole number that fits and as double otherwise, everything else as text.
Value value_from_text(unsigned type_oid, std::string_view text);

//! What a SQLSTATE means to the caller: unique and foreign-key violations are told apart so
//! services can answer 409; serialization failures, deadlocks and lock time-outs are Busy
//! (safe to retry the transaction); connection failures (class 08, admin shutdown) are Closed.
DbError::Kind kind_of_sqlstate(std::string_view sqlstate);

//! True for the SQLSTATEs after which the transaction can simply be run again.
bool retryable(std::string_view sqlstate);

//! The message that may go into an error or a log for a failed statement. PostgreSQL puts
//! values into some primary messages ("invalid input syntax for type date: \"…\""), and bound
//! values may be client data, so for data exceptions (class 22) only a generic text is kept.
std::string safe_message(std::string_view sqlstate, std::string_view primary);

//! `url` with any password replaced by "***", for logs and error messages.
std::string redact_url(std::string_view url);

//! True when `url` names a PostgreSQL database (postgresql:// or postgres://).
bool is_postgres_url(std::string_view url);

}  // namespace tend::sql::pg
