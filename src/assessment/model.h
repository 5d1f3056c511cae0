#pragma once
//! Assessment values: instruments (a FHIR Questionnaire plus the scoring rules of its
//! manual), answers, scored results, schedules and change between results.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tend::assessment {

//! One answer option of a choice item: the value it scores and the words on the form.
struct AnswerOption {
  double value = 0;   //!< the ordinal value as printed on the form (reversed items reversed)
  std::string label;  //!< "Several days"
  std::string code;   //!< answer code (LOINC LA… or local), may be empty
  std::string system;
};

enum class ItemType { Choice, Integer, Display };

//! A comparison of one item's answer that enables another item (FHIR enableWhen).
struct EnableWhen {
  std::string question;  //!< linkId
  std::string op;        //!< = != > >= < <= exists
  double value = 0;      //!< compared with the answer's value; for exists: 1 = must exist
};

//! One item of an instrument, flattened from the Questionnaire's groups.
struct Item {
  std::string link_id;
  std::string text;
  std::string prefix;  //!< "1."
  std::string loinc;   //!< item code, may be empty
  ItemType type = ItemType::Choice;
  bool required = false;
  std::vector<AnswerOption> options;  //!< Choice only
  std::int64_t min_value = 0;         //!< Integer only
  std::int64_t max_value = 0;
  std::vector<EnableWhen> enable_when;
  bool enable_any = false;  //!< enableBehavior "any" (default "all")
  std::string group;        //!< title of the enclosing group, if any
};

//! A condition over answers and scores (the condition language of content/instruments).
struct Condition {
  enum class Kind { Item, Score, Count, All, Any, Not, Answered, Context, True };
  Kind kind = Kind::True;
  std::string ref;                  //!< linkId, score id ("total" or a subscale), or context key
  std::string op;                   //!< >= > <= < == !=
  double value = 0;                 //!< compared with
  std::string equals;               //!< Context only
  std::vector<Condition> children;  //!< Count, All, Any, Not
};

enum class ScoreMethod { Sum, Count };

//! How a total or subscale is computed.
struct ScoreRule {
  std::string id;  //!< "total" or the subscale's id
  std::string name;
  ScoreMethod method = ScoreMethod::Sum;
  std::vector<std::string> items;     //!< Sum: the items added
  std::vector<Condition> conditions;  //!< Count: the conditions counted
  double min = 0;
  double max = 0;
  double multiplier = 1;
  std::string loinc;             //!< Observation code, may be empty
  std::optional<double> cutoff;  //!< subscale positive at or above
};

enum class MissingMethod { None, Prorate, Zero };

struct MissingRule {
  int max_missing = 0;
  MissingMethod method = MissingMethod::None;
};

//! A severity band (or, for C-SSRS, a risk level).
struct Band {
  std::string code;   //!< snake_case: "moderately_severe"
  std::string label;  //!< "Moderately severe"
  std::string client_text;
  std::optional<double> min;      //!< numeric bands: from min up to the next band's min
  std::optional<double> max;      //!< derived for numeric bands: the next min or the total's max
  std::optional<Condition> when;  //!< condition bands: first that holds
};

enum class Severity { Info, Warning, Critical };

struct FlagRule {
  std::string code;  //!< "suicidal_ideation"
  std::string label;
  Severity severity = Severity::Warning;
  std::vector<std::string> items;
  Condition when;
};

//! Reliable change and outcome definitions for one instrument.
struct ChangeRule {
  bool higher_is_worse = true;
  std::optional<double> reliable_change;  //!< published threshold, else Jacobson–Truax
  std::optional<double> sd;
  std::optional<double> reliability;
  std::optional<double> response_fraction;  //!< 0.5: a fall of half from the first score
  std::optional<double> remission_below;
  std::optional<double> minimal_important_difference;
  std::string source;
};

//! An instrument: its items and its manual's scoring rules. Immutable once loaded; shared.
struct Instrument {
  std::string id;  //!< "phq-9"
  std::string name;
  std::string title;
  std::string panel_loinc;
  std::string url;  //!< the Questionnaire's canonical url ("" when it has none)
  std::string copyright;
  std::string client_text;
  std::string source;
  std::string licence;
  bool text_shipped = true;
  bool imported = false;  //!< from POST /api/v1/instruments/import
  std::vector<std::string> respondents;
  std::vector<Item> items;
  std::vector<std::string> instructions;  //!< shown before the first item
  std::optional<ScoreRule> total;
  std::vector<ScoreRule> subscales;
  MissingRule missing;
  std::vector<Band> bands;
  std::vector<FlagRule> flags;
  std::optional<Condition> caseness;
  ChangeRule change;
  std::vector<std::string> reversed;
  std::string questionnaire_json;  //!< the FHIR Questionnaire as stored (for /fhir/Questionnaire)

  const Item* item(const std::string& link_id) const {
    for (const auto& i : items) {
      if (i.link_id == link_id) return &i;
    }
    return nullptr;
  }
};

using InstrumentPtr = std::shared_ptr<const Instrument>;

//! Answers by linkId; the value is the option's scored value (or an integer count).
using Answers = std::map<std::string, double>;

//! What scoring may know besides the answers.
struct ScoringContext {
  std::optional<std::string> sex;  //!< female | male | intersex | unknown
};

struct FlagResult {
  std::string code;
  std::string label;
  Severity severity = Severity::Warning;
  std::vector<std::string> items;
};

struct SubscaleResult {
  std::string id;
  std::string name;
  double score = 0;
  std::optional<bool> positive;  //!< when the subscale has a cutoff
};

//! The outcome of scoring one set of answers.
struct Score {
  std::optional<double> total;  //!< null for C-SSRS (a risk level)
  std::vector<SubscaleResult> subscales;
  std::optional<Band> band;
  std::vector<FlagResult> flags;
  bool complete = true;              //!< false: scored under the instrument's missing rule
  std::vector<std::string> missing;  //!< unanswered scored items
  std::optional<bool> is_case;       //!< caseness, when the instrument defines it
};

//! Change between two results of one instrument.
struct Change {
  std::string from_id;
  double from_total = 0;
  double delta = 0;       //!< to − from
  double threshold = 0;   //!< the reliable-change threshold used
  std::string direction;  //!< improved | worse | same (by the instrument's direction)
  bool reliable = false;
  //! reliable_improvement | reliable_deterioration | no_reliable_change
  std::string classification;
  std::optional<bool> recovered;          //!< was a case, now is not (first only)
  std::optional<bool> reliable_recovery;  //!< recovered and reliable improvement
  std::optional<bool> response;           //!< fell by response_fraction (first only)
  std::optional<bool> remission;          //!< below remission_below (first only)
};

//! Who answered.
enum class Rater { Self, Clinician, Parent, Teacher, Other };

//! A stored result.
struct Assessment {
  std::string id;  //!< as_…
  std::string client_id;
  std::string instrument_id;
  std::string instrument_name;
  Rater rater = Rater::Self;
  std::string entered_by;  //!< user id; empty for a link
  std::string via;         //!< session | portal | link | fhir
  std::int64_t completed_at_ms = 0;
  std::int64_t recorded_at_ms = 0;
  Answers answers;
  Score score;
  std::optional<Change> since_previous;
  std::optional<Change> since_first;
};

//! A measurement schedule: `instrument` every `every_days` while active.
struct Schedule {
  std::string id;  //!< sch_…
  std::string client_id;
  std::string instrument_id;
  int every_days = 14;
  std::string start_date;  //!< YYYY-MM-DD
  std::optional<std::string> end_date;
  bool active = true;
  std::string created_by;
  std::int64_t created_at_ms = 0;
};

//! Where a schedule stands on a day.
struct Due {
  std::string due_date;  //!< YYYY-MM-DD
  bool overdue = false;  //!< more than the grace days past due
  int days_overdue = 0;
};

}  // namespace tend::assessment
