#include "care/notes_rules.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <set>

namespace tend::care::rules {

namespace bj = boost::json;

namespace {

constexpr std::size_t k_section_max = 20000;
constexpr std::size_t k_mse_text_max = 2000;

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

//! Collects the problems of one content file, each on a field path.
struct Problems {
  std::vector<FieldError> list;
  void add(std::string field, std::string message) {
    list.push_back({std::move(field), std::move(message)});
  }
  //! A non-empty string at `key` of `o`, or "" with a problem recorded.
  std::string text(const bj::object& o, const std::string& key, const std::string& path) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string() || v->as_string().empty()) {
      add(path + key, "must be a non-empty string");
      return {};
    }
    return std::string(v->as_string());
  }
  Error error(const std::string& what) const {
    const std::string detail = what + ": " + list.front().field + " " + list.front().message;
    return make_error(Errc::Validation, detail, list);
  }
};

Result<bj::object> parse_file(std::string_view text) {
  boost::system::error_code ec;
  auto v = bj::parse(text, ec);
  if (ec) return make_error(Errc::Validation, "is not valid JSON: " + ec.message());
  if (!v.is_object()) return make_error(Errc::Validation, "must be a JSON object");
  return std::move(v.as_object());
}

std::string number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

Result<NoteTemplate> parse_note_template(std::string_view text, std::string_view file_id) {
  auto parsed = parse_file(text);
  if (!parsed) return parsed.error();
  const bj::object& o = *parsed;
  Problems p;
  NoteTemplate t;
  t.id = p.text(o, "id", "");
  if (!t.id.empty() && t.id != file_id) {
    p.add("id", "must be the file's name, " + std::string(file_id));
  }
  t.name = p.text(o, "name", "");
  t.title = p.text(o, "title", "");
  std::set<std::string> ids;
  const auto* sections = o.if_contains("sections");
  if (!sections || !sections->is_array() || sections->as_array().empty()) {
    p.add("sections", "must be a list of at least one section");
  } else {
    std::size_t i = 0;
    for (const auto& s : sections->as_array()) {
      const std::string path = "sections[" + std::to_string(i++) + "].";
      if (!s.is_object()) {
        p.add(path.substr(0, path.size() - 1), "must be an object");
        continue;
      }
      NoteSection sec;
      sec.id = p.text(s.as_object(), "id", path);
      if (!sec.id.empty() && !valid_id(sec.id)) {
        p.add(path + "id", "must be lower-case letters and _");
      } else if (!sec.id.empty() && !ids.insert(sec.id).second) {
        p.add(path + "id", "repeats " + sec.id);
      }
      sec.heading = p.text(s.as_object(), "heading", path);
      sec.prompt = p.text(s.as_object(), "prompt", path);
      if (const auto* pre = s.as_object().if_contains("prefill")) {
        if (!pre->is_array()) {
          p.add(path + "prefill", "must be a list of measures and risk");
        } else {
          for (const auto& what : pre->as_array()) {
            if (!what.is_string() ||
                (what.as_string() != "measures" && what.as_string() != "risk")) {
              p.add(path + "prefill", "may hold measures and risk only");
              break;
            }
            sec.prefill.emplace_back(what.as_string());
          }
        }
      }
      for (const auto& [key, value] : s.as_object()) {
        if (key != "id" && key != "heading" && key != "prompt" && key != "prefill") {
          p.add(path + std::string(key), "is not a field of a section");
        }
      }
      t.sections.push_back(std::move(sec));
    }
  }
  t.mse_after = p.text(o, "mse_after", "");
  if (!t.mse_after.empty() && ids.count(t.mse_after) == 0) {
    p.add("mse_after", "must name one of the template's sections");
  }
  for (const auto& [key, value] : o) {
    if (key != "id" && key != "name" && key != "title" && key != "sections" && key != "mse_after") {
      p.add(std::string(key), "is not a field of a template");
    }
  }
  if (!p.list.empty()) return p.error("template");
  return t;
}

Result<MseDefinition> parse_mse(std::string_view text) {
  auto parsed = parse_file(text);
  if (!parsed) return parsed.error();
  const bj::object& o = *parsed;
  Problems p;
  MseDefinition m;
  p.text(o, "id", "");
  m.heading = p.text(o, "heading", "");
  m.prompt = p.text(o, "prompt", "");
  const auto* domains = o.if_contains("domains");
  if (!domains || !domains->is_array() || domains->as_array().empty()) {
    p.add("domains", "must be a list of at least one domain");
  } else {
    std::set<std::string> ids;
    std::size_t i = 0;
    for (const auto& d : domains->as_array()) {
      const std::string path = "domains[" + std::to_string(i++) + "].";
      if (!d.is_object()) {
        p.add(path.substr(0, path.size() - 1), "must be an object");
        continue;
      }
      MseDomain dom;
      dom.id = p.text(d.as_object(), "id", path);
      if (!dom.id.empty() && (!valid_id(dom.id) || !ids.insert(dom.id).second)) {
        p.add(path + "id", "must be lower-case letters and _, once");
      }
      dom.heading = p.text(d.as_object(), "heading", path);
      const auto* choices = d.as_object().if_contains("choices");
      if (!choices || !choices->is_array() || choices->as_array().empty()) {
        p.add(path + "choices", "must be a list of at least one description");
      } else {
        for (const auto& c : choices->as_array()) {
          if (!c.is_string() || c.as_string().empty()) {
            p.add(path + "choices", "must be non-empty strings");
            break;
          }
          dom.choices.emplace_back(c.as_string());
        }
      }
      m.domains.push_back(std::move(dom));
    }
  }
  if (!p.list.empty()) return p.error("examination");
  return m;
}

Result<NoteTemplates> load_note_templates(const std::vector<content::File>& files) {
  NoteTemplates out;
  bool have_mse = false;
  for (const auto& f : files) {
    const std::string path(f.path);
    constexpr std::string_view dir = "notes/", ext = ".json";
    if (path.rfind(dir, 0) != 0 || path.size() <= dir.size() + ext.size() ||
        path.compare(path.size() - ext.size(), ext.size(), ext) != 0) {
      continue;
    }
    const std::string id = path.substr(dir.size(), path.size() - dir.size() - ext.size());
    if (id == "mse") {
      auto m = parse_mse(f.text);
      if (!m) return make_error(Errc::Validation, path + ": " + m.error().detail, m.error().errors);
      out.mse = std::move(*m);
      have_mse = true;
      continue;
    }
    auto t = parse_note_template(f.text, id);
    if (!t) return make_error(Errc::Validation, path + ": " + t.error().detail, t.error().errors);
    out.templates.push_back(std::move(*t));
  }
  if (!have_mse) return make_error(Errc::Validation, "notes/mse.json: missing");
  if (out.templates.empty()) return make_error(Errc::Validation, "notes/: no note templates");
  std::sort(out.templates.begin(), out.templates.end(),
            [](const NoteTemplate& a, const NoteTemplate& b) { return a.id < b.id; });
  return out;
}

bool valid_note_kind(std::string_view kind) {
  return kind == "progress" || kind == "psychotherapy";
}

void read_sections(const bj::value& v, const NoteTemplate& t,
                   std::map<std::string, std::string>& out, std::vector<FieldError>& errors) {
  if (!v.is_object()) {
    errors.push_back({"sections", "must be an object of section id to text"});
    return;
  }
  for (const auto& [key, value] : v.as_object()) {
    const std::string id(key);
    const bool known = std::any_of(t.sections.begin(), t.sections.end(),
                                   [&](const NoteSection& s) { return s.id == id; });
    if (!known) {
      errors.push_back({"sections." + id, "is not a section of the " + t.name + " template"});
    } else if (!value.is_string()) {
      errors.push_back({"sections." + id, "must be text"});
    } else if (value.as_string().size() > k_section_max) {
      errors.push_back({"sections." + id, "must be at most 20000 bytes"});
    } else {
      out[id] = std::string(value.as_string());
    }
  }
}

void read_mse(const bj::value& v, const MseDefinition& mse, std::map<std::string, MseAnswer>& out,
              std::vector<FieldError>& errors) {
  if (!v.is_object()) {
    errors.push_back({"mse", "must be an object of examination domain to its answer"});
    return;
  }
  for (const auto& [key, value] : v.as_object()) {
    const std::string id(key);
    const std::string field = "mse." + id;
    const auto dom = std::find_if(mse.domains.begin(), mse.domains.end(),
                                  [&](const MseDomain& d) { return d.id == id; });
    if (dom == mse.domains.end()) {
      errors.push_back({field, "is not a domain of the examination"});
      continue;
    }
    if (!value.is_object()) {
      errors.push_back({field, "must be {choices, text}"});
      continue;
    }
    MseAnswer a;
    bool ok = true;
    for (const auto& [k, item] : value.as_object()) {
      if (k == "choices") {
        if (!item.is_array()) {
          errors.push_back({field + ".choices", "must be a list"});
          ok = false;
          continue;
        }
        for (const auto& c : item.as_array()) {
          const std::string choice = c.is_string() ? std::string(c.as_string()) : std::string();
          const bool listed = c.is_string() && std::find(dom->choices.begin(), dom->choices.end(),
                                                         choice) != dom->choices.end();
          if (!listed) {
            errors.push_back({field + ".choices", "must be among the choices for " + dom->heading});
            ok = false;
            break;
          }
          if (std::find(a.choices.begin(), a.choices.end(), choice) == a.choices.end()) {
            a.choices.push_back(choice);
          }
        }
      } else if (k == "text") {
        if (!item.is_string() || item.as_string().size() > k_mse_text_max) {
          errors.push_back({field + ".text", "must be text of at most 2000 bytes"});
          ok = false;
        } else {
          a.text = std::string(item.as_string());
        }
      } else {
        errors.push_back({field + "." + std::string(k), "unknown field"});
        ok = false;
      }
    }
    if (!ok) continue;
    if (a.choices.empty() && a.text.empty()) {
      out.erase(id);
    } else {
      out[id] = std::move(a);
    }
  }
}

std::optional<NoteRefusal> check_edit(const Note& n, const std::string& user_id) {
  if (n.status != "draft") {
    return NoteRefusal{Errc::Conflict, "status",
                       "note " + n.id + " is signed and locked; add an addendum instead"};
  }
  if (n.author_id != user_id) {
    return NoteRefusal{Errc::Forbidden, "author", "only the note's author may change a draft"};
  }
  return std::nullopt;
}

std::optional<NoteRefusal> check_sign(const Note& n, const std::string& user_id) {
  if (n.status != "draft") {
    return NoteRefusal{Errc::Conflict, "status", "note " + n.id + " is already signed"};
  }
  if (n.author_id != user_id) {
    return NoteRefusal{Errc::Forbidden, "author", "only the note's author may sign it"};
  }
  return std::nullopt;
}

std::optional<NoteRefusal> check_cosign(const Note& n, const std::string& user_id) {
  if (n.status != "awaiting_cosign") {
    return NoteRefusal{Errc::Conflict, "status",
                       n.status == "draft" ? "note " + n.id + " is not signed by its author yet"
                                           : "note " + n.id + " needs no co-signature"};
  }
  if (n.cosigner_id != user_id) {
    return NoteRefusal{Errc::Forbidden, "cosigner",
                       "only the author's supervisor may co-sign note " + n.id};
  }
  return std::nullopt;
}

std::optional<NoteRefusal> check_delete(const Note& n, const std::string& user_id) {
  if (n.status != "draft") {
    return NoteRefusal{Errc::Conflict, "status",
                       "note " + n.id + " is signed; a signed note is never deleted"};
  }
  if (n.author_id != user_id) {
    return NoteRefusal{Errc::Forbidden, "author", "only the note's author may delete a draft"};
  }
  return std::nullopt;
}

std::optional<NoteRefusal> check_addendum(const Note& n) {
  if (n.status == "draft") {
    return NoteRefusal{Errc::Conflict, "status",
                       "note " + n.id + " is a draft; change the draft instead of adding to it"};
  }
  return std::nullopt;
}

std::string status_after_signing(const Note& n, bool author_has_supervisor) {
  return author_has_supervisor && n.kind == "progress" ? "awaiting_cosign" : "signed";
}

bool overdue_for_signature(const Note& n, std::int64_t now_ms) {
  constexpr std::int64_t k_day_ms = 24LL * 60 * 60 * 1000;
  return n.status == "draft" && now_ms - n.created_at_ms >= k_day_ms;
}

std::string change_words(std::string_view classification) {
  if (classification == "reliable_improvement") return "reliable improvement";
  if (classification == "reliable_deterioration") return "reliable deterioration";
  if (classification == "no_reliable_change") return "no reliable change";
  return std::string(classification);
}

std::string measures_text(const std::vector<MeasureSummary>& measures) {
  std::string out;
  for (const auto& m : measures) {
    std::string line = m.instrument_name;
    if (m.total) line += " " + number(*m.total);
    if (!m.band_label.empty()) line += m.total ? " (" + m.band_label + ")" : " " + m.band_label;
    line += " on " + m.completed_on;
    if (m.total && m.previous_total && !m.previous_on.empty()) {
      const double delta = *m.total - *m.previous_total;
      if (delta == 0) {
        line += ", unchanged from " + m.previous_on;
      } else {
        line += std::string(delta < 0 ? ", down " : ", up ") + number(std::fabs(delta)) + " from " +
                number(*m.previous_total) + " on " + m.previous_on;
      }
      if (!m.classification.empty()) line += ": " + change_words(m.classification);
    } else if (m.previous_on.empty()) {
      line += ", the first result";
    }
    out += line + ".\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string risk_text(const RiskSummary& risk) {
  std::string out;
  if (risk.open_alerts.empty()) {
    out += "No open crisis alerts.";
  } else {
    out += "Open crisis alerts: " + std::to_string(risk.open_alerts.size()) + " (";
    bool first = true;
    for (const auto& a : risk.open_alerts) {
      if (!first) out += "; ";
      first = false;
      out += a.level + ", " + a.status + ", since " + a.opened_on;
    }
    out += ").";
  }
  out += "\n";
  if (risk.flags.empty()) {
    out += "No risk flags on the latest measures.";
  } else {
    out += "Risk flags on the latest measures: ";
    for (std::size_t i = 0; i < risk.flags.size(); ++i) {
      out += (i ? "; " : "") + risk.flags[i];
    }
    out += ".";
  }
  out += "\n";
  if (risk.safety_plan_version) {
    out += "Safety plan on file: version " + std::to_string(*risk.safety_plan_version) +
           ", updated " + risk.safety_plan_updated_on + ".";
  } else {
    out += "No safety plan on file.";
  }
  return out;
}

std::map<std::string, std::string> prefill_sections(const NoteTemplate& t,
                                                    const std::string& measures,
                                                    const std::string& risk) {
  std::map<std::string, std::string> out;
  for (const auto& s : t.sections) {
    std::string text;
    for (const auto& what : s.prefill) {
      const std::string& part = what == "measures" ? measures : risk;
      if (part.empty()) continue;
      if (!text.empty()) text += "\n";
      text += part;
    }
    if (!text.empty()) out[s.id] = text;
  }
  return out;
}

}  // namespace tend::care::rules
