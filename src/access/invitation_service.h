#pragma once
//! Portal accounts by invitation: the care team invites a client (or a parent or guardian of a
//! client who is a minor) by e-mailed link or by a code shown once; the invited person sets a
//! username and password, agrees to the portal terms and is signed in. Also the portal terms
//! (agreed again when their version changes), the client's reminder preferences, and what a
//! guardian may see.

#include <boost/json/object.hpp>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "access/invitation_rules.h"
#include "access/service.h"
#include "audit/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/jobs/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::access {

//! One invitation as staff see it: never its token or code.
struct Invitation {
  std::string id;
  std::string client_id;
  std::string kind;    //!< client | guardian
  std::string method;  //!< email | code
  std::optional<std::string> email;
  std::optional<std::string> guardian_name;
  std::optional<std::string> relationship;
  std::string created_by;
  std::string created_by_name;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::optional<std::int64_t> sent_at_ms;
  std::optional<std::int64_t> used_at_ms;
  std::optional<std::int64_t> revoked_at_ms;
  std::string state;  //!< pending | used | expired | revoked
};

//! A new invitation, with its code when the method is "code" (shown once, never stored).
struct IssuedInvitation {
  Invitation invitation;
  std::string code;  //!< "K7QM-3XPA"; empty for e-mail invitations
};

//! What the join page shows before the account is made.
struct InvitationCheck {
  std::string kind;
  std::string service_name;
  invitations::Terms terms;
};

//! A portal user's standing with the current terms.
struct TermsStatus {
  invitations::Terms terms;
  std::optional<std::string> accepted_version;  //!< the latest version they agreed to
  std::optional<std::int64_t> accepted_at_ms;
  //! They agreed to an earlier version but not to the current one (accounts made by an admin,
  //! with no agreement recorded here, are not asked).
  bool needs_acceptance = false;
};

//! What a client chose to hear from Tend (portal_preferences; no row = the defaults).
struct Preferences {
  std::optional<std::string> check_in_reminder;  //!< "HH:MM"; nullopt = none
  bool appointment_reminders = true;
  bool message_notices = true;
  bool email_on_file = false;  //!< the record has an e-mail address and consent to e-mail
};

//! A client a guardian is linked to.
struct GuardedClient {
  std::string client_id;
  std::string name;  //!< preferred or given name, and family name
  std::optional<std::string> relationship;
};

//! Sends one e-mail (the SMTP server; tests give a real sink).
using InvitationMailFn = std::function<Status(const std::vector<std::string>& to,
                                              const std::string& subject, const std::string& body)>;

//! The service's choices for the portal.
struct PortalSettings {
  std::string service_name = "Tend";
  std::string base_url;      //!< for the link in the e-mail; e-mail invitations need it
  invitations::Terms terms;  //!< content/portal/terms.md or the service's file
  std::set<std::string> guardian_access = {"appointments", "crisis_resources"};
  bool guardian_adults = false;  //!< allow guardian invitations for clients aged 18 or over
};

//! Thread-safe; one per process.
class InvitationService {
 public:
  InvitationService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                    audit::AuditLog& audit, AccessService& access, PortalSettings settings);

  //! Registers the `access.invitation_mail` job and the mail server (empty: no e-mail
  //! invitations). Call once at start-up.
  void set_mail(jobs::JobQueue* jobs, InvitationMailFn mail);

  const PortalSettings& settings() const { return settings_; }

  // ---- staff ----
  //! `{kind, method, email?, guardian_name?, relationship?}` by someone who may update the
  //! client's demographics (care team, front desk, admin). 409 when the client already has an
  //! account (kind client) or is archived; 422 for a guardian of an adult (unless the service
  //! allows it), an e-mail invitation without an address or without a mail server.
  Result<IssuedInvitation> invite(const Principal& p, const std::string& client_id,
                                  const boost::json::object& body);
  //! The client's invitations, newest first (audited read).
  Result<std::vector<Invitation>> list(const Principal& p, const std::string& client_id);
  //! Withdraws a pending invitation; 409 when it is used, expired or already revoked.
  Result<Invitation> revoke(const Principal& p, const std::string& invitation_id);

  // ---- public (no session) ----
  //! Whether `{token}` or `{code}` opens a valid invitation. Every invalid secret — unknown,
  //! mistyped, used, expired, revoked — gets the same 404. Rate-limited per address (429).
  Result<InvitationCheck> check(const boost::json::object& body, const std::string& remote_addr);
  //! `{token|code, username, password, accept_terms: true, display_name?, terms_version?}`:
  //! makes the account, uses the invitation, records the terms and starts a session, in one
  //! transaction. 409 when `terms_version` (what was read) is no longer the current version.
  Result<SignIn> accept(const boost::json::object& body, const std::string& remote_addr,
                        const std::string& request_id);

  // ---- portal users ----
  Result<TermsStatus> my_terms(const Principal& p);
  //! `{version}` must be the current version (409 otherwise).
  Result<TermsStatus> accept_terms(const Principal& p, const boost::json::object& body);
  Result<Preferences> preferences(const Principal& p);
  //! `{check_in_reminder?: "HH:MM"|null, appointment_reminders?, message_notices?}`; a field
  //! left out keeps its value.
  Result<Preferences> set_preferences(const Principal& p, const boost::json::object& body);

  // ---- guardians ----
  Result<std::vector<GuardedClient>> guardian_clients(const Principal& p);
  //! A signed-in guardian accepts a further guardian invitation (`{token|code}`), for another
  //! young person: the link is added to their account. The same 404 as accept() for every
  //! invalid secret (a client invitation included); 409 when already linked. Rate-limited.
  Status link_guardian(const Principal& p, const boost::json::object& body,
                       const std::string& remote_addr);
  //! Checks that guardian `p` is linked to `client_id` (404 otherwise) and that `section` is
  //! shared with guardians (403 naming why not); audits the read. Returns the principal to read
  //! the client's portal view with: the client's own view, never more.
  Result<Principal> guardian_view(const Principal& p, const std::string& client_id,
                                  const std::string& section);

 private:
  std::vector<Invitation> load_many(sql::Conn& c, const std::string& where,
                                    const sql::Params& params);
  Status throttle(const std::string& remote_addr);
  Status deliver_mail(const jobs::Job& job);
  //! A guardian still sees a young person born on `date_of_birth` today.
  bool still_guarded(const std::string& date_of_birth) const;
  std::string open_or_empty(const sql::Row& r, int col, const char* context) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  AccessService& access_;
  PortalSettings settings_;
  jobs::JobQueue* jobs_ = nullptr;
  InvitationMailFn mail_;
  std::mutex throttle_mu_;
  rules::AddressThrottle throttle_;
};

}  // namespace tend::access
