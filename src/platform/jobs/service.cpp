#include "platform/jobs/service.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "platform/ids.h"
#include "platform/jobs/rules.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::jobs {

namespace {

constexpr const char* k_columns =
    "id, kind, payload, dedupe_key, state, due_at, attempts, max_attempts, claimed_by, "
    "claimed_until, last_error, created_at, finished_at";

Job job_from_row(const sql::Row& r) {
  Job j;
  j.id = r.str(0);
  j.kind = r.str(1);
  j.payload = r.str(2);
  j.dedupe_key = r.opt_str(3);
  j.state = r.str(4);
  j.due_at_ms = r.i64(5);
  j.attempts = static_cast<int>(r.i64(6));
  j.max_attempts = static_cast<int>(r.i64(7));
  j.claimed_by = r.opt_str(8);
  j.claimed_until_ms = r.opt_i64(9);
  j.last_error = r.opt_str(10);
  j.created_at_ms = r.i64(11);
  j.finished_at_ms = r.opt_i64(12);
  return j;
}

//! Error text kept on a job: bounded, and only what handlers say (they name ids, not content).
std::string bounded(std::string s) {
  constexpr std::size_t k_max = 500;
  if (s.size() > k_max) s = s.substr(0, k_max) + "...";
  return s;
}

}  // namespace

JobQueue::JobQueue(sql::Db& db, const Clock& clock, std::string instance)
    : db_(db), clock_(clock), instance_(std::move(instance)) {}

std::int64_t JobQueue::now_ms() const {
  return unix_ms(clock_.now());
}

void JobQueue::handle(const std::string& kind, Handler handler) {
  if (!rules::valid_kind(kind)) throw std::invalid_argument("job kind " + kind + " is malformed");
  std::lock_guard lock(mu_);
  handlers_[kind] = std::move(handler);
}

void JobQueue::handle_external(const std::string& kind, ExternalHandler handler) {
  if (!rules::valid_kind(kind)) throw std::invalid_argument("job kind " + kind + " is malformed");
  std::lock_guard lock(mu_);
  external_[kind] = std::move(handler);
}

std::string JobQueue::enqueue(sql::Conn& c, const NewJob& job) const {
  if (!rules::valid_kind(job.kind)) {
    throw std::invalid_argument("job kind " + job.kind + " is malformed");
  }
  if (job.dedupe_key) {
    auto existing = c.query_one(
        "SELECT id FROM jobs WHERE kind = ? AND dedupe_key = ? AND state IN ('pending', "
        "'running')",
        {job.kind, *job.dedupe_key});
    if (existing) return existing->str(0);
  }
  const std::string id = new_id("jb");
  c.exec(
      "INSERT INTO jobs (id, kind, payload, dedupe_key, state, due_at, attempts, max_attempts, "
      "created_at) VALUES (?, ?, ?, ?, 'pending', ?, 0, ?, ?)",
      {id, job.kind, job.payload, sql::opt(job.dedupe_key), unix_ms(job.due),
       std::int64_t{std::max(job.max_attempts, 1)}, now_ms()});
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    notify = on_enqueued_;
  }
  if (notify) c.after_commit(std::move(notify));
  return id;
}

void JobQueue::set_on_enqueued(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  on_enqueued_ = std::move(fn);
}

std::vector<Job> JobQueue::claim(int limit) {
  std::vector<std::string> kinds;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, _] : handlers_) kinds.push_back(k);
    for (const auto& [k, _] : external_) kinds.push_back(k);
  }
  if (kinds.empty() || limit <= 0) return {};
  std::string in = "(";
  sql::Params params;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    in += i == 0 ? "?" : ", ?";
    params.emplace_back(kinds[i]);
  }
  in += ")";
  const std::int64_t now = now_ms();
  const std::int64_t until = now + lease.count();
  return db_.write([&](sql::Conn& c) {
    // Due pending jobs, and running ones whose instance let its lease run out (it died).
    // PostgreSQL: rows another instance is claiming right now are skipped, not waited for.
    const char* lock = c.dialect() == sql::Dialect::Postgres ? " FOR UPDATE SKIP LOCKED" : "";
    sql::Params p = params;
    p.insert(p.end(), {now, now, std::int64_t{limit}});
    auto rows = c.query(std::string("SELECT ") + k_columns + " FROM jobs WHERE kind IN " + in +
                            " AND ((state = 'pending' AND due_at <= ?) OR (state = 'running' AND "
                            "claimed_until <= ?)) ORDER BY due_at LIMIT ?" +
                            lock,
                        p);
    std::vector<Job> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
      Job j = job_from_row(r);
      c.exec(
          "UPDATE jobs SET state = 'running', claimed_by = ?, claimed_until = ?, "
          "attempts = attempts + 1 WHERE id = ?",
          {instance_, until, j.id});
      j.state = "running";
      j.claimed_by = instance_;
      j.claimed_until_ms = until;
      j.attempts += 1;
      out.push_back(std::move(j));
    }
    return out;
  });
}

int JobQueue::run_due(int limit) {
  auto claimed = claim(limit);
  for (const auto& job : claimed) run_one(job);
  return static_cast<int>(claimed.size());
}

void JobQueue::run_one(const Job& job) {
  Handler handler;
  ExternalHandler external;
  {
    std::lock_guard lock(mu_);
    if (auto it = handlers_.find(job.kind); it != handlers_.end()) handler = it->second;
    if (auto it = external_.find(job.kind); it != external_.end()) external = it->second;
  }
  std::string error;
  try {
    if (external) {
      if (auto st = external(job); !st) error = st.error().detail;
    }
    if (error.empty()) {
      // The handler's changes and "done" commit together, and only while the claim is ours: a
      // job whose lease ran out and was taken by another instance rolls back here.
      Status st = db_.write([&](sql::Conn& c) -> Status {
        if (handler) {
          if (auto s = handler(c, job); !s) return s;
        }
        const auto n = c.exec(
            "UPDATE jobs SET state = 'done', finished_at = ?, claimed_until = NULL, "
            "last_error = NULL WHERE id = ? AND claimed_by = ? AND state = 'running' AND "
            "attempts = ?",
            {now_ms(), job.id, instance_, std::int64_t{job.attempts}});
        if (n != 1) return make_error(Errc::Conflict, "the claim on this job was lost");
        return ok_status();
      });
      if (!st) {
        if (st.error().code == Errc::Conflict &&
            st.error().detail == "the claim on this job was lost") {
          metrics::inc("tend_jobs_lost_claims_total", "kind", job.kind);
          log::warn("jobs.claim_lost", {{"job", job.id}, {"kind", job.kind}});
          return;
        }
        error = st.error().detail;
      }
    }
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  if (error.empty()) {
    metrics::inc("tend_jobs_done_total", "kind", job.kind);
    return;
  }
  record_failure(job, error);
}

void JobQueue::record_failure(const Job& job, const std::string& error) {
  const bool dead = rules::exhausted(job.attempts, job.max_attempts);
  const std::int64_t now = now_ms();
  try {
    db_.write([&](sql::Conn& c) {
      if (dead) {
        c.exec(
            "UPDATE jobs SET state = 'dead', finished_at = ?, claimed_until = NULL, "
            "last_error = ? WHERE id = ? AND claimed_by = ? AND state = 'running'",
            {now, bounded(error), job.id, instance_});
      } else {
        c.exec(
            "UPDATE jobs SET state = 'pending', due_at = ?, claimed_until = NULL, "
            "last_error = ? WHERE id = ? AND claimed_by = ? AND state = 'running'",
            {now + rules::retry_delay(job.attempts).count(), bounded(error), job.id, instance_});
      }
    });
  } catch (const std::exception& e) {
    // The lease runs out and the job is claimed again: nothing is lost.
    log::error("jobs.record_failure_failed", {{"job", job.id}, {"error", e.what()}});
  }
  metrics::inc(dead ? "tend_jobs_dead_total" : "tend_jobs_failed_total", "kind", job.kind);
  log::warn(
      dead ? "jobs.dead" : "jobs.failed",
      {{"job", job.id}, {"kind", job.kind}, {"attempt", job.attempts}, {"error", bounded(error)}});
}

std::optional<TimePoint> JobQueue::next_due() {
  std::vector<std::string> kinds;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, _] : handlers_) kinds.push_back(k);
    for (const auto& [k, _] : external_) kinds.push_back(k);
  }
  std::string query = "SELECT MIN(due_at) FROM jobs WHERE state = 'pending'";
  sql::Params params;
  if (!kinds.empty()) {
    query += " AND kind IN (";
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      query += i == 0 ? "?" : ", ?";
      params.emplace_back(kinds[i]);
    }
    query += ")";
  }
  auto r = db_.read([&](sql::Conn& c) { return c.query_one(query, params); });
  if (!r || r->is_null(0)) return std::nullopt;
  return from_unix_ms(r->i64(0));
}

std::vector<Job> JobQueue::list(const std::string& state, int limit) {
  const std::int64_t n = std::clamp(limit, 1, 1000);
  return db_.read([&](sql::Conn& c) {
    auto rows = state.empty()
                    ? c.query(std::string("SELECT ") + k_columns +
                                  " FROM jobs ORDER BY due_at DESC, id LIMIT ?",
                              {n})
                    : c.query(std::string("SELECT ") + k_columns +
                                  " FROM jobs WHERE state = ? ORDER BY due_at DESC, id LIMIT ?",
                              {state, n});
    std::vector<Job> out;
    for (const auto& r : rows) out.push_back(job_from_row(r));
    return out;
  });
}

Result<Job> JobQueue::get(const std::string& id) {
  auto r = db_.read([&](sql::Conn& c) {
    return c.query_one(std::string("SELECT ") + k_columns + " FROM jobs WHERE id = ?", {id});
  });
  if (!r) return make_error(Errc::NotFound, "no job " + id);
  return job_from_row(*r);
}

Result<Job> JobQueue::change_state(const std::string& id, const std::string& update,
                                   sql::Params params, const std::string& refusal,
                                   const std::function<void(sql::Conn&)>& also) {
  params.emplace_back(id);
  return db_.write([&](sql::Conn& c) -> Result<Job> {
    const auto n = c.exec(update, params);
    auto r = c.query_one(std::string("SELECT ") + k_columns + " FROM jobs WHERE id = ?", {id});
    if (!r) return make_error(Errc::NotFound, "no job " + id);
    Job j = job_from_row(*r);
    if (n != 1) return make_error(Errc::Conflict, "job " + id + " is " + j.state + "; " + refusal);
    if (also) also(c);
    return j;
  });
}

Result<Job> JobQueue::retry(const std::string& id, const std::function<void(sql::Conn&)>& also) {
  return change_state(id,
                      "UPDATE jobs SET state = 'pending', due_at = ?, attempts = 0, "
                      "finished_at = NULL, claimed_by = NULL, claimed_until = NULL "
                      "WHERE state IN ('dead', 'cancelled') AND id = ?",
                      {now_ms()}, "only dead or cancelled jobs can be retried", also);
}

Result<Job> JobQueue::cancel(const std::string& id, const std::function<void(sql::Conn&)>& also) {
  return change_state(
      id, "UPDATE jobs SET state = 'cancelled', finished_at = ? WHERE state = 'pending' AND id = ?",
      {now_ms()}, "only pending jobs can be cancelled", also);
}

std::map<std::string, std::int64_t> JobQueue::counts() {
  std::map<std::string, std::int64_t> out{
      {"pending", 0}, {"running", 0}, {"done", 0}, {"dead", 0}, {"cancelled", 0}};
  auto rows = db_.read(
      [](sql::Conn& c) { return c.query("SELECT state, COUNT(*) FROM jobs GROUP BY state"); });
  for (const auto& r : rows) out[r.str(0)] = r.i64(1);
  return out;
}

JobRunner::JobRunner(JobQueue& queue, std::chrono::milliseconds poll)
    : queue_(queue), poll_(poll) {}

JobRunner::~JobRunner() {
  stop();
}

void JobRunner::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  // A commit may call this after the runner is gone (a write in flight at shutdown): the
  // callback holds the link, not the runner, and stop() cuts the link.
  link_ = std::make_shared<Link>();
  link_->runner = this;
  queue_.set_on_enqueued([link = link_] {
    std::lock_guard l(link->mu);
    if (link->runner != nullptr) link->runner->wake();
  });
  thread_ = std::thread([this] { loop(); });
}

void JobRunner::stop() {
  queue_.set_on_enqueued({});
  if (link_) {
    std::lock_guard l(link_->mu);
    link_->runner = nullptr;
  }
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void JobRunner::loop() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    int ran = 0;
    try {
      ran = queue_.run_due(50);
    } catch (const std::exception& e) {
      log::error("jobs.run_failed", {{"error", e.what()}});
    }
    if (ran > 0) continue;  // there may be more due right now
    // Sleep until the earliest pending job is due, so a deadline fires on time rather than up
    // to a poll late; at most `poll`, so jobs other instances add are seen. A millisecond past
    // the due time: a job due this instant is claimable once the clock has moved past it. A job
    // already due that nothing here claimed (a kind this instance does not run) waits for the
    // poll, or the loop would spin on it.
    auto wait = poll_;
    try {
      if (auto next = queue_.next_due()) {
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(*next - queue_.now());
        if (until >= std::chrono::milliseconds(0)) {
          wait = std::min(until + std::chrono::milliseconds(1), poll_);
        }
      }
    } catch (const std::exception& e) {
      log::error("jobs.next_due_failed", {{"error", e.what()}});
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [&] { return stop_ || woken_; });
  }
}

}  // namespace tend::jobs
