#pragma once
//! Wiring: the one place that knows every module. Opens storage, applies migrations, loads
//! keys, builds the services and the route table.

#include <memory>

#include "access/invitation_service.h"
#include "access/service.h"
#include "app/config.h"
#include "assessment/library.h"
#include "assessment/service.h"
#include "audit/service.h"
#include "care/diagnosis_service.h"
#include "care/notes_service.h"
#include "care/plan_service.h"
#include "care/service.h"
#include "clients/service.h"
#include "crisis/service.h"
#include "education/rules.h"
#include "education/service.h"
#include "messaging/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/events/hub.h"
#include "platform/http/message.h"
#include "platform/http/router.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"
#include "record/service.h"
#include "tracking/service.h"

namespace tend::app {

class WebApp;

class App {
 public:
  //! Opens everything `cfg` names, creating the data directory and key file when missing, and
  //! migrates the database. `clock` must outlive the App.
  static Result<std::unique_ptr<App>> open(const Config& cfg, const Clock& clock);
  ~App();

  //! Handles one request through the standard middleware and the route table.
  http::Response handle(http::Request& req);

  //! Starts live-event delivery (serve() does; tests that serve in-process call it).
  void start_background();

  //! Serves until SIGTERM/SIGINT, then drains requests in flight and closes the database.
  Status serve();

  const Config& config() const { return cfg_; }
  sql::Db& db() { return *db_; }
  crypto::Keyring& keys() { return keys_; }
  audit::AuditLog& audit() { return *audit_; }
  access::AccessService& access() { return *access_; }
  access::InvitationService& invitations() { return *invitations_; }
  clients::ClientService& clients() { return *clients_; }
  assessment::AssessmentService& assessments() { return *assessments_; }
  assessment::Library& instruments() { return instruments_; }
  jobs::JobQueue& jobs() { return *jobs_; }
  crisis::CrisisService& crisis() { return *crisis_; }
  care::EpisodeService& episodes() { return *episodes_; }
  care::TaskService& tasks() { return *tasks_; }
  care::AppointmentService& appointments() { return *appointments_; }
  care::NoteService& notes() { return *notes_; }
  care::PlanService& plans() { return *plans_; }
  care::DischargeService& discharges() { return *discharges_; }
  care::DiagnosisService& diagnoses() { return *diagnoses_; }
  care::MedicationService& medications() { return *medications_; }
  tracking::TrackingService& tracking() { return *tracking_; }
  record::RecordService& record() { return *record_; }
  events::EventHub& events() { return *events_; }
  messaging::MessagingService& messages() { return *messages_; }
  const http::Router& router() const { return router_; }

 private:
  App(const Config& cfg, const Clock& clock, crypto::Keyring keys);
  void build_routes();

  Config cfg_;
  const Clock& clock_;
  crypto::Keyring keys_;
  std::unique_ptr<sql::Db> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<access::AccessService> access_;
  std::unique_ptr<access::InvitationService> invitations_;  //!< portal accounts, guardians
  std::unique_ptr<clients::ClientService> clients_;
  assessment::Library instruments_;
  std::unique_ptr<assessment::AssessmentService> assessments_;
  std::unique_ptr<jobs::JobQueue> jobs_;
  std::unique_ptr<crisis::CrisisService> crisis_;
  std::unique_ptr<care::EpisodeService> episodes_;
  std::unique_ptr<care::TaskService> tasks_;
  std::unique_ptr<care::AppointmentService> appointments_;
  care::MailFn mail_;  //!< the SMTP server, when one is configured
  std::unique_ptr<care::NoteService> notes_;
  std::unique_ptr<care::PlanService> plans_;
  std::unique_ptr<care::DischargeService> discharges_;
  std::unique_ptr<care::DiagnosisService> diagnoses_;
  std::unique_ptr<care::MedicationService> medications_;
  std::unique_ptr<education::Library> education_;  //!< content/education, checked at start-up
  std::unique_ptr<education::EducationService> education_assignments_;
  std::unique_ptr<tracking::TrackingService> tracking_;  //!< daily check-ins and reminders
  std::unique_ptr<record::RecordService> record_;        //!< the client's own record in the portal
  std::unique_ptr<messaging::MessagingService> messages_;
  std::unique_ptr<events::EventHub> events_;
  http::Router router_;
  std::unique_ptr<WebApp> web_;
  std::function<http::Response(http::Request&)> handler_;
};

//! Columns holding sealed values: `tend keys rotate` re-encrypts each under the new key.
struct SealedColumn {
  const char* table;
  const char* id_column;
  const char* column;
  const char* context;
};
const std::vector<SealedColumn>& sealed_columns();

//! Re-encrypts every sealed value not made with the active key. Returns how many changed.
Result<std::int64_t> reencrypt_all(sql::Db& db, const crypto::Keyring& keys);

}  // namespace tend::app
