#include "crisis/service.h"

#include <algorithm>
#include <boost/json.hpp>

#include "access/rules.h"
#include "platform/content.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/notify/rules.h"

namespace tend::crisis {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;
using access::Role;

namespace {

constexpr const char* k_alert_columns =
    "SELECT id, client_id, level, status, reason, step, round, deadline_at, opened_at, "
    "acknowledged_by, acknowledged_at, resolved_by, resolved_at, outcome, note, "
    "deliveries_failed, version, timer FROM crisis_alerts";

constexpr const char* k_ctx_reason = "crisis_alerts.reason";
constexpr const char* k_ctx_note = "crisis_alerts.note";
constexpr const char* k_ctx_signal = "crisis_signals.reason";
constexpr const char* k_ctx_secret = "crisis_webhooks.secret";
constexpr const char* k_ctx_plan = "safety_plans.sections";
constexpr const char* k_ctx_follow_up = "crisis_follow_ups.note";

std::string level_text(Level l) {
  return std::string(rules::level_name(l));
}

bool staff(const Principal& p) {
  return p.role != Role::Client;
}

}  // namespace

bj::object sections_json(const SafetyPlanSections& s) {
  auto list = [](const std::vector<std::string>& v) {
    bj::array a;
    for (const auto& x : v) a.emplace_back(x);
    return a;
  };
  bj::array pros;
  for (const auto& c : s.professionals) {
    pros.push_back(bj::object{{"name", c.name}, {"phone", c.phone}, {"note", c.note}});
  }
  return {{"warning_signs", list(s.warning_signs)},
          {"coping_strategies", list(s.coping_strategies)},
          {"distractions", list(s.distractions)},
          {"people_to_ask", list(s.people_to_ask)},
          {"professionals", std::move(pros)},
          {"safe_environment", list(s.safe_environment)},
          {"reasons_for_living", list(s.reasons_for_living)}};
}

namespace {

constexpr std::size_t k_plan_items = 30;
constexpr std::size_t k_plan_text = 500;

//! Reads sections strictly: every section a list of at most 30 texts of at most 500 bytes.
Result<SafetyPlanSections> read_sections(const bj::value* v) {
  if (v == nullptr || !v->is_object()) return invalid("sections", "must be an object");
  const auto& o = v->get_object();
  SafetyPlanSections s;
  std::vector<FieldError> errors;
  auto strings = [&](const char* key, std::vector<std::string>& out) {
    const auto* x = o.if_contains(key);
    if (x == nullptr || x->is_null()) return;
    if (!x->is_array()) {
      errors.push_back({std::string("sections.") + key, "must be a list of texts"});
      return;
    }
    if (x->get_array().size() > k_plan_items) {
      errors.push_back({std::string("sections.") + key, "at most 30 lines"});
      return;
    }
    for (std::size_t i = 0; i < x->get_array().size(); ++i) {
      const auto& e = x->get_array()[i];
      const std::string f = std::string("sections.") + key + "[" + std::to_string(i) + "]";
      if (!e.is_string()) {
        errors.push_back({f, "must be a text"});
        continue;
      }
      std::string t(e.get_string());
      if (t.size() > k_plan_text) {
        errors.push_back({f, "at most 500 characters"});
        continue;
      }
      if (t.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // blank lines dropped
      out.push_back(std::move(t));
    }
  };
  static const std::set<std::string> known = {
      "warning_signs", "coping_strategies", "distractions",      "people_to_ask",
      "professionals", "safe_environment",  "reasons_for_living"};
  for (const auto& kv : o) {
    if (known.count(std::string(kv.key())) == 0) {
      errors.push_back({"sections." + std::string(kv.key()), "unknown field"});
    }
  }
  strings("warning_signs", s.warning_signs);
  strings("coping_strategies", s.coping_strategies);
  strings("distractions", s.distractions);
  strings("people_to_ask", s.people_to_ask);
  strings("safe_environment", s.safe_environment);
  strings("reasons_for_living", s.reasons_for_living);
  if (const auto* x = o.if_contains("professionals"); x != nullptr && !x->is_null()) {
    if (!x->is_array() || x->get_array().size() > k_plan_items) {
      errors.push_back({"sections.professionals", "must be a list of at most 30 contacts"});
    } else {
      for (std::size_t i = 0; i < x->get_array().size(); ++i) {
        const std::string f = "sections.professionals[" + std::to_string(i) + "]";
        const auto& e = x->get_array()[i];
        if (!e.is_object()) {
          errors.push_back({f, "must be {name, phone, note}"});
          continue;
        }
        json::FieldReader r(e.get_object(), f);
        Contact c;
        c.name = r.string("name", {.required = true, .max_len = 200}).value_or("");
        c.phone = r.string("phone", {.max_len = 40}).value_or("");
        c.note = r.string("note", {.max_len = k_plan_text}).value_or("");
        for (const auto& fe : r.errors()) errors.push_back(fe);
        if (auto st = r.finish(); !st) {
          for (const auto& fe : st.error().errors) {
            if (fe.message == "unknown field") errors.push_back(fe);
          }
        }
        if (!c.name.empty()) s.professionals.push_back(std::move(c));
      }
    }
  }
  if (!errors.empty()) {
    std::string detail = "invalid field: " + errors.front().field;
    return make_error(Errc::Validation, std::move(detail), std::move(errors));
  }
  return s;
}

SafetyPlanSections parse_sections(const std::string& text) {
  auto r = read_sections(&static_cast<const bj::value&>(bj::parse(text)));
  return r ? std::move(*r) : SafetyPlanSections{};
}

}  // namespace

CrisisService::CrisisService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                             audit::AuditLog& audit, access::AccessService& access,
                             jobs::JobQueue& jobs, rules::RiskConfig cfg, CrisisSettings settings)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      jobs_(jobs),
      cfg_(std::move(cfg)),
      settings_(std::move(settings)) {
  resources_ = rules::built_in_resources();
  if (!settings_.zones) {
    settings_.zones = [](const std::string& z) -> std::optional<rules::LocalClock> {
      if (z == "UTC") return rules::utc_clock();
      return std::nullopt;
    };
  }
}

std::int64_t CrisisService::now_ms() const {
  return unix_ms(clock_.now());
}

std::string CrisisService::opened(const std::string& sealed, const char* context,
                                  const char* otherwise) const {
  auto r = keys_.open(sealed, context);
  return r ? std::move(*r) : std::string(otherwise);
}

rules::LocalClock CrisisService::service_clock() const {
  auto z = settings_.zones(settings_.time_zone);
  return z ? *z : rules::utc_clock();
}

void CrisisService::register_jobs() {
  jobs_.handle("crisis.escalate",
               [this](sql::Conn& c, const jobs::Job& j) { return escalate(c, j); });
  jobs_.handle("crisis.follow_up_due",
               [this](sql::Conn& c, const jobs::Job& j) { return follow_up_due(c, j); });
  jobs_.handle_external("crisis.email", [this](const jobs::Job& j) { return deliver_email(j); });
  jobs_.handle_external("crisis.webhook",
                        [this](const jobs::Job& j) { return deliver_webhook(j); });
}

// ---- storage ------------------------------------------------------------------------------

std::optional<Alert> CrisisService::load(sql::Conn& c, const std::string& id, bool detail) {
  auto r = c.query_one(std::string(k_alert_columns) + " WHERE id = ?", {id});
  if (!r) return std::nullopt;
  Alert a;
  a.id = r->str(0);
  a.client_id = r->str(1);
  a.level = rules::parse_level(r->str(2)).value_or(Level::High);
  a.status = r->str(3);
  a.reason = opened(r->str(4), k_ctx_reason, "(cannot be decrypted)");
  a.step = static_cast<int>(r->i64(5));
  a.round = static_cast<int>(r->i64(6));
  a.deadline_at_ms = r->i64(7);
  a.opened_at_ms = r->i64(8);
  if (!r->is_null(9)) a.acknowledged_by = Person{r->str(9), {}};
  a.acknowledged_at_ms = r->opt_i64(10);
  if (!r->is_null(11)) a.resolved_by = Person{r->str(11), {}};
  a.resolved_at_ms = r->opt_i64(12);
  a.outcome = r->opt_str(13);
  if (detail && !r->is_null(14)) a.note = opened(r->str(14), k_ctx_note, "");
  a.deliveries_failed = static_cast<int>(r->i64(15));
  a.version = r->i64(16);
  a.timer = r->i64(17);
  for (const auto& s :
       c.query("SELECT id, source, level, rule, reason, ref_id, raised_by, at FROM crisis_signals "
               "WHERE alert_id = ? ORDER BY at, id",
               {id})) {
    StoredSignal x;
    x.id = s.str(0);
    x.source = rules::parse_source(s.str(1)).value_or(Source::Clinician);
    x.level = rules::parse_level(s.str(2)).value_or(Level::High);
    x.rule = s.str(3);
    x.reason = opened(s.str(4), k_ctx_signal, "(cannot be decrypted)");
    x.ref_id = s.str(5);
    x.raised_by = s.str(6);
    x.at_ms = s.i64(7);
    a.signals.push_back(std::move(x));
  }
  for (const auto& n : c.query(
           "SELECT user_id FROM crisis_recipients WHERE alert_id = ? ORDER BY first_at, user_id",
           {id})) {
    a.notified.push_back(Person{n.str(0), {}});
  }
  if (detail) {
    for (const auto& t :
         c.query("SELECT seq, at, kind, step, user_id, channel, detail FROM crisis_timeline "
                 "WHERE alert_id = ? ORDER BY seq",
                 {id})) {
      TimelineEntry e;
      e.seq = t.i64(0);
      e.at_ms = t.i64(1);
      e.kind = t.str(2);
      e.step = static_cast<int>(t.i64(3));
      e.user_id = t.str(4);
      e.channel = t.str(5);
      e.detail = t.str(6);
      a.timeline.push_back(std::move(e));
    }
  }
  return a;
}

std::optional<Alert> CrisisService::active_for(sql::Conn& c, const std::string& client_id) {
  auto r = c.query_one("SELECT id FROM crisis_alerts WHERE client_id = ? AND status <> 'resolved'",
                       {client_id});
  if (!r) return std::nullopt;
  return load(c, r->str(0), false);
}

void CrisisService::store_alert(sql::Conn& c, const Alert& a, bool insert) {
  if (insert) {
    c.exec(
        "INSERT INTO crisis_alerts (id, client_id, level, status, reason, step, round, "
        "deadline_at, opened_at, version, timer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {a.id, a.client_id, level_text(a.level), a.status, keys_.seal(a.reason, k_ctx_reason),
         std::int64_t{a.step}, std::int64_t{a.round}, a.deadline_at_ms, a.opened_at_ms, a.version,
         a.timer});
    return;
  }
  c.exec(
      "UPDATE crisis_alerts SET level = ?, status = ?, reason = ?, step = ?, round = ?, "
      "deadline_at = ?, acknowledged_by = ?, acknowledged_at = ?, resolved_by = ?, "
      "resolved_at = ?, outcome = ?, note = ?, version = ?, timer = ? WHERE id = ?",
      {level_text(a.level), a.status, keys_.seal(a.reason, k_ctx_reason), std::int64_t{a.step},
       std::int64_t{a.round}, a.deadline_at_ms,
       a.acknowledged_by ? sql::Value(a.acknowledged_by->id) : sql::null(),
       sql::opt(a.acknowledged_at_ms), a.resolved_by ? sql::Value(a.resolved_by->id) : sql::null(),
       sql::opt(a.resolved_at_ms), sql::opt(a.outcome),
       a.note ? sql::Value(keys_.seal(*a.note, k_ctx_note)) : sql::null(), a.version, a.timer,
       a.id});
}

void CrisisService::timeline(sql::Conn& c, const std::string& alert_id, const std::string& kind,
                             int step, const std::string& user_id, const std::string& channel,
                             const std::string& detail) {
  auto next = c.query_one(
      "SELECT COALESCE(MAX(seq), 0) + 1 FROM crisis_timeline WHERE alert_id = ?", {alert_id});
  c.exec(
      "INSERT INTO crisis_timeline (alert_id, seq, at, kind, step, user_id, channel, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {alert_id, next->i64(0), now_ms(), kind, std::int64_t{step},
       user_id.empty() ? sql::null() : sql::Value(user_id),
       channel.empty() ? sql::null() : sql::Value(channel), detail});
}

// ---- who ---------------------------------------------------------------------------------

ChainPeople CrisisService::people_for(sql::Conn& c, const std::string& client_id, TimePoint t) {
  // Direct reads of the care team and accounts: this must run inside the caller's write
  // transaction (the alert commits with the result that raised it).
  ChainPeople people;
  for (const auto& r :
       c.query("SELECT t.user_id, t.team_role, u.role FROM care_team t JOIN users u ON u.id = "
               "t.user_id WHERE t.client_id = ? AND u.disabled = 0 ORDER BY t.added_at, t.user_id",
               {client_id})) {
    auto role = access::parse_role(r.str(2));
    if (!role || !access::rules::is_clinical(*role)) continue;
    if (r.str(1) == "primary_clinician" && !people.primary_clinician) {
      people.primary_clinician = r.str(0);
    }
    people.care_team.push_back(r.str(0));
  }
  std::vector<RosterEntry> roster;
  for (const auto& r : c.query(
           "SELECT r.id, r.kind, r.user_id, r.cover, r.time_zone, r.days, r.start_minute, "
           "r.end_minute, r.from_date, r.until_date, r.starts_at, r.ends_at FROM crisis_roster r "
           "JOIN users u ON u.id = r.user_id WHERE r.removed_at IS NULL AND u.disabled = 0")) {
    RosterEntry e;
    e.id = r.str(0);
    e.kind = r.str(1);
    e.user_id = r.str(2);
    e.cover = r.boolean(3);
    e.time_zone = r.str(4);
    std::string days = r.str(5);
    for (std::size_t at = 0; at + 3 <= days.size(); at += 4) {
      if (auto d = rules::day_number(days.substr(at, 3))) e.days.push_back(*d);
    }
    e.start_minute = static_cast<int>(r.i64(6));
    e.end_minute = static_cast<int>(r.i64(7));
    e.from_date = r.opt_str(8);
    e.until_date = r.opt_str(9);
    e.starts_at_ms = r.opt_i64(10);
    e.ends_at_ms = r.opt_i64(11);
    roster.push_back(std::move(e));
  }
  people.on_call = rules::on_duty(roster, "on_call", t, settings_.zones);
  people.supervisors = rules::on_duty(roster, "supervisor", t, settings_.zones);
  return people;
}

std::vector<std::string> CrisisService::fallback(sql::Conn& c) {
  std::vector<std::string> out;
  for (const auto& r :
       c.query("SELECT id FROM users WHERE role = 'admin' AND disabled = 0 ORDER BY id")) {
    out.push_back(r.str(0));
  }
  return out;
}

std::set<std::string> CrisisService::recipients_of(sql::Conn& c, const std::string& alert_id) {
  std::set<std::string> out;
  for (const auto& r :
       c.query("SELECT user_id FROM crisis_recipients WHERE alert_id = ?", {alert_id})) {
    out.insert(r.str(0));
  }
  return out;
}

bool CrisisService::on_roster(sql::Conn& c, const std::string& user_id) {
  // An entry that has ended (a one-off window over for a day, a weekly entry past its last
  // date) no longer opens the board: the day's slack covers handover and time zones.
  const TimePoint day_ago = clock_.now() - std::chrono::hours(24);
  const std::int64_t day_ago_ms = unix_ms(day_ago);
  const std::string yesterday = format_rfc3339(day_ago).substr(0, 10);
  return c
      .query_one(
          "SELECT 1 FROM crisis_roster WHERE user_id = ? AND removed_at IS NULL "
          "AND (ends_at IS NULL OR ends_at > ?) AND (until_date IS NULL OR until_date >= ?)",
          {user_id, day_ago_ms, yesterday})
      .has_value();
}

bool CrisisService::may_see(sql::Conn& c, const Principal& p, const Alert& a) {
  if (!staff(p)) return false;
  if (c.query_one("SELECT 1 FROM crisis_recipients WHERE alert_id = ? AND user_id = ?",
                  {a.id, p.user_id})) {
    return true;
  }
  if (on_roster(c, p.user_id)) return true;
  return c
      .query_one("SELECT 1 FROM care_team WHERE client_id = ? AND user_id = ?",
                 {a.client_id, p.user_id})
      .has_value();
}

std::string CrisisService::client_name(sql::Conn& c, const std::string& client_id) {
  auto r = c.query_one("SELECT given_name, family_name, preferred_name FROM clients WHERE id = ?",
                       {client_id});
  if (!r) return {};
  const std::string given = r->is_null(2) || r->str(2).empty() ? r->str(0) : r->str(2);
  return given + " " + r->str(1);
}

void CrisisService::fill_names(sql::Conn& c, Alert& a) {
  a.client_name = client_name(c, a.client_id);
  std::vector<std::string> ids;
  for (const auto& n : a.notified) ids.push_back(n.id);
  if (a.acknowledged_by) ids.push_back(a.acknowledged_by->id);
  if (a.resolved_by) ids.push_back(a.resolved_by->id);
  for (const auto& t : a.timeline) {
    if (!t.user_id.empty()) ids.push_back(t.user_id);
  }
  std::map<std::string, std::string> names;
  for (const auto& id : ids) {
    if (names.count(id) != 0) continue;
    auto r = c.query_one("SELECT display_name FROM users WHERE id = ?", {id});
    names[id] = r ? r->str(0) : id;
  }
  for (auto& n : a.notified) n.name = names[n.id];
  if (a.acknowledged_by) a.acknowledged_by->name = names[a.acknowledged_by->id];
  if (a.resolved_by) a.resolved_by->name = names[a.resolved_by->id];
  for (auto& t : a.timeline) {
    if (!t.user_id.empty()) t.user_name = names[t.user_id];
  }
}

// ---- raising -----------------------------------------------------------------------------

void CrisisService::arm(sql::Conn& c, Alert& a, TimePoint from) {
  a.deadline_at_ms = unix_ms(rules::ack_deadline(a.level, from, cfg_, service_clock()));
  a.timer += 1;
  jobs::NewJob j;
  j.kind = "crisis.escalate";
  j.payload = bj::serialize(bj::object{{"alert_id", a.id}, {"timer", a.timer}});
  j.due = from_unix_ms(a.deadline_at_ms);
  j.max_attempts = 1000;  // an escalation is never given up
  j.dedupe_key = a.id + ":" + std::to_string(a.timer);
  jobs_.enqueue(c, j);
}

void CrisisService::notify(sql::Conn& c, Alert& a, const std::vector<std::string>& who,
                           const std::string& kind) {
  const std::int64_t now = now_ms();
  std::vector<std::string> emails;
  for (const auto& id : who) {
    c.exec(
        "INSERT INTO crisis_recipients (alert_id, user_id, first_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        {a.id, id, now});
    timeline(c, a.id, "notified", a.step, id, "live", kind);
    if (mail_) {
      auto r = c.query_one("SELECT email FROM users WHERE id = ?", {id});
      if (r && !r->is_null(0) && !r->str(0).empty()) {
        jobs::NewJob j;
        j.kind = "crisis.email";
        j.payload =
            bj::serialize(bj::object{{"alert_id", a.id}, {"user_id", id}, {"timer", a.timer}});
        j.due = clock_.now();
        j.max_attempts = 8;
        j.dedupe_key = a.id + ":" + id + ":" + std::to_string(a.timer);
        jobs_.enqueue(c, j);
      }
    }
  }
  if (webhook_) {
    for (const auto& r : c.query(
             "SELECT id, min_level FROM crisis_webhooks WHERE removed_at IS NULL ORDER BY id")) {
      const auto min = rules::parse_level(r.str(1)).value_or(Level::Low);
      if (a.level < min) continue;
      bj::array to;
      for (const auto& id : who) to.emplace_back(id);
      jobs::NewJob j;
      j.kind = "crisis.webhook";
      j.payload = bj::serialize(bj::object{{"alert_id", a.id},
                                           {"webhook_id", r.str(0)},
                                           {"timer", a.timer},
                                           {"kind", kind},
                                           {"recipients", std::move(to)}});
      j.due = clock_.now();
      j.max_attempts = 8;
      j.dedupe_key = a.id + ":" + r.str(0) + ":" + std::to_string(a.timer);
      jobs_.enqueue(c, j);
    }
  }
  if (events_ != nullptr && !who.empty()) {
    const std::string step_name =
        a.step < static_cast<int>(cfg_.chain.size())
            ? std::string(rules::step_name(cfg_.chain[static_cast<std::size_t>(a.step)]))
            : std::string("end");
    events_->publish(
        c,
        {"crisis.alert",
         bj::serialize(bj::object{{"alert_id", a.id},
                                  {"client_id", a.client_id},
                                  {"level", level_text(a.level)},
                                  {"status", a.status},
                                  {"step", a.step},
                                  {"step_name", step_name},
                                  {"deadline_at", format_rfc3339(from_unix_ms(a.deadline_at_ms))}}),
         who});
  }
  metrics::inc("tend_crisis_notifications_total", "kind", kind);
}

void CrisisService::publish_update(sql::Conn& c, const Alert& a, const std::string& type) {
  if (events_ == nullptr) return;
  auto audience = recipients_of(c, a.id);
  for (const auto& r :
       c.query("SELECT user_id FROM care_team WHERE client_id = ?", {a.client_id})) {
    audience.insert(r.str(0));
  }
  const std::string step_name =
      a.step < static_cast<int>(cfg_.chain.size())
          ? std::string(rules::step_name(cfg_.chain[static_cast<std::size_t>(a.step)]))
          : std::string("end");
  events_->publish(
      c,
      {type,
       bj::serialize(bj::object{{"alert_id", a.id},
                                {"client_id", a.client_id},
                                {"level", level_text(a.level)},
                                {"status", a.status},
                                {"step", a.step},
                                {"step_name", step_name},
                                {"deadline_at", format_rfc3339(from_unix_ms(a.deadline_at_ms))}}),
       {audience.begin(), audience.end()}});
}

Raised CrisisService::raise(sql::Conn& c, const std::string& client_id, const Signal& s,
                            const std::string& raised_by) {
  // Serializes raising for one client across instances (a no-op update takes the row lock on
  // PostgreSQL; SQLite has one writer), so two signals at once make one alert.
  c.exec("UPDATE clients SET version = version WHERE id = ?", {client_id});
  const std::int64_t now = now_ms();
  Raised out;
  auto existing = active_for(c, client_id);
  std::string signal_id = new_id("sg");
  if (existing) {
    Alert a = std::move(*existing);
    c.exec(
        "INSERT INTO crisis_signals (id, alert_id, client_id, source, level, rule, reason, ref_id, "
        "raised_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {signal_id, a.id, client_id, std::string(rules::source_name(s.source)), level_text(s.level),
         s.rule, keys_.seal(s.reason, k_ctx_signal),
         s.ref_id.empty() ? sql::null() : sql::Value(s.ref_id),
         raised_by.empty() ? sql::null() : sql::Value(raised_by), now});
    timeline(c, a.id, "signal", a.step, raised_by, {},
             "signal " + signal_id + " (" + s.rule + ", " + level_text(s.level) + ")");
    a.version += 1;
    if (s.level > a.level) {
      // More urgent than the alert was: its level rises and the chain starts again from the
      // first link at the new level's deadline, even if someone had acknowledged it.
      const Level from = a.level;
      a.level = s.level;
      a.reason = s.reason;
      a.status = "open";
      a.acknowledged_by.reset();
      a.acknowledged_at_ms.reset();
      a.round = 0;
      timeline(c, a.id, "level_raised", a.step, {}, {},
               level_text(from) + " -> " + level_text(a.level));
      const auto people = people_for(c, client_id, clock_.now());
      auto routing = rules::route(-1, cfg_.chain, people, {}, fallback(c));
      a.step = routing.step;
      auto who = routing.recipients;
      arm(c, a, clock_.now());
      store_alert(c, a, false);
      notify(c, a, who, "notified");
    } else {
      store_alert(c, a, false);
      // Whoever is handling it hears of the new signal at once.
      if (a.acknowledged_by) {
        timeline(c, a.id, "notified", a.step, a.acknowledged_by->id, "live", "new signal");
      }
    }
    publish_update(c, a, "crisis.updated");
    out.alert = std::move(a);
    out.joined = true;
    metrics::inc("tend_crisis_signals_total", "source", rules::source_name(s.source));
    return out;
  }
  Alert a;
  a.id = new_id("al");
  a.client_id = client_id;
  a.level = s.level;
  a.status = "open";
  a.reason = s.reason;
  a.opened_at_ms = now;
  const auto people = people_for(c, client_id, clock_.now());
  auto routing = rules::route(-1, cfg_.chain, people, {}, fallback(c));
  a.step = routing.step;
  a.round = routing.chain_end ? 1 : 0;
  a.deadline_at_ms = now;
  store_alert(c, a, true);
  c.exec(
      "INSERT INTO crisis_signals (id, alert_id, client_id, source, level, rule, reason, ref_id, "
      "raised_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {signal_id, a.id, client_id, std::string(rules::source_name(s.source)), level_text(s.level),
       s.rule, keys_.seal(s.reason, k_ctx_signal),
       s.ref_id.empty() ? sql::null() : sql::Value(s.ref_id),
       raised_by.empty() ? sql::null() : sql::Value(raised_by), now});
  timeline(c, a.id, "raised", a.step, raised_by, {},
           "signal " + signal_id + " (" + s.rule + ", " + level_text(s.level) + ")");
  arm(c, a, clock_.now());
  store_alert(c, a, false);
  if (routing.recipients.empty()) {
    // No care team, nobody on the roster and no admin: the alert stays on the board and
    // escalates at its deadline; this is visible in the metrics and the log.
    timeline(c, a.id, "unrouted", a.step, {}, {}, "nobody to notify");
    metrics::inc("tend_crisis_unrouted_total");
    log::error("crisis.unrouted", {{"alert", a.id}, {"client", client_id}});
  }
  notify(c, a, routing.recipients, "notified");
  audit_.append(c, audit::NewEntry{raised_by.empty() ? "system:crisis" : raised_by,
                                   raised_by.empty() ? "system" : "clinician", "create",
                                   "crisis_alert", a.id, client_id, "", "", s.rule, "ok"});
  metrics::inc("tend_crisis_alerts_total", "level", rules::level_name(a.level));
  metrics::inc("tend_crisis_signals_total", "source", rules::source_name(s.source));
  log::info("crisis.alert",
            {{"alert", a.id}, {"client", client_id}, {"level", level_text(a.level)}});
  out.alert = std::move(a);
  return out;
}

void CrisisService::on_assessment(sql::Conn& c, const std::string& client_id,
                                  const rules::ScoredMeasure& m) {
  for (const auto& s : rules::signals_from_assessment(m, cfg_)) raise(c, client_id, s);
}

void CrisisService::on_check_in(sql::Conn& c, const std::string& client_id,
                                const rules::CheckIn& ci) {
  if (auto s = rules::signal_from_check_in(ci, cfg_)) raise(c, client_id, *s);
}

void CrisisService::on_message(sql::Conn& c, const std::string& client_id,
                               const std::string& message_id, std::string_view text) {
  if (auto s = rules::screen_message(text, message_id, cfg_)) raise(c, client_id, *s);
}

Result<Raised> CrisisService::raise_concern(const Principal& p, const std::string& client_id,
                                            const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  auto level_s = r.string("level", {.required = true, .max_len = 20});
  auto reason = r.string("reason", {.required = true, .max_len = 1000});
  std::optional<Level> level;
  if (level_s) {
    level = rules::parse_level(*level_s);
    if (!level) r.add_error("level", "must be low, moderate, high or imminent");
  }
  if (auto st = r.finish(); !st) return st.error();
  const Signal s = rules::raised_by_hand(*level, *reason);
  return db_.write([&](sql::Conn& c) { return raise(c, client_id, s, p.user_id); });
}

Result<Raised> CrisisService::help_now(const Principal& p) {
  if (p.role != Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "only a client can ask for help for themselves");
  }
  const Signal s = rules::help_now(cfg_);
  return db_.write([&](sql::Conn& c) {
    auto out = raise(c, p.client_id, s);
    audit_.append(c, access::audit_entry(p, "create", "help_now", out.alert.id, p.client_id));
    return out;
  });
}

// ---- escalation ----------------------------------------------------------------------------

Status CrisisService::escalate(sql::Conn& c, const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string alert_id(payload.at("alert_id").as_string());
  const std::int64_t timer = payload.at("timer").to_number<std::int64_t>();
  auto found = load(c, alert_id, false);
  // Acknowledged, resolved or re-armed since: this deadline has passed its use.
  if (!found || found->status != "open" || found->timer != timer) return ok_status();
  Alert a = std::move(*found);
  const TimePoint now = clock_.now();
  const auto people = people_for(c, a.client_id, now);
  const auto already = recipients_of(c, a.id);
  auto routing = rules::route(a.step, cfg_.chain, people, already, fallback(c));
  const std::string kind = routing.chain_end ? "renotified" : "escalated";
  a.step = routing.step;
  if (routing.chain_end) a.round += 1;
  a.version += 1;
  timeline(c, a.id, kind, a.step, {}, {},
           "deadline " + format_rfc3339(from_unix_ms(a.deadline_at_ms)) + " passed unacknowledged");
  // The next deadline counts from this one, so a late run (after a restart) does not push
  // every later deadline back; a run long after it counts from now.
  const TimePoint due = from_unix_ms(a.deadline_at_ms);
  arm(c, a, now - due < std::chrono::minutes(1) ? due : now);
  store_alert(c, a, false);
  notify(c, a, routing.recipients, kind);
  publish_update(c, a, "crisis.updated");
  metrics::inc("tend_crisis_escalations_total", "kind", kind);
  log::warn("crisis.escalated",
            {{"alert", a.id}, {"step", std::to_string(a.step)}, {"kind", kind}});
  return ok_status();
}

// ---- deliveries ----------------------------------------------------------------------------

void CrisisService::record_delivery(const std::string& alert_id, const std::string& channel,
                                    const std::string& user_id, const std::string& target,
                                    const Status& st) {
  db_.write([&](sql::Conn& c) {
    auto a = load(c, alert_id, false);
    if (!a) return;
    if (st) {
      timeline(c, alert_id, "delivered", a->step, user_id, channel, target);
      return;
    }
    timeline(c, alert_id, "delivery_failed", a->step, user_id, channel,
             target + ": " + st.error().detail);
    c.exec("UPDATE crisis_alerts SET deliveries_failed = deliveries_failed + 1 WHERE id = ?",
           {alert_id});
    if (events_ != nullptr) {
      auto audience = recipients_of(c, alert_id);
      bj::object data{{"alert_id", alert_id}, {"channel", channel}};
      if (channel == "email") data["user_id"] = user_id;
      if (channel == "webhook") data["webhook_id"] = target;
      events_->publish(
          c, {"crisis.delivery_failed", bj::serialize(data), {audience.begin(), audience.end()}});
    }
  });
  if (!st) {
    metrics::inc("tend_crisis_delivery_failures_total", "channel", channel);
    log::error("crisis.delivery_failed",
               {{"alert", alert_id}, {"channel", channel}, {"error", st.error().detail}});
  }
}

Status CrisisService::deliver_email(const jobs::Job& job) {
  if (!mail_) return make_error(Errc::Unavailable, "e-mail is not configured");
  const auto payload = bj::parse(job.payload).as_object();
  const std::string alert_id(payload.at("alert_id").as_string());
  const std::string user_id(payload.at("user_id").as_string());
  struct Facts {
    std::optional<Alert> alert;
    std::string email;
  };
  auto facts = db_.read([&](sql::Conn& c) {
    Facts f;
    f.alert = load(c, alert_id, false);
    auto u = c.query_one("SELECT email FROM users WHERE id = ? AND disabled = 0", {user_id});
    if (u) f.email = u->str(0);
    return f;
  });
  // Acknowledged or resolved before the mail went out: someone has answered; nobody needs
  // paging for it any more.
  if (!facts.alert || facts.alert->status != "open" || facts.email.empty()) return ok_status();
  const Alert& a = *facts.alert;
  // Mail leaves the service's systems: it carries no name and no clinical detail, only that an
  // alert of this level waits, until when, and where to answer it.
  std::string level = level_text(a.level);
  std::string upper = level;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const std::string due = format_rfc3339(from_unix_ms(a.deadline_at_ms));
  const std::string subject = "[Tend] " + upper + " alert: acknowledge by " + due.substr(0, 10) +
                              " " + due.substr(11, 5) + " UTC";
  const std::string link = settings_.base_url + "/alerts/" + a.id;
  std::string body = "A " + level + " crisis alert in Tend needs a person to acknowledge it.\n\n" +
                     "Alert: " + a.id + "\nStatus: " + a.status +
                     "\nAcknowledge by: " + format_rfc3339(from_unix_ms(a.deadline_at_ms)) +
                     "\n\nOpen it in Tend: " + link +
                     "\n\nIf nobody acknowledges it in time it goes to the next person on the "
                     "escalation chain.\n";
  auto st = mail_({facts.email}, subject, body);
  record_delivery(alert_id, "email", user_id, "e-mail to " + user_id, st);
  return st;
}

Status CrisisService::deliver_webhook(const jobs::Job& job) {
  if (!webhook_) return make_error(Errc::Unavailable, "webhooks are not configured");
  const auto payload = bj::parse(job.payload).as_object();
  const std::string alert_id(payload.at("alert_id").as_string());
  const std::string webhook_id(payload.at("webhook_id").as_string());
  struct Facts {
    std::optional<Alert> alert;
    std::optional<sql::Row> hook;
    bj::array recipients;
  };
  auto facts = db_.read([&](sql::Conn& c) {
    Facts f;
    f.alert = load(c, alert_id, false);
    f.hook =
        c.query_one("SELECT url, secret FROM crisis_webhooks WHERE id = ? AND removed_at IS NULL",
                    {webhook_id});
    for (const auto& id : payload.at("recipients").as_array()) {
      auto u = c.query_one("SELECT username, display_name FROM users WHERE id = ?",
                           {std::string(id.as_string())});
      if (u) {
        f.recipients.push_back(
            bj::object{{"id", id}, {"username", u->str(0)}, {"display_name", u->str(1)}});
      }
    }
    return f;
  });
  if (!facts.alert || !facts.hook || facts.alert->status != "open") return ok_status();
  const Alert& a = *facts.alert;
  auto secret = keys_.open(facts.hook->str(1), k_ctx_secret);
  if (!secret) return make_error(Errc::Internal, "webhook secret cannot be decrypted");
  const std::string delivery_id = job.id;
  // Like e-mail, a page carries no client name or clinical detail.
  const std::string body =
      bj::serialize(bj::object{{"type", "crisis.alert"},
                               {"delivery_id", delivery_id},
                               {"alert_id", a.id},
                               {"level", level_text(a.level)},
                               {"status", a.status},
                               {"kind", payload.at("kind")},
                               {"step", a.step},
                               {"deadline_at", format_rfc3339(from_unix_ms(a.deadline_at_ms))},
                               {"url", settings_.base_url + "/alerts/" + a.id},
                               {"recipients", facts.recipients}});
  auto st = webhook_(facts.hook->str(0), *secret, body, delivery_id);
  record_delivery(alert_id, "webhook", {}, webhook_id, st);
  return st;
}

// ---- reading and answering -------------------------------------------------------------------

Result<std::vector<Alert>> CrisisService::list(const Principal& p, const std::string& status,
                                               const std::string& client_id, int limit) {
  if (!staff(p)) return make_error(Errc::Forbidden, "alerts are for staff");
  static const std::set<std::string> statuses = {"active", "open", "acknowledged", "resolved"};
  if (statuses.count(status) == 0) {
    return make_error(Errc::BadRequest, "status: must be active, open, acknowledged or resolved");
  }
  if (!client_id.empty()) {
    auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
    if (!d) return d.error();
  }
  auto listed = db_.read([&](sql::Conn& c) {
    std::string where = status == "active" ? "status <> 'resolved'" : "status = ?";
    sql::Params params;
    if (status != "active") params.emplace_back(status);
    if (!client_id.empty()) {
      where += " AND client_id = ?";
      params.emplace_back(client_id);
    }
    const bool everything = !client_id.empty() || on_roster(c, p.user_id);
    if (!everything) {
      where +=
          " AND (id IN (SELECT alert_id FROM crisis_recipients WHERE user_id = ?) OR client_id IN "
          "(SELECT client_id FROM care_team WHERE user_id = ?))";
      params.emplace_back(p.user_id);
      params.emplace_back(p.user_id);
    }
    params.emplace_back(std::int64_t{limit});
    std::vector<Alert> out;
    for (const auto& r :
         c.query("SELECT id FROM crisis_alerts WHERE " + where +
                     (status == "resolved" ? " ORDER BY resolved_at DESC" : " ORDER BY opened_at") +
                     " LIMIT ?",
                 params)) {
      if (auto a = load(c, r.str(0), false)) {
        fill_names(c, *a);
        out.push_back(std::move(*a));
      }
    }
    if (status != "resolved") {
      // Most urgent first: open before acknowledged, then level, then the nearest deadline.
      std::stable_sort(out.begin(), out.end(), [](const Alert& x, const Alert& y) {
        if ((x.status == "open") != (y.status == "open")) return x.status == "open";
        if (x.level != y.level) return x.level > y.level;
        return x.deadline_at_ms < y.deadline_at_ms;
      });
    }
    return out;
  });
  // The board shows names and reasons: each alert listed is audited against its client, as a
  // client search is, so the client's access log says who saw them on it.
  if (!listed.empty()) {
    db_.write([&](sql::Conn& c) {
      for (const auto& a : listed) {
        audit_.append(c, access::audit_entry(p, "list", "crisis_alert", a.id, a.client_id));
      }
    });
  }
  return listed;
}

Result<Alert> CrisisService::get(const Principal& p, const std::string& id) {
  auto a = db_.read([&](sql::Conn& c) -> std::optional<Alert> {
    auto x = load(c, id, true);
    if (!x || !may_see(c, p, *x)) return std::nullopt;
    fill_names(c, *x);
    return x;
  });
  if (!a) return not_found("alert " + id);
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "crisis_alert", id, a->client_id));
  });
  return std::move(*a);
}

bj::object CrisisService::contact_of(const std::string& client_id) {
  return db_.read([&](sql::Conn& c) {
    auto r = c.query_one(
        "SELECT phone, emergency_contact_name, emergency_contact_relationship, "
        "emergency_contact_phone, consent_phone, consent_voicemail, consent_sms FROM clients "
        "WHERE id = ?",
        {client_id});
    if (!r) return bj::object{};
    return bj::object{{"phone", json::opt(r->opt_str(0))},
                      {"consent_phone", r->boolean(4)},
                      {"consent_voicemail", r->boolean(5)},
                      {"consent_sms", r->boolean(6)},
                      {"emergency_contact", bj::object{{"name", json::opt(r->opt_str(1))},
                                                       {"relationship", json::opt(r->opt_str(2))},
                                                       {"phone", json::opt(r->opt_str(3))}}}};
  });
}

Result<Alert> CrisisService::acknowledge(const Principal& p, const std::string& id) {
  return db_.write([&](sql::Conn& c) -> Result<Alert> {
    auto a = load(c, id, false);
    if (!a || !may_see(c, p, *a)) return not_found("alert " + id);
    if (a->status != "open") {
      return make_error(Errc::Conflict, "alert " + id + " is already " + a->status);
    }
    a->status = "acknowledged";
    a->acknowledged_by = Person{p.user_id, {}};
    a->acknowledged_at_ms = now_ms();
    a->version += 1;
    store_alert(c, *a, false);
    c.exec(
        "INSERT INTO crisis_recipients (alert_id, user_id, first_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        {a->id, p.user_id, now_ms()});
    timeline(c, a->id, "acknowledged", a->step, p.user_id);
    audit_.append(c, access::audit_entry(p, "acknowledge", "crisis_alert", id, a->client_id));
    publish_update(c, *a, "crisis.updated");
    metrics::inc("tend_crisis_acknowledged_total", "level", rules::level_name(a->level));
    auto out = load(c, id, true);
    fill_names(c, *out);
    return std::move(*out);
  });
}

Result<Alert> CrisisService::resolve(const Principal& p, const std::string& id,
                                     const bj::object& body) {
  json::FieldReader r(body);
  auto outcome = r.string("outcome", {.required = true, .max_len = 60});
  auto note = r.string("note", {.max_len = 4000}).value_or("");
  if (outcome) {
    const auto why = rules::check_resolution(cfg_, *outcome, note);
    if (!why.empty()) {
      if (why.rfind("note:", 0) == 0) {
        r.add_error("note", why.substr(6));
      } else {
        r.add_error("outcome", why);
      }
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Alert> {
    auto a = load(c, id, false);
    if (!a || !may_see(c, p, *a)) return not_found("alert " + id);
    if (a->status == "resolved") return make_error(Errc::Conflict, "alert " + id + " is resolved");
    const std::int64_t now = now_ms();
    if (!a->acknowledged_by) {
      a->acknowledged_by = Person{p.user_id, {}};
      a->acknowledged_at_ms = now;
      timeline(c, a->id, "acknowledged", a->step, p.user_id);
    }
    a->status = "resolved";
    a->resolved_by = Person{p.user_id, {}};
    a->resolved_at_ms = now;
    a->outcome = *outcome;
    a->note = note;
    a->version += 1;
    store_alert(c, *a, false);
    timeline(c, a->id, "resolved", a->step, p.user_id, {}, *outcome);
    // Caring contacts: the primary clinician (or whoever resolved it) reaches out again.
    auto people = people_for(c, a->client_id, clock_.now());
    const std::string owner = people.primary_clinician.value_or(p.user_id);
    for (const auto& f : cfg_.follow_ups) {
      const std::string fid = new_id("fu");
      const TimePoint due = clock_.now() + f.after;
      c.exec(
          "INSERT INTO crisis_follow_ups (id, alert_id, client_id, owner_id, label, due_at, "
          "status) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
          {fid, a->id, a->client_id, owner, f.label, unix_ms(due)});
      jobs::NewJob j;
      j.kind = "crisis.follow_up_due";
      j.payload = bj::serialize(bj::object{{"follow_up_id", fid}});
      j.due = due;
      j.dedupe_key = fid;
      jobs_.enqueue(c, j);
      timeline(c, a->id, "follow_up", a->step, owner, {}, fid + " " + f.label);
    }
    audit_.append(c, access::audit_entry(p, "resolve", "crisis_alert", id, a->client_id, *outcome));
    publish_update(c, *a, "crisis.updated");
    metrics::inc("tend_crisis_resolved_total", "outcome", *outcome);
    auto out = load(c, id, true);
    fill_names(c, *out);
    return std::move(*out);
  });
}

// ---- follow-ups ----------------------------------------------------------------------------

Status CrisisService::follow_up_due(sql::Conn& c, const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string id(payload.at("follow_up_id").as_string());
  auto r = c.query_one(
      "SELECT alert_id, client_id, owner_id, due_at, status FROM crisis_follow_ups WHERE id = ?",
      {id});
  if (!r || r->str(4) != "pending" || events_ == nullptr) return ok_status();
  events_->publish(c,
                   {"crisis.follow_up_due",
                    bj::serialize(bj::object{{"follow_up_id", id},
                                             {"alert_id", r->str(0)},
                                             {"client_id", r->str(1)},
                                             {"due_at", format_rfc3339(from_unix_ms(r->i64(3)))}}),
                    {r->str(2)}});
  return ok_status();
}

Result<std::vector<FollowUp>> CrisisService::follow_ups(const Principal& p,
                                                        const std::string& status, bool mine,
                                                        const std::string& client_id) {
  if (!staff(p)) return make_error(Errc::Forbidden, "follow-ups are for staff");
  if (status != "pending" && status != "overdue" && status != "done" && status != "all") {
    return make_error(Errc::BadRequest, "status: must be pending, overdue, done or all");
  }
  if (!client_id.empty()) {
    auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
    if (!d) return d.error();
  }
  return db_.read([&](sql::Conn& c) {
    std::string where = "1 = 1";
    sql::Params params;
    if (status == "pending" || status == "overdue") where += " AND f.status = 'pending'";
    if (status == "done") where += " AND f.status = 'done'";
    if (status == "overdue") {
      where += " AND f.due_at < ?";
      params.emplace_back(now_ms());
    }
    if (mine || client_id.empty()) {
      // Without a client: the caller's own, or (on the roster) everyone's.
      if (mine || !on_roster(c, p.user_id)) {
        where += " AND (f.owner_id = ?";
        params.emplace_back(p.user_id);
        if (!mine) {
          where += " OR f.client_id IN (SELECT client_id FROM care_team WHERE user_id = ?)";
          params.emplace_back(p.user_id);
        }
        where += ")";
      }
    }
    if (!client_id.empty()) {
      where += " AND f.client_id = ?";
      params.emplace_back(client_id);
    }
    std::vector<FollowUp> out;
    for (const auto& r :
         c.query("SELECT f.id, f.alert_id, f.client_id, f.owner_id, u.display_name, f.label, "
                 "f.due_at, f.status, f.result, f.done_at, f.done_by FROM crisis_follow_ups f JOIN "
                 "users u ON u.id = f.owner_id WHERE " +
                     where + " ORDER BY f.due_at, f.id LIMIT 500",
                 params)) {
      FollowUp f;
      f.id = r.str(0);
      f.alert_id = r.str(1);
      f.client_id = r.str(2);
      f.client_name = client_name(c, f.client_id);
      f.owner = Person{r.str(3), r.str(4)};
      f.label = r.str(5);
      f.due_at_ms = r.i64(6);
      f.status = r.str(7);
      f.overdue = f.status == "pending" && f.due_at_ms < now_ms();
      f.result = r.opt_str(8);
      f.done_at_ms = r.opt_i64(9);
      if (!r.is_null(10)) {
        auto n = c.query_one("SELECT display_name FROM users WHERE id = ?", {r.str(10)});
        f.done_by = Person{r.str(10), n ? n->str(0) : r.str(10)};
      }
      out.push_back(std::move(f));
    }
    return out;
  });
}

Result<FollowUp> CrisisService::complete_follow_up(const Principal& p, const std::string& id,
                                                   const bj::object& body) {
  json::FieldReader r(body);
  auto result = r.string("result", {.required = true, .max_len = 40});
  auto note = r.string("note", {.max_len = 4000});
  if (result && *result != "reached" && *result != "no_answer" && *result != "message_left") {
    r.add_error("result", "must be reached, no_answer or message_left");
  }
  if (auto st = r.finish(); !st) return st.error();
  auto client = db_.read([&](sql::Conn& c) {
    auto row = c.query_one("SELECT client_id, status FROM crisis_follow_ups WHERE id = ?", {id});
    return row ? std::optional<std::pair<std::string, std::string>>({row->str(0), row->str(1)})
               : std::nullopt;
  });
  if (!client) return not_found("follow-up " + id);
  auto d = access_.authorize(p, Action::Update, Resource::Clinical, client->first);
  if (!d) return not_found("follow-up " + id);
  auto done = db_.write([&](sql::Conn& c) -> Status {
    const auto n = c.exec(
        "UPDATE crisis_follow_ups SET status = 'done', result = ?, note = ?, done_by = ?, "
        "done_at = ? WHERE id = ? AND status = 'pending'",
        {*result, note ? sql::Value(keys_.seal(*note, k_ctx_follow_up)) : sql::null(), p.user_id,
         now_ms(), id});
    if (n == 0) return make_error(Errc::Conflict, "follow-up " + id + " is already done");
    audit_.append(
        c, access::audit_entry(p, "complete", "crisis_follow_up", id, client->first, *result));
    return ok_status();
  });
  if (!done) return done.error();
  auto all = follow_ups(p, "all", false, client->first);
  if (all) {
    for (auto& f : *all) {
      if (f.id == id) return std::move(f);
    }
  }
  return not_found("follow-up " + id);
}

// ---- roster --------------------------------------------------------------------------------

namespace {
RosterEntry roster_from_row(const sql::Row& r) {
  RosterEntry e;
  e.id = r.str(0);
  e.kind = r.str(1);
  e.user_id = r.str(2);
  e.cover = r.boolean(3);
  e.time_zone = r.str(4);
  const std::string days = r.str(5);
  for (std::size_t at = 0; at + 3 <= days.size(); at += 4) {
    if (auto d = rules::day_number(days.substr(at, 3))) e.days.push_back(*d);
  }
  e.start_minute = static_cast<int>(r.i64(6));
  e.end_minute = static_cast<int>(r.i64(7));
  e.from_date = r.opt_str(8);
  e.until_date = r.opt_str(9);
  e.starts_at_ms = r.opt_i64(10);
  e.ends_at_ms = r.opt_i64(11);
  e.note = r.str(12);
  e.created_by = r.str(13);
  e.created_at_ms = r.i64(14);
  return e;
}
constexpr const char* k_roster_columns =
    "SELECT id, kind, user_id, cover, time_zone, days, start_minute, end_minute, from_date, "
    "until_date, starts_at, ends_at, note, created_by, created_at FROM crisis_roster";
}  // namespace

Result<std::vector<RosterEntry>> CrisisService::roster(const Principal& p) {
  if (!staff(p)) return make_error(Errc::Forbidden, "the roster is for staff");
  return db_.read([&](sql::Conn& c) {
    std::vector<RosterEntry> out;
    for (const auto& r : c.query(std::string(k_roster_columns) +
                                 " WHERE removed_at IS NULL ORDER BY kind, created_at, id")) {
      out.push_back(roster_from_row(r));
    }
    return out;
  });
}

Result<RosterEntry> CrisisService::add_roster_entry(const Principal& p, const bj::object& body) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  json::FieldReader r(body);
  RosterEntry e;
  e.kind = r.string("kind", {.required = true, .max_len = 20}).value_or("");
  e.user_id = r.string("user_id", {.required = true, .max_len = 64}).value_or("");
  e.cover = r.boolean("cover").value_or(false);
  e.time_zone = r.string("time_zone", {.max_len = 64}).value_or(settings_.time_zone);
  e.note = r.string("note", {.max_len = 200}).value_or("");
  e.from_date = r.string("from_date", {.max_len = 10});
  e.until_date = r.string("until_date", {.max_len = 10});
  if (const auto* w = r.raw("weekly"); w != nullptr && !w->is_null()) {
    if (!w->is_object()) {
      r.add_error("weekly", "must be {days, start, end}");
    } else {
      json::FieldReader wr(w->get_object(), "weekly");
      if (const auto* days = wr.raw("days"); days != nullptr && days->is_array()) {
        for (const auto& d : days->get_array()) {
          auto n = d.is_string() ? rules::day_number(d.get_string()) : std::nullopt;
          if (!n) {
            wr.add_error(wr.path("days"), "must list days as sun, mon … sat");
            break;
          }
          e.days.push_back(*n);
        }
      } else {
        wr.add_error(wr.path("days"), "must list days as sun, mon … sat");
      }
      auto start = wr.string("start", {.required = true, .max_len = 5});
      auto end = wr.string("end", {.required = true, .max_len = 5});
      auto sm = start ? rules::minutes_of(*start) : std::nullopt;
      auto em = end ? rules::minutes_of(*end) : std::nullopt;
      if (start && !sm) wr.add_error(wr.path("start"), "must be HH:MM");
      if (end && !em) wr.add_error(wr.path("end"), "must be HH:MM");
      e.start_minute = sm.value_or(0);
      e.end_minute = em.value_or(0);
      auto st = wr.finish();
      if (!st) {
        for (const auto& fe : st.error().errors) r.add_error(fe.field, fe.message);
      }
    }
  }
  if (const auto* o = r.raw("once"); o != nullptr && !o->is_null()) {
    if (!o->is_object()) {
      r.add_error("once", "must be {starts_at, ends_at}");
    } else {
      json::FieldReader orr(o->get_object(), "once");
      auto s = orr.string("starts_at", {.required = true, .max_len = 40});
      auto en = orr.string("ends_at", {.required = true, .max_len = 40});
      TimePoint ts, te;
      if (s && !parse_rfc3339(*s, ts))
        orr.add_error(orr.path("starts_at"), "must be an RFC 3339 time");
      if (en && !parse_rfc3339(*en, te))
        orr.add_error(orr.path("ends_at"), "must be an RFC 3339 time");
      if (!orr.failed()) {
        e.starts_at_ms = unix_ms(ts);
        e.ends_at_ms = unix_ms(te);
      }
      auto st = orr.finish();
      if (!st) {
        for (const auto& fe : st.error().errors) r.add_error(fe.field, fe.message);
      }
    }
  }
  if (e.days.empty() && !e.starts_at_ms && !r.failed()) {
    r.add_error("weekly", "give a weekly pattern or a once window");
  }
  if (!settings_.zones(e.time_zone)) r.add_error("time_zone", "is not a known time zone");
  if (auto st = r.finish(); !st) return st.error();
  if (auto why = rules::check_roster_entry(e); !why.empty()) {
    const auto colon = why.find(':');
    return invalid(why.substr(0, colon), why.substr(colon + 2));
  }
  return db_.write([&](sql::Conn& c) -> Result<RosterEntry> {
    auto u = c.query_one("SELECT role, disabled FROM users WHERE id = ?", {e.user_id});
    auto role = u ? access::parse_role(u->str(0)) : std::nullopt;
    if (!u || u->boolean(1) || !role || !access::rules::is_clinical(*role)) {
      return invalid("user_id", "must be an active clinical staff account");
    }
    e.id = new_id("rs");
    e.created_by = p.user_id;
    e.created_at_ms = now_ms();
    std::string days;
    for (int d : e.days) days += (days.empty() ? "" : " ") + std::string(rules::day_name(d));
    c.exec(
        "INSERT INTO crisis_roster (id, kind, user_id, cover, time_zone, days, start_minute, "
        "end_minute, from_date, until_date, starts_at, ends_at, note, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {e.id, e.kind, e.user_id, std::int64_t{e.cover ? 1 : 0}, e.time_zone, days,
         std::int64_t{e.start_minute}, std::int64_t{e.end_minute}, sql::opt(e.from_date),
         sql::opt(e.until_date), sql::opt(e.starts_at_ms), sql::opt(e.ends_at_ms), e.note,
         e.created_by, e.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "crisis_roster", e.id));
    return e;
  });
}

Status CrisisService::remove_roster_entry(const Principal& p, const std::string& id) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Status {
    const auto n =
        c.exec("UPDATE crisis_roster SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
               {now_ms(), id});
    if (n == 0) return not_found("roster entry " + id);
    audit_.append(c, access::audit_entry(p, "delete", "crisis_roster", id));
    return ok_status();
  });
}

std::pair<std::vector<Person>, std::vector<Person>> CrisisService::on_duty(TimePoint t) {
  return db_.read([&](sql::Conn& c) {
    const auto people = people_for(c, "", t);
    auto named = [&](const std::vector<std::string>& ids) {
      std::vector<Person> out;
      for (const auto& id : ids) {
        auto r = c.query_one("SELECT display_name FROM users WHERE id = ?", {id});
        out.push_back(Person{id, r ? r->str(0) : id});
      }
      return out;
    };
    return std::make_pair(named(people.on_call), named(people.supervisors));
  });
}

// ---- webhooks ------------------------------------------------------------------------------

Result<std::vector<CrisisService::Webhook>> CrisisService::webhooks(const Principal& p) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  return db_.read([&](sql::Conn& c) {
    std::vector<Webhook> out;
    for (const auto& r : c.query(
             "SELECT id, name, url, min_level, created_at FROM crisis_webhooks WHERE removed_at "
             "IS NULL ORDER BY created_at, id")) {
      out.push_back(Webhook{r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4), {}});
    }
    return out;
  });
}

Result<CrisisService::Webhook> CrisisService::add_webhook(const Principal& p,
                                                          const bj::object& body) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  json::FieldReader r(body);
  Webhook w;
  w.name = r.string("name", {.required = true, .max_len = 100}).value_or("");
  w.url = r.string("url", {.required = true, .max_len = 2000}).value_or("");
  w.secret = r.string("secret", {.max_len = 200, .min_len = 16}).value_or("");
  w.min_level = r.string("min_level", {.max_len = 20}).value_or("high");
  if (!rules::parse_level(w.min_level)) {
    r.add_error("min_level", "must be low, moderate, high or imminent");
  }
  if (!w.url.empty()) {
    // The same rules the sender applies, told now rather than at 3 a.m. when an alert goes out:
    // a literal address the sender would refuse is refused here; a name is checked on every
    // delivery, after it is resolved.
    if (auto u = notify::rules::parse_webhook_url(w.url); !u) {
      const auto& errs = u.error().errors;
      r.add_error("url",
                  errs.empty() ? std::string("is not a webhook address") : errs.front().message);
    } else if (u->host_is_ip) {
      if (auto v = notify::rules::classify_address(u->host, settings_.webhook_allow_loopback);
          !v.allowed) {
        r.add_error("url", "must not point at a " + v.reason);
      }
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  if (w.secret.empty()) w.secret = crypto::random_token();
  return db_.write([&](sql::Conn& c) -> Result<Webhook> {
    w.id = new_id("wh");
    w.created_at_ms = now_ms();
    c.exec(
        "INSERT INTO crisis_webhooks (id, name, url, secret, min_level, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {w.id, w.name, w.url, keys_.seal(w.secret, k_ctx_secret), w.min_level, p.user_id,
         w.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "crisis_webhook", w.id));
    return w;
  });
}

Status CrisisService::remove_webhook(const Principal& p, const std::string& id) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Status {
    const auto n =
        c.exec("UPDATE crisis_webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
               {now_ms(), id});
    if (n == 0) return not_found("webhook " + id);
    audit_.append(c, access::audit_entry(p, "delete", "crisis_webhook", id));
    return ok_status();
  });
}

Status CrisisService::test_webhook(const Principal& p, const std::string& id) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  if (!webhook_) return make_error(Errc::Unavailable, "webhooks are not configured");
  auto hook = db_.read([&](sql::Conn& c) {
    return c.query_one(
        "SELECT url, secret FROM crisis_webhooks WHERE id = ? AND removed_at IS NULL", {id});
  });
  if (!hook) return not_found("webhook " + id);
  auto secret = keys_.open(hook->str(1), k_ctx_secret);
  if (!secret) return make_error(Errc::Internal, "webhook secret cannot be decrypted");
  const std::string delivery = new_id("dl");
  return webhook_(hook->str(0), *secret,
                  bj::serialize(bj::object{{"type", "test"}, {"delivery_id", delivery}}), delivery);
}

// ---- safety plans --------------------------------------------------------------------------

namespace {
SafetyPlan plan_from_row(const sql::Row& r, const crypto::Keyring& keys) {
  SafetyPlan s;
  s.client_id = r.str(0);
  s.version = r.i64(1);
  auto text = keys.open(r.str(2), k_ctx_plan);
  if (text) s.sections = parse_sections(*text);
  s.updated_by = Person{r.str(3), r.str(5)};
  s.updated_at_ms = r.i64(4);
  return s;
}
constexpr const char* k_plan_columns =
    "SELECT p.client_id, p.version, p.sections, p.updated_by, p.updated_at, "
    "COALESCE(u.display_name, p.updated_by) FROM safety_plans p LEFT JOIN users u ON u.id = "
    "p.updated_by";
}  // namespace

Result<SafetyPlan> CrisisService::safety_plan(const Principal& p, const std::string& client_id,
                                              std::optional<std::int64_t> version) {
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, client_id);
  if (!d) return d.error();
  auto plan = db_.read([&](sql::Conn& c) -> std::optional<SafetyPlan> {
    auto r = version ? c.query_one(
                           std::string(k_plan_columns) + " WHERE p.client_id = ? AND p.version = ?",
                           {client_id, *version})
                     : c.query_one(std::string(k_plan_columns) +
                                       " WHERE p.client_id = ? ORDER BY p.version DESC LIMIT 1",
                                   {client_id});
    if (!r) return std::nullopt;
    return plan_from_row(*r, keys_);
  });
  if (!plan) {
    return not_found(version ? "safety plan version " + std::to_string(*version)
                             : std::string("safety plan"));
  }
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "safety_plan",
                                         client_id + "@" + std::to_string(plan->version), client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
  });
  return std::move(*plan);
}

Result<std::vector<SafetyPlan>> CrisisService::safety_plan_versions(const Principal& p,
                                                                    const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, client_id);
  if (!d) return d.error();
  auto all = db_.read([&](sql::Conn& c) {
    std::vector<SafetyPlan> out;
    for (const auto& r :
         c.query(std::string(k_plan_columns) + " WHERE p.client_id = ? ORDER BY p.version DESC",
                 {client_id})) {
      out.push_back(plan_from_row(r, keys_));
    }
    return out;
  });
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "safety_plan_versions", client_id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
  });
  return all;
}

Result<SafetyPlan> CrisisService::save_safety_plan(const Principal& p, const std::string& client_id,
                                                   const bj::object& body) {
  // Written together: the client on their own record, staff on the care team.
  auto d = access_.authorize(p, Action::Create, Resource::SelfReport, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  auto version = r.integer("version", true, 0, 1'000'000);
  auto sections = read_sections(r.raw("sections"));
  if (!sections) {
    for (const auto& fe : sections.error().errors) r.add_error(fe.field, fe.message);
    if (sections.error().errors.empty()) r.add_error("sections", sections.error().detail);
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<SafetyPlan> {
    auto cur = c.query_one("SELECT COALESCE(MAX(version), 0) FROM safety_plans WHERE client_id = ?",
                           {client_id});
    const std::int64_t current = cur ? cur->i64(0) : 0;
    if (*version != current) {
      return make_error(Errc::Conflict, "safety plan is at version " + std::to_string(current) +
                                            ", not " + std::to_string(*version) +
                                            ": someone saved it since; reload");
    }
    SafetyPlan s;
    s.client_id = client_id;
    s.version = current + 1;
    s.sections = std::move(*sections);
    s.updated_by = Person{p.user_id, {}};
    s.updated_at_ms = now_ms();
    c.exec(
        "INSERT INTO safety_plans (id, client_id, version, sections, updated_by, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {new_id("sp"), client_id, s.version,
         keys_.seal(bj::serialize(sections_json(s.sections)), k_ctx_plan), p.user_id,
         s.updated_at_ms});
    audit_.append(c, access::audit_entry(p, "update", "safety_plan",
                                         client_id + "@" + std::to_string(s.version), client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    auto u = c.query_one("SELECT display_name FROM users WHERE id = ?", {p.user_id});
    s.updated_by.name = u ? u->str(0) : p.user_id;
    return s;
  });
}

// ---- resources -----------------------------------------------------------------------------

Resources CrisisService::resources(const std::string& region) const {
  Resources out;
  const auto& regions = resources_.at("regions").as_object();
  std::string key = region;
  std::transform(key.begin(), key.end(), key.begin(), ::toupper);
  if (!regions.contains(key)) key = std::string(resources_.at("default_region").as_string());
  out.region = key;
  out.data = regions.at(key).as_object();
  out.data["region"] = key;
  bj::array known;
  for (const auto& kv : regions) known.emplace_back(kv.key());
  out.data["regions"] = std::move(known);
  return out;
}

std::string CrisisService::region_of(const std::string& client_id) {
  auto country = db_.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT country FROM clients WHERE id = ?", {client_id});
    return r ? r->str(0) : std::string();
  });
  std::string key = country;
  std::transform(key.begin(), key.end(), key.begin(), ::toupper);
  static const std::map<std::string, std::string> names = {
      {"UNITED STATES", "US"},  {"USA", "US"},        {"CANADA", "CA"},
      {"UNITED KINGDOM", "GB"}, {"UK", "GB"},         {"IRELAND", "IE"},
      {"AUSTRALIA", "AU"},      {"NEW ZEALAND", "NZ"}};
  if (auto it = names.find(key); it != names.end()) key = it->second;
  return key;
}

}  // namespace tend::crisis
