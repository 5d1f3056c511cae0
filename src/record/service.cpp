#include "record/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "access/rules.h"
#include "care/owner.h"
#include "platform/ids.h"
#include "platform/json.h"
#include "platform/metrics.h"
#include "record/rules.h"

namespace tend::record {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;
using access::Role;

namespace {
constexpr const char* k_ctx_what = "record_amendments.what";
constexpr const char* k_ctx_change = "record_amendments.change";
constexpr const char* k_ctx_reason = "record_amendments.reason";
constexpr const char* k_ctx_task_title = "care_tasks.title";
constexpr const char* k_ctx_note_body = "care_notes.body";
constexpr const char* k_ctx_addendum = "care_note_addenda.text";
constexpr const char* k_columns =
    "a.id, a.client_id, a.what, a.ref_kind, a.ref_id, a.change, a.status, a.task_id, "
    "a.decided_by, u.display_name, a.decided_at, a.reason, a.created_at, c.given_name, "
    "c.family_name";

bool is_client(const Principal& p) {
  return p.role == Role::Client && !p.client_id.empty();
}

Error not_a_client() {
  return make_error(Errc::Forbidden, "this is the client's own record, in the portal");
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string open_or_empty(const crypto::Keyring& keys, const sql::Row& r, std::size_t col,
                          const char* context) {
  if (r.is_null(col) || r.str(col).empty()) return {};
  auto v = keys.open(r.str(col), context);
  return v ? *v : std::string();
}
}  // namespace

RecordService::RecordService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                             audit::AuditLog& audit, access::AccessService& access, Sources sources,
                             TimeZone zone)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      src_(sources),
      zone_(std::move(zone)) {}

// ---- who has seen my record --------------------------------------------------------------

Result<AccessPage> RecordService::access_log(const Principal& p, std::int64_t before, int limit) {
  if (!is_client(p)) return not_a_client();
  // The staff route's query and its audit entry: the client's own reading is recorded too.
  auto entries = src_.clients.access_log(p, p.client_id, before, limit);
  if (!entries) return entries.error();
  std::vector<std::string> ids;
  for (const auto& e : *entries) ids.push_back(e.actor_id);
  const auto names = access_.display_names(ids);
  std::set<std::string> own;
  std::set<std::string> team;
  db_.read([&](sql::Conn& c) {
    for (const auto& r : c.query("SELECT id FROM users WHERE client_id = ?", {p.client_id})) {
      own.insert(r.str(0));
    }
    for (const auto& r :
         c.query("SELECT user_id FROM care_team WHERE client_id = ?", {p.client_id})) {
      team.insert(r.str(0));
    }
  });
  std::map<std::string, Actor> actors;
  for (const auto& e : *entries) {
    if (actors.count(e.actor_id) > 0) continue;
    Actor a;
    if (auto n = names.find(e.actor_id); n != names.end()) a.name = n->second;
    a.role = e.actor_role;
    a.on_care_team = team.count(e.actor_id) > 0;
    actors.emplace(e.actor_id, std::move(a));
  }
  AccessPage page;
  page.lines = rules::describe_access(*entries, actors, own, zone_);
  if (static_cast<int>(entries->size()) == limit && !entries->empty()) {
    page.next_cursor = std::to_string(entries->back().seq);
  }
  return page;
}

// ---- the download -----------------------------------------------------------------------

std::vector<SignedNote> RecordService::signed_notes(sql::Conn& c, const std::string& client_id) {
  std::vector<SignedNote> out;
  // Progress notes only, signed: psychotherapy notes are their author's alone and drafts are
  // not yet part of the record.
  for (const auto& r :
       c.query("SELECT n.id, n.template, n.body, n.signed_at, n.author_id, u.display_name "
               "FROM care_notes n JOIN users u ON u.id = n.author_id WHERE n.client_id = ? AND "
               "n.kind = 'progress' AND n.status = 'signed' ORDER BY n.signed_at, n.id",
               {client_id})) {
    SignedNote sn;
    sn.note.id = r.str(0);
    sn.note.client_id = client_id;
    sn.note.kind = "progress";
    sn.note.template_id = r.str(1);
    sn.note.signed_at_ms = r.i64(3);
    sn.note.author_id = r.str(4);
    sn.note.author_name = r.str(5);
    sn.note.status = "signed";
    std::map<std::string, std::string> sections;
    if (auto body = keys_.open(r.str(2), k_ctx_note_body)) {
      boost::system::error_code ec;
      auto v = bj::parse(*body, ec);
      if (!ec && v.is_object()) {
        if (const auto* s = v.as_object().if_contains("sections"); s && s->is_object()) {
          for (const auto& [k, text] : s->as_object()) {
            if (text.is_string()) sections[std::string(k)] = std::string(text.as_string());
          }
        }
        if (const auto* mp = v.as_object().if_contains("member_part"); mp && mp->is_string()) {
          sections["member_part"] = std::string(mp->as_string());
        }
      }
    }
    // In the template's order with its headings; anything else after, by id.
    if (const auto* t = src_.notes.templates().find(sn.note.template_id)) {
      for (const auto& s : t->sections) {
        if (auto it = sections.find(s.id); it != sections.end()) {
          sn.sections.emplace_back(s.heading, it->second);
          sections.erase(it);
        }
      }
    }
    for (const auto& [k, v] : sections) {
      sn.sections.emplace_back(k == "member_part" ? "Your part" : k, v);
    }
    for (const auto& a :
         c.query("SELECT d.id, d.text, d.author_id, u.display_name, d.created_at FROM "
                 "care_note_addenda d JOIN users u ON u.id = d.author_id WHERE d.note_id = ? "
                 "ORDER BY d.created_at, d.id",
                 {sn.note.id})) {
      care::Addendum ad;
      ad.id = a.str(0);
      ad.text = open_or_empty(keys_, a, 1, k_ctx_addendum);
      ad.author_id = a.str(2);
      ad.author_name = a.str(3);
      ad.created_at_ms = a.i64(4);
      sn.note.addenda.push_back(std::move(ad));
    }
    out.push_back(std::move(sn));
  }
  return out;
}

Result<RecordContents> RecordService::contents(const Principal& p) {
  if (!is_client(p)) return not_a_client();
  const std::string& cid = p.client_id;
  RecordContents r;
  auto client = src_.clients.get(p, cid);
  if (!client) return client.error();
  r.client = std::move(*client);
  auto history = src_.assessments.history(p, cid, std::nullopt, 1000);
  if (!history) return history.error();
  for (auto it = history->rbegin(); it != history->rend(); ++it) {
    MeasureResult m;
    m.result = *it;
    if (auto in = src_.assessments.instrument(it->instrument_id)) {
      m.instrument = *in;
      m.questionnaire_url = (*in)->url.empty() ? "urn:tend:questionnaire:" + (*in)->id : (*in)->url;
    }
    r.measures.push_back(std::move(m));
  }
  auto appointments = src_.appointments.mine(p);
  if (!appointments) return appointments.error();
  r.appointments = std::move(*appointments);
  auto diagnoses = src_.diagnoses.list(p, cid);
  if (!diagnoses) return diagnoses.error();
  r.diagnoses = std::move(*diagnoses);
  auto medications = src_.medications.list(p, cid);
  if (!medications) return medications.error();
  r.medications = std::move(*medications);
  if (auto plan = src_.plans.mine(p)) {
    r.plan = std::move(plan->plan);
  } else if (plan.error().code != Errc::NotFound) {
    return plan.error();
  }
  if (auto safety = src_.crisis.safety_plan(p, cid, std::nullopt)) {
    r.safety_plan = std::move(*safety);
  } else if (safety.error().code != Errc::NotFound) {
    return safety.error();
  }
  auto reading = src_.education.mine(p);
  if (!reading) return reading.error();
  for (const auto& a : *reading) {
    Reading x;
    x.id = a.id;
    const auto* article = src_.education.article(a);
    x.title = article ? article->title : a.slug;
    x.status = a.status;
    x.assigned_at_ms = a.assigned_at_ms;
    x.read_at_ms = a.read_at_ms;
    x.rating = a.rating;
    r.reading.push_back(std::move(x));
  }
  // Every check-in ever made (the diary's own range check wants dates: from the first
  // possible year), with the labels of their factors.
  auto check_ins = src_.tracking.mine(p, std::string("2000-01-01"), std::nullopt);
  if (!check_ins) return check_ins.error();
  r.check_ins = std::move(*check_ins);
  auto factors = src_.tracking.factors(p);
  if (!factors) return factors.error();
  for (const auto& f : *factors) r.factor_labels[f.factor.id] = f.factor.label;
  // The client's own conversations with their care team (never the staff-only ones, which
  // are about the client but not theirs to read), each with its messages.
  auto threads = src_.messages.my_threads(p);
  if (!threads) return threads.error();
  for (const auto& t : *threads) {
    auto full = src_.messages.my_thread(p, t.id);
    if (!full) return full.error();
    r.threads.push_back(std::move(*full));
  }
  r.generated_at_ms = clock_.unix_ms();
  db_.write([&](sql::Conn& c) {
    r.notes = signed_notes(c, cid);
    r.amendments = load_many(c, "a.client_id = ? ORDER BY a.created_at DESC, a.id DESC", {cid});
    audit_.append(c, access::audit_entry(p, "download", "record", cid, cid));
  });
  metrics::inc("tend_record_downloads_total");
  return r;
}

// ---- amendments -------------------------------------------------------------------------

std::vector<Amendment> RecordService::load_many(sql::Conn& c, const std::string& where,
                                                const sql::Params& params) {
  std::vector<Amendment> out;
  for (const auto& r : c.query(std::string("SELECT ") + k_columns +
                                   " FROM record_amendments a JOIN clients c ON c.id = a.client_id "
                                   "LEFT JOIN users u ON u.id = a.decided_by WHERE " +
                                   where,
                               params)) {
    Amendment a;
    a.id = r.str(0);
    a.client_id = r.str(1);
    a.what = open_or_empty(keys_, r, 2, k_ctx_what);
    a.ref_kind = r.str(3);
    a.ref_id = r.str(4);
    a.change = open_or_empty(keys_, r, 5, k_ctx_change);
    a.status = r.str(6);
    a.task_id = r.is_null(7) ? std::string() : r.str(7);
    a.decided_by = r.is_null(8) ? std::string() : r.str(8);
    a.decided_by_name = r.is_null(9) ? std::string() : r.str(9);
    a.decided_at_ms = r.opt_i64(10);
    a.reason = open_or_empty(keys_, r, 11, k_ctx_reason);
    a.created_at_ms = r.i64(12);
    a.client_name = r.str(13) + " " + r.str(14);
    out.push_back(std::move(a));
  }
  return out;
}

Result<Amendment> RecordService::request(const Principal& p, const bj::object& body) {
  if (!is_client(p)) return not_a_client();
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  const std::string what = trim(r.string("what", {.required = true, .max_len = 300}).value_or(""));
  const std::string change =
      trim(r.string("change", {.required = true, .max_len = 5000}).value_or(""));
  const std::string ref_kind = r.string("ref_kind", {.max_len = 40}).value_or("");
  const std::string ref_id = r.string("ref_id", {.max_len = 64}).value_or("");
  if (!r.failed()) {
    if (what.empty()) r.add_error("what", "say which part of your record");
    if (change.empty()) r.add_error("change", "say what should change");
  }
  if (!ref_kind.empty() && !rules::valid_ref_kind(ref_kind)) {
    r.add_error("ref_kind",
                "must be details, assessment, diagnosis, medication, note, plan, safety_plan, "
                "appointment, education or other");
  }
  if (!ref_id.empty() && ref_kind.empty()) r.add_error("ref_kind", "is needed with ref_id");
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Amendment> {
    const std::string id = new_id("am");
    const auto now = clock_.unix_ms();
    // The primary clinician answers it; without one, whoever clinical joined the team first.
    auto owner = c.query_one(
        "SELECT ct.user_id FROM care_team ct JOIN users u ON u.id = ct.user_id WHERE "
        "ct.client_id = ? AND u.disabled = 0 AND u.role <> 'client' AND u.role <> 'front_desk' "
        "AND u.role <> 'analyst' ORDER BY CASE WHEN ct.team_role = 'primary_clinician' THEN 0 "
        "ELSE 1 END, ct.added_at, ct.user_id LIMIT 1",
        {p.client_id});
    std::optional<std::string> task_id;
    if (owner) {
      task_id = new_id("tk");
      c.exec(
          "INSERT INTO care_tasks (id, client_id, kind, title, due_on, owner_id, status, "
          "created_by, created_at, version) VALUES (?, ?, 'review', ?, ?, ?, 'open', ?, ?, 1)",
          {*task_id, p.client_id,
           keys_.seal("The client asks for a correction to their record: answer it (accept, "
                      "or refuse with a reason)",
                      k_ctx_task_title),
           format_date(clock_.now() + std::chrono::hours(24 * 7)), owner->str(0), p.user_id, now});
    }
    c.exec(
        "INSERT INTO record_amendments (id, client_id, what, ref_kind, ref_id, change, status, "
        "task_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
        {id, p.client_id, keys_.seal(what, k_ctx_what), ref_kind, ref_id,
         keys_.seal(change, k_ctx_change), sql::opt(task_id), p.user_id, now});
    audit_.append(c, access::audit_entry(p, "create", "amendment", id, p.client_id));
    if (task_id) audit_.append(c, access::audit_entry(p, "create", "task", *task_id, p.client_id));
    metrics::inc("tend_record_amendments_total", "status", "open");
    return std::move(load_many(c, "a.id = ?", {id}).front());
  });
}

Result<std::vector<Amendment>> RecordService::mine(const Principal& p) {
  if (!is_client(p)) return not_a_client();
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Amendment>> {
    return load_many(c, "a.client_id = ? ORDER BY a.created_at DESC, a.id DESC", {p.client_id});
  });
}

Result<std::vector<Amendment>> RecordService::for_client(const Principal& p,
                                                         const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Amendment>> {
    auto out = load_many(c, "a.client_id = ? ORDER BY a.created_at DESC, a.id DESC", {client_id});
    audit_.append(c, access::audit_entry(p, "read", "amendments", client_id, client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
    return out;
  });
}

Result<std::vector<Amendment>> RecordService::for_staff(const Principal& p,
                                                        const std::string& status) {
  if (p.role == Role::Client) {
    return make_error(Errc::Forbidden, "the care team's list of correction requests");
  }
  if (!access::rules::is_clinical(p.role)) {
    return make_error(Errc::Forbidden, "correction requests are answered by the care team");
  }
  if (!status.empty() && status != "open" && status != "accepted" && status != "refused") {
    return make_error(Errc::BadRequest, "status must be open, accepted or refused",
                      {{"status", "must be open, accepted or refused"}});
  }
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Amendment>> {
    std::string where = "a.client_id IN (SELECT client_id FROM care_team WHERE user_id = ?)";
    sql::Params params{p.user_id};
    if (!status.empty()) {
      where += " AND a.status = ?";
      params.push_back(status);
    }
    auto out = load_many(c, where + " ORDER BY a.created_at, a.id", params);
    for (const auto& a : out) {
      audit_.append(c, access::audit_entry(p, "list", "amendment", a.id, a.client_id));
    }
    return out;
  });
}

Result<Amendment> RecordService::decide(const Principal& p, const std::string& id, bool accept,
                                        const bj::object& body) {
  // A client never answers, and learns nothing of another client's request.
  if (p.role == Role::Client) return not_found("amendment " + id);
  auto owned = care::owner_of(db_, access_, p, "record_amendments", id, Action::Update,
                              Resource::Clinical, "amendment");
  if (!owned) return owned.error();
  json::FieldReader r(body);
  std::string reason;
  if (accept) {
    reason = trim(r.string("note", {.max_len = 2000}).value_or(""));
  } else {
    reason = trim(r.string("reason", {.required = true, .max_len = 2000}).value_or(""));
    if (!r.failed() && reason.size() < rules::k_min_refusal_reason) {
      r.add_error("reason", "say why, in at least 10 characters: the client will read it");
    }
  }
  if (auto st = r.finish(); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Amendment> {
    auto found = load_many(c, "a.id = ?", {id});
    if (found.empty()) return not_found("amendment " + id);
    if (found.front().status != "open") {
      return make_error(Errc::Conflict, "amendment " + id + " was already " + found.front().status);
    }
    const auto now = clock_.unix_ms();
    const std::string status = accept ? "accepted" : "refused";
    c.exec(
        "UPDATE record_amendments SET status = ?, decided_by = ?, decided_at = ?, reason = ? "
        "WHERE id = ? AND status = 'open'",
        {status, p.user_id, now,
         sql::opt(reason.empty() ? std::nullopt
                                 : std::optional<std::string>(keys_.seal(reason, k_ctx_reason))),
         id});
    // Its review task is done with the answer.
    if (!found.front().task_id.empty()) {
      c.exec(
          "UPDATE care_tasks SET status = 'done', closed_by = ?, closed_at = ?, version = "
          "version + 1 WHERE id = ? AND status = 'open'",
          {p.user_id, now, found.front().task_id});
    }
    const std::string glass = owned->decision.via_break_glass ? "break-the-glass" : "";
    audit_.append(c, access::audit_entry(p, "decide", "amendment", id, owned->client_id, glass));
    metrics::inc("tend_record_amendments_total", "status", status);
    return std::move(load_many(c, "a.id = ?", {id}).front());
  });
}

}  // namespace tend::record
