#include "access/invitation_rules.h"

#include <algorithm>
#include <cctype>

#include "platform/crypto/crypto.h"

namespace tend::access::invitations {

std::string code_from_bytes(std::string_view random) {
  // Bytes at or above the largest multiple of the alphabet's size are skipped, so that every
  // symbol is equally likely (8 bytes in 256 are skipped for 31 symbols).
  const std::size_t n = k_code_alphabet.size();
  const std::size_t limit = 256 - 256 % n;
  std::string out;
  for (char byte : random) {
    if (out.size() == k_code_length) break;
    const auto b = static_cast<unsigned char>(byte);
    if (b >= limit) continue;
    out += k_code_alphabet[b % n];
  }
  if (out.size() != k_code_length) return {};
  return out;
}

std::string format_code(std::string_view code) {
  if (code.size() != k_code_length) return std::string(code);
  return std::string(code.substr(0, 4)) + "-" + std::string(code.substr(4));
}

std::optional<std::string> normalize_code(std::string_view typed) {
  if (typed.size() > 32) return std::nullopt;
  std::string out;
  for (char ch : typed) {
    if (ch == ' ' || ch == '-' || ch == '\t') continue;
    const char up = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (k_code_alphabet.find(up) == std::string_view::npos) return std::nullopt;
    out += up;
  }
  if (out.size() != k_code_length) return std::nullopt;
  return out;
}

std::string secret_hash(std::string_view secret) {
  return crypto::blake2b_hex(std::string("tend.invitation:") + std::string(secret));
}

std::string state(std::int64_t expires_at_ms, std::optional<std::int64_t> used_at_ms,
                  std::optional<std::int64_t> revoked_at_ms, std::int64_t now_ms) {
  if (used_at_ms) return "used";
  if (revoked_at_ms) return "revoked";
  if (now_ms >= expires_at_ms) return "expired";
  return "pending";
}

bool valid_kind(std::string_view kind) {
  return kind == "client" || kind == "guardian";
}

bool valid_method(std::string_view m) {
  return m == "email" || m == "code";
}

std::int64_t valid_for_ms(std::string_view method) {
  return method == "code" ? k_code_valid_ms : k_link_valid_ms;
}

namespace {
bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool parse_date(std::string_view d, int& y, int& m, int& day) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  if (!digits(d.substr(0, 4)) || !digits(d.substr(5, 2)) || !digits(d.substr(8, 2))) return false;
  y = std::stoi(std::string(d.substr(0, 4)));
  m = std::stoi(std::string(d.substr(5, 2)));
  day = std::stoi(std::string(d.substr(8, 2)));
  return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}
}  // namespace

std::optional<int> age_on(std::string_view date_of_birth, std::string_view today) {
  int by = 0, bm = 0, bd = 0, ty = 0, tm = 0, td = 0;
  if (!parse_date(date_of_birth, by, bm, bd) || !parse_date(today, ty, tm, td)) {
    return std::nullopt;
  }
  int age = ty - by;
  if (tm < bm || (tm == bm && td < bd)) --age;
  return age;
}

bool is_minor(std::string_view date_of_birth, std::string_view today) {
  auto age = age_on(date_of_birth, today);
  return age && *age < 18;
}

bool plausible_email(std::string_view e) {
  if (e.size() < 3 || e.size() > 254) return false;
  if (e.find_first_of(" \t\r\n<>,;\"") != std::string_view::npos) return false;
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const auto dot = e.find('.', at + 2);
  return dot != std::string_view::npos && dot + 1 < e.size();
}

const std::vector<std::string>& guardian_sections() {
  static const std::vector<std::string> v = {"appointments", "education", "safety_plan", "plan",
                                             "crisis_resources"};
  return v;
}

std::vector<std::string> default_guardian_access() {
  return {"appointments", "crisis_resources"};
}

Result<std::set<std::string>> parse_guardian_access(std::string_view list) {
  std::set<std::string> out;
  std::string item;
  const auto take = [&]() -> Status {
    const auto b = item.find_first_not_of(' ');
    const auto e = item.find_last_not_of(' ');
    std::string word = b == std::string::npos ? std::string() : item.substr(b, e - b + 1);
    item.clear();
    if (word.empty()) return ok_status();
    const auto& all = guardian_sections();
    if (std::find(all.begin(), all.end(), word) == all.end()) {
      return invalid("guardian_access",
                     "'" + word +
                         "' is not a section; use appointments, education, safety_plan, plan, "
                         "crisis_resources");
    }
    out.insert(word);
    return ok_status();
  };
  for (char ch : list) {
    if (ch == ',') {
      if (auto st = take(); !st) return st.error();
    } else {
      item += ch;
    }
  }
  if (auto st = take(); !st) return st.error();
  return out;
}

std::optional<std::string> guardian_section_refusal(std::string_view section,
                                                    const std::set<std::string>& allowed) {
  static const std::vector<std::string_view> never = {
      "notes", "measures", "assessments", "check_ins", "messages", "psychotherapy_notes"};
  if (std::find(never.begin(), never.end(), section) != never.end()) {
    return "guardians never see a client's " + std::string(section);
  }
  const auto& all = guardian_sections();
  if (std::find(all.begin(), all.end(), section) == all.end()) {
    return "there is no section '" + std::string(section) + "'";
  }
  if (allowed.count(std::string(section)) == 0) {
    return "the service does not share " + std::string(section) + " with guardians";
  }
  return std::nullopt;
}

Result<Terms> parse_terms(std::string_view file) {
  if (file.rfind("---\n", 0) != 0) {
    return make_error(Errc::Validation, "portal terms: must start with front matter (---)");
  }
  const auto end = file.find("\n---", 3);
  if (end == std::string_view::npos) {
    return make_error(Errc::Validation, "portal terms: front matter is not closed (---)");
  }
  Terms t;
  std::string_view head = file.substr(4, end - 4 + 1);
  while (!head.empty()) {
    const auto nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key(line.substr(0, colon));
    std::string value(line.substr(colon + 1));
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "version") t.version = value;
    if (key == "title") t.title = value;
  }
  if (t.version.empty() || t.version.size() > 40) {
    return make_error(Errc::Validation, "portal terms: front matter needs a version (1–40 chars)");
  }
  std::string_view body = file.substr(end + 4);
  if (!body.empty() && body.front() == '\n') body.remove_prefix(1);
  t.text = std::string(body);
  if (t.text.find_first_not_of(" \n\r\t") == std::string::npos) {
    return make_error(Errc::Validation, "portal terms: the text is empty");
  }
  if (t.title.empty()) t.title = "Portal terms";
  return t;
}

bool valid_reminder_time(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !digits(s.substr(0, 2)) || !digits(s.substr(3, 2))) {
    return false;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  return h <= 23 && m <= 59;
}

}  // namespace tend::access::invitations
