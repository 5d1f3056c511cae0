#include "clients/rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tend::clients {
namespace {

namespace bj = boost::json;
constexpr std::string_view k_today = "2026-11-23";

bj::object obj(std::string_view text) {
  return bj::parse(text).as_object();
}

std::vector<std::string> fields_of(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.errors) out.push_back(f.field);
  return out;
}

TEST(ClientRules, MinimalClient) {
  auto c = rules::parse_new(obj(R"({"given_name":"Ada","family_name":"Lovelace",
      "preferred_name":"Ada","pronouns":"she/her","date_of_birth":"1990-12-10"})"),
                            k_today);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->given_name, "Ada");
  EXPECT_EQ(c->pronouns, "she/her");
  EXPECT_EQ(c->date_of_birth, "1990-12-10");
  EXPECT_TRUE(c->mrn.empty());  // assigned by the service
}

TEST(ClientRules, FullRecordWithNestedObjects) {
  auto c = rules::parse_new(obj(R"({"given_name":"Kwame","family_name":"Mensah",
      "date_of_birth":"1984-02-29","sex":"male","gender_identity":"man","language":"tw",
      "interpreter_needed":true,"email":"kwame@example.org","phone":"+1 (555) 010-2222",
      "contact_consent":{"email":true,"sms":true},
      "emergency_contact":{"name":"Efua Mensah","relationship":"sister","phone":"555-0100"},
      "address":{"line1":"1 Example St","city":"Springfield","region":"OR","country":"US"},
      "race":"Black or African American","ethnicity":"Not Hispanic or Latino",
      "funding_note":"Medicaid plan B","mrn":"A-1001"})"),
                            k_today);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_TRUE(c->interpreter_needed);
  EXPECT_TRUE(c->consent.email);
  EXPECT_TRUE(c->consent.sms);
  EXPECT_FALSE(c->consent.post);
  EXPECT_EQ(c->emergency_contact.relationship, "sister");
  EXPECT_EQ(c->address.region, "OR");
  EXPECT_EQ(c->mrn, "A-1001");
  auto j = rules::to_json(*c);
  EXPECT_EQ(j["contact_consent"].as_object()["sms"].as_bool(), true);
  EXPECT_EQ(j["address"].as_object()["city"].as_string(), "Springfield");
}

struct BadCase {
  const char* body;
  const char* field;
};

class ClientRulesBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ClientRulesBad, IsRefusedNamingTheField) {
  auto c = rules::parse_new(obj(GetParam().body), k_today);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Errc::Validation);
  const auto f = fields_of(c.error());
  EXPECT_NE(std::find(f.begin(), f.end(), GetParam().field), f.end())
      << "expected an error on " << GetParam().field << ": " << c.error().detail;
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, ClientRulesBad,
    ::testing::Values(
        BadCase{R"({"family_name":"X","date_of_birth":"1990-01-01"})", "given_name"},
        BadCase{R"({"given_name":"","family_name":"X","date_of_birth":"1990-01-01"})",
                "given_name"},
        BadCase{R"({"given_name":"A","family_name":"X"})", "date_of_birth"},
        BadCase{R"({"given_name":"A","family_name":"X","date_of_birth":"1990-02-30"})",
                "date_of_birth"},
        BadCase{R"({"given_name":"A","family_name":"X","date_of_birth":"1991-02-29"})",
                "date_of_birth"},
        BadCase{R"({"given_name":"A","family_name":"X","date_of_birth":"10/12/1990"})",
                "date_of_birth"},
        BadCase{R"({"given_name":"A","family_name":"X","date_of_birth":"2026-11-24"})",
                "date_of_birth"},
        BadCase{R"({"given_name":"A","family_name":"X","date_of_birth":"1899-12-31"})",
                "date_of_birth"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","nickname":"x"})",
            "nickname"},
        BadCase{R"({"given_name":42,"family_name":"X","date_of_birth":"1990-01-01"})",
                "given_name"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","interpreter_needed":"yes"})",
            "interpreter_needed"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","sex":"robot"})",
            "sex"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","email":"not-an-email"})",
            "email"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","phone":"call me"})",
            "phone"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","language":"english!"})",
            "language"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","contact_consent":{"email":true}})",
            "contact_consent.email"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","contact_consent":{"fax":true}})",
            "contact_consent.fax"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","address":"1 Main St"})",
            "address"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","address":{"city":7}})",
            "address.city"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","mrn":"bad mrn!"})",
            "mrn"},
        BadCase{
            R"({"given_name":"A","family_name":"X","date_of_birth":"1990-01-01","pronouns":""})",
            "pronouns"},
        BadCase{R"({"given_name":"A\u0001","family_name":"X","date_of_birth":"1990-01-01"})",
                "given_name"}));

TEST(ClientRules, OverLongStringNamesTheField) {
  bj::object o = obj(R"({"family_name":"X","date_of_birth":"1990-01-01"})");
  o["given_name"] = std::string(101, 'a');
  auto c = rules::parse_new(o, k_today);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(fields_of(c.error()), std::vector<std::string>{"given_name"});
  o["given_name"] = std::string(100, 'a');
  EXPECT_TRUE(rules::parse_new(o, k_today).ok());
}

TEST(ClientRules, MarkupAndSqlAreKeptVerbatim) {
  const std::string evil = "<script>alert(1)</script>'; DROP TABLE clients;--";
  bj::object o = obj(R"({"family_name":"X","date_of_birth":"1990-01-01"})");
  o["given_name"] = evil;
  auto c = rules::parse_new(o, k_today);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->given_name, evil);
}

Client base() {
  return *rules::parse_new(obj(R"({"given_name":"Ada","family_name":"Lovelace",
      "date_of_birth":"1990-12-10","pronouns":"she/her","email":"ada@example.org",
      "contact_consent":{"email":true}})"),
                           k_today);
}

TEST(ClientRules, PatchChangesOnlyWhatIsSent) {
  Client cur = base();
  cur.id = "cl_1";
  auto next =
      rules::apply_patch(cur, obj(R"({"preferred_name":"Addie","pronouns":null})"), k_today);
  ASSERT_TRUE(next.ok()) << next.error().detail;
  EXPECT_EQ(next->preferred_name, "Addie");
  EXPECT_FALSE(next->pronouns);
  EXPECT_EQ(next->given_name, "Ada");
  EXPECT_EQ(next->email, "ada@example.org");
}

TEST(ClientRules, PatchRefusals) {
  Client cur = base();
  cur.id = "cl_1";
  cur.version = 3;
  auto r = rules::apply_patch(cur, obj(R"({"given_name":null})"), k_today);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::vector<std::string>{"given_name"});
  r = rules::apply_patch(cur, obj(R"({"version":2,"pronouns":"they/them"})"), k_today);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Conflict);
  EXPECT_TRUE(
      rules::apply_patch(cur, obj(R"({"version":3,"pronouns":"they/them"})"), k_today).ok());
  r = rules::apply_patch(cur, obj(R"({"id":"cl_2"})"), k_today);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::vector<std::string>{"id"});
  // Clearing the e-mail while consenting to e-mail contact is inconsistent.
  r = rules::apply_patch(cur, obj(R"({"email":null})"), k_today);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fields_of(r.error()), std::vector<std::string>{"contact_consent.email"});
}

TEST(ClientRules, SearchKeysAndBounds) {
  EXPECT_EQ(rules::search_key("McDonald-O'Neil"), "mcdonald-o'neil");
  EXPECT_EQ(rules::search_key("Zoë"), "zoë");
  EXPECT_EQ(rules::prefix_upper_bound("ad"), "ad\xF4\x8F\xBF\xBF");
  EXPECT_EQ(rules::prefix_upper_bound(""), "");
  // Every name with the prefix sorts between the prefix and the bound, in byte order; the
  // next name after the prefix does not.
  const std::string hi = rules::prefix_upper_bound("zo");
  for (std::string name : {"zo", "zoe", "zo\xC3\xAB", "zozzz", "zo\xEF\xBF\xBD"}) {
    EXPECT_GE(name, "zo");
    EXPECT_LT(name, hi) << name;
  }
  EXPECT_GT(std::string("zp"), hi);
}

TEST(ClientRules, CursorRoundTripAndGarbage) {
  const auto c = rules::encode_cursor("lovelace", "ada", "cl_1");
  auto pos = rules::decode_cursor(c);
  ASSERT_TRUE(pos);
  EXPECT_EQ(pos->family_key, "lovelace");
  EXPECT_EQ(pos->given_key, "ada");
  EXPECT_EQ(pos->id, "cl_1");
  EXPECT_FALSE(rules::decode_cursor("not a cursor"));
  EXPECT_FALSE(rules::decode_cursor(""));
  EXPECT_FALSE(rules::decode_cursor("WzEsMiwzXQ"));  // [1,2,3]
}

TEST(ClientRules, AgeOnBirthdays) {
  EXPECT_EQ(rules::age_on("1990-12-10", "2026-12-09"), 35);
  EXPECT_EQ(rules::age_on("1990-12-10", "2026-12-10"), 36);
  EXPECT_EQ(rules::age_on("2000-02-29", "2025-02-28"), 24);
  EXPECT_EQ(rules::age_on("2000-02-29", "2025-03-01"), 25);
}

}  // namespace
}  // namespace tend::clients
