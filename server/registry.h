// The registry: what the server does with registrations, numbers and payments. Plain functions
// of their inputs and the injected clock, storage, configuration and keys; they answer an HTTP
// status and a JSON body, and know nothing of sockets (router.h maps HTTP onto them).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config.h"
#include "daftar/date.h"
#include "store.h"

namespace daftar::server {

using json = nlohmann::ordered_json;

struct Answer {
  int status = 200;
  json body;
};

// The clock, injected so tests can set the date.
struct Clock {
  std::function<Date()> today;             // the server's local date
  std::function<std::string()> now;        // ISO 8601 UTC timestamp
  std::function<int64_t()> unix_seconds;
};
[[nodiscard]] Clock SystemClock();

// An RFC 9457 problem: {"type","title","status","errors":[{path,code,params,message}]}.
[[nodiscard]] Answer Problem(int status, const Findings& findings);
[[nodiscard]] Answer Problem(int status, std::string code, std::string path = "", std::vector<Param> params = {});

class Registry {
 public:
  Registry(Database& db, const Config& config, const ServerKeys& keys, Clock clock)
      : store_(db), config_(config), keys_(keys), clock_(std::move(clock)) {}

  // A sealed package: opened, re-validated with the server's today, stored durably.
  Answer Register(std::string_view package, const std::string& idempotency_key);
  // What the applicant sees; a wrong token answers exactly like an unknown reference.
  Answer Status(const std::string& reference, std::string_view token);

  // Banks.
  Answer Inquiry(const json& request);
  Answer Payment(const std::string& bank_id, const json& request);

  // Operators.
  Answer ReviewQueue();
  Answer Approve(const std::string& reference);
  Answer Reject(const std::string& reference, const json& request);

  // Verified registrations whose payment window closed unpaid become `expired` (audited), which
  // frees their NIKs. Idempotent; the server runs it at start and now and then. Returns how many.
  int ExpireUnpaid();

  // Records a bank call's nonce; false if that bank already used it (a replay) or storage failed.
  [[nodiscard]] bool RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at);

  // The store under the registry, for the parts of the server that keep state there too.
  Store& store() { return store_; }
  Database& database() { return store_.database(); }

  // Counts for /metrics: registrations by status.
  json Counts();

  // The access token for a reference: an HMAC, so it is never stored and a retry can repeat it.
  [[nodiscard]] std::string AccessToken(const std::string& reference) const;

 private:
  Answer Decide(const std::string& reference, const std::string& status,
                const std::function<bool(Changes&, int64_t id)>& apply);

  Store store_;
  const Config& config_;
  const ServerKeys& keys_;
  Clock clock_;
};

// A bank call's X-Timestamp may differ from the server's clock by at most this.
inline constexpr int64_t kBankClockSkewSeconds = 300;

// Recomputes the audit chain with the audit key. Findings are empty when every link holds.
[[nodiscard]] Findings VerifyAuditChain(Store& store, const std::string& audit_key, int64_t& entries);

}  // namespace daftar::server
