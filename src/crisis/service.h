#pragma once
//! Crisis use cases: open an alert the moment risk is reported (or join the one open), tell a
//! named person at once, escalate along the chain when nobody acknowledges in time, resolve
//! with an outcome and schedule caring contacts; the on-call roster, webhook targets and the
//! client's safety plan.
//!
//! Escalation state lives in the database. Each deadline is a durable job (`crisis.escalate`)
//! carrying the alert's `timer`; the job does something only while the alert is still open
//! with that timer, inside the transaction that marks the job done, so a restart continues
//! every deadline and two instances escalate exactly once per deadline. E-mail and webhook
//! deliveries are separate jobs (at least once), so a failing channel never stops the others;
//! each failure is written to the alert's timeline and published live.

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "crisis/model.h"
#include "crisis/rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/events/hub.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::crisis {

//! Sends one e-mail; returns an error naming the server (never the content) on failure.
using MailFn = std::function<Status(const std::vector<std::string>& to, const std::string& subject,
                                    const std::string& body)>;
//! POSTs a signed JSON body to a webhook target; `delivery_id` is the receiver's idempotency key.
using WebhookFn = std::function<Status(const std::string& url, const std::string& secret,
                                       const std::string& body, const std::string& delivery_id)>;

struct CrisisSettings {
  std::string time_zone = "UTC";  //!< the service's zone: working days for `low` deadlines
  std::string base_url;           //!< links in e-mail ("https://tend.example.org"); may be empty
  //! Webhook addresses on loopback are accepted (tests and a local relay only).
  bool webhook_allow_loopback = false;
  //! UTC ↔ local for the service zone and for roster entries' zones.
  rules::ZoneLookup zones;
};

//! A crisis line as content/crisis/resources.json lists it.
struct Resources {
  std::string region;
  boost::json::object data;  //!< as served
};

//! The result of raising: the alert and whether it was new or a signal joined it.
struct Raised {
  Alert alert;
  bool joined = false;
};

//! A safety plan's sections as stored and served.
boost::json::object sections_json(const SafetyPlanSections& s);

//! Thread-safe; one per process.
class CrisisService {
 public:
  CrisisService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                audit::AuditLog& audit, access::AccessService& access, jobs::JobQueue& jobs,
                rules::RiskConfig cfg, CrisisSettings settings);

  void set_events(events::EventHub* hub) { events_ = hub; }
  //! Channels; without them, alerts go only to live event streams.
  void set_mail(MailFn f) { mail_ = std::move(f); }
  void set_webhook(WebhookFn f) { webhook_ = std::move(f); }
  //! Registers the job handlers (escalation, deliveries, follow-ups) on the queue.
  void register_jobs();

  const rules::RiskConfig& config() const { return cfg_; }

  // ---- signals (inside the caller's write transaction) ----
  //! Every signal a scored measure raises; called from the assessment listener, so that the
  //! result and its alert commit together.
  void on_assessment(sql::Conn& c, const std::string& client_id, const rules::ScoredMeasure& m);
  //! A check-in or message signal (the between-sessions modules call these).
  void on_check_in(sql::Conn& c, const std::string& client_id, const rules::CheckIn& ci);
  void on_message(sql::Conn& c, const std::string& client_id, const std::string& message_id,
                  std::string_view text);
  //! Opens an alert for the signal, or adds it to the client's open one. `raised_by` is the
  //! clinician for a concern raised by hand.
  Raised raise(sql::Conn& c, const std::string& client_id, const Signal& s,
               const std::string& raised_by = {});

  // ---- use cases ----
  Result<Raised> raise_concern(const access::Principal& p, const std::string& client_id,
                               const boost::json::object& body);
  //! The portal's "I need help now": an imminent signal for the caller's own record.
  Result<Raised> help_now(const access::Principal& p);
  //! The board: status "active" (open and acknowledged), "open", "acknowledged" or "resolved".
  Result<std::vector<Alert>> list(const access::Principal& p, const std::string& status,
                                  const std::string& client_id, int limit);
  //! One alert with its timeline, note and how to reach the client.
  Result<Alert> get(const access::Principal& p, const std::string& id);
  //! How to reach the client (phone, emergency contact), for those who may see the alert.
  boost::json::object contact_of(const std::string& client_id);
  Result<Alert> acknowledge(const access::Principal& p, const std::string& id);
  Result<Alert> resolve(const access::Principal& p, const std::string& id,
                        const boost::json::object& body);

  // ---- follow-ups ----
  Result<std::vector<FollowUp>> follow_ups(const access::Principal& p, const std::string& status,
                                           bool mine, const std::string& client_id);
  Result<FollowUp> complete_follow_up(const access::Principal& p, const std::string& id,
                                      const boost::json::object& body);

  // ---- roster ----
  Result<std::vector<RosterEntry>> roster(const access::Principal& p);
  Result<RosterEntry> add_roster_entry(const access::Principal& p, const boost::json::object& body);
  Status remove_roster_entry(const access::Principal& p, const std::string& id);
  //! Who is on call and supervising at `t`.
  std::pair<std::vector<Person>, std::vector<Person>> on_duty(TimePoint t);

  // ---- webhooks ----
  struct Webhook {
    std::string id, name, url, min_level;
    std::int64_t created_at_ms = 0;
    std::string secret;  //!< only when just created
  };
  Result<std::vector<Webhook>> webhooks(const access::Principal& p);
  Result<Webhook> add_webhook(const access::Principal& p, const boost::json::object& body);
  Status remove_webhook(const access::Principal& p, const std::string& id);
  //! Sends a test delivery now; the error says what the target answered.
  Status test_webhook(const access::Principal& p, const std::string& id);
  //! The service's clock's time ("who is on call now").
  TimePoint now() const { return clock_.now(); }

  // ---- safety plans ----
  Result<SafetyPlan> safety_plan(const access::Principal& p, const std::string& client_id,
                                 std::optional<std::int64_t> version = std::nullopt);
  Result<std::vector<SafetyPlan>> safety_plan_versions(const access::Principal& p,
                                                       const std::string& client_id);
  Result<SafetyPlan> save_safety_plan(const access::Principal& p, const std::string& client_id,
                                      const boost::json::object& body);

  // ---- crisis resources ----
  //! The lines for `region` (ISO 3166-1 alpha-2, e.g. "US"); the default region's when unknown.
  Resources resources(const std::string& region) const;
  //! Replaces the crisis lines (a document rules::parse_resources accepted). Call before serving.
  void set_resources(boost::json::object doc) { resources_ = std::move(doc); }
  //! The client's region from their address (country), for the portal.
  std::string region_of(const std::string& client_id);

  // ---- job handlers (public for tests) ----
  Status escalate(sql::Conn& c, const jobs::Job& job);
  Status deliver_email(const jobs::Job& job);
  Status deliver_webhook(const jobs::Job& job);
  Status follow_up_due(sql::Conn& c, const jobs::Job& job);

 private:
  std::int64_t now_ms() const;
  //! A sealed column's text, or `otherwise` when it cannot be opened (a lost key).
  std::string opened(const std::string& sealed, const char* context, const char* otherwise) const;
  std::optional<Alert> load(sql::Conn& c, const std::string& id, bool detail);
  std::optional<Alert> active_for(sql::Conn& c, const std::string& client_id);
  ChainPeople people_for(sql::Conn& c, const std::string& client_id, TimePoint t);
  std::vector<std::string> fallback(sql::Conn& c);
  std::set<std::string> recipients_of(sql::Conn& c, const std::string& alert_id);
  //! Tells `who` (live, e-mail, webhooks), records it and sets the next deadline.
  void notify(sql::Conn& c, Alert& a, const std::vector<std::string>& who, const std::string& kind);
  void arm(sql::Conn& c, Alert& a, TimePoint from);
  void timeline(sql::Conn& c, const std::string& alert_id, const std::string& kind, int step,
                const std::string& user_id = {}, const std::string& channel = {},
                const std::string& detail = {});
  void publish_update(sql::Conn& c, const Alert& a, const std::string& type);
  void store_alert(sql::Conn& c, const Alert& a, bool insert);
  //! May `p` see (and act on) this alert: its recipients, the care team, anyone on the roster.
  bool may_see(sql::Conn& c, const access::Principal& p, const Alert& a);
  bool on_roster(sql::Conn& c, const std::string& user_id);
  void record_delivery(const std::string& alert_id, const std::string& channel,
                       const std::string& user_id, const std::string& target, const Status& st);
  rules::LocalClock service_clock() const;
  std::string client_name(sql::Conn& c, const std::string& client_id);
  void fill_names(sql::Conn& c, Alert& a);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  jobs::JobQueue& jobs_;
  rules::RiskConfig cfg_;
  CrisisSettings settings_;
  events::EventHub* events_ = nullptr;
  MailFn mail_;
  WebhookFn webhook_;
  boost::json::object resources_;  // content/crisis/resources.json
};

}  // namespace tend::crisis
