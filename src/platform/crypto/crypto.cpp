// Initialisation, randomness, hashing, MACs and password hashing.

#include "platform/crypto/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace tend::crypto {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init returns 1 when already initialised (by another library), which is fine.
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  });
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string random_token() {
  return base64url_encode(random_bytes(32));
}

std::string blake2b_hex(std::string_view data, std::string_view key) {
  if (!key.empty() && (key.size() < crypto_generichash_KEYBYTES_MIN ||
                       key.size() > crypto_generichash_KEYBYTES_MAX)) {
    throw std::invalid_argument("blake2b key must be 16 to 64 bytes");
  }
  unsigned char digest[crypto_generichash_BYTES];  // 32
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  // Only the lengths may leak; the contents are compared in time that depends on length alone.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  static const unsigned char empty = 0;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // OpenSSL treats a null key as "reuse the previous key"; an empty key must be a real pointer.
  const void* key_ptr = key.empty() ? static_cast<const void*>(&empty) : key.data();
  const auto* data_ptr =
      data.empty() ? &empty : reinterpret_cast<const unsigned char*>(data.data());
  if (HMAC(md, key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), out, &len) ==
      nullptr) {
    throw std::runtime_error("HMAC failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}
}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  return hmac(EVP_sha1(), key, data);
}

std::string sha256_hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string hash_password(std::string_view password, bool fast) {
  char out[crypto_pwhash_STRBYTES];
  const auto ops = fast ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const auto mem = fast ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str(out, password.data(), password.size(), ops, mem) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view phc_hash, std::string_view password) {
  // A stored value that is not an Argon2id string would be refused at once; verifying against
  // the dummy hash instead keeps the cost, and so the timing, the same.
  constexpr std::string_view k_prefix = "$argon2id$";
  if (phc_hash.size() >= crypto_pwhash_STRBYTES ||
      phc_hash.substr(0, k_prefix.size()) != k_prefix) {
    const std::string& dummy = dummy_password_hash();
    [[maybe_unused]] int rc =
        crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size());
    return false;
  }
  const std::string hash(phc_hash);  // libsodium wants it NUL-terminated
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& dummy_password_hash() {
  static const std::string hash = hash_password(random_token());
  return hash;
}

}  // namespace tend::crypto
