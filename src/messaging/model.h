#pragma once
//! Secure messages: plain value types.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/clock.h"

namespace tend::messaging {

//! Someone read a message (their first read only).
struct Receipt {
  std::string user_id;
  std::string name;
  bool client = false;  //!< the reader is the client (not staff)
  std::int64_t read_at_ms = 0;
};

//! One message of a thread.
struct Message {
  std::string id;
  std::string thread_id;
  std::int64_t seq = 0;     //!< 1, 2, … within the thread
  std::string kind;         //!< message | auto_reply
  std::string sender_id;    //!< empty for an automatic reply
  std::string sender_name;  //!< display name; empty for an automatic reply
  bool from_client = false;
  std::string body;
  std::optional<std::int64_t> opens_at_ms;  //!< auto_reply: the opening it promises
  std::int64_t created_at_ms = 0;
  std::vector<Receipt> reads;  //!< who (other than the sender) read it, first reader first
};

//! A thread about one client. `messages` is filled only when one thread is asked for.
struct Thread {
  std::string id;
  std::string client_id;
  std::string client_name;  //!< for staff lists (inbox)
  std::string kind;         //!< client | staff
  std::string subject;
  std::string created_by;
  std::string created_by_name;
  std::int64_t created_at_ms = 0;
  std::int64_t last_message_at_ms = 0;
  std::int64_t message_count = 0;
  std::int64_t unread = 0;  //!< messages the caller has not read (automatic replies not counted)
  std::vector<Message> messages;
};

//! Office hours as the portal shows them before a client writes.
struct OfficeHoursNow {
  bool open = false;
  std::string hours;      //!< "Monday to Friday 09:00–17:00"
  std::string time_zone;  //!< IANA name
  std::optional<TimePoint> next_opening;
  std::string next_opening_words;  //!< "tomorrow at 09:00 EST"
};

}  // namespace tend::messaging
