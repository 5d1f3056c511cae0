#pragma once
//! Care pathway use cases. This part: episodes of care — a referral into a program, its moves
//! through waitlist, intake and treatment to its end, and the waiting times they give.

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "care/model.h"
#include "care/rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"
#include "platform/tz.h"

namespace tend::care {

//! Thread-safe; one per process.
class EpisodeService {
 public:
  EpisodeService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                 audit::AuditLog& audit, access::AccessService& access);

  //! A referral received: `{program, referral_source, referral_reason, referred_on?}` (the date
  //! defaults to today). 409 while the client has an open episode in that program.
  Result<Episode> open(const access::Principal& p, const std::string& client_id,
                       const boost::json::object& body);
  //! The client's episodes, newest referral first (without their steps).
  Result<std::vector<Episode>> list(const access::Principal& p, const std::string& client_id);
  //! One episode with its steps.
  Result<Episode> get(const access::Principal& p, const std::string& id);
  //! A move: `{stage, on?, note?, transferred_to?, version}`. 409 when `version` is not the
  //! episode's (someone moved it since) or the stage cannot follow the current one.
  Result<Episode> step(const access::Principal& p, const std::string& id,
                       const boost::json::object& body);
  //! Waiting times per program (all programs, or one), from every episode: for staff other
  //! than front desk, and for analysts (counts and days only, no client).
  Result<std::vector<ProgramWaits>> waits(const access::Principal& p, const std::string& program);

 private:
  std::vector<Episode> load_many(sql::Conn& c, const std::string& where, const sql::Params& params,
                                 bool with_steps);
  std::optional<Episode> load(sql::Conn& c, const std::string& id, bool with_steps);
  std::string today() const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
};

//! Follow-up tasks (calls, letters, reviews) with a due date and an owner on the care team.
//! Thread-safe; one per process.
class TaskService {
 public:
  TaskService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys, audit::AuditLog& audit,
              access::AccessService& access);

  //! `{kind, title, due_on, owner_id?, episode_id?}`; the owner (default: the caller) must be
  //! on the client's care team.
  Result<Task> create(const access::Principal& p, const std::string& client_id,
                      const boost::json::object& body);
  //! The client's tasks: open ones in working order, then the closed, newest first.
  Result<std::vector<Task>> for_client(const access::Principal& p, const std::string& client_id);
  //! The caller's own open tasks, in working order (overdue first), for clients still on
  //! their care team.
  Result<std::vector<Task>> mine(const access::Principal& p);
  //! Closes an open task as `done` or `cancelled`: `{version, outcome?}`. 409 when it is
  //! already closed or `version` is stale.
  Result<Task> close(const access::Principal& p, const std::string& id, const std::string& status,
                     const boost::json::object& body);
  std::string today() const;

 private:
  std::optional<Task> load(sql::Conn& c, const std::string& id);
  std::vector<Task> load_many(sql::Conn& c, const std::string& where, const sql::Params& params);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
};

//! Sends one e-mail; the seam the mail server sits behind (tests give a real SMTP sink).
using MailFn = std::function<Status(const std::vector<std::string>& to, const std::string& subject,
                                    const std::string& body)>;

//! Appointments: booking without double-booking a clinician or a room, alone or as a recurring
//! series, the calendar, e-mail reminders to clients who agreed to e-mail, the client's own
//! list and their requests to move or cancel, and what happened (arrived, attended, cancelled —
//! by whom, how late — or no-show, which sets a follow-up call). Thread-safe; one per process.
class AppointmentService {
 public:
  AppointmentService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                     audit::AuditLog& audit, access::AccessService& access);

  //! The service's time zone (the wall-clock time a series keeps, and the times in messages),
  //! and reminders: a `care.appointment_reminder` job 24 hours before each booking, sent by
  //! `mail`. Without a mail server (`mail` empty) no reminder is set: bookings made then get
  //! none later either. Call once at start-up, before jobs run. Without it times are UTC.
  void set_reminders(jobs::JobQueue* jobs, TimeZone zone, std::string base_url, MailFn mail);

  //! `{starts_at, ends_at, kind?, mode?, clinician_id?, room?, meeting_url?}` (RFC 3339 times;
  //! the clinician defaults to the caller). 409 naming the appointment it would overlap.
  Result<Appointment> book(const access::Principal& p, const std::string& client_id,
                           const boost::json::object& body);
  //! The same with `repeat: {every_weeks: 1–4, count: 2–52}`: all the series at the same
  //! wall-clock time, or nothing (409 naming the first clash, with its date).
  Result<std::vector<Appointment>> book_series(const access::Principal& p,
                                               const std::string& client_id,
                                               const boost::json::object& body);
  //! Cancels the series' booked appointments from `from` (default now) on:
  //! `{cancelled_by, from?, note?}`. 409 when none is left to cancel.
  Result<std::vector<Appointment>> cancel_series(const access::Principal& p,
                                                 const std::string& series_id,
                                                 const boost::json::object& body);
  Result<std::vector<Appointment>> for_client(const access::Principal& p,
                                              const std::string& client_id);
  //! A client's own appointments still to come (the portal), without the service's notes.
  Result<std::vector<Appointment>> mine(const access::Principal& p);
  //! A client asks to move or cancel one of their appointments still to come:
  //! `{kind: reschedule|cancel, message?}`. It sets a call for the clinician, due the next day.
  //! 409 when the appointment has passed or is not booked, or a request is already open.
  Result<ChangeRequest> request_change(const access::Principal& p,
                                       const std::string& appointment_id,
                                       const boost::json::object& body);
  //! The care team answers: `{status: done|declined, answer?}` (an answer is required to
  //! decline). Closes the request's task. 409 when already answered.
  Result<ChangeRequest> answer_request(const access::Principal& p, const std::string& request_id,
                                       const boost::json::object& body);
  //! A client's own requests, newest first (the last 20).
  Result<std::vector<ChangeRequest>> my_requests(const access::Principal& p);
  //! A clinician's appointments from `from` to `to` (at most 92 days). The clinician, front desk
  //! and admins see who each is with; colleagues see busy times only.
  Result<std::vector<Appointment>> calendar(const access::Principal& p,
                                            const std::string& clinician_id, TimePoint from,
                                            TimePoint to);
  //! `{status, version, cancelled_by?, note?}`.
  Result<Appointment> set_status(const access::Principal& p, const std::string& id,
                                 const boost::json::object& body);

 private:
  //! A booking as asked for: the first appointment and the repeat (count 1 when alone).
  struct Booking {
    Appointment first;
    int every_weeks = 0;
    int count = 1;
  };
  Result<Booking> read_booking(const access::Principal& p, const std::string& client_id,
                               const boost::json::object& body, bool series);
  Result<std::vector<Appointment>> insert(const access::Principal& p, const access::Decision& d,
                                          const Booking& b);
  Status check_free(sql::Conn& c, const Appointment& a, const std::string& clinician_name);
  std::vector<Appointment> load_many(sql::Conn& c, const std::string& where,
                                     const sql::Params& params);
  ChangeRequest read_request(const sql::Row& r) const;
  Status deliver_reminder(const jobs::Job& job);
  //! "on Thu 10 Dec 2026 10:00–10:50 EST" in the service's zone.
  std::string when(std::int64_t starts_at_ms, std::int64_t ends_at_ms) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  jobs::JobQueue* jobs_ = nullptr;
  TimeZone zone_;
  std::string base_url_;
  MailFn mail_;
};

}  // namespace tend::care
