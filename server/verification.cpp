#include "verification.h"

#include <iostream>

namespace daftar::server {

Verifier::Verifier(Registry& registry, PopulationRegistry& adapter, const PopulationRegistryConfig& config)
    : registry_(registry), adapter_(adapter), config_(config) {}

Verifier::~Verifier() { Stop(); }

bool Verifier::WorkOne() {
  const int64_t now = registry_.clock().unix_seconds();
  std::vector<VerificationJobRow> claimed;
  const bool ok = registry_.store().Write([&](Changes& c) {
    claimed = c.ClaimVerificationJobs(now, now + config_.lease_seconds, 1);
    return true;
  });
  if (!ok || claimed.empty()) return false;
  Work(claimed.front());
  return true;
}

void Verifier::Work(const VerificationJobRow& job) {
  const std::optional<std::vector<PendingCheck>> pending = registry_.PendingChecks(job.registration);
  if (pending) {
    for (const PendingCheck& check : *pending) {
      if (workers_.stopping()) return;  // the lease runs out and the job is taken up again
      const RegistryAnswer answer = adapter_.Verify(check.request);
      if (answer.result == RegistryAnswer::Result::kUnavailable) {
        ++unavailable_;
        double unit = 0;
        {
          std::lock_guard lock(mutex_);
          unit = std::uniform_real_distribution<double>(0, 1)(random_);
        }
        const int64_t attempts = job.attempts + 1;
        const int64_t wait = BackoffSeconds(static_cast<int>(attempts), config_.retry_base_seconds, config_.retry_max_seconds, unit);
        (void)registry_.store().Write([&](Changes& c) {
          return c.RescheduleVerificationJob(job.registration, registry_.clock().unix_seconds() + wait, attempts, answer.error);
        });
        if (attempts == 1 || attempts % 10 == 0) {
          std::cerr << "daftar: population registry unavailable (" << answer.error << "); registration "
                    << job.registration << " retries in " << wait << " s (attempt " << attempts << ")\n";
        }
        return;
      }
      if (!registry_.RecordCheck(job.registration, check.position, answer)) return;  // the lease runs out; retried
    }
  }
  // Every answer is in (or the registration moved on meanwhile): decide, and end the job.
  if (!registry_.ConcludeVerification(job.registration, job.then_review).empty()) ++concluded_;
}

}  // namespace daftar::server
