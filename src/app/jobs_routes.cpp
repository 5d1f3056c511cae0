#include "app/jobs_routes.h"

#include <boost/json.hpp>

#include "platform/jobs/rules.h"
#include "platform/json.h"

namespace tend::app {

namespace bj = boost::json;
using access::Principal;
using http::Method;
using http::Request;
using http::Response;

namespace {

bj::value opt_text(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return bj::string(*s);
}

}  // namespace

bj::object to_json(const jobs::Job& j) {
  bj::value payload;
  try {
    payload = bj::parse(j.payload);
  } catch (const std::exception&) {
    payload = bj::string(j.payload);
  }
  return bj::object{{"id", j.id},
                    {"kind", j.kind},
                    {"state", j.state},
                    {"payload", payload},
                    {"dedupe_key", opt_text(j.dedupe_key)},
                    {"due_at", *json::opt_time(j.due_at_ms).if_string()},
                    {"attempts", j.attempts},
                    {"max_attempts", j.max_attempts},
                    {"claimed_by", opt_text(j.claimed_by)},
                    {"claimed_until", json::opt_time(j.claimed_until_ms)},
                    {"last_error", opt_text(j.last_error)},
                    {"created_at", *json::opt_time(j.created_at_ms).if_string()},
                    {"finished_at", json::opt_time(j.finished_at_ms)}};
}

void register_job_routes(http::Router& router, jobs::JobQueue& jobs, access::AccessService& access,
                         audit::AuditLog& audit) {
  router
      .add(Method::Get, "/api/v1/jobs",
           access.guard([&jobs, &access](Request& req, const Principal& p) {
             if (auto st = access.require_admin(p); !st) return Response::problem(st.error());
             const std::string state = req.query_param("state").value_or("");
             if (!state.empty() && !jobs::rules::valid_state(state)) {
               return Response::problem(make_error(
                   Errc::BadRequest, "state must be pending, running, done, dead or cancelled",
                   {{"state", "is not a job state"}}));
             }
             int limit = 100;
             if (auto l = req.query_param("limit")) {
               try {
                 std::size_t used = 0;
                 limit = std::stoi(*l, &used);
                 if (used != l->size() || limit < 1 || limit > 1000) throw std::out_of_range("");
               } catch (const std::exception&) {
                 return Response::problem(make_error(Errc::BadRequest,
                                                     "limit must be a whole number from 1 to 1000",
                                                     {{"limit", "must be 1 to 1000"}}));
               }
             }
             bj::array items;
             for (const auto& j : jobs.list(state, limit)) items.push_back(to_json(j));
             bj::object counts;
             for (const auto& [k, v] : jobs.counts()) counts[k] = v;
             return Response::json(200, bj::object{{"items", items}, {"counts", counts}});
           }))
      .summary("List durable jobs, newest due first, optionally by state (admins)", "operations")
      .query("state")
      .query("limit")
      .returns(200, "Jobs and the count in each state");

  const auto change = [&](const char* action, auto fn) {
    return access.guard([&jobs, &access, &audit, action, fn](Request& req, const Principal& p) {
      if (auto st = access.require_admin(p); !st) return Response::problem(st.error());
      const std::string id = req.param("id");
      // The change and its audit entry commit together.
      auto j = fn(jobs, id, [&](sql::Conn& c) {
        audit.append(c, access::audit_entry(p, action, "job", id));
      });
      if (!j) return Response::problem(j.error());
      return Response::json(200, to_json(*j));
    });
  };
  router
      .add(Method::Post, "/api/v1/jobs/{id}/retry",
           change("retry", [](jobs::JobQueue& q, const std::string& id,
                              const auto& also) { return q.retry(id, also); }))
      .summary("Run a dead or cancelled job again, due now (admins)", "operations")
      .returns(200, "The job, pending");
  router
      .add(Method::Post, "/api/v1/jobs/{id}/cancel",
           change("cancel", [](jobs::JobQueue& q, const std::string& id,
                               const auto& also) { return q.cancel(id, also); }))
      .summary("Cancel a pending job (admins)", "operations")
      .returns(200, "The job, cancelled");
}

void register_probe_handler(jobs::JobQueue& jobs, const Clock& clock) {
  jobs.handle("system.probe", [&jobs, &clock](sql::Conn& c, const jobs::Job& j) -> Status {
    c.exec("INSERT INTO job_probe_runs (job_id, instance, ran_at) VALUES (?, ?, ?)",
           {j.id, jobs.instance(),
            std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
                .count()});
    return ok_status();
  });
}

}  // namespace tend::app
