// The verification job: registrations waiting in `verifying` are compared with the population
// registry, member by member, by workers in the server. Jobs are rows (verification_jobs) claimed
// with a lease, so they survive restarts and kill -9 and any replica may take one over; at most
// `concurrency` registry calls are in flight per server; an unavailable registry means a retry
// with backoff and jitter, never a silent give-up (the status says the family waits).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>

#include "config.h"
#include "population_registry.h"
#include "registry.h"
#include "workers.h"

namespace daftar::server {

class Verifier {
 public:
  Verifier(Registry& registry, PopulationRegistry& adapter, const PopulationRegistryConfig& config);
  ~Verifier();  // stops and joins the workers

  // Starts `config.concurrency` workers.
  void Start() { workers_.Start(config_.concurrency, [this] { return WorkOne(); }); }
  void Stop() { workers_.Stop(); }
  // A job was queued: a waiting worker looks now rather than at its next poll.
  void Wake() { workers_.Wake(); }

  // Claims one due job and works it; false when none was due. (The workers' step; tests and
  // benchmarks may call it directly.)
  bool WorkOne();

  // For /metrics.
  [[nodiscard]] uint64_t unavailable_answers() const { return unavailable_; }
  [[nodiscard]] uint64_t concluded() const { return concluded_; }

 private:
  void Work(const VerificationJobRow& job);

  Registry& registry_;
  PopulationRegistry& adapter_;
  const PopulationRegistryConfig config_;
  Workers workers_;
  std::mutex mutex_;  // guards random_
  std::mt19937_64 random_{std::random_device{}()};
  std::atomic<uint64_t> unavailable_{0}, concluded_{0};
};

}  // namespace daftar::server
