// `daftar registry-sim`: the population registry's contract (docs/population-registry.md), served
// from a CSV of people, with fault injection: for demos, tests and integrators. It is what the
// server's registry adapter talks to until a real registry is configured.
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "checked_json.h"
#include "csv.h"
#include "cli.h"
#include "daftar/contact.h"
#include "daftar/json_depth.h"
#include "http_server.h"

namespace daftar::cli {
namespace {

using server::HttpRequest;
using server::HttpResponse;

constexpr const char* kSimulatorUsage =
    "usage: daftar registry-sim --data PEOPLE.csv --listen HOST:PORT [--fail-rate R] [--latency-ms N]\n"
    "                           [--tls-cert FILE --tls-key FILE [--client-ca FILE]]\n"
    "  PEOPLE.csv: a header nik,kk_number,name,birth_date,sex, then one person a line\n"
    "  --fail-rate   the share of requests answered 503 (0 to 1), as a registry that is failing\n"
    "  --latency-ms  how long each answer takes, as a slow registry\n"
    "  --tls-cert, --tls-key  serve HTTPS; --client-ca  and require a client certificate it signed\n";

struct Person {
  std::string kk_number, name, birth_date, sex;
};

// Names as Daftar normalises them (upper case, single spaces): the core's own rule.
std::string Normalized(std::string_view name) { return CheckName(name).normalized; }

std::map<std::string, Person> LoadPeople(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw UsageError{"cannot read " + path};
  std::string line;
  std::getline(file, line);
  if (server::CsvFields(line) != std::vector<std::string>{"nik", "kk_number", "name", "birth_date", "sex"}) {
    throw UsageError{path + ": the first line must be nik,kk_number,name,birth_date,sex"};
  }
  std::map<std::string, Person> people;
  for (int number = 2; std::getline(file, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> f = server::CsvFields(line);
    if (f.size() != 5) throw UsageError{path + ":" + std::to_string(number) + ": five fields expected"};
    people[f[0]] = {f[1], Normalized(f[2]), f[3], f[4]};
  }
  return people;
}

class RegistrySim final : public server::HttpHandler {
 public:
  RegistrySim(std::map<std::string, Person> people, double fail_rate, int latency_ms)
      : people_(std::move(people)), fail_rate_(fail_rate), latency_ms_(latency_ms) {}

  HttpResponse Handle(const HttpRequest& request) override {
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/healthz") return Json(200, {{"status", "ok"}, {"people", people_.size()}});
    if (path != "/v1/verify") return Json(404, {{"error", "not_found"}});
    if (request.method != "POST") return Json(405, {{"error", "method_not_allowed"}});
    if (latency_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(latency_ms_));
    if (Fails()) return Json(503, {{"error", "unavailable"}});

    const server::json body = NestedDeeperThan(request.body) ? server::json() : server::json::parse(request.body, nullptr, false);
    using server::Field, server::TextOf;
    const std::string request_id = TextOf(Field(body, "request_id")), nik = TextOf(Field(body, "nik"));
    for (const char* key : {"request_id", "nik", "kk_number", "name", "birth_date", "sex", "purpose"}) {
      if (TextOf(Field(body, key)).empty()) return Json(400, {{"error", "bad_request"}, {"field", key}});
    }
    const server::json& consent = Field(body, "consent");
    if (TextOf(Field(consent, "given_at")).empty() || TextOf(Field(consent, "text_version")).empty()) {
      return Json(400, {{"error", "bad_request"}, {"field", "consent"}});
    }
    const auto found = people_.find(nik);
    if (found == people_.end()) {
      return Json(200, {{"request_id", request_id}, {"result", "not_found"},
                        {"fields", {{"kk_number", false}, {"name", false}, {"birth_date", false}, {"sex", false}}}});
    }
    const Person& p = found->second;
    const server::json fields = {{"kk_number", TextOf(Field(body, "kk_number")) == p.kk_number},
                                 {"name", Normalized(TextOf(Field(body, "name"))) == p.name},
                                 {"birth_date", TextOf(Field(body, "birth_date")) == p.birth_date},
                                 {"sex", TextOf(Field(body, "sex")) == p.sex}};
    bool all = true;
    for (const auto& [unused, same] : fields.items()) all = all && same == true;
    return Json(200, {{"request_id", request_id}, {"result", all ? "match" : "mismatch"}, {"fields", fields}});
  }

  [[nodiscard]] int64_t BodyLimit(const std::string& method, const std::string&, const std::string&) const override {
    return method == "POST" ? 64 << 10 : 0;
  }

 private:
  static HttpResponse Json(int status, const server::json& body) {
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers = {{"Content-Type", "application/json"}};
    r.route = "verify";
    return r;
  }

  bool Fails() {
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0, 1)(random_) < fail_rate_;
  }

  const std::map<std::string, Person> people_;
  const double fail_rate_;
  const int latency_ms_;
  std::mutex mutex_;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace

int RegistrySimulator(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--data", "--listen", "--fail-rate", "--latency-ms", "--tls-cert", "--tls-key", "--client-ca"});
  const auto data = args.Option("--data"), listen = args.Option("--listen");
  if (!data || !listen || !args.positional.empty()) throw UsageError{kSimulatorUsage};
  double fail_rate = 0;
  int latency_ms = 0;
  try {
    fail_rate = std::stod(args.Option("--fail-rate").value_or("0"));
    latency_ms = std::stoi(args.Option("--latency-ms").value_or("0"));
  } catch (const std::exception&) {
    throw UsageError{kSimulatorUsage};
  }
  if (fail_rate < 0 || fail_rate > 1 || latency_ms < 0 || latency_ms > 600000) throw UsageError{kSimulatorUsage};
  server::ListenOptions options;
  const std::size_t colon = listen->rfind(':');
  if (colon == std::string::npos) throw UsageError{kSimulatorUsage};
  options.host = listen->substr(0, colon);
  try {
    options.port = static_cast<unsigned short>(std::stoi(listen->substr(colon + 1)));
  } catch (const std::exception&) {
    throw UsageError{kSimulatorUsage};
  }
  options.tls_cert = args.Option("--tls-cert").value_or("");
  options.tls_key = args.Option("--tls-key").value_or("");
  options.client_ca = args.Option("--client-ca").value_or("");
  if (options.tls_cert.empty() != options.tls_key.empty() || (!options.client_ca.empty() && options.tls_cert.empty())) {
    throw UsageError{kSimulatorUsage};
  }
  RegistrySim sim(LoadPeople(*data), fail_rate, latency_ms);
  const server::Config config;
  return server::RunHttpServer(sim, config, options, [&](const std::string& url) {
    std::cout << "The population registry simulator is serving on " << url << "/v1/verify  (Ctrl-C stops it)\n"
              << std::flush;
  });
}

}  // namespace daftar::cli
