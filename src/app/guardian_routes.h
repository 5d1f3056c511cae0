#pragma once
//! The guardian portal's sections: what a parent or guardian of a client who is a minor may see,
//! as the service's setting `guardian_access` allows. Each reads the client's own portal view
//! (never notes, measures, check-ins or messages) on the guardian's behalf, audited.

#include "access/invitation_service.h"
#include "care/plan_service.h"
#include "care/service.h"
#include "crisis/service.h"
#include "education/service.h"
#include "platform/http/router.h"

namespace tend::app {

struct GuardianSources {
  access::InvitationService& invitations;
  access::AccessService& access;
  care::AppointmentService& appointments;
  care::PlanService& plans;
  crisis::CrisisService& crisis;
  education::EducationService& education;
};

//! GET /api/v1/guardian/clients/{id}/{appointments|education|safety-plan|plan|crisis-resources}.
void register_guardian_routes(http::Router& router, GuardianSources src);

}  // namespace tend::app
