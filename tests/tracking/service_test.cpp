// Daily check-in use cases on a real database (SQLite, and PostgreSQL in the .pg run) under a
// fake clock: recording and replacing a day, the crisis signal built from the earlier
// check-ins, the care team's view without unshared notes, and reminders run by two instances
// on one database (one e-mail), a failed send retried until it goes, and none once the client
// has checked in.

#include "tracking/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>
#include <thread>

#include "platform/content.h"
#include "support/domain.h"

namespace tend::tracking {
namespace {

namespace bj = boost::json;
using access::Role;
using namespace std::chrono_literals;

struct Instance {
  std::unique_ptr<jobs::JobQueue> queue;
  std::unique_ptr<crisis::CrisisService> crisis;
  std::unique_ptr<TrackingService> tracking;
};

struct Fixture {
  testing::Domain d;
  access::Principal clinician = d.user("primary", Role::Clinician);
  access::Principal stranger = d.user("stranger", Role::Clinician);
  std::string client_id = d.client(clinician, "Ada", "Lovelace").id;
  access::Principal ada = d.user("ada", Role::Client, client_id);
  std::mutex mu;                               // guards sent: both instances send
  std::vector<std::vector<std::string>> sent;  // recipients of each e-mail
  bool mail_down = false;
  Instance one = instance("test:1");
  Instance two = instance("test:2");

  Instance instance(const std::string& name) {
    Instance i;
    i.queue = std::make_unique<jobs::JobQueue>(*d.db, d.clock, name);
    i.crisis = std::make_unique<crisis::CrisisService>(*d.db, d.clock, d.keys, *d.audit, *d.access,
                                                       *i.queue, crisis::rules::built_in(),
                                                       crisis::CrisisSettings{});
    i.crisis->register_jobs();
    auto factors = rules::load_factors(content::embedded());
    EXPECT_TRUE(factors);
    auto zone = TimeZone::load("Europe/London");
    EXPECT_TRUE(zone) << zone.error().detail;
    i.tracking = std::make_unique<TrackingService>(*d.db, d.clock, d.keys, *d.audit, *d.access,
                                                   *i.crisis, std::move(*factors), *zone);
    i.tracking->set_reminders(i.queue.get(), "https://tend.example.org",
                              [this](const std::vector<std::string>& to, const std::string&,
                                     const std::string&) -> Status {
                                if (mail_down) {
                                  return make_error(Errc::Unavailable, "smtp 127.0.0.1: down");
                                }
                                std::lock_guard lock(mu);
                                sent.push_back(to);
                                return ok_status();
                              });
    return i;
  }
  Result<Recorded> record(const bj::object& body, const std::string& key = "") {
    return one.tracking->record(ada, body,
                                key.empty() ? std::nullopt : std::optional<std::string>(key));
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return d.db->read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  void run_both() {
    for (int i = 0; i < 2; ++i) {
      one.queue->run_due();
      two.queue->run_due();
    }
  }
  //! Both instances at once, each on its own thread, as two servers would.
  void run_concurrently() {
    std::thread a([this] {
      for (int i = 0; i < 3; ++i) one.queue->run_due();
    });
    std::thread b([this] {
      for (int i = 0; i < 3; ++i) two.queue->run_due();
    });
    a.join();
    b.join();
  }
};

std::string day(const std::string& today, int ago) {
  return *rules::shift_date(today, -ago);
}

TEST(TrackingService, RecordsReplacesAndFeedsCrisisWithTheEarlierCheckIns) {
  Fixture f;
  const std::string today = f.one.tracking->today();
  // 2026-11-18T11:06Z is 11:06 in London in November (GMT).
  EXPECT_EQ(today, "2026-11-18");
  for (int ago = 4; ago >= 1; --ago) {
    auto r = f.record(bj::object{{"date", day(today, ago)}, {"mood", 8}});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->answer.at("alert_raised"), false);
  }
  auto first = f.record(bj::object{{"date", today}, {"mood", 6}, {"note", "private"}}, "k1");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->answer.at("alert_raised"), false);  // a drop of 2
  auto drop = f.record(bj::object{{"date", today}, {"mood", 3}}, "k2");
  ASSERT_TRUE(drop);
  EXPECT_EQ(drop->status, 200);
  EXPECT_EQ(drop->answer.at("id"), first->answer.at("id"));
  EXPECT_EQ(drop->answer.at("alert_raised"), true);  // 5 below the mean of 8
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts WHERE client_id = ? AND level = "
                    "'moderate'",
                    {f.client_id}),
            1);
  // A replay of k1 is the answer then, and changes nothing.
  auto replay = f.record(bj::object{{"date", today}, {"mood", 6}, {"note", "private"}}, "k1");
  ASSERT_TRUE(replay);
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(replay->answer, first->answer);
  EXPECT_EQ(f.count("SELECT mood FROM tracking_check_ins WHERE local_date = ?", {today}), 3);

  // Staff see it without the unshared note; someone off the team does not see it at all.
  auto record_note = f.record(bj::object{{"date", day(today, 1)}, {"mood", 8}, {"note", "mine"}});
  ASSERT_TRUE(record_note);
  auto seen = f.one.tracking->for_client(f.clinician, f.client_id, std::nullopt, std::nullopt);
  ASSERT_TRUE(seen) << seen.error().detail;
  ASSERT_EQ(seen->items.size(), 5u);
  for (const auto& s : seen->items) EXPECT_EQ(s.check_in.note, "") << s.check_in.date;
  auto mine = f.one.tracking->mine(f.ada, std::nullopt, std::nullopt);
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->at(3).check_in.note, "mine");
  auto refused = f.one.tracking->for_client(f.stranger, f.client_id, std::nullopt, std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::NotFound);
  // Staff record nothing through the client's route.
  EXPECT_FALSE(
      f.one.tracking->record(f.clinician, bj::object{{"date", today}, {"mood", 5}}, std::nullopt));
}

TEST(TrackingService, TwoInstancesSendOneReminderAndAFailedSendIsRetriedUntilItGoes) {
  Fixture f;
  f.d.db->write([&](sql::Conn& c) {
    c.exec("UPDATE clients SET email = 'ada@example.org', consent_email = 1 WHERE id = ?",
           {f.client_id});
    c.exec(
        "INSERT INTO portal_preferences (client_id, check_in_reminder, updated_at) VALUES (?, "
        "'19:30', ?)",
        {f.client_id, f.d.clock.unix_ms()});
    f.one.tracking->schedule_reminder_sweep(c);
    f.two.tracking->schedule_reminder_sweep(c);  // a sweep is pending: no second chain
  });
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM jobs WHERE kind = 'tracking.reminder_sweep'"), 1);
  // A second chain anyway (as if both had started at once): they merge at the next quarter.
  f.d.db->write([&](sql::Conn& c) {
    jobs::NewJob j;
    j.kind = "tracking.reminder_sweep";
    j.due = f.d.clock.now();
    j.dedupe_key = "other";
    f.two.queue->enqueue(c, j);
  });
  f.d.clock.set(1'795'000'000 + 8 * 3600 + 1800);  // 19:36 London
  f.run_concurrently();
  f.run_both();
  ASSERT_EQ(f.sent.size(), 1u);
  EXPECT_EQ(f.sent[0], std::vector<std::string>{"ada@example.org"});
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM jobs WHERE kind = 'tracking.reminder_sweep' AND state "
                    "= 'pending'"),
            1);
  f.d.clock.advance(2h);
  f.run_both();
  EXPECT_EQ(f.sent.size(), 1u);

  // The next day the mail server is down at 19:30: kept, retried with back-off, then sent once.
  f.mail_down = true;
  f.d.clock.advance(22h);
  f.run_both();
  EXPECT_EQ(f.sent.size(), 1u);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM jobs WHERE kind = 'tracking.check_in_reminder' AND "
                    "state = 'pending' AND attempts = 1"),
            1);
  f.mail_down = false;
  f.d.clock.advance(11s);
  f.run_both();
  EXPECT_EQ(f.sent.size(), 2u);
  f.d.clock.advance(1h);
  f.run_both();
  EXPECT_EQ(f.sent.size(), 2u);

  // The day after, Ada checks in at noon: no reminder that evening.
  f.d.clock.advance(16h);
  ASSERT_TRUE(f.record(bj::object{{"date", f.one.tracking->today()}, {"mood", 7}}));
  f.d.clock.advance(8h);
  f.run_both();
  EXPECT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM tracking_reminders WHERE outcome = 'checked_in'"), 1);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM tracking_reminders WHERE outcome = 'sent'"), 2);
}

}  // namespace
}  // namespace tend::tracking
