#include "care/plan_routes.h"

#include <stdexcept>

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::care {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

std::string time_text(std::int64_t ms) {
  return format_rfc3339(from_unix_ms(ms));
}

bj::value number_or_null(const std::optional<double>& v) {
  return v ? bj::value(*v) : bj::value(nullptr);
}

bj::object content_view(const PlanContent& c, const std::vector<Progress>* progress,
                        const PlanService& plans) {
  const auto items = [](const std::vector<PlanItem>& v) {
    bj::array a;
    for (const auto& i : v) a.push_back(bj::object{{"id", i.id}, {"text", i.text}});
    return a;
  };
  bj::array objectives;
  for (std::size_t i = 0; i < c.objectives.size(); ++i) {
    const auto& o = c.objectives[i];
    bj::object j{
        {"id", o.id},
        {"text", o.text},
        {"target_on", o.target_on},
        {"since", o.since},
        {"instrument_id",
         o.instrument_id.empty() ? bj::value(nullptr) : bj::value(o.instrument_id)},
        {"instrument_name",
         o.instrument_name.empty() ? bj::value(nullptr) : bj::value(o.instrument_name)},
        {"comparison", o.comparison.empty() ? bj::value(nullptr) : bj::value(o.comparison)},
        {"target", number_or_null(o.target)}};
    if (progress != nullptr && i < progress->size()) {
      const auto& pr = (*progress)[i];
      j["progress"] = bj::object{
          {"status", pr.status},
          {"baseline", number_or_null(pr.baseline)},
          {"baseline_on", pr.baseline_on.empty() ? bj::value(nullptr) : bj::value(pr.baseline_on)},
          {"latest", number_or_null(pr.latest)},
          {"latest_on", pr.latest_on.empty() ? bj::value(nullptr) : bj::value(pr.latest_on)},
          {"results", pr.results}};
    }
    objectives.push_back(std::move(j));
  }
  bj::array interventions;
  for (const auto& iv : c.interventions) {
    const auto* info = plans.intervention(iv.code);
    interventions.push_back(bj::object{
        {"id", iv.id},
        {"code", iv.code},
        {"name", info ? info->name : iv.code},
        {"client_text", info ? info->client_text : std::string()},
        {"detail", iv.detail},
        {"frequency", iv.frequency},
        {"delivered_by", bj::object{{"id", iv.delivered_by}, {"name", iv.delivered_by_name}}}});
  }
  return {{"problems", items(c.problems)},
          {"goals", items(c.goals)},
          {"objectives", std::move(objectives)},
          {"interventions", std::move(interventions)},
          {"review_on", c.review_on}};
}

bj::object version_json(const PlanVersion& v, const PlanService& plans) {
  auto o = content_view(v.content, nullptr, plans);
  o["version"] = v.version;
  o["saved_by"] = bj::object{{"id", v.saved_by}, {"name", v.saved_by_name}};
  o["saved_at"] = time_text(v.saved_at_ms);
  return o;
}

bj::object agreement_json(const Plan& p) {
  if (!p.agreed) {
    return {{"version", nullptr}, {"at", nullptr}, {"current", false}};
  }
  return {{"version", p.agreed->version},
          {"at", time_text(p.agreed->at_ms)},
          {"current", p.agreed->version == p.current.version}};
}

bj::object summary_json(const Plan& p) {
  return {{"id", p.id},
          {"client_id", p.client_id},
          {"episode_id", p.episode_id.empty() ? bj::value(nullptr) : bj::value(p.episode_id)},
          {"version", p.current.version},
          {"review_on", p.current.content.review_on},
          {"goals", p.current.content.goals.size()},
          {"saved_at", time_text(p.current.saved_at_ms)},
          {"agreement", agreement_json(p)}};
}

//! `name` as a version number from 1, or a 400 naming it.
Result<std::int64_t> version_number(const std::string& text, const std::string& name) {
  try {
    std::size_t used = 0;
    const std::int64_t n = std::stoll(text, &used);
    if (used == text.size() && n >= 1) return n;
  } catch (const std::exception&) {
  }
  return make_error(Errc::BadRequest, name + ": must be a whole number from 1");
}

Result<std::string> own(const access::Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own view (portal)");
  }
  return p.client_id;
}

bj::object plan_body_schema(bool with_version) {
  const bj::object item{
      {"type", "object"},
      {"properties", bj::object{{"id", {{"type", "string"}}}, {"text", {{"type", "string"}}}}},
      {"required", bj::array{"text"}}};
  bj::object props{
      {"episode_id", {{"type", "string"}}},
      {"problems", {{"type", "array"}, {"items", item}}},
      {"goals", {{"type", "array"}, {"items", item}}},
      {"objectives",
       {{"type", "array"},
        {"items",
         {{"type", "object"},
          {"properties",
           bj::object{{"id", {{"type", "string"}}},
                      {"text", {{"type", "string"}}},
                      {"target_on", {{"type", "string"}, {"format", "date"}}},
                      {"instrument_id", {{"type", "string"}}},
                      {"comparison",
                       {{"type", "string"}, {"enum", bj::array{"below", "at_most", "at_least"}}}},
                      {"target", {{"type", "number"}}}}},
          {"required", bj::array{"text", "target_on"}}}}}},
      {"interventions",
       {{"type", "array"},
        {"items",
         {{"type", "object"},
          {"properties", bj::object{{"id", {{"type", "string"}}},
                                    {"code", {{"type", "string"}}},
                                    {"detail", {{"type", "string"}}},
                                    {"frequency", {{"type", "string"}}},
                                    {"delivered_by", {{"type", "string"}}}}},
          {"required", bj::array{"code", "frequency", "delivered_by"}}}}}},
      {"review_on", {{"type", "string"}, {"format", "date"}}}};
  bj::array required{"goals", "review_on"};
  if (with_version) {
    props["version"] = bj::object{{"type", "integer"}};
    required.emplace_back("version");
  }
  return {{"type", "object"}, {"properties", std::move(props)}, {"required", std::move(required)}};
}

}  // namespace

bj::object to_json(const PlanView& v, const PlanService& plans) {
  const auto& p = v.plan;
  auto o = content_view(p.current.content, &v.progress, plans);
  o["id"] = p.id;
  o["client_id"] = p.client_id;
  o["episode_id"] = p.episode_id.empty() ? bj::value(nullptr) : bj::value(p.episode_id);
  o["created_by"] = p.created_by;
  o["created_at"] = time_text(p.created_at_ms);
  o["version"] = p.current.version;
  o["saved_by"] = bj::object{{"id", p.current.saved_by}, {"name", p.current.saved_by_name}};
  o["saved_at"] = time_text(p.current.saved_at_ms);
  o["review_due"] = rules::due_name(rules::due_state(p.current.content.review_on, plans.today()));
  o["agreement"] = agreement_json(p);
  return o;
}

bj::object to_json(const Discharge& d) {
  bj::array outcomes;
  for (const auto& m : d.outcomes) {
    outcomes.push_back(bj::object{{"instrument_id", m.instrument_id},
                                  {"instrument_name", m.instrument_name},
                                  {"start", m.start},
                                  {"start_on", m.start_on},
                                  {"end", m.end},
                                  {"end_on", m.end_on}});
  }
  return {{"episode_id", d.episode_id},
          {"client_id", d.client_id},
          {"program", d.program},
          {"ended_on", d.ended_on.empty() ? bj::value(nullptr) : bj::value(d.ended_on)},
          {"reason", d.reason},
          {"what_helped", d.what_helped},
          {"recommendations", d.recommendations},
          {"outcomes", std::move(outcomes)},
          {"relapse", relapse_json(d.relapse)},
          {"written_by", bj::object{{"id", d.written_by}, {"name", d.written_by_name}}},
          {"updated_at", time_text(d.updated_at_ms)},
          {"version", d.version}};
}

void register_plan_routes(http::Router& router, PlanService& plans, DischargeService& discharges,
                          access::AccessService& access) {
  const auto view = [&plans](const PlanView& v) { return to_json(v, plans); };
  const auto discharge_view = [](const Discharge& d) { return to_json(d); };

  router
      .add(Method::Get, "/api/v1/interventions",
           access.guard([&plans](Request&, const access::Principal&) {
             bj::array items;
             for (const auto& i : plans.interventions()) {
               items.push_back(
                   bj::object{{"code", i.code}, {"name", i.name}, {"client_text", i.client_text}});
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("The interventions a treatment plan may name, with plain descriptions", "care")
      .returns(200, "Interventions");

  router
      .add(Method::Post, "/api/v1/clients/{id}/plans",
           access.guard([&plans, view](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = plans.create(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, view(*r));
             resp.headers.set("Location", "/api/v1/plans/" + r->plan.id);
             return resp;
           }))
      .summary("A treatment plan (version 1); sets a review task for its author", "care")
      .body(plan_body_schema(false))
      .returns(201, "The plan, with progress")
      .returns(422, "A missing or bad field (named), a review date in the past");

  router
      .add(Method::Get, "/api/v1/clients/{id}/plans",
           access.guard([&plans](Request& req, const access::Principal& p) {
             auto r = plans.list(p, req.param("id"));
             return http::items_or_problem(r, [&](const auto& pl) { return summary_json(pl); });
           }))
      .summary("A client's treatment plans, newest change first", "care")
      .returns(200, "Plans");

  router
      .add(Method::Get, "/api/v1/plans/{id}",
           access.guard([&plans, view](Request& req, const access::Principal& p) {
             return http::respond(plans.get(p, req.param("id")), 200, view);
           }))
      .summary("A plan's current version, objectives with progress, and the agreement", "care")
      .returns(200, "The plan")
      .returns(404, "No such plan, or not one the caller may see");

  router
      .add(Method::Put, "/api/v1/plans/{id}",
           access.guard([&plans, view](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(plans.revise(p, req.param("id"), *body), 200, view);
           }))
      .summary("A new version of the plan (`version`: the one edited)", "care")
      .body(plan_body_schema(true))
      .returns(200, "The plan at its new version")
      .returns(409, "Someone saved a newer version since")
      .returns(422, "A missing or bad field (named), a review date in the past");

  router
      .add(Method::Get, "/api/v1/plans/{id}/versions",
           access.guard([&plans](Request& req, const access::Principal& p) {
             auto r = plans.versions(p, req.param("id"));
             return http::items_or_problem(r,
                                           [&](const auto& v) { return version_json(v, plans); });
           }))
      .summary("Every version of a plan, newest first", "care")
      .returns(200, "Versions");

  router
      .add(Method::Get, "/api/v1/plans/{id}/versions/{n}",
           access.guard([&plans](Request& req, const access::Principal& p) {
             auto n = version_number(req.param("n"), "version");
             if (!n) return Response::problem(n.error());
             return http::respond(
                 plans.version(p, req.param("id"), *n), 200,
                 [&plans](const PlanVersion& v) { return version_json(v, plans); });
           }))
      .summary("One version of a plan", "care")
      .returns(200, "The version");

  router
      .add(Method::Get, "/api/v1/plans/{id}/diff",
           access.guard([&plans](Request& req, const access::Principal& p) {
             auto from = version_number(req.query_param("from").value_or(""), "from");
             if (!from) return Response::problem(from.error());
             auto to = version_number(req.query_param("to").value_or(""), "to");
             if (!to) return Response::problem(to.error());
             auto r = plans.diff(p, req.param("id"), *from, *to);
             if (!r) return Response::problem(r.error());
             bj::array changes;
             for (const auto& c : *r) {
               changes.push_back(bj::object{{"section", c.section},
                                            {"id", c.id},
                                            {"kind", c.kind},
                                            {"before", c.before},
                                            {"after", c.after}});
             }
             return Response::json(
                 200, bj::object{{"from", *from}, {"to", *to}, {"changes", std::move(changes)}});
           }))
      .summary("What changed between two versions: items added, removed or changed", "care")
      .query("from")
      .query("to")
      .returns(200, "The changes");

  router
      .add(Method::Get, "/api/v1/me/plan",
           access.guard([&plans, view](Request&, const access::Principal& p) {
             return http::respond(plans.mine(p), 200, view);
           }))
      .summary("The client's own current treatment plan (portal)", "care")
      .returns(200, "The plan, with progress and the interventions in plain words")
      .returns(404, "No plan yet");

  router
      .add(Method::Post, "/api/v1/me/plans/{id}/agree",
           access.guard([&plans, view](Request& req, const access::Principal& p) {
             auto id = own(p);
             if (!id) return Response::problem(id.error());
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(plans.agree(p, req.param("id"), *body), 200, view);
           }))
      .summary("The client agrees to a version of their plan (portal)", "care")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"version", {{"type", "integer"}}}}},
                       {"required", bj::array{"version"}}})
      .returns(200, "The plan, agreed")
      .returns(404, "No such plan of the client's")
      .returns(409, "The plan has a newer version: read it again");

  router
      .add(Method::Get, "/api/v1/episodes/{id}/discharge",
           access.guard([&discharges, discharge_view](Request& req, const access::Principal& p) {
             return http::respond(discharges.get(p, req.param("id")), 200, discharge_view);
           }))
      .summary("The discharge summary and relapse prevention plan of an episode", "care")
      .returns(200, "The summary")
      .returns(404, "None written yet, or no such episode");

  router
      .add(Method::Put, "/api/v1/episodes/{id}/discharge",
           access.guard([&discharges, discharge_view](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return http::respond(discharges.save(p, req.param("id"), *body), 200, discharge_view);
           }))
      .summary("Write (version 0) or change the discharge summary of a discharged episode", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{{"version", {{"type", "integer"}}},
                      {"reason", {{"type", "string"}}},
                      {"what_helped", {{"type", "string"}}},
                      {"recommendations", {{"type", "string"}}},
                      {"relapse",
                       {{"type", "object"},
                        {"properties", bj::object{{"warning_signs", {{"type", "array"}}},
                                                  {"what_helps", {{"type", "array"}}},
                                                  {"contacts", {{"type", "array"}}},
                                                  {"coming_back", {{"type", "string"}}}}}}}}},
          {"required", bj::array{"version", "reason", "relapse"}}})
      .returns(200, "The summary, with outcome measures from the results")
      .returns(409, "The episode is not discharged, or a stale version")
      .returns(422, "A missing or bad field (named)");

  router
      .add(Method::Get, "/api/v1/me/relapse-prevention",
           access.guard([&discharges, discharge_view](Request&, const access::Principal& p) {
             return http::respond(discharges.mine(p), 200, discharge_view);
           }))
      .summary("The client's relapse prevention plan from their latest discharge (portal)", "care")
      .returns(200, "The plan")
      .returns(404, "None yet");
}

}  // namespace tend::care
