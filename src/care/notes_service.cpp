#include "care/notes_service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <map>
#include <set>

#include "crisis/rules.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/metrics.h"

namespace tend::care {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {
constexpr const char* k_ctx_body = "care_notes.body";
constexpr const char* k_ctx_addendum = "care_note_addenda.text";
constexpr std::size_t k_addendum_max = 20000;
constexpr std::size_t k_member_part_max = 20000;
constexpr const char* k_note_columns =
    "n.id, n.client_id, n.kind, n.template, n.appointment_id, n.episode_id, n.group_id, n.body, "
    "n.status, n.author_id, n.created_at, n.updated_at, n.signed_at, n.cosigner_id, "
    "n.cosigned_at, n.version, a.display_name, s.display_name, c.given_name, c.family_name, "
    "c.preferred_name";

Error refused(const rules::NoteRefusal& r) {
  return make_error(r.code, r.field + ": " + r.message, {{r.field, r.message}});
}

Error stale(const Note& n, std::int64_t version) {
  return make_error(Errc::Conflict,
                    "note is at version " + std::to_string(n.version) + ", not " +
                        std::to_string(version) + ": someone changed it since; reload",
                    {{"version", "is stale; reload"}});
}

std::string reason_of(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}
}  // namespace

NoteService::NoteService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                         audit::AuditLog& audit, access::AccessService& access,
                         assessment::AssessmentService& assessments, crisis::CrisisService& crisis,
                         NoteTemplates templates)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      assessments_(assessments),
      crisis_(crisis),
      templates_(std::move(templates)) {}

audit::NewEntry NoteService::note_audit(const Principal& p, const std::string& action,
                                        const std::string& id, const std::string& client_id,
                                        const std::string& kind, const access::Decision& d) const {
  if (kind == "psychotherapy") {
    return access::audit_entry(p, action, "psychotherapy_note", id, "", reason_of(d));
  }
  return access::audit_entry(p, action, "note", id, client_id, reason_of(d));
}

Result<NoteService::Owned> NoteService::owner_of(const Principal& p, const std::string& id,
                                                 Action action) {
  auto row = db_.read([&](sql::Conn& c) {
    return c.query_one("SELECT client_id, kind, author_id FROM care_notes WHERE id = ?", {id});
  });
  if (!row || p.role == access::Role::Client) return not_found("note " + id);
  const std::string kind = row->str(1);
  if (kind == "psychotherapy" && row->str(2) != p.user_id) return not_found("note " + id);
  auto d = access_.authorize(p, action, Resource::Clinical, row->str(0));
  if (!d) {
    if (d.error().code == Errc::Forbidden) return not_found("note " + id);
    return d.error();
  }
  return Owned{row->str(0), kind, *d};
}

std::vector<Note> NoteService::load_many(sql::Conn& c, const std::string& where,
                                         const sql::Params& params, const std::string& order) {
  std::vector<Note> out;
  const std::string from =
      " FROM care_notes n JOIN users a ON a.id = n.author_id LEFT JOIN users s ON s.id = "
      "n.cosigner_id JOIN clients c ON c.id = n.client_id WHERE " +
      where;
  for (const auto& r :
       c.query(std::string("SELECT ") + k_note_columns + from + " ORDER BY " + order, params)) {
    Note n;
    n.id = r.str(0);
    n.client_id = r.str(1);
    n.kind = r.str(2);
    n.template_id = r.str(3);
    n.appointment_id = r.is_null(4) ? std::string() : r.str(4);
    n.episode_id = r.is_null(5) ? std::string() : r.str(5);
    n.group_id = r.is_null(6) ? std::string() : r.str(6);
    if (auto body = keys_.open(r.str(7), k_ctx_body)) {
      boost::system::error_code ec;
      auto v = bj::parse(*body, ec);
      if (!ec && v.is_object()) {
        const auto& o = v.as_object();
        if (const auto* s = o.if_contains("sections"); s && s->is_object()) {
          for (const auto& [k, text] : s->as_object()) {
            if (text.is_string()) n.sections[std::string(k)] = std::string(text.as_string());
          }
        }
        if (const auto* m = o.if_contains("mse"); m && m->is_object()) {
          for (const auto& [k, a] : m->as_object()) {
            if (!a.is_object()) continue;
            MseAnswer ans;
            if (const auto* ch = a.as_object().if_contains("choices"); ch && ch->is_array()) {
              for (const auto& x : ch->as_array()) {
                if (x.is_string()) ans.choices.emplace_back(x.as_string());
              }
            }
            if (const auto* t = a.as_object().if_contains("text"); t && t->is_string()) {
              ans.text = std::string(t->as_string());
            }
            n.mse[std::string(k)] = std::move(ans);
          }
        }
        if (const auto* mp = o.if_contains("member_part"); mp && mp->is_string()) {
          n.member_part = std::string(mp->as_string());
        }
      }
    }
    n.status = r.str(8);
    n.author_id = r.str(9);
    n.created_at_ms = r.i64(10);
    n.updated_at_ms = r.i64(11);
    n.signed_at_ms = r.is_null(12) ? 0 : r.i64(12);
    n.cosigner_id = r.is_null(13) ? std::string() : r.str(13);
    n.cosigned_at_ms = r.is_null(14) ? 0 : r.i64(14);
    n.version = r.i64(15);
    n.author_name = r.str(16);
    n.cosigner_name = r.is_null(17) ? std::string() : r.str(17);
    const std::string given = r.is_null(20) || r.str(20).empty() ? r.str(18) : r.str(20);
    n.client_name = given + " " + r.str(19);
    out.push_back(std::move(n));
  }
  if (out.empty()) return out;
  std::map<std::string, Note*> by_id;
  for (auto& n : out) by_id[n.id] = &n;
  for (const auto& r :
       c.query("SELECT d.note_id, d.id, d.text, d.author_id, u.display_name, d.created_at FROM "
               "care_note_addenda d JOIN users u ON u.id = d.author_id WHERE d.note_id IN (SELECT "
               "n.id FROM care_notes n JOIN clients c ON c.id = n.client_id WHERE " +
                   where + ") ORDER BY d.created_at, d.id",
               params)) {
    auto it = by_id.find(r.str(0));
    if (it == by_id.end()) continue;
    Addendum a;
    a.id = r.str(1);
    auto text = keys_.open(r.str(2), k_ctx_addendum);
    a.text = text ? *text : std::string();
    a.author_id = r.str(3);
    a.author_name = r.str(4);
    a.created_at_ms = r.i64(5);
    it->second->addenda.push_back(std::move(a));
  }
  return out;
}

std::optional<Note> NoteService::load(sql::Conn& c, const std::string& id) {
  auto all = load_many(c, "n.id = ?", {id}, "n.id");
  if (all.empty()) return std::nullopt;
  return std::move(all.front());
}

std::string NoteService::seal_body(const Note& n) const {
  bj::object sections;
  for (const auto& [k, v] : n.sections) sections[k] = v;
  bj::object mse;
  for (const auto& [k, a] : n.mse) {
    bj::array choices;
    for (const auto& ch : a.choices) choices.emplace_back(ch);
    mse[k] = bj::object{{"choices", std::move(choices)}, {"text", a.text}};
  }
  bj::object body{{"sections", std::move(sections)}, {"mse", std::move(mse)}};
  if (!n.member_part.empty()) body["member_part"] = n.member_part;
  return keys_.seal(bj::serialize(body), k_ctx_body);
}

void NoteService::check_links(sql::Conn& c, const std::string& client_id,
                              const std::string& appointment_id, const std::string& episode_id,
                              const std::string& prefix, std::vector<FieldError>& errors) {
  if (!appointment_id.empty() &&
      !c.query_one("SELECT 1 FROM care_appointments WHERE id = ? AND client_id = ?",
                   {appointment_id, client_id})) {
    errors.push_back({prefix + "appointment_id", "must be an appointment of this client"});
  }
  if (!episode_id.empty() && !c.query_one("SELECT 1 FROM care_episodes WHERE id = ? AND "
                                          "client_id = ?",
                                          {episode_id, client_id})) {
    errors.push_back({prefix + "episode_id", "must be an episode of care of this client"});
  }
}

Result<NotePrefill> NoteService::prefill(const Principal& p, const std::string& client_id,
                                         const std::string& template_id) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "notes are for staff");
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  NotePrefill out;
  out.note_template = templates_.find(template_id);
  if (!out.note_template) {
    return make_error(Errc::Validation, "template: must be one of the note templates",
                      {{"template", "must be one of the note templates"}});
  }
  // The latest result of each instrument, and the one before it.
  auto history = assessments_.history(p, client_id, std::nullopt, 1000);
  if (!history) return history.error();
  std::map<std::string, std::size_t> by_instrument;
  for (const auto& a : *history) {
    auto it = by_instrument.find(a.instrument_id);
    if (it == by_instrument.end()) {
      MeasureSummary m;
      m.instrument_id = a.instrument_id;
      m.instrument_name = a.instrument_name;
      m.assessment_id = a.id;
      m.total = a.score.total;
      if (a.score.band) m.band_label = a.score.band->label;
      m.completed_on = format_date(from_unix_ms(a.completed_at_ms));
      if (a.since_previous) m.classification = a.since_previous->classification;
      for (const auto& f : a.score.flags) {
        m.flags.push_back(f.label);
        out.risk.flags.push_back(a.instrument_name + ": " + f.label);
      }
      by_instrument[a.instrument_id] = out.measures.size();
      out.measures.push_back(std::move(m));
    } else if (auto& m = out.measures[it->second]; m.previous_on.empty()) {
      m.previous_total = a.score.total;
      m.previous_on = format_date(from_unix_ms(a.completed_at_ms));
    }
  }
  std::sort(out.measures.begin(), out.measures.end(),
            [](const MeasureSummary& a, const MeasureSummary& b) {
              return a.instrument_name < b.instrument_name;
            });
  auto alerts = crisis_.list(p, "active", client_id, 50);
  if (!alerts) return alerts.error();
  for (const auto& a : *alerts) {
    out.risk.open_alerts.push_back({a.id, std::string(crisis::rules::level_name(a.level)), a.status,
                                    a.reason, format_date(from_unix_ms(a.opened_at_ms))});
  }
  if (auto plan = crisis_.safety_plan(p, client_id)) {
    out.risk.safety_plan_version = plan->version;
    out.risk.safety_plan_updated_on = format_date(from_unix_ms(plan->updated_at_ms));
  } else if (plan.error().code != Errc::NotFound) {
    return plan.error();
  }
  out.sections = rules::prefill_sections(*out.note_template, rules::measures_text(out.measures),
                                         rules::risk_text(out.risk));
  return out;
}

Result<Note> NoteService::create(const Principal& p, const std::string& client_id,
                                 const bj::object& body) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "notes are for staff");
  json::FieldReader r(body);
  Note n;
  n.client_id = client_id;
  n.kind = r.string("kind", {.max_len = 20}).value_or("progress");
  const auto template_id = r.string("template", {.required = true, .max_len = 40});
  n.appointment_id = r.string("appointment_id", {.max_len = 64}).value_or("");
  n.episode_id = r.string("episode_id", {.max_len = 64}).value_or("");
  const auto* sections = r.raw("sections");
  const auto* mse = r.raw("mse");
  auto d = access_.authorize(
      p, Action::Create,
      n.kind == "psychotherapy" ? Resource::PsychotherapyNote : Resource::Clinical, client_id);
  if (!d) return d.error();
  if (!rules::valid_note_kind(n.kind)) r.add_error("kind", "must be progress or psychotherapy");
  const NoteTemplate* t = template_id ? templates_.find(*template_id) : nullptr;
  if (template_id && !t) r.add_error("template", "must be one of the note templates");
  std::vector<FieldError> errors;
  if (t && sections && !sections->is_null())
    rules::read_sections(*sections, *t, n.sections, errors);
  if (mse && !mse->is_null()) rules::read_mse(*mse, templates_.mse, n.mse, errors);
  for (auto& e : errors) r.add_error(e.field, e.message);
  if (auto st = r.finish(); !st) return st.error();
  n.template_id = t->id;
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    std::vector<FieldError> link_errors;
    check_links(c, client_id, n.appointment_id, n.episode_id, "", link_errors);
    if (!link_errors.empty()) {
      const std::string detail = "invalid field: " + link_errors.front().field;
      return make_error(Errc::Validation, detail, std::move(link_errors));
    }
    n.id = new_id("nt");
    n.author_id = p.user_id;
    n.created_at_ms = n.updated_at_ms = clock_.unix_ms();
    c.exec(
        "INSERT INTO care_notes (id, client_id, kind, template, appointment_id, episode_id, body, "
        "status, author_id, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, "
        "'draft', ?, ?, ?, 1)",
        {n.id, client_id, n.kind, n.template_id,
         n.appointment_id.empty() ? sql::null() : sql::Value(n.appointment_id),
         n.episode_id.empty() ? sql::null() : sql::Value(n.episode_id), seal_body(n), p.user_id,
         n.created_at_ms, n.updated_at_ms});
    audit_.append(c, note_audit(p, "create", n.id, client_id, n.kind, *d));
    metrics::inc("tend_care_notes_created_total", "kind", n.kind);
    auto full = load(c, n.id);
    return std::move(*full);
  });
}

Result<std::vector<Note>> NoteService::for_client(const Principal& p,
                                                  const std::string& client_id) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "notes are for staff");
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Note>> {
    // Psychotherapy notes of other authors are not there at all, not even as a count.
    auto out = load_many(c, "n.client_id = ? AND (n.kind = 'progress' OR n.author_id = ?)",
                         {client_id, p.user_id}, "n.created_at DESC, n.id");
    audit_.append(c, access::audit_entry(p, "read", "notes", client_id, client_id, reason_of(*d)));
    return out;
  });
}

Result<Note> NoteService::get(const Principal& p, const std::string& id) {
  auto owned = owner_of(p, id, Action::Read);
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    audit_.append(c, note_audit(p, "read", id, owned->client_id, owned->kind, owned->decision));
    return std::move(*n);
  });
}

Result<Note> NoteService::save(const Principal& p, const std::string& id, const bj::object& body) {
  auto owned = owner_of(p, id, Action::Update);
  if (!owned) return owned.error();
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  const auto* sections = r.raw("sections");
  const auto* mse = r.raw("mse");
  const auto member_part = r.string("member_part", {.max_len = k_member_part_max});
  const bool member_part_given = r.has("member_part");
  const auto appointment_id = r.string("appointment_id", {.max_len = 64});
  const bool appointment_given = r.has("appointment_id");
  const auto episode_id = r.string("episode_id", {.max_len = 64});
  const bool episode_given = r.has("episode_id");
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    if (auto refusal = rules::check_edit(*n, p.user_id)) return refused(*refusal);
    if (n->version != *version) return stale(*n, *version);
    std::vector<FieldError> errors;
    const NoteTemplate* t = templates_.find(n->template_id);
    if (t && sections && !sections->is_null()) {
      rules::read_sections(*sections, *t, n->sections, errors);
    }
    if (mse && !mse->is_null()) rules::read_mse(*mse, templates_.mse, n->mse, errors);
    if (member_part_given) {
      if (n->group_id.empty()) {
        errors.push_back({"member_part", "is for a group note's member only"});
      } else {
        n->member_part = member_part.value_or("");
      }
    }
    if (appointment_given) n->appointment_id = appointment_id.value_or("");
    if (episode_given) n->episode_id = episode_id.value_or("");
    check_links(c, n->client_id, appointment_given ? n->appointment_id : "",
                episode_given ? n->episode_id : "", "", errors);
    if (!errors.empty()) {
      const std::string detail = "invalid field: " + errors.front().field;
      return make_error(Errc::Validation, detail, std::move(errors));
    }
    const auto now = clock_.unix_ms();
    c.exec(
        "UPDATE care_notes SET body = ?, appointment_id = ?, episode_id = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        {seal_body(*n), n->appointment_id.empty() ? sql::null() : sql::Value(n->appointment_id),
         n->episode_id.empty() ? sql::null() : sql::Value(n->episode_id), now, id, *version});
    audit_.append(c, note_audit(p, "update", id, owned->client_id, owned->kind, owned->decision));
    auto full = load(c, id);
    return std::move(*full);
  });
}

Result<Note> NoteService::sign(const Principal& p, const std::string& id, const bj::object& body) {
  auto owned = owner_of(p, id, Action::Update);
  if (!owned) return owned.error();
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    if (auto refusal = rules::check_sign(*n, p.user_id)) return refused(*refusal);
    if (n->version != *version) return stale(*n, *version);
    auto sup = c.query_one(
        "SELECT s.supervisor_id, u.display_name FROM staff_supervisors s JOIN users u ON u.id = "
        "s.supervisor_id WHERE s.user_id = ? AND u.disabled = 0",
        {p.user_id});
    const std::string status = rules::status_after_signing(*n, sup.has_value());
    std::string cosigner;
    if (status == "awaiting_cosign") {
      cosigner = sup->str(0);
      if (!c.query_one("SELECT 1 FROM care_team WHERE client_id = ? AND user_id = ?",
                       {n->client_id, cosigner})) {
        const std::string msg = "your supervisor " + sup->str(1) + " (" + cosigner +
                                ") co-signs your notes and is not on this client's care team; "
                                "add them to it first";
        return make_error(Errc::Conflict, "cosigner: " + msg, {{"cosigner", msg}});
      }
    }
    const auto now = clock_.unix_ms();
    c.exec(
        "UPDATE care_notes SET status = ?, signed_at = ?, cosigner_id = ?, updated_at = ?, "
        "version = version + 1 WHERE id = ? AND version = ?",
        {status, now, cosigner.empty() ? sql::null() : sql::Value(cosigner), now, id, *version});
    audit_.append(c, note_audit(p, "sign", id, owned->client_id, owned->kind, owned->decision));
    metrics::inc("tend_care_notes_signed_total", "status", status);
    auto full = load(c, id);
    return std::move(*full);
  });
}

Result<Note> NoteService::cosign(const Principal& p, const std::string& id,
                                 const bj::object& body) {
  auto owned = owner_of(p, id, Action::Update);
  if (!owned) return owned.error();
  json::FieldReader r(body);
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    if (auto refusal = rules::check_cosign(*n, p.user_id)) return refused(*refusal);
    if (n->version != *version) return stale(*n, *version);
    const auto now = clock_.unix_ms();
    c.exec(
        "UPDATE care_notes SET status = 'signed', cosigned_at = ?, updated_at = ?, version = "
        "version + 1 WHERE id = ? AND version = ?",
        {now, now, id, *version});
    audit_.append(c, note_audit(p, "cosign", id, owned->client_id, owned->kind, owned->decision));
    metrics::inc("tend_care_notes_cosigned_total");
    auto full = load(c, id);
    return std::move(*full);
  });
}

Result<Note> NoteService::add_addendum(const Principal& p, const std::string& id,
                                       const bj::object& body) {
  auto owned = owner_of(p, id, Action::Update);
  if (!owned) return owned.error();
  json::FieldReader r(body);
  const auto text = r.string("text", {.required = true, .max_len = k_addendum_max});
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Note> {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    if (auto refusal = rules::check_addendum(*n)) return refused(*refusal);
    const auto now = clock_.unix_ms();
    const std::string addendum_id = new_id("na");
    c.exec(
        "INSERT INTO care_note_addenda (id, note_id, text, author_id, created_at) VALUES (?, ?, "
        "?, ?, ?)",
        {addendum_id, id, keys_.seal(*text, k_ctx_addendum), p.user_id, now});
    c.exec("UPDATE care_notes SET updated_at = ?, version = version + 1 WHERE id = ?", {now, id});
    audit_.append(
        c, note_audit(p, "add_addendum", id, owned->client_id, owned->kind, owned->decision));
    metrics::inc("tend_care_note_addenda_total");
    auto full = load(c, id);
    return std::move(*full);
  });
}

Status NoteService::remove(const Principal& p, const std::string& id) {
  auto owned = owner_of(p, id, Action::Update);
  if (!owned) return owned.error();
  return db_.write([&](sql::Conn& c) -> Status {
    auto n = load(c, id);
    if (!n) return not_found("note " + id);
    if (auto refusal = rules::check_delete(*n, p.user_id)) return refused(*refusal);
    c.exec("DELETE FROM care_notes WHERE id = ? AND status = 'draft'", {id});
    audit_.append(c, note_audit(p, "delete", id, owned->client_id, owned->kind, owned->decision));
    return ok_status();
  });
}

Result<NotesToSign> NoteService::waiting(const Principal& p) {
  if (p.role == access::Role::Client || !access::rules::is_clinical(p.role)) {
    return make_error(Errc::Forbidden, "notes are for clinical staff");
  }
  const auto now = clock_.unix_ms();
  return db_.read([&](sql::Conn& c) -> Result<NotesToSign> {
    NotesToSign out;
    for (auto& n : load_many(c, "n.author_id = ? AND n.status = 'draft'", {p.user_id},
                             "n.created_at, n.id")) {
      if (rules::overdue_for_signature(n, now)) out.to_sign.push_back(std::move(n));
    }
    out.to_cosign = load_many(c, "n.cosigner_id = ? AND n.status = 'awaiting_cosign'", {p.user_id},
                              "n.signed_at, n.id");
    return out;
  });
}

Result<GroupNote> NoteService::write_group(const Principal& p, const bj::object& body) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "notes are for staff");
  json::FieldReader r(body);
  const auto template_id = r.string("template", {.required = true, .max_len = 40});
  const auto* sections = r.raw("sections");
  const auto* mse = r.raw("mse");
  const auto* members = r.raw("members");
  const NoteTemplate* t = template_id ? templates_.find(*template_id) : nullptr;
  if (template_id && !t) r.add_error("template", "must be one of the note templates");
  Note shared;
  std::vector<FieldError> errors;
  if (t && sections && !sections->is_null()) {
    rules::read_sections(*sections, *t, shared.sections, errors);
  }
  if (mse && !mse->is_null()) rules::read_mse(*mse, templates_.mse, shared.mse, errors);
  struct Member {
    std::string client_id, appointment_id, text;
    access::Decision decision;
  };
  std::vector<Member> list;
  if (!members || !members->is_array() || members->as_array().size() < 2 ||
      members->as_array().size() > 30) {
    r.add_error("members", "must list 2 to 30 members");
  } else {
    std::set<std::string> seen;
    std::size_t i = 0;
    for (const auto& m : members->as_array()) {
      const std::string prefix = "members[" + std::to_string(i++) + "]";
      if (!m.is_object()) {
        r.add_error(prefix, "must be {client_id, appointment_id?, text?}");
        continue;
      }
      json::FieldReader mr(m.as_object(), prefix);
      Member one;
      one.client_id = mr.string("client_id", {.required = true, .max_len = 64}).value_or("");
      one.appointment_id = mr.string("appointment_id", {.max_len = 64}).value_or("");
      one.text = mr.string("text", {.max_len = k_member_part_max}).value_or("");
      (void)mr.finish();
      for (const auto& e : mr.errors()) r.add_error(e.field, e.message);
      if (one.client_id.empty()) continue;
      if (!seen.insert(one.client_id).second) {
        r.add_error(prefix + ".client_id", "lists the same client twice");
        continue;
      }
      auto d = access_.authorize(p, Action::Create, Resource::Clinical, one.client_id);
      if (!d) {
        r.add_error(prefix + ".client_id", "must be a client on your care team");
        continue;
      }
      one.decision = *d;
      list.push_back(std::move(one));
    }
  }
  for (auto& e : errors) r.add_error(e.field, e.message);
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<GroupNote> {
    std::vector<FieldError> link_errors;
    for (std::size_t i = 0; i < list.size(); ++i) {
      check_links(c, list[i].client_id, list[i].appointment_id, "",
                  "members[" + std::to_string(i) + "].", link_errors);
    }
    if (!link_errors.empty()) {
      const std::string detail = "invalid field: " + link_errors.front().field;
      return make_error(Errc::Validation, detail, std::move(link_errors));
    }
    GroupNote out;
    out.group_id = new_id("gn");
    const auto now = clock_.unix_ms();
    for (const auto& m : list) {
      Note n = shared;
      n.id = new_id("nt");
      n.member_part = m.text;
      c.exec(
          "INSERT INTO care_notes (id, client_id, kind, template, appointment_id, group_id, body, "
          "status, author_id, created_at, updated_at, version) VALUES (?, ?, 'progress', ?, ?, ?, "
          "?, 'draft', ?, ?, ?, 1)",
          {n.id, m.client_id, t->id,
           m.appointment_id.empty() ? sql::null() : sql::Value(m.appointment_id), out.group_id,
           seal_body(n), p.user_id, now, now});
      audit_.append(
          c, access::audit_entry(p, "create", "note", n.id, m.client_id, reason_of(m.decision)));
      out.notes.push_back(std::move(*load(c, n.id)));
    }
    metrics::inc("tend_care_group_notes_total");
    return out;
  });
}

Result<std::string> NoteService::set_supervisor(const Principal& p, const std::string& user_id,
                                                const bj::object& body) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  json::FieldReader r(body);
  const bool given = r.has("supervisor_id");
  const auto supervisor = r.string("supervisor_id", {.max_len = 64});
  if (!given) r.add_error("supervisor_id", "is required (null clears it)");
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<std::string> {
    const auto clinical = [&](const std::string& id) {
      auto u = c.query_one("SELECT role, disabled FROM users WHERE id = ?", {id});
      if (!u || u->i64(1) != 0) return false;
      auto role = access::parse_role(u->str(0));
      return role && access::rules::is_clinical(*role);
    };
    if (!clinical(user_id)) return not_found("clinical staff member " + user_id);
    c.exec("DELETE FROM staff_supervisors WHERE user_id = ?", {user_id});
    if (supervisor) {
      if (*supervisor == user_id || !clinical(*supervisor)) {
        return make_error(Errc::Validation,
                          "supervisor_id: must be another active clinical staff member",
                          {{"supervisor_id", "must be another active clinical staff member"}});
      }
      c.exec(
          "INSERT INTO staff_supervisors (user_id, supervisor_id, set_by, set_at) VALUES (?, ?, "
          "?, ?)",
          {user_id, *supervisor, p.user_id, clock_.unix_ms()});
    }
    audit_.append(c, access::audit_entry(p, "update", "supervisor", user_id));
    return supervisor.value_or("");
  });
}

Result<std::vector<Supervision>> NoteService::supervisions(const Principal& p) {
  if (auto st = access_.require_admin(p); !st) return st.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Supervision>> {
    std::vector<Supervision> out;
    for (const auto& r :
         c.query("SELECT s.user_id, s.supervisor_id, u.display_name FROM staff_supervisors s JOIN "
                 "users u ON u.id = s.supervisor_id ORDER BY s.user_id")) {
      out.push_back({r.str(0), r.str(1), r.str(2)});
    }
    return out;
  });
}

}  // namespace tend::care
