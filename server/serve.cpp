// `daftar serve` and `daftar audit verify`: the server's start-up and the audit chain check.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "config.h"
#include "daftar/messages.h"
#include "http_server.h"
#include "notifications.h"
#include "population_registry_http.h"
#include "registry.h"
#include "router.h"
#include "storage.h"
#include "verification.h"
#include "workers.h"

namespace daftar::cli {
namespace {

namespace fs = std::filesystem;
using server::json;

constexpr const char* kServeUsage = R"(usage: daftar serve [--listen HOST:PORT] [--data-dir DIR] [--keys-dir DIR] [--web-root DIR]
                    [--database URL | --database-file FILE]
                    [--config FILE] [--tls-cert FILE --tls-key FILE] [--dev] [--clock-file FILE]

  --listen    address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --data-dir  the default place of the keys and the SQLite database (default ./var)
  --database  sqlite:PATH (default sqlite:DATA/daftar.db) or a PostgreSQL connection string
              (postgresql://USER@HOST/DB, postgresql:///DB?host=/socket/dir&port=N): several
              servers on one PostgreSQL database behave as one
  --database-file  the same, read from FILE (systemd LoadCredential): no password in the
              command line, which every user of the machine can read
  --keys-dir  the server's keys (default DATA/keys). Created only when the folder is empty or
              absent; a missing or damaged key file stops the server (restore it from backup)
  --dev       development: without "banks" in the config, a bank DEV with a generated secret
              (DATA/bank-secret). Without --dev and without banks, payments answer 503
  --web-root  the web app's files (default: the build's web/ folder beside bin/)
  --config    JSON: {"banks":{"BANKX":"secret"},"payment_window":{"earliest_days":14,"latest_days":30},
              "va_prefix":"88888","tariffs":"file.json","limits":{...},
              "population_registry":{"url":"http://HOST:PORT","timeout_ms":3000,"concurrency":8},
              "notifications":{"email":{...},"sms":{...},"sink_file":"PATH"},
              "operator_session_hours":8,"member_session_days":30,"calendar_check_seconds":60,
              "admin_token":"..."}   admin_token: honoured with --dev only; see docs/api.md and
              docs/population-registry.md; operators: daftar operator add NAME
  --tls-cert, --tls-key   PEM files: serve HTTPS (with HSTS)
  --clock-file  for tests and demos: today's date (YYYY-MM-DD) is read from FILE whenever the
              server needs it (registration days, payment windows, the rules, expiry), so a demo
              can move through months; durations (timeouts, sessions, bank call freshness)
              follow the system clock
)";

std::string DefaultWebRoot() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path beside = exe.parent_path().parent_path() / "web";
  return !ec && fs::is_directory(beside) ? beside.string() : "build/web";
}

}  // namespace

int Serve(const std::vector<std::string>& raw) {
  if (!raw.empty() && (raw[0] == "--help" || raw[0] == "-h")) {
    std::cout << kServeUsage;
    return kOk;
  }
  const Args args = Parse(raw, {"--listen", "--data-dir", "--keys-dir", "--database", "--database-file", "--web-root", "--config", "--tls-cert", "--tls-key",
                                "--clock-file"},
                          {"--dev"});
  if (!args.positional.empty()) throw UsageError{kServeUsage};
  server::ListenOptions listen;
  if (auto l = args.Option("--listen")) {
    const std::size_t colon = l->rfind(':');
    const std::string port = colon == std::string::npos ? "" : l->substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
      throw UsageError{"--listen takes HOST:PORT, e.g. 127.0.0.1:8080"};
    }
    listen.host = l->substr(0, colon);
    if (listen.host.size() > 2 && listen.host.front() == '[') listen.host = listen.host.substr(1, listen.host.size() - 2);
    listen.port = static_cast<unsigned short>(std::stoi(port));
  }
  listen.tls_cert = args.Option("--tls-cert").value_or("");
  listen.tls_key = args.Option("--tls-key").value_or("");
  if (listen.tls_cert.empty() != listen.tls_key.empty()) throw UsageError{"--tls-cert and --tls-key go together"};

  const std::string data_dir = args.Option("--data-dir").value_or("var");
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) throw UsageError{"cannot create " + data_dir + ": " + ec.message()};
  ::chmod(data_dir.c_str(), 0700);

  Findings problems;
  server::Config config = server::LoadConfig(args.Option("--config").value_or(""), problems);
  if (problems.has_errors()) {
    for (const Finding& f : problems.all()) {
      const Message m = RenderMessage(f);
      std::cerr << "daftar serve: config " << f.path << ": " << f.code << ": " << m.id << " / " << m.en << "\n";
    }
    return kUsage;
  }
  std::string error;
  const std::string keys_dir = args.Option("--keys-dir").value_or((fs::path(data_dir) / "keys").string());
  const std::optional<server::ServerKeys> keys = server::LoadKeys(keys_dir, error);
  if (!keys) {
    std::cerr << "daftar serve: " << error << "\n";
    return 1;
  }
  std::vector<std::string> notes;
  // A development secret printed on the console must never guard real payments.
  if (config.banks.empty() && args.Has("--dev")) {
    const std::string secret = server::LoadOrCreateSecret(data_dir, "bank-secret", error);
    if (secret.empty()) {
      std::cerr << "daftar serve: " << error << "\n";
      return 1;
    }
    config.banks["DEV"] = secret;
    notes.push_back("development bank DEV, secret " + secret + " (" + data_dir + "/bank-secret)");
  } else if (config.banks.empty()) {
    notes.push_back("no banks configured: payments answer 503 (add \"banks\" to --config, or use --dev)");
  }
  // The single admin token is a development convenience only: real operators have accounts.
  if (args.Has("--dev")) {
    if (config.admin_token.empty()) config.admin_token = server::LoadOrCreateSecret(data_dir, "admin-token", error);
    if (config.admin_token.empty()) {
      std::cerr << "daftar serve: " << error << "\n";
      return 1;
    }
    notes.push_back("development supervisor token in " + data_dir + "/admin-token (operators: daftar operator add NAME)");
  } else {
    if (!config.admin_token.empty()) notes.push_back("admin_token is ignored without --dev: operators sign in with accounts (daftar operator add)");
    config.admin_token.clear();
  }
  std::unique_ptr<server::Database> db = server::Database::Open(StoreUrl(args), error);
  if (!db) {
    std::cerr << "daftar serve: database " << server::WithoutPassword(StoreUrl(args)) << ": " << server::WithoutPassword(error) << "\n";
    return 1;
  }
  db->SetGroupCommit(config.group_commit);
  server::Clock clock = server::SystemClock();
  if (auto file = args.Option("--clock-file")) {
    const std::optional<Date> day = server::ReadClockFile(*file);
    if (!day) throw UsageError{"--clock-file " + *file + " must hold a date, YYYY-MM-DD"};
    clock = server::FileCalendarClock(*file);
    notes.push_back("the calendar comes from " + *file + " (today " + FormatIsoDate(*day) + "), not the system clock");
  }
  // Messages to families: with nothing configured, `--dev` keeps them in a file to read.
  if (args.Has("--dev") && !config.notifications.any()) {
    config.notifications.sink_file = (fs::path(data_dir) / "outbox.jsonl").string();
  }
  server::Registry registry(*db, config, *keys, clock);
  registry.ExpireUnpaid();
  server::Router router(registry, config, *keys, clock,
                        {data_dir, args.Option("--web-root").value_or(DefaultWebRoot()), "0.1.0", args.Has("--dev")});

  // The population registry: calls through a circuit breaker, by verification workers that run
  // beside the HTTP server and stop with it.
  std::unique_ptr<server::PopulationRegistry> adapter;
  std::unique_ptr<server::Verifier> verifier;
  if (config.population_registry) {
    const server::PopulationRegistryConfig& pr = *config.population_registry;
    std::unique_ptr<server::PopulationRegistry> http = server::MakeHttpPopulationRegistry(pr, error);
    if (!http) {
      std::cerr << "daftar serve: config /population_registry: " << error << "\n";
      return kUsage;
    }
    adapter = std::make_unique<server::CircuitBreaker>(std::move(http), pr.breaker_failures, pr.breaker_open_seconds,
                                                       server::SystemClock().unix_seconds);
    verifier = std::make_unique<server::Verifier>(registry, *adapter, pr);
    registry.SetJobListener([&] { verifier->Wake(); });
    router.SetVerifier(verifier.get());
    verifier->Start();
    notes.push_back("population registry " + pr.url + " (" + std::to_string(pr.concurrency) + " calls at once)");
  } else {
    notes.push_back("no population registry configured: registrations are not compared with Dukcapil");
  }
  // The notification job: sends what the outbox holds, beside the HTTP server.
  std::unique_ptr<server::Notifier> notifier;
  if (const server::NotificationsConfig& n = config.notifications; n.any()) {
    notifier = std::make_unique<server::Notifier>(registry, n, n.email ? server::SmtpTransport(*n.email, n.timeout_ms) : nullptr,
                                                  n.sms ? server::GatewayTransport(*n.sms, n.timeout_ms) : nullptr);
    router.SetNotifier(notifier.get());
    notifier->Start();
    std::string channels = n.email ? "e-mail via " + server::WithoutPassword(n.email->smtp_url) + (n.email->tls_required ? "" : " (in clear, on this machine)") : "";
    if (n.sms) channels += (channels.empty() ? "" : ", ") + std::string("SMS via ") + server::WithoutPassword(n.sms->url);
    if (!n.sink_file.empty()) channels += (channels.empty() ? "" : ", ") + std::string("a copy of each in ") + n.sink_file;
    notes.push_back("messages to families: " + channels);
  } else {
    notes.push_back("no notifications configured: families get no e-mail or SMS (add \"notifications\" to --config)");
  }
  // The calendar job: bills, suspensions and reminders, once a day (and at start) on one thread.
  server::Workers calendar;
  calendar.Start(1, [&] { return registry.RollCalendar(config.calendar_batch); }, std::chrono::seconds(config.calendar_check_seconds));
  const int code = server::RunHttpServer(router, config, listen, [&](const std::string& url) {
    std::cout << "Daftar is serving on " << url << "/  (Ctrl-C stops it)\n";
    for (const std::string& note : notes) std::cout << "  " << note << "\n";
    std::cout << std::flush;
  });
  if (verifier) verifier->Stop();
  if (notifier) notifier->Stop();
  calendar.Stop();
  return code;
}

std::string StoreUrl(const Args& args) {
  if (auto url = args.Option("--database")) return *url;
  // From a file (systemd's LoadCredential): a password in the command line is visible to every
  // user of the machine in /proc.
  if (auto file = args.Option("--database-file")) {
    std::optional<std::string> text = server::ReadFile(*file);
    if (!text) throw UsageError{"cannot read --database-file " + *file};
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r' || text->back() == ' ')) text->pop_back();
    return *text;
  }
  return "sqlite:" + (fs::path(args.Option("--data-dir").value_or("var")) / "daftar.db").string();
}

std::unique_ptr<server::Database> OpenStore(const Args& args, bool create) {
  const std::string url = StoreUrl(args);
  if (!create && url.rfind("sqlite:", 0) == 0 && !fs::exists(url.substr(7))) throw UsageError{"no database at " + url.substr(7)};
  std::string error;
  std::unique_ptr<server::Database> db = server::Database::Open(url, error);
  if (!db) throw UsageError{"database " + server::WithoutPassword(url) + ": " + server::WithoutPassword(error)};
  return db;
}

int Audit(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--data-dir", "--keys-dir", "--database"});
  if (args.positional.size() != 1 || args.positional[0] != "verify") {
    throw UsageError{"usage: daftar audit verify [--data-dir DIR] [--database URL] [--keys-dir DIR]"};
  }
  const fs::path data_dir = args.Option("--data-dir").value_or("var");
  // Only the audit key is read: verifying never creates or needs any other key.
  const fs::path key_path = fs::path(args.Option("--keys-dir").value_or((data_dir / "keys").string())) / "audit.key";
  const std::optional<std::string> audit_key = server::ReadFile(key_path.string());
  if (!audit_key || audit_key->size() != 32) throw UsageError{"cannot read a 32-byte audit key at " + key_path.string()};
  const std::unique_ptr<server::Database> db = OpenStore(args, /*create=*/false);
  int64_t entries = 0;
  server::Store store(*db);
  const Findings f = server::VerifyAuditChain(store, *audit_key, entries);
  json errors = json::array();
  for (const Finding& finding : f.all()) errors.push_back({{"path", finding.path}, {"code", finding.code}});
  std::cout << json{{"valid", !f.has_errors()}, {"entries", entries}, {"errors", errors}}.dump(2) << "\n";
  return f.has_errors() ? kInvalid : kOk;
}

}  // namespace daftar::cli

namespace daftar::cli {

int Migrate(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--database", "--data-dir", "--from", "--to"});
  constexpr const char* kUsage =
      "usage: daftar migrate --database URL                applies the schema\n"
      "       daftar migrate --from sqlite:PATH --to URL    copies an office's data into an empty database";
  if (!args.positional.empty() || args.Option("--from").has_value() != args.Option("--to").has_value()) throw UsageError{kUsage};
  if (auto from_url = args.Option("--from")) {
    if (from_url->rfind("sqlite:", 0) == 0 && !fs::exists(from_url->substr(7))) throw UsageError{"no database at " + from_url->substr(7)};
    std::string error;
    const std::unique_ptr<server::Database> from = server::Database::Open(*from_url, error);
    if (!from) throw UsageError{"database " + *from_url + ": " + error};
    const std::unique_ptr<server::Database> to = server::Database::Open(*args.Option("--to"), error);
    if (!to) throw UsageError{"database " + *args.Option("--to") + ": " + error};
    int64_t rows = 0;
    if (!server::CopyStore(*from, *to, rows, error)) {
      std::cerr << "daftar migrate: " << error << " (nothing was copied)\n";
      return kInvalid;
    }
    std::cout << json{{"from", from->Describe()}, {"to", to->Describe()}, {"rows", rows}}.dump(2) << "\n";
    return kOk;
  }
  // Opening a store applies every migration it lacks (under a lock on PostgreSQL).
  const std::unique_ptr<server::Database> db = OpenStore(args, /*create=*/true);
  std::cout << json{{"database", db->Describe()}, {"schema_version", server::Migrations().size()}}.dump(2) << "\n";
  return kOk;
}

}  // namespace daftar::cli
