#include "care/diagnosis_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <stdexcept>

#include "platform/clock.h"
#include "platform/content.h"

namespace tend::care::rules {
namespace {

bool upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

//! Letter, digit, letter-or-digit; then optionally a dot and one to four letters or digits.
bool code_shaped(std::string_view code) {
  if (code.size() < 3) return false;
  if (!(code[0] >= 'A' && code[0] <= 'Z') || !(code[1] >= '0' && code[1] <= '9') ||
      !upper_alnum(code[2])) {
    return false;
  }
  if (code.size() == 3) return true;
  if (code[3] != '.' || code.size() < 5 || code.size() > 8) return false;
  return std::all_of(code.begin() + 4, code.end(), upper_alnum);
}

std::string without_dot(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c != '.') out += c;
  }
  return out;
}

//! Words of `s`, lower case, split at anything but letters and digits.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

Error bad_line(std::size_t n, const std::string& message) {
  return make_error(Errc::Validation, "line " + std::to_string(n) + ": " + message);
}

std::int64_t day_number(std::string_view date) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(date, y, m, d)) return 0;
  return days_from_civil(y, m, d);
}

const std::array<std::string_view, 5> k_statuses = {"provisional", "confirmed", "resolved",
                                                    "ruled_out", "entered_in_error"};

}  // namespace

CodeList::CodeList(std::vector<Code> codes) : codes_(std::move(codes)) {
  std::sort(codes_.begin(), codes_.end(),
            [](const Code& a, const Code& b) { return a.code < b.code; });
}

const Code* CodeList::find(std::string_view code) const {
  auto it = std::lower_bound(codes_.begin(), codes_.end(), code,
                             [](const Code& c, std::string_view v) { return c.code < v; });
  if (it == codes_.end() || it->code != code) return nullptr;
  return &*it;
}

Result<CodeList> parse_code_list(std::string_view text) {
  const auto lines = lines_of(text);
  if (lines.empty() || lines.front() != "code\tbillable\ttitle") {
    return bad_line(1, "the header must be code, billable and title separated by tabs");
  }
  std::vector<Code> codes;
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::size_t n = i + 1;
    const std::string_view line = lines[i];
    if (trim(line).empty()) continue;
    const auto t1 = line.find('\t');
    const auto t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos || line.find('\t', t2 + 1) != std::string_view::npos) {
      return bad_line(n, "needs three columns separated by tabs: code, billable, title");
    }
    Code c;
    c.code = std::string(line.substr(0, t1));
    const std::string_view billable = line.substr(t1 + 1, t2 - t1 - 1);
    c.title = std::string(trim(line.substr(t2 + 1)));
    if (!code_shaped(c.code)) {
      return bad_line(n, "code '" + c.code + "' is not an ICD-10-CM code such as F32.A");
    }
    if (billable != "0" && billable != "1") return bad_line(n, "billable must be 0 or 1");
    if (c.title.empty()) return bad_line(n, "the title is empty");
    if (!seen.insert(c.code).second) return bad_line(n, "code " + c.code + " is listed twice");
    c.billable = billable == "1";
    codes.push_back(std::move(c));
  }
  if (codes.empty()) return bad_line(1, "the list has no codes");
  return CodeList(std::move(codes));
}

std::string format_code_list(const std::vector<Code>& codes) {
  std::string out = "code\tbillable\ttitle\n";
  for (const auto& c : codes) {
    out += c.code + "\t" + (c.billable ? "1" : "0") + "\t" + c.title + "\n";
  }
  return out;
}

const CodeList& built_in_codes() {
  static const CodeList list = [] {
    for (const auto& f : content::embedded()) {
      if (f.path == "codes/icd10cm.tsv") {
        auto r = parse_code_list(f.text);
        if (!r) throw std::logic_error("built-in code list: " + r.error().detail);
        return std::move(*r);
      }
    }
    throw std::logic_error("built-in code list is missing (content/codes/icd10cm.tsv)");
  }();
  return list;
}

bool kept_code(std::string_view code) {
  if (code.size() < 3) return false;
  if (code[0] == 'F') return code.substr(0, 3) >= "F01" && code.substr(0, 3) <= "F99";
  if (code[0] != 'Z') return false;
  const std::string_view cat = code.substr(0, 3);
  if (cat >= "Z55" && cat <= "Z65") return true;
  if (cat >= "Z69" && cat <= "Z71") return true;
  return without_dot(code).rfind("Z915", 0) == 0;
}

Result<std::vector<Code>> import_cms_order(std::string_view text) {
  std::vector<Code> out;
  std::set<std::string, std::less<>> seen;
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t n = i + 1;
    const std::string_view line = lines[i];
    if (trim(line).empty()) continue;
    if (line.find('\t') != std::string_view::npos) return bad_line(n, "holds a tab");
    // 0-4 order, 5 space, 6-12 code, 13 space, 14 flag, 15 space, 16-75 short, 76 space, 77- long
    if (line.size() < 78 || line[5] != ' ' || line[13] != ' ' || line[15] != ' ' ||
        line[76] != ' ') {
      return bad_line(n, "not in the order file's fixed columns (order, code, flag, titles)");
    }
    if (!std::all_of(line.begin(), line.begin() + 5, [](char c) { return c >= '0' && c <= '9'; })) {
      return bad_line(n, "the order number must be five digits");
    }
    const std::string bare(trim(line.substr(6, 7)));
    if (line[14] != '0' && line[14] != '1') return bad_line(n, "the flag must be 0 or 1");
    const std::string code = bare.size() > 3 ? bare.substr(0, 3) + "." + bare.substr(3) : bare;
    if (!code_shaped(code)) return bad_line(n, "'" + bare + "' is not an ICD-10-CM code");
    const std::string title(trim(line.substr(77)));
    if (title.empty()) return bad_line(n, "the long title is empty");
    if (!seen.insert(code).second) return bad_line(n, "code " + code + " is listed twice");
    if (!kept_code(code)) continue;
    out.push_back(Code{code, line[14] == '1', title});
  }
  if (out.empty()) {
    return make_error(Errc::Validation, "the file holds no F codes nor the Z codes kept");
  }
  return out;
}

std::vector<Code> search_codes(const CodeList& list, std::string_view query, std::size_t limit) {
  const std::string_view q = trim(query);
  if (q.empty() || limit == 0) return {};
  // Shaped like the start of a code: a letter and a digit, then letters, digits and dots.
  std::string as_code;
  if (q.size() >= 2 && std::isalpha(static_cast<unsigned char>(q[0])) &&
      std::isdigit(static_cast<unsigned char>(q[1])) && std::all_of(q.begin(), q.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.';
      })) {
    for (char c : q) {
      if (c != '.') as_code += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  const auto wanted = words(q);
  struct Hit {
    int kind;  // 0 exact code, 1 code prefix, 2 words
    const Code* code;
  };
  std::vector<Hit> hits;
  for (const auto& c : list.all()) {
    const std::string bare = without_dot(c.code);
    if (!as_code.empty() && bare.rfind(as_code, 0) == 0) {
      hits.push_back({bare == as_code ? 0 : 1, &c});
      continue;
    }
    if (wanted.empty()) continue;
    const auto have = words(c.title);
    const bool all = std::all_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
      return std::any_of(have.begin(), have.end(),
                         [&](const std::string& h) { return h.rfind(w, 0) == 0; });
    });
    if (all) hits.push_back({2, &c});
  }
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    const int ka = a.kind == 0 ? 0 : 1;
    const int kb = b.kind == 0 ? 0 : 1;
    if (ka != kb) return ka < kb;
    if (a.code->billable != b.code->billable) return a.code->billable;
    return a.code->code < b.code->code;
  });
  std::vector<Code> out;
  for (std::size_t i = 0; i < hits.size() && i < limit; ++i) out.push_back(*hits[i].code);
  return out;
}

bool valid_rank(std::string_view rank) {
  return rank == "primary" || rank == "secondary";
}

bool valid_diagnosis_status(std::string_view status) {
  return std::find(k_statuses.begin(), k_statuses.end(), status) != k_statuses.end();
}

bool is_current_diagnosis(std::string_view status) {
  return status == "provisional" || status == "confirmed";
}

std::vector<std::string> next_diagnosis_statuses(std::string_view status) {
  if (status == "provisional") return {"confirmed", "resolved", "ruled_out", "entered_in_error"};
  if (status == "confirmed") return {"resolved", "entered_in_error"};
  return {};
}

std::optional<Refusal> check_diagnosis_status(std::string_view from, std::string_view to) {
  const auto next = next_diagnosis_statuses(from);
  if (std::find(next.begin(), next.end(), to) != next.end()) return std::nullopt;
  if (next.empty()) {
    return Refusal{"status", "the diagnosis is " + std::string(from) + "; it changes no more",
                   true};
  }
  std::string options;
  for (std::size_t i = 0; i < next.size(); ++i) {
    if (i > 0) options += i + 1 == next.size() ? " or " : ", ";
    options += next[i];
  }
  return Refusal{
      "status",
      "cannot go from " + std::string(from) + " to " + std::string(to) + "; next can be " + options,
      true};
}

std::optional<Refusal> check_past_date(std::string_view field, std::string_view on,
                                       std::string_view today) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(on, y, m, d)) return Refusal{std::string(field), "must be a date, YYYY-MM-DD"};
  if (day_number(on) > day_number(today)) {
    return Refusal{std::string(field), "must not be in the future"};
  }
  return std::nullopt;
}

bool valid_medication_change(std::string_view kind) {
  return kind == "dose" || kind == "stop";
}

std::optional<Refusal> check_medication_change(const Medication& m, std::string_view on,
                                               std::string_view today, std::string_view field) {
  if (auto r = check_past_date(field, on, today)) return r;
  if (day_number(on) < day_number(m.started_on)) {
    return Refusal{std::string(field), "must not be before the start (" + m.started_on + ")"};
  }
  for (const auto& c : m.changes) {
    if (day_number(on) < day_number(c.on)) {
      return Refusal{std::string(field), "must not be before the last change (" + c.on + ")"};
    }
  }
  if (m.stopped_on) {
    return Refusal{"kind", "the medication was stopped on " + *m.stopped_on + "; start it anew",
                   true};
  }
  return std::nullopt;
}

}  // namespace tend::care::rules
