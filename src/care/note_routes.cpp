#include "care/note_routes.h"

#include "platform/clock.h"
#include "platform/http/json_body.h"
#include "platform/json.h"

namespace tend::care {

namespace bj = boost::json;
using http::Method;
using http::Request;
using http::Response;

namespace {
bj::value time_or_null(std::int64_t ms) {
  return ms == 0 ? bj::value(nullptr) : bj::value(format_rfc3339(from_unix_ms(ms)));
}
bj::value text_or_null(const std::string& s) {
  return s.empty() ? bj::value(nullptr) : bj::value(s);
}
bj::object version_schema() {
  return bj::object{{"type", "object"},
                    {"properties", bj::object{{"version", {{"type", "integer"}}}}},
                    {"required", bj::array{"version"}}};
}
}  // namespace

bj::object to_json(const NoteTemplate& t) {
  bj::array sections;
  for (const auto& s : t.sections) {
    bj::array prefill;
    for (const auto& p : s.prefill) prefill.emplace_back(p);
    sections.push_back(bj::object{{"id", s.id},
                                  {"heading", s.heading},
                                  {"prompt", s.prompt},
                                  {"prefill", std::move(prefill)}});
  }
  return {{"id", t.id},
          {"name", t.name},
          {"title", t.title},
          {"sections", std::move(sections)},
          {"mse_after", t.mse_after}};
}

bj::object to_json(const MseDefinition& m) {
  bj::array domains;
  for (const auto& d : m.domains) {
    bj::array choices;
    for (const auto& c : d.choices) choices.emplace_back(c);
    domains.push_back(
        bj::object{{"id", d.id}, {"heading", d.heading}, {"choices", std::move(choices)}});
  }
  return {{"heading", m.heading}, {"prompt", m.prompt}, {"domains", std::move(domains)}};
}

bj::object to_json(const Note& n, bool full) {
  bj::object o{
      {"id", n.id},
      {"client_id", n.client_id},
      {"kind", n.kind},
      {"template", n.template_id},
      {"group", !n.group_id.empty()},
      {"status", n.status},
      {"author", bj::object{{"id", n.author_id}, {"name", n.author_name}}},
      {"created_at", time_or_null(n.created_at_ms)},
      {"updated_at", time_or_null(n.updated_at_ms)},
      {"signed_at", time_or_null(n.signed_at_ms)},
      {"cosigner", n.cosigner_id.empty()
                       ? bj::value(nullptr)
                       : bj::value(bj::object{{"id", n.cosigner_id}, {"name", n.cosigner_name}})},
      {"cosigned_at", time_or_null(n.cosigned_at_ms)},
      {"version", n.version}};
  if (!full) {
    // Lists of notes to sign name the client; a chart's own notes need not.
    o["client_name"] = n.client_name;
    return o;
  }
  o["appointment_id"] = text_or_null(n.appointment_id);
  o["episode_id"] = text_or_null(n.episode_id);
  bj::object sections;
  for (const auto& [k, v] : n.sections) sections[k] = v;
  o["sections"] = std::move(sections);
  bj::object mse;
  for (const auto& [k, a] : n.mse) {
    bj::array choices;
    for (const auto& c : a.choices) choices.emplace_back(c);
    mse[k] = bj::object{{"choices", std::move(choices)}, {"text", a.text}};
  }
  o["mse"] = std::move(mse);
  o["member_part"] = n.group_id.empty() ? bj::value(nullptr) : bj::value(n.member_part);
  bj::array addenda;
  for (const auto& a : n.addenda) {
    addenda.push_back(
        bj::object{{"id", a.id},
                   {"text", a.text},
                   {"author", bj::object{{"id", a.author_id}, {"name", a.author_name}}},
                   {"created_at", time_or_null(a.created_at_ms)}});
  }
  o["addenda"] = std::move(addenda);
  return o;
}

void register_note_routes(http::Router& router, NoteService& notes, access::AccessService& access) {
  const auto one = [](const Result<Note>& r, int status = 200) {
    if (!r) return Response::problem(r.error());
    return Response::json(status, to_json(*r, true));
  };
  const auto note_body = bj::object{
      {"type", "object"},
      {"properties",
       bj::object{{"template", {{"type", "string"}}},
                  {"kind", {{"type", "string"}, {"enum", bj::array{"progress", "psychotherapy"}}}},
                  {"sections", {{"type", "object"}}},
                  {"mse", {{"type", "object"}}},
                  {"appointment_id", {{"type", "string"}}},
                  {"episode_id", {{"type", "string"}}}}},
      {"required", bj::array{"template"}}};

  router
      .add(Method::Get, "/api/v1/note-templates",
           access.guard([&notes](Request&, const access::Principal& p) {
             if (p.role == access::Role::Client) {
               return Response::problem(make_error(Errc::Forbidden, "notes are for staff"));
             }
             bj::array items;
             for (const auto& t : notes.templates().templates) items.push_back(to_json(t));
             return Response::json(200, bj::object{{"items", std::move(items)},
                                                   {"mse", to_json(notes.templates().mse)}});
           }))
      .summary("The note templates (SOAP, DAP, BIRP …) and the mental status examination", "notes")
      .returns(200, "Templates");

  router
      .add(Method::Get, "/api/v1/clients/{id}/notes/prefill",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto r = notes.prefill(p, req.param("id"), req.query_param("template").value_or(""));
             if (!r) return Response::problem(r.error());
             bj::array measures;
             for (const auto& m : r->measures) {
               bj::array flags;
               for (const auto& f : m.flags) flags.emplace_back(f);
               measures.push_back(
                   bj::object{{"instrument", m.instrument_id},
                              {"instrument_name", m.instrument_name},
                              {"assessment_id", m.assessment_id},
                              {"total", m.total ? bj::value(*m.total) : bj::value(nullptr)},
                              {"band", text_or_null(m.band_label)},
                              {"completed_on", m.completed_on},
                              {"previous_total", m.previous_total ? bj::value(*m.previous_total)
                                                                  : bj::value(nullptr)},
                              {"previous_on", text_or_null(m.previous_on)},
                              {"change", text_or_null(m.classification)},
                              {"flags", std::move(flags)}});
             }
             bj::array alerts;
             for (const auto& a : r->risk.open_alerts) {
               alerts.push_back(bj::object{{"id", a.id},
                                           {"level", a.level},
                                           {"status", a.status},
                                           {"reason", a.reason},
                                           {"opened_on", a.opened_on}});
             }
             bj::array flags;
             for (const auto& f : r->risk.flags) flags.emplace_back(f);
             bj::object sections;
             for (const auto& [k, v] : r->sections) sections[k] = v;
             return Response::json(
                 200,
                 bj::object{
                     {"template", to_json(*r->note_template)},
                     {"mse", to_json(notes.templates().mse)},
                     {"sections", std::move(sections)},
                     {"measures", std::move(measures)},
                     {"risk", bj::object{{"open_alerts", std::move(alerts)},
                                         {"flags", std::move(flags)},
                                         {"safety_plan",
                                          r->risk.safety_plan_version
                                              ? bj::value(bj::object{
                                                    {"version", *r->risk.safety_plan_version},
                                                    {"updated_on", r->risk.safety_plan_updated_on}})
                                              : bj::value(nullptr)}}}});
           }))
      .summary("What a new note opens with: the latest measures and the risk status", "notes")
      .query("template")
      .returns(200, "The template and its pre-filled sections")
      .returns(422, "No such template");

  router
      .add(Method::Post, "/api/v1/clients/{id}/notes",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = notes.create(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             auto resp = Response::json(201, to_json(*r, true));
             resp.headers.set("Location", "/api/v1/notes/" + r->id);
             return resp;
           }))
      .summary("Start a note (a draft) on a template; a psychotherapy note is its author's alone",
               "notes")
      .body(note_body)
      .returns(201, "The draft")
      .returns(422, "An unknown template, section or examination choice");

  router
      .add(Method::Get, "/api/v1/clients/{id}/notes",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto r = notes.for_client(p, req.param("id"));
             return http::items_or_problem(r, [&](const auto& n) { return to_json(n, true); });
           }))
      .summary("A client's notes, newest first, with their addenda", "notes")
      .returns(200, "Notes");

  router
      .add(Method::Get, "/api/v1/notes/unsigned",
           access.guard([&notes](Request&, const access::Principal& p) {
             auto r = notes.waiting(p);
             if (!r) return Response::problem(r.error());
             bj::array to_sign, to_cosign;
             for (const auto& n : r->to_sign) to_sign.push_back(to_json(n, false));
             for (const auto& n : r->to_cosign) to_cosign.push_back(to_json(n, false));
             return Response::json(200, bj::object{{"to_sign", std::move(to_sign)},
                                                   {"to_cosign", std::move(to_cosign)}});
           }))
      .summary("The caller's drafts unsigned for a day, and notes waiting for their co-signature",
               "notes")
      .returns(200, "Notes to sign and to co-sign");

  router
      .add(Method::Get, "/api/v1/notes/{id}",
           access.guard([&notes, one](Request& req, const access::Principal& p) {
             return one(notes.get(p, req.param("id")));
           }))
      .summary("One note with its addenda", "notes")
      .returns(200, "The note")
      .returns(404, "No such note, or not one the caller may read");

  router
      .add(Method::Put, "/api/v1/notes/{id}",
           access.guard([&notes, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(notes.save(p, req.param("id"), *body));
           }))
      .summary("Save a draft (its author); a signed note is locked", "notes")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"version", {{"type", "integer"}}},
                                                 {"sections", {{"type", "object"}}},
                                                 {"mse", {{"type", "object"}}},
                                                 {"member_part", {{"type", "string"}}},
                                                 {"appointment_id", {{"type", "string"}}},
                                                 {"episode_id", {{"type", "string"}}}}},
                       {"required", bj::array{"version"}}})
      .returns(200, "The draft")
      .returns(409, "The note is signed (add an addendum), or the version is stale");

  router
      .add(Method::Delete, "/api/v1/notes/{id}",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto r = notes.remove(p, req.param("id"));
             if (!r) return Response::problem(r.error());
             return Response::no_content();
           }))
      .summary("Delete a draft (its author); a signed note is never deleted", "notes")
      .returns(204, "Deleted")
      .returns(409, "The note is signed");

  router
      .add(Method::Post, "/api/v1/notes/{id}/sign",
           access.guard([&notes, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(notes.sign(p, req.param("id"), *body));
           }))
      .summary("The author signs: locked from now on; a supervisee's note awaits co-signature",
               "notes")
      .body(version_schema())
      .returns(200, "The note, signed or awaiting co-signature")
      .returns(409, "Already signed, a stale version, or the supervisor is not on the care team");

  router
      .add(Method::Post, "/api/v1/notes/{id}/cosign",
           access.guard([&notes, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(notes.cosign(p, req.param("id"), *body));
           }))
      .summary("The author's supervisor co-signs", "notes")
      .body(version_schema())
      .returns(200, "The note, signed")
      .returns(403, "Only the author's supervisor co-signs")
      .returns(409, "The note does not await a co-signature");

  router
      .add(Method::Post, "/api/v1/notes/{id}/addenda",
           access.guard([&notes, one](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             return one(notes.add_addendum(p, req.param("id"), *body), 201);
           }))
      .summary("Add to a signed note: own text, author and time", "notes")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"text", {{"type", "string"}}}}},
                       {"required", bj::array{"text"}}})
      .returns(201, "The note with its addenda")
      .returns(409, "The note is still a draft");

  router
      .add(Method::Post, "/api/v1/group-notes",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = notes.write_group(p, *body);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& n : r->notes) items.push_back(to_json(n, false));
             return Response::json(
                 201, bj::object{{"group_id", r->group_id}, {"items", std::move(items)}});
           }))
      .summary(
          "A group note: written once, filed as a draft to each member's record with only "
          "the shared text and that member's own part",
          "notes")
      .body(bj::object{
          {"type", "object"},
          {"properties",
           bj::object{{"template", {{"type", "string"}}},
                      {"sections", {{"type", "object"}}},
                      {"mse", {{"type", "object"}}},
                      {"members", {{"type", "array"}, {"items", {{"type", "object"}}}}}}},
          {"required", bj::array{"template", "members"}}})
      .returns(201, "One draft per member")
      .returns(422, "Fewer than 2 members, a member not on the caller's care teams, a bad field");

  router
      .add(Method::Put, "/api/v1/users/{id}/supervisor",
           access.guard([&notes](Request& req, const access::Principal& p) {
             auto body = http::json_body(req);
             if (!body) return Response::problem(body.error());
             auto r = notes.set_supervisor(p, req.param("id"), *body);
             if (!r) return Response::problem(r.error());
             return Response::json(200, bj::object{{"user_id", req.param("id")},
                                                   {"supervisor_id", text_or_null(*r)}});
           }))
      .summary("Set or clear who supervises a clinical staff member (admins)", "notes")
      .body(bj::object{{"type", "object"},
                       {"properties", bj::object{{"supervisor_id", {{"type", "string"}}}}},
                       {"required", bj::array{"supervisor_id"}}})
      .returns(200, "The supervisor, or null")
      .returns(422, "Not another active clinical staff member");

  router
      .add(Method::Get, "/api/v1/supervisors",
           access.guard([&notes](Request&, const access::Principal& p) {
             auto r = notes.supervisions(p);
             if (!r) return Response::problem(r.error());
             bj::array items;
             for (const auto& s : *r) {
               items.push_back(bj::object{{"user_id", s.user_id},
                                          {"supervisor", bj::object{{"id", s.supervisor_id},
                                                                    {"name", s.supervisor_name}}}});
             }
             return Response::json(200, bj::object{{"items", std::move(items)}});
           }))
      .summary("Who supervises whom (admins)", "notes")
      .returns(200, "One item per supervisee with a supervisor");
}

}  // namespace tend::care
