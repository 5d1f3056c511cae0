#pragma once
//! The HTTP/1.1 server (Boost.Beast on Asio). This header is plain: Beast stays in server.cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "platform/http/message.h"

namespace tend::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  //!< 0 picks a free port (see Server::port())
  int io_threads = 0;         //!< threads moving bytes; 0 = hardware cores
  int worker_threads = 64;    //!< threads running handlers (handlers may block on commits)
  std::size_t max_body_bytes = 1 << 20;        //!< larger bodies get 413
  std::size_t max_header_bytes = 16 << 10;     //!< larger header blocks get 431
  std::chrono::seconds read_timeout{30};       //!< to receive one whole request
  std::chrono::seconds write_timeout{30};      //!< to send one whole response
  std::chrono::seconds idle_timeout{75};       //!< keep-alive between requests
  std::chrono::seconds shutdown_grace{10};     //!< on a signal, time for requests in flight
  std::chrono::milliseconds heartbeat{15000};  //!< comment line on an idle event stream
  std::string tls_cert_file;                   //!< PEM; with tls_key_file, serve HTTPS only
  std::string tls_key_file;
};

//! Serves `handler` on a thread pool. Thread-safe start/stop.
class Server {
 public:
  Server(ServerOptions options, std::function<Response(Request&)> handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  //! Binds and starts serving on background threads. Throws std::runtime_error when the
  //! address cannot be bound or the TLS files cannot be loaded.
  void start();
  //! The bound port (after start()).
  std::uint16_t port() const;
  //! Blocks until SIGTERM or SIGINT, then stops gracefully within options.shutdown_grace.
  void wait_for_signal();
  //! Graceful stop: stops accepting, lets in-flight requests finish and their responses be
  //! written (up to `grace`), closes idle connections, joins threads. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  //! Connections currently open.
  std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tend::http
