#pragma once
//! HTTP mapping for instruments, results, schedules and single-use links.

#include "access/service.h"
#include "assessment/service.h"
#include "platform/http/router.h"

namespace tend::assessment {

void register_routes(http::Router& router, AssessmentService& svc, access::AccessService& access);

//! Reads `answers: [{linkId, value}]` (shared with the FHIR routes' tests and the link route).
Result<Answers> read_answers(const boost::json::value* answers);

}  // namespace tend::assessment
