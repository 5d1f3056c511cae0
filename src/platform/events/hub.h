#pragma once
//! Live events: modules publish domain events inside their write transactions; the hub
//! delivers each, once it has committed, to the open event streams of the users allowed to see
//! it (GET /api/v1/events, server-sent events).
//!
//! - Stored first (events, event_audience), numbered in commit order from a head row, so a
//!   client that reconnects with Last-Event-ID gets exactly what it missed (up to a day back).
//! - Delivered in process through an after-commit callback; with PostgreSQL, a NOTIFY on
//!   `tend_events` (sent at commit) wakes every other instance, which reads the new rows and
//!   delivers them to its own streams.
//! - Back-pressure: each stream holds at most k_queue_limit undelivered events; a reader that
//!   falls further behind has its stream ended, and catches up from the database when it
//!   reconnects with Last-Event-ID.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/http/message.h"
#include "platform/sql/db.h"

namespace tend::events {

struct NewEvent {
  std::string type;                   //!< "client.updated", "crisis.alert" …
  std::string data = "{}";            //!< JSON object text: ids and states only
  std::vector<std::string> user_ids;  //!< who may see it
};

class Subscription;

class EventHub {
 public:
  static constexpr std::size_t k_queue_limit = 256;
  static constexpr int k_backlog_limit = 1000;

  //! `pg_url` is the PostgreSQL URL to LISTEN on (empty with SQLite: one process).
  EventHub(sql::Db& db, const Clock& clock, std::string pg_url = {});
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  //! Starts the dispatcher (and, with PostgreSQL, the listener). Idempotent.
  void start();
  //! Ends every stream and stops the threads. Idempotent.
  void stop();

  //! Stores `e` in the caller's write transaction; delivered once that commits. Returns its
  //! number (the SSE id).
  std::int64_t publish(sql::Conn& c, const NewEvent& e);

  //! A stream of `user_id`'s events after `last_seen` (from Last-Event-ID; none: only new ones).
  std::shared_ptr<http::Stream> subscribe(const std::string& user_id,
                                          std::optional<std::int64_t> last_seen);

  //! Open streams (for /metrics and tests).
  std::size_t streams() const;

  //! Deletes events older than `age` in the caller's write; returns how many.
  std::int64_t prune(sql::Conn& c, std::chrono::hours age = std::chrono::hours(24));

  //! Wakes the dispatcher: new events may have committed.
  void poke();

 private:
  friend class Subscription;
  void dispatch_loop();
  void listen_loop();
  void dispatch_new();
  void forget(Subscription* s);

  sql::Db& db_;
  const Clock& clock_;
  std::string pg_url_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool poked_ = false;
  bool stop_ = false;
  bool started_ = false;
  std::int64_t cursor_ = 0;  // highest event number dispatched
  std::multimap<std::string, std::weak_ptr<Subscription>> by_user_;
  std::thread dispatcher_;
  std::thread listener_;
};

}  // namespace tend::events
