// FHIR QuestionnaireResponses (POST /fhir/QuestionnaireResponse): read the answers for an
// embedded instrument, score them, and write the result back out as FHIR.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assessment/rules.h"
#include "common.h"
#include "fhir/assessment.h"

namespace {

// The instrument the response names ("urn:tend:questionnaire:<id>"), else the PHQ-9: the
// FHIR route resolves the questionnaire first, so every instrument is reachable.
tend::assessment::InstrumentPtr instrument_for(const boost::json::object& qr) {
  const auto& lib = tend::fuzz::embedded_library();
  if (const auto* q = qr.if_contains("questionnaire"); q && q->is_string()) {
    constexpr std::string_view prefix = "urn:tend:questionnaire:";
    std::string_view url = q->get_string();
    if (url.starts_with(prefix)) {
      if (auto in = lib.find(std::string(url.substr(prefix.size())))) return in;
    }
  }
  return lib.find("phq-9");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bj = boost::json;
  bj::parse_options opts;
  opts.max_depth = 32;
  opts.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  bj::value v =
      bj::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, opts);
  if (ec || !v.is_object()) return 0;
  const bj::object& qr = v.as_object();
  auto in = instrument_for(qr);
  if (!in) __builtin_trap();
  auto read = tend::fhir::read_response(qr, *in);
  if (!read) {
    (void)tend::fhir::operation_outcome(read.error());
    return 0;
  }
  auto scored = tend::assessment::rules::score(*in, read->answers);
  if (!scored) {
    (void)tend::fhir::operation_outcome(scored.error());
    return 0;
  }
  tend::assessment::Assessment a;
  a.id = "as_fuzz";
  a.client_id = read->subject_id.empty() ? "cl_fuzz" : read->subject_id;
  a.instrument_id = in->id;
  a.answers = read->answers;
  a.score = *scored;
  (void)tend::fhir::to_questionnaire_response(a, *in, read->questionnaire);
  (void)tend::fhir::to_observations(a, *in);
  return 0;
}
