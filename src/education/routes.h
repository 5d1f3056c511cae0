#pragma once
//! HTTP mapping for the psychoeducation library: read-only, for staff and clients.

#include "access/service.h"
#include "education/rules.h"
#include "platform/http/router.h"

namespace tend::education {

void register_routes(http::Router& router, const Library& library, access::AccessService& access);

}  // namespace tend::education
