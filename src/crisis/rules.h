#pragma once
//! Pure crisis decisions: which signals a report raises and at what level, when an alert must be
//! acknowledged, who the next link of the chain is, who is on call. No I/O, no clock.
//!
//! The risk rules, deadlines, chain and follow-ups are configuration (content/crisis/risk.json,
//! replaceable with the `crisis_rules` setting); every rule and threshold there has a test.

#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "crisis/model.h"
#include "platform/clock.h"
#include "platform/result.h"

namespace tend::crisis::rules {

std::string_view level_name(Level l);
std::optional<Level> parse_level(std::string_view s);
std::string_view source_name(Source s);
std::optional<Source> parse_source(std::string_view s);
std::string_view step_name(Step s);
std::optional<Step> parse_step(std::string_view s);

//! A measure's result that may raise a signal: by a flag the instrument raised, or by a band.
struct AssessmentRule {
  std::string instrument;           //!< instrument id ("phq-9")
  std::optional<std::string> flag;  //!< flag code; or
  std::optional<std::string> band;  //!< band code
  Level level = Level::High;
  std::string reason;
};

//! A check-in rating at or above a threshold ("urge to self-harm 7 or more of 10").
struct ThresholdRule {
  int at_least = 0;
  Level level = Level::High;
  std::string reason;
};

//! A sharp fall in mood: today's rating at least `points` below the mean of the ratings of the
//! previous `within_days` days (and at least `min_previous` of them).
struct MoodDropRule {
  int points = 0;
  int within_days = 7;
  int min_previous = 3;
  Level level = Level::Moderate;
  std::string reason;
};

//! A phrase a human should look at when a client's message contains it; not a diagnosis.
struct PhraseRule {
  std::string phrase;      //!< as written in the configuration
  std::string normalized;  //!< lower case, words separated by single spaces
  Level level = Level::High;
};

//! An acknowledgement deadline per level; `next_working_day` means the next working day's
//! start in the service's time zone (or, when raised before the start on a working day, that
//! day's start).
struct Deadline {
  std::chrono::minutes after{0};
  bool next_working_day = false;
};

struct FollowUpRule {
  std::string label;
  std::chrono::hours after{0};
};

struct RiskConfig {
  std::vector<AssessmentRule> assessment;
  std::vector<ThresholdRule> self_harm_urge;  //!< most severe first
  std::optional<MoodDropRule> mood_drop;
  std::vector<PhraseRule> phrases;
  std::string message_reason;  //!< with {phrase}
  Level help_now = Level::Imminent;
  std::string help_now_reason;
  Deadline deadlines[4];          //!< by Level
  std::vector<Step> chain;        //!< in order
  std::vector<int> working_days;  //!< 0 = Sunday … 6 = Saturday
  int working_day_start_minute = 9 * 60;
  std::vector<FollowUpRule> follow_ups;
  std::vector<std::string> outcomes;  //!< allowed resolution outcomes
  std::vector<std::string> outcomes_needing_note;

  //! Parses the configuration document (the form of content/crisis/risk.json; docs/operations.md
  //! describes each key). Refusals name the field.
  static Result<RiskConfig> parse(std::string_view json);
};

//! The configuration built into the binary (content/crisis/risk.json).
const RiskConfig& built_in();

//! What the instrument library says of one instrument, for check_instruments().
struct InstrumentCodes {
  std::set<std::string> flags;
  std::set<std::string> bands;
};

//! Refuses assessment rules that could never fire: an instrument the library does not have, or
//! a flag or band that instrument does not define. `lookup` answers for an instrument id, or
//! nullopt. The Validation error names the rule ("assessment[3].flag").
Status check_instruments(
    const RiskConfig& cfg,
    const std::function<std::optional<InstrumentCodes>(const std::string&)>& lookup);

//! Checks crisis lines in the form of content/crisis/resources.json ("default_region", and
//! "regions" keyed by ISO 3166-1 alpha-2 code, each with a name, an emergency number and lines
//! that each give a phone, text or web address), and returns the document. A Validation error
//! names the first field that is wrong. A crisis line nobody can reach is worse than none.
Result<boost::json::object> parse_resources(std::string_view text);

//! The built-in crisis lines (content/crisis/resources.json).
const boost::json::object& built_in_resources();

// ---- detection ----------------------------------------------------------------------------

//! What detection needs to know of a scored measure.
struct ScoredMeasure {
  std::string assessment_id;
  std::string instrument_id;
  std::optional<std::string> band;  //!< band code
  std::vector<std::string> flags;   //!< flag codes raised
};

//! Every signal a result raises, most urgent first (none for most results).
std::vector<Signal> signals_from_assessment(const ScoredMeasure& m, const RiskConfig& cfg);

//! A check-in's ratings: 0–10 each, absent when not asked.
struct CheckIn {
  std::string id;
  std::optional<int> self_harm_urge;
  std::optional<int> mood;
  std::vector<int> previous_moods;  //!< the client's mood ratings in the rule's window
};

//! The most urgent signal a check-in raises, if any.
std::optional<Signal> signal_from_check_in(const CheckIn& c, const RiskConfig& cfg);

//! Lower case (ASCII and the common Latin-1 letters), apostrophes removed (“don’t” → "dont"),
//! anything else not a letter or digit a word break, words joined by single spaces.
std::string normalize_text(std::string_view text);

//! The most urgent phrase of the watch list found in a client's message, as whole words, as a
//! signal; none when nothing matches.
std::optional<Signal> screen_message(std::string_view text, const std::string& message_id,
                                     const RiskConfig& cfg);

//! The portal's "I need help now".
Signal help_now(const RiskConfig& cfg);

//! A clinician raising a concern by hand; `reason` is theirs.
Signal raised_by_hand(Level level, std::string reason);

// ---- alerts -------------------------------------------------------------------------------

//! The most urgent of the signals, or the first at that level.
const Signal& most_urgent(const std::vector<Signal>& signals);

//! A local civil time in the service's time zone, as detection needs it for `low` deadlines.
struct LocalClock {
  //! UTC → local (year, month, day, minute of day, weekday 0 = Sunday).
  std::function<void(TimePoint, int& y, int& m, int& d, int& minute, int& weekday)> to_local;
  //! Local midnight + minute → UTC.
  std::function<TimePoint(int y, int m, int d, int minute)> from_local;
};

//! UTC: for tests and services that keep time in UTC.
LocalClock utc_clock();

//! When an alert at `level`, notified at `from`, must be acknowledged.
TimePoint ack_deadline(Level level, TimePoint from, const RiskConfig& cfg, const LocalClock& local);

//! The next link to notify.
struct Routing {
  int step = 0;                         //!< index into cfg.chain
  std::vector<std::string> recipients;  //!< user ids, no duplicates, in chain order
  bool chain_end = false;               //!< past the last link: re-notification
};

//! The first link after `after_step` (−1: from the start) with someone not yet notified. Past
//! the end: everyone on call and supervising (or, with nobody on the roster, everyone notified
//! before and the fallback), with chain_end set. Never returns an empty list while `fallback`
//! or anyone notified before exists.
Routing route(int after_step, const std::vector<Step>& chain, const ChainPeople& people,
              const std::set<std::string>& already_notified,
              const std::vector<std::string>& fallback);

//! Whether an outcome is allowed and, for those that need one, a note was given. Returns the
//! refusal's message (empty when fine).
std::string check_resolution(const RiskConfig& cfg, std::string_view outcome,
                             std::string_view note);

// ---- roster -------------------------------------------------------------------------------

//! Converts between UTC and a named zone's civil time; returns false for an unknown zone.
using ZoneLookup = std::function<std::optional<LocalClock>(const std::string& zone)>;

//! True when `e` covers instant `t`.
bool roster_active(const RosterEntry& e, TimePoint t, const ZoneLookup& zones);

//! Who is on duty for `kind` at `t`: the active cover entries if any, else the active regular
//! ones. Sorted, unique user ids.
std::vector<std::string> on_duty(const std::vector<RosterEntry>& roster, std::string_view kind,
                                 TimePoint t, const ZoneLookup& zones);

//! Checks an entry's shape (kind, days, minutes, dates, window order). Empty when valid, else
//! the refusal naming the field.
std::string check_roster_entry(const RosterEntry& e);

//! "sun" … "sat" ↔ 0 … 6; "HH:MM" → minutes after midnight.
std::optional<int> day_number(std::string_view name);
std::string_view day_name(int day);
std::optional<int> minutes_of(std::string_view hhmm);

}  // namespace tend::crisis::rules
