#include "platform/http/server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tend::http {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { curl_global_init(CURL_GLOBAL_ALL); }
  void TearDown() override { curl_global_cleanup(); }
};
[[maybe_unused]] ::testing::Environment* const k_curl_env =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

//! What curl saw of one exchange.
struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  long new_connections = -1;  //!< CURLINFO_NUM_CONNECTS: 0 when a connection was reused

  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (iequals(k, name)) return v;
    }
    return std::nullopt;
  }
};

struct RequestSpec {
  std::string method = "GET";
  std::string body;
  std::vector<std::string> headers;
};

//! One curl easy handle: consecutive requests share its connection cache (keep-alive).
class Client {
 public:
  Client() : h_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(h_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply request(const std::string& url, const RequestSpec& spec = {}) {
    Reply reply;
    curl_easy_reset(h_);  // keeps the connection cache
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT, 30L);  // bound for a broken server
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, 0L);
    if (spec.method == "HEAD") {
      curl_easy_setopt(h_, CURLOPT_NOBODY, 1L);
    } else if (spec.method != "GET") {
      curl_easy_setopt(h_, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
    if (!spec.body.empty() || spec.method == "POST") {
      curl_easy_setopt(h_, CURLOPT_POSTFIELDS, spec.body.data());
      curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& h : spec.headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &Client::on_body);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(h_, CURLOPT_HEADERFUNCTION, &Client::on_header);
    curl_easy_setopt(h_, CURLOPT_HEADERDATA, &reply);
    reply.code = curl_easy_perform(h_);
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_easy_getinfo(h_, CURLINFO_NUM_CONNECTS, &reply.new_connections);
    curl_slist_free_all(list);
    return reply;
  }

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<Reply*>(user)->body.append(data, size * n);
    return size * n;
  }
  static std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    std::string line(data, size * n);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      static_cast<Reply*>(user)->headers.emplace_back(line.substr(0, colon), value);
    }
    return size * n;
  }

  CURL* h_;
};

// ---- raw sockets, for what curl will not send -----------------------------------------------

//! A blocking TCP connection to 127.0.0.1:port with a 10 s receive bound, or -1 if refused.
int connect_raw(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{};
  tv.tv_sec = 10;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

struct Received {
  std::string data;
  bool closed_by_peer = false;  //!< false: the 10 s receive bound ran out or an error occurred
};

//! Reads until the server closes the connection.
Received read_to_close(int fd) {
  Received r;
  char buf[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) {
      r.closed_by_peer = true;
      break;
    }
    if (n < 0) break;
    r.data.append(buf, static_cast<std::size_t>(n));
  }
  return r;
}

//! Reads until `marker` has arrived (or the bound runs out).
std::string read_until(int fd, std::string_view marker) {
  std::string out;
  char c = 0;
  while (out.find(marker) == std::string::npos && ::recv(fd, &c, 1, 0) == 1) out += c;
  return out;
}

ServerOptions test_options() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 2;
  o.worker_threads = 4;
  return o;
}

std::string url(const Server& s, std::string_view path, std::string_view scheme = "http") {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(s.port()) + std::string(path);
}

Response echo(Request& req) {
  Response res = Response::text(req.method == Method::Post ? 201 : 200,
                                req.method_text + " " + req.path + " " + req.body);
  res.headers.set("X-Seen-Secure", req.secure ? "yes" : "no");
  return res;
}

// ---- tests ------------------------------------------------------------------------------------

TEST(Server, GetAndPostRoundTrip) {
  Server server(test_options(), echo);
  server.start();
  ASSERT_NE(server.port(), 0);
  Client client;

  Reply get = client.request(url(server, "/hello"));
  ASSERT_EQ(get.code, CURLE_OK) << curl_easy_strerror(get.code);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "GET /hello ");
  EXPECT_EQ(get.header("Server"), "tend");
  EXPECT_EQ(get.header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_EQ(get.header("Content-Type"), "text/plain; charset=utf-8");
  auto date = get.header("Date");
  ASSERT_TRUE(date.has_value());
  EXPECT_EQ(date->size(), 29u) << *date;  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_TRUE(date->ends_with(" GMT"));

  Reply post = client.request(url(server, "/things"),
                              {"POST", "{\"a\":1}", {"Content-Type: application/json"}});
  ASSERT_EQ(post.code, CURLE_OK);
  EXPECT_EQ(post.status, 201);
  EXPECT_EQ(post.body, "POST /things {\"a\":1}");
  server.stop();
}

TEST(Server, KeepAliveReusesTheConnection) {
  Server server(test_options(), echo);
  server.start();
  Client client;
  Reply first = client.request(url(server, "/one"));
  ASSERT_EQ(first.code, CURLE_OK);
  EXPECT_EQ(first.new_connections, 1);
  EXPECT_EQ(server.open_connections(), 1u);
  Reply second = client.request(url(server, "/two"));
  ASSERT_EQ(second.code, CURLE_OK);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "GET /two ");
  EXPECT_EQ(second.new_connections, 0);  // reused
  EXPECT_EQ(server.open_connections(), 1u);
  server.stop();
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(Server, PipelinedRequestsAreAnsweredInOrder) {
  Server server(test_options(), echo);
  server.start();
  const int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd,
           "GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  Received r = read_to_close(fd);
  ::close(fd);
  EXPECT_TRUE(r.closed_by_peer);
  const auto first = r.data.find("GET /first");
  const auto second = r.data.find("GET /second");
  ASSERT_NE(first, std::string::npos) << r.data;
  ASSERT_NE(second, std::string::npos) << r.data;
  EXPECT_LT(first, second);
  server.stop();
}

TEST(Server, BodyOverTheLimitIs413Problem) {
  ServerOptions o = test_options();
  o.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  Server server(o, [&calls](Request& req) {
    ++calls;
    return echo(req);
  });
  server.start();
  Client client;
  Reply ok = client.request(url(server, "/upload"), {"POST", std::string(1024, 'a'), {}});
  EXPECT_EQ(ok.status, 201);

  Reply big = client.request(url(server, "/upload"), {"POST", std::string(4096, 'a'), {}});
  ASSERT_EQ(big.code, CURLE_OK) << curl_easy_strerror(big.code);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.header("Content-Type"), "application/problem+json");
  auto problem = bj::parse(big.body).as_object();
  EXPECT_EQ(problem.at("status").as_int64(), 413);
  EXPECT_EQ(problem.at("type").as_string(), "https://tend.dev/problems/payload-too-large");
  EXPECT_EQ(calls.load(), 1);  // the handler never saw the large one

  // Chunked, so the limit is found while reading rather than from Content-Length.
  Reply chunked = client.request(url(server, "/upload"),
                                 {"POST", std::string(4096, 'b'), {"Transfer-Encoding: chunked"}});
  ASSERT_EQ(chunked.code, CURLE_OK) << curl_easy_strerror(chunked.code);
  EXPECT_EQ(chunked.status, 413);
  EXPECT_EQ(calls.load(), 1);
  server.stop();
}

TEST(Server, OversizedHeaderIs431) {
  ServerOptions o = test_options();
  o.max_header_bytes = 1024;
  Server server(o, echo);
  server.start();
  Client client;
  Reply r = client.request(url(server, "/"), {"GET", "", {"X-Big: " + std::string(4000, 'h')}});
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(bj::parse(r.body).at("status").as_int64(), 431);
  server.stop();
}

TEST(Server, MalformedRequestIs400AndClosed) {
  Server server(test_options(), echo);
  server.start();
  for (std::string bad : {std::string("THIS IS NOT HTTP\r\n\r\n"),
                          std::string("GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"),
                          std::string("\x01\x02\x03 / HTTP/1.1\r\nHost: t\r\n\r\n"),
                          std::string("GET / HTTP/1.1\r\n\r\n"),  // HTTP/1.1 without Host
                          std::string("GET nonsense HTTP/1.1\r\nHost: t\r\n\r\n"),
                          // Both framings at once is how requests are smuggled (RFC 9112 §6.3).
                          std::string("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                          std::string("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                                      "Content-Length: 6\r\n\r\nhello!")}) {
    const int fd = connect_raw(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd, bad);
    Received r = read_to_close(fd);
    ::close(fd);
    EXPECT_TRUE(r.data.starts_with("HTTP/1.1 400 ")) << bad << " → " << r.data;
    EXPECT_NE(r.data.find("application/problem+json"), std::string::npos);
    EXPECT_TRUE(r.closed_by_peer) << bad;
  }
  server.stop();
}

TEST(Server, QueryParametersAndDecodedPathReachTheHandler) {
  std::promise<Request> seen;
  Server server(test_options(), [&seen](Request& req) {
    seen.set_value(req);
    return Response::no_content();
  });
  server.start();
  Client client;
  const std::string target = "/files/a%20b%2Fc?name=J%C3%B6rg&x=1&x=2&sp=a+b&flag&e=%26%3D";
  Reply r = client.request(url(server, target), {"GET", "", {"X-Custom: Value"}});
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.header("Content-Length").has_value());
  Request req = seen.get_future().get();
  EXPECT_EQ(req.method, Method::Get);
  EXPECT_EQ(req.method_text, "GET");
  EXPECT_EQ(req.target, target);
  EXPECT_EQ(req.path, "/files/a b/c");
  EXPECT_EQ(req.query_param("name"), "J\xC3\xB6rg");
  EXPECT_EQ(req.query_param("x"), "2");  // last one wins
  EXPECT_EQ(req.query_param("sp"), "a b");
  EXPECT_EQ(req.query_param("flag"), "");
  EXPECT_EQ(req.query_param("e"), "&=");
  EXPECT_EQ(req.headers.get("x-custom"), "Value");
  EXPECT_EQ(req.remote_addr, "127.0.0.1");
  EXPECT_FALSE(req.secure);
  server.stop();
}

TEST(Server, AbsoluteFormTargetIsAccepted) {
  Server server(test_options(), echo);
  server.start();
  const int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd,
           "GET http://127.0.0.1/abs%20path?x=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  Received r = read_to_close(fd);
  ::close(fd);
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 200 ")) << r.data;
  EXPECT_TRUE(r.data.ends_with("GET /abs path ")) << r.data;
  server.stop();
}

TEST(Server, HeadGetsHeadersOnly) {
  Server server(test_options(), [](Request&) { return Response::text(200, "hello world"); });
  server.start();
  const int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  Received r = read_to_close(fd);
  ::close(fd);
  EXPECT_TRUE(r.closed_by_peer);
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 200 OK\r\n")) << r.data;
  EXPECT_NE(r.data.find("Content-Length: 11\r\n"), std::string::npos) << r.data;
  EXPECT_TRUE(r.data.ends_with("\r\n\r\n")) << r.data;  // no body bytes
  server.stop();
}

TEST(Server, ExpectContinueGetsAnInterimResponse) {
  Server server(test_options(), echo);
  server.start();
  const int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd,
           "POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n"
           "Connection: close\r\n\r\n");
  const std::string interim = read_until(fd, "\r\n\r\n");
  EXPECT_TRUE(interim.starts_with("HTTP/1.1 100 Continue")) << interim;
  send_all(fd, "hello");
  Received r = read_to_close(fd);
  ::close(fd);
  EXPECT_TRUE(r.data.starts_with("HTTP/1.1 201 ")) << r.data;
  EXPECT_TRUE(r.data.ends_with("POST /up hello")) << r.data;
  server.stop();
}

TEST(Server, UnsafeHeaderValuesAreDropped) {
  Server server(test_options(), [](Request&) {
    Response res = Response::text(200, "ok");
    res.headers.add("X-Evil", "a\r\nSet-Cookie: stolen=1");
    res.headers.add("X-Fine", "yes");
    return res;
  });
  server.start();
  Client client;
  Reply r = client.request(url(server, "/"));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.header("Set-Cookie").has_value());
  EXPECT_FALSE(r.header("X-Evil").has_value());
  EXPECT_EQ(r.header("X-Fine"), "yes");
  server.stop();
}

TEST(Server, HandlerExceptionWithoutMiddlewareIs500) {
  Server server(test_options(), [](Request&) -> Response { throw std::runtime_error("boom"); });
  server.start();
  Client client;
  Reply r = client.request(url(server, "/"));
  ASSERT_EQ(r.code, CURLE_OK);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r.body.find("boom"), std::string::npos);
  server.stop();
}

TEST(Server, IncompleteRequestTimesOut) {
  ServerOptions o = test_options();
  o.read_timeout = std::chrono::seconds(1);
  Server server(o, echo);
  server.start();
  const int fd = connect_raw(server.port());
  ASSERT_GE(fd, 0);
  send_all(fd, "GET / HTTP/1.1\r\nHost: t\r\n");  // never finished
  Received r = read_to_close(fd);                 // bounded by the 10 s receive limit
  ::close(fd);
  EXPECT_TRUE(r.closed_by_peer);
  EXPECT_TRUE(r.data.empty()) << r.data;
  server.stop();
}

TEST(Server, GracefulStopFinishesInFlightRequests) {
  std::latch release(1);
  std::promise<void> entered;
  auto entered_future = entered.get_future();
  const std::string payload(200000, 'z');
  Server server(test_options(), [&](Request&) {
    entered.set_value();
    release.wait();
    return Response::text(200, payload);
  });
  server.start();
  const std::uint16_t port = server.port();

  auto reply = std::async(std::launch::async, [&] {
    Client client;
    return client.request(url(server, "/slow"));
  });
  entered_future.wait();
  EXPECT_EQ(server.open_connections(), 1u);

  std::thread stopper([&] { server.stop(std::chrono::seconds(30)); });
  // The listener closes first: poll (bounded) until a new connection is refused.
  bool refused = false;
  for (int i = 0; i < 200000 && !refused; ++i) {
    const int fd = connect_raw(port);
    if (fd < 0) {
      refused = true;
    } else {
      ::close(fd);
      std::this_thread::yield();
    }
  }
  EXPECT_TRUE(refused);

  release.count_down();
  Reply r = reply.get();
  stopper.join();
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), payload.size());
  EXPECT_EQ(r.body, payload);
  EXPECT_EQ(r.header("Connection"), "close");
  EXPECT_LT(connect_raw(port), 0);
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(Server, StopClosesIdleKeepAliveConnectionsAtOnce) {
  ServerOptions o = test_options();
  o.idle_timeout = std::chrono::seconds(120);
  Server server(o, echo);
  server.start();
  Client client;
  ASSERT_EQ(client.request(url(server, "/")).status, 200);
  ASSERT_EQ(server.open_connections(), 1u);  // idle in curl's pool
  const auto before = std::chrono::steady_clock::now();
  server.stop(std::chrono::seconds(60));
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, std::chrono::seconds(5));  // did not wait for grace or the idle time-out
  EXPECT_EQ(server.open_connections(), 0u);
  Reply after = client.request(url(server, "/"));
  EXPECT_NE(after.code, CURLE_OK);
  server.stop();  // idempotent
}

TEST(Server, WaitForSignalReturnsWhenStoppedElsewhere) {
  Server server(test_options(), echo);
  server.start();
  std::thread stopper([&] { server.stop(); });
  server.wait_for_signal();
  stopper.join();
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST(Server, StartFailsWhenThePortIsTaken) {
  Server first(test_options(), echo);
  first.start();
  ServerOptions o = test_options();
  o.port = first.port();
  Server second(o, echo);
  try {
    second.start();
    FAIL() << "expected start() to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(o.port)), std::string::npos) << e.what();
  }
}

// ---- TLS ----------------------------------------------------------------------------------------

class TlsServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "tend-tls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = new fs::path(pattern);
    const std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1"
        " -keyout '" +
        key().string() + "' -out '" + cert().string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    if (dir_) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path cert() { return *dir_ / "cert.pem"; }
  static fs::path key() { return *dir_ / "key.pem"; }
  static ServerOptions tls_options() {
    ServerOptions o = test_options();
    o.tls_cert_file = cert().string();
    o.tls_key_file = key().string();
    return o;
  }

  static inline fs::path* dir_ = nullptr;
};

TEST_F(TlsServer, ServesHttpsAndMarksRequestsSecure) {
  std::promise<bool> secure;
  std::once_flag once;
  Server server(tls_options(), [&](Request& req) {
    std::call_once(once, [&] { secure.set_value(req.secure); });
    return echo(req);
  });
  server.start();
  Client client;
  Reply r = client.request(url(server, "/tls", "https"));
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /tls ");
  EXPECT_EQ(r.header("X-Seen-Secure"), "yes");
  EXPECT_TRUE(secure.get_future().get());

  Reply again = client.request(url(server, "/again", "https"));
  ASSERT_EQ(again.code, CURLE_OK);
  EXPECT_EQ(again.new_connections, 0);  // keep-alive over TLS too
  server.stop();
  EXPECT_EQ(server.open_connections(), 0u);
}

TEST_F(TlsServer, PlainHttpToTheTlsPortFails) {
  std::atomic<int> calls{0};
  Server server(tls_options(), [&calls](Request& req) {
    ++calls;
    return echo(req);
  });
  server.start();
  Client client;
  Reply r = client.request(url(server, "/plain", "http"));
  EXPECT_NE(r.code, CURLE_OK);
  EXPECT_NE(r.status, 200);
  EXPECT_EQ(calls.load(), 0);
  server.stop();
}

TEST_F(TlsServer, BadCertificateOrKeyPathMakesStartThrow) {
  ServerOptions bad_cert = tls_options();
  bad_cert.tls_cert_file = "/nonexistent/tend-cert.pem";
  Server s1(bad_cert, echo);
  try {
    s1.start();
    FAIL() << "expected start() to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tend-cert.pem"), std::string::npos)
        << e.what();
  }

  ServerOptions bad_key = tls_options();
  bad_key.tls_key_file = "/nonexistent/tend-key.pem";
  Server s2(bad_key, echo);
  try {
    s2.start();
    FAIL() << "expected start() to throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/tend-key.pem"), std::string::npos)
        << e.what();
  }

  ServerOptions swapped = tls_options();
  swapped.tls_cert_file = key().string();  // a key is not a certificate
  Server s3(swapped, echo);
  EXPECT_THROW(s3.start(), std::runtime_error);
}

}  // namespace
}  // namespace tend::http
