#pragma once
#include "access/invitation_service.h"
#include "platform/http/router.h"

namespace tend::access {
//! Registers /api/v1/clients/{id}/invitations, /api/v1/invitations/…, /api/v1/me/terms…,
//! /api/v1/me/preferences and /api/v1/guardian/clients.
void register_invitation_routes(http::Router& router, InvitationService& invitations,
                                AccessService& access);
}  // namespace tend::access
