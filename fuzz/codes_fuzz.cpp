// Diagnosis code lists (a service's own `code_list` file) and CMS order files given to
// `tend codes import`: parse both; what parses is searched and written back, and what an import
// yields must parse as a code list.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "care/diagnosis_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tend::care::rules;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto list = parse_code_list(text)) {
    const std::string_view query = text.substr(0, std::min<std::size_t>(size, 12));
    (void)search_codes(*list, query, 20);
    if (!parse_code_list(format_code_list(list->all()))) throw std::logic_error("round trip");
  }
  if (auto imported = import_cms_order(text)) {
    if (!parse_code_list(format_code_list(*imported))) throw std::logic_error("import output");
  }
  return 0;
}
