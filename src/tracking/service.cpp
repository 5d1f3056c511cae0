#include "tracking/service.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "platform/ids.h"
#include "platform/json.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::tracking {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;

namespace {

constexpr const char* k_ctx_note = "tracking_check_ins.note";
constexpr const char* k_ctx_label = "tracking_client_factors.label";
constexpr const char* k_ctx_response = "tracking_check_in_requests.response";
constexpr const char* k_sweep_job = "tracking.reminder_sweep";
constexpr const char* k_reminder_job = "tracking.check_in_reminder";
constexpr const char* k_columns =
    "id, client_id, local_date, mood, anxiety, sleep_hours, sleep_quality, energy, "
    "self_harm_urge, medication, factors, note, share_note, created_at, updated_at";
//! Reminder sweeps run every quarter hour and set the reminders due before the next one.
constexpr auto k_sweep_every = std::chrono::minutes(15);
//! Patterns look back this many days, today included.
constexpr int k_pattern_days = 90;
//! The default diary window, today included.
constexpr int k_default_days = 30;
constexpr std::size_t k_key_max = 100;

std::string glass(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}

std::string local_date(const LocalTime& t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
  return buf;
}

//! The body with every object's keys sorted, so that the same check-in sent again with its
//! keys in another order hashes the same.
void canonical(const bj::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string, const bj::value*>> items;
    for (const auto& [k, x] : v.as_object()) items.emplace_back(std::string(k), &x);
    std::sort(items.begin(), items.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out += ',';
      out += bj::serialize(bj::value(items[i].first));
      out += ':';
      canonical(*items[i].second, out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& x : v.as_array()) {
      if (!first) out += ',';
      first = false;
      canonical(x, out);
    }
    out += ']';
  } else {
    out += bj::serialize(v);
  }
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > k_key_max) return false;
  return std::all_of(key.begin(), key.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u >= 0x20 && u <= 0x7E;
  });
}

std::vector<std::string> split_ids(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto end = s.find(' ', start);
    const auto piece = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!piece.empty()) out.push_back(piece);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ' ';
    out += id;
  }
  return out;
}

sql::Value opt_int(const std::optional<int>& v) {
  return v ? sql::Value(std::int64_t{*v}) : sql::null();
}

std::optional<int> read_opt_int(const sql::Row& r, std::size_t col) {
  if (r.is_null(col)) return std::nullopt;
  return static_cast<int>(r.i64(col));
}

//! A factor id made from a label a client typed: lower-case ASCII letters and digits, other
//! runs as one _, at most 40; "own_" and a hash for a label without such letters.
std::string id_from_label(const std::string& label) {
  std::string id;
  for (char ch : label) {
    char c = ch;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      id += c;
    } else if (!id.empty() && id.back() != '_') {
      id += '_';
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.size() > 40) id.resize(40);
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.empty()) id = "own_" + crypto::blake2b_hex(label).substr(0, 12);
  return id;
}

std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

bj::object check_in_json(const StoredCheckIn& s, bool staff,
                         const std::vector<KnownFactor>* factors) {
  const CheckIn& c = s.check_in;
  const auto num = [](const std::optional<int>& v) {
    return v ? bj::value(*v) : bj::value(nullptr);
  };
  bj::array ids;
  for (const auto& f : c.factors) ids.emplace_back(f);
  bj::value note = nullptr;
  if ((!staff || c.share_note) && !c.note.empty()) note = c.note;
  bj::object o{{"id", s.id},
               {"date", c.date},
               {"mood", c.mood},
               {"anxiety", num(c.anxiety)},
               {"sleep_hours", c.sleep_hours ? bj::value(*c.sleep_hours) : bj::value(nullptr)},
               {"sleep_quality", num(c.sleep_quality)},
               {"energy", num(c.energy)},
               {"self_harm_urge", num(c.self_harm_urge)},
               {"medication", c.medication ? bj::value(rules::medication_name(*c.medication))
                                           : bj::value(nullptr)},
               {"factors", std::move(ids)},
               {"note", std::move(note)},
               {"share_note", c.share_note},
               {"created_at", format_rfc3339(from_unix_ms(s.created_at_ms))},
               {"updated_at", format_rfc3339(from_unix_ms(s.updated_at_ms))}};
  if (staff && factors) {
    bj::array labels;
    for (const auto& id : c.factors) {
      auto it = std::find_if(factors->begin(), factors->end(),
                             [&](const KnownFactor& k) { return k.factor.id == id; });
      labels.emplace_back(it != factors->end() ? it->factor.label : id);
    }
    o["factor_labels"] = std::move(labels);
  }
  return o;
}

TrackingService::TrackingService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                 audit::AuditLog& audit, access::AccessService& access,
                                 crisis::CrisisService& crisis, std::vector<Factor> factors,
                                 TimeZone zone)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      crisis_(crisis),
      factors_(std::move(factors)),
      zone_(std::move(zone)) {}

std::string TrackingService::today() const {
  return local_date(zone_.to_local(clock_.now()));
}

TimePoint TrackingService::local_instant(const std::string& date, int minute_of_day) const {
  int y = 0, m = 0, d = 0;
  parse_date(date, y, m, d);
  LocalTime lt;
  lt.year = y;
  lt.month = m;
  lt.day = d;
  lt.hour = minute_of_day / 60;
  lt.minute = minute_of_day % 60;
  return zone_.from_local(lt);
}

std::string TrackingService::sealed_note(const std::string& note) const {
  return keys_.seal(note, k_ctx_note);
}

std::vector<StoredCheckIn> TrackingService::load(sql::Conn& c, const std::string& where,
                                                 const sql::Params& params) {
  std::vector<StoredCheckIn> out;
  for (const auto& r :
       c.query(std::string("SELECT ") + k_columns + " FROM tracking_check_ins WHERE " + where,
               params)) {
    StoredCheckIn s;
    s.id = r.str(0);
    s.client_id = r.str(1);
    CheckIn& ci = s.check_in;
    ci.date = r.str(2);
    ci.mood = static_cast<int>(r.i64(3));
    ci.anxiety = read_opt_int(r, 4);
    if (!r.is_null(5)) ci.sleep_hours = r.f64(5);
    ci.sleep_quality = read_opt_int(r, 6);
    ci.energy = read_opt_int(r, 7);
    ci.self_harm_urge = read_opt_int(r, 8);
    const std::string med = r.str(9);
    for (auto m : {Medication::Yes, Medication::No, Medication::NotApplicable}) {
      if (rules::medication_name(m) == med) ci.medication = m;
    }
    ci.factors = split_ids(r.str(10));
    if (!r.is_null(11) && !r.str(11).empty()) {
      auto note = keys_.open(r.str(11), k_ctx_note);
      ci.note = note ? *note : std::string();
    }
    ci.share_note = r.boolean(12);
    s.created_at_ms = r.i64(13);
    s.updated_at_ms = r.i64(14);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<KnownFactor> TrackingService::known_factors(sql::Conn& c,
                                                        const std::string& client_id) {
  std::vector<KnownFactor> out;
  for (const auto& f : factors_) out.push_back({f, false});
  for (const auto& r :
       c.query("SELECT factor_id, label, kind FROM tracking_client_factors WHERE client_id = ? "
               "ORDER BY created_at, factor_id",
               {client_id})) {
    KnownFactor k;
    k.own = true;
    k.factor.id = r.str(0);
    auto label = keys_.open(r.str(1), k_ctx_label);
    k.factor.label = label ? *label : r.str(0);
    k.factor.kind = r.str(2) == "factor" ? FactorKind::Factor : FactorKind::Activity;
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::pair<std::string, std::string>> TrackingService::range(
    const std::optional<std::string>& from, const std::optional<std::string>& to) const {
  const std::string now = today();
  std::vector<FieldError> errors;
  int y = 0, m = 0, d = 0;
  if (from && !parse_date(*from, y, m, d)) errors.push_back({"from", "must be a date, YYYY-MM-DD"});
  if (to && !parse_date(*to, y, m, d)) errors.push_back({"to", "must be a date, YYYY-MM-DD"});
  if (!errors.empty()) return make_error(Errc::Validation, "invalid date range", std::move(errors));
  const std::string last = to.value_or(now);
  const std::string first = from.value_or(*rules::shift_date(last, -(k_default_days - 1)));
  if (first > last) {
    return make_error(Errc::Validation, "from is after to", {{"from", "must not be after to"}});
  }
  return std::make_pair(first, last);
}

Result<Recorded> TrackingService::record(const Principal& p, const bj::value& body,
                                         const std::optional<std::string>& idempotency_key) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "check-ins are recorded by the client in the portal");
  }
  auto d = access_.authorize(p, Action::Create, Resource::SelfReport, p.client_id);
  if (!d) return d.error();
  const std::string client_id = p.client_id;
  if (idempotency_key && !valid_key(*idempotency_key)) {
    return make_error(Errc::Validation, "Idempotency-Key must be 1 to 100 printable ASCII",
                      {{"Idempotency-Key", "must be 1 to 100 printable ASCII characters"}});
  }
  std::string hash;
  if (idempotency_key) {
    std::string text;
    canonical(body, text);
    hash = crypto::blake2b_hex(text);
  }
  // The answer given to this key before, or a refusal when the key came with another body.
  const auto replay = [&](sql::Conn& c) -> std::optional<Result<Recorded>> {
    if (!idempotency_key) return std::nullopt;
    auto r = c.query_one(
        "SELECT request_hash, response FROM tracking_check_in_requests WHERE client_id = ? AND "
        "idempotency_key = ?",
        {client_id, *idempotency_key});
    if (!r) return std::nullopt;
    if (r->str(0) != hash) {
      return Result<Recorded>(
          make_error(Errc::Validation, "Idempotency-Key was used before for another check-in",
                     {{"Idempotency-Key",
                       "was used before with a different body; a new check-in needs a new key"}}));
    }
    auto opened = keys_.open(r->str(1), k_ctx_response);
    if (!opened) return Result<Recorded>(opened.error());
    Recorded out;
    out.status = 200;
    out.replayed = true;
    out.answer = bj::parse(*opened).as_object();
    return Result<Recorded>(std::move(out));
  };
  if (auto early = db_.read(replay)) return std::move(*early);

  const std::string now_date = today();
  auto known = db_.read([&](sql::Conn& c) { return known_factors(c, client_id); });
  std::set<std::string> ids;
  for (const auto& k : known) ids.insert(k.factor.id);
  auto ci = rules::check_in(body, now_date, ids);
  if (!ci) return ci.error();

  return db_.write([&](sql::Conn& c) -> Result<Recorded> {
    // One check-in of a client at a time, across instances (a no-op update takes the client's
    // row lock on PostgreSQL; SQLite has one writer): the same key sent twice at once is
    // stored once, and two check-ins for one date do not both insert.
    c.exec("UPDATE clients SET version = version WHERE id = ?", {client_id});
    if (auto again = replay(c)) return std::move(*again);
    const std::int64_t now = clock_.unix_ms();
    const sql::Value note = ci->note.empty() ? sql::null() : sql::Value(sealed_note(ci->note));
    const sql::Value medication =
        ci->medication ? sql::Value(std::string(rules::medication_name(*ci->medication)))
                       : sql::null();
    const sql::Value sleep = ci->sleep_hours ? sql::Value(*ci->sleep_hours) : sql::null();
    auto existing =
        c.query_one("SELECT id FROM tracking_check_ins WHERE client_id = ? AND local_date = ?",
                    {client_id, ci->date});
    std::string id;
    if (existing) {
      id = existing->str(0);
      c.exec(
          "UPDATE tracking_check_ins SET mood = ?, anxiety = ?, sleep_hours = ?, sleep_quality = "
          "?, energy = ?, self_harm_urge = ?, medication = ?, factors = ?, note = ?, share_note = "
          "?, idempotency_key = ?, request_hash = ?, updated_at = ? WHERE id = ?",
          {std::int64_t{ci->mood}, opt_int(ci->anxiety), sleep, opt_int(ci->sleep_quality),
           opt_int(ci->energy), opt_int(ci->self_harm_urge), medication, join_ids(ci->factors),
           note, std::int64_t{ci->share_note ? 1 : 0}, sql::opt(idempotency_key),
           hash.empty() ? sql::null() : sql::Value(hash), now, id});
    } else {
      id = new_id("ci");
      c.exec(
          "INSERT INTO tracking_check_ins (id, client_id, local_date, mood, anxiety, sleep_hours, "
          "sleep_quality, energy, self_harm_urge, medication, factors, note, share_note, "
          "idempotency_key, request_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {id, client_id, ci->date, std::int64_t{ci->mood}, opt_int(ci->anxiety), sleep,
           opt_int(ci->sleep_quality), opt_int(ci->energy), opt_int(ci->self_harm_urge), medication,
           join_ids(ci->factors), note, std::int64_t{ci->share_note ? 1 : 0},
           sql::opt(idempotency_key), hash.empty() ? sql::null() : sql::Value(hash), now, now});
    }
    // Crisis detection sees this check-in and the moods before it in the mood-drop window, and
    // any alert commits with the check-in or not at all.
    const auto& risk = crisis_.config();
    const int within = risk.mood_drop ? risk.mood_drop->within_days : 0;
    std::vector<CheckIn> earlier;
    if (within > 0) {
      for (auto& s : load(c, "client_id = ? AND local_date >= ? AND local_date < ?",
                          {client_id, *rules::shift_date(ci->date, -within), ci->date})) {
        earlier.push_back(std::move(s.check_in));
      }
    }
    const auto signal = rules::crisis_signal(*ci, id, earlier, within);
    crisis_.on_check_in(c, client_id, signal);
    const bool alert_raised = crisis::rules::signal_from_check_in(signal, risk).has_value();
    audit_.append(c, access::audit_entry(p, existing ? "update" : "create", "check_in", id,
                                         client_id, glass(*d)));
    auto stored = load(c, "id = ?", {id});
    Recorded out;
    out.status = existing ? 200 : 201;
    out.answer = check_in_json(stored.front());
    out.answer["alert_raised"] = alert_raised;
    if (idempotency_key) {
      c.exec(
          "INSERT INTO tracking_check_in_requests (id, client_id, idempotency_key, request_hash, "
          "check_in_id, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {new_id("ck"), client_id, *idempotency_key, hash, id, std::int64_t{out.status},
           keys_.seal(bj::serialize(out.answer), k_ctx_response), now});
    }
    metrics::inc("tend_tracking_check_ins_total", "result", existing ? "replaced" : "created");
    return out;
  });
}

Result<std::vector<StoredCheckIn>> TrackingService::mine(const Principal& p,
                                                         const std::optional<std::string>& from,
                                                         const std::optional<std::string>& to) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own diary");
  }
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, p.client_id);
  if (!d) return d.error();
  auto span = range(from, to);
  if (!span) return span.error();
  return db_.read([&](sql::Conn& c) {
    return load(c, "client_id = ? AND local_date >= ? AND local_date <= ? ORDER BY local_date",
                {p.client_id, span->first, span->second});
  });
}

Result<Diary> TrackingService::for_client(const Principal& p, const std::string& client_id,
                                          const std::optional<std::string>& from,
                                          const std::optional<std::string>& to) {
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, client_id);
  if (!d) return d.error();
  auto span = range(from, to);
  if (!span) return span.error();
  return db_.write([&](sql::Conn& c) -> Result<Diary> {
    Diary out;
    out.items = load(c, "client_id = ? AND local_date >= ? AND local_date <= ? ORDER BY local_date",
                     {client_id, span->first, span->second});
    out.factors = known_factors(c, client_id);
    for (auto& s : out.items) {
      if (!s.check_in.share_note) s.check_in.note.clear();
    }
    audit_.append(c, access::audit_entry(p, "read", "check_ins", client_id, client_id, glass(*d)));
    return out;
  });
}

Result<Diary> TrackingService::diary(const Principal& p, const std::string& client_id) {
  const bool own = p.role == access::Role::Client && p.client_id == client_id;
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<Diary> {
    Diary out;
    out.items = load(c, "client_id = ? ORDER BY local_date", {client_id});
    out.factors = known_factors(c, client_id);
    // Ids ticked that are no longer on the lists (a service changed its list) keep a column.
    std::set<std::string> listed;
    for (const auto& k : out.factors) listed.insert(k.factor.id);
    for (auto& s : out.items) {
      if (!own && !s.check_in.share_note) s.check_in.note.clear();
      for (const auto& id : s.check_in.factors) {
        if (listed.insert(id).second)
          out.factors.push_back({Factor{id, id, FactorKind::Factor}, false});
      }
    }
    // The client's own export is theirs to take; the care team's is audited.
    if (!own) {
      audit_.append(c,
                    access::audit_entry(p, "export", "check_ins", client_id, client_id, glass(*d)));
    }
    return out;
  });
}

Result<Summary> TrackingService::summary(const Principal& p, const std::string& span) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own chart");
  }
  int days = 0;
  if (span == "week") days = 7;
  if (span == "month") days = 30;
  if (span == "year") days = 365;
  if (days == 0) {
    return make_error(Errc::Validation, "span must be week, month or year",
                      {{"span", "must be week, month or year"}});
  }
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, p.client_id);
  if (!d) return d.error();
  Summary out;
  out.today = today();
  out.span = span;
  out.to = out.today;
  out.from = *rules::shift_date(out.today, -(days - 1));
  const std::string pattern_from = *rules::shift_date(out.today, -(k_pattern_days - 1));
  const std::string earliest = std::min(out.from, pattern_from);
  return db_.read([&](sql::Conn& c) -> Result<Summary> {
    std::vector<std::string> dates;
    for (const auto& r :
         c.query("SELECT local_date FROM tracking_check_ins WHERE client_id = ?", {p.client_id})) {
      dates.push_back(r.str(0));
    }
    out.streak = rules::streak(dates, out.today);
    std::vector<CheckIn> window, recent;
    for (auto& s : load(c,
                        "client_id = ? AND local_date >= ? AND local_date <= ? ORDER BY "
                        "local_date",
                        {p.client_id, earliest, out.today})) {
      if (s.check_in.date >= pattern_from) recent.push_back(s.check_in);
      if (s.check_in.date >= out.from) window.push_back(std::move(s.check_in));
    }
    for (auto f : {Field::Mood, Field::Anxiety, Field::SleepHours, Field::SleepQuality,
                   Field::Energy, Field::SelfHarmUrge}) {
      out.series.emplace_back(f, rules::series(window, out.from, out.to, f));
    }
    std::set<std::string> ticked;
    for (const auto& ci : recent) ticked.insert(ci.factors.begin(), ci.factors.end());
    for (const auto& k : known_factors(c, p.client_id)) {
      if (ticked.count(k.factor.id) == 0) continue;
      out.patterns.emplace_back(rules::pattern(recent, k.factor), k.factor.label);
    }
    return out;
  });
}

Result<std::vector<KnownFactor>> TrackingService::factors(const Principal& p) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "this is the client's own list");
  }
  auto d = access_.authorize(p, Action::Read, Resource::SelfReport, p.client_id);
  if (!d) return d.error();
  return db_.read([&](sql::Conn& c) { return known_factors(c, p.client_id); });
}

Result<KnownFactor> TrackingService::add_factor(const Principal& p, const bj::object& body) {
  if (p.role != access::Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden, "clients add their own factors in the portal");
  }
  auto d = access_.authorize(p, Action::Create, Resource::SelfReport, p.client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  auto label = r.string("label", {.required = true, .max_len = 240});
  auto kind = r.string("kind", {.required = true, .max_len = 20});
  if (label) {
    // Trimmed: a label is what the client sees on the check-in.
    const auto first = label->find_first_not_of(" \t");
    const auto last = label->find_last_not_of(" \t");
    *label = first == std::string::npos ? std::string() : label->substr(first, last - first + 1);
    if (label->empty() || characters(*label) > 60) {
      r.add_error("label", "must be 1 to 60 characters");
    }
  }
  if (kind && *kind != "activity" && *kind != "factor") {
    r.add_error("kind", "must be activity or factor");
  }
  if (auto st = r.finish(); !st) return st.error();
  KnownFactor out;
  out.own = true;
  out.factor.id = id_from_label(*label);
  out.factor.label = *label;
  out.factor.kind = *kind == "factor" ? FactorKind::Factor : FactorKind::Activity;
  return db_.write([&](sql::Conn& c) -> Result<KnownFactor> {
    for (const auto& k : known_factors(c, p.client_id)) {
      if (k.factor.id == out.factor.id) {
        return make_error(Errc::Conflict, "factor " + out.factor.id + " is already on the list",
                          {{"label", "is already on the list (" + out.factor.id + ")"}});
      }
    }
    const std::string row = new_id("cf");
    c.exec(
        "INSERT INTO tracking_client_factors (id, client_id, factor_id, label, kind, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {row, p.client_id, out.factor.id, keys_.seal(out.factor.label, k_ctx_label), *kind,
         clock_.unix_ms()});
    audit_.append(c, access::audit_entry(p, "create", "check_in_factor", row, p.client_id));
    return out;
  });
}

// ---- reminders ----------------------------------------------------------------------------

void TrackingService::set_reminders(jobs::JobQueue* jobs, std::string base_url, MailFn mail) {
  jobs_ = jobs;
  base_url_ = std::move(base_url);
  mail_ = std::move(mail);
  if (!jobs_) return;
  jobs_->handle(k_sweep_job,
                [this](sql::Conn& c, const jobs::Job& j) { return sweep_reminders(c, j); });
  jobs_->handle_external(k_reminder_job,
                         [this](const jobs::Job& j) { return deliver_reminder(j); });
}

namespace {
//! The next quarter hour after `t` (UTC; every zone in use today is offset by a multiple of 15
//! minutes, so this is a local quarter hour too).
TimePoint next_quarter(TimePoint t) {
  const auto step = std::chrono::duration_cast<std::chrono::microseconds>(k_sweep_every).count();
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  return TimePoint(std::chrono::microseconds((us / step + 1) * step));
}

void enqueue_sweep(sql::Conn& c, const jobs::JobQueue& q, TimePoint due) {
  jobs::NewJob j;
  j.kind = k_sweep_job;
  j.due = due;
  j.dedupe_key = format_rfc3339(due);
  q.enqueue(c, j);
}
}  // namespace

void TrackingService::schedule_reminder_sweep(sql::Conn& c) {
  if (!jobs_ || !mail_) return;
  if (c.query_one("SELECT 1 FROM jobs WHERE kind = ? AND state IN ('pending', 'running')",
                  {std::string(k_sweep_job)})) {
    return;
  }
  enqueue_sweep(c, *jobs_, next_quarter(clock_.now()));
}

Status TrackingService::sweep_reminders(sql::Conn& c, const jobs::Job&) {
  const TimePoint now = clock_.now();
  const TimePoint horizon = next_quarter(now);
  // Today's and tomorrow's reminders (one just after midnight may be due before the next
  // sweep), each once per client and local date. A reminder time set after that day's time
  // had passed starts the next day, so that choosing a time never sends one at once.
  const std::string day = today();
  for (const auto& date : {day, *rules::shift_date(day, 1)}) {
    for (const auto& r :
         c.query("SELECT p.client_id, p.check_in_reminder, p.updated_at FROM portal_preferences p "
                 "WHERE p.check_in_reminder IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                 "tracking_reminders t WHERE t.client_id = p.client_id AND t.local_date = ?) "
                 "ORDER BY p.client_id",
                 {date})) {
      const auto minute = rules::reminder_minute(r.str(1));
      if (!minute) continue;
      const TimePoint due = local_instant(date, *minute);
      if (due >= horizon) continue;
      if (from_unix_ms(r.i64(2)) > due) continue;
      const std::string client_id = r.str(0);
      const auto inserted = c.exec(
          "INSERT INTO tracking_reminders (client_id, local_date, remind_at, due_at) VALUES (?, "
          "?, ?, ?) ON CONFLICT DO NOTHING",
          {client_id, date, r.str(1), unix_ms(due)});
      if (inserted != 1) continue;
      jobs::NewJob j;
      j.kind = k_reminder_job;
      j.payload = bj::serialize(bj::object{{"client_id", client_id}, {"date", date}});
      j.due = std::max(due, now);
      j.max_attempts = 6;
      j.dedupe_key = client_id + ":" + date;
      jobs_->enqueue(c, j);
    }
  }
  enqueue_sweep(c, *jobs_, horizon);
  return ok_status();
}

Status TrackingService::deliver_reminder(const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string client_id(payload.at("client_id").as_string());
  const std::string date(payload.at("date").as_string());
  struct Facts {
    bool pending = false;
    std::string remind_at, preference, email;
    bool consent = false;
    bool checked_in = false;
  };
  auto facts = db_.read([&](sql::Conn& c) {
    Facts f;
    auto t = c.query_one(
        "SELECT remind_at, outcome FROM tracking_reminders WHERE client_id = ? AND local_date = ?",
        {client_id, date});
    if (!t || !t->is_null(1)) return f;
    f.pending = true;
    f.remind_at = t->str(0);
    if (auto pref = c.query_one(
            "SELECT check_in_reminder FROM portal_preferences WHERE client_id = ?", {client_id})) {
      f.preference = pref->str(0);
    }
    if (auto cl =
            c.query_one("SELECT email, consent_email FROM clients WHERE id = ?", {client_id})) {
      f.email = cl->str(0);
      f.consent = cl->boolean(1);
    }
    f.checked_in =
        c.query_one("SELECT 1 FROM tracking_check_ins WHERE client_id = ? AND local_date = ?",
                    {client_id, date})
            .has_value();
    return f;
  });
  if (!facts.pending) return ok_status();  // already sent or settled (a repeat of the job)
  const auto settle = [&](const std::string& outcome) {
    db_.write([&](sql::Conn& c) {
      if (outcome == "changed") {
        // The client changed the time since: the next sweep sets the new one up for today.
        c.exec(
            "DELETE FROM tracking_reminders WHERE client_id = ? AND local_date = ? AND "
            "outcome IS NULL",
            {client_id, date});
        return;
      }
      c.exec(
          "UPDATE tracking_reminders SET outcome = ?, done_at = ? WHERE client_id = ? AND "
          "local_date = ? AND outcome IS NULL",
          {outcome, clock_.unix_ms(), client_id, date});
    });
    metrics::inc("tend_tracking_reminders_total", "result", outcome);
    return ok_status();
  };
  if (facts.preference != facts.remind_at) return settle("changed");
  // A reminder retried into the next day would be about a day that is over.
  if (today() != date) return settle("stale");
  if (facts.checked_in) return settle("checked_in");
  if (!facts.consent || facts.email.empty()) return settle("no_consent");
  if (!mail_) return make_error(Errc::Unavailable, "e-mail is not configured");
  const auto mail = rules::reminder_mail(base_url_);
  if (auto st = mail_({facts.email}, mail.subject, mail.body); !st) {
    log::warn("tracking.reminder_failed", {{"client", client_id}, {"detail", st.error().detail}});
    metrics::inc("tend_tracking_reminders_total", "result", "failed");
    return st;
  }
  log::info("tracking.reminder_sent", {{"client", client_id}});
  return settle("sent");
}

void TrackingService::seed_demo(const std::string& client_id,
                                const std::vector<CheckIn>& checkins) {
  const std::int64_t at_ms = clock_.unix_ms();
  db_.write([&](sql::Conn& c) {
    for (const auto& ci : checkins) {
      if (c.query_one("SELECT 1 FROM tracking_check_ins WHERE client_id = ? AND local_date = ?",
                      {client_id, ci.date})) {
        continue;
      }
      c.exec(
          "INSERT INTO tracking_check_ins (id, client_id, local_date, mood, anxiety, sleep_hours, "
          "sleep_quality, energy, self_harm_urge, medication, factors, note, share_note, "
          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {new_id("ci"), client_id, ci.date, std::int64_t{ci.mood}, opt_int(ci.anxiety),
           ci.sleep_hours ? sql::Value(*ci.sleep_hours) : sql::null(), opt_int(ci.sleep_quality),
           opt_int(ci.energy), opt_int(ci.self_harm_urge),
           ci.medication ? sql::Value(std::string(rules::medication_name(*ci.medication)))
                         : sql::null(),
           join_ids(ci.factors), ci.note.empty() ? sql::null() : sql::Value(sealed_note(ci.note)),
           std::int64_t{ci.share_note ? 1 : 0}, at_ms, at_ms});
    }
  });
}

}  // namespace tend::tracking
