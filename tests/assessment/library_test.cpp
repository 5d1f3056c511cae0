// Loading the instrument library: every shipped file is valid, and a malformed file is refused
// with its name and the field while the others still load.
#include "assessment/library.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "assessment/rules.h"
#include "support/temp_dir.h"

namespace tend::assessment {
namespace {

namespace bj = boost::json;

std::string phq9_text() {
  std::ifstream in(std::string(TEND_SOURCE_DIR) + "/content/instruments/phq-9.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

//! PHQ-9 with one change applied to its JSON.
std::string phq9_with(const std::function<void(bj::object&)>& change) {
  auto v = bj::parse(phq9_text());
  change(v.as_object());
  return bj::serialize(v);
}

std::string first_field(const Result<Instrument>& r) {
  return r ? "" : (r.error().errors.empty() ? "(none)" : r.error().errors[0].field);
}

TEST(Library, EveryShippedInstrumentLoads) {
  Library lib;
  lib.load_embedded();
  for (const auto& p : lib.problems()) ADD_FAILURE() << p.source << ": " << p.detail;
  for (const char* id : {"phq-9", "phq-2", "phq-a", "gad-7", "gad-2", "pcl-5", "audit", "audit-c",
                         "dast-10", "cssrs-screener", "epds", "k10", "k6", "who-5", "core-10",
                         "psc-17", "asrs-screener", "mdq", "crafft"}) {
    auto in = lib.find(id);
    ASSERT_TRUE(in) << id << " is not in the library";
    EXPECT_FALSE(in->source.empty()) << id;
    EXPECT_FALSE(in->licence.empty()) << id;
    EXPECT_FALSE(in->bands.empty()) << id;
  }
}

TEST(Library, Phq9IsReadAsTheManualDescribesIt) {
  auto r = parse_instrument(phq9_text(), "instruments/phq-9.json");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->panel_loinc, "44249-1");
  EXPECT_EQ(r->total->loinc, "44261-6");
  EXPECT_EQ(r->total->items.size(), 9u);
  ASSERT_EQ(r->bands.size(), 5u);
  EXPECT_EQ(*r->bands[3].min, 15);
  EXPECT_EQ(*r->bands[3].max, 19);
  ASSERT_EQ(r->flags.size(), 1u);
  EXPECT_EQ(r->flags[0].code, "suicidal_ideation");
  EXPECT_EQ(*rules::reliable_change_threshold(r->change), 6);
}

TEST(Library, FlagConditionsAreServedAsTheFilesWriteThem) {
  // GET /api/v1/instruments/{id} sends each flag's `when` for the portal to judge offline; what
  // it sends must be exactly the file's condition, or the portal and the server could disagree
  // about a risk answer.
  int compared = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(TEND_SOURCE_DIR) + "/content/instruments")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parse_instrument(ss.str(), entry.path().filename().string());
    ASSERT_TRUE(parsed) << entry.path() << ": " << parsed.error().detail;
    const auto raw = bj::parse(ss.str());
    const auto* flags = raw.at("scoring").as_object().if_contains("flags");
    const std::size_t n = flags ? flags->as_array().size() : 0;
    ASSERT_EQ(parsed->flags.size(), n) << entry.path();
    for (std::size_t i = 0; i < n; ++i) {
      const auto& file_when = flags->as_array()[i].at("when");
      const auto served = rules::condition_json(parsed->flags[i].when);
      EXPECT_EQ(bj::value(served), file_when) << entry.path() << " flag " << i;
      auto again = parse_condition(served, "when");
      ASSERT_TRUE(again) << entry.path();
      EXPECT_EQ(bj::value(rules::condition_json(*again)), bj::value(served));
      ++compared;
    }
    const auto detail = rules::detail_json(*parsed);
    EXPECT_EQ(detail.at("flags").as_array().size(), n) << entry.path();
  }
  EXPECT_GE(compared, 5);  // PHQ-9, PHQ-A, EPDS, CORE-10 and C-SSRS carry risk flags
}

TEST(Library, MalformedFilesAreRefusedNamingTheFileAndField) {
  struct Case {
    const char* what;
    std::function<void(bj::object&)> change;
    const char* field;
  };
  const std::vector<Case> cases{
      {"band gap",
       [](bj::object& o) {
         o["scoring"].as_object()["bands"].as_array()[2].as_object()["min"] = 9;
       },
       "scoring.bands[1].max"},
      {"unknown item in total",
       [](bj::object& o) {
         o["scoring"].as_object()["total"].as_object()["items"].as_array()[0] = "q99";
       },
       "scoring.total.items"},
      {"wrong max",
       [](bj::object& o) { o["scoring"].as_object()["total"].as_object()["max"] = 30; },
       "scoring.total.min"},
      {"flag on unknown item",
       [](bj::object& o) {
         o["scoring"].as_object()["flags"].as_array()[0].as_object()["when"].as_object()["item"] =
             "q10";
       },
       "scoring.flags[0].when"},
      {"bad op",
       [](bj::object& o) {
         o["scoring"].as_object()["flags"].as_array()[0].as_object()["when"].as_object()["op"] =
             "=>";
       },
       "scoring.flags[0].when.op"},
      {"typo field", [](bj::object& o) { o["scoring"].as_object()["bandz"] = bj::array{}; },
       "scoring.bandz"},
      {"no licence", [](bj::object& o) { o["scoring"].as_object().erase("licence"); },
       "scoring.licence"},
      {"id mismatch", [](bj::object& o) { o["id"] = "phq-10"; }, "id"},
      {"bad respondent",
       [](bj::object& o) { o["scoring"].as_object()["respondents"] = bj::array{"robot"}; },
       "scoring.respondents"},
      {"reversed but ascending",
       [](bj::object& o) { o["scoring"].as_object()["reversed"] = bj::array{"q3"}; },
       "scoring.reversed"},
      {"missing allows all",
       [](bj::object& o) {
         o["scoring"].as_object()["missing"] =
             bj::object{{"max_missing", 9}, {"method", "prorate"}};
       },
       "scoring.missing.max_missing"},
      // Found by reading parse_instrument while writing fuzz/instrument_fuzz: converted to int
      // unchecked, which is undefined beyond int's range.
      {"missing beyond int",
       [](bj::object& o) {
         o["scoring"].as_object()["missing"] =
             bj::object{{"max_missing", 1e10}, {"method", "prorate"}};
       },
       "scoring.missing.max_missing"},
      {"missing far below int",
       [](bj::object& o) {
         o["scoring"].as_object()["missing"] =
             bj::object{{"max_missing", -1e300}, {"method", "prorate"}};
       },
       "scoring.missing.max_missing"},
  };
  for (const auto& c : cases) {
    auto r = parse_instrument(phq9_with(c.change), "instruments/phq-9.json");
    ASSERT_FALSE(r) << c.what;
    EXPECT_EQ(first_field(r), c.field) << c.what << ": " << r.error().detail;
    EXPECT_NE(r.error().detail.find("instruments/phq-9.json"), std::string::npos) << c.what;
  }
  auto notjson = parse_instrument("{ nope", "instruments/x.json");
  ASSERT_FALSE(notjson);
  EXPECT_EQ(first_field(notjson), "(file)");
}

TEST(Library, AServiceDirectoryAddsAndReplacesAndABadFileStopsNothingElse) {
  testing::TempDir dir;
  write(dir.file("phq-9.json"), phq9_with([](bj::object& o) {
          o["scoring"].as_object()["name"] = "PHQ-9 (service wording)";
        }));
  write(dir.file("broken.json"), "{\"id\": \"broken\"}");
  write(dir.file("notes.txt"), "ignored");
  Library lib;
  lib.load_embedded();
  const auto before = lib.all().size();
  lib.load_dir(dir.path().string());
  EXPECT_EQ(lib.find("phq-9")->name, "PHQ-9 (service wording)");
  EXPECT_EQ(lib.all().size(), before);
  ASSERT_EQ(lib.problems().size(), 1u);
  EXPECT_NE(lib.problems()[0].source.find("broken.json"), std::string::npos);
  EXPECT_NE(lib.problems()[0].detail.find("questionnaire"), std::string::npos);
  Library none;
  none.load_dir((dir.path() / "does-not-exist").string());
  ASSERT_EQ(none.problems().size(), 1u);
}

}  // namespace
}  // namespace tend::assessment
