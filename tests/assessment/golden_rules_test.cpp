// Golden cases: tests/assessment/cases/<id>.json, written by hand from each instrument's
// manual (every band boundary, every flag, every missing-answer case), run against the
// instrument files in content/instruments.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "assessment/library.h"
#include "assessment/rules.h"

namespace tend::assessment {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> case_files() {
  std::vector<std::string> out;
  for (const auto& e :
       fs::directory_iterator(fs::path(TEND_SOURCE_DIR) / "tests/assessment/cases")) {
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, EveryCaseScoresAsTheManualSays) {
  const fs::path cases =
      fs::path(TEND_SOURCE_DIR) / "tests/assessment/cases" / (GetParam() + ".json");
  const bj::value doc = bj::parse(read_file(cases));
  const std::string id(doc.at("instrument").as_string());
  const fs::path file = fs::path(TEND_SOURCE_DIR) / "content/instruments" / (id + ".json");
  auto in = parse_instrument(read_file(file), "instruments/" + id + ".json");
  ASSERT_TRUE(in) << in.error().detail;
  const auto& list = doc.at("cases").as_array();
  ASSERT_GE(list.size(), 3u) << "too few golden cases for " << id;
  for (const auto& cv : list) {
    const auto& c = cv.as_object();
    const std::string name(c.at("name").as_string());
    SCOPED_TRACE(id + ": " + name);
    Answers answers;
    for (const auto& kv : c.at("answers").as_object()) {
      answers[std::string(kv.key())] = kv.value().to_number<double>();
    }
    ScoringContext ctx;
    if (const auto* x = c.if_contains("context")) {
      if (const auto* sex = x->as_object().if_contains("sex"))
        ctx.sex = std::string(sex->as_string());
    }
    auto r = rules::score(*in, answers, ctx);
    if (const auto* err = c.if_contains("expect_error")) {
      ASSERT_FALSE(r) << "expected a refusal";
      std::set<std::string> named;
      for (const auto& e : r.error().errors) named.insert(e.field);
      for (const auto& want : err->as_array()) {
        EXPECT_TRUE(named.count("answers." + std::string(want.as_string())))
            << "refusal does not name " << want.as_string();
      }
      continue;
    }
    ASSERT_TRUE(r) << r.error().detail << " "
                   << (r.error().errors.empty() ? "" : r.error().errors[0].field);
    const auto& e = c.at("expect").as_object();
    if (const auto* t = e.if_contains("total")) {
      if (t->is_null()) {
        EXPECT_FALSE(r->total.has_value());
      } else {
        ASSERT_TRUE(r->total.has_value());
        EXPECT_NEAR(*r->total, t->to_number<double>(), 0.05);
      }
    }
    if (const auto* b = e.if_contains("band")) {
      if (b->is_null()) {
        EXPECT_FALSE(r->band.has_value());
      } else {
        ASSERT_TRUE(r->band.has_value());
        EXPECT_EQ(r->band->code, std::string(b->as_string()));
      }
    }
    if (const auto* f = e.if_contains("flags")) {
      std::vector<std::string> want, got;
      for (const auto& x : f->as_array()) want.emplace_back(x.as_string());
      for (const auto& x : r->flags) got.push_back(x.code);
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want);
    }
    if (const auto* k = e.if_contains("complete")) {
      EXPECT_EQ(r->complete, k->as_bool());
    }
    if (const auto* k = e.if_contains("case")) {
      ASSERT_TRUE(r->is_case.has_value()) << "instrument has no caseness";
      EXPECT_EQ(*r->is_case, k->as_bool());
    }
    if (const auto* subs = e.if_contains("subscales")) {
      for (const auto& kv : subs->as_object()) {
        auto it = std::find_if(r->subscales.begin(), r->subscales.end(),
                               [&](const SubscaleResult& s) { return s.id == kv.key(); });
        ASSERT_NE(it, r->subscales.end()) << "no subscale " << kv.key();
        EXPECT_NEAR(it->score, kv.value().to_number<double>(), 0.05) << kv.key();
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Instruments, Golden, ::testing::ValuesIn(case_files()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (auto& ch : n) {
                             if (ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace tend::assessment
