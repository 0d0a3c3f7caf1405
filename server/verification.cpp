#include "verification.h"

#include <chrono>
#include <iostream>

namespace daftar::server {

Verifier::Verifier(Registry& registry, PopulationRegistry& adapter, const PopulationRegistryConfig& config)
    : registry_(registry), adapter_(adapter), config_(config) {}

Verifier::~Verifier() { Stop(); }

void Verifier::Start() {
  for (int i = 0; i < config_.concurrency; ++i) {
    workers_.emplace_back([this] {
      while (!stopping_) {
        if (WorkOne()) continue;
        // Nothing due: wait for a new job, or poll now and then for retries and for jobs that
        // other servers queued or abandoned.
        std::unique_lock lock(mutex_);
        const uint64_t seen = wakeups_;
        wake_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_ || wakeups_ != seen; });
      }
    });
  }
}

void Verifier::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void Verifier::Wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakeups_;
  }
  wake_.notify_one();
}

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
      if (stopping_) return;  // the lease runs out and the job is taken up again
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
