#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>

#include "support/process.h"

extern char** environ;

namespace tend::testing {

namespace {
std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> v;
  v.push_back(const_cast<char*>(TEND_BINARY));
  for (const auto& a : args) v.push_back(const_cast<char*>(a.c_str()));
  v.push_back(nullptr);
  return v;
}

}  // namespace

RunResult run_tend(const std::vector<std::string>& args, const std::string& input) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {in[1], out[0], err[0], in[0], out[1], err[1]})
    posix_spawn_file_actions_addclose(&fa, fd);
  auto argv = argv_of(args);
  pid_t pid;
  if (posix_spawn(&pid, TEND_BINARY, &fa, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start tend");
  }
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!input.empty()) (void)!write(in[1], input.data(), input.size());
  close(in[1]);
  RunResult r;
  // Read both pipes until both close.
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    if (poll(fds, 2, 60'000) <= 0) break;
    for (auto& f : fds) {
      if (f.fd < 0 || !(f.revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const ssize_t n = read(f.fd, buf, sizeof buf);
      if (n <= 0) {
        close(f.fd);
        f.fd = -1;
        --open;
      } else {
        (f.fd == out[0] ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

ServerProcess::ServerProcess(const std::vector<std::string>& args) {
  int err[2];
  if (pipe(err)) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&fa, err[0]);
  posix_spawn_file_actions_addclose(&fa, err[1]);
  std::vector<std::string> all = {"serve", "--listen", "127.0.0.1:0", "--log-level", "info"};
  all.insert(all.end(), args.begin(), args.end());
  auto argv = argv_of(all);
  if (posix_spawn(&pid_, TEND_BINARY, &fa, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start tend serve");
  }
  posix_spawn_file_actions_destroy(&fa);
  close(err[1]);
  err_fd_ = err[0];
  // Wait for the "server.started" line, which names the bound port.
  static const std::regex k_started(
      R"re("event":"server.started".*"listen":"127\.0\.0\.1:(\d+)")re");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{err_fd_, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(err_fd_, buf, sizeof buf);
    if (n <= 0) break;
    log_.append(buf, static_cast<std::size_t>(n));
    std::smatch m;
    if (std::regex_search(log_, m, k_started)) port_ = std::stoi(m[1]);
  }
  if (port_ == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("tend serve did not start: " + log_);
  }
  reader_ = std::thread([this] {
    char buf[4096];
    for (;;) {
      const ssize_t n = read(err_fd_, buf, sizeof buf);
      if (n <= 0) return;
      std::lock_guard lock(mu_);
      log_.append(buf, static_cast<std::size_t>(n));
    }
  });
}

std::string ServerProcess::log() const {
  std::lock_guard lock(mu_);
  return log_;
}

int ServerProcess::stop(int sig) {
  if (pid_ < 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  if (reader_.joinable()) reader_.join();  // the pipe closes when the server exits
  pid_ = -1;
  close(err_fd_);
  err_fd_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

ServerProcess::~ServerProcess() {
  if (pid_ >= 0) stop(SIGKILL);
}

}  // namespace tend::testing
