#pragma once
//! Pure rules for client records: validating and applying JSON input, search keys, cursors.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "clients/model.h"
#include "platform/result.h"

namespace tend::clients::rules {

//! Reads a whole new client from JSON, refusing unknown fields, wrong types, over-long strings,
//! impossible or future dates of birth (relative to `today`, "YYYY-MM-DD").
Result<Client> parse_new(const boost::json::object& body, std::string_view today);

//! Applies a JSON merge-patch style change (absent = unchanged, null = cleared for optional
//! fields) to `current`. Required fields cannot be cleared. `version`, when given, must equal
//! the current version (else Conflict).
Result<Client> apply_patch(const Client& current, const boost::json::object& body,
                           std::string_view today);

//! The client as API JSON (funding_note included: callers decide who sees it).
boost::json::object to_json(const Client& c);
boost::json::object to_json(const ClientSummary& s);

//! Lower-cased search key of a name (ASCII folding only; other bytes kept as they are).
std::string search_key(std::string_view name);
//! An upper bound, in byte order, for the strings starting with `prefix`: `prefix` followed by
//! U+10FFFF, the largest code point. Valid UTF-8 (PostgreSQL refuses anything else), and every
//! name starting with `prefix` sorts below it. Empty for an empty prefix.
std::string prefix_upper_bound(std::string_view prefix);

//! Opaque cursor of a (family_key, given_key, id) position, and back.
std::string encode_cursor(const std::string& family_key, const std::string& given_key,
                          const std::string& id);
struct CursorPos {
  std::string family_key, given_key, id;
};
std::optional<CursorPos> decode_cursor(std::string_view cursor);

//! Age in whole years on `today` for a date of birth (both "YYYY-MM-DD").
int age_on(std::string_view date_of_birth, std::string_view today);

}  // namespace tend::clients::rules
