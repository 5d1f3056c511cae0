// Several `tend serve` processes on one database (the PostgreSQL deployment; in the SQLite run,
// two processes on one file): 1,000 jobs due at once are each run exactly once across the
// instances, and killing one instance mid-run loses none — its claimed jobs are taken over
// when their lease runs out. Also the operators' job API: dead jobs visible, retried, audited.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "support/api.h"
#include "support/domain.h"
#include "support/installation.h"
#include "support/process.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

TEST(MultiInstance, ThousandJobsRunExactlyOnceAcrossInstancesEvenWhenOneIsKilled) {
  Installation inst;
  ASSERT_EQ(run_tend(inst.with({"migrate"})).exit_code, 0);

  const std::vector<std::string> fast = {"--job-poll-ms", "50", "--job-lease-seconds", "10"};
  auto args = [&] {
    auto a = inst.with({});
    a.insert(a.end(), fast.begin(), fast.end());
    return a;
  };
  ServerProcess a(args());
  ServerProcess b(args());
  // Both are serving before the jobs fall due, so both take part.
  auto probe = run_tend(inst.with({"jobs", "probe", "--count", "1000"}));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  // Let both instances work, then kill B in the middle of the run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (inst.scalar("SELECT COUNT(*) FROM job_probe_runs") < 300 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(b.stop(SIGKILL), 128 + SIGKILL);
  // A finishes everything, including what B had claimed once B's leases run out.
  while (inst.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'done'") < 1000 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(a.stop(SIGTERM), 0);

  EXPECT_EQ(inst.scalar("SELECT COUNT(*) FROM jobs WHERE state = 'done'"), 1000);
  EXPECT_EQ(inst.scalar("SELECT COUNT(*) FROM job_probe_runs"), 1000);  // no job twice
  EXPECT_EQ(inst.scalar("SELECT COUNT(DISTINCT job_id) FROM job_probe_runs"), 1000);
  if (inst.database.postgres()) {
    // Both instances took part. (On one SQLite file the first process to start often drains the
    // queue alone: its single writer is faster than a second process can claim.)
    EXPECT_EQ(inst.scalar("SELECT COUNT(DISTINCT instance) FROM job_probe_runs"), 2);
  }
}

TEST(MultiInstance, AnEventRaisedOnOneInstanceReachesAStreamOnAnotherWithinASecond) {
  Installation inst;
  auto add = run_tend(inst.with({"user", "add", "--username", "clin", "--role", "clinician",
                                 "--password-file", "-"}),
                      k_password + "\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto tok = run_tend(inst.with({"token", "create", "--username", "clin", "--name", "sse"}));
  ASSERT_EQ(tok.exit_code, 0) << tok.err;
  std::string token = tok.out;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();

  ServerProcess a(inst.with({}));
  ServerProcess b(inst.with({}));
  HttpClient via_a(a.base_url());
  via_a.set_bearer(token);
  auto created = via_a.post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                          {"family_name", "Lovelace"},
                                                          {"date_of_birth", "1990-01-01"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());

  SseReader on_b(b.base_url(), "/api/v1/events", token);
  ASSERT_TRUE(on_b.wait_for("retry: 3000", std::chrono::seconds(10))) << on_b.text();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(via_a.patch("/api/v1/clients/" + id, bj::object{{"pronouns", "she/her"}}).status, 200);
  const bool arrived = on_b.wait_for("event: client.updated", std::chrono::seconds(5));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(arrived) << on_b.text();
  if (inst.database.postgres()) {
    // LISTEN/NOTIFY, not the one-second safety poll, carried it.
    EXPECT_LT(took, std::chrono::seconds(1));
  }
  EXPECT_EQ(a.stop(SIGTERM), 0);
  EXPECT_EQ(b.stop(SIGTERM), 0);  // an open event stream does not hold up a graceful stop
}

TEST(Jobs, AdminsSeeDeadJobsAndRetryThemOverTheApi) {
  ApiServer s;
  s.add_user("root", "admin");
  s.add_user("clin", "clinician");
  auto admin = s.client_for("root");
  auto clin = s.client_for("clin");
  // A job of a kind nothing handles any more, given up on.
  const std::string id = s.app().db().write([&](sql::Conn& c) {
    jobs::NewJob j;
    j.kind = "test.retired";
    j.due = s.clock.now();
    const auto jid = s.app().jobs().enqueue(c, j);
    c.exec(
        "UPDATE jobs SET state = 'dead', attempts = 10, last_error = 'gateway down' WHERE id = ?",
        {jid});
    return jid;
  });
  EXPECT_EQ(clin->get("/api/v1/jobs").status, 403);
  auto list = admin->get("/api/v1/jobs?state=dead");
  ASSERT_EQ(list.status, 200) << list.body;
  const auto items = list.json().at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("id").as_string(), id);
  EXPECT_EQ(items[0].at("last_error").as_string(), "gateway down");
  EXPECT_EQ(list.json().at("counts").at("dead").as_int64(), 1);
  EXPECT_EQ(admin->get("/api/v1/jobs?state=zombie").status, 400);
  EXPECT_EQ(admin->get("/api/v1/jobs?limit=0").status, 400);
  EXPECT_EQ(admin->get("/api/v1/jobs?limit=abc").status, 400);

  auto retried = admin->post("/api/v1/jobs/" + id + "/retry", bj::object{});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.json().at("state").as_string(), "pending");
  EXPECT_EQ(retried.json().at("attempts").as_int64(), 0);
  EXPECT_EQ(admin->post("/api/v1/jobs/" + id + "/retry", bj::object{}).status, 409);
  EXPECT_EQ(admin->post("/api/v1/jobs/jb_nope/retry", bj::object{}).status, 404);
  EXPECT_EQ(clin->post("/api/v1/jobs/" + id + "/cancel", bj::object{}).status, 403);
  EXPECT_EQ(admin->post("/api/v1/jobs/" + id + "/cancel", bj::object{}).json().at("state"),
            "cancelled");
  EXPECT_EQ(s.app().db().read([&](sql::Conn& c) {
    return c
        .query_one("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'job' AND resource_id = ?",
                   {id})
        ->i64(0);
  }),
            2);
  auto metrics = admin->get("/metrics");
  EXPECT_NE(metrics.body.find("tend_jobs_cancelled 1"), std::string::npos);
}

}  // namespace
}  // namespace tend::testing
