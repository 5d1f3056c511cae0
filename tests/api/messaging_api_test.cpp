// Secure messages over HTTP against the real server on loopback (SQLite, and PostgreSQL in the
// .pg run): a client writes to their care team and the team answers, with read receipts both
// ways, live `message.new` events without text and subjects and bodies sealed at rest; bad
// subjects and bodies → 422 naming the field, nothing stored; a client never reaches another
// client's threads, nor a staff-only thread about themselves, on any route; staff off the care
// team get 404 (break-the-glass opens it, audited); a watched phrase in a client's message
// raises a crisis alert in the same transaction; outside office hours the automatic reply says
// when the team will read it and carries the crisis lines, once per closed period, and never
// inside office hours; e-mail notices (a real SMTP sink) carry no content, go once per thread
// until read, only with consent and message notices on, and are retried when mail is down.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api.h"
#include "support/peer.h"
#include "support/temp_dir.h"

namespace tend::testing {
namespace {

namespace bj = boost::json;
using namespace std::chrono_literals;

std::string token_for(ApiServer& s, const std::string& user_id) {
  auto t = s.app().access().create_token(access::system_principal("test"), user_id, "sse", 30);
  if (!t) throw std::runtime_error(t.error().detail);
  return t->token;
}

std::string str(const bj::value& v) {
  return std::string(v.as_string());
}

class MessagingApi : public ::testing::Test {
 protected:
  // The fake clock starts on Wednesday 18 November 2026 at 11:06:40 UTC: 06:06 in New York.
  void start(std::map<std::string, std::string> settings = {}) {
    server = std::make_unique<ApiServer>(std::move(settings));
    clin_id = server->add_user("clin", "clinician");
    other_id = server->add_user("other", "clinician");
    clin = server->client_for("clin");
    other = server->client_for("other");
    client_id = new_client("Ada", "Lovelace");
    bob_id = new_client("Bob", "Stone");
    ada_user = server->add_user("ada", "client", client_id);
    bob_user = server->add_user("bob", "client", bob_id);
    portal = server->client_for("ada");
    bob = server->client_for("bob");
  }
  std::string new_client(const std::string& given, const std::string& family) {
    auto c = clin->post("/api/v1/clients", bj::object{{"given_name", given},
                                                      {"family_name", family},
                                                      {"date_of_birth", "1990-12-10"}});
    EXPECT_EQ(c.status, 201) << c.body;
    return std::string(c.json().at("id").as_string());
  }
  std::int64_t count(const std::string& q, const sql::Params& params = {}) {
    return server->app().db().read([&](sql::Conn& c) { return c.query_one(q, params)->i64(0); });
  }
  //! The client starts a thread; returns the response's JSON.
  bj::object write_new(HttpClient& who, const std::string& subject, const std::string& body) {
    auto r = who.post("/api/v1/me/threads", bj::object{{"subject", subject}, {"body", body}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }
  static std::vector<std::string> kinds(const bj::object& thread) {
    std::vector<std::string> out;
    for (const auto& m : thread.at("messages").as_array()) out.push_back(str(m.at("kind")));
    return out;
  }
  void sign_in_again() {
    clin = server->client_for("clin");
    other = server->client_for("other");
    portal = server->client_for("ada");
    bob = server->client_for("bob");
  }

  std::unique_ptr<ApiServer> server;
  std::unique_ptr<HttpClient> clin, other, portal, bob;
  std::string clin_id, other_id, client_id, bob_id, ada_user, bob_user;
};

TEST_F(MessagingApi, ClientAndCareTeamWriteWithReadReceiptsAndLiveEvents) {
  start();  // UTC, Monday to Friday 09:00–17:00: open at 11:06 on a Wednesday
  SseReader team_stream(server->base_url(), "/api/v1/events", token_for(*server, clin_id));
  SseReader client_stream(server->base_url(), "/api/v1/events", token_for(*server, ada_user));
  ASSERT_TRUE(team_stream.wait_for("retry: 3000", 10s)) << team_stream.text();
  ASSERT_TRUE(client_stream.wait_for("retry: 3000", 10s)) << client_stream.text();

  auto made = write_new(*portal, "Sleep this week", "I slept badly after the new dose.");
  const std::string id = str(made.at("id"));
  EXPECT_EQ(made.at("kind"), "client");
  EXPECT_EQ(made.at("subject"), "Sleep this week");
  EXPECT_EQ(kinds(made), std::vector<std::string>{"message"}) << "open: no automatic reply";
  const auto first = made.at("messages").as_array()[0].as_object();
  EXPECT_EQ(first.at("body"), "I slept badly after the new dose.");
  EXPECT_EQ(first.at("sender").at("role"), "client");
  EXPECT_TRUE(first.at("read_by_care_team_at").is_null());
  EXPECT_FALSE(made.contains("client_name")) << "the client's view is theirs";

  // Sealed at rest.
  EXPECT_EQ(count("SELECT COUNT(*) FROM messages WHERE body LIKE '%dose%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM message_threads WHERE subject LIKE '%Sleep%'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM messages WHERE thread_id = ?", {id}), 1);

  // The care team hears of it live: ids only, no text.
  ASSERT_TRUE(team_stream.wait_for("message.new", 10s)) << team_stream.text();
  EXPECT_NE(team_stream.text().find(id), std::string::npos);
  EXPECT_EQ(team_stream.text().find("dose"), std::string::npos);
  EXPECT_EQ(team_stream.text().find("Sleep"), std::string::npos);
  EXPECT_EQ(client_stream.text().find("message.new"), std::string::npos) << "not to the sender";

  // The inbox shows it unread; the client's own list shows nothing unread for them.
  auto inbox = clin->get("/api/v1/inbox");
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  auto inbox_json = inbox.json();
  ASSERT_EQ(inbox_json.at("items").as_array().size(), 1U);
  EXPECT_EQ(inbox_json.at("unread"), 1);
  EXPECT_EQ(inbox_json.at("items").as_array()[0].at("client_name"), "Ada Lovelace");
  EXPECT_EQ(inbox_json.at("items").as_array()[0].at("subject"), "Sleep this week");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE resource_kind = 'message_inbox' AND "
                  "resource_id = ? AND actor_id = ?",
                  {id, clin_id}),
            1);
  EXPECT_EQ(clin->get("/api/v1/messages/unread").json().at("unread"), 1);
  EXPECT_EQ(other->get("/api/v1/messages/unread").json().at("unread"), 0) << "not on the team";
  EXPECT_EQ(portal->get("/api/v1/messages/unread").json().at("unread"), 0);
  auto mine = portal->get("/api/v1/me/threads");
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json().at("items").as_array()[0].at("unread"), 0);

  // The clinician opens it (audited) and marks it read: the client sees "read by your care team".
  auto opened = clin->get("/api/v1/threads/" + id);
  ASSERT_EQ(opened.status, 200) << opened.body;
  EXPECT_EQ(opened.json().at("staff_only"), false);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'read' AND resource_kind = "
                  "'message_thread' AND resource_id = ? AND actor_id = ?",
                  {id, clin_id}),
            1);
  server->clock.advance(2min);
  auto read = clin->post("/api/v1/threads/" + id + "/read", bj::object{});
  ASSERT_EQ(read.status, 200) << read.body;
  const auto read_json = read.json();
  const auto& reads = read_json.at("messages").as_array()[0].at("reads").as_array();
  ASSERT_EQ(reads.size(), 1U);
  EXPECT_EQ(reads[0].at("user_id"), bj::value(clin_id));
  ASSERT_TRUE(client_stream.wait_for("message.read", 10s)) << client_stream.text();
  auto seen = portal->get("/api/v1/me/threads/" + id);
  ASSERT_EQ(seen.status, 200);
  EXPECT_EQ(seen.json().at("messages").as_array()[0].at("read_by_care_team_at"),
            bj::value(format_rfc3339(server->clock.now())));
  EXPECT_TRUE(clin->get("/api/v1/inbox").json().at("items").as_array().empty());

  // The clinician answers; the client hears of it live, sees it unread, and reads it.
  auto answer = clin->post("/api/v1/threads/" + id + "/messages",
                           bj::object{{"body", "Thank you. Let us talk about it on Friday."}});
  ASSERT_EQ(answer.status, 201) << answer.body;
  EXPECT_EQ(kinds(answer.json().as_object()), (std::vector<std::string>{"message", "message"}));
  ASSERT_TRUE(client_stream.wait_for("message.new", 10s)) << client_stream.text();
  EXPECT_EQ(client_stream.text().find("Friday"), std::string::npos);
  EXPECT_EQ(portal->get("/api/v1/messages/unread").json().at("unread"), 1);
  EXPECT_EQ(bob->get("/api/v1/messages/unread").json().at("unread"), 0) << "not Bob's";
  EXPECT_EQ(clin->get("/api/v1/messages/unread").json().at("unread"), 0);
  auto listed = portal->get("/api/v1/me/threads").json();
  EXPECT_EQ(listed.at("items").as_array()[0].at("unread"), 1);
  auto client_read = portal->post("/api/v1/me/threads/" + id + "/read", bj::object{});
  ASSERT_EQ(client_read.status, 200) << client_read.body;
  const auto client_read_json = client_read.json();
  const auto& reply = client_read_json.at("messages").as_array()[1].as_object();
  EXPECT_EQ(reply.at("sender").at("role"), "staff");
  EXPECT_EQ(reply.at("read_at"), bj::value(format_rfc3339(server->clock.now())));
  EXPECT_EQ(portal->get("/api/v1/me/threads").json().at("items").as_array()[0].at("unread"), 0);
  // The clinician sees the client read it.
  auto after = clin->get("/api/v1/threads/" + id).json();
  const auto& reply_reads = after.at("messages").as_array()[1].at("reads").as_array();
  ASSERT_EQ(reply_reads.size(), 1U);
  EXPECT_EQ(reply_reads[0].at("role"), "client");
  // The staff list of the client's threads.
  auto all = clin->get("/api/v1/clients/" + client_id + "/threads");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json().at("items").as_array().size(), 1U);
  EXPECT_EQ(all.json().at("items").as_array()[0].at("message_count"), 2);
}

TEST_F(MessagingApi, BadSubjectsAndBodiesAreRefusedByFieldAndNothingIsStored) {
  start();
  const std::string long_body(5001, 'a');
  const std::string long_subject(121, 's');
  const std::vector<std::pair<bj::object, std::string>> client_cases = {
      {bj::object{{"body", "hello"}}, "subject"},
      {bj::object{{
                      "subject",
                      "",
                  },
                  {"body", "hello"}},
       "subject"},
      {bj::object{{"subject", "   "}, {"body", "hello"}}, "subject"},
      {bj::object{{"subject", long_subject}, {"body", "hello"}}, "subject"},
      {bj::object{{"subject", "Hi"}}, "body"},
      {bj::object{{"subject", "Hi"}, {"body", " \n\t "}}, "body"},
      {bj::object{{"subject", "Hi"}, {"body", long_body}}, "body"},
      {bj::object{{"subject", "Hi"}, {"body", 7}}, "body"},
      {bj::object{{"subject", "Hi"}, {"body", "x"}, {"kind", "staff"}}, "kind"},
  };
  for (const auto& [body, field] : client_cases) {
    auto r = portal->post("/api/v1/me/threads", body);
    EXPECT_EQ(r.status, 422) << bj::serialize(body) << " " << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << r.body;
  }
  EXPECT_EQ(portal
                ->request("POST", "/api/v1/me/threads", "{not json",
                          {{"Content-Type", "application/json"}})
                .status,
            400);
  // 5000 characters fit (in characters: 5000 'é' are 10000 bytes).
  std::string fits;
  for (int i = 0; i < 5000; ++i) fits += "é";
  auto ok = portal->post("/api/v1/me/threads", bj::object{{"subject", "Long"}, {"body", fits}});
  ASSERT_EQ(ok.status, 201) << ok.body.substr(0, 300);
  const std::string id = str(ok.json().at("id"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM message_threads"), 1) << "nothing from the refusals";

  for (const auto& bad : {bj::object{}, bj::object{{"body", ""}}, bj::object{{"body", "  "}},
                          bj::object{{"body", long_body}}}) {
    auto r = portal->post("/api/v1/me/threads/" + id + "/messages", bad);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{"body"}) << r.body;
    auto s = clin->post("/api/v1/threads/" + id + "/messages", bad);
    EXPECT_EQ(s.status, 422) << s.body;
    EXPECT_EQ(s.error_fields(), std::vector<std::string>{"body"}) << s.body;
  }
  const std::string staff_base = "/api/v1/clients/" + client_id + "/threads";
  const std::vector<std::pair<bj::object, std::string>> staff_cases = {
      {bj::object{{"subject", "Plan"}, {"body", "x"}}, "kind"},
      {bj::object{{"kind", "everyone"}, {"subject", "Plan"}, {"body", "x"}}, "kind"},
      {bj::object{{"kind", "staff"}, {"subject", " "}, {"body", "x"}}, "subject"},
      {bj::object{{"kind", "staff"}, {"subject", "Plan"}, {"body", ""}}, "body"},
  };
  for (const auto& [body, field] : staff_cases) {
    auto r = clin->post(staff_base, body);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error_fields(), std::vector<std::string>{field}) << r.body;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM message_threads"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM messages"), 1);
}

TEST_F(MessagingApi, NobodyReachesThreadsTheyMayNotSee) {
  start();
  const std::string ada_thread = str(write_new(*portal, "Ada's", "Mine").at("id"));
  const std::string bob_thread = str(write_new(*bob, "Bob's", "His").at("id"));
  // A staff-only thread about Ada.
  auto staff = clin->post("/api/v1/clients/" + client_id + "/threads",
                          bj::object{{"kind", "staff"},
                                     {"subject", "Medication review"},
                                     {"body", "Could you look at her dose?"}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  EXPECT_EQ(staff.json().at("staff_only"), true);
  const std::string staff_thread = str(staff.json().at("id"));

  // Ada sees only her own client thread.
  auto list = portal->get("/api/v1/me/threads").json();
  ASSERT_EQ(list.at("items").as_array().size(), 1U);
  EXPECT_EQ(list.at("items").as_array()[0].at("id"), bj::value(ada_thread));
  for (const auto& t : {bob_thread, staff_thread}) {
    EXPECT_EQ(portal->get("/api/v1/me/threads/" + t).status, 404) << t;
    EXPECT_EQ(
        portal->post("/api/v1/me/threads/" + t + "/messages", bj::object{{"body", "x"}}).status,
        404)
        << t;
    EXPECT_EQ(portal->post("/api/v1/me/threads/" + t + "/read", bj::object{}).status, 404) << t;
  }
  // Staff routes are not the client's, for any thread.
  for (const auto& t : {ada_thread, bob_thread, staff_thread}) {
    EXPECT_EQ(portal->get("/api/v1/threads/" + t).status, 404) << t;
    EXPECT_EQ(portal->post("/api/v1/threads/" + t + "/messages", bj::object{{"body", "x"}}).status,
              404);
    EXPECT_EQ(portal->post("/api/v1/threads/" + t + "/read", bj::object{}).status, 404);
  }
  EXPECT_EQ(portal->get("/api/v1/clients/" + client_id + "/threads").status, 403);
  EXPECT_EQ(portal->get("/api/v1/clients/" + bob_id + "/threads").status, 404);
  EXPECT_EQ(portal
                ->post("/api/v1/clients/" + client_id + "/threads",
                       bj::object{{"kind", "staff"}, {"subject", "x"}, {"body", "x"}})
                .status,
            403);
  EXPECT_EQ(portal
                ->post("/api/v1/clients/" + bob_id + "/threads",
                       bj::object{{"kind", "client"}, {"subject", "x"}, {"body", "x"}})
                .status,
            404);
  EXPECT_EQ(portal->get("/api/v1/inbox").status, 403);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM messages WHERE thread_id IN (?, ?)", {bob_thread, staff_thread}),
      2)
      << "nothing was added to anyone else's threads";
  EXPECT_EQ(count("SELECT COUNT(*) FROM message_receipts"), 0);

  // Staff use the staff routes.
  EXPECT_EQ(clin->get("/api/v1/me/threads").status, 403);
  EXPECT_EQ(clin->post("/api/v1/me/threads", bj::object{{"subject", "x"}, {"body", "x"}}).status,
            403);

  // A clinician off Ada's care team: 404 on every route, and an empty inbox.
  const std::string base = "/api/v1/clients/" + client_id + "/threads";
  EXPECT_EQ(other->get(base).status, 404);
  EXPECT_EQ(
      other->post(base, bj::object{{"kind", "staff"}, {"subject", "x"}, {"body", "x"}}).status,
      404);
  for (const auto& t : {ada_thread, staff_thread}) {
    EXPECT_EQ(other->get("/api/v1/threads/" + t).status, 404);
    EXPECT_EQ(other->post("/api/v1/threads/" + t + "/messages", bj::object{{"body", "x"}}).status,
              404);
    EXPECT_EQ(other->post("/api/v1/threads/" + t + "/read", bj::object{}).status, 404);
  }
  EXPECT_EQ(other->get("/api/v1/threads/thr_nosuch").status, 404);
  EXPECT_TRUE(other->get("/api/v1/inbox").json().at("items").as_array().empty());
  // Front desk: nothing clinical.
  server->add_user("desk", "front_desk");
  auto desk = server->client_for("desk");
  EXPECT_NE(desk->get(base).status, 200);
  EXPECT_EQ(desk->get("/api/v1/threads/" + ada_thread).status, 404);

  // Break-the-glass opens Ada's threads to the other clinician, audited as such.
  auto bg = other->post("/api/v1/clients/" + client_id + "/break-glass",
                        bj::object{{"reason", "Client in crisis on the phone; team away"}});
  ASSERT_EQ(bg.status, 201) << bg.body;
  auto glass = other->get("/api/v1/threads/" + staff_thread);
  ASSERT_EQ(glass.status, 200) << glass.body;
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE actor_id = ? AND resource_id = ? AND "
                  "reason = 'break-the-glass'",
                  {other_id, staff_thread}),
            1);

  // Another member of the team sees the staff thread and the client thread.
  auto add = clin->post("/api/v1/clients/" + bob_id + "/care-team",
                        bj::object{{"user_id", other_id}, {"role", "clinician"}});
  ASSERT_EQ(add.status, 201) << add.body;
  auto bobs = other->get("/api/v1/clients/" + bob_id + "/threads");
  ASSERT_EQ(bobs.status, 200) << bobs.body;
  EXPECT_EQ(bobs.json().at("items").as_array().size(), 1U);
  EXPECT_EQ(other->get("/api/v1/inbox").json().at("items").as_array().size(), 1U);
}

TEST_F(MessagingApi, StaffThreadsAreForTheCareTeamOnly) {
  start();
  SseReader client_stream(server->base_url(), "/api/v1/events", token_for(*server, ada_user));
  SseReader team_stream(server->base_url(), "/api/v1/events", token_for(*server, other_id));
  ASSERT_TRUE(client_stream.wait_for("retry: 3000", 10s));
  ASSERT_TRUE(team_stream.wait_for("retry: 3000", 10s));
  auto add = clin->post("/api/v1/clients/" + client_id + "/care-team",
                        bj::object{{"user_id", other_id}, {"role", "prescriber"}});
  ASSERT_EQ(add.status, 201) << add.body;
  auto staff = clin->post("/api/v1/clients/" + client_id + "/threads",
                          bj::object{{"kind", "staff"},
                                     {"subject", "Medication review"},
                                     {"body", "She mentioned she might overdose last year."}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  const std::string id = str(staff.json().at("id"));
  // The colleague hears of it; the client hears nothing.
  ASSERT_TRUE(team_stream.wait_for(id, 10s)) << team_stream.text();
  EXPECT_EQ(client_stream.text().find("message.new"), std::string::npos);
  // A staff message is not screened for crisis phrases.
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_signals WHERE client_id = ?", {client_id}), 0);
  auto inbox = other->get("/api/v1/inbox").json();
  ASSERT_EQ(inbox.at("items").as_array().size(), 1U);
  EXPECT_EQ(inbox.at("items").as_array()[0].at("staff_only"), true);
  auto answer =
      other->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "I will review."}});
  ASSERT_EQ(answer.status, 201);
  EXPECT_TRUE(portal->get("/api/v1/me/threads").json().at("items").as_array().empty());
  EXPECT_EQ(portal->get("/api/v1/messages/unread").json().at("unread"), 0);
  EXPECT_EQ(clin->get("/api/v1/messages/unread").json().at("unread"), 1);
}

TEST_F(MessagingApi, AWatchedPhraseRaisesACrisisAlertWithTheMessage) {
  start();
  auto made = write_new(*portal, "Tonight", "Some nights I think I want to die.");
  const std::string message_id = str(made.at("messages").as_array()[0].at("id"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_alerts WHERE client_id = ? AND status = 'open'",
                  {client_id}),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_signals WHERE client_id = ? AND source = "
                  "'message' AND ref_id = ?",
                  {client_id, message_id}),
            1);
  // In a reply too.
  auto again = portal->post("/api/v1/me/threads/" + str(made.at("id")) + "/messages",
                            bj::object{{"body", "I feel hopeless."}});
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_signals WHERE client_id = ? AND source = 'message'",
                  {client_id}),
            2);
  // A message without one raises nothing.
  write_new(*bob, "Hello", "Looking forward to Friday.");
  EXPECT_EQ(count("SELECT COUNT(*) FROM crisis_signals WHERE client_id = ?", {bob_id}), 0);
}

TEST_F(MessagingApi, OutsideOfficeHoursTheAutomaticReplyShowsTheCrisisLinesOncePerPeriod) {
  start({{"time_zone", "America/New_York"}, {"office_hours", "mon-fri 09:00-17:00"}});
  auto hours = portal->get("/api/v1/office-hours");
  ASSERT_EQ(hours.status, 200);
  auto hours_json = hours.json();
  EXPECT_EQ(hours_json.at("open"), false);
  EXPECT_EQ(hours_json.at("hours"), "Monday to Friday 09:00–17:00");
  EXPECT_EQ(hours_json.at("next_opening"), "2026-11-18T14:00:00.000Z");
  EXPECT_EQ(hours_json.at("next_opening_words"), "today at 09:00 EST");

  // 06:06 in New York: closed.
  auto made = write_new(*portal, "Worried", "I am worried about tomorrow.");
  const std::string id = str(made.at("id"));
  ASSERT_EQ(kinds(made), (std::vector<std::string>{"message", "auto_reply"}));
  const auto reply = made.at("messages").as_array()[1].as_object();
  EXPECT_TRUE(reply.at("sender").is_null());
  const std::string text = str(reply.at("body"));
  EXPECT_NE(text.find("today at 09:00 EST"), std::string::npos) << text;
  EXPECT_NE(text.find("not watched"), std::string::npos) << text;
  EXPECT_EQ(text.find("worried"), std::string::npos) << "never echoes the message";
  EXPECT_EQ(reply.at("opens_at"), "2026-11-18T14:00:00.000Z");
  const auto lines = reply.at("crisis_resources").as_object();
  EXPECT_TRUE(lines.contains("emergency")) << bj::serialize(lines);
  // Again in the same closed period: no second reply. A new thread gets its own.
  auto second = portal->post("/api/v1/me/threads/" + id + "/messages",
                             bj::object{{"body", "Also, about Friday."}});
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(kinds(second.json().as_object()),
            (std::vector<std::string>{"message", "auto_reply", "message"}));
  // The automatic reply does not count as unread for anyone.
  EXPECT_EQ(portal->get("/api/v1/me/threads").json().at("items").as_array()[0].at("unread"), 0);
  EXPECT_EQ(clin->get("/api/v1/inbox").json().at("unread"), 2);
  // A staff message while closed: no automatic reply.
  auto staff = clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "Noted."}});
  ASSERT_EQ(staff.status, 201);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM messages WHERE thread_id = ? AND kind = 'auto_reply'", {id}), 1);

  // 10:00: open, no reply.
  server->clock.advance(3h + 53min + 20s);
  sign_in_again();
  EXPECT_EQ(portal->get("/api/v1/office-hours").json().at("open"), true);
  auto open = portal->post("/api/v1/me/threads/" + id + "/messages",
                           bj::object{{"body", "Thanks for the reply."}});
  ASSERT_EQ(open.status, 201);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM messages WHERE thread_id = ? AND kind = 'auto_reply'", {id}), 1);
  EXPECT_EQ(kinds(write_new(*portal, "Open", "Anyone there?")),
            std::vector<std::string>{"message"});

  // 18:00: closed again, a new period: a new reply, for tomorrow.
  server->clock.advance(8h);
  sign_in_again();
  auto evening = portal->post("/api/v1/me/threads/" + id + "/messages",
                              bj::object{{"body", "One more thing."}});
  ASSERT_EQ(evening.status, 201);
  const auto evening_json = evening.json();
  const auto& msgs = evening_json.at("messages").as_array();
  EXPECT_EQ(msgs.back().at("kind"), "auto_reply");
  EXPECT_NE(str(msgs.back().at("body")).find("tomorrow at 09:00 EST"), std::string::npos);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM messages WHERE thread_id = ? AND kind = 'auto_reply'", {id}), 2);
}

TEST(MessagingStartUp, ABadOfficeHoursValueStopsStartUpNamingIt) {
  try {
    ApiServer s(std::map<std::string, std::string>{{"office_hours", "weekdays 9 to 5"}});
    FAIL() << "started with bad office hours";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("office_hours"), std::string::npos) << e.what();
  }
}

TEST_F(MessagingApi, NoticesCarryNoContentGoOncePerThreadUntilReadAndOnlyWithConsent) {
  TempDir mail_dir;
  auto sink =
      std::make_unique<Peer>("tests/platform/notify/smtp_sink.py", mail_dir.path().string());
  ASSERT_NE(sink->port(), 0) << "the SMTP sink did not start (python3-aiosmtpd)";
  start({{"smtp_url", "smtp://127.0.0.1:" + std::to_string(sink->port())},
         {"smtp_from", "messages@tend.example.org"},
         {"base_url", "https://tend.example.org"}});
  server->app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE clients SET email = 'ada@example.org', consent_email = 1 WHERE id = ?",
           {client_id});
    c.exec("UPDATE clients SET email = 'bob@example.org', consent_email = 0 WHERE id = ?",
           {bob_id});
    c.exec("UPDATE users SET email = 'clin@example.org' WHERE id = ?", {clin_id});
  });
  const auto run = [&] {
    server->clock.advance(61s);
    server->app().jobs().run_due();
  };
  auto made = clin->post("/api/v1/clients/" + client_id + "/threads",
                         bj::object{{"kind", "client"},
                                    {"subject", "Your sleep diary"},
                                    {"body", "Please bring the sleep diary on Friday."}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = str(made.json().at("id"));
  // A burst of messages: one notice.
  ASSERT_EQ(clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "And the log."}})
                .status,
            201);
  server->app().jobs().run_due();
  EXPECT_TRUE(peer_records(mail_dir.path()).empty()) << "a notice waits a minute";
  run();
  auto mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 1U);
  EXPECT_EQ(mails[0].at("rcpt_tos").as_array()[0], "ada@example.org");
  EXPECT_EQ(mails[0].at("subject"), "You have a new message in Tend");
  const std::string raw(mails[0].at("raw").as_string());
  EXPECT_NE(raw.find("https://tend.example.org/portal/messages"), std::string::npos);
  for (const char* secret :
       {"diary", "sleep", "the log", "clin@", "Ada", "Lovelace", "clinician"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
  }
  ASSERT_EQ(
      clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "Thanks!"}}).status,
      201);
  run();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 1U) << "not again until read";

  // Read: the next message sends a notice again.
  ASSERT_EQ(portal->post("/api/v1/me/threads/" + id + "/read", bj::object{}).status, 200);
  ASSERT_EQ(
      clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "One more."}}).status,
      201);
  run();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 2U);

  // Read before the notice is due: none is sent.
  ASSERT_EQ(portal->post("/api/v1/me/threads/" + id + "/read", bj::object{}).status, 200);
  ASSERT_EQ(clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "Live."}}).status,
            201);
  ASSERT_EQ(portal->post("/api/v1/me/threads/" + id + "/read", bj::object{}).status, 200);
  run();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 2U);

  // Message notices turned off in the portal's preferences: none.
  server->app().db().write([&](sql::Conn& c) {
    c.exec(
        "INSERT INTO portal_preferences (client_id, appointment_reminders, message_notices, "
        "updated_at) VALUES (?, 1, 0, 0)",
        {client_id});
  });
  ASSERT_EQ(
      clin->post("/api/v1/threads/" + id + "/messages", bj::object{{"body", "Quiet."}}).status,
      201);
  run();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 2U);

  // Bob did not agree to e-mail: none.
  auto to_bob = clin->post("/api/v1/clients/" + bob_id + "/threads",
                           bj::object{{"kind", "client"}, {"subject", "Hello"}, {"body", "Hi"}});
  ASSERT_EQ(to_bob.status, 201);
  run();
  EXPECT_EQ(peer_records(mail_dir.path()).size(), 2U);

  // A client's message: the clinician is told, with a link to the inbox.
  write_new(*portal, "Question", "Can we move Friday?");
  run();
  mails = peer_records(mail_dir.path());
  ASSERT_EQ(mails.size(), 3U);
  EXPECT_EQ(mails[2].at("rcpt_tos").as_array()[0], "clin@example.org");
  const std::string staff_raw(mails[2].at("raw").as_string());
  EXPECT_NE(staff_raw.find("https://tend.example.org/inbox"), std::string::npos);
  EXPECT_EQ(staff_raw.find("Friday"), std::string::npos);
  EXPECT_EQ(staff_raw.find("Question"), std::string::npos);

  // The mail server goes down: the notice is kept and retried, naming the server only.
  sink.reset();
  auto fresh =
      clin->post("/api/v1/clients/" + client_id + "/threads",
                 bj::object{{"kind", "client"}, {"subject", "New"}, {"body", "Hello again"}});
  ASSERT_EQ(fresh.status, 201);
  const std::string fresh_id = str(fresh.json().at("id"));
  server->app().db().write([&](sql::Conn& c) {
    c.exec("UPDATE portal_preferences SET message_notices = 1 WHERE client_id = ?", {client_id});
  });
  run();
  EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'messaging.notice' AND state = "
                  "'pending' AND attempts >= 1"),
            1);
  const auto error = server->app().db().read([&](sql::Conn& c) {
    return c
        .query_one(
            "SELECT last_error FROM jobs WHERE kind = 'messaging.notice' AND state = 'pending' "
            "AND attempts >= 1")
        ->str(0);
  });
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find("Hello"), std::string::npos);
  EXPECT_EQ(count("SELECT COUNT(*) FROM message_notices WHERE thread_id = ? AND user_id = ? AND "
                  "sent_at IS NULL",
                  {fresh_id, ada_user}),
            1);
}

}  // namespace
}  // namespace tend::testing
