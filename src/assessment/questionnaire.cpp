#include "assessment/questionnaire.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tend::assessment {

namespace bj = boost::json;

namespace {

constexpr std::string_view k_loinc = "http://loinc.org";
// The answer-value extension: R4 `ordinalValue`, its STU3 predecessor `iso21090-CO-value`,
// and its R5 name `itemWeight` (http://hl7.org/fhir/extensions/StructureDefinition-itemWeight).
constexpr std::string_view k_ordinal_value = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
constexpr std::string_view k_co_value = "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value";
constexpr std::string_view k_item_weight = "http://hl7.org/fhir/StructureDefinition/itemWeight";
constexpr std::string_view k_min_value = "http://hl7.org/fhir/StructureDefinition/minValue";
constexpr std::string_view k_max_value = "http://hl7.org/fhir/StructureDefinition/maxValue";
constexpr std::string_view k_variable = "http://hl7.org/fhir/StructureDefinition/variable";
constexpr std::string_view k_calculated =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
constexpr std::string_view k_enable_when_expression =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";

// Limits on expressions from imported questionnaires, so that reading them cannot exhaust the
// stack: LHC-Forms' PHQ-9 total is 400 characters, 13 levels deep, variables 2 deep.
constexpr std::size_t k_max_expression_chars = 20'000;
constexpr std::size_t k_max_expression_depth = 200;
constexpr std::size_t k_max_variable_depth = 32;

bool is_value_extension(std::string_view url) {
  return url == k_ordinal_value || url == k_co_value || url == k_item_weight;
}

Error refuse(std::string field, std::string message) {
  std::string detail = "questionnaire not accepted: " + message;
  return make_error(Errc::Validation, std::move(detail), {{std::move(field), std::move(message)}});
}

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// Numbers print without a trailing ".0" so that messages read like the form.
std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

// ---- JSON access ---------------------------------------------------------------------------

const bj::array* array_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr ? v->if_array() : nullptr;
}

const bj::object* object_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

std::string string_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  if (v != nullptr && v->is_string()) return std::string(v->get_string());
  return {};
}

// A JSON number as a double; nullopt for anything else, and for 1e400 and the like, which
// read as infinity (no value Tend could score or write back as JSON).
std::optional<double> number(const bj::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
  return std::nullopt;
}

// Whether a whole number converts to int64 (JSON numbers may be 1e300, or 1e400 read as
// infinity; converting those is undefined).
bool fits_int64(double v) {
  return v >= -0x1p63 && v < 0x1p63;
}

std::optional<double> number_at(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v != nullptr ? number(*v) : std::nullopt;
}

// The first extension of `o` with `url`, and its index.
const bj::object* extension(const bj::object& o, std::string_view url,
                            std::size_t* index = nullptr) {
  const bj::array* ext = array_at(o, "extension");
  if (ext == nullptr) return nullptr;
  for (std::size_t i = 0; i < ext->size(); ++i) {
    const bj::object* e = (*ext)[i].if_object();
    if (e != nullptr && string_at(*e, "url") == url) {
      if (index != nullptr) *index = i;
      return e;
    }
  }
  return nullptr;
}

// The answer value carried by an answerOption, a Coding or a ValueSet concept, with the
// extension url it came from.
std::optional<double> value_extension(const bj::object& o, std::string* url) {
  const bj::array* ext = array_at(o, "extension");
  if (ext == nullptr) return std::nullopt;
  for (const auto& v : *ext) {
    const bj::object* e = v.if_object();
    if (e == nullptr) continue;
    std::string u = string_at(*e, "url");
    if (!is_value_extension(u)) continue;
    auto n = number_at(*e, "valueDecimal");
    if (!n) n = number_at(*e, "valueInteger");
    if (n) {
      *url = u;
      return n;
    }
  }
  return std::nullopt;
}

std::string loinc_code(const bj::object& o) {
  const bj::array* codes = array_at(o, "code");
  if (codes == nullptr) return {};
  for (const auto& c : *codes) {
    const bj::object* coding = c.if_object();
    if (coding != nullptr && string_at(*coding, "system") == k_loinc) {
      return string_at(*coding, "code");
    }
  }
  return {};
}

// ---- The item tree, kept for FHIRPath navigation -------------------------------------------

// Every Questionnaire item, answerable or not.
struct Node {
  std::string link_id;
  std::string type;  // as written: choice, group, display, decimal …
  std::string path;  // item[0].item[2]
  std::string text;
  std::string loinc;
  std::vector<std::size_t> children;
  std::optional<std::size_t> item;  // index into ParsedQuestionnaire::items when kept
  bool boolean = false;             // a boolean item kept as a No/Yes choice
  // Where every option's value was read: "answerOption <url>", "valueCoding <url>" or
  // "valueSet"; empty when the options disagree or have none.
  std::string value_source;
  bool calculated = false;
  const bj::object* json = nullptr;
  std::vector<const bj::object*> scope;  // objects whose variables the item sees, outermost first
  std::vector<std::string> scope_paths;  // their paths ("" for the Questionnaire)
};

// An enableWhen list that applies to an item (its own, or an enclosing group's).
struct EnableSource {
  const bj::array* conditions = nullptr;
  std::string path;  // of the enableWhen array
  bool any = false;
};

struct Calculation {
  std::size_t node = 0;
  std::string expression;
  std::string field;  // of the expression
};

// What parse_questionnaire finds, with what import needs besides.
struct Parsed {
  ParsedQuestionnaire pq;
  std::vector<Node> nodes;
  std::vector<std::size_t> top;
  std::map<std::string, std::size_t> by_id;
  std::set<std::string> nested_sums;  // calculated items used inside another sum
};

// ---- FHIRPath: just enough syntax to recognise sums ---------------------------------------

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind { Str, Num, Bool, Empty, Var, This, Member, Call, Binary, Unary, Index };
  Kind kind = Kind::Empty;
  std::string name;  // Str: the text; Var/Member/Call: the name; Binary/Unary: the operator
  double num = 0;
  bool flag = false;
  ExprPtr base;  // Member/Call/Index: what it applies to; null: the context ($this)
  std::vector<ExprPtr> args;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t depth = 1;  // of the tree below, this node included
};

struct Token {
  enum class Kind { Ident, Str, Num, Var, Sym, End };
  Kind kind = Kind::End;
  std::string text;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Tokens and syntax of FHIRPath (http://hl7.org/fhirpath/N1/#grammar) without date, time and
// quantity literals, which no sum needs.
class ExprParser {
 public:
  explicit ExprParser(std::string_view src) : src_(src) {}

  ExprPtr parse() {
    if (src_.size() > k_max_expression_chars) {
      fail("the expression is longer than " + std::to_string(k_max_expression_chars) +
           " characters");
      return nullptr;
    }
    if (!tokenize()) return nullptr;
    ExprPtr e = binary(0);
    if (e != nullptr && peek().kind != Token::Kind::End) {
      fail("unexpected `" + peek().text + "`");
      return nullptr;
    }
    return e;
  }
  const std::string& error() const { return error_; }

 private:
  bool tokenize() {
    std::size_t i = 0;
    auto ident_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    while (i < src_.size()) {
      char c = src_[i];
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++i;
        continue;
      }
      if (src_.compare(i, 2, "//") == 0) {
        while (i < src_.size() && src_[i] != '\n') ++i;
        continue;
      }
      if (src_.compare(i, 2, "/*") == 0) {
        std::size_t close = src_.find("*/", i + 2);
        if (close == std::string_view::npos) return fail("unterminated comment");
        i = close + 2;
        continue;
      }
      Token t;
      t.begin = i;
      if (c == '\'' || c == '`') {
        std::string text;
        ++i;
        while (i < src_.size() && src_[i] != c) {
          if (src_[i] == '\\' && i + 1 < src_.size()) {
            char e = src_[i + 1];
            text += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            i += 2;
          } else {
            text += src_[i++];
          }
        }
        if (i >= src_.size()) return fail("unterminated string");
        ++i;
        t.kind = c == '`' ? Token::Kind::Ident : Token::Kind::Str;
        t.text = std::move(text);
      } else if (c == '%') {
        ++i;
        if (i < src_.size() && (src_[i] == '\'' || src_[i] == '`')) {
          char q = src_[i++];
          std::size_t close = src_.find(q, i);
          if (close == std::string_view::npos) return fail("unterminated variable name");
          t.text = std::string(src_.substr(i, close - i));
          i = close + 1;
        } else {
          std::size_t start = i;
          while (i < src_.size() && ident_char(src_[i])) ++i;
          t.text = std::string(src_.substr(start, i - start));
        }
        if (t.text.empty()) return fail("`%` without a name");
        t.kind = Token::Kind::Var;
      } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
        std::size_t start = i;
        while (i < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i])) != 0) ++i;
        if (i + 1 < src_.size() && src_[i] == '.' &&
            std::isdigit(static_cast<unsigned char>(src_[i + 1])) != 0) {
          ++i;
          while (i < src_.size() && std::isdigit(static_cast<unsigned char>(src_[i])) != 0) ++i;
        }
        t.kind = Token::Kind::Num;
        t.text = std::string(src_.substr(start, i - start));
      } else if (ident_char(c) || c == '$') {
        std::size_t start = i++;
        while (i < src_.size() && ident_char(src_[i])) ++i;
        t.kind = Token::Kind::Ident;
        t.text = std::string(src_.substr(start, i - start));
      } else {
        static constexpr std::string_view two[] = {"!=", "!~", "<=", ">="};
        t.kind = Token::Kind::Sym;
        for (auto s : two) {
          if (src_.compare(i, 2, s) == 0) t.text = std::string(s);
        }
        if (t.text.empty()) {
          if (std::string_view(".,()[]{}+-*/|&=~<>").find(c) == std::string_view::npos) {
            return fail(std::string("unexpected character `") + c + "`");
          }
          t.text = std::string(1, c);
        }
        i += t.text.size();
      }
      t.end = i;
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.begin = end.end = src_.size();
    tokens_.push_back(end);
    return true;
  }

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  const Token& peek() const { return tokens_[pos_]; }
  bool at_sym(std::string_view s) const {
    return peek().kind == Token::Kind::Sym && peek().text == s;
  }
  bool expect(std::string_view s) {
    if (!at_sym(s)) return fail("expected `" + std::string(s) + "`");
    ++pos_;
    return true;
  }

  // Operator precedence, lowest first (FHIRPath §6 Operators).
  static const std::vector<std::vector<std::string_view>>& levels() {
    static const std::vector<std::vector<std::string_view>> l = {{"implies"},
                                                                 {"or", "xor"},
                                                                 {"and"},
                                                                 {"in", "contains"},
                                                                 {"=", "~", "!=", "!~"},
                                                                 {"<", ">", "<=", ">="},
                                                                 {"|"},
                                                                 {"is", "as"},
                                                                 {"+", "-", "&"},
                                                                 {"*", "/", "div", "mod"}};
    return l;
  }

  ExprPtr binary(std::size_t level) {
    if (level == levels().size()) return unary();
    ExprPtr lhs = binary(level + 1);
    while (lhs != nullptr) {
      const Token& t = peek();
      if (t.kind != Token::Kind::Sym && t.kind != Token::Kind::Ident) break;
      const auto& ops = levels()[level];
      if (std::find(ops.begin(), ops.end(), t.text) == ops.end()) break;
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Binary;
      e->name = t.text;
      ++pos_;
      ExprPtr rhs = binary(level + 1);
      if (rhs == nullptr) return nullptr;
      e->begin = lhs->begin;
      e->end = rhs->end;
      e->depth = 1 + std::max(lhs->depth, rhs->depth);
      if (e->depth > k_max_expression_depth) {
        fail("the expression is nested too deeply");
        return nullptr;
      }
      e->args = {lhs, rhs};
      lhs = e;
    }
    return lhs;
  }

  // Every nested parse (parentheses, arguments, signs) passes here: the one place to bound it.
  ExprPtr unary() {
    if (++nesting_ > k_max_expression_depth) {
      fail("the expression is nested too deeply");
      return nullptr;
    }
    ExprPtr e = signed_term();
    --nesting_;
    return e;
  }

  ExprPtr signed_term() {
    if (at_sym("-") || at_sym("+")) {
      auto e = std::make_shared<Expr>();
      e->kind = Expr::Kind::Unary;
      e->name = peek().text;
      e->begin = peek().begin;
      ++pos_;
      ExprPtr operand = unary();
      if (operand == nullptr) return nullptr;
      e->end = operand->end;
      e->depth = 1 + operand->depth;
      e->args = {operand};
      return e;
    }
    return postfix();
  }

  ExprPtr postfix() {
    ExprPtr e = term(nullptr);
    while (e != nullptr) {
      if (at_sym(".")) {
        ++pos_;
        e = term(e);
      } else if (at_sym("[")) {
        ++pos_;
        auto idx = std::make_shared<Expr>();
        idx->kind = Expr::Kind::Index;
        idx->base = e;
        idx->begin = e->begin;
        ExprPtr i = binary(0);
        if (i == nullptr) return nullptr;
        idx->args = {i};
        idx->depth = 1 + std::max(e->depth, i->depth);
        idx->end = peek().end;
        if (!expect("]")) return nullptr;
        e = idx;
      } else {
        break;
      }
      if (e != nullptr && e->depth > k_max_expression_depth) {
        fail("the expression is nested too deeply");
        return nullptr;
      }
    }
    return e;
  }

  // A term, or with `base` an invocation after a dot.
  ExprPtr term(ExprPtr base) {
    const Token t = peek();
    auto e = std::make_shared<Expr>();
    e->begin = base != nullptr ? base->begin : t.begin;
    e->end = t.end;
    e->depth = base != nullptr ? 1 + base->depth : 1;
    if (t.kind == Token::Kind::Ident) {
      ++pos_;
      if (base == nullptr && (t.text == "true" || t.text == "false")) {
        e->kind = Expr::Kind::Bool;
        e->flag = t.text == "true";
        return e;
      }
      if (base == nullptr && t.text == "$this") {
        e->kind = Expr::Kind::This;
        return e;
      }
      if (!t.text.empty() && t.text[0] == '$') {
        fail("`" + t.text + "` is not supported");
        return nullptr;
      }
      e->name = t.text;
      e->base = base;
      if (at_sym("(")) {
        ++pos_;
        e->kind = Expr::Kind::Call;
        while (!at_sym(")")) {
          ExprPtr a = binary(0);
          if (a == nullptr) return nullptr;
          e->depth = std::max(e->depth, 1 + a->depth);
          e->args.push_back(a);
          if (!at_sym(",")) break;
          ++pos_;
        }
        e->end = peek().end;
        if (!expect(")")) return nullptr;
      } else {
        e->kind = Expr::Kind::Member;
      }
      return e;
    }
    if (base != nullptr) {
      fail("expected a name after `.`");
      return nullptr;
    }
    if (t.kind == Token::Kind::Str) {
      ++pos_;
      e->kind = Expr::Kind::Str;
      e->name = t.text;
      return e;
    }
    if (t.kind == Token::Kind::Num) {
      ++pos_;
      e->kind = Expr::Kind::Num;
      // Not std::stod, which throws for a literal beyond the range of double.
      if (std::from_chars(t.text.data(), t.text.data() + t.text.size(), e->num).ec != std::errc{}) {
        fail("a number is out of range");
        return nullptr;
      }
      return e;
    }
    if (t.kind == Token::Kind::Var) {
      ++pos_;
      e->kind = Expr::Kind::Var;
      e->name = t.text;
      return e;
    }
    if (at_sym("(")) {
      ++pos_;
      ExprPtr inner = binary(0);
      if (inner == nullptr) return nullptr;
      if (!expect(")")) return nullptr;
      return inner;
    }
    if (at_sym("{")) {
      ++pos_;
      e->end = peek().end;
      if (!expect("}")) return nullptr;
      e->kind = Expr::Kind::Empty;
      return e;
    }
    fail(t.kind == Token::Kind::End ? "unexpected end of expression"
                                    : "unexpected `" + t.text + "`");
    return nullptr;
  }

  std::string_view src_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t nesting_ = 0;
  std::string error_;
};

// ---- Recognising sums ------------------------------------------------------------------------

// What an expression stands for, as far as a sum of answer values is concerned. Evaluation is
// symbolic: each value names the items it depends on; anything else is refused.
struct Val {
  enum class Kind {
    Error,
    Str,
    Num,
    Bool,
    Empty,
    Items,         // Questionnaire or QuestionnaireResponse items (`nodes`), or the resource
    Answers,       // .answer of response items
    Codings,       // .answer.value / .answer.valueCoding of choice items
    Codes,         // … .code
    Options,       // %questionnaire … .answerOption of one item
    Selected,      // the option whose code is the answer's
    OptionExts,    // its extensions
    OptionExt,     // its extension with `url`
    Values,        // the value of each answered item in `items` (one number per item at most)
    Sum,           // one number: the sum of the values of `items`
    AnyAnswered,   // true when one of `items` is answered
    NoneAnswered,  // true when none of `items` is answered
  };
  Kind kind = Kind::Error;
  std::string str;
  double num = 0;
  bool questionnaire = false;  // Items: of %questionnaire (else of %resource)
  bool resource = false;       // Items: the resource itself, not items of it
  std::vector<std::size_t> nodes;
  std::vector<std::string> items;
  std::string url;

  static Val of(Kind k) {
    Val v;
    v.kind = k;
    return v;
  }
};

// The text of one expression being read, and where it lives.
struct Source {
  std::string text;
  std::string field;
  std::string variable;  // the variable's name, when it is one
};

class SumReader {
 public:
  explicit SumReader(Parsed& p) : p_(p) {}

  // The items summed by the calculatedExpression of node `calc`.
  Result<std::vector<std::string>> sum_of(std::size_t calc) {
    Val v = calculated(calc);
    if (v.kind == Val::Kind::Error) return *error_;
    return v.items;
  }

 private:
  struct Scope {
    const Node* node = nullptr;
    std::size_t depth = 0;  // how many of node->scope are visible
  };

  Val fail(const Source& src, const Expr* e, const std::string& reason) {
    if (!error_) {
      std::string where = src.variable.empty() ? "" : "variable %" + src.variable + ": ";
      std::string snippet = e != nullptr ? src.text.substr(e->begin, e->end - e->begin) : src.text;
      error_ = refuse(src.field, where + "cannot read `" + snippet + "` as a sum of answer " +
                                     "values: " + reason);
    }
    return Val::of(Val::Kind::Error);
  }

  Val calculated(std::size_t node) {
    if (auto it = calc_memo_.find(node); it != calc_memo_.end()) return it->second;
    const Node& n = p_.nodes[node];
    if (!calc_busy_.insert(node).second) {
      if (!error_)
        error_ = refuse(n.path,
                        "calculatedExpression of item " + quoted(n.link_id) + " depends on itself");
      return Val::of(Val::Kind::Error);
    }
    Source src{calc_source_.at(node).expression, calc_source_.at(node).field, ""};
    Val v = read(src, Scope{&n, n.scope.size()});
    calc_busy_.erase(node);
    if (v.kind == Val::Kind::Values && v.items.size() == 1) v.kind = Val::Kind::Sum;
    if (v.kind != Val::Kind::Error && v.kind != Val::Kind::Sum) {
      v = fail(src, nullptr,
               v.kind == Val::Kind::Values ? "it is a list of values, not their sum"
                                           : "the result is not a number");
    }
    calc_memo_[node] = v;
    return v;
  }

  Val read(const Source& src, Scope scope) {
    if (reading_ >= k_max_variable_depth) {
      return fail(src, nullptr, "variables and calculated items refer to each other too deeply");
    }
    ExprParser parser(src.text);
    ExprPtr e = parser.parse();
    if (e == nullptr) return fail(src, nullptr, parser.error());
    ++reading_;
    Val v = eval(src, scope, *e);
    --reading_;
    return v;
  }

  Val variable(const Source& src, Scope scope, const Expr& e) {
    if (e.name == "resource") {
      Val v = Val::of(Val::Kind::Items);
      v.resource = true;
      return v;
    }
    if (e.name == "questionnaire") {
      Val v = Val::of(Val::Kind::Items);
      v.resource = v.questionnaire = true;
      return v;
    }
    for (std::size_t level = scope.depth; level-- > 0;) {
      const bj::object* owner = scope.node->scope[level];
      const bj::array* ext = array_at(*owner, "extension");
      if (ext == nullptr) continue;
      for (std::size_t i = 0; i < ext->size(); ++i) {
        const bj::object* x = (*ext)[i].if_object();
        if (x == nullptr || string_at(*x, "url") != k_variable) continue;
        const bj::object* ve = object_at(*x, "valueExpression");
        if (ve == nullptr || string_at(*ve, "name") != e.name) continue;
        std::string prefix = scope.node->scope_paths[level];
        std::string field = (prefix.empty() ? "" : prefix + ".") + "extension[" +
                            std::to_string(i) + "].valueExpression";
        auto key = std::make_pair(owner, e.name);
        if (auto it = var_memo_.find(key); it != var_memo_.end()) return it->second;
        if (!var_busy_.insert(key).second) {
          return fail(src, &e, "variable %" + e.name + " depends on itself");
        }
        std::string language = string_at(*ve, "language");
        Val v;
        if (language != "text/fhirpath") {
          v = fail(Source{"", field + ".language", e.name}, nullptr,
                   "language " + quoted(language) + " is not FHIRPath");
        } else if (!ve->contains("expression")) {
          v = fail(Source{"", field, e.name}, nullptr, "the variable has no expression");
        } else {
          v = read(Source{string_at(*ve, "expression"), field + ".expression", e.name},
                   Scope{scope.node, level + 1});
        }
        var_busy_.erase(key);
        var_memo_[key] = v;
        return v;
      }
    }
    return fail(src, &e,
                "%" + e.name + " is not a variable defined on the item, its groups " +
                    "or the Questionnaire");
  }

  static bool answerable(const Node& n) { return n.type != "group" && n.type != "display"; }

  // Children of the given items, as FHIRPath `.item` sees them: in a QuestionnaireResponse only
  // groups hold items (a question's children sit under its answers).
  std::vector<std::size_t> children(const Val& v) const {
    std::vector<std::size_t> out;
    if (v.resource) return p_.top;
    for (std::size_t n : v.nodes) {
      const Node& node = p_.nodes[n];
      if (!v.questionnaire && node.type != "group") continue;
      out.insert(out.end(), node.children.begin(), node.children.end());
    }
    return out;
  }

  std::vector<std::size_t> descendants(const Val& v) const {
    std::vector<std::size_t> out;
    std::vector<std::size_t> level = children(v);
    while (!level.empty()) {
      out.insert(out.end(), level.begin(), level.end());
      Val next = Val::of(Val::Kind::Items);
      next.questionnaire = v.questionnaire;
      next.nodes = level;
      level = children(next);
    }
    return out;
  }

  // The value of one node's answer, or why it has none Tend can add.
  std::optional<std::string> scored(const Node& n) const {
    if (!n.item) return "item " + quoted(n.link_id) + " has no answer Tend keeps";
    const Item& it = p_.pq.items[*n.item];
    if (n.boolean) return "item " + quoted(n.link_id) + " is a boolean, which has no value";
    if (it.type == ItemType::Choice && it.options.empty()) {
      return "the answer options of item " + quoted(n.link_id) + " carry no values";
    }
    return std::nullopt;
  }

  Val values_of(const Source& src, const Expr& e, const std::vector<std::size_t>& nodes) {
    Val out = Val::of(Val::Kind::Values);
    for (std::size_t n : nodes) {
      const Node& node = p_.nodes[n];
      if (auto why = scored(node)) return fail(src, &e, *why);
      out.items.push_back(node.link_id);
    }
    return out;
  }

  // weight()/ordinal() over answers (SDC "FHIRPath supplements"): the answer options' values.
  // Answers without a coded value (text, the calculated items) have no weight and add nothing;
  // numbers and booleans are refused rather than guessed at.
  Val weights(const Source& src, const Expr& e, const Val& base) {
    std::vector<std::size_t> nodes;
    for (std::size_t n : base.nodes) {
      const Node& node = p_.nodes[n];
      if (node.calculated || node.type == "string" || node.type == "text") continue;
      if (!node.item || node.boolean || p_.pq.items[*node.item].type != ItemType::Choice) {
        return fail(
            src, &e,
            "weight() of " + node.type + " item " + quoted(node.link_id) + " is not defined");
      }
      nodes.push_back(n);
    }
    return values_of(src, e, nodes);
  }

  // A `where(...)` criterion on items: only comparisons of linkId with text, and/or/not.
  std::optional<bool> matches(const Source& src, Scope scope, const Expr& c, const Node& n) {
    if (c.kind == Expr::Kind::Binary && (c.name == "and" || c.name == "or")) {
      auto l = matches(src, scope, *c.args[0], n);
      auto r = l ? matches(src, scope, *c.args[1], n) : std::nullopt;
      if (!l || !r) return std::nullopt;
      return c.name == "and" ? (*l && *r) : (*l || *r);
    }
    if (c.kind == Expr::Kind::Call && c.name == "not" && c.args.empty() && c.base != nullptr) {
      auto inner = matches(src, scope, *c.base, n);
      if (!inner) return std::nullopt;
      return !*inner;
    }
    if (c.kind == Expr::Kind::Binary && (c.name == "=" || c.name == "!=")) {
      const Expr* field = c.args[0].get();
      const Expr* other = c.args[1].get();
      auto is_link_id = [](const Expr* x) {
        return x->kind == Expr::Kind::Member && x->base == nullptr && x->name == "linkId";
      };
      if (!is_link_id(field)) std::swap(field, other);
      if (!is_link_id(field)) {
        fail(src, &c, "only conditions on linkId are understood in where()");
        return std::nullopt;
      }
      Val text = eval(src, scope, *other);
      if (text.kind == Val::Kind::Error) return std::nullopt;
      if (text.kind != Val::Kind::Str) {
        fail(src, other, "linkId is compared with something that is not text");
        return std::nullopt;
      }
      return (n.link_id == text.str) == (c.name == "=");
    }
    fail(src, &c, "only conditions on linkId are understood in where()");
    return std::nullopt;
  }

  // `valueCoding.code = <the answer's code>` inside answerOption.where(...), either way round.
  bool selects_answer(const Source& src, Scope scope, const Expr& c, std::size_t node) {
    if (c.kind != Expr::Kind::Binary || c.name != "=") return false;
    for (int side = 0; side < 2; ++side) {
      const Expr& l = *c.args[side];
      const Expr& r = *c.args[1 - side];
      bool option_code = l.kind == Expr::Kind::Member && l.name == "code" && l.base != nullptr &&
                         l.base->kind == Expr::Kind::Member && l.base->base == nullptr &&
                         (l.base->name == "valueCoding" || l.base->name == "value");
      if (!option_code) continue;
      Val answer = eval(src, scope, r);
      return answer.kind == Val::Kind::Codes && answer.nodes.size() == 1 && answer.nodes[0] == node;
    }
    return false;
  }

  bool is_zero(const Val& v) const { return v.kind == Val::Kind::Num && v.num == 0; }
  static bool is_number(const Val& v) {
    return v.kind == Val::Kind::Sum || (v.kind == Val::Kind::Values && v.items.size() == 1);
  }
  static bool subset(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::all_of(a.begin(), a.end(), [&](const std::string& x) {
      return std::find(b.begin(), b.end(), x) != b.end();
    });
  }

  Val eval(const Source& src, Scope scope, const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::Str: {
        Val v = Val::of(Val::Kind::Str);
        v.str = e.name;
        return v;
      }
      case Expr::Kind::Num: {
        Val v = Val::of(Val::Kind::Num);
        v.num = e.num;
        return v;
      }
      case Expr::Kind::Bool:
        return fail(src, &e, "a boolean constant is not an answer value");
      case Expr::Kind::Empty:
        return Val::of(Val::Kind::Empty);
      case Expr::Kind::Var:
        return variable(src, scope, e);
      case Expr::Kind::This:
        return fail(src, &e, "$this is not supported here");
      case Expr::Kind::Index:
        return fail(src, &e, "indexing with [] is not supported");
      case Expr::Kind::Unary:
        return fail(src, &e, "`" + e.name + "` before a value is not addition");
      case Expr::Kind::Binary:
        return binary(src, scope, e);
      case Expr::Kind::Member:
        return member(src, scope, e);
      case Expr::Kind::Call:
        return call(src, scope, e);
    }
    return fail(src, &e, "not understood");
  }

  Val binary(const Source& src, Scope scope, const Expr& e) {
    if (e.name == "+") {
      Val l = eval(src, scope, *e.args[0]);
      if (l.kind == Val::Kind::Error) return l;
      Val r = eval(src, scope, *e.args[1]);
      if (r.kind == Val::Kind::Error) return r;
      for (const Val* side : {&l, &r}) {
        const Expr& x = *e.args[side == &l ? 0 : 1];
        if (side->kind == Val::Kind::Num) {
          return fail(src, &e, "it adds the constant " + number_text(side->num));
        }
        if (side->kind == Val::Kind::Values && side->items.size() > 1) {
          return fail(src, &x, "it is a list of values, not one value");
        }
        if (!is_number(*side)) return fail(src, &x, "it is not an answer value");
      }
      Val out = Val::of(Val::Kind::Sum);
      out.items = l.items;
      for (const auto& id : r.items) {
        if (std::find(out.items.begin(), out.items.end(), id) != out.items.end()) {
          return fail(src, &e, "item " + quoted(id) + " is added more than once");
        }
        out.items.push_back(id);
      }
      return out;
    }
    if (e.name == "or" || e.name == "and") {
      Val l = eval(src, scope, *e.args[0]);
      if (l.kind == Val::Kind::Error) return l;
      Val r = eval(src, scope, *e.args[1]);
      if (r.kind == Val::Kind::Error) return r;
      // "any answered" is an or of exists(); "none answered" an and of empty().
      Val::Kind want = e.name == "or" ? Val::Kind::AnyAnswered : Val::Kind::NoneAnswered;
      if (l.kind != want || r.kind != want) {
        return fail(src, &e,
                    "only `" + e.name + "` of " + (e.name == "or" ? "exists()" : "empty()") +
                        " tests on answers is understood");
      }
      for (const auto& id : r.items) {
        if (std::find(l.items.begin(), l.items.end(), id) == l.items.end()) l.items.push_back(id);
      }
      return l;
    }
    return fail(src, &e, "`" + e.name + "` is not addition");
  }

  Val member(const Source& src, Scope scope, const Expr& e) {
    if (e.base == nullptr) {
      return fail(src, &e, "a path from the item itself is not supported; start from %resource");
    }
    Val base = eval(src, scope, *e.base);
    if (base.kind == Val::Kind::Error) return base;
    const std::string& m = e.name;
    switch (base.kind) {
      case Val::Kind::Items:
        if (m == "item") {
          Val out = Val::of(Val::Kind::Items);
          out.questionnaire = base.questionnaire;
          out.nodes = children(base);
          return out;
        }
        if (!base.questionnaire && !base.resource && m == "answer") {
          Val out = Val::of(Val::Kind::Answers);
          for (std::size_t n : base.nodes) {
            if (answerable(p_.nodes[n])) out.nodes.push_back(n);
          }
          return out;
        }
        if (base.questionnaire && !base.resource && m == "answerOption") {
          if (base.nodes.size() != 1) {
            return fail(src, &e, "answerOption of more than one item is not one item's options");
          }
          Val out = Val::of(Val::Kind::Options);
          out.nodes = base.nodes;
          return out;
        }
        break;
      case Val::Kind::Answers:
        if (m == "value" || m == "valueCoding" || m == "valueInteger" || m == "valueDecimal") {
          return answer_value(src, e, base);
        }
        break;
      case Val::Kind::Codings:
        if (m == "code") {
          Val out = base;
          out.kind = Val::Kind::Codes;
          return out;
        }
        break;
      case Val::Kind::Selected:
        if (m == "extension") {
          Val out = base;
          out.kind = Val::Kind::OptionExts;
          return out;
        }
        break;
      case Val::Kind::OptionExt:
        if (m == "valueDecimal" || m == "value") return option_value(src, e, base);
        break;
      default:
        break;
    }
    return fail(src, &e, "`." + m + "` is not understood here");
  }

  // .answer.value (and its typed forms) of response items.
  Val answer_value(const Source& src, const Expr& e, const Val& answers) {
    bool all_choice = true;
    bool all_number = true;
    for (std::size_t n : answers.nodes) {
      const Node& node = p_.nodes[n];
      bool choice = node.item && p_.pq.items[*node.item].type == ItemType::Choice;
      bool integer = node.item && p_.pq.items[*node.item].type == ItemType::Integer;
      all_choice = all_choice && choice;
      all_number = all_number && (integer || node.calculated);
    }
    if (answers.nodes.empty()) return fail(src, &e, "no item has answers here");
    if (all_choice && (e.name == "value" || e.name == "valueCoding")) {
      Val out = answers;
      out.kind = Val::Kind::Codings;
      return out;
    }
    if (all_number && e.name != "valueCoding") {
      if (answers.nodes.size() == 1 && p_.nodes[answers.nodes[0]].calculated) {
        // Another calculated item's value: its sum.
        std::size_t other = answers.nodes[0];
        Val v = calculated(other);
        if (v.kind != Val::Kind::Error) p_.nested_sums.insert(p_.nodes[other].link_id);
        return v;
      }
      for (std::size_t n : answers.nodes) {
        if (p_.nodes[n].calculated) {
          return fail(src, &e, "values of calculated items are mixed with answers");
        }
      }
      return values_of(src, e, answers.nodes);
    }
    return fail(src, &e, "`." + e.name + "` of these items is not a number");
  }

  // %questionnaire …answerOption.where(…).extension.where(url = …).valueDecimal: the value only
  // when every option of the item carries it in that very place.
  Val option_value(const Source& src, const Expr& e, const Val& ext) {
    const Node& node = p_.nodes[ext.nodes[0]];
    if (!is_value_extension(ext.url)) {
      return fail(src, &e, "extension " + quoted(ext.url) + " is not an answer value");
    }
    if (node.value_source != "answerOption " + ext.url) {
      return fail(src, &e,
                  "the options of item " + quoted(node.link_id) +
                      " do not all carry their value in answerOption.extension " + quoted(ext.url));
    }
    return values_of(src, e, ext.nodes);
  }

  Val call(const Source& src, Scope scope, const Expr& e) {
    const std::string& f = e.name;
    if (e.base == nullptr) {
      if (f == "iif") return iif(src, scope, e);
      return fail(src, &e, f + "() is not supported");
    }
    Val base = eval(src, scope, *e.base);
    if (base.kind == Val::Kind::Error) return base;
    if (f == "where" && e.args.size() == 1) return where(src, scope, e, base);
    if (f == "repeat" && e.args.size() == 1 && base.kind == Val::Kind::Items &&
        e.args[0]->kind == Expr::Kind::Member && e.args[0]->name == "item" &&
        e.args[0]->base == nullptr) {
      Val out = Val::of(Val::Kind::Items);
      out.questionnaire = base.questionnaire;
      out.nodes = descendants(base);
      return out;
    }
    if ((f == "weight" || f == "ordinal") && e.args.empty() &&
        (base.kind == Val::Kind::Answers || base.kind == Val::Kind::Codings)) {
      return weights(src, e, base);
    }
    if (f == "sum" && e.args.empty() &&
        (base.kind == Val::Kind::Values || base.kind == Val::Kind::Sum)) {
      base.kind = Val::Kind::Sum;
      return base;
    }
    if ((f == "exists" || f == "empty") && e.args.empty() &&
        (base.kind == Val::Kind::Values || base.kind == Val::Kind::Answers)) {
      Val v = base.kind == Val::Kind::Values ? base : values_of(src, e, base.nodes);
      if (v.kind == Val::Kind::Error) return v;
      v.kind = f == "exists" ? Val::Kind::AnyAnswered : Val::Kind::NoneAnswered;
      return v;
    }
    if (f == "not" && e.args.empty() &&
        (base.kind == Val::Kind::AnyAnswered || base.kind == Val::Kind::NoneAnswered) &&
        base.items.size() == 1) {
      base.kind =
          base.kind == Val::Kind::AnyAnswered ? Val::Kind::NoneAnswered : Val::Kind::AnyAnswered;
      return base;
    }
    if (f == "extension" && e.args.size() == 1 && base.kind == Val::Kind::Selected) {
      Val url = eval(src, scope, *e.args[0]);
      if (url.kind == Val::Kind::Error) return url;
      if (url.kind != Val::Kind::Str) return fail(src, e.args[0].get(), "not an extension url");
      base.kind = Val::Kind::OptionExt;
      base.url = url.str;
      return base;
    }
    return fail(src, &e, f + "() is not understood here");
  }

  Val where(const Source& src, Scope scope, const Expr& e, Val base) {
    const Expr& c = *e.args[0];
    if (base.kind == Val::Kind::Items && !base.resource) {
      Val out = base;
      out.nodes.clear();
      for (std::size_t n : base.nodes) {
        auto keep = matches(src, scope, c, p_.nodes[n]);
        if (!keep) return Val::of(Val::Kind::Error);
        if (*keep) out.nodes.push_back(n);
      }
      if (out.nodes.empty()) {
        return fail(src, &e,
                    "no item at this level of the " +
                        std::string(base.questionnaire ? "Questionnaire" : "response") +
                        " matches");
      }
      return out;
    }
    if (base.kind == Val::Kind::Options) {
      if (!selects_answer(src, scope, c, base.nodes[0])) {
        if (error_) return Val::of(Val::Kind::Error);
        return fail(src, &c, "only the option whose code is the answer's code is understood");
      }
      base.kind = Val::Kind::Selected;
      return base;
    }
    if (base.kind == Val::Kind::OptionExts) {
      if (c.kind == Expr::Kind::Binary && c.name == "=" && c.args[0]->kind == Expr::Kind::Member &&
          c.args[0]->base == nullptr && c.args[0]->name == "url") {
        Val url = eval(src, scope, *c.args[1]);
        if (url.kind == Val::Kind::Error) return url;
        if (url.kind == Val::Kind::Str) {
          base.kind = Val::Kind::OptionExt;
          base.url = url.str;
          return base;
        }
      }
      return fail(src, &c, "only url = '…' is understood when choosing an extension");
    }
    return fail(src, &e, "where() is not understood here");
  }

  // The guards LHC-Forms writes: iif(%a.exists(), %a, 0), iif(%a.empty(), 0, %a), and
  // iif(<any answered>, <sum>, {}) which leaves the total empty on an empty form.
  Val iif(const Source& src, Scope scope, const Expr& e) {
    if (e.args.size() != 3) return fail(src, &e, "iif() needs a condition and two results");
    Val c = eval(src, scope, *e.args[0]);
    if (c.kind == Val::Kind::Error) return c;
    Val a = eval(src, scope, *e.args[1]);
    if (a.kind == Val::Kind::Error) return a;
    Val b = eval(src, scope, *e.args[2]);
    if (b.kind == Val::Kind::Error) return b;
    if (c.kind == Val::Kind::NoneAnswered) {
      std::swap(a, b);
      c.kind = Val::Kind::AnyAnswered;
    }
    bool guard = c.kind == Val::Kind::AnyAnswered && is_number(a) &&
                 (is_zero(b) || b.kind == Val::Kind::Empty) && subset(c.items, a.items);
    if (!guard) {
      return fail(src, &e, "iif() is read only as a guard: iif(<value>.exists(), <value>, 0)");
    }
    a.kind = Val::Kind::Sum;
    return a;
  }

 public:
  void add(const Calculation& c) { calc_source_[c.node] = c; }

 private:
  Parsed& p_;
  std::optional<Error> error_;
  std::size_t reading_ = 0;  // expressions being read, one inside another
  std::map<std::size_t, Calculation> calc_source_;
  std::map<std::size_t, Val> calc_memo_;
  std::set<std::size_t> calc_busy_;
  std::map<std::pair<const bj::object*, std::string>, Val> var_memo_;
  std::set<std::pair<const bj::object*, std::string>> var_busy_;
};

// ---- Reading the Questionnaire ---------------------------------------------------------------

class QuestionnaireReader {
 public:
  explicit QuestionnaireReader(const bj::object& q) : q_(q) {}

  Result<Parsed> run() {
    if (string_at(q_, "resourceType") != "Questionnaire") {
      return refuse("resourceType", "resourceType must be Questionnaire");
    }
    const bj::value* items = q_.if_contains("item");
    if (items == nullptr || !items->is_array() || items->get_array().empty()) {
      return refuse("item", "the questionnaire has no items");
    }
    auto& pq = p_.pq;
    pq.id = string_at(q_, "id");
    pq.url = string_at(q_, "url");
    pq.name = string_at(q_, "name");
    pq.title = string_at(q_, "title");
    pq.copyright = string_at(q_, "copyright");
    pq.panel_loinc = loinc_code(q_);
    if (const bj::array* contained = array_at(q_, "contained")) {
      for (std::size_t i = 0; i < contained->size(); ++i) {
        const bj::object* r = (*contained)[i].if_object();
        if (r != nullptr && string_at(*r, "resourceType") == "ValueSet") value_sets_.push_back(i);
      }
    }
    Status st = walk(items->get_array(), "", std::nullopt, "", {});
    if (!st) return st.error();
    for (const auto& pending : enables_) {
      st = resolve_enable(pending);
      if (!st) return st.error();
    }
    SumReader sums(p_);
    for (const auto& c : calculations_) sums.add(c);
    for (const auto& c : calculations_) {
      auto items_added = sums.sum_of(c.node);
      if (!items_added) return items_added.error();
      const Node& n = p_.nodes[c.node];
      pq.sums.push_back(CalculatedSum{n.link_id, n.loinc, std::move(*items_added)});
    }
    return std::move(p_);
  }

 private:
  struct PendingEnable {
    std::size_t item = 0;
    std::string path;
    std::vector<EnableSource> sources;  // enclosing groups' first, then the item's own
  };

  static std::string item_path(const std::string& base, std::size_t i) {
    return base + (base.empty() ? "" : ".") + "item[" + std::to_string(i) + "]";
  }

  Status walk(const bj::array& items, const std::string& base, std::optional<std::size_t> parent,
              const std::string& group, const std::vector<EnableSource>& inherited) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string path = item_path(base, i);
      const bj::object* o = items[i].if_object();
      if (o == nullptr) return refuse(path, "an item must be an object");
      std::string link_id = string_at(*o, "linkId");
      if (link_id.empty()) return refuse(path + ".linkId", "the item has no linkId");
      if (p_.by_id.count(link_id) != 0) {
        return refuse(path + ".linkId", "linkId " + quoted(link_id) + " appears twice");
      }
      std::string type = string_at(*o, "type");
      if (type.empty()) return refuse(path + ".type", "item " + quoted(link_id) + " has no type");

      Node node;
      node.link_id = link_id;
      node.type = type;
      node.path = path;
      node.text = string_at(*o, "text");
      node.loinc = loinc_code(*o);
      node.json = o;
      if (parent) {
        node.scope = p_.nodes[*parent].scope;
        node.scope_paths = p_.nodes[*parent].scope_paths;
      } else {
        node.scope = {&q_};
        node.scope_paths = {""};
      }
      node.scope.push_back(o);
      node.scope_paths.push_back(path);
      std::size_t index = p_.nodes.size();
      p_.by_id[link_id] = index;
      if (parent) {
        p_.nodes[*parent].children.push_back(index);
      } else {
        p_.top.push_back(index);
      }
      p_.nodes.push_back(std::move(node));

      std::size_t ext_index = 0;
      if (extension(*o, k_enable_when_expression, &ext_index) != nullptr) {
        return refuse(path + ".extension[" + std::to_string(ext_index) + "]",
                      "item " + quoted(link_id) + " is enabled by an expression, which Tend " +
                          "cannot evaluate");
      }

      std::vector<EnableSource> enable = inherited;
      if (const bj::value* ew = o->if_contains("enableWhen")) {
        if (!ew->is_array()) return refuse(path + ".enableWhen", "enableWhen must be a list");
        std::string behavior = string_at(*o, "enableBehavior");
        if (!behavior.empty() && behavior != "all" && behavior != "any") {
          return refuse(path + ".enableBehavior", "enableBehavior must be all or any");
        }
        if (!ew->get_array().empty()) {
          enable.push_back(EnableSource{&ew->get_array(), path + ".enableWhen", behavior == "any"});
        }
      }

      bool repeats = false;
      if (const bj::value* r = o->if_contains("repeats"); r != nullptr && r->is_bool()) {
        repeats = r->get_bool();
      }

      if (const bj::object* calc = extension(*o, k_calculated, &ext_index)) {
        std::string field = path + ".extension[" + std::to_string(ext_index) + "].valueExpression";
        const bj::object* ve = object_at(*calc, "valueExpression");
        if (ve == nullptr || !ve->contains("expression")) {
          return refuse(
              field, "the calculatedExpression of item " + quoted(link_id) + " has no expression");
        }
        if (string_at(*ve, "language") != "text/fhirpath") {
          return refuse(field + ".language",
                        "the calculatedExpression of item " + quoted(link_id) + " is not FHIRPath");
        }
        if (type != "decimal" && type != "integer") {
          return refuse(path + ".type", "calculated item " + quoted(link_id) +
                                            " must be decimal or integer to hold a sum");
        }
        p_.nodes[index].calculated = true;
        calculations_.push_back(
            Calculation{index, string_at(*ve, "expression"), field + ".expression"});
      } else if (type == "group") {
        if (repeats) return refuse(path + ".repeats", "repeating groups are not supported");
        std::string text = p_.nodes[index].text.empty() ? group : p_.nodes[index].text;
        if (const bj::array* children = array_at(*o, "item")) {
          Status st = walk(*children, path, index, text, enable);
          if (!st) return st;
        }
        continue;
      } else if (type == "choice" || type == "open-choice" || type == "boolean" ||
                 type == "integer" || type == "decimal") {
        if (repeats) {
          return refuse(path + ".repeats",
                        "item " + quoted(link_id) + " allows several answers; Tend keeps one");
        }
        Item item;
        item.link_id = link_id;
        item.text = p_.nodes[index].text;
        item.prefix = string_at(*o, "prefix");
        item.loinc = p_.nodes[index].loinc;
        item.group = group;
        if (const bj::value* req = o->if_contains("required"); req != nullptr && req->is_bool()) {
          item.required = req->get_bool();
        }
        Status st = ok_status();
        if (type == "boolean") {
          st = boolean_options(item, index);
        } else if (type == "integer" || type == "decimal") {
          st = bounds(*o, path, item);
        } else {
          st = options(*o, path, item, index);
        }
        if (!st) return st;
        p_.nodes[index].item = p_.pq.items.size();
        if (!enable.empty()) enables_.push_back(PendingEnable{p_.pq.items.size(), path, enable});
        p_.pq.items.push_back(std::move(item));
      } else if (type == "display") {
        // Text before the first question is the form's instruction ("Over the last 2 weeks
        // …"); text after it (scoring notes for staff) is not shown to respondents.
        if (p_.pq.items.empty() && !p_.nodes[index].text.empty()) {
          p_.pq.instructions.push_back(p_.nodes[index].text);
        }
      } else if (type != "string" && type != "text") {
        return refuse(path + ".type", "item " + quoted(link_id) + " has type " + quoted(type) +
                                          ", which Tend cannot score or keep");
      }
      // Questions may carry follow-up items of their own.
      if (const bj::array* children = array_at(*o, "item")) {
        Status st = walk(*children, path, index, group, enable);
        if (!st) return st;
      }
    }
    return ok_status();
  }

  Status boolean_options(Item& item, std::size_t node) {
    item.type = ItemType::Choice;
    item.options = {AnswerOption{0, "No", "LA32-8", std::string(k_loinc)},
                    AnswerOption{1, "Yes", "LA33-6", std::string(k_loinc)}};
    p_.nodes[node].boolean = true;
    return ok_status();
  }

  static Status bounds(const bj::object& o, const std::string& path, Item& item) {
    item.type = ItemType::Integer;
    item.min_value = std::numeric_limits<std::int64_t>::min();
    item.max_value = std::numeric_limits<std::int64_t>::max();
    std::size_t i = 0;
    if (const bj::object* e = extension(o, k_min_value, &i)) {
      auto v = number_at(*e, "valueInteger");
      if (!v) v = number_at(*e, "valueDecimal");
      if (!v)
        return refuse(path + ".extension[" + std::to_string(i) + "]", "minValue is no number");
      if (!fits_int64(std::ceil(*v)))
        return refuse(path + ".extension[" + std::to_string(i) + "]", "minValue is out of range");
      item.min_value = static_cast<std::int64_t>(std::ceil(*v));
    }
    if (const bj::object* e = extension(o, k_max_value, &i)) {
      auto v = number_at(*e, "valueInteger");
      if (!v) v = number_at(*e, "valueDecimal");
      if (!v)
        return refuse(path + ".extension[" + std::to_string(i) + "]", "maxValue is no number");
      if (!fits_int64(std::floor(*v)))
        return refuse(path + ".extension[" + std::to_string(i) + "]", "maxValue is out of range");
      item.max_value = static_cast<std::int64_t>(std::floor(*v));
    }
    if (item.min_value > item.max_value) {
      return refuse(path, "item " + quoted(item.link_id) + " has minValue above maxValue");
    }
    return ok_status();
  }

  struct RawOption {
    AnswerOption option;
    std::optional<double> value;
    std::string source;
    std::string path;
  };

  Status options(const bj::object& o, const std::string& path, Item& item, std::size_t node) {
    item.type = ItemType::Choice;
    std::vector<RawOption> raw;
    if (const bj::value* ao = o.if_contains("answerOption")) {
      if (!ao->is_array()) return refuse(path + ".answerOption", "answerOption must be a list");
      const bj::array& list = ao->get_array();
      for (std::size_t j = 0; j < list.size(); ++j) {
        RawOption r;
        r.path = path + ".answerOption[" + std::to_string(j) + "]";
        const bj::object* opt = list[j].if_object();
        if (opt == nullptr) return refuse(r.path, "an answer option must be an object");
        std::string url;
        if (const bj::object* coding = object_at(*opt, "valueCoding")) {
          r.option.code = string_at(*coding, "code");
          r.option.system = string_at(*coding, "system");
          r.option.label = string_at(*coding, "display");
          if (r.option.label.empty()) r.option.label = r.option.code;
          if ((r.value = value_extension(*opt, &url))) {
            r.source = "answerOption " + url;
          } else if ((r.value = value_extension(*coding, &url))) {
            r.source = "valueCoding " + url;
          }
        } else if (const bj::value* s = opt->if_contains("valueString"); s && s->is_string()) {
          r.option.code = r.option.label = std::string(s->get_string());
          if ((r.value = value_extension(*opt, &url))) r.source = "answerOption " + url;
        } else if (const bj::value* n = opt->if_contains("valueInteger"); n && number(*n)) {
          r.option.code = r.option.label = number_text(*number(*n));
          if ((r.value = value_extension(*opt, &url))) r.source = "answerOption " + url;
        } else {
          return refuse(r.path, "answer options of item " + quoted(item.link_id) +
                                    " must be valueCoding, valueString or valueInteger");
        }
        raw.push_back(std::move(r));
      }
    } else if (o.contains("answerValueSet")) {
      std::string ref = string_at(o, "answerValueSet");
      std::optional<std::size_t> found;
      const bj::array* contained = array_at(q_, "contained");
      for (std::size_t k : value_sets_) {
        const bj::object& vs = (*contained)[k].get_object();
        if ((ref.size() > 1 && ref[0] == '#' && string_at(vs, "id") == ref.substr(1)) ||
            (!ref.empty() && string_at(vs, "url") == ref)) {
          found = k;
        }
      }
      if (!found) {
        return refuse(path + ".answerValueSet",
                      "answerValueSet " + quoted(ref) + " of item " + quoted(item.link_id) +
                          " is not a ValueSet contained in the questionnaire");
      }
      Status st = value_set_options((*contained)[*found].get_object(),
                                    "contained[" + std::to_string(*found) + "]", item, raw);
      if (!st) return st;
    }

    std::size_t with_value = 0;
    std::set<std::pair<std::string, std::string>> codes;
    std::set<std::string> sources;
    for (const auto& r : raw) {
      if (r.value) ++with_value;
      sources.insert(r.source);
      if (!r.option.code.empty() && !codes.insert({r.option.system, r.option.code}).second) {
        return refuse(r.path, "code " + quoted(r.option.code) + " appears twice among the " +
                                  "options of item " + quoted(item.link_id));
      }
    }
    if (with_value == 0) return ok_status();  // unscored: answers accepted, never added
    for (const auto& r : raw) {
      if (!r.value) {
        return refuse(r.path, "an answer option of item " + quoted(item.link_id) +
                                  " has no value (ordinalValue) while others do");
      }
    }
    for (auto& r : raw) {
      r.option.value = *r.value;
      item.options.push_back(std::move(r.option));
    }
    if (sources.size() == 1) p_.nodes[node].value_source = *sources.begin();
    return ok_status();
  }

  static Status value_set_options(const bj::object& vs, const std::string& path, const Item& item,
                                  std::vector<RawOption>& raw) {
    auto add = [&](const bj::object& entry, std::string system, std::string p) {
      RawOption r;
      r.path = std::move(p);
      r.option.code = string_at(entry, "code");
      r.option.system = std::move(system);
      r.option.label = string_at(entry, "display");
      if (r.option.label.empty()) r.option.label = r.option.code;
      std::string url;
      if ((r.value = value_extension(entry, &url))) r.source = "valueSet";
      raw.push_back(std::move(r));
    };
    if (const bj::object* expansion = object_at(vs, "expansion")) {
      // Nested contains are flattened: an expansion's hierarchy is for display only.
      std::vector<std::pair<const bj::array*, std::string>> todo;
      if (const bj::array* c = array_at(*expansion, "contains")) {
        todo.emplace_back(c, path + ".expansion.contains");
      }
      for (std::size_t t = 0; t < todo.size(); ++t) {
        auto [list, p] = todo[t];
        for (std::size_t j = 0; j < list->size(); ++j) {
          const bj::object* c = (*list)[j].if_object();
          std::string cp = p + "[" + std::to_string(j) + "]";
          if (c == nullptr) return refuse(cp, "a ValueSet entry must be an object");
          if (c->contains("code")) add(*c, string_at(*c, "system"), cp);
          if (const bj::array* nested = array_at(*c, "contains")) {
            todo.emplace_back(nested, cp + ".contains");
          }
        }
      }
      return ok_status();
    }
    const bj::object* compose = object_at(vs, "compose");
    const bj::array* include = compose != nullptr ? array_at(*compose, "include") : nullptr;
    if (include == nullptr) {
      return refuse(path, "ValueSet of item " + quoted(item.link_id) +
                              " lists no codes (neither expansion nor compose.include)");
    }
    for (std::size_t k = 0; k < include->size(); ++k) {
      const bj::object* inc = (*include)[k].if_object();
      std::string ip = path + ".compose.include[" + std::to_string(k) + "]";
      const bj::array* concepts = inc != nullptr ? array_at(*inc, "concept") : nullptr;
      if (concepts == nullptr) {
        return refuse(ip, "ValueSet of item " + quoted(item.link_id) +
                              " includes codes by filter or whole system, which Tend cannot list");
      }
      for (std::size_t j = 0; j < concepts->size(); ++j) {
        const bj::object* c = (*concepts)[j].if_object();
        std::string cp = ip + ".concept[" + std::to_string(j) + "]";
        if (c == nullptr) return refuse(cp, "a ValueSet concept must be an object");
        add(*c, string_at(*inc, "system"), cp);
      }
    }
    return ok_status();
  }

  // enableWhen of an item and of its enclosing groups, flattened onto the item. Lists can be
  // joined only when each is "all" (or a single condition).
  Status resolve_enable(const PendingEnable& pending) {
    Item& item = p_.pq.items[pending.item];
    std::size_t with_conditions = pending.sources.size();
    for (const auto& source : pending.sources) {
      if (with_conditions > 1 && source.any && source.conditions->size() > 1) {
        return refuse(source.path, "the enableWhen of item " + quoted(item.link_id) +
                                       " and of its group cannot be combined (enableBehavior " +
                                       "any inside a conditional group)");
      }
      if (with_conditions == 1) item.enable_any = source.any;
      for (std::size_t k = 0; k < source.conditions->size(); ++k) {
        std::string path = source.path + "[" + std::to_string(k) + "]";
        auto ew = enable_when((*source.conditions)[k], path, item.link_id);
        if (!ew) return ew.error();
        item.enable_when.push_back(std::move(*ew));
      }
    }
    return ok_status();
  }

  Result<EnableWhen> enable_when(const bj::value& v, const std::string& path,
                                 const std::string& link_id) {
    const bj::object* o = v.if_object();
    if (o == nullptr) return refuse(path, "an enableWhen must be an object");
    EnableWhen ew;
    ew.question = string_at(*o, "question");
    auto it = p_.by_id.find(ew.question);
    if (it == p_.by_id.end()) {
      return refuse(path + ".question", "enableWhen of item " + quoted(link_id) +
                                            " refers to unknown item " + quoted(ew.question));
    }
    const Node& q = p_.nodes[it->second];
    const Item* target = q.item ? &p_.pq.items[*q.item] : nullptr;
    if (target == nullptr || (target->type == ItemType::Choice && target->options.empty())) {
      return refuse(path + ".question", "enableWhen of item " + quoted(link_id) +
                                            " depends on item " + quoted(ew.question) +
                                            ", whose answers Tend does not keep as values");
    }
    ew.op = string_at(*o, "operator");
    static const std::set<std::string> ops = {"exists", "=", "!=", ">", ">=", "<", "<="};
    if (ops.count(ew.op) == 0) {
      return refuse(path + ".operator", "enableWhen operator " + quoted(ew.op) + " is unknown");
    }
    if (const bj::value* b = o->if_contains("answerBoolean"); b != nullptr && b->is_bool()) {
      if (ew.op != "exists" && !q.boolean) {
        return refuse(path + ".answerBoolean",
                      "item " + quoted(ew.question) + " is not a boolean item to compare with");
      }
      ew.value = b->get_bool() ? 1 : 0;
      return ew;
    }
    if (ew.op == "exists") return refuse(path + ".answerBoolean", "exists needs answerBoolean");
    if (auto n = number_at(*o, "answerInteger")) {
      ew.value = *n;
      return ew;
    }
    if (auto n = number_at(*o, "answerDecimal")) {
      ew.value = *n;
      return ew;
    }
    if (const bj::object* coding = object_at(*o, "answerCoding")) {
      std::string code = string_at(*coding, "code");
      std::string system = string_at(*coding, "system");
      for (const auto& opt : target->options) {
        if (opt.code == code && (system.empty() || opt.system.empty() || opt.system == system)) {
          ew.value = opt.value;
          return ew;
        }
      }
      return refuse(path + ".answerCoding",
                    "code " + quoted(code) + " is not an option of item " + quoted(ew.question));
    }
    return refuse(path, "enableWhen of item " + quoted(link_id) + " compares an answer type " +
                            "Tend does not keep (only coding, integer, decimal, boolean)");
  }

  const bj::object& q_;
  Parsed p_;
  std::vector<std::size_t> value_sets_;  // indexes into contained
  std::vector<PendingEnable> enables_;
  std::vector<Calculation> calculations_;
};

// ---- Import ----------------------------------------------------------------------------------

bool scored_choice(const Item& i) {
  return i.type == ItemType::Choice && !i.options.empty();
}

void condition_refs(const Condition& c, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::Item || c.kind == Condition::Kind::Answered) {
    out.push_back(c.ref);
  }
  for (const auto& child : c.children) condition_refs(child, out);
}

// Every item the scoring of `in` reads, in first-use order.
std::vector<std::string> scored_items(const Instrument& in) {
  std::vector<std::string> refs;
  auto rule = [&](const ScoreRule& r) {
    refs.insert(refs.end(), r.items.begin(), r.items.end());
    for (const auto& c : r.conditions) condition_refs(c, refs);
  };
  if (in.total) rule(*in.total);
  for (const auto& s : in.subscales) rule(s);
  for (const auto& f : in.flags) {
    refs.insert(refs.end(), f.items.begin(), f.items.end());
    condition_refs(f.when, refs);
  }
  for (const auto& b : in.bands) {
    if (b.when) condition_refs(*b.when, refs);
  }
  if (in.caseness) condition_refs(*in.caseness, refs);
  std::vector<std::string> unique;
  for (auto& r : refs) {
    if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
  }
  return unique;
}

using LinkMap = std::map<std::string, std::string>;

std::vector<std::string> mapped(const std::vector<std::string>& ids, const LinkMap& m) {
  std::vector<std::string> out;
  for (const auto& id : ids) {
    auto it = m.find(id);
    if (it != m.end()) out.push_back(it->second);
  }
  return out;
}

Condition mapped(Condition c, const LinkMap& m) {
  if (c.kind == Condition::Kind::Item || c.kind == Condition::Kind::Answered) {
    c.ref = m.at(c.ref);
  }
  for (auto& child : c.children) child = mapped(std::move(child), m);
  return c;
}

ScoreRule mapped(ScoreRule r, const LinkMap& m) {
  r.items = mapped(r.items, m);
  for (auto& c : r.conditions) c = mapped(std::move(c), m);
  return r;
}

std::string values_text(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::string s;
  for (double x : v) s += (s.empty() ? "" : ", ") + number_text(x);
  return s;
}

std::vector<double> option_values(const Item& i) {
  std::vector<double> v;
  for (const auto& o : i.options) v.push_back(o.value);
  std::sort(v.begin(), v.end());
  return v;
}

// Matches the items `known` scores to the imported ones: by LOINC item code, else by position
// among the choice items that carry values. nullopt when some item has no counterpart.
std::optional<LinkMap> match_items(const Instrument& known, const Parsed& p) {
  const auto& items = p.pq.items;
  std::vector<std::string> known_scored;
  for (const auto& i : known.items) {
    if (scored_choice(i)) known_scored.push_back(i.link_id);
  }
  std::vector<std::string> imported_scored;
  for (const auto& i : items) {
    if (scored_choice(i)) imported_scored.push_back(i.link_id);
  }
  LinkMap m;
  std::set<std::string> used;
  for (const auto& ref : scored_items(known)) {
    const Item* ki = known.item(ref);
    if (ki == nullptr) return std::nullopt;
    std::string target;
    if (!ki->loinc.empty()) {
      int count = 0;
      for (const auto& i : items) {
        if (i.loinc == ki->loinc) {
          target = i.link_id;
          ++count;
        }
      }
      if (count != 1) target.clear();
    }
    if (target.empty()) {
      auto pos = std::find(known_scored.begin(), known_scored.end(), ref);
      auto index = static_cast<std::size_t>(pos - known_scored.begin());
      if (pos == known_scored.end() || index >= imported_scored.size()) return std::nullopt;
      target = imported_scored[index];
    }
    if (!used.insert(target).second) return std::nullopt;
    m[ref] = target;
  }
  return m;
}

// The known instrument's rules, read by the imported items.
Result<Instrument> adopt(Instrument in, const Instrument& known, const Parsed& p,
                         const LinkMap& m) {
  for (const auto& [known_id, imported_id] : m) {
    const Item& ki = *known.item(known_id);
    const Node& node = p.nodes[p.by_id.at(imported_id)];
    const Item& ii = p.pq.items[*node.item];
    std::string who = "item " + quoted(imported_id) + " matches " + known.name + " item " +
                      quoted(known_id) + " but ";
    if (ki.type != ii.type) {
      return refuse(node.path + ".type", who + "is not the same kind of question");
    }
    if (ki.type == ItemType::Choice && option_values(ki) != option_values(ii)) {
      return refuse(node.path, who + "its answer values (" + values_text(option_values(ii)) +
                                   ") differ from the instrument's (" +
                                   values_text(option_values(ki)) + ")");
    }
    if (ki.type == ItemType::Integer &&
        (ki.min_value != ii.min_value || ki.max_value != ii.max_value)) {
      return refuse(node.path, who + "its range differs from the instrument's");
    }
  }
  // The questionnaire's own total must not disagree with the manual's.
  if (known.total && !known.total->loinc.empty()) {
    for (const auto& s : p.pq.sums) {
      if (s.loinc != known.total->loinc) continue;
      auto expected = mapped(known.total->items, m);
      std::set<std::string> a(s.items.begin(), s.items.end());
      std::set<std::string> b(expected.begin(), expected.end());
      if (known.total->method == ScoreMethod::Sum && a != b) {
        return refuse(p.nodes[p.by_id.at(s.link_id)].path, "calculated total " + quoted(s.link_id) +
                                                               " adds other items than the " +
                                                               known.name + " total");
      }
    }
  }
  if (known.total) in.total = mapped(*known.total, m);
  for (const auto& s : known.subscales) in.subscales.push_back(mapped(s, m));
  for (auto b : known.bands) {
    if (b.when) b.when = mapped(std::move(*b.when), m);
    in.bands.push_back(std::move(b));
  }
  for (auto f : known.flags) {
    f.items = mapped(f.items, m);
    f.when = mapped(std::move(f.when), m);
    in.flags.push_back(std::move(f));
  }
  if (known.caseness) in.caseness = mapped(*known.caseness, m);
  in.change = known.change;
  in.missing = known.missing;
  in.name = known.name;
  in.respondents = known.respondents;
  in.reversed = mapped(known.reversed, m);
  // Enable rules of the manual carry over to items the questionnaire leaves unconditional.
  for (const auto& [known_id, imported_id] : m) {
    const Item& ki = *known.item(known_id);
    Item* ii = nullptr;
    for (auto& i : in.items) {
      if (i.link_id == imported_id) ii = &i;
    }
    if (ii == nullptr || !ii->enable_when.empty() || ki.enable_when.empty()) continue;
    std::vector<EnableWhen> rules;
    for (auto ew : ki.enable_when) {
      auto it = m.find(ew.question);
      if (it == m.end()) break;
      ew.question = it->second;
      rules.push_back(std::move(ew));
    }
    if (rules.size() == ki.enable_when.size()) {
      ii->enable_when = std::move(rules);
      ii->enable_any = ki.enable_any;
    }
  }
  return in;
}

Result<Instrument> from_sums(Instrument in, const Parsed& p) {
  const CalculatedSum* total = nullptr;
  for (const auto& s : p.pq.sums) {
    if (p.nested_sums.count(s.link_id) == 0) {
      total = &s;
      break;
    }
  }
  if (total == nullptr) total = &p.pq.sums.front();
  const Node& calc = p.nodes[p.by_id.at(total->link_id)];
  ScoreRule r;
  r.id = "total";
  r.name = calc.text.empty() ? "Total" : calc.text;
  r.method = ScoreMethod::Sum;
  r.items = total->items;
  r.loinc = total->loinc;
  for (const auto& id : total->items) {
    const Node& n = p.nodes[p.by_id.at(id)];
    const Item& item = p.pq.items[*n.item];
    if (item.type == ItemType::Choice) {
      auto v = option_values(item);
      r.min += v.front();
      r.max += v.back();
    } else if (item.min_value == std::numeric_limits<std::int64_t>::min() ||
               item.max_value == std::numeric_limits<std::int64_t>::max()) {
      return refuse(n.path, "item " + quoted(id) + " is added to total " + quoted(total->link_id) +
                                " but has no minValue and maxValue, " +
                                "so the total has no range");
    } else {
      r.min += static_cast<double>(item.min_value);
      r.max += static_cast<double>(item.max_value);
    }
  }
  in.total = std::move(r);
  if (in.name.empty()) in.name = in.title;
  return in;
}

}  // namespace

Result<ParsedQuestionnaire> parse_questionnaire(const bj::object& q) {
  auto p = QuestionnaireReader(q).run();
  if (!p) return p.error();
  return std::move(p->pq);
}

Result<Instrument> import_questionnaire(const bj::object& q, const std::string& id,
                                        const std::vector<InstrumentPtr>& known) {
  auto parsed = QuestionnaireReader(q).run();
  if (!parsed) return parsed.error();
  const Parsed& p = *parsed;
  Instrument in;
  in.id = id;
  in.title = p.pq.title.empty() ? p.pq.name : p.pq.title;
  in.name = p.pq.name;
  in.panel_loinc = p.pq.panel_loinc;
  in.url = p.pq.url;
  in.copyright = p.pq.copyright;
  in.imported = true;
  in.text_shipped = true;
  in.items = p.pq.items;
  in.instructions = p.pq.instructions;
  in.questionnaire_json = bj::serialize(q);
  if (!p.pq.panel_loinc.empty()) {
    for (const auto& k : known) {
      if (k == nullptr || k->panel_loinc != p.pq.panel_loinc) continue;
      if (auto m = match_items(*k, p)) return adopt(std::move(in), *k, p, *m);
    }
  }
  if (!p.pq.sums.empty()) return from_sums(std::move(in), p);
  return refuse("item",
                "no scoring rule: the questionnaire has no calculated total and matches no "
                "known instrument");
}

}  // namespace tend::assessment
