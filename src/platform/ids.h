#pragma once
//! Opaque identifiers: a short type prefix and 20 random base32 characters ("cl_4kq…").

#include <string>
#include <string_view>

namespace tend {

//! A new random id with `prefix` ("cl", "us", …). 100 bits of entropy. Thread-safe.
std::string new_id(std::string_view prefix);

//! True when `id` looks like an id made by new_id (prefix, underscore, base32 body).
bool is_well_formed_id(std::string_view id);

}  // namespace tend
