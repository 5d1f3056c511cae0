#pragma once
//! Assessment use cases: the instrument library, scoring and storing results (with
//! Idempotency-Key), history with change, measurement schedules and what is due, single-use
//! links for answering without an account, and imported questionnaires. Every scored result
//! is announced to in-process listeners (AssessmentScored) inside the transaction that stores
//! it, and to the care team's live event streams; assessment knows nothing of who listens.

#include <boost/json/object.hpp>
#include <functional>
#include <mutex>

#include "access/service.h"
#include "assessment/library.h"
#include "assessment/model.h"
#include "audit/service.h"
#include "platform/clock.h"
#include "platform/events/hub.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::assessment {

//! The domain event every scored result raises.
struct AssessmentScored {
  std::string assessment_id;
  std::string client_id;
  std::string instrument_id;
  std::optional<double> total;
  std::optional<std::string> band;
  std::vector<FlagResult> flags;
  Rater rater = Rater::Self;
  std::string via;
  std::int64_t completed_at_ms = 0;
};

//! A submission, already parsed from JSON or FHIR.
struct Submission {
  std::string instrument;
  Answers answers;
  Rater rater = Rater::Self;
  std::optional<std::int64_t> completed_at_ms;
  std::string idempotency_key;  //!< empty: none
  std::string via = "session";  //!< session | portal | fhir (set by the service for links)
};

//! A stored result and whether it was stored before (an Idempotency-Key replay).
struct Stored {
  Assessment assessment;
  bool replayed = false;
};

//! A schedule with where it stands today.
struct ScheduleStatus {
  Schedule schedule;
  std::string instrument_name;
  std::optional<Due> next_due;
  //! The client can answer it themselves (in the portal): a self-report whose wording Tend
  //! or the service ships.
  bool self_answerable = false;
};

//! One measure due for a client on the caller's caseload.
struct DueItem {
  std::string client_id;
  std::string client_name;
  std::string instrument_id;
  std::string instrument_name;
  std::string schedule_id;
  Due due;
};

//! A link just made: the token is shown once and never stored.
struct LinkCreated {
  std::string token;
  std::string instrument_id;
  Rater rater = Rater::Self;
  std::int64_t expires_at_ms = 0;
};

//! What a link opens (no client details).
struct LinkInfo {
  InstrumentPtr instrument;
  Rater rater = Rater::Self;
  std::int64_t expires_at_ms = 0;
};

//! What the person who answered through a link is told.
struct LinkReceipt {
  std::optional<Band> band;
  bool needs_follow_up = false;  //!< a critical flag was raised
  bool replayed = false;
};

//! One instrument's results for a client, oldest first, each with its change.
struct Series {
  InstrumentPtr instrument;
  std::vector<Assessment> results;
};

//! Thread-safe; one per process.
class AssessmentService {
 public:
  using Listener = std::function<void(sql::Conn&, const AssessmentScored&)>;

  AssessmentService(sql::Db& db, const Clock& clock, audit::AuditLog& audit,
                    access::AccessService& access, Library& library);

  //! Where results are announced live to the care team; none until set.
  void set_events(events::EventHub* hub) { events_ = hub; }
  //! Adds a listener called inside the transaction that stores each result; if it throws,
  //! the result is not stored. Register before serving.
  void on_scored(Listener l) { listeners_.push_back(std::move(l)); }

  // ---- instruments ----
  std::vector<InstrumentPtr> instruments() const;
  Result<InstrumentPtr> instrument(const std::string& id) const;
  //! Loads questionnaires imported earlier (at start-up).
  void load_imported();
  //! Imports a published FHIR Questionnaire as instrument `id` (admins and clinicians).
  Result<InstrumentPtr> import(const access::Principal& p, const boost::json::object& questionnaire,
                               const std::string& id);

  // ---- results ----
  //! Scores and stores a result. A repeated Idempotency-Key with the same content returns the
  //! stored result (replayed); with different content it is refused (Conflict).
  Result<Stored> submit(const access::Principal& p, const std::string& client_id,
                        const Submission& s);
  //! Results newest first, each with its change since the previous and the first.
  Result<std::vector<Assessment>> history(const access::Principal& p, const std::string& client_id,
                                          const std::optional<std::string>& instrument, int limit);
  Result<Assessment> get(const access::Principal& p, const std::string& id);
  //! Every instrument the client has results for, with all its results (oldest first).
  Result<std::vector<Series>> measures(const access::Principal& p, const std::string& client_id);

  // ---- schedules ----
  Result<ScheduleStatus> add_schedule(const access::Principal& p, const std::string& client_id,
                                      const std::string& instrument, int every_days,
                                      const std::optional<std::string>& start_date,
                                      const std::optional<std::string>& end_date);
  Result<std::vector<ScheduleStatus>> schedules(const access::Principal& p,
                                                const std::string& client_id);
  Result<ScheduleStatus> stop_schedule(const access::Principal& p, const std::string& client_id,
                                       const std::string& schedule_id);
  //! Measures due today or overdue for the clients on the caller's care teams.
  Result<std::vector<DueItem>> due(const access::Principal& p);
  //! For the reminder job: publishes `assessment.due` once per schedule and due date, to the
  //! care team and the client's portal account. Returns how many were sent.
  int remind_due(sql::Conn& c);

  // ---- links ----
  Result<LinkCreated> create_link(const access::Principal& p, const std::string& client_id,
                                  const std::string& instrument, Rater rater, int hours);
  Result<LinkInfo> open_link(const std::string& token);
  Result<LinkReceipt> submit_link(const std::string& token, const Answers& answers,
                                  const std::string& idempotency_key, const std::string& remote);

  std::string today() const;

 private:
  std::int64_t now_ms() const;
  Result<Stored> store(sql::Conn& c, const std::string& client_id, const Submission& s,
                       const InstrumentPtr& in, const std::string& entered_by);
  std::optional<Assessment> load(sql::Conn& c, const std::string& id) const;
  std::vector<Assessment> load_series(sql::Conn& c, const std::string& client_id,
                                      const std::string& instrument) const;
  void with_changes(std::vector<Assessment>& oldest_first) const;
  ScheduleStatus status_of(sql::Conn& c, const Schedule& s) const;

  sql::Db& db_;
  const Clock& clock_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  Library& library_;
  events::EventHub* events_ = nullptr;
  std::vector<Listener> listeners_;
};

}  // namespace tend::assessment
