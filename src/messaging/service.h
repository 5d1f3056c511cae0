#pragma once
//! Secure messages between a client and their care team, and between staff about a client.
//!
//! - A thread is about one client. Kind `client`: the client and their care team write in it.
//!   Kind `staff`: the care team only; the client never sees it, nor learns that it exists.
//! - Subjects and bodies are sealed at rest. A client's message goes through the crisis watch
//!   list (CrisisService::on_message) in the transaction that stores it, so a watched phrase
//!   and its alert commit together. Staff messages are not screened.
//! - Outside office hours a client's message gets an automatic reply in the same transaction:
//!   when the team will read it, that messages are not watched now, and the crisis lines. At
//!   most one per thread and closed period (keyed by the opening it promises).
//! - Read receipts: a person reading a thread marks every message of others in it read.
//! - Every new message is published live (`message.new`, ids only) to the thread's other
//!   participants, and owes each of them one e-mail notice (`messaging.notice`, without
//!   content) until they read the thread; a client gets it only with e-mail consent and
//!   message notices on (portal_preferences).
//! - Staff access goes through the care-team policy (break-the-glass included); staff reads are
//!   audited. A thread the caller may not see is 404.

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "access/service.h"
#include "audit/service.h"
#include "crisis/service.h"
#include "messaging/model.h"
#include "messaging/rules.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/events/hub.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"
#include "platform/tz.h"

namespace tend::messaging {

//! Sends one e-mail; an error names the server, never the content.
using MailFn = std::function<Status(const std::vector<std::string>& to, const std::string& subject,
                                    const std::string& body)>;

struct MessagingSettings {
  OfficeHours hours;     //!< from the `office_hours` setting (rules::parse_office_hours)
  TimeZone zone;         //!< the service's time zone
  std::string base_url;  //!< for the link in notices; may be empty
  //! How long a notice waits, so that someone reading live is not e-mailed as well.
  std::chrono::seconds notice_delay{60};
};

//! Thread-safe; one per process.
class MessagingService {
 public:
  MessagingService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                   audit::AuditLog& audit, access::AccessService& access,
                   crisis::CrisisService& crisis, jobs::JobQueue& jobs, MessagingSettings settings);

  void set_events(events::EventHub* hub) { events_ = hub; }
  //! The mail server; without one no notice is owed. Registers the notice job's handler.
  void set_mail(MailFn mail);

  //! Open or closed now, the hours in words and the next opening.
  OfficeHoursNow office_hours() const;

  // ---- the client's own (portal) ----
  //! The calling client's threads, last message first, with unread counts. 403 for staff.
  Result<std::vector<Thread>> my_threads(const access::Principal& p);
  //! A new thread to the care team: `{subject (1–120), body (1–5000)}`.
  Result<Thread> start_mine(const access::Principal& p, const boost::json::object& body);
  //! One of the caller's threads with its messages; 404 for anyone else's (and staff threads).
  Result<Thread> my_thread(const access::Principal& p, const std::string& id);
  //! A message in one of the caller's threads: `{body}`.
  Result<Thread> post_mine(const access::Principal& p, const std::string& id,
                           const boost::json::object& body);
  //! The client has read the thread.
  Result<Thread> read_mine(const access::Principal& p, const std::string& id);

  // ---- staff ----
  //! Every thread about the client (client and staff threads), last message first.
  Result<std::vector<Thread>> for_client(const access::Principal& p, const std::string& client_id);
  //! `{kind: client|staff, subject, body}`.
  Result<Thread> start(const access::Principal& p, const std::string& client_id,
                       const boost::json::object& body);
  Result<Thread> thread(const access::Principal& p, const std::string& id);
  Result<Thread> post(const access::Principal& p, const std::string& id,
                      const boost::json::object& body);
  Result<Thread> mark_read(const access::Principal& p, const std::string& id);
  //! Threads with messages the caller has not read, across the clients whose care team they
  //! are on, last message first.
  Result<std::vector<Thread>> inbox(const access::Principal& p);

  //! How many messages the caller has not read (a client: in their own threads; staff: in
  //! threads about the clients whose care team they are on), for a count in the navigation.
  //! Not audited: a number, no content.
  Result<std::int64_t> unread_count(const access::Principal& p);

  //! The `messaging.notice` job (public for tests).
  Status deliver_notice(const jobs::Job& job);

 private:
  struct Found {
    std::string client_id;
    access::Decision decision;
  };
  //! The staff caller may do `action` on thread `id`'s client; 404 otherwise.
  Result<Found> staff_access(const access::Principal& p, const std::string& id,
                             access::Action action);
  Status client_only(const access::Principal& p);
  std::vector<Thread> load_threads(sql::Conn& c, const std::string& where,
                                   const sql::Params& params, const std::string& user_id);
  std::optional<Thread> load_thread(sql::Conn& c, const std::string& id,
                                    const std::string& user_id);
  //! Appends a message; returns its id. `sender` empty for an automatic reply.
  std::string append(sql::Conn& c, const std::string& thread_id, const std::string& sender,
                     const std::string& kind, const std::string& text,
                     std::optional<std::int64_t> opens_at_ms = std::nullopt);
  //! After a person's message: receipts for what they saw, the event, the notices owed.
  void announce(sql::Conn& c, const Thread& t, const std::string& message_id,
                const std::string& sender);
  //! A client's message written while closed gets the automatic reply (once per period).
  void maybe_auto_reply(sql::Conn& c, const std::string& thread_id);
  void mark_read_in(sql::Conn& c, const Thread& t, const std::string& user_id, bool publish);
  std::vector<std::string> participants(sql::Conn& c, const Thread& t);
  Result<std::string> read_body(const boost::json::object& body);
  Result<Thread> create(const access::Principal& p, const std::string& client_id,
                        const std::string& kind, const std::string& subject,
                        const std::string& text, const access::Decision* d);

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  access::AccessService& access_;
  crisis::CrisisService& crisis_;
  jobs::JobQueue& jobs_;
  MessagingSettings settings_;
  events::EventHub* events_ = nullptr;
  MailFn mail_;
};

}  // namespace tend::messaging
