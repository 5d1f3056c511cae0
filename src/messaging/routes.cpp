#include "messaging/routes.h"

#include <boost/json.hpp>

#include "platform/clock.h"
#include "platform/http/json_body.h"

namespace tend::messaging {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {

std::string when(std::int64_t ms) {
  return format_rfc3339(from_unix_ms(ms));
}

//! One message as its reader sees it. The client sees whether their care team read their
//! message ("read_by_care_team_at", the first staff reader), never who; staff see every reader.
bj::object message_json(const Message& m, bool for_client, const bj::object* crisis_lines) {
  bj::object o{{"id", m.id},
               {"seq", m.seq},
               {"kind", m.kind},
               {"body", m.body},
               {"created_at", when(m.created_at_ms)}};
  if (m.kind == "auto_reply") {
    o["sender"] = nullptr;
    if (m.opens_at_ms) o["opens_at"] = when(*m.opens_at_ms);
    if (crisis_lines) o["crisis_resources"] = *crisis_lines;
  } else {
    o["sender"] = bj::object{
        {"id", m.sender_id}, {"name", m.sender_name}, {"role", m.from_client ? "client" : "staff"}};
  }
  if (for_client) {
    bj::value by_team = nullptr;
    bj::value mine = nullptr;
    for (const auto& r : m.reads) {
      if (!r.client && by_team.is_null()) by_team = when(r.read_at_ms);
      if (r.client && mine.is_null()) mine = when(r.read_at_ms);
    }
    if (m.from_client) {
      o["read_by_care_team_at"] = by_team;
    } else {
      o["read_at"] = mine;
    }
  } else {
    bj::array reads;
    for (const auto& r : m.reads) {
      reads.push_back(bj::object{{"user_id", r.user_id},
                                 {"name", r.name},
                                 {"role", r.client ? "client" : "staff"},
                                 {"read_at", when(r.read_at_ms)}});
    }
    o["reads"] = std::move(reads);
  }
  return o;
}

bj::object thread_json(const Thread& t, bool for_client, const bj::object* crisis_lines = nullptr) {
  bj::object o{{"id", t.id},
               {"client_id", t.client_id},
               {"kind", t.kind},
               {"subject", t.subject},
               {"created_by", bj::object{{"id", t.created_by}, {"name", t.created_by_name}}},
               {"created_at", when(t.created_at_ms)},
               {"last_message_at", when(t.last_message_at_ms)},
               {"message_count", t.message_count},
               {"unread", t.unread}};
  if (!for_client) {
    o["client_name"] = t.client_name;
    o["staff_only"] = t.kind == "staff";
  }
  if (!t.messages.empty()) {
    bj::array items;
    for (const auto& m : t.messages) items.push_back(message_json(m, for_client, crisis_lines));
    o["messages"] = std::move(items);
  }
  return o;
}

bj::object hours_json(const OfficeHoursNow& h) {
  return {{"open", h.open},
          {"hours", h.hours},
          {"time_zone", h.time_zone},
          {"next_opening",
           h.next_opening ? bj::value(format_rfc3339(*h.next_opening)) : bj::value(nullptr)},
          {"next_opening_words", h.next_opening_words}};
}

bj::object thread_schema() {
  return {{"type", "object"},
          {"properties", bj::object{{"kind", {{"type", "string"}, {"enum", {"client", "staff"}}}},
                                    {"subject", {{"type", "string"}, {"maxLength", 120}}},
                                    {"body", {{"type", "string"}, {"maxLength", 5000}}}}},
          {"required", bj::array{"subject", "body"}}};
}

bj::object body_schema() {
  return {{"type", "object"},
          {"properties", bj::object{{"body", {{"type", "string"}, {"maxLength", 5000}}}}},
          {"required", bj::array{"body"}}};
}

}  // namespace

void register_routes(http::Router& router, MessagingService& messages,
                     crisis::CrisisService& crisis, access::AccessService& access) {
  // One thread as the client (or staff) sees it; an automatic reply carries the client's crisis
  // lines.
  const auto as_seen = [&crisis](const Result<Thread>& r, int status, bool for_client) {
    if (!r) return Response::problem(r.error());
    const bool replied = std::any_of(r->messages.begin(), r->messages.end(),
                                     [](const Message& m) { return m.kind == "auto_reply"; });
    if (!replied) return Response::json(status, thread_json(*r, for_client));
    const auto lines = crisis.resources(crisis.region_of(r->client_id)).data;
    return Response::json(status, thread_json(*r, for_client, &lines));
  };
  const auto mine = [as_seen](const Result<Thread>& r, int status) {
    return as_seen(r, status, true);
  };
  const auto staff = [as_seen](const Result<Thread>& r, int status) {
    return as_seen(r, status, false);
  };

  router
      .add(Method::Get, "/api/v1/office-hours",
           access.guard([&messages](Request&, const access::Principal&) {
             return Response::json(200, hours_json(messages.office_hours()));
           }))
      .summary("When the care team reads messages: open now or not, the hours, the next opening",
               "messaging")
      .returns(200, "Office hours");

  router
      .add(Method::Get, "/api/v1/messages/unread",
           access.guard([&messages](Request&, const access::Principal& p) {
             auto n = messages.unread_count(p);
             if (!n) return Response::problem(n.error());
             return Response::json(200, bj::object{{"unread", *n}});
           }))
      .summary(
          "How many messages the caller has not read (client: their threads; staff: their "
          "clients'), for the navigation",
          "messaging")
      .returns(200, "{unread}");

  // ---- the client's own ----
  router
      .add(Method::Get, "/api/v1/me/threads",
           access.guard([&messages](Request&, const access::Principal& p) {
             return http::items_or_problem(messages.my_threads(p),
                                           [](const Thread& t) { return thread_json(t, true); });
           }))
      .summary("The calling client's message threads with their care team, newest first",
               "messaging")
      .returns(200, "Threads with unread counts")
      .returns(403, "Not a client");
  router
      .add(Method::Post, "/api/v1/me/threads",
           access.guard([&messages, mine](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return mine(messages.start_mine(p, *body), 201);
           }))
      .summary(
          "A new message to the care team; outside office hours an automatic reply with the "
          "crisis lines is added",
          "messaging")
      .body(thread_schema())
      .returns(201, "The thread with its messages")
      .returns(422, "A subject or body empty or too long");
  router
      .add(Method::Get, "/api/v1/me/threads/{id}",
           access.guard([&messages, mine](Request& req, const access::Principal& p) {
             return mine(messages.my_thread(p, req.param("id")), 200);
           }))
      .summary("One of the client's threads with its messages and read receipts", "messaging")
      .returns(200, "The thread")
      .returns(404, "Not one of the caller's threads");
  router
      .add(Method::Post, "/api/v1/me/threads/{id}/messages",
           access.guard([&messages, mine](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return mine(messages.post_mine(p, req.param("id"), *body), 201);
           }))
      .summary("The client writes in one of their threads", "messaging")
      .body(body_schema())
      .returns(201, "The thread with its messages")
      .returns(404, "Not one of the caller's threads")
      .returns(422, "A body empty or too long");
  router
      .add(Method::Post, "/api/v1/me/threads/{id}/read",
           access.guard([&messages, mine](Request& req, const access::Principal& p) {
             return mine(messages.read_mine(p, req.param("id")), 200);
           }))
      .summary("The client has read the thread (read receipts for the care team)", "messaging")
      .returns(200, "The thread")
      .returns(404, "Not one of the caller's threads");

  // ---- staff ----
  router
      .add(Method::Get, "/api/v1/clients/{id}/threads",
           access.guard([&messages](Request& req, const access::Principal& p) {
             return http::items_or_problem(messages.for_client(p, req.param("id")),
                                           [](const Thread& t) { return thread_json(t, false); });
           }))
      .summary("Every thread about a client: with the client, and staff only", "messaging")
      .returns(200, "Threads, newest first");
  router
      .add(Method::Post, "/api/v1/clients/{id}/threads",
           access.guard([&messages, staff](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return staff(messages.start(p, req.param("id"), *body), 201);
           }))
      .summary("A new thread about a client: kind client (to the client) or staff (care team only)",
               "messaging")
      .body(thread_schema())
      .returns(201, "The thread with its first message")
      .returns(422, "A bad kind, or a subject or body empty or too long");
  router
      .add(Method::Get, "/api/v1/threads/{id}",
           access.guard([&messages, staff](Request& req, const access::Principal& p) {
             return staff(messages.thread(p, req.param("id")), 200);
           }))
      .summary("One thread with its messages and who read each", "messaging")
      .returns(200, "The thread")
      .returns(404, "No such thread, or not on the client's care team");
  router
      .add(Method::Post, "/api/v1/threads/{id}/messages",
           access.guard([&messages, staff](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return staff(messages.post(p, req.param("id"), *body), 201);
           }))
      .summary("A staff member writes in a thread", "messaging")
      .body(body_schema())
      .returns(201, "The thread with its messages")
      .returns(404, "No such thread, or not on the client's care team")
      .returns(422, "A body empty or too long");
  router
      .add(Method::Post, "/api/v1/threads/{id}/read",
           access.guard([&messages, staff](Request& req, const access::Principal& p) {
             return staff(messages.mark_read(p, req.param("id")), 200);
           }))
      .summary("The staff member has read the thread (the client sees it read)", "messaging")
      .returns(200, "The thread")
      .returns(404, "No such thread, or not on the client's care team");
  router
      .add(
          Method::Get, "/api/v1/inbox",
          access.guard([&messages](Request&, const access::Principal& p) {
            auto r = messages.inbox(p);
            if (!r) return Response::problem(r.error());
            bj::array items;
            std::int64_t unread = 0;
            for (const auto& t : *r) {
              items.push_back(thread_json(t, false));
              unread += t.unread;
            }
            return Response::json(200, bj::object{{"items", std::move(items)}, {"unread", unread}});
          }))
      .summary("Threads with unread messages across the caller's clients, newest first",
               "messaging")
      .returns(200, "Threads with unread counts, and the total")
      .returns(403, "Not staff");
}

}  // namespace tend::messaging
