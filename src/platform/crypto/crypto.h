#pragma once
//! Cryptography through libsodium (Argon2id, XChaCha20-Poly1305, BLAKE2b, randomness) and
//! OpenSSL (HMAC for TOTP and webhook signatures). Every function is thread-safe after init().

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

namespace tend::crypto {

//! Initialises libsodium. Call once before anything else (idempotent, thread-safe).
void init();

// ---- encodings --------------------------------------------------------------------------
std::string hex_encode(std::string_view bytes);
Result<std::string> hex_decode(std::string_view hex);
//! URL-safe base64 without padding.
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);
//! RFC 4648 base32 (A–Z2–7) without padding, as authenticator apps expect.
std::string base32_encode(std::string_view bytes);
Result<std::string> base32_decode(std::string_view text);  //!< case-insensitive, '=' ignored

// ---- randomness and hashing -------------------------------------------------------------
//! `n` random bytes.
std::string random_bytes(std::size_t n);
//! A random bearer/session token: 32 random bytes, base64url (43 characters).
std::string random_token();
//! BLAKE2b of `data` (32-byte digest), lower-case hex. Optional key for a keyed hash.
std::string blake2b_hex(std::string_view data, std::string_view key = {});
//! Constant-time comparison of two strings of any length.
bool equal_constant_time(std::string_view a, std::string_view b);
//! HMAC-SHA256 and HMAC-SHA1 (raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string sha256_hex(std::string_view data);

// ---- passwords (Argon2id) ---------------------------------------------------------------
//! Argon2id hash in the PHC string format, with libsodium's INTERACTIVE limits (or MIN limits
//! when `fast` is set, for tests and the demo only).
std::string hash_password(std::string_view password, bool fast = false);
//! True when `password` matches `phc_hash`. Runs the full hash cost whatever the outcome.
bool verify_password(std::string_view phc_hash, std::string_view password);
//! A hash of a random password, verified against when a username does not exist, so that
//! timing does not reveal which usernames exist.
const std::string& dummy_password_hash();

// ---- field encryption (XChaCha20-Poly1305) ----------------------------------------------
//! Keys for encrypting free-text clinical content in the database. The key file lives outside
//! the database (by default DATA_DIR/keys/field.keys, mode 0600), one key per line:
//! `<key id> <base64url 32-byte key>`; the last line is the active key. A sealed value is
//! `tk1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`, so the key id travels with it.
class Keyring {
 public:
  //! Loads the key file, creating it with one new key when it does not exist.
  static Result<Keyring> open_or_create(const std::string& path);
  //! Loads an existing key file; NotFound when missing, Validation when malformed.
  static Result<Keyring> open(const std::string& path);
  //! An in-memory keyring with one random key (tests).
  static Keyring ephemeral();

  //! Encrypts `plaintext` under the active key. `context` (e.g. "clients.funding_note") is
  //! bound as associated data, so a value moved to another column fails to open.
  std::string seal(std::string_view plaintext, std::string_view context) const;
  //! Decrypts a sealed value; Validation error when the key id is unknown or it was altered.
  Result<std::string> open(std::string_view sealed, std::string_view context) const;
  //! Key id a sealed value was made with ("" when not a sealed value).
  static std::string key_id_of(std::string_view sealed);

  //! Adds a new random key, makes it active and rewrites the key file atomically (write to a
  //! temporary file, fsync, rename). Returns the new key id.
  Result<std::string> rotate();
  const std::string& active_id() const;
  std::size_t size() const;

 private:
  struct Key {
    std::string id;
    std::string bytes;
  };
  std::string path_;
  std::vector<Key> keys_;
  const Key* find(std::string_view id) const;
};

// ---- TOTP (RFC 6238, SHA-1, 30 s, 6 digits) ---------------------------------------------
namespace totp {
//! A new 20-byte secret, base32.
std::string new_secret();
//! The code for `unix_seconds` (time step 30 s), zero-padded to 6 digits.
std::string code(std::string_view base32_secret, std::int64_t unix_seconds);
//! True when `code` matches the step of `unix_seconds` or one step either side. When it matches,
//! `matched_step` receives the time step, so a caller can refuse a code used twice.
bool verify(std::string_view base32_secret, std::string_view code, std::int64_t unix_seconds,
            std::int64_t* matched_step = nullptr);
//! otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret);
}  // namespace totp

}  // namespace tend::crypto
