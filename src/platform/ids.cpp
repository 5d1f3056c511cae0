#include "platform/ids.h"

#include <sys/random.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace tend {

namespace {
constexpr std::string_view k_alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::size_t k_body = 20;
}  // namespace

std::string new_id(std::string_view prefix) {
  std::array<std::uint8_t, k_body> bytes{};
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<std::size_t>(n);
  }
  std::string id(prefix);
  id += '_';
  for (auto b : bytes) id += k_alphabet[b & 31u];
  return id;
}

bool is_well_formed_id(std::string_view id) {
  const auto us = id.find('_');
  if (us == std::string_view::npos || us == 0 || us > 8) return false;
  const auto body = id.substr(us + 1);
  if (body.size() != k_body) return false;
  for (char c : id.substr(0, us)) {
    if (c < 'a' || c > 'z') return false;
  }
  for (char c : body) {
    if (k_alphabet.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace tend
