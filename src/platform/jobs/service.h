#pragma once
//! Durable timed work: jobs that must happen later (escalations, reminders, follow-ups) and
//! survive restarts. A job is claimed by one instance at a time and run exactly once:
//!
//! - Claiming is one write transaction: on SQLite the single writer makes it atomic, on
//!   PostgreSQL `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without
//!   taking the same job. A claim is a lease (`lease`): if the instance dies, the job is
//!   claimed again once the lease runs out.
//! - A Handler runs inside the same transaction that marks the job done, and that transaction
//!   commits only if this instance still holds the claim, so the job's database effects happen
//!   exactly once. An ExternalHandler (mail, webhooks) runs outside any transaction: at least
//!   once, so it must be idempotent or tolerate a repeat.
//! - A failure is retried with back-off (rules::retry_delay) until max_attempts, then the job
//!   is dead: kept with its last error, counted in /metrics, listed by `tend jobs list --state
//!   dead` and GET /api/v1/jobs?state=dead, and can be retried by an operator.
//!
//! Time comes from the injected Clock: tests advance a FakeClock and call run_due().

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::jobs {

struct Job {
  std::string id;
  std::string kind;
  std::string payload;  //!< JSON text: ids and settings, never client content
  std::optional<std::string> dedupe_key;
  std::string state;  //!< pending | running | done | dead | cancelled
  std::int64_t due_at_ms = 0;
  int attempts = 0;
  int max_attempts = 0;
  std::optional<std::string> claimed_by;
  std::optional<std::int64_t> claimed_until_ms;
  std::optional<std::string> last_error;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> finished_at_ms;
};

struct NewJob {
  std::string kind;
  std::string payload = "{}";
  TimePoint due;
  int max_attempts = 10;
  //! With a key, enqueue() adds nothing while a pending or running job of the same kind and
  //! key exists, and returns that job's id instead.
  std::optional<std::string> dedupe_key;
};

//! Runs inside the transaction that marks the job done. Return an error to fail the attempt.
using Handler = std::function<Status(sql::Conn&, const Job&)>;
//! Runs outside any transaction (network calls). Return an error to fail the attempt.
using ExternalHandler = std::function<Status(const Job&)>;

class JobQueue {
 public:
  //! `instance` names this process in claims (e.g. host:pid); `clock` must outlive the queue.
  JobQueue(sql::Db& db, const Clock& clock, std::string instance);

  //! Registers the handler for `kind`. Register before run_due() is first called.
  void handle(const std::string& kind, Handler handler);
  void handle_external(const std::string& kind, ExternalHandler handler);

  //! Adds a job inside the caller's write transaction, so it exists exactly when the change
  //! that needs it commits, and then calls the on_enqueued callback (a JobRunner's wake), so
  //! that a job due now runs now. Throws std::invalid_argument for a malformed kind.
  std::string enqueue(sql::Conn& c, const NewJob& job) const;

  //! Called after the commit of every write that enqueued a job here.
  void set_on_enqueued(std::function<void()> fn);

  //! Claims and runs up to `limit` due jobs of the kinds registered here; returns how many ran
  //! (successfully or not). Safe to call from several instances at once.
  int run_due(int limit = 100);

  //! When the earliest pending job of a kind registered here is due, if any (of any kind when
  //! none is registered).
  std::optional<TimePoint> next_due();

  std::vector<Job> list(const std::string& state, int limit);
  Result<Job> get(const std::string& id);
  //! A dead or cancelled job goes back to pending, due now, with its attempts reset. `also`
  //! runs in the same transaction when it does (e.g. the audit entry for it).
  Result<Job> retry(const std::string& id, const std::function<void(sql::Conn&)>& also = {});
  //! A pending job is cancelled and will not run; `also` as for retry().
  Result<Job> cancel(const std::string& id, const std::function<void(sql::Conn&)>& also = {});

  //! Counts by state, for /metrics and operators.
  std::map<std::string, std::int64_t> counts();

  const std::string& instance() const { return instance_; }
  //! The queue's clock's time (due times are on this clock).
  TimePoint now() const { return clock_.now(); }
  std::chrono::milliseconds lease{std::chrono::minutes(5)};

 private:
  std::vector<Job> claim(int limit);
  Result<Job> change_state(const std::string& id, const std::string& update, sql::Params params,
                           const std::string& refusal, const std::function<void(sql::Conn&)>& also);
  void run_one(const Job& job);
  void record_failure(const Job& job, const std::string& error);
  std::int64_t now_ms() const;

  sql::Db& db_;
  const Clock& clock_;
  std::string instance_;
  mutable std::mutex mu_;  // guards the handler maps and on_enqueued_
  std::map<std::string, Handler> handlers_;
  std::function<void()> on_enqueued_;
  std::map<std::string, ExternalHandler> external_;
};

//! Runs a JobQueue on a background thread: wakes when the next job is due (at most every
//! `poll`, so that jobs added by other instances are noticed), or when woken — which the queue
//! does itself after a job is enqueued through it.
class JobRunner {
 public:
  JobRunner(JobQueue& queue, std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;
  void start();
  //! Finishes the job in hand, then stops. Idempotent.
  void stop();
  //! Looks for due jobs now (after enqueueing one due at once).
  void wake();

 private:
  void loop();
  JobQueue& queue_;
  std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
  struct Link {
    std::mutex mu;
    JobRunner* runner = nullptr;
  };
  std::shared_ptr<Link> link_;
};

}  // namespace tend::jobs
