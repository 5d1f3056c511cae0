#include "record/rules.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <utility>

#include "fhir/assessment.h"
#include "platform/clock.h"

namespace tend::record::rules {

namespace bj = boost::json;

namespace {

constexpr std::array<const char*, 7> k_weekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

//! Resource kinds of the audit log and what they are to the client. Kinds that would say more
//! than the client's own record shows (psychotherapy notes, kept apart) fall to "your record".
const std::vector<std::pair<std::string_view, std::string_view>>& kind_table() {
  static const std::vector<std::pair<std::string_view, std::string_view>> v = {
      {"client", "your details"},
      {"demographics", "your details"},
      {"assessment", "your assessment results"},
      {"assessments", "your assessment results"},
      {"assessment_schedule", "your assessment schedule"},
      {"assessment_link", "your assessment results"},
      {"self_report", "your assessment results and check-ins"},
      {"check_in", "your check-ins"},
      {"check_ins", "your check-ins"},
      {"diagnosis", "your diagnoses"},
      {"diagnoses", "your diagnoses"},
      {"medication", "your medicines"},
      {"medications", "your medicines"},
      {"note", "your session notes"},
      {"notes", "your session notes"},
      {"plan", "your care plan"},
      {"plans", "your care plan"},
      {"plan_versions", "your care plan"},
      {"plan_diff", "your care plan"},
      {"safety_plan", "your safety plan"},
      {"safety_plan_versions", "your safety plan"},
      {"appointment", "your appointments"},
      {"appointments", "your appointments"},
      {"appointment_request", "your appointment requests"},
      {"scheduling", "your appointments"},
      {"episode", "your episodes of care"},
      {"episodes", "your episodes of care"},
      {"discharge", "your discharge summary"},
      {"relapse_prevention", "your relapse prevention plan"},
      {"task", "follow-up tasks about you"},
      {"tasks", "follow-up tasks about you"},
      {"education_assignment", "your reading"},
      {"education_assignments", "your reading"},
      {"care_team", "your care team"},
      {"access_log", "who has seen your record"},
      {"notices", "notices about your record"},
      {"crisis_alert", "alerts about your safety"},
      {"help_now", "alerts about your safety"},
      {"crisis_follow_up", "follow-up after an alert"},
      {"record", "your whole record (a download)"},
      {"user", "your portal account"},
      {"amendment", "your correction requests"},
      {"amendments", "your correction requests"},
      {"clinical", "your clinical record"},
      {"substance_use", "your substance use records"},
  };
  return v;
}

std::string two(int n) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", n);
  return buf;
}

std::string day_of(std::int64_t at_ms, const TimeZone& zone) {
  const auto lt = zone.to_local(from_unix_ms(at_ms));
  return std::to_string(lt.year) + "-" + two(lt.month) + "-" + two(lt.day);
}

std::string time_of(std::int64_t at_ms, const TimeZone& zone) {
  const auto lt = zone.to_local(from_unix_ms(at_ms));
  return two(lt.hour) + ":" + two(lt.minute);
}

std::string role_words(std::string_view role) {
  std::string out(role);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string rfc3339(std::int64_t ms) {
  return format_rfc3339(from_unix_ms(ms));
}

//! Tend itself: a scheduled job or the operator's command line, not a person at a screen.
bool is_system(const std::string& actor_id) {
  return actor_id.empty() || actor_id == "system" || actor_id.rfind("system:", 0) == 0;
}

std::string full_name(const clients::Client& c) {
  return c.given_name + " " + c.family_name;
}

}  // namespace

std::string record_words(std::string_view resource_kind) {
  for (const auto& [kind, words] : kind_table()) {
    if (kind == resource_kind) return std::string(words);
  }
  return "your record";
}

std::string action_words(std::string_view action) {
  if (action == "read" || action == "list" || action == "search") return "looked at";
  if (action == "create") return "added to";
  if (action == "update" || action == "agree" || action == "acknowledge" || action == "resolve" ||
      action == "complete" || action == "archive") {
    return "changed";
  }
  if (action == "download" || action == "export") return "downloaded";
  if (action == "break_glass") return "opened";
  if (action == "add_member") return "added someone to";
  if (action == "remove_member") return "removed someone from";
  if (action == "decide") return "answered";
  return "used";
}

std::string when_words(std::int64_t at_ms, const TimeZone& zone) {
  const auto lt = zone.to_local(from_unix_ms(at_ms));
  return std::string(k_weekdays[static_cast<std::size_t>(lt.weekday % 7)]) + " " +
         std::to_string(lt.day) + " " + k_months[static_cast<std::size_t>(lt.month - 1)] + " " +
         std::to_string(lt.year) + ", " + two(lt.hour) + ":" + two(lt.minute);
}

std::string who_words(const std::string& actor_id, const Actor* actor) {
  if (is_system(actor_id)) return "Tend, automatically";
  // A questionnaire answered through a link sent by e-mail: whoever held the link.
  if (actor_id.rfind("link:", 0) == 0) return "someone using a questionnaire link sent to you";
  // Another client's name is theirs: a portal user who tried this record is not named.
  if (actor && actor->role == "client") return "someone using the portal (not you)";
  if (!actor || actor->name.empty()) return "someone at the service (account " + actor_id + ")";
  return actor->name + " (" + role_words(actor->role) + ", " +
         (actor->on_care_team ? "your care team" : "not on your care team") + ")";
}

std::vector<AccessLine> describe_access(const std::vector<audit::Entry>& entries,
                                        const std::map<std::string, Actor>& actors,
                                        const std::set<std::string>& own_user_ids,
                                        const TimeZone& zone) {
  std::vector<AccessLine> lines;
  std::map<std::string, std::size_t> index;  // group key → line
  for (const auto& e : entries) {
    if (own_user_ids.count(e.actor_id) > 0) continue;
    const bool automatic = is_system(e.actor_id);
    // The reason of a break-the-glass grant is free text: only the fact is said, never the text.
    const bool emergency = e.action == "break_glass" || e.reason == "break-the-glass";
    const bool refused = e.outcome == "denied";
    const std::string what =
        e.action == "break_glass" ? "your record" : record_words(e.resource_kind);
    const std::string did = e.action == "create" && e.resource_kind == "user"
                                ? std::string("set up")
                                : action_words(e.action);
    const std::string day = day_of(e.at_ms, zone);
    const std::string key = e.actor_id + '\x1f' + day + '\x1f' + what + '\x1f' + did + '\x1f' +
                            (emergency ? "1" : "0") + (refused ? "1" : "0");
    if (auto it = index.find(key); it != index.end()) {
      auto& line = lines[it->second];
      line.times += 1;
      line.first_at_ms = std::min(line.first_at_ms, e.at_ms);
      line.last_at_ms = std::max(line.last_at_ms, e.at_ms);
      continue;
    }
    AccessLine line;
    line.actor_id = e.actor_id;
    const auto a = actors.find(e.actor_id);
    line.who = who_words(e.actor_id, a == actors.end() ? nullptr : &a->second);
    line.did = refused ? "tried to look at" : did;
    if (refused && did != "looked at") line.did = "tried to change";
    line.what = what;
    line.day = day;
    line.first_at_ms = e.at_ms;
    line.last_at_ms = e.at_ms;
    line.times = 1;
    line.emergency = emergency;
    line.automatic = automatic;
    line.refused = refused;
    index.emplace(key, lines.size());
    lines.push_back(std::move(line));
  }
  for (auto& line : lines) {
    std::string text = line.who + " " + line.did + " " + line.what;
    if (line.emergency) text += " in an emergency, with a recorded reason";
    if (line.refused) text += " and was refused";
    text += " — " + when_words(line.first_at_ms, zone);
    if (line.times > 1) {
      text += " (" + std::to_string(line.times) + " times, until " +
              time_of(line.last_at_ms, zone) + ")";
    }
    line.text = std::move(text);
  }
  return lines;
}

bool valid_ref_kind(std::string_view kind) {
  static const std::array<std::string_view, 10> kinds = {
      "details", "assessment",  "diagnosis",   "medication", "note",
      "plan",    "safety_plan", "appointment", "education",  "other"};
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// ---- FHIR -------------------------------------------------------------------------------

namespace {

constexpr const char* k_xhtml = "http://www.w3.org/1999/xhtml";

bj::object ref(const std::string& type, const std::string& id) {
  return {{"reference", type + "/" + id}};
}

bj::object text_concept(const std::string& text) {
  return {{"text", text}};
}

//! A narrative: paragraphs of escaped text in an XHTML div.
bj::object narrative(const std::vector<std::string>& paragraphs) {
  std::string div = std::string("<div xmlns=\"") + k_xhtml + "\">";
  for (const auto& p : paragraphs) div += "<p>" + escape_html(p) + "</p>";
  div += "</div>";
  return {{"status", "generated"}, {"div", div}};
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (const auto& s : v) {
    if (s.empty()) continue;
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string appointment_status(const std::string& s) {
  if (s == "attended") return "fulfilled";
  if (s == "no_show") return "noshow";
  if (s == "arrived" || s == "cancelled" || s == "booked") return s;
  return "booked";
}

bj::object patient(const clients::Client& c) {
  bj::object p{{"resourceType", "Patient"},
               {"id", c.id},
               {"identifier", bj::array{bj::object{{"system", "urn:tend:mrn"}, {"value", c.mrn}}}},
               {"name", bj::array{bj::object{{"use", "official"},
                                             {"family", c.family_name},
                                             {"given", bj::array{c.given_name}}}}},
               {"birthDate", c.date_of_birth}};
  if (c.preferred_name) {
    p["name"].as_array().push_back(
        bj::object{{"use", "usual"}, {"given", bj::array{*c.preferred_name}}});
  }
  if (c.sex) {
    p["gender"] = *c.sex == "female" || *c.sex == "male" || *c.sex == "unknown"
                      ? bj::value(*c.sex)
                      : bj::value("other");
  }
  bj::array telecom;
  if (c.email) telecom.push_back(bj::object{{"system", "email"}, {"value", *c.email}});
  if (c.phone) telecom.push_back(bj::object{{"system", "phone"}, {"value", *c.phone}});
  if (!telecom.empty()) p["telecom"] = std::move(telecom);
  if (c.language) {
    p["communication"] = bj::array{bj::object{
        {"language", bj::object{{"coding", bj::array{bj::object{{"system", "urn:ietf:bcp:47"},
                                                                {"code", *c.language}}}}}},
        {"preferred", true}}};
  }
  return p;
}

bj::object condition(const care::Diagnosis& d, const std::string& subject) {
  bj::object o{{"resourceType", "Condition"}, {"id", d.id}};
  const auto& s = d.status;
  const std::string verification = s == "provisional"        ? "provisional"
                                   : s == "ruled_out"        ? "refuted"
                                   : s == "entered_in_error" ? "entered-in-error"
                                                             : "confirmed";
  // Refuted and entered-in-error conditions carry no clinical status (FHIR con-5).
  if (s != "ruled_out" && s != "entered_in_error") {
    o["clinicalStatus"] = bj::object{
        {"coding", bj::array{bj::object{
                       {"system", "http://terminology.hl7.org/CodeSystem/condition-clinical"},
                       {"code", s == "resolved" ? "resolved" : "active"}}}}};
  }
  o["verificationStatus"] = bj::object{
      {"coding", bj::array{bj::object{
                     {"system", "http://terminology.hl7.org/CodeSystem/condition-ver-status"},
                     {"code", verification}}}}};
  o["category"] = bj::array{bj::object{
      {"coding",
       bj::array{bj::object{{"system", "http://terminology.hl7.org/CodeSystem/condition-category"},
                            {"code", "encounter-diagnosis"}}}}}};
  o["code"] =
      bj::object{{"coding", bj::array{bj::object{{"system", "http://hl7.org/fhir/sid/icd-10-cm"},
                                                 {"code", d.code},
                                                 {"display", d.title}}}},
                 {"text", d.title}};
  o["subject"] = ref("Patient", subject);
  o["recordedDate"] = d.diagnosed_on;
  o["recorder"] = bj::object{{"display", d.diagnosed_by_name}};
  if (!d.note.empty()) o["note"] = bj::array{bj::object{{"text", d.note}}};
  return o;
}

bj::object medication(const care::Medication& m, const std::string& subject) {
  bj::object o{{"resourceType", "MedicationStatement"},
               {"id", m.id},
               {"status", m.stopped_on ? "completed" : "active"},
               {"medicationCodeableConcept", text_concept(m.name)},
               {"subject", ref("Patient", subject)}};
  bj::object period{{"start", m.started_on}};
  if (m.stopped_on) period["end"] = *m.stopped_on;
  o["effectivePeriod"] = std::move(period);
  o["dosage"] = bj::array{bj::object{{"text", join({m.dose, m.route, m.frequency}, ", ")}}};
  if (!m.reason.empty()) o["reasonCode"] = bj::array{text_concept(m.reason)};
  return o;
}

bj::object appointment(const care::Appointment& a, const std::string& subject) {
  bj::object o{{"resourceType", "Appointment"},
               {"id", a.id},
               {"status", appointment_status(a.status)},
               {"appointmentType", text_concept(a.kind)},
               {"description", a.kind + " session, " + a.mode},
               {"start", rfc3339(a.starts_at_ms)},
               {"end", rfc3339(a.ends_at_ms)}};
  o["participant"] = bj::array{
      bj::object{{"actor", ref("Patient", subject)}, {"status", "accepted"}},
      bj::object{{"actor", bj::object{{"display", a.clinician_name}}}, {"status", "accepted"}}};
  return o;
}

}  // namespace

namespace {

//! One check-in in words: "Mood 7 of 10; anxiety 3 of 10; slept 7.5 hours …", skipped ratings
//! left out, factors by their labels, the note last.
std::string check_in_words(const tracking::StoredCheckIn& s,
                           const std::map<std::string, std::string>& labels) {
  const auto& c = s.check_in;
  std::vector<std::string> parts;
  parts.push_back("mood " + std::to_string(c.mood) + " of 10");
  if (c.anxiety) parts.push_back("anxiety " + std::to_string(*c.anxiety) + " of 10");
  if (c.sleep_hours) {
    std::string h = std::to_string(*c.sleep_hours);
    h.erase(h.find_last_not_of('0') + 1);
    if (!h.empty() && h.back() == '.') h.pop_back();
    parts.push_back("slept " + h + " hours");
  }
  if (c.sleep_quality)
    parts.push_back("sleep quality " + std::to_string(*c.sleep_quality) + " of 4");
  if (c.energy) parts.push_back("energy " + std::to_string(*c.energy) + " of 10");
  if (c.self_harm_urge) {
    parts.push_back("urge to self-harm " + std::to_string(*c.self_harm_urge) + " of 5");
  }
  if (c.medication) {
    parts.push_back(*c.medication == tracking::Medication::Yes  ? "medication taken"
                    : *c.medication == tracking::Medication::No ? "medication not taken"
                                                                : "no medication");
  }
  if (!c.factors.empty()) {
    std::vector<std::string> names;
    for (const auto& f : c.factors) {
      auto it = labels.find(f);
      names.push_back(it == labels.end() ? f : it->second);
    }
    parts.push_back(join(names, ", "));
  }
  std::string out = join(parts, "; ");
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  if (!c.note.empty()) {
    out +=
        ". Note" + std::string(c.share_note ? " (shared with your care team)" : "") + ": " + c.note;
  }
  return out;
}

//! Who wrote a message, as the client reads it.
std::string sender_words(const messaging::Message& m) {
  if (m.kind == "auto_reply") return "Automatic reply";
  if (m.from_client) return "You";
  return m.sender_name.empty() ? "Your care team" : m.sender_name;
}

}  // namespace

bj::object to_bundle(const RecordContents& r, const std::string& bundle_id) {
  const std::string& cid = r.client.id;
  std::vector<bj::object> resources;
  bj::array sections;
  const auto section = [&](const std::string& title, bj::array entries,
                           std::vector<std::string> text = {}) {
    if (entries.empty() && text.empty()) return;
    bj::object s{{"title", title}};
    if (!entries.empty()) s["entry"] = std::move(entries);
    if (!text.empty()) s["text"] = narrative(text);
    sections.push_back(std::move(s));
  };

  resources.push_back(patient(r.client));
  section("About you", bj::array{ref("Patient", cid)});

  bj::array measures;
  for (const auto& m : r.measures) {
    if (!m.instrument) continue;
    auto qr = fhir::to_questionnaire_response(m.result, *m.instrument, m.questionnaire_url);
    measures.push_back(ref("QuestionnaireResponse", m.result.id));
    resources.push_back(std::move(qr));
    for (auto& o : fhir::to_observations(m.result, *m.instrument)) {
      measures.push_back(ref("Observation", std::string(o.at("id").as_string())));
      resources.push_back(std::move(o));
    }
  }
  section("Measures", std::move(measures));

  bj::array diagnoses;
  for (const auto& d : r.diagnoses) {
    diagnoses.push_back(ref("Condition", d.id));
    resources.push_back(condition(d, cid));
  }
  section("Diagnoses", std::move(diagnoses));

  bj::array medicines;
  for (const auto& m : r.medications) {
    medicines.push_back(ref("MedicationStatement", m.id));
    resources.push_back(medication(m, cid));
  }
  section("Medicines", std::move(medicines));

  bj::array appointments;
  for (const auto& a : r.appointments) {
    appointments.push_back(ref("Appointment", a.id));
    resources.push_back(appointment(a, cid));
  }
  section("Appointments", std::move(appointments));

  if (r.plan) {
    const auto& plan = *r.plan;
    const auto& content = plan.current.content;
    bj::array goal_refs;
    bj::array plan_entries;
    const auto goal = [&](const std::string& id, const std::string& text, const std::string& due) {
      bj::object g{{"resourceType", "Goal"},
                   {"id", id},
                   {"lifecycleStatus", "active"},
                   {"description", text_concept(text)},
                   {"subject", ref("Patient", cid)}};
      if (!due.empty()) g["target"] = bj::array{bj::object{{"dueDate", due}}};
      goal_refs.push_back(ref("Goal", id));
      resources.push_back(std::move(g));
    };
    for (const auto& g : content.goals) goal(plan.id + "-" + g.id, g.text, "");
    for (const auto& o : content.objectives) goal(plan.id + "-" + o.id, o.text, o.target_on);
    bj::object cp{{"resourceType", "CarePlan"},
                  {"id", plan.id},
                  {"status", "active"},
                  {"intent", "plan"},
                  {"title", "Treatment plan"},
                  {"subject", ref("Patient", cid)},
                  {"created", rfc3339(plan.created_at_ms)}};
    std::vector<std::string> problems;
    for (const auto& p : content.problems) problems.push_back(p.text);
    if (!problems.empty()) cp["description"] = "Problems: " + join(problems, "; ");
    if (!goal_refs.empty()) cp["goal"] = goal_refs;
    bj::array activities;
    for (const auto& i : content.interventions) {
      activities.push_back(bj::object{
          {"detail",
           bj::object{{"status", "in-progress"},
                      {"description",
                       join({i.code, i.detail, i.frequency, i.delivered_by_name}, ", ")}}}});
    }
    if (!activities.empty()) cp["activity"] = std::move(activities);
    if (!content.review_on.empty()) cp["period"] = bj::object{{"end", content.review_on}};
    plan_entries.push_back(ref("CarePlan", plan.id));
    for (const auto& g : goal_refs) plan_entries.push_back(g);
    resources.push_back(std::move(cp));
    section("Care plan", std::move(plan_entries));
  }

  if (r.safety_plan) {
    const auto& s = r.safety_plan->sections;
    std::vector<std::string> text;
    const auto list = [&](const std::string& heading, const std::vector<std::string>& v) {
      if (!v.empty()) text.push_back(heading + ": " + join(v, "; "));
    };
    list("Warning signs", s.warning_signs);
    list("Coping strategies", s.coping_strategies);
    list("People and places for distraction", s.distractions);
    list("People to ask for help", s.people_to_ask);
    std::vector<std::string> pros;
    for (const auto& c : s.professionals) pros.push_back(join({c.name, c.phone, c.note}, " "));
    list("Professionals and services", pros);
    list("Making my surroundings safe", s.safe_environment);
    list("Reasons for living", s.reasons_for_living);
    if (text.empty()) text.push_back("(empty)");
    section("Safety plan (version " + std::to_string(r.safety_plan->version) + ")", {},
            std::move(text));
  }

  for (const auto& n : r.notes) {
    std::vector<std::string> text;
    for (const auto& [heading, body] : n.sections) {
      if (!body.empty()) text.push_back(heading + ": " + body);
    }
    for (const auto& a : n.note.addenda) text.push_back("Addendum: " + a.text);
    if (text.empty()) text.push_back("(empty)");
    section("Session note by " + n.note.author_name + ", signed " + rfc3339(n.note.signed_at_ms),
            {}, std::move(text));
  }

  bj::array reading;
  for (const auto& a : r.reading) {
    bj::object t{{"resourceType", "Task"},
                 {"id", a.id},
                 {"status", a.status == "read" ? "completed" : "requested"},
                 {"intent", "order"},
                 {"description", "Read: " + a.title},
                 {"for", ref("Patient", cid)},
                 {"authoredOn", rfc3339(a.assigned_at_ms)}};
    if (a.read_at_ms) t["executionPeriod"] = bj::object{{"end", rfc3339(*a.read_at_ms)}};
    reading.push_back(ref("Task", a.id));
    resources.push_back(std::move(t));
  }
  section("Reading", std::move(reading));

  if (!r.check_ins.empty()) {
    std::vector<std::string> text;
    for (const auto& ci : r.check_ins) {
      text.push_back(ci.check_in.date + ": " + check_in_words(ci, r.factor_labels));
    }
    section("Daily check-ins", {}, std::move(text));
  }
  for (const auto& t : r.threads) {
    std::vector<std::string> text;
    for (const auto& m : t.messages) {
      text.push_back(sender_words(m) + ", " + rfc3339(m.created_at_ms) + ": " + m.body);
    }
    section("Messages: " + t.subject, {}, std::move(text));
  }

  if (!r.amendments.empty()) {
    std::vector<std::string> text;
    for (const auto& a : r.amendments) {
      std::string line = "Asked " + rfc3339(a.created_at_ms) + " about " + a.what + ": " +
                         a.change + " — " + a.status;
      if (!a.reason.empty()) line += " (" + a.reason + ")";
      text.push_back(std::move(line));
    }
    section("Correction requests", {}, std::move(text));
  }

  bj::object composition{
      {"resourceType", "Composition"},
      {"id", bundle_id},
      {"status", "final"},
      {"type",
       bj::object{{"coding", bj::array{bj::object{{"system", "http://loinc.org"},
                                                  {"code", "60591-5"},
                                                  {"display", "Patient summary Document"}}}},
                  {"text", "Your record"}}},
      {"subject", ref("Patient", cid)},
      {"date", rfc3339(r.generated_at_ms)},
      {"author", bj::array{bj::object{{"display", r.service_name}}}},
      {"title", "Record of " + full_name(r.client) + " held by " + r.service_name},
      {"section", std::move(sections)}};

  bj::array entries;
  const auto add = [&](bj::object res) {
    const std::string url = "urn:tend:" + std::string(res.at("resourceType").as_string()) + "/" +
                            std::string(res.at("id").as_string());
    entries.push_back(bj::object{{"fullUrl", url}, {"resource", std::move(res)}});
  };
  add(std::move(composition));
  for (auto& res : resources) add(std::move(res));
  return {{"resourceType", "Bundle"},
          {"id", bundle_id},
          {"identifier", bj::object{{"system", "urn:tend:record-download"}, {"value", bundle_id}}},
          {"type", "document"},
          {"timestamp", rfc3339(r.generated_at_ms)},
          {"entry", std::move(entries)}};
}

// ---- HTML -------------------------------------------------------------------------------

namespace {

constexpr const char* k_style = R"(
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;margin:0 auto;
max-width:46rem;padding:1rem}
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:1px solid #bbb}h3{font-size:1rem;margin:1rem 0 .25rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;
padding:.25rem .5rem .25rem 0;border-bottom:1px solid #e3e3e3}
.muted{color:#555}.note{white-space:pre-wrap}
@media print{body{max-width:none;font-size:11pt;padding:0}h2{break-after:avoid}
section,tr{break-inside:avoid}a{color:inherit}}
)";

std::string date_words(std::int64_t ms, const TimeZone& zone) {
  return escape_html(when_words(ms, zone));
}

std::string p(const std::string& text) {
  return "<p>" + escape_html(text) + "</p>";
}

std::string none(const std::string& what) {
  return "<p class=\"muted\">" + escape_html(what) + "</p>";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::string to_html(const RecordContents& r, const TimeZone& zone) {
  const auto& c = r.client;
  std::string h;
  h += "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
       "style-src 'unsafe-inline'\">";
  h += "<title>" + escape_html("Record of " + full_name(c)) + "</title>";
  h += std::string("<style>") + k_style + "</style></head><body><main>";
  h += "<h1>" + escape_html("Record of " + full_name(c)) + "</h1>";
  h += "<p class=\"muted\">" + escape_html("What " + r.service_name + " holds about you, as of ") +
       date_words(r.generated_at_ms, zone) +
       escape_html(". Psychotherapy notes, which a therapist keeps apart, are not part of it.") +
       "</p>";

  h += "<section><h2>About you</h2><table>";
  const auto row = [&](const std::string& k, const std::string& v) {
    if (!v.empty())
      h += "<tr><th scope=\"row\">" + escape_html(k) + "</th><td>" + escape_html(v) + "</td></tr>";
  };
  row("Name", full_name(c));
  row("Preferred name", c.preferred_name.value_or(""));
  row("Pronouns", c.pronouns.value_or(""));
  row("Date of birth", c.date_of_birth);
  row("Record number", c.mrn);
  row("E-mail", c.email.value_or(""));
  row("Phone", c.phone.value_or(""));
  row("Language", c.language.value_or(""));
  h += "</table></section>";

  h += "<section><h2>Measures</h2>";
  if (r.measures.empty())
    h += none("No measures yet.");
  else {
    h += "<table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Measure</th>"
         "<th scope=\"col\">Score</th><th scope=\"col\">Meaning</th></tr></thead><tbody>";
    for (const auto& m : r.measures) {
      const auto& s = m.result.score;
      h += "<tr><td>" + date_words(m.result.completed_at_ms, zone) + "</td><td>" +
           escape_html(m.result.instrument_name) + "</td><td>" +
           (s.total ? escape_html(number(*s.total)) : std::string("—")) + "</td><td>" +
           escape_html(s.band ? s.band->label : "") + "</td></tr>";
    }
    h += "</tbody></table>";
  }
  h += "</section>";

  h += "<section><h2>Diagnoses</h2>";
  if (r.diagnoses.empty()) h += none("No diagnoses recorded.");
  for (const auto& d : r.diagnoses) {
    h += p(d.code + " " + d.title + " — " + d.status + ", " + d.rank + ", since " + d.diagnosed_on +
           (d.diagnosed_by_name.empty() ? "" : " (" + d.diagnosed_by_name + ")"));
    if (!d.note.empty()) h += "<p class=\"note muted\">" + escape_html(d.note) + "</p>";
  }
  h += "</section>";

  h += "<section><h2>Medicines</h2>";
  if (r.medications.empty()) h += none("No medicines recorded.");
  for (const auto& m : r.medications) {
    h += p(m.name + " — " + join({m.dose, m.route, m.frequency}, ", ") + "; started " +
           m.started_on + (m.stopped_on ? ", stopped " + *m.stopped_on : std::string()) +
           (m.reason.empty() ? "" : ". Why: " + m.reason));
  }
  h += "</section>";

  h += "<section><h2>Appointments</h2>";
  if (r.appointments.empty()) h += none("No appointments.");
  for (const auto& a : r.appointments) {
    h +=
        "<p>" + date_words(a.starts_at_ms, zone) + " — " +
        escape_html(a.kind + ", " + a.mode + ", with " + a.clinician_name + " (" + a.status + ")") +
        "</p>";
  }
  h += "</section>";

  h += "<section><h2>Care plan</h2>";
  if (!r.plan)
    h += none("No care plan yet.");
  else {
    const auto& content = r.plan->current.content;
    const auto items = [&](const std::string& heading, const std::vector<std::string>& v) {
      if (v.empty()) return;
      h += "<h3>" + escape_html(heading) + "</h3><ul>";
      for (const auto& x : v) h += "<li>" + escape_html(x) + "</li>";
      h += "</ul>";
    };
    std::vector<std::string> v;
    for (const auto& x : content.problems) v.push_back(x.text);
    items("Problems", v);
    v.clear();
    for (const auto& x : content.goals) v.push_back(x.text);
    items("Goals", v);
    v.clear();
    for (const auto& x : content.objectives) {
      v.push_back(x.text + (x.target_on.empty() ? "" : " (by " + x.target_on + ")"));
    }
    items("Steps towards them", v);
    v.clear();
    for (const auto& x : content.interventions) {
      v.push_back(join({x.code, x.detail, x.frequency, x.delivered_by_name}, ", "));
    }
    items("What we do", v);
    if (!content.review_on.empty()) h += p("Review by " + content.review_on + ".");
  }
  h += "</section>";

  h += "<section><h2>Safety plan</h2>";
  if (!r.safety_plan)
    h += none("No safety plan yet.");
  else {
    const auto& s = r.safety_plan->sections;
    const auto items = [&](const std::string& heading, const std::vector<std::string>& v) {
      if (v.empty()) return;
      h += "<h3>" + escape_html(heading) + "</h3><ul>";
      for (const auto& x : v) h += "<li>" + escape_html(x) + "</li>";
      h += "</ul>";
    };
    items("Warning signs", s.warning_signs);
    items("Coping strategies", s.coping_strategies);
    items("People and places for distraction", s.distractions);
    items("People to ask for help", s.people_to_ask);
    std::vector<std::string> pros;
    for (const auto& x : s.professionals) pros.push_back(join({x.name, x.phone, x.note}, " "));
    items("Professionals and services", pros);
    items("Making my surroundings safe", s.safe_environment);
    items("Reasons for living", s.reasons_for_living);
  }
  h += "</section>";

  h += "<section><h2>Session notes</h2>";
  if (r.notes.empty()) h += none("No signed session notes.");
  for (const auto& n : r.notes) {
    h += "<h3>" + escape_html("By " + n.note.author_name + ", signed ") +
         date_words(n.note.signed_at_ms, zone) + "</h3>";
    for (const auto& [heading, body] : n.sections) {
      if (body.empty()) continue;
      h += "<p class=\"note\"><strong>" + escape_html(heading) + ":</strong> " + escape_html(body) +
           "</p>";
    }
    for (const auto& a : n.note.addenda) {
      h += "<p class=\"note\"><strong>Addendum:</strong> " + escape_html(a.text) + "</p>";
    }
  }
  h += "</section>";

  h += "<section><h2>Reading</h2>";
  if (r.reading.empty()) h += none("No reading given.");
  for (const auto& a : r.reading) {
    h += p(a.title + " — " + (a.status == "read" ? "read" : "not read yet") +
           (a.rating ? ", useful " + std::to_string(*a.rating) + " of 5" : std::string()));
  }
  h += "</section>";

  h += "<section><h2>Daily check-ins</h2>";
  if (r.check_ins.empty()) h += none("No check-ins.");
  for (const auto& ci : r.check_ins) {
    h += "<p><strong>" + escape_html(ci.check_in.date) + "</strong> " +
         escape_html(check_in_words(ci, r.factor_labels)) + "</p>";
  }
  h += "</section>";

  h += "<section><h2>Messages</h2>";
  if (r.threads.empty()) h += none("No messages.");
  for (const auto& t : r.threads) {
    h += "<h3>" + escape_html(t.subject) + "</h3>";
    for (const auto& m : t.messages) {
      h += "<p><strong>" + escape_html(sender_words(m)) + "</strong>, " +
           date_words(m.created_at_ms, zone) + "</p>";
      h += "<p class=\"note\">" + escape_html(m.body) + "</p>";
    }
  }
  h += "</section>";

  h += "<section><h2>Correction requests</h2>";
  if (r.amendments.empty()) h += none("You have not asked for a correction.");
  for (const auto& a : r.amendments) {
    h += "<h3>" + escape_html("About " + a.what + ", asked ") + date_words(a.created_at_ms, zone) +
         "</h3>";
    h += "<p class=\"note\">" + escape_html(a.change) + "</p>";
    std::string answer = a.status == "open"       ? "Waiting for an answer."
                         : a.status == "accepted" ? "Accepted"
                                                  : "Refused";
    if (a.status != "open" && !a.decided_by_name.empty()) answer += " by " + a.decided_by_name;
    if (!a.reason.empty()) answer += ": " + a.reason;
    h += p(answer);
  }
  h += "</section></main></body></html>\n";
  return h;
}

}  // namespace tend::record::rules
