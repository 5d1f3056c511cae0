#include <curl/curl.h>

#include <stdexcept>

#include "support/api.h"
#include "support/domain.h"

namespace tend::testing {

namespace {
size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}
size_t on_header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}
}  // namespace

std::vector<std::string> HttpResponse::error_fields() const {
  std::vector<std::string> out;
  const auto v = json();
  if (const auto* e = v.as_object().if_contains("errors")) {
    for (const auto& x : e->as_array()) out.emplace_back(x.as_object().at("field").as_string());
  }
  return out;
}

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) throw std::runtime_error("response is not JSON: " + body.substr(0, 200));
  return v;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::string base_url) : base_(std::move(base_url)), curl_(curl_easy_init()) {
  curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // in-memory cookie engine
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
}

HttpClient::~HttpClient() {
  curl_easy_cleanup(curl_);
}

HttpResponse HttpClient::request(const std::string& method, const std::string& path,
                                 const std::string& body,
                                 std::map<std::string, std::string> headers) {
  HttpResponse out;
  CURL* c = curl_;
  // Back to a plain GET: forgets the last request's method and body, keeps cookies and the
  // connection (curl_easy_reset would, too, but re-enabling the cookie engine after it leaks).
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_URL, (base_ + path).c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!bearer_.empty()) headers.emplace("Authorization", "Bearer " + bearer_);
  if (!csrf_.empty()) headers.emplace("X-CSRF-Token", csrf_);
  headers.emplace("Expect", "");
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
  const CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (rc != CURLE_OK)
    throw std::runtime_error(std::string("HTTP request failed: ") + curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

HttpResponse HttpClient::sign_in(const std::string& username, const std::string& password) {
  auto r =
      post("/api/v1/session", boost::json::object{{"username", username}, {"password", password}});
  if (r.status == 201) csrf_ = std::string(r.json().at("csrf_token").as_string());
  return r;
}

SseReader::SseReader(const std::string& base_url, const std::string& path,
                     const std::string& bearer, std::map<std::string, std::string> headers) {
  thread_ = std::thread([this, url = base_url + path, bearer, headers] {
    CURL* c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_slist* list = nullptr;
    list = curl_slist_append(list, ("Authorization: Bearer " + bearer).c_str());
    for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    using Write = size_t (*)(char*, size_t, size_t, void*);
    Write on_data = [](char* p, size_t size, size_t n, void* self) -> size_t {
      auto* r = static_cast<SseReader*>(self);
      std::lock_guard lock(r->mu_);
      if (r->stop_) return 0;  // aborts the transfer
      r->text_.append(p, size * n);
      r->cv_.notify_all();
      return size * n;
    };
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    // Lets a stop() end a quiet stream within a second (the progress callback aborts it).
    using Progress = int (*)(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
    Progress on_progress = [](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
      auto* r = static_cast<SseReader*>(self);
      std::lock_guard lock(r->mu_);
      return r->stop_ ? 1 : 0;
    };
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    std::lock_guard lock(mu_);
    status_ = status;
    ended_ = true;
    cv_.notify_all();
  });
}

SseReader::~SseReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  thread_.join();
}

bool SseReader::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    return text_.find(text) != std::string::npos || ended_;
  }) && text_.find(text) != std::string::npos;
}

std::string SseReader::text() const {
  std::lock_guard lock(mu_);
  return text_;
}

bool SseReader::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

long SseReader::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

ApiServer::ApiServer(std::map<std::string, std::string> settings) {
  app::FlagValues flags = std::move(settings);
  flags["data_dir"] = dir.path().string();
  flags["db"] = database.url();
  flags["listen"] = "127.0.0.1:0";
  flags.emplace("log_level", "error");
  auto cfg = app::load("", flags);
  if (!cfg) throw std::runtime_error("config: " + cfg.error().detail);
  auto a = app::App::open(*cfg, clock);
  if (!a) throw std::runtime_error("open: " + a.error().detail);
  app_ = std::move(*a);
  app_->start_background();
  http::ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.io_threads = 2;
  so.worker_threads = 16;
  so.max_body_bytes = static_cast<std::size_t>(cfg->max_body_bytes);
  server_ =
      std::make_unique<http::Server>(so, [this](http::Request& r) { return app_->handle(r); });
  server_->start();
}

ApiServer::~ApiServer() {
  app_->events().stop();  // ends open event streams so the server can stop
  server_->stop();
  server_.reset();
  app_.reset();
}

std::string ApiServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->port());
}

std::string ApiServer::add_user(const std::string& username, const std::string& role,
                                std::optional<std::string> client_id) {
  access::NewUser nu;
  nu.username = username;
  nu.display_name = username;
  nu.role = *access::parse_role(role);
  nu.password = k_password;
  nu.client_id = std::move(client_id);
  auto u = app_->access().create_user(access::system_principal("test"), nu);
  if (!u) throw std::runtime_error("add_user: " + u.error().detail);
  return u->id;
}

std::unique_ptr<HttpClient> ApiServer::client_for(const std::string& username) {
  auto c = std::make_unique<HttpClient>(base_url());
  auto r = c->sign_in(username, k_password);
  if (r.status != 201) throw std::runtime_error("sign in " + username + ": " + r.body);
  return c;
}

}  // namespace tend::testing
