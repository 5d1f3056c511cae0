#include "platform/metrics.h"

#include <fmt/format.h>

#include <array>
#include <map>
#include <mutex>
#include <tuple>

namespace tend::metrics {
namespace {

constexpr std::array<double, 14> k_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};

struct Histogram {
  std::array<std::uint64_t, k_buckets.size()> counts{};
  std::uint64_t count = 0;
  double sum = 0;
  void observe(double v) {
    for (std::size_t i = 0; i < k_buckets.size(); ++i) {
      if (v <= k_buckets[i]) ++counts[i];
    }
    ++count;
    sum += v;
  }
};

struct Registry {
  std::mutex mu;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests;
  std::map<std::string, Histogram> request_seconds;
  std::map<std::string, Histogram> db_seconds;
  std::map<std::size_t, std::uint64_t> batch_sizes;
  std::uint64_t batches = 0, batched = 0;
  std::map<std::tuple<std::string, std::string, std::string>, double> counters;
  std::map<std::string, double> gauges;
};

Registry& reg() {
  static Registry r;
  return r;
}

std::string esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void render_hist(std::string& out, std::string_view name, std::string_view label,
                 const std::map<std::string, Histogram>& hs) {
  for (const auto& [key, h] : hs) {
    for (std::size_t i = 0; i < k_buckets.size(); ++i) {
      out += fmt::format("{}_bucket{{{}=\"{}\",le=\"{}\"}} {}\n", name, label, esc(key),
                         k_buckets[i], h.counts[i]);
    }
    out += fmt::format("{}_bucket{{{}=\"{}\",le=\"+Inf\"}} {}\n", name, label, esc(key), h.count);
    out += fmt::format("{}_sum{{{}=\"{}\"}} {}\n", name, label, esc(key), h.sum);
    out += fmt::format("{}_count{{{}=\"{}\"}} {}\n", name, label, esc(key), h.count);
  }
}
}  // namespace

void observe_request(std::string_view method, std::string_view route, int status, double seconds) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  ++r.requests[{std::string(method), std::string(route), status}];
  r.request_seconds[std::string(route)].observe(seconds);
}

void observe_db(std::string_view kind, double seconds) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  r.db_seconds[std::string(kind)].observe(seconds);
}

void observe_commit_batch(std::size_t transactions) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  ++r.batches;
  r.batched += transactions;
}

void inc(std::string_view name, std::string_view label, std::string_view value, double by) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  r.counters[{std::string(name), std::string(label), std::string(value)}] += by;
}

void set_gauge(std::string_view name, double value) {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  r.gauges[std::string(name)] = value;
}

std::string render() {
  auto& r = reg();
  std::lock_guard lock(r.mu);
  std::string out;
  out += "# HELP tend_http_requests_total HTTP requests by method, route and status.\n";
  out += "# TYPE tend_http_requests_total counter\n";
  for (const auto& [k, n] : r.requests) {
    out += fmt::format("tend_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                       esc(std::get<0>(k)), esc(std::get<1>(k)), std::get<2>(k), n);
  }
  out += "# HELP tend_http_request_duration_seconds Request latency by route.\n";
  out += "# TYPE tend_http_request_duration_seconds histogram\n";
  render_hist(out, "tend_http_request_duration_seconds", "route", r.request_seconds);
  out += "# HELP tend_db_duration_seconds Time in database transactions by kind.\n";
  out += "# TYPE tend_db_duration_seconds histogram\n";
  render_hist(out, "tend_db_duration_seconds", "kind", r.db_seconds);
  out += "# HELP tend_db_commits_total Group commits (one durable sync each).\n";
  out += "# TYPE tend_db_commits_total counter\n";
  out += fmt::format("tend_db_commits_total {}\n", r.batches);
  out +=
      "# HELP tend_db_committed_transactions_total Transactions made durable by group commits.\n";
  out += "# TYPE tend_db_committed_transactions_total counter\n";
  out += fmt::format("tend_db_committed_transactions_total {}\n", r.batched);
  std::string last;
  for (const auto& [k, v] : r.counters) {
    const auto& [name, label, value] = k;
    if (name != last) {
      out += fmt::format("# TYPE {} counter\n", name);
      last = name;
    }
    if (label.empty()) {
      out += fmt::format("{} {}\n", name, v);
    } else {
      out += fmt::format("{}{{{}=\"{}\"}} {}\n", name, label, esc(value), v);
    }
  }
  for (const auto& [name, v] : r.gauges) {
    out += fmt::format("# TYPE {} gauge\n{} {}\n", name, name, v);
  }
  return out;
}

}  // namespace tend::metrics
