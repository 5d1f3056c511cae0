// Recurring series, e-mail reminders and the client's change requests over HTTP against the real
// server on loopback (SQLite, and PostgreSQL in the .pg run): a weekly series keeps its
// wall-clock time across the clock change; one clash refuses the whole series (409 naming the
// date and the other booking) and keeps nothing; bad repeats → 422 by field; the rest of a
// series is cancelled in one go; a reminder goes to a real SMTP sink a day ahead only for a
// client who agreed to e-mail, only once, never for a cancelled appointment, and is retried
// when the mail server is down; the client sees their appointments in the portal, asks for a
// change (a call for the clinician), and never reaches anyone else's; the first and second
// attended appointments give the hidden wait.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"
#include "support/peer.h"
#include "support/temp_dir.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class SeriesApi : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> settings = {}) {
    settings.emplace("time_zone", "America/New_York");
    server = std::make_unique<ApiServer>(std::move(settings));
    clin_id = server->add_user("clin", "clinician");
    other_id = server->add_user("other", "clinician");
    clin = server->client_for("clin");
    other = server->client_for("other");
    client_id = new_client("Ada", "Lovelace");
    base = "/api/v1/clients/" + client_id;
    server->add_user("ada", "client", client_id);
    portal = server->client_for("ada");
  }
  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  std::string at(std::chrono::minutes m) { return format_rfc3339(server->clock.now() + m); }
  HttpResponse series(std::chrono::minutes from, int every_weeks, int count_of,
                      bj::object extra = {}) {
    extra["starts_at"] = at(from);
    extra["ends_at"] = at(from + 50min);
    extra["repeat"] = bj::object{{"every_weeks", every_weeks}, {"count", count_of}};
    return clin->post(base + "/appointment-series", extra);
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, portal;
  std::string clin_id, other_id, client_id, base;
};

TEST_F(SeriesApi, AWeeklySeriesKeepsItsLocalTimeAndOneClashRefusesAllOfIt) {
  start();
  // Thursday 22 October 2026 10:00 in New York (14:00 UTC, summer time); the clocks go back on
  // 1 November, so the third session is at 15:00 UTC — still 10:00 on the wall.
  server->clock.set(1'792'497'600);   // 2026-10-20T12:00:00Z
  clin = server->client_for("clin");  // signed in again at the new time
  // A colleague's session in Room 2 on 5 November.
  auto theirs = clin->post(base + "/appointments", bj::object{{"starts_at", "2026-11-05T15:20:00Z"},
                                                              {"ends_at", "2026-11-05T15:50:00Z"},
                                                              {"clinician_id", other_id},
                                                              {"room", "Room 2"}});
  ASSERT_EQ(theirs.status, 201) << theirs.body;
  const std::string theirs_id(theirs.json().at("id").as_string());
  const auto weekly = [&](const std::string& room) {
    return clin->post(base + "/appointment-series",
                      bj::object{{"starts_at", "2026-10-22T14:00:00Z"},
                                 {"ends_at", "2026-10-22T14:50:00Z"},
                                 {"room", room},
                                 {"repeat", bj::object{{"every_weeks", 1}, {"count", 3}}}});
  };
  // The third of a weekly series in Room 2 would meet it: the whole series is refused, naming
  // the date and the other booking, and nothing of it is kept.
  const auto before = count("SELECT COUNT(*) FROM care_appointments");
  auto clash = weekly("Room 2");
  ASSERT_EQ(clash.status, 409) << clash.body;
  EXPECT_EQ(clash.error_fields(), std::vector<std::string>{"room"}) << clash.body;
  const std::string why(clash.json().at("errors").as_array()[0].at("message").as_string());
  EXPECT_NE(why.find("Room 2 is taken on Thu 5 Nov 2026 10:20–10:50 EST"), std::string::npos)
      << why;
  EXPECT_NE(why.find(theirs_id), std::string::npos) << why;
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments"), before) << "nothing half-booked";

  // Thursday 22 October 2026 10:00 in New York (14:00 UTC, summer time); the clocks go back on
  // 1 November, so the third session is at 15:00 UTC — still 10:00 on the wall.
  auto made = weekly("Room 3");
  ASSERT_EQ(made.status, 201) << made.body;
  const auto made_json = made.json();
  const std::string series(made_json.at("series_id").as_string());
  const auto& items = made_json.at("items").as_array();
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(items[0].at("starts_at"), "2026-10-22T14:00:00.000Z");
  EXPECT_EQ(items[1].at("starts_at"), "2026-10-29T14:00:00.000Z");
  EXPECT_EQ(items[2].at("starts_at"), "2026-11-05T15:00:00.000Z");
  for (const auto& a : items) EXPECT_EQ(a.at("series_id"), bj::value(series));

  // Cancel the rest from the second one on.
  auto cancelled =
      clin->post("/api/v1/appointment-series/" + series + "/cancel",
                 bj::object{{"cancelled_by", "client"}, {"from", "2026-10-28T00:00:00Z"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json().at("items").as_array().size(), 2U);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments WHERE series_id = ? AND status = "
                  "'booked'",
                  {series}),
            1);
  auto again = clin->post("/api/v1/appointment-series/" + series + "/cancel",
                          bj::object{{"cancelled_by", "client"}, {"from", "2026-10-28T00:00:00Z"}});
  EXPECT_EQ(again.status, 409) << again.body;
  // Nobody learns of a series they may not see, nor of one that does not exist.
  EXPECT_EQ(portal
                ->post("/api/v1/appointment-series/" + series + "/cancel",
                       bj::object{{"cancelled_by", "client"}})
                .status,
            404);
  EXPECT_EQ(clin->post("/api/v1/appointment-series/as_nothing/cancel",
                       bj::object{{"cancelled_by", "client"}})
                .status,
            404);
}

TEST_F(SeriesApi, BadRepeatsAndTimesAreRefusedByFieldAndNothingIsStored) {
  start();
  const auto day = std::chrono::minutes(3 * 24 * 60);
  const auto refused = [&](HttpResponse r, const std::string& field) {
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << r.body;
  };
  refused(series(day, 0, 4), "repeat.every_weeks");
  refused(series(day, 5, 4), "repeat.every_weeks");
  refused(series(day, 1, 1), "repeat.count");
  refused(series(day, 1, 53), "repeat.count");
  refused(clin->post(base + "/appointment-series",
                     bj::object{{"starts_at", at(day)}, {"ends_at", at(day + 50min)}}),
          "repeat");
  refused(
      clin->post(base + "/appointment-series",
                 bj::object{{"starts_at", at(day)},
                            {"ends_at", at(day + 50min)},
                            {"repeat", bj::object{{"every_weeks", 1}, {"count", 4}, {"x", 1}}}}),
      "repeat.x");
  refused(series(-std::chrono::minutes(367 * 24 * 60), 1, 4), "starts_at");
  auto backwards = clin->post(base + "/appointment-series",
                              bj::object{{"starts_at", at(day)},
                                         {"ends_at", at(day - 10min)},
                                         {"repeat", bj::object{{"every_weeks", 1}, {"count", 4}}}});
  refused(backwards, "ends_at");
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments"), 0);
}

TEST_F(SeriesApi, TheClientSeesTheirOwnAppointmentsAndAsksForAChange) {
  start();
  const std::string bob = new_client("Bob", "Stone");
  auto bobs = clin->post("/api/v1/clients/" + bob + "/appointments",
                         bj::object{{"starts_at", at(48h)}, {"ends_at", at(48h + 50min)}});
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  const std::string bob_appt(bobs.json().at("id").as_string());
  auto s =
      series(24h * 3, 2, 2, {{"mode", "video"}, {"meeting_url", "https://meet.example.org/a"}});
  ASSERT_EQ(s.status, 201) << s.body;
  const auto s_json = s.json();
  const std::string first(s_json.at("items").as_array()[0].at("id").as_string());
  // A past one, attended, is not in the list.
  auto past = clin->post(base + "/appointments",
                         bj::object{{"starts_at", at(-120min)}, {"ends_at", at(-70min)}});
  ASSERT_EQ(past.status, 201) << past.body;

  auto mine = portal->get("/api/v1/me/appointments");
  ASSERT_EQ(mine.status, 200) << mine.body;
  const auto mine_json = mine.json();
  const auto& items = mine_json.at("items").as_array();
  ASSERT_EQ(items.size(), 2U) << mine.body;
  EXPECT_EQ(items[0].at("id"), bj::value(first));
  EXPECT_EQ(items[0].at("meeting_url"), "https://meet.example.org/a");
  EXPECT_EQ(mine.body.find(bob_appt), std::string::npos);
  EXPECT_EQ(mine.body.find("Bob"), std::string::npos);
  // Staff have their own lists; this one is the client's.
  EXPECT_EQ(clin->get("/api/v1/me/appointments").status, 403);

  // Bad requests by field; another client's appointment does not exist for Ada.
  auto bad =
      portal->post("/api/v1/me/appointments/" + first + "/requests", bj::object{{"kind", "swap"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.error_fields(), std::vector<std::string>{"kind"});
  EXPECT_EQ(portal
                ->post("/api/v1/me/appointments/" + bob_appt + "/requests",
                       bj::object{{"kind", "cancel"}})
                .status,
            404);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointment_requests"), 0);

  auto asked =
      portal->post("/api/v1/me/appointments/" + first + "/requests",
                   bj::object{{"kind", "reschedule"}, {"message", "Mornings are hard for me."}});
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string request_id(asked.json().at("id").as_string());
  EXPECT_EQ(asked.json().at("status"), "open");
  auto twice = portal->post("/api/v1/me/appointments/" + first + "/requests",
                            bj::object{{"kind", "cancel"}});
  EXPECT_EQ(twice.status, 409) << twice.body;
  // The message is sealed at rest.
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointment_requests WHERE message LIKE '%Mornings "
                  "are hard%'"),
            0);

  // The clinician sees it on the appointment and has a call to make.
  auto appts = clin->get(base + "/appointments");
  ASSERT_EQ(appts.status, 200);
  const auto appts_json = appts.json();
  bool shown = false;
  for (const auto& a : appts_json.at("items").as_array()) {
    if (a.at("id") == bj::value(first)) {
      shown = a.at("request").is_object() &&
              a.at("request").at("message") == "Mornings are hard for me.";
    }
  }
  EXPECT_TRUE(shown) << appts.body;
  auto tasks = clin->get("/api/v1/tasks");
  ASSERT_EQ(tasks.status, 200);
  EXPECT_NE(tasks.body.find("The client asks to move the appointment of on "), std::string::npos)
      << tasks.body;

  // Declining needs a reason for the client; answering closes the call; twice is refused.
  auto no_reason =
      clin->post("/api/v1/appointment-requests/" + request_id, bj::object{{"status", "declined"}});
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(no_reason.error_fields(), std::vector<std::string>{"answer"});
  EXPECT_EQ(
      portal->post("/api/v1/appointment-requests/" + request_id, bj::object{{"status", "done"}})
          .status,
      404);
  auto answered = clin->post("/api/v1/appointment-requests/" + request_id,
                             bj::object{{"status", "declined"},
                                        {"answer", "We have no morning times; we will call you."}});
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(clin->post("/api/v1/appointment-requests/" + request_id, bj::object{{"status", "done"}})
                .status,
            409);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_tasks WHERE client_id = ? AND status = 'open'", {client_id}),
      0);
  auto requests = portal->get("/api/v1/me/appointment-requests");
  ASSERT_EQ(requests.status, 200);
  EXPECT_NE(requests.body.find("We have no morning times"), std::string::npos);

  // A cancel request is answered by the cancellation itself.
  const std::string second(s_json.at("items").as_array()[1].at("id").as_string());
  auto cancel_ask = portal->post("/api/v1/me/appointments/" + second + "/requests",
                                 bj::object{{"kind", "cancel"}});
  ASSERT_EQ(cancel_ask.status, 201) << cancel_ask.body;
  auto cancelled =
      clin->post("/api/v1/appointments/" + second + "/status",
                 bj::object{{"status", "cancelled"}, {"cancelled_by", "client"}, {"version", 1}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_TRUE(cancelled.json().at("request").is_null());
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointment_requests WHERE status = 'done'"), 1);
  // So is one on an appointment cancelled with the rest of its series.
  auto third = clin->post(base + "/appointment-series",
                          bj::object{{"starts_at", at(24h * 20)},
                                     {"ends_at", at(24h * 20 + 50min)},
                                     {"repeat", bj::object{{"every_weeks", 1}, {"count", 2}}}});
  ASSERT_EQ(third.status, 201) << third.body;
  const auto third_json = third.json();
  const std::string later(third_json.at("items").as_array()[1].at("id").as_string());
  ASSERT_EQ(
      portal->post("/api/v1/me/appointments/" + later + "/requests", bj::object{{"kind", "cancel"}})
          .status,
      201);
  auto rest = clin->post("/api/v1/appointment-series/" +
                             std::string(third_json.at("series_id").as_string()) + "/cancel",
                         bj::object{{"cancelled_by", "client"}});
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointment_requests WHERE status = 'done'"), 2);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_tasks WHERE client_id = ? AND status = 'open'", {client_id}),
      0);
}

TEST_F(SeriesApi, RemindersGoADayAheadOnlyWithConsentOnceAndAreRetriedWhenMailIsDown) {
  TempDir mail_dir;
  auto sink =
      std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
  ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
  start({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(sink->port())},
         {"smtp_from", "appointments@tend.example.org"},
         {"base_url", "https://tend.example.org"}});
  const std::string bob = new_client("Bob", "Stone");
  server->app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE clients SET email = 'ada@example.org', consent_email = 1 WHERE id = ?",
           {client_id});
    c.exec("UPDATE clients SET email = 'bob@example.org', consent_email = 0 WHERE id = ?", {bob});
  });
  const auto book = [&](const std::string& who, std::chrono::minutes from) {
    auto r = clin->post(
        "/api/v1/clients/" + who + "/appointments",
        bj::object{{"starts_at", at(from)}, {"ends_at", at(from + 50min)}, {"room", "Room 2"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  };
  const auto ada1 = book(client_id, 48h);
  const auto ada2 = book(client_id, 72h);
  book(bob, 49h);
  book(client_id, 10h);  // too soon for a reminder a day ahead: none is set
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'care.appointment_reminder'"), 3);
  // The second is cancelled: no reminder for it.
  auto c2 =
      clin->post("/api/v1/appointments/" + ada2 + "/status",
                 bj::object{{"status", "cancelled"}, {"cancelled_by", "service"}, {"version", 1}});
  ASSERT_EQ(c2.status, 200);

  server->app().jobs().run_due();
  EXPECT_TRUE(peer_records(mail_dir.path()).empty()) << "nothing is due yet";
  server->clock.advance(24h + 1min);  // Ada's and Bob's first reminders are due
  server->app().jobs().run_due();
  clin = server->client_for("clin");  // signed in again at the new time
  auto mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 1U) << "only Ada agreed to e-mail";
  EXPECT_EQ(mails[0].at("rcpt_tos").as_array()[0], "ada@example.org");
  EXPECT_NE(std::string(mails[0].at("subject").as_string()).find("Reminder: your appointment on "),
            std::string::npos);
  const std::string body(mails[0].at("body").as_string());
  EXPECT_NE(body.find("Room 2"), std::string::npos);
  EXPECT_NE(body.find("https://tend.example.org/portal"), std::string::npos);
  EXPECT_EQ(body.find("Ada"), std::string::npos);
  EXPECT_EQ(body.find("Lovelace"), std::string::npos);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_appointments WHERE id = ? AND reminded_at > 0", {ada1}), 1);

  // The mail server goes down: a reminder due then is kept and retried, not lost.
  sink.reset();
  const auto ada3 = book(client_id, 30h);
  server->clock.advance(6h + 1min);
  server->app().jobs().run_due();
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'care.appointment_reminder' AND state = "
                  "'pending' AND attempts >= 1"),
            1);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM care_appointments WHERE id = ? AND reminded_at > 0", {ada3}), 0);
  // The failure names the server, never the client or the time.
  const auto error = server->app().db().read([&](sql::Conn& c) {
    return c
        .query_one(
            "SELECT last_error FROM jobs WHERE kind = 'care.appointment_reminder' AND "
            "state = 'pending' AND attempts >= 1")
        ->str(0);
  });
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find("Ada"), std::string::npos);
}

TEST_F(SeriesApi, TheHiddenWaitBetweenTheFirstAndSecondAppointments) {
  start();
  auto ep = clin->post(base + "/episodes",
                       bj::object{{"program", "Adult counselling"},
                                  {"referral_source", "self"},
                                  {"referral_reason", "Low mood."},
                                  {"referred_on", format_date(server->clock.now() - 24h * 30)}});
  ASSERT_EQ(ep.status, 201) << ep.body;
  const std::string episode(ep.json().at("id").as_string());
  const auto seen = [&](std::chrono::hours ago) {
    auto r = clin->post(base + "/appointments",
                        bj::object{{"starts_at", format_rfc3339(server->clock.now() - ago)},
                                   {"ends_at", format_rfc3339(server->clock.now() - ago + 50min)}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  };
  const auto first = seen(2h);
  auto a1 = clin->post("/api/v1/appointments/" + first + "/status",
                       bj::object{{"status", "attended"}, {"version", 1}});
  ASSERT_EQ(a1.status, 200) << a1.body;
  server->clock.advance(24h * 14);
  clin = server->client_for("clin");  // signed in again at the new time
  const auto second = seen(2h);
  auto a2 = clin->post("/api/v1/appointments/" + second + "/status",
                       bj::object{{"status", "attended"}, {"version", 1}});
  ASSERT_EQ(a2.status, 200) << a2.body;

  auto got = clin->get("/api/v1/episodes/" + episode);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().at("first_seen_on"),
            bj::value(format_date(server->clock.now() - 24h * 14 - 2h)));
  EXPECT_EQ(got.json().at("second_seen_on"), bj::value(format_date(server->clock.now() - 2h)));
  auto waits = clin->get("/api/v1/episodes/waits");
  ASSERT_EQ(waits.status, 200) << waits.body;
  const auto w = waits.json().at("items").as_array()[0];
  EXPECT_EQ(w.at("seen_once"), 1);
  EXPECT_EQ(w.at("seen_twice"), 1);
  EXPECT_EQ(w.at("first_to_second_median_days"), 14);
  EXPECT_EQ(w.at("referral_to_first_median_days"), 30);
}

}  // namespace
}  // namespace tend::testing
