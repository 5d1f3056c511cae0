#pragma once
#include "access/service.h"
#include "clients/service.h"
#include "platform/http/router.h"

namespace tend::clients {
//! Registers /api/v1/clients… routes.
void register_routes(http::Router& router, ClientService& clients, access::AccessService& access);
}  // namespace tend::clients
