// The psychoeducation library over HTTP against the real server on loopback: staff and
// clients read the built-in articles, filtered by topic, condition and words; one article
// comes with its body as safe HTML; unknown slugs are 404 and anonymous callers are refused.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;

class EducationApi : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<ApiServer>();
    server->add_user("clin", "clinician");
    clin = server->client_for("clin");
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", "Ada"},
                                                      {"family_name", "Lovelace"},
                                                      {"date_of_birth", "1990-12-10"}});
    ASSERT_EQ(c.status, 201) << c.body;
    server->add_user("ada", "client", std::string(c.json().at("id").as_string()));
    ada = server->client_for("ada");
  }

  std::vector<std::string> slugs(HttpClient& who, const std::string& query) {
    auto r = who.get("/api/v1/education/articles" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const auto body = r.json();
    for (const auto& i : body.at("items").as_array()) out.emplace_back(i.at("slug").as_string());
    return out;
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, ada;
};

TEST_F(EducationApi, StaffAndClientsListAndFilterTheLibrary) {
  const auto all = slugs(*clin, "");
  EXPECT_GE(all.size(), 25u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(slugs(*ada, ""), all);

  auto r = ada->get("/api/v1/education/articles");
  const auto listed = r.json();
  const auto& first = listed.at("items").as_array().at(0).as_object();
  for (const char* key : {"slug", "title", "summary", "topics", "conditions", "reading_level",
                          "kind", "minutes", "reviewed", "review_by"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_FALSE(first.contains("html"));

  const auto panic = slugs(*ada, "?condition=panic");
  EXPECT_NE(std::find(panic.begin(), panic.end(), "panic-attacks"), panic.end());
  EXPECT_EQ(std::find(panic.begin(), panic.end(), "grief"), panic.end());
  EXPECT_LT(panic.size(), all.size());
  const auto sleep = slugs(*clin, "?topic=sleep&condition=insomnia");
  EXPECT_EQ(sleep, std::vector<std::string>{"sleep"});
  EXPECT_EQ(slugs(*clin, "?q=worry%20time"), std::vector<std::string>{"worry-time"});
  EXPECT_TRUE(slugs(*clin, "?topic=no-such-topic").empty());
}

TEST_F(EducationApi, OneArticleComesAsSafeHtml) {
  auto r = ada->get("/api/v1/education/articles/paced-breathing");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto article = r.json();
  const auto& o = article.as_object();
  EXPECT_EQ(o.at("title").as_string(), "Paced breathing");
  EXPECT_EQ(o.at("kind").as_string(), "exercise");
  const std::string html(o.at("html").as_string());
  EXPECT_EQ(html.rfind("<h1>Paced breathing</h1>", 0), 0u) << html.substr(0, 80);
  EXPECT_NE(html.find("<ol>"), std::string::npos);
  EXPECT_GE(o.at("words").as_int64(), 300);

  EXPECT_EQ(clin->get("/api/v1/education/articles/no-such-article").status, 404);
  HttpClient anon(server->base_url());
  EXPECT_EQ(anon.get("/api/v1/education/articles").status, 401);
  EXPECT_EQ(anon.get("/api/v1/education/articles/paced-breathing").status, 401);
}

}  // namespace
}  // namespace tend::testing
