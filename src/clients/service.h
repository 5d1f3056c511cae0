#pragma once
//! Client-record use cases: register, read, change, archive, search — each authorized by the
//! access policy and written to the audit log.

#include <boost/json/object.hpp>

#include "access/service.h"
#include "audit/service.h"
#include "clients/model.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/events/hub.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::clients {

//! Thread-safe; one per process.
class ClientService {
 public:
  //! Where record changes are published live to the care team; none until set.
  void set_events(events::EventHub* hub) { events_ = hub; }

  ClientService(sql::Db& db, const Clock& clock, const crypto::Keyring& keys,
                audit::AuditLog& audit, access::AccessService& access);

  //! Registers a client from API JSON. A clinician who registers a client joins the care team
  //! as primary clinician.
  Result<Client> create(const access::Principal& p, const boost::json::object& body);
  //! Registers a client from a value (demo data, imports); same checks as create().
  Result<Client> create_record(const access::Principal& p, Client c);
  Result<Client> get(const access::Principal& p, const std::string& id);
  Result<Client> update(const access::Principal& p, const std::string& id,
                        const boost::json::object& body);
  //! Archives (or restores) a record. Records are never deleted.
  Result<Client> set_archived(const access::Principal& p, const std::string& id, bool archived);
  Result<SearchPage> search(const access::Principal& p, const SearchQuery& q);
  //! Who has looked at the record, newest first.
  Result<std::vector<audit::Entry>> access_log(const access::Principal& p, const std::string& id,
                                               std::int64_t before_seq, int limit);

 private:
  std::int64_t now_ms() const;
  std::string today() const;
  std::optional<Client> load(sql::Conn& c, const std::string& id) const;
  void store(sql::Conn& c, const Client& cl, bool insert) const;

  sql::Db& db_;
  const Clock& clock_;
  const crypto::Keyring& keys_;
  audit::AuditLog& audit_;
  events::EventHub* events_ = nullptr;
  void publish_change(sql::Conn& c, const std::string& client_id, const std::string& type,
                      std::int64_t version);
  access::AccessService& access_;
};

}  // namespace tend::clients
