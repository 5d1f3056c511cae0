// Mail and webhooks against real peers on loopback: an aiosmtpd sink (smtp_sink.py) and an
// http.server receiver (webhook_receiver.py), each a child process on a port it picked itself.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/clock.h"
#include "platform/notify/mail.h"
#include "platform/notify/rules.h"
#include "platform/notify/webhook.h"
#include "support/peer.h"
#include "support/temp_dir.h"

extern char** environ;

namespace tend::notify {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

//! A loopback port with nothing listening: bound to port 0, then closed.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

//! A loopback socket that listens but never accepts or says a word: connections complete in the
//! kernel, then wait forever for a greeting.
class SilentListener {
 public:
  SilentListener() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

//! Every record a peer wrote to `dir`, in arrival order.
std::vector<bj::object> records(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<bj::object> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(bj::parse(text.str()).as_object());
  }
  return out;
}

std::string str(const bj::value& v) {
  return std::string(v.as_string());
}

//! A header's value from a record's [[name, value], …] list (names compared case-blind).
std::optional<std::string> header(const bj::object& record, std::string_view name) {
  for (const auto& pair : record.at("headers").as_array()) {
    const std::string key = str(pair.as_array().at(0));
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return str(pair.as_array().at(1));
    }
  }
  return std::nullopt;
}

// ---- SMTP -------------------------------------------------------------------------------

//! Removes what earlier tests left in a peer's record directory.
void clear_records(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) fs::remove_all(e.path());
}

// The peers start once per suite (Python needs about half a second to start) and are stopped
// in TearDownTestSuite; each test starts with an empty record directory.

class SmtpDelivery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    sink_ = std::make_unique<testing::Peer>("tests/platform/notify/smtp_sink.py",
                                            dir_->path().string());
  }
  static void TearDownTestSuite() {
    sink_.reset();  // kills and reaps the child
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_NE(sink_->port(), 0) << "the SMTP sink did not start (is python3-aiosmtpd installed?)";
    clear_records(dir_->path());
  }

  SmtpConfig config(int port) const {
    SmtpConfig c;
    c.url = "smtp://127.0.0.1:" + std::to_string(port);
    c.from = "alerts@tend.example";
    c.timeout = 5s;
    return c;
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::Peer> sink_;
  FakeClock clock_;
};

TEST_F(SmtpDelivery, DeliversToEveryRecipient) {
  SmtpMailer mailer(config(sink_->port()), clock_);
  MailMessage msg;
  msg.to = {"clinician@example.org", "on-call@example.org"};
  msg.subject = "Krisenalarm: Überprüfung nötig – client C-17";
  msg.body =
      "Client C-17 answered PHQ-9 item 9 with 3.\n"
      ".a line that starts with a dot\n"
      ".\n"
      "Grüße, Tend\n";
  const Status sent = mailer.send(msg);
  ASSERT_TRUE(sent.ok()) << sent.error().detail;

  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 1u);
  const bj::object& m = got[0];
  EXPECT_EQ(str(m.at("mail_from")), "alerts@tend.example");
  ASSERT_EQ(m.at("rcpt_tos").as_array().size(), 2u);
  EXPECT_EQ(str(m.at("rcpt_tos").as_array()[0]), "clinician@example.org");
  EXPECT_EQ(str(m.at("rcpt_tos").as_array()[1]), "on-call@example.org");
  EXPECT_EQ(str(m.at("subject")), msg.subject);  // decoded from RFC 2047 by the sink
  // Dot-stuffed by curl, unstuffed by the server; quoted-printable decoded by the sink.
  EXPECT_EQ(str(m.at("body")),
            "Client C-17 answered PHQ-9 item 9 with 3.\r\n"
            ".a line that starts with a dot\r\n"
            ".\r\n"
            "Grüße, Tend\r\n");
  EXPECT_EQ(header(m, "Date"), "Thu, 01 Jan 2026 00:00:00 +0000");  // from the injected clock
  EXPECT_EQ(header(m, "From"), "alerts@tend.example");
  EXPECT_EQ(header(m, "To"), "clinician@example.org, on-call@example.org");
  EXPECT_EQ(header(m, "Content-Type"), "text/plain; charset=utf-8");
  const auto id = header(m, "Message-ID");
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->starts_with("<") && id->ends_with("@tend.example>")) << *id;
}

TEST_F(SmtpDelivery, ConcurrentSendsEachArrive) {
  SmtpMailer mailer(config(sink_->port()), clock_);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      MailMessage msg{{"clinician" + std::to_string(i) + "@example.org"}, "Alert", "Body\n"};
      ok[static_cast<std::size_t>(i)] = mailer.send(msg).ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(ok.begin(), ok.end(), 1), 4);
  EXPECT_EQ(records(dir_->path()).size(), 4u);
}

TEST_F(SmtpDelivery, InvalidMessageIsRefusedBeforeConnecting) {
  SmtpMailer mailer(config(sink_->port()), clock_);
  const Status s = mailer.send(
      MailMessage{{"clinician@example.org>\r\nRCPT TO:<all@evil.example"}, "Alert", "Body"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Validation);
  EXPECT_TRUE(records(dir_->path()).empty());
}

TEST_F(SmtpDelivery, RequiredStarttlsMissingIsAnErrorNotPlainText) {
  SmtpConfig c = config(sink_->port());
  c.starttls = true;  // the sink offers no STARTTLS
  SmtpMailer mailer(c, clock_);
  const Status s = mailer.send(MailMessage{{"clinician@example.org"}, "Alert", "Body"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_NE(s.error().detail.find("smtp://127.0.0.1:" + std::to_string(sink_->port())),
            std::string::npos)
      << s.error().detail;
  EXPECT_TRUE(records(dir_->path()).empty());
}

TEST(SmtpFailure, ServerDownIsAClearErrorNamingIt) {
  FakeClock clock;
  const int port = closed_port();
  SmtpConfig c;
  c.url = "smtp://127.0.0.1:" + std::to_string(port);
  c.from = "alerts@tend.example";
  c.timeout = 2s;
  SmtpMailer mailer(c, clock);
  const MailMessage msg{{"clinician@example.org"}, "Suicide risk for C-17", "PHQ-9 item 9: 3"};
  const auto start = Clock::now();
  const Status s = mailer.send(msg);
  EXPECT_LT(Clock::now() - start, 2s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_TRUE(
      s.error().detail.starts_with("mail server smtp://127.0.0.1:" + std::to_string(port) + ": "))
      << s.error().detail;
  EXPECT_EQ(s.error().detail.find("Suicide"), std::string::npos);
  EXPECT_EQ(s.error().detail.find("PHQ-9"), std::string::npos);
}

TEST(SmtpFailure, SilentServerTimesOut) {
  FakeClock clock;
  SilentListener silent;
  SmtpConfig c;
  c.url = "smtp://127.0.0.1:" + std::to_string(silent.port());
  c.from = "alerts@tend.example";
  c.timeout = 300ms;
  SmtpMailer mailer(c, clock);
  const auto start = Clock::now();
  const Status s = mailer.send(MailMessage{{"clinician@example.org"}, "Alert", "Body"});
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_NE(s.error().detail.find("127.0.0.1:" + std::to_string(silent.port())), std::string::npos);
}

TEST(SmtpConfigCheck, Refusals) {
  SmtpConfig good;
  good.url = "smtps://mail.example.org";
  good.from = "alerts@tend.example";
  good.username = "tend";
  good.password = "pw";
  EXPECT_TRUE(validate_smtp_config(good).ok());

  auto field_of = [](const SmtpConfig& c) {
    auto s = validate_smtp_config(c);
    return s.ok() ? std::string("ok") : s.error().errors.at(0).field;
  };
  SmtpConfig c = good;
  c.url = "smtp://mail.example.org";  // credentials in plain text
  EXPECT_EQ(field_of(c), "starttls");
  c.starttls = true;
  EXPECT_EQ(field_of(c), "ok");
  c = good;
  c.url = "smtps://tend:pw@mail.example.org";
  EXPECT_EQ(field_of(c), "url");
  c = good;
  c.from = "alerts";
  EXPECT_EQ(field_of(c), "from");
  c = good;
  c.username.clear();
  EXPECT_EQ(field_of(c), "username");
  c = good;
  c.timeout = 0ms;
  EXPECT_EQ(field_of(c), "timeout");
}

// ---- webhooks ---------------------------------------------------------------------------

constexpr const char* k_secret = "gateway-secret-0123456789";
constexpr const char* k_body = R"({"alert":"alert-17","level":"urgent"})";
constexpr std::int64_t k_now = 1'767'225'600;

class WebhookDelivery : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    receiver_ = std::make_unique<testing::Peer>("tests/platform/notify/webhook_receiver.py",
                                                dir_->path().string());
  }
  static void TearDownTestSuite() {
    receiver_.reset();  // kills and reaps the child
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_NE(receiver_->port(), 0) << "the webhook receiver did not start";
    clear_records(dir_->path());
    sender_.allow_loopback = true;
  }

  WebhookTarget target(const std::string& path, const std::string& host = "127.0.0.1") const {
    return {"http://" + host + ":" + std::to_string(receiver_->port()) + path, k_secret};
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::Peer> receiver_;
  WebhookSender sender_;
};

TEST_F(WebhookDelivery, PostsASignedBody) {
  WebhookResult outcome;
  const Status s = sender_.post(target("/status/200"), k_body, k_now, "alert-17-attempt", &outcome);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.error, "");

  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 1u);
  const bj::object& r = got[0];
  EXPECT_EQ(str(r.at("method")), "POST");
  EXPECT_EQ(str(r.at("path")), "/status/200");
  EXPECT_EQ(str(r.at("body")), k_body);
  EXPECT_EQ(header(r, "Content-Type"), "application/json");
  EXPECT_EQ(header(r, "Tend-Delivery"), "alert-17-attempt");
  const auto signature = header(r, "Tend-Signature");
  ASSERT_TRUE(signature.has_value());
  EXPECT_TRUE(rules::verify_webhook_signature(k_secret, *signature, str(r.at("body")), k_now, 300));
  EXPECT_FALSE(rules::verify_webhook_signature("wrong-secret-0123456789", *signature,
                                               str(r.at("body")), k_now, 300));
}

TEST_F(WebhookDelivery, WithoutADeliveryIdARandomOneIsSent) {
  ASSERT_TRUE(sender_.post(target("/"), k_body, k_now).ok());
  ASSERT_TRUE(sender_.post(target("/"), k_body, k_now).ok());
  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 2u);
  const auto first = header(got[0], "Tend-Delivery");
  const auto second = header(got[1], "Tend-Delivery");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->size(), 32u);
  EXPECT_NE(*first, *second);
}

TEST_F(WebhookDelivery, LongAnswerIsCutOffAndTheStatusCounts) {
  WebhookResult outcome;
  const Status s = sender_.post(target("/large"), k_body, k_now, "d-1", &outcome);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(outcome.status, 200);
}

TEST_F(WebhookDelivery, EmptyBodyIsSentEmpty) {
  ASSERT_TRUE(sender_.post(target("/"), "", k_now).ok());
  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(str(got[0].at("body")), "");
  EXPECT_EQ(header(got[0], "Content-Length"), "0");
}

TEST_F(WebhookDelivery, ServerErrorIsAnErrorNamingTheStatus) {
  WebhookResult outcome;
  const Status s = sender_.post(target("/status/503"), k_body, k_now, "d-1", &outcome);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_EQ(s.error().detail, "webhook 127.0.0.1 answered 503");
  EXPECT_EQ(outcome.status, 503);
  EXPECT_EQ(outcome.error, s.error().detail);
  EXPECT_EQ(records(dir_->path()).size(), 1u);
}

TEST_F(WebhookDelivery, RedirectIsNotFollowed) {
  WebhookResult outcome;
  const Status s = sender_.post(target("/status/302"), k_body, k_now, "d-1", &outcome);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_NE(s.error().detail.find("answered 302"), std::string::npos) << s.error().detail;
  EXPECT_EQ(outcome.status, 302);
  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 1u);  // /redirected was never requested
  EXPECT_EQ(str(got[0].at("path")), "/status/302");
}

TEST_F(WebhookDelivery, ConnectionIsPinnedToTheCheckedAddress) {
  // "gateway.test" is in no DNS: the request can only arrive through the CURLOPT_RESOLVE pin.
  std::vector<std::string> asked;
  sender_.resolver = [&](const std::string& host) -> Result<std::vector<std::string>> {
    asked.push_back(host);
    return std::vector<std::string>{"127.0.0.1"};
  };
  const Status s = sender_.post(target("/status/200", "Gateway.Test"), k_body, k_now);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(asked, std::vector<std::string>{"gateway.test"});
  const auto got = records(dir_->path());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(header(got[0], "Host"), "gateway.test:" + std::to_string(receiver_->port()));
}

TEST_F(WebhookDelivery, PinsEveryCheckedAddressIpv6Included) {
  // The pin lists both addresses ("[::1],127.0.0.1"); the receiver listens on IPv4 only, so
  // curl falls back from ::1. A malformed pin would fail the transfer instead.
  sender_.resolver = [](const std::string&) -> Result<std::vector<std::string>> {
    return std::vector<std::string>{"::1", "127.0.0.1"};
  };
  const Status s = sender_.post(target("/status/200", "dual.test"), k_body, k_now);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(records(dir_->path()).size(), 1u);
}

TEST_F(WebhookDelivery, LoopbackIsRefusedUnlessAllowed) {
  sender_.allow_loopback = false;
  for (const std::string host : {"127.0.0.1", "localhost", "[::1]"}) {
    SCOPED_TRACE(host);
    WebhookResult outcome;
    const Status s = sender_.post(target("/status/200", host), k_body, k_now, "d-1", &outcome);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::Validation);
    EXPECT_NE(s.error().detail.find("refused"), std::string::npos) << s.error().detail;
    EXPECT_NE(s.error().detail.find("loopback address"), std::string::npos) << s.error().detail;
    EXPECT_EQ(outcome.status, 0);
  }
  EXPECT_TRUE(records(dir_->path()).empty());
}

TEST(WebhookRefusal, MetadataAndLinkLocalAreRefusedBeforeAnyConnection) {
  WebhookSender sender;
  sender.allow_loopback = true;  // not an escape hatch for these
  int resolved = 0;
  sender.resolver = [&](const std::string& host) -> Result<std::vector<std::string>> {
    ++resolved;
    if (host == "metadata.test") return std::vector<std::string>{"169.254.169.254"};
    if (host == "printer.test") return std::vector<std::string>{"fe80::1"};
    // One good address does not excuse a bad one: curl could pick either.
    if (host == "mixed.test") return std::vector<std::string>{"192.168.1.20", "169.254.7.7"};
    return make_error(Errc::Unavailable, "unexpected host " + host);
  };
  struct Case {
    const char* url;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"},
      {"http://[fd00:ec2::254]/latest/", "fd00:ec2::254 is a cloud metadata address"},
      {"http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a cloud metadata address"},
      {"http://100.100.100.200/", "100.100.100.200 is a cloud metadata address"},
      {"http://169.254.10.10:8080/sms", "169.254.10.10 is a link-local address"},
      {"http://0.0.0.0:8080/", "0.0.0.0 is a unspecified address"},
      {"https://metadata.test/", "169.254.169.254 is a cloud metadata address"},
      {"https://printer.test/", "fe80::1 is a link-local address"},
      {"https://mixed.test/", "169.254.7.7 is a link-local address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    const auto start = Clock::now();
    const Status s = sender.post({c.url, k_secret}, k_body, k_now);
    EXPECT_LT(Clock::now() - start, 1s);  // nothing waited on a connection
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::Validation);
    EXPECT_NE(s.error().detail.find(" refused: "), std::string::npos) << s.error().detail;
    EXPECT_NE(s.error().detail.find(c.reason), std::string::npos) << s.error().detail;
  }
  EXPECT_EQ(resolved, 3);  // IP literals are judged without resolving
}

TEST(WebhookFailure, ReceiverDownIsAnError) {
  WebhookSender sender;
  sender.allow_loopback = true;
  sender.timeout = 2s;
  WebhookResult outcome;
  const auto start = Clock::now();
  const Status s = sender.post(
      {"http://127.0.0.1:" + std::to_string(closed_port()) + "/hook?token=abc", k_secret}, k_body,
      k_now, "d-1", &outcome);
  EXPECT_LT(Clock::now() - start, 2s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
  EXPECT_TRUE(s.error().detail.starts_with("webhook 127.0.0.1: ")) << s.error().detail;
  EXPECT_EQ(s.error().detail.find("token"), std::string::npos);  // no path or query
  EXPECT_EQ(outcome.status, 0);
  EXPECT_EQ(outcome.error, s.error().detail);
}

TEST(WebhookFailure, SilentReceiverTimesOut) {
  SilentListener silent;
  WebhookSender sender;
  sender.allow_loopback = true;
  sender.timeout = 300ms;
  const auto start = Clock::now();
  const Status s = sender.post(
      {"http://127.0.0.1:" + std::to_string(silent.port()) + "/", k_secret}, k_body, k_now);
  const auto took = Clock::now() - start;
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::Unavailable);
}

TEST(WebhookRefusal, BadInputIsRefusedBeforeResolving) {
  WebhookSender sender;
  sender.resolver = [](const std::string&) -> Result<std::vector<std::string>> {
    ADD_FAILURE() << "resolved although the input was refused";
    return std::vector<std::string>{};
  };
  auto field_of = [&](const WebhookTarget& t, std::string_view delivery_id = {}) {
    const Status s = sender.post(t, k_body, k_now, delivery_id);
    return s.ok() ? std::string("ok") : s.error().errors.at(0).field;
  };
  EXPECT_EQ(field_of({"ftp://gateway.test/", k_secret}), "url");
  EXPECT_EQ(field_of({"https://user:pw@gateway.test/", k_secret}), "url");
  EXPECT_EQ(field_of({"https://gateway.test/", "short"}), "secret");
  EXPECT_EQ(field_of({"https://gateway.test/", k_secret}, "id\r\nX-Injected: 1"), "delivery_id");
  EXPECT_EQ(field_of({"https://gateway.test/", k_secret}, std::string(201, 'x')), "delivery_id");
  const Status big =
      sender.post({"https://gateway.test/", k_secret}, std::string(1024 * 1024 + 1, ' '), k_now);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Errc::PayloadTooLarge);
}

}  // namespace
}  // namespace tend::notify
