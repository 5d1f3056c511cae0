#include "messaging/service.h"

#include <boost/json.hpp>
#include <set>

#include "platform/ids.h"
#include "platform/json.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::messaging {

namespace bj = boost::json;
using access::Action;
using access::Principal;
using access::Resource;
using access::Role;

namespace {
constexpr const char* k_ctx_subject = "message_threads.subject";
constexpr const char* k_ctx_body = "messages.body";
constexpr const char* k_notice_job = "messaging.notice";
constexpr const char* k_thread_columns =
    "t.id, t.client_id, t.kind, t.subject, t.created_by, u.display_name, t.created_at, "
    "t.last_message_at, t.last_seq, c.given_name, c.family_name";
// Messages of others the user has not read (automatic replies are not counted).
constexpr const char* k_unread =
    "(SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.kind = 'message' AND "
    "m.sender_user_id <> ? AND NOT EXISTS (SELECT 1 FROM message_receipts r WHERE r.message_id "
    "= m.id AND r.user_id = ?))";

std::string glass(const access::Decision& d) {
  return d.via_break_glass ? "break-the-glass" : "";
}

//! Reads `field` (a subject or body) with the limits of rules::check_text; errors go to `r`.
std::optional<std::string> written(json::FieldReader& r, std::string_view field, std::size_t max) {
  auto raw = r.string(field, {.required = true, .max_len = max * 4});
  if (!raw) return std::nullopt;
  auto checked = rules::check_text(field, *raw, max);
  if (!checked) {
    r.add_error(std::string(field), checked.error().errors.front().message);
    return std::nullopt;
  }
  return std::move(*checked);
}
}  // namespace

MessagingService::MessagingService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                                   audit::AuditLog& audit, access::AccessService& access,
                                   crisis::CrisisService& crisis, jobs::JobQueue& jobs,
                                   MessagingSettings settings)
    : db_(db),
      clock_(clock),
      keys_(keys),
      audit_(audit),
      access_(access),
      crisis_(crisis),
      jobs_(jobs),
      settings_(std::move(settings)) {}

void MessagingService::set_mail(MailFn mail) {
  mail_ = std::move(mail);
  if (mail_) {
    jobs_.handle_external(k_notice_job, [this](const jobs::Job& j) { return deliver_notice(j); });
  }
}

OfficeHoursNow MessagingService::office_hours() const {
  OfficeHoursNow o;
  const auto now = clock_.now();
  o.open = rules::is_open(settings_.hours, settings_.zone, now);
  o.hours = rules::describe(settings_.hours);
  o.time_zone = settings_.zone.name();
  o.next_opening = rules::next_opening(settings_.hours, settings_.zone, now);
  if (o.next_opening) {
    o.next_opening_words = rules::opening_in_words(settings_.zone.to_local(*o.next_opening),
                                                   settings_.zone.to_local(now),
                                                   settings_.zone.abbreviation_at(*o.next_opening));
  }
  return o;
}

// ---- loading -----------------------------------------------------------------------------------

std::vector<Thread> MessagingService::load_threads(sql::Conn& c, const std::string& where,
                                                   const sql::Params& params,
                                                   const std::string& user_id) {
  sql::Params all = {user_id, user_id};
  all.insert(all.end(), params.begin(), params.end());
  std::vector<Thread> out;
  for (const auto& r : c.query(std::string("SELECT ") + k_thread_columns + ", " + k_unread +
                                   " FROM message_threads t JOIN users u ON u.id = t.created_by "
                                   "JOIN clients c ON c.id = t.client_id WHERE " +
                                   where,
                               all)) {
    Thread t;
    t.id = r.str(0);
    t.client_id = r.str(1);
    t.kind = r.str(2);
    auto subject = keys_.open(r.str(3), k_ctx_subject);
    t.subject = subject ? *subject : std::string("(cannot be opened)");
    t.created_by = r.str(4);
    t.created_by_name = r.str(5);
    t.created_at_ms = r.i64(6);
    t.last_message_at_ms = r.i64(7);
    t.message_count = r.i64(8);
    t.client_name = r.str(9) + " " + r.str(10);
    t.unread = r.i64(11);
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<Thread> MessagingService::load_thread(sql::Conn& c, const std::string& id,
                                                    const std::string& user_id) {
  auto found = load_threads(c, "t.id = ?", {id}, user_id);
  if (found.empty()) return std::nullopt;
  Thread t = std::move(found.front());
  std::map<std::string, std::size_t> index;
  for (const auto& r :
       c.query("SELECT m.id, m.seq, m.kind, m.sender_user_id, u.display_name, u.role, m.body, "
               "m.opens_at, m.created_at FROM messages m LEFT JOIN users u ON u.id = "
               "m.sender_user_id WHERE m.thread_id = ? ORDER BY m.seq",
               {id})) {
    Message m;
    m.id = r.str(0);
    m.thread_id = id;
    m.seq = r.i64(1);
    m.kind = r.str(2);
    m.sender_id = r.str(3);
    m.sender_name = r.str(4);
    m.from_client = r.str(5) == "client";
    auto body = keys_.open(r.str(6), k_ctx_body);
    m.body = body ? *body : std::string("(this message cannot be opened)");
    m.opens_at_ms = r.opt_i64(7);
    m.created_at_ms = r.i64(8);
    index[m.id] = t.messages.size();
    t.messages.push_back(std::move(m));
  }
  for (const auto& r :
       c.query("SELECT r.message_id, r.user_id, u.display_name, u.role, r.read_at FROM "
               "message_receipts r JOIN messages m ON m.id = r.message_id JOIN users u ON u.id = "
               "r.user_id WHERE m.thread_id = ? ORDER BY r.read_at, r.user_id",
               {id})) {
    auto it = index.find(r.str(0));
    if (it == index.end()) continue;
    t.messages[it->second].reads.push_back(
        Receipt{r.str(1), r.str(2), r.str(3) == "client", r.i64(4)});
  }
  return t;
}

// ---- access --------------------------------------------------------------------------------

Status MessagingService::client_only(const Principal& p) {
  if (p.role != Role::Client || p.client_id.empty()) {
    return make_error(Errc::Forbidden,
                      "these are a client's own messages; staff use /api/v1/clients/{id}/threads");
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, p.client_id);
  if (!d) return d.error();
  return ok_status();
}

Result<MessagingService::Found> MessagingService::staff_access(const Principal& p,
                                                               const std::string& id,
                                                               Action action) {
  // A client reaches threads only through /api/v1/me/threads: here nothing is theirs.
  if (p.role == Role::Client) return not_found("thread " + id);
  auto client = db_.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT client_id FROM message_threads WHERE id = ?", {id});
    return r ? r->str(0) : std::string();
  });
  if (client.empty()) return not_found("thread " + id);
  auto d = access_.authorize(p, action, Resource::Clinical, client);
  if (!d) {
    if (d.error().code == Errc::Forbidden) return not_found("thread " + id);
    return d.error();
  }
  return Found{client, *d};
}

Result<std::string> MessagingService::read_body(const bj::object& body) {
  json::FieldReader r(body);
  auto text = written(r, "body", rules::k_body_max);
  if (auto st = r.finish(); !st) return st.error();
  return std::move(*text);
}

// ---- writing -------------------------------------------------------------------------------

std::string MessagingService::append(sql::Conn& c, const std::string& thread_id,
                                     const std::string& sender, const std::string& kind,
                                     const std::string& text,
                                     std::optional<std::int64_t> opens_at_ms) {
  const auto now = clock_.unix_ms();
  // The thread's row lock (PostgreSQL) or the single writer (SQLite) numbers messages in order.
  c.exec("UPDATE message_threads SET last_seq = last_seq + 1, last_message_at = ? WHERE id = ?",
         {now, thread_id});
  const auto seq =
      c.query_one("SELECT last_seq FROM message_threads WHERE id = ?", {thread_id})->i64(0);
  const std::string id = new_id("msg");
  c.exec(
      "INSERT INTO messages (id, thread_id, seq, sender_user_id, kind, body, opens_at, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {id, thread_id, seq, sender.empty() ? sql::null() : sql::Value(sender), kind,
       keys_.seal(text, k_ctx_body), sql::opt(opens_at_ms), now});
  metrics::inc("tend_messages_total", "kind", kind);
  return id;
}

std::vector<std::string> MessagingService::participants(sql::Conn& c, const Thread& t) {
  std::set<std::string> who;
  for (const auto& r :
       c.query("SELECT ct.user_id FROM care_team ct JOIN users u ON u.id = ct.user_id WHERE "
               "ct.client_id = ? AND u.disabled = 0",
               {t.client_id})) {
    who.insert(r.str(0));
  }
  if (t.kind == "client") {
    for (const auto& r :
         c.query("SELECT id FROM users WHERE client_id = ? AND role = 'client' AND disabled = 0",
                 {t.client_id})) {
      who.insert(r.str(0));
    }
  }
  return {who.begin(), who.end()};
}

void MessagingService::mark_read_in(sql::Conn& c, const Thread& t, const std::string& user_id,
                                    bool publish) {
  const auto changed = c.exec(
      "INSERT INTO message_receipts (message_id, user_id, read_at) SELECT m.id, ?, ? FROM "
      "messages m WHERE m.thread_id = ? AND m.kind = 'message' AND m.sender_user_id <> ? AND "
      "NOT EXISTS (SELECT 1 FROM message_receipts r WHERE r.message_id = m.id AND r.user_id = "
      "?)",
      {user_id, clock_.unix_ms(), t.id, user_id, user_id});
  // Read: the next new message may send a notice again.
  c.exec("DELETE FROM message_notices WHERE thread_id = ? AND user_id = ?", {t.id, user_id});
  if (changed > 0 && publish && events_) {
    auto others = participants(c, t);
    std::erase(others, user_id);
    if (!others.empty()) {
      events_->publish(c, {"message.read",
                           bj::serialize(bj::object{
                               {"thread_id", t.id}, {"client_id", t.client_id}, {"kind", t.kind}}),
                           others});
    }
  }
}

void MessagingService::announce(sql::Conn& c, const Thread& t, const std::string& message_id,
                                const std::string& sender) {
  // Writing in a thread means having seen it.
  mark_read_in(c, t, sender, false);
  auto others = participants(c, t);
  std::erase(others, sender);
  if (others.empty()) return;
  if (events_) {
    events_->publish(c, {"message.new",
                         bj::serialize(bj::object{{"thread_id", t.id},
                                                  {"message_id", message_id},
                                                  {"client_id", t.client_id},
                                                  {"kind", t.kind}}),
                         others});
  }
  if (!mail_) return;
  const auto now = clock_.unix_ms();
  for (const auto& user : others) {
    if (c.query_one("SELECT 1 FROM message_notices WHERE thread_id = ? AND user_id = ?",
                    {t.id, user})) {
      continue;  // one notice until they read the thread
    }
    c.exec("INSERT INTO message_notices (thread_id, user_id, created_at) VALUES (?, ?, ?)",
           {t.id, user, now});
    jobs::NewJob j;
    j.kind = k_notice_job;
    j.payload = bj::serialize(bj::object{{"thread_id", t.id}, {"user_id", user}});
    j.due = clock_.now() + settings_.notice_delay;
    j.dedupe_key = t.id + ":" + user;
    jobs_.enqueue(c, j);
  }
}

void MessagingService::maybe_auto_reply(sql::Conn& c, const std::string& thread_id) {
  const auto now = clock_.now();
  if (rules::is_open(settings_.hours, settings_.zone, now)) return;
  const auto opens = rules::next_opening(settings_.hours, settings_.zone, now);
  if (!opens) return;
  const auto opens_ms = unix_ms(*opens);
  if (c.query_one(
          "SELECT 1 FROM messages WHERE thread_id = ? AND kind = 'auto_reply' AND opens_at = ?",
          {thread_id, opens_ms})) {
    return;  // this closed period was answered already
  }
  const auto when =
      rules::opening_in_words(settings_.zone.to_local(*opens), settings_.zone.to_local(now),
                              settings_.zone.abbreviation_at(*opens));
  append(c, thread_id, "", "auto_reply", rules::auto_reply_text(when), opens_ms);
}

Result<Thread> MessagingService::create(const Principal& p, const std::string& client_id,
                                        const std::string& kind, const std::string& subject,
                                        const std::string& text, const access::Decision* d) {
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    const std::string id = new_id("thr");
    const auto now = clock_.unix_ms();
    c.exec(
        "INSERT INTO message_threads (id, client_id, kind, subject, created_by, created_at, "
        "last_message_at, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        {id, client_id, kind, keys_.seal(subject, k_ctx_subject), p.user_id, now, now});
    const auto message_id = append(c, id, p.user_id, "message", text);
    const bool by_client = p.role == Role::Client;
    if (by_client) {
      crisis_.on_message(c, client_id, message_id, text);
      maybe_auto_reply(c, id);
    }
    auto t = load_thread(c, id, p.user_id);
    announce(c, *t, message_id, p.user_id);
    audit_.append(c, access::audit_entry(p, "create", "message_thread", id, client_id,
                                         d ? glass(*d) : std::string()));
    metrics::inc("tend_message_threads_total", "kind", kind);
    return std::move(*load_thread(c, id, p.user_id));
  });
}

// ---- the client's own ----------------------------------------------------------------------

Result<std::vector<Thread>> MessagingService::my_threads(const Principal& p) {
  if (auto st = client_only(p); !st) return st.error();
  return db_.read([&](sql::Conn& c) -> Result<std::vector<Thread>> {
    return load_threads(c,
                        "t.client_id = ? AND t.kind = 'client' ORDER BY t.last_message_at DESC, "
                        "t.id DESC",
                        {p.client_id}, p.user_id);
  });
}

Result<Thread> MessagingService::start_mine(const Principal& p, const bj::object& body) {
  if (auto st = client_only(p); !st) return st.error();
  json::FieldReader r(body);
  auto subject = written(r, "subject", rules::k_subject_max);
  auto text = written(r, "body", rules::k_body_max);
  if (auto st = r.finish(); !st) return st.error();
  return create(p, p.client_id, "client", *subject, *text, nullptr);
}

Result<Thread> MessagingService::my_thread(const Principal& p, const std::string& id) {
  if (auto st = client_only(p); !st) return st.error();
  return db_.read([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_thread(c, id, p.user_id);
    if (!t || t->client_id != p.client_id || t->kind != "client") {
      return not_found("thread " + id);
    }
    return std::move(*t);
  });
}

Result<Thread> MessagingService::post_mine(const Principal& p, const std::string& id,
                                           const bj::object& body) {
  if (auto st = client_only(p); !st) return st.error();
  auto text = read_body(body);
  if (!text) return text.error();
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_threads(c, "t.id = ? AND t.client_id = ? AND t.kind = 'client'",
                          {id, p.client_id}, p.user_id);
    if (t.empty()) return not_found("thread " + id);
    const auto message_id = append(c, id, p.user_id, "message", *text);
    crisis_.on_message(c, p.client_id, message_id, *text);
    maybe_auto_reply(c, id);
    announce(c, t.front(), message_id, p.user_id);
    audit_.append(c, access::audit_entry(p, "create", "message", message_id, p.client_id));
    return std::move(*load_thread(c, id, p.user_id));
  });
}

Result<Thread> MessagingService::read_mine(const Principal& p, const std::string& id) {
  if (auto st = client_only(p); !st) return st.error();
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_threads(c, "t.id = ? AND t.client_id = ? AND t.kind = 'client'",
                          {id, p.client_id}, p.user_id);
    if (t.empty()) return not_found("thread " + id);
    mark_read_in(c, t.front(), p.user_id, true);
    return std::move(*load_thread(c, id, p.user_id));
  });
}

// ---- staff ---------------------------------------------------------------------------------

Result<std::vector<Thread>> MessagingService::for_client(const Principal& p,
                                                         const std::string& client_id) {
  if (p.role == Role::Client) {
    if (client_id == p.client_id) {
      return make_error(Errc::Forbidden, "clients read their messages at /api/v1/me/threads");
    }
    return not_found("client " + client_id);
  }
  auto d = access_.authorize(p, Action::Read, Resource::Clinical, client_id);
  if (!d) return d.error();
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Thread>> {
    auto out = load_threads(c, "t.client_id = ? ORDER BY t.last_message_at DESC, t.id DESC",
                            {client_id}, p.user_id);
    audit_.append(
        c, access::audit_entry(p, "read", "message_threads", client_id, client_id, glass(*d)));
    return out;
  });
}

Result<Thread> MessagingService::start(const Principal& p, const std::string& client_id,
                                       const bj::object& body) {
  if (p.role == Role::Client) {
    if (client_id == p.client_id) {
      return make_error(Errc::Forbidden, "clients write to their care team at /api/v1/me/threads");
    }
    return not_found("client " + client_id);
  }
  auto d = access_.authorize(p, Action::Create, Resource::Clinical, client_id);
  if (!d) return d.error();
  json::FieldReader r(body);
  auto kind = r.string("kind", {.required = true, .max_len = 10});
  if (kind && *kind != "client" && *kind != "staff") {
    r.add_error("kind", "must be client or staff");
  }
  auto subject = written(r, "subject", rules::k_subject_max);
  auto text = written(r, "body", rules::k_body_max);
  if (auto st = r.finish(); !st) return st.error();
  return create(p, client_id, *kind, *subject, *text, &*d);
}

Result<Thread> MessagingService::thread(const Principal& p, const std::string& id) {
  auto f = staff_access(p, id, Action::Read);
  if (!f) return f.error();
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_thread(c, id, p.user_id);
    if (!t) return not_found("thread " + id);
    audit_.append(
        c, access::audit_entry(p, "read", "message_thread", id, f->client_id, glass(f->decision)));
    return std::move(*t);
  });
}

Result<Thread> MessagingService::post(const Principal& p, const std::string& id,
                                      const bj::object& body) {
  auto f = staff_access(p, id, Action::Create);
  if (!f) return f.error();
  auto text = read_body(body);
  if (!text) return text.error();
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_threads(c, "t.id = ?", {id}, p.user_id);
    if (t.empty()) return not_found("thread " + id);
    const auto message_id = append(c, id, p.user_id, "message", *text);
    announce(c, t.front(), message_id, p.user_id);
    audit_.append(c, access::audit_entry(p, "create", "message", message_id, f->client_id,
                                         glass(f->decision)));
    return std::move(*load_thread(c, id, p.user_id));
  });
}

Result<Thread> MessagingService::mark_read(const Principal& p, const std::string& id) {
  auto f = staff_access(p, id, Action::Read);
  if (!f) return f.error();
  return db_.write([&](sql::Conn& c) -> Result<Thread> {
    auto t = load_threads(c, "t.id = ?", {id}, p.user_id);
    if (t.empty()) return not_found("thread " + id);
    mark_read_in(c, t.front(), p.user_id, true);
    audit_.append(
        c, access::audit_entry(p, "read", "message_thread", id, f->client_id, glass(f->decision)));
    return std::move(*load_thread(c, id, p.user_id));
  });
}

Result<std::vector<Thread>> MessagingService::inbox(const Principal& p) {
  if (p.role == Role::Client) {
    return make_error(Errc::Forbidden, "the inbox is for staff; clients use /api/v1/me/threads");
  }
  return db_.write([&](sql::Conn& c) -> Result<std::vector<Thread>> {
    auto out = load_threads(c,
                            std::string("t.client_id IN (SELECT client_id FROM care_team WHERE "
                                        "user_id = ?) AND ") +
                                k_unread + " > 0 ORDER BY t.last_message_at DESC, t.id DESC",
                            {p.user_id, p.user_id, p.user_id}, p.user_id);
    for (const auto& t : out) {
      audit_.append(c, access::audit_entry(p, "read", "message_inbox", t.id, t.client_id));
    }
    return out;
  });
}

Result<std::int64_t> MessagingService::unread_count(const Principal& p) {
  const bool client = p.role == Role::Client;
  if (client && p.client_id.empty()) return make_error(Errc::Forbidden, "no client record");
  return db_.read([&](sql::Conn& c) -> Result<std::int64_t> {
    const std::string threads =
        client ? "t.client_id = ? AND t.kind = 'client'"
               : "t.client_id IN (SELECT client_id FROM care_team WHERE user_id = ?)";
    return c
        .query_one(
            "SELECT COUNT(*) FROM messages m JOIN message_threads t ON t.id = m.thread_id WHERE " +
                threads +
                " AND m.kind = 'message' AND m.sender_user_id <> ? AND NOT EXISTS (SELECT 1 FROM "
                "message_receipts r WHERE r.message_id = m.id AND r.user_id = ?)",
            {client ? p.client_id : p.user_id, p.user_id, p.user_id})
        ->i64(0);
  });
}

// ---- notices -------------------------------------------------------------------------------

Status MessagingService::deliver_notice(const jobs::Job& job) {
  const auto payload = bj::parse(job.payload).as_object();
  const std::string thread_id(payload.at("thread_id").as_string());
  const std::string user_id(payload.at("user_id").as_string());
  struct Facts {
    bool owed = false;
    bool client = false;
    std::string email;
    bool allowed = false;
    std::int64_t unread = 0;
  };
  auto facts = db_.read([&](sql::Conn& c) {
    Facts f;
    f.owed = c.query_one(
                  "SELECT 1 FROM message_notices WHERE thread_id = ? AND user_id = ? AND sent_at "
                  "IS NULL",
                  {thread_id, user_id})
                 .has_value();
    auto u =
        c.query_one("SELECT role, email, client_id, disabled FROM users WHERE id = ?", {user_id});
    if (!u || u->boolean(3)) return f;
    f.client = u->str(0) == "client";
    if (f.client) {
      // The client's own address, with their consent to e-mail and message notices on (no
      // preferences row: on).
      auto cl = c.query_one(
          "SELECT c.email, c.consent_email, pp.message_notices FROM clients c LEFT JOIN "
          "portal_preferences pp ON pp.client_id = c.id WHERE c.id = ?",
          {u->str(2)});
      if (cl) {
        f.email = cl->str(0);
        f.allowed = cl->boolean(1) && (cl->is_null(2) || cl->boolean(2));
      }
    } else {
      f.email = u->str(1);
      f.allowed = true;
    }
    f.unread = c.query_one(
                    "SELECT COUNT(*) FROM messages m WHERE m.thread_id = ? AND m.kind = "
                    "'message' AND m.sender_user_id <> ? AND NOT EXISTS (SELECT 1 FROM "
                    "message_receipts r WHERE r.message_id = m.id AND r.user_id = ?)",
                    {thread_id, user_id, user_id})
                   ->i64(0);
    return f;
  });
  // Read meanwhile, no consent, notices off or no address: nothing to send, nothing to retry.
  if (!facts.owed || facts.unread == 0 || !facts.allowed || facts.email.empty()) {
    metrics::inc("tend_message_notices_total", "result", "skipped");
    return ok_status();
  }
  if (!mail_) return make_error(Errc::Unavailable, "e-mail is not configured");
  std::string link;
  if (!settings_.base_url.empty()) {
    link = settings_.base_url + (facts.client ? "/portal/messages" : "/inbox");
  }
  const auto n = rules::notice_mail(link);
  auto st = mail_({facts.email}, n.subject, n.body);
  if (!st) {
    log::warn("messaging.notice_failed",
              {{"thread", thread_id}, {"user", user_id}, {"detail", st.error().detail}});
    metrics::inc("tend_message_notices_total", "result", "failed");
    return st;
  }
  db_.write([&](sql::Conn& c) {
    c.exec("UPDATE message_notices SET sent_at = ? WHERE thread_id = ? AND user_id = ?",
           {clock_.unix_ms(), thread_id, user_id});
  });
  log::info("messaging.notice_sent", {{"thread", thread_id}, {"user", user_id}});
  metrics::inc("tend_message_notices_total", "result", "sent");
  return ok_status();
}

}  // namespace tend::messaging
