#pragma once
// A test peer in Python (an SMTP sink, a webhook receiver): a child process that picks its own
// loopback port and prints it once it accepts connections.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace tend::testing {

// The python3 on PATH may be a pyenv one without aiosmtpd; the system one has it.
constexpr const char* k_python = "/usr/bin/python3";

//! A test peer: `k_python <script> <out_dir>` with its stdout on a pipe. The script prints its
//! port once it accepts connections; the constructor waits (at most 10 s) for that line.
class Peer {
 public:
  //! `script` is relative to the source tree ("tests/platform/notify/smtp_sink.py").
  Peer(const std::string& script, const std::string& out_dir) {
    int fds[2];
    int in[2];  // the peer's stdin: it exits when this process, holding the write end, ends
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    if (pipe2(in, O_CLOEXEC) != 0) {
      close(fds[0]);
      close(fds[1]);
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    const std::string path = std::string(TEND_SOURCE_DIR) + "/" + script;
    std::vector<std::string> args = {k_python, path, out_dir};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, k_python, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    close(in[0]);
    if (rc != 0) {
      pid_ = -1;
      close(fds[0]);
      close(in[1]);
      return;
    }
    in_fd_ = in[1];
    out_fd_ = fds[0];
    port_ = read_port();
  }
  ~Peer() { stop(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  //! The port it listens on; 0 when it did not start.
  int port() const { return port_; }

  //! Terminates the peer and reaps it.
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
    if (in_fd_ >= 0) close(in_fd_);
    in_fd_ = -1;
  }

 private:
  int read_port() {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    std::string line;
    while (Clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) continue;
      char c = 0;
      if (read(out_fd_, &c, 1) != 1) return 0;  // exited before printing its port
      if (c == '\n') return std::atoi(line.c_str());
      line += c;
    }
    return 0;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int in_fd_ = -1;
  int port_ = 0;
};

//! The JSON records a peer wrote to `dir` (one file a message or request), in order.
inline std::vector<boost::json::object> peer_records(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<boost::json::object> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(boost::json::parse(ss.str()).as_object());
  }
  return out;
}

}  // namespace tend::testing
