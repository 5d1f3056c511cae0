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
std::string at(std::int64_t ms) {
  return format_rfc3339(TimePoint(std::chrono::milliseconds(ms)));
}

bj::object schema(std::initializer_list<std::pair<const char*, const char*>> props) {
  bj::object p;
  for (const auto& [k, t] : props) p[k] = {{"type", t}};
  return {{"type", "object"}, {"properties", p}, {"additionalProperties", false}};
}

bj::object member_json(const TeamMember& m) {
  return {
      {"user_id", m.user_id},           {"username", m.username}, {"display_name", m.display_name},
      {"user_role", role_name(m.role)}, {"role", m.team_role},    {"added_at", at(m.added_at_ms)}};
}

bj::object token_json(const TokenInfo& t) {
  return {
      {"id", t.id},
      {"user_id", t.user_id},
      {"name", t.name},
      {"created_at", at(t.created_at_ms)},
      {"expires_at", at(t.expires_at_ms)},
      {"revoked_at", t.revoked_at_ms ? bj::value(at(*t.revoked_at_ms)) : bj::value(nullptr)},
      {"last_used_at", t.last_used_at_ms ? bj::value(at(*t.last_used_at_ms)) : bj::value(nullptr)}};
}
}  // namespace

std::string session_cookie(const std::string& value, const AccessConfig& cfg, int max_age_s) {
  std::string c = "tend_session=" + value +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (cfg.secure_cookies) c += "; Secure";
  return c;
}

bj::object to_json(const User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", role_name(u.role)},
          {"email", json::opt(u.email)},
          {"disabled", u.disabled},
          {"totp_enabled", u.totp_enabled},
          {"client_id", json::opt(u.client_id)},
          {"created_at", at(u.created_at_ms)}};
}

Response signed_in(const SignIn& s, const AccessConfig& cfg) {
  auto resp =
      Response::json(201, bj::object{{"user", to_json(s.user)},
                                     {"csrf_token", s.csrf_token},
                                     {"mfa_required", s.mfa_required},
                                     {"expires_at", at(s.expires_at_ms)},
                                     {"idle_timeout_seconds", cfg.session_idle_minutes * 60}});
  resp.headers.add("Set-Cookie",
                   session_cookie(s.session_token, cfg, cfg.session_absolute_hours * 3600));
  return resp;
}

void register_routes(http::Router& router, AccessService& access) {
  // ---- session ----
  router
      .add(Method::Post, "/api/v1/session",
           [&access](Request& req) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto username = r.string("username", {.required = true, .max_len = 64});
             auto password = r.string("password", {.required = true, .max_len = 1024});
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto s = access.sign_in(*username, *password, req.remote_addr, req.request_id);
             if (!s) return Response::problem(s.error());
             return signed_in(*s, access.config());
           })
      .summary("Sign in with username and password; sets the session cookie", "session")
      .body(schema({{"username", "string"}, {"password", "string"}}))
      .returns(201, "Signed in (mfa_required: send a code to /api/v1/session/totp)")
      .open();

  router
      .add(Method::Get, "/api/v1/session",
           access.guard(
               [&access](Request&, const Principal& p) {
                 auto u = access.get_user(p, p.user_id);
                 if (!u) return Response::problem(u.error());
                 return Response::json(
                     200, bj::object{
                              {"user", to_json(*u)},
                              {"csrf_token",
                               json::opt(p.csrf_token.empty() ? std::nullopt
                                                              : std::optional(p.csrf_token))},
                              {"via_token", p.via_token},
                              {"idle_timeout_seconds", access.config().session_idle_minutes * 60}});
               },
               false, true))
      .summary("The signed-in user and the CSRF token for this session", "session")
      .returns(200, "Current session");

  router
      .add(Method::Delete, "/api/v1/session",
           access.guard(
               [&access](Request&, const Principal& p) {
                 auto st = access.sign_out(p);
                 if (!st) return Response::problem(st.error());
                 auto resp = Response::no_content();
                 resp.headers.add("Set-Cookie", session_cookie("", access.config(), 0));
                 return resp;
               },
               true, true))
      .summary("Sign out", "session")
      .returns(204, "Signed out");

  router
      .add(Method::Post, "/api/v1/session/totp",
           access.guard(
               [&access](Request& req, const Principal& p) {
                 auto body = http::json_body(req);
                 if (!body) return Response::problem(body.error());
                 json::FieldReader r(*body);
                 auto code = r.string("code", {.required = true, .max_len = 20});
                 if (auto st = r.finish(); !st) return Response::problem(st.error());
                 auto st = access.verify_second_factor(p, *code);
                 if (!st) return Response::problem(st.error());
                 return Response::no_content();
               },
               true, true))
      .summary("Complete sign-in with an authenticator or recovery code", "session")
      .body(schema({{"code", "string"}}))
      .returns(204, "Second factor accepted");

  router
      .add(Method::Post, "/api/v1/me/totp",
           access.guard(
               [&access](Request&, const Principal& p) {
                 auto e = access.begin_totp(p);
                 if (!e) return Response::problem(e.error());
                 return Response::json(
                     201, bj::object{{"secret", e->secret}, {"otpauth_uri", e->otpauth_uri}});
               },
               false, true))
      .summary("Start enrolling an authenticator app (returns the secret and otpauth URI)",
               "session")
      .returns(201, "Secret to show as a QR code");

  router
      .add(Method::Post, "/api/v1/me/totp/confirm",
           access.guard(
               [&access](Request& req, const Principal& p) {
                 auto body = http::json_body(req);
                 if (!body) return Response::problem(body.error());
                 json::FieldReader r(*body);
                 auto code = r.string("code", {.required = true, .max_len = 10});
                 if (auto st = r.finish(); !st) return Response::problem(st.error());
                 auto codes = access.confirm_totp(p, *code);
                 if (!codes) return Response::problem(codes.error());
                 bj::array a;
                 for (const auto& c : *codes) a.push_back(bj::value(c));
                 return Response::json(200, bj::object{{"recovery_codes", a}});
               },
               false, true))
      .summary("Confirm the authenticator with a code; returns single-use recovery codes",
               "session")
      .body(schema({{"code", "string"}}))
      .returns(200, "Recovery codes, shown once");

  // ---- users ----
  router
      .add(Method::Post, "/api/v1/users", access.guard([&access](Request& req, const Principal& p) {
        auto body = http::json_body(req);
        if (!body) return Response::problem(body.error());
        json::FieldReader r(*body);
        NewUser u;
        u.username = r.string("username", {.required = true, .max_len = 64}).value_or("");
        u.display_name = r.string("display_name", {.required = true, .max_len = 200}).value_or("");
        u.password = r.string("password", {.required = true, .max_len = 1024}).value_or("");
        u.email = r.string("email", {.max_len = 254});
        u.client_id = r.string("client_id", {.max_len = 64});
        auto role = r.string("role", {.required = true, .max_len = 32});
        if (role) {
          if (auto parsed = parse_role(*role)) {
            u.role = *parsed;
          } else {
            r.add_error("role",
                        "must be one of admin, clinician, prescriber, care_manager, "
                        "peer_support, front_desk, analyst, client");
          }
        }
        if (auto st = r.finish(); !st) return Response::problem(st.error());
        auto created = access.create_user(p, u);
        if (!created) return Response::problem(created.error());
        auto resp = Response::json(201, to_json(*created));
        resp.headers.set("Location", "/api/v1/users/" + created->id);
        return resp;
      }))
      .summary("Create a staff or client account (admins)", "users")
      .body(schema({{"username", "string"},
                    {"display_name", "string"},
                    {"password", "string"},
                    {"role", "string"},
                    {"email", "string"},
                    {"client_id", "string"}}))
      .returns(201, "The new account");

  router
      .add(Method::Get, "/api/v1/staff", access.guard([&access](Request& req, const Principal& p) {
        auto limit = http::int_query(req, "limit", 20, 1, 100);
        if (!limit) return Response::problem(limit.error());
        const auto q = req.query_param("q").value_or("");
        if (q.size() > 100) {
          return Response::problem(make_error(Errc::BadRequest, "q is longer than 100 characters",
                                              {{"q", "is too long"}}));
        }
        auto staff = access.staff_directory(p, q, *limit);
        if (!staff) return Response::problem(staff.error());
        bj::array items;
        for (const auto& m : *staff) {
          items.push_back(bj::object{{"id", m.id},
                                     {"username", m.username},
                                     {"display_name", m.display_name},
                                     {"role", role_name(m.role)}});
        }
        return Response::json(200, bj::object{{"items", items}});
      }))
      .summary("Colleagues by name, for picking a care team (staff)", "users")
      .query("q")
      .query("limit")
      .returns(200, "Active staff whose username or a word of their name starts with q");

  router
      .add(Method::Get, "/api/v1/users", access.guard([&access](Request& req, const Principal& p) {
        auto users = access.list_users(p, req.query_param("username").value_or(""));
        if (!users) return Response::problem(users.error());
        bj::array items;
        for (const auto& u : *users) items.push_back(to_json(u));
        return Response::json(200, bj::object{{"items", items}, {"next_cursor", nullptr}});
      }))
      .summary("List accounts, optionally by username prefix (admins)", "users")
      .query("username")
      .returns(200, "Accounts");

  router
      .add(Method::Get, "/api/v1/users/{id}",
           access.guard([&access](Request& req, const Principal& p) {
             auto u = access.get_user(p, req.param("id"));
             return http::respond(u, 200, [](const User& x) { return to_json(x); });
           }))
      .summary("Read an account (admins, or yourself)", "users")
      .returns(200, "The account");

  router
      .add(Method::Patch, "/api/v1/users/{id}",
           access.guard([&access](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto disabled = r.boolean("disabled", true);
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto u = access.set_disabled(p, req.param("id"), *disabled);
             return http::respond(u, 200, [](const User& x) { return to_json(x); });
           }))
      .summary("Disable or enable an account (admins); disabling ends its sessions and tokens",
               "users")
      .body(schema({{"disabled", "boolean"}}))
      .returns(200, "The account");

  router
      .add(Method::Delete, "/api/v1/users/{id}/totp",
           access.guard([&access](Request& req, const Principal& p) {
             auto st = access.reset_totp(p, req.param("id"));
             if (!st) return Response::problem(st.error());
             return Response::no_content();
           }))
      .summary("Reset a user's authenticator (admins)", "users")
      .returns(204, "Authenticator removed");

  // ---- tokens ----
  router
      .add(Method::Post, "/api/v1/users/{id}/tokens",
           access.guard([&access](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto name = r.string("name", {.max_len = 100});
             auto days = r.integer("expires_in_days", false, 1, 366);
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto t = access.create_token(
                 p, req.param("id"), name.value_or(""),
                 static_cast<int>(days.value_or(access.config().token_days_default)));
             if (!t) return Response::problem(t.error());
             return Response::json(201, bj::object{{"id", t->id},
                                                   {"token", t->token},
                                                   {"expires_at", at(t->expires_at_ms)}});
           }))
      .summary("Create a bearer token for API clients (shown once)", "tokens")
      .body(schema({{"name", "string"}, {"expires_in_days", "integer"}}))
      .returns(201, "The token");

  router
      .add(Method::Get, "/api/v1/users/{id}/tokens",
           access.guard([&access](Request& req, const Principal& p) {
             auto ts = access.list_tokens(p, req.param("id"));
             if (!ts) return Response::problem(ts.error());
             bj::array items;
             for (const auto& t : *ts) items.push_back(token_json(t));
             return Response::json(200, bj::object{{"items", items}, {"next_cursor", nullptr}});
           }))
      .summary("List a user's tokens (never the token itself)", "tokens")
      .returns(200, "Tokens");

  router
      .add(Method::Delete, "/api/v1/tokens/{id}",
           access.guard([&access](Request& req, const Principal& p) {
             auto st = access.revoke_token(p, req.param("id"));
             if (!st) return Response::problem(st.error());
             return Response::no_content();
           }))
      .summary("Revoke a token", "tokens")
      .returns(204, "Revoked");

  // ---- care team, break-the-glass ----
  router
      .add(Method::Get, "/api/v1/clients/{id}/care-team",
           access.guard([&access](Request& req, const Principal& p) {
             auto team = access.care_team(p, req.param("id"));
             if (!team) return Response::problem(team.error());
             bj::array items;
             for (const auto& m : *team) items.push_back(member_json(m));
             return Response::json(200, bj::object{{"items", items}, {"next_cursor", nullptr}});
           }))
      .summary("The client's care team", "care-team")
      .returns(200, "Team members");

  router
      .add(Method::Post, "/api/v1/clients/{id}/care-team",
           access.guard([&access](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto user_id = r.string("user_id", {.required = true, .max_len = 64});
             auto role = r.string("role", {.required = true, .max_len = 40});
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto m = access.add_team_member(p, req.param("id"), *user_id, *role);
             return http::respond(m, 201, [](const TeamMember& x) { return member_json(x); });
           }))
      .summary("Add a member to the care team, or change their team role", "care-team")
      .body(schema({{"user_id", "string"}, {"role", "string"}}))
      .returns(201, "The member");

  router
      .add(Method::Delete, "/api/v1/clients/{id}/care-team/{user_id}",
           access.guard([&access](Request& req, const Principal& p) {
             auto st = access.remove_team_member(p, req.param("id"), req.param("user_id"));
             if (!st) return Response::problem(st.error());
             return Response::no_content();
           }))
      .summary("Remove a member from the care team", "care-team")
      .returns(204, "Removed");

  router
      .add(Method::Get, "/api/v1/clients/{id}/notices",
           access.guard([&access](Request& req, const Principal& p) {
             auto ns = access.notices(p, req.param("id"));
             if (!ns) return Response::problem(ns.error());
             bj::array items;
             for (const auto& n : *ns) {
               items.push_back(
                   bj::object{{"id", n.id},
                              {"kind", n.kind},
                              {"actor_id", n.actor_id},
                              {"actor_name", n.actor_name},
                              {"ref_id", n.ref_id},
                              {"created_at", at(n.created_at_ms)},
                              {"expires_at", n.expires_at_ms ? bj::value(at(*n.expires_at_ms))
                                                             : bj::value(nullptr)}});
             }
             return Response::json(200, bj::object{{"items", items}, {"next_cursor", nullptr}});
           }))
      .summary("Notices for the care team about this record (break-the-glass openings)",
               "care-team")
      .returns(200, "Notices, newest first");

  router
      .add(Method::Post, "/api/v1/clients/{id}/break-glass",
           access.guard([&access](Request& req, const Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto reason = r.string("reason", {.required = true, .max_len = 2000});
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto g = access.break_glass(p, req.param("id"), *reason);
             return http::respond(g, 201, [](const BreakGlassGrant& x) {
               return bj::object{
                   {"id", x.id}, {"client_id", x.client_id}, {"expires_at", at(x.expires_at_ms)}};
             });
           }))
      .summary(
          "Open a record you are not on the team for, with a written reason (time-limited, "
          "audited, reported to the team)",
          "care-team")
      .body(schema({{"reason", "string"}}))
      .returns(201, "Access granted until expires_at");
}

}  // namespace tend::access
