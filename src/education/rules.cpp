#include "education/rules.h"

#include <cmark-gfm.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "platform/clock.h"

namespace tend::education {
namespace rules {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string unquote(std::string s) {
  if (s.size() >= 2 &&
      ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    return s.substr(1, s.size() - 2);
  }
  return s;
}

// Splits text into lines, without their "\r\n" or "\n".
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(at, nl - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    at = nl + 1;
  }
  return out;
}

struct FrontValue {
  std::string scalar;
  std::vector<std::string> list;
  bool is_list = false;
};

bool parse_list(std::string_view inside, std::vector<std::string>& out) {
  // "[a, b]" without the brackets; empty is an empty list.
  std::size_t at = 0;
  const std::string all = trim(inside);
  if (all.empty()) return true;
  while (at <= all.size()) {
    auto comma = all.find(',', at);
    if (comma == std::string::npos) comma = all.size();
    auto item = unquote(trim(std::string_view(all).substr(at, comma - at)));
    if (item.empty()) return false;
    out.push_back(lower(item));
    at = comma + 1;
  }
  return true;
}

Error fail(std::string_view path, const std::string& field, const std::string& message) {
  return make_error(Errc::Validation, std::string(path) + ": " + field + ": " + message,
                    {{field, message}});
}

int date_days(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (!parse_date(s, y, m, d)) return -1;
  return static_cast<int>(days_from_civil(y, m, d));
}

struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;

NodePtr parse_markdown(std::string_view markdown) {
  return NodePtr(cmark_parse_document(markdown.data(), markdown.size(), CMARK_OPT_DEFAULT));
}

}  // namespace

bool valid_kind(std::string_view kind) {
  return kind == "article" || kind == "exercise";
}

bool valid_slug(std::string_view slug) {
  if (slug.empty() || slug.size() > 80 || slug.front() == '-' || slug.back() == '-') return false;
  char prev = 0;
  for (char c : slug) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

bool has_raw_html(std::string_view markdown) {
  auto doc = parse_markdown(markdown);
  if (!doc) return false;
  bool found = false;
  cmark_iter* it = cmark_iter_new(doc.get());
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    const auto t = cmark_node_get_type(cmark_iter_get_node(it));
    if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE) {
      found = true;
      break;
    }
  }
  cmark_iter_free(it);
  return found;
}

int count_words(std::string_view text) {
  int n = 0;
  bool in_word = false, has_alnum = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool space = i == text.size() || std::isspace(static_cast<unsigned char>(text[i]));
    if (space) {
      if (in_word && has_alnum) ++n;
      in_word = has_alnum = false;
    } else {
      in_word = true;
      if (std::isalnum(static_cast<unsigned char>(text[i]))) has_alnum = true;
    }
  }
  return n;
}

std::string render_html(std::string_view markdown) {
  auto doc = parse_markdown(markdown);
  if (!doc) return {};
  // CMARK_OPT_DEFAULT is safe in 0.29: raw HTML becomes a comment, unsafe URLs become "".
  char* out = cmark_render_html(doc.get(), CMARK_OPT_DEFAULT, nullptr);
  std::string html = out ? out : "";
  std::free(out);
  return html;
}

bool review_overdue(const Article& a, std::string_view today) {
  const int due = date_days(a.review_by), now = date_days(today);
  return due >= 0 && now >= 0 && now > due;
}

Result<ConditionMap> parse_condition_map(std::string_view text, std::string_view path) {
  ConditionMap map;
  std::set<std::string> seen;
  int n = 0;
  for (auto line : lines_of(text)) {
    ++n;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto bad = [&](const std::string& why) {
      return make_error(Errc::Validation,
                        std::string(path) + ": line " + std::to_string(n) + ": " + why,
                        {{"line " + std::to_string(n), why}});
    };
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
      return bad("must be a code prefix, a tab, then condition tags");
    }
    const std::string prefix = trim(line.substr(0, tab));
    if (prefix.empty()) return bad("the code prefix is empty");
    std::vector<std::string> tags;
    const std::string rest(line.substr(tab + 1));
    std::size_t at = 0;
    while (at <= rest.size()) {
      auto comma = rest.find(',', at);
      if (comma == std::string::npos) comma = rest.size();
      const std::string tag = trim(std::string_view(rest).substr(at, comma - at));
      at = comma + 1;
      if (tag.empty()) continue;
      if (!std::all_of(tag.begin(), tag.end(),
                       [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '-'; })) {
        return bad("condition " + tag + " must be lower-case letters and hyphens");
      }
      tags.push_back(tag);
    }
    if (tags.empty()) return bad("no condition for " + prefix);
    const std::string key = lower(prefix);
    if (!seen.insert(key).second) return bad(prefix + " is given twice");
    map.rows.emplace_back(prefix, std::move(tags));
  }
  // Longest prefix first, so the first match is the most specific.
  std::stable_sort(map.rows.begin(), map.rows.end(),
                   [](const auto& x, const auto& y) { return x.first.size() > y.first.size(); });
  return map;
}

std::vector<std::string> conditions_of_code(const ConditionMap& map, std::string_view code) {
  const std::string c = lower(trim(code));
  for (const auto& [prefix, tags] : map.rows) {
    const std::string p = lower(prefix);
    if (c.size() >= p.size() && c.compare(0, p.size(), p) == 0) return tags;
  }
  return {};
}

std::string condition_of_instrument(std::string_view instrument) {
  // What each instrument is designed to measure, as its own documentation states.
  static const std::map<std::string, std::string, std::less<>> table = {
      {"phq-9", "depression"}, {"phq-2", "depression"}, {"phq-a", "depression"},
      {"epds", "depression"},  {"gad-7", "anxiety"},    {"gad-2", "anxiety"},
      {"pcl-5", "ptsd"},       {"audit", "alcohol"},    {"audit-c", "alcohol"},
      {"dast-10", "drugs"},
  };
  auto it = table.find(lower(instrument));
  return it == table.end() ? std::string() : it->second;
}

Result<Article> parse_article(std::string_view text, std::string_view path) {
  Article a;
  {
    std::string_view name = path;
    if (auto slash = name.rfind('/'); slash != std::string_view::npos)
      name.remove_prefix(slash + 1);
    if (name.size() <= 3 || name.substr(name.size() - 3) != ".md") {
      return fail(path, "slug", "the file name must end in .md");
    }
    a.slug = std::string(name.substr(0, name.size() - 3));
    if (!valid_slug(a.slug)) {
      return fail(path, "slug", "the file name must be lower-case letters, digits and hyphens");
    }
  }
  const auto lines = lines_of(text);
  if (lines.empty() || trim(lines[0]) != "---") {
    return fail(path, "front_matter", "must start with a line of ---");
  }
  std::map<std::string, FrontValue> fields;
  std::size_t i = 1;
  std::string last_key;
  for (; i < lines.size(); ++i) {
    const std::string line = trim(lines[i]);
    if (line == "---") break;
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("- ", 0) == 0) {  // a list item under the key before it
      if (last_key.empty() || !fields[last_key].scalar.empty()) {
        return fail(path, "front_matter", "a list item must follow a key with no value");
      }
      fields[last_key].is_list = true;
      auto item = unquote(trim(std::string_view(line).substr(2)));
      if (item.empty()) return fail(path, last_key, "has an empty item");
      fields[last_key].list.push_back(lower(item));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      return fail(path, "front_matter", "line " + std::to_string(i + 1) + " is not key: value");
    }
    const std::string key = trim(std::string_view(line).substr(0, colon));
    if (fields.count(key)) return fail(path, key, "is given twice");
    FrontValue v;
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (!value.empty() && value.front() == '[') {
      if (value.back() != ']' ||
          !parse_list(std::string_view(value).substr(1, value.size() - 2), v.list)) {
        return fail(path, key, "must be a list like [a, b]");
      }
      v.is_list = true;
    } else {
      v.scalar = unquote(value);
    }
    fields[key] = std::move(v);
    last_key = key;
  }
  if (i >= lines.size()) return fail(path, "front_matter", "has no closing ---");

  static const std::set<std::string> known = {"title",      "summary",       "topics",
                                              "conditions", "reading_level", "kind",
                                              "minutes",    "reviewed",      "review_by"};
  for (const auto& [key, value] : fields) {
    if (!known.count(key)) return fail(path, key, "is not a known field");
  }
  auto text_field = [&](const std::string& key, std::string& out) -> bool {
    auto it = fields.find(key);
    if (it == fields.end() || it->second.is_list || it->second.scalar.empty()) return false;
    out = it->second.scalar;
    return true;
  };
  for (const auto& [key, out] :
       std::vector<std::pair<std::string, std::string*>>{{"title", &a.title},
                                                         {"summary", &a.summary},
                                                         {"reading_level", &a.reading_level},
                                                         {"kind", &a.kind},
                                                         {"reviewed", &a.reviewed},
                                                         {"review_by", &a.review_by}}) {
    if (!text_field(key, *out)) return fail(path, key, "is missing");
  }
  for (const auto& [key, out] : std::vector<std::pair<std::string, std::vector<std::string>*>>{
           {"topics", &a.topics}, {"conditions", &a.conditions}}) {
    auto it = fields.find(key);
    if (it == fields.end()) return fail(path, key, "is missing");
    if (!it->second.is_list && !it->second.scalar.empty()) {
      return fail(path, key, "must be a list like [a, b]");
    }
    *out = it->second.list;
  }
  if (a.topics.empty()) return fail(path, "topics", "must name at least one topic");
  if (a.title.size() > 120) return fail(path, "title", "must be at most 120 characters");
  if (a.summary.size() > 300) return fail(path, "summary", "must be at most 300 characters");
  if (!valid_kind(a.kind)) return fail(path, "kind", "must be article or exercise");
  {
    std::string m;
    if (!text_field("minutes", m)) return fail(path, "minutes", "is missing");
    char* end = nullptr;
    const long v = std::strtol(m.c_str(), &end, 10);
    if (end == m.c_str() || *end != '\0' || v < 1 || v > 60) {
      return fail(path, "minutes", "must be a whole number from 1 to 60");
    }
    a.minutes = static_cast<int>(v);
  }
  const int reviewed = date_days(a.reviewed), review_by = date_days(a.review_by);
  if (reviewed < 0) return fail(path, "reviewed", "must be a date YYYY-MM-DD");
  if (review_by < 0) return fail(path, "review_by", "must be a date YYYY-MM-DD");
  if (review_by <= reviewed) return fail(path, "review_by", "must be after reviewed");

  std::string body;
  for (std::size_t j = i + 1; j < lines.size(); ++j) {
    body.append(lines[j]);
    body.push_back('\n');
  }
  a.body = trim(body);
  if (a.body.empty()) return fail(path, "body", "is empty");
  if (has_raw_html(a.body)) return fail(path, "body", "must not hold raw HTML");
  a.words = count_words(a.body);
  return a;
}

}  // namespace rules

Result<Library> Library::load(const std::vector<content::File>& files,
                              const std::string& service_dir) {
  Library lib;
  constexpr std::string_view dir = "education/", ext = ".md";
  for (const auto& f : files) {
    const std::string_view p = f.path;
    if (p.substr(0, dir.size()) != dir || p.size() <= dir.size() + ext.size() ||
        p.substr(p.size() - ext.size()) != ext || p == "education/README.md") {
      continue;
    }
    if (p.find('/', dir.size()) != std::string_view::npos) continue;  // only the top level
    auto a = rules::parse_article(f.text, p);
    if (!a) return a.error();
    lib.articles_.push_back(std::move(*a));
  }
  if (lib.articles_.empty()) return make_error(Errc::Validation, "education/: no articles");
  for (const auto& f : files) {
    if (f.path != "education/conditions.tsv") continue;
    auto map = rules::parse_condition_map(f.text, f.path);
    if (!map) return map.error();
    lib.conditions_ = std::move(*map);
  }
  if (!service_dir.empty()) {
    // A service's article never silently replaces a built-in one: the built-in articles are
    // reviewed with Tend, and a changed copy under the same slug would change what assigned
    // clients read. The service gives its version another file name.
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(service_dir, ec)) {
      return make_error(Errc::Validation, "education_dir " + service_dir + " is not a directory");
    }
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(service_dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".md" &&
          e.path().filename() != "README.md") {
        paths.push_back(e.path());
      }
    }
    std::sort(paths.begin(), paths.end());
    std::set<std::string> built_in;
    for (const auto& a : lib.articles_) built_in.insert(a.slug);
    for (const auto& path : paths) {
      std::ifstream in(path, std::ios::binary);
      if (!in) return make_error(Errc::Validation, path.string() + ": cannot be read");
      std::stringstream text;
      text << in.rdbuf();
      auto a = rules::parse_article(text.str(), path.string());
      if (!a) return a.error();
      if (built_in.count(a->slug) > 0) {
        return make_error(Errc::Validation,
                          path.string() + ": slug: " + a->slug +
                              " is a built-in article; give the service's own another file name",
                          {{"slug", "is a built-in article"}});
      }
      a->from_service = true;
      lib.articles_.push_back(std::move(*a));
    }
  }
  std::sort(lib.articles_.begin(), lib.articles_.end(),
            [](const Article& x, const Article& y) { return x.slug < y.slug; });
  for (const auto& [prefix, tags] : lib.conditions_.rows) {
    for (const auto& tag : tags) {
      const bool carried =
          std::any_of(lib.articles_.begin(), lib.articles_.end(), [&](const Article& a) {
            return std::find(a.conditions.begin(), a.conditions.end(), tag) != a.conditions.end();
          });
      if (!carried) {
        return make_error(Errc::Validation, "education/conditions.tsv: " + prefix +
                                                ": no article "
                                                "carries the condition " +
                                                tag);
      }
    }
  }
  return lib;
}

const Article* Library::find(std::string_view slug) const {
  auto it = std::lower_bound(articles_.begin(), articles_.end(), slug,
                             [](const Article& x, std::string_view s) { return x.slug < s; });
  return it != articles_.end() && it->slug == slug ? &*it : nullptr;
}

std::vector<const Article*> Library::filter(std::string_view topic, std::string_view condition,
                                            std::string_view text) const {
  const std::string t = rules::lower(topic), c = rules::lower(condition),
                    q = rules::lower(rules::trim(text));
  auto has = [](const std::vector<std::string>& list, const std::string& v) {
    return v.empty() || std::find(list.begin(), list.end(), v) != list.end();
  };
  std::vector<const Article*> out;
  for (const auto& a : articles_) {
    if (!has(a.topics, t) || !has(a.conditions, c)) continue;
    if (!q.empty() && rules::lower(a.title).find(q) == std::string::npos &&
        rules::lower(a.summary).find(q) == std::string::npos) {
      continue;
    }
    out.push_back(&a);
  }
  return out;
}

namespace {
void add_measures(std::vector<std::pair<std::string, std::string>>& wanted,
                  const std::vector<Measure>& measures) {
  for (const auto& m : measures) {
    if (m.lowest) continue;
    const std::string tag = rules::condition_of_instrument(m.instrument);
    if (tag.empty()) continue;
    wanted.emplace_back(tag, "recent " + rules::lower(m.instrument) + " result in the band " +
                                 m.band + " (" + tag + ")");
  }
}
}  // namespace

std::vector<Suggestion> Library::suggest(const std::vector<std::string>& conditions,
                                         const std::vector<Measure>& measures) const {
  // condition tag → why it is asked for, in the order given.
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& c : conditions) {
    const std::string tag = rules::lower(rules::trim(c));
    if (!tag.empty()) wanted.emplace_back(tag, "matches the condition " + tag);
  }
  add_measures(wanted, measures);
  return match(wanted);
}

std::vector<Suggestion> Library::suggest_for(const std::vector<std::string>& diagnosis_codes,
                                             const std::vector<Measure>& measures) const {
  std::vector<std::pair<std::string, std::string>> wanted;
  for (const auto& code : diagnosis_codes) {
    for (const auto& tag : rules::conditions_of_code(conditions_, code)) {
      wanted.emplace_back(tag, "diagnosis " + code + " (" + tag + ")");
    }
  }
  add_measures(wanted, measures);
  return match(wanted);
}

std::vector<Suggestion> Library::match(
    const std::vector<std::pair<std::string, std::string>>& wanted) const {
  std::vector<Suggestion> out;
  for (const auto& a : articles_) {
    Suggestion s{&a, {}};
    for (const auto& [tag, why] : wanted) {
      if (std::find(a.conditions.begin(), a.conditions.end(), tag) == a.conditions.end()) continue;
      if (std::find(s.reasons.begin(), s.reasons.end(), why) == s.reasons.end()) {
        s.reasons.push_back(why);
      }
    }
    if (!s.reasons.empty()) out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const Suggestion& x, const Suggestion& y) {
    return x.reasons.size() > y.reasons.size();
  });
  return out;
}

}  // namespace tend::education
