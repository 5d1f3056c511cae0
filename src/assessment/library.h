#pragma once
//! The instrument library: Tend's own instrument files (content/instruments, built into the
//! binary), a service's own files (instruments_dir) and imported questionnaires. Each file is
//! validated when it is loaded; a malformed one is refused with the file and field named and
//! the others still load.

#include <boost/json/value.hpp>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "assessment/model.h"
#include "platform/result.h"

namespace tend::assessment {

//! Parses and validates one instrument file (README.md in content/instruments). `source`
//! names the file in messages ("instruments/phq-9.json"). Pure.
Result<Instrument> parse_instrument(std::string_view text, const std::string& source);

//! Parses a condition of the instrument condition language; `path` prefixes field names.
Result<Condition> parse_condition(const boost::json::value& v, const std::string& path);

//! Checks the scoring rules of `in` against its items: every referenced item and score
//! exists, totals match the option values, bands are ordered, reversed items descend.
Status validate_instrument(const Instrument& in);

//! A refused instrument file.
struct LoadProblem {
  std::string source;
  std::string detail;  //!< the field and what is wrong with it
};

//! Thread-safe: read by every request, written when a questionnaire is imported.
class Library {
 public:
  //! Loads the files built into the binary.
  void load_embedded();
  //! Loads `*.json` from `dir`; a file replaces a built-in instrument of the same id.
  void load_dir(const std::string& dir);
  //! Adds or replaces one instrument.
  void add(InstrumentPtr in);

  InstrumentPtr find(const std::string& id) const;
  //! Every instrument, sorted by id.
  std::vector<InstrumentPtr> all() const;
  std::vector<LoadProblem> problems() const;

 private:
  void load_text(std::string_view text, const std::string& source);
  mutable std::shared_mutex mu_;
  std::map<std::string, InstrumentPtr> by_id_;
  std::vector<LoadProblem> problems_;
};

}  // namespace tend::assessment
