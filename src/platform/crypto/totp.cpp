// TOTP second factor (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30 s steps, 6 digits.

#include <array>
#include <cstdint>
#include <string>

#include "platform/crypto/crypto.h"

namespace tend::crypto::totp {

namespace {

constexpr std::int64_t k_step_seconds = 30;
constexpr int k_digits = 6;
constexpr std::uint32_t k_modulus = 1'000'000;  // 10^k_digits

// Time step T = floor(unix_seconds / 30) (RFC 6238 §4.2), also for times before 1970.
std::int64_t step_of(std::int64_t unix_seconds) {
  std::int64_t q = unix_seconds / k_step_seconds;
  if (unix_seconds % k_step_seconds != 0 && unix_seconds < 0) --q;
  return q;
}

// HOTP value for counter `step` (RFC 4226 §5.3: HMAC-SHA1, dynamic truncation).
std::string hotp(const std::string& key, std::int64_t step) {
  std::array<char, 8> counter{};
  auto c = static_cast<std::uint64_t>(step);
  for (int i = 7; i >= 0; --i) {
    counter[static_cast<std::size_t>(i)] = static_cast<char>(c & 0xFF);
    c >>= 8;
  }
  const std::string mac = hmac_sha1(key, std::string_view(counter.data(), counter.size()));
  const auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(mac[i]));
  };
  const std::size_t offset = byte(19) & 0x0F;
  const std::uint32_t binary = ((byte(offset) & 0x7F) << 24) | (byte(offset + 1) << 16) |
                               (byte(offset + 2) << 8) | byte(offset + 3);
  std::string out = std::to_string(binary % k_modulus);
  return std::string(static_cast<std::size_t>(k_digits) - out.size(), '0') + out;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved characters (space → %20).
std::string percent_encode(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 0x0F]);
    }
  }
  return out;
}

}  // namespace

std::string new_secret() {
  return base32_encode(random_bytes(20));
}

// An unreadable secret has no code: "" never equals six digits, so verify() refuses it.
std::string code(std::string_view base32_secret, std::int64_t unix_seconds) {
  auto key = base32_decode(base32_secret);
  if (!key || key->empty()) return "";
  return hotp(*key, step_of(unix_seconds));
}

bool verify(std::string_view base32_secret, std::string_view code, std::int64_t unix_seconds,
            std::int64_t* matched_step) {
  auto key = base32_decode(base32_secret);
  if (!key || key->empty()) return false;
  bool well_formed = code.size() == static_cast<std::size_t>(k_digits);
  for (char ch : code) well_formed = well_formed && ch >= '0' && ch <= '9';
  if (!well_formed) return false;

  // Every candidate is computed and compared, so timing does not tell which step matched.
  // Preference on a (one in a million) collision: the current step, then the earlier, the later.
  const std::int64_t now = step_of(unix_seconds);
  const std::array<std::int64_t, 3> steps{now, now - 1, now + 1};
  bool matched = false;
  std::int64_t which = 0;
  for (std::int64_t step : steps) {
    const bool equal = equal_constant_time(hotp(*key, step), code);
    if (equal && !matched) which = step;
    matched = matched || equal;
  }
  if (matched && matched_step != nullptr) *matched_step = which;
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret) {
  // Key URI format (github.com/google/google-authenticator/wiki/Key-Uri-Format): the issuer is
  // given both as the label prefix and as a parameter.
  std::string uri = "otpauth://totp/";
  if (!issuer.empty()) uri += percent_encode(issuer) + ":";
  uri += percent_encode(account);
  uri += "?secret=" + std::string(base32_secret);
  if (!issuer.empty()) uri += "&issuer=" + percent_encode(issuer);
  uri += "&algorithm=SHA1&digits=6&period=30";
  return uri;
}

}  // namespace tend::crypto::totp
