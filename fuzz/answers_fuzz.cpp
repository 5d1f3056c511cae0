// The body of POST /api/v1/clients/{id}/assessments (and of the single-use link route): the
// JSON request body as the HTTP layer parses it, read field by field as the route reads it;
// answers that read well are scored by the instrument the body names, or by every embedded one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assessment/routes.h"
#include "assessment/rules.h"
#include "common.h"
#include "platform/clock.h"
#include "platform/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto& lib = tend::fuzz::embedded_library();
  static const auto instruments = lib.all();
  auto body = tend::json::parse_object(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!body) return 0;
  tend::json::FieldReader r(*body);
  auto instrument = r.string("instrument", {true, 60});
  auto answers = tend::assessment::read_answers(r.raw("answers"));
  (void)r.string("rater", {false, 20});
  if (auto at = r.string("completed_at", {false, 40})) {
    tend::TimePoint t;
    (void)tend::parse_rfc3339(*at, t);
  }
  (void)r.finish();
  if (!answers) return 0;
  if (auto in = instrument ? lib.find(*instrument) : nullptr) {
    (void)tend::assessment::rules::score(*in, *answers);
    return 0;
  }
  for (const auto& in : instruments) (void)tend::assessment::rules::score(*in, *answers);
  return 0;
}
