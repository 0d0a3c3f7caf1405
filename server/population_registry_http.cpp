// The population registry over HTTP(S), as docs/population-registry.md specifies: one POST per
// member, a deadline per call, optional mutual TLS. Retries and the circuit breaker are not here:
// the verification job retries with backoff, CircuitBreaker stops calling a failing registry.
#include "population_registry_http.h"

#include "http_client.h"

namespace daftar::server {
namespace {

class HttpPopulationRegistry final : public PopulationRegistry {
 public:
  HttpPopulationRegistry(HttpUrl url, ClientTls tls, int timeout_ms)
      : url_(std::move(url)), tls_(std::move(tls)), timeout_(timeout_ms) {}

  RegistryAnswer Verify(const RegistryRequest& request) override {
    const FetchResult r = Fetch(url_, "POST", "/v1/verify", {{"Content-Type", "application/json"}},
                                RegistryRequestJson(request), timeout_, tls_);
    if (r.status == 0) {
      RegistryAnswer unavailable;
      unavailable.request_id = request.request_id;
      unavailable.error = r.error;
      return unavailable;
    }
    return ParseRegistryAnswer(r.status, r.body, request.request_id);
  }

 private:
  const HttpUrl url_;
  const ClientTls tls_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<PopulationRegistry> MakeHttpPopulationRegistry(const PopulationRegistryConfig& config,
                                                               std::string& error) {
  const std::optional<HttpUrl> url = HttpUrl::Parse(config.url);
  if (!url) {
    error = "population_registry.url must be http://HOST:PORT or https://HOST:PORT (with an optional path)";
    return nullptr;
  }
  return std::make_unique<HttpPopulationRegistry>(*url, ClientTls{config.ca_file, config.client_cert, config.client_key},
                                                  config.timeout_ms);
}

}  // namespace daftar::server
