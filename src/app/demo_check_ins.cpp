#include "app/demo_check_ins.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "app/app.h"

namespace tend::app {

void demo_check_ins(App& app, const std::string& client_id) {
  // Its own generator, so the rest of the demo draws the same numbers as before.
  std::mt19937_64 rng(std::hash<std::string>{}(client_id + "check-ins"));
  const auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const auto noise = [&](double sd) { return std::normal_distribution<double>(0, sd)(rng); };
  const auto clamp = [](double v, int lo, int hi) {
    return std::clamp(static_cast<int>(std::lround(v)), lo, hi);
  };
  static const std::vector<std::string> notes = {
      "Walked to the park with my sister.",
      "Hard day at work, tired.",
      "Slept badly, woke up at 4.",
      "Tried the breathing exercise before bed.",
      "Cooked a proper dinner.",
      "Argument on the phone, calmer later.",
  };
  const std::string today = app.tracking().today();
  std::vector<tracking::CheckIn> out;
  for (int ago = 60; ago >= 1; --ago) {
    if (chance(0.18)) continue;  // a missed day: nobody checks in every day
    tracking::CheckIn c;
    c.date = *tracking::rules::shift_date(today, -ago);
    const bool exercise = chance(0.4);
    const bool outdoors = exercise ? chance(0.7) : chance(0.3);
    const bool social = chance(0.45);
    const bool alcohol = chance(0.15);
    const bool work = chance(0.6);
    // From about 4 two months ago towards 6 now; exercise and company help a little, alcohol
    // the next day not at all.
    double mood = 4.0 + 2.0 * (60 - ago) / 60.0 + noise(1.1);
    if (exercise) mood += 1.0;
    if (social) mood += 0.5;
    if (alcohol) mood -= 0.5;
    c.mood = clamp(mood, 0, 10);
    if (chance(0.9)) c.anxiety = clamp(9 - c.mood + noise(1.0), 0, 10);
    if (chance(0.85)) {
      const double hours = std::clamp(6.5 + (exercise ? 0.5 : 0.0) + noise(0.9), 3.0, 10.0);
      c.sleep_hours = std::round(hours * 2) / 2;
      c.sleep_quality = clamp((*c.sleep_hours - 4.5) / 1.2 + noise(0.5), 0, 4);
    }
    if (chance(0.8)) c.energy = clamp(c.mood + (exercise ? 1 : 0) + noise(1.0), 0, 10);
    if (chance(0.7)) c.self_harm_urge = c.mood <= 3 && chance(0.5) ? 1 : 0;
    if (chance(0.85))
      c.medication = chance(0.9) ? tracking::Medication::Yes : tracking::Medication::No;
    if (exercise) c.factors.push_back("exercise");
    if (outdoors) c.factors.push_back("outdoors");
    if (social) c.factors.push_back("social_contact");
    if (work) c.factors.push_back("work_or_study");
    if (alcohol) c.factors.push_back("alcohol");
    if (chance(0.2)) c.factors.push_back("screen_late");
    if (chance(0.15)) {
      c.note = notes[std::uniform_int_distribution<std::size_t>(0, notes.size() - 1)(rng)];
      c.share_note = chance(0.4);
    }
    out.push_back(std::move(c));
  }
  app.tracking().seed_demo(client_id, out);
}

}  // namespace tend::app
