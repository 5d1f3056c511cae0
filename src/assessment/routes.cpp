#include "assessment/routes.h"

#include <cmath>

#include "assessment/rules.h"
#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::assessment {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

std::string time_text(std::int64_t ms) {
  return format_rfc3339(TimePoint(std::chrono::milliseconds(ms)));
}

bj::value due_json(const std::optional<Due>& d) {
  if (!d) return nullptr;
  return bj::object{
      {"due_date", d->due_date}, {"overdue", d->overdue}, {"days_overdue", d->days_overdue}};
}

bj::object schedule_json(const ScheduleStatus& s) {
  return {{"id", s.schedule.id},
          {"client_id", s.schedule.client_id},
          {"instrument", s.schedule.instrument_id},
          {"instrument_name", s.instrument_name},
          {"every_days", s.schedule.every_days},
          {"start_date", s.schedule.start_date},
          {"end_date", json::opt(s.schedule.end_date)},
          {"active", s.schedule.active},
          {"self_answerable", s.self_answerable},
          {"next_due", due_json(s.next_due)}};
}

std::string idempotency_key(const Request& req) {
  auto k = req.headers.get("Idempotency-Key");
  return k ? std::string(*k) : std::string();
}

bj::object submission_schema() {
  bj::object answer{
      {"type", "object"},
      {"properties", bj::object{{"linkId", {{"type", "string"}}}, {"value", {{"type", "number"}}}}},
      {"required", bj::array{"linkId", "value"}}};
  return {{"type", "object"},
          {"properties",
           bj::object{{"instrument", {{"type", "string"}}},
                      {"answers", bj::object{{"type", "array"}, {"items", answer}}},
                      {"rater",
                       {{"type", "string"},
                        {"enum", bj::array{"self", "clinician", "parent", "teacher", "other"}}}},
                      {"completed_at", {{"type", "string"}, {"format", "date-time"}}}}},
          {"required", bj::array{"instrument", "answers"}},
          {"additionalProperties", false}};
}

}  // namespace

Result<Answers> read_answers(const bj::value* v) {
  if (!v) return invalid("answers", "is required");
  if (!v->is_array()) return invalid("answers", "must be a list of {linkId, value}");
  const auto& a = v->as_array();
  if (a.size() > 500) return invalid("answers", "must have at most 500 answers");
  Answers out;
  std::vector<FieldError> errs;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string path = "answers[" + std::to_string(i) + "]";
    if (!a[i].is_object()) {
      errs.push_back({path, "must be an object {linkId, value}"});
      continue;
    }
    json::FieldReader r(a[i].as_object(), path);
    auto link = r.string("linkId", {true, 100});
    const auto* value = r.raw("value");
    if (!value || !value->is_number()) {
      r.add_error(r.path("value"), "must be a number (the option's scored value)");
    }
    if (auto st = r.finish(); !st) {
      for (auto& e : st.error().errors) errs.push_back(e);
      continue;
    }
    const double x = value->to_number<double>();
    if (!std::isfinite(x)) {
      errs.push_back({path + ".value", "must be a finite number"});
    } else if (!out.emplace(*link, x).second) {
      errs.push_back({path + ".linkId", *link + " is answered more than once"});
    }
  }
  if (!errs.empty()) return make_error(Errc::Validation, "invalid answers", std::move(errs));
  return out;
}

void register_routes(http::Router& router, AssessmentService& svc, access::AccessService& access) {
  router
      .add(Method::Get, "/api/v1/instruments",
           access.guard([&](Request&, const access::Principal&) {
             bj::array items;
             for (const auto& in : svc.instruments()) items.push_back(rules::summary_json(*in));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("The instrument library", "assessment")
      .returns(200, "Every instrument, sorted by id");

  router
      .add(Method::Get, "/api/v1/instruments/{id}",
           access.guard([&](Request& req, const access::Principal&) {
             auto in = svc.instrument(req.param("id"));
             if (!in) return Response::problem(in.error());
             return Response::json(200, rules::detail_json(**in));
           }))
      .summary("One instrument: items with linkId, text and answer options with their values",
               "assessment")
      .returns(200, "The instrument")
      .returns(404, "No such instrument");

  router
      .add(Method::Post, "/api/v1/instruments/import",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             // Either {id, questionnaire} or the Questionnaire itself (its id becomes ours).
             const bj::object* q = &*body;
             std::string id;
             if (const auto* inner = body->if_contains("questionnaire")) {
               if (!inner->is_object()) {
                 return Response::problem(
                     invalid("questionnaire", "must be a FHIR Questionnaire object"));
               }
               q = &inner->as_object();
               if (const auto* i = body->if_contains("id"); i && i->is_string())
                 id = std::string(i->as_string());
             } else if (const auto* i = body->if_contains("id"); i && i->is_string()) {
               id = std::string(i->as_string());
             }
             if (id.empty()) return Response::problem(invalid("id", "is required"));
             auto r = svc.import(p, *q, id);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, rules::detail_json(**r));
             resp.headers.set("Location", "/api/v1/instruments/" + (*r)->id);
             return resp;
           }))
      .summary("Import a published FHIR Questionnaire as an instrument", "assessment")
      .returns(201, "The imported instrument")
      .returns(422, "What could not be interpreted");

  router
      .add(Method::Post, "/api/v1/clients/{id}/assessments",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             Submission s;
             s.instrument = r.string("instrument", {true, 60}).value_or("");
             auto answers = read_answers(r.raw("answers"));
             // Without a rater the answers are the client's own (entered by staff in session).
             if (auto rater = r.string("rater", {false, 20})) {
               auto rt = rules::rater_from(*rater);
               if (!rt) {
                 r.add_error("rater", "must be one of self, clinician, parent, teacher, other");
               } else {
                 s.rater = *rt;
               }
             }
             if (auto at = r.string("completed_at", {false, 40})) {
               TimePoint t;
               if (!parse_rfc3339(*at, t)) {
                 r.add_error("completed_at", "must be an RFC 3339 date-time");
               } else {
                 s.completed_at_ms =
                     std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch())
                         .count();
               }
             }
             auto st = r.finish();
             if (!answers || !st) {
               std::vector<FieldError> errs;
               if (!st) errs = st.error().errors;
               if (!answers) {
                 for (auto& e : answers.error().errors) errs.push_back(e);
               }
               return Response::problem(
                   make_error(Errc::Validation, "invalid submission", std::move(errs)));
             }
             s.answers = std::move(*answers);
             s.idempotency_key = idempotency_key(req);
             auto stored = svc.submit(p, req.param("id"), s);
             if (!stored) return Response::problem(stored.error());
             auto in = svc.instrument(stored->assessment.instrument_id);
             auto resp =
                 Response::json(stored->replayed ? 200 : 201,
                                rules::to_json(stored->assessment, in ? in->get() : nullptr));
             resp.headers.set("Location", "/api/v1/assessments/" + stored->assessment.id);
             if (stored->replayed) resp.headers.set("Idempotent-Replayed", "true");
             return resp;
           }))
      .summary("Score and store a result (Idempotency-Key header: a retry is stored once)",
               "assessment")
      .body(submission_schema())
      .returns(201, "The stored result with total, subscales, band, flags and change")
      .returns(200, "The result stored earlier with the same Idempotency-Key")
      .returns(409, "The Idempotency-Key was used for a different submission")
      .returns(422, "Answers that do not fit the instrument, each named");

  router
      .add(Method::Get, "/api/v1/clients/{id}/assessments",
           access.guard([&](Request& req, const access::Principal& p) {
             auto limit = http::int_query(req, "limit", 200, 1, 1000);
             if (!limit) return Response::problem(limit.error());
             auto r = svc.history(p, req.param("id"), req.query_param("instrument"), *limit);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& a : *r) {
               auto in = svc.instrument(a.instrument_id);
               items.push_back(rules::to_json(a, in ? in->get() : nullptr));
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("A client's results, newest first", "assessment")
      .query("instrument")
      .query("limit")
      .returns(200, "Results with their change since the previous and the first");

  router
      .add(Method::Get, "/api/v1/assessments/{id}",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = svc.get(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             auto in = svc.instrument(r->instrument_id);
             return Response::json(200, rules::to_json(*r, in ? in->get() : nullptr));
           }))
      .summary("One result", "assessment")
      .returns(200, "The result");

  router
      .add(Method::Get, "/api/v1/clients/{id}/measures",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = svc.measures(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : *r) {
               const auto detail = rules::detail_json(*s.instrument);
               bj::array results;
               for (const auto& a : s.results)
                 results.push_back(rules::to_json(a, s.instrument.get()));
               items.push_back(
                   bj::object{{"instrument", s.instrument->id},
                              {"name", s.instrument->name},
                              {"count", s.results.size()},
                              {"first", rules::to_json(s.results.front(), s.instrument.get())},
                              {"latest", rules::to_json(s.results.back(), s.instrument.get())},
                              {"results", std::move(results)},
                              {"bands", detail.at("bands")},
                              {"total", detail.at("total")},
                              {"higher_is_worse", detail.at("higher_is_worse")},
                              {"reliable_change", detail.at("reliable_change")}});
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Each measure the client has results for, with every result oldest first",
               "assessment")
      .returns(200, "Measures");

  router
      .add(Method::Get, "/api/v1/clients/{id}/outcomes",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = svc.measures(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             bj::array measures;
             const Assessment* phq[2] = {nullptr, nullptr};
             const Assessment* gad[2] = {nullptr, nullptr};
             for (const auto& s : *r) {
               const auto& first = s.results.front();
               const auto& last = s.results.back();
               if (s.instrument->id == "phq-9" && first.score.total)
                 phq[0] = &first, phq[1] = &last;
               if (s.instrument->id == "gad-7" && first.score.total)
                 gad[0] = &first, gad[1] = &last;
               measures.push_back(bj::object{
                   {"instrument", s.instrument->id},
                   {"name", s.instrument->name},
                   {"count", s.results.size()},
                   {"first",
                    bj::object{{"id", first.id},
                               {"total", first.score.total ? rules::number(*first.score.total)
                                                           : bj::value(nullptr)},
                               {"completed_at", time_text(first.completed_at_ms)}}},
                   {"last", bj::object{{"id", last.id},
                                       {"total", last.score.total ? rules::number(*last.score.total)
                                                                  : bj::value(nullptr)},
                                       {"completed_at", time_text(last.completed_at_ms)}}},
                   {"change", last.since_first ? bj::value(rules::to_json(*last.since_first))
                                               : bj::value(nullptr)}});
             }
             // NHS Talking Therapies: paired PHQ-9 and GAD-7, first and last, at least two of each.
             bj::value tt = nullptr;
             if (phq[0] && gad[0] && phq[0] != phq[1] && gad[0] != gad[1]) {
               const auto o = rules::talking_therapies(*phq[0]->score.total, *phq[1]->score.total,
                                                       *gad[0]->score.total, *gad[1]->score.total);
               tt = bj::object{{"phq9_first", rules::number(*phq[0]->score.total)},
                               {"phq9_last", rules::number(*phq[1]->score.total)},
                               {"gad7_first", rules::number(*gad[0]->score.total)},
                               {"gad7_last", rules::number(*gad[1]->score.total)},
                               {"case_at_start", o.case_at_start},
                               {"recovered", o.recovered},
                               {"reliable_improvement", o.reliable_improvement},
                               {"reliable_deterioration", o.reliable_deterioration},
                               {"reliable_recovery", o.reliable_recovery}};
             }
             return Response::json(
                 200, bj::object{{"measures", std::move(measures)}, {"talking_therapies", tt}});
           }))
      .summary(
          "Change from the first to the latest result of each measure, and the NHS Talking "
          "Therapies outcome (recovery, reliable improvement, reliable recovery, reliable "
          "deterioration) from paired PHQ-9 and GAD-7",
          "assessment")
      .returns(200, "Outcomes");

  router
      .add(Method::Post, "/api/v1/clients/{id}/schedules",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto instrument = r.string("instrument", {true, 60});
             auto every = r.integer("every_days", true, 1, 365);
             auto start = r.string("start_date", {false, 10});
             auto end = r.string("end_date", {false, 10});
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto s = svc.add_schedule(p, req.param("id"), *instrument, static_cast<int>(*every),
                                       start, end);
             if (!s) return Response::problem(s.error());
             return Response::json(201, schedule_json(*s));
           }))
      .summary("Put a measure on a schedule (every N days while active)", "assessment")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"instrument", {{"type", "string"}}},
                                    {"every_days", {{"type", "integer"}}},
                                    {"start_date", {{"type", "string"}, {"format", "date"}}},
                                    {"end_date", {{"type", "string"}, {"format", "date"}}}}},
          {"required", bj::array{"instrument", "every_days"}}})
      .returns(201, "The schedule and when it is next due")
      .returns(409, "The measure is already scheduled for this client");

  router
      .add(Method::Get, "/api/v1/clients/{id}/schedules",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = svc.schedules(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : *r) items.push_back(schedule_json(s));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("A client's measurement schedules with when each is next due", "assessment")
      .returns(200, "Schedules");

  router
      .add(Method::Delete, "/api/v1/clients/{id}/schedules/{schedule}",
           access.guard([&](Request& req, const access::Principal& p) {
             auto r = svc.stop_schedule(p, req.param("id"), req.param("schedule"));
             if (!r) return Response::problem(r.error());
             return Response::json(200, schedule_json(*r));
           }))
      .summary("Stop a schedule (kept for the record)", "assessment")
      .returns(200, "The stopped schedule");

  router
      .add(Method::Get, "/api/v1/assessments/due",
           access.guard([&](Request&, const access::Principal& p) {
             auto r = svc.due(p);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& d : *r) {
               items.push_back(bj::object{{"client_id", d.client_id},
                                          {"client_name", d.client_name},
                                          {"instrument", d.instrument_id},
                                          {"instrument_name", d.instrument_name},
                                          {"schedule_id", d.schedule_id},
                                          {"due_date", d.due.due_date},
                                          {"overdue", d.due.overdue},
                                          {"days_overdue", d.due.days_overdue}});
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Measures due or overdue for the caller's clients, overdue first", "assessment")
      .query("mine")
      .returns(200, "Due measures");

  router
      .add(Method::Post, "/api/v1/clients/{id}/assessment-links",
           access.guard([&](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto instrument = r.string("instrument", {true, 60});
             Rater rater = Rater::Self;
             if (auto rt = r.string("rater", {false, 20})) {
               auto x = rules::rater_from(*rt);
               if (!x)
                 r.add_error("rater", "must be one of self, clinician, parent, teacher, other");
               else
                 rater = *x;
             }
             auto hours = r.integer("expires_in_hours", false, 1, 336);
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             auto link = svc.create_link(p, req.param("id"), *instrument, rater,
                                         static_cast<int>(hours.value_or(72)));
             if (!link) return Response::problem(link.error());
             return Response::json(201, bj::object{{"token", link->token},
                                                   {"url", "/a/" + link->token},
                                                   {"instrument", link->instrument_id},
                                                   {"rater", rules::to_string(link->rater)},
                                                   {"expires_at", time_text(link->expires_at_ms)}});
           }))
      .summary("A single-use, expiring link to answer a measure without an account", "assessment")
      .returns(201, "The link (shown once)");

  router
      .add(Method::Get, "/api/v1/assessment-links/{token}",
           [&](Request& req) {
             auto r = svc.open_link(req.param("token"));
             if (!r) return Response::problem(r.error());
             return Response::json(200,
                                   bj::object{{"instrument", rules::detail_json(*r->instrument)},
                                              {"rater", rules::to_string(r->rater)},
                                              {"expires_at", time_text(r->expires_at_ms)}});
           })
      .summary("What a single-use link asks (no client details)", "assessment")
      .returns(200, "The instrument to answer")
      .returns(404, "Unknown, used or expired")
      .open();

  router
      .add(Method::Post, "/api/v1/assessment-links/{token}",
           [&](Request& req) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             json::FieldReader r(*body);
             auto answers = read_answers(r.raw("answers"));
             if (auto st = r.finish(); !st) return Response::problem(st.error());
             if (!answers) return Response::problem(answers.error());
             auto receipt = svc.submit_link(req.param("token"), *answers, idempotency_key(req),
                                            req.remote_addr);
             if (!receipt) return Response::problem(receipt.error());
             bj::value band = nullptr;
             if (receipt->band) {
               band = bj::object{{"label", receipt->band->label},
                                 {"client_text", receipt->band->client_text}};
             }
             return Response::json(receipt->replayed ? 200 : 201,
                                   bj::object{{"received", true},
                                              {"band", band},
                                              {"needs_follow_up", receipt->needs_follow_up}});
           })
      .summary("Answer through a single-use link", "assessment")
      .returns(201, "Received")
      .returns(404, "Unknown, used or expired")
      .returns(422, "Answers that do not fit, each named")
      .open();
}

}  // namespace tend::assessment
