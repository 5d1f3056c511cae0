#pragma once
//! Pure decisions about diagnoses and medications: reading and searching the code list,
//! converting CMS's published order file into it, which status a diagnosis may move to, and
//! which dates a medication may have. No I/O, no clock: "today" comes in.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "care/diagnosis_model.h"
#include "care/rules.h"
#include "platform/result.h"

namespace tend::care::rules {

// ---- the code list ------------------------------------------------------------------------

//! A code list sorted by code, for lookup and search. Immutable once built.
class CodeList {
 public:
  CodeList() = default;
  explicit CodeList(std::vector<Code> codes);  //!< sorts them by code
  //! The entry for `code` (as written in the list, with its dot), or nullptr.
  const Code* find(std::string_view code) const;
  const std::vector<Code>& all() const { return codes_; }

 private:
  std::vector<Code> codes_;
};

//! Reads our TSV format: a header line `code<TAB>billable<TAB>title`, then one code a line
//! with billable `1` (valid for coding) or `0` (a category header). Blank lines are skipped.
//! Refuses, naming the line ("line 12: …"), a wrong header, a row without three columns, a
//! code not shaped like an ICD-10-CM code (letter, two characters, then a dot and one to four
//! more), a billable other than 0 or 1, an empty title and a code listed twice.
Result<CodeList> parse_code_list(std::string_view text);

//! Writes `codes` in the TSV format parse_code_list() reads.
std::string format_code_list(const std::vector<Code>& codes);

//! The built-in list (content/codes/icd10cm.tsv). Throws std::logic_error if it does not parse
//! (a build problem, caught by the tests).
const CodeList& built_in_codes();

//! True for the codes our list keeps from a full ICD-10-CM release: chapter 5 (F01–F99), the
//! social-circumstance Z codes Z55–Z65, counselling Z69–Z71 and Z91.5 (history of self-harm).
bool kept_code(std::string_view code);

//! Converts CMS's fixed-width order file ("icd10cm_order_<year>.txt": order number in 5
//! characters, a space, the code without its dot in 7, a space, 1 when valid for coding else 0,
//! a space, the short title in 60, a space, the long title) into list entries: only the codes
//! kept_code() keeps, the dot put back after the third character, the long title. Refuses a
//! line not in that shape, holding a tab, or repeating a code, naming it ("line 3: …").
Result<std::vector<Code>> import_cms_order(std::string_view text);

//! Up to `limit` entries matching `query`, best first. A query shaped like a code ("f32",
//! "F32.A", "f329") matches codes starting with it, with or without the dot, any case; any
//! query also matches titles holding every one of its words as the start of a word, in any
//! order ("dep maj" finds "Major depressive disorder …"). An exact code comes first, then
//! codes valid for coding before category headers, then by code. Empty query: nothing.
std::vector<Code> search_codes(const CodeList& list, std::string_view query, std::size_t limit);

// ---- diagnoses ----------------------------------------------------------------------------

bool valid_rank(std::string_view rank);  //!< primary | secondary
//! provisional | confirmed | resolved | ruled_out | entered_in_error
bool valid_diagnosis_status(std::string_view status);
//! Provisional and confirmed diagnoses are current; the others are closed.
bool is_current_diagnosis(std::string_view status);
//! provisional → confirmed, resolved, ruled_out or entered_in_error; confirmed → resolved or
//! entered_in_error; the others are final. Refusal (conflict, on `status`) naming what may
//! follow, or nullopt.
std::optional<Refusal> check_diagnosis_status(std::string_view from, std::string_view to);
//! What a diagnosis at `status` may move to, in the order a person would offer them.
std::vector<std::string> next_diagnosis_statuses(std::string_view status);

//! Why `on` cannot be the date of field `field` (not a date, or after `today`), or nullopt.
std::optional<Refusal> check_past_date(std::string_view field, std::string_view on,
                                       std::string_view today);

// ---- medications --------------------------------------------------------------------------

//! dose or stop (a start is the medication's creation).
bool valid_medication_change(std::string_view kind);
//! Why a medication started on `started_on` cannot take a change dated `on`: `on` must be a
//! date, not after `today`, not before the start nor an earlier change; and the medication must not
//! be stopped (conflict). Refusal names `field` for the date.
std::optional<Refusal> check_medication_change(const Medication& m, std::string_view on,
                                               std::string_view today, std::string_view field);

}  // namespace tend::care::rules
