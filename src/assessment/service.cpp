#include "assessment/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>

#include "assessment/questionnaire.h"
#include "assessment/rules.h"
#include "platform/crypto/crypto.h"
#include "platform/ids.h"
#include "platform/log.h"

namespace tend::assessment {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {

constexpr const char* k_columns =
    "SELECT id, client_id, instrument_id, rater, entered_by, via, completed_at, recorded_at, "
    "answers, total, band, is_case, complete, result FROM assessments";

Assessment from_row(const sql::Row& r) {
  Assessment a;
  a.id = r.str(0);
  a.client_id = r.str(1);
  a.instrument_id = r.str(2);
  a.rater = rules::rater_from(r.str(3)).value_or(Rater::Other);
  a.entered_by = r.str(4);
  a.via = r.str(5);
  a.completed_at_ms = r.i64(6);
  a.recorded_at_ms = r.i64(7);
  const auto answers = bj::parse(r.str(8)).as_object();
  for (const auto& kv : answers) a.answers[std::string(kv.key())] = kv.value().to_number<double>();
  std::optional<double> total;
  if (!r.is_null(9)) {
    const auto& v = r.at(9);
    total = std::holds_alternative<double>(v) ? std::get<double>(v)
                                              : static_cast<double>(std::get<std::int64_t>(v));
  }
  std::optional<bool> is_case;
  if (!r.is_null(11)) is_case = r.boolean(11);
  a.score =
      rules::score_from_stored(bj::parse(r.str(13)).as_object(), total, r.boolean(12), is_case);
  return a;
}

//! A stable digest of what was submitted, to tell a replay from a different submission.
std::string request_hash(const std::string& client_id, const Submission& s) {
  bj::object answers;
  for (const auto& [id, v] : s.answers) answers[id] = rules::number(v);
  bj::object o{
      {"client", client_id},
      {"instrument", s.instrument},
      {"rater", rules::to_string(s.rater)},
      {"answers", std::move(answers)},
      {"completed_at", s.completed_at_ms ? bj::value(*s.completed_at_ms) : bj::value(nullptr)}};
  return crypto::blake2b_hex(bj::serialize(o));
}

bool respondent_allowed(const Instrument& in, Rater r) {
  if (r == Rater::Other) return true;
  const std::string who = rules::to_string(r);
  return std::find(in.respondents.begin(), in.respondents.end(), who) != in.respondents.end();
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

//! A form can go to a respondent (portal, link) only with its questions' wording.
bool can_be_sent(const Instrument& in) {
  return in.text_shipped;
}

bool valid_instrument_id(const std::string& id) {
  if (id.size() < 2 || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

AssessmentService::AssessmentService(sql::Db& db, const Clock& clock, audit::AuditLog& audit,
                                     access::AccessService& access, Library& library)
    : db_(db), clock_(clock), audit_(audit), access_(access), library_(library) {}

std::int64_t AssessmentService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

std::string AssessmentService::today() const {
  return format_date(clock_.now());
}

// ---- instruments ----

std::vector<InstrumentPtr> AssessmentService::instruments() const {
  return library_.all();
}

Result<InstrumentPtr> AssessmentService::instrument(const std::string& id) const {
  if (auto in = library_.find(id)) return in;
  // Imported on another instance since this one started.
  auto row = db_.read([&](sql::Conn& c) {
    return c.query_one("SELECT questionnaire FROM imported_instruments WHERE id = ?", {id});
  });
  if (row) {
    boost::system::error_code ec;
    auto q = bj::parse(row->str(0), ec);
    if (!ec && q.is_object()) {
      auto in = import_questionnaire(q.as_object(), id, library_.all());
      if (in) {
        auto ptr = std::make_shared<const Instrument>(std::move(*in));
        library_.add(ptr);
        return InstrumentPtr(ptr);
      }
    }
  }
  return not_found("instrument " + id);
}

void AssessmentService::load_imported() {
  auto rows = db_.read([](sql::Conn& c) {
    return c.query("SELECT id, questionnaire FROM imported_instruments ORDER BY id");
  });
  for (const auto& r : rows) {
    boost::system::error_code ec;
    auto q = bj::parse(r.str(1), ec);
    if (ec || !q.is_object()) continue;
    auto in = import_questionnaire(q.as_object(), r.str(0), library_.all());
    if (!in) {
      log::error("assessment.imported_refused",
                 {{"instrument", r.str(0)}, {"detail", in.error().detail}});
      continue;
    }
    library_.add(std::make_shared<const Instrument>(std::move(*in)));
  }
}

Result<InstrumentPtr> AssessmentService::import(const Principal& p, const bj::object& q,
                                                const std::string& id) {
  using access::Role;
  if (p.role != Role::Admin && p.role != Role::Clinician && p.role != Role::Prescriber &&
      p.role != Role::CareManager) {
    return make_error(Errc::Forbidden, "importing questionnaires is for admins and clinicians");
  }
  if (!valid_instrument_id(id)) {
    return invalid("id", "must be 2 to 40 lower-case letters, digits or hyphens");
  }
  if (library_.find(id)) {
    return make_error(Errc::Conflict, "instrument " + id + " already exists",
                      {{"id", "is already an instrument"}});
  }
  auto in = import_questionnaire(q, id, library_.all());
  if (!in) return in.error();
  auto ptr = std::make_shared<const Instrument>(std::move(*in));
  auto stored = db_.write([&](sql::Conn& c) -> Status {
    if (c.query_one("SELECT 1 FROM imported_instruments WHERE id = ?", {id})) {
      return make_error(Errc::Conflict, "instrument " + id + " already exists",
                        {{"id", "is already an instrument"}});
    }
    c.exec(
        "INSERT INTO imported_instruments (id, questionnaire, created_by, created_at) "
        "VALUES (?, ?, ?, ?)",
        {id, bj::serialize(q), p.user_id, now_ms()});
    audit_.append(c, access::audit_entry(p, "create", "instrument", id));
    return ok_status();
  });
  if (!stored) return stored.error();
  library_.add(ptr);
  return InstrumentPtr(ptr);
}

// ---- results ----

std::optional<Assessment> AssessmentService::load(sql::Conn& c, const std::string& id) const {
  auto row = c.query_one(std::string(k_columns) + " WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return from_row(*row);
}

std::vector<Assessment> AssessmentService::load_series(sql::Conn& c, const std::string& client_id,
                                                       const std::string& instrument) const {
  std::vector<Assessment> out;
  for (const auto& r :
       c.query(std::string(k_columns) + " WHERE client_id = ? AND instrument_id = ? "
                                        "ORDER BY completed_at, id",
               {client_id, instrument})) {
    out.push_back(from_row(r));
  }
  with_changes(out);
  return out;
}

void AssessmentService::with_changes(std::vector<Assessment>& v) const {
  if (v.empty()) return;
  auto in = library_.find(v.front().instrument_id);
  const Assessment* first = nullptr;
  const Assessment* prev = nullptr;
  for (auto& a : v) {
    if (in) a.instrument_name = in->name;
    if (in && a.score.total) {
      if (prev && prev->score.total) {
        a.since_previous =
            rules::change(*in, prev->id, *prev->score.total, prev->score.is_case, a.score, false);
      }
      if (first && first->score.total) {
        a.since_first =
            rules::change(*in, first->id, *first->score.total, first->score.is_case, a.score, true);
      }
    }
    if (!first && a.score.total) first = &a;
    if (a.score.total) prev = &a;
  }
}

Result<Stored> AssessmentService::store(sql::Conn& c, const std::string& client_id,
                                        const Submission& s, const InstrumentPtr& in,
                                        const std::string& entered_by) {
  const std::string hash = request_hash(client_id, s);
  if (!s.idempotency_key.empty()) {
    auto prior = c.query_one(
        "SELECT id, request_hash FROM assessments WHERE client_id = ? AND idempotency_key = ?",
        {client_id, s.idempotency_key});
    if (prior) {
      if (prior->str(1) != hash) {
        return make_error(Errc::Conflict,
                          "Idempotency-Key was already used for a different submission",
                          {{"Idempotency-Key", "was used for a different submission"}});
      }
      auto series = load_series(c, client_id, s.instrument);
      for (auto& a : series) {
        if (a.id == prior->str(0)) return Stored{std::move(a), true};
      }
    }
  }
  auto client = c.query_one("SELECT sex, status FROM clients WHERE id = ?", {client_id});
  if (!client) return not_found("client " + client_id);
  if (client->str(1) != "active") {
    return make_error(Errc::Conflict,
                      "client " + client_id + " is archived; restore the record first");
  }
  ScoringContext ctx;
  ctx.sex = client->opt_str(0);
  auto scored = rules::score(*in, s.answers, ctx);
  if (!scored) return scored.error();

  Assessment a;
  a.id = new_id("as");
  a.client_id = client_id;
  a.instrument_id = in->id;
  a.instrument_name = in->name;
  a.rater = s.rater;
  a.entered_by = entered_by;
  a.via = s.via;
  a.recorded_at_ms = now_ms();
  a.completed_at_ms = s.completed_at_ms.value_or(a.recorded_at_ms);
  a.answers = s.answers;
  a.score = std::move(*scored);

  bj::object answers;
  for (const auto& [id, v] : a.answers) answers[id] = rules::number(v);
  std::vector<std::string> flag_codes;
  for (const auto& f : a.score.flags) flag_codes.push_back(f.code);
  c.exec(
      "INSERT INTO assessments (id, client_id, instrument_id, rater, entered_by, via, "
      "completed_at, recorded_at, answers, total, band, is_case, complete, flags, result, "
      "idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {a.id, a.client_id, a.instrument_id, rules::to_string(a.rater),
       entered_by.empty() ? sql::null() : sql::Value(entered_by), a.via, a.completed_at_ms,
       a.recorded_at_ms, bj::serialize(answers),
       a.score.total ? sql::Value(*a.score.total) : sql::null(),
       a.score.band ? sql::Value(a.score.band->code) : sql::null(),
       a.score.is_case ? sql::Value(std::int64_t{*a.score.is_case ? 1 : 0}) : sql::null(),
       std::int64_t{a.score.complete ? 1 : 0}, join(flag_codes, " "),
       bj::serialize(rules::stored_result(a.score)),
       s.idempotency_key.empty() ? sql::null() : sql::Value(s.idempotency_key), hash});

  AssessmentScored ev{a.id,
                      a.client_id,
                      a.instrument_id,
                      a.score.total,
                      a.score.band ? std::optional<std::string>(a.score.band->code) : std::nullopt,
                      a.score.flags,
                      a.rater,
                      a.via,
                      a.completed_at_ms};
  for (const auto& l : listeners_) l(c, ev);
  if (events_) {
    std::vector<std::string> team;
    for (const auto& r :
         c.query("SELECT user_id FROM care_team WHERE client_id = ?", {client_id})) {
      team.push_back(r.str(0));
    }
    bj::array flags;
    for (const auto& f : a.score.flags) {
      flags.push_back(bj::object{{"code", f.code}, {"severity", rules::to_string(f.severity)}});
    }
    events_->publish(c, {"assessment.scored",
                         bj::serialize(bj::object{{"client_id", a.client_id},
                                                  {"assessment_id", a.id},
                                                  {"instrument", a.instrument_id},
                                                  {"flags", std::move(flags)}}),
                         team});
  }
  // The change since the previous and the first result by completion time (a result entered
  // late takes its place among them). Two indexed look-ups, whatever the length of the history.
  if (a.score.total) {
    const auto first = c.query_one(std::string(k_columns) +
                                       " WHERE client_id = ? AND instrument_id = ? "
                                       "ORDER BY completed_at, id LIMIT 1",
                                   {client_id, in->id});
    const auto previous = c.query_one(
        std::string(k_columns) +
            " WHERE client_id = ? AND instrument_id = ? AND (completed_at < ? OR "
            "(completed_at = ? AND id < ?)) ORDER BY completed_at DESC, id DESC LIMIT 1",
        {client_id, in->id, a.completed_at_ms, a.completed_at_ms, a.id});
    if (previous) {
      const auto p = from_row(*previous);
      if (p.score.total) {
        a.since_previous =
            rules::change(*in, p.id, *p.score.total, p.score.is_case, a.score, false);
      }
    }
    if (first && first->str(0) != a.id) {
      const auto f = from_row(*first);
      if (f.score.total) {
        a.since_first = rules::change(*in, f.id, *f.score.total, f.score.is_case, a.score, true);
      }
    }
  }
  return Stored{std::move(a), false};
}

Result<Stored> AssessmentService::submit(const Principal& p, const std::string& client_id,
                                         const Submission& sub) {
  Submission s = sub;
  auto found = instrument(s.instrument);
  if (!found) return invalid("instrument", "is not a known instrument");
  const InstrumentPtr in = *found;
  auto d = access_.authorize(p, Action::Create, Resource::SelfReport, client_id);
  if (!d) return d.error();
  if (p.role == access::Role::Client) {
    if (s.rater != Rater::Self) return invalid("rater", "a client answers for themselves (self)");
    if (!can_be_sent(*in)) {
      return invalid("instrument", "is answered with a clinician (its wording is not available)");
    }
    s.via = "portal";
  }
  if (!respondent_allowed(*in, s.rater)) {
    return invalid("rater", in->id + " is answered by " + join(in->respondents, ", "));
  }
  if (s.completed_at_ms && *s.completed_at_ms > now_ms() + 5 * 60 * 1000) {
    return invalid("completed_at", "must not be in the future");
  }
  if (s.idempotency_key.size() > 200)
    return invalid("Idempotency-Key", "must be at most 200 characters");
  auto stored_and_audited = [&](sql::Conn& c) -> Result<Stored> {
    auto r = store(c, client_id, s, in, p.user_id);
    if (r) {
      audit_.append(
          c, access::audit_entry(p, r->replayed ? "read" : "create", "assessment", r->assessment.id,
                                 client_id, d->via_break_glass ? "break-the-glass" : ""));
    }
    return r;
  };
  try {
    return db_.write(stored_and_audited);
  } catch (const sql::DbError& e) {
    // Two instances stored the same Idempotency-Key at once: the other one won, and this
    // attempt now finds its result.
    if (!e.unique_violation() || s.idempotency_key.empty()) throw;
    return db_.write(stored_and_audited);
  }
}

Result<std::vector<Assessment>> AssessmentService::history(
    const Principal& p, const std::string& client_id, const std::optional<std::string>& instrument,
    int limit) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  auto all = db_.read([&](sql::Conn& c) {
    std::vector<std::string> kinds;
    if (instrument) {
      kinds.push_back(*instrument);
    } else {
      for (const auto& r : c.query(
               "SELECT DISTINCT instrument_id FROM assessments WHERE client_id = ?", {client_id})) {
        kinds.push_back(r.str(0));
      }
    }
    std::vector<Assessment> out;
    for (const auto& k : kinds) {
      auto series = load_series(c, client_id, k);
      for (auto& a : series) out.push_back(std::move(a));
    }
    return out;
  });
  std::sort(all.begin(), all.end(), [](const Assessment& a, const Assessment& b) {
    return a.completed_at_ms != b.completed_at_ms ? a.completed_at_ms > b.completed_at_ms
                                                  : a.id > b.id;
  });
  if (static_cast<int>(all.size()) > limit) all.resize(static_cast<std::size_t>(limit));
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "assessments", instrument.value_or(""),
                                         client_id, d->via_break_glass ? "break-the-glass" : ""));
  });
  return all;
}

Result<Assessment> AssessmentService::get(const Principal& p, const std::string& id) {
  auto found = db_.read([&](sql::Conn& c) { return load(c, id); });
  if (!found) return not_found("assessment " + id);
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, found->client_id);
  if (!d) return not_found("assessment " + id);
  auto series = db_.read(
      [&](sql::Conn& c) { return load_series(c, found->client_id, found->instrument_id); });
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "assessment", id, found->client_id,
                                         d->via_break_glass ? "break-the-glass" : ""));
  });
  for (auto& a : series) {
    if (a.id == id) return std::move(a);
  }
  return std::move(*found);
}

Result<std::vector<Series>> AssessmentService::measures(const Principal& p,
                                                        const std::string& client_id) {
  auto h = history(p, client_id, std::nullopt, 100000);
  if (!h) return h.error();
  std::map<std::string, Series> by;
  for (auto it = h->rbegin(); it != h->rend(); ++it) {
    auto& s = by[it->instrument_id];
    if (!s.instrument) s.instrument = library_.find(it->instrument_id);
    s.results.push_back(std::move(*it));
  }
  std::vector<Series> out;
  for (auto& [id, s] : by) {
    if (s.instrument) out.push_back(std::move(s));
  }
  return out;
}

// ---- schedules ----

ScheduleStatus AssessmentService::status_of(sql::Conn& c, const Schedule& s) const {
  ScheduleStatus st;
  st.schedule = s;
  auto in = library_.find(s.instrument_id);
  st.instrument_name = in ? in->name : s.instrument_id;
  st.self_answerable = in && can_be_sent(*in) && respondent_allowed(*in, Rater::Self);
  auto last = c.query_one(
      "SELECT MAX(completed_at) FROM assessments WHERE client_id = ? AND instrument_id = ?",
      {s.client_id, s.instrument_id});
  std::optional<std::string> last_date;
  if (last && !last->is_null(0)) {
    last_date = format_date(TimePoint(std::chrono::milliseconds(last->i64(0))));
  }
  st.next_due = rules::next_due(s, last_date, today());
  return st;
}

namespace {
constexpr const char* k_schedule_columns =
    "SELECT id, client_id, instrument_id, every_days, start_date, end_date, active, created_by, "
    "created_at FROM assessment_schedules";

Schedule schedule_from_row(const sql::Row& r) {
  Schedule s;
  s.id = r.str(0);
  s.client_id = r.str(1);
  s.instrument_id = r.str(2);
  s.every_days = static_cast<int>(r.i64(3));
  s.start_date = r.str(4);
  s.end_date = r.opt_str(5);
  s.active = r.boolean(6);
  s.created_by = r.str(7);
  s.created_at_ms = r.i64(8);
  return s;
}
}  // namespace

Result<ScheduleStatus> AssessmentService::add_schedule(
    const Principal& p, const std::string& client_id, const std::string& instrument, int every_days,
    const std::optional<std::string>& start_date, const std::optional<std::string>& end_date) {
  std::vector<FieldError> errs;
  if (!this->instrument(instrument)) {
    errs.push_back({"instrument", "is not a known instrument"});
  }
  if (every_days < 1 || every_days > 365) errs.push_back({"every_days", "must be from 1 to 365"});
  const std::string start = start_date.value_or(today());
  if (!rules::day_number(start)) errs.push_back({"start_date", "must be a date as YYYY-MM-DD"});
  if (end_date) {
    if (!rules::day_number(*end_date)) {
      errs.push_back({"end_date", "must be a date as YYYY-MM-DD"});
    } else if (rules::day_number(start) &&
               *rules::day_number(*end_date) < *rules::day_number(start)) {
      errs.push_back({"end_date", "must not be before start_date"});
    }
  }
  if (!errs.empty()) return make_error(Errc::Validation, "invalid schedule", std::move(errs));
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  Schedule s;
  s.id = new_id("sch");
  s.client_id = client_id;
  s.instrument_id = instrument;
  s.every_days = every_days;
  s.start_date = start;
  s.end_date = end_date;
  s.created_by = p.user_id;
  s.created_at_ms = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<ScheduleStatus> {
    if (c.query_one("SELECT 1 FROM assessment_schedules WHERE client_id = ? AND instrument_id = ? "
                    "AND active = 1",
                    {client_id, instrument})) {
      return make_error(
          Errc::Conflict,
          instrument + " is already scheduled for this client; stop that schedule first",
          {{"instrument", "is already scheduled"}});
    }
    c.exec(
        "INSERT INTO assessment_schedules (id, client_id, instrument_id, every_days, "
        "start_date, end_date, active, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
        {s.id, client_id, instrument, std::int64_t{every_days}, start, sql::opt(end_date),
         p.user_id, s.created_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "assessment_schedule", s.id, client_id));
    return status_of(c, s);
  });
}

Result<std::vector<ScheduleStatus>> AssessmentService::schedules(const Principal& p,
                                                                 const std::string& client_id) {
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) {
    std::vector<ScheduleStatus> out;
    for (const auto& r : c.query(std::string(k_schedule_columns) +
                                     " WHERE client_id = ? ORDER BY active DESC, created_at",
                                 {client_id})) {
      out.push_back(status_of(c, schedule_from_row(r)));
    }
    return out;
  });
}

Result<ScheduleStatus> AssessmentService::stop_schedule(const Principal& p,
                                                        const std::string& client_id,
                                                        const std::string& schedule_id) {
  auto d = access_.authorize(p, Action::Update, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<ScheduleStatus> {
    auto row = c.query_one(std::string(k_schedule_columns) + " WHERE id = ? AND client_id = ?",
                           {schedule_id, client_id});
    if (!row) return not_found("schedule " + schedule_id);
    auto s = schedule_from_row(*row);
    if (s.active) {
      c.exec(
          "UPDATE assessment_schedules SET active = 0, stopped_by = ?, stopped_at = ? WHERE id = ?",
          {p.user_id, now_ms(), schedule_id});
      audit_.append(c, access::audit_entry(p, "update", "assessment_schedule", schedule_id,
                                           client_id, "stopped"));
      s.active = false;
    }
    return status_of(c, s);
  });
}

Result<std::vector<DueItem>> AssessmentService::due(const Principal& p) {
  if (p.role == access::Role::Client || p.role == access::Role::Analyst ||
      p.role == access::Role::FrontDesk) {
    return make_error(Errc::Forbidden, "measures due are for clinical staff");
  }
  const std::string day = today();
  auto items = db_.read([&](sql::Conn& c) {
    std::vector<DueItem> out;
    for (const auto& r : c.query(
             "SELECT s.id, s.client_id, s.instrument_id, s.every_days, s.start_date, s.end_date, "
             "s.active, s.created_by, s.created_at, c.given_name, c.family_name, c.preferred_name, "
             "(SELECT MAX(a.completed_at) FROM assessments a WHERE a.client_id = s.client_id "
             "AND a.instrument_id = s.instrument_id) "
             "FROM assessment_schedules s "
             "JOIN care_team t ON t.client_id = s.client_id AND t.user_id = ? "
             "JOIN clients c ON c.id = s.client_id "
             "WHERE s.active = 1 AND c.status = 'active'",
             {p.user_id})) {
      const Schedule s = schedule_from_row(r);
      std::optional<std::string> last;
      if (!r.is_null(12)) last = format_date(TimePoint(std::chrono::milliseconds(r.i64(12))));
      auto due = rules::next_due(s, last, day);
      if (!due || due->due_date > day) continue;
      DueItem item;
      item.client_id = s.client_id;
      const auto preferred = r.opt_str(11);
      item.client_name =
          (preferred && !preferred->empty() ? *preferred : r.str(9)) + " " + r.str(10);
      item.instrument_id = s.instrument_id;
      auto in = library_.find(s.instrument_id);
      item.instrument_name = in ? in->name : s.instrument_id;
      item.schedule_id = s.id;
      item.due = *due;
      out.push_back(std::move(item));
    }
    return out;
  });
  std::sort(items.begin(), items.end(), [](const DueItem& a, const DueItem& b) {
    if (a.due.overdue != b.due.overdue) return a.due.overdue;
    if (a.due.due_date != b.due.due_date) return a.due.due_date < b.due.due_date;
    return a.client_name < b.client_name;
  });
  return items;
}

int AssessmentService::remind_due(sql::Conn& c) {
  const std::string day = today();
  int sent = 0;
  for (const auto& r :
       c.query("SELECT s.id, s.client_id, s.instrument_id, s.every_days, s.start_date, s.end_date, "
               "s.active, s.created_by, s.created_at, s.reminded_for, "
               "(SELECT MAX(a.completed_at) FROM assessments a WHERE a.client_id = s.client_id "
               "AND a.instrument_id = s.instrument_id) "
               "FROM assessment_schedules s JOIN clients c ON c.id = s.client_id "
               "WHERE s.active = 1 AND c.status = 'active'")) {
    const Schedule s = schedule_from_row(r);
    std::optional<std::string> last;
    if (!r.is_null(10)) last = format_date(TimePoint(std::chrono::milliseconds(r.i64(10))));
    auto due = rules::next_due(s, last, day);
    if (!due || due->due_date > day || r.opt_str(9) == due->due_date) continue;
    c.exec("UPDATE assessment_schedules SET reminded_for = ? WHERE id = ?", {due->due_date, s.id});
    if (!events_) continue;
    std::vector<std::string> audience;
    for (const auto& t :
         c.query("SELECT user_id FROM care_team WHERE client_id = ?", {s.client_id})) {
      audience.push_back(t.str(0));
    }
    for (const auto& u :
         c.query("SELECT id FROM users WHERE client_id = ? AND disabled = 0", {s.client_id})) {
      audience.push_back(u.str(0));
    }
    events_->publish(c, {"assessment.due",
                         bj::serialize(bj::object{{"client_id", s.client_id},
                                                  {"schedule_id", s.id},
                                                  {"instrument", s.instrument_id},
                                                  {"due_date", due->due_date}}),
                         audience});
    ++sent;
  }
  return sent;
}

// ---- links ----

Result<LinkCreated> AssessmentService::create_link(const Principal& p, const std::string& client_id,
                                                   const std::string& instrument_id, Rater rater,
                                                   int hours) {
  auto in = instrument(instrument_id);
  if (!in) return invalid("instrument", "is not a known instrument");
  if (!respondent_allowed(**in, rater)) {
    return invalid("rater", instrument_id + " is answered by " + join((*in)->respondents, ", "));
  }
  if (!can_be_sent(**in)) {
    return invalid("instrument",
                   "cannot be sent: the service has not added this instrument's wording "
                   "(see --instruments-dir)");
  }
  if (hours < 1 || hours > 24 * 14) return invalid("expires_in_hours", "must be from 1 to 336");
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  LinkCreated link;
  link.token = crypto::random_token();
  link.instrument_id = instrument_id;
  link.rater = rater;
  link.expires_at_ms = now_ms() + std::int64_t{hours} * 3600 * 1000;
  db_.write([&](sql::Conn& c) {
    c.exec(
        "INSERT INTO assessment_links (token_hash, client_id, instrument_id, rater, created_by, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {crypto::blake2b_hex(link.token), client_id, instrument_id, rules::to_string(rater),
         p.user_id, now_ms(), link.expires_at_ms});
    audit_.append(c, access::audit_entry(p, "create", "assessment_link", instrument_id, client_id));
  });
  return link;
}

Result<LinkInfo> AssessmentService::open_link(const std::string& token) {
  auto row = db_.read([&](sql::Conn& c) {
    return c.query_one(
        "SELECT instrument_id, rater, expires_at, used_at FROM assessment_links "
        "WHERE token_hash = ?",
        {crypto::blake2b_hex(token)});
  });
  if (!row || !row->is_null(3) || row->i64(2) <= now_ms()) {
    return not_found("link (it may have been used already, or expired)");
  }
  auto in = instrument(row->str(0));
  if (!in) return in.error();
  return LinkInfo{*in, rules::rater_from(row->str(1)).value_or(Rater::Other), row->i64(2)};
}

Result<LinkReceipt> AssessmentService::submit_link(const std::string& token, const Answers& answers,
                                                   const std::string& idempotency_key,
                                                   const std::string& remote) {
  const std::string hash = crypto::blake2b_hex(token);
  auto link = db_.read([&](sql::Conn& c) {
    return c.query_one(
        "SELECT client_id, instrument_id, rater, expires_at, used_at, assessment_id "
        "FROM assessment_links WHERE token_hash = ?",
        {hash});
  });
  const Error gone = not_found("link (it may have been used already, or expired)");
  if (!link) return gone;
  auto in = instrument(link->str(1));
  if (!in) return in.error();
  auto receipt_of = [&](const Assessment& a, bool replayed) {
    LinkReceipt r;
    r.band = a.score.band;
    r.needs_follow_up =
        std::any_of(a.score.flags.begin(), a.score.flags.end(),
                    [](const FlagResult& f) { return f.severity == Severity::Critical; });
    r.replayed = replayed;
    return r;
  };
  if (!link->is_null(4)) {
    // A retry of the submission that used the link gets the same answer.
    if (idempotency_key.empty()) return gone;
    auto prior = db_.read([&](sql::Conn& c) -> std::optional<Assessment> {
      auto a = load(c, link->str(5));
      if (a && c.query_one("SELECT 1 FROM assessments WHERE id = ? AND idempotency_key = ?",
                           {a->id, idempotency_key})) {
        return a;
      }
      return std::nullopt;
    });
    if (!prior) return gone;
    return receipt_of(*prior, true);
  }
  if (link->i64(3) <= now_ms()) return gone;
  Submission s;
  s.instrument = link->str(1);
  s.answers = answers;
  s.rater = rules::rater_from(link->str(2)).value_or(Rater::Other);
  s.idempotency_key = idempotency_key;
  s.via = "link";
  const std::string client_id = link->str(0);
  return db_.write([&](sql::Conn& c) -> Result<LinkReceipt> {
    auto stored = store(c, client_id, s, *in, "");
    if (!stored) return stored.error();
    if (c.exec("UPDATE assessment_links SET used_at = ?, assessment_id = ? WHERE token_hash = ? "
               "AND used_at IS NULL",
               {now_ms(), stored->assessment.id, hash}) != 1) {
      return gone;
    }
    audit::NewEntry e;
    e.actor_id = "link:" + hash.substr(0, 16);
    e.actor_role = "respondent";
    e.action = "create";
    e.resource_kind = "assessment";
    e.resource_id = stored->assessment.id;
    e.client_id = client_id;
    e.remote_addr = remote;
    e.reason = "single-use link";
    audit_.append(c, e);
    return receipt_of(stored->assessment, false);
  });
}

}  // namespace tend::assessment
