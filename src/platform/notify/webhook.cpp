// Signed webhook delivery through libcurl, pinned to addresses checked before connecting.

#include "platform/notify/webhook.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <utility>

#include "platform/crypto/crypto.h"
#include "platform/notify/curl_support.h"
#include "platform/notify/rules.h"

namespace tend::notify {

namespace {

constexpr std::size_t k_max_body = 1024 * 1024;  //!< largest JSON body sent
constexpr std::size_t k_max_answer = 64 * 1024;  //!< most of an answer's body read
constexpr std::size_t k_min_secret = 16;         //!< shortest signing secret
constexpr std::size_t k_max_delivery_id = 200;

//! Counts the answer's body and stops the transfer once it passes k_max_answer.
struct Answer {
  std::size_t received = 0;
  bool cut_off = false;
};

std::size_t read_answer(char* /*data*/, std::size_t size, std::size_t count, void* user) {
  auto* answer = static_cast<Answer*>(user);
  const std::size_t n = size * count;
  if (answer->received + n > k_max_answer) {
    answer->cut_off = true;
    return 0;  // CURLE_WRITE_ERROR; the status line has arrived by now
  }
  answer->received += n;
  return n;
}

bool valid_delivery_id(std::string_view id) {
  if (id.empty() || id.size() > k_max_delivery_id) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string bracketed(const std::string& address) {
  return address.find(':') == std::string::npos ? address : "[" + address + "]";
}

Status fail(WebhookResult* outcome, Error error, int status = 0) {
  if (outcome != nullptr) {
    outcome->status = status;
    outcome->error = error.detail;
  }
  return error;
}

}  // namespace

Result<std::vector<std::string>> WebhookSender::system_resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    return make_error(Errc::Unavailable,
                      "webhook " + host + ": name not resolved (" + gai_strerror(rc) + ")");
  }
  std::vector<std::string> addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    const void* raw = nullptr;
    if (a->ai_family == AF_INET) {
      raw = &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr;
    } else if (a->ai_family == AF_INET6) {
      raw = &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
    } else {
      continue;
    }
    if (inet_ntop(a->ai_family, raw, text.data(), text.size()) == nullptr) continue;
    std::string address = text.data();
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(std::move(address));
    }
  }
  freeaddrinfo(found);
  if (addresses.empty()) {
    return make_error(Errc::Unavailable, "webhook " + host + ": name has no IP address");
  }
  return addresses;
}

Status WebhookSender::post(const WebhookTarget& target, std::string_view json_body,
                           std::int64_t unix_now, std::string_view delivery_id,
                           WebhookResult* outcome) const {
  if (outcome != nullptr) *outcome = WebhookResult{};
  auto url = rules::parse_webhook_url(target.url);
  if (!url) return fail(outcome, url.error());
  const std::string& host = url->host;
  if (target.secret.size() < k_min_secret) {
    return fail(outcome, invalid("secret", "a webhook secret has at least 16 bytes"));
  }
  if (json_body.size() > k_max_body) {
    return fail(outcome, make_error(Errc::PayloadTooLarge, "webhook body is larger than 1 MiB"));
  }
  std::string delivery(delivery_id);
  if (delivery.empty()) {
    crypto::init();
    delivery = crypto::hex_encode(crypto::random_bytes(16));
  } else if (!valid_delivery_id(delivery)) {
    return fail(outcome, invalid("delivery_id", "must be 1-200 visible ASCII characters"));
  }
  if (connect_timeout.count() <= 0 || timeout.count() <= 0) {
    return fail(outcome, invalid("timeout", "time limits must be positive"));
  }

  // Every address the name has is checked, not only the first: curl may try any of them.
  Result<std::vector<std::string>> addresses =
      url->host_is_ip ? Result<std::vector<std::string>>(std::vector<std::string>{host})
                      : (resolver ? resolver(host) : system_resolve(host));
  if (!addresses) return fail(outcome, addresses.error());
  if (addresses->empty()) {
    return fail(outcome, make_error(Errc::Unavailable, "webhook " + host + ": no address"));
  }
  for (const std::string& address : *addresses) {
    const AddressVerdict verdict = rules::classify_address(address, allow_loopback);
    if (!verdict.allowed) {
      const std::string reason = address + " is a " + verdict.reason;
      return fail(outcome, make_error(Errc::Validation, "webhook " + host + " refused: " + reason,
                                      {{"url", reason}}));
    }
  }

  if (detail::curl_global_once() != CURLE_OK) {
    return fail(outcome, make_error(Errc::Internal, "libcurl could not be initialised"));
  }
  detail::EasyHandle curl(curl_easy_init());
  detail::Slist headers;
  detail::Slist pinned;
  bool built = curl != nullptr;
  built = built && detail::append(headers, "Content-Type: application/json");
  built = built &&
          detail::append(headers, "Tend-Signature: " +
                                      rules::webhook_signature(target.secret, unix_now, json_body));
  built = built && detail::append(headers, "Tend-Delivery: " + delivery);
  built = built && detail::append(headers, "User-Agent: tend-webhook");
  built = built && detail::append(headers, "Expect:");  // no 100-continue round trip
  if (!url->host_is_ip) {
    std::string entry = host + ":" + std::to_string(url->port) + ":";
    for (std::size_t i = 0; i < addresses->size(); ++i) {
      entry += (i == 0 ? "" : ",") + bracketed((*addresses)[i]);
    }
    built = built && detail::append(pinned, entry);
  }
  if (!built) {
    return fail(outcome, make_error(Errc::Internal, "out of memory setting up webhook " + host));
  }

  const std::string request_url =
      url->scheme + "://" + bracketed(host) + ":" + std::to_string(url->port) + url->target;
  Answer answer;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request_url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // a proxy would resolve the name itself
  if (pinned) curl_easy_setopt(h, CURLOPT_RESOLVE, pinned.get());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  // Never NULL: curl would then read the body from stdin.
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.empty() ? "" : json_body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &read_answer);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());

  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && answer.cut_off && status != 0)) {
    return fail(outcome, make_error(Errc::Unavailable,
                                    "webhook " + host + ": " +
                                        detail::curl_error_text(rc, error_buffer.data())));
  }
  const int code = static_cast<int>(status);
  if (code >= 300 && code < 400) {
    return fail(
        outcome,
        make_error(Errc::Unavailable, "webhook " + host + " answered " + std::to_string(code) +
                                          " (redirects are not followed)"),
        code);
  }
  if (code < 200 || code >= 300) {
    return fail(
        outcome,
        make_error(Errc::Unavailable, "webhook " + host + " answered " + std::to_string(code)),
        code);
  }
  if (outcome != nullptr) outcome->status = code;
  return ok_status();
}

}  // namespace tend::notify
