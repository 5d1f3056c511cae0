#pragma once
//! `tend db copy`: moves an installation from one database to another (SQLite to PostgreSQL,
//! back, or between two of the same kind).
//!
//! The target is migrated first, then every table but schema_migrations is copied, column by
//! column by name, parents before children (the order comes from the target's foreign keys).
//! The source is read in one snapshot, so the copy is consistent even across tables, and the
//! target is written in one transaction: a copy that fails leaves the target as it was. Rows
//! stream through in pages, so memory stays flat however large the installation is. Afterwards
//! the row count of every table is compared with the source's and the audit chain is verified
//! on the target.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "platform/result.h"

namespace tend::app {

struct CopyOptions {
  //! Replace whatever the target holds. Without it a target with any user, client or audit
  //! entry is refused (Conflict), so that a copy never lands on a live installation by mistake.
  bool force = false;
  //! Redraw one progress bar per table (for a terminal) instead of one line per table.
  bool progress_bar = false;
  //! Rows read from the source per query (and held in memory at once); at least 1.
  int page_rows = 1000;
};

struct TableCopy {
  std::string table;
  std::int64_t rows = 0;
};

struct CopyReport {
  std::vector<TableCopy> tables;   //!< in the order they were copied (parents first)
  std::int64_t rows = 0;           //!< all tables together
  std::int64_t audit_entries = 0;  //!< audit entries verified on the target
};

//! Copies the installation in database `from` into database `to` (URLs as --db takes them:
//! "sqlite:PATH" or "postgresql://…"). Writes progress to `progress`: table names and counts,
//! never row contents. The source is only read; it should not be written while the copy runs
//! (stop `tend serve` first) — a change made meanwhile shows up as a count mismatch.
//!
//! Errors: Validation for a malformed URL or when both name the same database; NotFound for a
//! SQLite source file that does not exist; Conflict for a non-empty target without `force`, a
//! source whose schema is older or newer than this binary's, or a source value PostgreSQL cannot
//! store (named by table, row key and column); Unavailable when a database cannot be opened;
//! Internal when the copy fails, or when the counts or the audit chain do not check out
//! afterwards (the message names the table). Whenever the copy itself fails the target keeps
//! no row of it (it may have been migrated).
Result<CopyReport> copy_database(const std::string& from, const std::string& to,
                                 const CopyOptions& options, std::ostream& progress);

}  // namespace tend::app
