// The event hub on a real database (SQLite, and PostgreSQL in the .pg run): an event reaches
// the streams of exactly the users in its audience once its write commits, never when the
// write rolls back; Last-Event-ID resumes; a reader that falls too far behind is cut off.

#include "platform/events/hub.h"

#include <gtest/gtest.h>

#include "support/domain.h"

namespace tend::events {
namespace {

using namespace std::chrono_literals;
using testing::Domain;

// Pulls from a stream the way the HTTP server does: take() whenever the waker fires.
class Reader {
 public:
  explicit Reader(std::shared_ptr<http::Stream> s) : stream_(std::move(s)) {
    stream_->attach([this] {
      std::lock_guard lock(mu_);
      woken_ = true;
      cv_.notify_all();
    });
  }
  ~Reader() { stream_->detach(); }
  //! Waits (bounded) until what was taken contains `text`.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 5s) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      pull();
      if (text_.find(text) != std::string::npos) return true;
      std::unique_lock lock(mu_);
      if (!cv_.wait_until(lock, until, [&] { return woken_; })) return false;
      woken_ = false;
    }
  }
  void pull() {
    bool ended = false;
    text_ += stream_->take(ended);
    ended_ = ended_ || ended;
  }
  const std::string& text() const { return text_; }
  bool ended() const { return ended_; }

 private:
  std::shared_ptr<http::Stream> stream_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::string text_;
  bool ended_ = false;
};

std::int64_t publish(Domain& d, EventHub& hub, const std::string& type,
                     std::vector<std::string> users) {
  return d.db->write([&](sql::Conn& c) {
    return hub.publish(c, {type, "{\"n\":1}", std::move(users)});
  });
}

TEST(EventHub, DeliversToTheAudienceOnlyAndOnlyAfterCommit) {
  Domain d;
  EventHub hub(*d.db, d.clock);
  hub.start();
  Reader ann(hub.subscribe("us_ann", std::nullopt));
  Reader bob(hub.subscribe("us_bob", std::nullopt));
  EXPECT_EQ(hub.streams(), 2u);
  const auto seq = publish(d, hub, "test.for_ann", {"us_ann"});
  ASSERT_TRUE(ann.wait_for("event: test.for_ann"));
  EXPECT_NE(ann.text().find("id: " + std::to_string(seq) + "\n"), std::string::npos);
  EXPECT_NE(ann.text().find("data: {\"n\":1}\n\n"), std::string::npos);
  // A write that rolls back publishes nothing.
  auto st = d.db->write([&](sql::Conn& c) -> Status {
    hub.publish(c, {"test.rolled_back", "{}", {"us_ann", "us_bob"}});
    return make_error(Errc::Validation, "no");
  });
  EXPECT_FALSE(st.ok());
  publish(d, hub, "test.for_both", {"us_ann", "us_bob", "us_ann"});
  ASSERT_TRUE(bob.wait_for("event: test.for_both"));
  ASSERT_TRUE(ann.wait_for("event: test.for_both"));
  EXPECT_EQ(bob.text().find("test.for_ann"), std::string::npos);
  EXPECT_EQ(ann.text().find("test.rolled_back"), std::string::npos);
  EXPECT_EQ(bob.text().find("test.rolled_back"), std::string::npos);
  // Listed once even when the audience names a user twice.
  const auto first = ann.text().find("event: test.for_both");
  EXPECT_EQ(ann.text().find("event: test.for_both", first + 1), std::string::npos);
  hub.stop();
}

TEST(EventHub, LastEventIdResumesWithWhatWasMissed) {
  Domain d;
  EventHub hub(*d.db, d.clock);
  hub.start();
  const auto one = publish(d, hub, "test.one", {"us_ann"});
  publish(d, hub, "test.other_user", {"us_bob"});
  publish(d, hub, "test.two", {"us_ann"});
  publish(d, hub, "test.three", {"us_ann"});
  Reader resumed(hub.subscribe("us_ann", one));
  ASSERT_TRUE(resumed.wait_for("event: test.three"));
  EXPECT_EQ(resumed.text().find("test.one"), std::string::npos);
  EXPECT_EQ(resumed.text().find("test.other_user"), std::string::npos);
  EXPECT_LT(resumed.text().find("test.two"), resumed.text().find("test.three"));
  // New ones follow the backlog.
  publish(d, hub, "test.four", {"us_ann"});
  EXPECT_TRUE(resumed.wait_for("event: test.four"));
  // Without Last-Event-ID only new events come.
  Reader fresh(hub.subscribe("us_ann", std::nullopt));
  publish(d, hub, "test.five", {"us_ann"});
  ASSERT_TRUE(fresh.wait_for("event: test.five"));
  EXPECT_EQ(fresh.text().find("test.four"), std::string::npos);
  hub.stop();
}

TEST(EventHub, AReaderTooFarBehindIsCutOffAndCatchesUpOnReconnecting) {
  Domain d;
  EventHub hub(*d.db, d.clock);
  hub.start();
  auto slow_stream = hub.subscribe("us_ann", std::nullopt);
  bool woken = false;
  slow_stream->attach([&] { woken = true; });  // never reads
  std::int64_t last = 0;
  for (std::size_t i = 0; i < EventHub::k_queue_limit + 10; ++i) {
    last = publish(d, hub, "test.flood", {"us_ann"});
  }
  // The dispatcher has delivered up to `last` once a fresh stream sees a later event.
  Reader probe(hub.subscribe("us_ann", std::nullopt));
  publish(d, hub, "test.marker", {"us_ann"});
  ASSERT_TRUE(probe.wait_for("test.marker"));
  bool ended = false;
  const std::string got = slow_stream->take(ended);
  EXPECT_TRUE(ended);
  EXPECT_TRUE(woken);
  slow_stream->detach();
  // Reconnecting from the last id it saw brings the rest, from the database.
  const auto last_seen = std::stoll(got.substr(got.rfind("id: ") + 4));
  Reader again(hub.subscribe("us_ann", last_seen));
  EXPECT_TRUE(again.wait_for("id: " + std::to_string(last) + "\n"));
  hub.stop();
}

TEST(EventHub, StopEndsEveryStreamAndPruneForgetsOldEvents) {
  Domain d;
  EventHub hub(*d.db, d.clock);
  hub.start();
  publish(d, hub, "test.old", {"us_ann"});
  Reader r(hub.subscribe("us_ann", std::nullopt));
  hub.stop();
  r.pull();
  EXPECT_TRUE(r.ended());
  d.clock.advance(25h);
  EXPECT_EQ(d.db->write([&](sql::Conn& c) { return hub.prune(c); }), 1);
  EXPECT_EQ(d.db->read([](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM event_audience")->i64(0);
  }),
            0);
}

}  // namespace
}  // namespace tend::events
