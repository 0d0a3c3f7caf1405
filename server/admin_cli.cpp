// `daftar operator add` (accounts, on the server's store) and `daftar admin …` (an operator's
// work over HTTP, for scripts and for operators without a browser: the same API as the console).
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "checked_json.h"
#include "daftar/change.h"
#include "cli.h"
#include "csv.h"
#include "http_client.h"
#include "operators.h"
#include "registry.h"
#include "storage.h"

namespace daftar::cli {
namespace {

using server::json;

constexpr const char* kOperatorUsage =
    "usage: daftar operator add NAME --role reviewer|supervisor [--data-dir DIR | --database URL] [--url BASE]\n"
    "       daftar operator reset NAME [--data-dir DIR | --database URL] [--url BASE]\n"
    "  prints a one-time set-up link (valid 72 hours) where the operator chooses a password;\n"
    "  BASE is the address operators open (default http://127.0.0.1:8080)";

constexpr const char* kAdminUsage =
    "usage: daftar admin COMMAND --server URL [--operator NAME] ...\n"
    "  queue [--status review|needs_correction|verifying] [--district 32.04.11] [--older-than-days N]\n"
    "  show REFERENCE\n"
    "  document REFERENCE INDEX --out FILE\n"
    "  approve REFERENCE [--note TEXT]\n"
    "  reject REFERENCE --reason reason.CODE [--reason …] [--note TEXT]\n"
    "  request-correction REFERENCE --message TEXT [--path /members/1/name …]\n"
    "  reasons\n"
    "The password is read from DAFTAR_OPERATOR_PASSWORD, else from the first line of standard input;\n"
    "or DAFTAR_OPERATOR_SESSION holds a session token from an earlier sign-in.";

}  // namespace

int OperatorCommand(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--role", "--data-dir", "--database", "--database-file", "--url"});
  if (args.positional.size() != 2 || (args.positional[0] != "add" && args.positional[0] != "reset")) {
    throw UsageError{kOperatorUsage};
  }
  const bool reset = args.positional[0] == "reset";
  const std::string& name = args.positional[1];
  const std::string role = args.Option("--role").value_or("");
  if (!reset && role.empty()) throw UsageError{kOperatorUsage};
  const std::unique_ptr<server::Database> db = OpenStore(args, /*create=*/true);
  server::Store store(*db);
  server::Operators operators(store, server::SystemClock(), 8);
  std::string error;
  const std::optional<std::string> token = operators.Add(name, role, reset, error);
  if (!token) {
    std::cerr << "daftar operator: " << error << "\n";
    return kInvalid;
  }
  std::string base = args.Option("--url").value_or("http://127.0.0.1:8080");
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::optional<server::OperatorRow> row = store.OperatorByName(name);
  std::cout << json{{"name", name},
                    {"role", row ? row->role : role},
                    {"setup_link", base + "/operator/#setup=" + *token},
                    {"expires_at", server::IsoTimestamp(server::SystemClock().unix_seconds() + server::kSetupLinkSeconds)}}
                   .dump(2)
            << "\n";
  return kOk;
}

int Facilities(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--data-dir", "--database", "--database-file"});
  constexpr const char* kUsage =
      "usage: daftar facilities import FILE.csv [--data-dir DIR | --database URL]\n"
      "  FILE.csv: a header code,name,type,regency_code,district_code,accepting,capacity, then one\n"
      "  facility a line (code 8 characters; type puskesmas, klinik, dokter or dokter_gigi; regency\n"
      "  32.04, district 32.04.11; accepting 1 or 0; capacity in members). Rows update by code.";
  if (args.positional.size() != 2 || args.positional[0] != "import") throw UsageError{kUsage};
  std::ifstream file(args.positional[1]);
  if (!file) throw UsageError{"cannot read " + args.positional[1]};
  std::string line;
  std::getline(file, line);
  if (server::CsvFields(line) !=
      std::vector<std::string>{"code", "name", "type", "regency_code", "district_code", "accepting", "capacity"}) {
    throw UsageError{args.positional[1] + ": the first line must be code,name,type,regency_code,district_code,accepting,capacity"};
  }
  const auto code_shaped = [](const std::string& code, const char* shape) {
    // shape: '9' a digit, '.' a dot
    if (code.size() != std::strlen(shape)) return false;
    for (std::size_t i = 0; i < code.size(); ++i) {
      if (shape[i] == '.' ? code[i] != '.' : !std::isdigit(static_cast<unsigned char>(code[i]))) return false;
    }
    return true;
  };
  std::vector<server::FacilityRow> rows;
  json errors = json::array();
  for (int number = 2; std::getline(file, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> f = server::CsvFields(line);
    const auto problem = [&](const std::string& what) { errors.push_back({{"line", number}, {"error", what}}); };
    if (f.size() != 7) {
      problem("seven fields expected");
      continue;
    }
    const FieldCheck code = CheckFacilityCode(f[0]);
    server::FacilityRow row{code.normalized, f[1], f[2], f[3], f[4], f[5] == "1", 0, 0};
    if (!code.ok()) problem("code: 8 characters, digits and capital letters");
    if (row.name.empty() || row.name.size() > 200) problem("name: 1 to 200 characters");
    if (row.type != "puskesmas" && row.type != "klinik" && row.type != "dokter" && row.type != "dokter_gigi") {
      problem("type: puskesmas, klinik, dokter or dokter_gigi");
    }
    if (!code_shaped(row.regency_code, "99.99")) problem("regency_code: like 32.04");
    if (!code_shaped(row.district_code, "99.99.99") || row.district_code.rfind(row.regency_code + ".", 0) != 0) {
      problem("district_code: like 32.04.11, within the regency");
    }
    if (f[5] != "0" && f[5] != "1") problem("accepting: 1 or 0");
    if (f[6].empty() || f[6].size() > 9 || f[6].find_first_not_of("0123456789") != std::string::npos) {
      problem("capacity: a number of members");
    } else {
      row.capacity = std::stoll(f[6]);
    }
    rows.push_back(std::move(row));
  }
  // All or nothing: a table with a mistake is not half loaded.
  if (!errors.empty()) {
    std::cout << json{{"imported", 0}, {"errors", errors}}.dump(2) << "\n";
    return kInvalid;
  }
  const std::unique_ptr<server::Database> db = OpenStore(args, /*create=*/true);
  server::Store store(*db);
  const bool stored = store.Write([&](server::Changes& c) {
    for (const server::FacilityRow& row : rows) {
      if (!c.UpsertFacility(row)) return false;
    }
    return true;
  });
  if (!stored) {
    std::cerr << "daftar facilities: storage failed, nothing was imported\n";
    return kInvalid;
  }
  std::cout << json{{"imported", rows.size()}, {"facilities", store.FacilityCount()}}.dump(2) << "\n";
  return kOk;
}

namespace {

struct Client {
  server::HttpUrl url;
  std::string session;
  bool signed_in_here = false;

  server::FetchResult Call(const std::string& method, const std::string& target, const std::string& body = "") const {
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + session}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return server::Fetch(url, method, target, headers, body, std::chrono::seconds(60));
  }
};

// Prints the server's answer; the exit status follows its HTTP status.
int Print(const server::FetchResult& r) {
  if (r.status == 0) {
    std::cerr << "daftar admin: " << r.error << "\n";
    return kUsage;
  }
  const json answer = json::parse(r.body, nullptr, false);
  std::cout << (answer.is_discarded() ? r.body : answer.dump(2)) << "\n";
  return r.status / 100 == 2 ? kOk : kInvalid;
}

std::string Encoded(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

}  // namespace

int Admin(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--server", "--operator", "--status", "--district", "--older-than-days", "--note", "--reason",
                                "--message", "--path", "--out"});
  const auto server_url = args.Option("--server");
  if (args.positional.empty() || !server_url) throw UsageError{kAdminUsage};
  const std::optional<server::HttpUrl> url = server::HttpUrl::Parse(*server_url);
  if (!url) throw UsageError{"--server takes http://HOST:PORT or https://HOST:PORT"};
  const std::string command = args.positional[0];
  const auto reference = [&]() -> const std::string& {
    if (args.positional.size() < 2) throw UsageError{kAdminUsage};
    return args.positional[1];
  };

  Client client{*url, {}, false};
  if (const char* session = std::getenv("DAFTAR_OPERATOR_SESSION"); session && *session) {
    client.session = session;
  } else {
    const auto name = args.Option("--operator");
    if (!name) throw UsageError{"--operator NAME (or DAFTAR_OPERATOR_SESSION) is needed"};
    std::string password;
    if (const char* p = std::getenv("DAFTAR_OPERATOR_PASSWORD"); p && *p) {
      password = p;
    } else {
      std::getline(std::cin, password);
    }
    const server::FetchResult in = server::Fetch(*url, "POST", "/api/v1/operator/session", {{"Content-Type", "application/json"}},
                                                 json{{"name", *name}, {"password", password}}.dump(), std::chrono::seconds(30));
    const json answer = json::parse(in.body, nullptr, false);
    if (in.status != 200 || !server::Field(answer, "session").is_string()) return Print(in);
    client.session = answer["session"].get<std::string>();
    client.signed_in_here = true;
  }

  int code = kUsage;
  if (command == "queue") {
    std::string query;
    for (const auto& [option, param] : {std::pair{"--status", "status"}, std::pair{"--district", "district"},
                                        std::pair{"--older-than-days", "older_than_days"}}) {
      if (auto v = args.Option(option)) query += (query.empty() ? "?" : "&") + std::string(param) + "=" + Encoded(*v);
    }
    code = Print(client.Call("GET", "/api/v1/operator/queue" + query));
  } else if (command == "reasons") {
    code = Print(client.Call("GET", "/api/v1/operator/reasons"));
  } else if (command == "show") {
    code = Print(client.Call("GET", "/api/v1/operator/registrations/" + Encoded(reference())));
  } else if (command == "document") {
    const auto out = args.Option("--out");
    if (args.positional.size() != 3 || !out) throw UsageError{kAdminUsage};
    const server::FetchResult r = client.Call("GET", "/api/v1/operator/registrations/" + Encoded(reference()) + "/documents/" +
                                                         Encoded(args.positional[2]));
    if (r.status == 200) {
      std::ofstream(*out, std::ios::binary) << r.body;
      std::cout << json{{"file", *out}, {"media_type", r.Header("Content-Type")}, {"bytes", r.body.size()}}.dump(2) << "\n";
      code = kOk;
    } else {
      code = Print(r);
    }
  } else if (command == "approve" || command == "reject" || command == "request-correction") {
    json body = json::object();
    if (auto note = args.Option("--note")) body["note"] = *note;
    if (command == "reject") body["reasons"] = args.All("--reason");
    if (command == "request-correction") {
      body["message"] = args.Option("--message").value_or("");
      if (!args.All("--path").empty()) body["paths"] = args.All("--path");
    }
    code = Print(client.Call("POST", "/api/v1/operator/registrations/" + Encoded(reference()) + "/" + command, body.dump()));
  } else {
    std::cerr << "daftar admin: unknown command '" << command << "'\n" << kAdminUsage << "\n";
  }
  if (client.signed_in_here) (void)client.Call("DELETE", "/api/v1/operator/session");
  return code;
}

}  // namespace daftar::cli
