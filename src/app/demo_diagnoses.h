#pragma once
//! Synthetic diagnoses and medication histories for `tend demo`.

#include <string>

#include "access/model.h"

namespace tend::app {

class App;

//! Gives the client (most of them) a primary diagnosis, sometimes a secondary one or a social
//! circumstance, and — when `prescriber` is on their care team — often a medication history
//! (a start, a dose change, sometimes an earlier medication stopped). Refusals are ignored:
//! the demo goes on without that row.
void demo_diagnoses(App& app, const access::Principal& clinician,
                    const access::Principal& prescriber, const std::string& client_id);

}  // namespace tend::app
