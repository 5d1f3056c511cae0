#include "tracking/routes.h"

#include <boost/json.hpp>

#include "platform/http/json_body.h"

namespace tend::tracking {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

bj::object factor_json(const KnownFactor& k) {
  return {{"id", k.factor.id},
          {"label", k.factor.label},
          {"kind", rules::kind_name(k.factor.kind)},
          {"own", k.own}};
}

bj::value opt_number(const std::optional<double>& v) {
  return v ? bj::value(*v) : bj::value(nullptr);
}

bj::object summary_json(const Summary& s) {
  bj::object series;
  for (const auto& [field, points] : s.series) {
    bj::array a;
    for (const auto& p : points) {
      a.push_back(bj::object{{"date", p.date},
                             {"week", p.week.empty() ? bj::value(nullptr) : bj::value(p.week)},
                             {"value", p.value},
                             {"count", p.count}});
    }
    series[rules::field_name(field)] = std::move(a);
  }
  bj::array patterns;
  for (const auto& [p, label] : s.patterns) {
    patterns.push_back(bj::object{{"factor_id", p.factor_id},
                                  {"label", label},
                                  {"days_with", p.days_with},
                                  {"days_without", p.days_without},
                                  {"mean_with", opt_number(p.mean_with)},
                                  {"mean_without", opt_number(p.mean_without)},
                                  {"verdict", p.verdict},
                                  {"text", p.text}});
  }
  return {{"today", s.today},
          {"span", s.span},
          {"from", s.from},
          {"to", s.to},
          {"streak", bj::object{{"current", s.streak.current},
                                {"best", s.streak.best},
                                {"last_7", s.streak.last_7},
                                {"last_30", s.streak.last_30}}},
          {"series", std::move(series)},
          {"patterns", std::move(patterns)}};
}

Response csv(const Result<Diary>& r, rules::Reader reader, const std::string& filename) {
  if (!r) return Response::problem(r.error());
  std::vector<CheckIn> rows;
  for (const auto& s : r->items) rows.push_back(s.check_in);
  std::vector<Factor> columns;
  for (const auto& k : r->factors) columns.push_back(k.factor);
  auto res = Response::text(200, rules::to_csv(rows, columns, reader), "text/csv; charset=utf-8");
  res.headers.set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.set("Cache-Control", "no-store");
  return res;
}

const bj::object k_check_in_schema{
    {"type", "object"},
    {"properties",
     bj::object{{"date", {{"type", "string"}, {"format", "date"}}},
                {"mood", {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}}},
                {"anxiety", {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}}},
                {"sleep_hours", {{"type", "number"}, {"minimum", 0}, {"maximum", 24}}},
                {"sleep_quality", {{"type", "integer"}, {"minimum", 0}, {"maximum", 4}}},
                {"energy", {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}}},
                {"self_harm_urge", {{"type", "integer"}, {"minimum", 0}, {"maximum", 5}}},
                {"medication", {{"enum", bj::array{"yes", "no", "not_applicable"}}}},
                {"factors", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"note", {{"type", "string"}, {"maxLength", 500}}},
                {"share_note", {{"type", "boolean"}}}}},
    {"required", bj::array{"date", "mood"}}};

}  // namespace

void register_routes(http::Router& router, TrackingService& tracking,
                     access::AccessService& access) {
  router
      .add(Method::Post, "/api/v1/me/check-ins",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             std::optional<std::string> key;
             if (auto h = req.headers.get("Idempotency-Key")) key = std::string(*h);
             auto r = tracking.record(p, bj::value(std::move(*body)), key);
             if (!r) return Response::problem(r.error());
             auto res = Response::json(r->status, r->answer);
             if (r->replayed) res.headers.set("Idempotent-Replayed", "true");
             return res;
           }))
      .summary(
          "The calling client's check-in for a local date (one a date: a second replaces the "
          "first). Idempotency-Key: the same key and body again answers as the first time",
          "tracking")
      .body(k_check_in_schema)
      .returns(201, "The check-in, the first for its date, with alert_raised")
      .returns(200, "It replaced that date's check-in, or a replay (Idempotent-Replayed: true)")
      .returns(403, "Not a client")
      .returns(422, "Fields at fault, or an Idempotency-Key used before with another body");

  router
      .add(Method::Get, "/api/v1/me/check-ins",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             return http::items_or_problem(
                 tracking.mine(p, req.query_param("from"), req.query_param("to")),
                 [](const StoredCheckIn& s) { return check_in_json(s); });
           }))
      .summary("The calling client's check-ins by date (default: the last 30 days)", "tracking")
      .query("from")
      .query("to")
      .returns(200, "Check-ins")
      .returns(422, "from or to not a date, or from after to");

  router
      .add(Method::Get, "/api/v1/me/check-ins/summary",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             auto s = tracking.summary(p, req.query_param("span").value_or("week"));
             if (!s) return Response::problem(s.error());
             return Response::json(200, summary_json(*s));
           }))
      .summary(
          "The calling client's chart: streaks, series over a week, month or year, and patterns "
          "over the last 90 days",
          "tracking")
      .query("span")
      .returns(200, "The summary")
      .returns(422, "span not week, month or year");

  router
      .add(Method::Get, "/api/v1/me/check-ins.csv",
           access.guard([&tracking](Request&, const access::Principal& p) {
             if (p.role != access::Role::Client || p.client_id.empty()) {
               return Response::problem(
                   make_error(Errc::Forbidden, "this is the client's own diary"));
             }
             return csv(tracking.diary(p, p.client_id), rules::Reader::Client, "my-check-ins.csv");
           }))
      .summary("The calling client's whole diary as CSV, ratings as numbers", "tracking")
      .returns(200, "text/csv");

  router
      .add(Method::Get, "/api/v1/me/factors",
           access.guard([&tracking](Request&, const access::Principal& p) {
             return http::items_or_problem(tracking.factors(p), factor_json);
           }))
      .summary("What the calling client can tick: the service's list, then their own", "tracking")
      .returns(200, "Factors");

  router
      .add(Method::Post, "/api/v1/me/factors",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = tracking.add_factor(p, *body);
             if (!r) return Response::problem(r.error());
             return Response::json(201, factor_json(*r));
           }))
      .summary("The calling client adds their own factor; its id is made from the label",
               "tracking")
      .body(bj::object{
          {"type", "object"},
          {"properties", bj::object{{"label", {{"type", "string"}, {"maxLength", 60}}},
                                    {"kind", {{"enum", bj::array{"activity", "factor"}}}}}},
          {"required", bj::array{"label", "kind"}}})
      .returns(201, "The factor")
      .returns(409, "The list already has a factor with that id")
      .returns(422, "A label or kind at fault");

  router
      .add(Method::Get, "/api/v1/clients/{id}/check-ins",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             auto r = tracking.for_client(p, req.param("id"), req.query_param("from"),
                                          req.query_param("to"));
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : r->items) items.push_back(check_in_json(s, true, &r->factors));
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary(
          "A client's check-ins for their care team (audited); the note only when the client "
          "shared it",
          "tracking")
      .query("from")
      .query("to")
      .returns(200, "Check-ins")
      .returns(404, "No such client, or not one the caller may see");

  router
      .add(Method::Get, "/api/v1/clients/{id}/check-ins.csv",
           access.guard([&tracking](Request& req, const access::Principal& p) {
             return csv(tracking.diary(p, req.param("id")), rules::Reader::CareTeam,
                        "check-ins.csv");
           }))
      .summary("A client's whole diary as CSV for their care team (shared notes only; audited)",
               "tracking")
      .returns(200, "text/csv")
      .returns(404, "No such client, or not one the caller may see");
}

}  // namespace tend::tracking
