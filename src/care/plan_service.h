#pragma once
//! Care pathway use cases, this part: treatment plans (versioned, with progress from the
//! results and the client's agreement), discharge summaries and relapse prevention plans.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "access/service.h"
#include "assessment/service.h"
#include "audit/service.h"
#include "care/plan_model.h"
#include "care/plan_rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/json.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::care {

//! One intervention of the list (content/care/interventions.json).
struct InterventionInfo {
  std::string code;
  std::string name;
  std::string client_text;  //!< plain language, for the portal
};

//! A plan as shown: its current version, with each objective's progress (same order).
struct PlanView {
  Plan plan;
  std::vector<Progress> progress;
};

//! Treatment plans. Thread-safe; one per process.
class PlanService {
 public:
  PlanService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys, audit::AuditLog& audit,
              access::AccessService& access, assessment::AssessmentService& assessments);

  //! The interventions a plan may name, in list order.
  const std::vector<InterventionInfo>& interventions() const { return interventions_; }
  const InterventionInfo* intervention(const std::string& code) const;

  //! A new plan at version 1: `{episode_id?, problems, goals, objectives, interventions,
  //! review_on}` (items `{id?, text}`; objectives `{id?, text, target_on, instrument_id?,
  //! comparison?, target?}`; interventions `{id?, code, detail?, frequency, delivered_by}`).
  //! Items without an id get one. Sets a review task for the author, due on `review_on`.
  Result<PlanView> create(const access::Principal& p, const std::string& client_id,
                          const boost::json::object& body);
  //! The client's plans, newest change first (without progress).
  Result<std::vector<Plan>> list(const access::Principal& p, const std::string& client_id);
  Result<PlanView> get(const access::Principal& p, const std::string& id);
  //! A new version: the same fields as create() and `version`, the one edited (409 when it is
  //! not the current one). The review task follows the review date.
  Result<PlanView> revise(const access::Principal& p, const std::string& id,
                          const boost::json::object& body);
  //! Every version, newest first.
  Result<std::vector<PlanVersion>> versions(const access::Principal& p, const std::string& id);
  Result<PlanVersion> version(const access::Principal& p, const std::string& id, std::int64_t n);
  //! What changed from version `from` to version `to`.
  Result<std::vector<PlanChange>> diff(const access::Principal& p, const std::string& id,
                                       std::int64_t from, std::int64_t to);
  //! The client's own current plan (the one changed last), for the portal.
  Result<PlanView> mine(const access::Principal& p);
  //! The client agrees to version `version` of their plan `id` (409 when it is not the current
  //! one). Agreeing twice to one version changes nothing.
  Result<PlanView> agree(const access::Principal& p, const std::string& id,
                         const boost::json::object& body);
  std::string today() const;

 private:
  //! Reads and checks a plan's content from a request (errors named by path), then finishes `r`.
  Result<PlanContent> read_content(json::FieldReader& r);
  std::optional<Plan> load(sql::Conn& c, const std::string& id);
  std::optional<PlanVersion> load_version(sql::Conn& c, const std::string& id, std::int64_t n);
  //! Checks the delivering staff, fills names and ids; the error names the field.
  Status settle(sql::Conn& c, PlanContent& content, const PlanContent* before);
  void fill_names(sql::Conn& c, PlanContent& content);
  PlanView with_progress(const access::Principal& p, Plan plan);
  std::string seal(const PlanContent& content) const;
  PlanContent open_content(const std::string& sealed) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  assessment::AssessmentService& assessments_;
  std::vector<InterventionInfo> interventions_;
};

//! Discharge summaries and relapse prevention plans of discharged episodes. Thread-safe.
class DischargeService {
 public:
  DischargeService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                   audit::AuditLog& audit, access::AccessService& access,
                   assessment::AssessmentService& assessments);

  Result<Discharge> get(const access::Principal& p, const std::string& episode_id);
  //! Writes (version 0) or changes (the current version) the summary of a discharged episode:
  //! `{version, reason, what_helped, recommendations, relapse: {warning_signs[], what_helps[],
  //! contacts[], coming_back}}`. The outcome measures are filled from the results between
  //! referral and discharge. 409 when the episode is not discharged or `version` is stale.
  Result<Discharge> save(const access::Principal& p, const std::string& episode_id,
                         const boost::json::object& body);
  //! The client's relapse prevention plan from their latest discharge, for the portal.
  Result<Discharge> mine(const access::Principal& p);

 private:
  std::optional<Discharge> load(sql::Conn& c, const std::string& where, const sql::Params& params);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  assessment::AssessmentService& assessments_;
};

//! A plan's content as JSON (as stored, sealed, and as the API shows it).
boost::json::object content_json(const PlanContent& c);
boost::json::object relapse_json(const RelapsePrevention& r);

}  // namespace tend::care
