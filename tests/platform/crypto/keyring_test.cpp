// Field encryption: seal/open, tampering, key file format, rotation and file permissions.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "platform/crypto/crypto.h"

namespace tend::crypto {
namespace {

namespace fs = std::filesystem;

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "tend-keyring-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name = "keys/field.keys") const {
    return (dir_ / name).string();
  }
  static void write(const std::string& p, const std::string& text) {
    fs::create_directories(fs::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static unsigned mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  fs::path dir_;
};

TEST(Keyring, SealOpenRoundTrip) {
  Keyring k = Keyring::ephemeral();
  EXPECT_EQ(k.size(), 1u);
  EXPECT_EQ(k.active_id(), "k1");
  for (std::string plain : {std::string(), std::string("x"), std::string("héllo\0world", 12),
                            std::string(10000, 'a')}) {
    std::string sealed = k.seal(plain, "clients.funding_note");
    EXPECT_EQ(sealed.rfind("tk1:k1:", 0), 0u);
    EXPECT_EQ(Keyring::key_id_of(sealed), "k1");
    auto back = k.open(sealed, "clients.funding_note");
    ASSERT_TRUE(back.ok()) << back.error().detail;
    EXPECT_EQ(*back, plain);
  }
}

TEST(Keyring, SealingTwiceGivesDifferentCiphertexts) {
  Keyring k = Keyring::ephemeral();
  EXPECT_NE(k.seal("same", "ctx"), k.seal("same", "ctx"));
}

TEST(Keyring, SealedValueDoesNotContainThePlaintext) {
  Keyring k = Keyring::ephemeral();
  std::string sealed = k.seal("suicidal ideation last week", "notes.body");
  EXPECT_EQ(sealed.find("suicidal"), std::string::npos);
}

TEST(Keyring, WrongContextFails) {
  Keyring k = Keyring::ephemeral();
  std::string sealed = k.seal("secret", "clients.funding_note");
  auto r = k.open(sealed, "break_glass.reason");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Validation);
  EXPECT_EQ(r.error().detail, "sealed value failed authentication");
}

TEST(Keyring, EveryTamperedByteFails) {
  Keyring k = Keyring::ephemeral();
  const std::string sealed = k.seal("a short clinical note", "ctx");
  auto raw = base64url_decode(sealed.substr(7)).value();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    std::string bad = raw;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto r = k.open("tk1:k1:" + base64url_encode(bad), "ctx");
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.error().detail, "sealed value failed authentication");
  }
  // Truncated and extended.
  EXPECT_FALSE(k.open(sealed.substr(0, sealed.size() - 2), "ctx").ok());
  EXPECT_FALSE(k.open(sealed + "AA", "ctx").ok());
  EXPECT_FALSE(k.open("tk1:k1:" + base64url_encode(raw.substr(0, 39)), "ctx").ok());
}

TEST(Keyring, AnotherKeyringCannotOpen) {
  Keyring a = Keyring::ephemeral();
  Keyring b = Keyring::ephemeral();
  auto r = b.open(a.seal("x", "ctx"), "ctx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "sealed value failed authentication");
}

TEST(Keyring, NotSealedAndUnknownKey) {
  Keyring k = Keyring::ephemeral();
  for (std::string bad :
       {"", "plain text", "tk1:", "tk1:k1", "tk2:k1:AAAA", "tk1::AAAA", "tk1:k 1:AAAA"}) {
    auto r = k.open(bad, "ctx");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, Errc::Validation);
    EXPECT_EQ(r.error().detail, "not a sealed value") << bad;
    EXPECT_EQ(Keyring::key_id_of(bad), "") << bad;
  }
  auto r = k.open("tk1:k9:AAAA", "ctx");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::Validation);
  EXPECT_EQ(r.error().detail, "sealed with unknown key k9");
}

TEST(Keyring, EphemeralCannotRotate) {
  Keyring k = Keyring::ephemeral();
  EXPECT_FALSE(k.rotate().ok());
  EXPECT_EQ(k.size(), 1u);
}

TEST_F(KeyFile, CreatesPrivateFileAndDirectories) {
  const std::string p = path("a/b/field.keys");
  auto k = Keyring::open_or_create(p);
  ASSERT_TRUE(k.ok()) << k.error().detail;
  EXPECT_EQ(k->active_id(), "k1");
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(mode_of(path("a")), 0700u);
  EXPECT_EQ(mode_of(path("a/b")), 0700u);
  // Nothing left over from the atomic write.
  EXPECT_EQ(std::distance(fs::directory_iterator(path("a/b")), fs::directory_iterator()), 1);

  const std::string text = read(p);
  ASSERT_EQ(text.size(), 3u + 43u + 1u) << "k1 <43 base64url characters>\\n";
  EXPECT_EQ(text.substr(0, 3), "k1 ");
  EXPECT_EQ(base64url_decode(text.substr(3, 43)).value().size(), 32u);

  // Opening again reads the same key.
  std::string sealed = k->seal("x", "ctx");
  auto again = Keyring::open_or_create(p);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->open(sealed, "ctx").value(), "x");
  auto opened = Keyring::open(p);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->open(sealed, "ctx").value(), "x");
}

TEST_F(KeyFile, OpenMissingIsNotFound) {
  auto k = Keyring::open(path("nope.keys"));
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, Errc::NotFound);
}

TEST_F(KeyFile, RotateKeepsOldValuesReadable) {
  const std::string p = path();
  auto k = Keyring::open_or_create(p);
  ASSERT_TRUE(k.ok());
  const std::string old_sealed = k->seal("before rotation", "ctx");

  auto id = k->rotate();
  ASSERT_TRUE(id.ok()) << id.error().detail;
  EXPECT_EQ(*id, "k2");
  EXPECT_EQ(k->active_id(), "k2");
  EXPECT_EQ(k->size(), 2u);
  EXPECT_EQ(mode_of(p), 0600u);

  const std::string new_sealed = k->seal("after rotation", "ctx");
  EXPECT_EQ(Keyring::key_id_of(new_sealed), "k2");
  EXPECT_EQ(k->open(old_sealed, "ctx").value(), "before rotation");
  EXPECT_EQ(k->open(new_sealed, "ctx").value(), "after rotation");

  // Reloaded from the file: both keys, the last one active.
  auto reloaded = Keyring::open(p);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().detail;
  EXPECT_EQ(reloaded->size(), 2u);
  EXPECT_EQ(reloaded->active_id(), "k2");
  EXPECT_EQ(reloaded->open(old_sealed, "ctx").value(), "before rotation");
  EXPECT_EQ(reloaded->open(new_sealed, "ctx").value(), "after rotation");

  EXPECT_EQ(reloaded->rotate().value(), "k3");
  EXPECT_EQ(Keyring::open(p)->active_id(), "k3");
  EXPECT_EQ(
      std::distance(fs::directory_iterator(fs::path(p).parent_path()), fs::directory_iterator()),
      1);
}

TEST_F(KeyFile, NextIdFollowsTheHighestNumber) {
  const std::string p = path();
  const std::string key = base64url_encode(std::string(32, 'x'));
  write(p, "k7 " + key + "\nlegacy " + key + "\nk2 " + key + "\n");
  auto k = Keyring::open(p);
  ASSERT_TRUE(k.ok()) << k.error().detail;
  EXPECT_EQ(k->active_id(), "k2");
  EXPECT_EQ(k->rotate().value(), "k8");
}

TEST_F(KeyFile, MalformedFileIsRefusedWithTheLineNumber) {
  const std::string key = base64url_encode(std::string(32, 'x'));
  const std::string short_key = base64url_encode(std::string(16, 'x'));
  struct Case {
    std::string text;
    std::string line;
  };
  const Case cases[] = {
      {"k1 " + key + "\nk2\n", "line 2"},
      {"k1 " + key + "\n\nk2 " + key + " extra\n", "line 3"},
      {"k1 " + short_key + "\n", "line 1"},
      {"k1 " + key + "\nk2 not*base64\n", "line 2"},
      {"k1 " + key + "\nk1 " + key + "\n", "line 2"},
      {"k:1 " + key + "\n", "line 1"},
      {"k1  " + key + "\n", "line 1"},
  };
  for (const auto& c : cases) {
    const std::string p = path();
    write(p, c.text);
    auto k = Keyring::open(p);
    ASSERT_FALSE(k.ok()) << c.text;
    EXPECT_EQ(k.error().code, Errc::Validation);
    EXPECT_NE(k.error().detail.find(c.line), std::string::npos) << k.error().detail;
    // The key material never appears in the message.
    EXPECT_EQ(k.error().detail.find(key), std::string::npos);
    // open_or_create does not paper over a broken file with a new one.
    EXPECT_FALSE(Keyring::open_or_create(p).ok());
  }
}

TEST_F(KeyFile, EmptyFileIsRefused) {
  const std::string p = path();
  write(p, "");
  auto k = Keyring::open(p);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().code, Errc::Validation);
}

TEST_F(KeyFile, ToleratesCrLfAndMissingFinalNewline) {
  const std::string key = base64url_encode(std::string(32, 'x'));
  const std::string p = path();
  write(p, "k1 " + key + "\r\nk2 " + key);
  auto k = Keyring::open(p);
  ASSERT_TRUE(k.ok()) << k.error().detail;
  EXPECT_EQ(k->size(), 2u);
}

}  // namespace
}  // namespace tend::crypto
