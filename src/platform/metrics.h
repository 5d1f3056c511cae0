#pragma once
//! Process-wide metrics in Prometheus text format. All functions are thread-safe.

#include <string>
#include <string_view>

namespace tend::metrics {

//! One finished HTTP request: `route` is the matched pattern ("/api/v1/clients/{id}").
void observe_request(std::string_view method, std::string_view route, int status, double seconds);
//! Time spent in the database: `kind` is "read" or "write".
void observe_db(std::string_view kind, double seconds);
//! Size of one group-commit batch (transactions made durable by one commit).
void observe_commit_batch(std::size_t transactions);
//! Adds to a labelled counter `name{label="value"}`.
void inc(std::string_view name, std::string_view label = {}, std::string_view value = {},
         double by = 1);
//! Sets a gauge.
void set_gauge(std::string_view name, double value);

//! Everything in Prometheus text exposition format 0.0.4.
std::string render();

}  // namespace tend::metrics
