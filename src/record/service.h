#pragma once
//! The client's own record in the portal: who has seen it (the access log in plain words), the
//! download of everything Tend holds about them (psychotherapy notes never), and requests to
//! correct it, which the care team accepts or refuses with a reason.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "access/service.h"
#include "assessment/service.h"
#include "audit/service.h"
#include "care/diagnosis_service.h"
#include "care/notes_service.h"
#include "care/plan_service.h"
#include "care/service.h"
#include "clients/service.h"
#include "crisis/service.h"
#include "education/service.h"
#include "messaging/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/result.h"
#include "platform/sql/db.h"
#include "platform/tz.h"
#include "record/model.h"
#include "tracking/service.h"

namespace tend::record {

//! The services the download reads through (each checks the client's own access and audits).
struct Sources {
  clients::ClientService& clients;
  assessment::AssessmentService& assessments;
  care::AppointmentService& appointments;
  care::DiagnosisService& diagnoses;
  care::MedicationService& medications;
  care::PlanService& plans;
  crisis::CrisisService& crisis;
  care::NoteService& notes;
  education::EducationService& education;
  tracking::TrackingService& tracking;
  messaging::MessagingService& messages;
};

//! Thread-safe; one per process. Everything it is given must outlive it.
class RecordService {
 public:
  RecordService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                audit::AuditLog& audit, access::AccessService& access, Sources sources,
                TimeZone zone);

  //! The calling client's access log in plain words (rules::describe_access): `limit` audit
  //! entries (1..1000) before seq `before` (0: the newest), grouped. 403 for staff.
  Result<AccessPage> access_log(const access::Principal& p, std::int64_t before, int limit);

  //! Everything Tend holds about the calling client that is theirs to have, audited as one
  //! download. 403 for staff.
  Result<RecordContents> contents(const access::Principal& p);
  //! The download's time zone (the service's).
  const TimeZone& zone() const { return zone_; }

  //! The client asks for a correction: `{what, change, ref_kind?, ref_id?}` (what up to 300
  //! characters, change up to 5000, both required; ref_kind one of rules::valid_ref_kind). A
  //! review task goes to the primary clinician (else someone clinical on the care team).
  //! 403 for staff.
  Result<Amendment> request(const access::Principal& p, const boost::json::object& body);
  //! The calling client's requests with their answers, newest first. 403 for staff.
  Result<std::vector<Amendment>> mine(const access::Principal& p);
  //! One client's requests, newest first: the care team (and the client themself).
  Result<std::vector<Amendment>> for_client(const access::Principal& p,
                                            const std::string& client_id);
  //! Requests about the caller's own clients (care team), by `status` (open | accepted |
  //! refused; empty: all), oldest first. 422 on an unknown status; 403 for clients.
  Result<std::vector<Amendment>> for_staff(const access::Principal& p, const std::string& status);
  //! The care team answers: accept `{note?}` or refuse `{reason}` (10+ characters). 409 once
  //! decided; 404 for anyone off the care team (and every client).
  Result<Amendment> decide(const access::Principal& p, const std::string& id, bool accept,
                           const boost::json::object& body);

 private:
  std::vector<Amendment> load_many(sql::Conn& c, const std::string& where,
                                   const sql::Params& params);
  std::vector<SignedNote> signed_notes(sql::Conn& c, const std::string& client_id);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  Sources src_;
  TimeZone zone_;
};

}  // namespace tend::record
