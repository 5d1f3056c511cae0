#pragma once
//! Psychoeducation assigned to clients: the care team gives an article of the library with an
//! optional note, the client reads it in the portal, marks it read and says how useful it was.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/service.h"
#include "assessment/service.h"
#include "audit/service.h"
#include "care/diagnosis_service.h"
#include "education/rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::education {

//! One article given to one client (education_assignments).
struct Assignment {
  std::string id;
  std::string client_id;
  std::string slug;    //!< an article of the library
  std::string note;    //!< to the client; empty when none
  std::string status;  //!< assigned | read | cancelled
  std::string assigned_by;
  std::string assigned_by_name;
  std::int64_t assigned_at_ms = 0;
  std::optional<std::int64_t> read_at_ms;
  std::optional<int> rating;  //!< 1–5
  std::optional<std::int64_t> rated_at_ms;
  std::int64_t version = 1;
};

//! Thread-safe; one per process. The library outlives it.
class EducationService {
 public:
  EducationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                   audit::AuditLog& audit, access::AccessService& access, const Library& library);

  //! Someone on the client's care team gives an article: `{slug, note?}` (note up to 1000
  //! characters). 422 on `slug` when the library has no such article; 409 while the same article
  //! is still unread for this client.
  Result<Assignment> assign(const access::Principal& p, const std::string& client_id,
                            const boost::json::object& body);
  //! The client's assignments, newest first (cancelled ones included): for the care team and for
  //! the client themself.
  Result<std::vector<Assignment>> for_client(const access::Principal& p,
                                             const std::string& client_id);
  //! The calling client's own assignments that are not cancelled, newest first (the portal).
  Result<std::vector<Assignment>> mine(const access::Principal& p);
  //! The client has read one of their own assignments. Reading it again changes nothing; 409
  //! when it was cancelled; 404 for anyone else's.
  Result<Assignment> mark_read(const access::Principal& p, const std::string& id);
  //! The client says how useful a read assignment was: `{rating: 1–5}` (422 otherwise); a new
  //! rating replaces the old. 409 before it is read or once cancelled; 404 for anyone else's.
  Result<Assignment> rate(const access::Principal& p, const std::string& id,
                          const boost::json::object& body);
  //! The care team takes back an unread assignment: `{version}`. 409 once it is read (what the
  //! client read and said stays on the record) or cancelled, or when `version` is stale.
  Result<Assignment> cancel(const access::Principal& p, const std::string& id,
                            const boost::json::object& body);

  //! Where suggestions look: the client's current diagnoses and recent measures. Set once at
  //! start-up; both must outlive the service.
  void set_sources(care::DiagnosisService* diagnoses, assessment::AssessmentService* measures) {
    diagnoses_ = diagnoses;
    measures_ = measures;
  }
  //! Articles suggested for a client (Library::suggest_for): from their current (provisional
  //! or confirmed) diagnoses through the code map, and the latest result of each instrument
  //! completed in the last `k_recent_days` days. Articles already given (and not taken back)
  //! are left out. Care team only; 403 for clients.
  Result<std::vector<Suggestion>> suggestions(const access::Principal& p,
                                              const std::string& client_id);
  //! How far back a measure counts as recent for suggestions.
  static constexpr int k_recent_days = 90;

  //! The article an assignment points to; null only if it left the library.
  const Article* article(const Assignment& a) const { return library_.find(a.slug); }

 private:
  std::vector<Assignment> load_many(sql::Conn& c, const std::string& where,
                                    const sql::Params& params);
  std::optional<Assignment> load(sql::Conn& c, const std::string& id);
  //! The caller's own assignment `id` (clients only), or 404.
  Result<Assignment> own(sql::Conn& c, const access::Principal& p, const std::string& id);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  const Library& library_;
  care::DiagnosisService* diagnoses_ = nullptr;
  assessment::AssessmentService* measures_ = nullptr;
};

}  // namespace tend::education
