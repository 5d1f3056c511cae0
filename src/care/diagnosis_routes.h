#pragma once
//! HTTP mapping for the code list, diagnoses and the medication list.

#include "access/service.h"
#include "care/diagnosis_service.h"
#include "platform/http/router.h"

namespace tend::care {

void register_diagnosis_routes(http::Router& router, DiagnosisService& diagnoses,
                               MedicationService& medications, access::AccessService& access);

boost::json::object to_json(const Code& c);
//! A diagnosis with its history and the statuses it may move to.
boost::json::object to_json(const Diagnosis& d);
//! A medication with its changes; `current` while it has no stop date.
boost::json::object to_json(const Medication& m);

}  // namespace tend::care
