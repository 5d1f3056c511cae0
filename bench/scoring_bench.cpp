//! Throughput of the assessment scoring rules alone (no HTTP, no database): PHQ-9, GAD-7,
//! PCL-5 (20 items and DSM-5 count conditions), the C-SSRS screener (condition bands,
//! enableWhen) and the change between two results.
//!
//!   build/release/bench/scoring_bench --benchmark_min_time=1 --benchmark_repetitions=10 \
//!     --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//!
//! Each benchmark cycles through a few hundred answer sets drawn once with a fixed seed, every
//! one valid for the instrument (enableWhen respected), so the branches taken vary as they do
//! in real submissions. items_per_second is scorings (or change computations) per second on
//! one core.

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "assessment/library.h"
#include "assessment/rules.h"

namespace {

using namespace tend::assessment;

constexpr std::size_t k_answer_sets = 512;

const Library& library() {
  static Library lib;
  static const bool loaded = (lib.load_embedded(), true);
  (void)loaded;
  return lib;
}

//! Answer sets for `in`: every asked required item answered with a random option (or a random
//! whole number in an integer item's range), optional items (the PHQ-9's "how difficult")
//! answered in half of the sets, items that are not enabled left out.
std::vector<Answers> answer_sets(const Instrument& in, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> coin(0, 1);
  std::vector<Answers> sets;
  sets.reserve(n);
  for (std::size_t s = 0; s < n; ++s) {
    Answers a;
    for (const auto& it : in.items) {
      if (it.type == ItemType::Display || !rules::enabled(it, a)) continue;
      if (!it.required && coin(rng) == 0) continue;
      if (it.type == ItemType::Choice) {
        if (it.options.empty()) continue;  // an imported item whose options score nothing
        std::uniform_int_distribution<std::size_t> pick(0, it.options.size() - 1);
        a[it.link_id] = it.options[pick(rng)].value;
      } else {
        std::uniform_int_distribution<std::int64_t> pick(it.min_value, it.max_value);
        a[it.link_id] = static_cast<double>(pick(rng));
      }
    }
    sets.push_back(std::move(a));
  }
  return sets;
}

void BM_score(benchmark::State& state, const char* instrument) {
  const auto in = library().find(instrument);
  if (!in) {
    state.SkipWithError("instrument not in the embedded library");
    return;
  }
  const auto sets = answer_sets(*in, k_answer_sets, 20261123);
  for (const auto& a : sets) {
    if (!rules::score(*in, a)) {
      state.SkipWithError("a generated answer set was refused");
      return;
    }
  }
  const ScoringContext ctx;
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = rules::score(*in, sets[i], ctx);
    benchmark::DoNotOptimize(r);
    if (++i == sets.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(BM_score, phq_9, "phq-9");
BENCHMARK_CAPTURE(BM_score, gad_7, "gad-7");
BENCHMARK_CAPTURE(BM_score, pcl_5, "pcl-5");
BENCHMARK_CAPTURE(BM_score, cssrs_screener, "cssrs-screener");

//! Change from an earlier total to a scored result, as computed for every stored result
//! (since the previous one, and since the first with the outcome measures).
void BM_change(benchmark::State& state, const char* instrument) {
  const auto in = library().find(instrument);
  if (!in) {
    state.SkipWithError("instrument not in the embedded library");
    return;
  }
  const auto sets = answer_sets(*in, k_answer_sets, 20261124);
  std::vector<Score> scores;
  scores.reserve(sets.size());
  for (const auto& a : sets) {
    auto r = rules::score(*in, a);
    if (!r || !r->total) {
      state.SkipWithError("a generated answer set did not score to a total");
      return;
    }
    scores.push_back(*r);
  }
  const std::string from_id = "as_0000000000bench00000";
  std::size_t i = 0;
  for (auto _ : state) {
    // The previous result is the one before in the cycle; `first` alternates.
    const Score& from = scores[i == 0 ? scores.size() - 1 : i - 1];
    auto c = rules::change(*in, from_id, *from.total, from.is_case, scores[i], (i & 1) == 0);
    benchmark::DoNotOptimize(c);
    if (++i == scores.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(BM_change, phq_9, "phq-9");

}  // namespace

BENCHMARK_MAIN();
