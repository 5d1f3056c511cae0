#include "education/service.h"

#include <limits>
#include <set>

#include "care/owner.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/metrics.h"

namespace tend::education {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {
constexpr const char* k_ctx_note = "education_assignments.note";
constexpr const char* k_columns =
    "a.id, a.client_id, a.slug, a.note, a.status, a.assigned_by, u.display_name, a.assigned_at, "
    "a.read_at, a.rating, a.rated_at, a.version";

std::string glass(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}
}  // namespace

EducationService::EducationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                   audit::AuditLog& audit, access::AccessService& access,
                                   const Library& library)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access), library_(library) {}

std::vector<Assignment> EducationService::load_many(sql::Conn& c, const std::string& where,
                                                    const sql::Params& params) {
  std::vector<Assignment> out;
  for (const auto& r : c.query(std::string("SELECT ") + k_columns +
                                   " FROM education_assignments a JOIN users u ON u.id = "
                                   "a.assigned_by WHERE " +
                                   where,
                               params)) {
    Assignment a;
    a.id = r.str(0);
    a.client_id = r.str(1);
    a.slug = r.str(2);
    if (!r.is_null(3) && !r.str(3).empty()) {
      auto note = keys_.open(r.str(3), k_ctx_note);
      a.note = note ? *note : std::string();
    }
    a.status = r.str(4);
    a.assigned_by = r.str(5);
    a.assigned_by_name = r.str(6);
    a.assigned_at_ms = r.i64(7);
    a.read_at_ms = r.opt_i64(8);
    if (!r.is_null(9)) a.rating = static_cast<int>(r.i64(9));
    a.rated_at_ms = r.opt_i64(10);
    a.version = r.i64(11);
    out.push_back(std::move(a));
  }
  return out;
}

std::optional<Assignment> EducationService::load(sql::Conn& c, const std::string& id) {
  auto found = load_many(c, "a.id = ?", {id});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

Result<Assignment> EducationService::assign(const Principal& p, const std::string& client_id,
                                            const bj::object& body) {
  if (p.role == access::Role::Client) {
    return make_error(Errc::Forbidden, "articles are given by the care team");
  }
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  const std::string slug = r.string("slug", {.required = true, .max_len = 100}).value_or("");
  const std::string note = r.string("note", {.max_len = 1000}).value_or("");
  if (!slug.empty() && !library_.find(slug)) {
    r.add_error("slug", "is not an article of the library");
  }
  if (auto st = r.finish(); !st) return st.error();
  const auto already = [&slug] {
    return make_error(Errc::Conflict,
                      "education: " + slug + " is already assigned to this client, unread");
  };
  const auto stored = [&](sql::Conn& c) -> Result<Assignment> {
    if (c.query_one("SELECT 1 FROM education_assignments WHERE client_id = ? AND slug = ? AND "
                    "status = 'assigned'",
                    {client_id, slug})) {
      return already();
    }
    const std::string id = new_id("ea");
    c.exec(
        "INSERT INTO education_assignments (id, client_id, slug, note, status, assigned_by, "
        "assigned_at, version) VALUES (?, ?, ?, ?, 'assigned', ?, ?, 1)",
        {id, client_id, slug,
         sql::opt(note.empty() ? std::nullopt
                               : std::optional<std::string>(keys_.seal(note, k_ctx_note))),
         p.user_id, clock_.unix_ms()});
    audit_.append(
        c, access::audit_entry(p, "create", "education_assignment", id, client_id, glass(*d)));
    metrics::inc("tend_education_assigned_total", "kind", library_.find(slug)->kind);
    return std::move(*load(c, id));
  };
  try {
    return db_.write(stored);
  } catch (const sql::DbError& e) {
    // Two requests gave the same article at the same instant (PostgreSQL, or two instances):
    // the unique index on unread assignments let one in; the other is the ordinary 409.
    if (!e.unique_violation()) throw;
    return already();
  }
}

Result<std::vector<Assignment>> EducationService::for_client(const Principal& p,
                                                             const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Assignment>> {
    auto out = load_many(c, "a.client_id = ? ORDER BY a.assigned_at DESC, a.id DESC", {client_id});
    audit_.append(c, access::audit_entry(p, "read", "education_assignments", client_id, client_id,
                                         glass(*d)));
    return out;
  });
}

Result<std::vector<Assignment>> EducationService::mine(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own reading list");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Assignment>> {
    return load_many(c,
                     "a.client_id = ? AND a.status <> 'cancelled' ORDER BY a.assigned_at DESC, "
                     "a.id DESC",
                     {p.client_id});
  });
}

Result<Assignment> EducationService::own(sql::Conn& c, const Principal& p, const std::string& id) {
  // Staff act on assignments from the chart; these are the client's own steps. Anyone else's
  // assignment is not found, so nobody learns it exists.
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "only the client marks their reading");
  }
  auto found = load_many(c, "a.id = ? AND a.client_id = ?", {id, p.client_id});
  if (found.empty()) return not_found("assignment " + id);
  if (found.front().status == "cancelled") {
    return make_error(Errc::Conflict, "assignment: it was taken back by the care team");
  }
  return std::move(found.front());
}

Result<Assignment> EducationService::mark_read(const Principal& p, const std::string& id) {
  return db_.write([&](sql::Conn& c) -> Result<Assignment> {
    auto a = own(c, p, id);
    if (!a) return a.error();
    if (a->status == "read") return std::move(*a);
    c.exec(
        "UPDATE education_assignments SET status = 'read', read_at = ?, version = version + 1 "
        "WHERE id = ? AND status = 'assigned'",
        {clock_.unix_ms(), id});
    audit_.append(c, access::audit_entry(p, "update", "education_assignment", id, p.client_id));
    metrics::inc("tend_education_read_total");
    return std::move(*load(c, id));
  });
}

Result<Assignment> EducationService::rate(const Principal& p, const std::string& id,
                                          const bj::object& body) {
  json::FieldReader r(body);
  auto rating = r.integer("rating", true, 1, 5);
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Assignment> {
    auto a = own(c, p, id);
    if (!a) return a.error();
    if (a->status != "read") {
      return make_error(Errc::Conflict, "assignment: mark it read before rating it");
    }
    c.exec(
        "UPDATE education_assignments SET rating = ?, rated_at = ?, version = version + 1 "
        "WHERE id = ?",
        {*rating, clock_.unix_ms(), id});
    audit_.append(c, access::audit_entry(p, "update", "education_assignment", id, p.client_id));
    return std::move(*load(c, id));
  });
}

Result<Assignment> EducationService::cancel(const Principal& p, const std::string& id,
                                            const bj::object& body) {
  auto owned = care::owner_of(db_, access_, p, "education_assignments", id, Action::Update,
                              Resource::Clinical, "assignment");
  if (!owned) return owned.error();
  if (p.role == access::Role::Client) return not_found("assignment " + id);
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Assignment> {
    auto a = load(c, id);
    if (!a) return not_found("assignment " + id);
    if (a->status != "assigned") {
      return make_error(Errc::Conflict, "assignment: already " + a->status);
    }
    if (a->version != *version) {
      return make_error(Errc::Conflict, "assignment is at version " + std::to_string(a->version) +
                                            ", not " + std::to_string(*version) +
                                            ": someone changed it since; reload");
    }
    c.exec(
        "UPDATE education_assignments SET status = 'cancelled', cancelled_by = ?, "
        "cancelled_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        {p.user_id, clock_.unix_ms(), id, *version});
    audit_.append(c, access::audit_entry(p, "update", "education_assignment", id, owned->client_id,
                                         glass(owned->decision)));
    return std::move(*load(c, id));
  });
}

Result<std::vector<Suggestion>> EducationService::suggestions(const Principal& p,
                                                              const std::string& client_id) {
  if (p.role == access::Role::Client) {
    return make_error(Errc::Forbidden, "suggestions are for the care team");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  std::vector<std::string> codes;
  if (diagnoses_) {
    auto dx = diagnoses_->list(p, client_id);
    if (!dx) return dx.error();
    for (const auto& x : *dx) {
      if (x.status == "provisional" || x.status == "confirmed") codes.push_back(x.code);
    }
  }
  std::vector<Measure> measures;
  if (measures_) {
    auto series = measures_->measures(p, client_id);
    if (!series) return series.error();
    const auto since = clock_.unix_ms() - std::int64_t{k_recent_days} * 86'400'000;
    for (const auto& s : *series) {
      if (s.results.empty() || !s.instrument) continue;
      const auto& latest = s.results.back();
      if (latest.completed_at_ms < since || !latest.score.band) continue;
      Measure m;
      m.instrument = s.instrument->id;
      m.band = latest.score.band->code;
      m.lowest = !s.instrument->bands.empty() && s.instrument->bands.front().code == m.band;
      measures.push_back(std::move(m));
    }
  }
  auto given = db_.read([&](sql::Conn& c) {
    std::set<std::string> out;
    for (const auto& r : c.query("SELECT slug FROM education_assignments WHERE client_id = ? AND "
                                 "status <> 'cancelled'",
                                 {client_id})) {
      out.insert(r.str(0));
    }
    return out;
  });
  std::vector<Suggestion> out;
  for (auto& s : library_.suggest_for(codes, measures)) {
    if (given.count(s.article->slug) == 0) out.push_back(std::move(s));
  }
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "education_suggestions", client_id, client_id,
                                         glass(*d)));
  });
  return out;
}

}  // namespace tend::education
