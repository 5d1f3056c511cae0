#pragma once
// A real database (SQLite, or PostgreSQL in the .pg run) with every service built on it, for
// service tests.

#include <memory>

#include "access/service.h"
#include "audit/service.h"
#include "clients/service.h"
#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/sql/db.h"
#include "support/database.h"
#include "support/temp_dir.h"

namespace tend::testing {

class Domain {
 public:
  Domain();
  ~Domain();
  FakeClock clock{1'795'000'000};  // 2026-11-18T…Z
  TempDir dir;
  TestDatabase database{dir.path()};
  crypto::Keyring keys = crypto::Keyring::ephemeral();
  std::unique_ptr<sql::Db> db;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<access::AccessService> access;
  std::unique_ptr<clients::ClientService> clients;

  //! Creates a user with `role` and returns a principal for them.
  access::Principal user(const std::string& username, access::Role role,
                         std::optional<std::string> client_id = std::nullopt);
  //! Registers a client as `by`.
  clients::Client client(const access::Principal& by, const std::string& given,
                         const std::string& family, const std::string& dob = "1990-01-01");
  //! Number of audit entries matching a WHERE clause.
  std::int64_t audit_count(const std::string& where, const sql::Params& params = {});

  access::Principal admin;
};

//! A password that passes the rules.
inline const std::string k_password = "correct horse battery";

}  // namespace tend::testing
