// Background workers that repeat one step: while the step finds work they go on at once; when it
// finds none they wait for a wake-up (new work queued here) or the poll interval (retries coming
// due, work other servers queued or abandoned). Used by the verification and notification jobs.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace daftar::server {

class Workers {
 public:
  Workers() = default;
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;
  ~Workers() { Stop(); }

  // `step` returns true when it did some work (then it runs again at once).
  void Start(int count, std::function<bool()> step, std::chrono::milliseconds poll = std::chrono::milliseconds(500)) {
    for (int i = 0; i < count; ++i) {
      threads_.emplace_back([this, step, poll] {
        while (!stopping_) {
          if (step()) continue;
          std::unique_lock lock(mutex_);
          const uint64_t seen = wakeups_;
          wake_.wait_for(lock, poll, [&] { return stopping_ || wakeups_ != seen; });
        }
      });
    }
  }

  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  void Wake() {
    {
      std::lock_guard lock(mutex_);
      ++wakeups_;
    }
    wake_.notify_one();
  }

  [[nodiscard]] bool stopping() const { return stopping_; }

 private:
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards wakeups_
  std::condition_variable wake_;
  uint64_t wakeups_ = 0;
};

}  // namespace daftar::server
