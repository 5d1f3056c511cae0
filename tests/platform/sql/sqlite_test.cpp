// The SQLite driver against real database files: connection settings, values, the statement
// cache, savepoint isolation inside a group commit, batching, parallel readers and shutdown.

#include "platform/sql/sqlite.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "platform/metrics.h"
#include "support/sync.h"
#include "support/temp_dir.h"

namespace tend::sql {
namespace {

using tend::testing::commits_so_far;
using tend::testing::count_rows;
using tend::testing::Gate;
using tend::testing::Rendezvous;
using tend::testing::TempDir;

DbError::Kind kind_of_failure(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const DbError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected a DbError";
  return DbError::Kind::Other;
}

class SqliteTest : public ::testing::Test {
 protected:
  std::unique_ptr<Db> open(SqliteOptions options = {}) {
    options.path = path();
    return open_sqlite(options);
  }
  std::string path() const { return dir_.file("tend.db"); }

  static void create_items(Db& db) {
    db.write([](Conn& c) {
      c.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n BIGINT)");
    });
  }

  TempDir dir_;
};

TEST_F(SqliteTest, OpenCreatesFileInWalModeWithForeignKeysOn) {
  auto db = open();
  EXPECT_TRUE(std::filesystem::exists(path()));
  EXPECT_EQ(db->dialect(), Dialect::Sqlite);
  EXPECT_TRUE(db->healthy());
  db->read([](Conn& c) {
    EXPECT_EQ(c.query_one("PRAGMA journal_mode")->str(0), "wal");
    EXPECT_EQ(c.query_one("PRAGMA foreign_keys")->i64(0), 1);
    EXPECT_EQ(c.query_one("PRAGMA query_only")->i64(0), 1);
    EXPECT_EQ(c.query_one("PRAGMA synchronous")->i64(0), 2);  // FULL
    EXPECT_EQ(c.dialect(), Dialect::Sqlite);
  });
  db->write([](Conn& c) {
    EXPECT_EQ(c.query_one("PRAGMA foreign_keys")->i64(0), 1);
    EXPECT_EQ(c.query_one("PRAGMA busy_timeout")->i64(0), 5000);
  });
}

TEST_F(SqliteTest, SynchronousOptionIsAppliedAndValidated) {
  SqliteOptions o;
  o.synchronous = "normal";
  auto db = open(o);
  db->write([](Conn& c) { EXPECT_EQ(c.query_one("PRAGMA synchronous")->i64(0), 1); });
  db->close();
  o.synchronous = "FULL; DROP TABLE x";
  EXPECT_THROW(open(o), DbError);
}

TEST_F(SqliteTest, OpeningAFileInAMissingDirectoryThrows) {
  SqliteOptions o;
  o.path = dir_.file("missing/dir/tend.db");
  EXPECT_THROW(open_sqlite(o), DbError);
  o.path = ":memory:";  // no WAL, and every pooled connection would see its own database
  EXPECT_THROW(open_sqlite(o), DbError);
}

TEST_F(SqliteTest, ForeignKeyAndUniqueViolationsHaveTheirKinds) {
  auto db = open();
  db->write([](Conn& c) {
    c.exec_script(
        "CREATE TABLE parents (id TEXT PRIMARY KEY, email TEXT UNIQUE);"
        "CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES "
        "parents(id));");
    c.exec("INSERT INTO parents (id, email) VALUES (?, ?)", {"p1", "secret-value@example.org"});
  });

  EXPECT_EQ(kind_of_failure([&] {
              db->write([](Conn& c) {
                c.exec("INSERT INTO children (id, parent_id) VALUES (?, ?)", {"c1", "nobody"});
              });
            }),
            DbError::Kind::ForeignKeyViolation);

  try {
    db->write([](Conn& c) {
      c.exec("INSERT INTO parents (id, email) VALUES (?, ?)", {"p2", "secret-value@example.org"});
    });
    FAIL() << "expected a unique violation";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind(), DbError::Kind::UniqueViolation);
    EXPECT_TRUE(e.unique_violation());
    const std::string what = e.what();
    EXPECT_NE(what.find("UNIQUE constraint failed: parents.email"), std::string::npos) << what;
    EXPECT_EQ(what.find("secret-value"), std::string::npos) << what;  // never bound values
  }
  EXPECT_EQ(kind_of_failure([&] {
              db->write([](Conn& c) {
                c.exec("INSERT INTO parents (id, email) VALUES (?, ?)", {"p1", "other"});
              });
            }),
            DbError::Kind::UniqueViolation);
  EXPECT_EQ(count_rows(*db, "parents"), 1);
  EXPECT_EQ(count_rows(*db, "children"), 0);
}

TEST_F(SqliteTest, ReadersCannotWrite) {
  auto db = open();
  create_items(*db);
  EXPECT_THROW(db->read([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('x')"); }), DbError);
  EXPECT_EQ(count_rows(*db, "items"), 0);
}

TEST_F(SqliteTest, ValuesOfEveryTypeRoundTrip) {
  auto db = open();
  const std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  const std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  const std::string text = std::string("caf\xc3\xa9 \xe2\x9c\x93 with a ") + '\0' + " inside";
  db->write([&](Conn& c) {
    EXPECT_EQ(c.exec("CREATE TABLE v (k TEXT PRIMARY KEY, i BIGINT, r REAL, t TEXT)"), 0);
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)", {"a", lo, 3.25, text});
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)", {"b", hi, -0.5, ""});
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)", {"c", null(), null(), null()});
    c.exec("INSERT INTO v VALUES (?, ?, ?, ?)",
           {"d", opt(std::optional<std::int64_t>{}), 1.0, opt(std::optional<std::string>{})});
  });
  db->read([&](Conn& c) {
    auto rows = c.query("SELECT k, i, r, t FROM v ORDER BY k");
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].size(), 4u);
    EXPECT_EQ(rows[0].str(0), "a");
    EXPECT_EQ(rows[0].i64(1), lo);
    EXPECT_DOUBLE_EQ(rows[0].f64(2), 3.25);
    EXPECT_EQ(rows[0].str(3), text);
    EXPECT_EQ(rows[0].str(3).size(), text.size());
    EXPECT_EQ(rows[1].i64(1), hi);
    EXPECT_EQ(rows[1].opt_i64(1), hi);
    EXPECT_DOUBLE_EQ(rows[1].f64(2), -0.5);
    EXPECT_FALSE(rows[1].is_null(3));
    EXPECT_EQ(rows[1].opt_str(3), std::optional<std::string>(""));  // "" is not NULL
    for (std::size_t col = 1; col < 4; ++col) {
      EXPECT_TRUE(rows[2].is_null(col));
      EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[2].at(col)));
    }
    EXPECT_EQ(rows[2].opt_str(3), std::nullopt);
    EXPECT_EQ(rows[2].opt_i64(1), std::nullopt);
    EXPECT_EQ(rows[2].str(3), "");  // NULL text reads as ""
    EXPECT_TRUE(rows[3].is_null(1));
    EXPECT_TRUE(rows[3].is_null(3));
    EXPECT_TRUE(std::holds_alternative<double>(rows[3].at(2)));  // REAL affinity

    auto literal = c.query_one("SELECT 7, 2.5, 'x', NULL, x'6869', ? = 1", {std::int64_t{1}});
    ASSERT_TRUE(literal);
    EXPECT_TRUE(std::holds_alternative<std::int64_t>(literal->at(0)));
    EXPECT_TRUE(std::holds_alternative<double>(literal->at(1)));
    EXPECT_TRUE(std::holds_alternative<std::string>(literal->at(2)));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(literal->at(3)));
    EXPECT_EQ(literal->str(4), "hi");  // BLOB reads as bytes
    EXPECT_TRUE(literal->boolean(5));
    EXPECT_DOUBLE_EQ(literal->f64(0), 7.0);  // integers widen to double

    // Type mismatches and bad indexes are programming errors.
    EXPECT_THROW(literal->i64(2), DbError);
    EXPECT_THROW(literal->i64(1), DbError);
    EXPECT_THROW(literal->i64(3), DbError);
    EXPECT_THROW(literal->str(0), DbError);
    EXPECT_THROW(literal->f64(2), DbError);
    EXPECT_THROW(literal->opt_i64(2), DbError);
    EXPECT_THROW(literal->opt_str(0), DbError);
    EXPECT_THROW(literal->at(6), DbError);

    EXPECT_EQ(c.query_one("SELECT k FROM v WHERE k = ?", {"zzz"}), std::nullopt);
    EXPECT_TRUE(c.query("SELECT k FROM v WHERE k = ?", {"zzz"}).empty());
  });
  db->write([](Conn& c) {
    EXPECT_EQ(c.exec("UPDATE v SET r = ? WHERE k IN ('a', 'b', 'c')", {9.0}), 3);
    EXPECT_EQ(c.exec("UPDATE v SET r = 1 WHERE k = 'none'"), 0);
    EXPECT_EQ(c.exec("CREATE INDEX v_r ON v(r)"), 0);
    EXPECT_EQ(c.exec("DELETE FROM v WHERE k = ?", {"d"}), 1);
  });
}

TEST_F(SqliteTest, StatementMisuseIsReported) {
  auto db = open();
  create_items(*db);
  db->read([](Conn& c) {
    EXPECT_THROW(c.query("SELECT ? + ?", {std::int64_t{1}}), DbError);  // too few parameters
    EXPECT_THROW(c.query("SELECT 1; SELECT 2"), DbError);               // two statements
    EXPECT_THROW(c.query("SELEKT 1"), DbError);
    EXPECT_THROW(c.query("  -- nothing\n"), DbError);
    EXPECT_EQ(c.query_one("SELECT 1; -- trailing comment")->i64(0), 1);
  });
}

TEST_F(SqliteTest, StatementCacheSmallerThanTheStatementsInUse) {
  SqliteOptions o;
  o.statement_cache = 2;
  o.readers = 1;
  auto db = open(o);
  create_items(*db);
  for (int round = 0; round < 5; ++round) {
    db->read([&](Conn& c) {
      for (std::int64_t k = 0; k < 10; ++k) {
        const std::string sql = "SELECT ? + " + std::to_string(k);
        EXPECT_EQ(c.query_one(sql, {std::int64_t{round}})->i64(0), round + k) << sql;
      }
    });
  }
  // A statement that failed is reset and works again from the cache.
  const std::string insert = "INSERT INTO items (name, n) VALUES (?, ?)";
  db->write([&](Conn& c) { c.exec(insert, {"a", std::int64_t{1}}); });
  EXPECT_THROW(db->write([&](Conn& c) { c.exec(insert, {"a", std::int64_t{2}}); }), DbError);
  db->write([&](Conn& c) { c.exec(insert, {"b", std::int64_t{3}}); });
  EXPECT_EQ(count_rows(*db, "items"), 2);
}

TEST_F(SqliteTest, WritesReturnValuesResultsAndNothing) {
  auto db = open();
  create_items(*db);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('void')"); });
  const std::int64_t changed =
      db->write([](Conn& c) { return c.exec("INSERT INTO items (name) VALUES ('count')"); });
  EXPECT_EQ(changed, 1);
  Result<std::string> ok = db->write([](Conn& c) -> Result<std::string> {
    c.exec("INSERT INTO items (name) VALUES ('result')");
    return std::string("made");
  });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "made");
  Status refused = db->write([](Conn& c) -> Status {
    c.exec("INSERT INTO items (name) VALUES ('refused')");
    return make_error(Errc::Conflict, "no");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::Conflict);
  auto names = db->read([](Conn& c) {
    std::vector<std::string> out;
    for (const auto& r : c.query("SELECT name FROM items ORDER BY id")) out.push_back(r.str(0));
    return out;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"void", "count", "result"}));
}

TEST_F(SqliteTest, ThrowingWriteRethrowsToItsCallerAndRollsBack) {
  auto db = open();
  create_items(*db);
  try {
    db->write([](Conn& c) {
      c.exec("INSERT INTO items (name) VALUES ('doomed')");
      throw std::logic_error("boom");
    });
    FAIL() << "expected the job's exception";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  EXPECT_EQ(count_rows(*db, "items"), 0);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('after')"); });
  EXPECT_EQ(count_rows(*db, "items"), 1);
}

// Jobs in one batch: some keep their rows, some return an error, some throw. Each failure
// undoes only its own rows; the others commit together.
TEST_F(SqliteTest, FailedWriteRollsBackOnlyItsOwnChangesWithinABatch) {
  auto db = open();
  create_items(*db);
  constexpr int k_writers = 24;
  Gate gate;
  Gate holding;
  Rendezvous ready(k_writers + 1);
  const auto commits_before = commits_so_far();

  // Hold the writer thread so the writes below queue up and are committed together. The
  // holder must have the writer before any writer starts (its thread may start late).
  std::thread holder([&] {
    db->write([&](Conn& c) {
      c.exec("INSERT INTO items (name, n) VALUES ('holder', 0)");
      holding.open();
      EXPECT_TRUE(gate.wait());
    });
  });
  ASSERT_TRUE(holding.wait());
  std::vector<std::thread> threads;
  std::vector<int> outcome(k_writers, -1);  // 0 kept, 1 refused, 2 threw
  for (int i = 0; i < k_writers; ++i) {
    threads.emplace_back([&, i] {
      EXPECT_TRUE(ready.arrive_and_wait());
      const std::string name = "w" + std::to_string(i);
      try {
        Status s = db->write([&](Conn& c) -> Status {
          c.exec("INSERT INTO items (name, n) VALUES (?, ?)", {name, std::int64_t{i}});
          c.exec("UPDATE items SET n = n + 1 WHERE name = 'holder'");
          if (i % 3 == 1) return make_error(Errc::Validation, "refused");
          if (i % 3 == 2) throw std::runtime_error("thrown");
          return ok_status();
        });
        outcome[i] = s.ok() ? 0 : 1;
      } catch (const std::runtime_error& e) {
        outcome[i] = std::string(e.what()) == "thrown" ? 2 : 3;
      }
    });
  }
  EXPECT_TRUE(ready.arrive_and_wait());
  gate.open();
  for (auto& t : threads) t.join();
  holder.join();

  int kept = 0;
  for (int i = 0; i < k_writers; ++i) {
    EXPECT_EQ(outcome[i], i % 3) << "writer " << i;
    if (i % 3 == 0) ++kept;
  }
  auto rows = db->read([](Conn& c) { return c.query("SELECT name, n FROM items ORDER BY id"); });
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kept + 1));
  for (const auto& r : rows) {
    if (r.str(0) == "holder") {
      EXPECT_EQ(r.i64(1), kept);  // every kept job's update of the shared row, and no other
      continue;
    }
    EXPECT_EQ(r.i64(1) % 3, 0) << r.str(0);
  }
  // Fewer commits than transactions: failures inside a batch did not spoil their neighbours.
  const auto commits = commits_so_far() - commits_before;
  EXPECT_LT(commits, static_cast<std::uint64_t>(k_writers + 1));
}

TEST_F(SqliteTest, GroupCommitSharesCommitsAcrossConcurrentWriters) {
  constexpr int k_threads = 32;
  constexpr int k_per_thread = 200;
  constexpr std::uint64_t k_transactions = k_threads * k_per_thread;
  SqliteOptions o;
  o.synchronous = "FULL";
  {
    auto db = open(o);
    db->write([](Conn& c) {
      c.exec("CREATE TABLE events (id INTEGER PRIMARY KEY, thread INTEGER, seq INTEGER)");
    });
    const auto commits_before = commits_so_far();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_per_thread; ++i) {
          db->write([&](Conn& c) {
            c.exec("INSERT INTO events (thread, seq) VALUES (?, ?)",
                   {std::int64_t{t}, std::int64_t{i}});
          });
        }
      });
    }
    for (auto& th : threads) th.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto commits = commits_so_far() - commits_before;
    std::cout << "[ group    ] " << k_transactions << " transactions in " << commits << " commits ("
              << static_cast<double>(k_transactions) / static_cast<double>(commits)
              << " per commit) in " << seconds << " s\n";
    RecordProperty("commits", static_cast<int>(commits));
    EXPECT_GT(commits, 0u);
    EXPECT_LT(commits, k_transactions);
    EXPECT_EQ(count_rows(*db, "events"), static_cast<std::int64_t>(k_transactions));
    db->close();
  }
  auto reopened = open(o);
  EXPECT_EQ(count_rows(*reopened, "events"), static_cast<std::int64_t>(k_transactions));
  auto per_thread = reopened->read([](Conn& c) {
    return c.query("SELECT thread, count(*), count(DISTINCT seq) FROM events GROUP BY thread");
  });
  ASSERT_EQ(per_thread.size(), static_cast<std::size_t>(k_threads));
  for (const auto& r : per_thread) {
    EXPECT_EQ(r.i64(1), k_per_thread);
    EXPECT_EQ(r.i64(2), k_per_thread);
  }
}

TEST_F(SqliteTest, MaxBatchOfOneStillCommitsEverything) {
  SqliteOptions o;
  o.max_batch = 1;
  auto db = open(o);
  create_items(*db);
  const auto commits_before = commits_so_far();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        db->write([&](Conn& c) {
          c.exec("INSERT INTO items (name) VALUES (?)",
                 {std::to_string(t) + "-" + std::to_string(i)});
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(commits_so_far() - commits_before, 40u);
  EXPECT_EQ(count_rows(*db, "items"), 40);
}

TEST_F(SqliteTest, FailedCommitFailsTheWrite) {
  auto db = open();
  db->write([](Conn& c) {
    c.exec_script(
        "CREATE TABLE parents (id TEXT PRIMARY KEY);"
        "CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parents(id) "
        "DEFERRABLE INITIALLY DEFERRED);");
  });
  // A deferred foreign key is checked only by COMMIT, so this job succeeds and its commit fails.
  EXPECT_EQ(kind_of_failure([&] {
              db->write([](Conn& c) {
                c.exec("INSERT INTO children (id, parent_id) VALUES ('c', 'missing')");
              });
            }),
            DbError::Kind::ForeignKeyViolation);
  EXPECT_EQ(count_rows(*db, "children"), 0);
  db->write([](Conn& c) {
    c.exec("INSERT INTO parents (id) VALUES ('p')");
    c.exec("INSERT INTO children (id, parent_id) VALUES ('c', 'p')");
  });
  EXPECT_EQ(count_rows(*db, "children"), 1);
}

TEST_F(SqliteTest, ReadersSeeCommittedWrites) {
  auto db = open();
  create_items(*db);
  for (int i = 0; i < 5; ++i) {
    db->write([&](Conn& c) { c.exec("INSERT INTO items (name) VALUES (?)", {std::to_string(i)}); });
    EXPECT_EQ(count_rows(*db, "items"), i + 1);  // whichever pooled reader answers
  }
}

TEST_F(SqliteTest, ReadsRunInParallel) {
  SqliteOptions o;
  o.readers = 2;
  auto db = open(o);
  create_items(*db);
  Rendezvous both_inside(2);
  std::atomic<int> met{0};
  auto reader = [&] {
    db->read([&](Conn& c) {
      c.query("SELECT count(*) FROM items");
      if (both_inside.arrive_and_wait()) ++met;  // only if the other read is in progress too
    });
  };
  std::thread a(reader);
  std::thread b(reader);
  a.join();
  b.join();
  EXPECT_EQ(met.load(), 2);
}

TEST_F(SqliteTest, ReadIsAConsistentSnapshot) {
  auto db = open();
  create_items(*db);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('before')"); });
  db->read([&](Conn& c) {
    const auto first = c.query_one("SELECT count(*) FROM items")->i64(0);
    std::thread writer(
        [&] { db->write([](Conn& w) { w.exec("INSERT INTO items (name) VALUES ('during')"); }); });
    writer.join();  // committed and durable, yet not part of this read's snapshot
    EXPECT_EQ(c.query_one("SELECT count(*) FROM items")->i64(0), first);
  });
  EXPECT_EQ(count_rows(*db, "items"), 2);
}

TEST_F(SqliteTest, FailedReadRethrowsAndFreesItsConnection) {
  SqliteOptions o;
  o.readers = 1;
  auto db = open(o);
  create_items(*db);
  EXPECT_THROW(db->read([](Conn& c) {
    c.query("SELECT 1");
    throw std::runtime_error("read failed");
  }),
               std::runtime_error);
  EXPECT_THROW(db->read([](Conn& c) { c.query("SELECT * FROM missing_table"); }), DbError);
  EXPECT_EQ(count_rows(*db, "items"), 0);  // the one reader is back and out of its transaction
}

TEST_F(SqliteTest, ReadOrWriteInsideAWriteIsRefused) {
  auto db = open();
  create_items(*db);
  EXPECT_THROW(db->write([&](Conn&) { db->write([](Conn&) {}); }), DbError);
  EXPECT_THROW(db->write([&](Conn&) { db->read([](Conn&) {}); }), DbError);
  db->write([](Conn& c) { c.exec("INSERT INTO items (name) VALUES ('fine')"); });
  EXPECT_EQ(count_rows(*db, "items"), 1);
}

TEST_F(SqliteTest, CloseRefusesNewWork) {
  auto db = open();
  create_items(*db);
  EXPECT_TRUE(db->healthy());
  db->close();
  EXPECT_FALSE(db->healthy());
  EXPECT_EQ(kind_of_failure([&] { db->write([](Conn&) {}); }), DbError::Kind::Closed);
  EXPECT_EQ(kind_of_failure([&] { db->read([](Conn&) {}); }), DbError::Kind::Closed);
  db->close();  // idempotent
}

TEST_F(SqliteTest, CloseFinishesQueuedWrites) {
  constexpr int k_threads = 8;
  std::atomic<int> succeeded{0};
  {
    auto db = open();
    create_items(*db);
    Rendezvous each_wrote(k_threads + 1);
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          try {
            db->write([&](Conn& c) {
              c.exec("INSERT INTO items (name) VALUES (?)",
                     {std::to_string(t) + "-" + std::to_string(i)});
            });
          } catch (const DbError& e) {
            EXPECT_EQ(e.kind(), DbError::Kind::Closed);
            return;
          }
          ++succeeded;
          if (i == 0) {
            EXPECT_TRUE(each_wrote.arrive_and_wait());
          }
        }
      });
    }
    EXPECT_TRUE(each_wrote.arrive_and_wait());
    db->close();  // while writes keep arriving
    for (auto& th : threads) th.join();
  }
  // Every write that returned is on disk; none that was refused is.
  auto reopened = open();
  EXPECT_GE(succeeded.load(), k_threads);
  EXPECT_EQ(count_rows(*reopened, "items"), succeeded.load());
}

}  // namespace
}  // namespace tend::sql

namespace tend::sql {
namespace {

double metric(const std::string& name) {
  std::istringstream in(metrics::render());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return 0;
}

// Checkpoints happen on their own thread once the WAL passes ~16 MiB, so the WAL stays
// bounded while writes carry on, and everything is still there after re-opening.
TEST(SqliteCheckpoint, WalIsCheckpointedInTheBackground) {
  TempDir dir;
  const double before = metric("tend_db_checkpoints_total");
  {
    SqliteOptions o;
    o.path = dir.file("ck.db");
    auto db = open_sqlite(o);
    db->write([](Conn& c) { c.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, pad TEXT)"); });
    const std::string pad(2000, 'x');
    for (int batch = 0; batch < 40; ++batch) {
      db->write([&](Conn& c) {
        for (int i = 0; i < 500; ++i) c.exec("INSERT INTO big (pad) VALUES (?)", {pad});
      });
    }
    // The checkpointer runs asynchronously: wait (bounded) for it to report.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (metric("tend_db_checkpoints_total") <= before &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_GT(metric("tend_db_checkpoints_total"), before);
    db->close();
  }
  auto db = open_sqlite(SqliteOptions{.path = dir.file("ck.db")});
  EXPECT_EQ(db->read([](Conn& c) { return c.query_one("SELECT COUNT(*) FROM big")->i64(0); }),
            20000);
  EXPECT_EQ(db->read([](Conn& c) { return c.query_one("PRAGMA integrity_check")->str(0); }), "ok");
}

}  // namespace
}  // namespace tend::sql
