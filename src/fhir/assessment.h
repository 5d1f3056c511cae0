#pragma once
//! Assessment results as FHIR R4 resources, and QuestionnaireResponses read into answers. Pure:
//! no I/O, no clock; the caller stores and serves what these build.
//!
//! Field paths in errors are FHIRPath-like paths into the resource as sent
//! (`item[3].answer[0].valueCoding`), so they can go straight into OperationOutcome.expression.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "assessment/model.h"
#include "platform/result.h"

namespace tend::fhir {

//! A QuestionnaireResponse as Tend reads it.
struct ResponseIn {
  std::string questionnaire;            //!< canonical url or "Questionnaire/{id}", as given
  std::string subject_id;               //!< from subject.reference "Patient/{id}"; empty if none
  std::optional<std::string> authored;  //!< as given (RFC 3339, checked)
  assessment::Answers answers;          //!< scored values by linkId
};

//! Reads `resourceType: QuestionnaireResponse` for instrument `in`: nested item/answer, answer
//! valueCoding matched to an option by code (system optional) giving its value, valueInteger,
//! valueDecimal, valueBoolean (choice options No=0/Yes=1 or by value), answers to unscored or
//! calculated items ignored; refuses an unknown linkId, a code that is not one of the item's
//! options, more than one answer to an item, status other than completed/amended, with the
//! field named as a path (item[3].answer[0].valueCoding).
//!
//! Items Tend does not score (display, groups, text, calculated totals, choice items whose
//! options carry no values) are known from `in.questionnaire_json`; their answers are ignored
//! and the items they contain are read. Ranges and required items are left to the scoring rules.
Result<ResponseIn> read_response(const boost::json::object& qr, const assessment::Instrument& in);

//! The stored result as a QuestionnaireResponse (id = assessment id, status completed,
//! questionnaire = "urn:tend:questionnaire:<instrument id>" or the imported url, subject
//! Patient/<client id>, authored = completed_at RFC 3339 UTC, item per answered item with
//! valueCoding (system/code/display of the option) and the ordinalValue extension, or
//! valueInteger for integer items).
//!
//! Items come flat, in the instrument's order (groups are not rebuilt). `questionnaire_url`
//! empty means the urn form.
boost::json::object to_questionnaire_response(const assessment::Assessment& a,
                                              const assessment::Instrument& in,
                                              const std::string& questionnaire_url);

//! One Observation per total/subscale that has a LOINC code: id "<assessment id>-<score id>",
//! status final, category survey, code LOINC, subject, effectiveDateTime, valueQuantity
//! {value, unit "{score}", system "http://unitsofmeasure.org", code "{score}"},
//! interpretation text = band label (total only), derivedFrom QuestionnaireResponse/<id>.
//!
//! A score the result does not hold (no total, a subscale not computed) gives no Observation.
std::vector<boost::json::object> to_observations(const assessment::Assessment& a,
                                                 const assessment::Instrument& in);

//! An OperationOutcome for an error (issue per FieldError: severity error, code invalid /
//! not-found / forbidden …, diagnostics = message, expression = [field]). An error without
//! field errors gives one issue whose diagnostics is the error's detail.
boost::json::object operation_outcome(const Error& e);

}  // namespace tend::fhir
