// What the registry keeps, in the registry's own words: registrations, members, numbers,
// payments, the audit chain, bank nonces, rate counts. Every query lives here, written once for
// both back ends (storage.h says how they differ); the registry holds no SQL.
//
// Reads are methods of Store. Changes are made inside Store::Write(job), where `job` gets a
// Changes object: all of a job's changes are durable together or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage.h"

namespace daftar::server {

struct RegistrationRow {
  int64_t id = 0;
  std::string reference, status, klass, created_date, segment, head_name;
  std::optional<std::string> va;
  int64_t bill_amount = 0;
  std::string earliest, latest;
};

struct MemberRow {
  int64_t position = 0;
  std::string name, relationship;
  std::optional<std::string> nik_masked, card_number;
};

struct PaymentRow {
  int64_t amount = 0;
  std::string paid_at, bank_id, bank_ref, receipt;
};

struct ReviewRow {
  std::string reference, received, warnings;
  int64_t members = 0;
};

struct AuditRow {
  int64_t seq = 0;
  std::string at, event, subject, detail, prev, hash;
};

struct NewRegistration {
  std::string reference, status, created_at, created_date, segment, klass, head_name, warnings;
  int64_t bill_amount = 0;
  std::string idempotency_key;  // empty: none
  std::string package, package_hash;  // the hash only with an idempotency key
};

// The changes one write job makes (see Store::Write).
class Changes {
 public:
  explicit Changes(Connection& c) : c_(c) {}

  enum class Outcome { kOk, kConflict, kFailed };  // kConflict: a unique key already taken

  // The new registration's id; kConflict when its idempotency key is taken.
  Outcome AddRegistration(const NewRegistration& r, int64_t& id);
  // kConflict when the NIK (its keyed hash) is already registered.
  Outcome AddMember(int64_t registration, int64_t position, const std::optional<std::string>& nik_hash,
                    const std::optional<std::string>& nik_masked, const std::string& name, const std::string& relationship);
  // kConflict when this bank's reference, or a payment for this registration, exists.
  Outcome AddPayment(int64_t registration, const std::string& bank_id, const std::string& bank_ref, int64_t amount,
                     const std::string& paid_at, const std::string& received_at, const std::string& receipt);

  std::vector<MemberRow> Members(int64_t registration);
  [[nodiscard]] std::vector<int64_t> NextCardSerials(int n) { return c_.NextCardSerials(n); }
  bool SetCardNumber(int64_t registration, int64_t position, const std::string& card);
  bool SetBill(int64_t registration, const std::string& va, const std::string& earliest, const std::string& latest);

  // The id and status of `reference`, if there is one.
  std::optional<std::pair<int64_t, std::string>> IdAndStatus(const std::string& reference);
  // Moves `registration` from status `from` to `to`; false if it was not in `from` (another
  // server or operator got there first) or storage failed.
  bool MoveStatus(int64_t registration, const std::string& from, const std::string& to);
  bool SetDecision(int64_t registration, const std::string& decision);
  // The family may register again: its NIKs no longer count as registered.
  bool FreeNiks(int64_t registration);
  // Background jobs, each claimed by one server at a time (any replica): false if another has it.
  enum class Job : int64_t { kExpireUnpaid = 1 };
  bool Claim(Job job) { return c_.ClaimJob(static_cast<int64_t>(job)); }
  // Verified registrations whose last payment day is before `today`: (id, reference).
  std::vector<std::pair<int64_t, std::string>> UnpaidPastWindow(const std::string& today);

  // The audit chain's last link (seq 0 and 32 zero bytes when empty), locked until the job ends.
  std::optional<std::pair<int64_t, std::string>> LastAuditLink();
  bool AddAudit(const AuditRow& row);

  // Records a bank's nonce; false if it was seen before.
  bool RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at);
  // Nonces seen before `before` can never come back (their timestamps are refused): forgotten.
  bool ForgetNonces(int64_t before);
  // One more request from `client` on `bucket` in `minute`; the count so far, 0 on failure.
  int64_t CountRequest(const std::string& client, const std::string& bucket, int64_t minute);
  bool ForgetRequestCounts(int64_t before_minute);

 private:
  Connection& c_;
};

class Store {
 public:
  explicit Store(Database& db) : db_(db) {}

  // Runs `job` with the changes it makes, durably and all together; false if the job returned
  // false or storage failed (then nothing of it remains).
  bool Write(const std::function<bool(Changes&)>& job) {
    return db_.Write([&](Connection& c) {
      Changes changes(c);
      return job(changes);
    });
  }

  struct Idempotent {
    std::string reference, first_status, package_hash;
  };
  std::optional<Idempotent> FindByIdempotencyKey(const std::string& key);
  std::optional<RegistrationRow> FindByReference(const std::string& reference);
  std::optional<RegistrationRow> FindByVa(const std::string& va);
  std::vector<MemberRow> Members(int64_t registration);
  std::vector<PaymentRow> Payments(int64_t registration);
  std::optional<std::string> ReceiptFor(const std::string& bank_id, const std::string& bank_ref);
  std::vector<ReviewRow> ReviewQueue();
  std::map<std::string, int64_t> CountByStatus();
  std::optional<std::string> Package(const std::string& reference);
  // Calls `visit` for each audit entry in order; false if reading failed.
  bool ForEachAudit(const std::function<void(const AuditRow&)>& visit);

  Database& database() { return db_; }

 private:
  Database& db_;
};

}  // namespace daftar::server
