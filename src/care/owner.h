#pragma once
//! The row-to-client authorization every care service uses: which client a row belongs to,
//! and whether the caller may act on that client's record.

#include <string>

#include "access/service.h"
#include "platform/result.h"
#include "platform/sql/db.h"

namespace tend::care {

//! A row of the care tables and the decision on its client.
struct Owned {
  std::string client_id;
  access::Decision decision;
};

//! The client the row of `table` whose `key` column is `id` belongs to, with the caller allowed
//! `action` on `resource` for them. 404 ("<what> <id> not found") both when there is no such row
//! and when the caller may not see that client: nobody learns that a row exists they may not
//! see. `table` and `key` are names from the code, never from a request.
Result<Owned> owner_of(sql::Db& db, access::AccessService& access, const access::Principal& p,
                       const std::string& table, const std::string& id, access::Action action,
                       access::Resource resource, const std::string& what,
                       const std::string& key = "id");

}  // namespace tend::care
