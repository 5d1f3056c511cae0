#pragma once
//! Synthetic secure messages for `tend demo`.

#include <string>

#include "access/model.h"

namespace tend::app {

class App;

//! The portal client's conversation with their clinician (a question and the answer, read) and
//! a staff-only thread about them. Refusals are ignored: the demo goes on without them.
void demo_messages(App& app, const access::Principal& clinician, const access::Principal& client,
                   const std::string& client_id);

}  // namespace tend::app
