// The registry: what the server does with registrations, numbers and payments. Plain functions
// of their inputs and the injected clock, storage, configuration and keys; they answer an HTTP
// status and a JSON body, and know nothing of sockets (router.h maps HTTP onto them).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config.h"
#include "daftar/date.h"
#include "population_registry.h"
#include "store.h"

namespace daftar::server {

using json = nlohmann::ordered_json;

struct Answer {
  int status = 200;
  json body;
  int64_t retry_after = 0;  // seconds, for a refusal that passes with time (Retry-After)
};

// The clock, injected so tests can set the date.
struct Clock {
  std::function<Date()> today;             // the server's local date
  std::function<std::string()> now;        // ISO 8601 UTC timestamp
  std::function<int64_t()> unix_seconds;
};
[[nodiscard]] Clock SystemClock();
// The calendar from a file (`serve --clock-file`): today() is the date ("YYYY-MM-DD") the file
// holds when asked, now() that date with the system's time of day; durations (unix_seconds)
// follow the system clock. A file that cannot be read as a date falls back to the system's date.
[[nodiscard]] Clock FileCalendarClock(std::string path);
// The date in the file at `path`, if it holds one.
[[nodiscard]] std::optional<Date> ReadClockFile(const std::string& path);
// Unix seconds as ISO 8601 UTC, "2026-12-01T03:04:05Z" (the form of Clock::now).
[[nodiscard]] std::string IsoTimestamp(int64_t unix_seconds);

// An RFC 9457 problem: {"type","title","status","errors":[{path,code,params,message}]}.
[[nodiscard]] Answer Problem(int status, const Findings& findings);
[[nodiscard]] Answer Problem(int status, std::string code, std::string path = "", std::vector<Param> params = {});

// The operator a decision or a view is recorded under (operators.h signs them in).
struct OperatorIdentity {
  int64_t id = 0;
  std::string name, role;  // role: "reviewer" or "supervisor"
  [[nodiscard]] bool supervisor() const { return role == "supervisor"; }
};

// A stored document as an operator receives it.
struct CaseDocument {
  std::string kind, media_type, bytes;
  std::optional<int64_t> member;
};

// One member's question to the population registry, and where its answer goes.
struct PendingCheck {
  int64_t position = 0;
  RegistryRequest request;
};

class Registry {
 public:
  Registry(Database& db, const Config& config, const ServerKeys& keys, Clock clock)
      : store_(db), config_(config), keys_(keys), clock_(std::move(clock)) {}

  // A sealed package: opened, re-validated with the server's today, stored durably. With a
  // population registry configured it is stored as `verifying` with a verification job.
  Answer Register(std::string_view package, const std::string& idempotency_key);
  // What the applicant sees; a wrong token answers exactly like an unknown reference.
  Answer Status(const std::string& reference, std::string_view token);
  // A corrected package for a registration in `needs_correction` (202): it replaces the
  // application (the old package is kept), and the registration is checked again.
  Answer Correct(const std::string& reference, std::string_view token, std::string_view package);

  // Banks.
  Answer Inquiry(const json& request);
  Answer Payment(const std::string& bank_id, const json& request);

  // Operators: the queue, a case (every view audited), its documents, and decisions. Approving
  // over a registry mismatch, or a case waiting for the family's correction, needs a supervisor.
  Answer ReviewQueue(const QueueFilter& filter);
  Answer Case(const std::string& reference, const OperatorIdentity& who);
  std::optional<CaseDocument> Document(const std::string& reference, std::size_t index, const OperatorIdentity& who);
  Answer Approve(const std::string& reference, const OperatorIdentity& who, const json& request);
  Answer Reject(const std::string& reference, const OperatorIdentity& who, const json& request);
  Answer RequestCorrection(const std::string& reference, const OperatorIdentity& who, const json& request);
  // Changes that need a person (a member joining or leaving, an early facility change): the
  // queue, one change with its documents' list (viewing audited), a document, and the decision.
  // Approving a member who joins gives it a card number; a death ends cover after its month.
  Answer ChangeQueue();
  Answer ChangeCase(int64_t change, const OperatorIdentity& who);
  std::optional<CaseDocument> ChangeDocument(int64_t change, std::size_t index, const OperatorIdentity& who);
  Answer DecideChange(int64_t change, const OperatorIdentity& who, bool approve, const json& request);
  // The reasons an operator may give for a rejection (reason.* codes) with their messages.
  static json RejectionReasons();

  // The population registry check, step by step for the verification job (verification.h):
  // the questions still open for a registration (nullopt when it is no longer `verifying`, or
  // its package cannot be read now: the conclusion then ends or keeps the job), each answer as it
  // comes, and the conclusion once all are in.
  std::optional<std::vector<PendingCheck>> PendingChecks(int64_t registration);
  bool RecordCheck(int64_t registration, int64_t position, const RegistryAnswer& answer);
  // Decides verified / needs_correction / review from the stored answers, in one transaction
  // that also ends the job. Returns the new status; "" if storage failed or an answer is
  // missing (then the job stays leased and is taken up again).
  std::string ConcludeVerification(int64_t registration, bool then_review);
  // Called after a verification job was queued, so a waiting worker starts at once.
  void SetJobListener(std::function<void()> listener) { job_listener_ = std::move(listener); }

  // Verified registrations whose payment window closed unpaid become `expired` (audited), which
  // frees their NIKs. Idempotent; the server runs it at start and now and then. Returns how many.
  int ExpireUnpaid();

  // One step of the calendar job, which brings every paying family up to today once a day (and
  // at start): records the month's bill, a suspension (audited, the family told) and the reminder
  // 3 days before the due date, each once however often it runs and on however many servers.
  // Works through the next `batch` families; false when today's roll is done.
  bool RollCalendar(int batch = 200);

  // Members (members.cpp). Signing in: a 6-digit code to the family's phone (or e-mail) for a
  // card number, or a NIK with its birth date; the answer has the same shape whether or not the
  // member exists. Then the member's page and the changes the rules allow (daftar/change.h).
  Answer StartSession(const json& request);  // 202 {"challenge", "sent_to"}
  // Whether a person is registered already, asked before any upload: only the NIK, the birth date
  // and the KK number together are recognised, and the answer says nothing else.
  Answer CoverageCheck(const json& request);  // 200 {"registered", "message"?}
  Answer VerifySession(const json& request);  // 200 {"session", "expires_at"}
  Answer EndSession(std::string_view session);
  std::optional<MemberRef> SessionOf(std::string_view session);
  Answer Me(const MemberRef& who);
  // A change without documents (JSON), or with them: a sealed package whose manifest is the
  // change (schema "daftar.change/1"), kept sealed for the operator who reviews it.
  Answer RequestChange(const MemberRef& who, const json& change);
  Answer RequestDocumentChange(const MemberRef& who, std::string_view package);
  // A new phone or e-mail takes effect once the code sent to it comes back.
  // Confirmed, it ends every other session of the family (`session`, the one confirming, stays).
  Answer ConfirmChange(const MemberRef& who, std::string_view session, const std::string& change, const json& request);
  // Forgets expired codes and sessions; the server calls it now and then.
  void ForgetMemberSecrets();

  // Records a bank call's nonce; false if that bank already used it (a replay) or storage failed.
  [[nodiscard]] bool RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at);

  // A message's secret (a code) as the outbox keeps it: sealed (XSalsa20-Poly1305) under a key
  // derived from token.key, as the "code_sealed" parameter. The notifier opens it to send the
  // message and keeps the message without it once sent.
  [[nodiscard]] std::string SealForOutbox(std::string_view secret) const;
  [[nodiscard]] std::optional<std::string> OpenFromOutbox(std::string_view sealed) const;
  static constexpr std::string_view kSealedCode = "code_sealed";

  const Clock& clock() const { return clock_; }
  // The store under the registry, for the parts of the server that keep state there too.
  Store& store() { return store_; }
  Database& database() { return store_.database(); }

  // Counts for /metrics: registrations by status.
  json Counts();

  // The access token for a reference: an HMAC, so it is never stored and a retry can repeat it.
  [[nodiscard]] std::string AccessToken(const std::string& reference) const;
  // Its short form, for people to write down and type on another phone: 12 characters of
  // Crockford's base32 in three groups ("7K2M-Q9XD-4HTR", 60 bits; lookups are rate-limited).
  [[nodiscard]] std::string AccessCode(const std::string& reference) const;
  // Whether `token` (the access token, or the access code as typed) opens `reference`.
  [[nodiscard]] bool MayRead(const std::string& reference, std::string_view token) const;

 private:
  // What Register and Correct both do with a package: open it, check it again, price it.
  struct Admission {
    std::optional<Answer> refusal;
    json normalized, warnings;
    int64_t bill = 0;
    std::string facility;  // the chosen FKTP's code, if any
  };
  Admission Admit(std::string_view package);
  // The family's monthly account for today, from the core (daftar/account.h): its classes,
  // members and months paid in; the core's errors (a month no tariff prices) as a refusal.
  struct AccountAnswer {
    json account;
    std::optional<Answer> refusal;
    std::map<std::string, int64_t> next_part;  // "YYYY-MM" -> the part a payment of it would be
  };
  AccountAnswer AccountOf(const RegistrationRow& r, int64_t months_ahead, const json& paying = json::array());
  // What the family's changes add up to today: the class and facility in force (and scheduled),
  // when each last changed, and the classes month by month for its account.
  struct FamilyNow {
    std::string class_key, facility;          // the latest asked for (in force or scheduled)
    std::string class_today, facility_today;  // in force today
    std::optional<Date> last_class_change, last_facility_change;
    json classes = json::array();             // [{"from": "YYYY-MM", "class"}] for the account
    std::vector<FamilyChangeRow> changes;
  };
  FamilyNow FamilyOf(const RegistrationRow& r);
  // The core's "family" for a change (daftar/change.h): what the browser checks offline too.
  static json ChangeFamily(const RegistrationRow& r, const FamilyNow& family, const json& account, const std::string& today,
                           const std::vector<MemberRow>& members);
  Answer StoreChange(const MemberRef& who, const json& change, std::string_view package);
  // The facility an application chose: its place taken for the family's members (guarded by the
  // facility's capacity) and recorded as the family's first facility. `full` when there is no room.
  bool TakeFacilityPlace(Changes& c, int64_t registration, const std::string& code, bool& full);
  // A registration that ends unpaid (rejected, expired) or is corrected gives its places back.
  bool ReleaseFacilityPlace(Changes& c, int64_t registration);
  // Queues a message to one recipient (a new phone, a sign-in code) rather than to the family's contact.
  bool NotifyAddress(Changes& c, const std::string& event, const std::string& channel, const std::string& to,
                     const std::string& language, const std::string& template_code, const json& params,
                     const std::string& at);
  // Card numbers, the virtual account and the payment window (audited), and the family told.
  bool IssueNumbers(Changes& c, int64_t registration, Date date, const std::string& at, const std::string& reference,
                    int64_t amount);
  // Queues `template_code` with `params` to the family on every channel that reaches it and that
  // this server sends on, once per `event` (the outbox's dedupe key); false only if storage failed.
  bool NotifyFamily(Changes& c, int64_t registration, const std::string& event, const std::string& template_code,
                    json params, const std::string& at);
  Answer Decide(const std::string& reference, const std::vector<std::string>& from, const std::string& to,
                const std::function<std::optional<Answer>(Changes&, const RegistrationRow&)>& apply);
  // The application as stored (its package opened), normalized by the rules as of its day.
  std::optional<json> StoredApplication(const std::string& reference, std::vector<std::string>* documents = nullptr);
  [[nodiscard]] bool RegistryConfigured() const { return config_.population_registry.has_value(); }
  void JobQueued() {
    if (job_listener_) job_listener_();
  }

  Store store_;
  const Config& config_;
  const ServerKeys& keys_;
  Clock clock_;
  std::function<void()> job_listener_;
};

// A bank call's X-Timestamp may differ from the server's clock by at most this.
inline constexpr int64_t kBankClockSkewSeconds = 300;

// Recomputes the audit chain with the audit key. Findings are empty when every link holds.
[[nodiscard]] Findings VerifyAuditChain(Store& store, const std::string& audit_key, int64_t& entries);

}  // namespace daftar::server
