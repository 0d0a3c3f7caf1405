// `daftar serve` and `daftar audit verify`: the server's start-up and the audit chain check.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "config.h"
#include "http_server.h"
#include "registry.h"
#include "router.h"
#include "storage.h"

namespace daftar::cli {
namespace {

namespace fs = std::filesystem;
using server::json;

constexpr const char* kServeUsage = R"(usage: daftar serve [--listen HOST:PORT] [--data-dir DIR] [--web-root DIR] [--config FILE]
                    [--tls-cert FILE --tls-key FILE]

  --listen    address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --data-dir  keys, database and uploads (default ./var, created with fresh keys on first start)
  --web-root  the web app's files (default: the build's web/ folder beside bin/)
  --config    JSON: {"banks":{"BANKX":"secret"},"payment_window":{"earliest_days":14,"latest_days":30},
              "admin_token":"...","va_prefix":"88888","tariffs":"file.json","limits":{...}}
  --tls-cert, --tls-key   PEM files: serve HTTPS (with HSTS)
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
  const Args args = Parse(raw, {"--listen", "--data-dir", "--web-root", "--config", "--tls-cert", "--tls-key"});
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
    for (const Finding& f : problems.all()) std::cerr << "daftar serve: config " << f.path << ": " << f.code << "\n";
    return kUsage;
  }
  std::string error;
  const std::optional<server::ServerKeys> keys = server::LoadOrCreateKeys(data_dir, error);
  if (!keys) {
    std::cerr << "daftar serve: " << error << "\n";
    return 1;
  }
  std::vector<std::string> notes;
  if (config.banks.empty()) {
    config.banks["DEV"] = server::LoadOrCreateSecret(data_dir, "bank-secret");
    notes.push_back("development bank DEV, secret " + config.banks["DEV"] + " (" + data_dir + "/bank-secret)");
  }
  if (config.admin_token.empty()) {
    config.admin_token = server::LoadOrCreateSecret(data_dir, "admin-token");
    notes.push_back("operator token in " + data_dir + "/admin-token");
  }
  std::unique_ptr<server::Database> db = server::Database::Open((fs::path(data_dir) / "daftar.db").string(), error);
  if (!db) {
    std::cerr << "daftar serve: database: " << error << "\n";
    return 1;
  }
  db->SetGroupCommit(config.group_commit);
  server::Registry registry(*db, config, *keys, server::SystemClock());
  server::Router router(registry, config, *keys, server::SystemClock(),
                        {data_dir, args.Option("--web-root").value_or(DefaultWebRoot()), "0.1.0"});
  return server::RunHttpServer(router, config.limits, listen, [&](const std::string& url) {
    std::cout << "Daftar is serving on " << url << "/  (Ctrl-C stops it)\n";
    for (const std::string& note : notes) std::cout << "  " << note << "\n";
    std::cout << std::flush;
  });
}

int Audit(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--data-dir"});
  if (args.positional.size() != 1 || args.positional[0] != "verify") {
    throw UsageError{"usage: daftar audit verify --data-dir DIR"};
  }
  const fs::path db_path = fs::path(args.Option("--data-dir").value_or("var")) / "daftar.db";
  if (!fs::exists(db_path)) throw UsageError{"no database at " + db_path.string()};
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    throw UsageError{"cannot open " + db_path.string()};
  }
  server::Connection c(handle);
  int64_t entries = 0;
  const Findings f = server::VerifyAuditChain(c, entries);
  sqlite3_close(handle);
  json errors = json::array();
  for (const Finding& finding : f.all()) errors.push_back({{"path", finding.path}, {"code", finding.code}});
  std::cout << json{{"valid", !f.has_errors()}, {"entries", entries}, {"errors", errors}}.dump(2) << "\n";
  return f.has_errors() ? kInvalid : kOk;
}

}  // namespace daftar::cli
