#pragma once
//! The tamper-evident access log: appends entries inside the caller's write transaction,
//! pages a client's entries for the access-log API, and verifies the whole chain.

#include <cstdint>
#include <string>
#include <vector>

#include "audit/model.h"
#include "platform/clock.h"
#include "platform/sql/db.h"

namespace tend::audit {

//! Thread-safe (it holds no state beyond the clock); one per process.
class AuditLog {
 public:
  //! Most entries for_client() returns at once.
  static constexpr int k_max_page = 1000;
  //! Rows read per query while verifying.
  static constexpr int k_verify_page = 5000;

  //! `clock` stamps entries; it must outlive the AuditLog.
  explicit AuditLog(const Clock& clock);

  //! Appends `entry` as the next link of the chain. Call INSIDE the caller's write
  //! transaction (Db::write), so that the entry commits or rolls back with the change it
  //! records. Takes the head row's lock first, which serializes appenders on PostgreSQL too.
  //! Throws DbError on driver failure (which rolls the caller's transaction back).
  Entry append(sql::Conn& c, const NewEntry& entry) const;

  //! Entries about `client_id` with seq < `before_seq` (any seq when before_seq <= 0), newest
  //! first, at most `limit` (clamped to 1..k_max_page).
  std::vector<Entry> for_client(sql::Db& db, const std::string& client_id, std::int64_t before_seq,
                                int limit) const;

  //! Checks the whole chain in seq order, k_verify_page rows at a time, against the head.
  //! Names the first entry changed, missing or out of place.
  VerifyReport verify(sql::Db& db) const;

 private:
  const Clock& clock_;
};

}  // namespace tend::audit
