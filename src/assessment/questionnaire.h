#pragma once
//! Reading FHIR R4 Questionnaires: the items of Tend's own instrument files, and published
//! questionnaires imported by a service (POST /api/v1/instruments/import). Pure: no I/O.
//!
//! Handles the conventions met in the wild (../shared/reference/instruments.md): answer values
//! from the `ordinalValue` extension or the older `iso21090-CO-value`, on the answerOption or
//! on the valueCoding; answer options from a contained ValueSet (`answerValueSet: "#id"`);
//! nested groups; linkIds of any shape; SDC `calculatedExpression` sums.
//!
//! How item types become Items: `choice` and `open-choice` → Choice; `boolean` → Choice with
//! options No (LA32-8) = 0 and Yes (LA33-6) = 1; `integer` and `decimal` → Integer, bounded
//! only by the `minValue`/`maxValue` extensions (unbounded: the int64 limits); `group` items
//! are flattened, their text going to Item::group; `display`, `string` and `text` items are
//! left out (nothing to score); any other type is refused. A choice item whose options carry
//! no value at all (PHQ-9 "difficulty" in LHC-Forms) is kept with an empty `options` list:
//! answers to it are accepted but never scored, and no sum may add it.

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "assessment/model.h"
#include "platform/result.h"

namespace tend::assessment {

//! A calculated item (SDC calculatedExpression) that Tend could interpret as a sum of items.
//! Recognised: `+` of item values (through `variable`s on the item, its groups or the
//! Questionnaire), `.answer.weight().sum()` / `ordinal()` over items chosen by linkId, the
//! long `answerOption.where(…).extension.where(url = …).valueDecimal` form, and the guards
//! `iif(%v.exists(), %v, 0)` and `iif(<any answered>, <sum>, {})`. Anything else (constants,
//! other operators, other functions) is refused rather than scored differently.
struct CalculatedSum {
  std::string link_id;             //!< the calculated item
  std::string loinc;               //!< its code, e.g. 44261-6
  std::vector<std::string> items;  //!< linkIds added
};

//! A Questionnaire as Tend understands it.
struct ParsedQuestionnaire {
  std::string id;
  std::string url;
  std::string name;
  std::string title;
  std::string panel_loinc;  //!< from Questionnaire.code (system http://loinc.org)
  std::string copyright;
  std::vector<Item> items;  //!< answerable items flattened in order; display/group excluded
  std::vector<CalculatedSum> sums;
  std::vector<std::string> instructions;  //!< display text before the first question
};

//! Reads the structure of a Questionnaire. Refuses (Validation, field named as a path such as
//! `item[2].answerOption[1]`) what it cannot interpret: a choice option without a value, an
//! unsupported item type, a duplicate linkId, an enableWhen naming an unknown item, a
//! calculatedExpression that is not a sum of answer values.
Result<ParsedQuestionnaire> parse_questionnaire(const boost::json::object& q);

//! Builds an instrument from a published Questionnaire. When its panel code matches a known
//! instrument's `panel_loinc` (e.g. 44249-1 → phq-9) and every scored item of that instrument
//! can be matched (by item LOINC code, or by position for linkId conventions such as
//! `H1/T1/Q1`, `PHQ.1`, `/44250-9`), the import takes that instrument's scoring (bands, flags,
//! caseness, change) with its own linkIds; otherwise it is scored by its calculated sums only,
//! or refused when it has none. `id` is the new instrument's id.
Result<Instrument> import_questionnaire(const boost::json::object& q, const std::string& id,
                                        const std::vector<InstrumentPtr>& known);

}  // namespace tend::assessment
