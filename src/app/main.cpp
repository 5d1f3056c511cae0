// tend: the command line. Every subcommand takes the same settings (--data-dir, --db, …), so
// `tend user add` and `tend serve` see the same data.

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "app/codes_cli.h"
#include "app/config.h"
#include "app/db_copy.h"
#include "app/demo.h"
#include "assessment/library.h"
#include "care/routes.h"
#include "platform/log.h"

using namespace tend;

namespace {

struct Common {
  app::FlagValues flags;
  std::string config_file;
};

int fail(const Error& e) {
  std::cerr << "tend: " << e.detail << "\n";
  for (const auto& f : e.errors) std::cerr << "  " << f.field << ": " << f.message << "\n";
  switch (e.code) {
    case Errc::Validation:
    case Errc::BadRequest:
      return 2;
    case Errc::NotFound:
      return 3;
    case Errc::Conflict:
      return 4;
    default:
      return 1;
  }
}

Result<std::unique_ptr<app::App>> open_app(const Common& c, const Clock& clock) {
  auto cfg = app::load(c.config_file, c.flags);
  if (!cfg) return cfg.error();
  log::init(cfg->log_level, cfg->log_format);
  return app::App::open(*cfg, clock);
}

std::string read_password(const std::string& file, const std::string& prompt) {
  if (file == "-") {
    // std::cin, not /dev/stdin: that cannot be opened when standard input is a socket.
    std::string pw;
    std::getline(std::cin, pw);
    return pw;
  }
  if (!file.empty()) {
    std::ifstream in(file);
    std::string pw;
    std::getline(in, pw);
    return pw;
  }
  std::string pw;
  if (isatty(STDIN_FILENO)) {
    std::cerr << prompt;
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, pw);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  } else {
    std::getline(std::cin, pw);
  }
  return pw;
}

CLI::App* sub(CLI::App& parent, const std::string& name, const std::string& help, Common& c) {
  auto* s = parent.add_subcommand(name, help);
  app::add_flags(*s, c.flags, c.config_file);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tend — the platform mental health services run on"};
  cli.require_subcommand(1);
  Common common;
  SystemClock clock;
  int rc = 0;

  // ---- serve ----
  auto* serve = sub(cli, "serve", "Serve the API and web app", common);
  serve->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    if (auto st = (*a)->serve(); !st) rc = fail(st.error());
  });

  // ---- demo ----
  app::DemoOptions demo_opts;
  bool demo_no_serve = false;
  auto* demo =
      sub(cli, "demo",
          "Create a synthetic demo clinic (if the data directory is empty) and serve it", common);
  demo->add_option("--seed", demo_opts.seed,
                   "Seed for the synthetic data (same seed, same clinic)");
  demo->add_option("--clients", demo_opts.clients, "How many synthetic clients")
      ->check(CLI::Range(1, 100000));
  demo->add_flag("--no-serve", demo_no_serve, "Create the data and exit");
  demo->callback([&] {
    if (common.flags.find("data_dir") == common.flags.end() && !std::getenv("TEND_DATA_DIR")) {
      common.flags["data_dir"] = "./tend-demo";
    }
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto users = (*a)->access().list_users(access::system_principal("demo"), "");
    if (users && users->empty()) {
      auto s = app::generate_demo(**a, demo_opts);
      if (!s) {
        rc = fail(s.error());
        return;
      }
      std::cout << "Demo clinic created in " << (*a)->config().data_dir << " with " << s->clients
                << " synthetic clients.\n";
      std::cout << "Staff accounts (password for all: " << s->password << "):\n";
      for (const auto& st : s->staff) {
        std::printf("  %-12s %-14s %s\n", st.username.c_str(), st.role.c_str(),
                    st.display_name.c_str());
      }
      std::printf("Client portal (/portal, same password):\n  %-12s %-14s %s\n",
                  s->portal.username.c_str(), s->portal.role.c_str(),
                  s->portal.display_name.c_str());
    } else {
      std::cout << "Using the existing demo clinic in " << (*a)->config().data_dir << ".\n";
    }
    if (demo_no_serve) return;
    std::cout << "Serving on http://" << (*a)->config().listen << "/  (Ctrl-C to stop)\n"
              << std::flush;
    if (auto st = (*a)->serve(); !st) rc = fail(st.error());
  });

  // ---- migrate ----
  auto* migrate = sub(cli, "migrate", "Apply database migrations and exit", common);
  migrate->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    std::cout << "database is up to date\n";
  });

  // ---- version ----
  cli.add_subcommand("version", "Print the version")->callback([] {
    std::cout << "tend " << TEND_VERSION << "\n";
  });

  // ---- user ----
  auto* user = cli.add_subcommand("user", "Manage accounts");
  user->require_subcommand(1);
  std::string u_name, u_role, u_display, u_pwfile, u_email, u_client;
  auto* uadd =
      sub(*user, "add", "Add an account (password from a prompt, or --password-file)", common);
  uadd->add_option("--username", u_name, "Login name")->required();
  uadd->add_option("--role", u_role,
                   "admin, clinician, prescriber, care_manager, peer_support, front_desk, "
                   "analyst, or client (a portal account, with --client-id)")
      ->required();
  uadd->add_option("--display-name", u_display, "Name shown to colleagues (default: the username)");
  uadd->add_option("--email", u_email, "E-mail address");
  uadd->add_option("--client-id", u_client,
                   "For --role client: the client record this portal account belongs to");
  uadd->add_option("--password-file", u_pwfile,
                   "Read the password from this file ('-' for standard input)");
  uadd->callback([&] {
    auto role = access::parse_role(u_role);
    if (!role) {
      rc = fail(make_error(Errc::Validation, "unknown role " + u_role));
      return;
    }
    if ((*role == access::Role::Client) != !u_client.empty()) {
      rc = fail(
          make_error(Errc::Validation, "--client-id goes with --role client, and only with it"));
      return;
    }
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    access::NewUser nu;
    nu.username = u_name;
    nu.display_name = u_display.empty() ? u_name : u_display;
    nu.role = *role;
    if (!u_email.empty()) nu.email = u_email;
    if (!u_client.empty()) nu.client_id = u_client;
    nu.password = read_password(u_pwfile, "Password for " + u_name + ": ");
    auto created = (*a)->access().create_user(access::system_principal(), nu);
    if (!created) {
      rc = fail(created.error());
      return;
    }
    std::cout << created->id << "\n";
  });
  std::string u_prefix;
  auto* ulist = sub(*user, "list", "List accounts", common);
  ulist->add_option("--username", u_prefix, "Username prefix");
  ulist->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto users = (*a)->access().list_users(access::system_principal(), u_prefix);
    if (!users) {
      rc = fail(users.error());
      return;
    }
    for (const auto& u : *users) {
      std::printf("%-26s %-20s %-13s %s%s\n", u.id.c_str(), u.username.c_str(),
                  std::string(access::role_name(u.role)).c_str(),
                  u.disabled ? "disabled" : "active", u.totp_enabled ? " totp" : "");
    }
  });
  for (const auto& [name, disabled] : {std::pair{"disable", true}, {"enable", false}}) {
    const bool d = disabled;
    auto* cmd =
        sub(*user, name,
            d ? "Disable an account (ends its sessions and tokens)" : "Enable an account", common);
    cmd->add_option("--username", u_name, "Login name")->required();
    cmd->callback([&, d] {
      auto a = open_app(common, clock);
      if (!a) {
        rc = fail(a.error());
        return;
      }
      auto u = (*a)->access().find_by_username(u_name);
      if (!u) {
        rc = fail(u.error());
        return;
      }
      auto r = (*a)->access().set_disabled(access::system_principal(), u->id, d);
      if (!r) rc = fail(r.error());
    });
  }

  // ---- token ----
  auto* token = cli.add_subcommand("token", "Manage bearer tokens for API clients");
  token->require_subcommand(1);
  std::string t_user, t_name, t_id;
  int t_days = 0;
  auto* tcreate = sub(*token, "create", "Create a bearer token and print it (shown once)", common);
  tcreate->add_option("--username", t_user, "Whose token")->required();
  tcreate->add_option("--name", t_name, "What the token is for");
  tcreate->add_option("--days", t_days, "Lifetime in days (default: token_days)")
      ->check(CLI::Range(1, 366));
  tcreate->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto u = (*a)->access().find_by_username(t_user);
    if (!u) {
      rc = fail(u.error());
      return;
    }
    auto t =
        (*a)->access().create_token(access::system_principal(), u->id, t_name,
                                    t_days ? t_days : static_cast<int>((*a)->config().token_days));
    if (!t) {
      rc = fail(t.error());
      return;
    }
    std::cout << t->token << "\n";
  });
  auto* trevoke = sub(*token, "revoke", "Revoke a token by id", common);
  trevoke->add_option("--id", t_id, "Token id (tk_…)")->required();
  trevoke->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    if (auto st = (*a)->access().revoke_token(access::system_principal(), t_id); !st)
      rc = fail(st.error());
  });

  // ---- audit ----
  auto* audit = cli.add_subcommand("audit", "The access log");
  audit->require_subcommand(1);
  auto* verify =
      sub(*audit, "verify", "Check the audit chain; exits 1 and names the first bad entry", common);
  verify->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto report = (*a)->audit().verify((*a)->db());
    if (report.ok) {
      std::cout << "audit log intact: " << report.entries_checked << " entries verified\n";
    } else {
      std::cerr << "audit log TAMPERED: " << report.problem
                << " (first bad entry: " << report.first_bad_seq << ")\n";
      rc = 1;
    }
  });

  // ---- keys ----
  auto* keys = cli.add_subcommand("keys", "Field-encryption keys");
  keys->require_subcommand(1);
  auto* rotate = sub(*keys, "rotate",
                     "Add a new key, make it active and re-encrypt every sealed value", common);
  rotate->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto id = (*a)->keys().rotate();
    if (!id) {
      rc = fail(id.error());
      return;
    }
    auto n = app::reencrypt_all((*a)->db(), (*a)->keys());
    if (!n) {
      rc = fail(n.error());
      return;
    }
    std::cout << "active key " << *id << "; re-encrypted " << *n << " values\n";
  });

  // ---- jobs ----
  auto* jobs_cmd = cli.add_subcommand("jobs", "Durable timed work (escalations, reminders …)");
  jobs_cmd->require_subcommand(1);
  std::string jobs_state;
  int jobs_limit = 50;
  auto* jlist = sub(*jobs_cmd, "list", "List jobs, newest due first", common);
  jlist->add_option("--state", jobs_state, "pending, running, done, dead or cancelled")
      ->check(CLI::IsMember({"pending", "running", "done", "dead", "cancelled"}));
  jlist->add_option("--limit", jobs_limit, "Most jobs to list")->check(CLI::Range(1, 1000));
  jlist->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    for (const auto& [state, n] : (*a)->jobs().counts()) std::cout << state << ": " << n << "  ";
    std::cout << "\n";
    for (const auto& j : (*a)->jobs().list(jobs_state, jobs_limit)) {
      std::cout << j.id << "  " << j.kind << "  " << j.state << "  due "
                << format_rfc3339(TimePoint(std::chrono::milliseconds(j.due_at_ms)))
                << "  attempts " << j.attempts << "/" << j.max_attempts;
      if (j.last_error) std::cout << "  last error: " << *j.last_error;
      std::cout << "\n";
    }
  });
  std::string job_id;
  auto* jretry = sub(*jobs_cmd, "retry", "Run a dead or cancelled job again, due now", common);
  jretry->add_option("id", job_id, "Job id")->required();
  jretry->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto j = (*a)->jobs().retry(job_id);
    if (!j) {
      rc = fail(j.error());
      return;
    }
    std::cout << j->id << " is pending again\n";
  });
  int probe_count = 1;
  auto* jprobe = sub(*jobs_cmd, "probe",
                     "Add system.probe jobs, due now, that record which instance ran them "
                     "(checks that job processing works)",
                     common);
  jprobe->add_option("--count", probe_count, "How many")->check(CLI::Range(1, 100000));
  jprobe->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    (*a)->db().write([&](sql::Conn& c) {
      for (int i = 0; i < probe_count; ++i) {
        jobs::NewJob j;
        j.kind = "system.probe";
        j.due = clock.now();
        (*a)->jobs().enqueue(c, j);
      }
    });
    std::cout << probe_count << " probe jobs added\n";
  });

  // ---- reports ----
  auto* report =
      cli.add_subcommand("report", "Figures for the service (counts and days, no client)");
  report->require_subcommand(1);
  std::string waits_program;
  bool waits_json = false;
  auto* rwaits =
      sub(*report, "waits",
          "Waiting times per program: waiting now, referral to intake and to treatment", common);
  rwaits->add_option("--program", waits_program, "One program only");
  rwaits->add_flag("--json", waits_json, "JSON, as GET /api/v1/episodes/waits answers");
  rwaits->callback([&] {
    auto a = open_app(common, clock);
    if (!a) {
      rc = fail(a.error());
      return;
    }
    auto w = (*a)->episodes().waits(access::system_principal("cli"), waits_program);
    if (!w) {
      rc = fail(w.error());
      return;
    }
    if (waits_json) {
      boost::json::array items;
      for (const auto& x : *w) items.push_back(care::to_json(x));
      std::cout << boost::json::serialize(boost::json::object{{"items", std::move(items)}}) << "\n";
      return;
    }
    const auto days = [](const std::optional<double>& d) {
      if (!d) return std::string("-");
      std::ostringstream o;
      o << std::round(*d * 10) / 10;
      return o.str();
    };
    std::cout
        << "program | waiting now | waited so far (median / longest days) | referral to "
           "intake (median / p90 days, seen) | intake to treatment (median days) | "
           "referral to treatment (median days, started) | referral to first appointment (median "
           "days, seen) | first to second appointment (median / p90 days, seen twice)\n";
    for (const auto& x : *w) {
      std::cout << x.program << " | " << x.waiting_now << " | " << days(x.waiting_now_median_days)
                << " / "
                << (x.waiting_now_longest_days ? std::to_string(*x.waiting_now_longest_days) : "-")
                << " | " << days(x.referral_to_intake_median_days) << " / "
                << days(x.referral_to_intake_p90_days) << ", " << x.reached_intake << " | "
                << days(x.intake_to_treatment_median_days) << " | "
                << days(x.referral_to_treatment_median_days) << ", " << x.reached_treatment << " | "
                << days(x.referral_to_first_median_days) << ", " << x.seen_once << " | "
                << days(x.first_to_second_median_days) << " / " << days(x.first_to_second_p90_days)
                << ", " << x.seen_twice << "\n";
    }
    if (w->empty()) std::cout << "no referrals recorded\n";
  });

  // ---- instruments ----
  auto* instruments =
      cli.add_subcommand("instruments", "The instrument library (no database needed)");
  instruments->require_subcommand(1);
  std::string instruments_dir;
  auto load_library = [&](assessment::Library& lib) {
    lib.load_embedded();
    if (!instruments_dir.empty()) lib.load_dir(instruments_dir);
  };
  auto* ilist =
      instruments->add_subcommand("list", "List every instrument with its range and licence note");
  ilist
      ->add_option("--instruments-dir", instruments_dir,
                   "A directory of the service's own instrument files")
      ->envname("TEND_INSTRUMENTS_DIR");
  ilist->callback([&] {
    assessment::Library lib;
    load_library(lib);
    for (const auto& in : lib.all()) {
      std::cout << in->id << "  " << in->name << "  ";
      if (in->total)
        std::cout << in->total->min << "-" << in->total->max;
      else
        std::cout << "risk level";
      std::cout << "  " << in->items.size() << " items"
                << (in->text_shipped ? "" : "  (wording added by the service)") << "\n";
    }
    rc = lib.problems().empty() ? 0 : 1;
  });
  auto* icheck = instruments->add_subcommand(
      "check", "Validate the built-in instruments and a directory of the service's own files");
  icheck->add_option("dir", instruments_dir,
                     "Directory of instrument files (content/instruments format)");
  icheck->callback([&] {
    assessment::Library lib;
    load_library(lib);
    for (const auto& p : lib.problems()) std::cerr << p.detail << "\n";
    std::cout << lib.all().size() << " instruments valid, " << lib.problems().size()
              << " refused\n";
    rc = lib.problems().empty() ? 0 : 1;
  });

  // ---- codes ----
  app::add_codes_commands(cli, rc);

  // ---- db ----
  auto* dbcmd = cli.add_subcommand("db", "Move an installation between databases");
  dbcmd->require_subcommand(1);
  std::string copy_from, copy_to;
  app::CopyOptions copy_opts;
  auto* dbcopy = dbcmd->add_subcommand(
      "copy",
      "Copy every table into another database (e.g. SQLite to PostgreSQL) in one "
      "transaction, then compare row counts and verify the audit chain there");
  dbcopy->add_option("--from", copy_from, "Source: sqlite:PATH or postgresql://…")->required();
  dbcopy->add_option("--to", copy_to, "Target, migrated first: sqlite:PATH or postgresql://…")
      ->required();
  dbcopy->add_flag("--force", copy_opts.force, "Replace what the target holds instead of refusing");
  dbcopy->callback([&] {
    log::init("warn");
    copy_opts.progress_bar = isatty(STDERR_FILENO) != 0;
    auto r = app::copy_database(copy_from, copy_to, copy_opts, std::cerr);
    if (!r) {
      rc = fail(r.error());
      return;
    }
    std::cout << "copied " << r->rows << " rows in " << r->tables.size()
              << " tables; audit log intact: " << r->audit_entries << " entries verified\n";
  });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "tend: " << e.what() << "\n";
    return 1;
  }
  return rc;
}
