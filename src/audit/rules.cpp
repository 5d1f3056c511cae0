#include "audit/rules.h"

#include <string>

#include "platform/crypto/crypto.h"

namespace tend::audit {

namespace {

// Netstring-style `<length>:<bytes>,`: no value can run into the next field, whatever it holds.
void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

std::string decimal(std::int64_t n) {
  return std::to_string(n);
}

}  // namespace

std::string canonical(const Entry& e) {
  std::string out = "tend.audit.v1;";
  put(out, decimal(e.seq));
  put(out, decimal(e.at_ms));
  put(out, e.actor_id);
  put(out, e.actor_role);
  put(out, e.action);
  put(out, e.resource_kind);
  put(out, e.resource_id);
  put(out, e.client_id);
  put(out, e.remote_addr);
  put(out, e.request_id);
  put(out, e.reason);
  put(out, e.outcome);
  put(out, e.prev_hash);
  return out;
}

std::string chain_hash(std::string_view prev_hash, const Entry& e) {
  std::string data(prev_hash);
  data += canonical(e);
  return crypto::blake2b_hex(data);
}

void ChainVerifier::fail(std::int64_t seq, std::string problem) {
  report_.ok = false;
  report_.first_bad_seq = seq;
  report_.problem = std::move(problem);
}

void ChainVerifier::feed(const Entry& e) {
  if (failed()) return;
  ++report_.entries_checked;
  const std::int64_t expected = last_seq_ + 1;
  if (e.seq > expected) {
    std::string missing = e.seq == expected + 1 ? "entry " + decimal(expected) + " missing"
                                                : "entries " + decimal(expected) + " to " +
                                                      decimal(e.seq - 1) + " missing";
    fail(expected, last_seq_ == 0 ? missing + " (log starts at " + decimal(e.seq) + ")"
                                  : missing + " (sequence jumps from " + decimal(last_seq_) +
                                        " to " + decimal(e.seq) + ")");
    return;
  }
  if (e.seq < expected) {
    fail(e.seq, "entry " + decimal(e.seq) + " out of order (comes after entry " +
                    decimal(last_seq_) + ")");
    return;
  }
  if (chain_hash(e.prev_hash, e) != e.hash) {
    fail(e.seq, "entry " + decimal(e.seq) + ": hash does not match its contents");
    return;
  }
  if (e.prev_hash != last_hash_) {
    fail(e.seq, e.seq == 1 ? "entry 1: does not start from the genesis hash"
                           : "entry " + decimal(e.seq) +
                                 ": prev_hash does not match the hash of "
                                 "entry " +
                                 decimal(last_seq_));
    return;
  }
  last_seq_ = e.seq;
  last_hash_ = e.hash;
}

VerifyReport ChainVerifier::finish(std::int64_t head_seq, std::string_view head_hash) {
  if (failed()) return report_;
  if (last_seq_ < head_seq) {
    fail(last_seq_ + 1,
         (last_seq_ == 0 ? std::string("log is empty") : "log ends at " + decimal(last_seq_)) +
             " but the head records " + decimal(head_seq));
  } else if (last_seq_ > head_seq) {
    fail(head_seq + 1, "log continues past the head: it ends at " + decimal(last_seq_) +
                           " but the head records " + decimal(head_seq));
  } else if (last_hash_ != head_hash) {
    fail(last_seq_,
         last_seq_ == 0
             ? std::string("head hash is not the genesis hash of an empty log")
             : "entry " + decimal(last_seq_) + ": hash differs from the one the head records");
  }
  return report_;
}

VerifyReport verify_chain(std::span<const Entry> entries, std::int64_t head_seq,
                          std::string_view head_hash) {
  ChainVerifier v;
  for (const Entry& e : entries) {
    v.feed(e);
    if (v.failed()) break;
  }
  return v.finish(head_seq, head_hash);
}

}  // namespace tend::audit
