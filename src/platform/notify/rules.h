#pragma once
//! Pure decisions of outgoing notification: which network addresses a webhook may reach, what a
//! webhook or SMTP URL must look like, how a webhook body is signed, and how an e-mail is
//! written. No I/O, no clock: everything comes in as arguments. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/clock.h"
#include "platform/notify/model.h"
#include "platform/result.h"

namespace tend::notify::rules {

// ---- network addresses ------------------------------------------------------------------

//! Whether a webhook may connect to the numeric address `ip` ("192.0.2.7", "2001:db8::1").
//! Refused: cloud metadata endpoints (169.254.169.254, 100.100.100.200, fd00:ec2::254),
//! link-local (169.254.0.0/16, fe80::/10), unspecified (0.0.0.0/8, ::), multicast (224.0.0.0/4,
//! ff00::/8), broadcast and reserved (240.0.0.0/4), deprecated IPv4-compatible IPv6 (::/96),
//! loopback (127.0.0.0/8, ::1) unless `allow_loopback`, and anything that is not an address.
//! IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d, RFC 6052) addresses are judged
//! as the IPv4 address they carry. Private ranges (RFC 1918, fc00::/7) are allowed: paging
//! gateways often sit on the LAN. Zone ids ("fe80::1%eth0") are not addresses here.
AddressVerdict classify_address(std::string_view ip, bool allow_loopback);

// ---- URLs -------------------------------------------------------------------------------

//! Parses a webhook URL: http or https only, a host (name, IPv4 or [IPv6]), no userinfo, an
//! optional port 1–65535 (default 80/443), no fragment, at most 2048 bytes of printable ASCII.
//! A numeric host must be a dotted-quad IPv4 address ("2130706433" and "0x7f.1" are refused,
//! because resolvers read them as 127.0.0.1). Validation error (field "url") otherwise; the
//! message never repeats the URL, whose query may carry a token.
Result<ParsedUrl> parse_webhook_url(std::string_view url);

//! Parses an SMTP server URL by the same rules, with the schemes smtp (default port 25) and
//! smtps (465). The path, if any, is the domain libcurl sends in EHLO.
Result<ParsedUrl> parse_smtp_url(std::string_view url);

// ---- webhook signatures -----------------------------------------------------------------

//! The `Tend-Signature` header value for `body` sent at `unix_seconds`:
//! "t=<unix_seconds>,v1=<hex HMAC-SHA256(secret, "<unix_seconds>.<body>")>".
//! This is Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually): the timestamp is
//! signed with the body, so a receiver can refuse a replayed delivery by its age.
std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body);

//! True when `header` (as made by webhook_signature) holds a `v1` signature of `body` under
//! `secret` and its `t` is within `tolerance_seconds` of `now_unix` either way. Several `v1`
//! entries are allowed (secret rotation; any may match) and unknown keys are ignored. Compares
//! in constant time. False for a malformed header, a negative tolerance or a header over 4 KiB.
bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, std::int64_t now_unix,
                              std::int64_t tolerance_seconds);

// ---- e-mail -----------------------------------------------------------------------------

//! Checks a bare e-mail address (addr-spec, "local@domain"): at most 254 bytes, exactly one
//! '@', a dot-atom local part of at most 64 bytes, a domain of letters, digits, '-' and dots.
//! ASCII only; no quoted local parts, domain literals, spaces or line breaks. Validation error
//! naming `field` otherwise (the address itself is not repeated).
Status validate_mail_address(std::string_view address, std::string_view field = "address");

//! RFC 5322 date-time in UTC: "Thu, 01 Jan 2026 00:00:00 +0000".
std::string format_mail_date(TimePoint t);

//! An unstructured header value (the Subject) as it goes on the wire: unchanged when it is
//! printable ASCII that fits one 78-character line after `header_name: `, else RFC 2047
//! encoded-words "=?UTF-8?B?…?=" of whole UTF-8 characters, folded with CRLF SP.
std::string encode_header_text(std::string_view header_name, std::string_view text);

//! `text` (lines ending in CRLF) in quoted-printable (RFC 2045 §6.7): lines at most 76
//! characters, soft breaks "=\r\n", '=' and non-printable bytes as "=XX", trailing blanks
//! encoded.
std::string quoted_printable(std::string_view text);

//! The complete RFC 5322 message for `message` sent by `from`: Date, From, To, Subject,
//! Message-ID (`message_id` is "left@right", the angle brackets are added), MIME-Version,
//! Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding (7bit when the body is
//! short-lined printable ASCII, else quoted-printable) and Auto-Submitted: auto-generated
//! (RFC 3834, so auto-responders stay quiet). Line endings are CRLF; the body ends with one.
//! Refuses (Validation) an invalid address, no or more than 100 recipients, a subject with a
//! line break or other control character (header injection), a subject over 998 bytes, text
//! that is not UTF-8, and a body over 1 MiB. Dot-stuffing is not done here: libcurl escapes
//! a leading '.' of every line while sending (RFC 5321 §4.5.2).
Result<std::string> build_mime_message(std::string_view from, const MailMessage& message,
                                       std::string_view message_id, TimePoint date);

}  // namespace tend::notify::rules
