#include "platform/http/server.h"

// The one translation unit of the platform that includes Beast and Asio (slow to compile).
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "platform/errors.h"
#include "platform/log.h"
#include "platform/metrics.h"

namespace tend::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

//! After a response that closes the connection, unread bytes from the client (the rest of a
//! refused upload) are drained for at most this long and this much, so that closing does not
//! reset the connection before the client has read the response ("lingering close").
constexpr std::chrono::seconds k_linger_time{2};
constexpr std::size_t k_linger_bytes = 1 << 20;
//! Bytes asked for by the read that waits for the first byte of a request.
constexpr std::size_t k_first_read = 4096;
//! Pause before accepting again after an accept error such as "too many open files".
constexpr std::chrono::milliseconds k_accept_backoff{50};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

//! A field a handler set that can go on the wire: a token name and a value with no CR, LF or
//! NUL (which would let content split the response).
bool valid_field(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

//! IMF-fixdate (RFC 9110 §5.6.7), independent of the C locale.
std::string http_date(std::chrono::system_clock::time_point now) {
  static constexpr std::array<const char*, 7> k_days = {"Sun", "Mon", "Tue", "Wed",
                                                        "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> k_months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                k_days[static_cast<std::size_t>(tm.tm_wday) % 7], tm.tm_mday,
                k_months[static_cast<std::size_t>(tm.tm_mon) % 12], tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf.data();
}

//! A problem+json answer for conditions outside the error table (431) or found before any
//! handler ran.
Response protocol_problem(int status, std::string_view type, std::string_view title,
                          std::string_view detail) {
  boost::json::object o;
  o["type"] = std::string(k_problem_type_base) + std::string(type);
  o["title"] = title;
  o["status"] = status;
  o["detail"] = detail;
  return Response::text(status, boost::json::serialize(o), "application/problem+json");
}

std::string peer_address(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "";
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6()).to_string();
  }
  return addr.to_string();
}

//! What ServerCore needs to know of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  //! The server is stopping: close now if waiting for a request, else after the response in
  //! flight. Thread-safe.
  virtual void begin_shutdown() = 0;
};

//! The server's state: listening socket, threads, open connections. Server::Impl owns one.
class ServerCore {
 public:
  ServerCore(ServerOptions o, std::function<Response(Request&)> h)
      : opts(std::move(o)), handler(std::move(h)) {}
  ~ServerCore() { stop(std::chrono::milliseconds(0)); }

  void start();
  void stop(std::chrono::milliseconds grace);
  void wait_for_signal();
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  //! Runs the application handler on a worker thread; never throws.
  Response call_handler(Request& req) const;

  std::uint64_t session_opened(std::weak_ptr<SessionBase> session) {
    std::lock_guard lock(mu);
    const std::uint64_t id = ++last_session_id;
    sessions.emplace(id, std::move(session));
    ++open;
    return id;
  }
  std::size_t open_connections() const {
    std::lock_guard lock(mu);
    return open;
  }
  void session_closed(std::uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
    --open;
    cv.notify_all();
  }

  // Declaration order is destruction order in reverse: everything a session touches when
  // it is destroyed (the registry, the TLS context, the handler) outlives the io_context,
  // whose destruction destroys the sessions still owned by queued handlers.
  const ServerOptions opts;
  const std::function<Response(Request&)> handler;
  std::optional<ssl::context> tls;

  std::mutex lifecycle_mu;  // serializes start() and stop()
  enum class Phase { Created, Running, Stopped };

  mutable std::mutex mu;       // guards what follows up to the io_context
  std::condition_variable cv;  // open count changed, signal arrived, or stopped
  Phase phase = Phase::Created;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
  std::uint64_t last_session_id = 0;
  std::size_t open = 0;
  bool signalled = false;

  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{asio::make_strand(ioc)};  // used on its strand only
  asio::steady_timer accept_backoff{acceptor.get_executor()};
  std::optional<asio::signal_set> signals;
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
};

//! One connection, plain (beast::tcp_stream) or TLS (beast::ssl_stream<beast::tcp_stream>).
//! Every member is used on the connection's strand only, except `strand_` (immutable) and
//! `server_` (thread-safe). Handlers run on the worker pool; their result comes back to the
//! strand and leaves through send(), the one write path (a streamed response such as
//! server-sent events would start there and keep the connection in a Streaming state).
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool k_tls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(ServerCore& server, tcp::socket&& socket)
      : server_(server),
        remote_addr_(peer_address(socket)),
        stream_(make_stream(server, std::move(socket))),
        strand_(stream_.get_executor()) {}

  ~Session() override {
    if (id_ != 0) server_.session_closed(id_);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  //! Registers with the server and starts reading on the strand.
  void run() {
    id_ = server_.session_opened(this->weak_from_this());
    asio::dispatch(strand_, [self = this->shared_from_this()] { self->on_start(); });
  }

  void begin_shutdown() override {
    asio::post(strand_, [self = this->shared_from_this()] {
      self->shutting_down_ = true;
      // Nothing has been asked of a connection that waits for a request: close it at once.
      if (self->state_ == State::Idle || self->state_ == State::Handshaking) {
        self->lowest().cancel();
      }
      if (self->state_ == State::Streaming) self->pump();  // ends the stream
    });
  }

 private:
  enum class State { Handshaking, Idle, Reading, Handling, Writing, Streaming, Closing, Closed };

  static Stream make_stream(ServerCore& server, tcp::socket&& socket) {
    if constexpr (k_tls) {
      return Stream(std::move(socket), *server.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  template <class F>
  auto bind(F f) {
    return beast::bind_front_handler(f, this->shared_from_this());
  }

  void on_start() {
    if constexpr (k_tls) {
      if (server_.stopping) return close();
      state_ = State::Handshaking;
      lowest().expires_after(server_.opts.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, bind(&Session::on_handshake));
    } else {
      wait_for_request(true);
    }
  }

  void on_handshake(beast::error_code ec) {
    if (ec) {
      // Plain HTTP sent to the TLS port lands here too; nothing to answer.
      log::debug("http.tls_handshake_failed",
                 {{"remote_addr", remote_addr_}, {"error", ec.message()}});
      return close();
    }
    wait_for_request(true);
  }

  //! Waits for the first byte of the next request. Until it arrives the connection is idle:
  //! the keep-alive time-out applies and a stopping server closes it at once.
  void wait_for_request(bool first) {
    if (buffer_.size() > 0) return read_request();  // pipelined request already here
    if (shutting_down_ || server_.stopping) return close();
    state_ = State::Idle;
    lowest().expires_after(first ? server_.opts.read_timeout : server_.opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(k_first_read), bind(&Session::on_first_bytes));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (ec) return close();  // closed by the peer, idle time-out, or server stopping
    read_request();
  }

  //! Reads one whole request within read_timeout: the header, then the body.
  void read_request() {
    state_ = State::Reading;
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(server_.opts.max_body_bytes));
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(server_.opts.max_header_bytes, UINT32_MAX)));
    lowest().expires_after(server_.opts.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_, bind(&Session::on_header));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return on_request(ec, 0);
    const auto& msg = parser_->get();
    auto expect = msg.find(bhttp::field::expect);
    if (msg.version() >= 11 && expect != msg.end() && iequals(expect->value(), "100-continue")) {
      // The client waits for this before sending the body (RFC 9110 §10.1.1).
      continue_.emplace(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *continue_, bind(&Session::on_continue_sent));
      return;
    }
    bhttp::async_read(stream_, buffer_, *parser_, bind(&Session::on_request));
  }

  void on_continue_sent(beast::error_code ec, std::size_t) {
    continue_.reset();
    if (ec) return close();
    bhttp::async_read(stream_, buffer_, *parser_, bind(&Session::on_request));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      metrics::inc("tend_http_rejected_total", "reason", "body_limit");
      return reject(protocol_problem(
          413, error_info(Errc::PayloadTooLarge).type, error_info(Errc::PayloadTooLarge).title,
          "request body is larger than " + std::to_string(server_.opts.max_body_bytes) + " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      metrics::inc("tend_http_rejected_total", "reason", "header_limit");
      return reject(protocol_problem(431, "request-header-fields-too-large",
                                     "Request header fields too large",
                                     "request header block is larger than " +
                                         std::to_string(server_.opts.max_header_bytes) + " bytes"));
    }
    const bool protocol_error =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
    if (protocol_error && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      metrics::inc("tend_http_rejected_total", "reason", "malformed");
      return reject(protocol_problem(400, error_info(Errc::BadRequest).type,
                                     error_info(Errc::BadRequest).title,
                                     "malformed HTTP request: " + ec.message()));
    }
    // Time-out, reset, or the peer went away mid-request: nobody to answer.
    close();
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;

    if (version_ >= 11 && msg.count(bhttp::field::host) != 1) {
      // RFC 9112 §3.2: exactly one Host field in an HTTP/1.1 request.
      return reject(protocol_problem(400, error_info(Errc::BadRequest).type,
                                     error_info(Errc::BadRequest).title,
                                     "HTTP/1.1 request needs exactly one Host header"));
    }
    // origin-form ("/path?q"), or absolute-form, which a server must accept too (RFC 9112
    // §3.2.2); only its path and query are used.
    auto target = boost::urls::parse_origin_form(msg.target());
    if (!target) {
      auto absolute = boost::urls::parse_absolute_uri(msg.target());
      if (absolute && (absolute->scheme_id() == boost::urls::scheme::http ||
                       absolute->scheme_id() == boost::urls::scheme::https)) {
        target = *absolute;
      }
    }
    if (!target) {
      return reject(protocol_problem(400, error_info(Errc::BadRequest).type,
                                     error_info(Errc::BadRequest).title,
                                     "request target must be an absolute path"));
    }

    Request req;
    req.method_text = std::string(msg.method_string());
    req.method = parse_method(req.method_text);
    req.target = std::string(msg.target());
    req.path = target->path();
    // Form-style queries encode spaces as '+'.
    for (const auto& p : target->params(boost::urls::encoding_opts(true, false, false))) {
      if (!p.key.empty()) req.query[p.key] = p.has_value ? p.value : std::string();
    }
    for (const auto& field : msg) {
      req.headers.add(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    req.remote_addr = remote_addr_;
    req.secure = k_tls;

    state_ = State::Handling;
    lowest().expires_never();
    // Handlers may block (waiting for a commit), so they run on the worker pool, never on an
    // I/O thread; the response comes back to this connection's strand.
    asio::post(*server_.workers, [self = this->shared_from_this(), req = std::move(req)]() mutable {
      Response res = self->server_.call_handler(req);
      asio::post(self->strand_,
                 [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
    });
  }

  //! Answers a request that never reached a handler, then closes.
  void reject(Response res) {
    keep_alive_ = false;
    head_ = false;
    version_ = 11;
    send(std::move(res));
  }

  //! The one write path: turns `res` into an HTTP/1.1 response and writes it.
  void send(Response res) {
    state_ = State::Writing;
    if (res.status < 100 || res.status > 599) {
      log::error("http.bad_status", {{"status", res.status}});
      res = protocol_problem(500, error_info(Errc::Internal).type, error_info(Errc::Internal).title,
                             "internal error");
    }
    bool close_requested = false;
    std::optional<std::string> head_length;
    res_ = {};
    res_.version(version_ == 10 ? 10 : 11);
    res_.result(static_cast<unsigned>(res.status));
    for (const auto& [name, value] : res.headers.all()) {
      if (!valid_field(name, value)) {
        log::error("http.bad_header", {{"status", res.status}});
        continue;
      }
      if (iequals(name, "Content-Length")) {
        if (head_ && all_digits(value)) head_length = value;
        continue;
      }
      if (iequals(name, "Connection")) {
        close_requested = close_requested || value.find("close") != std::string::npos;
        continue;
      }
      // Framing and these two are the server's to set.
      if (iequals(name, "Transfer-Encoding") || iequals(name, "Date") || iequals(name, "Server")) {
        continue;
      }
      res_.insert(name, value);
    }
    res_.set(bhttp::field::date, http_date(std::chrono::system_clock::now()));
    res_.set(bhttp::field::server, "tend");

    if (res.stream && !head_ && res.status == 200) return start_stream(std::move(res.stream));
    const bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
    if (bodiless) {
      // No body and no Content-Length (RFC 9110 §8.6).
    } else if (head_) {
      // Headers of the GET answer, without its body (RFC 9110 §9.3.2).
      res_.set(bhttp::field::content_length,
               head_length ? *head_length : std::to_string(res.body.size()));
    } else {
      res_.body() = std::move(res.body);
      res_.content_length(res_.body().size());
    }
    close_after_ = close_requested || !keep_alive_ || shutting_down_ || server_.stopping;
    res_.keep_alive(!close_after_);

    lowest().expires_after(server_.opts.write_timeout);
    bhttp::async_write(stream_, res_, bind(&Session::on_write));
  }

  void on_write(beast::error_code ec, std::size_t) {
    res_ = {};
    if (ec) return close();
    if (close_after_) return close_gracefully();
    wait_for_request(false);
  }

  // ---- streamed responses (server-sent events) ----
  // The header goes out with chunked framing; then every time the stream's waker fires (from
  // any thread, posted to this strand) or the heartbeat timer does, pump() takes what is ready
  // and writes it as one chunk. One write at a time; a write that does not finish within
  // write_timeout (a reader that stopped reading) ends the connection. A read is kept pending
  // so that a client going away is noticed at once.
  void start_stream(std::shared_ptr<::tend::http::Stream> stream) {
    state_ = State::Streaming;
    stream_body_ = std::move(stream);
    stream_head_.emplace();
    stream_head_->version(11);
    stream_head_->result(bhttp::status::ok);
    for (const auto& field : res_) stream_head_->insert(field.name_string(), field.value());
    stream_head_->chunked(true);
    stream_head_->keep_alive(false);
    stream_sr_.emplace(*stream_head_);
    lowest().expires_after(server_.opts.write_timeout);
    bhttp::async_write_header(stream_, *stream_sr_,
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                if (ec) return self->end_stream();
                                self->lowest().expires_never();
                                std::weak_ptr<Session> weak = self;
                                self->stream_body_->attach([weak] {
                                  if (auto s = weak.lock()) {
                                    asio::post(s->strand_, [s] { s->pump(); });
                                  }
                                });
                                self->watch_client();
                                self->arm_heartbeat();
                                self->pump();
                              });
  }

  void watch_client() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(512),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->buffer_.consume(self->buffer_.size() + n);
                              if (ec) return self->end_stream();  // the client went away
                              self->watch_client();  // anything it sends while streaming is ignored
                            });
  }

  void arm_heartbeat() {
    if (!heartbeat_) heartbeat_.emplace(strand_);
    heartbeat_->expires_after(server_.opts.heartbeat);
    heartbeat_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->state_ != State::Streaming) return;
      self->heartbeat_due_ = true;
      self->pump();
      self->arm_heartbeat();
    });
  }

  void pump() {
    if (state_ != State::Streaming || !stream_body_) return;
    if (stream_writing_) {
      pump_again_ = true;
      return;
    }
    bool ended = shutting_down_ || server_.stopping;
    std::string data = ended ? std::string() : stream_body_->take(ended);
    if (data.empty() && heartbeat_due_ && !ended) data = ":\n\n";  // keeps proxies from timing out
    heartbeat_due_ = false;
    if (data.empty()) {
      if (ended) finish_stream();
      return;
    }
    stream_writing_ = true;
    stream_out_ = std::move(data);
    lowest().expires_after(server_.opts.write_timeout);
    asio::async_write(stream_, bhttp::make_chunk(asio::buffer(stream_out_)),
                      [self = this->shared_from_this(), ended](beast::error_code ec, std::size_t) {
                        self->stream_writing_ = false;
                        self->lowest().expires_never();
                        if (ec) return self->end_stream();
                        if (ended) return self->finish_stream();
                        if (self->pump_again_) {
                          self->pump_again_ = false;
                          self->pump();
                        }
                      });
  }

  //! The last chunk, then close.
  void finish_stream() {
    if (state_ != State::Streaming) return;
    stream_writing_ = true;
    lowest().expires_after(server_.opts.write_timeout);
    asio::async_write(
        stream_, bhttp::make_chunk_last(),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->end_stream(); });
  }

  void end_stream() {
    if (heartbeat_) heartbeat_->cancel();
    if (stream_body_) {
      stream_body_->detach();
      stream_body_.reset();
    }
    close();
  }

  //! Sends our end of the connection, then drains what the client still sends until it
  //! closes too (bounded by k_linger_time and k_linger_bytes).
  void close_gracefully() {
    state_ = State::Closing;
    lowest().expires_after(k_linger_time);
    if constexpr (k_tls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return close();
      buffer_.consume(buffer_.size());
      linger();
    }
  }

  void linger() {
    lowest().async_read_some(
        buffer_.prepare(k_first_read),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          self->buffer_.consume(n);
          self->lingered_ += n;
          if (ec || self->lingered_ > k_linger_bytes) return self->close();
          self->linger();
        });
  }

  void close() {
    if (state_ == State::Closed) return;
    state_ = State::Closed;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  ServerCore& server_;
  const std::string remote_addr_;
  Stream stream_;
  const asio::any_io_executor strand_;
  std::uint64_t id_ = 0;
  State state_ = State::Idle;
  bool shutting_down_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_ = false;
  unsigned version_ = 11;
  std::size_t lingered_ = 0;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> res_;
  // Streaming state (used only in State::Streaming).
  std::shared_ptr<::tend::http::Stream> stream_body_;
  std::optional<bhttp::response<bhttp::empty_body>> stream_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> stream_sr_;
  std::optional<asio::steady_timer> heartbeat_;
  std::string stream_out_;
  bool stream_writing_ = false;
  bool pump_again_ = false;
  bool heartbeat_due_ = false;
};

Response ServerCore::call_handler(Request& req) const {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    log::error("http.error", {{"method", method_name(req.method)}, {"error", e.what()}});
  } catch (...) {
    log::error("http.error", {{"method", method_name(req.method)}, {"error", "unknown exception"}});
  }
  return Response::problem(make_error(Errc::Internal, "internal error"));
}

void ServerCore::start() {
  std::lock_guard life(lifecycle_mu);
  {
    std::lock_guard lock(mu);
    if (phase != Phase::Created) throw std::logic_error("Server::start: already started");
  }

  if (!opts.tls_cert_file.empty() || !opts.tls_key_file.empty()) {
    if (opts.tls_cert_file.empty() || opts.tls_key_file.empty()) {
      throw std::runtime_error("TLS needs both a certificate file and a key file");
    }
    tls.emplace(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    tls->use_certificate_chain_file(opts.tls_cert_file, ec);
    if (ec) {
      throw std::runtime_error("cannot load TLS certificate chain " + opts.tls_cert_file + ": " +
                               ec.message());
    }
    tls->use_private_key_file(opts.tls_key_file, ssl::context::pem, ec);
    if (ec) {
      throw std::runtime_error("cannot load TLS private key " + opts.tls_key_file + ": " +
                               ec.message());
    }
    if (SSL_CTX_check_private_key(tls->native_handle()) != 1) {
      throw std::runtime_error("TLS private key " + opts.tls_key_file +
                               " does not match certificate " + opts.tls_cert_file);
    }
  }

  const std::string where = opts.host + ":" + std::to_string(opts.port);
  try {
    tcp::endpoint endpoint;
    beast::error_code ec;
    auto address = asio::ip::make_address(opts.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, opts.port);
    } else {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(opts.host, std::to_string(opts.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service);
      if (results.empty()) throw std::runtime_error("no address");
      endpoint = results.begin()->endpoint();
    }
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    beast::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error("cannot listen on " + where + ": " + e.what());
  }

  work.emplace(ioc.get_executor());
  workers = std::make_unique<asio::thread_pool>(
      static_cast<std::size_t>(std::max(1, opts.worker_threads)));
  asio::post(acceptor.get_executor(), [this] { do_accept(); });
  int n = opts.io_threads > 0 ? opts.io_threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  io_threads.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    io_threads.emplace_back([this] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          log::error("http.io_error", {{"error", e.what()}});
        }
      }
    });
  }
  std::lock_guard lock(mu);
  phase = Phase::Running;
}

void ServerCore::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerCore::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open() || stopping) return;
  if (ec) {
    // Typically out of file descriptors: wait a little rather than spin.
    log::warn("http.accept_failed", {{"error", ec.message()}});
    accept_backoff.expires_after(k_accept_backoff);
    accept_backoff.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor.is_open()) do_accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket))
        ->run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->run();
  }
  do_accept();
}

void ServerCore::stop(std::chrono::milliseconds grace) {
  std::lock_guard life(lifecycle_mu);
  {
    std::lock_guard lock(mu);
    if (phase != Phase::Running) return;
  }
  stopping = true;
  asio::post(acceptor.get_executor(), [this] {
    beast::error_code ignored;
    acceptor.close(ignored);
    accept_backoff.cancel();
  });

  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(mu);
    for (const auto& [id, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (const auto& s : live) s->begin_shutdown();
  live.clear();  // a session must be free to end while we wait

  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, grace, [this] { return open == 0; });
  }
  work.reset();
  ioc.stop();
  for (auto& t : io_threads) t.join();
  io_threads.clear();
  workers->stop();
  workers->join();
  workers.reset();  // abandons queued work; its sessions end here
  {
    std::lock_guard lock(mu);
    phase = Phase::Stopped;
  }
  cv.notify_all();
}

void ServerCore::wait_for_signal() {
  {
    std::unique_lock lock(mu);
    if (phase != Phase::Running) return;
    if (!signals) {
      signals.emplace(ioc, SIGINT, SIGTERM);
      signals->async_wait([this](beast::error_code ec, int) {
        if (ec) return;
        std::lock_guard inner(mu);
        signalled = true;
        cv.notify_all();
      });
    }
    cv.wait(lock, [this] { return signalled || phase != Phase::Running; });
  }
  stop(opts.shutdown_grace);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, std::function<Response(Request&)> handler)
      : core(std::move(options), std::move(handler)) {}
  ServerCore core;
};

Server::Server(ServerOptions options, std::function<Response(Request&)> handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

void Server::start() {
  impl_->core.start();
}

std::uint16_t Server::port() const {
  return impl_->core.bound_port;
}

void Server::wait_for_signal() {
  impl_->core.wait_for_signal();
}

void Server::stop(std::chrono::milliseconds grace) {
  impl_->core.stop(grace);
}

std::size_t Server::open_connections() const {
  return impl_->core.open_connections();
}

}  // namespace tend::http
