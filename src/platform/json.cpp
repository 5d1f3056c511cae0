#include "platform/json.h"

#include "platform/clock.h"

namespace tend::json {

Result<bj::object> parse_object(std::string_view body) {
  if (body.empty())
    return make_error(Errc::BadRequest, "request body is empty; a JSON object is expected");
  bj::parse_options opts;
  opts.max_depth = 32;
  opts.allow_invalid_utf8 = false;
  opts.allow_comments = false;
  opts.allow_trailing_commas = false;
  boost::system::error_code ec;
  bj::monotonic_resource mr;
  bj::value v = bj::parse(body, ec, {}, opts);
  if (ec) {
    std::string what = ec.message();
    if (ec == bj::error::syntax || ec == bj::error::illegal_leading_surrogate ||
        ec == bj::error::illegal_trailing_surrogate) {
      what = "malformed JSON or invalid UTF-8";
    } else if (ec == bj::error::too_deep) {
      what = "JSON nested too deeply (limit 32)";
    }
    return make_error(Errc::BadRequest, "request body is not valid JSON: " + what);
  }
  if (!v.is_object()) return make_error(Errc::BadRequest, "request body must be a JSON object");
  return std::move(v.as_object());
}

FieldReader::FieldReader(const bj::object& obj, std::string prefix)
    : obj_(obj), prefix_(std::move(prefix)) {}

std::string FieldReader::path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

void FieldReader::add_error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

const bj::value* FieldReader::raw(std::string_view key) {
  known_.emplace(key);
  auto it = obj_.find(key);
  return it == obj_.end() ? nullptr : &it->value();
}

bool FieldReader::has(std::string_view key) {
  return raw(key) != nullptr;
}

bool FieldReader::is_null(std::string_view key) {
  const auto* v = raw(key);
  return v != nullptr && v->is_null();
}

std::optional<std::string> FieldReader::string(std::string_view key, Str rule) {
  const auto* v = raw(key);
  if (v == nullptr || v->is_null()) {
    if (rule.required) add_error(path(key), "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    add_error(path(key), "must be a string");
    return std::nullopt;
  }
  const auto& s = v->get_string();
  if (s.size() > rule.max_len) {
    add_error(path(key), "must be at most " + std::to_string(rule.max_len) + " characters");
    return std::nullopt;
  }
  const std::size_t min = rule.required ? std::max<std::size_t>(1, rule.min_len) : rule.min_len;
  if (s.size() < min) {
    add_error(path(key), rule.required && min == 1
                             ? "must not be empty"
                             : "must be at least " + std::to_string(min) + " characters");
    return std::nullopt;
  }
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
      add_error(path(key), "must not contain control characters");
      return std::nullopt;
    }
  }
  return std::string(s);
}

std::optional<bool> FieldReader::boolean(std::string_view key, bool required) {
  const auto* v = raw(key);
  if (v == nullptr || v->is_null()) {
    if (required) add_error(path(key), "is required");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    add_error(path(key), "must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key, bool required,
                                                 std::int64_t min, std::int64_t max) {
  const auto* v = raw(key);
  if (v == nullptr || v->is_null()) {
    if (required) add_error(path(key), "is required");
    return std::nullopt;
  }
  std::int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    n = static_cast<std::int64_t>(v->get_uint64());
  } else {
    add_error(path(key), "must be an integer");
    return std::nullopt;
  }
  if (n < min || n > max) {
    add_error(path(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

Status FieldReader::finish() {
  for (const auto& kv : obj_) {
    if (known_.find(std::string_view(kv.key())) == known_.end()) {
      add_error(path(kv.key()), "is not a known field");
    }
  }
  if (errors_.empty()) return ok_status();
  std::string detail = "invalid fields:";
  for (std::size_t i = 0; i < errors_.size() && i < 5; ++i) {
    detail += (i ? ", " : " ") + errors_[i].field;
  }
  return make_error(Errc::Validation, detail, errors_);
}

bj::value opt_time(const std::optional<std::int64_t>& ms) {
  return ms ? bj::value(format_rfc3339(from_unix_ms(*ms))) : bj::value(nullptr);
}

}  // namespace tend::json
