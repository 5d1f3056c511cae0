#pragma once
//! HTTP mapping for secure messages: the client's own threads under /api/v1/me/threads, the
//! care team's under /api/v1/clients/{id}/threads and /api/v1/threads/{id}, the staff inbox,
//! and the office hours.

#include "access/service.h"
#include "crisis/service.h"
#include "messaging/service.h"
#include "platform/http/router.h"

namespace tend::messaging {

void register_routes(http::Router& router, MessagingService& messages,
                     crisis::CrisisService& crisis, access::AccessService& access);

}  // namespace tend::messaging
