#include "app/guardian_routes.h"

#include <boost/json.hpp>

#include "care/plan_routes.h"
#include "care/routes.h"
#include "crisis/routes.h"

namespace tend::app {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

void register_guardian_routes(http::Router& router, GuardianSources src) {
  // Each section: the link and the setting are checked (404 for a client not linked, 403 for a
  // section not shared), then the client's own view is read.
  using Render = std::function<Response(const access::Principal& as_client)>;
  const auto section = [&router, src](const std::string& path, const std::string& name,
                                      const std::string& what, Render render) {
    router
        .add(Method::Get, "/api/v1/guardian/clients/{id}/" + path,
             src.access.guard(
                 [src, name, render](Request& req, const access::Principal& p) {
                   auto as_client = src.invitations.guardian_view(p, req.param("id"), name);
                   if (!as_client) return Response::problem(as_client.error());
                   return render(*as_client);
                 },
                 false, true))
        .summary("For a parent or guardian: " + what + " (when the service shares " + name + ")",
                 "guardian")
        .returns(200, what)
        .returns(403, "The service does not share this section with guardians")
        .returns(404, "Not a young person this account is linked to");
  };

  section("appointments", "appointments", "the young person's appointments still to come",
          [src](const access::Principal& as_client) {
            auto r = src.appointments.mine(as_client);
            if (!r) return Response::problem(r.error());
            bj::array items;
            for (const auto& a : *r) {
              auto o = care::to_json(a);
              // What the client wrote to ask for a change, and any note, stay theirs.
              o.erase("note");
              o.erase("request");
              o.erase("client_name");
              items.push_back(std::move(o));
            }
            return Response::json(200, bj::object{{"items", std::move(items)}});
          });

  section("crisis-resources", "crisis_resources", "crisis lines for the young person's region",
          [src](const access::Principal& as_client) {
            return Response::json(
                200, src.crisis.resources(src.crisis.region_of(as_client.client_id)).data);
          });

  section("safety-plan", "safety_plan", "the young person's safety plan",
          [src](const access::Principal& as_client) {
            return http::respond(src.crisis.safety_plan(as_client, as_client.client_id), 200,
                                 [](const crisis::SafetyPlan& s) { return crisis::to_json(s); });
          });

  section("plan", "plan", "the young person's current treatment plan",
          [src](const access::Principal& as_client) {
            return http::respond(src.plans.mine(as_client), 200, [src](const care::PlanView& v) {
              return care::to_json(v, src.plans);
            });
          });

  section("education", "education", "what the care team gave the young person to read",
          [src](const access::Principal& as_client) {
            auto r = src.education.mine(as_client);
            if (!r) return Response::problem(r.error());
            bj::array items;
            for (const auto& a : *r) {
              const auto* article = src.education.article(a);
              items.push_back(bj::object{
                  {"id", a.id},
                  {"slug", a.slug},
                  {"title", article ? bj::value(article->title) : bj::value(nullptr)},
                  {"summary", article ? bj::value(article->summary) : bj::value(nullptr)},
                  {"status", a.status},
                  {"assigned_at", format_rfc3339(from_unix_ms(a.assigned_at_ms))},
                  {"read_at", json::opt_time(a.read_at_ms)}});
            }
            return Response::json(200, bj::object{{"items", std::move(items)}});
          });
}

}  // namespace tend::app
