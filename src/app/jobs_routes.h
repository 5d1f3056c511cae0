#pragma once
//! Operators' view of durable jobs over the API: list (dead ones first of interest), retry,
//! cancel. Admins only; every retry and cancel is audited.

#include "access/service.h"
#include "audit/service.h"
#include "platform/http/router.h"
#include "platform/jobs/service.h"

namespace tend::app {

void register_job_routes(http::Router& router, jobs::JobQueue& jobs, access::AccessService& access,
                         audit::AuditLog& audit);

//! A job as API JSON (payloads hold ids only, so they are shown).
boost::json::object to_json(const jobs::Job& j);

//! The system.probe job kind: records each run in job_probe_runs (see `tend jobs probe`).
void register_probe_handler(jobs::JobQueue& jobs, const Clock& clock);

}  // namespace tend::app
