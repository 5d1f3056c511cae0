// Appointments on a real database (SQLite, and PostgreSQL in the .pg run) with two services
// booking at the same instant, as two instances of Tend would: a room is never double-booked,
// whichever clinician asks first. (On PostgreSQL a room has no row to lock; an advisory lock
// on its name serialises the bookings.)

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "care/service.h"
#include "support/domain.h"

namespace tend::care {
namespace {

namespace bj = boost::json;
using access::Role;
using namespace std::chrono_literals;

TEST(AppointmentService, TwoInstancesNeverDoubleBookARoomAtTheSameInstant) {
  testing::Domain d;
  const auto a = d.user("first", Role::Clinician);
  const auto b = d.user("second", Role::Clinician);
  const std::string client = d.client(a, "Ada", "Lovelace").id;
  ASSERT_TRUE(d.access->add_team_member(a, client, b.user_id, "clinician"));
  AppointmentService one(*d.db, d.clock, d.keys, *d.audit, *d.access);
  // The second "instance" has its own connections to the same database.
  auto db2 = d.database.open();
  AppointmentService two(*db2, d.clock, d.keys, *d.audit, *d.access);
  constexpr int rounds = 20;
  int booked = 0;
  for (int i = 0; i < rounds; ++i) {
    const auto start = d.clock.now() + 24h + std::chrono::hours(i);
    const bj::object body{{"starts_at", format_rfc3339(start)},
                          {"ends_at", format_rfc3339(start + 50min)},
                          {"room", "Room 2"}};
    std::atomic<int> ready{0};
    Result<Appointment> r1 = make_error(Errc::Internal, "not run");
    Result<Appointment> r2 = make_error(Errc::Internal, "not run");
    const auto go = [&](AppointmentService& svc, const access::Principal& p,
                        Result<Appointment>& out) {
      ready.fetch_add(1);
      while (ready.load() < 2) std::this_thread::yield();
      out = svc.book(p, client, body);
    };
    std::thread t1([&] { go(one, a, r1); });
    std::thread t2([&] { go(two, b, r2); });
    t1.join();
    t2.join();
    EXPECT_NE(r1.ok(), r2.ok()) << "round " << i << ": exactly one booking wins";
    const auto& lost = r1.ok() ? r2 : r1;
    if (!lost.ok()) {
      EXPECT_EQ(lost.error().code, Errc::Conflict) << lost.error().detail;
      EXPECT_NE(lost.error().detail.find("Room 2 is taken"), std::string::npos)
          << lost.error().detail;
    }
    booked += (r1.ok() ? 1 : 0) + (r2.ok() ? 1 : 0);
  }
  EXPECT_EQ(booked, rounds);
  const auto stored = d.db->read([&](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM care_appointments WHERE room = 'Room 2'")->i64(0);
  });
  EXPECT_EQ(stored, rounds);
}

}  // namespace
}  // namespace tend::care
