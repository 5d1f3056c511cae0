// Crisis use cases on a real database (SQLite, and PostgreSQL in the .pg run) under a fake
// clock: an alert from a measure's risk answer, every step of the escalation chain, the
// acknowledgement that stops it, signals joining and raising an alert, a restart in the middle
// of an escalation, two instances escalating exactly once, failing channels, resolution with
// caring contacts, the roster, the fallback when nobody is on the team, safety plans.

#include "crisis/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

#include "assessment/service.h"
#include "platform/events/hub.h"
#include "support/domain.h"

namespace tend::crisis {
namespace {

namespace bj = boost::json;
using access::Role;
using namespace std::chrono_literals;

struct Sent {
  std::vector<std::string> to;
  std::string subject, body;
};

//! A Domain with the crisis service (and assessment, which raises signals) on it.
struct Fixture {
  testing::Domain d;
  events::EventHub hub{*d.db, d.clock};
  std::unique_ptr<jobs::JobQueue> queue;
  std::unique_ptr<CrisisService> svc;
  assessment::Library lib;
  std::unique_ptr<assessment::AssessmentService> assessments;
  access::Principal primary = d.user("primary", Role::Clinician);
  access::Principal colleague = d.user("colleague", Role::Clinician);
  access::Principal oncall = d.user("oncall", Role::Clinician);
  access::Principal supervisor = d.user("super", Role::Clinician);
  access::Principal stranger = d.user("stranger", Role::Clinician);
  std::string client_id;
  std::vector<Sent> mail;
  bool mail_down = false;
  std::vector<std::string> hooks;

  explicit Fixture(bool with_team = true) {
    queue = std::make_unique<jobs::JobQueue>(*d.db, d.clock, "test:1");
    svc = make_service(*queue);
    lib.load_embedded();
    assessments =
        std::make_unique<assessment::AssessmentService>(*d.db, d.clock, *d.audit, *d.access, lib);
    assessments->on_scored([this](sql::Conn& c, const assessment::AssessmentScored& s) {
      rules::ScoredMeasure m{s.assessment_id, s.instrument_id, s.band, {}};
      for (const auto& fl : s.flags) m.flags.push_back(fl.code);
      svc->on_assessment(c, s.client_id, m);
    });
    client_id = d.client(with_team ? primary : d.admin, "Ada", "Lovelace").id;
    if (with_team) {
      auto added = d.access->add_team_member(primary, client_id, colleague.user_id, "clinician");
      EXPECT_TRUE(added) << added.error().detail;
    }
  }

  std::unique_ptr<CrisisService> make_service(jobs::JobQueue& q) {
    auto s = std::make_unique<CrisisService>(*d.db, d.clock, d.keys, *d.audit, *d.access, q,
                                             rules::built_in(), CrisisSettings{});
    s->set_events(&hub);
    s->set_mail([this](const std::vector<std::string>& to, const std::string& subject,
                       const std::string& body) -> Status {
      if (mail_down) return make_error(Errc::Unavailable, "smtp://127.0.0.1:1: connection refused");
      mail.push_back({to, subject, body});
      return ok_status();
    });
    s->set_webhook([this](const std::string& url, const std::string&, const std::string& body,
                          const std::string&) -> Status {
      hooks.push_back(url + " " + body);
      return ok_status();
    });
    s->register_jobs();
    return s;
  }

  std::int64_t count(const std::string& sql, const sql::Params& p = {}) {
    return d.db->read([&](sql::Conn& c) { return c.query_one(sql, p)->i64(0); });
  }
  std::int64_t timeline_count(const std::string& alert_id, const std::string& kind) {
    return count("SELECT COUNT(*) FROM crisis_timeline WHERE alert_id = ? AND kind = ?",
                 {alert_id, kind});
  }
  //! Events of `type` stored for `user`.
  std::int64_t events_for(const std::string& user, const std::string& type) {
    return count(
        "SELECT COUNT(*) FROM events e JOIN event_audience a ON a.seq = e.seq WHERE "
        "a.user_id = ? AND e.type = ?",
        {user, type});
  }

  //! A PHQ-9 from the portal or a session with item 9 at `item9`.
  std::string phq9(int item9) {
    assessment::Submission s;
    s.instrument = "phq-9";
    for (int i = 1; i <= 8; ++i) s.answers["q" + std::to_string(i)] = 1;
    s.answers["q9"] = item9;
    auto r = assessments->submit(primary, client_id, s);
    EXPECT_TRUE(r) << r.error().detail;
    return r ? r->assessment.id : "";
  }

  Alert only_alert() {
    auto all = svc->list(primary, "active", client_id, 10);
    EXPECT_TRUE(all);
    EXPECT_EQ(all->size(), 1U);
    return all->empty() ? Alert{} : all->front();
  }

  void on_call_now(const access::Principal& who, const std::string& kind = "on_call") {
    bj::object body{{"kind", kind},
                    {"user_id", who.user_id},
                    {"time_zone", "UTC"},
                    {"weekly",
                     {{"days", bj::array{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
                      {"start", "00:00"},
                      {"end", "00:00"}}}};
    auto r = svc->add_roster_entry(d.admin, body);
    ASSERT_TRUE(r) << r.error().detail;
  }

  std::set<std::string> recipients(const std::string& alert_id) {
    std::set<std::string> out;
    d.db->read([&](sql::Conn& c) {
      for (const auto& r :
           c.query("SELECT user_id FROM crisis_recipients WHERE alert_id = ?", {alert_id})) {
        out.insert(r.str(0));
      }
    });
    return out;
  }
};

TEST(CrisisService, Phq9Item9OpensAHighAlertForThePrimaryClinicianAtOnce) {
  Fixture f;
  const auto assessment_id = f.phq9(2);
  auto a = f.only_alert();
  EXPECT_EQ(a.level, Level::High);
  EXPECT_EQ(a.status, "open");
  EXPECT_EQ(a.step, 0);  // primary clinician
  EXPECT_EQ(a.client_name, "Ada Lovelace");
  ASSERT_EQ(a.signals.size(), 1U);
  EXPECT_EQ(a.signals[0].source, Source::Assessment);
  EXPECT_EQ(a.signals[0].ref_id, assessment_id);
  EXPECT_NE(a.reason.find("PHQ-9 item 9"), std::string::npos);
  // 15 minutes to acknowledge a high alert.
  EXPECT_EQ(a.deadline_at_ms - a.opened_at_ms, 15 * 60 * 1000);
  EXPECT_EQ(f.recipients(a.id), std::set<std::string>{f.primary.user_id});
  EXPECT_EQ(f.events_for(f.primary.user_id, "crisis.alert"), 1);
  EXPECT_EQ(f.events_for(f.colleague.user_id, "crisis.alert"), 0);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.escalate' AND state = "
                    "'pending'"),
            1);
  // The reason is sealed at rest.
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts WHERE reason LIKE '%PHQ-9%'"), 0);
}

TEST(CrisisService, ItemNineAtZeroRaisesNothing) {
  Fixture f;
  f.phq9(0);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 0);
}

TEST(CrisisService, ACheckInUrgeOrAWatchedPhraseInAMessageRaisesAndJoinsTheAlert) {
  // The hooks the between-sessions modules call, inside their own write: the check-in or
  // message and its alert commit together.
  Fixture f;
  f.d.db->write([&](sql::Conn& c) {
    rules::CheckIn ci;
    ci.id = "ck_1";
    ci.self_harm_urge = 2;  // under the built-in thresholds (3 moderate, 4 high, of 5)
    ci.mood = 6;
    f.svc->on_check_in(c, f.client_id, ci);
  });
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 0);
  f.d.db->write([&](sql::Conn& c) {
    f.svc->on_message(c, f.client_id, "msg_1", "See you Tuesday, thanks for today");
  });
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 0);

  f.d.db->write([&](sql::Conn& c) {
    f.svc->on_message(c, f.client_id, "msg_2", "Honestly I feel HOPELESS lately.");
  });
  auto a = f.only_alert();
  EXPECT_EQ(a.level, Level::Low);
  ASSERT_EQ(a.signals.size(), 1U);
  EXPECT_EQ(a.signals[0].source, Source::Message);
  EXPECT_EQ(a.signals[0].ref_id, "msg_2");
  EXPECT_NE(a.reason.find("hopeless"), std::string::npos) << a.reason;
  EXPECT_EQ(f.events_for(f.primary.user_id, "crisis.alert"), 1);

  // A check-in with a high urge joins the open alert and raises its level.
  f.d.db->write([&](sql::Conn& c) {
    rules::CheckIn ci;
    ci.id = "ck_2";
    ci.self_harm_urge = 5;
    f.svc->on_check_in(c, f.client_id, ci);
  });
  a = f.only_alert();
  EXPECT_EQ(a.level, Level::High);
  ASSERT_EQ(a.signals.size(), 2U);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 1);
  EXPECT_EQ(a.deadline_at_ms - f.d.clock.now().time_since_epoch() / 1ms, 15 * 60 * 1000);
  // The message text itself is not copied into the alert: only the phrase that matched.
  for (const auto& sig : a.signals) {
    EXPECT_EQ(sig.reason.find("lately"), std::string::npos) << sig.reason;
    EXPECT_EQ(sig.reason.find("Honestly"), std::string::npos) << sig.reason;
  }
}

TEST(CrisisService, EscalatesAlongTheChainAtEachDeadlineThenKeepsRenotifying) {
  Fixture f;
  f.on_call_now(f.oncall);
  f.on_call_now(f.supervisor, "supervisor");
  f.phq9(1);
  auto a = f.only_alert();
  // Not yet: one second before the deadline nothing moves.
  f.d.clock.advance(15min - 1s);
  f.queue->run_due();
  EXPECT_EQ(f.only_alert().step, 0);
  // Deadline 1: the rest of the care team.
  f.d.clock.advance(1s);
  f.queue->run_due();
  a = f.only_alert();
  EXPECT_EQ(a.step, 1);
  EXPECT_EQ(f.events_for(f.colleague.user_id, "crisis.alert"), 1);
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 1);
  // Deadline 2: on call.
  f.d.clock.advance(15min);
  f.queue->run_due();
  a = f.only_alert();
  EXPECT_EQ(a.step, 2);
  EXPECT_EQ(f.events_for(f.oncall.user_id, "crisis.alert"), 1);
  // Deadline 3: the supervisor.
  f.d.clock.advance(15min);
  f.queue->run_due();
  a = f.only_alert();
  EXPECT_EQ(a.step, 3);
  EXPECT_EQ(f.events_for(f.supervisor.user_id, "crisis.alert"), 1);
  // Past the end: on call and supervisor again at every deadline.
  for (int round = 1; round <= 3; ++round) {
    f.d.clock.advance(15min);
    f.queue->run_due();
    a = f.only_alert();
    EXPECT_EQ(a.round, round);
    EXPECT_EQ(f.events_for(f.oncall.user_id, "crisis.alert"), 1 + round);
    EXPECT_EQ(f.events_for(f.supervisor.user_id, "crisis.alert"), 1 + round);
  }
  EXPECT_EQ(f.timeline_count(a.id, "renotified"), 3);
  EXPECT_EQ(f.events_for(f.stranger.user_id, "crisis.alert"), 0);
  // Every notification went by e-mail too? No: nobody here has an address.
  EXPECT_TRUE(f.mail.empty());
}

TEST(CrisisService, AcknowledgingStopsTheEscalation) {
  Fixture f;
  f.on_call_now(f.oncall);
  f.phq9(3);
  auto a = f.only_alert();
  auto ack = f.svc->acknowledge(f.primary, a.id);
  ASSERT_TRUE(ack) << ack.error().detail;
  EXPECT_EQ(ack->status, "acknowledged");
  EXPECT_EQ(ack->acknowledged_by->id, f.primary.user_id);
  f.d.clock.advance(2h);
  f.queue->run_due();
  a = f.only_alert();
  EXPECT_EQ(a.step, 0);
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 0);
  EXPECT_EQ(f.events_for(f.oncall.user_id, "crisis.alert"), 0);
  // A second acknowledgement is a conflict that changes nothing.
  auto again = f.svc->acknowledge(f.colleague, a.id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::Conflict);
  EXPECT_EQ(f.timeline_count(a.id, "acknowledged"), 1);
}

TEST(CrisisService, OnlyThoseWhoMaySeeAnAlertCanAcknowledgeIt) {
  Fixture f;
  f.phq9(1);
  auto a = f.only_alert();
  auto r = f.svc->acknowledge(f.stranger, a.id);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::NotFound);
  auto seen = f.svc->get(f.stranger, a.id);
  EXPECT_FALSE(seen);
  auto board = f.svc->list(f.stranger, "active", "", 50);
  ASSERT_TRUE(board);
  EXPECT_TRUE(board->empty());
  // A one-off cover that ended days ago opens nothing.
  const auto window = [&](std::chrono::hours from, std::chrono::hours to) {
    auto added = f.svc->add_roster_entry(
        f.d.admin, bj::object{{"kind", "on_call"},
                              {"user_id", f.stranger.user_id},
                              {"once",
                               {{"starts_at", format_rfc3339(f.d.clock.now() + from)},
                                {"ends_at", format_rfc3339(f.d.clock.now() + to)}}}});
    ASSERT_TRUE(added) << added.error().detail;
  };
  window(-72h, -48h);
  board = f.svc->list(f.stranger, "active", "", 50);
  ASSERT_TRUE(board);
  EXPECT_TRUE(board->empty()) << "an ended roster entry still opened the board";
  EXPECT_FALSE(f.svc->get(f.stranger, a.id));
  // Someone on the roster sees the whole board.
  f.on_call_now(f.stranger);
  board = f.svc->list(f.stranger, "active", "", 50);
  ASSERT_TRUE(board);
  EXPECT_EQ(board->size(), 1U);
}

TEST(CrisisService, ANewSignalJoinsTheOpenAlertAndAMoreUrgentOneRestartsTheChain) {
  Fixture f;
  f.phq9(1);
  auto a = f.only_alert();
  ASSERT_TRUE(f.svc->acknowledge(f.primary, a.id));
  // The same level joins quietly; the acknowledger is told.
  f.phq9(2);
  a = f.only_alert();
  EXPECT_EQ(a.signals.size(), 2U);
  EXPECT_EQ(a.status, "acknowledged");
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 1);
  // "I need help now" is imminent: the alert rises, needs acknowledging again within 5 min.
  {
    auto client = f.d.user("ada", Role::Client, f.client_id);
    auto r = f.svc->help_now(client);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_TRUE(r->joined);
  }
  a = f.only_alert();
  EXPECT_EQ(a.level, Level::Imminent);
  EXPECT_EQ(a.status, "open");
  EXPECT_FALSE(a.acknowledged_by);
  EXPECT_EQ(a.signals.size(), 3U);
  EXPECT_EQ(a.deadline_at_ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  (f.d.clock.now() + 5min).time_since_epoch())
                                  .count());
  EXPECT_EQ(f.timeline_count(a.id, "level_raised"), 1);
  // The old high deadline's job does nothing; the imminent one escalates at 5 minutes.
  f.d.clock.advance(5min);
  f.queue->run_due();
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 1);
  f.d.clock.advance(10min);  // the old 15-minute deadline of the first signal
  f.queue->run_due();
  EXPECT_EQ(f.timeline_count(a.id, "escalated") + f.timeline_count(a.id, "renotified"), 2);
}

TEST(CrisisService, ARestartInTheMiddleOfAnEscalationContinuesEveryDeadline) {
  Fixture f;
  f.on_call_now(f.oncall);
  f.phq9(1);
  f.d.clock.advance(15min);
  f.queue->run_due();
  auto a = f.only_alert();
  ASSERT_EQ(a.step, 1);
  // The process goes away; a new one (new queue, new service) starts on the same database.
  f.svc.reset();
  f.queue.reset();
  auto queue2 = std::make_unique<jobs::JobQueue>(*f.d.db, f.d.clock, "test:2");
  auto svc2 = f.make_service(*queue2);
  f.d.clock.advance(14min);
  queue2->run_due();
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 1);
  f.d.clock.advance(1min);
  queue2->run_due();
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 2);
  EXPECT_EQ(f.events_for(f.oncall.user_id, "crisis.alert"), 1);
}

TEST(CrisisService, TwoInstancesEscalateExactlyOncePerDeadline) {
  Fixture f;
  f.on_call_now(f.oncall);
  f.phq9(1);
  auto a = f.only_alert();
  auto queue2 = std::make_unique<jobs::JobQueue>(*f.d.db, f.d.clock, "test:2");
  auto svc2 = f.make_service(*queue2);
  for (int deadline = 1; deadline <= 4; ++deadline) {
    f.d.clock.advance(15min);
    std::thread t1([&] { f.queue->run_due(); });
    std::thread t2([&] { queue2->run_due(); });
    t1.join();
    t2.join();
    EXPECT_EQ(f.timeline_count(a.id, "escalated") + f.timeline_count(a.id, "renotified"), deadline);
  }
}

TEST(CrisisService, AFailingMailServerNeverStopsTheOtherChannelsAndIsVisible) {
  Fixture f;
  f.d.db->write([&](sql::Conn& c) {
    c.exec("UPDATE users SET email = 'primary@example.org' WHERE id = ?", {f.primary.user_id});
  });
  auto hook = f.svc->add_webhook(
      f.d.admin, bj::object{{"name", "pager"}, {"url", "http://pager.example.org/hook"}});
  ASSERT_TRUE(hook) << hook.error().detail;
  EXPECT_GE(hook->secret.size(), 32U);
  f.mail_down = true;
  f.phq9(2);
  auto a = f.only_alert();
  f.queue->run_due();
  // The live event went out at once, the webhook was delivered, the mail failed visibly.
  EXPECT_EQ(f.events_for(f.primary.user_id, "crisis.alert"), 1);
  ASSERT_EQ(f.hooks.size(), 1U);
  EXPECT_NE(f.hooks[0].find(a.id), std::string::npos);
  EXPECT_EQ(f.hooks[0].find("Ada"), std::string::npos);  // no client name leaves Tend
  EXPECT_EQ(f.timeline_count(a.id, "delivery_failed"), 1);
  EXPECT_EQ(f.timeline_count(a.id, "delivered"), 1);
  EXPECT_EQ(f.events_for(f.primary.user_id, "crisis.delivery_failed"), 1);
  EXPECT_EQ(f.only_alert().deliveries_failed, 1);
  // The mail server comes back: the retry delivers it.
  f.mail_down = false;
  f.d.clock.advance(11s);
  f.queue->run_due();
  ASSERT_EQ(f.mail.size(), 1U);
  EXPECT_EQ(f.mail[0].to, std::vector<std::string>{"primary@example.org"});
  EXPECT_NE(f.mail[0].subject.find("HIGH"), std::string::npos);
  EXPECT_EQ(f.mail[0].body.find("Ada"), std::string::npos);
  EXPECT_NE(f.mail[0].body.find("/alerts/" + a.id), std::string::npos);
  EXPECT_EQ(f.timeline_count(a.id, "delivered"), 2);
}

TEST(CrisisService, ResolvingNeedsAnOutcomeAndSchedulesCaringContacts) {
  Fixture f;
  f.phq9(1);
  auto a = f.only_alert();
  bj::object bad{{"outcome", "went_fishing"}};
  auto r = f.svc->resolve(f.primary, a.id, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Validation);
  EXPECT_EQ(r.error().errors.at(0).field, "outcome");
  auto no_note = f.svc->resolve(f.primary, a.id, bj::object{{"outcome", "no_contact_possible"}});
  ASSERT_FALSE(no_note);
  EXPECT_EQ(no_note.error().errors.at(0).field, "note");
  EXPECT_EQ(f.only_alert().status, "open");  // nothing half-written
  auto done = f.svc->resolve(
      f.colleague, a.id,
      bj::object{{"outcome", "contacted_client"}, {"note", "Spoke by phone; safe tonight."}});
  ASSERT_TRUE(done) << done.error().detail;
  EXPECT_EQ(done->status, "resolved");
  EXPECT_EQ(*done->note, "Spoke by phone; safe tonight.");
  EXPECT_EQ(done->acknowledged_by->id, f.colleague.user_id);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts WHERE note LIKE '%by phone; safe%'"), 0);
  // Caring contacts at 24 h, 72 h and 7 days, owned by the primary clinician.
  auto fus = f.svc->follow_ups(f.primary, "pending", true, "");
  ASSERT_TRUE(fus);
  ASSERT_EQ(fus->size(), 3U);
  EXPECT_EQ((*fus)[0].label, "24 hours");
  EXPECT_FALSE((*fus)[0].overdue);
  // A day and a bit later the first is due, announced, and shows as overdue (missed).
  f.d.clock.advance(25h);
  f.queue->run_due();
  EXPECT_EQ(f.events_for(f.primary.user_id, "crisis.follow_up_due"), 1);
  auto overdue = f.svc->follow_ups(f.primary, "overdue", true, "");
  ASSERT_TRUE(overdue);
  ASSERT_EQ(overdue->size(), 1U);
  auto c =
      f.svc->complete_follow_up(f.primary, (*overdue)[0].id, bj::object{{"result", "reached"}});
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->status, "done");
  auto twice =
      f.svc->complete_follow_up(f.primary, (*overdue)[0].id, bj::object{{"result", "reached"}});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Errc::Conflict);
  // Resolved alerts no longer escalate, and a new signal opens a new alert.
  f.d.clock.advance(1h);
  f.queue->run_due();
  EXPECT_EQ(f.timeline_count(a.id, "escalated"), 0);
  f.phq9(1);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 2);
}

TEST(CrisisService, AClientWithNoTeamAndNoRosterStillReachesSomeone) {
  Fixture f(false);
  auto client = f.d.user("ada", Role::Client, f.client_id);
  auto r = f.svc->help_now(client);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->alert.level, Level::Imminent);
  EXPECT_EQ(f.recipients(r->alert.id), std::set<std::string>{f.d.admin.user_id});
  EXPECT_EQ(f.events_for(f.d.admin.user_id, "crisis.alert"), 1);
}

TEST(CrisisService, AConcernRaisedByHandIsCheckedAndAudited) {
  Fixture f;
  auto bad = f.svc->raise_concern(f.primary, f.client_id, bj::object{{"level", "severe"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::Validation);
  auto stranger =
      f.svc->raise_concern(f.stranger, f.client_id, bj::object{{"level", "high"}, {"reason", "x"}});
  ASSERT_FALSE(stranger);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM crisis_alerts"), 0);
  auto ok = f.svc->raise_concern(
      f.colleague, f.client_id,
      bj::object{{"level", "moderate"}, {"reason", "Said at reception they feel hopeless."}});
  ASSERT_TRUE(ok) << ok.error().detail;
  EXPECT_FALSE(ok->joined);
  EXPECT_EQ(ok->alert.level, Level::Moderate);
  EXPECT_EQ(ok->alert.deadline_at_ms - ok->alert.opened_at_ms, 4 * 3600 * 1000);
  EXPECT_EQ(f.d.audit_count("resource_kind = 'crisis_alert' AND action = 'create'"), 1);
}

TEST(CrisisService, SafetyPlansAreVersionedEncryptedAndWrittenTogether) {
  Fixture f;
  auto client = f.d.user("ada", Role::Client, f.client_id);
  EXPECT_EQ(f.svc->safety_plan(f.primary, f.client_id).error().code, Errc::NotFound);
  bj::object v1{
      {"version", 0},
      {"sections",
       {{"warning_signs", bj::array{"Not sleeping", "  "}},
        {"reasons_for_living", bj::array{"My sister"}},
        {"professionals", bj::array{bj::object{{"name", "Dr Reyes"}, {"phone", "555-0100"}}}}}}};
  auto s1 = f.svc->save_safety_plan(f.primary, f.client_id, v1);
  ASSERT_TRUE(s1) << s1.error().detail;
  EXPECT_EQ(s1->version, 1);
  EXPECT_EQ(s1->sections.warning_signs, std::vector<std::string>{"Not sleeping"});
  // The client edits it in the portal from version 1.
  bj::object v2{{"version", 1},
                {"sections", {{"warning_signs", bj::array{"Not sleeping", "Skipping meals"}}}}};
  auto s2 = f.svc->save_safety_plan(client, f.client_id, v2);
  ASSERT_TRUE(s2) << s2.error().detail;
  EXPECT_EQ(s2->version, 2);
  // A clinician still on version 1 is told, and nothing is stored.
  auto stale = f.svc->save_safety_plan(f.primary, f.client_id, v1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::Conflict);
  auto bad = f.svc->save_safety_plan(
      f.primary, f.client_id,
      bj::object{{"version", 2}, {"sections", {{"warning_signs", "not a list"}, {"other", 1}}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::Validation);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM safety_plans"), 2);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM safety_plans WHERE sections LIKE '%sleeping%'"), 0);
  auto versions = f.svc->safety_plan_versions(f.primary, f.client_id);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->size(), 2U);
  EXPECT_EQ(versions->front().updated_by.id, client.user_id);
  auto old = f.svc->safety_plan(f.primary, f.client_id, 1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->sections.professionals.at(0).name, "Dr Reyes");
  // Someone outside the team cannot read it; another client certainly not.
  EXPECT_FALSE(f.svc->safety_plan(f.stranger, f.client_id));
}

TEST(CrisisService, CrisisLinesFollowTheClientsRegion) {
  Fixture f;
  EXPECT_EQ(f.svc->resources("gb").region, "GB");
  EXPECT_EQ(f.svc->resources("ZZ").region, "US");
  EXPECT_EQ(std::string(f.svc->resources("US").data.at("emergency").at("number").as_string()),
            "911");
}

}  // namespace
}  // namespace tend::crisis
