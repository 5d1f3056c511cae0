#include "care/service.h"

#include <algorithm>
#include <limits>
#include <map>

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

std::int64_t EpisodeService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

std::optional<Episode> EpisodeService::load(sql::Conn& c, const std::string& id, bool with_steps) {
  auto r =
      c.query_one(std::string("SELECT ") + k_columns + " FROM care_episodes WHERE id = ?", {id});
  if (!r) return std::nullopt;
  Episode e;
  e.id = r->str(0);
  e.client_id = r->str(1);
  e.program = r->str(2);
  e.stage = rules::parse_stage(r->str(3)).value_or(Stage::Referred);
  e.referral_source = r->str(4);
  auto reason = keys_.open(r->str(5), k_ctx_reason);
  e.referral_reason = reason ? *reason : std::string();
  e.referred_on = r->str(6);
  e.waitlisted_on = r->opt_str(7);
  e.intake_on = r->opt_str(8);
  e.active_on = r->opt_str(9);
  e.ended_on = r->opt_str(10);
  e.transferred_to = r->str(11);
  e.created_by = r->str(12);
  e.created_at_ms = r->i64(13);
  e.updated_at_ms = r->i64(14);
  e.version = r->i64(15);
  if (with_steps) {
    for (const auto& s : c.query("SELECT stage, on_date, by_user, note, at FROM care_episode_steps "
                                 "WHERE episode_id = ? ORDER BY at, id",
                                 {id})) {
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
  return e;
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
    e.created_at_ms = e.updated_at_ms = now_ms();
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
    std::vector<Episode> out;
    for (const auto& r :
         c.query("SELECT id FROM care_episodes WHERE client_id = ? ORDER BY referred_on DESC, "
                 "created_at DESC",
                 {client_id})) {
      if (auto e = load(c, r.str(0), false)) out.push_back(std::move(*e));
    }
    audit_.append(c, access::audit_entry(p, "read", "episodes", client_id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    return out;
  });
}

Result<Episode> EpisodeService::get(const Principal& p, const std::string& id) {
  auto client = db_.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT client_id FROM care_episodes WHERE id = ?", {id});
    return r ? r->str(0) : std::string();
  });
  if (client.empty()) return not_found("episode " + id);
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client);
  if (!d) {
    // Someone who may not see the record learns nothing of the episode either.
    if (d.error().code == Errc::Forbidden) return not_found("episode " + id);
    return d.error();
  }
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
  auto client = db_.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT client_id FROM care_episodes WHERE id = ?", {id});
    return r ? r->str(0) : std::string();
  });
  if (client.empty()) return not_found("episode " + id);
  auto d = access_.authorize(p, Action::Update, Resource::Clinical, client);
  if (!d) {
    if (d.error().code == Errc::Forbidden) return not_found("episode " + id);
    return d.error();
  }
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
    e->updated_at_ms = now_ms();
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
        "SELECT program, stage, referred_on, waitlisted_on, intake_on, active_on, ended_on "
        "FROM care_episodes";
    if (!program.empty()) {
      sql += " WHERE program = ?";
      params.emplace_back(program);
    }
    std::map<std::string, bool> programs;
    for (const auto& r : c.query(sql, params)) {
      Episode e;
      e.program = r.str(0);
      e.stage = rules::parse_stage(r.str(1)).value_or(Stage::Referred);
      e.referred_on = r.str(2);
      e.waitlisted_on = r.opt_str(3);
      e.intake_on = r.opt_str(4);
      e.active_on = r.opt_str(5);
      e.ended_on = r.opt_str(6);
      programs[e.program] = true;
      episodes.push_back(std::move(e));
    }
    std::vector<ProgramWaits> out;
    const std::string now = today();
    for (const auto& [name, _] : programs) out.push_back(rules::waits(name, episodes, now));
    return out;
  });
}

}  // namespace tend::care
