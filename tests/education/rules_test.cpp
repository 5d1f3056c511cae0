// The psychoeducation rules: reading an article's front matter and every refusal, safe
// Markdown rendering, the library's filters and suggestions, and the built-in articles.
#include "education/rules.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "platform/clock.h"

namespace tend::education {
namespace {

const char* k_front =
    "---\n"
    "title: Sleeping better\n"
    "summary: Small steps that help many people sleep.\n"
    "topics: [sleep, routines]\n"
    "conditions: [insomnia, depression]\n"
    "reading_level: easy\n"
    "kind: article\n"
    "minutes: 4\n"
    "reviewed: 2026-11-01\n"
    "review_by: 2027-11-01\n"
    "---\n";

std::string with(const std::string& from, const std::string& to,
                 std::string body = "Go to bed at the same time.\n") {
  std::string t = k_front;
  if (!from.empty()) {
    auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
  }
  return t + body;
}

void expect_refused(const std::string& text, const std::string& field) {
  auto a = rules::parse_article(text, "education/sleep.md");
  ASSERT_FALSE(a) << field;
  EXPECT_EQ(a.error().code, Errc::Validation);
  EXPECT_EQ(a.error().detail.rfind("education/sleep.md: " + field + ":", 0), 0u)
      << a.error().detail;
  ASSERT_EQ(a.error().errors.size(), 1u);
  EXPECT_EQ(a.error().errors[0].field, field);
}

TEST(Parse, ReadsEveryField) {
  auto a = rules::parse_article(with("", "", "# Sleep\n\nGo to bed at the same time.\n"),
                                "education/sleep.md");
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_EQ(a->slug, "sleep");
  EXPECT_EQ(a->title, "Sleeping better");
  EXPECT_EQ(a->summary, "Small steps that help many people sleep.");
  EXPECT_EQ(a->topics, (std::vector<std::string>{"sleep", "routines"}));
  EXPECT_EQ(a->conditions, (std::vector<std::string>{"insomnia", "depression"}));
  EXPECT_EQ(a->reading_level, "easy");
  EXPECT_EQ(a->kind, "article");
  EXPECT_EQ(a->minutes, 4);
  EXPECT_EQ(a->reviewed, "2026-11-01");
  EXPECT_EQ(a->review_by, "2027-11-01");
  EXPECT_EQ(a->body, "# Sleep\n\nGo to bed at the same time.");
  EXPECT_EQ(a->words, 8);  // "#" is not a word
}

TEST(Parse, ReadsBlockListsQuotesAndEmptyConditions) {
  auto text = with("topics: [sleep, routines]\n", "topics:\n  - Sleep\n  - \"routines\"\n");
  auto at = text.find("conditions: [insomnia, depression]");
  text.replace(at, 34, "conditions: []");
  at = text.find("title: Sleeping better");
  text.replace(at, 22, "title: \"Sleep: a guide\"");
  auto a = rules::parse_article(text, "education/sleep.md");
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_EQ(a->title, "Sleep: a guide");
  EXPECT_EQ(a->topics, (std::vector<std::string>{"sleep", "routines"}));
  EXPECT_TRUE(a->conditions.empty());
}

TEST(Parse, RefusesEachBadFieldNamingFileAndField) {
  expect_refused(with("title: Sleeping better\n", ""), "title");
  expect_refused(with("title: Sleeping better\n", "title:\n"), "title");
  expect_refused(with("summary: Small steps that help many people sleep.\n", ""), "summary");
  expect_refused(with("topics: [sleep, routines]\n", ""), "topics");
  expect_refused(with("topics: [sleep, routines]\n", "topics: []\n"), "topics");
  expect_refused(with("topics: [sleep, routines]\n", "topics: [sleep, ]\n"), "topics");
  expect_refused(with("topics: [sleep, routines]\n", "topics: sleep\n"), "topics");
  expect_refused(with("conditions: [insomnia, depression]\n", ""), "conditions");
  expect_refused(with("reading_level: easy\n", ""), "reading_level");
  expect_refused(with("kind: article\n", "kind: video\n"), "kind");
  expect_refused(with("kind: article\n", ""), "kind");
  expect_refused(with("minutes: 4\n", "minutes: four\n"), "minutes");
  expect_refused(with("minutes: 4\n", "minutes: 0\n"), "minutes");
  expect_refused(with("minutes: 4\n", "minutes: 4.5\n"), "minutes");
  expect_refused(with("reviewed: 2026-11-01\n", "reviewed: 2026-02-30\n"), "reviewed");
  expect_refused(with("reviewed: 2026-11-01\n", "reviewed: 1 Nov 2026\n"), "reviewed");
  expect_refused(with("review_by: 2027-11-01\n", "review_by: 2027-13-01\n"), "review_by");
  expect_refused(with("review_by: 2027-11-01\n", "review_by: 2026-10-31\n"), "review_by");
  expect_refused(with("review_by: 2027-11-01\n", "review_by: 2026-11-01\n"), "review_by");
  expect_refused(with("minutes: 4\n", "minutes: 4\nauthor: someone\n"), "author");
  expect_refused(with("minutes: 4\n", "minutes: 4\nminutes: 5\n"), "minutes");
}

TEST(Parse, RefusesAnEmptyBodyAndRawHtml) {
  expect_refused(with("", "", ""), "body");
  expect_refused(with("", "", "\n   \n\n"), "body");
  expect_refused(with("", "", "Hello\n\n<script>alert(1)</script>\n"), "body");
  expect_refused(with("", "", "Hello <img src=x onerror=alert(1)> there.\n"), "body");
  expect_refused(with("", "", "Hello <!-- hidden --> there.\n"), "body");
  expect_refused(with("", "", "<div>\nblock\n</div>\n"), "body");
  // An autolink and a code span that shows a tag are not raw HTML.
  EXPECT_TRUE(rules::parse_article(with("", "", "See <https://example.org> and `<b>`.\n"),
                                   "education/sleep.md"));
}

TEST(Parse, RefusesBadFrontMatterAndFileNames) {
  expect_refused("title: x\n\nbody\n", "front_matter");
  expect_refused(std::string(k_front).substr(0, std::string(k_front).size() - 4) + "body\n",
                 "front_matter");
  expect_refused(with("minutes: 4\n", "minutes: 4\njust words\n"), "front_matter");
  auto a = rules::parse_article(with("", ""), "education/Sleep Well.md");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().errors.at(0).field, "slug");
  EXPECT_FALSE(rules::parse_article(with("", ""), "education/sleep.txt"));
  EXPECT_FALSE(rules::valid_slug("a--b"));
  EXPECT_FALSE(rules::valid_slug("-a"));
  EXPECT_TRUE(rules::valid_slug("worry-time-2"));
}

TEST(Render, KeepsMarkdownAndNeutralisesHtmlAndScriptLinks) {
  EXPECT_EQ(rules::render_html("# Hi\n\nSome *calm* words.\n"),
            "<h1>Hi</h1>\n<p>Some <em>calm</em> words.</p>\n");
  const auto script = rules::render_html("Before\n\n<script>alert(1)</script>\n\nAfter\n");
  EXPECT_EQ(script.find("<script"), std::string::npos) << script;
  EXPECT_NE(script.find("After"), std::string::npos);
  const auto img = rules::render_html("Look <img src=x onerror=alert(1)> here\n");
  EXPECT_EQ(img.find("<img"), std::string::npos) << img;
  EXPECT_EQ(img.find("onerror"), std::string::npos) << img;
  const auto js = rules::render_html("[tap](javascript:alert(1)) and [ok](https://example.org)\n");
  EXPECT_EQ(js.find("javascript:"), std::string::npos) << js;
  EXPECT_NE(js.find("href=\"https://example.org\""), std::string::npos) << js;
  const auto js_img = rules::render_html("![x](javascript:alert(1))\n");
  EXPECT_EQ(js_img.find("javascript:"), std::string::npos) << js_img;
  const auto attr = rules::render_html("[a](https://x.org \"t\\\" onmouseover=\\\"alert(1)\")\n");
  EXPECT_EQ(attr.find("\" onmouseover"), std::string::npos) << attr;
  EXPECT_EQ(rules::render_html("1 < 2 & 3 > 2\n"), "<p>1 &lt; 2 &amp; 3 &gt; 2</p>\n");
}

TEST(Words, CountsRunsHoldingALetterOrDigit) {
  EXPECT_EQ(rules::count_words(""), 0);
  EXPECT_EQ(rules::count_words("  one two\nthree - 4 "), 4);
  EXPECT_EQ(rules::count_words("# Heading\n\n- it's fine."), 3);
}

TEST(Review, OverdueOnlyAfterTheReviewDate) {
  Article a;
  a.review_by = "2027-01-31";
  EXPECT_FALSE(rules::review_overdue(a, "2027-01-31"));
  EXPECT_TRUE(rules::review_overdue(a, "2027-02-01"));
}

Library small() {
  std::vector<content::File> files;
  static const std::string sleep = with("", ""),
                           panic =
                               with("title: Sleeping better", "title: Panic attacks", "Breathe.\n"),
                           ex = [] {
                             std::string t = with("conditions: [insomnia, depression]",
                                                  "conditions: []", "Notice five things.\n");
                             t.replace(t.find("kind: article"), 13, "kind: exercise");
                             return t;
                           }();
  static const std::string panic2 = [] {
    std::string t = panic;
    t.replace(t.find("conditions: [insomnia, depression]"), 34, "conditions: [panic, anxiety]");
    t.replace(t.find("topics: [sleep, routines]"), 25, "topics: [anxiety]");
    return t;
  }();
  files.push_back({"crisis/lines.json", "{}"});
  files.push_back({"education/README.md", "# not an article"});
  files.push_back({"education/grounding.md", ex});
  files.push_back({"education/panic.md", panic2});
  files.push_back({"education/sleep.md", sleep});
  auto lib = Library::load(files);
  EXPECT_TRUE(lib) << lib.error().detail;
  return std::move(*lib);
}

std::vector<std::string> slugs(const std::vector<const Article*>& v) {
  std::vector<std::string> out;
  for (auto* a : v) out.push_back(a->slug);
  return out;
}

TEST(Library, LoadsSortedSkipsReadmeAndFinds) {
  auto lib = small();
  ASSERT_EQ(lib.all().size(), 3u);
  EXPECT_EQ(lib.all()[0].slug, "grounding");
  EXPECT_EQ(lib.find("panic")->title, "Panic attacks");
  EXPECT_EQ(lib.find("nope"), nullptr);
}

TEST(Library, RefusesABadFileNamingItAndAnEmptyLibrary) {
  std::vector<content::File> files = {{"education/ok.md", k_front}};
  auto lib = Library::load(files);
  ASSERT_FALSE(lib);
  EXPECT_EQ(lib.error().detail, "education/ok.md: body: is empty");
  auto none = Library::load({{"education/README.md", "x"}});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().detail, "education/: no articles");
}

TEST(Library, FiltersByTopicConditionAndText) {
  auto lib = small();
  EXPECT_EQ(slugs(lib.filter("", "")), (std::vector<std::string>{"grounding", "panic", "sleep"}));
  EXPECT_EQ(slugs(lib.filter("sleep", "")), (std::vector<std::string>{"grounding", "sleep"}));
  EXPECT_EQ(slugs(lib.filter("", "Panic")), (std::vector<std::string>{"panic"}));
  EXPECT_EQ(slugs(lib.filter("sleep", "insomnia")), (std::vector<std::string>{"sleep"}));
  EXPECT_EQ(slugs(lib.filter("", "", "PANIC")), (std::vector<std::string>{"panic"}));
  EXPECT_TRUE(lib.filter("anger", "").empty());
}

TEST(Suggest, MatchesConditionsAndMeasuresWithReasons) {
  auto lib = small();
  EXPECT_TRUE(lib.suggest({}, {}).empty());
  EXPECT_TRUE(lib.suggest({"grief"}, {}).empty());

  auto s = lib.suggest({"Anxiety"}, {});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].article->slug, "panic");
  EXPECT_EQ(s[0].reasons, (std::vector<std::string>{"matches the condition anxiety"}));

  // PHQ-9 speaks to depression; the lowest band suggests nothing.
  EXPECT_TRUE(lib.suggest({}, {{"phq-9", "minimal", true}}).empty());
  s = lib.suggest({}, {{"phq-9", "moderate", false}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].article->slug, "sleep");
  EXPECT_EQ(s[0].reasons,
            (std::vector<std::string>{"recent phq-9 result in the band moderate (depression)"}));
  // An instrument Tend does not link to articles suggests nothing.
  EXPECT_TRUE(lib.suggest({}, {{"who-5", "low", false}}).empty());

  // More reasons first; the exercise with no conditions is never suggested.
  s = lib.suggest({"panic", "insomnia"}, {{"gad-7", "severe", false}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].article->slug, "panic");
  EXPECT_EQ(s[0].reasons.size(), 2u);
  EXPECT_EQ(s[1].article->slug, "sleep");
  EXPECT_EQ(s[1].reasons, (std::vector<std::string>{"matches the condition insomnia"}));
}

TEST(Instruments, ConditionTable) {
  EXPECT_EQ(rules::condition_of_instrument("PHQ-9"), "depression");
  EXPECT_EQ(rules::condition_of_instrument("gad-7"), "anxiety");
  EXPECT_EQ(rules::condition_of_instrument("pcl-5"), "ptsd");
  EXPECT_EQ(rules::condition_of_instrument("audit-c"), "alcohol");
  EXPECT_EQ(rules::condition_of_instrument("k10"), "");
}

// The built-in library: every article passes, is complete, and is due for review no sooner
// than 2026-12-01.
TEST(BuiltIn, EveryArticleIsValidCompleteAndInReview) {
  auto lib = Library::load(content::embedded());
  ASSERT_TRUE(lib) << lib.error().detail;
  EXPECT_GE(lib->all().size(), 25u);
  std::set<std::string> seen;
  int y = 0, m = 0, d = 0;
  ASSERT_TRUE(parse_date("2026-12-01", y, m, d));
  const auto horizon = days_from_civil(y, m, d);
  for (const auto& a : lib->all()) {
    SCOPED_TRACE(a.slug);
    EXPECT_TRUE(seen.insert(a.slug).second);
    EXPECT_FALSE(a.title.empty());
    EXPECT_FALSE(a.summary.empty());
    EXPECT_FALSE(a.topics.empty());
    EXPECT_EQ(a.reading_level, "easy");
    EXPECT_GE(a.minutes, 1);
    EXPECT_GE(a.words, 300);
    EXPECT_LE(a.words, 700);
    ASSERT_TRUE(parse_date(a.review_by, y, m, d));
    EXPECT_GT(days_from_civil(y, m, d), horizon);
    EXPECT_FALSE(rules::review_overdue(a, "2026-12-01"));
    const auto html = rules::render_html(a.body);
    EXPECT_EQ(html.find("<!-- raw HTML omitted -->"), std::string::npos);
  }
  // The topics the service relies on are all there.
  for (const char* slug :
       {"depression", "anxiety", "panic-attacks", "trauma-and-ptsd", "sleep",
        "behavioural-activation", "grounding-5-4-3-2-1", "paced-breathing", "worry-time",
        "thought-records", "staying-well", "alcohol-and-drugs", "self-harm-and-staying-safe",
        "supporting-someone", "what-to-expect-in-therapy", "questions-about-medication",
        "getting-help-fast"}) {
    EXPECT_NE(lib->find(slug), nullptr) << slug;
  }
  // Self-harm and crisis articles point to the emergency number and Tend's crisis lines.
  for (const char* slug : {"self-harm-and-staying-safe", "getting-help-fast"}) {
    const auto* a = lib->find(slug);
    ASSERT_NE(a, nullptr);
    EXPECT_NE(a->body.find("emergency number"), std::string::npos) << slug;
    EXPECT_NE(a->body.find("crisis lines in Tend"), std::string::npos) << slug;
  }
}

}  // namespace
}  // namespace tend::education
