#pragma once
//! HTTP mapping for progress notes, psychotherapy notes, group notes and supervisors.

#include "access/service.h"
#include "care/notes_service.h"
#include "platform/http/router.h"

namespace tend::care {

void register_note_routes(http::Router& router, NoteService& notes, access::AccessService& access);

//! A note as the API shows it: with its text (`full`), or the few fields of a to-do list.
boost::json::object to_json(const Note& n, bool full);
boost::json::object to_json(const NoteTemplate& t);
boost::json::object to_json(const MseDefinition& m);

}  // namespace tend::care
