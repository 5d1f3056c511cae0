// The pure parts of the PostgreSQL driver: no server needed.

#include "platform/sql/postgres_rules.h"

#include <gtest/gtest.h>

namespace tend::sql::pg {
namespace {

std::string rewrite(std::string_view sql, int expected_count) {
  int count = -1;
  auto out = rewrite_placeholders(sql, count);
  EXPECT_EQ(count, expected_count) << sql;
  return out;
}

TEST(PgPlaceholders, NumberedInOrder) {
  EXPECT_EQ(rewrite("SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?", 3),
            "SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3");
  EXPECT_EQ(rewrite("SELECT 1", 0), "SELECT 1");
  EXPECT_EQ(rewrite("?", 1), "$1");
}

TEST(PgPlaceholders, QuotedTextAndCommentsAreLeftAlone) {
  EXPECT_EQ(rewrite("SELECT '?', 'it''s ?', ? FROM \"odd?name\" WHERE x = ?", 2),
            "SELECT '?', 'it''s ?', $1 FROM \"odd?name\" WHERE x = $2");
  EXPECT_EQ(rewrite("SELECT ? -- what?\n, ? /* and? */ , ?", 3),
            "SELECT $1 -- what?\n, $2 /* and? */ , $3");
  EXPECT_EQ(rewrite("SELECT E'a\\'?', ?", 1), "SELECT E'a\\'?', $1");
  EXPECT_EQ(rewrite("SELECT $$ ? $$, $tag$ ?$ ? $tag$, ?", 1),
            "SELECT $$ ? $$, $tag$ ?$ ? $tag$, $1");
  // Unterminated quotes and comments swallow the rest rather than inventing placeholders.
  EXPECT_EQ(rewrite("SELECT 'open ?", 0), "SELECT 'open ?");
  EXPECT_EQ(rewrite("SELECT ? /* open ?", 1), "SELECT $1 /* open ?");
}

TEST(PgValues, ReadByColumnType) {
  EXPECT_EQ(value_from_text(k_int8, "-9223372036854775808"),
            Value(std::int64_t{-9223372036854775807LL - 1}));
  EXPECT_EQ(value_from_text(k_int4, "42"), Value(std::int64_t{42}));
  EXPECT_EQ(value_from_text(k_int2, "7"), Value(std::int64_t{7}));
  EXPECT_EQ(value_from_text(k_bool, "t"), Value(std::int64_t{1}));
  EXPECT_EQ(value_from_text(k_bool, "f"), Value(std::int64_t{0}));
  EXPECT_EQ(value_from_text(k_float8, "2.5"), Value(2.5));
  EXPECT_EQ(value_from_text(k_numeric, "12345678901"), Value(std::int64_t{12345678901}));
  EXPECT_EQ(value_from_text(k_numeric, "1.25"), Value(1.25));
  EXPECT_EQ(value_from_text(k_numeric, "99999999999999999999"), Value(1e20));  // too big for int64
  EXPECT_EQ(value_from_text(25, "text ? with 'quotes'"),
            Value(std::string("text ? with 'quotes'")));
  EXPECT_EQ(value_from_text(25, ""), Value(std::string()));
}

TEST(PgErrors, SqlstatesMapToKinds) {
  EXPECT_EQ(kind_of_sqlstate("23505"), DbError::Kind::UniqueViolation);
  EXPECT_EQ(kind_of_sqlstate("23503"), DbError::Kind::ForeignKeyViolation);
  EXPECT_EQ(kind_of_sqlstate("40001"), DbError::Kind::Busy);
  EXPECT_EQ(kind_of_sqlstate("40P01"), DbError::Kind::Busy);
  EXPECT_EQ(kind_of_sqlstate("55P03"), DbError::Kind::Busy);
  EXPECT_EQ(kind_of_sqlstate("08006"), DbError::Kind::Closed);
  EXPECT_EQ(kind_of_sqlstate("57P01"), DbError::Kind::Closed);
  EXPECT_EQ(kind_of_sqlstate("XX001"), DbError::Kind::Corrupt);
  EXPECT_EQ(kind_of_sqlstate("42P01"), DbError::Kind::Other);
  EXPECT_TRUE(retryable("40001"));
  EXPECT_FALSE(retryable("23505"));
}

TEST(PgErrors, DataExceptionsNeverCarryTheValue) {
  const auto m = safe_message("22007", "invalid input syntax for type date: \"Ada Lovelace\"");
  EXPECT_EQ(m.find("Ada"), std::string::npos) << m;
  EXPECT_NE(m.find("22007"), std::string::npos);
  EXPECT_EQ(safe_message("42P01", "relation \"nope\" does not exist\n"),
            "relation \"nope\" does not exist (SQLSTATE 42P01)");
}

TEST(PgUrls, PasswordsAreRedacted) {
  EXPECT_EQ(redact_url("postgresql://tend:s3cret@db.example:5432/tend"),
            "postgresql://tend:***@db.example:5432/tend");
  EXPECT_EQ(redact_url("postgresql://tend@db/tend?password=s3cret&sslmode=require"),
            "postgresql://tend@db/tend?password=***&sslmode=require");
  EXPECT_EQ(redact_url("postgresql://db/tend"), "postgresql://db/tend");
  EXPECT_TRUE(is_postgres_url("postgres://x/y"));
  EXPECT_TRUE(is_postgres_url("postgresql://x/y"));
  EXPECT_FALSE(is_postgres_url("sqlite:/x"));
  EXPECT_FALSE(is_postgres_url("mysql://x"));
}

}  // namespace
}  // namespace tend::sql::pg
