#pragma once
//! Care pathway use cases. This part: episodes of care — a referral into a program, its moves
//! through waitlist, intake and treatment to its end, and the waiting times they give.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "care/model.h"
#include "care/rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/result.h"
#include "platform/sql/db.h"

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

//! Appointments: booking without double-booking a clinician or a room, the calendar, and
//! what happened (arrived, attended, cancelled — by whom, how late — or no-show, which sets a
//! follow-up call). Thread-safe; one per process.
class AppointmentService {
 public:
  AppointmentService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                     audit::AuditLog& audit, access::AccessService& access);

  //! `{starts_at, ends_at, kind?, mode?, clinician_id?, room?, meeting_url?}` (RFC 3339 times;
  //! the clinician defaults to the caller). 409 naming the appointment it would overlap.
  Result<Appointment> book(const access::Principal& p, const std::string& client_id,
                           const boost::json::object& body);
  Result<std::vector<Appointment>> for_client(const access::Principal& p,
                                              const std::string& client_id);
  //! A clinician's appointments from `from` to `to` (at most 92 days). The clinician, front desk
  //! and admins see who each is with; colleagues see busy times only.
  Result<std::vector<Appointment>> calendar(const access::Principal& p,
                                            const std::string& clinician_id, TimePoint from,
                                            TimePoint to);
  //! `{status, version, cancelled_by?, note?}`.
  Result<Appointment> set_status(const access::Principal& p, const std::string& id,
                                 const boost::json::object& body);

 private:
  std::vector<Appointment> load_many(sql::Conn& c, const std::string& where,
                                     const sql::Params& params);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
};

}  // namespace tend::care
