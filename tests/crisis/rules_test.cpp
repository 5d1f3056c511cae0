// The pure crisis rules: every risk rule of content/crisis/risk.json at its level, every
// refusal of the configuration, every threshold and deadline boundary, every link of the
// escalation chain (golden cases in tests/crisis/cases/chain.json) and every roster boundary.
// A defect here can leave a person at risk without an answer: each boundary has its own row.
#include "crisis/rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tend::crisis::rules {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

// ---- helpers -------------------------------------------------------------------------------

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const fs::path k_source = TEND_SOURCE_DIR;

//! UTC instant of a civil date and time.
TimePoint at(int y, int m, int d, int hh, int mm, int ss = 0, int ms = 0) {
  return TimePoint(
             std::chrono::seconds(days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss)) +
         milliseconds(ms);
}

std::int64_t ms_of(TimePoint t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string show(TimePoint t) {
  return format_rfc3339(t);
}

//! The shipped configuration document, edited, then parsed.
Result<RiskConfig> parse_edited(const std::function<void(bj::object&)>& edit) {
  bj::value doc = bj::parse(read_file(k_source / "content/crisis/risk.json"));
  edit(doc.as_object());
  return RiskConfig::parse(bj::serialize(doc));
}

//! A configuration that must parse: the shipped one with `edit` applied.
RiskConfig config_with(const std::function<void(bj::object&)>& edit) {
  auto r = parse_edited(edit);
  if (!r) throw std::runtime_error("edited configuration refused: " + r.error().detail);
  return std::move(*r);
}

bj::object& rule_at(bj::object& root, std::size_t i) {
  return root["assessment"].as_array()[i].as_object();
}

// ---- configuration: built in ---------------------------------------------------------------

TEST(BuiltIn, ParsesAndMatchesTheShippedFile) {
  const RiskConfig& cfg = built_in();
  auto file = RiskConfig::parse(read_file(k_source / "content/crisis/risk.json"));
  ASSERT_TRUE(file) << file.error().detail;
  EXPECT_EQ(cfg.assessment.size(), file->assessment.size());
  EXPECT_EQ(cfg.phrases.size(), file->phrases.size());
  EXPECT_FALSE(cfg.assessment.empty());
  EXPECT_FALSE(cfg.phrases.empty());
  EXPECT_FALSE(cfg.message_reason.empty());
  EXPECT_FALSE(cfg.help_now_reason.empty());
  ASSERT_TRUE(cfg.mood_drop.has_value());
  EXPECT_EQ(cfg.mood_drop->points, 4);
  EXPECT_EQ(cfg.mood_drop->within_days, 7);
  EXPECT_EQ(cfg.mood_drop->min_previous, 3);
  EXPECT_EQ(cfg.mood_drop->level, Level::Moderate);
}

TEST(BuiltIn, DeadlinesChainWorkingDaysFollowUpsAndOutcomes) {
  const RiskConfig& cfg = built_in();
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::Imminent)].after, minutes(5));
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::High)].after, minutes(15));
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::Moderate)].after, minutes(240));
  EXPECT_FALSE(cfg.deadlines[static_cast<int>(Level::Imminent)].next_working_day);
  EXPECT_FALSE(cfg.deadlines[static_cast<int>(Level::High)].next_working_day);
  EXPECT_FALSE(cfg.deadlines[static_cast<int>(Level::Moderate)].next_working_day);
  EXPECT_TRUE(cfg.deadlines[static_cast<int>(Level::Low)].next_working_day);
  EXPECT_EQ(cfg.chain, (std::vector<Step>{Step::PrimaryClinician, Step::CareTeam, Step::OnCall,
                                          Step::Supervisor}));
  EXPECT_EQ(cfg.working_days, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(cfg.working_day_start_minute, 9 * 60);
  ASSERT_EQ(cfg.follow_ups.size(), 3u);
  EXPECT_EQ(cfg.follow_ups[0].label, "24 hours");
  EXPECT_EQ(cfg.follow_ups[0].after, hours(24));
  EXPECT_EQ(cfg.follow_ups[1].label, "72 hours");
  EXPECT_EQ(cfg.follow_ups[1].after, hours(72));
  EXPECT_EQ(cfg.follow_ups[2].label, "7 days");
  EXPECT_EQ(cfg.follow_ups[2].after, hours(168));
  EXPECT_EQ(cfg.help_now, Level::Imminent);
  EXPECT_EQ(cfg.outcomes_needing_note, (std::vector<std::string>{"no_contact_possible", "other"}));
}

// ---- configuration: every assessment rule names a code its instrument defines ---------------

struct FileCodes {
  std::set<std::string> flags;
  std::set<std::string> critical_flags;
  std::set<std::string> bands;
};

FileCodes codes_of(const fs::path& file) {
  FileCodes out;
  const bj::value doc = bj::parse(read_file(file));
  const auto& scoring = doc.at("scoring").as_object();
  if (const auto* f = scoring.if_contains("flags"); f != nullptr && f->is_array()) {
    for (const auto& v : f->as_array()) {
      const std::string code(v.at("code").as_string());
      out.flags.insert(code);
      const auto* sev = v.as_object().if_contains("severity");
      if (sev != nullptr && sev->is_string() && sev->as_string() == "critical") {
        out.critical_flags.insert(code);
      }
    }
  }
  if (const auto* b = scoring.if_contains("bands"); b != nullptr && b->is_array()) {
    for (const auto& v : b->as_array()) out.bands.insert(std::string(v.at("code").as_string()));
  }
  return out;
}

std::map<std::string, FileCodes> all_instruments() {
  std::map<std::string, FileCodes> out;
  for (const auto& e : fs::directory_iterator(k_source / "content/instruments")) {
    if (e.path().extension() != ".json") continue;
    const bj::value doc = bj::parse(read_file(e.path()));
    out[std::string(doc.at("id").as_string())] = codes_of(e.path());
  }
  return out;
}

TEST(BuiltIn, EveryAssessmentRuleNamesACodeItsInstrumentDefines) {
  // A flag or band renamed in an instrument file would silently switch its alert off.
  const auto instruments = all_instruments();
  ASSERT_FALSE(instruments.empty());
  for (std::size_t i = 0; i < built_in().assessment.size(); ++i) {
    const auto& r = built_in().assessment[i];
    SCOPED_TRACE("assessment[" + std::to_string(i) + "] " + r.instrument);
    auto it = instruments.find(r.instrument);
    ASSERT_NE(it, instruments.end()) << "no content/instruments file with id " << r.instrument;
    if (r.flag) {
      EXPECT_EQ(it->second.flags.count(*r.flag), 1u)
          << r.instrument << " defines no flag " << *r.flag;
    }
    if (r.band) {
      EXPECT_EQ(it->second.bands.count(*r.band), 1u)
          << r.instrument << " defines no band " << *r.band;
    }
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST(BuiltIn, EveryCriticalFlagOfEveryInstrumentIsCovered) {
  // A critical flag with no rule is a risk the service would see on a report but never alert
  // on. Instruments whose rules key off bands (the C-SSRS) must cover every band but "none".
  const auto instruments = all_instruments();
  for (const auto& [id, codes] : instruments) {
    SCOPED_TRACE(id);
    std::set<std::string> flag_rules, band_rules;
    for (const auto& r : built_in().assessment) {
      if (r.instrument != id) continue;
      if (r.flag) flag_rules.insert(*r.flag);
      if (r.band) band_rules.insert(*r.band);
    }
    if (!band_rules.empty()) {
      for (const auto& b : codes.bands) {
        if (b == "none") continue;
        EXPECT_EQ(band_rules.count(b), 1u) << "band " << b << " has no rule";
      }
      continue;
    }
    for (const auto& f : codes.critical_flags) {
      EXPECT_EQ(flag_rules.count(f), 1u) << "critical flag " << f << " has no rule";
    }
  }
}

// ---- configuration: refusals, one per field ------------------------------------------------

TEST(Parse, RefusesWhatIsNotJsonOrNotAnObject) {
  auto r = RiskConfig::parse("{\"assessment\": [");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Validation);
  EXPECT_NE(r.error().detail.find("not JSON"), std::string::npos) << r.error().detail;

  auto list = RiskConfig::parse("[]");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().detail, "crisis rules: rules: must be an object");

  auto empty = RiskConfig::parse("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::Validation);
}

struct Refusal {
  const char* name;
  std::function<void(bj::object&)> edit;
  const char* field;  //!< the detail must read "crisis rules: <field>: …"
};

TEST(Parse, RefusesEachBadFieldNamingIt) {
  const std::vector<Refusal> cases = {
      {"assessment missing", [](bj::object& r) { r.erase("assessment"); }, "assessment"},
      {"assessment not a list", [](bj::object& r) { r["assessment"] = "phq-9"; }, "assessment"},
      {"assessment rule not an object", [](bj::object& r) { r["assessment"].as_array()[1] = 3; },
       "assessment[1]"},
      {"rule without instrument", [](bj::object& r) { rule_at(r, 0).erase("instrument"); },
       "assessment[0].instrument"},
      {"rule with an empty instrument", [](bj::object& r) { rule_at(r, 0)["instrument"] = ""; },
       "assessment[0].instrument"},
      {"rule with both flag and band", [](bj::object& r) { rule_at(r, 0)["band"] = "severe"; },
       "assessment[0]"},
      {"rule with neither flag nor band", [](bj::object& r) { rule_at(r, 0).erase("flag"); },
       "assessment[0]"},
      {"rule with an empty flag", [](bj::object& r) { rule_at(r, 0)["flag"] = ""; },
       "assessment[0].flag"},
      {"rule with a flag that is not text", [](bj::object& r) { rule_at(r, 0)["flag"] = 9; },
       "assessment[0].flag"},
      {"rule with an empty band", [](bj::object& r) { rule_at(r, 4)["band"] = ""; },
       "assessment[4].band"},
      {"rule with a bad level", [](bj::object& r) { rule_at(r, 2)["level"] = "urgent"; },
       "assessment[2].level"},
      {"rule with a capitalised level", [](bj::object& r) { rule_at(r, 2)["level"] = "High"; },
       "assessment[2].level"},
      {"rule without level", [](bj::object& r) { rule_at(r, 2).erase("level"); },
       "assessment[2].level"},
      {"rule without reason", [](bj::object& r) { rule_at(r, 3).erase("reason"); },
       "assessment[3].reason"},
      {"a misspelt top-level key", [](bj::object& r) { r["check_ins"] = bj::object(); },
       "check_ins"},
      {"a misspelt key in a rule", [](bj::object& r) { rule_at(r, 1)["levle"] = "high"; },
       "assessment[1].levle"},
      {"a misspelt check_in rule", [](bj::object& r) { r["check_in"].as_object()["mood"] = 1; },
       "check_in.mood"},
      {"a misspelt deadline", [](bj::object& r) { r["deadlines"].as_object()["urgent"] = "5m"; },
       "deadlines.urgent"},
      {"check_in not an object", [](bj::object& r) { r["check_in"] = bj::array(); }, "check_in"},
      {"self_harm_urge not a list",
       [](bj::object& r) { r["check_in"].as_object()["self_harm_urge"] = 8; },
       "check_in.self_harm_urge"},
      {"urge at_least 0",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[0].as_object()["at_least"] = 0;
       },
       "check_in.self_harm_urge[0].at_least"},
      {"urge at_least 6, above the check-in scale",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[1].as_object()["at_least"] = 6;
       },
       "check_in.self_harm_urge[1].at_least"},
      {"urge at_least as text",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[0].as_object()["at_least"] = "8";
       },
       "check_in.self_harm_urge[0].at_least"},
      {"urge at_least a fraction",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[0].as_object()["at_least"] = 7.5;
       },
       "check_in.self_harm_urge[0].at_least"},
      {"urge bad level",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[1].as_object()["level"] = "severe";
       },
       "check_in.self_harm_urge[1].level"},
      {"urge without reason",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[0].as_object().erase("reason");
       },
       "check_in.self_harm_urge[0].reason"},
      {"mood_drop points 0",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["points"] = 0; },
       "check_in.mood_drop.points"},
      {"mood_drop points 11",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["points"] = 11; },
       "check_in.mood_drop.points"},
      {"mood_drop within_days 0",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["within_days"] = 0; },
       "check_in.mood_drop.within_days"},
      {"mood_drop within_days 61",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["within_days"] = 61; },
       "check_in.mood_drop.within_days"},
      {"mood_drop min_previous 0",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["min_previous"] = 0; },
       "check_in.mood_drop.min_previous"},
      {"mood_drop bad level",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["level"] = "med"; },
       "check_in.mood_drop.level"},
      {"mood_drop without reason",
       [](bj::object& r) { r["check_in"].at("mood_drop").as_object().erase("reason"); },
       "check_in.mood_drop.reason"},
      {"messages without reason", [](bj::object& r) { r["messages"].as_object().erase("reason"); },
       "messages.reason"},
      {"messages without phrases",
       [](bj::object& r) { r["messages"].as_object().erase("phrases"); }, "messages.phrases"},
      {"phrase with no letters",
       [](bj::object& r) {
         r["messages"].at("phrases").as_array()[0].as_object()["phrase"] = " ?! ";
       },
       "messages.phrases[0].phrase"},
      {"phrase empty",
       [](bj::object& r) { r["messages"].at("phrases").as_array()[2].as_object()["phrase"] = ""; },
       "messages.phrases[2].phrase"},
      {"phrase bad level",
       [](bj::object& r) {
         r["messages"].at("phrases").as_array()[3].as_object()["level"] = "critical";
       },
       "messages.phrases[3].level"},
      {"help_now missing", [](bj::object& r) { r.erase("help_now"); }, "help_now"},
      {"help_now not an object", [](bj::object& r) { r["help_now"] = "imminent"; }, "help_now"},
      {"help_now bad level", [](bj::object& r) { r["help_now"].as_object()["level"] = "now"; },
       "help_now.level"},
      {"help_now without reason", [](bj::object& r) { r["help_now"].as_object().erase("reason"); },
       "help_now.reason"},
      {"deadlines missing", [](bj::object& r) { r.erase("deadlines"); }, "deadlines"},
      {"deadline 5x", [](bj::object& r) { r["deadlines"].as_object()["imminent"] = "5x"; },
       "deadlines.imminent"},
      {"deadline 0m", [](bj::object& r) { r["deadlines"].as_object()["high"] = "0m"; },
       "deadlines.high"},
      {"deadline empty", [](bj::object& r) { r["deadlines"].as_object()["moderate"] = ""; },
       "deadlines.moderate"},
      {"deadline without unit", [](bj::object& r) { r["deadlines"].as_object()["high"] = "15"; },
       "deadlines.high"},
      {"deadline unit only", [](bj::object& r) { r["deadlines"].as_object()["high"] = "m"; },
       "deadlines.high"},
      {"deadline negative", [](bj::object& r) { r["deadlines"].as_object()["high"] = "-5m"; },
       "deadlines.high"},
      {"deadline as a number", [](bj::object& r) { r["deadlines"].as_object()["high"] = 15; },
       "deadlines.high"},
      {"deadline for low missing", [](bj::object& r) { r["deadlines"].as_object().erase("low"); },
       "deadlines.low"},
      {"deadline misspelt", [](bj::object& r) { r["deadlines"].as_object()["low"] = "next_day"; },
       "deadlines.low"},
      {"working_days missing", [](bj::object& r) { r.erase("working_days"); }, "working_days"},
      {"working_days empty", [](bj::object& r) { r["working_days"] = bj::array(); },
       "working_days"},
      {"working day spelt out", [](bj::object& r) { r["working_days"].as_array()[0] = "monday"; },
       "working_days[0]"},
      {"working day capitalised", [](bj::object& r) { r["working_days"].as_array()[1] = "Tue"; },
       "working_days[1]"},
      {"working day as a number", [](bj::object& r) { r["working_days"].as_array()[0] = 1; },
       "working_days[0]"},
      {"working_day_start 9:00", [](bj::object& r) { r["working_day_start"] = "9:00"; },
       "working_day_start"},
      {"working_day_start 24:00", [](bj::object& r) { r["working_day_start"] = "24:00"; },
       "working_day_start"},
      {"working_day_start 09:60", [](bj::object& r) { r["working_day_start"] = "09:60"; },
       "working_day_start"},
      {"working_day_start 09.00", [](bj::object& r) { r["working_day_start"] = "09.00"; },
       "working_day_start"},
      {"working_day_start empty", [](bj::object& r) { r["working_day_start"] = ""; },
       "working_day_start"},
      {"working_day_start missing", [](bj::object& r) { r.erase("working_day_start"); },
       "working_day_start"},
      {"chain missing", [](bj::object& r) { r.erase("chain"); }, "chain"},
      {"chain empty", [](bj::object& r) { r["chain"] = bj::array(); }, "chain"},
      {"chain unknown step", [](bj::object& r) { r["chain"].as_array()[1] = "manager"; },
       "chain[1]"},
      {"chain step not text", [](bj::object& r) { r["chain"].as_array()[0] = 0; }, "chain[0]"},
      {"chain step twice", [](bj::object& r) { r["chain"].as_array()[3] = "on_call"; }, "chain[3]"},
      {"follow_ups missing", [](bj::object& r) { r.erase("follow_ups"); }, "follow_ups"},
      {"follow_up after_hours 0",
       [](bj::object& r) { r["follow_ups"].as_array()[0].as_object()["after_hours"] = 0; },
       "follow_ups[0].after_hours"},
      {"follow_up after_hours over 90 days",
       [](bj::object& r) { r["follow_ups"].as_array()[2].as_object()["after_hours"] = 2161; },
       "follow_ups[2].after_hours"},
      {"follow_up without label",
       [](bj::object& r) { r["follow_ups"].as_array()[1].as_object().erase("label"); },
       "follow_ups[1].label"},
      {"outcomes missing", [](bj::object& r) { r.erase("outcomes"); }, "outcomes"},
      {"outcomes empty",
       [](bj::object& r) {
         r["outcomes"] = bj::array();
         r["outcomes_needing_note"] = bj::array();
       },
       "outcomes"},
      {"outcome empty text", [](bj::object& r) { r["outcomes"].as_array()[2] = ""; },
       "outcomes[2]"},
      {"outcome not text", [](bj::object& r) { r["outcomes"].as_array()[0] = 1; }, "outcomes[0]"},
      {"outcomes_needing_note names an unknown outcome",
       [](bj::object& r) { r["outcomes_needing_note"].as_array()[1] = "sent_flowers"; },
       "outcomes_needing_note[1]"},
      {"outcomes_needing_note not a list",
       [](bj::object& r) { r["outcomes_needing_note"] = "other"; }, "outcomes_needing_note"},
      {"outcomes_needing_note entry not text",
       [](bj::object& r) { r["outcomes_needing_note"].as_array()[0] = true; },
       "outcomes_needing_note[0]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_edited(c.edit);
    ASSERT_FALSE(r) << "accepted";
    EXPECT_EQ(r.error().code, Errc::Validation);
    const std::string prefix = std::string("crisis rules: ") + c.field + ": ";
    EXPECT_EQ(r.error().detail.rfind(prefix, 0), 0u)
        << "detail \"" << r.error().detail << "\" does not name " << c.field;
  }
}

TEST(Parse, AcceptsEachBoundaryValue) {
  struct Accepted {
    const char* name;
    std::function<void(bj::object&)> edit;
  };
  const std::vector<Accepted> cases = {
      {"urge at_least 1",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[1].as_object()["at_least"] = 1;
       }},
      {"urge at_least 5",
       [](bj::object& r) {
         r["check_in"].at("self_harm_urge").as_array()[0].as_object()["at_least"] = 5;
       }},
      {"mood_drop points 1, within_days 60, min_previous 60",
       [](bj::object& r) {
         auto& m = r["check_in"].at("mood_drop").as_object();
         m["points"] = 1;
         m["within_days"] = 60;
         m["min_previous"] = 60;
       }},
      {"deadline 1m", [](bj::object& r) { r["deadlines"].as_object()["imminent"] = "1m"; }},
      {"deadline 2d", [](bj::object& r) { r["deadlines"].as_object()["low"] = "2d"; }},
      {"deadline 99999m", [](bj::object& r) { r["deadlines"].as_object()["low"] = "99999m"; }},
      {"next_working_day for high",
       [](bj::object& r) { r["deadlines"].as_object()["high"] = "next_working_day"; }},
      {"working_day_start 00:00", [](bj::object& r) { r["working_day_start"] = "00:00"; }},
      {"working_day_start 23:59", [](bj::object& r) { r["working_day_start"] = "23:59"; }},
      {"every day a working day",
       [](bj::object& r) {
         r["working_days"] = bj::array{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
       }},
      {"one-link chain", [](bj::object& r) { r["chain"] = bj::array{"supervisor"}; }},
      {"follow_up after_hours 1",
       [](bj::object& r) { r["follow_ups"].as_array()[0].as_object()["after_hours"] = 1; }},
      {"follow_up after_hours 2160",
       [](bj::object& r) { r["follow_ups"].as_array()[2].as_object()["after_hours"] = 2160; }},
      {"no follow-ups", [](bj::object& r) { r["follow_ups"] = bj::array(); }},
      {"no outcomes_needing_note", [](bj::object& r) { r.erase("outcomes_needing_note"); }},
      {"no check_in and no messages",
       [](bj::object& r) {
         r.erase("check_in");
         r.erase("messages");
       }},
      {"no assessment rules", [](bj::object& r) { r["assessment"] = bj::array(); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_edited(c.edit);
    EXPECT_TRUE(r) << r.error().detail;
  }
}

TEST(Parse, ReadsSpansAndSortsUrgeThresholdsMostSevereFirst) {
  const RiskConfig cfg = config_with([](bj::object& r) {
    r["deadlines"] = bj::object{
        {"imminent", "1m"}, {"high", "2h"}, {"moderate", "3d"}, {"low", "next_working_day"}};
    auto& urge = r["check_in"].as_object()["self_harm_urge"].as_array();
    std::swap(urge[0], urge[1]);  // 3 before 4 in the file
  });
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::Imminent)].after, minutes(1));
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::High)].after, minutes(120));
  EXPECT_EQ(cfg.deadlines[static_cast<int>(Level::Moderate)].after, minutes(3 * 24 * 60));
  ASSERT_EQ(cfg.self_harm_urge.size(), 2u);
  EXPECT_EQ(cfg.self_harm_urge[0].at_least, 4);
  EXPECT_EQ(cfg.self_harm_urge[1].at_least, 3);
  // Sorted, 3 still reads as moderate and 4 as high.
  CheckIn c;
  c.self_harm_urge = 3;
  EXPECT_EQ(signal_from_check_in(c, cfg)->level, Level::Moderate);
  c.self_harm_urge = 4;
  EXPECT_EQ(signal_from_check_in(c, cfg)->level, Level::High);
}

// ---- names ---------------------------------------------------------------------------------

TEST(Names, RoundTripAndRefuseUnknown) {
  for (Level l : {Level::Low, Level::Moderate, Level::High, Level::Imminent}) {
    EXPECT_EQ(parse_level(level_name(l)), l);
  }
  EXPECT_EQ(level_name(Level::Imminent), "imminent");
  EXPECT_FALSE(parse_level("critical"));
  EXPECT_FALSE(parse_level("HIGH"));
  EXPECT_FALSE(parse_level(""));
  for (Source s :
       {Source::Assessment, Source::CheckIn, Source::Message, Source::HelpNow, Source::Clinician}) {
    EXPECT_EQ(parse_source(source_name(s)), s);
  }
  EXPECT_EQ(source_name(Source::CheckIn), "checkin");
  EXPECT_FALSE(parse_source("check_in"));
  for (Step s : {Step::PrimaryClinician, Step::CareTeam, Step::OnCall, Step::Supervisor}) {
    EXPECT_EQ(parse_step(step_name(s)), s);
  }
  EXPECT_FALSE(parse_step("manager"));
  for (int d = 0; d < 7; ++d) EXPECT_EQ(day_number(day_name(d)), d);
  EXPECT_EQ(day_name(0), "sun");
  EXPECT_EQ(day_name(6), "sat");
  EXPECT_EQ(day_name(7), "sun");
  EXPECT_EQ(day_name(-1), "sat");
  EXPECT_FALSE(day_number("Sun"));
  EXPECT_FALSE(day_number("sunday"));
}

TEST(Names, MinutesOfEveryBoundary) {
  const std::vector<std::pair<const char*, std::optional<int>>> cases = {
      {"00:00", 0},
      {"09:00", 540},
      {"23:59", 1439},
      {"12:30", 750},
      {"24:00", std::nullopt},
      {"23:60", std::nullopt},
      {"9:00", std::nullopt},
      {"09:0", std::nullopt},
      {"09-00", std::nullopt},
      {"ab:cd", std::nullopt},
      {"", std::nullopt},
      {"009:00", std::nullopt},
      {" 9:00", std::nullopt},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(minutes_of(text), want);
  }
}

// ---- assessments ---------------------------------------------------------------------------

struct ExpectedRule {
  const char* instrument;
  const char* flag;  //!< or nullptr
  const char* band;  //!< or nullptr
  Level level;
  const char* rule;
};

//! Every assessment rule the service ships, at its level. A rule added to risk.json without a
//! row here fails EveryBuiltInRuleIsInTheTable.
const std::vector<ExpectedRule> k_expected_rules = {
    {"phq-9", "suicidal_ideation", nullptr, Level::High, "phq-9.suicidal_ideation"},
    {"phq-a", "suicidal_ideation", nullptr, Level::High, "phq-a.suicidal_ideation"},
    {"phq-a", "suicidal_thoughts_past_month", nullptr, Level::High,
     "phq-a.suicidal_thoughts_past_month"},
    {"phq-a", "lifetime_suicide_attempt", nullptr, Level::Moderate,
     "phq-a.lifetime_suicide_attempt"},
    {"cssrs-screener", nullptr, "high", Level::Imminent, "cssrs-screener.band.high"},
    {"cssrs-screener", nullptr, "moderate", Level::High, "cssrs-screener.band.moderate"},
    {"cssrs-screener", nullptr, "low", Level::Moderate, "cssrs-screener.band.low"},
    {"cssrs-screener-slc", nullptr, "high", Level::Imminent, "cssrs-screener-slc.band.high"},
    {"cssrs-screener-slc", nullptr, "moderate", Level::High, "cssrs-screener-slc.band.moderate"},
    {"cssrs-screener-slc", nullptr, "low", Level::Moderate, "cssrs-screener-slc.band.low"},
    {"epds", "self_harm_thoughts", nullptr, Level::High, "epds.self_harm_thoughts"},
    {"core-10", "risk_item", nullptr, Level::High, "core-10.risk_item"},
};

TEST(Assessment, EveryBuiltInRuleAtItsLevel) {
  for (const auto& e : k_expected_rules) {
    SCOPED_TRACE(e.rule);
    ScoredMeasure m;
    m.assessment_id = "as_1";
    m.instrument_id = e.instrument;
    if (e.flag != nullptr) m.flags = {e.flag};
    if (e.band != nullptr) m.band = e.band;
    const auto signals = signals_from_assessment(m, built_in());
    ASSERT_EQ(signals.size(), 1u);
    const Signal& s = signals.front();
    EXPECT_EQ(s.level, e.level);
    EXPECT_EQ(s.rule, e.rule);
    EXPECT_EQ(s.source, Source::Assessment);
    EXPECT_EQ(s.ref_id, "as_1");
    EXPECT_FALSE(s.reason.empty());
  }
}

TEST(Assessment, EveryBuiltInRuleIsInTheTable) {
  ASSERT_EQ(built_in().assessment.size(), k_expected_rules.size());
  for (const auto& r : built_in().assessment) {
    SCOPED_TRACE(r.instrument + "." + r.flag.value_or("band." + r.band.value_or("?")));
    const bool found = std::any_of(k_expected_rules.begin(), k_expected_rules.end(), [&](auto& e) {
      return r.instrument == e.instrument && r.level == e.level &&
             r.flag == (e.flag ? std::optional<std::string>(e.flag) : std::nullopt) &&
             r.band == (e.band ? std::optional<std::string>(e.band) : std::nullopt);
    });
    EXPECT_TRUE(found) << "a rule (or its level) changed without a test";
  }
}

TEST(Assessment, ReasonIsTheRulesOwn) {
  ScoredMeasure m{"as_9", "phq-9", "severe", {"suicidal_ideation"}};
  const auto signals = signals_from_assessment(m, built_in());
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].reason, built_in().assessment[0].reason);
  EXPECT_NE(signals[0].reason.find("PHQ-9 item 9"), std::string::npos);
}

TEST(Assessment, ResultsThatRaiseNothing) {
  struct Case {
    const char* name;
    const char* instrument;
    std::optional<std::string> band;
    std::vector<std::string> flags;
  };
  const std::vector<Case> cases = {
      {"PHQ-9 severe without item 9", "phq-9", "severe", {}},
      {"PHQ-9 minimal", "phq-9", "minimal", {}},
      {"PHQ-A severe without a flag", "phq-a", "severe", {}},
      {"C-SSRS band none", "cssrs-screener", "none", {}},
      {"C-SSRS without a band", "cssrs-screener", std::nullopt, {}},
      {"C-SSRS (since last contact) band none", "cssrs-screener-slc", "none", {}},
      {"C-SSRS alerts by band, not by its flags",
       "cssrs-screener",
       "none",
       {"suicidal_ideation", "suicidal_intent"}},
      {"EPDS probable depression without item 10", "epds", "probable", {}},
      {"CORE-10 severe without the risk item", "core-10", "severe", {}},
      {"CORE-10 risk item unanswered is a warning, not an alert",
       "core-10",
       "low",
       {"risk_item_unanswered"}},
      {"AUDIT zone 4 and both of its flags",
       "audit",
       "zone_4",
       {"next_level_dependence", "harm_item"}},
      {"CRAFFT car risk", "crafft", "higher_risk", {"car_risk"}},
      {"PCL-5 provisional PTSD", "pcl-5", "probable_ptsd", {"dsm5_provisional_ptsd"}},
      {"WHO-5 poor wellbeing", "who-5", "low_wellbeing", {"poor_wellbeing"}},
      {"K10 very high", "k10", "very_high", {}},
      {"GAD-7 severe", "gad-7", "severe", {}},
      {"PHQ-9's flag code on another instrument", "phq-2", "positive", {"suicidal_ideation"}},
      {"a band code that is a C-SSRS band, on another instrument", "k10", "high", {}},
      {"instrument ids match exactly", "PHQ-9", std::nullopt, {"suicidal_ideation"}},
      {"flag codes match exactly", "phq-9", std::nullopt, {"Suicidal_Ideation"}},
      {"unknown instrument", "xyz", "high", {"suicidal_ideation"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ScoredMeasure m{"as_2", c.instrument, c.band, c.flags};
    EXPECT_TRUE(signals_from_assessment(m, built_in()).empty());
  }
}

TEST(Assessment, BandsRaiseOneSignalWhateverFlagsCameWithThem) {
  ScoredMeasure m{"as_3",
                  "cssrs-screener",
                  "high",
                  {"suicidal_ideation", "suicidal_method", "suicidal_intent", "suicidal_plan",
                   "suicidal_behaviour_recent"}};
  const auto signals = signals_from_assessment(m, built_in());
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].level, Level::Imminent);
}

TEST(Assessment, PhqAAllThreeFlagsMostUrgentFirst) {
  ScoredMeasure m{
      "as_4",
      "phq-a",
      "moderate",
      {"lifetime_suicide_attempt", "suicidal_ideation", "suicidal_thoughts_past_month"}};
  const auto signals = signals_from_assessment(m, built_in());
  ASSERT_EQ(signals.size(), 3u);
  EXPECT_EQ(signals[0].level, Level::High);
  EXPECT_EQ(signals[1].level, Level::High);
  EXPECT_EQ(signals[2].level, Level::Moderate);
  EXPECT_EQ(signals[2].rule, "phq-a.lifetime_suicide_attempt");
  EXPECT_EQ(most_urgent(signals).rule, signals[0].rule);
}

TEST(Assessment, SeveralSignalsSortedMostUrgentFirstTiesInFileOrder) {
  const RiskConfig cfg = config_with([](bj::object& r) {
    auto rule = [](const char* flag, const char* level) {
      return bj::object{{"instrument", "test"},
                        {"flag", flag},
                        {"level", level},
                        {"reason", std::string("because ") + flag}};
    };
    r["assessment"] = bj::array{rule("a", "low"), rule("b", "imminent"), rule("c", "moderate"),
                                rule("d", "imminent"), rule("e", "high")};
  });
  ScoredMeasure m{"as_5", "test", std::nullopt, {"e", "d", "c", "b", "a"}};
  const auto signals = signals_from_assessment(m, cfg);
  std::vector<std::string> rules;
  for (const auto& s : signals) rules.push_back(s.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"test.b", "test.d", "test.e", "test.c", "test.a"}));
  EXPECT_EQ(signals[0].reason, "because b");
}

// ---- check-ins -----------------------------------------------------------------------------

struct CheckInCase {
  const char* name;
  std::optional<int> urge;
  std::optional<int> mood;
  std::vector<int> previous;
  std::optional<Level> level;  //!< none: no signal
  const char* rule;
  const char* reason_has;
};

TEST(CheckIn, EveryThresholdAndBoundary) {
  const std::vector<CheckInCase> cases = {
      {"urge 0", 0, std::nullopt, {}, std::nullopt, "", ""},
      {"urge 2, one under moderate", 2, std::nullopt, {}, std::nullopt, "", ""},
      {"urge 3, the moderate threshold",
       3,
       std::nullopt,
       {},
       Level::Moderate,
       "check_in.self_harm_urge.3",
       "urge to self-harm rated 3 of 5"},
      {"urge 4, the high threshold",
       4,
       std::nullopt,
       {},
       Level::High,
       "check_in.self_harm_urge.4",
       "rated 4 of 5"},
      {"urge 5, the top",
       5,
       std::nullopt,
       {},
       Level::High,
       "check_in.self_harm_urge.4",
       "rated 5 of 5"},
      {"nothing asked", std::nullopt, std::nullopt, {}, std::nullopt, "", ""},
      {"nothing asked, with a history",
       std::nullopt,
       std::nullopt,
       {9, 9, 9},
       std::nullopt,
       "",
       ""},
      {"mood with no history", std::nullopt, 0, {}, std::nullopt, "", ""},
      {"mood drop exactly 4.0 points",
       std::nullopt,
       4,
       {8, 8, 8},
       Level::Moderate,
       "check_in.mood_drop",
       "mood 4 of 10, 4.0 below"},
      {"mood drop 3.9 points",
       std::nullopt,
       4,
       {8, 8, 8, 8, 8, 8, 8, 8, 8, 7},
       std::nullopt,
       "",
       ""},
      {"mood drop 4.1 points",
       std::nullopt,
       4,
       {8, 8, 8, 8, 8, 8, 8, 8, 8, 9},
       Level::Moderate,
       "check_in.mood_drop",
       "4.1 below"},
      {"mood drop 3.0 points", std::nullopt, 5, {8, 8, 8}, std::nullopt, "", ""},
      {"mood drop of the whole scale",
       std::nullopt,
       0,
       {10, 10, 10},
       Level::Moderate,
       "check_in.mood_drop",
       "mood 0 of 10, 10.0 below"},
      {"mood drop against an uneven mean (7.67 - 3)",
       std::nullopt,
       3,
       {7, 8, 8},
       Level::Moderate,
       "check_in.mood_drop",
       "4.7 below"},
      {"mood drop, two previous of the three needed",
       std::nullopt,
       0,
       {10, 10},
       std::nullopt,
       "",
       ""},
      {"mood rises", std::nullopt, 9, {2, 2, 2}, std::nullopt, "", ""},
      {"mood steady", std::nullopt, 6, {6, 6, 6}, std::nullopt, "", ""},
      {"high urge and a mood drop: the urge",
       5,
       1,
       {8, 8, 8},
       Level::High,
       "check_in.self_harm_urge.4",
       "rated 5 of 5"},
      {"moderate urge and a moderate mood drop: the urge, first at that level",
       3,
       1,
       {8, 8, 8},
       Level::Moderate,
       "check_in.self_harm_urge.3",
       "rated 3 of 5"},
      {"urge 2 and a mood drop: the mood drop",
       2,
       1,
       {8, 8, 8},
       Level::Moderate,
       "check_in.mood_drop",
       "mood 1 of 10, 7.0 below"},
      {"urge 4 and no drop", 4, 7, {8, 8, 8}, Level::High, "check_in.self_harm_urge.4", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    CheckIn in;
    in.id = "ci_1";
    in.self_harm_urge = c.urge;
    in.mood = c.mood;
    in.previous_moods = c.previous;
    const auto s = signal_from_check_in(in, built_in());
    if (!c.level) {
      EXPECT_FALSE(s) << "raised " << s->rule;
      continue;
    }
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, *c.level);
    EXPECT_EQ(s->rule, c.rule);
    EXPECT_EQ(s->source, Source::CheckIn);
    EXPECT_EQ(s->ref_id, "ci_1");
    EXPECT_NE(s->reason.find(c.reason_has), std::string::npos) << s->reason;
    EXPECT_EQ(s->reason.find('{'), std::string::npos) << "placeholder left: " << s->reason;
  }
}

TEST(CheckIn, AMoreUrgentMoodDropWinsOverAnEarlierUrge) {
  const RiskConfig cfg = config_with(
      [](bj::object& r) { r["check_in"].at("mood_drop").as_object()["level"] = "high"; });
  CheckIn in{"ci_2", 3, 1, {8, 8, 8}};
  const auto s = signal_from_check_in(in, cfg);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->rule, "check_in.mood_drop");
  EXPECT_EQ(s->level, Level::High);
}

TEST(CheckIn, NoRulesConfiguredNothingRaised) {
  const RiskConfig cfg = config_with([](bj::object& r) { r.erase("check_in"); });
  CheckIn in{"ci_3", 5, 0, {10, 10, 10}};
  EXPECT_FALSE(signal_from_check_in(in, cfg));
}

// ---- messages ------------------------------------------------------------------------------

TEST(Normalize, EveryKindOfCharacter) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"I Can't GO ON", "i cant go on"},
      {"can’t go on", "cant go on"},  // U+2019
      {"can‘t", "cant"},              // U+2018
      {"canʼt", "cant"},              // U+02BC
      {"can`t", "cant"},
      {"can´t", "cant"},  // U+00B4, German keyboards
      {"  hello,   world!!  ", "hello world"},
      {"one\ttwo\nthree\r\nfour", "one two three four"},
      {"self-harm", "self harm"},
      {"24/7", "24 7"},
      {"Café ÉTÉ naïve", "café été naïve"},
      {"ÀÖØÞ", "àöøþ"},
      {"Straße", "straße"},
      {"Москва", "Москва"},  // kept as it is: part of a word
      {"2×3÷4", "2 3 4"},
      {"“quoted”", "quoted"},
      {"die—really", "die really"},  // em dash
      {"die–really", "die really"},  // en dash
      {"go on…", "go on"},           // ellipsis
      {"die😢", "die"},
      {"❤️ you", "you"},                // U+2764 U+FE0F
      {"kill\u00A0myself", "kill myself"},  // no-break space
      {"kill\u200Bmyself", "kill myself"},  // zero-width space
      {"kill\u3000myself", "kill myself"},  // ideographic space
      {"«non» ¿qué?", "non qué"},
      {"kill\xFFmyself", "kill myself"},  // a stray byte
      {"die\xE2\x80", "die"},             // a truncated sequence
      {"\xC0\xAF", ""},                   // an overlong '/'
      {"", ""},
      {"?!… —", ""},
      {"'''", ""},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    EXPECT_EQ(normalize_text(text), want);
  }
}

TEST(Normalize, EveryBuiltInPhraseIsStoredNormalized) {
  for (const auto& p : built_in().phrases) {
    SCOPED_TRACE(p.phrase);
    EXPECT_EQ(p.normalized, normalize_text(p.phrase));
    EXPECT_FALSE(p.normalized.empty());
  }
}

struct ScreenCase {
  const char* name;
  std::string text;
  std::optional<Level> level;
  const char* phrase;  //!< quoted in the reason
};

TEST(Screen, WholeWordsMostUrgentFirst) {
  const std::vector<ScreenCase> cases = {
      {"a phrase mid-sentence", "Some days I want to kill myself, honestly", Level::High,
       "kill myself"},
      {"a phrase at the start", "Kill myself is what I think about", Level::High, "kill myself"},
      {"a phrase at the end", "sometimes I think I should kill myself", Level::High, "kill myself"},
      {"the phrase alone", "kill myself", Level::High, "kill myself"},
      {"shouted", "KILL MYSELF!!!", Level::High, "kill myself"},
      {"repeated spaces", "kill    myself", Level::High, "kill myself"},
      {"across a line break", "I could kill\nmyself", Level::High, "kill myself"},
      {"straight apostrophe", "I can't go on", Level::Moderate, "cant go on"},
      {"curly apostrophe", "I can’t go on", Level::Moderate, "cant go on"},
      {"no apostrophe", "i cant go on", Level::Moderate, "cant go on"},
      {"hyphenated", "the self-harm is back", Level::Moderate, "self harm"},
      {"a low phrase", "I feel hopeless", Level::Low, "hopeless"},
      {"low and high: high", "hopeless, I want to die", Level::High, "want to die"},
      {"moderate then high: high", "I can't go on. I want to end my life.", Level::High,
       "end my life"},
      {"low and moderate: moderate", "hopeless, I might hurt myself", Level::Moderate,
       "hurt myself"},
      {"two high: the first in the watch list", "overdose or suicide", Level::High, "suicide"},
      {"in curly double quotes", "I said “I want to die” to her", Level::High, "want to die"},
      {"before an em dash", "I want to die—really", Level::High, "want to die"},
      {"before an ellipsis", "I can’t go on…", Level::Moderate, "cant go on"},
      {"before an emoji", "want to die😢", Level::High, "want to die"},
      {"with a no-break space", "kill\u00A0myself", Level::High, "kill myself"},
      {"a longer word is not the word: overdosed", "I overdosed on coffee", std::nullopt, ""},
      {"a longer word is not the word: suicides", "a film about suicides", std::nullopt, ""},
      {"a longer word is not the word: hopelessness", "hopelessness", std::nullopt, ""},
      {"a word containing the first word", "the skill myself approach", std::nullopt, ""},
      {"a word containing the last word", "want to dive", std::nullopt, ""},
      {"words apart", "kill the spider myself", std::nullopt, ""},
      {"nothing on the list", "Had a good day at the park", std::nullopt, ""},
      {"empty", "", std::nullopt, ""},
      {"only spaces and punctuation", "  ...  ", std::nullopt, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto s = screen_message(c.text, "msg_7", built_in());
    if (!c.level) {
      EXPECT_FALSE(s) << "matched: " << s->reason;
      continue;
    }
    ASSERT_TRUE(s);
    EXPECT_EQ(s->level, *c.level);
    EXPECT_EQ(s->source, Source::Message);
    EXPECT_EQ(s->rule, "message.phrase");
    EXPECT_EQ(s->ref_id, "msg_7");
    EXPECT_NE(s->reason.find(std::string("\"") + c.phrase + "\""), std::string::npos) << s->reason;
    EXPECT_EQ(s->reason.find("{phrase}"), std::string::npos);
  }
}

TEST(Screen, EveryBuiltInPhraseMatchesAtItsLevelWhereverItStands) {
  for (const auto& p : built_in().phrases) {
    SCOPED_TRACE(p.phrase);
    for (const std::string& text :
         {p.phrase, "Honestly " + p.phrase + " today", "… " + p.phrase + "!", "“" + p.phrase + "”",
          p.phrase + "\xF0\x9F\x98\xA2"}) {
      SCOPED_TRACE(text);
      const auto s = screen_message(text, "msg_1", built_in());
      ASSERT_TRUE(s);
      EXPECT_EQ(s->level, p.level);
    }
  }
}

TEST(Screen, ReasonQuotesThePhraseNotTheMessage) {
  const auto s = screen_message("my secret diary: I want to die", "msg_2", built_in());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->reason.find("secret diary"), std::string::npos);
  std::string want = built_in().message_reason;
  want.replace(want.find("{phrase}"), 8, "want to die");
  EXPECT_EQ(s->reason, want);
}

TEST(Screen, NoPhrasesConfiguredNothingMatches) {
  const RiskConfig cfg = config_with([](bj::object& r) { r.erase("messages"); });
  EXPECT_FALSE(screen_message("I want to kill myself", "msg_3", cfg));
}

// ---- help now and by hand ------------------------------------------------------------------

TEST(HelpNow, ImminentWithTheConfiguredReason) {
  const Signal s = help_now(built_in());
  EXPECT_EQ(s.level, Level::Imminent);
  EXPECT_EQ(s.source, Source::HelpNow);
  EXPECT_EQ(s.rule, "help_now");
  EXPECT_EQ(s.reason, built_in().help_now_reason);
  EXPECT_NE(s.reason.find("I need help now"), std::string::npos);
  EXPECT_TRUE(s.ref_id.empty());
}

TEST(HelpNow, FollowsTheConfiguredLevel) {
  const RiskConfig cfg =
      config_with([](bj::object& r) { r["help_now"].as_object()["level"] = "high"; });
  EXPECT_EQ(help_now(cfg).level, Level::High);
}

TEST(RaisedByHand, KeepsLevelAndReason) {
  for (Level l : {Level::Low, Level::Moderate, Level::High, Level::Imminent}) {
    SCOPED_TRACE(std::string(level_name(l)));
    const Signal s = raised_by_hand(l, "Told the receptionist they have a plan.");
    EXPECT_EQ(s.level, l);
    EXPECT_EQ(s.reason, "Told the receptionist they have a plan.");
    EXPECT_EQ(s.source, Source::Clinician);
    EXPECT_EQ(s.rule, "clinician");
    EXPECT_TRUE(s.ref_id.empty());
  }
}

TEST(MostUrgent, HighestLevelFirstAtThatLevel) {
  auto sig = [](Level l, const char* rule) {
    Signal s;
    s.level = l;
    s.rule = rule;
    return s;
  };
  EXPECT_EQ(most_urgent({sig(Level::Low, "a")}).rule, "a");
  EXPECT_EQ(most_urgent({sig(Level::Low, "a"), sig(Level::High, "b"), sig(Level::High, "c"),
                         sig(Level::Moderate, "d")})
                .rule,
            "b");
  EXPECT_EQ(most_urgent({sig(Level::Moderate, "a"), sig(Level::Imminent, "b")}).rule, "b");
  EXPECT_EQ(most_urgent({sig(Level::Imminent, "a"), sig(Level::Imminent, "b")}).rule, "a");
  EXPECT_THROW(most_urgent({}), std::invalid_argument);
}

// ---- deadlines -----------------------------------------------------------------------------

TEST(UtcClock, ConvertsBothWays) {
  struct Case {
    TimePoint t;
    int y, m, d, minute, weekday;
  };
  const std::vector<Case> cases = {
      {at(1970, 1, 1, 0, 0), 1970, 1, 1, 0, 4},
      {at(1969, 12, 31, 23, 59, 59), 1969, 12, 31, 1439, 3},
      {at(2026, 1, 2, 17, 0), 2026, 1, 2, 1020, 5},
      {at(2026, 1, 4, 23, 59, 59, 999), 2026, 1, 4, 1439, 0},
      {at(2026, 1, 5, 0, 0), 2026, 1, 5, 0, 1},
      {at(2028, 2, 29, 12, 0), 2028, 2, 29, 720, 2},
      {at(2026, 12, 31, 18, 0), 2026, 12, 31, 1080, 4},
  };
  const LocalClock utc = utc_clock();
  for (const auto& c : cases) {
    SCOPED_TRACE(show(c.t));
    int y = 0, m = 0, d = 0, minute = 0, weekday = 0;
    utc.to_local(c.t, y, m, d, minute, weekday);
    EXPECT_EQ(y, c.y);
    EXPECT_EQ(m, c.m);
    EXPECT_EQ(d, c.d);
    EXPECT_EQ(minute, c.minute);
    EXPECT_EQ(weekday, c.weekday);
    EXPECT_EQ(utc.from_local(y, m, d, minute), at(c.y, c.m, c.d, minute / 60, minute % 60));
  }
}

struct DeadlineCase {
  const char* name;
  Level level;
  TimePoint from;
  TimePoint want;
};

TEST(AckDeadline, EveryLevelAndWorkingDayBoundary) {
  // January 2026: Friday 2, Saturday 3, Sunday 4, Monday 5, Tuesday 6.
  const std::vector<DeadlineCase> cases = {
      {"imminent: 5 minutes", Level::Imminent, at(2026, 1, 2, 17, 0, 30, 250),
       at(2026, 1, 2, 17, 5, 30, 250)},
      {"imminent at night, at the weekend: still 5 minutes", Level::Imminent, at(2026, 1, 3, 3, 0),
       at(2026, 1, 3, 3, 5)},
      {"high: 15 minutes", Level::High, at(2026, 1, 2, 17, 0, 30, 250),
       at(2026, 1, 2, 17, 15, 30, 250)},
      {"high across midnight", Level::High, at(2026, 1, 4, 23, 50), at(2026, 1, 5, 0, 5)},
      {"moderate: 4 hours", Level::Moderate, at(2026, 1, 2, 17, 0, 30, 250),
       at(2026, 1, 2, 21, 0, 30, 250)},
      {"moderate across the year", Level::Moderate, at(2026, 12, 31, 22, 0), at(2027, 1, 1, 2, 0)},
      {"low, Friday 17:00: Monday 09:00", Level::Low, at(2026, 1, 2, 17, 0), at(2026, 1, 5, 9, 0)},
      {"low, Friday 09:00: Monday 09:00", Level::Low, at(2026, 1, 2, 9, 0), at(2026, 1, 5, 9, 0)},
      {"low, Friday 08:59: Friday 09:00", Level::Low, at(2026, 1, 2, 8, 59), at(2026, 1, 2, 9, 0)},
      {"low, Saturday: Monday 09:00", Level::Low, at(2026, 1, 3, 12, 0), at(2026, 1, 5, 9, 0)},
      {"low, Saturday 08:00: Monday, not Saturday", Level::Low, at(2026, 1, 3, 8, 0),
       at(2026, 1, 5, 9, 0)},
      {"low, Sunday 23:59:59: Monday 09:00", Level::Low, at(2026, 1, 4, 23, 59, 59, 999),
       at(2026, 1, 5, 9, 0)},
      {"low, Monday 00:00: Monday 09:00", Level::Low, at(2026, 1, 5, 0, 0), at(2026, 1, 5, 9, 0)},
      {"low, Monday 08:59: Monday 09:00", Level::Low, at(2026, 1, 5, 8, 59), at(2026, 1, 5, 9, 0)},
      {"low, Monday 08:59:59.999: Monday 09:00", Level::Low, at(2026, 1, 5, 8, 59, 59, 999),
       at(2026, 1, 5, 9, 0)},
      {"low, Monday 09:00: Tuesday 09:00", Level::Low, at(2026, 1, 5, 9, 0), at(2026, 1, 6, 9, 0)},
      {"low, Monday 23:59: Tuesday 09:00", Level::Low, at(2026, 1, 5, 23, 59),
       at(2026, 1, 6, 9, 0)},
      {"low, Thursday 2026-12-31 18:00: Friday 2027-01-01 09:00", Level::Low,
       at(2026, 12, 31, 18, 0), at(2027, 1, 1, 9, 0)},
      {"low, Friday 2026-02-27 17:00: Monday 2026-03-02 09:00", Level::Low, at(2026, 2, 27, 17, 0),
       at(2026, 3, 2, 9, 0)},
      {"low, Monday 2028-02-28 10:00: Tuesday 2028-02-29 09:00 (leap day)", Level::Low,
       at(2028, 2, 28, 10, 0), at(2028, 2, 29, 9, 0)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const TimePoint got = ack_deadline(c.level, c.from, built_in(), utc_clock());
    EXPECT_EQ(got, c.want) << show(got) << " instead of " << show(c.want);
  }
}

TEST(AckDeadline, CustomWorkingDaysIncludingSunday) {
  const RiskConfig cfg = config_with([](bj::object& r) {
    r["working_days"] = bj::array{"sun", "wed"};
    r["working_day_start"] = "08:30";
  });
  // January 2026: Saturday 3, Sunday 4, Monday 5, Wednesday 7, Sunday 11.
  const std::vector<DeadlineCase> cases = {
      {"Saturday: Sunday 08:30", Level::Low, at(2026, 1, 3, 10, 0), at(2026, 1, 4, 8, 30)},
      {"Sunday 08:29: Sunday 08:30", Level::Low, at(2026, 1, 4, 8, 29), at(2026, 1, 4, 8, 30)},
      {"Sunday 08:30: Wednesday 08:30", Level::Low, at(2026, 1, 4, 8, 30), at(2026, 1, 7, 8, 30)},
      {"Monday 08:00, not a working day: Wednesday 08:30", Level::Low, at(2026, 1, 5, 8, 0),
       at(2026, 1, 7, 8, 30)},
      {"Wednesday 12:00: Sunday 08:30", Level::Low, at(2026, 1, 7, 12, 0), at(2026, 1, 11, 8, 30)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const TimePoint got = ack_deadline(c.level, c.from, cfg, utc_clock());
    EXPECT_EQ(got, c.want) << show(got) << " instead of " << show(c.want);
  }
}

TEST(AckDeadline, EveryDayAWorkingDayStartingAtMidnight) {
  const RiskConfig cfg = config_with([](bj::object& r) {
    r["working_days"] = bj::array{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    r["working_day_start"] = "00:00";
  });
  // Nothing is before 00:00, so always the next day's midnight.
  EXPECT_EQ(ack_deadline(Level::Low, at(2026, 1, 3, 0, 0), cfg, utc_clock()), at(2026, 1, 4, 0, 0));
  EXPECT_EQ(ack_deadline(Level::Low, at(2026, 1, 3, 23, 59), cfg, utc_clock()),
            at(2026, 1, 4, 0, 0));
}

TEST(AckDeadline, NextWorkingDayOnAnyLevelAndSpansOnLow) {
  const RiskConfig cfg = config_with([](bj::object& r) {
    r["deadlines"].as_object()["moderate"] = "next_working_day";
    r["deadlines"].as_object()["low"] = "2d";
  });
  EXPECT_EQ(ack_deadline(Level::Moderate, at(2026, 1, 2, 17, 0), cfg, utc_clock()),
            at(2026, 1, 5, 9, 0));
  EXPECT_EQ(ack_deadline(Level::Low, at(2026, 1, 2, 17, 0), cfg, utc_clock()),
            at(2026, 1, 4, 17, 0));
}

// ---- the escalation chain (golden cases) ---------------------------------------------------

std::vector<std::string> strings(const bj::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

std::vector<Step> steps(const bj::value& v) {
  std::vector<Step> out;
  for (const auto& s : v.as_array()) {
    auto step = parse_step(s.as_string());
    if (!step) throw std::runtime_error("unknown step in chain.json");
    out.push_back(*step);
  }
  return out;
}

TEST(Route, GoldenCases) {
  const bj::value doc = bj::parse(read_file(k_source / "tests/crisis/cases/chain.json"));
  const std::vector<Step> default_chain = steps(doc.at("chain"));
  EXPECT_EQ(default_chain, built_in().chain) << "chain.json's default is the built-in chain";
  const auto& list = doc.at("cases").as_array();
  ASSERT_GE(list.size(), 20u);
  for (const auto& cv : list) {
    const auto& c = cv.as_object();
    SCOPED_TRACE(std::string(c.at("name").as_string()));
    const auto chain = c.contains("chain") ? steps(c.at("chain")) : default_chain;
    const auto& p = c.at("people").as_object();
    ChainPeople people;
    if (!p.at("primary").is_null())
      people.primary_clinician = std::string(p.at("primary").as_string());
    people.care_team = strings(p.at("care_team"));
    people.on_call = strings(p.at("on_call"));
    people.supervisors = strings(p.at("supervisors"));
    const auto notified_list = strings(c.at("notified"));
    const std::set<std::string> notified(notified_list.begin(), notified_list.end());
    const auto after = static_cast<int>(c.at("after_step").as_int64());
    const auto fallback = strings(c.at("fallback"));
    const auto& want = c.at("expect").as_object();

    const Routing got = route(after, chain, people, notified, fallback);
    EXPECT_EQ(got.step, want.at("step").as_int64());
    EXPECT_EQ(got.recipients, strings(want.at("recipients")));
    EXPECT_EQ(got.chain_end, want.at("chain_end").as_bool());
    // The promise of route(): never no one while there is a fallback or anyone told before.
    if (!fallback.empty() || !notified.empty()) {
      EXPECT_FALSE(got.recipients.empty());
    }
  }
}

// ---- resolution ----------------------------------------------------------------------------

TEST(Resolution, EachOutcomeAndItsNote) {
  struct Case {
    const char* outcome;
    const char* note;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"contacted_client", "", true},
      {"safety_plan_reviewed", "", true},
      {"emergency_services_called", "", true},
      {"hospital", "", true},
      {"no_risk_found", "", true},
      {"contacted_client", "Spoke by phone.", true},
      {"no_contact_possible", "", false},
      {"no_contact_possible", " \t\r\n ", false},
      {"no_contact_possible", "Three calls, no answer; police welfare check requested.", true},
      {"other", "", false},
      {"other", "   ", false},
      {"other", "Seen at the clinic.", true},
      {"other", " x ", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.outcome) + " / \"" + c.note + "\"");
    const std::string refusal = check_resolution(built_in(), c.outcome, c.note);
    if (c.ok) {
      EXPECT_EQ(refusal, "");
    } else {
      EXPECT_EQ(refusal.rfind("note: ", 0), 0u) << refusal;
      EXPECT_NE(refusal.find(c.outcome), std::string::npos) << refusal;
    }
  }
  // Every outcome the configuration allows is covered above.
  for (const auto& o : built_in().outcomes) {
    EXPECT_TRUE(std::any_of(cases.begin(), cases.end(), [&](auto& c) { return o == c.outcome; }))
        << o;
  }
}

TEST(Resolution, UnknownOutcomesAreRefusedWithTheList) {
  for (const char* outcome : {"fixed", "", "Other", "contacted client"}) {
    SCOPED_TRACE(outcome);
    const std::string refusal = check_resolution(built_in(), outcome, "a note");
    EXPECT_EQ(refusal.rfind("must be one of ", 0), 0u) << refusal;
    EXPECT_NE(refusal.find("contacted_client"), std::string::npos);
    EXPECT_NE(refusal.find("other"), std::string::npos);
  }
}

// ---- roster --------------------------------------------------------------------------------

//! A clock `offset` ahead of UTC, for a zone the test knows.
LocalClock shifted(minutes offset) {
  const LocalClock utc = utc_clock();
  LocalClock c;
  c.to_local = [utc, offset](TimePoint t, int& y, int& m, int& d, int& minute, int& weekday) {
    utc.to_local(t + offset, y, m, d, minute, weekday);
  };
  c.from_local = [utc, offset](int y, int m, int d, int minute) {
    return utc.from_local(y, m, d, minute) - offset;
  };
  return c;
}

std::optional<LocalClock> zones(const std::string& zone) {
  if (zone == "UTC") return utc_clock();
  if (zone == "Test/Plus2") return shifted(hours(2));
  return std::nullopt;
}

RosterEntry weekly(std::string user, std::vector<int> days, const char* start, const char* end,
                   std::string kind = "on_call") {
  RosterEntry e;
  e.id = "ro_" + user;
  e.kind = std::move(kind);
  e.user_id = std::move(user);
  e.days = std::move(days);
  e.start_minute = *minutes_of(start);
  e.end_minute = *minutes_of(end);
  return e;
}

RosterEntry once(std::string user, TimePoint from, TimePoint to, std::string kind = "on_call") {
  RosterEntry e;
  e.id = "ro_" + user;
  e.kind = std::move(kind);
  e.user_id = std::move(user);
  e.starts_at_ms = ms_of(from);
  e.ends_at_ms = ms_of(to);
  return e;
}

constexpr int k_sun = 0, k_mon = 1, k_tue = 2, k_wed = 3, k_thu = 4, k_fri = 5, k_sat = 6;

struct ActiveCase {
  const char* name;
  TimePoint t;
  bool active;
};

void expect_active(const RosterEntry& e, const std::vector<ActiveCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " " + show(c.t));
    EXPECT_EQ(roster_active(e, c.t, zones), c.active);
  }
}

// January 2026: Thursday 1, Friday 2, Saturday 3, Sunday 4, Monday 5, … Thursday 8.

TEST(Roster, WeeklyDayShiftStartInclusiveEndExclusive) {
  const auto e = weekly("u_day", {k_mon, k_tue, k_wed, k_thu, k_fri}, "09:00", "17:00");
  expect_active(e, {
                       {"Monday 08:59", at(2026, 1, 5, 8, 59), false},
                       {"Monday 08:59:59.999", at(2026, 1, 5, 8, 59, 59, 999), false},
                       {"Monday 09:00", at(2026, 1, 5, 9, 0), true},
                       {"Monday 16:59", at(2026, 1, 5, 16, 59), true},
                       {"Monday 16:59:59.999", at(2026, 1, 5, 16, 59, 59, 999), true},
                       {"Monday 17:00", at(2026, 1, 5, 17, 0), false},
                       {"Friday 12:00", at(2026, 1, 2, 12, 0), true},
                       {"Saturday 12:00", at(2026, 1, 3, 12, 0), false},
                       {"Sunday 12:00", at(2026, 1, 4, 12, 0), false},
                   });
}

TEST(Roster, OvernightFridayShift) {
  const auto e = weekly("u_night", {k_fri}, "17:00", "09:00");
  expect_active(
      e, {
             {"Friday 16:59", at(2026, 1, 2, 16, 59), false},
             {"Friday 17:00", at(2026, 1, 2, 17, 0), true},
             {"Friday 23:59", at(2026, 1, 2, 23, 59), true},
             {"Saturday 00:00", at(2026, 1, 3, 0, 0), true},
             {"Saturday 08:59", at(2026, 1, 3, 8, 59), true},
             {"Saturday 09:00", at(2026, 1, 3, 9, 0), false},
             {"Saturday 17:00", at(2026, 1, 3, 17, 0), false},
             {"Friday 08:59, Thursday's night is not rostered", at(2026, 1, 2, 8, 59), false},
             {"Thursday 23:00", at(2026, 1, 1, 23, 0), false},
         });
}

TEST(Roster, OvernightFridayAndSaturdayShifts) {
  const auto e = weekly("u_night", {k_fri, k_sat}, "17:00", "09:00");
  expect_active(e, {
                       {"Saturday 08:59", at(2026, 1, 3, 8, 59), true},
                       {"Saturday 09:00", at(2026, 1, 3, 9, 0), false},
                       {"Saturday 16:59", at(2026, 1, 3, 16, 59), false},
                       {"Saturday 17:00", at(2026, 1, 3, 17, 0), true},
                       {"Sunday 08:59", at(2026, 1, 4, 8, 59), true},
                       {"Sunday 09:00", at(2026, 1, 4, 9, 0), false},
                       {"Sunday 17:00", at(2026, 1, 4, 17, 0), false},
                   });
}

TEST(Roster, OvernightAcrossTheWeekSaturdayIntoSunday) {
  const auto e = weekly("u_night", {k_sat}, "22:00", "06:00");
  expect_active(e, {
                       {"Saturday 22:00", at(2026, 1, 3, 22, 0), true},
                       {"Sunday 05:59", at(2026, 1, 4, 5, 59), true},
                       {"Sunday 06:00", at(2026, 1, 4, 6, 0), false},
                       {"Sunday 22:00", at(2026, 1, 4, 22, 0), false},
                   });
}

TEST(Roster, ShiftsEndingAtMidnightAndWholeDayShifts) {
  expect_active(weekly("u_eve", {k_mon}, "18:00", "00:00"),
                {
                    {"Monday 18:00", at(2026, 1, 5, 18, 0), true},
                    {"Monday 23:59", at(2026, 1, 5, 23, 59), true},
                    {"Tuesday 00:00", at(2026, 1, 6, 0, 0), false},
                });
  expect_active(weekly("u_24h", {k_mon}, "09:00", "09:00"),
                {
                    {"Monday 08:59", at(2026, 1, 5, 8, 59), false},
                    {"Monday 09:00", at(2026, 1, 5, 9, 0), true},
                    {"Tuesday 08:59", at(2026, 1, 6, 8, 59), true},
                    {"Tuesday 09:00", at(2026, 1, 6, 9, 0), false},
                });
  expect_active(weekly("u_day", {k_mon}, "00:00", "00:00"),
                {
                    {"Sunday 23:59", at(2026, 1, 4, 23, 59), false},
                    {"Monday 00:00", at(2026, 1, 5, 0, 0), true},
                    {"Monday 23:59", at(2026, 1, 5, 23, 59), true},
                    {"Tuesday 00:00", at(2026, 1, 6, 0, 0), false},
                });
}

TEST(Roster, FromAndUntilDatesInclusive) {
  auto day = weekly("u_day", {k_sun, k_mon, k_tue, k_wed, k_thu, k_fri, k_sat}, "09:00", "17:00");
  day.from_date = "2026-01-05";
  day.until_date = "2026-01-07";
  expect_active(day, {
                         {"the day before from_date", at(2026, 1, 4, 12, 0), false},
                         {"from_date's start", at(2026, 1, 5, 9, 0), true},
                         {"until_date's last minute", at(2026, 1, 7, 16, 59), true},
                         {"the day after until_date", at(2026, 1, 8, 12, 0), false},
                     });
  auto night =
      weekly("u_night", {k_sun, k_mon, k_tue, k_wed, k_thu, k_fri, k_sat}, "17:00", "09:00");
  night.from_date = "2026-01-05";
  night.until_date = "2026-01-07";
  expect_active(night, {
                           {"from_date 08:59: the tail of a shift before from_date",
                            at(2026, 1, 5, 8, 59), false},
                           {"from_date 17:00", at(2026, 1, 5, 17, 0), true},
                           {"until_date 17:00", at(2026, 1, 7, 17, 0), true},
                           {"the day after until_date 08:59: the tail of until_date's shift",
                            at(2026, 1, 8, 8, 59), true},
                           {"the day after until_date 09:00", at(2026, 1, 8, 9, 0), false},
                           {"the day after until_date 17:00", at(2026, 1, 8, 17, 0), false},
                       });
  auto single = weekly("u_one", {k_mon}, "09:00", "17:00");
  single.from_date = "2026-01-05";
  single.until_date = "2026-01-05";
  expect_active(single, {
                            {"the one Monday", at(2026, 1, 5, 10, 0), true},
                            {"the Monday before", at(2025, 12, 29, 10, 0), false},
                            {"the Monday after", at(2026, 1, 12, 10, 0), false},
                        });
}

TEST(Roster, OneOffWindowStartInclusiveEndExclusive) {
  auto e = once("u_cover", at(2026, 1, 3, 10, 0), at(2026, 1, 3, 14, 0));
  expect_active(e, {
                       {"a millisecond before", at(2026, 1, 3, 9, 59, 59, 999), false},
                       {"the start", at(2026, 1, 3, 10, 0), true},
                       {"the last millisecond", at(2026, 1, 3, 13, 59, 59, 999), true},
                       {"the end", at(2026, 1, 3, 14, 0), false},
                   });
  e.time_zone = "Nowhere/Unknown";  // a window is two instants: the zone plays no part
  expect_active(e, {{"the start, in an unknown zone", at(2026, 1, 3, 10, 0), true}});
}

TEST(Roster, WeeklyPatternInTheEntrysZone) {
  auto e = weekly("u_day", {k_mon}, "09:00", "17:00");
  e.time_zone = "Test/Plus2";
  expect_active(e, {
                       {"Monday 06:59 UTC = 08:59 local", at(2026, 1, 5, 6, 59), false},
                       {"Monday 07:00 UTC = 09:00 local", at(2026, 1, 5, 7, 0), true},
                       {"Monday 14:59 UTC = 16:59 local", at(2026, 1, 5, 14, 59), true},
                       {"Monday 15:00 UTC = 17:00 local", at(2026, 1, 5, 15, 0), false},
                   });
  auto night = weekly("u_night", {k_mon}, "00:00", "01:00");
  night.time_zone = "Test/Plus2";
  expect_active(night, {
                           {"Sunday 22:30 UTC = Monday 00:30 local", at(2026, 1, 4, 22, 30), true},
                           {"Monday 00:30 UTC = Monday 02:30 local", at(2026, 1, 5, 0, 30), false},
                       });
}

TEST(Roster, UnknownZoneIsInactive) {
  auto e = weekly("u_day", {k_sun, k_mon, k_tue, k_wed, k_thu, k_fri, k_sat}, "00:00", "00:00");
  e.time_zone = "Europe/Atlantis";
  EXPECT_FALSE(roster_active(e, at(2026, 1, 5, 12, 0), zones));
  e.time_zone = "UTC";
  EXPECT_TRUE(roster_active(e, at(2026, 1, 5, 12, 0), zones));
}

TEST(OnDuty, CoverReplacesRegularOnlyWhileActiveAndOnlyOfItsKind) {
  auto day_a = weekly("u_amy", {k_mon, k_tue, k_wed, k_thu, k_fri}, "09:00", "17:00");
  auto day_z = weekly("u_zed", {k_mon}, "08:00", "18:00");
  auto night = weekly("u_nat", {k_mon}, "17:00", "09:00");
  auto sup = weekly("u_sue", {k_sun, k_mon, k_tue, k_wed, k_thu, k_fri, k_sat}, "00:00", "00:00",
                    "supervisor");
  auto cover = once("u_cal", at(2026, 1, 5, 12, 0), at(2026, 1, 5, 14, 0));
  cover.cover = true;
  auto cover_lost = weekly("u_lost", {k_mon}, "00:00", "00:00");
  cover_lost.cover = true;
  cover_lost.time_zone = "Europe/Atlantis";
  const std::vector<RosterEntry> roster = {day_z, day_a, night, sup, cover, cover_lost};

  struct Case {
    const char* name;
    std::string kind;
    TimePoint t;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"Monday 07:59: nobody", "on_call", at(2026, 1, 5, 7, 59), {}},
      {"Monday 08:00: zed", "on_call", at(2026, 1, 5, 8, 0), {"u_zed"}},
      {"Monday 10:00: amy and zed, sorted", "on_call", at(2026, 1, 5, 10, 0), {"u_amy", "u_zed"}},
      {"Monday 11:59: before the cover", "on_call", at(2026, 1, 5, 11, 59), {"u_amy", "u_zed"}},
      {"Monday 12:00: the cover alone", "on_call", at(2026, 1, 5, 12, 0), {"u_cal"}},
      {"Monday 13:59: the cover alone", "on_call", at(2026, 1, 5, 13, 59), {"u_cal"}},
      {"Monday 14:00: regular again", "on_call", at(2026, 1, 5, 14, 0), {"u_amy", "u_zed"}},
      {"Monday 17:00: night and zed", "on_call", at(2026, 1, 5, 17, 0), {"u_nat", "u_zed"}},
      {"Tuesday 08:59: night", "on_call", at(2026, 1, 6, 8, 59), {"u_nat"}},
      {"Tuesday 09:00: amy", "on_call", at(2026, 1, 6, 9, 0), {"u_amy"}},
      {"supervisors during an on-call cover", "supervisor", at(2026, 1, 5, 12, 0), {"u_sue"}},
      {"supervisors at night", "supervisor", at(2026, 1, 6, 3, 0), {"u_sue"}},
      {"an unknown kind", "nurse", at(2026, 1, 5, 12, 0), {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(on_duty(roster, c.kind, c.t, zones), c.want);
  }
}

TEST(OnDuty, SupervisorCoverLeavesOnCallAlone) {
  auto oc = weekly("u_amy", {k_mon}, "00:00", "00:00");
  auto sup = weekly("u_sue", {k_mon}, "00:00", "00:00", "supervisor");
  auto sup_cover = once("u_sam", at(2026, 1, 5, 9, 0), at(2026, 1, 5, 10, 0), "supervisor");
  sup_cover.cover = true;
  const std::vector<RosterEntry> roster = {oc, sup, sup_cover};
  EXPECT_EQ(on_duty(roster, "supervisor", at(2026, 1, 5, 9, 30), zones),
            (std::vector<std::string>{"u_sam"}));
  EXPECT_EQ(on_duty(roster, "on_call", at(2026, 1, 5, 9, 30), zones),
            (std::vector<std::string>{"u_amy"}));
  EXPECT_EQ(on_duty(roster, "supervisor", at(2026, 1, 5, 10, 0), zones),
            (std::vector<std::string>{"u_sue"}));
}

TEST(OnDuty, OneUserInTwoEntriesOnce) {
  const std::vector<RosterEntry> roster = {
      weekly("u_amy", {k_mon}, "09:00", "17:00"),
      once("u_amy", at(2026, 1, 5, 10, 0), at(2026, 1, 5, 11, 0)),
      weekly("u_bob", {k_mon}, "09:00", "17:00"),
  };
  EXPECT_EQ(on_duty(roster, "on_call", at(2026, 1, 5, 10, 30), zones),
            (std::vector<std::string>{"u_amy", "u_bob"}));
  EXPECT_TRUE(on_duty({}, "on_call", at(2026, 1, 5, 10, 30), zones).empty());
}

TEST(Roster, CheckEntryRefusalsNameTheField) {
  const auto good_weekly = weekly("u_amy", {k_mon, k_fri}, "17:00", "09:00");
  const auto good_once = once("u_amy", at(2026, 1, 5, 9, 0), at(2026, 1, 5, 17, 0));
  const std::int64_t day_ms = 24LL * 3600 * 1000;

  struct Case {
    const char* name;
    RosterEntry e;
    const char* field;  //!< empty: valid
  };
  auto with = [](RosterEntry e, const std::function<void(RosterEntry&)>& f) {
    f(e);
    return e;
  };
  const std::vector<Case> cases = {
      {"a weekly pattern", good_weekly, ""},
      {"a one-off window", good_once, ""},
      {"a supervisor", with(good_weekly, [](auto& e) { e.kind = "supervisor"; }), ""},
      {"a 24-hour shift", with(good_weekly, [](auto& e) { e.end_minute = e.start_minute; }), ""},
      {"00:00 to 23:59",
       with(good_weekly,
            [](auto& e) {
              e.start_minute = 0;
              e.end_minute = 1439;
            }),
       ""},
      {"from_date equals until_date",
       with(good_weekly,
            [](auto& e) {
              e.from_date = "2026-01-05";
              e.until_date = "2026-01-05";
            }),
       ""},
      {"a leap day", with(good_weekly, [](auto& e) { e.from_date = "2028-02-29"; }), ""},
      {"a window of exactly 31 days",
       with(good_once, [&](auto& e) { e.ends_at_ms = *e.starts_at_ms + 31 * day_ms; }), ""},
      {"kind unknown", with(good_weekly, [](auto& e) { e.kind = "oncall"; }), "kind"},
      {"kind empty", with(good_weekly, [](auto& e) { e.kind = ""; }), "kind"},
      {"user missing", with(good_weekly, [](auto& e) { e.user_id = ""; }), "user_id"},
      {"a window without its end", with(good_once, [](auto& e) { e.ends_at_ms.reset(); }), "once"},
      {"a window without its start", with(good_once, [](auto& e) { e.starts_at_ms.reset(); }),
       "once"},
      {"a window ending as it starts",
       with(good_once, [](auto& e) { e.ends_at_ms = e.starts_at_ms; }), "once.ends_at"},
      {"a window ending before it starts",
       with(good_once, [](auto& e) { e.ends_at_ms = *e.starts_at_ms - 1; }), "once.ends_at"},
      {"a window a millisecond over 31 days",
       with(good_once, [&](auto& e) { e.ends_at_ms = *e.starts_at_ms + 31 * day_ms + 1; }), "once"},
      {"a window with days too", with(good_once, [](auto& e) { e.days = {k_mon}; }), "weekly"},
      {"weekly without days", with(good_weekly, [](auto& e) { e.days.clear(); }), "weekly.days"},
      {"day 7",
       with(good_weekly,
            [](auto& e) {
              e.days = {k_mon, 7};
            }),
       "weekly.days"},
      {"day -1", with(good_weekly, [](auto& e) { e.days = {-1}; }), "weekly.days"},
      {"start -1", with(good_weekly, [](auto& e) { e.start_minute = -1; }), "weekly.start"},
      {"start 24:00", with(good_weekly, [](auto& e) { e.start_minute = 1440; }), "weekly.start"},
      {"end -1", with(good_weekly, [](auto& e) { e.end_minute = -1; }), "weekly.end"},
      {"end 24:00", with(good_weekly, [](auto& e) { e.end_minute = 1440; }), "weekly.end"},
      {"from_date not a date", with(good_weekly, [](auto& e) { e.from_date = "2026-02-30"; }),
       "from_date"},
      {"from_date not padded", with(good_weekly, [](auto& e) { e.from_date = "2026-1-5"; }),
       "from_date"},
      {"until_date not a date", with(good_weekly, [](auto& e) { e.until_date = "2027-02-29"; }),
       "until_date"},
      {"until_date empty", with(good_weekly, [](auto& e) { e.until_date = ""; }), "until_date"},
      {"until_date before from_date",
       with(good_weekly,
            [](auto& e) {
              e.from_date = "2026-01-05";
              e.until_date = "2026-01-04";
            }),
       "until_date"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string refusal = check_roster_entry(c.e);
    if (*c.field == '\0') {
      EXPECT_EQ(refusal, "");
    } else {
      EXPECT_EQ(refusal.rfind(std::string(c.field) + ": ", 0), 0u)
          << "\"" << refusal << "\" does not name " << c.field;
    }
  }
}

}  // namespace
}  // namespace tend::crisis::rules

namespace tend::crisis::rules {
namespace {

// ---- the rules against the instrument library -----------------------------------------------

std::optional<InstrumentCodes> shipped(const std::string& id) {
  // The codes of content/instruments, read from the files themselves.
  static const auto files = all_instruments();
  auto it = files.find(id);
  if (it == files.end()) return std::nullopt;
  return InstrumentCodes{it->second.flags, it->second.bands};
}

TEST(CheckInstruments, EveryShippedRuleNamesAFlagOrBandItsInstrumentHas) {
  auto st = check_instruments(built_in(), shipped);
  EXPECT_TRUE(st) << st.error().detail;
}

TEST(CheckInstruments, ARuleThatCouldNeverFireIsRefusedByName) {
  struct Case {
    const char* name;
    std::function<void(bj::object&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"unknown instrument", [](bj::object& r) { rule_at(r, 0)["instrument"] = "phq-99"; },
       "assessment[0].instrument"},
      {"flag the instrument lacks",
       [](bj::object& r) { rule_at(r, 0)["flag"] = "suicidal_ideations"; }, "assessment[0].flag"},
  };
  for (const auto& c : cases) {
    auto cfg = config_with(c.edit);
    auto st = check_instruments(cfg, shipped);
    ASSERT_FALSE(st) << c.name;
    ASSERT_EQ(st.error().errors.size(), 1U) << c.name;
    EXPECT_EQ(st.error().errors[0].field, c.field) << c.name;
  }
  // A band rule naming a band the instrument does not define.
  auto cfg = config_with([](bj::object& r) {
    for (auto& v : r["assessment"].as_array()) {
      if (v.as_object().contains("band")) {
        v.as_object()["band"] = "very_high";
        return;
      }
    }
  });
  auto st = check_instruments(cfg, shipped);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().errors[0].field.find(".band"), std::string::npos);
}

// ---- crisis lines ------------------------------------------------------------------------------

TEST(Resources, TheShippedLinesAreValidAndEveryRegionCanBeReached) {
  auto r = parse_resources(read_file(k_source / "content/crisis/resources.json"));
  ASSERT_TRUE(r) << r.error().detail;
  const auto& regions = r->at("regions").as_object();
  for (const char* code : {"US", "CA", "GB", "IE", "AU", "NZ"}) {
    ASSERT_TRUE(regions.contains(code)) << code;
    EXPECT_FALSE(regions.at(code).at("emergency").at("number").as_string().empty()) << code;
    EXPECT_FALSE(regions.at(code).at("lines").as_array().empty()) << code;
  }
  EXPECT_EQ(regions.at("US").at("lines").as_array()[0].at("phone"), "988");
  EXPECT_EQ(built_in_resources(), *r);
}

TEST(Resources, RefusesEachBadFieldNamingIt) {
  struct Case {
    const char* name;
    std::function<void(bj::object&)> edit;
    std::string field;
  };
  auto us_line = [](bj::object& r) -> bj::object& {
    return r["regions"].at("US").at("lines").as_array()[0].as_object();
  };
  const std::vector<Case> cases = {
      {"unknown default", [](bj::object& r) { r["default_region"] = "XX"; }, "default_region"},
      {"no regions", [](bj::object& r) { r["regions"] = bj::object(); }, "regions"},
      {"region code not two letters",
       [](bj::object& r) { r["regions"].as_object()["USA"] = r["regions"].at("US"); },
       "regions.USA"},
      {"no emergency number",
       [](bj::object& r) { r["regions"].at("GB").at("emergency").as_object().erase("number"); },
       "regions.GB.emergency.number"},
      {"a line with no way to reach it",
       [&](bj::object& r) {
         auto& l = us_line(r);
         l.erase("phone");
         l.erase("text");
         l.erase("url");
       },
       "regions.US.lines[0]"},
      {"a line with a javascript url",
       [&](bj::object& r) { us_line(r)["url"] = "javascript:alert(1)"; },
       "regions.US.lines[0].url"},
      {"a misspelt key", [&](bj::object& r) { us_line(r)["phnoe"] = "988"; },
       "regions.US.lines[0].phnoe"},
      {"a number that is not text", [&](bj::object& r) { us_line(r)["phone"] = 988; },
       "regions.US.lines[0].phone"},
  };
  for (const auto& c : cases) {
    bj::value doc = bj::parse(read_file(k_source / "content/crisis/resources.json"));
    c.edit(doc.as_object());
    auto r = parse_resources(bj::serialize(doc));
    ASSERT_FALSE(r) << c.name;
    EXPECT_NE(r.error().detail.find(c.field + ":"), std::string::npos)
        << c.name << ": " << r.error().detail;
  }
  EXPECT_FALSE(parse_resources("not json"));
  EXPECT_FALSE(parse_resources("[]"));
}

}  // namespace
}  // namespace tend::crisis::rules
