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
  //! The first and second attended appointments within the episode (rules::set_seen): the
  //! wait for a first appointment, and the "hidden wait" between the first and the second.
  std::optional<std::string> first_seen_on;
  std::optional<std::string> second_seen_on;
  std::vector<Step> steps;  //!< oldest first
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
  int seen_once = 0;  //!< episodes with a first attended appointment
  std::optional<double> referral_to_first_median_days;
  std::optional<double> referral_to_first_p90_days;
  int seen_twice = 0;  //!< episodes with a second one
  //! The hidden wait: from the first appointment (often an assessment) to the second.
  std::optional<double> first_to_second_median_days;
  std::optional<double> first_to_second_p90_days;
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

//! A client's request, from the portal, to move or cancel an appointment.
struct ChangeRequest {
  std::string id;
  std::string appointment_id;
  std::string client_id;
  std::string kind;     //!< reschedule | cancel
  std::string message;  //!< decrypted; what the client wrote
  std::string status;   //!< open | done | declined
  std::string answer;   //!< decrypted; the service's reply
  std::string answered_by;
  std::int64_t created_at_ms = 0;
  std::int64_t answered_at_ms = 0;
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
  std::string note;       //!< decrypted
  std::string series_id;  //!< the recurring series it was booked in; empty when booked alone
  std::int64_t reminded_at_ms = 0;  //!< when the e-mail reminder went out; 0 while none has
  //! The client's open request to move or cancel it, if any.
  std::optional<ChangeRequest> request;
  std::int64_t version = 1;
};

//! Where an open task stands against today.
enum class Due { Overdue, Today, Upcoming };

}  // namespace tend::care
