// Address classification, URL parsing, webhook signatures and MIME text for outgoing
// notification. Pure functions.

#include "platform/notify/rules.h"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "platform/crypto/crypto.h"

namespace tend::notify::rules {

namespace {

// ---- addresses --------------------------------------------------------------------------

AddressVerdict allowed() {
  return {true, {}};
}
AddressVerdict refused(std::string reason) {
  return {false, std::move(reason)};
}

//! `a` (host order) lies in `net`/`bits`.
bool in_v4(std::uint32_t a, std::uint32_t net, int bits) {
  const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
  return (a & mask) == net;
}

AddressVerdict classify_v4(std::uint32_t a, bool allow_loopback) {
  // Metadata first, so the reason names the more specific danger.
  if (a == 0xA9FEA9FE) return refused("cloud metadata address");  // 169.254.169.254
  if (a == 0x646464C8) return refused("cloud metadata address");  // 100.100.100.200 (Alibaba)
  // Linux connects 0.0.0.0 to the local host, so all of 0.0.0.0/8 ("this network") is out.
  if (in_v4(a, 0x00000000, 8)) return refused("unspecified address");
  if (in_v4(a, 0x7F000000, 8)) return allow_loopback ? allowed() : refused("loopback address");
  if (in_v4(a, 0xA9FE0000, 16)) return refused("link-local address");
  if (in_v4(a, 0xE0000000, 4)) return refused("multicast address");
  if (a == 0xFFFFFFFF) return refused("broadcast address");
  if (in_v4(a, 0xF0000000, 4)) return refused("reserved address");
  return allowed();
}

std::uint32_t v4_from(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

bool all_zero(const unsigned char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

AddressVerdict classify_v6(const std::array<unsigned char, 16>& b, bool allow_loopback) {
  static constexpr std::array<unsigned char, 12> k_mapped = {0, 0, 0, 0, 0,    0,
                                                             0, 0, 0, 0, 0xff, 0xff};
  static constexpr std::array<unsigned char, 12> k_nat64 = {0, 0x64, 0xff, 0x9b, 0, 0,
                                                            0, 0,    0,    0,    0, 0};
  static constexpr std::array<unsigned char, 16> k_aws_metadata = {
      0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};  // fd00:ec2::254
  if (std::memcmp(b.data(), k_mapped.data(), 12) == 0 ||
      std::memcmp(b.data(), k_nat64.data(), 12) == 0) {
    return classify_v4(v4_from(b.data() + 12), allow_loopback);
  }
  if (b == k_aws_metadata) return refused("cloud metadata address");
  if (all_zero(b.data(), 16)) return refused("unspecified address");
  if (all_zero(b.data(), 15) && b[15] == 1) {
    return allow_loopback ? allowed() : refused("loopback address");
  }
  // ::a.b.c.d, deprecated by RFC 4291 §2.5.5.1; nothing legitimate uses it any more.
  if (all_zero(b.data(), 12)) return refused("deprecated IPv4-compatible address");
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return refused("link-local address");  // fe80::/10
  if (b[0] == 0xff) return refused("multicast address");
  return allowed();
}

// ---- URLs -------------------------------------------------------------------------------

struct SchemeRule {
  std::string_view scheme;
  int default_port;
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Error url_error(std::string_view field, const std::string& reason) {
  return make_error(Errc::Validation, std::string(field) + ": " + reason,
                    {{std::string(field), reason}});
}

//! A registered name: labels of letters, digits, '-' and '_' separated by single dots.
bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alnum(c) || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label != 0;
}

//! A name whose last label is numeric ("10.1", "2130706433", "0x7f") is read by inet_aton-style
//! resolvers as an IPv4 address in a shorthand; only the canonical dotted quad is accepted.
bool looks_numeric(std::string_view host) {
  const std::size_t dot = host.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) return true;
  for (char c : last) {
    if (!is_digit(c)) return false;
  }
  return !last.empty();
}

Result<ParsedUrl> parse_url(std::string_view url, std::initializer_list<SchemeRule> schemes,
                            std::string_view field) {
  if (url.empty()) return url_error(field, "is empty");
  if (url.size() > 2048) return url_error(field, "is longer than 2048 bytes");
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\') {
      return url_error(field, "contains a space, control, backslash or non-ASCII character");
    }
  }
  ParsedUrl out;
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return url_error(field, "has no scheme");
  for (char c : url.substr(0, sep)) out.scheme += lower(c);
  const SchemeRule* rule = nullptr;
  for (const auto& r : schemes) {
    if (r.scheme == out.scheme) rule = &r;
  }
  if (rule == nullptr) {
    std::string names;
    for (const auto& r : schemes) names += (names.empty() ? "" : " or ") + std::string(r.scheme);
    return url_error(field, "scheme must be " + names);
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return url_error(field, "has a fragment");
  const std::size_t authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(field, "has user information (credentials do not belong in the URL)");
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return url_error(field, "has an unclosed '['");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error(field, "has text after the IPv6 address");
      has_port = true;
      port_text = after.substr(1);
    }
    std::array<unsigned char, 16> buf{};
    const std::string host_z(host);
    if (inet_pton(AF_INET6, host_z.c_str(), buf.data()) != 1) {
      return url_error(field, "has an invalid IPv6 address");
    }
    out.host_is_ip = true;
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return url_error(field, "has no host");
  for (char c : host) out.host += lower(c);
  if (!out.host_is_ip) {
    if (!valid_host_name(out.host)) return url_error(field, "has an invalid host name");
    std::array<unsigned char, 4> buf{};
    const bool dotted_quad = inet_pton(AF_INET, out.host.c_str(), buf.data()) == 1;
    if (looks_numeric(out.host) && !dotted_quad) {
      return url_error(field, "has a numeric host that is not a dotted-quad IPv4 address");
    }
    out.host_is_ip = dotted_quad;
  }

  out.port = rule->default_port;
  if (has_port) {
    int port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc{} ||
        end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return url_error(field, "port must be 1-65535");
    }
    out.port = port;
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

// ---- text -------------------------------------------------------------------------------

//! Length of the UTF-8 sequence starting at `s[i]`, or 0 when it is not well-formed (overlong
//! forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

//! `text` with every line ending (CRLF, LF or a lone CR) as CRLF, ending with one.
std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

//! True when CRLF-lined `text` can go as 7bit: printable ASCII and tabs, lines of at most 998.
bool fits_7bit(std::string_view text) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      line = 0;
      ++i;
      continue;
    }
    if ((u < 0x20 && u != '\t') || u >= 0x7f) return false;
    if (++line > 998) return false;
  }
  return true;
}

//! A Message-ID's "left@right": dot-atom text on both sides of one '@'.
bool valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > 250) return false;
  std::size_t at = 0;
  for (char c : id) {
    if (c == '@') {
      ++at;
    } else if (!is_alnum(c) &&
               std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return at == 1 && id.front() != '@' && id.back() != '@';
}

}  // namespace

AddressVerdict classify_address(std::string_view ip, bool allow_loopback) {
  if (ip.empty() || ip.size() > 45) return refused("not an IP address");
  const std::string text(ip);
  std::array<unsigned char, 4> v4{};
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) {
    return classify_v4(v4_from(v4.data()), allow_loopback);
  }
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return classify_v6(v6, allow_loopback);
  return refused("not an IP address");
}

Result<ParsedUrl> parse_webhook_url(std::string_view url) {
  return parse_url(url, {{"http", 80}, {"https", 443}}, "url");
}

Result<ParsedUrl> parse_smtp_url(std::string_view url) {
  return parse_url(url, {{"smtp", 25}, {"smtps", 465}}, "url");
}

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  std::string payload;
  payload.reserve(t.size() + 1 + body.size());
  payload.append(t).append(".").append(body);
  return "t=" + t + ",v1=" + crypto::hex_encode(crypto::hmac_sha256(secret, payload));
}

bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, std::int64_t now_unix,
                              std::int64_t tolerance_seconds) {
  if (header.size() > 4096 || tolerance_seconds < 0) return false;
  std::optional<std::int64_t> t;
  std::vector<std::string_view> candidates;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "t") {
      std::int64_t parsed = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (t || value.empty() || value.size() > 12 || value.front() == '-' || ec != std::errc{} ||
          end != value.data() + value.size()) {
        return false;
      }
      t = parsed;
    } else if (key == "v1") {
      candidates.push_back(value);
    }
  }
  if (!t || candidates.empty()) return false;
  std::int64_t age = 0;
  if (__builtin_sub_overflow(now_unix, *t, &age)) return false;
  if (age > tolerance_seconds || age < -tolerance_seconds) return false;
  const std::string expected = webhook_signature(secret, *t, body);
  const std::string_view expected_v1 = std::string_view(expected).substr(expected.find(",v1=") + 4);
  bool match = false;
  for (std::string_view candidate : candidates) {
    match |= crypto::equal_constant_time(expected_v1, candidate);
  }
  return match;
}

Status validate_mail_address(std::string_view address, std::string_view field) {
  const auto bad = [&] {
    return invalid(std::string(field), "not a valid e-mail address (local@domain, ASCII)");
  };
  if (address.size() < 3 || address.size() > 254) return bad();
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || address.find('@', at + 1) != std::string_view::npos) {
    return bad();
  }
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return bad();
  }
  for (char c : local) {
    if (!is_alnum(c) &&
        std::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) == std::string_view::npos) {
      return bad();
    }
  }
  if (!valid_host_name(domain) || domain.find('_') != std::string_view::npos) return bad();
  std::size_t start = 0;
  while (start <= domain.size()) {
    const std::size_t dot = std::min(domain.find('.', start), domain.size());
    const std::string_view label = domain.substr(start, dot - start);
    if (label.front() == '-' || label.back() == '-') return bad();
    start = dot + 1;
  }
  return ok_status();
}

std::string format_mail_date(TimePoint t) {
  static constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> k_months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                k_days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                k_months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf.data();
}

std::string encode_header_text(std::string_view header_name, std::string_view text) {
  bool plain =
      header_name.size() + 2 + text.size() <= 78 && text.find("=?") == std::string_view::npos;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) plain = false;
  }
  if (plain) return std::string(text);
  // RFC 2047 §2: an encoded-word is at most 75 characters. 42 bytes of text make 56 of base64,
  // so "=?UTF-8?B?" + 56 + "?=" is 68, and the first line "Subject: " + 68 stays within 78.
  constexpr std::size_t k_chunk = 42;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size()) {
      const std::size_t n = std::max<std::size_t>(utf8_length(text, end), 1);
      if (end + n - i > k_chunk) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  static constexpr std::string_view k_hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2 + 16);
  std::size_t line = 0;
  const auto put = [&](std::string_view token) {
    if (line + token.size() > 75) {  // room for the '=' of the soft break: at most 76
      out += "=\r\n";
      line = 0;
    }
    out += token;
    line += token.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      line = 0;
      ++i;
      continue;
    }
    const bool line_ends =
        i + 1 == text.size() || (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
    const bool blank = u == ' ' || u == '\t';
    if ((u >= 33 && u <= 126 && u != '=') || (blank && !line_ends)) {
      put(std::string_view(&text[i], 1));
    } else {
      const std::array<char, 3> esc = {'=', k_hex[u >> 4], k_hex[u & 0xf]};
      put(std::string_view(esc.data(), esc.size()));
    }
  }
  return out;
}

Result<std::string> build_mime_message(std::string_view from, const MailMessage& message,
                                       std::string_view message_id, TimePoint date) {
  if (auto s = validate_mail_address(from, "from"); !s) return s.error();
  if (message.to.empty()) return invalid("to", "at least one recipient is needed");
  if (message.to.size() > 100) return invalid("to", "at most 100 recipients");
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    if (auto s = validate_mail_address(message.to[i], "to[" + std::to_string(i) + "]"); !s) {
      return s.error();
    }
  }
  if (message.subject.size() > 998) return invalid("subject", "longer than 998 bytes");
  for (char c : message.subject) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) {
      return invalid("subject", "contains a line break or control character");
    }
  }
  if (!valid_utf8(message.subject)) return invalid("subject", "is not UTF-8");
  if (!valid_message_id(message_id)) return invalid("message_id", "must be left@right");
  if (message.body.size() > 1024 * 1024) {
    return make_error(Errc::PayloadTooLarge, "mail body is larger than 1 MiB");
  }
  if (!valid_utf8(message.body)) return invalid("body", "is not UTF-8");
  if (message.body.find('\0') != std::string::npos) return invalid("body", "contains NUL");

  std::string to = "To: ";
  std::size_t line = to.size();
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    const std::string& addr = message.to[i];
    if (i > 0) {
      to += ",";
      ++line;
      if (line + 1 + addr.size() > 78) {
        to += "\r\n";
        line = 0;
      }
      to += " ";
      ++line;
    }
    to += addr;
    line += addr.size();
  }

  const std::string body = crlf_lines(message.body);
  const bool seven_bit = fits_7bit(body);
  std::string out;
  out.reserve(body.size() + 512);
  out += "Date: " + format_mail_date(date) + "\r\n";
  out += "From: " + std::string(from) + "\r\n";
  out += to + "\r\n";
  out += "Subject: " + encode_header_text("Subject", message.subject) + "\r\n";
  out += "Message-ID: <" + std::string(message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += seven_bit ? "Content-Transfer-Encoding: 7bit\r\n"
                   : "Content-Transfer-Encoding: quoted-printable\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += seven_bit ? body : quoted_printable(body);
  return out;
}

}  // namespace tend::notify::rules
