// Instrument files (content/instruments, and a service's own instruments_dir): parse and
// validate one file, then score answers with whatever rules it passed with.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assessment/library.h"
#include "common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto in = tend::assessment::parse_instrument(text, "instruments/fuzz.json");
  if (!in) return 0;
  tend::fuzz::exercise_scoring(*in, data, size);
  return 0;
}
