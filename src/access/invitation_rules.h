#pragma once
//! Pure decisions about portal invitations, portal terms, reminder preferences and what a
//! guardian may see. No I/O, no clock reads: time comes in as arguments.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"

namespace tend::access::invitations {

//! Letters and digits that cannot be mistaken for one another when read off a screen or typed
//! on a phone: no 0/O, 1/I/L. 31 symbols.
inline constexpr std::string_view k_code_alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
//! A code is 8 symbols (about 40 bits), shown as two groups of four: "K7QM-3XPA".
inline constexpr std::size_t k_code_length = 8;
//! Random bytes drawn for one code (a byte is skipped with chance 8/256).
inline constexpr std::size_t k_code_random_bytes = 32;
//! A code shown on screen is valid 24 hours; a link sent by e-mail 7 days.
inline constexpr std::int64_t k_code_valid_ms = 24LL * 3'600'000;
inline constexpr std::int64_t k_link_valid_ms = 7LL * 86'400'000;

//! The code made from random bytes: one byte per symbol, bytes that would bias the modulo
//! skipped (rejection sampling), so every symbol is equally likely. Empty when `random` runs
//! out first; k_code_random_bytes bytes run out with a chance below 10^-20.
std::string code_from_bytes(std::string_view random);
//! "ABCDEFGH" → "ABCD-EFGH".
std::string format_code(std::string_view code);
//! What a person typed → the 8 symbols (upper-cased, spaces and hyphens dropped), or nullopt
//! when it cannot be a code.
std::optional<std::string> normalize_code(std::string_view typed);
//! The stored hash of a link token or a (normalized) code: BLAKE2b under a domain prefix.
std::string secret_hash(std::string_view secret);

//! pending | used | expired | revoked (revoked and used win over expired).
std::string state(std::int64_t expires_at_ms, std::optional<std::int64_t> used_at_ms,
                  std::optional<std::int64_t> revoked_at_ms, std::int64_t now_ms);

bool valid_kind(std::string_view kind);  //!< client | guardian
bool valid_method(std::string_view m);   //!< email | code
std::int64_t valid_for_ms(std::string_view method);

//! Whole years of age on `today` (both YYYY-MM-DD), or nullopt for a malformed date.
std::optional<int> age_on(std::string_view date_of_birth, std::string_view today);
//! Under 18 on `today`.
bool is_minor(std::string_view date_of_birth, std::string_view today);

//! A rough e-mail check: one '@' with something on each side, a dot after it, no spaces,
//! at most 254 characters.
bool plausible_email(std::string_view email);

// ---- guardians ------------------------------------------------------------------------------

//! The sections a service may share with guardians, in display order.
const std::vector<std::string>& guardian_sections();
//! The default: appointments and crisis resources.
std::vector<std::string> default_guardian_access();
//! "appointments, crisis_resources" → the set; 422-style error naming an unknown section.
Result<std::set<std::string>> parse_guardian_access(std::string_view list);
//! Why a section may not be shown to a guardian, or nullopt when it may. Notes, measures,
//! check-ins, messages and psychotherapy notes are never shown, whatever the setting says.
std::optional<std::string> guardian_section_refusal(std::string_view section,
                                                    const std::set<std::string>& allowed);

// ---- terms ----------------------------------------------------------------------------------

//! The portal terms: a Markdown file with front matter (`version:` required, `title:`).
struct Terms {
  std::string version;
  std::string title;
  std::string text;  //!< the Markdown body
};
//! Parses "---\nversion: 2026-12\ntitle: …\n---\nbody"; an error names what is missing.
Result<Terms> parse_terms(std::string_view file);

// ---- reminder preferences -------------------------------------------------------------------

//! "HH:MM", 00:00–23:59, two digits each.
bool valid_reminder_time(std::string_view hhmm);

}  // namespace tend::access::invitations
