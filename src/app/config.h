#pragma once
//! Every setting of `tend`, in one table. Precedence: defaults < tend.toml < TEND_* environment
//! < command-line flags. `tend serve --help` lists them all.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/result.h"

namespace CLI {
class App;
}

namespace tend::app {

struct Config {
  std::string data_dir = "./tend-data";
  std::string listen = "127.0.0.1:8080";
  std::string db;        //!< "" = sqlite at DATA_DIR/tend.db; "sqlite:PATH"; "postgresql://…"
  std::string key_file;  //!< "" = DATA_DIR/keys/field.keys
  std::string tls_cert;
  std::string tls_key;
  bool allow_insecure_http = false;  //!< plain HTTP on a non-loopback address
  std::int64_t io_threads = 0;
  std::int64_t worker_threads = 64;
  std::int64_t max_body_bytes = 1 << 20;
  std::int64_t max_header_bytes = 16 << 10;
  std::int64_t read_timeout_seconds = 30;
  std::int64_t write_timeout_seconds = 30;
  std::int64_t idle_timeout_seconds = 75;
  std::int64_t shutdown_grace_seconds = 15;
  std::int64_t session_idle_minutes = 30;
  std::int64_t session_absolute_hours = 12;
  std::int64_t max_failed_logins = 5;
  std::int64_t lockout_minutes = 15;
  std::int64_t login_attempts_per_address = 20;
  std::int64_t break_glass_minutes = 60;
  std::int64_t token_days = 90;
  std::string sqlite_synchronous = "full";
  std::int64_t sqlite_readers = 4;
  std::int64_t pg_readers = 8;
  std::int64_t pg_lock_timeout_ms = 10000;
  std::string web_root;  //!< "" = the web app compiled into the binary
  //! A service's own instrument files; one with a shipped instrument's id replaces it.
  std::string instruments_dir;
  //! A service's own psychoeducation articles (content/education format); a slug that is a
  //! built-in article's is refused.
  std::string education_dir;
  //! The service's time zone (IANA): working days for `low` alert deadlines, roster defaults.
  std::string time_zone = "UTC";
  //! When the care team reads secure messages, in time_zone ("mon-fri 09:00-17:00"); outside
  //! them a client's message gets an automatic reply pointing to the crisis lines.
  std::string office_hours = "mon-fri 09:00-17:00";
  //! The address people open Tend at ("https://tend.example.org"), for links in e-mail.
  std::string base_url;
  //! A crisis rules file replacing content/crisis/risk.json.
  std::string crisis_rules;
  std::string crisis_resources;  //!< crisis lines file replacing content/crisis/resources.json
  //! A diagnosis code list (content/codes format) replacing content/codes/icd10cm.tsv.
  std::string code_list;
  //! A check-in factor list (content/tracking format) replacing content/tracking/factors.json.
  std::string tracking_factors;
  //! Outgoing mail: smtp://HOST:PORT or smtps://HOST:PORT; empty = no e-mail.
  std::string smtp_url;
  std::string smtp_from = "tend@localhost";
  std::string smtp_username;
  std::string smtp_password_file;  //!< a file holding the SMTP password
  bool smtp_starttls = false;      //!< require STARTTLS on smtp://
  //! Lets webhooks reach loopback addresses (a gateway on the same machine, tests).
  bool webhook_allow_loopback = false;
  std::string service_name = "Tend";  //!< the service's name in the portal and its e-mail
  std::string portal_terms;           //!< a Markdown file replacing content/portal/terms.md
  //! Sections a guardian sees: appointments, education, safety_plan, plan, crisis_resources.
  std::string guardian_access = "appointments,crisis_resources";
  bool guardian_adults = false;  //!< allow guardian invitations for clients aged 18 or over
  std::int64_t job_poll_ms = 1000;
  std::int64_t job_lease_seconds = 300;
  std::string log_level = "info";
  std::string log_format = "json";

  std::string db_path() const;  //!< the SQLite file (when the database is SQLite)
  std::string db_url() const;   //!< the database to open: "sqlite:PATH" or "postgresql://…"
  bool on_postgres() const;
  std::string key_file_path() const;
};

//! One setting: its name in tend.toml, its environment variable and flag, and its help.
struct Setting {
  std::string key;   //!< "listen"
  std::string env;   //!< "TEND_LISTEN"
  std::string flag;  //!< "--listen"
  std::string help;
  std::function<Status(Config&, const std::string&)> set;  //!< parses and stores a value
  std::function<std::string(const Config&)> get;           //!< current value as text
  bool boolean = false;  //!< "--flag" alone means true; "--flag false" or "--flag=false" too
};

const std::vector<Setting>& settings();

//! Flag values collected by CLI11 before they are applied (flags win over everything).
using FlagValues = std::map<std::string, std::string>;

//! Adds every setting as a flag to `cmd`; values land in `out`. `--config FILE` too.
void add_flags(CLI::App& cmd, FlagValues& out, std::string& config_file);

//! Builds the configuration: defaults, then the toml file (`config_file`, else TEND_CONFIG,
//! else ./tend.toml when present), then the environment, then `flags`. Validation errors name
//! the setting and where its value came from.
Result<Config> load(const std::string& config_file, const FlagValues& flags);

//! Host and port of `listen` ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:443").
Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen);
bool is_loopback(const std::string& host);

}  // namespace tend::app
