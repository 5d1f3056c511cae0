// Suggested reading over HTTP against the real server on loopback (SQLite, and PostgreSQL in
// the .pg run): from the client's current diagnoses through the code map and from recent
// measures above their lowest band, each with its reasons; articles already given are left
// out; for the care team only. And a service's own articles (education_dir): listed and
// suggested with from_service, while a bad one or a built-in slug stops start-up naming the
// file.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/api.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

bj::array phq9(int each) {
  bj::array a;
  for (int i = 1; i <= 9; ++i) {
    a.push_back(bj::object{{"linkId", "q" + std::to_string(i)}, {"value", i == 9 ? 0 : each}});
  }
  return a;
}

std::string service_article(const std::string& title, const std::string& conditions) {
  return "---\ntitle: " + title +
         "\nsummary: What our service offers.\ntopics: [self-help]\nconditions: [" + conditions +
         "]\nreading_level: easy\nkind: article\nminutes: 2\nreviewed: 2026-11-01\n"
         "review_by: 2027-11-01\n---\n# " +
         title + "\n\nWe meet on Tuesdays.\n";
}

//! Slug → reasons of a suggestions response.
std::map<std::string, std::vector<std::string>> by_slug(const HttpResponse& r) {
  std::map<std::string, std::vector<std::string>> out;
  const bj::value v = r.json();
  for (const auto& s : v.at("items").as_array()) {
    auto& reasons = out[std::string(s.at("slug").as_string())];
    for (const auto& x : s.at("reasons").as_array()) reasons.emplace_back(x.as_string());
  }
  return out;
}

class EducationSuggestApi : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      std::ofstream(files.file("our-anxiety-group.md"))
          << service_article("Our anxiety group", "anxiety, panic");
    }
    server = std::make_unique<ApiServer>(
        std::map<std::string, std::string>{{"education_dir", files.path().string()}});
    server->add_user("clin", "clinician");
    server->add_user("other", "clinician");
    clin = server->client_for("clin");
    other = server->client_for("other");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    client_id = std::string(c.json().at("id").as_string());
    base = "/api/v1/clients/" + client_id;
    server->add_user("ada", "client", client_id);
    portal = server->client_for("ada");
  }

  TempDir files;
  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, portal;
  std::string client_id, base;
};

TEST_F(EducationSuggestApi, FromDiagnosesAndRecentMeasuresWithReasons) {
  auto none = clin->get(base + "/education/suggestions");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(none.json().at("items").as_array().empty());

  ASSERT_EQ(clin->post(base + "/diagnoses", bj::object{{"code", "F41.0"}}).status, 201);
  auto s = by_slug(clin->get(base + "/education/suggestions"));
  ASSERT_TRUE(s.count("panic-attacks") > 0);
  EXPECT_EQ(s["panic-attacks"], (std::vector<std::string>{"diagnosis F41.0 (panic)"}));
  EXPECT_FALSE(s.count("depression") > 0);
  // The service's own article is suggested like the built-in ones, and marked.
  ASSERT_TRUE(s.count("our-anxiety-group") > 0);
  const bj::value list = clin->get(base + "/education/suggestions").json();
  for (const auto& item : list.at("items").as_array()) {
    EXPECT_EQ(item.at("from_service").as_bool(), item.at("slug") == "our-anxiety-group");
  }

  // A PHQ-9 above its lowest band adds depression reading, with the measure as the reason.
  ASSERT_EQ(
      clin->post(base + "/assessments", bj::object{{"instrument", "phq-9"}, {"answers", phq9(2)}})
          .status,
      201);
  s = by_slug(clin->get(base + "/education/suggestions"));
  ASSERT_TRUE(s.count("depression") > 0);
  EXPECT_EQ(s["depression"].size(), 1u);
  EXPECT_EQ(s["depression"].front().rfind("recent phq-9 result in the band ", 0), 0u)
      << s["depression"].front();

  // Given once, an article is no longer suggested.
  ASSERT_EQ(clin->post(base + "/education", bj::object{{"slug", "panic-attacks"}}).status, 201);
  s = by_slug(clin->get(base + "/education/suggestions"));
  EXPECT_FALSE(s.count("panic-attacks") > 0);

  // A measure more than 90 days old no longer counts.
  server->clock.advance(std::chrono::hours(24 * 91));
  clin = server->client_for("clin");
  s = by_slug(clin->get(base + "/education/suggestions"));
  EXPECT_FALSE(s.count("depression") > 0);
  EXPECT_TRUE(s.count("our-anxiety-group") > 0);

  // The care team only: not the client, not someone off the team.
  portal = server->client_for("ada");
  EXPECT_EQ(portal->get(base + "/education/suggestions").status, 403);
  other = server->client_for("other");
  EXPECT_EQ(other->get(base + "/education/suggestions").status, 404);
  EXPECT_EQ(clin->get("/api/v1/clients/cl_nope/education/suggestions").status, 404);
}

TEST_F(EducationSuggestApi, TheServicesArticlesAreListedMarkedAndReadable) {
  auto all = clin->get("/api/v1/education/articles?q=anxiety%20group");
  ASSERT_EQ(all.status, 200) << all.body;
  const bj::value v = all.json();
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").at(0).at("from_service"), true);
  auto one = portal->get("/api/v1/education/articles/our-anxiety-group");
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(std::string(one.json().at("html").as_string()).find("We meet on Tuesdays."),
            std::string::npos);
  // Given to the client, it is marked in their reading too.
  ASSERT_EQ(clin->post(base + "/education", bj::object{{"slug", "our-anxiety-group"}}).status, 201);
  const bj::value mine = portal->get("/api/v1/me/education").json();
  EXPECT_EQ(mine.at("items").at(0).at("from_service"), true);
  auto builtin = clin->get("/api/v1/education/articles/panic-attacks");
  EXPECT_EQ(builtin.json().at("from_service"), false);
}

TEST(EducationDir, ABadArticleOrABuiltInSlugStopsStartUpNamingTheFile) {
  {
    TempDir dir;
    std::ofstream(dir.file("ours.md")) << "no front matter\n";
    try {
      ApiServer server({{"education_dir", dir.path().string()}});
      ADD_FAILURE() << "a bad article must stop start-up";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(dir.file("ours.md")), std::string::npos) << e.what();
    }
  }
  {
    TempDir dir;
    std::ofstream(dir.file("anxiety.md")) << service_article("Our anxiety page", "anxiety");
    try {
      ApiServer server({{"education_dir", dir.path().string()}});
      ADD_FAILURE() << "a built-in slug must stop start-up";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("anxiety.md: slug: anxiety is a built-in article"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace tend::testing
