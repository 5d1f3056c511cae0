#pragma once
//! Opaque identifiers: a short type prefix and 20 base32 characters ("cl_3f7k…"): 10 of the
//! creation time in milliseconds, then 10 random. Ids made later sort after earlier ones, also
//! within one millisecond in one process (the random part of the next is the last one's plus
//! one, as in ULID's monotonic mode).

#include <string>
#include <string_view>

namespace tend {

//! A new id with `prefix` ("cl", "us", …): time-ordered, 50 random bits. Thread-safe.
std::string new_id(std::string_view prefix);

//! `n` uniformly random decimal digits (record numbers, codes read over the phone).
std::string random_digits(std::size_t n);

//! True when `id` looks like an id made by new_id (prefix, underscore, base32 body).
bool is_well_formed_id(std::string_view id);

}  // namespace tend
