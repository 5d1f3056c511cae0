#pragma once
//! Daily check-in use cases: the client records one check-in a local day (sent again with the
//! same Idempotency-Key, it is stored once), reads their diary, chart, streaks and patterns,
//! exports it as CSV and adds their own factors; the care team reads the check-ins (notes only
//! when shared), audited. Every check-in feeds crisis detection in its own write transaction.
//! Daily reminders by e-mail at the client's chosen time are durable jobs.

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "crisis/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"
#include "platform/tz.h"
#include "tracking/model.h"
#include "tracking/rules.h"

namespace tend::tracking {

//! Sends one e-mail; returns an error naming the server (never the content) on failure.
using MailFn = std::function<Status(const std::vector<std::string>& to, const std::string& subject,
                                    const std::string& body)>;

//! A check-in as stored (tracking_check_ins).
struct StoredCheckIn {
  std::string id;
  std::string client_id;
  CheckIn check_in;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

//! What recording a check-in did.
struct Recorded {
  int status = 201;       //!< 201 first for its date, 200 replaced it (or a replay)
  bool replayed = false;  //!< the Idempotency-Key was used before with this body
  //! The answer: the check-in JSON with `alert_raised` (for a replay, as first given).
  boost::json::object answer;
};

//! A factor the client may tick, and whether it is their own.
struct KnownFactor {
  Factor factor;
  bool own = false;
};

//! The portal's chart page.
struct Summary {
  std::string today, span, from, to;
  Streak streak;
  std::vector<std::pair<Field, std::vector<Point>>> series;
  std::vector<std::pair<Pattern, std::string>> patterns;  //!< with the factor's label
};

//! Whose diary a reader sees, and how.
struct Diary {
  std::vector<StoredCheckIn> items;  //!< by date
  std::vector<KnownFactor> factors;  //!< the service's list, the client's own, then any other id
};

//! Thread-safe; one per process. `crisis` outlives it.
class TrackingService {
 public:
  //! `factors` is the service's list (rules::load_factors or the tracking_factors file); `zone`
  //! the service's time zone: "today" is the local date there.
  TrackingService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                  audit::AuditLog& audit, access::AccessService& access,
                  crisis::CrisisService& crisis, std::vector<Factor> factors, TimeZone zone);

  //! Daily reminders: a `tracking.reminder_sweep` job every 15 minutes (see
  //! schedule_reminder_sweep) and a `tracking.check_in_reminder` job per client and day, sent
  //! by `mail` with a link to `base_url`. Without `mail`, no reminder is sent.
  void set_reminders(jobs::JobQueue* jobs, std::string base_url, MailFn mail);
  //! Starts the sweep chain when no sweep is pending (serve() calls it; each sweep schedules the
  //! next). Sweeps are keyed by their quarter hour, so chains started by several instances merge.
  void schedule_reminder_sweep(sql::Conn& c);

  //! The calling client records `body` (rules::check_in) for a local date: one per date, a
  //! second replaces the first (200). `idempotency_key` (1–100 printable ASCII) sent again with
  //! the same body answers as the first time without writing; with another body, 422 on
  //! Idempotency-Key. Crisis detection runs in the same transaction.
  Result<Recorded> record(const access::Principal& p, const boost::json::value& body,
                          const std::optional<std::string>& idempotency_key);

  //! The calling client's check-ins dated `from`..`to` ("YYYY-MM-DD", inclusive; default the
  //! last 30 days), by date.
  Result<std::vector<StoredCheckIn>> mine(const access::Principal& p,
                                          const std::optional<std::string>& from,
                                          const std::optional<std::string>& to);
  //! A client's check-ins for someone allowed to read their record (care team, break-glass),
  //! audited. Notes the client did not share are blanked.
  Result<Diary> for_client(const access::Principal& p, const std::string& client_id,
                           const std::optional<std::string>& from,
                           const std::optional<std::string>& to);
  //! The whole diary: the calling client's own (every note), or a client's for the care team
  //! (shared notes only; audited).
  Result<Diary> diary(const access::Principal& p, const std::string& client_id);

  //! Streaks, chart series over `span` (week: 7 days, month: 30, year: 365, ending today) and
  //! patterns over the last 90 days, for the calling client.
  Result<Summary> summary(const access::Principal& p, const std::string& span);

  //! The service's list then the calling client's own.
  Result<std::vector<KnownFactor>> factors(const access::Principal& p);
  //! The calling client adds a factor `{label, kind}`; its id is made from the label. 409 when
  //! the service's list or the client's own already has that id.
  Result<KnownFactor> add_factor(const access::Principal& p, const boost::json::object& body);

  //! The service's local date now, "YYYY-MM-DD".
  std::string today() const;

  // ---- job handlers (public for tests) ----
  Status sweep_reminders(sql::Conn& c, const jobs::Job& job);
  Status deliver_reminder(const jobs::Job& job);

  //! Stores check-ins as given, without the rules' date window or crisis detection: for
  //! `tend demo` only (a history of weeks). A date already stored is skipped.
  void seed_demo(const std::string& client_id, const std::vector<CheckIn>& checkins);

 private:
  std::vector<StoredCheckIn> load(sql::Conn& c, const std::string& where,
                                  const sql::Params& params);
  std::vector<KnownFactor> known_factors(sql::Conn& c, const std::string& client_id);
  Result<std::pair<std::string, std::string>> range(const std::optional<std::string>& from,
                                                    const std::optional<std::string>& to) const;
  std::string sealed_note(const std::string& note) const;
  TimePoint local_instant(const std::string& date, int minute_of_day) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  crisis::CrisisService& crisis_;
  std::vector<Factor> factors_;
  TimeZone zone_;
  jobs::JobQueue* jobs_ = nullptr;
  std::string base_url_;
  MailFn mail_;
};

//! The check-in as the API gives it: a skipped rating is null. For `staff`, the note is null
//! unless shared, and `factor_labels` names the factors ticked.
boost::json::object check_in_json(const StoredCheckIn& s, bool staff = false,
                                  const std::vector<KnownFactor>* factors = nullptr);

}  // namespace tend::tracking
