#include "audit/service.h"

#include <algorithm>
#include <chrono>

#include "audit/rules.h"

namespace tend::audit {

namespace {

constexpr std::string_view k_columns =
    "seq, at, actor_id, actor_role, action, resource_kind, resource_id, client_id, remote_addr, "
    "request_id, reason, outcome, prev_hash, hash";

Entry entry_from_row(const sql::Row& r) {
  Entry e;
  e.seq = r.i64(0);
  e.at_ms = r.i64(1);
  e.actor_id = r.str(2);
  e.actor_role = r.str(3);
  e.action = r.str(4);
  e.resource_kind = r.str(5);
  e.resource_id = r.str(6);
  e.client_id = r.str(7);
  e.remote_addr = r.str(8);
  e.request_id = r.str(9);
  e.reason = r.str(10);
  e.outcome = r.str(11);
  e.prev_hash = r.str(12);
  e.hash = r.str(13);
  return e;
}

std::string select_entries(std::string_view where_and_order) {
  std::string sql = "SELECT ";
  sql += k_columns;
  sql += " FROM audit_log ";
  sql += where_and_order;
  return sql;
}

}  // namespace

AuditLog::AuditLog(const Clock& clock) : clock_(clock) {}

Entry AuditLog::append(sql::Conn& c, const NewEntry& in) const {
  // Bumping the head first takes its row lock: on PostgreSQL a concurrent appender waits here
  // until this transaction ends and then reads the head it left. (SQLite has one writer.)
  if (c.exec("UPDATE audit_head SET seq = seq + 1 WHERE id = 1") != 1) {
    throw sql::DbError(sql::DbError::Kind::Other, "audit_head row missing (schema not migrated?)");
  }
  auto head = c.query_one("SELECT seq, hash FROM audit_head WHERE id = 1");
  if (!head) throw sql::DbError(sql::DbError::Kind::Other, "audit_head row missing");

  Entry e;
  e.seq = head->i64(0);
  e.prev_hash = head->str(1);
  e.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
                .count();
  e.actor_id = in.actor_id;
  e.actor_role = in.actor_role;
  e.action = in.action;
  e.resource_kind = in.resource_kind;
  e.resource_id = in.resource_id;
  e.client_id = in.client_id;
  e.remote_addr = in.remote_addr;
  e.request_id = in.request_id;
  e.reason = in.reason;
  e.outcome = in.outcome;
  e.hash = chain_hash(e.prev_hash, e);

  c.exec(
      "INSERT INTO audit_log (seq, at, actor_id, actor_role, action, resource_kind, resource_id, "
      "client_id, remote_addr, request_id, reason, outcome, prev_hash, hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.seq, e.at_ms, e.actor_id, e.actor_role, e.action, e.resource_kind, e.resource_id,
       e.client_id, e.remote_addr, e.request_id, e.reason, e.outcome, e.prev_hash, e.hash});
  c.exec("UPDATE audit_head SET hash = ? WHERE id = 1", {e.hash});
  return e;
}

std::vector<Entry> AuditLog::for_client(sql::Db& db, const std::string& client_id,
                                        std::int64_t before_seq, int limit) const {
  const std::int64_t n = std::clamp(limit, 1, k_max_page);
  return db.read([&](sql::Conn& c) {
    auto rows = before_seq > 0
                    ? c.query(select_entries("WHERE client_id = ? AND seq < ? "
                                             "ORDER BY seq DESC LIMIT ?"),
                              {client_id, before_seq, n})
                    : c.query(select_entries("WHERE client_id = ? ORDER BY seq DESC LIMIT ?"),
                              {client_id, n});
    std::vector<Entry> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(entry_from_row(r));
    return out;
  });
}

VerifyReport AuditLog::verify(sql::Db& db) const {
  return db.read([&](sql::Conn& c) {
    ChainVerifier v;
    const std::string page_sql = select_entries("WHERE seq > ? ORDER BY seq LIMIT ?");
    std::int64_t previous_head = -1;
    for (;;) {
      // Stream every row there is, then read the head. Reading the head after the rows means
      // that, even where a read transaction is not a snapshot, an entry appended meanwhile
      // shows up as a head ahead of the rows (and is then read) rather than as rows past it.
      for (;;) {
        auto rows = c.query(page_sql, {v.last_seq(), std::int64_t{k_verify_page}});
        for (const auto& r : rows) {
          v.feed(entry_from_row(r));
          if (v.failed()) break;
        }
        if (v.failed() || rows.size() < static_cast<std::size_t>(k_verify_page)) break;
      }
      auto head = c.query_one("SELECT seq, hash FROM audit_head WHERE id = 1");
      if (v.failed()) return v.finish(0, "");
      if (!head) {
        return VerifyReport{false, v.last_seq(), v.last_seq() + 1,
                            "the chain's head (audit_head) is missing"};
      }
      const std::int64_t head_seq = head->i64(0);
      // The head moved on while we read: read the entries it added. A head that stays ahead
      // of the rows is a truncated log, which finish() reports.
      if (head_seq > v.last_seq() && head_seq != previous_head) {
        previous_head = head_seq;
        continue;
      }
      return v.finish(head_seq, head->str(1));
    }
  });
}

}  // namespace tend::audit
