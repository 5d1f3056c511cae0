// Appointments over HTTP against the real server on loopback (SQLite, and PostgreSQL in the
// .pg run): booking, a clinician or room double-booked → 409 naming the other appointment,
// back to back allowed, bad times → 422 by field and nothing stored; what happened (arrived,
// attended, cancelled late by the client, no-show → a follow-up call); the calendar, where a
// colleague sees busy times but not who with.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

class AppointmentApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    clin_id = server->add_user("clin", "clinician");
    other_id = server->add_user("other", "clinician");
    server->add_user("desk", "front_desk");
    clin = server->client_for("clin");
    other = server->client_for("other");
    desk = server->client_for("desk");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    ASSERT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
  }
  //! The server's time `minutes` from now, as RFC 3339.
  std::string at(int minutes) { return format_rfc3339(server->clock.now() + 1min * minutes); }
  std::int64_t count(const std::string& sql) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(sql)->i64(0); });
  }
  HttpResponse book(HttpClient& who, int from, int to, bj::object extra = {}) {
    extra["starts_at"] = at(from);
    extra["ends_at"] = at(to);
    return who.post(base + "/appointments", extra);
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, desk;
  std::string clin_id, other_id, client_id, base;
};

TEST_F(AppointmentApi, DoubleBookingIsRefusedNamingTheOtherAndBadTimesByField) {
  const int day = 3 * 24 * 60;  // three days ahead
  auto first = book(*clin, day, day + 50, {{"room", "Room 2"}});
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string first_id(first.json().at("id").as_string());
  EXPECT_EQ(first.json().at("status"), "booked");
  EXPECT_EQ(first.json().at("clinician").at("id"), bj::value(clin_id));
  // The clinician is busy: 409 naming the appointment in the way.
  auto clash = book(*clin, day + 30, day + 80);
  EXPECT_EQ(clash.status, 409) << clash.body;
  EXPECT_NE(clash.body.find(first_id), std::string::npos) << clash.body;
  EXPECT_EQ(clash.error_fields(), std::vector<std::string>{"clinician_id"});
  // The room is taken, even for another clinician.
  auto room = desk->post(base + "/appointments", bj::object{{"starts_at", at(day + 10)},
                                                            {"ends_at", at(day + 40)},
                                                            {"clinician_id", other_id},
                                                            {"room", "Room 2"}});
  EXPECT_EQ(room.status, 409) << room.body;
  EXPECT_EQ(room.error_fields(), std::vector<std::string>{"room"});
  // Back to back is fine; so is another room at the same time for another clinician.
  EXPECT_EQ(book(*clin, day + 50, day + 100).status, 201);
  EXPECT_EQ(desk->post(base + "/appointments", bj::object{{"starts_at", at(day)},
                                                          {"ends_at", at(day + 50)},
                                                          {"clinician_id", other_id},
                                                          {"room", "Room 3"}})
                .status,
            201);
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments"), 3);
  // Bad input, by field; nothing stored.
  const std::vector<std::pair<bj::object, std::string>> bad = {
      {{{"starts_at", "tomorrow"}, {"ends_at", at(day)}}, "starts_at"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 190)}}, "ends_at"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 202)}}, "ends_at"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 200 + 9 * 60)}}, "ends_at"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 250)}, {"mode", "video"}},
       "meeting_url"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 250)}, {"mode", "zoom"}}, "mode"},
      {{{"starts_at", at(day + 200)}, {"ends_at", at(day + 250)}, {"clinician_id", "us_nobody"}},
       "clinician_id"},
  };
  for (const auto& [body, field] : bad) {
    auto r = clin->post(base + "/appointments", body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << bj::serialize(body);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments"), 3);
  // A video session with its link.
  auto video = book(*clin, day + 300, day + 350,
                    {{"mode", "video"}, {"meeting_url", "https://meet.example.org/abc"}});
  ASSERT_EQ(video.status, 201) << video.body;
  EXPECT_EQ(video.json().at("meeting_url"), "https://meet.example.org/abc");
}

TEST_F(AppointmentApi, WhatHappenedIsRecordedOnceAndANoShowIsFollowedUp) {
  auto a = book(*clin, 60, 110);
  ASSERT_EQ(a.status, 201);
  const std::string id(a.json().at("id").as_string());
  const std::string path = "/api/v1/appointments/" + id + "/status";
  // Cancelled by the client an hour before: late. Needs who cancelled.
  auto who = clin->post(path, bj::object{{"status", "cancelled"}, {"version", 1}});
  EXPECT_EQ(who.status, 422);
  EXPECT_EQ(who.error_fields(), std::vector<std::string>{"cancelled_by"});
  auto cancelled = clin->post(path, bj::object{{"status", "cancelled"},
                                               {"version", 1},
                                               {"cancelled_by", "client"},
                                               {"note", "Child unwell"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json().at("late_cancel"), true);
  EXPECT_EQ(cancelled.json().at("cancelled_by"), "client");
  EXPECT_EQ(count("SELECT COUNT(*) FROM care_appointments WHERE note LIKE '%Child unwell%'"), 0);
  // Final: nothing follows a cancellation; a stale version is refused too.
  auto again = clin->post(path, bj::object{{"status", "attended"}, {"version", 2}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(clin->post(path, bj::object{{"status", "attended"}, {"version", 1}}).status, 409);
  // The cancelled time is free again.
  EXPECT_EQ(book(*clin, 60, 110).status, 201);
  // A no-show sets a follow-up call for the clinician, due tomorrow.
  auto b = book(*clin, 24 * 60 * 2, 24 * 60 * 2 + 50);
  ASSERT_EQ(b.status, 201);
  auto missed =
      clin->post("/api/v1/appointments/" + std::string(b.json().at("id").as_string()) + "/status",
                 bj::object{{"status", "no_show"}, {"version", 1}});
  ASSERT_EQ(missed.status, 200) << missed.body;
  auto tasks = clin->get("/api/v1/tasks");
  ASSERT_EQ(tasks.status, 200);
  const auto listed = tasks.json();
  ASSERT_EQ(listed.at("items").as_array().size(), 1U);
  const auto& t = listed.at("items").as_array()[0];
  EXPECT_EQ(t.at("kind"), "call");
  EXPECT_NE(std::string(t.at("title").as_string()).find("missed appointment"), std::string::npos);
  EXPECT_EQ(t.at("due_on"), bj::value(format_date(server->clock.now() + 24h)));
  // Someone off the care team cannot change it (it looks like nothing is there).
  EXPECT_EQ(other->post(path, bj::object{{"status", "attended"}, {"version", 2}}).status, 404);
}

TEST_F(AppointmentApi, TheCalendarShowsColleaguesBusyTimesNotWhoWith) {
  ASSERT_EQ(book(*clin, 120, 170).status, 201);
  ASSERT_EQ(book(*clin, 24 * 60 * 100, 24 * 60 * 100 + 50).status, 201);  // outside the window
  const std::string q =
      "/api/v1/appointments?clinician=" + clin_id + "&from=" + at(0) + "&to=" + at(7 * 24 * 60);
  auto own = clin->get("/api/v1/appointments?from=" + at(0) + "&to=" + at(7 * 24 * 60));
  ASSERT_EQ(own.status, 200) << own.body;
  const auto mine = own.json();
  ASSERT_EQ(mine.at("items").as_array().size(), 1U);
  EXPECT_EQ(mine.at("items").as_array()[0].at("client_name"), "Ada Lovelace");
  auto seen = other->get(q);
  ASSERT_EQ(seen.status, 200) << seen.body;
  const auto theirs = seen.json();
  ASSERT_EQ(theirs.at("items").as_array().size(), 1U);
  EXPECT_EQ(theirs.at("items").as_array()[0].at("client_name"), nullptr);
  EXPECT_EQ(seen.body.find("Lovelace"), std::string::npos);
  EXPECT_EQ(seen.body.find(client_id), std::string::npos);
  auto front = desk->get(q);
  ASSERT_EQ(front.status, 200);
  EXPECT_NE(front.body.find("Lovelace"), std::string::npos);  // front desk books for everyone
  EXPECT_EQ(clin->get("/api/v1/appointments?from=yesterday&to=" + at(60)).status, 400);
  EXPECT_EQ(clin->get("/api/v1/appointments?from=" + at(0) + "&to=" + at(24 * 60 * 100)).status,
            422);
}

}  // namespace
}  // namespace tend::testing
