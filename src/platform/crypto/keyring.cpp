// The field-encryption keyring: key file I/O and XChaCha20-Poly1305 seal/open.

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "platform/crypto/crypto.h"

namespace tend::crypto {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_sealed_prefix = "tk1:";
constexpr std::size_t k_key_bytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;     // 32
constexpr std::size_t k_nonce_bytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t k_tag_bytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr std::size_t k_max_id = 32;

// libsodium takes (pointer, length); an empty view may have a null pointer, which some of its
// code paths hand to memcpy.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char empty = 0;
  return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(Errc::Internal, what + " " + path + ": " +
                                        std::error_code(err, std::generic_category()).message());
}

// Key ids travel inside sealed values between ':' separators, so they are kept to a safe set.
bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > k_max_id) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The number in an id of the form "k<number>", or 0 for any other id.
std::uint64_t key_number(std::string_view id) {
  if (id.size() < 2 || id[0] != 'k') return 0;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  if (ec != std::errc() || end != id.data() + id.size()) return 0;
  return n;
}

// Creates every missing directory of `dir` with mode 0700; existing ones are left as they are.
Status make_private_dirs(const fs::path& dir) {
  if (dir.empty()) return ok_status();
  fs::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) == 0) continue;
    int err = errno;
    std::error_code ec;
    if (err != EEXIST && !fs::is_directory(partial, ec)) {
      return io_error("cannot create directory", partial.string(), err);
    }
  }
  return ok_status();
}

Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot sync directory", dir.string(), err);
  return ok_status();
}

// Writes `text` to a new temporary file (mode 0600) beside `path`, synced to disk. Returns its
// name.
Result<std::string> write_temp(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return io_error("cannot create", tmp, errno);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return io_error("cannot write", tmp, err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("cannot sync", tmp, err);
  }
  ::close(fd);
  return tmp;
}

std::string serialize(const std::vector<std::pair<std::string, std::string>>& keys) {
  std::string text;
  for (const auto& [id, bytes] : keys) text += id + " " + base64url_encode(bytes) + "\n";
  return text;
}

}  // namespace

// ---- loading and saving -----------------------------------------------------------------

Result<Keyring> Keyring::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return not_found("key file " + path);
    return io_error("cannot read key file", path, errno);
  }
  std::string text;
  char chunk[4096];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return io_error("cannot read key file", path, err);
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);

  auto malformed = [&](std::size_t line, const std::string& why) {
    return make_error(Errc::Validation,
                      "key file " + path + " line " + std::to_string(line) + ": " + why);
  };

  Keyring ring;
  ring.path_ = path;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
      return malformed(line_no, "expected \"<key id> <base64url key>\"");
    }
    std::string_view id = line.substr(0, space);
    if (!valid_key_id(id)) return malformed(line_no, "key id must be 1-32 of A-Z a-z 0-9 _ -");
    if (ring.find(id) != nullptr) return malformed(line_no, "duplicate key id " + std::string(id));
    auto bytes = base64url_decode(line.substr(space + 1));
    if (!bytes || bytes->size() != k_key_bytes) {
      return malformed(line_no, "key is not 32 bytes of base64url");
    }
    ring.keys_.push_back(Key{std::string(id), std::move(*bytes)});
  }
  if (ring.keys_.empty()) {
    return make_error(Errc::Validation, "key file " + path + " holds no keys");
  }
  return ring;
}

Result<Keyring> Keyring::open_or_create(const std::string& path) {
  auto existing = open(path);
  if (existing || existing.error().code != Errc::NotFound) return existing;

  const fs::path file(path);
  const fs::path dir = file.parent_path();
  if (auto st = make_private_dirs(dir); !st) return st.error();

  Keyring ring;
  ring.path_ = path;
  ring.keys_.push_back(Key{"k1", random_bytes(k_key_bytes)});
  auto tmp = write_temp(path, serialize({{ring.keys_[0].id, ring.keys_[0].bytes}}));
  if (!tmp) return tmp.error();
  // link() rather than rename(): if another process created the file meanwhile, its key wins
  // and ours is dropped, instead of replacing a key that may already have sealed values.
  if (::link(tmp->c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp->c_str());
    if (err == EEXIST) return open(path);
    return io_error("cannot create key file", path, err);
  }
  ::unlink(tmp->c_str());
  if (auto st = fsync_dir(dir); !st) return st.error();
  return ring;
}

Keyring Keyring::ephemeral() {
  Keyring ring;
  ring.keys_.push_back(Key{"k1", random_bytes(k_key_bytes)});
  return ring;
}

Result<std::string> Keyring::rotate() {
  if (path_.empty()) {
    return make_error(Errc::Internal, "an ephemeral keyring has no key file to rotate");
  }
  std::uint64_t max = 0;
  for (const auto& k : keys_) max = std::max(max, key_number(k.id));
  std::string id = "k" + std::to_string(max + 1);

  std::vector<std::pair<std::string, std::string>> all;
  for (const auto& k : keys_) all.emplace_back(k.id, k.bytes);
  std::string bytes = random_bytes(k_key_bytes);
  all.emplace_back(id, bytes);

  auto tmp = write_temp(path_, serialize(all));
  if (!tmp) return tmp.error();
  if (::rename(tmp->c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp->c_str());
    return io_error("cannot replace key file", path_, err);
  }
  if (auto st = fsync_dir(fs::path(path_).parent_path()); !st) return st.error();
  // Only now, with the new key safely on disk, may anything be sealed with it.
  keys_.push_back(Key{id, std::move(bytes)});
  return id;
}

const std::string& Keyring::active_id() const {
  static const std::string none;
  return keys_.empty() ? none : keys_.back().id;
}

std::size_t Keyring::size() const {
  return keys_.size();
}

const Keyring::Key* Keyring::find(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

// ---- sealing ----------------------------------------------------------------------------

std::string Keyring::seal(std::string_view plaintext, std::string_view context) const {
  if (keys_.empty()) throw std::logic_error("seal() on an empty keyring");
  const Key& key = keys_.back();
  std::string box(k_nonce_bytes + plaintext.size() + k_tag_bytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, k_nonce_bytes);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + k_nonce_bytes, &len, bytes_of(plaintext),
                                             plaintext.size(), bytes_of(context), context.size(),
                                             nullptr, nonce, bytes_of(key.bytes));
  box.resize(k_nonce_bytes + len);
  std::string out(k_sealed_prefix);
  out += key.id;
  out += ':';
  out += base64url_encode(box);
  return out;
}

std::string Keyring::key_id_of(std::string_view sealed) {
  if (sealed.substr(0, k_sealed_prefix.size()) != k_sealed_prefix) return "";
  sealed.remove_prefix(k_sealed_prefix.size());
  std::size_t colon = sealed.find(':');
  if (colon == std::string_view::npos) return "";
  std::string_view id = sealed.substr(0, colon);
  return valid_key_id(id) ? std::string(id) : "";
}

Result<std::string> Keyring::open(std::string_view sealed, std::string_view context) const {
  std::string id = key_id_of(sealed);
  if (id.empty()) return make_error(Errc::Validation, "not a sealed value");
  const Key* key = find(id);
  if (key == nullptr) return make_error(Errc::Validation, "sealed with unknown key " + id);
  auto box = base64url_decode(sealed.substr(k_sealed_prefix.size() + id.size() + 1));
  if (!box || box->size() < k_nonce_bytes + k_tag_bytes) {
    return make_error(Errc::Validation, "sealed value failed authentication");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(box->data());
  const std::size_t cipher_len = box->size() - k_nonce_bytes;
  std::string plain(cipher_len - k_tag_bytes, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, nonce + k_nonce_bytes,
          cipher_len, bytes_of(context), context.size(), nonce, bytes_of(key->bytes)) != 0) {
    return make_error(Errc::Validation, "sealed value failed authentication");
  }
  plain.resize(len);
  return plain;
}

}  // namespace tend::crypto
