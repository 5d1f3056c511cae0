#include "care/diagnosis_service.h"

#include <limits>

#include "care/owner.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/metrics.h"

namespace tend::care {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {

constexpr const char* k_ctx_dx_note = "care_diagnoses.note";
constexpr const char* k_ctx_dx_change_note = "care_diagnosis_changes.note";
constexpr const char* k_ctx_med_name = "care_medications.name";
constexpr const char* k_ctx_med_reason = "care_medications.reason";
constexpr const char* k_ctx_med_change_reason = "care_medication_changes.reason";

Error refused(const rules::Refusal& r) {
  const std::string detail = r.field + ": " + r.message;
  return make_error(r.conflict ? Errc::Conflict : Errc::Validation, detail, {{r.field, r.message}});
}

Error stale(const std::string& what, std::int64_t have, std::int64_t sent) {
  return make_error(Errc::Conflict,
                    what + " is at version " + std::to_string(have) + ", not " +
                        std::to_string(sent) + ": someone changed it since; reload",
                    {{"version", "is stale"}});
}

//! Serialises changes to one client's diagnoses across instances: on PostgreSQL the client's
//! row is the lock (two new primaries at once would otherwise both find none to demote);
//! SQLite has a single writer.
void lock_client(sql::Conn& c, const std::string& client_id) {
  if (c.dialect() == sql::Dialect::Postgres) {
    c.query("SELECT id FROM clients WHERE id = ? FOR UPDATE", {client_id});
  }
}

std::string glass(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}

std::string opened(const crypto::Keyring& keys, const std::string& sealed, const char* ctx) {
  if (sealed.empty()) return {};
  auto plain = keys.open(sealed, ctx);
  return plain ? *plain : std::string();
}

std::string sealed(const crypto::Keyring& keys, const std::string& plain, const char* ctx) {
  return plain.empty() ? std::string() : keys.seal(plain, ctx);
}

}  // namespace

// ---- diagnoses -------------------------------------------------------------------------------

DiagnosisService::DiagnosisService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                   audit::AuditLog& audit, access::AccessService& access,
                                   rules::CodeList codes)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      codes_(std::move(codes)) {}

std::string DiagnosisService::today() const {
  return format_date(clock_.now());
}

Status DiagnosisService::may_write(const Principal& p) const {
  if (p.role != access::Role::Clinician && p.role != access::Role::Prescriber) {
    return make_error(Errc::Forbidden, "diagnoses are made by clinicians and prescribers");
  }
  return ok_status();
}

Result<std::vector<Code>> DiagnosisService::search(const Principal& p, const std::string& query,
                                                   std::size_t limit) {
  if (p.role == access::Role::Client) return make_error(Errc::Forbidden, "codes are for staff");
  return rules::search_codes(codes_, query, limit);
}

std::vector<Diagnosis> DiagnosisService::load_many(sql::Conn& c, const std::string& where,
                                                   const sql::Params& params) {
  std::vector<Diagnosis> out;
  for (const auto& r :
       c.query("SELECT d.id, d.client_id, d.code, d.title, d.rank, d.status, d.diagnosed_on, "
               "d.diagnosed_by, u.display_name, d.note, d.created_at, d.updated_at, d.version "
               "FROM care_diagnoses d JOIN users u ON u.id = d.diagnosed_by WHERE " +
                   where,
               params)) {
    Diagnosis d;
    d.id = r.str(0);
    d.client_id = r.str(1);
    d.code = r.str(2);
    d.title = r.str(3);
    d.rank = r.str(4);
    d.status = r.str(5);
    d.diagnosed_on = r.str(6);
    d.diagnosed_by = r.str(7);
    d.diagnosed_by_name = r.str(8);
    d.note = opened(keys_, r.str(9), k_ctx_dx_note);
    d.created_at_ms = r.i64(10);
    d.updated_at_ms = r.i64(11);
    d.version = r.i64(12);
    out.push_back(std::move(d));
  }
  for (auto& d : out) {
    for (const auto& h : c.query("SELECT from_status, to_status, from_rank, to_rank, note, "
                                 "by_user, at FROM care_diagnosis_changes WHERE diagnosis_id = ? "
                                 "ORDER BY at, id",
                                 {d.id})) {
      d.history.push_back(DiagnosisChange{h.str(0), h.str(1), h.str(2), h.str(3),
                                          opened(keys_, h.str(4), k_ctx_dx_change_note), h.str(5),
                                          h.i64(6)});
    }
  }
  return out;
}

void DiagnosisService::demote_primary(sql::Conn& c, const Principal& p,
                                      const std::string& client_id, const std::string& except_id,
                                      std::int64_t at_ms, const std::string& reason) {
  for (const auto& r :
       c.query("SELECT id, status FROM care_diagnoses WHERE client_id = ? AND rank = 'primary' AND "
               "status IN ('provisional', 'confirmed') AND id <> ?",
               {client_id, except_id})) {
    const std::string old_id = r.str(0);
    const std::string status = r.str(1);
    c.exec(
        "UPDATE care_diagnoses SET rank = 'secondary', updated_at = ?, version = version + 1 "
        "WHERE id = ?",
        {at_ms, old_id});
    c.exec(
        "INSERT INTO care_diagnosis_changes (id, diagnosis_id, from_status, to_status, "
        "from_rank, to_rank, by_user, at) VALUES (?, ?, ?, ?, 'primary', 'secondary', ?, ?)",
        {new_id("dc"), old_id, status, status, p.user_id, at_ms});
    audit_.append(c, access::audit_entry(p, "update", "diagnosis", old_id, client_id, reason));
  }
}

Result<Diagnosis> DiagnosisService::diagnose(const Principal& p, const std::string& client_id,
                                             const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  if (auto st = may_write(p); !st) return st.error();
  json::FieldReader r(body);
  Diagnosis dx;
  dx.client_id = client_id;
  dx.code = r.string("code", {.required = true, .max_len = 10}).value_or("");
  dx.rank = r.string("rank", {.max_len = 20}).value_or("secondary");
  dx.status = r.string("status", {.max_len = 20}).value_or("provisional");
  dx.diagnosed_on = r.string("diagnosed_on", {.max_len = 10}).value_or(today());
  dx.note = r.string("note", {.max_len = 4000}).value_or("");
  if (!dx.code.empty()) {
    const Code* listed = codes_.find(dx.code);
    if (listed == nullptr) {
      r.add_error("code", "is not in the code list");
    } else if (!listed->billable) {
      r.add_error("code", "is a category, not valid for coding; choose a code under it");
    } else {
      dx.title = listed->title;
    }
  }
  if (!rules::valid_rank(dx.rank)) r.add_error("rank", "must be primary or secondary");
  if (dx.status != "provisional" && dx.status != "confirmed") {
    r.add_error("status", "must be provisional or confirmed");
  }
  if (auto bad = rules::check_past_date("diagnosed_on", dx.diagnosed_on, today())) {
    r.add_error(bad->field, bad->message);
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Diagnosis> {
    lock_client(c, client_id);
    dx.id = new_id("dx");
    dx.diagnosed_by = p.user_id;
    dx.created_at_ms = dx.updated_at_ms = clock_.unix_ms();
    if (dx.rank == "primary") demote_primary(c, p, client_id, dx.id, dx.created_at_ms, glass(*d));
    c.exec(
        "INSERT INTO care_diagnoses (id, client_id, code, title, rank, status, diagnosed_on, "
        "diagnosed_by, note, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        {dx.id, client_id, dx.code, dx.title, dx.rank, dx.status, dx.diagnosed_on, p.user_id,
         sealed(keys_, dx.note, k_ctx_dx_note), dx.created_at_ms, dx.updated_at_ms});
    c.exec(
        "INSERT INTO care_diagnosis_changes (id, diagnosis_id, to_status, to_rank, by_user, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {new_id("dc"), dx.id, dx.status, dx.rank, p.user_id, dx.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "diagnosis", dx.id, client_id, glass(*d)));
    metrics::inc("tend_care_diagnoses_made_total", "status", dx.status);
    auto full = load_many(c, "d.id = ?", {dx.id});
    return std::move(full.front());
  });
}

Result<std::vector<Diagnosis>> DiagnosisService::list(const Principal& p,
                                                      const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Diagnosis>> {
    auto out = load_many(c,
                         "d.client_id = ? ORDER BY CASE WHEN d.status IN ('provisional', "
                         "'confirmed') THEN 0 ELSE 1 END, CASE WHEN d.rank = 'primary' THEN 0 "
                         "ELSE 1 END, d.diagnosed_on DESC, d.created_at DESC, d.id",
                         {client_id});
    audit_.append(c, access::audit_entry(p, "read", "diagnoses", client_id, client_id, glass(*d)));
    return out;
  });
}

Result<Diagnosis> DiagnosisService::change(const Principal& p, const std::string& id,
                                           const bj::object& body) {
  auto owned = owner_of(db_, access_, p, "care_diagnoses", id, Action::Update, Resource::Clinical,
                        "diagnosis");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision& decision = owned->decision;
  if (auto st = may_write(p); !st) return st.error();
  json::FieldReader r(body);
  auto status = r.string("status", {.max_len = 20});
  auto rank = r.string("rank", {.max_len = 20});
  const std::string note = r.string("note", {.max_len = 4000}).value_or("");
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  if (status && !rules::valid_diagnosis_status(*status)) {
    r.add_error("status",
                "must be provisional, confirmed, resolved, ruled_out or entered_in_error");
  }
  if (rank && !rules::valid_rank(*rank)) r.add_error("rank", "must be primary or secondary");
  if (!status && !rank) r.add_error("status", "give a new status or rank");
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Diagnosis> {
    lock_client(c, client);
    auto found = load_many(c, "d.id = ?", {id});
    if (found.empty()) return not_found("diagnosis " + id);
    Diagnosis& dx = found.front();
    if (dx.version != *version) return stale("diagnosis", dx.version, *version);
    const std::string to_status = status.value_or(dx.status);
    const std::string to_rank = rank.value_or(dx.rank);
    if (to_status == dx.status && to_rank == dx.rank) {
      return make_error(Errc::Validation, "status: nothing would change",
                        {{"status", "is already " + dx.status + " and " + dx.rank}});
    }
    if (to_status != dx.status) {
      if (auto refusal = rules::check_diagnosis_status(dx.status, to_status)) {
        return refused(*refusal);
      }
    } else if (!rules::is_current_diagnosis(dx.status)) {
      return make_error(Errc::Conflict, "rank: the diagnosis is " + dx.status,
                        {{"rank", "a closed diagnosis keeps its rank"}});
    }
    const std::int64_t now = clock_.unix_ms();
    if (to_rank == "primary" && rules::is_current_diagnosis(to_status)) {
      demote_primary(c, p, client, id, now, glass(decision));
    }
    if (c.exec("UPDATE care_diagnoses SET status = ?, rank = ?, updated_at = ?, version = ? "
               "WHERE id = ? AND version = ?",
               {to_status, to_rank, now, dx.version + 1, id, *version}) != 1) {
      return stale("diagnosis", dx.version + 1, *version);
    }
    c.exec(
        "INSERT INTO care_diagnosis_changes (id, diagnosis_id, from_status, to_status, "
        "from_rank, to_rank, note, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {new_id("dc"), id, dx.status, to_status, dx.rank, to_rank,
         sealed(keys_, note, k_ctx_dx_change_note), p.user_id, now});
    audit_.append(c, access::audit_entry(p, "update", "diagnosis", id, client, glass(decision)));
    metrics::inc("tend_care_diagnosis_changes_total", "status", to_status);
    auto full = load_many(c, "d.id = ?", {id});
    return std::move(full.front());
  });
}

// ---- medications -----------------------------------------------------------------------------

namespace {
//! Only prescribers change the medication list (DESIGN.md §5: the `prescriber` role).
Status may_prescribe(const Principal& p) {
  if (p.role != access::Role::Prescriber) {
    return make_error(Errc::Forbidden, "the medication list is changed by prescribers");
  }
  return ok_status();
}
}  // namespace

MedicationService::MedicationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                     audit::AuditLog& audit, access::AccessService& access)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access) {}

std::string MedicationService::today() const {
  return format_date(clock_.now());
}

std::vector<Medication> MedicationService::load_many(sql::Conn& c, const std::string& where,
                                                     const sql::Params& params) {
  std::vector<Medication> out;
  for (const auto& r : c.query(
           "SELECT id, client_id, name, dose, route, frequency, started_on, stopped_on, reason, "
           "created_at, updated_at, version FROM care_medications WHERE " +
               where,
           params)) {
    Medication m;
    m.id = r.str(0);
    m.client_id = r.str(1);
    m.name = opened(keys_, r.str(2), k_ctx_med_name);
    m.dose = r.str(3);
    m.route = r.str(4);
    m.frequency = r.str(5);
    m.started_on = r.str(6);
    m.stopped_on = r.opt_str(7);
    m.reason = opened(keys_, r.str(8), k_ctx_med_reason);
    m.created_at_ms = r.i64(9);
    m.updated_at_ms = r.i64(10);
    m.version = r.i64(11);
    out.push_back(std::move(m));
  }
  for (auto& m : out) {
    for (const auto& h :
         c.query("SELECT ch.kind, ch.on_date, ch.dose, ch.frequency, ch.reason, ch.by_user, "
                 "u.display_name, ch.at FROM care_medication_changes ch JOIN users u ON u.id = "
                 "ch.by_user WHERE ch.medication_id = ? ORDER BY ch.on_date, ch.at, ch.id",
                 {m.id})) {
      m.changes.push_back(MedicationChange{h.str(0), h.str(1), h.str(2), h.str(3),
                                           opened(keys_, h.str(4), k_ctx_med_change_reason),
                                           h.str(5), h.str(6), h.i64(7)});
    }
  }
  return out;
}

Result<Medication> MedicationService::start(const Principal& p, const std::string& client_id,
                                            const bj::object& body) {
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  if (auto st = may_prescribe(p); !st) return st.error();
  json::FieldReader r(body);
  Medication m;
  m.client_id = client_id;
  m.name = r.string("name", {.required = true, .max_len = 200}).value_or("");
  m.dose = r.string("dose", {.required = true, .max_len = 100}).value_or("");
  m.route = r.string("route", {.required = true, .max_len = 60}).value_or("");
  m.frequency = r.string("frequency", {.required = true, .max_len = 100}).value_or("");
  m.started_on = r.string("started_on", {.max_len = 10}).value_or(today());
  m.reason = r.string("reason", {.max_len = 4000}).value_or("");
  m.stopped_on = r.string("stopped_on", {.max_len = 10});
  const std::string stop_reason = r.string("stop_reason", {.max_len = 4000}).value_or("");
  if (auto bad = rules::check_past_date("started_on", m.started_on, today())) {
    r.add_error(bad->field, bad->message);
  } else if (m.stopped_on) {
    Medication started = m;
    started.stopped_on.reset();
    if (auto refusal =
            rules::check_medication_change(started, *m.stopped_on, today(), "stopped_on")) {
      r.add_error(refusal->field, refusal->message);
    }
  }
  if (!m.stopped_on && !stop_reason.empty()) {
    r.add_error("stop_reason", "only with stopped_on");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Medication> {
    m.id = new_id("md");
    m.created_at_ms = m.updated_at_ms = clock_.unix_ms();
    c.exec(
        "INSERT INTO care_medications (id, client_id, name, dose, route, frequency, started_on, "
        "stopped_on, reason, created_by, created_at, updated_at, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
        {m.id, client_id, keys_.seal(m.name, k_ctx_med_name), m.dose, m.route, m.frequency,
         m.started_on, sql::opt(m.stopped_on), sealed(keys_, m.reason, k_ctx_med_reason), p.user_id,
         m.created_at_ms, m.updated_at_ms});
    c.exec(
        "INSERT INTO care_medication_changes (id, medication_id, kind, on_date, dose, frequency, "
        "reason, by_user, at) VALUES (?, ?, 'start', ?, ?, ?, ?, ?, ?)",
        {new_id("mc"), m.id, m.started_on, m.dose, m.frequency,
         sealed(keys_, m.reason, k_ctx_med_change_reason), p.user_id, m.created_at_ms});
    if (m.stopped_on) {
      c.exec(
          "INSERT INTO care_medication_changes (id, medication_id, kind, on_date, dose, "
          "frequency, reason, by_user, at) VALUES (?, ?, 'stop', ?, ?, ?, ?, ?, ?)",
          {new_id("mc"), m.id, *m.stopped_on, m.dose, m.frequency,
           sealed(keys_, stop_reason, k_ctx_med_change_reason), p.user_id, m.created_at_ms});
    }
    audit_.append(c, access::audit_entry(p, "create", "medication", m.id, client_id, glass(*d)));
    metrics::inc("tend_care_medication_changes_total", "kind", "start");
    auto full = load_many(c, "id = ?", {m.id});
    return std::move(full.front());
  });
}

Result<std::vector<Medication>> MedicationService::list(const Principal& p,
                                                        const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Medication>> {
    auto out = load_many(c,
                         "client_id = ? ORDER BY CASE WHEN stopped_on IS NULL THEN 0 ELSE 1 END, "
                         "stopped_on DESC, started_on DESC, created_at DESC, id",
                         {client_id});
    audit_.append(c,
                  access::audit_entry(p, "read", "medications", client_id, client_id, glass(*d)));
    return out;
  });
}

Result<Medication> MedicationService::change(const Principal& p, const std::string& id,
                                             const bj::object& body) {
  auto owned = owner_of(db_, access_, p, "care_medications", id, Action::Update, Resource::Clinical,
                        "medication");
  if (!owned) return owned.error();
  const std::string& client = owned->client_id;
  const access::Decision& decision = owned->decision;
  if (auto st = may_prescribe(p); !st) return st.error();
  json::FieldReader r(body);
  const std::string kind = r.string("kind", {.required = true, .max_len = 10}).value_or("");
  const std::string on = r.string("on", {.max_len = 10}).value_or(today());
  auto dose = r.string("dose", {.max_len = 100});
  auto frequency = r.string("frequency", {.max_len = 100});
  const std::string reason = r.string("reason", {.max_len = 4000}).value_or("");
  auto version = r.integer("version", true, 1, std::numeric_limits<std::int32_t>::max());
  if (!kind.empty() && !rules::valid_medication_change(kind)) {
    r.add_error("kind", "must be dose or stop");
  }
  if (kind == "dose" && !dose) r.add_error("dose", "is required for a dose change");
  if (kind == "stop" && (dose || frequency)) {
    r.add_error(dose ? "dose" : "frequency", "a stop changes no dose");
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Medication> {
    auto found = load_many(c, "id = ?", {id});
    if (found.empty()) return not_found("medication " + id);
    Medication& m = found.front();
    if (m.version != *version) return stale("medication", m.version, *version);
    if (auto refusal = rules::check_medication_change(m, on, today(), "on")) {
      return refused(*refusal);
    }
    const std::string new_dose = dose.value_or(m.dose);
    const std::string new_frequency = frequency.value_or(m.frequency);
    if (kind == "dose" && new_dose == m.dose && new_frequency == m.frequency) {
      return make_error(Errc::Validation, "dose: is the current dose and frequency",
                        {{"dose", "is the current dose and frequency"}});
    }
    const std::int64_t now = clock_.unix_ms();
    const std::int64_t updated =
        kind == "stop"
            ? c.exec(
                  "UPDATE care_medications SET stopped_on = ?, updated_at = ?, version = ? "
                  "WHERE id = ? AND version = ?",
                  {on, now, m.version + 1, id, *version})
            : c.exec(
                  "UPDATE care_medications SET dose = ?, frequency = ?, updated_at = ?, "
                  "version = ? WHERE id = ? AND version = ?",
                  {new_dose, new_frequency, now, m.version + 1, id, *version});
    // Changed by another instance between the read and this write.
    if (updated != 1) return stale("medication", m.version + 1, *version);
    c.exec(
        "INSERT INTO care_medication_changes (id, medication_id, kind, on_date, dose, frequency, "
        "reason, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {new_id("mc"), id, kind, on, new_dose, new_frequency,
         sealed(keys_, reason, k_ctx_med_change_reason), p.user_id, now});
    audit_.append(c, access::audit_entry(p, "update", "medication", id, client, glass(decision)));
    metrics::inc("tend_care_medication_changes_total", "kind", kind);
    auto full = load_many(c, "id = ?", {id});
    return std::move(full.front());
  });
}

}  // namespace tend::care
