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
  std::string created_at, warnings, population_check;
  std::optional<std::string> district_code, corrections, decision;
};

struct MemberRow {
  int64_t position = 0;
  std::string name, relationship;
  std::optional<std::string> nik_masked, card_number, birth_date;  // birth_date: not kept before migration 11
  // The first and last month covered ("YYYY-MM"): none for a member since registration, still covered.
  std::optional<std::string> covered_from, covered_until;
  std::optional<std::string> cover_pay_by;  // a newborn covered from birth: its share of months paid, by then
};

struct PaymentRow {
  int64_t amount = 0;
  std::string paid_at, bank_id, bank_ref, receipt;
};

// A month a family has paid for, and by which payment.
struct PaidMonthRow {
  std::string month;  // "YYYY-MM"
  int64_t amount = 0;
  std::string paid_at, bank_id, bank_ref;
  int64_t part = 0;  // 0: the month's bill; 1, 2…: the rest owed when someone joined it after
};

// Where a family hears from us: its application's contact.
struct ContactRow {
  std::optional<std::string> phone, email;
  std::string language = "id";  // "id" or "en"
};

// A message in the outbox: one channel, one recipient; its text is rendered from the catalogue's
// template and params (JSON) when it is sent.
struct OutboxRow {
  int64_t id = 0;
  std::string dedupe, channel, recipient, template_code, params, language, created_at;
  int64_t due = 0, attempts = 0;
};

struct ReviewRow {
  std::string reference, received, warnings, status, population_check;
  int64_t members = 0;
  std::optional<std::string> district_code;
};

// Which cases an operator's queue shows: statuses, a district ("32.04.11") or a regency prefix
// ("32.04"), and cases received on or before a time (older than N days).
struct QueueFilter {
  std::vector<std::string> statuses = {"review", "needs_correction"};
  std::string district;      // "": any
  std::string received_before;  // ISO timestamp; "": any
  int limit = 200;
};

// One member's answer from the population registry: its request id and the field flags, and
// nothing else the registry knows.
struct RegistryCheckRow {
  int64_t registration = 0, position = 0;
  std::string request_id, result, fields, checked_at;  // fields: JSON object of booleans
};

struct VerificationJobRow {
  int64_t registration = 0, due = 0, attempts = 0;
  bool then_review = false;
  std::optional<std::string> last_error;
};

struct OperatorRow {
  int64_t id = 0;
  std::string name, role;
  std::optional<std::string> password_hash;
};

struct OperatorSessionRow {
  OperatorRow who;
  std::string csrf;
  int64_t expires = 0;
};

// Who a sign-in code or a session belongs to: a member of a family. A challenge for someone who
// is not a member has no registration (it is answered alike, and never accepts a code).
struct MemberRef {
  int64_t registration = 0, position = 0;
};

// A code sent to a member: to sign in, or to confirm a new phone or e-mail (`change`).
struct ChallengeRow {
  std::string challenge_hash, subject_hash, purpose, code_hash;
  std::optional<MemberRef> member;
  std::optional<int64_t> change;
  int64_t created = 0, expires = 0, tries = 0;
};

// How often something may be done under one key: `free` times at once, then each time only
// base·2^(n-free) seconds after the last (n: times so far, at most `max_wait_seconds` apart), and
// at most `cap` times in `window_seconds` from the first.
struct Allowance {
  int64_t free = 1, base_seconds = 30, max_wait_seconds = 900, cap = 10, window_seconds = 86400;
};

// The live sign-in code of one card or NIK (`subject_hash`): sent once, accepted by every
// challenge asked for that subject until it expires, is used or has been tried kCodeTries times.
// No member for a subject that is none (such a code accepts nothing).
struct MemberCodeRow {
  std::string subject_hash, code_hash;
  std::optional<MemberRef> member;
  int64_t created = 0, expires = 0, tries = 0;
};

// A change a family asked for: its type, its stored form (JSON) and where it stands.
struct FamilyChangeRow {
  int64_t id = 0, registration = 0, requested_by = 0;  // requested_by: the member's position
  std::string type, status, requested_at, requested_date, effective, detail;
};

// A first-level health facility (FKTP) as operators load it.
struct FacilityRow {
  std::string code, name, type, regency_code, district_code;
  bool accepting = false;
  int64_t capacity = 0, members = 0;
};

// What a correction replaces: the application's stored facts and its package.
struct ReplacedApplication {
  std::string klass, segment, head_name, warnings, package, kk_hash;
  std::optional<std::string> district_code;
  int64_t bill_amount = 0;
};

struct AuditRow {
  int64_t seq = 0;
  std::string at, event, subject, detail, prev, hash;
};

struct NewRegistration {
  std::string reference, status, created_at, created_date, segment, klass, head_name, warnings;
  std::optional<std::string> district_code;
  std::string population_check = "not_configured";
  int64_t bill_amount = 0;
  std::string idempotency_key;  // empty: none
  std::string package, package_hash;  // the hash only with an idempotency key
  std::string kk_hash;                 // the KK number's keyed hash (the coverage check)
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
                    const std::optional<std::string>& nik_masked, const std::string& name, const std::string& relationship,
                    const std::string& birth_date);
  // kConflict when this bank's reference, or a payment for this registration, exists.
  Outcome AddPayment(int64_t registration, const std::string& bank_id, const std::string& bank_ref, int64_t amount,
                     const std::string& paid_at, const std::string& received_at, const std::string& receipt);
  bool SetContact(int64_t registration, const ContactRow& contact);  // replaces the earlier one
  std::optional<ContactRow> Contact(int64_t registration);
  // A message whose dedupe key was queued before is not queued again (each event is told once).
  bool QueueMessage(const OutboxRow& message);
  // Claims up to `limit` unsent messages of `channel` due by `now` whose lease ran out (see
  // verification jobs).
  std::vector<OutboxRow> ClaimMessages(const std::string& channel, int64_t now, int64_t lease_until, int limit);
  // Marks a message sent; `params_kept`, when given, replaces its parameters (a code left out).
  bool MessageSent(int64_t id, const std::string& at, const std::optional<std::string>& params_kept = std::nullopt);
  bool RescheduleMessage(int64_t id, int64_t due, int64_t attempts, const std::string& error);
  // kConflict: that part of the month is paid already.
  Outcome AddPaidMonth(int64_t registration, const PaidMonthRow& month);

  std::vector<MemberRow> Members(int64_t registration);
  [[nodiscard]] std::vector<int64_t> NextCardSerials(int n) { return c_.NextCardSerials(n); }
  bool SetCardNumber(int64_t registration, int64_t position, const std::string& card);
  bool SetMemberCover(int64_t registration, int64_t position, const std::optional<std::string>& from,
                      const std::optional<std::string>& until, const std::optional<std::string>& pay_by = std::nullopt);
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

  // --- the calendar job ---
  // Moves today's roll from (`day`, `last_id`) to (`next_day`, `next_last_id`): false when another
  // server moved it first. last_id -1: that day's roll is done.
  bool AdvanceCalendarRoll(const std::string& day, int64_t last_id, const std::string& next_day, int64_t next_last_id);
  // Records what the calendar did for a family; false when it was recorded before (or failed).
  bool RecordAccountEvent(int64_t registration, const std::string& kind, const std::string& period, int64_t amount,
                          const std::string& at);
  bool Claim(Job job) { return c_.ClaimJob(static_cast<int64_t>(job)); }
  // Verified registrations whose last payment day is before `today`: (id, reference).
  std::vector<std::pair<int64_t, std::string>> UnpaidPastWindow(const std::string& today);

  // --- the population registry check (verification jobs) ---
  bool AddVerificationJob(int64_t registration, int64_t due, bool then_review);
  // Claims up to `limit` jobs due by `now` whose lease ran out, leasing them until `lease_until`:
  // guarded updates, so that of several servers claiming at once each job goes to one.
  std::vector<VerificationJobRow> ClaimVerificationJobs(int64_t now, int64_t lease_until, int limit);
  // The registry was unavailable: try again at `due`, the lease released.
  bool RescheduleVerificationJob(int64_t registration, int64_t due, int64_t attempts, const std::string& error);
  bool DeleteVerificationJob(int64_t registration);
  bool SaveRegistryCheck(const RegistryCheckRow& row);  // replaces the member's earlier result
  std::vector<RegistryCheckRow> RegistryChecks(int64_t registration);
  bool DeleteRegistryChecks(int64_t registration);
  bool SetPopulationCheck(int64_t registration, const std::string& state);
  bool SetCorrections(int64_t registration, const std::optional<std::string>& corrections);
  std::optional<RegistrationRow> Registration(int64_t registration);

  // A correction: the current package is kept in replaced_packages, the registration takes the
  // new application's facts and package, and its members are removed (the caller adds the new ones).
  bool ReplaceApplication(int64_t registration, const ReplacedApplication& next, const std::string& at);

  // --- facilities ---
  // Adds the facility, or updates the one with its code (its member count stays).
  bool UpsertFacility(const FacilityRow& f);

  // Adds `delta` members to a facility's count, only while it accepts members and stays within
  // its capacity (a negative delta always); false when it is full, closed or unknown.
  bool CountFacilityMembers(const std::string& code, int64_t delta);

  // --- members: sign-in codes, sessions, changes ---
  bool AddChallenge(const ChallengeRow& row);
  // One try at a challenge's code, counted before the code is compared (so concurrent tries
  // cannot exceed `max_tries` between them): the challenge with this try counted, or nullopt when
  // it is unknown, expired or out of tries.
  std::optional<ChallengeRow> TakeChallengeTry(const std::string& challenge_hash, int64_t now, int64_t max_tries);
  std::optional<ChallengeRow> Challenge(const std::string& challenge_hash);
  // True only for the one caller that removed it: a code signs in once, however many race.
  bool DeleteChallenge(const std::string& challenge_hash);
  // The subject's code row, locked until the job ends (created empty, expired, when absent).
  std::optional<MemberCodeRow> LockMemberCode(const std::string& subject_hash);
  bool SetMemberCode(const MemberCodeRow& row);
  // One try at the subject's live code, counted before it is compared: the row with this try
  // counted, or nullopt when there is no live code (none, expired, used or out of tries).
  std::optional<MemberCodeRow> TakeMemberCodeTry(const std::string& subject_hash, int64_t now, int64_t max_tries);
  // The code is used: it and every challenge for it end. True only for the one caller that did it.
  bool UseMemberCode(const std::string& subject_hash);
  bool ForgetChallenges(int64_t before);
  bool AddMemberSession(const std::string& token_hash, const MemberRef& who, int64_t expires);
  bool DeleteMemberSession(const std::string& token_hash);
  // Ends every session of a family but the one whose hash is `keep` (a new phone or e-mail).
  bool EndFamilySessions(int64_t registration, const std::string& keep);
  bool ForgetMemberSessions(int64_t before);
  std::optional<int64_t> AddFamilyChange(const FamilyChangeRow& row);
  std::vector<FamilyChangeRow> FamilyChanges(int64_t registration);  // oldest first
  // Moves a change from `from` to `to`; false if it was not in `from` or storage failed.
  bool MoveFamilyChange(int64_t id, const std::string& from, const std::string& to);
  bool SetFamilyChangeDetail(int64_t id, const std::string& detail);
  bool AddChangePackage(int64_t change, std::string_view package);

  // --- operators ---
  Outcome AddOperator(const std::string& name, const std::string& role, const std::string& setup_hash,
                      int64_t setup_expires, const std::string& created_at);
  // A new set-up link for an existing operator (a forgotten password): the old password and every
  // session end at once.
  bool ResetOperator(const std::string& name, const std::string& setup_hash, int64_t setup_expires);
  std::optional<OperatorRow> OperatorBySetup(const std::string& setup_hash, int64_t now);
  bool SetOperatorPassword(int64_t id, const std::string& password_hash);  // and ends the set-up link
  bool AddOperatorSession(const std::string& token_hash, int64_t operator_id, const std::string& csrf, int64_t expires);
  bool DeleteOperatorSession(const std::string& token_hash);
  bool ForgetOperatorSessions(int64_t before);
  // Where an operator signed in before (a device cookie's hash, or a name and address), until `expires`.
  bool TrustForOperator(const std::string& key, int64_t operator_id, int64_t expires);
  [[nodiscard]] bool TrustedForOperator(const std::string& key, int64_t operator_id, int64_t now);
  bool ForgetOperatorTrust(int64_t before);

  // --- throttles: allowances of codes and password tries ---
  // Takes one from the allowance kept under `key` (a keyed hash): 0 when taken, else the seconds
  // until one can be, and nothing is taken. The row is locked first, so replicas on PostgreSQL
  // count one after another.
  int64_t Take(const std::string& key, const Allowance& allowance, int64_t now);
  bool ForgetThrottle(const std::string& key);
  bool ForgetThrottles(int64_t idle_since);  // rows untouched since then (their windows are over)

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
  std::optional<RegistrationRow> FindById(int64_t id);
  std::vector<MemberRow> Members(int64_t registration);
  std::vector<PaymentRow> Payments(int64_t registration);
  std::vector<PaidMonthRow> PaidMonths(int64_t registration);  // oldest first
  // The calendar job's place: (day, last registration id done; -1 when the day is done).
  std::pair<std::string, int64_t> CalendarRoll();
  // Paying families (status active) with an id above `after`, by id.
  std::vector<RegistrationRow> PayingFamilies(int64_t after, int limit);
  struct OutboxCounts {
    int64_t unsent = 0, failing = 0, sent = 0;  // failing: unsent and tried at least once
  };
  OutboxCounts Outbox();
  std::optional<std::string> ReceiptFor(const std::string& bank_id, const std::string& bank_ref);
  std::vector<ReviewRow> ReviewQueue(const QueueFilter& filter);
  std::optional<VerificationJobRow> VerificationJob(int64_t registration);
  std::vector<RegistryCheckRow> RegistryChecks(int64_t registration);
  int64_t VerificationJobsWaiting();  // for /metrics
  std::optional<OperatorRow> OperatorByName(const std::string& name);
  std::optional<OperatorSessionRow> OperatorSession(const std::string& token_hash, int64_t now);
  int64_t ReplacedPackages(int64_t registration);
  // The member holding a card number, or a NIK (its keyed hash) with its birth date.
  std::optional<MemberRef> MemberByCard(const std::string& card);
  std::optional<std::pair<MemberRef, std::optional<std::string>>> MemberByNik(const std::string& nik_hash);  // and birth date
  std::optional<std::string> KkHash(int64_t registration);  // none before migration 12
  std::optional<MemberRef> MemberSession(const std::string& token_hash, int64_t now);
  std::vector<FamilyChangeRow> FamilyChanges(int64_t registration);  // oldest first
  std::optional<FamilyChangeRow> FamilyChange(int64_t id);
  std::vector<FamilyChangeRow> ChangesInReview(int limit);  // oldest first: the operators' queue
  std::optional<std::string> ChangePackage(int64_t change);
  std::optional<FacilityRow> Facility(const std::string& code);
  // Facilities in a district ("32.04.11") or a regency ("32.04") that accept members and have room.
  std::vector<FacilityRow> OpenFacilities(const std::string& district, const std::string& regency);
  int64_t FacilityCount();
  std::map<std::string, int64_t> CountByStatus();
  std::optional<std::string> Package(const std::string& reference);
  // Calls `visit` for each audit entry in order; false if reading failed.
  bool ForEachAudit(const std::function<void(const AuditRow&)>& visit);

  Database& database() { return db_; }

 private:
  Database& db_;
};

}  // namespace daftar::server
