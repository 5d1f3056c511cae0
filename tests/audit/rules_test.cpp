// The audit chain's rules: canonical form and verification against every kind of tampering.

#include "audit/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace tend::audit {
namespace {

Entry make_entry(std::int64_t seq) {
  Entry e;
  e.seq = seq;
  e.at_ms = 1'767'225'600'000 + seq * 1000;
  e.actor_id = "u" + std::to_string(seq % 3);
  e.actor_role = "clinician";
  e.action = seq % 2 ? "read" : "update";
  e.resource_kind = "client";
  e.resource_id = "c" + std::to_string(seq % 5);
  e.client_id = "c" + std::to_string(seq % 5);
  e.remote_addr = "10.0.0.1";
  e.request_id = "r" + std::to_string(seq);
  e.reason = seq == 4 ? "break-the-glass" : "";
  e.outcome = "ok";
  return e;
}

// A correctly chained log of `n` entries (seq 1..n).
std::vector<Entry> make_chain(int n) {
  std::vector<Entry> log;
  std::string prev(k_genesis_hash);
  for (int i = 1; i <= n; ++i) {
    Entry e = make_entry(i);
    e.prev_hash = prev;
    e.hash = chain_hash(prev, e);
    prev = e.hash;
    log.push_back(e);
  }
  return log;
}

VerifyReport verify(const std::vector<Entry>& log, std::int64_t head_seq,
                    const std::string& head_hash) {
  return verify_chain(log, head_seq, head_hash);
}

// Verifies against the head an honest appender would have left after writing `log`.
VerifyReport verify_against_original_head(const std::vector<Entry>& log,
                                          const std::vector<Entry>& original) {
  return verify(log, original.back().seq, original.back().hash);
}

TEST(Canonical, CoversEveryFieldButHash) {
  const Entry base = make_chain(3)[2];
  const std::string c = canonical(base);
  Entry with_other_hash = base;
  with_other_hash.hash = "ff";
  EXPECT_EQ(canonical(with_other_hash), c);

  const std::vector<std::function<void(Entry&)>> changes = {
      [](Entry& e) { e.seq += 1; },
      [](Entry& e) { e.at_ms += 1; },
      [](Entry& e) { e.actor_id += "x"; },
      [](Entry& e) { e.actor_role += "x"; },
      [](Entry& e) { e.action += "x"; },
      [](Entry& e) { e.resource_kind += "x"; },
      [](Entry& e) { e.resource_id += "x"; },
      [](Entry& e) { e.client_id += "x"; },
      [](Entry& e) { e.remote_addr += "x"; },
      [](Entry& e) { e.request_id += "x"; },
      [](Entry& e) { e.reason += "x"; },
      [](Entry& e) { e.outcome += "x"; },
      [](Entry& e) { e.prev_hash[0] = e.prev_hash[0] == '0' ? '1' : '0'; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Entry e = base;
    changes[i](e);
    EXPECT_NE(canonical(e), c) << "change " << i;
  }
}

TEST(Canonical, IsUnambiguousAcrossFieldBoundaries) {
  Entry a = make_entry(1);
  Entry b = a;
  a.actor_id = "ab";
  a.actor_role = "c";
  b.actor_id = "a";
  b.actor_role = "bc";
  EXPECT_NE(canonical(a), canonical(b));
  // A separator-looking value cannot forge a field boundary either.
  a.actor_id = "a,1:b";
  a.actor_role = "";
  b.actor_id = "a";
  b.actor_role = "b";
  EXPECT_NE(canonical(a), canonical(b));
}

TEST(ChainHash, DependsOnThePreviousHash) {
  Entry e = make_entry(2);
  EXPECT_NE(chain_hash(std::string(64, 'a'), e), chain_hash(std::string(64, 'b'), e));
  EXPECT_EQ(chain_hash(k_genesis_hash, e).size(), 64u);
}

TEST(VerifyChain, IntactChainIsOk) {
  for (int n : {1, 2, 10, 100}) {
    auto log = make_chain(n);
    auto r = verify(log, n, log.back().hash);
    EXPECT_TRUE(r.ok) << n << ": " << r.problem;
    EXPECT_EQ(r.entries_checked, n);
    EXPECT_EQ(r.first_bad_seq, 0);
    EXPECT_EQ(r.problem, "");
  }
}

TEST(VerifyChain, EmptyLogIsOk) {
  auto r = verify({}, 0, std::string(k_genesis_hash));
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.entries_checked, 0);
}

struct FieldCase {
  const char* name;
  std::function<void(Entry&)> change;
};

TEST(VerifyChain, EachChangedFieldIsFoundAtItsSeq) {
  const std::vector<FieldCase> cases = {
      {"at", [](Entry& e) { e.at_ms -= 3'600'000; }},
      {"actor_id", [](Entry& e) { e.actor_id = "someone_else"; }},
      {"actor_role", [](Entry& e) { e.actor_role = "admin"; }},
      {"action", [](Entry& e) { e.action = "list"; }},
      {"resource_kind", [](Entry& e) { e.resource_kind = "user"; }},
      {"resource_id", [](Entry& e) { e.resource_id = "c99"; }},
      {"client_id", [](Entry& e) { e.client_id = ""; }},
      {"remote_addr", [](Entry& e) { e.remote_addr = "127.0.0.1"; }},
      {"request_id", [](Entry& e) { e.request_id = "r0"; }},
      {"reason", [](Entry& e) { e.reason = "on care team"; }},
      {"outcome", [](Entry& e) { e.outcome = "denied"; }},
      {"prev_hash", [](Entry& e) { e.prev_hash = std::string(64, 'f'); }},
      {"hash", [](Entry& e) { e.hash = std::string(64, 'f'); }},
  };
  const auto original = make_chain(20);
  for (std::int64_t seq : {1, 7, 20}) {
    for (const auto& c : cases) {
      auto log = original;
      c.change(log[static_cast<std::size_t>(seq - 1)]);
      auto r = verify_against_original_head(log, original);
      EXPECT_FALSE(r.ok) << c.name << " at " << seq;
      EXPECT_EQ(r.first_bad_seq, seq) << c.name << ": " << r.problem;
      EXPECT_EQ(r.problem, "entry " + std::to_string(seq) + ": hash does not match its contents")
          << c.name;
    }
  }
}

TEST(VerifyChain, ChangedSeqIsFound) {
  const auto original = make_chain(20);
  auto log = original;
  log[9].seq = 11;  // two entries now claim 11
  auto r = verify_against_original_head(log, original);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 10);
}

TEST(VerifyChain, ChangedAndRehashedEntryBreaksTheNextLink) {
  const auto original = make_chain(20);
  auto log = original;
  log[6].outcome = "denied";
  log[6].hash = chain_hash(log[6].prev_hash, log[6]);
  auto r = verify_against_original_head(log, original);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 8);
  EXPECT_EQ(r.problem, "entry 8: prev_hash does not match the hash of entry 7");
}

TEST(VerifyChain, RehashedTailIsCaughtByTheHead) {
  const auto original = make_chain(20);
  auto log = original;
  log[6].outcome = "denied";
  for (std::size_t i = 6; i < log.size(); ++i) {
    if (i > 6) log[i].prev_hash = log[i - 1].hash;
    log[i].hash = chain_hash(log[i].prev_hash, log[i]);
  }
  auto r = verify_against_original_head(log, original);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 20);
  EXPECT_EQ(r.problem, "entry 20: hash differs from the one the head records");
}

TEST(VerifyChain, DeletedRowsAreNamed) {
  const auto original = make_chain(40);
  struct Case {
    std::vector<std::int64_t> deleted;
    std::int64_t first_bad;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {{18}, 18, "entry 18 missing (sequence jumps from 17 to 19)"},
      {{18, 19, 20}, 18, "entries 18 to 20 missing (sequence jumps from 17 to 21)"},
      {{2, 30}, 2, "entry 2 missing (sequence jumps from 1 to 3)"},
      {{1}, 1, "entry 1 missing (log starts at 2)"},
  };
  for (const auto& c : cases) {
    std::vector<Entry> log;
    for (const auto& e : original) {
      if (std::find(c.deleted.begin(), c.deleted.end(), e.seq) == c.deleted.end()) {
        log.push_back(e);
      }
    }
    auto r = verify_against_original_head(log, original);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, c.first_bad) << r.problem;
    EXPECT_EQ(r.problem, c.problem);
  }
}

TEST(VerifyChain, DeletedAndRenumberedRowBreaksTheLink) {
  const auto original = make_chain(10);
  auto log = original;
  log.erase(log.begin() + 4);  // seq 5
  for (std::size_t i = 4; i < log.size(); ++i) log[i].seq -= 1;
  auto r = verify(log, 9, log.back().hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);
}

TEST(VerifyChain, SwappedRowsAreFound) {
  const auto original = make_chain(30);
  {
    // Rows out of order.
    auto log = original;
    std::swap(log[11], log[19]);
    auto r = verify_against_original_head(log, original);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 12) << r.problem;
  }
  {
    // Rows in order but their seq values swapped (what reordering looks like in a table
    // read ORDER BY seq).
    auto log = original;
    std::swap(log[11], log[19]);
    std::swap(log[11].seq, log[19].seq);
    auto r = verify_against_original_head(log, original);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 12);
    EXPECT_EQ(r.problem, "entry 12: hash does not match its contents");
  }
  {
    // Adjacent rows.
    auto log = original;
    std::swap(log[0], log[1]);
    auto r = verify_against_original_head(log, original);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_bad_seq, 1);
  }
}

TEST(VerifyChain, RepeatedRowIsOutOfOrder) {
  const auto original = make_chain(5);
  auto log = original;
  log.insert(log.begin() + 3, log[1]);  // 1 2 3 2 4 5
  auto r = verify_against_original_head(log, original);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 2);
  EXPECT_EQ(r.problem, "entry 2 out of order (comes after entry 3)");
}

TEST(VerifyChain, TruncatedTailIsFound) {
  const auto original = make_chain(42);
  auto log = original;
  log.resize(40);
  auto r = verify_against_original_head(log, original);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 41);
  EXPECT_EQ(r.problem, "log ends at 40 but the head records 42");
  EXPECT_EQ(r.entries_checked, 40);

  auto emptied = verify({}, 42, original.back().hash);
  EXPECT_FALSE(emptied.ok);
  EXPECT_EQ(emptied.first_bad_seq, 1);
  EXPECT_EQ(emptied.problem, "log is empty but the head records 42");
}

TEST(VerifyChain, RowsPastTheHeadAreFound) {
  const auto log = make_chain(12);
  auto r = verify(log, 10, log[9].hash);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 11);
  EXPECT_EQ(r.problem, "log continues past the head: it ends at 12 but the head records 10");
}

TEST(VerifyChain, HeadHashMustMatch) {
  const auto log = make_chain(5);
  auto r = verify(log, 5, std::string(64, 'a'));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.first_bad_seq, 5);

  auto empty = verify({}, 0, std::string(64, 'a'));
  EXPECT_FALSE(empty.ok);
}

TEST(ChainVerifier, StreamsAndStopsAtTheFirstProblem) {
  auto log = make_chain(10);
  log[3].reason = "edited";
  log[7].reason = "edited too";
  ChainVerifier v;
  for (const auto& e : log) v.feed(e);
  EXPECT_TRUE(v.failed());
  EXPECT_EQ(v.last_seq(), 3);
  auto r = v.finish(10, log.back().hash);
  EXPECT_EQ(r.first_bad_seq, 4);
  EXPECT_EQ(r.entries_checked, 4);
}

}  // namespace
}  // namespace tend::audit
