#pragma once
//! The audit chain's pure rules: canonical form, hashing, verification. No I/O.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "audit/model.h"

namespace tend::audit {

//! prev_hash of the first entry, and the head's hash while the log is empty (64 zeros).
inline constexpr std::string_view k_genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

//! An unambiguous serialization of every field of `e` except `hash`: a version tag, then seq,
//! at_ms, the text fields in declaration order and prev_hash, each as `<length>:<bytes>,`.
//! Two entries that differ in any of these fields never have the same canonical form.
std::string canonical(const Entry& e);

//! The hash entry `e` must carry when it follows an entry whose hash is `prev_hash`:
//! BLAKE2b-256 (lower-case hex) of `prev_hash` followed by canonical(e).
std::string chain_hash(std::string_view prev_hash, const Entry& e);

//! Checks a chain fed one entry at a time in seq order, so a log of any length can be streamed
//! through it. Stops at the first problem: later entries are ignored. Not thread-safe.
class ChainVerifier {
 public:
  //! Checks the next entry: seq follows the previous one, prev_hash links to the previous hash
  //! (the genesis hash for entry 1), and hash matches the contents.
  void feed(const Entry& e);
  //! True once a problem has been found (feeding more changes nothing).
  bool failed() const { return !report_.ok; }
  //! Seq of the last entry fed (0 before any).
  std::int64_t last_seq() const { return last_seq_; }
  //! Checks that the log ends where the head (audit_head) says it does, and returns the report.
  VerifyReport finish(std::int64_t head_seq, std::string_view head_hash);

 private:
  void fail(std::int64_t seq, std::string problem);

  VerifyReport report_;
  std::int64_t last_seq_ = 0;
  std::string last_hash_{k_genesis_hash};
};

//! Verifies `entries` (in the order given, which should be seq order) against the head.
VerifyReport verify_chain(std::span<const Entry> entries, std::int64_t head_seq,
                          std::string_view head_hash);

}  // namespace tend::audit
