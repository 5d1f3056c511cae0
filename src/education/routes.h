#pragma once
//! HTTP mapping for psychoeducation: the library (read-only, for staff and clients) and the
//! articles the care team assigns to a client, which the client reads and rates in the portal.

#include "access/service.h"
#include "education/rules.h"
#include "education/service.h"
#include "platform/http/router.h"

namespace tend::education {

void register_routes(http::Router& router, const Library& library, EducationService& assignments,
                     access::AccessService& access);

}  // namespace tend::education
