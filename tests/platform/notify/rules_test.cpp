// Pure rules of outgoing notification: address classes, URL refusals, webhook signatures and
// MIME text.

#include "platform/notify/rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace tend::notify::rules {
namespace {

using namespace std::chrono_literals;

// ---- classify_address -------------------------------------------------------------------

struct AddressCase {
  const char* ip;
  bool allow_loopback;
  bool allowed;
  const char* reason;  //!< expected reason when refused
};

TEST(ClassifyAddress, EveryAddressClass) {
  const std::vector<AddressCase> cases = {
      // public and private: allowed (gateways often sit on the LAN)
      {"93.184.216.34", false, true, ""},
      {"10.0.0.1", false, true, ""},
      {"172.16.5.4", false, true, ""},
      {"192.168.1.20", false, true, ""},
      {"100.64.0.1", false, true, ""},  // carrier-grade NAT, not a metadata address
      {"2001:db8::1", false, true, ""},
      {"fd12:3456::1", false, true, ""},  // unique local (private)
      {"::ffff:192.168.1.20", false, true, ""},
      // cloud metadata
      {"169.254.169.254", false, false, "cloud metadata address"},
      {"169.254.169.254", true, false, "cloud metadata address"},
      {"100.100.100.200", false, false, "cloud metadata address"},
      {"fd00:ec2::254", false, false, "cloud metadata address"},
      {"::ffff:169.254.169.254", false, false, "cloud metadata address"},
      {"::ffff:a9fe:a9fe", false, false, "cloud metadata address"},
      {"64:ff9b::169.254.169.254", false, false, "cloud metadata address"},  // NAT64
      // link-local, both ends of the range
      {"169.254.0.0", false, false, "link-local address"},
      {"169.254.1.1", false, false, "link-local address"},
      {"169.254.255.255", false, false, "link-local address"},
      {"169.253.255.255", false, true, ""},
      {"169.255.0.0", false, true, ""},
      {"fe80::1", false, false, "link-local address"},
      {"febf:ffff::1", false, false, "link-local address"},
      {"fec0::1", false, true, ""},  // just past fe80::/10
      // unspecified
      {"0.0.0.0", false, false, "unspecified address"},
      {"0.1.2.3", false, false, "unspecified address"},
      {"::", false, false, "unspecified address"},
      {"::ffff:0.0.0.0", false, false, "unspecified address"},
      // loopback, with and without permission
      {"127.0.0.1", false, false, "loopback address"},
      {"127.255.255.254", false, false, "loopback address"},
      {"127.0.0.1", true, true, ""},
      {"::1", false, false, "loopback address"},
      {"::1", true, true, ""},
      {"::ffff:127.0.0.1", false, false, "loopback address"},
      {"::ffff:127.0.0.1", true, true, ""},
      {"126.255.255.255", false, true, ""},
      {"128.0.0.0", false, true, ""},
      // multicast, broadcast, reserved
      {"224.0.0.1", false, false, "multicast address"},
      {"239.255.255.250", false, false, "multicast address"},
      {"223.255.255.255", false, true, ""},
      {"ff02::1", false, false, "multicast address"},
      {"255.255.255.255", false, false, "broadcast address"},
      {"240.0.0.1", false, false, "reserved address"},
      {"::10.0.0.1", false, false, "deprecated IPv4-compatible address"},
      // not numeric addresses at all
      {"", false, false, "not an IP address"},
      {"localhost", false, false, "not an IP address"},
      {"2130706433", false, false, "not an IP address"},
      {"0x7f.0.0.1", false, false, "not an IP address"},
      {"127.1", false, false, "not an IP address"},
      {"fe80::1%eth0", false, false, "not an IP address"},
      {" 10.0.0.1", false, false, "not an IP address"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.ip) + (c.allow_loopback ? " (loopback allowed)" : ""));
    const AddressVerdict v = classify_address(c.ip, c.allow_loopback);
    EXPECT_EQ(v.allowed, c.allowed);
    EXPECT_EQ(v.reason, c.reason);
  }
}

// ---- URLs -------------------------------------------------------------------------------

TEST(ParseWebhookUrl, SplitsWhatAConnectionNeeds) {
  struct Case {
    const char* url;
    const char* scheme;
    const char* host;
    int port;
    const char* target;
    bool host_is_ip;
  };
  const std::vector<Case> cases = {
      {"https://pager.example.org/hooks/tend?x=1", "https", "pager.example.org", 443,
       "/hooks/tend?x=1", false},
      {"http://pager.example.org", "http", "pager.example.org", 80, "/", false},
      {"HTTP://Pager.Example.ORG:8080?q", "http", "pager.example.org", 8080, "/?q", false},
      {"http://192.168.1.20:1/sms", "http", "192.168.1.20", 1, "/sms", true},
      {"https://[2001:DB8::1]:65535/", "https", "2001:db8::1", 65535, "/", true},
      {"http://[::1]", "http", "::1", 80, "/", true},
      {"http://sms_gw.lan/x", "http", "sms_gw.lan", 80, "/x", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    auto u = parse_webhook_url(c.url);
    ASSERT_TRUE(u.ok()) << u.error().detail;
    EXPECT_EQ(u->scheme, c.scheme);
    EXPECT_EQ(u->host, c.host);
    EXPECT_EQ(u->port, c.port);
    EXPECT_EQ(u->target, c.target);
    EXPECT_EQ(u->host_is_ip, c.host_is_ip);
  }
}

TEST(ParseWebhookUrl, Refusals) {
  const std::vector<std::string> refused = {
      "",
      "pager.example.org/hook",                      // no scheme
      "ftp://pager.example.org/",                    // scheme
      "file:///etc/passwd",                          // scheme, no host
      "gopher://pager.example.org/",                 // scheme
      "smtp://mail.example.org/",                    // an SMTP URL is no webhook
      "https:///hook",                               // no host
      "https://:443/hook",                           // no host
      "https://user:pw@pager.example.org/",          // userinfo
      "https://user@pager.example.org/",             // userinfo
      "https://pager.example.org@169.254.169.254/",  // userinfo used to mislead
      "https://pager.example.org:0/",                // port 0
      "https://pager.example.org:65536/",            // port too large
      "https://pager.example.org:/",                 // empty port
      "https://pager.example.org:80a/",              // port not a number
      "https://pager.example.org:-1/",               // negative port
      "https://pager.example.org:000443/",           // six digits
      "https://pager.example.org/#frag",             // fragment
      "https://pager.example.org/a b",               // space
      "https://pager.example.org/\r\nX: y",          // line break
      "https://pager.example.org\\@evil/",           // backslash
      "https://pager.exämple.org/",                  // non-ASCII
      "https://[::1/",                               // unclosed bracket
      "https://[fe80::1%25eth0]/",                   // zone id
      "https://[::1]x/",                             // text after the address
      "https://[not-v6]/",                           // bad IPv6
      "https://2130706433/",                         // decimal shorthand for 127.0.0.1
      "https://0x7f000001/",                         // hex shorthand
      "https://127.1/",                              // short dotted form
      "https://0177.0.0.1/",                         // octal form
      "https://pager..example.org/",                 // empty label
      "https://pager.example.org./",                 // trailing dot
      "https://pa%67er.example.org/",                // percent-encoded host
      "https://" + std::string(2050, 'a'),           // too long
  };
  for (const auto& url : refused) {
    SCOPED_TRACE(url);
    auto u = parse_webhook_url(url);
    ASSERT_FALSE(u.ok());
    EXPECT_EQ(u.error().code, Errc::Validation);
    ASSERT_EQ(u.error().errors.size(), 1u);
    EXPECT_EQ(u.error().errors[0].field, "url");
  }
}

TEST(ParseWebhookUrl, ErrorDoesNotRepeatTheUrl) {
  auto u = parse_webhook_url("ftp://pager.example.org/hook?token=s3cr3t");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().detail.find("s3cr3t"), std::string::npos);
  EXPECT_NE(u.error().detail.find("http or https"), std::string::npos);
}

TEST(ParseSmtpUrl, SchemesAndDefaultPorts) {
  auto plain = parse_smtp_url("smtp://mail.example.org");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 25);
  auto tls = parse_smtp_url("smtps://mail.example.org/clinic.example");
  ASSERT_TRUE(tls.ok());
  EXPECT_EQ(tls->port, 465);
  EXPECT_EQ(tls->target, "/clinic.example");
  auto submission = parse_smtp_url("smtp://127.0.0.1:587");
  ASSERT_TRUE(submission.ok());
  EXPECT_EQ(submission->port, 587);
  EXPECT_FALSE(parse_smtp_url("https://mail.example.org").ok());
  EXPECT_FALSE(parse_smtp_url("smtp://user:pw@mail.example.org").ok());
}

// ---- webhook signatures -----------------------------------------------------------------

constexpr const char* k_secret = "tend-test-secret-0123456789";
constexpr const char* k_body = R"({"alert":"alert-17","level":"urgent"})";
constexpr std::int64_t k_t = 1'767'225'600;  // 2026-01-01T00:00:00Z

TEST(WebhookSignature, KnownAnswer) {
  // Computed independently:
  //   printf '%s' '1767225600.{"alert":"alert-17","level":"urgent"}' |
  //     openssl dgst -sha256 -hmac 'tend-test-secret-0123456789'
  EXPECT_EQ(webhook_signature(k_secret, k_t, k_body),
            "t=1767225600,v1=977fd34133a5d5c1f7da0c5397e9090356700e445189ab63b7f5fdb15c6c260d");
}

TEST(WebhookSignature, VerifiesWithinTolerance) {
  const std::string header = webhook_signature(k_secret, k_t, k_body);
  EXPECT_TRUE(verify_webhook_signature(k_secret, header, k_body, k_t, 300));
  EXPECT_TRUE(verify_webhook_signature(k_secret, header, k_body, k_t + 300, 300));
  EXPECT_TRUE(verify_webhook_signature(k_secret, header, k_body, k_t - 300, 300));
  EXPECT_FALSE(verify_webhook_signature(k_secret, header, k_body, k_t + 301, 300));
  EXPECT_FALSE(verify_webhook_signature(k_secret, header, k_body, k_t - 301, 300));
  EXPECT_FALSE(verify_webhook_signature(k_secret, header, k_body, k_t, -1));
}

TEST(WebhookSignature, RefusesTampering) {
  const std::string header = webhook_signature(k_secret, k_t, k_body);
  const std::string other_body = R"({"alert":"alert-17","level":"routine"})";
  EXPECT_FALSE(verify_webhook_signature(k_secret, header, other_body, k_t, 300));
  EXPECT_FALSE(verify_webhook_signature("another-secret-0123456789", header, k_body, k_t, 300));
  // The timestamp is signed: moving it forward to pass the age check breaks the signature.
  std::string moved = header;
  moved.replace(2, 10, std::to_string(k_t + 1000));
  EXPECT_FALSE(verify_webhook_signature(k_secret, moved, k_body, k_t + 1000, 300));
  // One flipped hex digit.
  std::string flipped = header;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(verify_webhook_signature(k_secret, flipped, k_body, k_t, 300));
}

TEST(WebhookSignature, HeaderShapes) {
  const std::string good = webhook_signature(k_secret, k_t, k_body);
  const std::string v1 = good.substr(good.find("v1="));
  const std::string t = "t=" + std::to_string(k_t);
  // Rotation: a stale v1 beside the right one still verifies; unknown keys are ignored.
  EXPECT_TRUE(verify_webhook_signature(k_secret, t + ",v1=00ff," + v1, k_body, k_t, 300));
  EXPECT_TRUE(verify_webhook_signature(k_secret, v1 + "," + t + ",v0=abc", k_body, k_t, 300));
  const std::vector<std::string> malformed = {
      "",
      t,                                    // no signature
      v1,                                   // no timestamp
      t + "," + t + "," + v1,               // two timestamps
      "t=," + v1,                           // empty timestamp
      "t=-5," + v1,                         // negative
      "t=17672256OO," + v1,                 // not a number
      t + "," + v1 + ",junk",               // item without '='
      "t=1767225600000000000000," + v1,     // absurdly long
      t + ",v1=" + std::string(5000, 'a'),  // header over 4 KiB
  };
  for (const auto& h : malformed) {
    SCOPED_TRACE(h.substr(0, 80));
    EXPECT_FALSE(verify_webhook_signature(k_secret, h, k_body, k_t, 300));
  }
}

// ---- e-mail -----------------------------------------------------------------------------

TEST(MailAddress, ValidAndInvalid) {
  for (const char* ok : {"clinician@example.org", "on-call+crisis@clinic.example.org",
                         "a.b_c@x-y.example", "o'neil@example.org", "root@localhost"}) {
    SCOPED_TRACE(ok);
    EXPECT_TRUE(validate_mail_address(ok).ok());
  }
  const std::vector<std::string> bad = {
      "",
      "clinician",
      "@example.org",
      "clinician@",
      "a@b@example.org",
      "clinician@example.org\r\nBcc: x@evil.example",
      "clinician@example.org\n",
      "clin ician@example.org",
      "\"quoted\"@example.org",
      "clinician@[192.0.2.1]",
      ".clinician@example.org",
      "clinician.@example.org",
      "clin..ician@example.org",
      "clinician@example..org",
      "clinician@-example.org",
      "clinician@example-.org",
      "clinician@exa_mple.org",
      "<clinician@example.org>",
      "klinikerin@beispiel.de\xc3\xa4",
      std::string(65, 'a') + "@example.org",
      "a@" + std::string(250, 'b') + ".org",
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b);
    auto s = validate_mail_address(b, "to[0]");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, Errc::Validation);
    EXPECT_EQ(s.error().errors.at(0).field, "to[0]");
  }
}

TEST(MailDate, Rfc5322) {
  EXPECT_EQ(format_mail_date(TimePoint(std::chrono::seconds(1'767'225'600))),
            "Thu, 01 Jan 2026 00:00:00 +0000");
  EXPECT_EQ(format_mail_date(TimePoint(std::chrono::seconds(951'782'400 + 86'399))),
            "Tue, 29 Feb 2000 23:59:59 +0000");
}

TEST(HeaderText, AsciiStaysEncodedWordsOtherwise) {
  EXPECT_EQ(encode_header_text("Subject", "Urgent alert for client C-17"),
            "Urgent alert for client C-17");
  // Known answer: printf '%s' 'Überprüfung nötig' | base64
  EXPECT_EQ(encode_header_text("Subject", "Überprüfung nötig"),
            "=?UTF-8?B?w5xiZXJwcsO8ZnVuZyBuw7Z0aWc=?=");
  // Text that looks like an encoded word is encoded, so a reader does not decode it.
  EXPECT_EQ(encode_header_text("Subject", "=?x?"), "=?UTF-8?B?PT94Pw==?=");
  // A long subject is folded into encoded-words of whole characters, none over 75 characters.
  std::string long_subject;
  for (int i = 0; i < 40; ++i) long_subject += "Ü";
  const std::string folded = encode_header_text("Subject", long_subject);
  std::size_t start = 0;
  int words = 0;
  while (start < folded.size()) {
    std::size_t end = folded.find("\r\n ", start);
    if (end == std::string::npos) end = folded.size();
    const std::string word = folded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u);
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
    ++words;
    start = end + 3;
  }
  EXPECT_EQ(words, 2);  // 80 bytes in chunks of at most 42 bytes of whole characters
}

TEST(QuotedPrintable, KnownAnswerAndLineLength) {
  // Same as Python's quopri.encodestring(b"Gr\xc3\xbc\xc3\x9fe an alle \r\nx=1\r\n").
  EXPECT_EQ(quoted_printable("Grüße an alle \r\nx=1\r\n"),
            "Gr=C3=BC=C3=9Fe an alle=20\r\nx=3D1\r\n");
  const std::string encoded = quoted_printable(std::string(200, 'a') + "\r\n");
  std::size_t start = 0;
  while (start < encoded.size()) {
    const std::size_t end = encoded.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 76u);
    start = end + 2;
  }
  EXPECT_EQ(encoded.find("=\r\n"), 75u);  // soft break
}

MailMessage alert_message() {
  return MailMessage{{"clinician@example.org", "on-call@example.org"},
                     "Crisis alert for client C-17",
                     "Client C-17 answered PHQ-9 item 9 with 3.\nPlease call today.\n"};
}

const TimePoint k_date{std::chrono::seconds(1'767'225'600)};

TEST(MimeMessage, HeadersAndBody) {
  auto m =
      build_mime_message("alerts@tend.example", alert_message(), "abc123@tend.example", k_date);
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(*m,
            "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
            "From: alerts@tend.example\r\n"
            "To: clinician@example.org, on-call@example.org\r\n"
            "Subject: Crisis alert for client C-17\r\n"
            "Message-ID: <abc123@tend.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "\r\n"
            "Client C-17 answered PHQ-9 item 9 with 3.\r\n"
            "Please call today.\r\n");
}

TEST(MimeMessage, LineEndingsBecomeCrlf) {
  MailMessage msg = alert_message();
  msg.body = "one\rtwo\r\nthree\nfour";
  auto m = build_mime_message("alerts@tend.example", msg, "id@tend.example", k_date);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->ends_with("\r\n\r\none\r\ntwo\r\nthree\r\nfour\r\n"));
  for (std::size_t i = 0; i < m->size(); ++i) {
    if ((*m)[i] == '\n') {
      EXPECT_EQ((*m)[i - 1], '\r') << "bare LF at " << i;
    }
  }
}

TEST(MimeMessage, NonAsciiSubjectAndBody) {
  MailMessage msg = alert_message();
  msg.subject = "Überprüfung nötig";
  msg.body = "Grüße an alle \nx=1\n";
  auto m = build_mime_message("alerts@tend.example", msg, "id@tend.example", k_date);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->find("\r\nSubject: =?UTF-8?B?w5xiZXJwcsO8ZnVuZyBuw7Z0aWc=?=\r\n"),
            std::string::npos);
  EXPECT_NE(m->find("\r\nContent-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_TRUE(m->ends_with("\r\n\r\nGr=C3=BC=C3=9Fe an alle=20\r\nx=3D1\r\n"));
}

TEST(MimeMessage, ManyRecipientsAreFolded) {
  MailMessage msg = alert_message();
  msg.to.clear();
  for (int i = 0; i < 10; ++i) msg.to.push_back("clinician" + std::to_string(i) + "@example.org");
  auto m = build_mime_message("alerts@tend.example", msg, "id@tend.example", k_date);
  ASSERT_TRUE(m.ok());
  const std::string headers = m->substr(0, m->find("\r\n\r\n") + 2);
  std::size_t start = 0;
  while (start < headers.size()) {
    const std::size_t end = headers.find("\r\n", start);
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
  EXPECT_NE(headers.find(",\r\n clinician"), std::string::npos);
}

TEST(MimeMessage, RefusesHeaderInjectionAndBadInput) {
  struct Case {
    const char* name;
    std::string from;
    MailMessage msg;
    std::string message_id;
    const char* field;
  };
  auto with = [](auto change) {
    MailMessage m = alert_message();
    change(m);
    return m;
  };
  const std::vector<Case> cases = {
      {"CRLF in subject", "alerts@tend.example",
       with([](MailMessage& m) { m.subject = "Alert\r\nBcc: everyone@evil.example"; }),
       "id@tend.example", "subject"},
      {"LF in subject", "alerts@tend.example",
       with([](MailMessage& m) { m.subject = "Alert\nX-Injected: 1"; }), "id@tend.example",
       "subject"},
      {"CR in subject", "alerts@tend.example", with([](MailMessage& m) { m.subject = "A\rB"; }),
       "id@tend.example", "subject"},
      {"NUL in subject", "alerts@tend.example",
       with([](MailMessage& m) { m.subject = std::string("A\0B", 3); }), "id@tend.example",
       "subject"},
      {"subject not UTF-8", "alerts@tend.example",
       with([](MailMessage& m) { m.subject = "caf\xe9"; }), "id@tend.example", "subject"},
      {"subject too long", "alerts@tend.example",
       with([](MailMessage& m) { m.subject = std::string(999, 's'); }), "id@tend.example",
       "subject"},
      {"CRLF in recipient", "alerts@tend.example",
       with([](MailMessage& m) { m.to[1] = "x@example.org\r\nBcc: y@evil.example"; }),
       "id@tend.example", "to[1]"},
      {"no recipient", "alerts@tend.example", with([](MailMessage& m) { m.to.clear(); }),
       "id@tend.example", "to"},
      {"101 recipients", "alerts@tend.example",
       with([](MailMessage& m) { m.to.assign(101, "a@example.org"); }), "id@tend.example", "to"},
      {"CRLF in from", "alerts@tend.example\r\nX: y", alert_message(), "id@tend.example", "from"},
      {"CRLF in message id", "alerts@tend.example", alert_message(), "id@x\r\nX: y", "message_id"},
      {"bracketed message id", "alerts@tend.example", alert_message(), "<id@x>", "message_id"},
      {"body not UTF-8", "alerts@tend.example", with([](MailMessage& m) { m.body = "caf\xe9\n"; }),
       "id@tend.example", "body"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto m = build_mime_message(c.from, c.msg, c.message_id, k_date);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, Errc::Validation);
    ASSERT_EQ(m.error().errors.size(), 1u);
    EXPECT_EQ(m.error().errors[0].field, c.field);
  }
  MailMessage huge = alert_message();
  huge.body.assign(1024 * 1024 + 1, 'x');
  auto m = build_mime_message("alerts@tend.example", huge, "id@tend.example", k_date);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, Errc::PayloadTooLarge);
}

TEST(MimeMessage, ErrorsNeverRepeatContent) {
  MailMessage msg = alert_message();
  msg.subject = "Suicide risk: client C-17\r\n";
  auto m = build_mime_message("alerts@tend.example", msg, "id@tend.example", k_date);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().detail.find("Suicide"), std::string::npos);
  EXPECT_EQ(m.error().errors[0].message.find("Suicide"), std::string::npos);
}

}  // namespace
}  // namespace tend::notify::rules
