#include "clients/rules.h"

#include <algorithm>
#include <functional>

#include "platform/clock.h"
#include "platform/crypto/crypto.h"
#include "platform/json.h"

namespace tend::clients::rules {

namespace bj = boost::json;
using json::FieldReader;
using json::Str;

namespace {

using OptStr = std::optional<std::string>;

// One optional text field of the record: key, limit, and where it lives.
struct TextField {
  std::string_view key;
  std::size_t max_len;
  std::function<OptStr&(Client&)> ref;
};

const std::vector<TextField>& text_fields() {
  static const std::vector<TextField> v = {
      {"preferred_name", 100, [](Client& c) -> OptStr& { return c.preferred_name; }},
      {"pronouns", 40, [](Client& c) -> OptStr& { return c.pronouns; }},
      {"gender_identity", 100, [](Client& c) -> OptStr& { return c.gender_identity; }},
      {"sex", 20, [](Client& c) -> OptStr& { return c.sex; }},
      {"language", 35, [](Client& c) -> OptStr& { return c.language; }},
      {"email", 254, [](Client& c) -> OptStr& { return c.email; }},
      {"phone", 40, [](Client& c) -> OptStr& { return c.phone; }},
      {"race", 100, [](Client& c) -> OptStr& { return c.race; }},
      {"ethnicity", 100, [](Client& c) -> OptStr& { return c.ethnicity; }},
      {"funding_note", 2000, [](Client& c) -> OptStr& { return c.funding_note; }},
  };
  return v;
}

const std::vector<TextField>& address_fields() {
  static const std::vector<TextField> v = {
      {"line1", 200, [](Client& c) -> OptStr& { return c.address.line1; }},
      {"line2", 200, [](Client& c) -> OptStr& { return c.address.line2; }},
      {"city", 100, [](Client& c) -> OptStr& { return c.address.city; }},
      {"region", 100, [](Client& c) -> OptStr& { return c.address.region; }},
      {"postal_code", 20, [](Client& c) -> OptStr& { return c.address.postal_code; }},
      {"country", 56, [](Client& c) -> OptStr& { return c.address.country; }},
  };
  return v;
}

const std::vector<TextField>& emergency_fields() {
  static const std::vector<TextField> v = {
      {"name", 200, [](Client& c) -> OptStr& { return c.emergency_contact.name; }},
      {"relationship", 100, [](Client& c) -> OptStr& { return c.emergency_contact.relationship; }},
      {"phone", 40, [](Client& c) -> OptStr& { return c.emergency_contact.phone; }},
  };
  return v;
}

struct BoolField {
  std::string_view key;
  std::function<bool&(Client&)> ref;
};
const std::vector<BoolField>& consent_fields() {
  static const std::vector<BoolField> v = {
      {"email", [](Client& c) -> bool& { return c.consent.email; }},
      {"sms", [](Client& c) -> bool& { return c.consent.sms; }},
      {"phone", [](Client& c) -> bool& { return c.consent.phone; }},
      {"voicemail", [](Client& c) -> bool& { return c.consent.voicemail; }},
      {"post", [](Client& c) -> bool& { return c.consent.post; }},
  };
  return v;
}

// Reads optional text fields; in a patch, an absent key leaves the value, null clears it.
void read_text(FieldReader& r, Client& c, const std::vector<TextField>& fields) {
  for (const auto& f : fields) {
    if (!r.has(f.key)) continue;
    if (r.is_null(f.key)) {
      f.ref(c).reset();
      continue;
    }
    auto v = r.string(f.key, Str{.required = false, .max_len = f.max_len, .min_len = 1});
    if (v) f.ref(c) = std::move(v);
  }
}

// Reads a nested object of optional text or boolean fields.
void read_nested(FieldReader& r, Client& c, std::string_view key,
                 const std::vector<TextField>* texts, const std::vector<BoolField>* bools) {
  const auto* v = r.raw(key);
  if (v == nullptr) return;
  if (v->is_null()) {
    if (texts)
      for (const auto& f : *texts) f.ref(c).reset();
    if (bools)
      for (const auto& f : *bools) f.ref(c) = false;
    return;
  }
  if (!v->is_object()) {
    r.add_error(r.path(key), "must be an object");
    return;
  }
  FieldReader inner(v->get_object(), r.path(key));
  if (texts) read_text(inner, c, *texts);
  if (bools) {
    for (const auto& f : *bools) {
      if (auto b = inner.boolean(f.key)) f.ref(c) = *b;
    }
  }
  auto st = inner.finish();
  for (const auto& e : inner.errors()) r.add_error(e.field, e.message);
}

bool valid_email(std::string_view e) {
  const auto at = e.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < e.size() &&
         e.find('@', at + 1) == std::string_view::npos && e.find(' ') == std::string_view::npos &&
         e.find('.', at) != std::string_view::npos;
}

bool valid_phone(std::string_view p) {
  int digits = 0;
  for (char ch : p) {
    if (ch >= '0' && ch <= '9') {
      ++digits;
    } else if (std::string_view("+ -().").find(ch) == std::string_view::npos) {
      return false;
    }
  }
  return digits >= 3 && digits <= 20;
}

bool valid_language(std::string_view l) {
  // BCP 47 shape: letters, digits and hyphens, starting with 2–3 letters.
  if (l.size() < 2) return false;
  std::size_t letters = 0;
  while (letters < l.size() && std::isalpha(static_cast<unsigned char>(l[letters]))) ++letters;
  if (letters < 2 || letters > 3) return false;
  return std::all_of(l.begin(), l.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-';
  });
}

bool valid_mrn(std::string_view m) {
  return !m.empty() && m.size() <= 40 && std::all_of(m.begin(), m.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.';
  });
}

// Cross-field checks on the whole record after reading.
void check(FieldReader& r, const Client& c, std::string_view today) {
  int y, m, d;
  if (!parse_date(c.date_of_birth, y, m, d)) {
    if (!c.date_of_birth.empty()) {
      r.add_error("date_of_birth", "must be a real calendar date as YYYY-MM-DD");
    }
  } else if (c.date_of_birth > today) {
    r.add_error("date_of_birth", "must not be in the future");
  } else if (y < 1900) {
    r.add_error("date_of_birth", "must be on or after 1900-01-01");
  }
  if (c.sex && *c.sex != "female" && *c.sex != "male" && *c.sex != "intersex" &&
      *c.sex != "unknown") {
    r.add_error("sex", "must be one of female, male, intersex, unknown");
  }
  if (c.email && !valid_email(*c.email)) r.add_error("email", "must be an e-mail address");
  if (c.phone && !valid_phone(*c.phone)) r.add_error("phone", "must be a phone number");
  if (c.emergency_contact.phone && !valid_phone(*c.emergency_contact.phone)) {
    r.add_error("emergency_contact.phone", "must be a phone number");
  }
  if (c.language && !valid_language(*c.language)) {
    r.add_error("language", "must be a language tag such as en, es or pt-BR");
  }
  if (c.consent.email && !c.email) {
    r.add_error("contact_consent.email", "needs an e-mail address");
  }
  if ((c.consent.sms || c.consent.phone || c.consent.voicemail) && !c.phone) {
    r.add_error("contact_consent", "calls, texts and voicemail need a phone number");
  }
}

void read_common(FieldReader& r, Client& c, bool patch) {
  const Str name{.required = !patch, .max_len = 100, .min_len = 1};
  for (auto [key, ref] :
       {std::pair{"given_name", &c.given_name}, {"family_name", &c.family_name}}) {
    if (patch && r.is_null(key)) {
      r.add_error(key, "is required and cannot be cleared");
      continue;
    }
    if (patch && !r.has(key)) continue;
    if (auto v = r.string(key, name)) *ref = *v;
  }
  if (patch && r.is_null("date_of_birth")) {
    r.add_error("date_of_birth", "is required and cannot be cleared");
  } else if (!patch || r.has("date_of_birth")) {
    if (auto v = r.string("date_of_birth", Str{.required = !patch, .max_len = 10})) {
      c.date_of_birth = *v;
    }
  }
  if (auto v = r.boolean("interpreter_needed")) c.interpreter_needed = *v;
  read_text(r, c, text_fields());
  read_nested(r, c, "address", &address_fields(), nullptr);
  read_nested(r, c, "emergency_contact", &emergency_fields(), nullptr);
  read_nested(r, c, "contact_consent", nullptr, &consent_fields());
}

}  // namespace

Result<Client> parse_new(const bj::object& body, std::string_view today) {
  FieldReader r(body);
  Client c;
  if (auto mrn = r.string("mrn", Str{.max_len = 40})) {
    if (!valid_mrn(*mrn)) {
      r.add_error("mrn", "may contain only letters, digits, '-' and '.'");
    } else {
      c.mrn = *mrn;
    }
  }
  read_common(r, c, false);
  if (!r.failed()) check(r, c, today);
  if (auto st = r.finish(); !st) return st.error();
  return c;
}

Result<Client> apply_patch(const Client& current, const bj::object& body, std::string_view today) {
  FieldReader r(body);
  Client c = current;
  if (auto v = r.integer("version", false, 1)) {
    if (*v != current.version) {
      return make_error(Errc::Conflict,
                        "client " + current.id + " was changed by someone else (version " +
                            std::to_string(current.version) + "); reload and try again",
                        {{"version", "is not the current version"}});
    }
  }
  if (r.has("mrn")) {
    auto mrn = r.string("mrn", Str{.required = true, .max_len = 40});
    if (mrn && !valid_mrn(*mrn)) {
      r.add_error("mrn", "may contain only letters, digits, '-' and '.'");
    } else if (mrn) {
      c.mrn = *mrn;
    }
  }
  for (const char* fixed :
       {"id", "status", "created_at", "updated_at", "created_by", "archived_at", "age"}) {
    if (r.has(fixed)) r.add_error(fixed, "cannot be changed here");
  }
  read_common(r, c, true);
  if (!r.failed()) check(r, c, today);
  if (auto st = r.finish(); !st) return st.error();
  return c;
}

bj::object to_json(const Client& c) {
  bj::object o;
  o["id"] = c.id;
  o["mrn"] = c.mrn;
  o["given_name"] = c.given_name;
  o["family_name"] = c.family_name;
  o["preferred_name"] = json::opt(c.preferred_name);
  o["pronouns"] = json::opt(c.pronouns);
  o["date_of_birth"] = c.date_of_birth;
  o["gender_identity"] = json::opt(c.gender_identity);
  o["sex"] = json::opt(c.sex);
  o["language"] = json::opt(c.language);
  o["interpreter_needed"] = c.interpreter_needed;
  o["email"] = json::opt(c.email);
  o["phone"] = json::opt(c.phone);
  o["contact_consent"] = {{"email", c.consent.email},
                          {"sms", c.consent.sms},
                          {"phone", c.consent.phone},
                          {"voicemail", c.consent.voicemail},
                          {"post", c.consent.post}};
  o["emergency_contact"] = {{"name", json::opt(c.emergency_contact.name)},
                            {"relationship", json::opt(c.emergency_contact.relationship)},
                            {"phone", json::opt(c.emergency_contact.phone)}};
  o["address"] = {{"line1", json::opt(c.address.line1)},
                  {"line2", json::opt(c.address.line2)},
                  {"city", json::opt(c.address.city)},
                  {"region", json::opt(c.address.region)},
                  {"postal_code", json::opt(c.address.postal_code)},
                  {"country", json::opt(c.address.country)}};
  o["race"] = json::opt(c.race);
  o["ethnicity"] = json::opt(c.ethnicity);
  o["funding_note"] = json::opt(c.funding_note);
  o["status"] = c.status;
  o["archived_at"] =
      c.archived_at_ms
          ? bj::value(format_rfc3339(TimePoint(std::chrono::milliseconds(*c.archived_at_ms))))
          : bj::value(nullptr);
  o["version"] = c.version;
  o["created_at"] = format_rfc3339(TimePoint(std::chrono::milliseconds(c.created_at_ms)));
  o["updated_at"] = format_rfc3339(TimePoint(std::chrono::milliseconds(c.updated_at_ms)));
  return o;
}

bj::object to_json(const ClientSummary& s) {
  return {{"id", s.id},
          {"mrn", s.mrn},
          {"given_name", s.given_name},
          {"family_name", s.family_name},
          {"preferred_name", json::opt(s.preferred_name)},
          {"pronouns", json::opt(s.pronouns)},
          {"date_of_birth", s.date_of_birth},
          {"status", s.status},
          {"on_my_team", s.on_my_team}};
}

std::string search_key(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char ch : name) {
    out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  }
  return out;
}

std::string prefix_upper_bound(std::string_view prefix) {
  if (prefix.empty()) return {};
  std::string s(prefix);
  s += "\xF4\x8F\xBF\xBF";  // U+10FFFF
  return s;
}

std::string encode_cursor(const std::string& family_key, const std::string& given_key,
                          const std::string& id) {
  bj::array a{family_key, given_key, id};
  return crypto::base64url_encode(bj::serialize(a));
}

std::optional<CursorPos> decode_cursor(std::string_view cursor) {
  auto raw = crypto::base64url_decode(cursor);
  if (!raw) return std::nullopt;
  boost::system::error_code ec;
  auto v = bj::parse(*raw, ec);
  if (ec || !v.is_array() || v.get_array().size() != 3) return std::nullopt;
  const auto& a = v.get_array();
  for (const auto& e : a) {
    if (!e.is_string()) return std::nullopt;
  }
  return CursorPos{std::string(a[0].get_string()), std::string(a[1].get_string()),
                   std::string(a[2].get_string())};
}

int age_on(std::string_view dob, std::string_view today) {
  int y1, m1, d1, y2, m2, d2;
  if (!parse_date(dob, y1, m1, d1) || !parse_date(today, y2, m2, d2)) return -1;
  int age = y2 - y1;
  if (m2 < m1 || (m2 == m1 && d2 < d1)) --age;
  return age;
}

}  // namespace tend::clients::rules
