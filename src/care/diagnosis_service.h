#pragma once
//! Care pathway use cases. This part: diagnoses (ICD-10-CM codes from the code list) and the
//! psychiatric medication list, each with the history of its changes.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "care/diagnosis_model.h"
#include "care/diagnosis_rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::care {

//! Diagnoses on a client's record, and the code list they are chosen from. Clinicians and
//! prescribers on the care team make and change them; the rest of the care team reads them.
//! A new primary diagnosis demotes the current one to secondary in the same transaction, so
//! a client has at most one current primary. Thread-safe; one per process.
class DiagnosisService {
 public:
  DiagnosisService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                   audit::AuditLog& audit, access::AccessService& access, rules::CodeList codes);

  const rules::CodeList& codes() const { return codes_; }
  //! Up to `limit` codes for `query` (rules::search_codes): for staff; clients are refused.
  Result<std::vector<Code>> search(const access::Principal& p, const std::string& query,
                                   std::size_t limit);
  //! `{code, rank?, status?, diagnosed_on?, note?}`: the code must be in the list and valid
  //! for coding; rank primary or secondary (default), status provisional (default) or
  //! confirmed; the date (default today) not in the future.
  Result<Diagnosis> diagnose(const access::Principal& p, const std::string& client_id,
                             const boost::json::object& body);
  //! The client's diagnoses with their history: current ones first (the primary first), then
  //! the closed, each newest first.
  Result<std::vector<Diagnosis>> list(const access::Principal& p, const std::string& client_id);
  //! `{version, status?, rank?, note?}`: a new status (rules::check_diagnosis_status) and/or
  //! rank. 409 when `version` is stale or the status cannot follow.
  Result<Diagnosis> change(const access::Principal& p, const std::string& id,
                           const boost::json::object& body);

 private:
  std::vector<Diagnosis> load_many(sql::Conn& c, const std::string& where,
                                   const sql::Params& params);
  Status may_write(const access::Principal& p) const;
  //! Demotes the client's current primary (other than `except_id`) to secondary.
  void demote_primary(sql::Conn& c, const access::Principal& p, const std::string& client_id,
                      const std::string& except_id, std::int64_t at_ms, const std::string& reason);
  std::string today() const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  rules::CodeList codes_;
};

//! The psychiatric medication list: current and past medications with every start, dose
//! change and stop. Prescribers on the care team write it (the `prescriber` role); the care
//! team reads it. Thread-safe; one per process.
class MedicationService {
 public:
  MedicationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                    audit::AuditLog& audit, access::AccessService& access);

  //! `{name, dose, route, frequency, started_on?, reason?, stopped_on?, stop_reason?}` (a past
  //! medication carries its stop date). Dates not in the future; the stop not before the start.
  Result<Medication> start(const access::Principal& p, const std::string& client_id,
                           const boost::json::object& body);
  //! Current medications first (newest start first), then past ones; each with its changes.
  Result<std::vector<Medication>> list(const access::Principal& p, const std::string& client_id);
  //! `{kind: dose | stop, version, on?, dose?, frequency?, reason?}`. 409 when `version` is
  //! stale or the medication was already stopped; 422 for a date before the start.
  Result<Medication> change(const access::Principal& p, const std::string& id,
                            const boost::json::object& body);

 private:
  std::vector<Medication> load_many(sql::Conn& c, const std::string& where,
                                    const sql::Params& params);
  std::string today() const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
};

}  // namespace tend::care
