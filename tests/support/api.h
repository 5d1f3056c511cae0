#pragma once
// The real server on a loopback port, and a small libcurl client to talk to it.

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "platform/clock.h"
#include "platform/http/server.h"
#include "support/database.h"
#include "support/temp_dir.h"

namespace tend::testing {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  //!< lower-case names; last value wins
  boost::json::value json() const;
  std::string header(const std::string& name) const;
  //! The `field` of each entry in a problem's `errors`, in order (empty when there are none).
  std::vector<std::string> error_fields() const;
};

//! One client with its own cookie jar. Not thread-safe.
class HttpClient {
 public:
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(const std::string& method, const std::string& path,
                       const std::string& body = {},
                       std::map<std::string, std::string> headers = {});
  HttpResponse get(const std::string& path) { return request("GET", path); }
  HttpResponse post(const std::string& path, const boost::json::value& body) {
    return request("POST", path, boost::json::serialize(body),
                   {{"Content-Type", "application/json"}});
  }
  HttpResponse patch(const std::string& path, const boost::json::value& body) {
    return request("PATCH", path, boost::json::serialize(body),
                   {{"Content-Type", "application/json"}});
  }
  HttpResponse del(const std::string& path) { return request("DELETE", path); }

  //! Signs in with a password and remembers the cookie and CSRF token.
  HttpResponse sign_in(const std::string& username, const std::string& password);
  void set_bearer(std::string token) { bearer_ = std::move(token); }
  void set_csrf(std::string token) { csrf_ = std::move(token); }

 private:
  std::string base_;
  void* curl_;
  std::string bearer_;
  std::string csrf_;
};

//! A server-sent event stream read on a background thread (GET `path` with a bearer token).
class SseReader {
 public:
  SseReader(const std::string& base_url, const std::string& path, const std::string& bearer,
            std::map<std::string, std::string> headers = {});
  ~SseReader();
  SseReader(const SseReader&) = delete;
  SseReader& operator=(const SseReader&) = delete;
  //! Waits (bounded) until the stream so far contains `text`; true if it does.
  bool wait_for(const std::string& text, std::chrono::milliseconds timeout);
  //! Everything received so far.
  std::string text() const;
  //! True once the server ended the response.
  bool ended() const;
  long status() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;
  bool ended_ = false;
  bool stop_ = false;
  long status_ = 0;
  std::thread thread_;
};

//! Tend with a fresh data directory, serving on 127.0.0.1 on a free port.
class ApiServer {
 public:
  explicit ApiServer(std::map<std::string, std::string> settings = {});
  ~ApiServer();
  std::string base_url() const;
  app::App& app() { return *app_; }
  FakeClock clock{1'795'000'000};
  TempDir dir;
  TestDatabase database{dir.path()};

  //! Creates a staff account directly through the service and returns its id.
  std::string add_user(const std::string& username, const std::string& role,
                       std::optional<std::string> client_id = std::nullopt);
  //! A client signed in as `username` (password k_password).
  std::unique_ptr<HttpClient> client_for(const std::string& username);

 private:
  std::unique_ptr<app::App> app_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace tend::testing
