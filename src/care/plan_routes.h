#pragma once
//! HTTP mapping for treatment plans, discharge summaries and relapse prevention plans.

#include "access/service.h"
#include "care/plan_service.h"
#include "platform/http/router.h"

namespace tend::care {

void register_plan_routes(http::Router& router, PlanService& plans, DischargeService& discharges,
                          access::AccessService& access);

//! A plan's current version with progress and agreement, as the API shows it.
boost::json::object to_json(const PlanView& v, const PlanService& plans);
boost::json::object to_json(const Discharge& d);

}  // namespace tend::care
