#pragma once
//! Values of the daily check-in: what a client reports about one day, the activities and
//! factors they can tick, and what the portal shows back (streaks, patterns, chart points).

#include <optional>
#include <string>
#include <vector>

namespace tend::tracking {

//! Something done (exercise) or something that happened or was taken (alcohol).
enum class FactorKind { Activity, Factor };

//! One thing a client can tick, from the service's list (content/tracking/factors.json) or
//! their own.
struct Factor {
  std::string id;     //!< lower-case letters, digits and _, at most 40
  std::string label;  //!< as the client sees it ("Time outdoors")
  FactorKind kind = FactorKind::Activity;
};

//! Medication taken today as prescribed: yes, no, or the client takes none.
enum class Medication { Yes, No, NotApplicable };

//! One day's check-in. Only `date` and `mood` are required; a rating the client skipped is
//! absent (never 0, which is a rating).
struct CheckIn {
  std::string date;                   //!< the client's local date, "YYYY-MM-DD"
  int mood = 0;                       //!< 0 (worst) – 10 (best)
  std::optional<int> anxiety;         //!< 0 (none) – 10 (worst)
  std::optional<double> sleep_hours;  //!< 0–24 in half hours
  std::optional<int> sleep_quality;   //!< 0 (very poor) – 4 (very good)
  std::optional<int> energy;          //!< 0 (none) – 10 (full)
  std::optional<int> self_harm_urge;  //!< 0 (none) – 5 (strongest)
  std::optional<Medication> medication;
  std::vector<std::string> factors;  //!< ids ticked, each once, in the order given
  std::string note;                  //!< at most 500 characters; may be empty
  bool share_note = false;           //!< the care team may read the note
};

//! Check-ins counted "without guilt": the run of days, the best run, and how many of the
//! last 7 and 30 days have one ("5 of the last 7 days").
struct Streak {
  int current = 0;  //!< consecutive days with a check-in ending today, or yesterday
  int best = 0;     //!< the longest run ever
  int last_7 = 0;   //!< days with a check-in among today and the 6 before
  int last_30 = 0;  //!< days with a check-in among today and the 29 before
};

//! Mood on days with and without one factor.
struct Pattern {
  std::string factor_id;
  int days_with = 0;
  int days_without = 0;
  std::optional<double> mean_with;     //!< mean mood; absent with no days
  std::optional<double> mean_without;  //!< mean mood; absent with no days
  //! Both groups have enough days and the means differ by at least the threshold.
  bool verdict = false;
  std::string text;  //!< the sentence the portal shows
};

//! A rating a chart can show.
enum class Field { Mood, Anxiety, SleepHours, SleepQuality, Energy, SelfHarmUrge };

//! One point of a chart: a day, or an ISO week (mean of its days).
struct Point {
  std::string date;  //!< the day, or the Monday of the ISO week
  std::string week;  //!< "2026-W49" when the point is a week; empty for a day
  double value = 0;  //!< the rating, or the mean of the week's ratings
  int count = 1;     //!< check-ins behind the point
};

}  // namespace tend::tracking
