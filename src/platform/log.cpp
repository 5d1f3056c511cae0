#include "platform/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>

#include "platform/clock.h"

namespace tend::log {
namespace {
std::atomic<int> g_min{static_cast<int>(Level::Info)};
std::atomic<bool> g_json{true};

spdlog::logger& logger() {
  static auto l = [] {
    auto lg = spdlog::stderr_logger_mt("tend");
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::trace);
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return *l;
}

std::string_view name(Level l) {
  switch (l) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}
}  // namespace

void init(std::string_view level, std::string_view format) {
  Level l = Level::Info;
  if (level == "debug") l = Level::Debug;
  if (level == "warn") l = Level::Warn;
  if (level == "error") l = Level::Error;
  g_min = static_cast<int>(l);
  g_json = format != "text";
  (void)logger();
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (static_cast<int>(level) < g_min.load()) return;
  const auto ts = format_rfc3339(std::chrono::system_clock::now());
  if (g_json) {
    boost::json::object o;
    o["ts"] = ts;
    o["level"] = name(level);
    o["event"] = event;
    for (auto& kv : fields) o[kv.key()] = std::move(kv.value());
    logger().info(boost::json::serialize(o));
  } else {
    std::string line = ts + " " + std::string(name(level)) + " " + std::string(event);
    for (auto& kv : fields) {
      line += " " + std::string(kv.key()) + "=" + boost::json::serialize(kv.value());
    }
    logger().info(line);
  }
}

}  // namespace tend::log
