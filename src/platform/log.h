#pragma once
//! Structured JSON logs, one object per line on stderr. Log ids, never client content.

#include <boost/json/object.hpp>
#include <string_view>

namespace tend::log {

enum class Level { Debug, Info, Warn, Error };

//! Sets the minimum level ("debug", "info", "warn", "error") and the format ("json" or
//! "text"). Call once at start-up; safe to skip (defaults: info, json).
void init(std::string_view level, std::string_view format = "json");

//! Writes one event: {"ts", "level", "event", …fields}. Thread-safe.
void write(Level level, std::string_view event, boost::json::object fields = {});

inline void info(std::string_view event, boost::json::object f = {}) {
  write(Level::Info, event, std::move(f));
}
inline void warn(std::string_view event, boost::json::object f = {}) {
  write(Level::Warn, event, std::move(f));
}
inline void error(std::string_view event, boost::json::object f = {}) {
  write(Level::Error, event, std::move(f));
}
inline void debug(std::string_view event, boost::json::object f = {}) {
  write(Level::Debug, event, std::move(f));
}

}  // namespace tend::log
