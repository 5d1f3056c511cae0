// The access log on a real SQLite file: appends, paging, verification, and tampering with the
// file behind the service's back through the raw SQLite C API.

#include "audit/service.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/rules.h"
#include "platform/clock.h"
#include "platform/sql/migrations.h"
#include "platform/sql/sqlite.h"
#include "support/temp_dir.h"

namespace tend::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sql::SqliteOptions o;
    o.path = path_;
    o.synchronous = "NORMAL";  // durability is not under test here; speed is welcome
    db_ = sql::open_sqlite(o);
    auto m = sql::migrate(*db_, sql::embedded_migrations());
    ASSERT_TRUE(m.ok()) << m.error().detail;
  }
  void TearDown() override { db_->close(); }

  static NewEntry entry(int i, const std::string& client_id = "") {
    NewEntry e;
    e.actor_id = "u" + std::to_string(i % 7);
    e.actor_role = "clinician";
    e.action = i % 3 == 0 ? "update" : "read";
    e.resource_kind = "client";
    e.resource_id = client_id;
    e.client_id = client_id;
    e.remote_addr = "192.0.2.10";
    e.request_id = "req-" + std::to_string(i);
    return e;
  }

  // Appends `n` entries, one write transaction each, a second apart.
  void append_many(int n) {
    for (int i = 0; i < n; ++i) {
      db_->write([&](sql::Conn& c) { log_.append(c, entry(i, "c" + std::to_string(i % 4))); });
      clock_.advance(std::chrono::seconds(1));
    }
  }

  // Runs `sql` on the database file through a connection of its own, as an intruder with
  // file access would.
  void tamper(const std::string& statements) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(raw, 5000);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, statements.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
  }

  std::int64_t count(const std::string& where = "1 = 1") {
    return db_->read([&](sql::Conn& c) {
      return c.query_one("SELECT COUNT(*) FROM audit_log WHERE " + where)->i64(0);
    });
  }

  FakeClock clock_{1'795'000'000};
  testing::TempDir dir_;
  std::string path_ = dir_.file("tend.db");
  std::unique_ptr<sql::Db> db_;
  AuditLog log_{clock_};
};

TEST_F(AuditLogTest, EmptyLogVerifies) {
  auto r = log_.verify(*db_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 0);
}

TEST_F(AuditLogTest, AppendChainsEntriesAndMovesTheHead) {
  NewEntry in = entry(1, "c1");
  in.reason = "break-the-glass";
  in.outcome = "denied";
  Entry first = db_->write([&](sql::Conn& c) { return log_.append(c, in); });
  clock_.advance(std::chrono::milliseconds(1500));
  Entry second = db_->write([&](sql::Conn& c) { return log_.append(c, entry(2)); });

  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.at_ms, 1'795'000'000'000);
  EXPECT_EQ(first.prev_hash, k_genesis_hash);
  EXPECT_EQ(first.hash, chain_hash(k_genesis_hash, first));
  EXPECT_EQ(first.reason, "break-the-glass");
  EXPECT_EQ(first.outcome, "denied");
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.at_ms, 1'795'000'001'500);
  EXPECT_EQ(second.prev_hash, first.hash);

  db_->read([&](sql::Conn& c) {
    auto head = c.query_one("SELECT seq, hash FROM audit_head WHERE id = 1");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->i64(0), 2);
    EXPECT_EQ(head->str(1), second.hash);
  });
  auto stored = log_.for_client(*db_, "c1", 0, 10);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].hash, first.hash);
  EXPECT_EQ(stored[0].actor_id, first.actor_id);
  EXPECT_EQ(stored[0].request_id, "req-1");
  EXPECT_EQ(stored[0].remote_addr, "192.0.2.10");
}

TEST_F(AuditLogTest, RolledBackWriteLeavesNoEntry) {
  append_many(3);
  Status st = db_->write([&](sql::Conn& c) -> Status {
    log_.append(c, entry(99));
    return make_error(Errc::Conflict, "changed by someone else");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_THROW(db_->write([&](sql::Conn& c) {
    log_.append(c, entry(100));
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count(), 3);
  append_many(1);
  auto r = log_.verify(*db_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 4);
}

TEST_F(AuditLogTest, HundredEntriesVerify) {
  append_many(100);
  auto r = log_.verify(*db_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 100);
  EXPECT_EQ(r.first_bad_seq, 0);
}

TEST_F(AuditLogTest, ChangedFieldIsFound) {
  append_many(100);
  tamper("UPDATE audit_log SET actor_id = 'someone_else' WHERE seq = 37");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 37);
  EXPECT_EQ(r.problem, "entry 37: hash does not match its contents");
}

TEST_F(AuditLogTest, ChangedTimeOrOutcomeIsFound) {
  append_many(100);
  tamper(
      "UPDATE audit_log SET outcome = 'ok' WHERE seq = 80; "
      "UPDATE audit_log SET at = at - 86400000 WHERE seq = 12");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 12);
}

TEST_F(AuditLogTest, DeletedRowIsFound) {
  append_many(100);
  tamper("DELETE FROM audit_log WHERE seq = 50");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 50);
  EXPECT_EQ(r.problem, "entry 50 missing (sequence jumps from 49 to 51)");
}

TEST_F(AuditLogTest, DeletedFirstRowIsFound) {
  append_many(100);
  tamper("DELETE FROM audit_log WHERE seq = 1");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 1);
}

TEST_F(AuditLogTest, SwappedRowsAreFound) {
  append_many(100);
  tamper(
      "BEGIN; UPDATE audit_log SET seq = -1 WHERE seq = 20; "
      "UPDATE audit_log SET seq = 20 WHERE seq = 30; "
      "UPDATE audit_log SET seq = 30 WHERE seq = -1; COMMIT");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 20);
  EXPECT_EQ(r.problem, "entry 20: hash does not match its contents");
}

TEST_F(AuditLogTest, DeletedLastRowIsFound) {
  append_many(100);
  tamper("DELETE FROM audit_log WHERE seq = 100");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 100);
  EXPECT_EQ(r.problem, "log ends at 99 but the head records 100");
}

TEST_F(AuditLogTest, TruncatedLogAndHeadIsCaughtByTheHash) {
  append_many(100);
  tamper(
      "DELETE FROM audit_log WHERE seq > 90; "
      "UPDATE audit_head SET seq = 90 WHERE id = 1");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 90);
}

TEST_F(AuditLogTest, MissingHeadIsReported) {
  append_many(5);
  tamper("DELETE FROM audit_head");
  auto r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 6);
  EXPECT_THROW(db_->write([&](sql::Conn& c) { log_.append(c, entry(1)); }), sql::DbError);
}

TEST_F(AuditLogTest, VerifyStreamsAcrossPages) {
  // More than two pages of k_verify_page rows, written in a few large transactions.
  const int n = 2 * AuditLog::k_verify_page + 123;
  for (int done = 0; done < n;) {
    const int batch = std::min(4000, n - done);
    db_->write([&](sql::Conn& c) {
      for (int i = 0; i < batch; ++i) log_.append(c, entry(done + i, "c1"));
    });
    done += batch;
  }
  auto r = log_.verify(*db_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, n);

  const int bad = AuditLog::k_verify_page + 7;  // on the second page
  tamper("UPDATE audit_log SET reason = 'x' WHERE seq = " + std::to_string(bad));
  r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, bad);

  tamper("UPDATE audit_log SET reason = '' WHERE seq = " + std::to_string(bad) +
         "; DELETE FROM audit_log WHERE seq = " + std::to_string(AuditLog::k_verify_page + 1));
  r = log_.verify(*db_);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, AuditLog::k_verify_page + 1);
}

TEST_F(AuditLogTest, ForClientPagesNewestFirst) {
  append_many(40);  // clients c0..c3 in turn: seq 1, 5, 9, … are c0's
  std::vector<std::int64_t> seen;
  std::int64_t before = 0;
  for (;;) {
    auto page = log_.for_client(*db_, "c0", before, 3);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 3u);
    for (const auto& e : page) {
      EXPECT_EQ(e.client_id, "c0");
      seen.push_back(e.seq);
    }
    before = page.back().seq;
  }
  std::vector<std::int64_t> expected;
  for (std::int64_t s = 37; s >= 1; s -= 4) expected.push_back(s);
  EXPECT_EQ(seen, expected);

  auto newest = log_.for_client(*db_, "c1", 0, 1);
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].seq, 38);
  EXPECT_EQ(newest[0].at_ms, 1'795'000'037'000);
  EXPECT_EQ(log_.for_client(*db_, "c1", 38, 2).front().seq, 34);
  EXPECT_TRUE(log_.for_client(*db_, "nobody", 0, 10).empty());
  // Limits are clamped rather than trusted.
  EXPECT_EQ(log_.for_client(*db_, "c2", 0, 0).size(), 1u);
  EXPECT_EQ(log_.for_client(*db_, "c2", 0, 1'000'000).size(), 10u);
}

TEST_F(AuditLogTest, ConcurrentAppendsKeepTheChainIntact) {
  constexpr int k_threads = 8;
  constexpr int k_each = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_each; ++i) {
        db_->write(
            [&](sql::Conn& c) { log_.append(c, entry(t * 1000 + i, "c" + std::to_string(t))); });
      }
    });
  }
  for (auto& th : threads) th.join();

  auto r = log_.verify(*db_);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, k_threads * k_each);
  for (int t = 0; t < k_threads; ++t) {
    EXPECT_EQ(count("client_id = 'c" + std::to_string(t) + "'"), k_each);
  }
}

}  // namespace
}  // namespace tend::audit
