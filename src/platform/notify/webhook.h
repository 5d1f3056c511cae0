#pragma once
//! Signed webhooks: a JSON body POSTed to a paging or SMS gateway, with an HMAC signature the
//! receiver checks (rules::verify_webhook_signature) and a delivery id it can deduplicate on.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

namespace tend::notify {

//! Where a webhook goes.
struct WebhookTarget {
  std::string url;     //!< http:// or https:// (rules::parse_webhook_url)
  std::string secret;  //!< signing key shared with the receiver, at least 16 bytes
};

//! What became of one delivery attempt, for the caller's records.
struct WebhookResult {
  int status = 0;     //!< HTTP status answered; 0 when no answer came (refused, unreachable)
  std::string error;  //!< the error detail; empty on success
};

//! Posts signed webhooks with libcurl, one connection per delivery.
//!
//! Before connecting it resolves the host itself and refuses the delivery when any address is
//! refused by rules::classify_address (link-local, cloud metadata, loopback unless
//! `allow_loopback`, …); the connection is then pinned to the checked addresses with
//! CURLOPT_RESOLVE, so a second DNS answer cannot swap in another address (DNS rebinding).
//! Redirects are never followed and proxies from the environment are ignored, for the same
//! reason.
//!
//! Thread-safe for concurrent post() calls once configured; set the members before sharing.
class WebhookSender {
 public:
  //! Numeric addresses ("192.0.2.7", "2001:db8::1") for a host name, or an error.
  using Resolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;

  //! The system resolver (getaddrinfo; blocking, with the resolver's own time limits).
  //! Unavailable error naming the host when it does not resolve.
  static Result<std::vector<std::string>> system_resolve(const std::string& host);

  //! POSTs `json_body` to `target.url` with the headers
  //!   Content-Type: application/json
  //!   Tend-Signature: t=<unix_now>,v1=<hex HMAC-SHA256> (rules::webhook_signature)
  //!   Tend-Delivery: <delivery_id>
  //! `delivery_id` (1–200 visible ASCII characters) should stay the same across retries of one
  //! delivery so the receiver can drop duplicates; when empty, a random one is used.
  //! Success is a 2xx answer. Errors: Validation for a bad URL, secret or delivery id, or a
  //! refused address ("webhook <host> refused: 169.254.169.254 is a cloud metadata address");
  //! PayloadTooLarge for a body over 1 MiB; Unavailable when the host does not resolve, cannot
  //! be reached, takes longer than the time limits, or answers anything but 2xx
  //! ("webhook <host> answered 503"; a 3xx says redirects are not followed). The answer's body
  //! is read up to 64 KiB and discarded unlogged. Details name the host, never the path, query
  //! or body. When `outcome` is given it receives the status and error detail.
  Status post(const WebhookTarget& target, std::string_view json_body, std::int64_t unix_now,
              std::string_view delivery_id = {}, WebhookResult* outcome = nullptr) const;

  //! Allows loopback addresses (127.0.0.0/8, ::1): for tests and a gateway on the same host.
  bool allow_loopback = false;
  //! Limit on establishing the connection (TCP and TLS).
  std::chrono::milliseconds connect_timeout{5000};
  //! Limit on the whole delivery, connection included.
  std::chrono::milliseconds timeout{10000};
  //! How host names are resolved; empty means system_resolve. Tests map names to addresses.
  Resolver resolver;
};

}  // namespace tend::notify
