#pragma once
//! Helpers shared by the fuzz targets (fuzz/README.md): the embedded instrument library, and
//! answer maps derived from the input bytes so that scoring sees answers that fit an
//! instrument, answers at its edges, and answers that do not fit at all.

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "assessment/library.h"
#include "assessment/model.h"
#include "assessment/rules.h"

namespace tend::fuzz {

//! The instruments built into the binary, loaded once. The embedded files must all load: a
//! refused one would make the targets fuzz less than they claim to.
inline const assessment::Library& embedded_library() {
  static const assessment::Library* lib = [] {
    auto* l = new assessment::Library();
    l->load_embedded();
    if (!l->problems().empty() || l->all().empty()) __builtin_trap();
    return l;
  }();
  return *lib;
}

//! Deterministic numbers from the input bytes (splitmix64 seeded with FNV-1a of the input).
class Entropy {
 public:
  Entropy(const std::uint8_t* data, std::size_t size, std::uint64_t round) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ round;
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 0x100000001b3ULL;
    state_ = h;
  }
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_ = 0;
};

//! A value that does not fit most items: fractions, negatives, huge, infinite, NaN.
inline double odd_value(Entropy& e) {
  static const double values[] = {-1,
                                  0.5,
                                  1e300,
                                  -1e300,
                                  std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN(),
                                  9.2233720368547758e18,
                                  -9.2233720368547758e18,
                                  4.9e-324,
                                  1e15 + 0.5};
  return values[e.below(sizeof values / sizeof values[0])];
}

//! How the answers of one map are chosen.
enum class AnswerStyle { Lowest, Highest, Mixed };

//! An answer map for `in`: every item answered with its lowest or highest value, or (Mixed) a
//! mixture of gaps, fitting values, edge values and values that fit nothing, plus now and then
//! an answer to an item that does not exist.
inline assessment::Answers answers_for(const assessment::Instrument& in, AnswerStyle style,
                                       Entropy& e) {
  using assessment::ItemType;
  assessment::Answers out;
  for (const auto& it : in.items) {
    if (it.type == ItemType::Display) continue;
    const bool integer = it.type == ItemType::Integer;
    if (style != AnswerStyle::Mixed) {
      const bool low = style == AnswerStyle::Lowest;
      if (integer) {
        // Unbounded items (the int64 limits) get a small count instead.
        const bool bounded = it.min_value > std::numeric_limits<std::int64_t>::min() / 2 &&
                             it.max_value < std::numeric_limits<std::int64_t>::max() / 2;
        out[it.link_id] =
            !bounded ? (low ? 0.0 : 30.0) : static_cast<double>(low ? it.min_value : it.max_value);
      } else if (!it.options.empty()) {
        double v = it.options.front().value;
        for (const auto& o : it.options) v = low ? std::min(v, o.value) : std::max(v, o.value);
        out[it.link_id] = v;
      }
      continue;
    }
    switch (e.below(8)) {
      case 0:
      case 1:
        break;  // unanswered
      case 2:
      case 3:
      case 4:
      case 5:
        if (integer) {
          out[it.link_id] = static_cast<double>(e.below(40));
        } else if (!it.options.empty()) {
          out[it.link_id] = it.options[e.below(it.options.size())].value;
        } else {
          out[it.link_id] = static_cast<double>(e.below(4));
        }
        break;
      case 6:
        if (integer) {
          const double edges[] = {
              static_cast<double>(it.min_value), static_cast<double>(it.max_value),
              static_cast<double>(it.min_value) - 1, static_cast<double>(it.max_value) + 1};
          out[it.link_id] = edges[e.below(4)];
        } else {
          out[it.link_id] = static_cast<double>(e.below(6)) - 1;
        }
        break;
      default:
        out[it.link_id] = odd_value(e);
        break;
    }
  }
  if (e.below(16) == 0) out["not-an-item"] = 1;
  return out;
}

//! Scores `in` with a few answer maps from `data`, renders the results and computes change
//! between them, as the results routes do. Everything here must hold for any instrument that
//! parse_instrument or import_questionnaire accepted.
inline void exercise_scoring(const assessment::Instrument& in, const std::uint8_t* data,
                             std::size_t size) {
  namespace rules = assessment::rules;
  std::vector<assessment::Score> scores;
  const AnswerStyle styles[] = {AnswerStyle::Lowest, AnswerStyle::Highest, AnswerStyle::Mixed,
                                AnswerStyle::Mixed, AnswerStyle::Mixed};
  for (std::size_t round = 0; round < sizeof styles / sizeof styles[0]; ++round) {
    Entropy e(data, size, round);
    assessment::Answers answers = answers_for(in, styles[round], e);
    assessment::ScoringContext ctx;
    const char* sexes[] = {nullptr, "female", "male", "intersex"};
    if (const char* s = sexes[e.below(4)]) ctx.sex = s;
    auto scored = rules::score(in, answers, ctx);
    if (!scored) continue;
    assessment::Assessment a;
    a.id = "as_fuzz";
    a.client_id = "cl_fuzz";
    a.instrument_id = in.id;
    a.answers = answers;
    a.score = *scored;
    (void)rules::to_json(a, &in);
    (void)rules::stored_result(a.score);
    scores.push_back(std::move(*scored));
  }
  for (std::size_t i = 0; i + 1 < scores.size(); ++i) {
    const auto& from = scores[i];
    if (!from.total) continue;
    for (bool first : {true, false}) {
      if (auto c = rules::change(in, "as_from", *from.total, from.is_case, scores[i + 1], first)) {
        (void)rules::to_json(*c);
      }
    }
  }
  (void)rules::reliable_change_threshold(in.change);
  (void)rules::summary_json(in);
  (void)rules::detail_json(in);
}

}  // namespace tend::fuzz
