#include "app/db_copy.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "audit/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/sql/db.h"
#include "platform/sql/migrations.h"
#include "platform/sql/open.h"

namespace tend::app {
namespace {

// Every migration creates or changes it, so the target gets its own rows from migrate().
constexpr std::string_view k_migrations_table = "schema_migrations";

// Any installation that has been used writes to these; a target with a row in one of them
// holds someone's data. (Migrations may seed other tables, such as audit_head, so "empty"
// cannot mean "no rows anywhere".)
constexpr std::array<std::string_view, 3> k_occupied_tables = {"users", "clients", "audit_log"};

std::string quote(std::string_view identifier) {
  std::string out = "\"";
  for (char ch : identifier) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += quote(n);
  }
  return out;
}

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

bool is_sqlite_url(const std::string& url) {
  return url.rfind("sqlite:", 0) == 0;
}

//! What the copy needs to know about one table.
struct TableShape {
  std::vector<std::string> columns;  //!< in the table's own order
  std::vector<std::string> key;      //!< primary-key columns in key order; empty when none
  std::set<std::string> parents;     //!< tables its foreign keys refer to
};
using Catalog = std::map<std::string, TableShape>;

//! Reads the tables of the connection's schema from the dialect's own catalog, so that tables
//! added by later migrations are copied without changes here.
Catalog read_catalog(sql::Conn& c) {
  Catalog out;
  if (c.dialect() == sql::Dialect::Sqlite) {
    for (const auto& t : c.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                 "NOT LIKE 'sqlite_%' ORDER BY name")) {
      TableShape& shape = out[t.str(0)];
      std::vector<std::pair<std::int64_t, std::string>> key;
      for (const auto& col :
           c.query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", {t.str(0)})) {
        shape.columns.push_back(col.str(0));
        if (col.i64(1) > 0) key.emplace_back(col.i64(1), col.str(0));
      }
      std::sort(key.begin(), key.end());
      for (auto& k : key) shape.key.push_back(std::move(k.second));
      for (const auto& fk :
           c.query("SELECT \"table\" FROM pragma_foreign_key_list(?)", {t.str(0)})) {
        shape.parents.insert(fk.str(0));
      }
    }
    return out;
  }
  for (const auto& t :
       c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = "
               "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")) {
    TableShape& shape = out[t.str(0)];
    for (const auto& col :
         c.query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                 "current_schema() AND table_name = ? ORDER BY ordinal_position",
                 {t.str(0)})) {
      shape.columns.push_back(col.str(0));
    }
    for (const auto& col :
         c.query("SELECT k.column_name FROM information_schema.table_constraints tc "
                 "JOIN information_schema.key_column_usage k ON k.constraint_schema = "
                 "tc.constraint_schema AND k.constraint_name = tc.constraint_name "
                 "WHERE tc.table_schema = current_schema() AND tc.table_name = ? AND "
                 "tc.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position",
                 {t.str(0)})) {
      shape.key.push_back(col.str(0));
    }
    for (const auto& fk :
         c.query("SELECT p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                 "JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' AND "
                 "c.relnamespace = current_schema()::regnamespace AND c.relname = ?",
                 {t.str(0)})) {
      shape.parents.insert(fk.str(0));
    }
  }
  return out;
}

//! Parents before children, alphabetical where foreign keys leave a choice (so the order is
//! the same on every run). A table's references to itself are left to the rows' own order.
Result<std::vector<std::string>> copy_order(const Catalog& tables) {
  std::vector<std::string> order;
  std::set<std::string> placed;
  while (placed.size() < tables.size()) {
    bool progressed = false;
    for (const auto& [name, shape] : tables) {
      if (placed.count(name) != 0) continue;
      const bool ready = std::all_of(shape.parents.begin(), shape.parents.end(), [&](auto& p) {
        return p == name || placed.count(p) != 0 || tables.count(p) == 0;
      });
      if (!ready) continue;
      order.push_back(name);
      placed.insert(name);
      progressed = true;
      break;
    }
    if (!progressed) {
      std::string rest;
      for (const auto& [name, shape] : tables) {
        if (placed.count(name) == 0) rest += (rest.empty() ? "" : ", ") + name;
      }
      return make_error(Errc::Internal, "the foreign keys of tables " + rest +
                                            " form a cycle; there is no order to copy them in");
    }
  }
  return order;
}

//! The migration versions this binary applies on `dialect` (dialect-only files included).
std::set<std::int64_t> expected_versions(sql::Dialect dialect) {
  std::set<std::int64_t> out;
  for (const auto& m : sql::embedded_migrations()) {
    const auto ends_with = [&](std::string_view suffix) {
      return m.name.size() >= suffix.size() &&
             m.name.compare(m.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".postgres.sql") && dialect != sql::Dialect::Postgres) continue;
    if (ends_with(".sqlite.sql") && dialect != sql::Dialect::Sqlite) continue;
    out.insert(std::stoll(m.name.substr(0, 4)));
  }
  return out;
}

//! The source must be a Tend database at exactly this binary's schema: older, and columns the
//! target has would be missing; newer, and its extra tables or columns would be dropped.
Status check_source_schema(sql::Db& source, const Catalog& tables) {
  if (tables.count(std::string(k_migrations_table)) == 0) {
    return make_error(Errc::Conflict,
                      "the --from database holds no Tend installation (it has no "
                      "schema_migrations table)");
  }
  std::set<std::int64_t> applied;
  source.read([&](sql::Conn& c) {
    for (const auto& r : c.query("SELECT version FROM schema_migrations")) applied.insert(r.i64(0));
  });
  const auto expected = expected_versions(source.dialect());
  for (auto v : applied) {
    if (expected.count(v) == 0) {
      return make_error(Errc::Conflict, "the --from database has migration " + std::to_string(v) +
                                            ", which this tend does not know; copy it with the "
                                            "tend version that applied it");
    }
  }
  for (auto v : expected) {
    if (applied.count(v) == 0) {
      return make_error(Errc::Conflict,
                        "the --from database lacks migration " + std::to_string(v) +
                            "; run `tend migrate --db <from>` with this tend first");
    }
  }
  return ok_status();
}

//! Both databases must hold the same tables with the same columns (their order may differ).
Status check_same_tables(const Catalog& source, const Catalog& target) {
  for (const auto& [name, shape] : source) {
    auto it = target.find(name);
    if (it == target.end()) {
      return make_error(Errc::Conflict, "table " + name + " is in --from but not in --to");
    }
    const std::set<std::string> from(shape.columns.begin(), shape.columns.end());
    const std::set<std::string> to(it->second.columns.begin(), it->second.columns.end());
    for (const auto& col : from) {
      if (to.count(col) == 0) {
        return make_error(Errc::Conflict,
                          "table " + name + ": column " + col + " is in --from but not in --to");
      }
    }
    for (const auto& col : to) {
      if (from.count(col) == 0) {
        return make_error(Errc::Conflict,
                          "table " + name + ": column " + col + " is in --to but not in --from");
      }
    }
  }
  for (const auto& [name, shape] : target) {
    if (source.count(name) == 0) {
      return make_error(Errc::Conflict, "table " + name + " is in --to but not in --from");
    }
  }
  return ok_status();
}

//! Something that tells two URLs for one database apart from two databases, so that a copy
//! onto its own source is refused with a clear message.
std::string identity(const std::string& url, sql::Db& db) {
  if (db.dialect() == sql::Dialect::Sqlite) {
    std::error_code ec;
    auto path = std::filesystem::weakly_canonical(url.substr(7), ec);
    return "sqlite:" + (ec ? url.substr(7) : path.string());
  }
  // The start time tells clusters apart even when both are reached through a local socket.
  auto row = db.read([](sql::Conn& c) {
    return c.query_one(
        "SELECT current_database(), current_schema(), pg_postmaster_start_time()::text, "
        "current_setting('port')");
  });
  if (!row) return url;
  return "postgresql:" + row->str(0) + "/" + row->str(1) + "@" + row->str(2) + ":" + row->str(3);
}

std::map<std::string, std::int64_t> count_rows(sql::Db& db,
                                               const std::vector<std::string>& tables) {
  return db.read([&](sql::Conn& c) {
    std::map<std::string, std::int64_t> out;
    for (const auto& t : tables) out[t] = c.query_one("SELECT COUNT(*) FROM " + quote(t))->i64(0);
    return out;
  });
}

//! Per-table progress: a bar redrawn in place for a terminal, or one line per table for a
//! log. Counts only; row contents never pass through here.
class Progress {
 public:
  Progress(std::ostream& out, bool bar, std::size_t name_width)
      : out_(out), bar_(bar), name_width_(name_width) {}

  void start(const std::string& table, std::int64_t total) {
    table_ = table;
    total_ = total;
    if (bar_) draw(0);
  }
  void update(std::int64_t done) {
    if (bar_) draw(done);
  }
  void finish(std::int64_t done) {
    if (bar_) {
      draw(done);
      out_ << "\n";
    } else {
      out_ << table_ << ": " << done << "/" << total_ << "\n";
    }
    out_.flush();
  }

 private:
  void draw(std::int64_t done) {
    constexpr std::int64_t k_width = 30;
    const std::int64_t filled =
        total_ > 0 ? std::clamp<std::int64_t>(done * k_width / total_, 0, k_width) : k_width;
    std::string name = table_;
    if (name.size() < name_width_) name.resize(name_width_, ' ');
    out_ << "\r" << name << " [" << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(k_width - filled), '.') << "] " << done << "/"
         << total_ << std::flush;
  }

  std::ostream& out_;
  const bool bar_;
  const std::size_t name_width_;
  std::string table_;
  std::int64_t total_ = 0;
};

//! True when PostgreSQL can store `s` as text: well-formed UTF-8 (no overlong forms, no
//! surrogates, nothing past U+10FFFF) without NUL bytes. SQLite stores any bytes it is given.
bool postgres_text(std::string_view s) {
  static constexpr std::uint32_t k_smallest[] = {0, 0x80, 0x800, 0x10000};
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead == 0) return false;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t more = 0;
    std::uint32_t cp = 0;
    if ((lead & 0xE0) == 0xC0) {
      more = 1;
      cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      more = 2;
      cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      more = 3;
      cp = lead & 0x07;
    } else {
      return false;
    }
    if (i + more >= s.size()) return false;
    for (std::size_t k = 1; k <= more; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (cp < k_smallest[more] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

//! "id = cl_…" for a row: keys are ids, never client content, so they may go into messages.
std::string describe_row(const TableShape& shape, const std::vector<std::size_t>& key_at,
                         const sql::Row& row, std::int64_t position) {
  if (key_at.empty()) return "row " + std::to_string(position + 1);
  std::string out;
  for (std::size_t k = 0; k < key_at.size(); ++k) {
    const sql::Value& v = row.at(key_at[k]);
    out += (k == 0 ? "" : ", ") + shape.key[k] + " = ";
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out += std::to_string(*n);
    } else if (const auto* t = std::get_if<std::string>(&v); t && postgres_text(*t)) {
      out += *t;
    } else {
      out += "?";
    }
  }
  return out;
}

//! Copies one table from the source snapshot `from` into the target transaction `to`, a page
//! at a time. Pages follow the primary key (keyset paging: each page starts after the last key
//! seen, so a page costs the same at the end of a large table as at its start); a table
//! without one is paged by offset over all its columns.
Result<std::int64_t> copy_table(sql::Conn& from, sql::Conn& to, const std::string& table,
                                const TableShape& shape, int page_rows, Progress& progress) {
  const std::string columns = quoted_list(shape.columns);
  const std::string order_by =
      " ORDER BY " + quoted_list(shape.key.empty() ? shape.columns : shape.key);
  const std::string select = "SELECT " + columns + " FROM " + quote(table);
  const std::string first_page = select + order_by + " LIMIT ?";
  const std::string next_page = shape.key.empty() ? select + order_by + " LIMIT ? OFFSET ?"
                                                  : select + " WHERE (" + quoted_list(shape.key) +
                                                        ") > (" + placeholders(shape.key.size()) +
                                                        ")" + order_by + " LIMIT ?";
  const std::string insert = "INSERT INTO " + quote(table) + " (" + columns + ") VALUES (" +
                             placeholders(shape.columns.size()) + ")";
  std::vector<std::size_t> key_at;
  for (const auto& k : shape.key) {
    key_at.push_back(static_cast<std::size_t>(
        std::find(shape.columns.begin(), shape.columns.end(), k) - shape.columns.begin()));
  }

  const std::int64_t total = from.query_one("SELECT COUNT(*) FROM " + quote(table))->i64(0);
  progress.start(table, total);
  std::int64_t copied = 0;
  sql::Params after;  // the last page's last key
  for (;;) {
    sql::Params params;
    if (copied == 0) {
      params = {std::int64_t{page_rows}};
    } else if (shape.key.empty()) {
      params = {std::int64_t{page_rows}, copied};
    } else {
      params = after;
      params.emplace_back(std::int64_t{page_rows});
    }
    auto rows = from.query(copied == 0 ? first_page : next_page, params);
    if (rows.empty()) break;
    after.clear();
    for (auto i : key_at) after.push_back(rows.back().at(i));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const sql::Row& row = rows[r];
      sql::Params values;
      values.reserve(row.size());
      for (std::size_t i = 0; i < row.size(); ++i) {
        const auto* text = std::get_if<std::string>(&row.at(i));
        // Caught here to name the row and column: PostgreSQL's own refusal names neither.
        if (text != nullptr && to.dialect() == sql::Dialect::Postgres && !postgres_text(*text)) {
          return make_error(
              Errc::Conflict,
              "table " + table + ", " +
                  describe_row(shape, key_at, row, copied + static_cast<std::int64_t>(r)) +
                  ": column " + shape.columns[i] +
                  " holds text PostgreSQL cannot store (not valid UTF-8, or a NUL byte); "
                  "correct it in --from and copy again");
        }
        values.push_back(row.at(i));
      }
      to.exec(insert, values);
    }
    copied += static_cast<std::int64_t>(rows.size());
    progress.update(copied);
    if (rows.size() < static_cast<std::size_t>(page_rows)) break;
  }
  progress.finish(copied);
  if (copied != total) {
    return make_error(Errc::Internal, "table " + table + ": copied " + std::to_string(copied) +
                                          " rows of the " + std::to_string(total) +
                                          " the source holds");
  }
  return copied;
}

Result<std::unique_ptr<sql::Db>> open_side(const std::string& url, const char* flag) {
  sql::OpenOptions options;
  // One snapshot reader at a time, plus the checks afterwards.
  options.sqlite_readers = 2;
  options.pg_readers = 2;
  try {
    return sql::open_url(url, options);
  } catch (const std::exception& e) {
    return make_error(Errc::Unavailable,
                      std::string("cannot open the ") + flag + " database: " + e.what());
  }
}

}  // namespace

Result<CopyReport> copy_database(const std::string& from, const std::string& to,
                                 const CopyOptions& options, std::ostream& progress) {
  crypto::init();  // the audit chain is verified with libsodium's BLAKE2b
  // The URL itself is not repeated in the message: it may carry a password.
  for (const auto& [flag, url] : {std::pair{"--from", &from}, {"--to", &to}}) {
    if (!sql::is_database_url(*url)) {
      return make_error(Errc::Validation, std::string(flag) +
                                              " is not a database URL; expected sqlite:PATH or "
                                              "postgresql://USER@HOST:PORT/DATABASE");
    }
  }
  // Opening a SQLite file that is not there would create an empty one and "copy" nothing.
  if (is_sqlite_url(from) && !std::filesystem::exists(from.substr(7))) {
    return make_error(Errc::NotFound, "the --from database " + from + " does not exist");
  }
  auto source = open_side(from, "--from");
  if (!source) return source.error();
  sql::Db& src = **source;
  std::unique_ptr<sql::Db> target;

  CopyReport report;
  try {
    // The source is checked before the target is opened, which creates a SQLite target file.
    const Catalog source_tables = src.read([](sql::Conn& c) { return read_catalog(c); });
    if (auto st = check_source_schema(src, source_tables); !st) return st.error();
    auto opened = open_side(to, "--to");
    if (!opened) return opened.error();
    target = std::move(*opened);
    if (identity(from, src) == identity(to, *target)) {
      return make_error(Errc::Validation, "--from and --to name the same database");
    }
    sql::Db& dst = *target;

    auto migrated = sql::migrate(dst, sql::embedded_migrations());
    if (!migrated) return migrated.error();
    Catalog tables = dst.read([](sql::Conn& c) { return read_catalog(c); });
    // The target has its own migration history (dialect-only migrations differ).
    Catalog from_tables = source_tables;
    from_tables.erase(std::string(k_migrations_table));
    tables.erase(std::string(k_migrations_table));
    if (auto st = check_same_tables(from_tables, tables); !st) return st.error();
    auto order = copy_order(tables);
    if (!order) return order.error();

    std::size_t name_width = 0;
    for (const auto& t : *order) name_width = std::max(name_width, t.size());
    Progress bar(progress, options.progress_bar, name_width);
    const int page_rows = std::max(options.page_rows, 1);

    // One target transaction for the whole copy, fed from one source snapshot: either all of
    // it lands or none of it, and rows written to the source meanwhile cannot leave a child
    // without its parent. Only a page of rows is in memory at a time.
    auto copied = dst.write([&](sql::Conn& t) -> Result<std::vector<TableCopy>> {
      std::string occupied;
      for (auto name : k_occupied_tables) {
        if (tables.count(std::string(name)) == 0) continue;
        const auto n = t.query_one("SELECT COUNT(*) FROM " + quote(name))->i64(0);
        if (n > 0) {
          occupied += (occupied.empty() ? "" : ", ") + std::string(name) + ": " +
                      std::to_string(n) + " rows";
        }
      }
      if (!occupied.empty() && !options.force) {
        return make_error(Errc::Conflict, "the --to database is not empty (" + occupied +
                                              "); pass --force to replace what it holds");
      }
      // Children before parents. This also clears rows the migrations seeded (audit_head),
      // which the source's rows replace.
      for (auto it = order->rbegin(); it != order->rend(); ++it) {
        t.exec("DELETE FROM " + quote(*it));
      }
      return src.read([&](sql::Conn& s) -> Result<std::vector<TableCopy>> {
        std::vector<TableCopy> out;
        for (const auto& name : *order) {
          auto n = copy_table(s, t, name, tables.at(name), page_rows, bar);
          if (!n) return n.error();
          out.push_back(TableCopy{name, *n});
        }
        return out;
      });
    });
    if (!copied) return copied.error();
    report.tables = std::move(*copied);
  } catch (const sql::DbError& e) {
    return make_error(Errc::Internal,
                      std::string("copy failed; no rows were written to --to: ") + e.what());
  }

  std::vector<std::string> names;
  for (const auto& t : report.tables) {
    names.push_back(t.table);
    report.rows += t.rows;
  }
  sql::Db& dst = *target;
  try {
    // Counted again outside the snapshot: a difference means the source was written to while
    // the copy ran, and the target is missing those changes.
    const auto source_counts = count_rows(src, names);
    const auto target_counts = count_rows(dst, names);
    for (const auto& name : names) {
      const auto a = source_counts.at(name);
      const auto b = target_counts.at(name);
      if (a != b) {
        return make_error(Errc::Internal,
                          "row counts differ after the copy: table " + name + " has " +
                              std::to_string(a) + " rows in --from and " + std::to_string(b) +
                              " in --to; was tend still writing to --from? Stop it and copy "
                              "again with --force");
      }
    }

    SystemClock clock;
    const audit::AuditLog audit(clock);
    const auto chain = audit.verify(dst);
    if (!chain.ok) {
      std::string detail =
          "table audit_log: the audit chain does not verify on --to: " + chain.problem +
          " (first bad entry: " + std::to_string(chain.first_bad_seq) + ")";
      // Tell a copy that went wrong from a faithful copy of a chain that was already broken.
      const auto before = audit.verify(src);
      if (!before.ok) {
        detail += "; it was already broken in --from (first bad entry: " +
                  std::to_string(before.first_bad_seq) + ")";
      }
      return make_error(Errc::Internal, detail);
    }
    report.audit_entries = chain.entries_checked;

    // Fresh statistics, so the target's query plans fit the data from the first request on.
    dst.write([&](sql::Conn& c) {
      for (const auto& name : names) c.exec("ANALYZE " + quote(name));
    });
  } catch (const sql::DbError& e) {
    return make_error(
        Errc::Internal,
        std::string("checking the copy failed (the copy itself committed): ") + e.what());
  }
  return report;
}

}  // namespace tend::app
