#pragma once
// Small helpers for tests that coordinate threads, and counters read from the metrics. Nothing
// here waits for time to pass: a missing party fails the test after a generous bound.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <string>

#include "platform/metrics.h"
#include "platform/sql/db.h"

namespace tend::testing {

// Lets `n` threads meet. A missing thread fails the test after a generous bound instead of
// hanging it; nothing here waits for time to pass.
class Rendezvous {
 public:
  explicit Rendezvous(int n) : missing_(n) {}
  bool arrive_and_wait() {
    std::unique_lock lock(mu_);
    if (--missing_ <= 0) cv_.notify_all();
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return missing_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int missing_;
};

// A gate a write job can hold the writer thread at, so that other writes queue behind it and
// form one batch.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Commits made so far by every database in the process (tend_db_commits_total).
inline std::uint64_t commits_so_far() {
  std::istringstream in(metrics::render());
  std::string line;
  const std::string name = "tend_db_commits_total ";
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return std::stoull(line.substr(name.size()));
  }
  return 0;
}

inline std::int64_t count_rows(sql::Db& db, const std::string& table) {
  return db.read(
      [&](sql::Conn& c) { return c.query_one("SELECT count(*) FROM " + table)->i64(0); });
}

}  // namespace tend::testing
