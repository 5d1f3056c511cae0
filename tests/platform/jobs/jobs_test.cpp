// Durable jobs on a real database (SQLite, and PostgreSQL in the .pg run): due times from a
// FakeClock, retries with back-off ending dead, exactly-once effects with several queues
// ("instances") on one database, leases taken over after an instance dies, restarts.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "platform/jobs/rules.h"
#include "platform/jobs/service.h"
#include "support/domain.h"

namespace tend::jobs {
namespace {

using namespace std::chrono_literals;
using testing::Domain;

TEST(JobRules, RetryDelayDoublesAndIsCapped) {
  EXPECT_EQ(rules::retry_delay(1), 10s);
  EXPECT_EQ(rules::retry_delay(2), 20s);
  EXPECT_EQ(rules::retry_delay(3), 40s);
  EXPECT_EQ(rules::retry_delay(9), 2560s);
  EXPECT_EQ(rules::retry_delay(10), 3600s);
  EXPECT_EQ(rules::retry_delay(1000), 3600s);
  EXPECT_EQ(rules::retry_delay(0), 10s);
  EXPECT_FALSE(rules::exhausted(9, 10));
  EXPECT_TRUE(rules::exhausted(10, 10));
  EXPECT_TRUE(rules::exhausted(1, 0));  // at least one attempt, never a job that cannot die
  EXPECT_TRUE(rules::valid_kind("crisis.escalate"));
  EXPECT_TRUE(rules::valid_kind("system.probe_2"));
  EXPECT_FALSE(rules::valid_kind(""));
  EXPECT_FALSE(rules::valid_kind("Crisis"));
  EXPECT_FALSE(rules::valid_kind(".x"));
  EXPECT_FALSE(rules::valid_kind("x'; DROP"));
  EXPECT_TRUE(rules::valid_state("dead"));
  EXPECT_FALSE(rules::valid_state("zombie"));
}

// A table the handlers write to, so that "ran once" is visible in the database.
void create_effects(Domain& d) {
  d.db->write([](sql::Conn& c) {
    c.exec_script("CREATE TABLE effects (job_id TEXT NOT NULL, instance TEXT NOT NULL)");
  });
}

std::string add(Domain& d, JobQueue& q, const std::string& kind, TimePoint due,
                int max_attempts = 10, std::optional<std::string> key = std::nullopt) {
  return d.db->write([&](sql::Conn& c) {
    NewJob j;
    j.kind = kind;
    j.due = due;
    j.max_attempts = max_attempts;
    j.dedupe_key = std::move(key);
    return q.enqueue(c, j);
  });
}

Handler recording(const std::string& instance) {
  return [instance](sql::Conn& c, const Job& j) -> Status {
    c.exec("INSERT INTO effects (job_id, instance) VALUES (?, ?)", {j.id, instance});
    return ok_status();
  };
}

std::int64_t effects(Domain& d, const std::string& where = "1 = 1") {
  return d.db->read([&](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM effects WHERE " + where)->i64(0);
  });
}

TEST(Jobs, RunWhenDueAndNotBefore) {
  Domain d;
  create_effects(d);
  JobQueue q(*d.db, d.clock, "a");
  q.handle("test.record", recording("a"));
  const std::string id = add(d, q, "test.record", d.clock.now() + 10min);
  EXPECT_EQ(q.run_due(), 0);
  ASSERT_TRUE(q.next_due().has_value());
  EXPECT_EQ(
      *q.next_due(),
      TimePoint(std::chrono::milliseconds(std::chrono::duration_cast<std::chrono::milliseconds>(
          (d.clock.now() + 10min).time_since_epoch()))));
  d.clock.advance(9min);
  EXPECT_EQ(q.run_due(), 0);
  d.clock.advance(1min);
  EXPECT_EQ(q.run_due(), 1);
  EXPECT_EQ(effects(d), 1);
  auto j = q.get(id);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->state, "done");
  EXPECT_EQ(j->attempts, 1);
  EXPECT_FALSE(q.next_due().has_value());
  EXPECT_EQ(q.run_due(), 0);  // done jobs never run again
  EXPECT_EQ(effects(d), 1);
}

TEST(Jobs, TheRunnerWakesAtTheNextDueTimeNotAtItsNextPoll) {
  // An escalation deadline must fire on time: with a one-minute poll, a job due in 300 ms still
  // runs about then. (The bound is loose on purpose; without the wake-up it would take 60 s.)
  Domain d;
  SystemClock wall;
  JobQueue q(*d.db, wall, "a");
  std::promise<std::int64_t> ran_at;
  q.handle("test.wake", [&](sql::Conn&, const Job& j) -> Status {
    ran_at.set_value(
        std::chrono::duration_cast<std::chrono::milliseconds>(wall.now().time_since_epoch())
            .count() -
        j.due_at_ms);
    return ok_status();
  });
  JobRunner runner(q, 60s);
  runner.start();
  add(d, q, "test.wake", wall.now() + 300ms);
  auto late = ran_at.get_future();
  ASSERT_EQ(late.wait_for(20s), std::future_status::ready) << "the job waited for the poll";
  EXPECT_GE(late.get(), 0) << "a job never runs before it is due";
  runner.stop();
}

TEST(Jobs, AnOverdueJobNobodyHereRunsDoesNotKeepTheRunnerBusy) {
  // A pending job of a kind this instance does not handle stays pending; the runner must wait
  // for its poll rather than look again at once, and still wake on time for its own jobs.
  Domain d;
  SystemClock wall;
  JobQueue q(*d.db, wall, "a");
  std::promise<void> ran;
  q.handle("test.mine", [&](sql::Conn&, const Job&) -> Status {
    ran.set_value();
    return ok_status();
  });
  add(d, q, "test.elsewhere", wall.now() - 1min);
  const auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return std::chrono::seconds(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           std::chrono::microseconds(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  JobRunner runner(q, 60s);
  runner.start();
  const auto before = cpu();
  add(d, q, "test.mine", wall.now() + 1500ms);
  auto done = ran.get_future();
  ASSERT_EQ(done.wait_for(20s), std::future_status::ready) << "the job waited for the poll";
  const auto used = cpu() - before;
  runner.stop();
  // Spinning on the overdue job would keep a core busy for the 1.5 s; waiting uses almost none.
  EXPECT_LT(used, 100ms) << "the runner looked for jobs in a tight loop: "
                         << std::chrono::duration_cast<std::chrono::milliseconds>(used).count()
                         << " ms of CPU";
}

TEST(Jobs, FailuresRetryWithBackOffThenDieVisibly) {
  Domain d;
  create_effects(d);
  JobQueue q(*d.db, d.clock, "a");
  int calls = 0;
  q.handle("test.flaky", [&](sql::Conn& c, const Job& j) -> Status {
    ++calls;
    c.exec("INSERT INTO effects (job_id, instance) VALUES (?, 'a')", {j.id});
    return make_error(Errc::Unavailable, "gateway said no for job " + j.id);
  });
  const std::string id = add(d, q, "test.flaky", d.clock.now(), 3);
  EXPECT_EQ(q.run_due(), 1);
  auto j = q.get(id);
  EXPECT_EQ(j->state, "pending");
  EXPECT_EQ(j->attempts, 1);
  EXPECT_NE(j->last_error->find("gateway said no"), std::string::npos);
  EXPECT_EQ(effects(d), 0);  // a failed attempt's changes are rolled back
  d.clock.advance(9s);
  EXPECT_EQ(q.run_due(), 0);  // back-off: 10 s after the first failure
  d.clock.advance(1s);
  EXPECT_EQ(q.run_due(), 1);
  d.clock.advance(20s);
  EXPECT_EQ(q.run_due(), 1);
  j = q.get(id);
  EXPECT_EQ(j->state, "dead");
  EXPECT_EQ(j->attempts, 3);
  EXPECT_EQ(calls, 3);
  d.clock.advance(24h);
  EXPECT_EQ(q.run_due(), 0);  // dead stays dead
  EXPECT_EQ(q.counts()["dead"], 1);
  ASSERT_EQ(q.list("dead", 10).size(), 1u);

  // An operator retries it; this time it works.
  q.handle("test.flaky", recording("a"));
  EXPECT_EQ(q.retry(id)->state, "pending");
  EXPECT_EQ(q.run_due(), 1);
  EXPECT_EQ(q.get(id)->state, "done");
  EXPECT_EQ(effects(d), 1);
  EXPECT_EQ(q.retry(id).error().code, Errc::Conflict);  // done jobs are not retried
  EXPECT_EQ(q.retry("jb_nope").error().code, Errc::NotFound);
}

TEST(Jobs, ThrowingHandlerCountsAsAFailure) {
  Domain d;
  JobQueue q(*d.db, d.clock, "a");
  q.handle("test.throws",
           [](sql::Conn&, const Job&) -> Status { throw std::runtime_error("handler bug"); });
  const std::string id = add(d, q, "test.throws", d.clock.now(), 1);
  EXPECT_EQ(q.run_due(), 1);
  EXPECT_EQ(q.get(id)->state, "dead");
  EXPECT_EQ(*q.get(id)->last_error, "handler bug");
}

TEST(Jobs, CancelledJobsDoNotRunAndUnknownKindsWait) {
  Domain d;
  create_effects(d);
  JobQueue q(*d.db, d.clock, "a");
  q.handle("test.record", recording("a"));
  const std::string cancelled = add(d, q, "test.record", d.clock.now());
  const std::string foreign = add(d, q, "test.other", d.clock.now());
  EXPECT_EQ(q.cancel(cancelled)->state, "cancelled");
  EXPECT_EQ(q.cancel(cancelled).error().code, Errc::Conflict);
  EXPECT_EQ(q.run_due(), 0);
  EXPECT_EQ(effects(d), 0);
  // A kind this instance has no handler for is left for one that does.
  EXPECT_EQ(q.get(foreign)->state, "pending");
  JobQueue other(*d.db, d.clock, "b");
  other.handle("test.other", recording("b"));
  EXPECT_EQ(other.run_due(), 1);
  EXPECT_EQ(effects(d, "instance = 'b'"), 1);
}

TEST(Jobs, DedupeKeyKeepsOnePendingJob) {
  Domain d;
  create_effects(d);
  JobQueue q(*d.db, d.clock, "a");
  q.handle("test.record", recording("a"));
  const auto a = add(d, q, "test.record", d.clock.now(), 10, "alert_1");
  const auto b = add(d, q, "test.record", d.clock.now(), 10, "alert_1");
  const auto c = add(d, q, "test.record", d.clock.now(), 10, "alert_2");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(q.run_due(), 2);
  // Once done, the key is free again.
  EXPECT_NE(add(d, q, "test.record", d.clock.now(), 10, "alert_1"), a);
}

TEST(Jobs, JobsAddedInARolledBackWriteNeverExist) {
  Domain d;
  JobQueue q(*d.db, d.clock, "a");
  auto st = d.db->write([&](sql::Conn& c) -> Status {
    NewJob j;
    j.kind = "test.record";
    j.due = d.clock.now();
    q.enqueue(c, j);
    return make_error(Errc::Validation, "the change that needed it was refused");
  });
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(q.counts()["pending"], 0);
}

TEST(Jobs, ManyInstancesRunEveryJobExactlyOnce) {
  Domain d;
  create_effects(d);
  constexpr int k_jobs = 600;
  constexpr int k_instances = 4;
  std::vector<std::unique_ptr<JobQueue>> queues;
  for (int i = 0; i < k_instances; ++i) {
    queues.push_back(std::make_unique<JobQueue>(*d.db, d.clock, "i" + std::to_string(i)));
    queues.back()->handle("test.record", recording("i" + std::to_string(i)));
  }
  d.db->write([&](sql::Conn& c) {
    for (int i = 0; i < k_jobs; ++i) {
      NewJob j;
      j.kind = "test.record";
      j.due = d.clock.now();
      queues[0]->enqueue(c, j);
    }
  });
  std::atomic<int> ran{0};
  std::vector<std::thread> threads;
  for (auto& q : queues) {
    threads.emplace_back([&, qp = q.get()] {
      for (;;) {
        const int n = qp->run_due(7);
        if (n == 0) break;
        ran += n;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ran.load(), k_jobs);
  EXPECT_EQ(effects(d), k_jobs);
  EXPECT_EQ(d.db->read([](sql::Conn& c) {
    return c.query_one("SELECT COUNT(DISTINCT job_id) FROM effects")->i64(0);
  }),
            k_jobs);
  EXPECT_EQ(queues[0]->counts()["done"], k_jobs);
}

TEST(Jobs, ALeaseThatRunsOutIsTakenOverAndTheLateInstanceChangesNothing) {
  Domain d;
  create_effects(d);
  JobQueue a(*d.db, d.clock, "a");
  JobQueue b(*d.db, d.clock, "b");
  b.handle("test.slow", recording("b"));
  a.handle("test.slow", recording("a"));
  // Instance a stalls past its lease (as a paused or partitioned process would); meanwhile b
  // finds the lease expired and runs the job.
  a.handle_external("test.slow", [&](const Job&) -> Status {
    d.clock.advance(a.lease + 1s);
    EXPECT_EQ(b.run_due(), 1);
    return ok_status();
  });
  const std::string id = add(d, a, "test.slow", d.clock.now());
  EXPECT_EQ(a.run_due(), 1);
  EXPECT_EQ(effects(d), 1);
  EXPECT_EQ(effects(d, "instance = 'b'"), 1);
  auto j = a.get(id);
  EXPECT_EQ(j->state, "done");
  EXPECT_EQ(*j->claimed_by, "b");
  EXPECT_EQ(j->attempts, 2);
}

TEST(Jobs, PendingJobsSurviveARestart) {
  Domain d;
  create_effects(d);
  {
    JobQueue q(*d.db, d.clock, "before");
    add(d, q, "test.record", d.clock.now() + 1h);
    add(d, q, "test.record", d.clock.now() + 2h);
  }
  d.db->close();
  auto reopened = d.database.open();
  JobQueue q(*reopened, d.clock, "after");
  q.handle("test.record", [](sql::Conn& c, const Job& j) -> Status {
    c.exec("INSERT INTO effects (job_id, instance) VALUES (?, 'after')", {j.id});
    return ok_status();
  });
  d.clock.advance(90min);
  EXPECT_EQ(q.run_due(), 1);
  d.clock.advance(30min);
  EXPECT_EQ(q.run_due(), 1);
  EXPECT_EQ(reopened->read(
                [](sql::Conn& c) { return c.query_one("SELECT COUNT(*) FROM effects")->i64(0); }),
            2);
  reopened->close();
}

}  // namespace
}  // namespace tend::jobs
