// TOTP against RFC 6238 Appendix B (SHA-1) and the ±1 step window.

#include <gtest/gtest.h>

#include <string>

#include "platform/crypto/crypto.h"

namespace tend::crypto {
namespace {

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const std::string k_rfc_secret = base32_encode("12345678901234567890");

TEST(Totp, RfcSecretInBase32) {
  EXPECT_EQ(k_rfc_secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Totp, Rfc6238AppendixBSha1) {
  // The RFC lists 8-digit values; 6-digit codes are their last six digits.
  const std::pair<std::int64_t, std::string> cases[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [t, eight] : cases) {
    EXPECT_EQ(totp::code(k_rfc_secret, t), eight.substr(2)) << t;
    std::int64_t step = -1;
    EXPECT_TRUE(totp::verify(k_rfc_secret, eight.substr(2), t, &step)) << t;
    EXPECT_EQ(step, t / 30);
  }
}

TEST(Totp, CodeIsStableWithinAStep) {
  EXPECT_EQ(totp::code(k_rfc_secret, 1111111110), totp::code(k_rfc_secret, 1111111139));
  EXPECT_NE(totp::code(k_rfc_secret, 1111111139), totp::code(k_rfc_secret, 1111111140));
}

TEST(Totp, WindowAcceptsOneStepEitherSide) {
  const std::int64_t t = 1'767'225'615;  // inside step 58'907'520
  const std::int64_t step = t / 30;
  const std::string c = totp::code(k_rfc_secret, t);
  std::int64_t matched = 0;
  EXPECT_TRUE(totp::verify(k_rfc_secret, c, t, &matched));
  EXPECT_EQ(matched, step);
  // Verified 30 s later the code is from the previous step; 30 s earlier, from the next.
  EXPECT_TRUE(totp::verify(k_rfc_secret, c, t + 30, &matched));
  EXPECT_EQ(matched, step);
  EXPECT_TRUE(totp::verify(k_rfc_secret, c, t - 30, &matched));
  EXPECT_EQ(matched, step);
  // Two steps away is refused, and matched_step is left alone.
  matched = 123;
  EXPECT_FALSE(totp::verify(k_rfc_secret, c, t + 60, &matched));
  EXPECT_FALSE(totp::verify(k_rfc_secret, c, t - 60, &matched));
  EXPECT_EQ(matched, 123);
}

TEST(Totp, RefusesMalformedCodesAndSecrets) {
  const std::int64_t t = 59;
  EXPECT_FALSE(totp::verify(k_rfc_secret, "", t));
  EXPECT_FALSE(totp::verify(k_rfc_secret, "28708", t));
  EXPECT_FALSE(totp::verify(k_rfc_secret, "2870820", t));
  EXPECT_FALSE(totp::verify(k_rfc_secret, "28708a", t));
  EXPECT_FALSE(totp::verify(k_rfc_secret, " 287082", t));
  EXPECT_FALSE(totp::verify("not base32!", "287082", t));
  EXPECT_FALSE(totp::verify("", "287082", t));
  EXPECT_EQ(totp::code("not base32!", t), "");
}

TEST(Totp, SecretsAreRandom20Bytes) {
  const std::string a = totp::new_secret();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(base32_decode(a).value().size(), 20u);
  EXPECT_NE(a, totp::new_secret());
  EXPECT_TRUE(totp::verify(a, totp::code(a, 1000), 1000));
}

TEST(Totp, OtpauthUriEncodesIssuerAndAccount) {
  EXPECT_EQ(totp::otpauth_uri("Tend", "clin.one", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Tend:clin.one?secret=JBSWY3DPEHPK3PXP&issuer=Tend"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(totp::otpauth_uri("Eastside Clinic & Co", "ana@example.org", "JBSW"),
            "otpauth://totp/Eastside%20Clinic%20%26%20Co:ana%40example.org?secret=JBSW"
            "&issuer=Eastside%20Clinic%20%26%20Co&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(totp::otpauth_uri("A:B", "x?y", "S"),
            "otpauth://totp/A%3AB:x%3Fy?secret=S&issuer=A%3AB&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace tend::crypto
