// Client records on a real SQLite file: registration, reading, changing, archiving, search
// with cursor pagination — and the audit entry each leaves.

#include "clients/service.h"

#include <gtest/gtest.h>

#include <set>

#include "platform/ids.h"
#include "support/domain.h"

namespace tend::clients {
namespace {

namespace bj = boost::json;
using access::Role;
using testing::Domain;

TEST(ClientService, RegisterReadAndAudit) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  bj::object body{{"given_name", "Ada"},
                  {"family_name", "Lovelace"},
                  {"date_of_birth", "1990-12-10"},
                  {"funding_note", "Sliding scale, 40%"}};
  auto c = d.clients->create(clin, body);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_TRUE(is_well_formed_id(c->id));
  EXPECT_EQ(c->mrn.size(), 10u);
  auto got = d.clients->get(clin, c->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->funding_note, "Sliding scale, 40%");
  // Free text is sealed at rest.
  const auto raw = d.db->read([&](sql::Conn& cn) {
    return cn.query_one("SELECT funding_note FROM clients WHERE id = ?", {c->id})->str(0);
  });
  EXPECT_EQ(raw.find("Sliding"), std::string::npos);
  EXPECT_EQ(d.audit_count("action = 'create' AND client_id = ?", {c->id}), 1);
  EXPECT_EQ(
      d.audit_count("action = 'read' AND client_id = ? AND actor_id = ?", {c->id, clin.user_id}),
      1);
}

TEST(ClientService, WhoMaySeeARecord) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto stranger = d.user("stranger", Role::Clinician);
  auto desk = d.user("desk", Role::FrontDesk);
  auto analyst = d.user("analyst", Role::Analyst);
  auto c = d.client(clin, "Ada", "Lovelace");
  auto other = d.client(clin, "Grace", "Hopper");
  auto portal = d.user("ada", Role::Client, c.id);
  EXPECT_TRUE(d.clients->get(desk, c.id).ok());
  EXPECT_TRUE(d.clients->get(portal, c.id).ok());
  EXPECT_TRUE(d.clients->get(d.admin, c.id).ok());
  // Not allowed: the same answer as a record that does not exist.
  for (const auto* p : {&stranger, &analyst, &portal}) {
    const std::string& id = p == &portal ? other.id : c.id;
    auto r = d.clients->get(*p, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_EQ(r.error().detail, "client " + id + " not found");
  }
  EXPECT_EQ(d.clients->get(clin, "cl_doesnotexist").error().detail,
            "client cl_doesnotexist not found");
  EXPECT_EQ(d.audit_count("outcome = 'denied' AND action = 'read'"), 3);
  // Portal clients and analysts cannot search the directory.
  EXPECT_EQ(d.clients->search(portal, {}).error().code, Errc::Forbidden);
  EXPECT_EQ(d.clients->search(analyst, {}).error().code, Errc::Forbidden);
}

TEST(ClientService, UpdateBumpsVersionAndChecksIt) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto c = d.client(clin, "Ada", "Lovelace");
  auto u = d.clients->update(clin, c.id, bj::object{{"preferred_name", "Addie"}, {"version", 1}});
  ASSERT_TRUE(u.ok()) << u.error().detail;
  EXPECT_EQ(u->version, 2);
  auto stale = d.clients->update(clin, c.id, bj::object{{"preferred_name", "A"}, {"version", 1}});
  EXPECT_EQ(stale.error().code, Errc::Conflict);
  auto bad = d.clients->update(clin, c.id, bj::object{{"date_of_birth", "2999-01-01"}});
  EXPECT_EQ(bad.error().code, Errc::Validation);
  // A refused change leaves nothing behind.
  EXPECT_EQ(d.clients->get(clin, c.id)->preferred_name, "Addie");
  EXPECT_EQ(d.audit_count("action = 'update' AND client_id = ?", {c.id}), 1);
}

TEST(ClientService, MrnIsUnique) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  bj::object body{
      {"given_name", "A"}, {"family_name", "B"}, {"date_of_birth", "1990-01-01"}, {"mrn", "X-1"}};
  ASSERT_TRUE(d.clients->create(clin, body).ok());
  auto dup = d.clients->create(clin, body);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, Errc::Conflict);
  EXPECT_EQ(dup.error().errors.at(0).field, "mrn");
}

TEST(ClientService, ArchiveInsteadOfDelete) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto peer = d.user("peer", Role::PeerSupport);
  auto c = d.client(clin, "Ada", "Lovelace");
  ASSERT_TRUE(d.access->add_team_member(clin, c.id, peer.user_id, "peer_support").ok());
  EXPECT_EQ(d.clients->set_archived(peer, c.id, true).error().code, Errc::Forbidden);
  auto a = d.clients->set_archived(clin, c.id, true);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->status, "archived");
  EXPECT_EQ(d.clients->set_archived(clin, c.id, true).error().code, Errc::Conflict);
  SearchQuery q;
  q.q = "lovelace";
  EXPECT_TRUE(d.clients->search(clin, q)->items.empty());
  q.include_archived = true;
  EXPECT_EQ(d.clients->search(clin, q)->items.size(), 1u);
  ASSERT_TRUE(d.clients->set_archived(clin, c.id, false).ok());
}

TEST(ClientService, SearchByNamePrefixDobIdentifierAndPages) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto other = d.user("other", Role::Clinician);
  auto ada = d.client(clin, "Ada", "Lovelace", "1990-12-10");
  d.client(clin, "Adam", "Smith", "1985-01-01");
  d.client(other, "Grace", "Adams", "1970-05-05");
  d.client(other, "Alan", "Turing", "1990-12-10");
  SearchQuery q;
  q.q = "ad";
  auto r = d.clients->search(clin, q);
  ASSERT_TRUE(r.ok());
  std::set<std::string> names;
  for (const auto& s : r->items) names.insert(s.given_name);
  EXPECT_EQ(names, (std::set<std::string>{"Ada", "Adam", "Grace"}));
  q.q = "ADA LOV";
  r = d.clients->search(clin, q);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].id, ada.id);
  EXPECT_TRUE(r->items[0].on_my_team);
  q = {};
  q.date_of_birth = "1990-12-10";
  EXPECT_EQ(d.clients->search(clin, q)->items.size(), 2u);
  q = {};
  q.identifier = ada.mrn;
  EXPECT_EQ(d.clients->search(clin, q)->items.at(0).id, ada.id);
  q = {};
  q.mine = true;
  EXPECT_EQ(d.clients->search(clin, q)->items.size(), 2u);
  q = {};
  q.q = "'; DROP TABLE clients;--";
  EXPECT_TRUE(d.clients->search(clin, q)->items.empty());

  // Pages of 2 walk every client once, in name order.
  for (int i = 0; i < 7; ++i) d.client(clin, "Zed" + std::to_string(i), "Zulu");
  q = {};
  q.limit = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 20; ++page) {
    auto p = d.clients->search(clin, q);
    ASSERT_TRUE(p.ok());
    for (const auto& s : p->items) seen.push_back(s.family_name + "," + s.given_name);
    if (!p->next_cursor) break;
    q.cursor = p->next_cursor;
  }
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_TRUE(
      std::is_sorted(seen.begin(), seen.end(), [](const std::string& a, const std::string& b) {
        std::string la = a, lb = b;
        for (auto& ch : la) ch = static_cast<char>(std::tolower(ch));
        for (auto& ch : lb) ch = static_cast<char>(std::tolower(ch));
        return la < lb;
      }));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 11u);
  q.cursor = "garbage";
  EXPECT_EQ(d.clients->search(clin, q).error().code, Errc::BadRequest);
}

TEST(ClientService, AccessLogShowsWhoLooked) {
  Domain d;
  auto clin = d.user("clin", Role::Clinician);
  auto desk = d.user("desk", Role::FrontDesk);
  auto c = d.client(clin, "Ada", "Lovelace");
  ASSERT_TRUE(d.clients->get(desk, c.id).ok());
  ASSERT_TRUE(d.clients->get(clin, c.id).ok());
  auto log = d.clients->access_log(clin, c.id, 0, 50);
  ASSERT_TRUE(log.ok());
  ASSERT_GE(log->size(), 3u);
  EXPECT_EQ((*log)[0].actor_id, clin.user_id);  // newest first
  EXPECT_EQ((*log)[0].action, "read");
  EXPECT_EQ((*log)[1].actor_id, desk.user_id);
  EXPECT_EQ(d.clients->access_log(desk, c.id, 0, 50).error().code, Errc::Forbidden);
}

}  // namespace
}  // namespace tend::clients
