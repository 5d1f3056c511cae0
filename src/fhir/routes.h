#pragma once
//! FHIR R4 under /fhir/: Questionnaire (the instrument library), QuestionnaireResponse (stored
//! results; POST scores and stores one) and Observation (each coded total and subscale).

#include "access/service.h"
#include "assessment/service.h"
#include "platform/http/router.h"

namespace tend::fhir {

void register_routes(http::Router& router, assessment::AssessmentService& assessments,
                     access::AccessService& access);

}  // namespace tend::fhir
