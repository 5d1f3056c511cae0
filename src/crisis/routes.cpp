#include "crisis/routes.h"

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::crisis {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

std::string time_text(std::int64_t ms) {
  return format_rfc3339(TimePoint(std::chrono::milliseconds(ms)));
}
bj::value person(const std::optional<Person>& p) {
  if (!p) return nullptr;
  return bj::object{{"id", p->id}, {"name", p->name}};
}

bj::object follow_up_json(const FollowUp& f) {
  return {{"id", f.id},
          {"alert_id", f.alert_id},
          {"client_id", f.client_id},
          {"client_name", f.client_name},
          {"owner", person(f.owner)},
          {"label", f.label},
          {"due_at", time_text(f.due_at_ms)},
          {"status", f.status},
          {"overdue", f.overdue},
          {"result", json::opt(f.result)},
          {"done_at", json::opt_time(f.done_at_ms)},
          {"done_by", person(f.done_by)}};
}

bj::object roster_json(const RosterEntry& e) {
  bj::object o{{"id", e.id},
               {"kind", e.kind},
               {"user_id", e.user_id},
               {"cover", e.cover},
               {"time_zone", e.time_zone},
               {"note", e.note},
               {"from_date", json::opt(e.from_date)},
               {"until_date", json::opt(e.until_date)},
               {"created_at", time_text(e.created_at_ms)}};
  if (!e.days.empty()) {
    bj::array days;
    for (int d : e.days) days.emplace_back(rules::day_name(d));
    auto hhmm = [](int m) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%02d:%02d", (m / 60) % 24, m % 60);
      return std::string(buf);
    };
    o["weekly"] = bj::object{
        {"days", std::move(days)}, {"start", hhmm(e.start_minute)}, {"end", hhmm(e.end_minute)}};
    o["once"] = nullptr;
  } else {
    o["weekly"] = nullptr;
    o["once"] = bj::object{{"starts_at", json::opt_time(e.starts_at_ms)},
                           {"ends_at", json::opt_time(e.ends_at_ms)}};
  }
  return o;
}

bj::array people_json(const std::vector<Person>& v) {
  bj::array a;
  for (const auto& p : v) a.push_back(bj::object{{"id", p.id}, {"name", p.name}});
  return a;
}

}  // namespace

bj::object to_json(const Alert& a, const rules::RiskConfig& cfg, bool detail) {
  bj::array signals;
  for (const auto& s : a.signals) {
    signals.push_back(
        bj::object{{"id", s.id},
                   {"source", rules::source_name(s.source)},
                   {"level", rules::level_name(s.level)},
                   {"rule", s.rule},
                   {"reason", s.reason},
                   {"ref_id", s.ref_id.empty() ? bj::value(nullptr) : bj::value(s.ref_id)},
                   {"at", time_text(s.at_ms)}});
  }
  const bool past_end = a.step >= static_cast<int>(cfg.chain.size());
  bj::object o{
      {"id", a.id},
      {"client_id", a.client_id},
      {"client_name", a.client_name},
      {"level", rules::level_name(a.level)},
      {"status", a.status},
      {"reason", a.reason},
      {"signals", std::move(signals)},
      {"step", a.step},
      {"step_name", past_end ? std::string_view("end")
                             : rules::step_name(cfg.chain[static_cast<std::size_t>(a.step)])},
      {"round", a.round},
      {"deadline_at", time_text(a.deadline_at_ms)},
      {"opened_at", time_text(a.opened_at_ms)},
      {"acknowledged_by", person(a.acknowledged_by)},
      {"acknowledged_at", json::opt_time(a.acknowledged_at_ms)},
      {"resolved_by", person(a.resolved_by)},
      {"resolved_at", json::opt_time(a.resolved_at_ms)},
      {"outcome", json::opt(a.outcome)},
      {"notified", people_json(a.notified)},
      {"deliveries", bj::object{{"failed", a.deliveries_failed}}},
      {"version", a.version}};
  if (detail) {
    o["note"] = json::opt(a.note);
    bj::array tl;
    for (const auto& t : a.timeline) {
      tl.push_back(bj::object{
          {"at", time_text(t.at_ms)},
          {"kind", t.kind},
          {"step", t.step},
          {"user", t.user_id.empty()
                       ? bj::value(nullptr)
                       : bj::value(bj::object{{"id", t.user_id}, {"name", t.user_name}})},
          {"channel", t.channel.empty() ? bj::value(nullptr) : bj::value(t.channel)},
          {"detail", t.detail}});
    }
    o["timeline"] = std::move(tl);
  }
  return o;
}

bj::object to_json(const SafetyPlan& s) {
  return {{"client_id", s.client_id},
          {"version", s.version},
          {"sections", sections_json(s.sections)},
          {"updated_by", person(s.updated_by)},
          {"updated_at", time_text(s.updated_at_ms)}};
}

void register_routes(http::Router& router, CrisisService& svc, access::AccessService& access) {
  const auto& cfg = svc.config();
  auto alert_json = [&cfg](const Alert& a) { return to_json(a, cfg, true); };
  auto raised_response = [&cfg](const Result<Raised>& r) {
    if (!r) return Response::problem(r.error());
    auto resp = Response::json(r->joined ? 200 : 201, to_json(r->alert, cfg, false));
    resp.headers.set("Location", "/api/v1/alerts/" + r->alert.id);
    return resp;
  };
  auto list_response = [&cfg](const Result<std::vector<Alert>>& r) {
    if (!r) return Response::problem(r.error());
    bj::array items;
    for (const auto& a : *r) items.push_back(to_json(a, cfg, false));
    return Response::json(200, bj::object{{"items", std::move(items)}});
  };

  router
      .add(Method::Get, "/api/v1/alerts",
           access.guard([&svc, list_response](Request& req, const access::Principal& p) {
             auto limit = http::int_query(req, "limit", 200, 1, 1000);
             if (!limit) return Response::problem(limit.error());
             return list_response(
                 svc.list(p, req.query_param("status").value_or("active"), "", *limit));
           }))
      .summary("The alert board: most urgent first", "crisis")
      .query("status")
      .query("limit")
      .returns(200, "Alerts");

  router
      .add(Method::Get, "/api/v1/alerts/{id}",
           access.guard([&svc, alert_json](Request& req, const access::Principal& p) {
             auto r = svc.get(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             auto o = alert_json(*r);
             o["contact"] = svc.contact_of(r->client_id);
             return Response::json(200, o);
           }))
      .summary("One alert with its timeline, note, and how to reach the client", "crisis")
      .returns(200, "The alert")
      .returns(404, "No such alert, or not one the caller may see");

  router
      .add(Method::Post, "/api/v1/clients/{id}/alerts",
           access.guard([&svc, raised_response](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return raised_response(svc.raise_concern(p, req.param("id"), *body));
           }))
      .summary("Raise a concern by hand (joins the client's open alert if there is one)", "crisis")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"level",
                                     {{"type", "string"},
                                      {"enum", bj::array{"low", "moderate", "high", "imminent"}}}},
                                    {"reason", {{"type", "string"}}}}},
          {"required", bj::array{"level", "reason"}}})
      .returns(201, "A new alert")
      .returns(200, "The open alert the concern joined")
      .returns(422, "A missing or unknown level, or no reason");

  router
      .add(Method::Get, "/api/v1/clients/{id}/alerts",
           access.guard([&svc, list_response](Request& req, const access::Principal& p) {
             auto limit = http::int_query(req, "limit", 100, 1, 1000);
             if (!limit) return Response::problem(limit.error());
             return list_response(svc.list(p, req.query_param("status").value_or("active"),
                                           req.param("id"), *limit));
           }))
      .summary("A client's alerts (the chart's risk banner)", "crisis")
      .query("status")
      .returns(200, "Alerts");

  router
      .add(Method::Post, "/api/v1/alerts/{id}/acknowledge",
           access.guard([&svc, alert_json](Request& req, const access::Principal& p) {
             return http::respond(svc.acknowledge(p, req.param("id")), 200, alert_json);
           }))
      .summary("Acknowledge an alert: escalation stops", "crisis")
      .returns(200, "The acknowledged alert")
      .returns(409, "Already acknowledged or resolved");

  router
      .add(Method::Post, "/api/v1/alerts/{id}/resolve",
           access.guard([&svc, alert_json](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.resolve(p, req.param("id"), *body), 200, alert_json);
           }))
      .summary("Resolve an alert with an outcome; caring-contact follow-ups are scheduled",
               "crisis")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"outcome", {{"type", "string"}}},
                                                 {"note", {{"type", "string"}}}}},
                       {"required", bj::array{"outcome"}}})
      .returns(200, "The resolved alert")
      .returns(409, "Already resolved")
      .returns(422, "An unknown outcome, or a note missing where one is required");

  router
      .add(Method::Get, "/api/v1/follow-ups",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto mine = req.query_param("mine").value_or("false");
             auto r = svc.follow_ups(p, req.query_param("status").value_or("pending"),
                                     mine == "true" || mine == "1",
                                     req.query_param("client_id").value_or(""));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& f : *r) items.push_back(follow_up_json(f));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Caring-contact follow-ups after alerts", "crisis")
      .query("status")
      .query("mine")
      .query("client_id")
      .returns(200, "Follow-ups, soonest first");

  router
      .add(Method::Post, "/api/v1/follow-ups/{id}/complete",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.complete_follow_up(p, req.param("id"), *body), 200,
                                  follow_up_json);
           }))
      .summary("Record a caring contact as done", "crisis")
      .returns(200, "The follow-up")
      .returns(409, "Already done");

  router
      .add(Method::Get, "/api/v1/on-call",
           access.guard([&svc](Request&, const access::Principal& p) {
             auto r = svc.roster(p);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& e : *r) items.push_back(roster_json(e));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("The on-call roster", "crisis")
      .returns(200, "Roster entries");

  router
      .add(Method::Post, "/api/v1/on-call",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.add_roster_entry(p, *body), 201, roster_json);
           }))
      .summary("Add a roster entry (admins): weekly pattern or one window, cover or regular",
               "crisis")
      .returns(201, "The entry")
      .returns(422, "What is wrong with it");

  router
      .add(Method::Delete, "/api/v1/on-call/{entry}",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto st = svc.remove_roster_entry(p, req.param("entry"));
             if (!st) return Response::problem(st.error());
             return Response::no_content();
           }))
      .summary("Remove a roster entry (admins)", "crisis")
      .returns(204, "Removed");

  router
      .add(Method::Get, "/api/v1/on-call/now",
           access.guard([&svc](Request& req, const access::Principal& p) {
             if (p.role == access::Role::Client) {
               return Response::problem(make_error(Errc::Forbidden, "the roster is for staff"));
             }
             TimePoint at = svc.now();
             if (auto q = req.query_param("at")) {
               if (!parse_rfc3339(*q, at)) {
                 return Response::problem(
                     make_error(Errc::BadRequest, "at: must be an RFC 3339 time"));
               }
             }
             auto [on_call, supervisors] = svc.on_duty(at);
             return Response::json(200, bj::object{{"at", format_rfc3339(at)},
                                                   {"on_call", people_json(on_call)},
                                                   {"supervisor", people_json(supervisors)}});
           }))
      .summary("Who is on call and who supervises now (or at `at`)", "crisis")
      .query("at")
      .returns(200, "People on duty");

  auto webhook_json = [](const CrisisService::Webhook& w) {
    bj::object o{{"id", w.id},
                 {"name", w.name},
                 {"url", w.url},
                 {"min_level", w.min_level},
                 {"created_at", time_text(w.created_at_ms)}};
    if (!w.secret.empty()) o["secret"] = w.secret;
    return o;
  };
  router
      .add(Method::Get, "/api/v1/crisis/webhooks",
           access.guard([&svc, webhook_json](Request&, const access::Principal& p) {
             auto r = svc.webhooks(p);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& w : *r) items.push_back(webhook_json(w));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Webhook targets for paging or SMS gateways (admins)", "crisis")
      .returns(200, "Targets");
  router
      .add(Method::Post, "/api/v1/crisis/webhooks",
           access.guard([&svc, webhook_json](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.add_webhook(p, *body), 201, webhook_json);
           }))
      .summary("Add a webhook target (admins); the signing secret is shown once", "crisis")
      .returns(201, "The target with its secret")
      .returns(422, "What is wrong with it");
  router
      .add(Method::Delete, "/api/v1/crisis/webhooks/{id}",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto st = svc.remove_webhook(p, req.param("id"));
             if (!st) return Response::problem(st.error());
             return Response::no_content();
           }))
      .summary("Remove a webhook target (admins)", "crisis")
      .returns(204, "Removed");
  router
      .add(Method::Post, "/api/v1/crisis/webhooks/{id}/test",
           access.guard([&svc](Request& req, const access::Principal& p) {
             auto st = svc.test_webhook(p, req.param("id"));
             if (!st) {
               if (st.error().code == Errc::NotFound || st.error().code == Errc::Forbidden) {
                 return Response::problem(st.error());
               }
               return Response::json(
                   200, bj::object{{"delivered", false}, {"error", st.error().detail}});
             }
             return Response::json(200, bj::object{{"delivered", true}, {"error", nullptr}});
           }))
      .summary("Send a test delivery now and say what the target answered (admins)", "crisis")
      .returns(200, "`{delivered, error}`");

  // ---- safety plans ----
  auto plan_json = [](const SafetyPlan& s) { return to_json(s); };
  router
      .add(Method::Get, "/api/v1/clients/{id}/safety-plan",
           access.guard([&svc, plan_json](Request& req, const access::Principal& p) {
             return http::respond(svc.safety_plan(p, req.param("id")), 200, plan_json);
           }))
      .summary("The client's current safety plan (Stanley-Brown)", "crisis")
      .returns(200, "The plan")
      .returns(404, "No plan yet");
  router
      .add(Method::Put, "/api/v1/clients/{id}/safety-plan",
           access.guard([&svc, plan_json](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.save_safety_plan(p, req.param("id"), *body), 200, plan_json);
           }))
      .summary("Save a new version of the safety plan (`version`: the one edited)", "crisis")
      .returns(200, "The new version")
      .returns(409, "Someone saved a newer version since")
      .returns(422, "Sections that are not lists of texts");
  router
      .add(Method::Get, "/api/v1/clients/{id}/safety-plan/versions",
           access.guard([&svc, plan_json](Request& req, const access::Principal& p) {
             auto r = svc.safety_plan_versions(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : *r) items.push_back(plan_json(s));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Every version of the safety plan, newest first", "crisis")
      .returns(200, "Versions");
  router
      .add(Method::Get, "/api/v1/clients/{id}/safety-plan/versions/{n}",
           access.guard([&svc, plan_json](Request& req, const access::Principal& p) {
             std::int64_t n = 0;
             try {
               std::size_t used = 0;
               n = std::stoll(req.param("n"), &used);
               if (used != req.param("n").size() || n < 1) throw std::invalid_argument("n");
             } catch (const std::exception&) {
               return Response::problem(
                   make_error(Errc::BadRequest, "version: must be a whole number from 1"));
             }
             return http::respond(svc.safety_plan(p, req.param("id"), n), 200, plan_json);
           }))
      .summary("One version of the safety plan", "crisis")
      .returns(200, "The version");
  auto own = [](const access::Principal& p) -> Result<std::string> {
    if (p.role != access::Role::Client || p.client_id.empty()) {
      return make_error(Errc::Forbidden, "this is the client's own view (portal)");
    }
    return p.client_id;
  };
  router
      .add(Method::Get, "/api/v1/me/safety-plan",
           access.guard([&svc, own, plan_json](Request&, const access::Principal& p) {
             auto id = own(p);
             if (!id) return Response::problem(id.error());
             return http::respond(svc.safety_plan(p, *id), 200, plan_json);
           }))
      .summary("The client's own safety plan (portal)", "crisis")
      .returns(200, "The plan")
      .returns(404, "No plan yet");
  router
      .add(Method::Put, "/api/v1/me/safety-plan",
           access.guard([&svc, own, plan_json](Request& req, const access::Principal& p) {
             auto id = own(p);
             if (!id) return Response::problem(id.error());
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(svc.save_safety_plan(p, *id, *body), 200, plan_json);
           }))
      .summary("The client saves a new version of their safety plan (portal)", "crisis")
      .returns(200, "The new version")
      .returns(409, "Someone saved a newer version since");
  router
      .add(Method::Post, "/api/v1/me/help-now",
           access.guard([&svc](Request&, const access::Principal& p) {
             auto r = svc.help_now(p);
             if (!r) return Response::problem(r.error());
             return Response::json(
                 r->joined ? 200 : 201,
                 bj::object{{"alert_id", r->alert.id},
                            {"message",
                             "Your care team has been told and someone will contact you. If you "
                             "are in danger now, call your local emergency number."}});
           }))
      .summary("The portal's \"I need help now\": an imminent alert at once", "crisis")
      .returns(201, "The care team has been told");

  // ---- crisis resources ----
  router
      .add(Method::Get, "/api/v1/crisis-resources",
           [&svc](Request& req) {
             auto region = req.query_param("region").value_or("");
             auto r = svc.resources(region);
             auto resp = Response::json(200, r.data);
             resp.headers.set("Cache-Control", "public, max-age=3600");
             return resp;
           })
      .summary("Crisis lines for a region (no sign-in)", "crisis")
      .query("region")
      .returns(200, "The region's emergency number and crisis lines")
      .open();
  router
      .add(Method::Get, "/api/v1/me/crisis-resources",
           access.guard([&svc, own](Request&, const access::Principal& p) {
             auto id = own(p);
             if (!id) return Response::problem(id.error());
             return Response::json(200, svc.resources(svc.region_of(*id)).data);
           }))
      .summary("Crisis lines for the client's own region (portal)", "crisis")
      .returns(200, "The region's emergency number and crisis lines");
}

}  // namespace tend::crisis
