// Randomness, BLAKE2b, HMAC (RFC 4231), SHA-256 and Argon2id passwords.

#include "platform/crypto/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tend::crypto {
namespace {

TEST(Init, IsIdempotent) {
  init();
  init();
}

TEST(Random, BytesAndTokens) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(17).size(), 17u);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = random_token();
    EXPECT_EQ(t.size(), 43u);
    auto raw = base64url_decode(t);
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw->size(), 32u);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Blake2b, KnownDigestAndKeying) {
  // BLAKE2b-256 of the empty string.
  EXPECT_EQ(blake2b_hex(""), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  // BLAKE2b-256("abc").
  EXPECT_EQ(blake2b_hex("abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  const std::string key(32, 'k');
  EXPECT_EQ(blake2b_hex("abc", key).size(), 64u);
  EXPECT_NE(blake2b_hex("abc", key), blake2b_hex("abc"));
  EXPECT_EQ(blake2b_hex("abc", key), blake2b_hex("abc", key));
  EXPECT_THROW(blake2b_hex("abc", "short"), std::invalid_argument);
  EXPECT_THROW(blake2b_hex("abc", std::string(65, 'k')), std::invalid_argument);
}

TEST(EqualConstantTime, ComparesContentsAndLengths) {
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_FALSE(equal_constant_time("", "a"));
  EXPECT_TRUE(equal_constant_time(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(equal_constant_time(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Hmac, Rfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hex_encode(hmac_sha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Hmac, Rfc4231TestCase2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, Rfc2202Sha1TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(hex_encode(hmac_sha1(key, "Hi There")), "b617318655057264e28bc0b6fb378c8ef146be00");
}

TEST(Hmac, EmptyKeyAndData) {
  // HMAC-SHA256 with an empty key over an empty message.
  EXPECT_EQ(hex_encode(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Password, VerifiesOnlyTheRightPassword) {
  const std::string hash = hash_password("correct horse battery", /*fast=*/true);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_FALSE(verify_password(hash, "correct horse batterY"));
  EXPECT_FALSE(verify_password(hash, ""));
  // Salted: the same password hashes differently each time.
  EXPECT_NE(hash_password("correct horse battery", true), hash);
}

TEST(Password, InteractiveLimitsAreUsedByDefault) {
  const std::string hash = hash_password("pw");
  EXPECT_NE(hash.find("m=65536"), std::string::npos) << hash;  // 64 MiB
  EXPECT_TRUE(verify_password(hash, "pw"));
}

TEST(Password, MalformedHashesAreRefused) {
  EXPECT_FALSE(verify_password("", "pw"));
  EXPECT_FALSE(verify_password("not a hash", "pw"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "pw"));
  EXPECT_FALSE(verify_password(std::string(500, 'x'), "pw"));
}

TEST(Password, DummyHashIsStableAndMatchesNothingGuessable) {
  const std::string& a = dummy_password_hash();
  const std::string& b = dummy_password_hash();
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(a.rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(verify_password(a, ""));
  EXPECT_FALSE(verify_password(a, "password"));
}

}  // namespace
}  // namespace tend::crypto
