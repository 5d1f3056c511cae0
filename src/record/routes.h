#pragma once
//! HTTP mapping for the client's own record: who has seen it, the download (FHIR and readable),
//! and correction requests with the care team's answers.

#include "access/service.h"
#include "platform/http/router.h"
#include "record/service.h"

namespace tend::record {

void register_routes(http::Router& router, RecordService& record, access::AccessService& access);

}  // namespace tend::record
