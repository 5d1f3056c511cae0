#pragma once
//! Values of the care pathway: an episode of care from referral to discharge, and its steps.
//! Plain data, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tend::care {

//! Where an episode stands. Referred, Waitlist, Intake and Active are open; the others end it.
enum class Stage { Referred, Waitlist, Intake, Active, Discharged, Declined, Transferred };

//! One move of an episode, as recorded.
struct Step {
  Stage stage = Stage::Referred;
  std::string on;    //!< the date it happened, "YYYY-MM-DD" (may be earlier than recorded)
  std::string by;    //!< user id of who recorded it
  std::string note;  //!< decrypted; empty when none
  std::int64_t at_ms = 0;
};

//! An episode of care: one referral into one program, through to its end.
struct Episode {
  std::string id;
  std::string client_id;
  std::string program;          //!< "Adult counselling", "Early intervention in psychosis" …
  std::string referral_source;  //!< "self", "primary care", "school" …
  std::string referral_reason;  //!< decrypted
  Stage stage = Stage::Referred;
  std::string referred_on;
  std::optional<std::string> waitlisted_on;
  std::optional<std::string> intake_on;
  std::optional<std::string> active_on;
  std::optional<std::string> ended_on;  //!< discharged, declined or transferred
  std::string transferred_to;           //!< where to, when transferred
  std::vector<Step> steps;              //!< oldest first
  std::string created_by;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 1;
};

//! Waiting times of one program, in whole days, from the episodes' dates.
struct ProgramWaits {
  std::string program;
  int waiting_now = 0;                            //!< open episodes not yet at intake
  std::optional<double> waiting_now_median_days;  //!< how long those have waited so far
  std::optional<int> waiting_now_longest_days;
  int reached_intake = 0;
  std::optional<double> referral_to_intake_median_days;
  std::optional<double> referral_to_intake_p90_days;
  int reached_treatment = 0;
  std::optional<double> referral_to_treatment_median_days;
  std::optional<double> intake_to_treatment_median_days;  //!< the wait after assessment
};

//! A follow-up task for a client: a call, a letter, a review … with a due date and an owner.
struct Task {
  std::string id;
  std::string client_id;
  std::string client_name;  //!< filled for lists
  std::string episode_id;   //!< empty when not tied to an episode
  std::string kind;         //!< call | letter | review | other
  std::string title;        //!< decrypted
  std::string due_on;       //!< "YYYY-MM-DD"
  std::string owner_id;
  std::string owner_name;
  std::string status = "open";  //!< open | done | cancelled
  std::string outcome;          //!< decrypted; what happened, when closed
  std::string created_by;
  std::int64_t created_at_ms = 0;
  std::string closed_by;
  std::int64_t closed_at_ms = 0;
  std::int64_t version = 1;
};

//! One appointment (times in UTC milliseconds).
struct Appointment {
  std::string id;
  std::string client_id;
  std::string client_name;
  std::string clinician_id;
  std::string clinician_name;
  std::string kind = "individual";  //!< individual | couple | family | group
  std::string mode = "in_person";   //!< in_person | video | phone
  std::int64_t starts_at_ms = 0;
  std::int64_t ends_at_ms = 0;
  std::string room;
  std::string meeting_url;
  std::string status = "booked";  //!< booked | arrived | attended | cancelled | no_show
  std::string cancelled_by;       //!< client | service
  bool late_cancel = false;
  std::string note;  //!< decrypted
  std::int64_t version = 1;
};

//! Where an open task stands against today.
enum class Due { Overdue, Today, Upcoming };

}  // namespace tend::care
