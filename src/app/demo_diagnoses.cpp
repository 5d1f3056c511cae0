#include "app/demo_diagnoses.h"

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <random>
#include <vector>

#include "app/app.h"

namespace tend::app {

namespace {

namespace bj = boost::json;

std::string days_ago(int n) {
  return format_date(std::chrono::system_clock::now() - std::chrono::hours(24 * n));
}

}  // namespace

void demo_diagnoses(App& app, const access::Principal& clinician,
                    const access::Principal& prescriber, const std::string& client_id) {
  // Its own generator, so the rest of the demo draws the same numbers as before.
  std::mt19937_64 rng(std::hash<std::string>{}(client_id));
  const auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const auto between = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  if (!chance(0.7)) return;
  static const std::vector<std::string> primary = {"F32.1",  "F32.1",  "F33.1",  "F41.1", "F41.1",
                                                   "F43.10", "F43.23", "F40.10", "F41.0", "F32.A"};
  static const std::vector<std::string> secondary = {"F41.1", "F10.10", "F51.01", "Z56.0",
                                                     "Z63.0", "Z59.41", "Z60.2",  "F17.210"};
  const std::string main_code = primary[static_cast<std::size_t>(between(0, 9))];
  const int diagnosed = between(10, 120);
  auto made =
      app.diagnoses().diagnose(clinician, client_id,
                               bj::object{{"code", main_code},
                                          {"rank", "primary"},
                                          {"status", chance(0.3) ? "provisional" : "confirmed"},
                                          {"diagnosed_on", days_ago(diagnosed)}});
  if (!made) return;
  if (chance(0.45)) {
    const std::string other = secondary[static_cast<std::size_t>(between(0, 7))];
    if (other != main_code) {
      (void)app.diagnoses().diagnose(clinician, client_id,
                                     bj::object{{"code", other},
                                                {"rank", "secondary"},
                                                {"status", "confirmed"},
                                                {"diagnosed_on", days_ago(diagnosed)}});
    }
  }
  if (chance(0.15)) {
    // Thought of at assessment, then ruled out.
    auto ruled = app.diagnoses().diagnose(
        clinician, client_id,
        bj::object{
            {"code", "F31.81"}, {"rank", "secondary"}, {"diagnosed_on", days_ago(diagnosed)}});
    if (ruled) {
      (void)app.diagnoses().change(
          clinician, ruled->id, bj::object{{"status", "ruled_out"}, {"version", ruled->version}});
    }
  }
  // A medication history when the service's prescriber is on the care team.
  const bool prescribes = app.db().read([&](sql::Conn& c) {
    return c
        .query_one("SELECT 1 FROM care_team WHERE client_id = ? AND user_id = ?",
                   {client_id, prescriber.user_id})
        .has_value();
  });
  if (!prescribes || !chance(0.7)) return;
  const int started = between(50, 110);
  if (chance(0.35)) {
    (void)app.medications().start(
        prescriber, client_id,
        bj::object{{"name", "Fluoxetine"},
                   {"dose", "20 mg"},
                   {"route", "oral"},
                   {"frequency", "once daily"},
                   {"started_on", days_ago(started + 200)},
                   {"stopped_on", days_ago(started + 30)},
                   {"stop_reason", "Little effect after an adequate trial"}});
  }
  auto med = app.medications().start(prescriber, client_id,
                                     bj::object{{"name", "Sertraline"},
                                                {"dose", "50 mg"},
                                                {"route", "oral"},
                                                {"frequency", "once daily"},
                                                {"started_on", days_ago(started)},
                                                {"reason", "Low mood and anxiety"}});
  if (!med) return;
  (void)app.medications().change(prescriber, med->id,
                                 bj::object{{"kind", "dose"},
                                            {"dose", "100 mg"},
                                            {"on", days_ago(started - between(21, 42))},
                                            {"reason", "Partial response"},
                                            {"version", med->version}});
}

}  // namespace tend::app
