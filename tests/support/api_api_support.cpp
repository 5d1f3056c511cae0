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
