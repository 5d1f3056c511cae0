#include "care/service.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "care/owner.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::care {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {

constexpr const char* k_ctx_reason = "care_episodes.referral_reason";
constexpr const char* k_ctx_note = "care_episode_steps.note";
constexpr const char* k_columns =
    "id, client_id, program, stage, referral_source, referral_reason, referred_on, "
    "waitlisted_on, intake_on, active_on, ended_on, transferred_to, created_by, created_at, "
    "updated_at, version";
}  // namespace

EpisodeService::EpisodeService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                               audit::AuditLog& audit, access::AccessService& access)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access) {}

std::string EpisodeService::today() const {
  return format_date(clock_.now());
}

namespace {
//! The ids in `v` as "?, ?, ?" with their parameters appended to `params`.
std::string placeholders(const std::vector<std::string>& v, sql::Params& params) {
  std::string out;
  for (const auto& x : v) {
    out += out.empty() ? "?" : ", ?";
    params.emplace_back(x);
  }
  return out;
}

//! A client's open request answered by the appointment's cancellation itself: done, with its
//! call closed.
void request_done(sql::Conn& c, const Principal& p, const std::string& request_id,
                  std::int64_t now) {
  c.exec(
      "UPDATE care_appointment_requests SET status = 'done', answered_by = ?, answered_at = ? "
      "WHERE id = ? AND status = 'open'",
      {p.user_id, now, request_id});
  c.exec(
      "UPDATE care_tasks SET status = 'done', closed_by = ?, closed_at = ?, version = version + 1 "
      "WHERE id = (SELECT task_id FROM care_appointment_requests WHERE id = ?) AND status = "
      "'open'",
      {p.user_id, now, request_id});
}

//! Each episode's first and second attended appointments, from its client's appointments
//! (dated in UTC), in one query for all of them.
void set_seen_dates(sql::Conn& c, std::vector<Episode>& episodes) {
  if (episodes.empty()) return;
  std::set<std::string> distinct;
  for (const auto& e : episodes) distinct.insert(e.client_id);
  const std::vector<std::string> clients(distinct.begin(), distinct.end());
  std::map<std::string, std::vector<std::string>> seen;
  std::string sql_text =
      "SELECT client_id, starts_at FROM care_appointments WHERE status IN ('attended', "
      "'arrived')";
  sql::Params params;
  // For a few clients (one chart), only theirs; for the waiting times, every one.
  if (clients.size() <= 100)
    sql_text += " AND client_id IN (" + placeholders(clients, params) + ")";
  for (const auto& r : c.query(sql_text, params)) {
    seen[r.str(0)].push_back(format_date(from_unix_ms(r.i64(1))));
  }
  for (auto& e : episodes) {
    auto it = seen.find(e.client_id);
    rules::set_seen(e, it == seen.end() ? std::vector<std::string>{} : it->second);
  }
}
}  // namespace

std::vector<Episode> EpisodeService::load_many(sql::Conn& c, const std::string& where,
                                               const sql::Params& params, bool with_steps) {
  std::vector<Episode> out;
  for (const auto& r :
       c.query(std::string("SELECT ") + k_columns + " FROM care_episodes WHERE " + where, params)) {
    Episode e;
    e.id = r.str(0);
    e.client_id = r.str(1);
    e.program = r.str(2);
    e.stage = rules::parse_stage(r.str(3)).value_or(Stage::Referred);
    e.referral_source = r.str(4);
    auto reason = keys_.open(r.str(5), k_ctx_reason);
    e.referral_reason = reason ? *reason : std::string();
    e.referred_on = r.str(6);
    e.waitlisted_on = r.opt_str(7);
    e.intake_on = r.opt_str(8);
    e.active_on = r.opt_str(9);
    e.ended_on = r.opt_str(10);
    e.transferred_to = r.str(11);
    e.created_by = r.str(12);
    e.created_at_ms = r.i64(13);
    e.updated_at_ms = r.i64(14);
    e.version = r.i64(15);
    out.push_back(std::move(e));
  }
  set_seen_dates(c, out);
  if (!with_steps) return out;
  for (auto& e : out) {
    // In the order they happened: an episode only moves forward along the pathway, on dates
    // that never go back, so date then pathway position is that order even for steps recorded
    // in the same millisecond (ids are random, and cannot break the tie).
    for (const auto& s :
         c.query("SELECT stage, on_date, by_user, note, at FROM care_episode_steps WHERE "
                 "episode_id = ? ORDER BY on_date, CASE stage WHEN 'referred' THEN 0 WHEN "
                 "'waitlist' THEN 1 WHEN 'intake' THEN 2 WHEN 'active' THEN 3 ELSE 4 END, at, id",
                 {e.id})) {
      Step st;
      st.stage = rules::parse_stage(s.str(0)).value_or(Stage::Referred);
      st.on = s.str(1);
      st.by = s.str(2);
      if (!s.str(3).empty()) {
        auto note = keys_.open(s.str(3), k_ctx_note);
        st.note = note ? *note : std::string();
      }
      st.at_ms = s.i64(4);
      e.steps.push_back(std::move(st));
    }
  }
  return out;
}

std::optional<Episode> EpisodeService::load(sql::Conn& c, const std::string& id, bool with_steps) {
  auto found = load_many(c, "id = ?", {id}, with_steps);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

Result<Episode> EpisodeService::open(const Principal& p, const std::string& client_id,
                                     const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  Episode e;
  e.client_id = client_id;
  e.program = r.string("program", {.required = true, .max_len = 100}).value_or("");
  e.referral_source = r.string("referral_source", {.required = true, .max_len = 100}).value_or("");
  e.referral_reason = r.string("referral_reason", {.required = true, .max_len = 4000}).value_or("");
  e.referred_on = r.string("referred_on", {.max_len = 10}).value_or(today());
  int y = 0, m = 0, day = 0;
  if (!parse_date(e.referred_on, y, m, day)) {
    r.add_error("referred_on", "must be a date, YYYY-MM-DD");
  } else if (rules::days_between(today(), e.referred_on) > 0) {
    r.add_error("referred_on", "must not be in the future");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Episode> {
    if (auto open = c.query_one(
            "SELECT id FROM care_episodes WHERE client_id = ? AND program = ? AND ended_on IS NULL",
            {client_id, e.program})) {
      return make_error(Errc::Conflict, "the client already has an open episode in " + e.program +
                                            " (" + open->str(0) + "); move or end it first");
    }
    e.id = new_id("ep");
    e.created_by = p.user_id;
    e.created_at_ms = e.updated_at_ms = clock_.unix_ms();
    c.exec(
        "INSERT INTO care_episodes (id, client_id, program, stage, referral_source, "
        "referral_reason, referred_on, created_by, created_at, updated_at, version) "
        "VALUES (?, ?, ?, 'referred', ?, ?, ?, ?, ?, ?, 1)",
        {e.id, client_id, e.program, e.referral_source, keys_.seal(e.referral_reason, k_ctx_reason),
         e.referred_on, p.user_id, e.created_at_ms, e.updated_at_ms});
    c.exec(
        "INSERT INTO care_episode_steps (id, episode_id, stage, on_date, by_user, at) "
        "VALUES (?, ?, 'referred', ?, ?, ?)",
        {new_id("es"), e.id, e.referred_on, p.user_id, e.created_at_ms});
    e.steps.push_back(Step{Stage::Referred, e.referred_on, p.user_id, {}, e.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "episode", e.id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    metrics::inc("tend_care_episodes_opened_total");
    return e;
  });
}

Result<std::vector<Episode>> EpisodeService::list(const Principal& p,
                                                  const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Episode>> {
    auto out = load_many(c, "client_id = ? ORDER BY referred_on DESC, created_at DESC", {client_id},
                         false);
    audit_.append(c, access::audit_entry(p, "read", "episodes", client_id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    return out;
  });
}

Result<Episode> EpisodeService::get(const Principal& p, const std::string& id) {
  auto owned =
      owner_of(db_, access_, p, "care_episodes", id, Action::Read, Resource::Clinical, "episode");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision* d = &owned->decision;
  return db_.write([&](sql::Conn& c) -> Result<Episode> {
    auto e = load(c, id, true);
    if (!e) return not_found("episode " + id);
    audit_.append(c, access::audit_entry(p, "read", "episode", id, client,
                                         d->via_break_glass ? "break-the-glass" : ""));
    return std::move(*e);
  });
}

Result<Episode> EpisodeService::step(const Principal& p, const std::string& id,
                                     const bj::object& body) {
  auto owned =
      owner_of(db_, access_, p, "care_episodes", id, Action::Update, Resource::Clinical, "episode");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision* d = &owned->decision;
  json::FieldReader r(body);
  auto stage_text = r.string("stage", {.required = true, .max_len = 20});
  const std::string on = r.string("on", {.max_len = 10}).value_or(today());
  const std::string note = r.string("note", {.max_len = 4000}).value_or("");
  const std::string transferred_to = r.string("transferred_to", {.max_len = 200}).value_or("");
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  std::optional<Stage> to;
  if (stage_text) {
    to = rules::parse_stage(*stage_text);
    if (!to || *to == Stage::Referred) {
      r.add_error("stage", "must be waitlist, intake, active, discharged, declined or transferred");
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Episode> {
    auto e = load(c, id, false);
    if (!e) return not_found("episode " + id);
    if (e->version != *version) {
      return make_error(Errc::Conflict, "episode is at version " + std::to_string(e->version) +
                                            ", not " + std::to_string(*version) +
                                            ": someone moved it since; reload");
    }
    if (auto refusal = rules::check_step(*e, *to, on, today(), transferred_to)) {
      return make_error(refusal->conflict ? Errc::Conflict : Errc::Validation,
                        refusal->field + ": " + refusal->message,
                        {{refusal->field, refusal->message}});
    }
    rules::apply_step(*e, *to, on, transferred_to);
    e->version += 1;
    e->updated_at_ms = clock_.unix_ms();
    c.exec(
        "UPDATE care_episodes SET stage = ?, waitlisted_on = ?, intake_on = ?, active_on = ?, "
        "ended_on = ?, transferred_to = ?, updated_at = ?, version = ? WHERE id = ? AND "
        "version = ?",
        {std::string(rules::stage_name(e->stage)), sql::opt(e->waitlisted_on),
         sql::opt(e->intake_on), sql::opt(e->active_on), sql::opt(e->ended_on), e->transferred_to,
         e->updated_at_ms, e->version, id, *version});
    c.exec(
        "INSERT INTO care_episode_steps (id, episode_id, stage, on_date, note, by_user, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {new_id("es"), id, std::string(rules::stage_name(*to)), on,
         note.empty() ? std::string() : keys_.seal(note, k_ctx_note), p.user_id, e->updated_at_ms});
    audit_.append(c, access::audit_entry(p, "update", "episode", id, client,
                                         d->via_break_glass ? "break-the-glass" : ""));
    metrics::inc("tend_care_episode_steps_total", "stage", rules::stage_name(*to));
    auto full = load(c, id, true);
    return std::move(*full);
  });
}

Result<std::vector<ProgramWaits>> EpisodeService::waits(const Principal& p,
                                                        const std::string& program) {
  if (p.role == access::Role::Client) {
    return make_error(Errc::Forbidden, "waiting times are for staff");
  }
  return db_.read([&](sql::Conn& c) {
    std::vector<Episode> episodes;
    sql::Params params;
    std::string sql =
        "SELECT program, stage, referred_on, waitlisted_on, intake_on, active_on, ended_on, "
        "client_id FROM care_episodes";
    if (!program.empty()) {
      sql += " WHERE program = ?";
      params.emplace_back(program);
    }
    std::set<std::string> programs;
    for (const auto& r : c.query(sql, params)) {
      Episode e;
      e.program = r.str(0);
      e.stage = rules::parse_stage(r.str(1)).value_or(Stage::Referred);
      e.referred_on = r.str(2);
      e.waitlisted_on = r.opt_str(3);
      e.intake_on = r.opt_str(4);
      e.active_on = r.opt_str(5);
      e.ended_on = r.opt_str(6);
      e.client_id = r.str(7);
      programs.insert(e.program);
      episodes.push_back(std::move(e));
    }
    set_seen_dates(c, episodes);
    std::vector<ProgramWaits> out;
    const std::string now = today();
    for (const auto& name : programs) out.push_back(rules::waits(name, episodes, now));
    return out;
  });
}

// ---- tasks -----------------------------------------------------------------------------------

namespace {
constexpr const char* k_ctx_title = "care_tasks.title";
constexpr const char* k_ctx_outcome = "care_tasks.outcome";
constexpr const char* k_task_columns =
    "t.id, t.client_id, t.episode_id, t.kind, t.title, t.due_on, t.owner_id, t.status, "
    "t.outcome, t.created_by, t.created_at, t.closed_by, t.closed_at, t.version, "
    "c.given_name, c.family_name, c.preferred_name, u.display_name";
}  // namespace

TaskService::TaskService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                         audit::AuditLog& audit, access::AccessService& access)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access) {}

std::string TaskService::today() const {
  return format_date(clock_.now());
}

std::vector<Task> TaskService::load_many(sql::Conn& c, const std::string& where,
                                         const sql::Params& params) {
  std::vector<Task> out;
  for (const auto& r : c.query(std::string("SELECT ") + k_task_columns +
                                   " FROM care_tasks t JOIN clients c ON c.id = t.client_id "
                                   "JOIN users u ON u.id = t.owner_id WHERE " +
                                   where,
                               params)) {
    Task t;
    t.id = r.str(0);
    t.client_id = r.str(1);
    t.episode_id = r.is_null(2) ? std::string() : r.str(2);
    t.kind = r.str(3);
    auto title = keys_.open(r.str(4), k_ctx_title);
    t.title = title ? *title : std::string();
    t.due_on = r.str(5);
    t.owner_id = r.str(6);
    t.status = r.str(7);
    if (!r.str(8).empty()) {
      auto outcome = keys_.open(r.str(8), k_ctx_outcome);
      t.outcome = outcome ? *outcome : std::string();
    }
    t.created_by = r.str(9);
    t.created_at_ms = r.i64(10);
    t.closed_by = r.is_null(11) ? std::string() : r.str(11);
    t.closed_at_ms = r.is_null(12) ? 0 : r.i64(12);
    t.version = r.i64(13);
    const std::string given = r.is_null(16) || r.str(16).empty() ? r.str(14) : r.str(16);
    t.client_name = given + " " + r.str(15);
    t.owner_name = r.str(17);
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<Task> TaskService::load(sql::Conn& c, const std::string& id) {
  auto all = load_many(c, "t.id = ?", {id});
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

Result<Task> TaskService::create(const Principal& p, const std::string& client_id,
                                 const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  Task t;
  t.client_id = client_id;
  t.kind = r.string("kind", {.required = true, .max_len = 20}).value_or("");
  t.title = r.string("title", {.required = true, .max_len = 300}).value_or("");
  t.due_on = r.string("due_on", {.required = true, .max_len = 10}).value_or("");
  t.owner_id = r.string("owner_id", {.max_len = 64}).value_or(p.user_id);
  t.episode_id = r.string("episode_id", {.max_len = 64}).value_or("");
  if (!t.kind.empty() && !rules::valid_task_kind(t.kind)) {
    r.add_error("kind", "must be call, letter, review or other");
  }
  int y = 0, m = 0, day = 0;
  if (!t.due_on.empty() && !parse_date(t.due_on, y, m, day)) {
    r.add_error("due_on", "must be a date, YYYY-MM-DD");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Task> {
    std::vector<FieldError> errors;
    if (!c.query_one("SELECT 1 FROM care_team ct JOIN users u ON u.id = ct.user_id "
                     "WHERE ct.client_id = ? AND ct.user_id = ? AND u.disabled = 0",
                     {client_id, t.owner_id})) {
      errors.push_back({"owner_id", "must be someone on the client's care team"});
    }
    if (!t.episode_id.empty() &&
        !c.query_one("SELECT 1 FROM care_episodes WHERE id = ? AND client_id = ?",
                     {t.episode_id, client_id})) {
      errors.push_back({"episode_id", "is not an episode of this client"});
    }
    if (!errors.empty()) {
      const std::string detail = errors.front().field + ": " + errors.front().message;
      return make_error(Errc::Validation, detail, std::move(errors));
    }
    t.id = new_id("tk");
    t.created_by = p.user_id;
    t.created_at_ms = clock_.unix_ms();
    c.exec(
        "INSERT INTO care_tasks (id, client_id, episode_id, kind, title, due_on, owner_id, "
        "status, created_by, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, 1)",
        {t.id, client_id,
         sql::opt(t.episode_id.empty() ? std::nullopt : std::optional<std::string>(t.episode_id)),
         t.kind, keys_.seal(t.title, k_ctx_title), t.due_on, t.owner_id, p.user_id,
         t.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "task", t.id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    metrics::inc("tend_care_tasks_created_total", "kind", t.kind);
    auto full = load(c, t.id);
    return std::move(*full);
  });
}

Result<std::vector<Task>> TaskService::for_client(const Principal& p,
                                                  const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Task>> {
    auto open = load_many(c, "t.client_id = ? AND t.status = 'open'", {client_id});
    rules::sort_for_work(open, today());
    auto closed = load_many(c, "t.client_id = ? AND t.status <> 'open' ORDER BY t.closed_at DESC",
                            {client_id});
    open.insert(open.end(), std::make_move_iterator(closed.begin()),
                std::make_move_iterator(closed.end()));
    audit_.append(c, access::audit_entry(p, "read", "tasks", client_id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    return open;
  });
}

Result<std::vector<Task>> TaskService::mine(const Principal& p) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "tasks are for staff");
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Task>> {
    auto open = load_many(c,
                          "t.owner_id = ? AND t.status = 'open' AND EXISTS (SELECT 1 FROM "
                          "care_team ct WHERE ct.client_id = t.client_id AND ct.user_id = ?)",
                          {p.user_id, p.user_id});
    rules::sort_for_work(open, today());
    return open;
  });
}

Result<Task> TaskService::close(const Principal& p, const std::string& id,
                                const std::string& status, const bj::object& body) {
  auto owned =
      owner_of(db_, access_, p, "care_tasks", id, Action::Update, Resource::Clinical, "task");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision* d = &owned->decision;
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  const std::string outcome = r.string("outcome", {.max_len = 2000}).value_or("");
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Task> {
    auto t = load(c, id);
    if (!t) return not_found("task " + id);
    if (t->status != "open") {
      return make_error(Errc::Conflict, "the task is already " + t->status);
    }
    if (t->version != *version) {
      return make_error(Errc::Conflict, "task is at version " + std::to_string(t->version) +
                                            ", not " + std::to_string(*version) +
                                            ": someone changed it since; reload");
    }
    const auto now = clock_.unix_ms();
    c.exec(
        "UPDATE care_tasks SET status = ?, outcome = ?, closed_by = ?, closed_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        {status, outcome.empty() ? std::string() : keys_.seal(outcome, k_ctx_outcome), p.user_id,
         now, id, *version});
    audit_.append(c, access::audit_entry(p, "update", "task", id, client,
                                         d->via_break_glass ? "break-the-glass" : ""));
    metrics::inc("tend_care_tasks_closed_total", "status", status);
    auto full = load(c, id);
    return std::move(*full);
  });
}

// ---- appointments ------------------------------------------------------------------------------

namespace {
constexpr const char* k_ctx_appt_note = "care_appointments.note";
constexpr const char* k_ctx_request_message = "care_appointment_requests.message";
constexpr const char* k_ctx_request_answer = "care_appointment_requests.answer";
constexpr const char* k_reminder_job = "care.appointment_reminder";
constexpr const char* k_appt_columns =
    "a.id, a.client_id, a.clinician_id, a.kind, a.mode, a.starts_at, a.ends_at, a.room, "
    "a.meeting_url, a.status, a.cancelled_by, a.late_cancel, a.note, a.version, c.given_name, "
    "c.family_name, c.preferred_name, u.display_name, a.series_id, a.reminded_at";
constexpr const char* k_request_columns =
    "id, appointment_id, client_id, kind, message, status, answer, answered_by, created_at, "
    "answered_at";

}  // namespace

AppointmentService::AppointmentService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                       audit::AuditLog& audit, access::AccessService& access)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access) {}

void AppointmentService::set_reminders(jobs::JobQueue* jobs, TimeZone zone, std::string base_url,
                                       MailFn mail) {
  jobs_ = jobs;
  zone_ = std::move(zone);
  base_url_ = std::move(base_url);
  mail_ = std::move(mail);
  if (jobs_) {
    jobs_->handle_external(k_reminder_job,
                           [this](const jobs::Job& j) { return deliver_reminder(j); });
  }
}

std::string AppointmentService::when(std::int64_t starts_at_ms, std::int64_t ends_at_ms) const {
  const auto start = from_unix_ms(starts_at_ms);
  return rules::format_span(zone_.to_local(start), zone_.to_local(from_unix_ms(ends_at_ms)),
                            zone_.abbreviation_at(start));
}

ChangeRequest AppointmentService::read_request(const sql::Row& r) const {
  ChangeRequest q;
  q.id = r.str(0);
  q.appointment_id = r.str(1);
  q.client_id = r.str(2);
  q.kind = r.str(3);
  if (!r.str(4).empty()) {
    auto m = keys_.open(r.str(4), k_ctx_request_message);
    q.message = m ? *m : std::string();
  }
  q.status = r.str(5);
  if (!r.str(6).empty()) {
    auto m = keys_.open(r.str(6), k_ctx_request_answer);
    q.answer = m ? *m : std::string();
  }
  q.answered_by = r.str(7);
  q.created_at_ms = r.i64(8);
  q.answered_at_ms = r.i64(9);
  return q;
}

std::vector<Appointment> AppointmentService::load_many(sql::Conn& c, const std::string& where,
                                                       const sql::Params& params) {
  std::vector<Appointment> out;
  for (const auto& r : c.query(std::string("SELECT ") + k_appt_columns +
                                   " FROM care_appointments a JOIN clients c ON c.id = "
                                   "a.client_id JOIN users u ON u.id = a.clinician_id WHERE " +
                                   where,
                               params)) {
    Appointment a;
    a.id = r.str(0);
    a.client_id = r.str(1);
    a.clinician_id = r.str(2);
    a.kind = r.str(3);
    a.mode = r.str(4);
    a.starts_at_ms = r.i64(5);
    a.ends_at_ms = r.i64(6);
    a.room = r.str(7);
    a.meeting_url = r.str(8);
    a.status = r.str(9);
    a.cancelled_by = r.str(10);
    a.late_cancel = r.i64(11) != 0;
    if (!r.str(12).empty()) {
      auto note = keys_.open(r.str(12), k_ctx_appt_note);
      a.note = note ? *note : std::string();
    }
    a.version = r.i64(13);
    const std::string given = r.is_null(16) || r.str(16).empty() ? r.str(14) : r.str(16);
    a.client_name = given + " " + r.str(15);
    a.clinician_name = r.str(17);
    a.series_id = r.str(18);
    a.reminded_at_ms = r.i64(19);
    out.push_back(std::move(a));
  }
  if (out.empty()) return out;
  // The clients' open requests to change them, in one query.
  std::vector<std::string> ids;
  for (const auto& a : out) ids.push_back(a.id);
  sql::Params q;
  const auto in = placeholders(ids, q);
  for (const auto& r : c.query(std::string("SELECT ") + k_request_columns +
                                   " FROM care_appointment_requests WHERE status = 'open' AND "
                                   "appointment_id IN (" +
                                   in + ")",
                               q)) {
    auto req = read_request(r);
    for (auto& a : out) {
      if (a.id == req.appointment_id) a.request = req;
    }
  }
  return out;
}

Result<AppointmentService::Booking> AppointmentService::read_booking(const Principal& p,
                                                                     const std::string& client_id,
                                                                     const bj::object& body,
                                                                     bool series) {
  json::FieldReader r(body);
  Booking b;
  Appointment& a = b.first;
  a.client_id = client_id;
  auto starts = r.string("starts_at", {.required = true, .max_len = 40});
  auto ends = r.string("ends_at", {.required = true, .max_len = 40});
  a.kind = r.string("kind", {.max_len = 20}).value_or("individual");
  a.mode = r.string("mode", {.max_len = 20}).value_or("in_person");
  a.clinician_id = r.string("clinician_id", {.max_len = 64}).value_or(p.user_id);
  a.room = r.string("room", {.max_len = 100}).value_or("");
  a.meeting_url = r.string("meeting_url", {.max_len = 2000}).value_or("");
  TimePoint ts, te;
  if (starts && !parse_rfc3339(*starts, ts)) r.add_error("starts_at", "must be an RFC 3339 time");
  if (ends && !parse_rfc3339(*ends, te)) r.add_error("ends_at", "must be an RFC 3339 time");
  if (!rules::valid_appointment_kind(a.kind)) {
    r.add_error("kind", "must be individual, couple, family or group");
  }
  if (!rules::valid_appointment_mode(a.mode))
    r.add_error("mode", "must be in_person, video or phone");
  if (a.mode == "video" && a.meeting_url.rfind("https://", 0) != 0) {
    r.add_error("meeting_url", "is required for a video session: an https:// link");
  }
  if (series) {
    const bj::value* rep = r.raw("repeat");
    if (rep == nullptr || !rep->is_object()) {
      r.add_error("repeat", "is required: {every_weeks, count}");
    } else {
      json::FieldReader rr(rep->as_object(), "repeat");
      b.every_weeks = static_cast<int>(rr.integer("every_weeks", true, 1, 4).value_or(0));
      b.count = static_cast<int>(rr.integer("count", true, 2, rules::k_max_series).value_or(0));
      if (auto st = rr.finish(); !st) {
        for (const auto& e : rr.errors()) r.add_error(e.field, e.message);
        if (rr.errors().empty()) r.add_error("repeat", st.error().detail);
      } else if (auto bad = rules::check_repeat(b.every_weeks, b.count)) {
        r.add_error(bad->field, bad->message);
      }
    }
  }
  if (!r.failed()) {
    a.starts_at_ms = unix_ms(ts);
    a.ends_at_ms = unix_ms(te);
    if (auto bad = rules::check_times(a.starts_at_ms, a.ends_at_ms)) {
      r.add_error(bad->field, bad->message);
    } else if (a.starts_at_ms < clock_.unix_ms() - 366LL * 24 * 60 * 60 * 1000) {
      // Sessions are recorded after the fact (a paper diary entered later), but not from
      // further back than a year: that is a mistyped year.
      r.add_error("starts_at", "is more than a year in the past");
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  return b;
}

Status AppointmentService::check_free(sql::Conn& c, const Appointment& a,
                                      const std::string& clinician_name) {
  const auto busy = load_many(
      c,
      "a.clinician_id = ? AND a.status <> 'cancelled' AND a.starts_at < ? AND a.ends_at > ? "
      "ORDER BY a.starts_at LIMIT 1",
      {a.clinician_id, a.ends_at_ms, a.starts_at_ms});
  if (!busy.empty()) {
    const auto& b = busy.front();
    const std::string msg = clinician_name + " is already booked " +
                            when(b.starts_at_ms, b.ends_at_ms) + " (appointment " + b.id + ")";
    return make_error(Errc::Conflict, "clinician_id: " + msg, {{"clinician_id", msg}});
  }
  if (!a.room.empty()) {
    const auto taken =
        load_many(c,
                  "a.room = ? AND a.status <> 'cancelled' AND a.starts_at < ? AND a.ends_at > ? "
                  "ORDER BY a.starts_at LIMIT 1",
                  {a.room, a.ends_at_ms, a.starts_at_ms});
    if (!taken.empty()) {
      const auto& b = taken.front();
      const std::string msg = a.room + " is taken " + when(b.starts_at_ms, b.ends_at_ms) +
                              " (appointment " + b.id + ")";
      return make_error(Errc::Conflict, "room: " + msg, {{"room", msg}});
    }
  }
  return ok_status();
}

Result<std::vector<Appointment>> AppointmentService::insert(const Principal& p,
                                                            const access::Decision& d,
                                                            const Booking& b) {
  const Appointment& a = b.first;
  const auto spans =
      b.count > 1
          ? rules::occurrences(zone_, a.starts_at_ms, a.ends_at_ms, b.every_weeks, b.count)
          : std::vector<std::pair<std::int64_t, std::int64_t>>{{a.starts_at_ms, a.ends_at_ms}};
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Appointment>> {
    // The clinician's row is the lock that keeps two instances from booking the same time.
    const char* lock = c.dialect() == sql::Dialect::Postgres ? " FOR UPDATE" : "";
    auto who = c.query_one(
        std::string("SELECT role, disabled, display_name FROM users WHERE id = ?") + lock,
        {a.clinician_id});
    if (!who || who->i64(1) != 0 || who->str(0) == "client" || who->str(0) == "analyst" ||
        who->str(0) == "front_desk") {
      return make_error(Errc::Validation, "clinician_id: must be an active clinical colleague",
                        {{"clinician_id", "must be an active clinical colleague"}});
    }
    if (!a.room.empty() && c.dialect() == sql::Dialect::Postgres) {
      // A room has no row to lock: a transaction-scoped advisory lock on its name serialises
      // two instances booking the same room at the same instant.
      c.query("SELECT pg_advisory_xact_lock(hashtext(?))", {"care_room:" + a.room});
    }
    const std::string series = b.count > 1 ? new_id("as") : std::string();
    const auto now = clock_.unix_ms();
    std::vector<std::string> ids;
    for (const auto& [start, end] : spans) {
      Appointment one = a;
      one.starts_at_ms = start;
      one.ends_at_ms = end;
      // Every one is checked against the bookings so far, this series' included: one clash
      // refuses the whole series, and nothing of it is kept.
      if (auto free = check_free(c, one, who->str(2)); !free) return free.error();
      one.id = new_id("ap");
      c.exec(
          "INSERT INTO care_appointments (id, client_id, clinician_id, kind, mode, starts_at, "
          "ends_at, room, meeting_url, status, series_id, created_by, created_at, updated_at, "
          "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, 1)",
          {one.id, one.client_id, one.clinician_id, one.kind, one.mode, start, end, one.room,
           one.meeting_url, series, p.user_id, now, now});
      audit_.append(c, access::audit_entry(p, "create", "appointment", one.id, one.client_id,
                                           d.via_break_glass ? "break-the-glass" : ""));
      metrics::inc("tend_care_appointments_booked_total", "mode", one.mode);
      if (jobs_ && mail_) {
        if (auto due = rules::reminder_due(start, now)) {
          jobs::NewJob j;
          j.kind = k_reminder_job;
          j.payload = bj::serialize(bj::object{{"appointment_id", one.id}});
          j.due = from_unix_ms(*due);
          j.max_attempts = 5;
          j.dedupe_key = one.id;
          jobs_->enqueue(c, j);
        }
      }
      ids.push_back(one.id);
    }
    sql::Params q;
    const auto in = placeholders(ids, q);
    return load_many(c, "a.id IN (" + in + ") ORDER BY a.starts_at", q);
  });
}

Result<Appointment> AppointmentService::book(const Principal& p, const std::string& client_id,
                                             const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Scheduling, client_id);
  if (!d) return d.error();
  auto b = read_booking(p, client_id, body, false);
  if (!b) return b.error();
  auto made = insert(p, *d, *b);
  if (!made) return made.error();
  return std::move(made->front());
}

Result<std::vector<Appointment>> AppointmentService::book_series(const Principal& p,
                                                                 const std::string& client_id,
                                                                 const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Scheduling, client_id);
  if (!d) return d.error();
  auto b = read_booking(p, client_id, body, true);
  if (!b) return b.error();
  return insert(p, *d, *b);
}

Result<std::vector<Appointment>> AppointmentService::cancel_series(const Principal& p,
                                                                   const std::string& series_id,
                                                                   const bj::object& body) {
  if (series_id.empty() || series_id.rfind("as_", 0) != 0) return not_found("series " + series_id);
  auto client = db_.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT client_id FROM care_appointments WHERE series_id = ? LIMIT 1",
                         {series_id});
    return r ? r->str(0) : std::string();
  });
  if (client.empty()) return not_found("series " + series_id);
  auto d = access_.authorize(p, Action::Update, Resource::Scheduling, client);
  if (!d) {
    if (d.error().code == Errc::Forbidden) return not_found("series " + series_id);
    return d.error();
  }
  json::FieldReader r(body);
  const std::string by = r.string("cancelled_by", {.required = true, .max_len = 20}).value_or("");
  const auto from_text = r.string("from", {.max_len = 40});
  const std::string note = r.string("note", {.max_len = 2000}).value_or("");
  if (!by.empty() && by != "client" && by != "service") {
    r.add_error("cancelled_by", "must be client or service");
  }
  auto from = clock_.now();
  if (from_text && !parse_rfc3339(*from_text, from)) {
    r.add_error("from", "must be an RFC 3339 time");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Appointment>> {
    auto ahead = load_many(c,
                           "a.series_id = ? AND a.status = 'booked' AND a.starts_at >= ? ORDER BY "
                           "a.starts_at",
                           {series_id, unix_ms(from)});
    if (ahead.empty()) {
      return make_error(Errc::Conflict,
                        "from: no booked appointment of this series starts then or later",
                        {{"from", "no booked appointment of this series starts then or later"}});
    }
    const auto now = clock_.unix_ms();
    const std::string sealed = note.empty() ? std::string() : keys_.seal(note, k_ctx_appt_note);
    std::vector<std::string> ids;
    for (const auto& a : ahead) {
      const bool late = rules::late_cancellation(a.starts_at_ms, now);
      c.exec(
          "UPDATE care_appointments SET status = 'cancelled', cancelled_by = ?, late_cancel = ?, "
          "note = ?, updated_at = ?, version = version + 1 WHERE id = ?",
          {by, std::int64_t{late ? 1 : 0}, sealed, now, a.id});
      audit_.append(c, access::audit_entry(p, "update", "appointment", a.id, client,
                                           d->via_break_glass ? "break-the-glass" : ""));
      metrics::inc("tend_care_appointment_outcomes_total", "status", "cancelled");
      if (a.request) request_done(c, p, a.request->id, now);
      ids.push_back(a.id);
    }
    sql::Params q;
    const auto in = placeholders(ids, q);
    return load_many(c, "a.id IN (" + in + ") ORDER BY a.starts_at", q);
  });
}

Result<std::vector<Appointment>> AppointmentService::for_client(const Principal& p,
                                                                const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Scheduling, client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Appointment>> {
    return load_many(c, "a.client_id = ? ORDER BY a.starts_at", {client_id});
  });
}

Result<std::vector<Appointment>> AppointmentService::mine(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own list of appointments");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Scheduling, p.client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Appointment>> {
    // Today's and later ones that are still to happen, soonest first.
    auto out = load_many(c,
                         "a.client_id = ? AND a.status IN ('booked', 'arrived') AND a.ends_at > ? "
                         "ORDER BY a.starts_at",
                         {p.client_id, clock_.unix_ms()});
    for (auto& a : out) a.note.clear();  // the service's own note is not the client's to read
    return out;
  });
}

Result<ChangeRequest> AppointmentService::request_change(const Principal& p,
                                                         const std::string& appointment_id,
                                                         const bj::object& body) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "a change is asked for by the client, from the portal");
  }
  json::FieldReader r(body);
  const std::string kind = r.string("kind", {.required = true, .max_len = 20}).value_or("");
  const std::string message = r.string("message", {.max_len = 1000}).value_or("");
  if (!kind.empty() && !rules::valid_change_request_kind(kind)) {
    r.add_error("kind", "must be reschedule or cancel");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<ChangeRequest> {
    auto found = load_many(c, "a.id = ? AND a.client_id = ?", {appointment_id, p.client_id});
    if (found.empty()) return not_found("appointment " + appointment_id);
    const auto& a = found.front();
    const auto now = clock_.unix_ms();
    if (a.status != "booked" || a.starts_at_ms <= now) {
      return make_error(Errc::Conflict,
                        "appointment: only an appointment still to come can be changed");
    }
    if (a.request) {
      return make_error(Errc::Conflict,
                        "appointment: a request to change it is already with the care team");
    }
    ChangeRequest q;
    q.id = new_id("ar");
    q.appointment_id = a.id;
    q.client_id = p.client_id;
    q.kind = kind;
    q.message = message;
    q.status = "open";
    q.created_at_ms = now;
    // The clinician is asked to answer it by the next day, on their task list.
    const std::string task_id = new_id("tk");
    const std::string title =
        std::string(kind == "cancel" ? "The client asks to cancel " : "The client asks to move ") +
        "the appointment of " + when(a.starts_at_ms, a.ends_at_ms);
    c.exec(
        "INSERT INTO care_tasks (id, client_id, kind, title, due_on, owner_id, status, "
        "created_by, created_at, version) VALUES (?, ?, 'call', ?, ?, ?, 'open', ?, ?, 1)",
        {task_id, p.client_id, keys_.seal(title, k_ctx_title),
         format_date(clock_.now() + std::chrono::hours(24)), a.clinician_id, p.user_id, now});
    c.exec(
        "INSERT INTO care_appointment_requests (id, appointment_id, client_id, kind, message, "
        "status, task_id, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
        {q.id, a.id, p.client_id, kind,
         message.empty() ? std::string() : keys_.seal(message, k_ctx_request_message), task_id,
         now});
    audit_.append(c, access::audit_entry(p, "create", "appointment_request", q.id, p.client_id));
    audit_.append(c, access::audit_entry(p, "create", "task", task_id, p.client_id));
    metrics::inc("tend_care_appointment_requests_total", "kind", kind);
    return q;
  });
}

Result<ChangeRequest> AppointmentService::answer_request(const Principal& p,
                                                         const std::string& request_id,
                                                         const bj::object& body) {
  auto owned = owner_of(db_, access_, p, "care_appointment_requests", request_id, Action::Update,
                        Resource::Scheduling, "request");
  if (!owned) return owned.error();
  if (p.role == access::Role::Client) return not_found("request " + request_id);
  json::FieldReader r(body);
  const std::string status = r.string("status", {.required = true, .max_len = 20}).value_or("");
  const std::string answer = r.string("answer", {.max_len = 1000}).value_or("");
  if (!status.empty() && status != "done" && status != "declined") {
    r.add_error("status", "must be done or declined");
  }
  if (status == "declined" && answer.empty()) {
    r.add_error("answer", "is required when declining: say why, for the client");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<ChangeRequest> {
    auto row = c.query_one(std::string("SELECT ") + k_request_columns +
                               ", task_id FROM care_appointment_requests WHERE id = ?",
                           {request_id});
    if (!row) return not_found("request " + request_id);
    auto q = read_request(*row);
    const std::string task_id = row->str(10);
    if (q.status != "open") {
      return make_error(Errc::Conflict, "request: already answered (" + q.status + ")");
    }
    const auto now = clock_.unix_ms();
    c.exec(
        "UPDATE care_appointment_requests SET status = ?, answer = ?, answered_by = ?, "
        "answered_at = ? WHERE id = ? AND status = 'open'",
        {status, answer.empty() ? std::string() : keys_.seal(answer, k_ctx_request_answer),
         p.user_id, now, request_id});
    // Its task is done with it.
    c.exec(
        "UPDATE care_tasks SET status = 'done', closed_by = ?, closed_at = ?, version = version + "
        "1 WHERE id = ? AND status = 'open'",
        {p.user_id, now, task_id});
    audit_.append(
        c, access::audit_entry(p, "update", "appointment_request", request_id, owned->client_id,
                               owned->decision.via_break_glass ? "break-the-glass" : ""));
    q.status = status;
    q.answer = answer;
    q.answered_by = p.user_id;
    q.answered_at_ms = now;
    return q;
  });
}

Result<std::vector<ChangeRequest>> AppointmentService::my_requests(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own list of requests");
  }
  return db_.read([&](sql::Conn& c) -> Result<std::vector<ChangeRequest>> {
    std::vector<ChangeRequest> out;
    for (const auto& r : c.query(std::string("SELECT ") + k_request_columns +
                                     " FROM care_appointment_requests WHERE client_id = ? ORDER "
                                     "BY created_at DESC LIMIT 20",
                                 {p.client_id})) {
      out.push_back(read_request(r));
    }
    return out;
  });
}

Status AppointmentService::deliver_reminder(const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string id(payload.at("appointment_id").as_string());
  struct Facts {
    std::optional<Appointment> appt;
    std::string email;
    bool consent = false;
    bool wanted = true;  //!< the client's portal preference (portal_preferences)
  };
  auto facts = db_.read([&](sql::Conn& c) {
    Facts f;
    auto found = load_many(c, "a.id = ?", {id});
    if (found.empty()) return f;
    f.appt = std::move(found.front());
    auto cl =
        c.query_one("SELECT email, consent_email FROM clients WHERE id = ?", {f.appt->client_id});
    if (cl) {
      f.email = cl->is_null(0) ? std::string() : cl->str(0);
      f.consent = cl->boolean(1);
    }
    if (auto pref =
            c.query_one("SELECT appointment_reminders FROM portal_preferences WHERE client_id = ?",
                        {f.appt->client_id})) {
      f.wanted = pref->boolean(0);
    }
    return f;
  });
  // Cancelled, already reminded, no consent to e-mail, or the client turned appointment
  // reminders off in the portal: nothing is sent, and that is not a failure to retry.
  if (!facts.appt || facts.appt->status != "booked" || facts.appt->reminded_at_ms != 0 ||
      !facts.consent || facts.email.empty() || !facts.wanted) {
    metrics::inc("tend_care_reminders_total", "result", "skipped");
    return ok_status();
  }
  if (!mail_) return make_error(Errc::Unavailable, "e-mail is not configured");
  const auto& a = *facts.appt;
  const auto mail = rules::reminder_mail(when(a.starts_at_ms, a.ends_at_ms), a.mode, a.room,
                                         a.meeting_url, base_url_);
  auto st = mail_({facts.email}, mail.subject, mail.body);
  if (!st) {
    log::warn("care.reminder_failed", {{"appointment", id}, {"detail", st.error().detail}});
    metrics::inc("tend_care_reminders_total", "result", "failed");
    return st;
  }
  db_.write([&](sql::Conn& c) {
    c.exec("UPDATE care_appointments SET reminded_at = ? WHERE id = ?", {clock_.unix_ms(), id});
  });
  log::info("care.reminder_sent", {{"appointment", id}});
  metrics::inc("tend_care_reminders_total", "result", "sent");
  return ok_status();
}

Result<std::vector<Appointment>> AppointmentService::calendar(const Principal& p,
                                                              const std::string& clinician_id,
                                                              TimePoint from, TimePoint to) {
  using access::Role;
  if (p.role == Role::Client || p.role == Role::Analyst) {
    return make_error(Errc::Forbidden, "calendars are for staff");
  }
  if (to <= from || to - from > std::chrono::hours(24 * 92)) {
    return make_error(Errc::Validation, "to: must be after from, and at most 92 days after",
                      {{"to", "must be after from, and at most 92 days after"}});
  }
  const bool full = p.user_id == clinician_id || p.role == Role::FrontDesk || p.role == Role::Admin;
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Appointment>> {
    auto out = load_many(c,
                         "a.clinician_id = ? AND a.starts_at < ? AND a.ends_at > ? ORDER BY "
                         "a.starts_at",
                         {clinician_id, unix_ms(to), unix_ms(from)});
    if (!full) {
      // A colleague's calendar: when they are busy, not with whom.
      for (auto& a : out) {
        a.client_id.clear();
        a.client_name.clear();
        a.meeting_url.clear();
        a.note.clear();
        a.request.reset();
      }
    }
    return out;
  });
}

Result<Appointment> AppointmentService::set_status(const Principal& p, const std::string& id,
                                                   const bj::object& body) {
  auto owned = owner_of(db_, access_, p, "care_appointments", id, Action::Update,
                        Resource::Scheduling, "appointment");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision* d = &owned->decision;
  json::FieldReader r(body);
  auto status = r.string("status", {.required = true, .max_len = 20});
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  const std::string by = r.string("cancelled_by", {.max_len = 20}).value_or("");
  const std::string note = r.string("note", {.max_len = 2000}).value_or("");
  if (status && *status == "cancelled" && by != "client" && by != "service") {
    r.add_error("cancelled_by", "must be client or service for a cancellation");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Appointment> {
    auto found = load_many(c, "a.id = ?", {id});
    if (found.empty()) return not_found("appointment " + id);
    auto a = std::move(found.front());
    if (a.version != *version) {
      return make_error(Errc::Conflict, "appointment is at version " + std::to_string(a.version) +
                                            ", not " + std::to_string(*version) +
                                            ": someone changed it since; reload");
    }
    if (auto refusal = rules::check_status(a.status, *status)) {
      return make_error(Errc::Conflict, refusal->field + ": " + refusal->message,
                        {{refusal->field, refusal->message}});
    }
    const auto now = clock_.unix_ms();
    const bool late = *status == "cancelled" && rules::late_cancellation(a.starts_at_ms, now);
    c.exec(
        "UPDATE care_appointments SET status = ?, cancelled_by = ?, late_cancel = ?, note = ?, "
        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {*status, *status == "cancelled" ? by : std::string(), std::int64_t{late ? 1 : 0},
         note.empty() ? std::string() : keys_.seal(note, k_ctx_appt_note), now, id, *version});
    if (*status == "cancelled" && a.request) request_done(c, p, a.request->id, now);
    if (*status == "no_show") {
      // A missed appointment is followed up: a call for the clinician, due the next day.
      const std::string task_id = new_id("tk");
      c.exec(
          "INSERT INTO care_tasks (id, client_id, kind, title, due_on, owner_id, status, "
          "created_by, created_at, version) VALUES (?, ?, 'call', ?, ?, ?, 'open', ?, ?, 1)",
          {task_id, client,
           keys_.seal(
               "Follow up the missed appointment of " + format_date(from_unix_ms(a.starts_at_ms)),
               k_ctx_title),
           format_date(clock_.now() + std::chrono::hours(24)), a.clinician_id, p.user_id, now});
      audit_.append(c, access::audit_entry(p, "create", "task", task_id, client));
    }
    audit_.append(c, access::audit_entry(p, "update", "appointment", id, client,
                                         d->via_break_glass ? "break-the-glass" : ""));
    metrics::inc("tend_care_appointment_outcomes_total", "status", *status);
    auto full = load_many(c, "a.id = ?", {id});
    return std::move(full.front());
  });
}

}  // namespace tend::care
