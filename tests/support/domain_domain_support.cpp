#include <boost/json.hpp>

#include "platform/sql/migrations.h"
#include "support/domain.h"

namespace tend::testing {

Domain::Domain() {
  crypto::init();
  db = database.open();
  auto m = sql::migrate(*db, sql::embedded_migrations());
  if (!m) throw std::runtime_error(m.error().detail);
  audit = std::make_unique<audit::AuditLog>(clock);
  access::AccessConfig cfg;
  access = std::make_unique<access::AccessService>(*db, clock, keys, *audit, cfg);
  clients = std::make_unique<clients::ClientService>(*db, clock, keys, *audit, *access);
  admin = user("admin", access::Role::Admin);
}

Domain::~Domain() {
  if (db) db->close();
}

access::Principal Domain::user(const std::string& username, access::Role role,
                               std::optional<std::string> client_id) {
  access::NewUser nu;
  nu.username = username;
  nu.display_name = username;
  nu.role = role;
  nu.password = k_password;
  nu.client_id = std::move(client_id);
  auto u = access->create_user(access::system_principal("test"), nu);
  if (!u) throw std::runtime_error("create user: " + u.error().detail);
  access::Principal p;
  p.user_id = u->id;
  p.username = u->username;
  p.role = role;
  p.client_id = u->client_id.value_or("");
  p.remote_addr = "127.0.0.1";
  p.request_id = "rq_test";
  return p;
}

clients::Client Domain::client(const access::Principal& by, const std::string& given,
                               const std::string& family, const std::string& dob) {
  boost::json::object o{{"given_name", given}, {"family_name", family}, {"date_of_birth", dob}};
  auto c = clients->create(by, o);
  if (!c) throw std::runtime_error("create client: " + c.error().detail);
  return *c;
}

std::int64_t Domain::audit_count(const std::string& where, const sql::Params& params) {
  return db->read([&](sql::Conn& c) {
    return c.query_one("SELECT COUNT(*) FROM audit_log WHERE " + where, params)->i64(0);
  });
}

}  // namespace tend::testing
