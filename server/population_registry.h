// The population registry (Dukcapil) as Daftar sees it: one call, Verify, whose contract is in
// docs/population-registry.md. An interface, so that the verification job neither knows nor
// cares whether HTTP, a simulator or nothing at all is behind it; the HTTP implementation lives
// with the other Beast code (population_registry_http.cpp), the circuit breaker here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace daftar::server {

// What Daftar sends for one member with a NIK (members without one are never sent).
struct RegistryRequest {
  std::string request_id;  // unique per call; the answer repeats it
  std::string nik, kk_number, name, birth_date, sex;
  std::string consent_given_at, consent_text_version;
};

struct RegistryAnswer {
  enum class Result { kMatch, kMismatch, kNotFound, kUnavailable };
  Result result = Result::kUnavailable;
  std::string request_id;
  std::map<std::string, bool> fields;  // kk_number, name, birth_date, sex: true when they agree
  std::string error;                   // kUnavailable: why, for the operator and the logs
};

[[nodiscard]] std::string_view ResultName(RegistryAnswer::Result result);

// The request body of the contract.
[[nodiscard]] std::string RegistryRequestJson(const RegistryRequest& request);
// An HTTP answer read as the contract says: anything but a 200 with a well-formed body naming the
// same request_id is kUnavailable.
[[nodiscard]] RegistryAnswer ParseRegistryAnswer(int status, std::string_view body, const std::string& request_id);

class PopulationRegistry {
 public:
  virtual ~PopulationRegistry() = default;
  // Thread-safe: the verification workers call it concurrently.
  virtual RegistryAnswer Verify(const RegistryRequest& request) = 0;
};

// Stops calling a registry that keeps failing: after `failures` unavailable answers in a row it
// answers kUnavailable itself for `open_seconds`, then lets one call through (half-open); a
// success closes it again. Protects the registry from a crowd of retries when it is down, and
// the workers from waiting out a timeout per member.
class CircuitBreaker final : public PopulationRegistry {
 public:
  CircuitBreaker(std::unique_ptr<PopulationRegistry> inner, int failures, int open_seconds,
                 std::function<int64_t()> unix_seconds);

  RegistryAnswer Verify(const RegistryRequest& request) override;
  [[nodiscard]] bool open() const;
  [[nodiscard]] uint64_t calls() const;  // calls that reached the registry

 private:
  std::unique_ptr<PopulationRegistry> inner_;
  const int failures_;
  const int open_seconds_;
  std::function<int64_t()> unix_seconds_;
  mutable std::mutex mutex_;
  int consecutive_failures_ = 0;
  int64_t open_until_ = 0;
  bool trial_in_flight_ = false;
  uint64_t calls_ = 0;
};

// The wait before retry `attempt` (1, 2, …): exponential from `base` up to `cap` seconds, with
// "equal jitter" (half fixed, half random from `unit_random` in [0, 1)) so that registrations
// that failed together do not all come back at the same second.
[[nodiscard]] int64_t BackoffSeconds(int attempt, int64_t base, int64_t cap, double unit_random);

}  // namespace daftar::server
