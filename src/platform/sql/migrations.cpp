// The migrations runner: validates file names, filters by dialect, refuses edited history and
// applies what is new, all in one write transaction so that a failed run leaves nothing behind.

#include "platform/sql/migrations.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>

namespace tend::sql {
namespace {

//! A migration file that applies to this database's dialect.
struct Migration {
  int version;
  const MigrationSource* source;
  std::string checksum;
};

constexpr std::string_view k_create_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
    "NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)";

//! Checks the names, drops files for the other dialect and orders the rest by version.
Result<std::vector<Migration>> plan(Dialect dialect, const std::vector<MigrationSource>& sources) {
  static const std::regex k_name(R"(^\d{4}_[a-z0-9_]+(\.sqlite|\.postgres)?\.sql$)");
  std::vector<Migration> out;
  std::map<int, const MigrationSource*> by_version;
  for (const auto& source : sources) {
    std::smatch m;
    if (!std::regex_match(source.name, m, k_name)) {
      return make_error(Errc::Conflict,
                        "migration file name " + source.name +
                            " is malformed; expected NNNN_description[.sqlite|.postgres].sql "
                            "(lower-case letters, digits and underscores)");
    }
    const std::string only = m[1].str();
    if ((only == ".postgres" && dialect != Dialect::Postgres) ||
        (only == ".sqlite" && dialect != Dialect::Sqlite)) {
      continue;
    }
    const int version = std::stoi(source.name.substr(0, 4));
    auto [it, inserted] = by_version.emplace(version, &source);
    if (!inserted) {
      return make_error(Errc::Conflict, "migrations " + it->second->name + " and " + source.name +
                                            " have the same version " + source.name.substr(0, 4));
    }
    out.push_back(Migration{version, &source, migration_checksum(source.sql)});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

std::int64_t now_ms() {
  // The one wall-clock read outside Clock: applied_at is a record for operators, not logic.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string migration_checksum(std::string_view sql) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(sql.data(), sql.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xf];
  }
  return out;
}

Result<MigrationReport> migrate(Db& db, const std::vector<MigrationSource>& sources) {
  auto planned = plan(db.dialect(), sources);
  if (!planned) return planned.error();
  return db.write([&](Conn& c) -> Result<MigrationReport> {
    c.exec(k_create_table);
    struct Applied {
      std::string name;
      std::string checksum;
    };
    std::map<int, Applied> applied;
    for (const auto& row : c.query("SELECT version, name, checksum FROM schema_migrations")) {
      applied[static_cast<int>(row.i64(0))] = Applied{row.str(1), row.str(2)};
    }
    MigrationReport report;
    for (const auto& m : *planned) {
      auto it = applied.find(m.version);
      if (it == applied.end()) continue;
      if (it->second.checksum != m.checksum) {
        return make_error(
            Errc::Conflict,
            "migration " + m.source->name + " was changed after it was applied (checksum " +
                m.checksum + ", recorded " + it->second.checksum + " when applied as " +
                it->second.name + "); restore the original file or add a new migration");
      }
    }
    for (const auto& m : *planned) {
      if (applied.count(m.version) != 0) continue;
      try {
        c.exec_script(m.source->sql);
      } catch (const DbError& e) {
        return make_error(Errc::Internal, "migration " + m.source->name + " failed: " + e.what());
      }
      c.exec(
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
          {std::int64_t{m.version}, m.source->name, m.checksum, now_ms()});
      applied[m.version] = Applied{m.source->name, m.checksum};
      report.applied.push_back(m.source->name);
    }
    if (!applied.empty()) report.current_version = applied.rbegin()->first;
    return report;
  });
}

}  // namespace tend::sql
