#include "care/plan_service.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "care/owner.h"
#include "platform/content.h"
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

constexpr const char* k_ctx_content = "care_plan_versions.content";
constexpr const char* k_ctx_task_title = "care_tasks.title";  // as TaskService opens it
constexpr const char* k_ctx_summary = "care_discharges.summary";
constexpr const char* k_ctx_relapse = "care_discharges.relapse";
constexpr std::int64_t k_max_version = std::numeric_limits<std::int32_t>::max();

std::string glass(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}

Error stale(const std::string& what, std::int64_t current, std::int64_t given) {
  return make_error(Errc::Conflict,
                    what + " is at version " + std::to_string(current) + ", not " +
                        std::to_string(given) + ": someone changed it since; reload",
                    {{"version", "is not the current version (" + std::to_string(current) + ")"}});
}

bj::array strings_json(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> strings_of(const bj::value* v) {
  std::vector<std::string> out;
  if (v == nullptr || !v->is_array()) return out;
  for (const auto& x : v->get_array()) {
    if (x.is_string()) out.emplace_back(x.get_string());
  }
  return out;
}

std::string str_of(const bj::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                  : std::string();
}

PlanContent content_from_json(const bj::value& v) {
  PlanContent c;
  if (!v.is_object()) return c;
  const auto& o = v.get_object();
  const auto items = [&o](const char* key) {
    std::vector<PlanItem> out;
    if (auto it = o.find(key); it != o.end() && it->value().is_array()) {
      for (const auto& x : it->value().get_array()) {
        if (x.is_object())
          out.push_back({str_of(x.get_object(), "id"), str_of(x.get_object(), "text")});
      }
    }
    return out;
  };
  c.problems = items("problems");
  c.goals = items("goals");
  if (auto it = o.find("objectives"); it != o.end() && it->value().is_array()) {
    for (const auto& x : it->value().get_array()) {
      if (!x.is_object()) continue;
      const auto& xo = x.get_object();
      Objective ob;
      ob.id = str_of(xo, "id");
      ob.text = str_of(xo, "text");
      ob.target_on = str_of(xo, "target_on");
      ob.instrument_id = str_of(xo, "instrument_id");
      ob.comparison = str_of(xo, "comparison");
      ob.since = str_of(xo, "since");
      if (auto t = xo.find("target"); t != xo.end() && t->value().is_number()) {
        ob.target = t->value().to_number<double>();
      }
      c.objectives.push_back(std::move(ob));
    }
  }
  if (auto it = o.find("interventions"); it != o.end() && it->value().is_array()) {
    for (const auto& x : it->value().get_array()) {
      if (!x.is_object()) continue;
      const auto& xo = x.get_object();
      c.interventions.push_back({str_of(xo, "id"), str_of(xo, "code"), str_of(xo, "detail"),
                                 str_of(xo, "frequency"), str_of(xo, "delivered_by"), ""});
    }
  }
  c.review_on = str_of(o, "review_on");
  return c;
}

//! A new stable id for an item of a plan.
std::string item_id(const char* prefix) {
  return new_id(prefix);
}

}  // namespace

bj::object content_json(const PlanContent& c) {
  const auto items = [](const std::vector<PlanItem>& v) {
    bj::array a;
    for (const auto& i : v) a.push_back(bj::object{{"id", i.id}, {"text", i.text}});
    return a;
  };
  bj::array objectives;
  for (const auto& o : c.objectives) {
    bj::object j{
        {"id", o.id},
        {"text", o.text},
        {"target_on", o.target_on},
        {"since", o.since},
        {"instrument_id",
         o.instrument_id.empty() ? bj::value(nullptr) : bj::value(o.instrument_id)},
        {"comparison", o.comparison.empty() ? bj::value(nullptr) : bj::value(o.comparison)},
        {"target", o.target ? bj::value(*o.target) : bj::value(nullptr)}};
    objectives.push_back(std::move(j));
  }
  bj::array interventions;
  for (const auto& i : c.interventions) {
    interventions.push_back(bj::object{{"id", i.id},
                                       {"code", i.code},
                                       {"detail", i.detail},
                                       {"frequency", i.frequency},
                                       {"delivered_by", i.delivered_by}});
  }
  return {{"problems", items(c.problems)},
          {"goals", items(c.goals)},
          {"objectives", std::move(objectives)},
          {"interventions", std::move(interventions)},
          {"review_on", c.review_on}};
}

bj::object relapse_json(const RelapsePrevention& r) {
  return {{"warning_signs", strings_json(r.warning_signs)},
          {"what_helps", strings_json(r.what_helps)},
          {"contacts", strings_json(r.contacts)},
          {"coming_back", r.coming_back}};
}

// ---- plans ---------------------------------------------------------------------------------

PlanService::PlanService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                         audit::AuditLog& audit, access::AccessService& access,
                         assessment::AssessmentService& assessments)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      assessments_(assessments) {
  for (const auto& f : content::embedded()) {
    if (f.path != "care/interventions.json") continue;
    const auto doc = bj::parse(f.text);
    for (const auto& x : doc.at("interventions").as_array()) {
      const auto& o = x.as_object();
      interventions_.push_back({str_of(o, "code"), str_of(o, "name"), str_of(o, "client_text")});
    }
  }
}

std::string PlanService::today() const {
  return format_date(clock_.now());
}

const InterventionInfo* PlanService::intervention(const std::string& code) const {
  for (const auto& i : interventions_) {
    if (i.code == code) return &i;
  }
  return nullptr;
}

std::string PlanService::seal(const PlanContent& content) const {
  return keys_.seal(bj::serialize(content_json(content)), k_ctx_content);
}

PlanContent PlanService::open_content(const std::string& sealed) const {
  auto text = keys_.open(sealed, k_ctx_content);
  if (!text) return {};
  boost::system::error_code ec;
  auto v = bj::parse(*text, ec);
  return ec ? PlanContent{} : content_from_json(v);
}

Result<PlanContent> PlanService::read_content(json::FieldReader& r) {
  PlanContent c;
  const auto list = [&r](const char* key) -> const bj::array* {
    const auto* v = r.raw(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_array()) {
      r.add_error(key, "must be a list");
      return nullptr;
    }
    if (v->get_array().size() > 50) {
      r.add_error(key, "must have at most 50 items");
      return nullptr;
    }
    return &v->get_array();
  };
  // Each item is read strictly; its errors carry its path ("goals[1].text").
  const auto each = [&r](const bj::array* a, const char* key, auto&& read_one) {
    if (a == nullptr) return;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
      if (!(*a)[i].is_object()) {
        r.add_error(at, "must be an object");
        continue;
      }
      json::FieldReader item((*a)[i].get_object(), at);
      read_one(item);
      (void)item.finish();
      for (const auto& e : item.errors()) r.add_error(e.field, e.message);
    }
  };
  const auto plain = [](std::vector<PlanItem>& out) {
    return [&out](json::FieldReader& item) {
      PlanItem pi;
      pi.id = item.string("id", {.max_len = 40}).value_or("");
      pi.text = item.string("text", {.required = true, .max_len = 2000}).value_or("");
      out.push_back(std::move(pi));
    };
  };
  each(list("problems"), "problems", plain(c.problems));
  each(list("goals"), "goals", plain(c.goals));
  each(list("objectives"), "objectives", [&c](json::FieldReader& item) {
    Objective o;
    o.id = item.string("id", {.max_len = 40}).value_or("");
    o.text = item.string("text", {.required = true, .max_len = 2000}).value_or("");
    o.target_on = item.string("target_on", {.required = true, .max_len = 10}).value_or("");
    o.instrument_id = item.string("instrument_id", {.max_len = 64}).value_or("");
    o.comparison = item.string("comparison", {.max_len = 20}).value_or("");
    if (const auto* t = item.raw("target"); t != nullptr && !t->is_null()) {
      if (t->is_number()) {
        o.target = t->to_number<double>();
      } else {
        item.add_error(item.path("target"), "must be a number");
      }
    }
    c.objectives.push_back(std::move(o));
  });
  each(list("interventions"), "interventions", [&c](json::FieldReader& item) {
    Intervention iv;
    iv.id = item.string("id", {.max_len = 40}).value_or("");
    iv.code = item.string("code", {.required = true, .max_len = 40}).value_or("");
    iv.detail = item.string("detail", {.max_len = 500}).value_or("");
    iv.frequency = item.string("frequency", {.required = true, .max_len = 100}).value_or("");
    iv.delivered_by = item.string("delivered_by", {.required = true, .max_len = 64}).value_or("");
    c.interventions.push_back(std::move(iv));
  });
  c.review_on = r.string("review_on", {.required = true, .max_len = 10}).value_or("");
  if (c.goals.empty() && !r.failed()) r.add_error("goals", "needs at least one goal");
  if (!r.failed()) {
    std::vector<std::string> codes;
    for (const auto& i : interventions_) codes.push_back(i.code);
    for (const auto& bad : rules::check_plan(c, today(), codes))
      r.add_error(bad.field, bad.message);
    for (std::size_t i = 0; i < c.objectives.size(); ++i) {
      const auto& o = c.objectives[i];
      if (!o.instrument_id.empty() && !assessments_.instrument(o.instrument_id)) {
        r.add_error("objectives[" + std::to_string(i) + "].instrument_id",
                    "is not an instrument of the library");
      }
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  return c;
}

Status PlanService::settle(sql::Conn& c, PlanContent& content, const PlanContent* before) {
  const std::string now = today();
  for (std::size_t i = 0; i < content.interventions.size(); ++i) {
    auto& iv = content.interventions[i];
    auto who = c.query_one("SELECT role, disabled FROM users WHERE id = ?", {iv.delivered_by});
    if (!who || who->i64(1) != 0 || who->str(0) == "client" || who->str(0) == "analyst" ||
        who->str(0) == "front_desk") {
      const std::string field = "interventions[" + std::to_string(i) + "].delivered_by";
      const std::string detail = field + ": must be an active clinical colleague";
      return make_error(Errc::Validation, detail,
                        {{field, "must be an active clinical colleague"}});
    }
  }
  // Items keep their ids across versions; a new one gets its own. An objective keeps the day it
  // was first set, so its progress counts from there.
  std::map<std::string, std::string> since;
  if (before != nullptr) {
    for (const auto& o : before->objectives) since[o.id] = o.since;
  }
  for (auto& x : content.problems) {
    if (x.id.empty()) x.id = item_id("pp");
  }
  for (auto& x : content.goals) {
    if (x.id.empty()) x.id = item_id("pg");
  }
  for (auto& x : content.objectives) {
    if (x.id.empty()) x.id = item_id("po");
    auto it = since.find(x.id);
    x.since = it != since.end() && !it->second.empty() ? it->second : now;
  }
  for (auto& x : content.interventions) {
    if (x.id.empty()) x.id = item_id("pi");
  }
  return ok_status();
}

void PlanService::fill_names(sql::Conn& c, PlanContent& content) {
  std::map<std::string, std::string> names;
  for (auto& iv : content.interventions) {
    auto it = names.find(iv.delivered_by);
    if (it == names.end()) {
      auto u = c.query_one("SELECT display_name FROM users WHERE id = ?", {iv.delivered_by});
      it = names.emplace(iv.delivered_by, u ? u->str(0) : iv.delivered_by).first;
    }
    iv.delivered_by_name = it->second;
  }
  for (auto& o : content.objectives) {
    if (o.instrument_id.empty()) continue;
    auto in = assessments_.instrument(o.instrument_id);
    o.instrument_name = in ? (*in)->name : o.instrument_id;
  }
}

std::optional<PlanVersion> PlanService::load_version(sql::Conn& c, const std::string& id,
                                                     std::int64_t n) {
  auto r = c.query_one(
      "SELECT v.version, v.content, v.saved_by, v.saved_at, COALESCE(u.display_name, v.saved_by) "
      "FROM care_plan_versions v LEFT JOIN users u ON u.id = v.saved_by "
      "WHERE v.plan_id = ? AND v.version = ?",
      {id, n});
  if (!r) return std::nullopt;
  PlanVersion v;
  v.version = r->i64(0);
  v.content = open_content(r->str(1));
  v.saved_by = r->str(2);
  v.saved_at_ms = r->i64(3);
  v.saved_by_name = r->str(4);
  fill_names(c, v.content);
  return v;
}

std::optional<Plan> PlanService::load(sql::Conn& c, const std::string& id) {
  auto r = c.query_one(
      "SELECT id, client_id, episode_id, version, created_by, created_at FROM care_plans "
      "WHERE id = ?",
      {id});
  if (!r) return std::nullopt;
  Plan p;
  p.id = r->str(0);
  p.client_id = r->str(1);
  p.episode_id = r->is_null(2) ? std::string() : r->str(2);
  p.created_by = r->str(4);
  p.created_at_ms = r->i64(5);
  auto v = load_version(c, id, r->i64(3));
  if (v) p.current = std::move(*v);
  auto a = c.query_one(
      "SELECT version, agreed_at FROM care_plan_agreements WHERE plan_id = ? "
      "ORDER BY version DESC LIMIT 1",
      {id});
  if (a) p.agreed = Agreement{a->i64(0), a->i64(1)};
  return p;
}

PlanView PlanService::with_progress(const Principal& p, Plan plan) {
  PlanView view;
  const std::string now = today();
  std::map<std::string, std::vector<ScorePoint>> results;
  bool any = false;
  for (const auto& o : plan.current.content.objectives) any = any || !o.instrument_id.empty();
  if (any) {
    if (auto series = assessments_.measures(p, plan.client_id)) {
      for (const auto& s : *series) {
        auto& points = results[s.instrument->id];
        for (const auto& a : s.results) {
          if (a.score.total) {
            points.push_back({format_date(from_unix_ms(a.completed_at_ms)), *a.score.total});
          }
        }
      }
    }
  }
  for (const auto& o : plan.current.content.objectives) {
    static const std::vector<ScorePoint> none;
    auto it = results.find(o.instrument_id);
    view.progress.push_back(rules::progress(
        o, o.instrument_id.empty() || it == results.end() ? none : it->second, o.since, now));
  }
  view.plan = std::move(plan);
  return view;
}

Result<PlanView> PlanService::create(const Principal& p, const std::string& client_id,
                                     const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  const std::string episode_id = r.string("episode_id", {.max_len = 64}).value_or("");
  auto content = read_content(r);
  if (!content) return content.error();
  auto plan = db_.write([&](sql::Conn& c) -> Result<Plan> {
    if (!episode_id.empty()) {
      auto ep = c.query_one("SELECT client_id FROM care_episodes WHERE id = ?", {episode_id});
      if (!ep || ep->str(0) != client_id) {
        return make_error(Errc::Validation, "episode_id: not an episode of this client",
                          {{"episode_id", "is not an episode of this client"}});
      }
    }
    if (auto st = settle(c, *content, nullptr); !st) return st.error();
    const std::string id = new_id("pl");
    const auto now = clock_.unix_ms();
    const std::string task_id = new_id("tk");
    c.exec(
        "INSERT INTO care_tasks (id, client_id, episode_id, kind, title, due_on, owner_id, status, "
        "created_by, created_at, version) VALUES (?, ?, ?, 'review', ?, ?, ?, 'open', ?, ?, 1)",
        {task_id, client_id, episode_id.empty() ? sql::Value() : sql::Value(episode_id),
         keys_.seal("Review the treatment plan", k_ctx_task_title), content->review_on, p.user_id,
         p.user_id, now});
    c.exec(
        "INSERT INTO care_plans (id, client_id, episode_id, version, review_on, review_task_id, "
        "created_by, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
        {id, client_id, episode_id.empty() ? sql::Value() : sql::Value(episode_id),
         content->review_on, task_id, p.user_id, now, now});
    c.exec(
        "INSERT INTO care_plan_versions (id, plan_id, version, content, saved_by, saved_at) "
        "VALUES (?, ?, 1, ?, ?, ?)",
        {new_id("pv"), id, seal(*content), p.user_id, now});
    audit_.append(c, access::audit_entry(p, "create", "plan", id + "@1", client_id, glass(*d)));
    audit_.append(c, access::audit_entry(p, "create", "task", task_id, client_id));
    metrics::inc("tend_care_plan_versions_total");
    return *load(c, id);
  });
  if (!plan) return plan.error();
  return with_progress(p, std::move(*plan));
}

Result<std::vector<Plan>> PlanService::list(const Principal& p, const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Plan>> {
    std::vector<Plan> out;
    for (const auto& r :
         c.query("SELECT id FROM care_plans WHERE client_id = ? ORDER BY updated_at DESC, id",
                 {client_id})) {
      if (auto plan = load(c, r.str(0))) out.push_back(std::move(*plan));
    }
    audit_.append(c, access::audit_entry(p, "read", "plans", client_id, client_id, glass(*d)));
    return out;
  });
}

Result<PlanView> PlanService::get(const Principal& p, const std::string& id) {
  auto owned =
      owner_of(db_, access_, p, "care_plans", id, Action::Read, Resource::Clinical, "plan");
  if (!owned) return owned.error();
  auto plan = db_.write([&](sql::Conn& c) -> Result<Plan> {
    auto pl = load(c, id);
    if (!pl) return not_found("plan " + id);
    audit_.append(
        c, access::audit_entry(p, "read", "plan", id + "@" + std::to_string(pl->current.version),
                               owned->client_id, glass(owned->decision)));
    return std::move(*pl);
  });
  if (!plan) return plan.error();
  return with_progress(p, std::move(*plan));
}

Result<PlanView> PlanService::revise(const Principal& p, const std::string& id,
                                     const bj::object& body) {
  auto owned =
      owner_of(db_, access_, p, "care_plans", id, Action::Update, Resource::Clinical, "plan");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, k_max_version);
  auto content = read_content(r);
  if (!content) return content.error();
  auto plan = db_.write([&](sql::Conn& c) -> Result<Plan> {
    auto row = c.query_one(
        "SELECT version, review_on, review_task_id, created_by, episode_id FROM care_plans "
        "WHERE id = ?",
        {id});
    if (!row) return not_found("plan " + id);
    const std::int64_t current = row->i64(0);
    if (current != *version) return stale("plan", current, *version);
    auto before = load_version(c, id, current);
    if (auto st = settle(c, *content, before ? &before->content : nullptr); !st) {
      return st.error();
    }
    const auto now = clock_.unix_ms();
    std::string task_id = row->is_null(2) ? std::string() : row->str(2);
    if (row->str(1) != content->review_on) {
      // The review task follows the date: moved while open, a new one once it was closed.
      auto task = task_id.empty()
                      ? std::nullopt
                      : c.query_one("SELECT status FROM care_tasks WHERE id = ?", {task_id});
      if (task && task->str(0) == "open") {
        c.exec("UPDATE care_tasks SET due_on = ?, version = version + 1 WHERE id = ?",
               {content->review_on, task_id});
        audit_.append(c, access::audit_entry(p, "update", "task", task_id, client));
      } else {
        task_id = new_id("tk");
        c.exec(
            "INSERT INTO care_tasks (id, client_id, episode_id, kind, title, due_on, owner_id, "
            "status, created_by, created_at, version) "
            "VALUES (?, ?, ?, 'review', ?, ?, ?, 'open', ?, ?, 1)",
            {task_id, client, row->is_null(4) ? sql::Value() : sql::Value(row->str(4)),
             keys_.seal("Review the treatment plan", k_ctx_task_title), content->review_on,
             row->str(3), p.user_id, now});
        audit_.append(c, access::audit_entry(p, "create", "task", task_id, client));
      }
    }
    const std::int64_t next = current + 1;
    c.exec(
        "UPDATE care_plans SET version = ?, review_on = ?, review_task_id = ?, updated_at = ? "
        "WHERE id = ? AND version = ?",
        {next, content->review_on, task_id.empty() ? sql::Value() : sql::Value(task_id), now, id,
         current});
    c.exec(
        "INSERT INTO care_plan_versions (id, plan_id, version, content, saved_by, saved_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {new_id("pv"), id, next, seal(*content), p.user_id, now});
    audit_.append(c, access::audit_entry(p, "update", "plan", id + "@" + std::to_string(next),
                                         client, glass(owned->decision)));
    metrics::inc("tend_care_plan_versions_total");
    return *load(c, id);
  });
  if (!plan) return plan.error();
  return with_progress(p, std::move(*plan));
}

Result<std::vector<PlanVersion>> PlanService::versions(const Principal& p, const std::string& id) {
  auto owned =
      owner_of(db_, access_, p, "care_plans", id, Action::Read, Resource::Clinical, "plan");
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<PlanVersion>> {
    std::vector<PlanVersion> out;
    for (const auto& r :
         c.query("SELECT version FROM care_plan_versions WHERE plan_id = ? ORDER BY version DESC",
                 {id})) {
      if (auto v = load_version(c, id, r.i64(0))) out.push_back(std::move(*v));
    }
    audit_.append(c, access::audit_entry(p, "read", "plan_versions", id, owned->client_id,
                                         glass(owned->decision)));
    return out;
  });
}

Result<PlanVersion> PlanService::version(const Principal& p, const std::string& id,
                                         std::int64_t n) {
  auto owned =
      owner_of(db_, access_, p, "care_plans", id, Action::Read, Resource::Clinical, "plan");
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Result<PlanVersion> {
    auto v = load_version(c, id, n);
    if (!v) return not_found("plan " + id + " version " + std::to_string(n));
    audit_.append(c, access::audit_entry(p, "read", "plan", id + "@" + std::to_string(n),
                                         owned->client_id, glass(owned->decision)));
    return std::move(*v);
  });
}

Result<std::vector<PlanChange>> PlanService::diff(const Principal& p, const std::string& id,
                                                  std::int64_t from, std::int64_t to) {
  auto owned =
      owner_of(db_, access_, p, "care_plans", id, Action::Read, Resource::Clinical, "plan");
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<PlanChange>> {
    auto a = load_version(c, id, from);
    if (!a) return not_found("plan " + id + " version " + std::to_string(from));
    auto b = load_version(c, id, to);
    if (!b) return not_found("plan " + id + " version " + std::to_string(to));
    audit_.append(c,
                  access::audit_entry(p, "read", "plan_diff",
                                      id + "@" + std::to_string(from) + ".." + std::to_string(to),
                                      owned->client_id, glass(owned->decision)));
    return rules::diff(a->content, b->content);
  });
}

Result<PlanView> PlanService::mine(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own view (portal)");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  auto plan = db_.write([&](sql::Conn& c) -> Result<Plan> {
    auto r = c.query_one(
        "SELECT id FROM care_plans WHERE client_id = ? ORDER BY updated_at DESC, id LIMIT 1",
        {p.client_id});
    if (!r) return not_found("plan");
    auto pl = load(c, r->str(0));
    audit_.append(
        c, access::audit_entry(p, "read", "plan",
                               pl->id + "@" + std::to_string(pl->current.version), p.client_id));
    return std::move(*pl);
  });
  if (!plan) return plan.error();
  return with_progress(p, std::move(*plan));
}

Result<PlanView> PlanService::agree(const Principal& p, const std::string& id,
                                    const bj::object& body) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "only the client agrees to their plan (portal)");
  }
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, k_max_version);
  if (auto st = r.finish(); !st) return st.error();
  auto plan = db_.write([&](sql::Conn& c) -> Result<Plan> {
    auto row = c.query_one("SELECT client_id, version FROM care_plans WHERE id = ?", {id});
    // Another client's plan is as unknown as one that does not exist.
    if (!row || row->str(0) != p.client_id) return not_found("plan " + id);
    const std::int64_t current = row->i64(1);
    if (current != *version) {
      return make_error(
          Errc::Conflict,
          "the plan has changed: it is at version " + std::to_string(current) + "; read it again",
          {{"version", "is not the current version (" + std::to_string(current) + ")"}});
    }
    if (!c.query_one("SELECT 1 FROM care_plan_agreements WHERE plan_id = ? AND version = ?",
                     {id, current})) {
      c.exec(
          "INSERT INTO care_plan_agreements (id, plan_id, version, agreed_by, agreed_at) "
          "VALUES (?, ?, ?, ?, ?)",
          {new_id("pa"), id, current, p.user_id, clock_.unix_ms()});
      audit_.append(c, access::audit_entry(p, "agree", "plan", id + "@" + std::to_string(current),
                                           p.client_id));
      metrics::inc("tend_care_plan_agreements_total");
    }
    return *load(c, id);
  });
  if (!plan) return plan.error();
  return with_progress(p, std::move(*plan));
}

// ---- discharge ------------------------------------------------------------------------------

DischargeService::DischargeService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                   audit::AuditLog& audit, access::AccessService& access,
                                   assessment::AssessmentService& assessments)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      assessments_(assessments) {}

std::optional<Discharge> DischargeService::load(sql::Conn& c, const std::string& where,
                                                const sql::Params& params) {
  auto r = c.query_one(
      "SELECT d.episode_id, d.client_id, e.program, e.ended_on, d.summary, d.relapse, "
      "d.written_by, COALESCE(u.display_name, d.written_by), d.updated_at, d.version "
      "FROM care_discharges d JOIN care_episodes e ON e.id = d.episode_id "
      "LEFT JOIN users u ON u.id = d.written_by WHERE " +
          where,
      params);
  if (!r) return std::nullopt;
  Discharge d;
  d.episode_id = r->str(0);
  d.client_id = r->str(1);
  d.program = r->str(2);
  d.ended_on = r->is_null(3) ? std::string() : r->str(3);
  if (auto text = keys_.open(r->str(4), k_ctx_summary)) {
    boost::system::error_code ec;
    auto v = bj::parse(*text, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.get_object();
      d.reason = str_of(o, "reason");
      d.what_helped = str_of(o, "what_helped");
      d.recommendations = str_of(o, "recommendations");
      if (auto it = o.find("outcomes"); it != o.end() && it->value().is_array()) {
        for (const auto& x : it->value().get_array()) {
          const auto& xo = x.as_object();
          d.outcomes.push_back({str_of(xo, "instrument_id"), str_of(xo, "instrument_name"),
                                xo.at("start").to_number<double>(), str_of(xo, "start_on"),
                                xo.at("end").to_number<double>(), str_of(xo, "end_on")});
        }
      }
    }
  }
  if (auto text = keys_.open(r->str(5), k_ctx_relapse)) {
    boost::system::error_code ec;
    auto v = bj::parse(*text, ec);
    if (!ec && v.is_object()) {
      const auto& o = v.get_object();
      d.relapse.warning_signs = strings_of(o.if_contains("warning_signs"));
      d.relapse.what_helps = strings_of(o.if_contains("what_helps"));
      d.relapse.contacts = strings_of(o.if_contains("contacts"));
      d.relapse.coming_back = str_of(o, "coming_back");
    }
  }
  d.written_by = r->str(6);
  d.written_by_name = r->str(7);
  d.updated_at_ms = r->i64(8);
  d.version = r->i64(9);
  return d;
}

Result<Discharge> DischargeService::get(const Principal& p, const std::string& episode_id) {
  auto owned = owner_of(db_, access_, p, "care_episodes", episode_id, Action::Read,
                        Resource::Clinical, "episode");
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Result<Discharge> {
    auto d = load(c, "d.episode_id = ?", {episode_id});
    if (!d) return not_found("discharge summary of episode " + episode_id);
    audit_.append(c, access::audit_entry(p, "read", "discharge", episode_id, owned->client_id,
                                         glass(owned->decision)));
    return std::move(*d);
  });
}

Result<Discharge> DischargeService::save(const Principal& p, const std::string& episode_id,
                                         const bj::object& body) {
  auto owned = owner_of(db_, access_, p, "care_episodes", episode_id, Action::Update,
                        Resource::Clinical, "episode");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  json::FieldReader r(body);
  auto version = r.integer("version", true, 0, k_max_version);
  Discharge d;
  d.episode_id = episode_id;
  d.client_id = client;
  d.reason = r.string("reason", {.required = true, .max_len = 4000}).value_or("");
  d.what_helped = r.string("what_helped", {.max_len = 4000}).value_or("");
  d.recommendations = r.string("recommendations", {.max_len = 4000}).value_or("");
  if (const auto* rel = r.raw("relapse"); rel == nullptr || !rel->is_object()) {
    r.add_error("relapse", "is required: the relapse prevention plan");
  } else {
    json::FieldReader rr(rel->get_object(), "relapse");
    const auto lines = [&rr](const char* key) {
      std::vector<std::string> out;
      const auto* v = rr.raw(key);
      if (v == nullptr || v->is_null()) return out;
      if (!v->is_array() || v->get_array().size() > 30) {
        rr.add_error(rr.path(key), "must be a list of at most 30 lines");
        return out;
      }
      const auto& a = v->get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string() || a[i].get_string().empty() || a[i].get_string().size() > 1000) {
          rr.add_error(rr.path(key) + "[" + std::to_string(i) + "]",
                       "must be a line of text of 1 to 1000 characters");
        } else {
          out.emplace_back(a[i].get_string());
        }
      }
      return out;
    };
    d.relapse.warning_signs = lines("warning_signs");
    d.relapse.what_helps = lines("what_helps");
    d.relapse.contacts = lines("contacts");
    d.relapse.coming_back =
        rr.string("coming_back", {.required = true, .max_len = 4000}).value_or("");
    if (d.relapse.warning_signs.empty() && !rr.failed()) {
      rr.add_error("relapse.warning_signs", "needs at least one early warning sign");
    }
    (void)rr.finish();
    for (const auto& e : rr.errors()) r.add_error(e.field, e.message);
  }
  if (auto st = r.finish(); !st) return st.error();
  // The episode's dates, then the results in between (read outside the write).
  auto ep = db_.read([&](sql::Conn& c) {
    return c.query_one("SELECT stage, referred_on, ended_on FROM care_episodes WHERE id = ?",
                       {episode_id});
  });
  if (!ep) return not_found("episode " + episode_id);
  if (ep->str(0) != "discharged") {
    return make_error(Errc::Conflict,
                      "the episode is " + ep->str(0) + ": a discharge summary needs it discharged",
                      {{"episode", "is not discharged"}});
  }
  std::vector<rules::MeasureSeries> series;
  if (auto measures = assessments_.measures(p, client)) {
    for (const auto& s : *measures) {
      rules::MeasureSeries ms{s.instrument->id, s.instrument->name, {}};
      for (const auto& a : s.results) {
        if (a.score.total) {
          ms.results.push_back({format_date(from_unix_ms(a.completed_at_ms)), *a.score.total});
        }
      }
      series.push_back(std::move(ms));
    }
  }
  d.outcomes = rules::outcome_measures(series, ep->str(1), ep->is_null(2) ? "" : ep->str(2));
  bj::array outcomes;
  for (const auto& o : d.outcomes) {
    outcomes.push_back(bj::object{{"instrument_id", o.instrument_id},
                                  {"instrument_name", o.instrument_name},
                                  {"start", o.start},
                                  {"start_on", o.start_on},
                                  {"end", o.end},
                                  {"end_on", o.end_on}});
  }
  const std::string summary = bj::serialize(bj::object{{"reason", d.reason},
                                                       {"what_helped", d.what_helped},
                                                       {"recommendations", d.recommendations},
                                                       {"outcomes", std::move(outcomes)}});
  const std::string relapse = bj::serialize(relapse_json(d.relapse));
  return db_.write([&](sql::Conn& c) -> Result<Discharge> {
    auto cur =
        c.query_one("SELECT version FROM care_discharges WHERE episode_id = ?", {episode_id});
    const std::int64_t current = cur ? cur->i64(0) : 0;
    if (current != *version) return stale("discharge summary", current, *version);
    const auto now = clock_.unix_ms();
    if (cur) {
      c.exec(
          "UPDATE care_discharges SET summary = ?, relapse = ?, written_by = ?, updated_at = ?, "
          "version = version + 1 WHERE episode_id = ? AND version = ?",
          {keys_.seal(summary, k_ctx_summary), keys_.seal(relapse, k_ctx_relapse), p.user_id, now,
           episode_id, current});
    } else {
      c.exec(
          "INSERT INTO care_discharges (episode_id, client_id, summary, relapse, written_by, "
          "created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
          {episode_id, client, keys_.seal(summary, k_ctx_summary),
           keys_.seal(relapse, k_ctx_relapse), p.user_id, now, now});
    }
    audit_.append(c, access::audit_entry(p, cur ? "update" : "create", "discharge", episode_id,
                                         client, glass(owned->decision)));
    metrics::inc("tend_care_discharge_summaries_total");
    return *load(c, "d.episode_id = ?", {episode_id});
  });
}

Result<Discharge> DischargeService::mine(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own view (portal)");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<Discharge> {
    auto found = load(c, "d.client_id = ? ORDER BY d.updated_at DESC LIMIT 1", {p.client_id});
    if (!found) return not_found("relapse prevention plan");
    audit_.append(
        c, access::audit_entry(p, "read", "relapse_prevention", found->episode_id, p.client_id));
    // The client keeps what is theirs to keep: not the clinician's summary.
    found->reason.clear();
    found->what_helped.clear();
    found->recommendations.clear();
    found->outcomes.clear();
    return std::move(*found);
  });
}

}  // namespace tend::care
