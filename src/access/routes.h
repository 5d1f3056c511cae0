#pragma once
#include "access/service.h"
#include "platform/http/router.h"

namespace tend::access {
//! Registers /api/v1/session…, /api/v1/users…, /api/v1/tokens…, care-team and break-the-glass.
void register_routes(http::Router& router, AccessService& access);
//! A user as API JSON.
boost::json::object to_json(const User& u);
//! The Set-Cookie value for a session token (empty value and max_age 0 end it).
std::string session_cookie(const std::string& value, const AccessConfig& cfg, int max_age_s);
//! The 201 answer of a new session (sign-in, or accepting an invitation): the user, the CSRF
//! token and expiry in JSON, the session cookie set.
http::Response signed_in(const SignIn& s, const AccessConfig& cfg);
}  // namespace tend::access
