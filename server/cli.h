// The subcommands of the `daftar` binary: thin shells over the dispatcher.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace daftar::server {
class Database;
}

namespace daftar::cli {

// Exit status: 0 valid / ok, 1 the input is invalid (the JSON answer says why), 2 usage error.
enum ExitCode { kOk = 0, kInvalid = 1, kUsage = 2 };

// Runs `daftar SUBCOMMAND …` for the subcommands below; `args` excludes the program name.
int Run(const std::vector<std::string>& args);

// True if `name` is a subcommand Run handles.
bool IsCommand(const std::string& name);

// --- for the subcommands' implementations ----------------------------------------------------

struct UsageError {
  std::string message;
};

// Positional arguments and --name value options, in any order; flags listed in `switches` take
// no value.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  std::optional<std::string> Option(const std::string& name) const;
  std::vector<std::string> All(const std::string& name) const;
  bool Has(const std::string& name) const;
};
Args Parse(const std::vector<std::string>& raw, std::initializer_list<const char*> options,
           std::initializer_list<const char*> switches = {});

std::string ReadInput(const std::string& path);  // "-" is standard input; UsageError if unreadable

// The store named by --database (sqlite:PATH or a PostgreSQL URL), else sqlite:DATA/daftar.db
// with DATA from --data-dir (default var). UsageError if it cannot be opened, or if an SQLite
// file does not exist and `create` is false (a typo must not verify an empty new database).
std::unique_ptr<server::Database> OpenStore(const Args& args, bool create);
std::string StoreUrl(const Args& args);
std::string LocalToday();                        // the machine's local date, YYYY-MM-DD

// Subcommands on packages (package_cli.cpp).
int Keygen(const std::vector<std::string>& args);
int Seal(const std::vector<std::string>& args);
int Open(const std::vector<std::string>& args);

// The server (serve.cpp) and a bank's payment call (pay.cpp).
int Serve(const std::vector<std::string>& args);
int Audit(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);

// Operator accounts, an operator's work over HTTP, the facility table (admin_cli.cpp).
int OperatorCommand(const std::vector<std::string>& args);
int Admin(const std::vector<std::string>& args);
int Facilities(const std::vector<std::string>& args);

// The population registry's simulator (registry_sim.cpp).
int RegistrySimulator(const std::vector<std::string>& args);
int Pay(const std::vector<std::string>& args);

}  // namespace daftar::cli
