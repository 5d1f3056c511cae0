#include "care/routes.h"

#include <cmath>

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::care {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {
//! Days to one decimal; whole days as integers (30, not 30.0).
bj::value days(const std::optional<double>& d) {
  if (!d) return nullptr;
  const double v = std::round(*d * 10) / 10;
  if (v == std::floor(v)) return static_cast<std::int64_t>(v);
  return v;
}
}  // namespace

bj::object to_json(const Episode& e, bool detail) {
  bj::object o{{"id", e.id},
               {"client_id", e.client_id},
               {"program", e.program},
               {"stage", rules::stage_name(e.stage)},
               {"open", rules::is_open(e.stage)},
               {"referral_source", e.referral_source},
               {"referral_reason", e.referral_reason},
               {"referred_on", e.referred_on},
               {"waitlisted_on", json::opt(e.waitlisted_on)},
               {"intake_on", json::opt(e.intake_on)},
               {"active_on", json::opt(e.active_on)},
               {"ended_on", json::opt(e.ended_on)},
               {"first_seen_on", json::opt(e.first_seen_on)},
               {"second_seen_on", json::opt(e.second_seen_on)},
               {"transferred_to",
                e.transferred_to.empty() ? bj::value(nullptr) : bj::value(e.transferred_to)},
               {"version", e.version},
               {"created_by", e.created_by},
               {"updated_at", format_rfc3339(from_unix_ms(e.updated_at_ms))}};
  if (detail) {
    bj::array steps;
    for (const auto& s : e.steps) {
      steps.push_back(bj::object{{"stage", rules::stage_name(s.stage)},
                                 {"on", s.on},
                                 {"by", s.by},
                                 {"note", s.note},
                                 {"at", format_rfc3339(from_unix_ms(s.at_ms))}});
    }
    o["steps"] = std::move(steps);
    bj::array next;
    for (auto s : rules::next_stages(e.stage)) next.emplace_back(rules::stage_name(s));
    o["next"] = std::move(next);
  }
  return o;
}

bj::object to_json(const ProgramWaits& w) {
  return {
      {"program", w.program},
      {"waiting_now", w.waiting_now},
      {"waiting_now_median_days", days(w.waiting_now_median_days)},
      {"waiting_now_longest_days",
       w.waiting_now_longest_days ? bj::value(*w.waiting_now_longest_days) : bj::value(nullptr)},
      {"reached_intake", w.reached_intake},
      {"referral_to_intake_median_days", days(w.referral_to_intake_median_days)},
      {"referral_to_intake_p90_days", days(w.referral_to_intake_p90_days)},
      {"reached_treatment", w.reached_treatment},
      {"referral_to_treatment_median_days", days(w.referral_to_treatment_median_days)},
      {"intake_to_treatment_median_days", days(w.intake_to_treatment_median_days)},
      {"seen_once", w.seen_once},
      {"referral_to_first_median_days", days(w.referral_to_first_median_days)},
      {"referral_to_first_p90_days", days(w.referral_to_first_p90_days)},
      {"seen_twice", w.seen_twice},
      {"first_to_second_median_days", days(w.first_to_second_median_days)},
      {"first_to_second_p90_days", days(w.first_to_second_p90_days)}};
}

bj::object to_json(const Task& t, const std::string& today) {
  const auto ms = [](std::int64_t v) {
    return v == 0 ? bj::value(nullptr) : bj::value(format_rfc3339(from_unix_ms(v)));
  };
  return {{"id", t.id},
          {"client_id", t.client_id},
          {"client_name", t.client_name},
          {"episode_id", t.episode_id.empty() ? bj::value(nullptr) : bj::value(t.episode_id)},
          {"kind", t.kind},
          {"title", t.title},
          {"due_on", t.due_on},
          {"due", t.status == "open" ? bj::value(rules::due_name(rules::due_state(t.due_on, today)))
                                     : bj::value(nullptr)},
          {"owner", bj::object{{"id", t.owner_id}, {"name", t.owner_name}}},
          {"status", t.status},
          {"outcome", t.outcome},
          {"created_by", t.created_by},
          {"created_at", ms(t.created_at_ms)},
          {"closed_by", t.closed_by.empty() ? bj::value(nullptr) : bj::value(t.closed_by)},
          {"closed_at", ms(t.closed_at_ms)},
          {"version", t.version}};
}

bj::object to_json(const Appointment& a) {
  const auto t = [](std::int64_t ms) { return format_rfc3339(from_unix_ms(ms)); };
  const auto text_or_null = [](const std::string& s) {
    return s.empty() ? bj::value(nullptr) : bj::value(s);
  };
  return {
      {"id", a.id},
      {"client_id", text_or_null(a.client_id)},
      {"client_name", text_or_null(a.client_name)},
      {"clinician", bj::object{{"id", a.clinician_id}, {"name", a.clinician_name}}},
      {"kind", a.kind},
      {"mode", a.mode},
      {"starts_at", t(a.starts_at_ms)},
      {"ends_at", t(a.ends_at_ms)},
      {"room", text_or_null(a.room)},
      {"meeting_url", text_or_null(a.meeting_url)},
      {"status", a.status},
      {"cancelled_by", text_or_null(a.cancelled_by)},
      {"late_cancel", a.late_cancel},
      {"note", a.note},
      {"series_id", text_or_null(a.series_id)},
      {"reminded_at", a.reminded_at_ms == 0 ? bj::value(nullptr) : bj::value(t(a.reminded_at_ms))},
      {"request", a.request ? bj::value(to_json(*a.request)) : bj::value(nullptr)},
      {"version", a.version}};
}

bj::object to_json(const ChangeRequest& q) {
  const auto t = [](std::int64_t ms) {
    return ms == 0 ? bj::value(nullptr) : bj::value(format_rfc3339(from_unix_ms(ms)));
  };
  return {{"id", q.id},
          {"appointment_id", q.appointment_id},
          {"kind", q.kind},
          {"message", q.message},
          {"status", q.status},
          {"answer", q.answer},
          {"answered_by", q.answered_by.empty() ? bj::value(nullptr) : bj::value(q.answered_by)},
          {"created_at", t(q.created_at_ms)},
          {"answered_at", t(q.answered_at_ms)}};
}

void register_routes(http::Router& router, EpisodeService& episodes, TaskService& tasks,
                     AppointmentService& appointments, access::AccessService& access) {
  const auto appt_list = [](const Result<std::vector<Appointment>>& r) {
    return http::items_or_problem(r, [&](const auto& a) { return to_json(a); });
  };
  router
      .add(Method::Post, "/api/v1/clients/{id}/appointments",
           access.guard([&appointments](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = appointments.book(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r));
             resp.headers.set("Location", "/api/v1/appointments/" + r->id);
             return resp;
           }))
      .summary("Book an appointment (refused when the clinician or room is already booked)", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{
               {"starts_at", {{"type", "string"}, {"format", "date-time"}}},
               {"ends_at", {{"type", "string"}, {"format", "date-time"}}},
               {"kind",
                {{"type", "string"},
                 {"enum", bj::array{"individual", "couple", "family", "group"}}}},
               {"mode", {{"type", "string"}, {"enum", bj::array{"in_person", "video", "phone"}}}},
               {"clinician_id", {{"type", "string"}}},
               {"room", {{"type", "string"}}},
               {"meeting_url", {{"type", "string"}}}}},
          {"required", bj::array{"starts_at", "ends_at"}}})
      .returns(201, "The appointment, booked")
      .returns(409, "The clinician or the room is already booked then (the other is named)")
      .returns(422, "Times that are not times, end before start, under 5 minutes or over 8 hours");

  router
      .add(Method::Get, "/api/v1/clients/{id}/appointments",
           access.guard([&appointments, appt_list](Request& req, const access::Principal& p) {
             return appt_list(appointments.for_client(p, req.param("id")));
           }))
      .summary("A client's appointments, oldest first", "care")
      .returns(200, "Appointments");

  router
      .add(Method::Get, "/api/v1/appointments",
           access.guard([&appointments, appt_list](Request& req, const access::Principal& p) {
             const std::string who = req.query_param("clinician").value_or("me");
             TimePoint from, to;
             const auto f = req.query_param("from");
             const auto t = req.query_param("to");
             if (!f || !parse_rfc3339(*f, from)) {
               return Response::problem(
                   make_error(Errc::BadRequest, "from: must be an RFC 3339 time"));
             }
             if (!t || !parse_rfc3339(*t, to)) {
               return Response::problem(
                   make_error(Errc::BadRequest, "to: must be an RFC 3339 time"));
             }
             return appt_list(appointments.calendar(p, who == "me" ? p.user_id : who, from, to));
           }))
      .summary("A clinician's calendar from `from` to `to` (colleagues see busy times only)",
               "care")
      .query("clinician")
      .query("from")
      .query("to")
      .returns(200, "Appointments");

  router
      .add(Method::Post, "/api/v1/appointments/{id}/status",
           access.guard([&appointments](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = appointments.set_status(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r));
           }))
      .summary("What happened: arrived, attended, cancelled (by client or service) or no_show",
               "care")
      .returns(200, "The appointment")
      .returns(409, "A status that cannot follow the current one, or a stale version");

  router
      .add(Method::Post, "/api/v1/clients/{id}/appointment-series",
           access.guard([&appointments](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = appointments.book_series(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& a : *r) items.push_back(to_json(a));
             const std::string series = r->front().series_id;
             return Response::json(201,
                                   bj::object{{"series_id", series}, {"items", std::move(items)}});
           }))
      .summary(
          "Book a recurring series (every 1–4 weeks, 2–52 times, same wall-clock time): all "
          "of it, or nothing when one would clash",
          "care")
      .body(
          bj::object{{"type", "object"},
                     {"properties",
                      bj::object{{"starts_at", {{"type", "string"}, {"format", "date-time"}}},
                                 {"ends_at", {{"type", "string"}, {"format", "date-time"}}},
                                 {"repeat",
                                  {{"type", "object"},
                                   {"properties", bj::object{{"every_weeks", {{"type", "integer"}}},
                                                             {"count", {{"type", "integer"}}}}}}}}},
                     {"required", bj::array{"starts_at", "ends_at", "repeat"}}})
      .returns(201, "The series id and its appointments")
      .returns(409, "One of them would clash (its date and the other booking are named)")
      .returns(422, "A bad repeat, or times as for one appointment");

  router
      .add(Method::Post, "/api/v1/appointment-series/{id}/cancel",
           access.guard([&appointments, appt_list](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return appt_list(appointments.cancel_series(p, req.param("id"), *body));
           }))
      .summary("Cancel the rest of a series: `{cancelled_by, from?, note?}`", "care")
      .returns(200, "The appointments cancelled")
      .returns(409, "No booked appointment of the series is left from then");

  router
      .add(Method::Get, "/api/v1/me/appointments",
           access.guard([&appointments, appt_list](Request&, const access::Principal& p) {
             auto r = appointments.mine(p);
             if (!r) return Response::problem(r.error());
             auto resp = appt_list(r);
             return resp;
           }))
      .summary("The client's own appointments still to come (portal)", "care")
      .returns(200, "Appointments");

  router
      .add(Method::Post, "/api/v1/me/appointments/{id}/requests",
           access.guard([&appointments](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = appointments.request_change(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(201, to_json(*r));
           }))
      .summary("The client asks to move or cancel an appointment: `{kind, message?}`", "care")
      .returns(201, "The request, with the care team")
      .returns(409, "Passed, not booked, or a request already open");

  router
      .add(Method::Get, "/api/v1/me/appointment-requests",
           access.guard([&appointments](Request&, const access::Principal& p) {
             auto r = appointments.my_requests(p);
             return http::items_or_problem(r, [&](const auto& q) { return to_json(q); });
           }))
      .summary("The client's own requests and their answers, newest first", "care")
      .returns(200, "Requests");

  router
      .add(Method::Post, "/api/v1/appointment-requests/{id}",
           access.guard([&appointments](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = appointments.answer_request(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r));
           }))
      .summary("Answer a client's request: `{status: done|declined, answer?}`", "care")
      .returns(200, "The request, answered")
      .returns(409, "Already answered");

  const auto task_list = [&tasks](const Result<std::vector<Task>>& r) {
    if (!r) return Response::problem(r.error());
    const std::string today = tasks.today();
    bj::array items;
    for (const auto& t : *r) items.push_back(to_json(t, today));
    return Response::json(200, bj::object{{"items", std::move(items)}});
  };
  router
      .add(Method::Post, "/api/v1/clients/{id}/tasks",
           access.guard([&tasks](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = tasks.create(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r, tasks.today()));
             resp.headers.set("Location", "/api/v1/tasks/" + r->id);
             return resp;
           }))
      .summary("A follow-up task for a client: a call, letter, review …, due on a date", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"kind",
                                     {{"type", "string"},
                                      {"enum", bj::array{"call", "letter", "review", "other"}}}},
                                    {"title", {{"type", "string"}}},
                                    {"due_on", {{"type", "string"}, {"format", "date"}}},
                                    {"owner_id", {{"type", "string"}}},
                                    {"episode_id", {{"type", "string"}}}}},
          {"required", bj::array{"kind", "title", "due_on"}}})
      .returns(201, "The task")
      .returns(422, "A missing field, a bad date, or an owner not on the care team");

  router
      .add(Method::Get, "/api/v1/clients/{id}/tasks",
           access.guard([&tasks, task_list](Request& req, const access::Principal& p) {
             return task_list(tasks.for_client(p, req.param("id")));
           }))
      .summary("A client's tasks: open ones overdue first, then the closed", "care")
      .returns(200, "Tasks");

  router
      .add(Method::Get, "/api/v1/tasks",
           access.guard([&tasks, task_list](Request&, const access::Principal& p) {
             return task_list(tasks.mine(p));
           }))
      .summary("The caller's open tasks, overdue first", "care")
      .returns(200, "Tasks");

  for (const char* status : {"done", "cancelled"}) {
    const std::string verb = std::string(status) == "done" ? "done" : "cancel";
    router
        .add(Method::Post, "/api/v1/tasks/{id}/" + verb,
             access.guard(
                 [&tasks, status = std::string(status)](Request& req, const access::Principal& p) {
                   auto body = http::json_body(req);
                   if (!body) return Response::problem(body.error());
                   auto r = tasks.close(p, req.param("id"), status, *body);
                   if (!r) return Response::problem(r.error());
                   return Response::json(200, to_json(*r, tasks.today()));
                 }))
        .summary(std::string(status) == "done" ? "Mark a task done, with what happened"
                                               : "Cancel a task",
                 "care")
        .returns(200, "The closed task")
        .returns(409, "Already closed, or a stale version");
  }

  router
      .add(Method::Post, "/api/v1/clients/{id}/episodes",
           access.guard([&episodes](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = episodes.open(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r, true));
             resp.headers.set("Location", "/api/v1/episodes/" + r->id);
             return resp;
           }))
      .summary("A referral received: opens an episode of care in a program", "care")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"program", {{"type", "string"}}},
                                    {"referral_source", {{"type", "string"}}},
                                    {"referral_reason", {{"type", "string"}}},
                                    {"referred_on", {{"type", "string"}, {"format", "date"}}}}},
          {"required", bj::array{"program", "referral_source", "referral_reason"}}})
      .returns(201, "The episode, at referred")
      .returns(409, "The client already has an open episode in that program")
      .returns(422, "A missing field, or a date that is not one or is in the future");

  router
      .add(Method::Get, "/api/v1/clients/{id}/episodes",
           access.guard([&episodes](Request& req, const access::Principal& p) {
             auto r = episodes.list(p, req.param("id"));
             return http::items_or_problem(r, [&](const auto& e) { return to_json(e, false); });
           }))
      .summary("A client's episodes of care, newest referral first", "care")
      .returns(200, "Episodes");

  router
      .add(Method::Get, "/api/v1/episodes/{id}",
           access.guard([&episodes](Request& req, const access::Principal& p) {
             auto r = episodes.get(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r, true));
           }))
      .summary("One episode with its steps and the stages it may move to", "care")
      .returns(200, "The episode")
      .returns(404, "No such episode, or not one the caller may see");

  router
      .add(Method::Post, "/api/v1/episodes/{id}/steps",
           access.guard([&episodes](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = episodes.step(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, to_json(*r, true));
           }))
      .summary("Move an episode: waitlist, intake, active, discharged, declined or transferred",
               "care")
      .body(bj::object{{"type", "object"},
                       {"properties",
                        bj::object{{"stage",
                                    {{"type", "string"},
                                     {"enum", bj::array{"waitlist", "intake", "active",
                                                        "discharged", "declined", "transferred"}}}},
                                   {"on", {{"type", "string"}, {"format", "date"}}},
                                   {"note", {{"type", "string"}}},
                                   {"transferred_to", {{"type", "string"}}},
                                   {"version", {{"type", "integer"}}}}},
                       {"required", bj::array{"stage", "version"}}})
      .returns(200, "The episode after the move")
      .returns(409, "A stage that cannot follow the current one, or a stale version")
      .returns(422, "A date that is not one, in the future or before the step before it");

  router
      .add(Method::Get, "/api/v1/episodes/waits",
           access.guard([&episodes](Request& req, const access::Principal& p) {
             auto r = episodes.waits(p, req.query_param("program").value_or(""));
             return http::items_or_problem(r, [&](const auto& w) { return to_json(w); });
           }))
      .summary("Waiting times per program: waiting now, referral to intake and to treatment",
               "care")
      .query("program")
      .returns(200, "Waiting times");
}

}  // namespace tend::care
