#pragma once
//! Numbered, checksummed schema migrations, applied in one transaction.
//!
//! Files are named `NNNN_description.sql` (optionally `NNNN_description.sqlite.sql` /
//! `.postgres.sql` for a dialect-only file). The applied set is recorded in
//! `schema_migrations(version, name, checksum, applied_at)`; a file whose checksum differs from
//! the one recorded when it was applied is refused with an error naming it.

#include <string>
#include <vector>

#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::sql {

struct MigrationSource {
  std::string name;  //!< file name, e.g. "0001_foundation.sql"
  std::string sql;
};

struct MigrationReport {
  std::vector<std::string> applied;  //!< names applied by this call
  int current_version = 0;           //!< highest version now applied
};

//! The migrations compiled into the binary (generated from migrations/*.sql).
const std::vector<MigrationSource>& embedded_migrations();

//! Applies every migration not yet applied, in order, in one transaction. Returns Conflict
//! naming the file when an applied migration's checksum changed, or a file name is malformed.
Result<MigrationReport> migrate(Db& db, const std::vector<MigrationSource>& sources);

//! Checksum of a migration file: SHA-256 (OpenSSL) of its text, lower-case hex.
std::string migration_checksum(std::string_view sql);

}  // namespace tend::sql
