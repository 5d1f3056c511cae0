// FHIR Questionnaires from outside (POST /api/v1/instruments/import): read the structure, then
// import it against the embedded library and score the result.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "assessment/questionnaire.h"
#include "common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto known = tend::fuzz::embedded_library().all();
  namespace bj = boost::json;
  // As platform/json.cpp parses request bodies: strict JSON, nesting at most 32.
  bj::parse_options opts;
  opts.max_depth = 32;
  opts.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  bj::value v =
      bj::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, opts);
  if (ec || !v.is_object()) return 0;
  const bj::object& q = v.as_object();
  (void)tend::assessment::parse_questionnaire(q);
  auto in = tend::assessment::import_questionnaire(q, "fuzz", known);
  if (!in) return 0;
  tend::fuzz::exercise_scoring(*in, data, size);
  return 0;
}
