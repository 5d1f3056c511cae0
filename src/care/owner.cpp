#include "care/owner.h"

namespace tend::care {

Result<Owned> owner_of(sql::Db& db, access::AccessService& access, const access::Principal& p,
                       const std::string& table, const std::string& id, access::Action action,
                       access::Resource resource, const std::string& what, const std::string& key) {
  auto client = db.read([&](sql::Conn& c) {
    auto r = c.query_one("SELECT client_id FROM " + table + " WHERE " + key + " = ?", {id});
    return r ? r->str(0) : std::string();
  });
  if (client.empty()) return not_found(what + " " + id);
  auto d = access.authorize(p, action, resource, client);
  if (!d) {
    if (d.error().code == Errc::Forbidden) return not_found(what + " " + id);
    return d.error();
  }
  return Owned{client, *d};
}

}  // namespace tend::care
