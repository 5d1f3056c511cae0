// Assessment use cases on a real database (SQLite, and PostgreSQL in the .pg run): scoring and
// storing with change, refusals that leave nothing behind, Idempotency-Key, the portal,
// AssessmentScored listeners and live events, schedules and reminders, single-use links, and
// imported questionnaires.

#include "assessment/service.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "platform/events/hub.h"
#include "support/domain.h"

namespace tend::assessment {
namespace {

namespace bj = boost::json;
using access::Role;
using namespace std::chrono_literals;

//! A Domain with the assessment service on it (and a live-event hub that stores events).
struct Fixture {
  testing::Domain d;
  Library lib;
  events::EventHub hub{*d.db, d.clock};
  std::unique_ptr<AssessmentService> svc;
  access::Principal clin = d.user("clin", Role::Clinician);
  std::string client_id;

  Fixture() {
    lib.load_embedded();
    svc = std::make_unique<AssessmentService>(*d.db, d.clock, *d.audit, *d.access, lib);
    svc->set_events(&hub);
    client_id = d.client(clin, "Ada", "Lovelace").id;
  }

  std::int64_t count(const std::string& sql, const sql::Params& p = {}) {
    return d.db->read([&](sql::Conn& c) { return c.query_one(sql, p)->i64(0); });
  }
};

//! PHQ-9 answers adding up to `total`, item 9 set to `item9`.
Answers phq9(int total, int item9 = 0) {
  Answers a;
  int left = total - item9;
  for (int i = 1; i <= 8; ++i) {
    const int v = std::min(3, std::max(0, left));
    a["q" + std::to_string(i)] = v;
    left -= v;
  }
  a["q9"] = item9;
  return a;
}

Submission sub(const std::string& instrument, Answers a, const std::string& key = "") {
  Submission s;
  s.instrument = instrument;
  s.answers = std::move(a);
  s.idempotency_key = key;
  return s;
}

TEST(AssessmentService, ScoresStoresAndReportsChangeSinceThePreviousAndTheFirst) {
  Fixture f;
  auto first = f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(16)));
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_FALSE(first->replayed);
  const auto& a = first->assessment;
  EXPECT_EQ(*a.score.total, 16);
  EXPECT_EQ(a.score.band->code, "moderately_severe");
  EXPECT_TRUE(*a.score.is_case);
  EXPECT_FALSE(a.since_previous);
  EXPECT_EQ(a.via, "session");
  EXPECT_EQ(a.entered_by, f.clin.user_id);

  f.d.clock.advance(14 * 24h);
  auto second = f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(9)));
  ASSERT_TRUE(second);
  const auto& prev = *second->assessment.since_previous;
  EXPECT_EQ(prev.delta, -7);
  EXPECT_EQ(prev.classification, "reliable_improvement");
  const auto& from_first = *second->assessment.since_first;
  EXPECT_EQ(from_first.from_id, a.id);
  EXPECT_TRUE(*from_first.recovered);
  EXPECT_TRUE(*from_first.reliable_recovery);
  EXPECT_FALSE(*from_first.response) << "9 is not half of 16";

  auto history = f.svc->history(f.clin, f.client_id, std::string("phq-9"), 50);
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].id, second->assessment.id) << "newest first";
  EXPECT_EQ(f.d.audit_count("action = 'create' AND resource_kind = 'assessment' AND client_id = ?",
                            {f.client_id}),
            2);
  EXPECT_EQ(f.d.audit_count("action = 'read' AND resource_kind = 'assessments'"), 1);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM events WHERE type = 'assessment.scored'"), 2);
}

TEST(AssessmentService, ALateEntryTakesItsPlaceByCompletionTime) {
  Fixture f;
  const auto t0 =
      std::chrono::duration_cast<std::chrono::milliseconds>(f.d.clock.now().time_since_epoch())
          .count();
  ASSERT_TRUE(f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(20))));
  Submission late = sub("phq-9", phq9(12));
  late.completed_at_ms = t0 - 7 * 24 * 3600 * 1000LL;
  auto r = f.svc->submit(f.clin, f.client_id, late);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->assessment.since_previous) << "the late entry is now the first result";
  auto h = f.svc->history(f.clin, f.client_id, std::nullopt, 10);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].since_first->from_id, r->assessment.id);
  EXPECT_EQ((*h)[0].since_previous->delta, 8);
  EXPECT_EQ((*h)[0].since_previous->classification, "reliable_deterioration");
}

TEST(AssessmentService, RefusalsNameTheProblemAndStoreNothing) {
  Fixture f;
  auto unknown = f.svc->submit(f.clin, f.client_id, sub("phq-99", phq9(3)));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::Validation);
  EXPECT_EQ(unknown.error().errors[0].field, "instrument");

  Answers bad = phq9(3);
  bad.erase("q9");
  bad["q1"] = 7;
  auto wrong = f.svc->submit(f.clin, f.client_id, sub("phq-9", bad));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::Validation);
  EXPECT_EQ(wrong.error().errors[0].field, "answers.q1");

  Submission parent = sub("phq-9", phq9(3));
  parent.rater = Rater::Parent;
  auto rater = f.svc->submit(f.clin, f.client_id, parent);
  ASSERT_FALSE(rater);
  EXPECT_EQ(rater.error().errors[0].field, "rater");

  Submission future = sub("phq-9", phq9(3));
  future.completed_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               (f.d.clock.now() + 1h).time_since_epoch())
                               .count();
  auto fut = f.svc->submit(f.clin, f.client_id, future);
  ASSERT_FALSE(fut);
  EXPECT_EQ(fut.error().errors[0].field, "completed_at");

  auto stranger = f.d.user("other", Role::Clinician);
  auto s = f.svc->submit(stranger, f.client_id, sub("phq-9", phq9(3)));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::NotFound) << "a record the caller may not read is not found";
  auto desk = f.d.user("desk", Role::FrontDesk);
  auto fd = f.svc->submit(desk, f.client_id, sub("phq-9", phq9(3)));
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, Errc::Forbidden);
  EXPECT_FALSE(f.svc->history(desk, f.client_id, std::nullopt, 10));

  ASSERT_TRUE(f.d.clients->set_archived(f.clin, f.client_id, true));
  auto archived = f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(3)));
  ASSERT_FALSE(archived);
  EXPECT_EQ(archived.error().code, Errc::Conflict);

  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessments"), 0);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM events WHERE type = 'assessment.scored'"), 0);
}

TEST(AssessmentService, AnIdempotencyKeyStoresARetryOnceAndRefusesReuseForOtherAnswers) {
  Fixture f;
  auto a = f.svc->submit(
      f.clin, f.client_id,
      sub("gad-7", {{"q1", 1}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}, {"q7", 1}},
          "key-1"));
  ASSERT_TRUE(a) << a.error().detail;
  auto again = f.svc->submit(
      f.clin, f.client_id,
      sub("gad-7", {{"q1", 1}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}, {"q7", 1}},
          "key-1"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->assessment.id, a->assessment.id);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessments"), 1);
  auto other = f.svc->submit(
      f.clin, f.client_id,
      sub("gad-7", {{"q1", 3}, {"q2", 1}, {"q3", 1}, {"q4", 1}, {"q5", 1}, {"q6", 1}, {"q7", 1}},
          "key-1"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::Conflict);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessments"), 1);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM events WHERE type = 'assessment.scored'"), 1);
}

TEST(AssessmentService, AClientAnswersForThemselvesInThePortalAndNobodyElse) {
  Fixture f;
  auto me = f.d.user("ada", Role::Client, f.client_id);
  auto other_client = f.d.client(f.clin, "Grace", "Hopper").id;
  auto r = f.svc->submit(me, f.client_id, sub("phq-9", phq9(4)));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->assessment.via, "portal");
  EXPECT_EQ(r->assessment.rater, Rater::Self);
  EXPECT_TRUE(f.svc->history(me, f.client_id, std::nullopt, 10));
  auto theirs = f.svc->submit(me, other_client, sub("phq-9", phq9(4)));
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().code, Errc::NotFound);
  EXPECT_FALSE(f.svc->history(me, other_client, std::nullopt, 10));
  Submission as_clin = sub("phq-9", phq9(4));
  as_clin.rater = Rater::Clinician;
  EXPECT_FALSE(f.svc->submit(me, f.client_id, as_clin));
  EXPECT_FALSE(f.svc->add_schedule(me, f.client_id, "phq-9", 14, std::nullopt, std::nullopt));
  EXPECT_FALSE(f.svc->due(me));
  Answers dast;
  for (int i = 1; i <= 10; ++i) dast["q" + std::to_string(i)] = 0;
  EXPECT_FALSE(f.svc->submit(me, f.client_id, sub("dast-10", dast)))
      << "no wording to show the client: answered with a clinician";
  ASSERT_TRUE(f.svc->add_schedule(f.clin, f.client_id, "dast-10", 30, std::nullopt, std::nullopt));
  ASSERT_TRUE(f.svc->add_schedule(f.clin, f.client_id, "gad-7", 14, std::nullopt, std::nullopt));
  const auto mine = f.svc->schedules(me, f.client_id);
  ASSERT_TRUE(mine);
  for (const auto& st : *mine) {
    EXPECT_EQ(st.self_answerable, st.schedule.instrument_id == "gad-7")
        << st.schedule.instrument_id;
  }
}

TEST(AssessmentService, ListenersHearEveryScoredResultInsideItsTransaction) {
  Fixture f;
  std::vector<AssessmentScored> heard;
  f.svc->on_scored([&](sql::Conn&, const AssessmentScored& e) { heard.push_back(e); });
  ASSERT_TRUE(f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(12, 1))));
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].client_id, f.client_id);
  EXPECT_EQ(heard[0].instrument_id, "phq-9");
  ASSERT_EQ(heard[0].flags.size(), 1u);
  EXPECT_EQ(heard[0].flags[0].code, "suicidal_ideation");
  EXPECT_EQ(heard[0].flags[0].severity, Severity::Critical);
  const auto data = f.d.db->read([&](sql::Conn& c) {
    return c.query_one("SELECT data FROM events WHERE type = 'assessment.scored'")->str(0);
  });
  EXPECT_NE(data.find("suicidal_ideation"), std::string::npos);
  EXPECT_EQ(data.find("Lovelace"), std::string::npos) << "ids and states only";

  // A listener that fails stops the result from being stored: never a result without its alert.
  f.svc->on_scored([](sql::Conn&, const AssessmentScored&) { throw std::runtime_error("down"); });
  EXPECT_THROW((void)f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(3))), std::runtime_error);
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessments"), 1);
}

TEST(AssessmentService, SchedulesComeDueGoOverdueAndMoveOnWithEachResult) {
  Fixture f;
  auto st = f.svc->add_schedule(f.clin, f.client_id, "phq-9", 14, std::nullopt, std::nullopt);
  ASSERT_TRUE(st) << st.error().detail;
  EXPECT_EQ(st->next_due->due_date, f.svc->today());
  auto dup = f.svc->add_schedule(f.clin, f.client_id, "phq-9", 7, std::nullopt, std::nullopt);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::Conflict);
  auto bad =
      f.svc->add_schedule(f.clin, f.client_id, "nope", 0, std::string("2026-02-30"), std::nullopt);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().errors.size(), 3u);

  auto due = f.svc->due(f.clin);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].client_name, "Ada Lovelace");
  EXPECT_FALSE((*due)[0].due.overdue);
  auto stranger = f.d.user("other", Role::Clinician);
  EXPECT_TRUE(f.svc->due(stranger)->empty());

  EXPECT_EQ(f.d.db->write([&](sql::Conn& c) { return f.svc->remind_due(c); }), 1);
  EXPECT_EQ(f.d.db->write([&](sql::Conn& c) { return f.svc->remind_due(c); }), 0)
      << "one reminder per due date";

  ASSERT_TRUE(f.svc->submit(f.clin, f.client_id, sub("phq-9", phq9(8))));
  EXPECT_TRUE(f.svc->due(f.clin)->empty());
  f.d.clock.advance(18 * 24h);
  due = f.svc->due(f.clin);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_TRUE((*due)[0].due.overdue);
  EXPECT_EQ((*due)[0].due.days_overdue, 4);
  EXPECT_EQ(f.d.db->write([&](sql::Conn& c) { return f.svc->remind_due(c); }), 1);

  auto stopped = f.svc->stop_schedule(f.clin, f.client_id, st->schedule.id);
  ASSERT_TRUE(stopped);
  EXPECT_FALSE(stopped->schedule.active);
  EXPECT_FALSE(stopped->next_due);
  EXPECT_TRUE(f.svc->due(f.clin)->empty());
  auto list = f.svc->schedules(f.clin, f.client_id);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE(f.svc->stop_schedule(f.clin, f.client_id, "sch_nope"));
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM events WHERE type = 'assessment.due'"), 2);
}

TEST(AssessmentService, ASingleUseLinkIsAnsweredOnceAndExpires) {
  Fixture f;
  auto link = f.svc->create_link(f.clin, f.client_id, "phq-9", Rater::Self, 48);
  ASSERT_TRUE(link) << link.error().detail;
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessment_links WHERE token_hash = ?", {link->token}), 0)
      << "the token itself is never stored";
  auto info = f.svc->open_link(link->token);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->instrument->id, "phq-9");

  Answers bad = phq9(5);
  bad.erase("q2");
  auto refused = f.svc->submit_link(link->token, bad, "k1", "127.0.0.1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().errors[0].field, "answers.q2");
  EXPECT_TRUE(f.svc->open_link(link->token)) << "a refused submission does not use the link";

  auto receipt = f.svc->submit_link(link->token, phq9(14, 2), "k1", "127.0.0.1");
  ASSERT_TRUE(receipt) << receipt.error().detail;
  EXPECT_TRUE(receipt->needs_follow_up);
  EXPECT_EQ(receipt->band->code, "moderate");
  auto retry = f.svc->submit_link(link->token, phq9(14, 2), "k1", "127.0.0.1");
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->replayed);
  auto reuse = f.svc->submit_link(link->token, phq9(3), "k2", "127.0.0.1");
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().code, Errc::NotFound);
  EXPECT_FALSE(f.svc->open_link(link->token));
  EXPECT_EQ(f.count("SELECT COUNT(*) FROM assessments WHERE via = 'link'"), 1);
  EXPECT_EQ(f.d.audit_count("actor_role = 'respondent' AND client_id = ?", {f.client_id}), 1);

  auto short_link = f.svc->create_link(f.clin, f.client_id, "gad-7", Rater::Self, 1);
  f.d.clock.advance(61min);
  EXPECT_FALSE(f.svc->open_link(short_link->token));
  EXPECT_FALSE(f.svc->submit_link(short_link->token, {{"q1", 0}}, "", ""));
  EXPECT_FALSE(f.svc->open_link("not-a-token"));
  EXPECT_FALSE(f.svc->create_link(f.clin, f.client_id, "phq-9", Rater::Teacher, 24))
      << "teachers do not answer the PHQ-9";
  EXPECT_FALSE(f.svc->create_link(f.clin, f.client_id, "phq-9", Rater::Self, 1000));
  auto unworded = f.svc->create_link(f.clin, f.client_id, "dast-10", Rater::Self, 24);
  ASSERT_FALSE(unworded) << "a form without its wording cannot be sent";
  EXPECT_EQ(unworded.error().errors[0].field, "instrument");
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/../shared/fixtures/fhir/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AssessmentService, APublishedPhq9ImportsAndScoresLikeTheBuiltIn) {
  Fixture f;
  const auto q = bj::parse(fixture("lhc-phq9-questionnaire.json")).as_object();
  auto peer = f.d.user("peer", Role::PeerSupport);
  EXPECT_EQ(f.svc->import(peer, q, "lhc-phq-9").error().code, Errc::Forbidden);
  auto in = f.svc->import(f.clin, q, "lhc-phq-9");
  ASSERT_TRUE(in) << in.error().detail;
  EXPECT_TRUE((*in)->imported);
  EXPECT_EQ(f.svc->import(f.clin, q, "lhc-phq-9").error().code, Errc::Conflict);
  EXPECT_EQ(f.svc->import(f.clin, q, "phq-9").error().code, Errc::Conflict);
  EXPECT_EQ(f.svc->import(f.clin, q, "Bad Id").error().code, Errc::Validation);

  // The same answers through both: the same total, band and flag.
  const auto builtin = f.lib.find("phq-9");
  const auto& total_items = (*in)->total->items;
  ASSERT_EQ(total_items.size(), 9u);
  Answers theirs;
  const Answers ours = phq9(17, 2);
  for (int i = 0; i < 9; ++i) theirs[total_items[i]] = ours.at("q" + std::to_string(i + 1));
  auto a = f.svc->submit(f.clin, f.client_id, sub("lhc-phq-9", theirs));
  auto b = f.svc->submit(f.clin, f.client_id, sub("phq-9", ours));
  ASSERT_TRUE(a) << a.error().detail;
  ASSERT_TRUE(b);
  EXPECT_EQ(*a->assessment.score.total, *b->assessment.score.total);
  EXPECT_EQ(a->assessment.score.band->code, b->assessment.score.band->code);
  ASSERT_EQ(a->assessment.score.flags.size(), 1u);
  EXPECT_EQ(a->assessment.score.flags[0].code, "suicidal_ideation");

  // Another instance (a new library on the same database) finds it.
  Library fresh;
  fresh.load_embedded();
  AssessmentService other(*f.d.db, f.d.clock, *f.d.audit, *f.d.access, fresh);
  EXPECT_TRUE(other.instrument("lhc-phq-9"));
}

}  // namespace
}  // namespace tend::assessment
