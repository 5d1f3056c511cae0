#pragma once
//! HTTP mapping for alerts, follow-ups, the on-call roster, webhooks, safety plans and crisis
//! resources.

#include "access/service.h"
#include "crisis/service.h"
#include "platform/http/router.h"

namespace tend::crisis {

void register_routes(http::Router& router, CrisisService& svc, access::AccessService& access);

//! An alert as the API shows it (`detail`: with timeline and note).
boost::json::object to_json(const Alert& a, const rules::RiskConfig& cfg, bool detail);
boost::json::object to_json(const SafetyPlan& s);

}  // namespace tend::crisis
