#pragma once
//! Values of outgoing notification: an e-mail message, a parsed webhook address and the verdict
//! on a network address. Plain data, no behaviour.

#include <cstdint>
#include <string>
#include <vector>

namespace tend::notify {

//! One plain-text e-mail. `subject` and `body` are UTF-8 and may carry clinical content, so no
//! error message or log line ever repeats them.
struct MailMessage {
  std::vector<std::string> to;  //!< addr-spec only ("name@example.org"), 1–100 of them
  std::string subject;          //!< one line, at most 998 bytes
  std::string body;             //!< any line endings (sent as CRLF), at most 1 MiB
};

//! A webhook (http, https) or SMTP (smtp, smtps) URL split into what a connection needs. `host` is
//! lower case and, for an IPv6 literal, without its brackets.
struct ParsedUrl {
  std::string scheme;  //!< "http", "https", "smtp" or "smtps"
  std::string host;
  int port = 0;              //!< 1–65535; the scheme's default when the URL names none
  std::string target = "/";  //!< path and query, always starting with '/'
  bool host_is_ip = false;   //!< `host` is an IPv4 or IPv6 literal (no name resolution)
};

//! Whether a connection to one network address is allowed, and if not why.
struct AddressVerdict {
  bool allowed = false;
  std::string reason;  //!< why it was refused ("link-local address"); empty when allowed
};

}  // namespace tend::notify
