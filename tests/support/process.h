#pragma once
// Running the real `tend` binary from tests.

#include <sys/types.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tend::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

//! Runs `tend args…` to completion, feeding `input` on standard input.
RunResult run_tend(const std::vector<std::string>& args, const std::string& input = {});

//! `tend serve` as a child process, listening on a free loopback port.
class ServerProcess {
 public:
  //! Starts `tend serve --listen 127.0.0.1:0 <args…>` and waits (bounded) until it serves.
  explicit ServerProcess(const std::vector<std::string>& args);
  ~ServerProcess();
  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  //! Sends `sig` and waits for the exit; returns the exit status (or 128 + signal).
  int stop(int sig);
  //! Everything the server wrote to stderr (complete after stop()).
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::string log_;
  std::thread reader_;  // keeps reading stderr so the server never blocks on a full pipe
};

}  // namespace tend::testing
