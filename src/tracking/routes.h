#pragma once
//! HTTP mapping for the daily check-in: the client's own check-ins, chart, diary export and
//! factors under /api/v1/me/…, and the care team's view under /api/v1/clients/{id}/check-ins.

#include "access/service.h"
#include "platform/http/router.h"
#include "tracking/service.h"

namespace tend::tracking {

void register_routes(http::Router& router, TrackingService& tracking,
                     access::AccessService& access);

}  // namespace tend::tracking
