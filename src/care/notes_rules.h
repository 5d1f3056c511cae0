#pragma once
//! Pure decisions of progress notes: reading the templates (content/notes), checking what a
//! note's sections and mental status examination may hold, who may edit, sign, co-sign or
//! delete a note in which state, which notes are overdue for a signature, and the words a
//! note opens pre-filled with. No I/O, no clock: "now" comes in.

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "care/notes_model.h"
#include "platform/content.h"
#include "platform/result.h"

namespace tend::care::rules {

//! One template file (`file_id` is the name it must carry, e.g. "soap"). Errors name the field.
Result<NoteTemplate> parse_note_template(std::string_view text, std::string_view file_id);
//! The mental status examination's definition (content/notes/mse.json).
Result<MseDefinition> parse_mse(std::string_view text);
//! Every `notes/*.json` of `files`: mse.json and the templates (at least one). The first bad
//! file is a Validation error whose detail starts with its path ("notes/soap.json: …").
Result<NoteTemplates> load_note_templates(const std::vector<content::File>& files);

//! progress or psychotherapy.
bool valid_note_kind(std::string_view kind);

//! Reads a note's `sections` (an object of section id → text, up to 20,000 bytes each) into
//! `out`, over what it holds; a section the template lacks, or a value that is not a string,
//! is an error on `sections.<id>`.
void read_sections(const boost::json::value& v, const NoteTemplate& t,
                   std::map<std::string, std::string>& out, std::vector<FieldError>& errors);
//! Reads a note's `mse` (domain id → `{choices: [...], text}`) into `out`, over what it holds
//! (a domain given replaces the one held). Choices must be the domain's own; errors on
//! `mse.<domain>`.
void read_mse(const boost::json::value& v, const MseDefinition& mse,
              std::map<std::string, MseAnswer>& out, std::vector<FieldError>& errors);

//! Why `user_id` may not do something to a note: the status code (Conflict for the note's
//! state, Forbidden for who), the field and the reason.
struct NoteRefusal {
  Errc code = Errc::Conflict;
  std::string field;
  std::string message;
};
//! Saving a draft: its author only, and only while a draft (signed notes are locked).
std::optional<NoteRefusal> check_edit(const Note& n, const std::string& user_id);
//! The author's signature: its author, while a draft.
std::optional<NoteRefusal> check_sign(const Note& n, const std::string& user_id);
//! The co-signature: the named co-signer, while it awaits one.
std::optional<NoteRefusal> check_cosign(const Note& n, const std::string& user_id);
//! Deleting: its author, while a draft.
std::optional<NoteRefusal> check_delete(const Note& n, const std::string& user_id);
//! An addendum: once the author has signed (awaiting co-signature or signed).
std::optional<NoteRefusal> check_addendum(const Note& n);
//! The status after the author signs: awaiting_cosign when they have a supervisor and the note
//! is a progress note (a psychotherapy note is its author's alone), else signed.
std::string status_after_signing(const Note& n, bool author_has_supervisor);
//! A draft whose author has not signed it a day (24 hours) after it was started.
bool overdue_for_signature(const Note& n, std::int64_t now_ms);

//! "reliable improvement", "reliable deterioration", "no reliable change" (or the code as is).
std::string change_words(std::string_view classification);
//! One line per instrument: "PHQ-9 9 (Mild) on 2026-11-30, down 8 from 17 on 2026-11-02:
//! reliable improvement." Empty when there are no results.
std::string measures_text(const std::vector<MeasureSummary>& measures);
//! Open alerts, the risk flags of the latest results and the safety plan, one line each.
std::string risk_text(const RiskSummary& risk);
//! The sections of `t` as an editor opens them: each section's `prefill` texts, in order.
std::map<std::string, std::string> prefill_sections(const NoteTemplate& t,
                                                    const std::string& measures,
                                                    const std::string& risk);

}  // namespace tend::care::rules
