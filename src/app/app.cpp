#include "app/app.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "access/invitation_routes.h"
#include "access/routes.h"
#include "app/guardian_routes.h"
#include "app/jobs_routes.h"
#include "app/web.h"
#include "assessment/routes.h"
#include "care/diagnosis_routes.h"
#include "care/note_routes.h"
#include "care/plan_routes.h"
#include "care/routes.h"
#include "clients/routes.h"
#include "crisis/routes.h"
#include "education/routes.h"
#include "fhir/routes.h"
#include "messaging/routes.h"
#include "platform/content.h"
#include "platform/http/middleware.h"
#include "platform/http/server.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/notify/mail.h"
#include "platform/notify/webhook.h"
#include "platform/sql/migrations.h"
#include "platform/sql/open.h"
#include "platform/tz.h"
#include "record/routes.h"
#include "tracking/routes.h"

namespace tend::app {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

const std::vector<SealedColumn>& sealed_columns() {
  static const std::vector<SealedColumn> v = {
      {"clients", "id", "funding_note", "clients.funding_note"},
      {"break_glass", "id", "reason", "break_glass.reason"},
      {"users", "id", "totp_secret", "users.totp_secret"},
      {"crisis_alerts", "id", "reason", "crisis_alerts.reason"},
      {"crisis_alerts", "id", "note", "crisis_alerts.note"},
      {"crisis_signals", "id", "reason", "crisis_signals.reason"},
      {"crisis_webhooks", "id", "secret", "crisis_webhooks.secret"},
      {"crisis_follow_ups", "id", "note", "crisis_follow_ups.note"},
      {"safety_plans", "id", "sections", "safety_plans.sections"},
      {"care_episodes", "id", "referral_reason", "care_episodes.referral_reason"},
      {"care_episode_steps", "id", "note", "care_episode_steps.note"},
      {"care_tasks", "id", "title", "care_tasks.title"},
      {"care_tasks", "id", "outcome", "care_tasks.outcome"},
      {"care_appointments", "id", "note", "care_appointments.note"},
      {"care_appointment_requests", "id", "message", "care_appointment_requests.message"},
      {"care_appointment_requests", "id", "answer", "care_appointment_requests.answer"},
      {"care_notes", "id", "body", "care_notes.body"},
      {"care_note_addenda", "id", "text", "care_note_addenda.text"},
      {"care_plan_versions", "id", "content", "care_plan_versions.content"},
      {"care_discharges", "episode_id", "summary", "care_discharges.summary"},
      {"care_discharges", "episode_id", "relapse", "care_discharges.relapse"},
      {"care_diagnoses", "id", "note", "care_diagnoses.note"},
      {"care_diagnosis_changes", "id", "note", "care_diagnosis_changes.note"},
      {"care_medications", "id", "name", "care_medications.name"},
      {"care_medications", "id", "reason", "care_medications.reason"},
      {"care_medication_changes", "id", "reason", "care_medication_changes.reason"},
      {"tracking_check_ins", "id", "note", "tracking_check_ins.note"},
      {"tracking_client_factors", "id", "label", "tracking_client_factors.label"},
      {"tracking_check_in_requests", "id", "response", "tracking_check_in_requests.response"},
      {"education_assignments", "id", "note", "education_assignments.note"},
      {"record_amendments", "id", "what", "record_amendments.what"},
      {"record_amendments", "id", "change", "record_amendments.change"},
      {"record_amendments", "id", "reason", "record_amendments.reason"},
      {"message_threads", "id", "subject", "message_threads.subject"},
      {"messages", "id", "body", "messages.body"},
      {"portal_invitations", "id", "email", "portal_invitations.email"},
      {"portal_invitations", "id", "mail_token", "portal_invitations.mail_token"},
      {"portal_invitations", "id", "guardian_name", "portal_invitations.guardian_name"},
      {"portal_invitations", "id", "relationship", "portal_invitations.relationship"},
      {"guardian_links", "id", "relationship", "guardian_links.relationship"},
  };
  return v;
}

Result<std::int64_t> reencrypt_all(sql::Db& db, const crypto::Keyring& keys) {
  return db.write([&](sql::Conn& c) -> Result<std::int64_t> {
    std::int64_t changed = 0;
    for (const auto& col : sealed_columns()) {
      const std::string select = std::string("SELECT ") + col.id_column + ", " + col.column +
                                 " FROM " + col.table + " WHERE " + col.column +
                                 " IS NOT NULL AND " + col.column + " <> ''";
      const std::string update = std::string("UPDATE ") + col.table + " SET " + col.column +
                                 " = ? WHERE " + col.id_column + " = ?";
      for (const auto& r : c.query(select)) {
        const std::string sealed = r.str(1);
        if (crypto::Keyring::key_id_of(sealed) == keys.active_id()) continue;
        auto plain = keys.open(sealed, col.context);
        if (!plain) {
          return make_error(Errc::Conflict, std::string("cannot decrypt ") + col.table + "." +
                                                col.column + " of " + r.str(0) + ": " +
                                                plain.error().detail);
        }
        c.exec(update, {keys.seal(*plain, col.context), r.str(0)});
        ++changed;
      }
    }
    return changed;
  });
}

namespace {
//! Civil time in a named zone, from the system's zoneinfo.
std::optional<crisis::rules::LocalClock> zone_clock(const std::string& name) {
  auto tz = time_zone(name);
  if (!tz) return std::nullopt;
  crisis::rules::LocalClock c;
  c.to_local = [z = *tz](TimePoint t, int& y, int& m, int& d, int& minute, int& weekday) {
    const auto lt = z.to_local(t);
    y = lt.year;
    m = lt.month;
    d = lt.day;
    minute = lt.hour * 60 + lt.minute;
    weekday = lt.weekday;
  };
  c.from_local = [z = *tz](int y, int m, int d, int minute) {
    LocalTime lt;
    lt.year = y;
    lt.month = m;
    lt.day = d;
    lt.hour = minute / 60;
    lt.minute = minute % 60;
    return z.from_local(lt);
  };
  return c;
}

//! This process in job claims and logs: host and pid.
std::string instance_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "tend") + ":" + std::to_string(getpid());
}
}  // namespace

//! One pending prune per day, whichever instance schedules it.
static void schedule_prune(sql::Conn& c, jobs::JobQueue& q, TimePoint due) {
  jobs::NewJob j;
  j.kind = "system.prune_events";
  j.due = due;
  j.dedupe_key = format_date(due);
  q.enqueue(c, j);
}

//! One pending due-measure reminder run per hour, whichever instance schedules it.
static void schedule_reminders(sql::Conn& c, jobs::JobQueue& q, TimePoint due) {
  jobs::NewJob j;
  j.kind = "assessment.remind_due";
  j.due = due;
  j.dedupe_key = "next";
  q.enqueue(c, j);
}

App::App(const Config& cfg, const Clock& clock, crypto::Keyring keys)
    : cfg_(cfg), clock_(clock), keys_(std::move(keys)) {}

App::~App() {
  if (db_) db_->close();
}

Result<std::unique_ptr<App>> App::open(const Config& cfg, const Clock& clock) {
  crypto::init();
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    return make_error(Errc::Validation,
                      "cannot create data directory " + cfg.data_dir + ": " + ec.message());
  }
  std::filesystem::permissions(cfg.data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  auto keys = crypto::Keyring::open_or_create(cfg.key_file_path());
  if (!keys) return keys.error();
  std::unique_ptr<App> app(new App(cfg, clock, std::move(*keys)));
  sql::OpenOptions oo;
  oo.sqlite_readers = static_cast<int>(cfg.sqlite_readers);
  oo.sqlite_synchronous = cfg.sqlite_synchronous == "normal" ? "NORMAL" : "FULL";
  oo.pg_readers = static_cast<int>(cfg.pg_readers);
  oo.pg_lock_timeout_ms = static_cast<int>(cfg.pg_lock_timeout_ms);
  try {
    app->db_ = sql::open_url(cfg.db_url(), oo);
  } catch (const std::exception& e) {
    return make_error(Errc::Unavailable, std::string("cannot open database: ") + e.what());
  }
  auto m = sql::migrate(*app->db_, sql::embedded_migrations());
  if (!m) return m.error();
  for (const auto& name : m->applied) log::info("db.migrated", {{"migration", name}});
  app->audit_ = std::make_unique<audit::AuditLog>(clock);
  access::AccessConfig ac;
  ac.session_idle_minutes = static_cast<int>(cfg.session_idle_minutes);
  ac.session_absolute_hours = static_cast<int>(cfg.session_absolute_hours);
  ac.max_failed_logins = static_cast<int>(cfg.max_failed_logins);
  ac.lockout_minutes = static_cast<int>(cfg.lockout_minutes);
  ac.address_attempts = static_cast<int>(cfg.login_attempts_per_address);
  ac.break_glass_minutes = static_cast<int>(cfg.break_glass_minutes);
  ac.token_days_default = static_cast<int>(cfg.token_days);
  ac.secure_cookies = !cfg.tls_cert.empty();
  app->access_ =
      std::make_unique<access::AccessService>(*app->db_, clock, app->keys_, *app->audit_, ac);
  app->clients_ = std::make_unique<clients::ClientService>(*app->db_, clock, app->keys_,
                                                           *app->audit_, *app->access_);
  app->events_ =
      std::make_unique<events::EventHub>(*app->db_, clock, cfg.on_postgres() ? cfg.db_url() : "");
  app->access_->set_events(app->events_.get());
  app->clients_->set_events(app->events_.get());
  app->instruments_.load_embedded();
  if (!cfg.instruments_dir.empty()) app->instruments_.load_dir(cfg.instruments_dir);
  // A refused file stops nothing else; operators see it here, in the metrics and with
  // `tend instruments check`.
  for (const auto& p : app->instruments_.problems()) {
    log::error("instrument.refused", {{"file", p.source}, {"detail", p.detail}});
  }
  metrics::set_gauge("tend_instruments_refused",
                     static_cast<double>(app->instruments_.problems().size()));
  metrics::set_gauge("tend_instruments_loaded",
                     static_cast<double>(app->instruments_.all().size()));
  app->assessments_ = std::make_unique<assessment::AssessmentService>(
      *app->db_, clock, *app->audit_, *app->access_, app->instruments_);
  app->assessments_->set_events(app->events_.get());
  app->assessments_->load_imported();
  app->jobs_ = std::make_unique<jobs::JobQueue>(*app->db_, clock, instance_name());
  app->jobs_->lease = std::chrono::seconds(cfg.job_lease_seconds);
  register_probe_handler(*app->jobs_, clock);
  // Crisis: rules (built in, or the service's file), the service's time zone, channels.
  auto risk = crisis::rules::built_in();
  if (!cfg.crisis_rules.empty()) {
    std::ifstream in(cfg.crisis_rules);
    if (!in) return make_error(Errc::Validation, "cannot read crisis_rules " + cfg.crisis_rules);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = crisis::rules::RiskConfig::parse(text.str());
    if (!parsed) {
      return make_error(Errc::Validation, cfg.crisis_rules + ": " + parsed.error().detail);
    }
    risk = std::move(*parsed);
  }
  // A rule naming an instrument, flag or band that does not exist would never fire: refused
  // here rather than found out when a client's answer goes unnoticed.
  if (auto st = crisis::rules::check_instruments(
          risk,
          [&](const std::string& id) -> std::optional<crisis::rules::InstrumentCodes> {
            auto in = app->instruments_.find(id);
            if (!in) return std::nullopt;
            crisis::rules::InstrumentCodes codes;
            for (const auto& f : in->flags) codes.flags.insert(f.code);
            for (const auto& b : in->bands) codes.bands.insert(b.code);
            return codes;
          });
      !st) {
    return st.error();
  }
  // The check-in records self-harm urges 0–5: a rule above that would never fire.
  if (auto st = tracking::rules::check_crisis_rules(risk); !st) {
    return make_error(Errc::Validation,
                      (cfg.crisis_rules.empty() ? std::string("crisis rules") : cfg.crisis_rules) +
                          ": " + st.error().detail,
                      st.error().errors);
  }
  auto resources = crisis::rules::built_in_resources();
  if (!cfg.crisis_resources.empty()) {
    std::ifstream in(cfg.crisis_resources);
    if (!in) {
      return make_error(Errc::Validation, "cannot read crisis_resources " + cfg.crisis_resources);
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = crisis::rules::parse_resources(text.str());
    if (!parsed) {
      return make_error(Errc::Validation, cfg.crisis_resources + ": " + parsed.error().detail);
    }
    resources = std::move(*parsed);
  }
  if (auto tz = time_zone(cfg.time_zone); !tz) {
    return make_error(Errc::Validation, "time_zone: " + tz.error().detail);
  }
  crisis::CrisisSettings cs;
  cs.time_zone = cfg.time_zone;
  cs.base_url = cfg.base_url;
  cs.webhook_allow_loopback = cfg.webhook_allow_loopback;
  cs.zones = zone_clock;
  app->crisis_ = std::make_unique<crisis::CrisisService>(
      *app->db_, clock, app->keys_, *app->audit_, *app->access_, *app->jobs_, std::move(risk), cs);
  app->crisis_->set_events(app->events_.get());
  app->crisis_->set_resources(std::move(resources));
  if (!cfg.smtp_url.empty()) {
    notify::SmtpConfig sc;
    sc.url = cfg.smtp_url;
    sc.from = cfg.smtp_from;
    sc.username = cfg.smtp_username;
    sc.starttls = cfg.smtp_starttls;
    if (!cfg.smtp_password_file.empty()) {
      std::ifstream pw(cfg.smtp_password_file);
      if (!pw) {
        return make_error(Errc::Validation,
                          "cannot read smtp_password_file " + cfg.smtp_password_file);
      }
      std::getline(pw, sc.password);
      if (!sc.password.empty() && sc.password.back() == '\r') sc.password.pop_back();
    }
    if (auto st = notify::validate_smtp_config(sc); !st) {
      return make_error(Errc::Validation, "smtp: " + st.error().detail);
    }
    auto mailer = std::make_shared<notify::SmtpMailer>(sc, clock);
    app->mail_ = [mailer](const std::vector<std::string>& to, const std::string& subject,
                          const std::string& body) {
      return mailer->send(notify::MailMessage{to, subject, body});
    };
    app->crisis_->set_mail(app->mail_);
  }
  {
    auto sender = std::make_shared<notify::WebhookSender>();
    sender->allow_loopback = cfg.webhook_allow_loopback;
    app->crisis_->set_webhook([sender, &clock](const std::string& url, const std::string& secret,
                                               const std::string& body,
                                               const std::string& delivery_id) {
      return sender->post(notify::WebhookTarget{url, secret}, body, clock.unix_seconds(),
                          delivery_id);
    });
  }
  app->crisis_->register_jobs();
  app->episodes_ = std::make_unique<care::EpisodeService>(*app->db_, clock, app->keys_,
                                                          *app->audit_, *app->access_);
  app->tasks_ = std::make_unique<care::TaskService>(*app->db_, clock, app->keys_, *app->audit_,
                                                    *app->access_);
  app->appointments_ = std::make_unique<care::AppointmentService>(*app->db_, clock, app->keys_,
                                                                  *app->audit_, *app->access_);
  {
    // Validated above with the crisis settings.
    auto zone = time_zone(cfg.time_zone);
    app->appointments_->set_reminders(app->jobs_.get(), zone ? *zone : TimeZone(), cfg.base_url,
                                      app->mail_);
  }
  // Note templates are data (content/notes); a bad one stops start-up, naming the file.
  auto note_templates = care::rules::load_note_templates(content::embedded());
  if (!note_templates) return note_templates.error();
  app->notes_ = std::make_unique<care::NoteService>(*app->db_, clock, app->keys_, *app->audit_,
                                                    *app->access_, *app->assessments_,
                                                    *app->crisis_, std::move(*note_templates));
  // Psychoeducation articles are data (content/education); a bad one stops start-up, naming
  // the file.
  auto articles = education::Library::load(content::embedded(), cfg.education_dir);
  if (!articles) return articles.error();
  app->education_ = std::make_unique<education::Library>(std::move(*articles));
  app->education_assignments_ = std::make_unique<education::EducationService>(
      *app->db_, clock, app->keys_, *app->audit_, *app->access_, *app->education_);
  // Check-in factors: built in (content/tracking), or the service's own list; a bad file stops
  // start-up, naming the file and the field.
  auto factors = tracking::rules::load_factors(content::embedded());
  if (!factors) return factors.error();
  if (!cfg.tracking_factors.empty()) {
    std::ifstream in(cfg.tracking_factors);
    if (!in) {
      return make_error(Errc::Validation, "cannot read tracking_factors " + cfg.tracking_factors);
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = tracking::rules::parse_factors(text.str());
    if (!parsed) {
      return make_error(Errc::Validation, cfg.tracking_factors + ": " + parsed.error().detail,
                        parsed.error().errors);
    }
    factors = std::move(parsed);
  }
  {
    auto zone = time_zone(cfg.time_zone);  // validated with the crisis settings
    app->tracking_ = std::make_unique<tracking::TrackingService>(
        *app->db_, clock, app->keys_, *app->audit_, *app->access_, *app->crisis_,
        std::move(*factors), zone ? *zone : TimeZone());
    app->tracking_->set_reminders(app->jobs_.get(), cfg.base_url, app->mail_);
  }
  // Secure messages: office hours are checked here; a bad value stops start-up, naming it.
  {
    auto hours = messaging::rules::parse_office_hours(cfg.office_hours);
    if (!hours) return hours.error();
    messaging::MessagingSettings ms;
    ms.hours = std::move(*hours);
    auto zone = time_zone(cfg.time_zone);  // validated above
    ms.zone = zone ? *zone : TimeZone();
    ms.base_url = cfg.base_url;
    app->messages_ = std::make_unique<messaging::MessagingService>(
        *app->db_, clock, app->keys_, *app->audit_, *app->access_, *app->crisis_, *app->jobs_,
        std::move(ms));
    app->messages_->set_events(app->events_.get());
    app->messages_->set_mail(app->mail_);
  }
  // Portal accounts: the terms (built in, or the service's file) and what guardians may see.
  {
    std::string terms_text;
    std::string terms_source = "content/portal/terms.md";
    if (!cfg.portal_terms.empty()) {
      std::ifstream in(cfg.portal_terms);
      if (!in) return make_error(Errc::Validation, "cannot read portal_terms " + cfg.portal_terms);
      std::stringstream text;
      text << in.rdbuf();
      terms_text = text.str();
      terms_source = cfg.portal_terms;
    } else {
      for (const auto& f : content::embedded()) {
        if (f.path == "portal/terms.md") terms_text = std::string(f.text);
      }
    }
    auto terms = access::invitations::parse_terms(terms_text);
    if (!terms) return make_error(Errc::Validation, terms_source + ": " + terms.error().detail);
    auto shared = access::invitations::parse_guardian_access(cfg.guardian_access);
    if (!shared)
      return make_error(Errc::Validation,
                        "guardian_access: " + shared.error().errors.front().message);
    access::PortalSettings ps;
    ps.service_name = cfg.service_name;
    ps.base_url = cfg.base_url;
    ps.terms = std::move(*terms);
    ps.guardian_access = std::move(*shared);
    ps.guardian_adults = cfg.guardian_adults;
    app->invitations_ = std::make_unique<access::InvitationService>(
        *app->db_, clock, app->keys_, *app->audit_, *app->access_, std::move(ps));
    app->invitations_->set_mail(app->jobs_.get(), app->mail_);
  }
  app->plans_ = std::make_unique<care::PlanService>(*app->db_, clock, app->keys_, *app->audit_,
                                                    *app->access_, *app->assessments_);
  app->discharges_ = std::make_unique<care::DischargeService>(
      *app->db_, clock, app->keys_, *app->audit_, *app->access_, *app->assessments_);
  // Diagnosis codes: built in, or the service's own list; a bad row stops start-up.
  auto codes = care::rules::built_in_codes();
  if (!cfg.code_list.empty()) {
    std::ifstream in(cfg.code_list);
    if (!in) return make_error(Errc::Validation, "cannot read code_list " + cfg.code_list);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = care::rules::parse_code_list(text.str());
    if (!parsed) return make_error(Errc::Validation, cfg.code_list + ": " + parsed.error().detail);
    codes = std::move(*parsed);
  }
  app->diagnoses_ = std::make_unique<care::DiagnosisService>(
      *app->db_, clock, app->keys_, *app->audit_, *app->access_, std::move(codes));
  app->medications_ = std::make_unique<care::MedicationService>(*app->db_, clock, app->keys_,
                                                                *app->audit_, *app->access_);
  app->education_assignments_->set_sources(app->diagnoses_.get(), app->assessments_.get());
  {
    // The client's own record reads through the services above; times in the service's zone.
    auto zone = time_zone(cfg.time_zone);
    app->record_ = std::make_unique<record::RecordService>(
        *app->db_, clock, app->keys_, *app->audit_, *app->access_,
        record::Sources{*app->clients_, *app->assessments_, *app->appointments_, *app->diagnoses_,
                        *app->medications_, *app->plans_, *app->crisis_, *app->notes_,
                        *app->education_assignments_, *app->tracking_, *app->messages_},
        zone ? *zone : TimeZone());
  }
  // A scored measure's risk answers open (or join) an alert in the same transaction.
  app->assessments_->on_scored(
      [a = app.get()](sql::Conn& c, const assessment::AssessmentScored& s) {
        crisis::rules::ScoredMeasure scored;
        scored.assessment_id = s.assessment_id;
        scored.instrument_id = s.instrument_id;
        scored.band = s.band;
        for (const auto& f : s.flags) scored.flags.push_back(f.code);
        a->crisis_->on_assessment(c, s.client_id, scored);
      });
  // Events are kept a day (for Last-Event-ID); each prune schedules the next, a day later.
  app->jobs_->handle("system.prune_events",
                     [a = app.get(), &clock](sql::Conn& c, const jobs::Job&) {
                       a->events_->prune(c);
                       schedule_prune(c, *a->jobs_, clock.now() + std::chrono::hours(24));
                       return ok_status();
                     });
  // Measures that fall due are announced once per due date; each run schedules the next.
  app->jobs_->handle("assessment.remind_due",
                     [a = app.get(), &clock](sql::Conn& c, const jobs::Job&) {
                       a->assessments_->remind_due(c);
                       schedule_reminders(c, *a->jobs_, clock.now() + std::chrono::hours(1));
                       return ok_status();
                     });
  app->build_routes();
  return app;
}

void App::build_routes() {
  router_.add(Method::Get, "/healthz", [](Request&) { return Response::text(200, "ok\n"); })
      .summary("Liveness: the process answers", "operations")
      .returns(200, "Alive")
      .open();
  router_
      .add(Method::Get, "/readyz",
           [this](Request&) {
             if (!db_->healthy()) {
               return Response::problem(make_error(Errc::Unavailable, "database is not answering"));
             }
             return Response::text(200, "ready\n");
           })
      .summary("Readiness: the database answers", "operations")
      .returns(200, "Ready")
      .open();
  router_
      .add(Method::Get, "/metrics",
           [this](Request&) {
             try {
               for (const auto& [state, n] : jobs_->counts()) {
                 metrics::set_gauge("tend_jobs_" + state, static_cast<double>(n));
               }
             } catch (const std::exception&) {
               // The database is down: the rest of the metrics still say so.
             }
             return Response::text(200, metrics::render(),
                                   "text/plain; version=0.0.4; charset=utf-8");
           })
      .summary("Prometheus metrics (no client data)", "operations")
      .returns(200, "Metrics")
      .open();
  router_
      .add(Method::Get, "/api/v1/openapi.json",
           [this](Request&) {
             return Response::json(200, http::openapi_document(router_, "Tend API", TEND_VERSION));
           })
      .summary("This API described as OpenAPI 3.1", "operations")
      .returns(200, "OpenAPI document")
      .open();
  access::register_routes(router_, *access_);
  register_job_routes(router_, *jobs_, *access_, *audit_);
  router_
      .add(Method::Get, "/api/v1/events",
           access_->guard([this](Request& req, const access::Principal& p) {
             std::optional<std::string> last;
             if (auto h = req.headers.get("Last-Event-ID")) last = std::string(*h);
             if (!last) last = req.query_param("last_event_id");
             std::optional<std::int64_t> last_seen;
             if (last && !last->empty()) {
               const bool digits = last->size() <= 18 &&
                                   std::all_of(last->begin(), last->end(),
                                               [](char ch) { return ch >= '0' && ch <= '9'; });
               if (!digits) {
                 return Response::problem(make_error(
                     Errc::BadRequest, "Last-Event-ID must be an event number this server sent",
                     {{"Last-Event-ID", "is not an event number"}}));
               }
               last_seen = std::stoll(*last);
             }
             return Response::event_stream(events_->subscribe(p.user_id, last_seen));
           }))
      .summary("Live events for the signed-in user (server-sent events; Last-Event-ID resumes)",
               "events")
      .query("last_event_id")
      .returns(200, "text/event-stream");
  clients::register_routes(router_, *clients_, *access_);
  assessment::register_routes(router_, *assessments_, *access_);
  fhir::register_routes(router_, *assessments_, *access_);
  crisis::register_routes(router_, *crisis_, *access_);
  care::register_routes(router_, *episodes_, *tasks_, *appointments_, *access_);
  care::register_note_routes(router_, *notes_, *access_);
  care::register_plan_routes(router_, *plans_, *discharges_, *access_);
  care::register_diagnosis_routes(router_, *diagnoses_, *medications_, *access_);
  education::register_routes(router_, *education_, *education_assignments_, *access_);
  tracking::register_routes(router_, *tracking_, *access_);
  record::register_routes(router_, *record_, *access_);
  messaging::register_routes(router_, *messages_, *crisis_, *access_);
  access::register_invitation_routes(router_, *invitations_, *access_);
  register_guardian_routes(router_, {*invitations_, *access_, *appointments_, *plans_, *crisis_,
                                     *education_assignments_});

  http::MiddlewareOptions mo;
  mo.hsts = !cfg_.tls_cert.empty();
  web_ = std::make_unique<WebApp>(cfg_.web_root);
  handler_ = http::with_standard_middleware(
      [this](Request& r) {
        if ((r.method == Method::Get || r.method == Method::Head) && is_web_path(r.path)) {
          r.route = "web";  // one metrics label for every page and asset
          return web_->serve(r.path);
        }
        return router_.dispatch(r);
      },
      mo);
}

http::Response App::handle(http::Request& req) {
  return handler_(req);
}

void App::start_background() {
  events_->start();
}

Status App::serve() {
  auto listen = parse_listen(cfg_.listen);
  if (!listen) return listen.error();
  if (cfg_.tls_cert.empty() && !is_loopback(listen->first) && !cfg_.allow_insecure_http) {
    return make_error(
        Errc::Validation,
        "refusing plain HTTP on " + cfg_.listen +
            ": give --tls-cert/--tls-key, or --allow-insecure-http behind a TLS proxy");
  }
  http::ServerOptions so;
  so.host = listen->first;
  so.port = listen->second;
  so.io_threads = static_cast<int>(cfg_.io_threads);
  so.worker_threads = static_cast<int>(cfg_.worker_threads);
  so.max_body_bytes = static_cast<std::size_t>(cfg_.max_body_bytes);
  so.max_header_bytes = static_cast<std::size_t>(cfg_.max_header_bytes);
  so.read_timeout = std::chrono::seconds(cfg_.read_timeout_seconds);
  so.write_timeout = std::chrono::seconds(cfg_.write_timeout_seconds);
  so.idle_timeout = std::chrono::seconds(cfg_.idle_timeout_seconds);
  so.shutdown_grace = std::chrono::seconds(cfg_.shutdown_grace_seconds);
  so.tls_cert_file = cfg_.tls_cert;
  so.tls_key_file = cfg_.tls_key;
  start_background();
  db_->write([&](sql::Conn& c) {
    schedule_prune(c, *jobs_, clock_.now() + std::chrono::hours(1));
    schedule_reminders(c, *jobs_, clock_.now() + std::chrono::minutes(1));
    tracking_->schedule_reminder_sweep(c);
  });
  http::Server server(so, [this](Request& r) { return handle(r); });
  try {
    server.start();
  } catch (const std::exception& e) {
    return make_error(Errc::Unavailable, std::string("cannot serve: ") + e.what());
  }
  log::info("server.started", {{"listen", so.host + ":" + std::to_string(server.port())},
                               {"tls", !cfg_.tls_cert.empty()},
                               {"data_dir", cfg_.data_dir}});
  jobs::JobRunner runner(*jobs_, std::chrono::milliseconds(cfg_.job_poll_ms));
  runner.start();
  server.wait_for_signal();
  log::info("server.draining", {});
  events_->stop();  // ends every event stream, so the server can drain
  runner.stop();    // finishes the job in hand; the rest wait in the database
  db_->close();
  log::info("server.stopped", {});
  return ok_status();
}

}  // namespace tend::app
