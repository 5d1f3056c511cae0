#include "platform/ids.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>

namespace tend {

namespace {
// Base32 in ASCII order, so that ids sort as their bytes do.
constexpr std::string_view k_alphabet = "234567abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t k_body = 20;
constexpr std::size_t k_time_chars = 10;  // 50 bits of milliseconds since 1970
constexpr std::size_t k_random_chars = k_body - k_time_chars;

void fill_random(std::uint8_t* out, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = getrandom(out + got, size - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<std::size_t>(n);
  }
}
}  // namespace

std::string new_id(std::string_view prefix) {
  // Monotonic within the process: an id made in the same millisecond as the one before (or
  // after the wall clock stepped back) takes that id's time and its random part plus one, so
  // ids made one after another always sort in the order they were made, and rows ordered by
  // (time, id) keep the order they were written in.
  static std::mutex mutex;
  static std::uint64_t last_ms = 0;
  static std::array<std::uint8_t, k_random_chars> last{};  // base-32 digits, most significant first
  std::array<std::uint8_t, k_random_chars> digits{};
  auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  {
    const std::lock_guard lock(mutex);
    bool carried = false;
    if (ms <= last_ms) {
      ms = last_ms;
      digits = last;
      std::size_t i = k_random_chars;
      while (i-- > 0) {
        if (++digits[i] < 32u) break;
        digits[i] = 0;
      }
      carried = i == static_cast<std::size_t>(-1);  // 2^50 ids in one millisecond: next one
      if (carried) ++ms;
    }
    if (ms > last_ms && !carried) {
      fill_random(digits.data(), digits.size());
      // Fresh digits keep the top bit clear, so increments within the millisecond have room.
      for (auto& d : digits) d &= 31u;
      digits[0] &= 15u;
    }
    last_ms = ms;
    last = digits;
  }
  std::string id(prefix);
  id += '_';
  // The time first: new rows land at the right-hand end of every index on an id, instead of
  // on a random page each, which keeps durable writes cheap as tables grow.
  for (std::size_t i = k_time_chars; i-- > 0;) id += k_alphabet[(ms >> (5 * i)) & 31u];
  for (auto d : digits) id += k_alphabet[d];
  return id;
}

std::string random_digits(std::size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    std::array<std::uint8_t, 16> bytes{};
    fill_random(bytes.data(), bytes.size());
    for (auto b : bytes) {
      if (b >= 250) continue;  // 250 = 25 × 10: keeps every digit equally likely
      out += static_cast<char>('0' + b % 10);
      if (out.size() == n) break;
    }
  }
  return out;
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
