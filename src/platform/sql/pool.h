#pragma once
// What the SQLite and PostgreSQL drivers share (internal to platform/sql): the pool of reader
// connections and the queue in front of the one writer thread.
//
// The writer queue: run() queues a caller's job and waits; the writer thread takes every queued
// job (up to max_batch) and hands the batch to the driver's commit function, which runs the
// jobs in one transaction and commits once; then each caller is woken alone (a condition
// variable per job, not one shared by every waiting request).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "platform/metrics.h"
#include "platform/sql/db.h"

namespace tend::sql::detail {

//! One caller's transaction, owned by the caller, who waits until `done`.
struct WriteJob {
  const std::function<bool(Conn&)>* fn = nullptr;
  std::exception_ptr error;  //!< what the caller gets thrown, if anything
  std::mutex mu;             //!< guards `done`
  std::condition_variable cv;
  bool done = false;  //!< set once the batch has committed or failed
};

class WriteQueue {
 public:
  using Commit = std::function<void(const std::vector<WriteJob*>&)>;

  //! `owner` is the database served; its writer thread is known by it (on_writer_thread()).
  WriteQueue(const Db* owner, std::size_t max_batch)
      : owner_(owner), max_batch_(std::max<std::size_t>(max_batch, 1)) {}
  ~WriteQueue() { stop(); }
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  //! Starts the writer thread. `commit` runs every batch on it and never throws.
  void start(Commit commit) {
    commit_ = std::move(commit);
    thread_ = std::thread([this] { loop(); });
  }

  //! Queues `fn`, waits until its batch is durable or failed, and rethrows its error.
  void run(const std::function<bool(Conn&)>& fn) {
    WriteJob job;
    job.fn = &fn;
    {
      std::lock_guard lock(mu_);
      if (stopping_) throw DbError(DbError::Kind::Closed, "database is closed");
      queue_.push_back(&job);
    }
    cv_.notify_one();
    {
      std::unique_lock lock(job.mu);
      job.cv.wait(lock, [&] { return job.done; });
    }
    if (job.error) std::rethrow_exception(job.error);
  }

  //! Refuses new jobs, finishes the queued ones, joins the thread. Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  //! True on the writer thread of `db`: read(), write() and close() from a write job would
  //! deadlock or read around the job's own transaction, so the drivers refuse them there.
  static bool on_writer_thread(const Db* db) { return current() == db; }

 private:
  static const Db*& current() {
    thread_local const Db* owner = nullptr;
    return owner;
  }

  void loop() {
    current() = owner_;
    std::vector<WriteJob*> batch;
    for (;;) {
      batch.clear();
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and every queued job is done
        while (!queue_.empty() && batch.size() < max_batch_) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      commit_(batch);
      for (WriteJob* job : batch) {
        // Notified under the job's lock: the caller cannot destroy the job before we let go.
        std::lock_guard lock(job->mu);
        job->done = true;
        job->cv.notify_one();
      }
    }
  }

  const Db* owner_;
  const std::size_t max_batch_;
  Commit commit_;
  std::mutex mu_;
  std::condition_variable cv_;  // the writer waits for jobs
  std::deque<WriteJob*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

//! Reader connections lent out one read at a time.
template <class C>
class ReaderPool {
 public:
  void add(std::unique_ptr<C> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(conn.get());
    all_.push_back(std::move(conn));
  }

  //! Waits for an idle connection. Throws DbError(Closed) once the pool is closing.
  C& borrow() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || !idle_.empty(); });
    if (closed_) throw DbError(DbError::Kind::Closed, "database is closed");
    C* conn = idle_.back();
    idle_.pop_back();
    return *conn;
  }

  void give_back(C& conn) {
    bool closing = false;
    {
      std::lock_guard lock(mu_);
      idle_.push_back(&conn);
      closing = closed_;
    }
    if (closing) {
      cv_.notify_all();  // close() waits for every reader to come back
    } else {
      cv_.notify_one();  // one borrower can take this reader
    }
  }

  //! Refuses new borrowers, waits for every connection to come back, closes them all.
  void close() {
    {
      std::unique_lock lock(mu_);
      closed_ = true;
      cv_.notify_all();  // waiting borrowers give up
      cv_.wait(lock, [&] { return idle_.size() == all_.size(); });
    }
    idle_.clear();
    all_.clear();
  }

  //! Borrows a connection for the scope of a read.
  class Lease {
   public:
    explicit Lease(ReaderPool& pool) : pool_(pool), conn_(pool.borrow()) {}
    ~Lease() { pool_.give_back(conn_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    C& conn() { return conn_; }

   private:
    ReaderPool& pool_;
    C& conn_;
  };

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<C>> all_;
  std::vector<C*> idle_;
  bool closed_ = false;
};

//! What both drivers' Db are made of: a reader pool and a write queue, with the rules around
//! them — no read(), write() or close() from inside a write job, timings in /metrics, close()
//! once. A driver adds how a read transaction starts and ends (read_with) and how a batch
//! commits (given to writes_.start), and what else it must let go of on close (release).
template <class C>
class PooledDb : public Db {
 public:
  bool healthy() override {
    try {
      run_read([](Conn& c) { c.query("SELECT 1"); });
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  void close() override {
    refuse_on_writer_thread("close() called from inside a write() job");
    std::lock_guard close_lock(close_mu_);
    if (closed_) return;
    closed_ = true;
    writes_.stop();  // after the writer has finished every queued job
    readers_.close();
    release();
  }

 protected:
  explicit PooledDb(std::size_t max_batch) : writes_(this, max_batch) {}

  //! Runs `fn` in one read transaction on `conn`.
  virtual void read_with(C& conn, const std::function<void(Conn&)>& fn) = 0;
  //! Closes what the driver holds besides the pool and the queue (after both are done).
  virtual void release() = 0;

  void run_read(const std::function<void(Conn&)>& fn) override {
    refuse_on_writer_thread("read() called from inside a write() job; read through the job's Conn");
    Timed timed{"read"};
    typename ReaderPool<C>::Lease lease(readers_);
    read_with(lease.conn(), fn);
  }

  void run_write(const std::function<bool(Conn&)>& fn) override {
    refuse_on_writer_thread("write() called from inside a write() job; use the job's Conn instead");
    Timed timed{"write"};
    writes_.run(fn);
  }

  ReaderPool<C> readers_;
  WriteQueue writes_;

 private:
  //! Observes the time from construction to destruction as tend_db_duration_seconds{kind}.
  struct Timed {
    const char* kind;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    ~Timed() {
      metrics::observe_db(
          kind, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  };

  void refuse_on_writer_thread(const char* what) const {
    if (WriteQueue::on_writer_thread(this)) throw DbError(DbError::Kind::Other, what);
  }

  std::mutex close_mu_;
  bool closed_ = false;
};

}  // namespace tend::sql::detail
