#pragma once
//! Outgoing e-mail. `Mailer` is the seam callers depend on (tests give it a fake);
//! `SmtpMailer` sends through an SMTP server with libcurl.

#include <chrono>
#include <string>

#include "platform/clock.h"
#include "platform/notify/model.h"
#include "platform/result.h"

namespace tend::notify {

//! Where and how mail is sent.
struct SmtpConfig {
  //! "smtp://host[:port]" (port 25 by default) or "smtps://host[:port]" (TLS from the first
  //! byte, port 465). No credentials in it. An optional path is the domain sent in EHLO.
  std::string url;
  //! The envelope sender and From address (addr-spec, "alerts@clinic.example").
  std::string from;
  //! SMTP AUTH user name; empty for none. Credentials are only sent over TLS: smtps://, or
  //! smtp:// with `starttls`.
  std::string username;
  std::string password;  //!< SMTP AUTH password, with `username`
  //! On smtp://, require STARTTLS: a server that does not offer it is an error, never a
  //! fallback to plain text.
  bool starttls = false;
  //! Limit on one whole send (connection, TLS, dialogue and upload); 1 ms to 10 min.
  std::chrono::milliseconds timeout{10000};
};

//! Checks `config` without connecting: a valid smtp/smtps URL, a valid `from`, a password only
//! with a user name, credentials only over TLS, and a timeout within range. Validation error
//! naming the field otherwise.
Status validate_smtp_config(const SmtpConfig& config);

//! Sends e-mail. Implementations are thread-safe.
class Mailer {
 public:
  virtual ~Mailer();
  //! Delivers `message` to the server (not necessarily to the mailboxes yet). Returns an error
  //! value on any failure, never throws; error details name the server, never the subject or
  //! body.
  virtual Status send(const MailMessage& message) = 0;
};

//! Sends through an SMTP server with libcurl, one connection per message. Thread-safe: each
//! send uses its own curl handle. `clock` (for the Date header) must outlive the mailer.
class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(SmtpConfig config, const Clock& clock);

  //! Validates the config and the message (rules::build_mime_message), then runs the SMTP
  //! dialogue. Errors: Validation for a bad config or message (nothing is sent), Unavailable
  //! when the server cannot be reached, refuses a command, lacks required STARTTLS or takes
  //! longer than the timeout ("mail server smtp://host:port: <curl's reason>"), Internal when
  //! libcurl cannot start. Every recipient must be accepted, or nothing is sent.
  Status send(const MailMessage& message) override;

 private:
  SmtpConfig config_;
  const Clock& clock_;
};

}  // namespace tend::notify
