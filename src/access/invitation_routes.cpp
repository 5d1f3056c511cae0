#include "access/invitation_routes.h"

#include <boost/json.hpp>

#include "access/routes.h"
#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::access {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {
bj::object invitation_json(const Invitation& v) {
  return {{"id", v.id},
          {"client_id", v.client_id},
          {"kind", v.kind},
          {"method", v.method},
          {"state", v.state},
          {"email", json::opt(v.email)},
          {"guardian_name", json::opt(v.guardian_name)},
          {"relationship", json::opt(v.relationship)},
          {"created_by", bj::object{{"id", v.created_by}, {"name", v.created_by_name}}},
          {"created_at", format_rfc3339(from_unix_ms(v.created_at_ms))},
          {"expires_at", format_rfc3339(from_unix_ms(v.expires_at_ms))},
          {"sent_at", json::opt_time(v.sent_at_ms)},
          {"used_at", json::opt_time(v.used_at_ms)},
          {"revoked_at", json::opt_time(v.revoked_at_ms)}};
}

bj::object terms_json(const invitations::Terms& t) {
  return {{"version", t.version}, {"title", t.title}, {"text", t.text}};
}

bj::object terms_status_json(const TermsStatus& t) {
  return {{"terms", terms_json(t.terms)},
          {"accepted_version", json::opt(t.accepted_version)},
          {"accepted_at", json::opt_time(t.accepted_at_ms)},
          {"needs_acceptance", t.needs_acceptance}};
}

bj::object preferences_json(const Preferences& p) {
  return {{"check_in_reminder", json::opt(p.check_in_reminder)},
          {"appointment_reminders", p.appointment_reminders},
          {"message_notices", p.message_notices},
          {"email_on_file", p.email_on_file}};
}

bj::object props(std::initializer_list<std::pair<const char*, const char*>> list) {
  bj::object o;
  for (const auto& [k, t] : list) o[k] = {{"type", t}};
  return {{"type", "object"}, {"properties", o}, {"additionalProperties", false}};
}
}  // namespace

void register_invitation_routes(http::Router& router, InvitationService& svc,
                                AccessService& access) {
  // ---- staff ----
  router
      .add(Method::Post, "/api/v1/clients/{id}/invitations",
           access.guard([&svc](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto issued = svc.invite(p, req.param("id"), *body);
             if (!issued) return Response::problem(issued.error());
             auto o = invitation_json(issued->invitation);
             if (!issued->code.empty()) o["code"] = issued->code;
             auto resp = Response::json(201, std::move(o));
             resp.headers.set("Cache-Control", "no-store");
             return resp;
           }))
      .summary(
          "Invite the client, or a parent or guardian of a client under 18, to the portal: by "
          "e-mailed link (7 days) or by a code shown once (24 hours)",
          "invitations")
      .body(props({{"kind", "string"},
                   {"method", "string"},
                   {"email", "string"},
                   {"guardian_name", "string"},
                   {"relationship", "string"}}))
      .returns(201, "The invitation; `code` (method code) is shown this once")
      .returns(409, "The client already has an account, or the record is archived")
      .returns(422, "Invalid fields, a guardian for an adult, or e-mail not set up");

  router
      .add(Method::Get, "/api/v1/clients/{id}/invitations",
           access.guard([&svc](Request& req, const Principal& p) {
             return http::items_or_problem(svc.list(p, req.param("id")),
                                           [](const Invitation& v) { return invitation_json(v); });
           }))
      .summary("The client's portal invitations, newest first (never the link or code)",
               "invitations")
      .returns(200, "Invitations with their state: pending, used, expired or revoked");

  router
      .add(Method::Post, "/api/v1/invitations/{id}/revoke",
           access.guard([&svc](Request& req, const Principal& p) {
             auto v = svc.revoke(p, req.param("id"));
             return http::respond(v, 200, [](const Invitation& x) { return invitation_json(x); });
           }))
      .summary("Withdraw a pending invitation", "invitations")
      .returns(200, "The invitation, revoked")
      .returns(409, "Already used, expired or revoked");

  // ---- public ----
  router
      .add(Method::Post, "/api/v1/invitations/check",
           [&svc](Request& req) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto c = svc.check(*body, req.remote_addr);
             if (!c) return Response::problem(c.error());
             return Response::json(200, bj::object{{"valid", true},
                                                   {"kind", c->kind},
                                                   {"service_name", c->service_name},
                                                   {"terms", terms_json(c->terms)}});
           })
      .summary("Whether an invitation link (token) or code is valid, with the portal terms",
               "invitations")
      .body(props({{"token", "string"}, {"code", "string"}}))
      .returns(200, "Valid: the kind of account and the terms to agree to")
      .returns(404, "Not valid (unknown, mistyped, used, expired or withdrawn: one answer)")
      .returns(429, "Too many attempts from this address")
      .open();

  router
      .add(Method::Post, "/api/v1/invitations/accept",
           [&svc, &access](Request& req) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto s = svc.accept(*body, req.remote_addr, req.request_id);
             if (!s) return Response::problem(s.error());
             return signed_in(*s, access.config());
           })
      .summary(
          "Accept an invitation: make the portal account, agree to the terms and sign in (one "
          "transaction)",
          "invitations")
      .body(props({{"token", "string"},
                   {"code", "string"},
                   {"username", "string"},
                   {"password", "string"},
                   {"accept_terms", "boolean"},
                   {"display_name", "string"},
                   {"terms_version", "string"}}))
      .returns(201, "Signed in as the new account (session cookie set)")
      .returns(404, "The invitation is not valid (one answer for every reason)")
      .returns(409, "The username is taken, or the client already has an account")
      .returns(422, "Weak password, bad username, terms not agreed")
      .returns(429, "Too many attempts from this address")
      .open();

  // ---- portal users ----
  router
      .add(Method::Get, "/api/v1/me/terms",
           access.guard(
               [&svc](Request&, const Principal& p) {
                 auto t = svc.my_terms(p);
                 return http::respond(t, 200,
                                      [](const TermsStatus& x) { return terms_status_json(x); });
               },
               false, true))
      .summary("The current portal terms and whether you have agreed to this version", "portal")
      .returns(200, "Terms and the version agreed to");

  router
      .add(Method::Post, "/api/v1/me/terms/accept",
           access.guard(
               [&svc](Request& req, const Principal& p) {
                 auto body = http::json_body(req);
                 if (!body) return Response::problem(body.error());
                 auto t = svc.accept_terms(p, *body);
                 return http::respond(t, 200,
                                      [](const TermsStatus& x) { return terms_status_json(x); });
               },
               false, true))
      .summary("Agree to the current version of the portal terms", "portal")
      .body(props({{"version", "string"}}))
      .returns(200, "Agreed")
      .returns(409, "Not the current version");

  router
      .add(Method::Get, "/api/v1/me/preferences",
           access.guard([&svc](Request&, const Principal& p) {
             auto prefs = svc.preferences(p);
             return http::respond(prefs, 200,
                                  [](const Preferences& x) { return preferences_json(x); });
           }))
      .summary("Your reminder and notice choices", "portal")
      .returns(200, "Preferences");

  router
      .add(Method::Put, "/api/v1/me/preferences",
           access.guard([&svc](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto prefs = svc.set_preferences(p, *body);
             return http::respond(prefs, 200,
                                  [](const Preferences& x) { return preferences_json(x); });
           }))
      .summary(
          "Change your reminders: daily check-in reminder time (HH:MM or null), appointment "
          "reminders, message notices (a field left out keeps its value)",
          "portal")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"check_in_reminder", {{"type", bj::array{"string", "null"}}}},
                                    {"appointment_reminders", {{"type", "boolean"}}},
                                    {"message_notices", {{"type", "boolean"}}},
                                    {"email_on_file", {{"type", "boolean"}}}}}})
      .returns(200, "Preferences")
      .returns(422, "A field is invalid (named)");

  // ---- guardians ----
  router
      .add(Method::Get, "/api/v1/guardian/clients",
           access.guard(
               [&svc](Request&, const Principal& p) {
                 auto list = svc.guardian_clients(p);
                 if (!list) return Response::problem(list.error());
                 bj::array sections;
                 for (const auto& s : invitations::guardian_sections()) {
                   if (svc.settings().guardian_access.count(s)) sections.emplace_back(s);
                 }
                 bj::array items;
                 for (const auto& g : *list) {
                   items.push_back(bj::object{{"client_id", g.client_id},
                                              {"name", g.name},
                                              {"relationship", json::opt(g.relationship)},
                                              {"sections", sections}});
                 }
                 return Response::json(200, bj::object{{"items", std::move(items)}});
               },
               false, true))
      .summary("The young people a parent or guardian is linked to, and the sections shared",
               "guardian")
      .returns(200, "Linked clients");

  router
      .add(Method::Post, "/api/v1/guardian/invitations/accept",
           access.guard(
               [&svc](Request& req, const Principal& p) {
                 auto body = http::json_body(req);
                 if (!body) return Response::problem(body.error());
                 auto st = svc.link_guardian(p, *body, req.remote_addr);
                 if (!st) return Response::problem(st.error());
                 return Response::no_content();
               },
               false, true))
      .summary("A signed-in guardian accepts an invitation for another young person", "guardian")
      .body(props({{"token", "string"}, {"code", "string"}}))
      .returns(204, "Linked; GET /api/v1/guardian/clients lists them")
      .returns(404, "The invitation is not valid (one answer for every reason)")
      .returns(409, "Already linked");
}

}  // namespace tend::access
