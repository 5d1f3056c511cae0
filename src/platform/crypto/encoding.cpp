// Hex, base64url and base32 encodings.

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "platform/crypto/crypto.h"

namespace tend::crypto {

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return make_error(Errc::Validation, "hex text has an odd length");
  std::string out(hex.size() / 2, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  int rc = sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                          hex.size(), nullptr, &len, &end);
  if (rc != 0 || end != hex.data() + hex.size() || len != out.size()) {
    return make_error(Errc::Validation, "hex text has a character outside 0-9a-f");
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  // libsodium refuses characters outside the alphabet, '=' (no padding in this variant) and
  // non-zero trailing bits, so every value has exactly one encoding.
  int rc =
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (rc != 0 || end != text.data() + text.size()) {
    return make_error(Errc::Validation, "not valid base64url (unpadded)");
  }
  out.resize(len);
  return out;
}

namespace {
constexpr std::string_view k_base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Value of a base32 character (either case), or -1.
int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}
}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(k_base32_alphabet[(buffer >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(k_base32_alphabet[(buffer << (5 - bits)) & 0x1F]);
  return out;
}

Result<std::string> base32_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t symbols = 0;
  for (char c : text) {
    // Authenticator apps and people copy secrets with padding and in groups of four.
    if (c == '=' || c == ' ') continue;
    int v = base32_value(c);
    if (v < 0) return make_error(Errc::Validation, "base32 text has a character outside A-Z2-7");
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    ++symbols;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  // 8 symbols carry 5 bytes; a group ending after 1, 3 or 6 symbols cannot come from any input.
  switch (symbols % 8) {
    case 1:
    case 3:
    case 6:
      return make_error(Errc::Validation, "base32 text has an impossible length");
    default:
      return out;
  }
}

}  // namespace tend::crypto
