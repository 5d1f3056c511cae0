// The PostgreSQL driver against the real test cluster (TEND_TEST_PG_URL, started by
// scripts/test.sh): values, error kinds, savepoint isolation inside a batch, group commit,
// snapshot reads, two instances writing one chain, deadlocks retried, and connections killed
// by the server.

#include "platform/sql/postgres.h"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include "support/database.h"
#include "support/sync.h"
#include "support/temp_dir.h"

namespace tend::sql {
namespace {

using testing::commits_so_far;
using testing::count_rows;
using testing::Gate;
using testing::pg_admin;
using testing::Rendezvous;
using testing::TempDir;
using testing::TestDatabase;

class PgTest : public ::testing::Test {
 protected:
  std::unique_ptr<Db> open(PostgresOptions o = {}) {
    o.url = database_.url() + extra_;
    if (o.readers == PostgresOptions{}.readers) o.readers = 3;
    return open_postgres(o);
  }
  static void create_items(Db& db) {
    db.write([](Conn& c) {
      c.exec_script(
          "CREATE TABLE items (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, n BIGINT)");
    });
  }
  TempDir dir_;
  TestDatabase database_{dir_.path(), true};
  std::string extra_;  // appended to the URL (e.g. an application_name of the test's own)
};

TEST_F(PgTest, ValuesOfEveryTypeRoundTrip) {
  auto db = open();
  db->write([](Conn& c) {
    c.exec_script("CREATE TABLE v (i BIGINT, small INTEGER, d DOUBLE PRECISION, t TEXT)");
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)",
           {std::numeric_limits<std::int64_t>::min(), std::int64_t{7}, 0.1,
            std::string("Zoë \"quoted\" 'single' ? $1 \\ 日本")});
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)", {null(), null(), null(), null()});
  });
  auto rows = db->read([](Conn& c) {
    return c.query("SELECT i, small, d, t, t IS NULL, COUNT(*) OVER () FROM v ORDER BY i");
  });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].i64(0), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(rows[0].i64(1), 7);
  EXPECT_DOUBLE_EQ(rows[0].f64(2), 0.1);
  EXPECT_EQ(rows[0].str(3), "Zoë \"quoted\" 'single' ? $1 \\ 日本");
  EXPECT_EQ(rows[0].i64(4), 0);  // booleans read as 0/1, as on SQLite
  EXPECT_EQ(rows[0].i64(5), 2);
  EXPECT_TRUE(rows[1].is_null(0));
  EXPECT_TRUE(rows[1].is_null(3));
  EXPECT_EQ(rows[1].i64(4), 1);
}

TEST_F(PgTest, ErrorsHaveTheirKindsAndNeverCarryValues) {
  auto db = open();
  db->write([](Conn& c) {
    c.exec_script(
        "CREATE TABLE parent (id TEXT PRIMARY KEY);"
        "CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent(id), born DATE)");
    c.exec("INSERT INTO parent (id) VALUES ('p')");
  });
  const auto kind = [&](const std::function<void(Conn&)>& fn) {
    try {
      db->write(fn);
    } catch (const DbError& e) {
      EXPECT_EQ(std::string(e.what()).find("Secret Name"), std::string::npos) << e.what();
      return e.kind();
    }
    ADD_FAILURE() << "expected a DbError";
    return DbError::Kind::Other;
  };
  EXPECT_EQ(kind([](Conn& c) { c.exec("INSERT INTO parent (id) VALUES (?)", {"p"}); }),
            DbError::Kind::UniqueViolation);
  EXPECT_EQ(kind([](Conn& c) {
              c.exec("INSERT INTO child (id, parent) VALUES (?, ?)", {"c", "nobody"});
            }),
            DbError::Kind::ForeignKeyViolation);
  EXPECT_EQ(kind([](Conn& c) {
              c.exec("INSERT INTO child (id, born) VALUES (?, ?)", {"c", "Secret Name"});
            }),
            DbError::Kind::Other);
  EXPECT_EQ(
      kind([](Conn& c) { c.exec("INSERT INTO parent (id) VALUES (?)", {std::string("a\0b", 3)}); }),
      DbError::Kind::Other);
  try {
    db->read([](Conn& c) { c.query("SELECT ? + ?", {std::int64_t{1}}); });
    ADD_FAILURE() << "expected a DbError";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("takes 2 parameters, got 1"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(count_rows(*db, "child"), 0);
  // The connections are still good after every failure.
  EXPECT_EQ(count_rows(*db, "parent"), 1);
}

TEST_F(PgTest, FailedWriteRollsBackOnlyItsOwnChangesWithinABatch) {
  auto db = open();
  create_items(*db);
  constexpr int k_writers = 24;
  Gate gate;
  Gate holding;  // the holder's job has the writer: every other write queues behind it
  Rendezvous ready(k_writers + 1);
  const auto commits_before = commits_so_far();
  std::thread holder([&] {
    db->write([&](Conn& c) {
      c.exec("INSERT INTO items (name, n) VALUES ('holder', 0)");
      holding.open();
      EXPECT_TRUE(gate.wait());
    });
  });
  // On a loaded machine the holder's thread may start after the writers; it must hold the
  // writer first, or writer 3's own 'holder' row would come before it.
  ASSERT_TRUE(holding.wait());
  std::vector<std::thread> threads;
  std::vector<int> outcome(k_writers, -1);
  for (int i = 0; i < k_writers; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_TRUE(ready.arrive_and_wait());
      const std::string name = "w" + std::to_string(i);
      try {
        Status s = db->write([&](Conn& c) -> Status {
          c.exec("INSERT INTO items (name, n) VALUES (?, ?)", {name, std::int64_t{i}});
          c.exec("UPDATE items SET n = n + 1 WHERE name = 'holder'");
          if (i % 4 == 1) return make_error(Errc::Validation, "refused");
          if (i % 4 == 2) throw std::runtime_error("thrown");
          if (i % 4 == 3) c.exec("INSERT INTO items (name) VALUES ('holder')");  // unique
          return ok_status();
        });
        outcome[i] = s.ok() ? 0 : 1;
      } catch (const DbError& e) {
        outcome[i] = e.unique_violation() ? 3 : 4;
      } catch (const std::runtime_error& e) {
        outcome[i] = std::string(e.what()) == "thrown" ? 2 : 4;
      }
    });
  }
  EXPECT_TRUE(ready.arrive_and_wait());
  gate.open();
  for (auto& t : threads) t.join();
  holder.join();
  int kept = 0;
  for (int i = 0; i < k_writers; ++i) {
    EXPECT_EQ(outcome[i], i % 4) << "writer " << i;
    if (i % 4 == 0) ++kept;
  }
  auto rows = db->read([](Conn& c) { return c.query("SELECT name, n FROM items"); });
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kept + 1));
  for (const auto& r : rows) {
    if (r.str(0) == "holder") {
      EXPECT_EQ(r.i64(1), kept);
    }
  }
  EXPECT_LT(commits_so_far() - commits_before, static_cast<std::uint64_t>(k_writers + 1));
}

TEST_F(PgTest, GroupCommitSharesCommitsAcrossConcurrentWriters) {
  auto db = open();
  create_items(*db);
  constexpr int k_threads = 16;
  constexpr int k_per_thread = 50;
  const auto commits_before = commits_so_far();
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_per_thread; ++i) {
        db->write([&](Conn& c) {
          c.exec("INSERT INTO items (name, n) VALUES (?, ?)",
                 {std::to_string(t) + "-" + std::to_string(i), std::int64_t{i}});
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto commits = commits_so_far() - commits_before;
  EXPECT_EQ(count_rows(*db, "items"), k_threads * k_per_thread);
  EXPECT_LT(commits, static_cast<std::uint64_t>(k_threads * k_per_thread));
}

TEST_F(PgTest, ReadIsASnapshot) {
  auto db = open();
  create_items(*db);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('a')"); });
  db->read([&](Conn& c) {
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM items")->i64(0), 1);
    db->write([](Conn& w) { w.exec("INSERT INTO items (name) VALUES ('b')"); });
    EXPECT_EQ(c.query_one("SELECT COUNT(*) FROM items")->i64(0), 1);
    EXPECT_THROW(c.exec("INSERT INTO items (name) VALUES ('c')"), DbError);  // read only
  });
  EXPECT_EQ(count_rows(*db, "items"), 2);
}

TEST_F(PgTest, TwoInstancesAppendOneGaplessChain) {
  // The audit log's shape: every write bumps a head row and appends the entry it numbers.
  auto a = open();
  auto b = open();
  a->write([](Conn& c) {
    c.exec_script(
        "CREATE TABLE head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL);"
        "INSERT INTO head VALUES (1, 0);"
        "CREATE TABLE chain (seq BIGINT PRIMARY KEY, writer TEXT NOT NULL)");
  });
  constexpr int k_each = 150;
  const auto append = [](Db& db, const std::string& who) {
    db.write([&](Conn& c) {
      c.exec("UPDATE head SET seq = seq + 1 WHERE id = 1");
      const auto seq = c.query_one("SELECT seq FROM head WHERE id = 1")->i64(0);
      c.exec("INSERT INTO chain (seq, writer) VALUES (?, ?)", {seq, who});
    });
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Db& db = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < k_each; ++i) append(db, t % 2 == 0 ? "a" : "b");
    });
  }
  for (auto& th : threads) th.join();
  auto r = a->read([](Conn& c) {
    return c.query_one(
        "SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT writer), (SELECT seq FROM head) "
        "FROM chain");
  });
  EXPECT_EQ(r->i64(0), 4 * k_each);
  EXPECT_EQ(r->i64(1), 1);
  EXPECT_EQ(r->i64(2), 4 * k_each);  // no gaps, no duplicates
  EXPECT_EQ(r->i64(3), 2);
  EXPECT_EQ(r->i64(4), 4 * k_each);
}

TEST_F(PgTest, DeadlockedJobsAreRunAgain) {
  auto a = open();
  auto b = open();
  a->write([](Conn& c) {
    c.exec_script(
        "CREATE TABLE acct (id INTEGER PRIMARY KEY, n BIGINT); INSERT INTO acct VALUES (1, 0), (2, "
        "0)");
  });
  Rendezvous both_hold_one(2);
  std::atomic<int> runs{0};
  const auto transfer = [&](Db& db, std::int64_t first, std::int64_t second) {
    std::atomic<bool> waited{false};
    db.write([&](Conn& c) {
      ++runs;
      c.exec("UPDATE acct SET n = n + 1 WHERE id = ?", {first});
      if (!waited.exchange(true)) {
        EXPECT_TRUE(both_hold_one.arrive_and_wait());
      }
      c.exec("UPDATE acct SET n = n + 1 WHERE id = ?", {second});
    });
  };
  std::string errors;  // a write that failed for good, reported rather than ending the process
  std::mutex errors_mu;
  const auto attempt = [&](Db& db, std::int64_t first, std::int64_t second) {
    try {
      transfer(db, first, second);
    } catch (const std::exception& e) {
      std::lock_guard lock(errors_mu);
      errors += std::string(e.what()) + "\n";
    }
  };
  std::thread ta([&] { attempt(*a, 1, 2); });
  std::thread tb([&] { attempt(*b, 2, 1); });
  ta.join();
  tb.join();
  EXPECT_EQ(errors, "") << "a deadlocked write was not run again";
  // PostgreSQL broke the deadlock by failing one; the driver ran that job again. (Once, as a
  // rule; on a loaded machine the rerun may meet the other's lock again, so "at least".)
  EXPECT_GE(runs.load(), 3);
  EXPECT_LE(runs.load(), 2 + 3) << "more reruns than job_retries allows";
  auto rows = a->read([](Conn& c) { return c.query("SELECT n FROM acct ORDER BY id"); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].i64(0), 2);
  EXPECT_EQ(rows[1].i64(0), 2);
}

TEST_F(PgTest, ConnectionsKilledByTheServerAreReplaced) {
  extra_ = "&application_name=tend_kill_test";
  auto db = open();
  create_items(*db);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('before')"); });
  EXPECT_EQ(count_rows(*db, "items"), 1);
  const auto kill_all = [] {
    pg_admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'tend_kill_test'");
  };
  kill_all();
  // The writer's connection is gone: the batch is run again on a new one.
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('after')"); });
  kill_all();
  // Every reader's connection is gone: each is replaced before its read starts.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(count_rows(*db, "items"), 2);
  EXPECT_TRUE(db->healthy());
}

TEST_F(PgTest, UnreachableServerIsReportedWithoutThePassword) {
  PostgresOptions o;
  o.url = "postgresql://tend:hunter2@127.0.0.1:1/tend";
  o.connect_timeout_s = 2;
  try {
    open_postgres(o);
    ADD_FAILURE() << "expected a DbError";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::Closed);
    EXPECT_NE(std::string(e.what()).find("cannot connect to postgresql://tend:***@127.0.0.1:1"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}

TEST_F(PgTest, ListenerReceivesNotificationsAndCanBeInterrupted) {
  auto listener = open_pg_listener(database_.url());
  listener->listen("tend_test_events");
  auto db = open();
  db->write([](Conn& c) { c.exec("SELECT pg_notify('tend_test_events', ?)", {"hello"}); });
  std::vector<std::pair<std::string, std::string>> got;
  for (int i = 0; i < 50 && got.empty(); ++i) got = listener->wait(100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "tend_test_events");
  EXPECT_EQ(got[0].second, "hello");
  std::thread t([&] { listener->interrupt(); });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(listener->wait(30000).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  t.join();
}

}  // namespace
}  // namespace tend::sql
