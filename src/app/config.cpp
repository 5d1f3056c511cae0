#include "app/config.h"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "platform/sql/open.h"

namespace tend::app {

namespace {
Status bad(const std::string& key, const std::string& msg) {
  return make_error(Errc::Validation, "setting " + key + " " + msg, {{key, msg}});
}

Setting text(std::string key, std::string help, std::string Config::*m,
             std::vector<std::string> allowed = {}) {
  std::string env = "TEND_";
  for (char c : key) env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string flag = "--";
  for (char c : key) flag += c == '_' ? '-' : c;
  return Setting{
      key,
      env,
      flag,
      std::move(help),
      [m, key, allowed](Config& c, const std::string& v) -> Status {
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
          std::string list;
          for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
          return bad(key, "must be one of " + list);
        }
        c.*m = v;
        return ok_status();
      },
      [m](const Config& c) { return c.*m; }};
}

Setting number(std::string key, std::string help, std::int64_t Config::*m, std::int64_t min,
               std::int64_t max) {
  Setting s = text(key, std::move(help), nullptr);
  s.set = [m, key, min, max](Config& c, const std::string& v) -> Status {
    std::int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc{} || r.ptr != v.data() + v.size() || n < min || n > max) {
      return bad(
          key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    c.*m = n;
    return ok_status();
  };
  s.get = [m](const Config& c) { return std::to_string(c.*m); };
  return s;
}

Setting flag_bool(std::string key, std::string help, bool Config::*m) {
  Setting s = text(key, std::move(help), nullptr);
  s.set = [m, key](Config& c, const std::string& v) -> Status {
    if (v == "true" || v == "1" || v == "yes") {
      c.*m = true;
    } else if (v == "false" || v == "0" || v == "no") {
      c.*m = false;
    } else {
      return bad(key, "must be true or false");
    }
    return ok_status();
  };
  s.get = [m](const Config& c) { return std::string(c.*m ? "true" : "false"); };
  s.boolean = true;
  return s;
}
}  // namespace

std::string Config::db_path() const {
  if (db.rfind("sqlite:", 0) == 0) return db.substr(7);
  return (std::filesystem::path(data_dir) / "tend.db").string();
}

std::string Config::db_url() const {
  if (!db.empty() && db.rfind("sqlite:", 0) != 0) return db;
  return "sqlite:" + db_path();
}

bool Config::on_postgres() const {
  return db_url().rfind("sqlite:", 0) != 0;
}

std::string Config::key_file_path() const {
  if (!key_file.empty()) return key_file;
  return (std::filesystem::path(data_dir) / "keys" / "field.keys").string();
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> v = {
      text("data_dir", "Directory for the SQLite database, keys and uploads", &Config::data_dir),
      text("listen", "Address to serve on, HOST:PORT", &Config::listen),
      text("db",
           "Database URL: sqlite:PATH (default DATA_DIR/tend.db) or "
           "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE",
           &Config::db),
      text("key_file",
           "Field-encryption key file (default DATA_DIR/keys/field.keys); keep it off the "
           "database's disk backups",
           &Config::key_file),
      text("web_root",
           "Serve the web app from this directory (e.g. web/dist while developing) instead of "
           "the copy compiled into the binary",
           &Config::web_root),
      text("instruments_dir",
           "A directory of the service's own instrument files (content/instruments format); "
           "one with a shipped instrument's id replaces it",
           &Config::instruments_dir),
      text("education_dir",
           "A directory of the service's own psychoeducation articles (content/education "
           "format), listed beside the built-in ones; a slug that is a built-in article's, or a "
           "bad file, stops start-up naming the file",
           &Config::education_dir),
      text("time_zone",
           "The service's time zone (IANA name, e.g. America/New_York): working days for low "
           "alert deadlines",
           &Config::time_zone),
      text("office_hours",
           "When the care team reads secure messages, in time_zone: groups of DAYS HH:MM-HH:MM "
           "separated by ';' (e.g. 'mon-fri 09:00-17:00; sat 10:00-12:00'); outside them a "
           "client's message gets an automatic reply with the crisis lines",
           &Config::office_hours),
      text("base_url", "The address people open Tend at, for links in e-mail", &Config::base_url),
      text("crisis_rules", "A crisis rules file replacing the built-in content/crisis/risk.json",
           &Config::crisis_rules),
      text("crisis_resources",
           "A crisis lines file replacing the built-in content/crisis/resources.json",
           &Config::crisis_resources),
      text("code_list",
           "A diagnosis code list (TSV, content/codes format) replacing the built-in "
           "content/codes/icd10cm.tsv",
           &Config::code_list),
      text("tracking_factors",
           "A check-in factor list (JSON, content/tracking format) replacing the built-in "
           "content/tracking/factors.json",
           &Config::tracking_factors),
      text("smtp_url",
           "Outgoing mail server: smtp://HOST:PORT or smtps://HOST:PORT (empty: no "
           "e-mail)",
           &Config::smtp_url),
      text("smtp_from", "Sender address of Tend's e-mail", &Config::smtp_from),
      text("smtp_username", "SMTP user name, if the server needs one", &Config::smtp_username),
      text("smtp_password_file", "A file holding the SMTP password", &Config::smtp_password_file),
      flag_bool("smtp_starttls", "Require STARTTLS on smtp://", &Config::smtp_starttls),
      flag_bool("webhook_allow_loopback",
                "Let crisis webhooks reach loopback addresses (a gateway on this machine)",
                &Config::webhook_allow_loopback),
      text("service_name", "The service's name, shown in the portal and its e-mail",
           &Config::service_name),
      text("portal_terms",
           "A Markdown file (front matter with version:) replacing the built-in portal terms, "
           "content/portal/terms.md; a new version asks portal users to agree again",
           &Config::portal_terms),
      text("guardian_access",
           "What a parent or guardian of a client under 18 sees, comma-separated from "
           "appointments, education, safety_plan, plan, crisis_resources",
           &Config::guardian_access),
      flag_bool("guardian_adults",
                "Allow guardian invitations for clients aged 18 or over (e.g. a court-appointed "
                "guardian)",
                &Config::guardian_adults),
      text("tls_cert", "PEM certificate chain; with --tls-key, serve HTTPS", &Config::tls_cert),
      text("tls_key", "PEM private key for --tls-cert", &Config::tls_key),
      flag_bool("allow_insecure_http",
                "Allow plain HTTP on a non-loopback address (behind a TLS proxy)",
                &Config::allow_insecure_http),
      number("io_threads", "Threads moving bytes (0 = one per core)", &Config::io_threads, 0, 256),
      number("worker_threads", "Threads running request handlers", &Config::worker_threads, 1,
             1024),
      number("max_body_bytes", "Largest request body accepted", &Config::max_body_bytes, 1024,
             64 << 20),
      number("max_header_bytes", "Largest request header block accepted", &Config::max_header_bytes,
             1024, 1 << 20),
      number("read_timeout_seconds", "Time to receive one whole request",
             &Config::read_timeout_seconds, 1, 3600),
      number("write_timeout_seconds", "Time to send one whole response",
             &Config::write_timeout_seconds, 1, 3600),
      number("idle_timeout_seconds", "Keep-alive time between requests",
             &Config::idle_timeout_seconds, 1, 3600),
      number("shutdown_grace_seconds", "On SIGTERM, time allowed for requests in flight",
             &Config::shutdown_grace_seconds, 0, 600),
      number("session_idle_minutes", "A session unused this long ends",
             &Config::session_idle_minutes, 1, 1440),
      number("session_absolute_hours", "A session ends this long after sign-in",
             &Config::session_absolute_hours, 1, 168),
      number("max_failed_logins", "Failed sign-ins before an account locks",
             &Config::max_failed_logins, 1, 100),
      number("lockout_minutes", "How long a locked account stays locked", &Config::lockout_minutes,
             1, 1440),
      number("login_attempts_per_address", "Sign-in attempts allowed per address per 5 minutes",
             &Config::login_attempts_per_address, 1, 100000),
      number("break_glass_minutes", "How long break-the-glass access lasts",
             &Config::break_glass_minutes, 5, 1440),
      number("token_days", "Default lifetime of a bearer token in days", &Config::token_days, 1,
             366),
      text("sqlite_synchronous", "SQLite durability: full (every commit synced) or normal",
           &Config::sqlite_synchronous, {"full", "normal"}),
      number("sqlite_readers", "SQLite reader connections", &Config::sqlite_readers, 1, 64),
      number("pg_readers", "PostgreSQL read connections per instance", &Config::pg_readers, 1, 256),
      number("job_poll_ms", "How often each instance looks for due jobs, in milliseconds",
             &Config::job_poll_ms, 50, 60000),
      number("job_lease_seconds",
             "How long a claimed job is held before another instance may take it over",
             &Config::job_lease_seconds, 10, 86400),
      number("pg_lock_timeout_ms", "PostgreSQL: a write waiting longer for a row lock fails",
             &Config::pg_lock_timeout_ms, 100, 600000),
      text("log_level", "debug, info, warn or error", &Config::log_level,
           {"debug", "info", "warn", "error"}),
      text("log_format", "json or text", &Config::log_format, {"json", "text"}),
  };
  return v;
}

void add_flags(CLI::App& cmd, FlagValues& out, std::string& config_file) {
  cmd.add_option("--config", config_file,
                 "Configuration file (TOML); default TEND_CONFIG or ./tend.toml");
  for (const auto& s : settings()) {
    auto* opt = cmd.add_option_function<std::string>(
        s.flag, [&out, key = s.key](const std::string& v) { out[key] = v; },
        s.help + " [env " + s.env + "]");
    opt->default_str(s.get(Config{}));
    if (s.boolean) {
      // "--allow-insecure-http" alone means true (CLI11 takes the default string as the value of
      // a flag given without one); "--allow-insecure-http false" and "=false" still work.
      opt->expected(0, 1);
      opt->default_str("true");
      opt->option_text("[true|false] (default " + s.get(Config{}) + ")");
    }
  }
}

Result<Config> load(const std::string& config_file, const FlagValues& flags) {
  Config c;
  std::string file = config_file;
  if (file.empty()) {
    if (const char* e = std::getenv("TEND_CONFIG")) file = e;
  }
  if (file.empty() && std::filesystem::exists("tend.toml")) file = "tend.toml";
  if (!file.empty()) {
    toml::table tbl;
    try {
      tbl = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
      return make_error(Errc::Validation, "cannot read configuration file " + file + ": " +
                                              std::string(e.description()));
    }
    for (auto&& [k, node] : tbl) {
      const std::string key(k.str());
      auto it = std::find_if(settings().begin(), settings().end(),
                             [&](const Setting& s) { return s.key == key; });
      if (it == settings().end()) {
        return make_error(Errc::Validation, file + ": unknown setting " + key,
                          {{key, "is not a setting"}});
      }
      std::string value;
      if (auto s = node.value<std::string>()) {
        value = *s;
      } else if (auto i = node.value<std::int64_t>()) {
        value = std::to_string(*i);
      } else if (auto b = node.value<bool>()) {
        value = *b ? "true" : "false";
      } else {
        return make_error(Errc::Validation, file + ": setting " + key + " has an unsupported type");
      }
      if (auto st = it->set(c, value); !st) {
        st.error().detail = file + ": " + st.error().detail;
        return st.error();
      }
    }
  }
  for (const auto& s : settings()) {
    if (const char* e = std::getenv(s.env.c_str())) {
      if (auto st = s.set(c, e); !st) {
        st.error().detail = "environment " + s.env + ": " + st.error().detail;
        return st.error();
      }
    }
  }
  for (const auto& [key, value] : flags) {
    for (const auto& s : settings()) {
      if (s.key != key) continue;
      if (auto st = s.set(c, value); !st) {
        st.error().detail = "flag " + s.flag + ": " + st.error().detail;
        return st.error();
      }
    }
  }
  if (!c.db.empty() && !sql::is_database_url(c.db)) {
    return make_error(Errc::Validation,
                      "setting db must be sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE",
                      {{"db", "must be sqlite:PATH or postgresql://…"}});
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return make_error(Errc::Validation, "settings tls_cert and tls_key go together");
  }
  auto l = parse_listen(c.listen);
  if (!l) return l.error();
  return c;
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen.front() == '[') {
    const auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return make_error(Errc::Validation, "setting listen must be HOST:PORT",
                        {{"listen", "must be HOST:PORT"}});
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return make_error(Errc::Validation, "setting listen must be HOST:PORT",
                        {{"listen", "must be HOST:PORT"}});
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  unsigned p = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), p);
  if (r.ec != std::errc{} || r.ptr != port.data() + port.size() || p > 65535) {
    return make_error(Errc::Validation, "setting listen has a bad port",
                      {{"listen", "port must be 0-65535"}});
  }
  return std::pair{host, static_cast<std::uint16_t>(p)};
}

}  // namespace tend::app
