#include "platform/events/hub.h"

#include <algorithm>
#include <deque>

#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/sql/postgres.h"

namespace tend::events {

namespace {

constexpr const char* k_channel = "tend_events";
// A stream ends after this long; the browser's EventSource reconnects at once (with
// Last-Event-ID), which re-checks the caller's session, so a revoked session stops receiving.
constexpr auto k_stream_lifetime = std::chrono::minutes(10);

std::int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

//! One event in the text/event-stream format (https://html.spec.whatwg.org/#server-sent-events).
std::string format(std::int64_t seq, const std::string& type, const std::string& data) {
  std::string out = "id: " + std::to_string(seq) + "\nevent: " + type + "\ndata: ";
  for (char ch : data) {
    if (ch == '\n') {
      out += "\ndata: ";
    } else if (ch != '\r') {
      out += ch;
    }
  }
  out += "\n\n";
  return out;
}

}  // namespace

//! One open event stream of one user; the HTTP server pulls from it (http::Stream).
class Subscription final : public http::Stream {
 public:
  Subscription(EventHub& hub, std::string user_id)
      : hub_(hub),
        user_id_(std::move(user_id)),
        ends_at_(std::chrono::steady_clock::now() + k_stream_lifetime) {
    queue_.push_back("retry: 3000\n\n");
  }

  const std::string& user_id() const { return user_id_; }

  void attach(std::function<void()> wake) override {
    bool ready = false;
    {
      std::lock_guard lock(mu_);
      wake_ = std::move(wake);
      ready = !queue_.empty() || ended_;
    }
    if (ready) wake_now();
  }

  std::string take(bool& ended) override {
    std::lock_guard lock(mu_);
    std::string out;
    for (auto& e : queue_) out += e;
    queue_.clear();
    if (std::chrono::steady_clock::now() >= ends_at_) ended_ = true;
    ended = ended_;
    return out;
  }

  void detach() override {
    {
      std::lock_guard lock(mu_);
      wake_ = nullptr;
      ended_ = true;
    }
    hub_.forget(this);
  }

  //! Queues an event unless it was already queued (numbers only grow) or the reader is too
  //! far behind, in which case the stream ends and the client catches up on reconnecting.
  void deliver(std::int64_t seq, const std::string& text) {
    {
      std::lock_guard lock(mu_);
      if (ended_) return;
      if (loading_) {
        held_.emplace_back(seq, text);
        return;
      }
      if (!push(seq, text)) return;
    }
    wake_now();
  }

  //! Called once the backlog is queued: events that arrived meanwhile follow it, in order.
  void loaded(std::int64_t last_backlog_seq, bool backlog_full) {
    {
      std::lock_guard lock(mu_);
      loading_ = false;
      last_seq_ = std::max(last_seq_, last_backlog_seq);
      if (backlog_full) {
        ended_ = true;  // the rest comes on reconnection, from where this left off
      } else {
        for (auto& [seq, text] : held_) push(seq, text);
      }
      held_.clear();
    }
    wake_now();
  }

  void backlog(std::int64_t seq, const std::string& text) {
    std::lock_guard lock(mu_);
    if (seq <= last_seq_) return;
    queue_.push_back(text);
    last_seq_ = seq;
  }

  void set_floor(std::int64_t seq) {
    std::lock_guard lock(mu_);
    last_seq_ = seq;
  }

  void end() {
    {
      std::lock_guard lock(mu_);
      ended_ = true;
    }
    wake_now();
  }

 private:
  //! Under mu_. False when nothing was queued.
  bool push(std::int64_t seq, const std::string& text) {
    if (seq <= last_seq_) return false;
    if (queue_.size() >= EventHub::k_queue_limit) {
      if (!ended_) metrics::inc("tend_events_slow_readers_total");
      ended_ = true;
      return true;  // wake, so the stream ends
    }
    queue_.push_back(text);
    last_seq_ = seq;
    return true;
  }

  void wake_now() {
    std::function<void()> w;
    {
      std::lock_guard lock(mu_);
      w = wake_;
    }
    if (w) w();
  }

  EventHub& hub_;
  const std::string user_id_;
  const std::chrono::steady_clock::time_point ends_at_;
  std::mutex mu_;
  std::function<void()> wake_;
  std::deque<std::string> queue_;
  std::vector<std::pair<std::int64_t, std::string>> held_;
  std::int64_t last_seq_ = 0;
  bool loading_ = true;
  bool ended_ = false;
};

EventHub::EventHub(sql::Db& db, const Clock& clock, std::string pg_url)
    : db_(db), clock_(clock), pg_url_(std::move(pg_url)) {}

EventHub::~EventHub() {
  stop();
}

void EventHub::start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stop_ = false;
  cursor_ = db_.read(
      [](sql::Conn& c) { return c.query_one("SELECT seq FROM event_head WHERE id = 1")->i64(0); });
  dispatcher_ = std::thread([this] { dispatch_loop(); });
  if (!pg_url_.empty()) listener_ = std::thread([this] { listen_loop(); });
}

void EventHub::stop() {
  std::vector<std::shared_ptr<Subscription>> open;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    for (auto& [_, weak] : by_user_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  cv_.notify_all();
  for (auto& s : open) s->end();
  if (dispatcher_.joinable()) dispatcher_.join();
  if (listener_.joinable()) listener_.join();
  std::lock_guard lock(mu_);
  started_ = false;
}

std::int64_t EventHub::publish(sql::Conn& c, const NewEvent& e) {
  c.exec("UPDATE event_head SET seq = seq + 1 WHERE id = 1");
  const std::int64_t seq = c.query_one("SELECT seq FROM event_head WHERE id = 1")->i64(0);
  c.exec("INSERT INTO events (seq, type, data, created_at) VALUES (?, ?, ?, ?)",
         {seq, e.type, e.data, to_ms(clock_.now())});
  std::set<std::string> users(e.user_ids.begin(), e.user_ids.end());
  for (const auto& u : users) {
    c.exec("INSERT INTO event_audience (user_id, seq) VALUES (?, ?)", {u, seq});
  }
  if (c.dialect() == sql::Dialect::Postgres) {
    // Sent by PostgreSQL at commit, to every instance listening (this one included).
    c.exec("SELECT pg_notify(?, ?)", {std::string(k_channel), std::to_string(seq)});
  }
  c.after_commit([this] { poke(); });
  metrics::inc("tend_events_published_total", "type", e.type);
  return seq;
}

std::shared_ptr<http::Stream> EventHub::subscribe(const std::string& user_id,
                                                  std::optional<std::int64_t> last_seen) {
  auto s = std::make_shared<Subscription>(*this, user_id);
  {
    std::lock_guard lock(mu_);
    by_user_.emplace(user_id, s);
  }
  // Registered first, then the backlog read: an event committed in between is either in the
  // backlog or held and queued after it, never lost; duplicates are dropped by number.
  std::int64_t last = 0;
  bool full = false;
  if (last_seen) {
    s->set_floor(*last_seen);
    auto rows = db_.read([&](sql::Conn& c) {
      return c.query(
          "SELECT e.seq, e.type, e.data FROM event_audience a JOIN events e ON e.seq = a.seq "
          "WHERE a.user_id = ? AND a.seq > ? ORDER BY a.seq LIMIT ?",
          {user_id, *last_seen, std::int64_t{k_backlog_limit}});
    });
    for (const auto& r : rows) {
      s->backlog(r.i64(0), format(r.i64(0), r.str(1), r.str(2)));
      last = r.i64(0);
    }
    full = rows.size() >= static_cast<std::size_t>(k_backlog_limit);
  } else {
    last = db_.read([](sql::Conn& c) {
      return c.query_one("SELECT seq FROM event_head WHERE id = 1")->i64(0);
    });
    s->set_floor(last);
  }
  s->loaded(last, full);
  metrics::inc("tend_events_streams_opened_total");
  return s;
}

std::size_t EventHub::streams() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [_, weak] : by_user_) n += weak.expired() ? 0 : 1;
  return n;
}

void EventHub::forget(Subscription* s) {
  std::lock_guard lock(mu_);
  for (auto it = by_user_.begin(); it != by_user_.end();) {
    auto locked = it->second.lock();
    if (!locked || locked.get() == s) {
      it = by_user_.erase(it);
    } else {
      ++it;
    }
  }
}

void EventHub::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

std::int64_t EventHub::prune(sql::Conn& c, std::chrono::hours age) {
  const std::int64_t before = to_ms(clock_.now() - age);
  c.exec("DELETE FROM event_audience WHERE seq IN (SELECT seq FROM events WHERE created_at < ?)",
         {before});
  return c.exec("DELETE FROM events WHERE created_at < ?", {before});
}

void EventHub::dispatch_loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Woken by a commit here or a NOTIFY from another instance; the time-out is a safety
      // net that costs one small read a second.
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_ || poked_; });
      if (stop_) return;
      poked_ = false;
    }
    try {
      dispatch_new();
    } catch (const std::exception& e) {
      log::warn("events.dispatch_failed", {{"error", e.what()}});
    }
  }
}

void EventHub::dispatch_new() {
  for (;;) {
    std::int64_t from = 0;
    {
      std::lock_guard lock(mu_);
      from = cursor_;
    }
    auto head = db_.read([&](sql::Conn& c) {
      auto h = c.query_one("SELECT seq FROM event_head WHERE id = 1")->i64(0);
      auto rows = c.query(
          "SELECT e.seq, e.type, e.data, a.user_id FROM events e "
          "JOIN event_audience a ON a.seq = e.seq WHERE e.seq > ? AND e.seq <= ? "
          "ORDER BY e.seq LIMIT 2000",
          {from, h});
      return std::make_pair(h, std::move(rows));
    });
    const auto& rows = head.second;
    // A full page may end part-way through one event's audience: stop before that event,
    // unless it is the only one (an audience over 2,000 is delivered in one go).
    std::int64_t reached = rows.size() < 2000 ? head.first : rows.back().i64(0) - 1;
    if (reached <= from && !rows.empty()) reached = rows.back().i64(0);
    std::vector<std::pair<std::shared_ptr<Subscription>, std::size_t>> targets;
    {
      std::lock_guard lock(mu_);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].i64(0) > reached) break;
        auto range = by_user_.equal_range(rows[i].str(3));
        for (auto it = range.first; it != range.second; ++it) {
          if (auto s = it->second.lock()) targets.emplace_back(std::move(s), i);
        }
      }
      cursor_ = std::max(cursor_, reached);
    }
    for (auto& [s, i] : targets) {
      s->deliver(rows[i].i64(0), format(rows[i].i64(0), rows[i].str(1), rows[i].str(2)));
    }
    if (rows.size() < 2000) return;
  }
}

void EventHub::listen_loop() {
  std::unique_ptr<sql::PgListener> listener;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    try {
      if (!listener) {
        listener = sql::open_pg_listener(pg_url_);
        listener->listen(k_channel);
        poke();  // anything committed while we were not listening
      }
      if (!listener->wait(500).empty()) poke();
    } catch (const std::exception& e) {
      log::warn("events.listener_failed", {{"error", e.what()}});
      listener.reset();
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
    }
  }
}

}  // namespace tend::events
