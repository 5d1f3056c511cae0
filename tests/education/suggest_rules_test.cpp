// Suggestions from diagnoses (the code map, content/education/conditions.tsv) and a service's
// own articles (education_dir): reading the map and every refusal, the longest prefix winning,
// reasons naming the code, and a service directory loaded beside the built-in articles with a
// bad file or a built-in slug stopping the load, naming the file.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "education/rules.h"
#include "support/temp_dir.h"

namespace tend::education {
namespace {

std::string article(const std::string& title, const std::string& conditions) {
  return "---\ntitle: " + title + "\nsummary: One sentence.\ntopics: [self-help]\nconditions: [" +
         conditions +
         "]\nreading_level: easy\nkind: article\nminutes: 3\nreviewed: 2026-11-01\n"
         "review_by: 2027-11-01\n---\n# " +
         title + "\n\nSome words to read.\n";
}

const char* k_map =
    "# prefix\tconditions\n"
    "\n"
    "F41\tanxiety\n"
    "F41.0\tpanic, anxiety\n"
    "F32\tdepression\n";

// content::File holds views: the texts live as long as the test program.
std::vector<content::File> files() {
  static const std::string panic = article("Panic attacks", "panic, anxiety");
  static const std::string low = article("Low mood", "depression");
  return {{"education/panic.md", panic},
          {"education/low-mood.md", low},
          {"education/conditions.tsv", k_map}};
}

void write(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir.file(name)) << text;
}

TEST(ConditionMap, ReadsRowsLongestPrefixFirst) {
  auto map = rules::parse_condition_map(k_map, "education/conditions.tsv");
  ASSERT_TRUE(map) << map.error().detail;
  ASSERT_EQ(map->rows.size(), 3u);
  EXPECT_EQ(map->rows[0].first, "F41.0");
  EXPECT_EQ(map->rows[0].second, (std::vector<std::string>{"panic", "anxiety"}));
  EXPECT_EQ(rules::conditions_of_code(*map, "F41.0"),
            (std::vector<std::string>{"panic", "anxiety"}));
  EXPECT_EQ(rules::conditions_of_code(*map, "f41.1"), (std::vector<std::string>{"anxiety"}));
  EXPECT_EQ(rules::conditions_of_code(*map, "F32.A"), (std::vector<std::string>{"depression"}));
  EXPECT_TRUE(rules::conditions_of_code(*map, "F4").empty());
  EXPECT_TRUE(rules::conditions_of_code(*map, "Z63.0").empty());
}

TEST(ConditionMap, RefusesBadRowsNamingTheLine) {
  const auto refused = [](const std::string& text, const std::string& detail) {
    auto map = rules::parse_condition_map(text, "x.tsv");
    ASSERT_FALSE(map) << text;
    EXPECT_EQ(map.error().detail, detail);
  };
  refused("F41 anxiety\n", "x.tsv: line 1: must be a code prefix, a tab, then condition tags");
  refused("# c\nF41\t\n", "x.tsv: line 2: no condition for F41");
  refused("\tanxiety\n", "x.tsv: line 1: the code prefix is empty");
  refused("F41\tAnxiety\n",
          "x.tsv: line 1: condition Anxiety must be lower-case letters and hyphens");
  refused("F41\tanxiety\nf41\tpanic\n", "x.tsv: line 2: f41 is given twice");
}

TEST(ConditionMap, TheBuiltInMapLoadsAndEveryTagIsCarried) {
  auto lib = Library::load(content::embedded());
  ASSERT_TRUE(lib) << lib.error().detail;
  const auto& map = lib->condition_map();
  EXPECT_GE(map.rows.size(), 20u);
  EXPECT_EQ(rules::conditions_of_code(map, "F32.1"), (std::vector<std::string>{"depression"}));
  EXPECT_EQ(rules::conditions_of_code(map, "F41.0"), (std::vector<std::string>{"panic"}));
  EXPECT_EQ(rules::conditions_of_code(map, "F43.10"), (std::vector<std::string>{"ptsd"}));
  EXPECT_EQ(rules::conditions_of_code(map, "F10.20"), (std::vector<std::string>{"alcohol"}));
  EXPECT_TRUE(rules::conditions_of_code(map, "F90.0").empty());
  for (const auto& a : lib->all()) EXPECT_FALSE(a.from_service) << a.slug;
}

TEST(ConditionMap, ATagNoArticleCarriesIsRefused) {
  auto f = files();
  static const std::string more = std::string(k_map) + "F50\teating\n";
  f.back().text = more;
  auto lib = Library::load(f);
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().detail,
            "education/conditions.tsv: F50: no article carries the condition eating");
}

TEST(SuggestFor, DiagnosesThroughTheMapAndMeasuresWithReasons) {
  auto lib = Library::load(files());
  ASSERT_TRUE(lib) << lib.error().detail;
  EXPECT_TRUE(lib->suggest_for({}, {}).empty());
  EXPECT_TRUE(lib->suggest_for({"Z63.0"}, {}).empty());
  auto s = lib->suggest_for({"F41.0"}, {});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].article->slug, "panic");
  EXPECT_EQ(s[0].reasons,
            (std::vector<std::string>{"diagnosis F41.0 (panic)", "diagnosis F41.0 (anxiety)"}));
  s = lib->suggest_for({"F41.1"}, {{"phq-9", "moderate", false}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].article->slug, "low-mood");
  EXPECT_EQ(s[0].reasons,
            (std::vector<std::string>{"recent phq-9 result in the band moderate (depression)"}));
  EXPECT_EQ(s[1].reasons, (std::vector<std::string>{"diagnosis F41.1 (anxiety)"}));
}

TEST(ServiceArticles, LoadedBesideTheBuiltInOnesAndMarked) {
  testing::TempDir dir;
  write(dir, "our-groups.md", article("Our support groups", "anxiety"));
  write(dir, "README.md", "# not an article");
  write(dir, "notes.txt", "not Markdown");
  auto lib = Library::load(files(), dir.path().string());
  ASSERT_TRUE(lib) << lib.error().detail;
  ASSERT_EQ(lib->all().size(), 3u);
  const auto* ours = lib->find("our-groups");
  ASSERT_NE(ours, nullptr);
  EXPECT_TRUE(ours->from_service);
  EXPECT_FALSE(lib->find("panic")->from_service);
  // A service's article is suggested like any other.
  auto s = lib->suggest_for({"F41.1"}, {});
  ASSERT_EQ(s.size(), 2u);
}

TEST(ServiceArticles, ABadFileOrABuiltInSlugStopsTheLoadNamingTheFile) {
  {
    testing::TempDir dir;
    write(dir, "broken.md", "no front matter\n");
    auto lib = Library::load(files(), dir.path().string());
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error().detail.rfind(dir.file("broken.md") + ": ", 0), 0u) << lib.error().detail;
  }
  {
    testing::TempDir dir;
    write(dir, "panic.md", article("Our panic page", "panic"));
    auto lib = Library::load(files(), dir.path().string());
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error().detail,
              dir.file("panic.md") +
                  ": slug: panic is a built-in article; give the service's own another file name");
  }
  {
    auto lib = Library::load(files(), "/nonexistent/tend-education");
    ASSERT_FALSE(lib);
    EXPECT_EQ(lib.error().detail, "education_dir /nonexistent/tend-education is not a directory");
  }
}

}  // namespace
}  // namespace tend::education
