#pragma once
//! The client's own record, pure: the access log said in plain words, the record as a FHIR R4
//! document Bundle and as one readable HTML page, and the checks on a correction request.
//! No I/O, no clock: the time zone and every value come in as arguments.

#include <boost/json/object.hpp>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "audit/model.h"
#include "platform/tz.h"
#include "record/model.h"

namespace tend::record::rules {

//! The kind of record an access-log resource kind is about, in words addressed to the client
//! ("assessment" → "your assessment results"); "your record" for kinds not named here.
std::string record_words(std::string_view resource_kind);

//! The action of an entry as a verb phrase ("read" → "looked at", "create" → "added to").
std::string action_words(std::string_view action);

//! "Tue 2 Dec 2026, 10:04" for `at_ms` in `zone`.
std::string when_words(std::int64_t at_ms, const TimeZone& zone);

//! Who someone is to the client: "Sam Rivera (clinician, your care team)", "Ola Diaz (front
//! desk, not on your care team)"; "Tend, automatically" for a "system:…" actor; "someone at
//! the service (account <id>)" when the account is unknown; another client is never named
//! ("someone using the portal (not you)"); a "link:…" actor answered a questionnaire link.
std::string who_words(const std::string& actor_id, const Actor* actor);

//! The access log in plain words, for the client it is about. `entries` newest first (as the
//! audit log pages them); `actors` the accounts by user id; `own_user_ids` the client's own
//! portal accounts, whose entries are left out (the client knows what they looked at).
//! One line per person, day (in `zone`), kind of record and action, newest first; a
//! break-the-glass access says so ("in an emergency, with a recorded reason") and never the
//! reason's text; a denied one says it was refused.
std::vector<AccessLine> describe_access(const std::vector<audit::Entry>& entries,
                                        const std::map<std::string, Actor>& actors,
                                        const std::set<std::string>& own_user_ids,
                                        const TimeZone& zone);

//! The record as a FHIR R4 Bundle of type "document": a Composition first (its sections
//! referencing the entries), then Patient, QuestionnaireResponse and Observation per measure,
//! Appointment, Condition, MedicationStatement, CarePlan (the current plan, with its goals),
//! the safety plan and each signed progress note as a DocumentReference with inline text,
//! and education assignments as Tasks. Every reference points to an entry of the bundle (or
//! to a Practitioner only by display). `bundle_id` names the Bundle and the Composition.
boost::json::object to_bundle(const RecordContents& r, const std::string& bundle_id);

//! The same record as one self-contained, printable HTML page: inline styles with a print
//! stylesheet, no scripts, no external resources; every value escaped.
std::string to_html(const RecordContents& r, const TimeZone& zone);

//! `&`, `<`, `>`, `"` and `'` as character references.
std::string escape_html(std::string_view text);

//! A refusal must say why: at least this many characters (after trimming spaces).
inline constexpr std::size_t k_min_refusal_reason = 10;

//! The parts of the record a correction request may point to (ref_kind).
bool valid_ref_kind(std::string_view kind);

}  // namespace tend::record::rules
