// SMTP delivery through libcurl (https://curl.se/libcurl/c/smtp-mail.html).

#include "platform/notify/mail.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "platform/crypto/crypto.h"
#include "platform/notify/curl_support.h"
#include "platform/notify/rules.h"

namespace tend::notify {

namespace {

//! The message as libcurl reads it, in pieces, through CURLOPT_READFUNCTION.
struct Upload {
  std::string_view data;
  std::size_t sent = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->sent);
  std::memcpy(buffer, upload->data.data() + upload->sent, n);
  upload->sent += n;
  return n;
}

std::string server_name(const ParsedUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

}  // namespace

Status validate_smtp_config(const SmtpConfig& config) {
  auto url = rules::parse_smtp_url(config.url);
  if (!url) return url.error();
  if (auto s = rules::validate_mail_address(config.from, "from"); !s) return s;
  if (!config.password.empty() && config.username.empty()) {
    return invalid("username", "a password needs a user name");
  }
  if (!config.username.empty() && url->scheme == "smtp" && !config.starttls) {
    return invalid("starttls", "credentials are only sent over TLS: use smtps:// or starttls");
  }
  if (config.timeout < std::chrono::milliseconds(1) || config.timeout > std::chrono::minutes(10)) {
    return invalid("timeout", "must be 1 ms to 10 min");
  }
  return ok_status();
}

Mailer::~Mailer() = default;

SmtpMailer::SmtpMailer(SmtpConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock) {
  crypto::init();  // Message-IDs are random
}

Status SmtpMailer::send(const MailMessage& message) {
  if (auto s = validate_smtp_config(config_); !s) return s;
  const ParsedUrl url = *rules::parse_smtp_url(config_.url);
  const std::string server = server_name(url);

  const std::string domain = config_.from.substr(config_.from.find('@') + 1);
  const std::string message_id = crypto::hex_encode(crypto::random_bytes(16)) + "@" + domain;
  auto text = rules::build_mime_message(config_.from, message, message_id, clock_.now());
  if (!text) return text.error();

  if (detail::curl_global_once() != CURLE_OK) {
    return make_error(Errc::Internal, "libcurl could not be initialised");
  }
  detail::EasyHandle curl(curl_easy_init());
  detail::Slist recipients;
  bool listed = curl != nullptr;
  for (const std::string& to : message.to)
    listed = listed && detail::append(recipients, "<" + to + ">");
  if (!listed) return make_error(Errc::Internal, "out of memory setting up mail to " + server);

  Upload upload{*text};
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURL* h = curl.get();
  const auto timeout_ms = static_cast<long>(config_.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, config_.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, ("<" + config_.from + ">").c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &read_upload);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text->size()));
  if (config_.starttls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!config_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, config_.password.c_str());
  }
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts in a threaded server
  curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);   // the dialogue would show the message
  curl_easy_setopt(h, CURLOPT_PROXY, "");     // straight to the configured server
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return ok_status();
  long reply = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
  std::string detail =
      "mail server " + server + ": " + detail::curl_error_text(rc, error_buffer.data());
  if (reply != 0) detail += " (last reply " + std::to_string(reply) + ")";
  return make_error(Errc::Unavailable, std::move(detail));
}

}  // namespace tend::notify
