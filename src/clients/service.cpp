#include "clients/service.h"

#include <boost/json.hpp>
#include <chrono>

#include "access/rules.h"
#include "clients/rules.h"
#include "platform/ids.h"

namespace tend::clients {

namespace {
constexpr std::string_view k_funding_context = "clients.funding_note";

constexpr std::string_view k_columns =
    "id, mrn, given_name, family_name, preferred_name, pronouns, date_of_birth, gender_identity, "
    "sex, language, interpreter_needed, email, phone, consent_email, consent_sms, consent_phone, "
    "consent_voicemail, consent_post, emergency_contact_name, emergency_contact_relationship, "
    "emergency_contact_phone, address_line1, address_line2, city, region, postal_code, country, "
    "race, ethnicity, funding_note, status, archived_at, version, created_by, created_at, "
    "updated_at";

std::string new_mrn() {
  // "T" and nine random digits: readable over the phone, unique-checked on insert.
  return "T" + random_digits(9);
}
}  // namespace

ClientService::ClientService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                             audit::AuditLog& audit, access::AccessService& access)
    : db_(db), clock_(clock), keys_(keys), audit_(audit), access_(access) {}

std::int64_t ClientService::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

std::string ClientService::today() const {
  return format_date(clock_.now());
}

std::optional<Client> ClientService::load(sql::Conn& c, const std::string& id) const {
  auto r = c.query_one("SELECT " + std::string(k_columns) + " FROM clients WHERE id = ?", {id});
  if (!r) return std::nullopt;
  Client cl;
  std::size_t i = 0;
  cl.id = r->str(i++);
  cl.mrn = r->str(i++);
  cl.given_name = r->str(i++);
  cl.family_name = r->str(i++);
  cl.preferred_name = r->opt_str(i++);
  cl.pronouns = r->opt_str(i++);
  cl.date_of_birth = r->str(i++);
  cl.gender_identity = r->opt_str(i++);
  cl.sex = r->opt_str(i++);
  cl.language = r->opt_str(i++);
  cl.interpreter_needed = r->boolean(i++);
  cl.email = r->opt_str(i++);
  cl.phone = r->opt_str(i++);
  cl.consent.email = r->boolean(i++);
  cl.consent.sms = r->boolean(i++);
  cl.consent.phone = r->boolean(i++);
  cl.consent.voicemail = r->boolean(i++);
  cl.consent.post = r->boolean(i++);
  cl.emergency_contact.name = r->opt_str(i++);
  cl.emergency_contact.relationship = r->opt_str(i++);
  cl.emergency_contact.phone = r->opt_str(i++);
  cl.address.line1 = r->opt_str(i++);
  cl.address.line2 = r->opt_str(i++);
  cl.address.city = r->opt_str(i++);
  cl.address.region = r->opt_str(i++);
  cl.address.postal_code = r->opt_str(i++);
  cl.address.country = r->opt_str(i++);
  cl.race = r->opt_str(i++);
  cl.ethnicity = r->opt_str(i++);
  if (auto sealed = r->opt_str(i++)) {
    auto plain = keys_.open(*sealed, k_funding_context);
    if (!plain) throw std::runtime_error("client " + id + ": funding_note cannot be decrypted");
    cl.funding_note = std::move(*plain);
  }
  cl.status = r->str(i++);
  cl.archived_at_ms = r->opt_i64(i++);
  cl.version = r->i64(i++);
  cl.created_by = r->str(i++);
  cl.created_at_ms = r->i64(i++);
  cl.updated_at_ms = r->i64(i++);
  return cl;
}

void ClientService::store(sql::Conn& c, const Client& cl, bool insert) const {
  const auto b = [](bool v) { return sql::Value(std::int64_t{v}); };
  const sql::Value funding =
      cl.funding_note ? sql::Value(keys_.seal(*cl.funding_note, k_funding_context)) : sql::Value();
  sql::Params p = {
      cl.mrn,
      cl.given_name,
      cl.family_name,
      sql::opt(cl.preferred_name),
      rules::search_key(cl.given_name),
      rules::search_key(cl.family_name),
      cl.preferred_name ? sql::Value(rules::search_key(*cl.preferred_name)) : sql::Value(),
      sql::opt(cl.pronouns),
      cl.date_of_birth,
      sql::opt(cl.gender_identity),
      sql::opt(cl.sex),
      sql::opt(cl.language),
      b(cl.interpreter_needed),
      sql::opt(cl.email),
      sql::opt(cl.phone),
      b(cl.consent.email),
      b(cl.consent.sms),
      b(cl.consent.phone),
      b(cl.consent.voicemail),
      b(cl.consent.post),
      sql::opt(cl.emergency_contact.name),
      sql::opt(cl.emergency_contact.relationship),
      sql::opt(cl.emergency_contact.phone),
      sql::opt(cl.address.line1),
      sql::opt(cl.address.line2),
      sql::opt(cl.address.city),
      sql::opt(cl.address.region),
      sql::opt(cl.address.postal_code),
      sql::opt(cl.address.country),
      sql::opt(cl.race),
      sql::opt(cl.ethnicity),
      funding,
      cl.status,
      sql::opt(cl.archived_at_ms),
      cl.version,
      cl.updated_at_ms};
  if (insert) {
    p.insert(p.begin(), cl.id);
    p.push_back(cl.created_by);
    p.push_back(cl.created_at_ms);
    c.exec(
        "INSERT INTO clients (id, mrn, given_name, family_name, preferred_name, given_key, "
        "family_key, preferred_key, pronouns, date_of_birth, gender_identity, sex, language, "
        "interpreter_needed, email, phone, consent_email, consent_sms, consent_phone, "
        "consent_voicemail, consent_post, emergency_contact_name, emergency_contact_relationship, "
        "emergency_contact_phone, address_line1, address_line2, city, region, postal_code, "
        "country, race, ethnicity, funding_note, status, archived_at, version, updated_at, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p);
  } else {
    p.push_back(cl.id);
    c.exec(
        "UPDATE clients SET mrn = ?, given_name = ?, family_name = ?, preferred_name = ?, "
        "given_key = ?, family_key = ?, preferred_key = ?, pronouns = ?, date_of_birth = ?, "
        "gender_identity = ?, sex = ?, language = ?, interpreter_needed = ?, email = ?, phone = ?, "
        "consent_email = ?, consent_sms = ?, consent_phone = ?, consent_voicemail = ?, "
        "consent_post = ?, emergency_contact_name = ?, emergency_contact_relationship = ?, "
        "emergency_contact_phone = ?, address_line1 = ?, address_line2 = ?, city = ?, region = ?, "
        "postal_code = ?, country = ?, race = ?, ethnicity = ?, funding_note = ?, status = ?, "
        "archived_at = ?, version = ?, updated_at = ? WHERE id = ?",
        p);
  }
}

Result<Client> ClientService::create(const access::Principal& p, const boost::json::object& body) {
  auto parsed = rules::parse_new(body, today());
  if (!parsed) return parsed.error();
  return create_record(p, std::move(*parsed));
}

Result<Client> ClientService::create_record(const access::Principal& p, Client cl) {
  auto d = access_.authorize_general(p, access::Action::Create, access::Resource::Demographics);
  if (!d) return d.error();
  const bool auto_mrn = cl.mrn.empty();
  cl.id = new_id("cl");
  cl.status = "active";
  cl.version = 1;
  cl.created_by = p.user_id;
  cl.created_at_ms = cl.updated_at_ms = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<Client> {
    for (int attempt = 0; auto_mrn && attempt < 8; ++attempt) {
      cl.mrn = new_mrn();
      if (!c.query_one("SELECT 1 FROM clients WHERE mrn = ?", {cl.mrn})) break;
    }
    if (!auto_mrn && c.query_one("SELECT 1 FROM clients WHERE mrn = ?", {cl.mrn})) {
      return make_error(Errc::Conflict, "MRN is already used by another client",
                        {{"mrn", "is already used by another client"}});
    }
    store(c, cl, true);
    if (access::rules::is_clinical(p.role)) {
      c.exec(
          "INSERT INTO care_team (client_id, user_id, team_role, added_by, added_at) "
          "VALUES (?, ?, 'primary_clinician', ?, ?)",
          {cl.id, p.user_id, p.user_id, cl.created_at_ms});
    }
    audit_.append(c, access::audit_entry(p, "create", "client", cl.id, cl.id));
    return cl;
  });
}

Result<Client> ClientService::get(const access::Principal& p, const std::string& id) {
  struct Loaded {
    std::optional<Client> client;
    access::ClientContext ctx;
  };
  auto loaded = db_.read([&](sql::Conn& c) {
    Loaded l;
    l.client = load(c, id);
    if (l.client) l.ctx = access_.client_context(c, p, id);
    return l;
  });
  if (!loaded.client) return not_found("client " + id);
  const auto d = access::rules::decide(p.role, access::Action::Read, access::Resource::Demographics,
                                       loaded.ctx);
  db_.write([&](sql::Conn& c) {
    audit_.append(
        c, access::audit_entry(p, "read", "client", id, id,
                               d.via_break_glass ? "break-the-glass" : (d.allowed ? "" : d.reason),
                               d.allowed ? "ok" : "denied"));
  });
  if (!d.allowed) return not_found("client " + id);
  return std::move(*loaded.client);
}

void ClientService::publish_change(sql::Conn& c, const std::string& client_id,
                                   const std::string& type, std::int64_t version) {
  if (events_ == nullptr) return;
  std::vector<std::string> team;
  for (const auto& r : c.query("SELECT user_id FROM care_team WHERE client_id = ?", {client_id})) {
    team.push_back(r.str(0));
  }
  // Ids and the version only: a screen that shows the record reloads it through the API.
  events_->publish(
      c,
      {type,
       boost::json::serialize(boost::json::object{{"client_id", client_id}, {"version", version}}),
       team});
}

Result<Client> ClientService::update(const access::Principal& p, const std::string& id,
                                     const boost::json::object& body) {
  auto d = access_.authorize(p, access::Action::Update, access::Resource::Demographics, id);
  if (!d) return d.error();
  const std::string day = today();
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<Client> {
    auto current = load(c, id);
    if (!current) return not_found("client " + id);
    auto next = rules::apply_patch(*current, body, day);
    if (!next) return next.error();
    if (next->mrn != current->mrn &&
        c.query_one("SELECT 1 FROM clients WHERE mrn = ? AND id <> ?", {next->mrn, id})) {
      return make_error(Errc::Conflict, "MRN is already used by another client",
                        {{"mrn", "is already used by another client"}});
    }
    next->version = current->version + 1;
    next->updated_at_ms = now;
    store(c, *next, false);
    audit_.append(c, access::audit_entry(p, "update", "client", id, id));
    publish_change(c, id, "client.updated", next->version);
    return std::move(*next);
  });
}

Result<Client> ClientService::set_archived(const access::Principal& p, const std::string& id,
                                           bool archived) {
  auto d = access_.authorize(p, access::Action::Archive, access::Resource::Demographics, id);
  if (!d) return d.error();
  const std::int64_t now = now_ms();
  return db_.write([&](sql::Conn& c) -> Result<Client> {
    auto cl = load(c, id);
    if (!cl) return not_found("client " + id);
    if ((cl->status == "archived") == archived) {
      return make_error(Errc::Conflict, std::string("client ") + id + " is already " +
                                            (archived ? "archived" : "active"));
    }
    cl->status = archived ? "archived" : "active";
    cl->archived_at_ms = archived ? std::optional<std::int64_t>(now) : std::nullopt;
    cl->version += 1;
    cl->updated_at_ms = now;
    store(c, *cl, false);
    audit_.append(c, access::audit_entry(p, archived ? "archive" : "restore", "client", id, id));
    publish_change(c, id, archived ? "client.archived" : "client.restored", cl->version);
    return std::move(*cl);
  });
}

Result<SearchPage> ClientService::search(const access::Principal& p, const SearchQuery& q) {
  auto d = access_.authorize_general(p, access::Action::Search, access::Resource::Demographics);
  if (!d) return d.error();
  std::string where = " WHERE 1 = 1";
  sql::Params params = {p.user_id};
  if (!q.include_archived) where += " AND c.status = 'active'";
  if (q.q) {
    // Every word must start one of the names: "ada lov" finds Ada Lovelace.
    std::string rest = rules::search_key(*q.q);
    int words = 0;
    std::size_t pos = 0;
    while (pos < rest.size() && words < 4) {
      const auto start = rest.find_first_not_of(" \t,", pos);
      if (start == std::string::npos) break;
      auto end = rest.find_first_of(" \t,", start);
      if (end == std::string::npos) end = rest.size();
      const std::string word = rest.substr(start, end - start);
      pos = end;
      ++words;
      const std::string hi = rules::prefix_upper_bound(word);
      where +=
          " AND ((c.family_key >= ? AND c.family_key < ?) OR (c.given_key >= ? AND c.given_key < ?)"
          " OR (c.preferred_key >= ? AND c.preferred_key < ?))";
      for (int i = 0; i < 3; ++i) {
        params.emplace_back(word);
        params.emplace_back(hi);
      }
    }
  }
  if (q.date_of_birth) {
    where += " AND c.date_of_birth = ?";
    params.emplace_back(*q.date_of_birth);
  }
  if (q.identifier) {
    where += " AND c.mrn = ?";
    params.emplace_back(*q.identifier);
  }
  if (q.mine) {
    where += " AND EXISTS (SELECT 1 FROM care_team m WHERE m.client_id = c.id AND m.user_id = ?)";
    params.emplace_back(p.user_id);
  }
  if (q.cursor) {
    auto pos = rules::decode_cursor(*q.cursor);
    if (!pos) {
      return make_error(Errc::BadRequest, "cursor is not one this server gave out",
                        {{"cursor", "is not valid"}});
    }
    where +=
        " AND (c.family_key > ? OR (c.family_key = ? AND (c.given_key > ? OR (c.given_key = ? AND "
        "c.id > ?))))";
    params.insert(params.end(),
                  {pos->family_key, pos->family_key, pos->given_key, pos->given_key, pos->id});
  }
  params.emplace_back(std::int64_t{q.limit + 1});
  const std::string sql =
      "SELECT c.id, c.mrn, c.given_name, c.family_name, c.preferred_name, c.pronouns, "
      "c.date_of_birth, c.status, c.family_key, c.given_key, "
      "(SELECT COUNT(*) FROM care_team t WHERE t.client_id = c.id AND t.user_id = ?) "
      "FROM clients c" +
      where + " ORDER BY c.family_key, c.given_key, c.id LIMIT ?";
  auto rows = db_.read([&](sql::Conn& c) { return c.query(sql, params); });
  SearchPage page;
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < q.limit; ++i) {
    const auto& r = rows[i];
    page.items.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.opt_str(4), r.opt_str(5),
                          r.str(6), r.str(7), r.i64(10) > 0});
  }
  if (static_cast<int>(rows.size()) > q.limit) {
    const auto& last = rows[static_cast<std::size_t>(q.limit) - 1];
    page.next_cursor = rules::encode_cursor(last.str(8), last.str(9), last.str(0));
  }
  if (!page.items.empty()) {
    db_.write([&](sql::Conn& c) {
      for (const auto& s : page.items) {
        audit_.append(c, access::audit_entry(p, "list", "client", s.id, s.id));
      }
    });
  }
  return page;
}

Result<std::vector<audit::Entry>> ClientService::access_log(const access::Principal& p,
                                                            const std::string& id,
                                                            std::int64_t before_seq, int limit) {
  auto d = access_.authorize(p, access::Action::Read, access::Resource::AccessLog, id);
  if (!d) return d.error();
  auto entries = audit_.for_client(db_, id, before_seq, limit);
  db_.write([&](sql::Conn& c) {
    audit_.append(c, access::audit_entry(p, "read", "access_log", id, id,
                                         d->via_break_glass ? "break-the-glass" : ""));
  });
  return entries;
}

}  // namespace tend::clients
