#pragma once
//! Values of progress notes: the templates they are written on (data under content/notes), the
//! mental status examination, notes with their addenda, and what an editor opens pre-filled
//! with. Plain data, no behaviour.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tend::care {

//! One section of a note template ("subjective", "objective" …).
struct NoteSection {
  std::string id;
  std::string heading;
  std::string prompt;                //!< help text shown while writing
  std::vector<std::string> prefill;  //!< "measures", "risk": what the editor opens with here
};

//! A template: SOAP, DAP, BIRP … Immutable once loaded.
struct NoteTemplate {
  std::string id;  //!< "soap"
  std::string name;
  std::string title;
  std::vector<NoteSection> sections;
  std::string mse_after;  //!< the section the mental status examination follows
};

//! One domain of the mental status examination with its common descriptions.
struct MseDomain {
  std::string id;  //!< "appearance"
  std::string heading;
  std::vector<std::string> choices;
};

struct MseDefinition {
  std::string heading;
  std::string prompt;
  std::vector<MseDomain> domains;
};

//! Every template and the examination, as loaded at start-up.
struct NoteTemplates {
  std::vector<NoteTemplate> templates;  //!< by id
  MseDefinition mse;
  const NoteTemplate* find(const std::string& id) const {
    for (const auto& t : templates) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }
};

//! What was recorded for one examination domain.
struct MseAnswer {
  std::vector<std::string> choices;
  std::string text;
};

//! Text added to a note after it was signed: its own author and time; signed as written.
struct Addendum {
  std::string id;
  std::string text;  //!< decrypted
  std::string author_id;
  std::string author_name;
  std::int64_t created_at_ms = 0;
};

//! A progress note (or a psychotherapy note, its author's alone).
struct Note {
  std::string id;  //!< nt_…
  std::string client_id;
  std::string client_name;        //!< filled for the author's lists only
  std::string kind = "progress";  //!< progress | psychotherapy
  std::string template_id;
  std::string appointment_id;  //!< empty when none
  std::string episode_id;      //!< empty when none
  std::string group_id;        //!< a group note's copy for one member; empty otherwise
  std::map<std::string, std::string> sections;  //!< decrypted, by section id
  std::map<std::string, MseAnswer> mse;         //!< by domain id
  std::string member_part;                      //!< a group note: this member's own part; decrypted
  std::string status = "draft";                 //!< draft | awaiting_cosign | signed
  std::string author_id;
  std::string author_name;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t signed_at_ms = 0;  //!< the author's signature; 0 while a draft
  std::string cosigner_id;        //!< the supervisor who must co-sign; empty when none
  std::string cosigner_name;
  std::int64_t cosigned_at_ms = 0;
  std::vector<Addendum> addenda;  //!< oldest first
  std::int64_t version = 1;
};

//! The latest result of one instrument, for a note's pre-fill.
struct MeasureSummary {
  std::string instrument_id;
  std::string instrument_name;
  std::string assessment_id;
  std::optional<double> total;
  std::string band_label;    //!< empty when the instrument has no bands
  std::string completed_on;  //!< YYYY-MM-DD
  std::optional<double> previous_total;
  std::string previous_on;         //!< YYYY-MM-DD; empty when there is no earlier result
  std::string classification;      //!< reliable_improvement | reliable_deterioration |
                                   //!< no_reliable_change; empty without an earlier result
  std::vector<std::string> flags;  //!< labels of the risk flags this result raised
};

//! The client's risk status, for a note's pre-fill.
struct RiskSummary {
  struct OpenAlert {
    std::string id;
    std::string level;
    std::string status;  //!< open | acknowledged
    std::string reason;
    std::string opened_on;
  };
  std::vector<OpenAlert> open_alerts;
  std::vector<std::string> flags;  //!< "PHQ-9: <flag label>", from the latest results
  std::optional<std::int64_t> safety_plan_version;
  std::string safety_plan_updated_on;
};

}  // namespace tend::care
