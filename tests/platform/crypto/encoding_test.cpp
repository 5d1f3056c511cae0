// Hex, base64url and base32 (RFC 4648 §10 test vectors).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "platform/crypto/crypto.h"

namespace tend::crypto {
namespace {

TEST(Hex, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string hex = hex_encode(all);
  EXPECT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  auto back = hex_decode(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

TEST(Hex, DecodesUpperCaseAndEmpty) {
  EXPECT_EQ(hex_decode("DEADbeef").value(), "\xde\xad\xbe\xef");
  EXPECT_EQ(hex_decode("").value(), "");
  EXPECT_EQ(hex_encode(""), "");
}

TEST(Hex, RefusesBadInput) {
  for (std::string bad : {"0", "abc", "zz", "0g", "00 11", "0x00", "ab\n"}) {
    auto r = hex_decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::Validation) << bad;
  }
}

TEST(Base32, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base32_encode(plain), encoded) << plain;
    auto back = base32_decode(encoded);
    ASSERT_TRUE(back.ok()) << encoded;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Base32, DecodeIsCaseInsensitiveAndIgnoresPaddingAndSpaces) {
  EXPECT_EQ(base32_decode("mzxw6ytboi").value(), "foobar");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======").value(), "foobar");
  EXPECT_EQ(base32_decode("MZXW 6YTB OI").value(), "foobar");
  EXPECT_EQ(base32_decode("MY======").value(), "f");
}

TEST(Base32, RefusesBadInput) {
  // '0', '1', '8' and '9' are not in the alphabet; 1, 3 or 6 symbols cannot end a group.
  for (std::string bad : {"MZXW0", "M1", "MZ8Q", "MZX9", "M", "MZX", "MZXW6Y", "MZ-Q", "MZ\nQ"}) {
    auto r = base32_decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::Validation) << bad;
  }
}

TEST(Base64url, RoundTripsAllLengths) {
  for (std::size_t n = 0; n < 70; ++n) {
    std::string bytes = random_bytes(n);
    std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos) << text;
    auto back = base64url_decode(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64url, KnownValues) {
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
}

TEST(Base64url, RefusesBadInput) {
  // Standard-alphabet characters, padding, stray characters, an impossible length, and a
  // non-canonical last symbol ("Zh" would leave non-zero bits).
  for (std::string bad : {"+/8", "Zm9vYmE=", "Zm9v YmFy", "Z", "Zh", "Zm9v!"}) {
    auto r = base64url_decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::Validation) << bad;
  }
}

}  // namespace
}  // namespace tend::crypto
