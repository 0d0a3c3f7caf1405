// HTTP onto the registry, without sockets: a request in, a response out. Beast stays in
// http_server.cpp; this file is tested and reasoned about as a pure function of its inputs and
// the injected registry, clock and configuration.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "http_types.h"
#include "operators.h"
#include "registry.h"
#include "uploads.h"

namespace daftar::server {

// A problem+json answer for `code`, with its message from the catalogue.
[[nodiscard]] HttpResponse ProblemResponse(int status, std::string code, std::string route = "",
                                           std::string path = "", std::vector<Param> params = {});

struct RouterOptions {
  std::string data_dir;
  std::string web_root;
  std::string version;
  bool dev = false;  // `serve --dev`: the admin token acts as a supervisor named "dev-admin"
};

class Verifier;
class Notifier;

class Router final : public HttpHandler {
 public:
  Router(Registry& registry, const Config& config, const ServerKeys& keys, Clock clock, RouterOptions options);

  HttpResponse Handle(const HttpRequest& request) override;
  // The largest body a request may carry, known from its head before the body is read: a
  // package where one is expected, a small JSON document elsewhere, nothing on reads.
  [[nodiscard]] int64_t BodyLimit(const std::string& method, const std::string& target,
                                  const std::string& content_type) const override;
  // Called by the server after each response is written.
  void Observe(const std::string& route, int status, double seconds) override;
  // Deletes expired uploads and expires unpaid registrations; the server calls it now and then.
  void Sweep() override;
  // The verification workers, for /metrics (none without a population registry).
  void SetVerifier(const Verifier* verifier) { verifier_ = verifier; }
  void SetNotifier(const Notifier* notifier) { notifier_ = notifier; }

 private:
  HttpResponse Api(const HttpRequest& request, const std::string& path);
  HttpResponse Uploads(const HttpRequest& request, const std::string& id);
  HttpResponse Registrations(const HttpRequest& request);
  HttpResponse Corrections(const HttpRequest& request, const std::string& reference);
  HttpResponse Facilities(const HttpRequest& request);
  // A package from the body, or from a finished tus upload named by {"upload": id}; or a refusal.
  std::variant<std::string, HttpResponse> PackageOf(const HttpRequest& request, const std::string& route, std::string& upload_id);
  HttpResponse Bank(const HttpRequest& request, const std::string& what);
  HttpResponse Operator(const HttpRequest& request, const std::vector<std::string>& s);
  HttpResponse MemberSession(const HttpRequest& request, const std::string& what);
  HttpResponse Me(const HttpRequest& request, const std::vector<std::string>& s);
  // The signed-in operator of a request: a Bearer session, or the console's cookie with its
  // CSRF header on changes (and the admin token under --dev).
  std::optional<OperatorIdentity> SignedIn(const HttpRequest& request, HttpResponse& refusal);
  HttpResponse Static(const HttpRequest& request, const std::string& path);
  HttpResponse Metrics();
  HttpResponse ConfigDocument();
  bool Allow(const std::string& client, const std::string& bucket, int per_minute);
  // Free space under the data folder is below limits.min_free_disk_bytes.
  [[nodiscard]] bool LowOnDisk() const;

  Registry& registry_;
  const Config& config_;
  const ServerKeys& keys_;
  Clock clock_;
  RouterOptions options_;

  UploadStore uploads_;
  Operators operators_;
  const Verifier* verifier_ = nullptr;
  const Notifier* notifier_ = nullptr;

  std::mutex buckets_mutex_;  // the rate buckets
  struct Bucket {
    double tokens = 0;
    int64_t at = 0;
  };
  std::map<std::pair<std::string, std::string>, Bucket> buckets_;

  std::mutex metrics_mutex_;  // the request counters and latencies
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::vector<uint64_t> latency_buckets_;
  double latency_sum_ = 0;
  uint64_t latency_count_ = 0;
};

}  // namespace daftar::server
