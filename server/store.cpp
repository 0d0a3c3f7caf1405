#include "store.h"

#include <algorithm>

namespace daftar::server {
namespace {

std::optional<std::string> OptionalText(const Statement& s, int column) {
  return s.IsNull(column) ? std::nullopt : std::optional<std::string>(s.Text(column));
}

Statement& BindOptional(Statement& s, int index, const std::optional<std::string>& value, bool blob) {
  if (!value) return s.BindNull(index);
  return blob ? s.BindBlob(index, *value) : s.Bind(index, *value);
}

Changes::Outcome OutcomeOf(const Statement& s) {
  if (s.ok()) return Changes::Outcome::kOk;
  return s.IsConstraintViolation() ? Changes::Outcome::kConflict : Changes::Outcome::kFailed;
}

constexpr const char* kRegistrationColumns =
    "id, reference, status, class, created_date, segment, head_name, va, bill_amount, earliest, latest, created_at, "
    "warnings, population_check, district_code, corrections, decision";

RegistrationRow ReadRegistration(const Statement& s) {
  RegistrationRow r;
  r.id = s.Int(0);
  r.reference = s.Text(1);
  r.status = s.Text(2);
  r.klass = s.Text(3);
  r.created_date = s.Text(4);
  r.segment = s.Text(5);
  r.head_name = s.Text(6);
  r.va = OptionalText(s, 7);
  r.bill_amount = s.Int(8);
  r.earliest = s.Text(9);
  r.latest = s.Text(10);
  r.created_at = s.Text(11);
  r.warnings = s.Text(12);
  r.population_check = s.Text(13);
  r.district_code = OptionalText(s, 14);
  r.corrections = OptionalText(s, 15);
  r.decision = OptionalText(s, 16);
  return r;
}

std::vector<RegistryCheckRow> ReadChecks(Connection& c, int64_t registration) {
  Statement s = c.Prepare(
      "SELECT position, request_id, result, fields, checked_at FROM registry_checks WHERE registration_id = ? ORDER BY position");
  s.Bind(1, registration);
  std::vector<RegistryCheckRow> rows;
  while (s.Step()) rows.push_back({registration, s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  return rows;
}

std::optional<RegistrationRow> ReadRegistrationWhere(Connection& c, const char* where, auto bind) {
  Statement s = c.Prepare(std::string("SELECT ") + kRegistrationColumns + " FROM registrations WHERE " + where);
  bind(s);
  if (!s.Step()) return std::nullopt;
  return ReadRegistration(s);
}

std::vector<MemberRow> ReadMembers(Connection& c, int64_t registration) {
  Statement s = c.Prepare(
      "SELECT position, name, relationship, nik_masked, card_number, birth_date, covered_from, covered_until, cover_pay_by "
      "FROM members "
      "WHERE registration_id = ? ORDER BY position");
  s.Bind(1, registration);
  std::vector<MemberRow> members;
  while (s.Step()) {
    members.push_back({s.Int(0), s.Text(1), s.Text(2), OptionalText(s, 3), OptionalText(s, 4), OptionalText(s, 5),
                       OptionalText(s, 6), OptionalText(s, 7), OptionalText(s, 8)});
  }
  return members;
}

}  // namespace

// --- changes ------------------------------------------------------------------------------------

Changes::Outcome Changes::AddRegistration(const NewRegistration& r, int64_t& id) {
  Statement s = c_.Prepare(
      "INSERT INTO registrations (reference, status, first_status, created_at, created_date, segment, class, head_name, "
      "bill_amount, warnings, idempotency_key, package, package_hash, district_code, population_check, kk_hash) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
  s.Bind(1, r.reference).Bind(2, r.status).Bind(3, r.status).Bind(4, r.created_at).Bind(5, r.created_date)
      .Bind(6, r.segment).Bind(7, r.klass).Bind(8, r.head_name).Bind(9, r.bill_amount).Bind(10, r.warnings);
  BindOptional(s, 11, r.idempotency_key.empty() ? std::nullopt : std::optional(r.idempotency_key), false);
  s.BindBlob(12, r.package);
  BindOptional(s, 13, r.package_hash.empty() ? std::nullopt : std::optional(r.package_hash), true);
  BindOptional(s, 14, r.district_code, false);
  s.Bind(15, r.population_check);
  BindOptional(s, 16, r.kk_hash.empty() ? std::nullopt : std::optional(r.kk_hash), true);
  if (!s.Step()) return OutcomeOf(s) == Outcome::kOk ? Outcome::kFailed : OutcomeOf(s);
  id = s.Int(0);
  s.Step();
  return OutcomeOf(s);
}

Changes::Outcome Changes::AddMember(int64_t registration, int64_t position, const std::optional<std::string>& nik_hash,
                                    const std::optional<std::string>& nik_masked, const std::string& name,
                                    const std::string& relationship, const std::string& birth_date) {
  Statement s = c_.Prepare(
      "INSERT INTO members (registration_id, position, nik_hash, nik_masked, name, relationship, birth_date) "
      "VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, registration).Bind(2, position);
  BindOptional(s, 3, nik_hash, true);
  BindOptional(s, 4, nik_masked, false);
  s.Bind(5, name).Bind(6, relationship).Bind(7, birth_date).Step();
  return OutcomeOf(s);
}

Changes::Outcome Changes::AddPayment(int64_t registration, const std::string& bank_id, const std::string& bank_ref,
                                     int64_t amount, const std::string& paid_at, const std::string& received_at,
                                     const std::string& receipt) {
  Statement s = c_.Prepare(
      "INSERT INTO payments (registration_id, bank_id, bank_ref, amount, paid_at, received_at, receipt) VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, registration).Bind(2, bank_id).Bind(3, bank_ref).Bind(4, amount).Bind(5, paid_at).Bind(6, received_at)
      .Bind(7, receipt).Step();
  return OutcomeOf(s);
}

bool Changes::SetContact(int64_t registration, const ContactRow& contact) {
  Statement s = c_.Prepare(
      "INSERT INTO contacts (registration_id, phone, email, language) VALUES (?,?,?,?) "
      "ON CONFLICT (registration_id) DO UPDATE SET phone = excluded.phone, email = excluded.email, language = excluded.language");
  s.Bind(1, registration);
  BindOptional(s, 2, contact.phone, false);
  BindOptional(s, 3, contact.email, false);
  s.Bind(4, contact.language).Step();
  return s.ok();
}

std::optional<ContactRow> Changes::Contact(int64_t registration) {
  Statement s = c_.Prepare("SELECT phone, email, language FROM contacts WHERE registration_id = ?");
  s.Bind(1, registration);
  if (!s.Step()) return std::nullopt;
  ContactRow contact;
  if (!s.IsNull(0)) contact.phone = s.Text(0);
  if (!s.IsNull(1)) contact.email = s.Text(1);
  contact.language = s.Text(2);
  return contact;
}

bool Changes::QueueMessage(const OutboxRow& m) {
  Statement s = c_.Prepare(
      "INSERT INTO outbox (dedupe, channel, recipient, template, params, language, created_at, due, attempts, lease_until) "
      "VALUES (?,?,?,?,?,?,?,?,0,0) ON CONFLICT (dedupe) DO NOTHING");
  s.Bind(1, m.dedupe).Bind(2, m.channel).Bind(3, m.recipient).Bind(4, m.template_code).Bind(5, m.params)
      .Bind(6, m.language).Bind(7, m.created_at).Bind(8, m.due).Step();
  return s.ok();
}

std::vector<OutboxRow> Changes::ClaimMessages(const std::string& channel, int64_t now, int64_t lease_until, int limit) {
  Statement due = c_.Prepare(
      "SELECT id, dedupe, channel, recipient, template, params, language, created_at, due, attempts FROM outbox "
      "WHERE sent_at IS NULL AND channel = ? AND due <= ? AND lease_until <= ? ORDER BY due LIMIT ?");
  due.Bind(1, channel).Bind(2, now).Bind(3, now).Bind(4, int64_t{limit});
  std::vector<OutboxRow> candidates;
  while (due.Step()) {
    candidates.push_back({due.Int(0), due.Text(1), due.Text(2), due.Text(3), due.Text(4), due.Text(5), due.Text(6),
                          due.Text(7), due.Int(8), due.Int(9)});
  }
  std::vector<OutboxRow> claimed;
  for (const OutboxRow& m : candidates) {
    // Guarded by the lease it saw: another server that claimed the message first leaves 0 rows here.
    Statement take = c_.Prepare("UPDATE outbox SET lease_until = ? WHERE id = ? AND lease_until <= ? AND sent_at IS NULL");
    take.Bind(1, lease_until).Bind(2, m.id).Bind(3, now).Step();
    if (take.ok() && take.Changes() == 1) claimed.push_back(m);
  }
  return claimed;
}

bool Changes::MessageSent(int64_t id, const std::string& at, const std::optional<std::string>& params_kept) {
  Statement s = c_.Prepare(
      "UPDATE outbox SET sent_at = ?, lease_until = 0, last_error = NULL, params = COALESCE(?, params) "
      "WHERE id = ? AND sent_at IS NULL");
  s.Bind(1, at);
  if (params_kept) {
    s.Bind(2, *params_kept);
  } else {
    s.BindNull(2);
  }
  s.Bind(3, id).Step();
  return s.ok();
}

bool Changes::RescheduleMessage(int64_t id, int64_t due, int64_t attempts, const std::string& error) {
  Statement s = c_.Prepare("UPDATE outbox SET due = ?, attempts = ?, last_error = ?, lease_until = 0 WHERE id = ?");
  s.Bind(1, due).Bind(2, attempts).Bind(3, error).Bind(4, id).Step();
  return s.ok();
}

Changes::Outcome Changes::AddPaidMonth(int64_t registration, const PaidMonthRow& m) {
  Statement s = c_.Prepare(
      "INSERT INTO paid_months (registration_id, month, part, amount, paid_at, bank_id, bank_ref) VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, registration).Bind(2, m.month).Bind(3, m.part).Bind(4, m.amount).Bind(5, m.paid_at).Bind(6, m.bank_id)
      .Bind(7, m.bank_ref).Step();
  return OutcomeOf(s);
}

std::vector<MemberRow> Changes::Members(int64_t registration) { return ReadMembers(c_, registration); }

bool Changes::SetCardNumber(int64_t registration, int64_t position, const std::string& card) {
  Statement s = c_.Prepare("UPDATE members SET card_number = ? WHERE registration_id = ? AND position = ?");
  s.Bind(1, card).Bind(2, registration).Bind(3, position).Step();
  return s.ok();
}

bool Changes::SetMemberCover(int64_t registration, int64_t position, const std::optional<std::string>& from,
                             const std::optional<std::string>& until, const std::optional<std::string>& pay_by) {
  Statement s = c_.Prepare(
      "UPDATE members SET covered_from = ?, covered_until = ?, cover_pay_by = ? WHERE registration_id = ? AND position = ?");
  BindOptional(s, 1, from, false);
  BindOptional(s, 2, until, false);
  BindOptional(s, 3, pay_by, false);
  s.Bind(4, registration).Bind(5, position).Step();
  return s.ok();
}

bool Changes::SetBill(int64_t registration, const std::string& va, const std::string& earliest, const std::string& latest) {
  Statement s = c_.Prepare("UPDATE registrations SET va = ?, earliest = ?, latest = ? WHERE id = ?");
  s.Bind(1, va).Bind(2, earliest).Bind(3, latest).Bind(4, registration).Step();
  return s.ok();
}

std::optional<std::pair<int64_t, std::string>> Changes::IdAndStatus(const std::string& reference) {
  Statement s = c_.Prepare("SELECT id, status FROM registrations WHERE reference = ?");
  s.Bind(1, reference);
  if (!s.Step()) return std::nullopt;
  return std::pair{s.Int(0), s.Text(1)};
}

bool Changes::MoveStatus(int64_t registration, const std::string& from, const std::string& to) {
  // Guarded by the status it expects: of two servers moving one registration, one succeeds.
  Statement s = c_.Prepare("UPDATE registrations SET status = ? WHERE id = ? AND status = ?");
  s.Bind(1, to).Bind(2, registration).Bind(3, from).Step();
  return s.ok() && s.Changes() == 1;
}

bool Changes::SetDecision(int64_t registration, const std::string& decision) {
  Statement s = c_.Prepare("UPDATE registrations SET decision = ? WHERE id = ?");
  s.Bind(1, decision).Bind(2, registration).Step();
  return s.ok();
}

bool Changes::FreeNiks(int64_t registration) {
  Statement s = c_.Prepare("UPDATE members SET nik_hash = NULL WHERE registration_id = ?");
  s.Bind(1, registration).Step();
  return s.ok();
}

std::vector<std::pair<int64_t, std::string>> Changes::UnpaidPastWindow(const std::string& today) {
  Statement s = c_.Prepare("SELECT id, reference FROM registrations WHERE status = 'verified' AND latest < ?");
  s.Bind(1, today);
  std::vector<std::pair<int64_t, std::string>> due;
  while (s.Step()) due.emplace_back(s.Int(0), s.Text(1));
  return due;
}

bool Changes::AdvanceCalendarRoll(const std::string& day, int64_t last_id, const std::string& next_day,
                                  int64_t next_last_id) {
  Statement s = c_.Prepare("UPDATE calendar_roll SET day = ?, last_id = ? WHERE id = 1 AND day = ? AND last_id = ?");
  s.Bind(1, next_day).Bind(2, next_last_id).Bind(3, day).Bind(4, last_id).Step();
  return s.ok() && s.Changes() == 1;
}

bool Changes::RecordAccountEvent(int64_t registration, const std::string& kind, const std::string& period, int64_t amount,
                                 const std::string& at) {
  Statement s = c_.Prepare(
      "INSERT INTO account_events (registration_id, kind, period, amount, at) VALUES (?,?,?,?,?) "
      "ON CONFLICT (registration_id, kind, period) DO NOTHING");
  s.Bind(1, registration).Bind(2, kind).Bind(3, period).Bind(4, amount).Bind(5, at).Step();
  return s.ok() && s.Changes() == 1;
}

bool Changes::AddVerificationJob(int64_t registration, int64_t due, bool then_review) {
  Statement s = c_.Prepare(
      "INSERT INTO verification_jobs (registration_id, due, attempts, lease_until, then_review) VALUES (?,?,0,0,?)");
  s.Bind(1, registration).Bind(2, due).Bind(3, int64_t{then_review}).Step();
  return s.ok();
}

std::vector<VerificationJobRow> Changes::ClaimVerificationJobs(int64_t now, int64_t lease_until, int limit) {
  Statement due = c_.Prepare(
      "SELECT registration_id, attempts, then_review FROM verification_jobs WHERE due <= ? AND lease_until <= ? "
      "ORDER BY due LIMIT ?");
  due.Bind(1, now).Bind(2, now).Bind(3, int64_t{limit});
  std::vector<VerificationJobRow> candidates;
  while (due.Step()) candidates.push_back({due.Int(0), now, due.Int(1), due.Int(2) != 0, std::nullopt});
  std::vector<VerificationJobRow> claimed;
  for (const VerificationJobRow& job : candidates) {
    // Guarded by the lease it saw: another server that claimed the job first leaves 0 rows here.
    Statement take = c_.Prepare("UPDATE verification_jobs SET lease_until = ? WHERE registration_id = ? AND lease_until <= ?");
    take.Bind(1, lease_until).Bind(2, job.registration).Bind(3, now).Step();
    if (take.ok() && take.Changes() == 1) claimed.push_back(job);
  }
  return claimed;
}

bool Changes::RescheduleVerificationJob(int64_t registration, int64_t due, int64_t attempts, const std::string& error) {
  Statement s = c_.Prepare(
      "UPDATE verification_jobs SET due = ?, attempts = ?, last_error = ?, lease_until = 0 WHERE registration_id = ?");
  s.Bind(1, due).Bind(2, attempts).Bind(3, error).Bind(4, registration).Step();
  return s.ok();
}

bool Changes::DeleteVerificationJob(int64_t registration) {
  Statement s = c_.Prepare("DELETE FROM verification_jobs WHERE registration_id = ?");
  s.Bind(1, registration).Step();
  return s.ok();
}

bool Changes::SaveRegistryCheck(const RegistryCheckRow& r) {
  Statement s = c_.Prepare(
      "INSERT INTO registry_checks (registration_id, position, request_id, result, fields, checked_at) VALUES (?,?,?,?,?,?) "
      "ON CONFLICT (registration_id, position) DO UPDATE SET request_id = excluded.request_id, result = excluded.result, "
      "fields = excluded.fields, checked_at = excluded.checked_at");
  s.Bind(1, r.registration).Bind(2, r.position).Bind(3, r.request_id).Bind(4, r.result).Bind(5, r.fields)
      .Bind(6, r.checked_at).Step();
  return s.ok();
}

std::vector<RegistryCheckRow> Changes::RegistryChecks(int64_t registration) { return ReadChecks(c_, registration); }

bool Changes::DeleteRegistryChecks(int64_t registration) {
  Statement s = c_.Prepare("DELETE FROM registry_checks WHERE registration_id = ?");
  s.Bind(1, registration).Step();
  return s.ok();
}

bool Changes::SetPopulationCheck(int64_t registration, const std::string& state) {
  Statement s = c_.Prepare("UPDATE registrations SET population_check = ? WHERE id = ?");
  s.Bind(1, state).Bind(2, registration).Step();
  return s.ok();
}

bool Changes::SetCorrections(int64_t registration, const std::optional<std::string>& corrections) {
  Statement s = c_.Prepare("UPDATE registrations SET corrections = ? WHERE id = ?");
  BindOptional(s, 1, corrections, false).Bind(2, registration).Step();
  return s.ok();
}

std::optional<RegistrationRow> Changes::Registration(int64_t registration) {
  return ReadRegistrationWhere(c_, "id = ?", [&](Statement& s) { s.Bind(1, registration); });
}

bool Changes::ReplaceApplication(int64_t registration, const ReplacedApplication& next, const std::string& at) {
  Statement keep = c_.Prepare(
      "INSERT INTO replaced_packages (registration_id, version, package, replaced_at) SELECT id, "
      "(SELECT COUNT(*) FROM replaced_packages WHERE registration_id = ?) + 1, package, ? FROM registrations WHERE id = ?");
  keep.Bind(1, registration).Bind(2, at).Bind(3, registration).Step();
  Statement update = c_.Prepare(
      "UPDATE registrations SET class = ?, segment = ?, head_name = ?, warnings = ?, package = ?, district_code = ?, "
      "bill_amount = ?, corrections = NULL, kk_hash = ? WHERE id = ?");
  update.Bind(1, next.klass).Bind(2, next.segment).Bind(3, next.head_name).Bind(4, next.warnings).BindBlob(5, next.package);
  BindOptional(update, 6, next.district_code, false).Bind(7, next.bill_amount);
  BindOptional(update, 8, next.kk_hash.empty() ? std::nullopt : std::optional(next.kk_hash), true).Bind(9, registration).Step();
  Statement members = c_.Prepare("DELETE FROM members WHERE registration_id = ?");
  if (keep.ok() && update.ok()) members.Bind(1, registration).Step();
  return keep.ok() && update.ok() && members.ok();
}

bool Changes::UpsertFacility(const FacilityRow& f) {
  Statement s = c_.Prepare(
      "INSERT INTO facilities (code, name, type, regency_code, district_code, accepting, capacity, members) "
      "VALUES (?,?,?,?,?,?,?,0) ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type, "
      "regency_code = excluded.regency_code, district_code = excluded.district_code, accepting = excluded.accepting, "
      "capacity = excluded.capacity");
  s.Bind(1, f.code).Bind(2, f.name).Bind(3, f.type).Bind(4, f.regency_code).Bind(5, f.district_code)
      .Bind(6, int64_t{f.accepting}).Bind(7, f.capacity).Step();
  return s.ok();
}

bool Changes::CountFacilityMembers(const std::string& code, int64_t delta) {
  Statement s = c_.Prepare(
      "UPDATE facilities SET members = CASE WHEN members + ? < 0 THEN 0 ELSE members + ? END "
      "WHERE code = ? AND (? < 0 OR (accepting = 1 AND members + ? <= capacity)) RETURNING members");
  s.Bind(1, delta).Bind(2, delta).Bind(3, code).Bind(4, delta).Bind(5, delta);
  return s.Step();
}

bool Changes::AddChallenge(const ChallengeRow& r) {
  Statement s = c_.Prepare(
      "INSERT INTO member_challenges (challenge_hash, subject_hash, registration_id, position, purpose, change_id, "
      "code_hash, created, expires, tries) VALUES (?,?,?,?,?,?,?,?,?,0)");
  s.BindBlob(1, r.challenge_hash).BindBlob(2, r.subject_hash);
  if (r.member) {
    s.Bind(3, r.member->registration).Bind(4, r.member->position);
  } else {
    s.BindNull(3).Bind(4, int64_t{0});
  }
  s.Bind(5, r.purpose);
  if (r.change) {
    s.Bind(6, *r.change);
  } else {
    s.BindNull(6);
  }
  s.BindBlob(7, r.code_hash).Bind(8, r.created).Bind(9, r.expires).Step();
  return s.ok();
}

namespace {

constexpr std::string_view kChallengeColumns =
    "subject_hash, registration_id, position, purpose, change_id, code_hash, created, expires, tries";

ChallengeRow ChallengeOf(const Statement& s, const std::string& challenge_hash) {
  ChallengeRow r{challenge_hash, s.Text(0), s.Text(3), s.Text(5), std::nullopt, std::nullopt, s.Int(6), s.Int(7), s.Int(8)};
  if (!s.IsNull(1)) r.member = MemberRef{s.Int(1), s.Int(2)};
  if (!s.IsNull(4)) r.change = s.Int(4);
  return r;
}

}  // namespace

std::optional<ChallengeRow> Changes::TakeChallengeTry(const std::string& challenge_hash, int64_t now, int64_t max_tries) {
  // The row is updated before it is read: on PostgreSQL a second try waits for the first's commit
  // and then sees its count.
  Statement s = c_.Prepare(
      "UPDATE member_challenges SET tries = tries + 1 WHERE challenge_hash = ? AND expires > ? AND tries < ? RETURNING " +
      std::string(kChallengeColumns));
  s.BindBlob(1, challenge_hash).Bind(2, now).Bind(3, max_tries);
  if (!s.Step()) return std::nullopt;
  return ChallengeOf(s, challenge_hash);
}

std::optional<ChallengeRow> Changes::Challenge(const std::string& challenge_hash) {
  Statement s = c_.Prepare("SELECT " + std::string(kChallengeColumns) + " FROM member_challenges WHERE challenge_hash = ?");
  s.BindBlob(1, challenge_hash);
  if (!s.Step()) return std::nullopt;
  return ChallengeOf(s, challenge_hash);
}

namespace {

constexpr std::string_view kMemberCodeColumns = "subject_hash, code_hash, registration_id, position, created, expires, tries";

MemberCodeRow MemberCodeOf(const Statement& s) {
  MemberCodeRow r{s.Text(0), s.Text(1), std::nullopt, s.Int(4), s.Int(5), s.Int(6)};
  if (!s.IsNull(2)) r.member = MemberRef{s.Int(2), s.Int(3)};
  return r;
}

}  // namespace

std::optional<MemberCodeRow> Changes::LockMemberCode(const std::string& subject_hash) {
  Statement create = c_.Prepare(
      "INSERT INTO member_codes (subject_hash, code_hash, registration_id, position, created, expires, tries) "
      "VALUES (?, ?, NULL, 0, 0, 0, 0) ON CONFLICT (subject_hash) DO NOTHING");
  create.BindBlob(1, subject_hash).BindBlob(2, "").Step();
  Statement lock = c_.Prepare("UPDATE member_codes SET tries = tries WHERE subject_hash = ? RETURNING " +
                              std::string(kMemberCodeColumns));
  lock.BindBlob(1, subject_hash);
  if (!create.ok() || !lock.Step()) return std::nullopt;
  return MemberCodeOf(lock);
}

bool Changes::SetMemberCode(const MemberCodeRow& r) {
  Statement s = c_.Prepare(
      "UPDATE member_codes SET code_hash = ?, registration_id = ?, position = ?, created = ?, expires = ?, tries = ? "
      "WHERE subject_hash = ?");
  s.BindBlob(1, r.code_hash);
  if (r.member) {
    s.Bind(2, r.member->registration).Bind(3, r.member->position);
  } else {
    s.BindNull(2).Bind(3, int64_t{0});
  }
  s.Bind(4, r.created).Bind(5, r.expires).Bind(6, r.tries).BindBlob(7, r.subject_hash).Step();
  return s.ok() && s.Changes() == 1;
}

std::optional<MemberCodeRow> Changes::TakeMemberCodeTry(const std::string& subject_hash, int64_t now, int64_t max_tries) {
  Statement s = c_.Prepare("UPDATE member_codes SET tries = tries + 1 WHERE subject_hash = ? AND expires > ? AND tries < ? RETURNING " +
                           std::string(kMemberCodeColumns));
  s.BindBlob(1, subject_hash).Bind(2, now).Bind(3, max_tries);
  if (!s.Step()) return std::nullopt;
  return MemberCodeOf(s);
}

bool Changes::UseMemberCode(const std::string& subject_hash) {
  Statement code = c_.Prepare("DELETE FROM member_codes WHERE subject_hash = ?");
  code.BindBlob(1, subject_hash).Step();
  if (!code.ok() || code.Changes() != 1) return false;
  Statement challenges = c_.Prepare("DELETE FROM member_challenges WHERE subject_hash = ? AND purpose = 'sign_in'");
  challenges.BindBlob(1, subject_hash).Step();
  return challenges.ok();
}

bool Changes::DeleteChallenge(const std::string& challenge_hash) {
  Statement s = c_.Prepare("DELETE FROM member_challenges WHERE challenge_hash = ?");
  s.BindBlob(1, challenge_hash).Step();
  return s.ok() && s.Changes() == 1;
}

bool Changes::ForgetChallenges(int64_t before) {
  Statement s = c_.Prepare("DELETE FROM member_challenges WHERE expires < ?");
  s.Bind(1, before).Step();
  Statement codes = c_.Prepare("DELETE FROM member_codes WHERE expires < ?");
  if (s.ok()) codes.Bind(1, before).Step();
  return s.ok() && codes.ok();
}

bool Changes::AddMemberSession(const std::string& token_hash, const MemberRef& who, int64_t expires) {
  Statement s = c_.Prepare("INSERT INTO member_sessions (token_hash, registration_id, position, expires) VALUES (?,?,?,?)");
  s.BindBlob(1, token_hash).Bind(2, who.registration).Bind(3, who.position).Bind(4, expires).Step();
  return s.ok();
}

bool Changes::DeleteMemberSession(const std::string& token_hash) {
  Statement s = c_.Prepare("DELETE FROM member_sessions WHERE token_hash = ?");
  s.BindBlob(1, token_hash).Step();
  return s.ok();
}

bool Changes::EndFamilySessions(int64_t registration, const std::string& keep) {
  Statement s = c_.Prepare("DELETE FROM member_sessions WHERE registration_id = ? AND token_hash <> ?");
  s.Bind(1, registration).BindBlob(2, keep).Step();
  return s.ok();
}

bool Changes::ForgetMemberSessions(int64_t before) {
  Statement s = c_.Prepare("DELETE FROM member_sessions WHERE expires < ?");
  s.Bind(1, before).Step();
  return s.ok();
}

std::optional<int64_t> Changes::AddFamilyChange(const FamilyChangeRow& r) {
  Statement s = c_.Prepare(
      "INSERT INTO family_changes (registration_id, type, status, requested_at, requested_date, effective, detail, "
      "requested_by) VALUES (?,?,?,?,?,?,?,?) RETURNING id");
  s.Bind(1, r.registration).Bind(2, r.type).Bind(3, r.status).Bind(4, r.requested_at).Bind(5, r.requested_date)
      .Bind(6, r.effective).Bind(7, r.detail).Bind(8, r.requested_by);
  if (!s.Step()) return std::nullopt;
  return s.Int(0);
}

bool Changes::MoveFamilyChange(int64_t id, const std::string& from, const std::string& to) {
  Statement s = c_.Prepare("UPDATE family_changes SET status = ? WHERE id = ? AND status = ? RETURNING id");
  s.Bind(1, to).Bind(2, id).Bind(3, from);
  return s.Step();
}

bool Changes::SetFamilyChangeDetail(int64_t id, const std::string& detail) {
  Statement s = c_.Prepare("UPDATE family_changes SET detail = ? WHERE id = ?");
  s.Bind(1, detail).Bind(2, id).Step();
  return s.ok();
}

bool Changes::AddChangePackage(int64_t change, std::string_view package) {
  Statement s = c_.Prepare("INSERT INTO change_packages (change_id, package) VALUES (?,?)");
  s.Bind(1, change).BindBlob(2, package).Step();
  return s.ok();
}

Changes::Outcome Changes::AddOperator(const std::string& name, const std::string& role, const std::string& setup_hash,
                                      int64_t setup_expires, const std::string& created_at) {
  Statement s = c_.Prepare("INSERT INTO operators (name, role, setup_hash, setup_expires, created_at) VALUES (?,?,?,?,?)");
  s.Bind(1, name).Bind(2, role).BindBlob(3, setup_hash).Bind(4, setup_expires).Bind(5, created_at).Step();
  return OutcomeOf(s);
}

bool Changes::ResetOperator(const std::string& name, const std::string& setup_hash, int64_t setup_expires) {
  Statement s = c_.Prepare(
      "UPDATE operators SET password_hash = NULL, setup_hash = ?, setup_expires = ? WHERE name = ? RETURNING id");
  s.BindBlob(1, setup_hash).Bind(2, setup_expires).Bind(3, name);
  if (!s.Step()) return false;
  const int64_t id = s.Int(0);
  Statement sessions = c_.Prepare("DELETE FROM operator_sessions WHERE operator_id = ?");
  sessions.Bind(1, id).Step();
  return sessions.ok();
}

std::optional<OperatorRow> Changes::OperatorBySetup(const std::string& setup_hash, int64_t now) {
  Statement s = c_.Prepare("SELECT id, name, role FROM operators WHERE setup_hash = ? AND setup_expires > ?");
  s.BindBlob(1, setup_hash).Bind(2, now);
  if (!s.Step()) return std::nullopt;
  return OperatorRow{s.Int(0), s.Text(1), s.Text(2), std::nullopt};
}

bool Changes::SetOperatorPassword(int64_t id, const std::string& password_hash) {
  Statement s = c_.Prepare("UPDATE operators SET password_hash = ?, setup_hash = NULL, setup_expires = NULL WHERE id = ?");
  s.Bind(1, password_hash).Bind(2, id).Step();
  Statement sessions = c_.Prepare("DELETE FROM operator_sessions WHERE operator_id = ?");
  if (s.ok()) sessions.Bind(1, id).Step();  // a new password ends every earlier session
  return s.ok() && sessions.ok();
}

bool Changes::AddOperatorSession(const std::string& token_hash, int64_t operator_id, const std::string& csrf, int64_t expires) {
  Statement s = c_.Prepare("INSERT INTO operator_sessions (token_hash, operator_id, csrf, expires) VALUES (?,?,?,?)");
  s.BindBlob(1, token_hash).Bind(2, operator_id).Bind(3, csrf).Bind(4, expires).Step();
  return s.ok();
}

bool Changes::DeleteOperatorSession(const std::string& token_hash) {
  Statement s = c_.Prepare("DELETE FROM operator_sessions WHERE token_hash = ?");
  s.BindBlob(1, token_hash).Step();
  return s.ok();
}

bool Changes::ForgetOperatorSessions(int64_t before) {
  Statement s = c_.Prepare("DELETE FROM operator_sessions WHERE expires < ?");
  s.Bind(1, before).Step();
  return s.ok();
}

bool Changes::TrustForOperator(const std::string& key, int64_t operator_id, int64_t expires) {
  Statement s = c_.Prepare(
      "INSERT INTO operator_trust (key, operator_id, expires) VALUES (?,?,?) "
      "ON CONFLICT (key) DO UPDATE SET operator_id = excluded.operator_id, expires = excluded.expires");
  s.BindBlob(1, key).Bind(2, operator_id).Bind(3, expires).Step();
  return s.ok();
}

bool Changes::TrustedForOperator(const std::string& key, int64_t operator_id, int64_t now) {
  Statement s = c_.Prepare("SELECT 1 FROM operator_trust WHERE key = ? AND operator_id = ? AND expires > ?");
  s.BindBlob(1, key).Bind(2, operator_id).Bind(3, now);
  return s.Step();
}

bool Changes::ForgetOperatorTrust(int64_t before) {
  Statement s = c_.Prepare("DELETE FROM operator_trust WHERE expires < ?");
  s.Bind(1, before).Step();
  return s.ok();
}

int64_t Changes::Take(const std::string& key, const Allowance& a, int64_t now) {
  // Created if absent, then locked by an update that changes nothing, then read: whoever comes
  // second (another replica's transaction) waits here and reads what the first wrote.
  Statement create = c_.Prepare("INSERT INTO throttles (key, window_start, count, last_at) VALUES (?,?,0,0) ON CONFLICT (key) DO NOTHING");
  create.BindBlob(1, key).Bind(2, now).Step();
  Statement lock = c_.Prepare("UPDATE throttles SET count = count WHERE key = ? RETURNING window_start, count, last_at");
  lock.BindBlob(1, key);
  if (!create.ok() || !lock.Step()) return a.max_wait_seconds;  // cannot count: do not let it pass
  int64_t window_start = lock.Int(0), count = lock.Int(1);
  const int64_t last_at = lock.Int(2);
  if (now - window_start >= a.window_seconds) window_start = now, count = 0;
  if (count >= a.cap) return std::max<int64_t>(1, window_start + a.window_seconds - now);
  if (count >= a.free) {
    const int64_t doublings = std::min<int64_t>(count - a.free, 30);
    const int64_t wait = std::min(a.max_wait_seconds, a.base_seconds << doublings);
    if (now < last_at + wait) return last_at + wait - now;
  }
  Statement take = c_.Prepare("UPDATE throttles SET window_start = ?, count = ?, last_at = ? WHERE key = ?");
  take.Bind(1, window_start).Bind(2, count + 1).Bind(3, now).BindBlob(4, key).Step();
  return take.ok() ? 0 : a.max_wait_seconds;
}

bool Changes::ForgetThrottle(const std::string& key) {
  Statement s = c_.Prepare("DELETE FROM throttles WHERE key = ?");
  s.BindBlob(1, key).Step();
  return s.ok();
}

bool Changes::ForgetThrottles(int64_t idle_since) {
  Statement s = c_.Prepare("DELETE FROM throttles WHERE last_at < ? AND window_start < ?");
  s.Bind(1, idle_since).Bind(2, idle_since).Step();
  return s.ok();
}

std::optional<std::pair<int64_t, std::string>> Changes::LastAuditLink() {
  if (!c_.LockAuditChain()) return std::nullopt;  // one chain, however many servers append to it
  Statement s = c_.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  if (s.Step()) return std::pair{s.Int(0), s.Text(1)};
  if (!s.ok()) return std::nullopt;
  return std::pair{int64_t{0}, std::string(32, '\0')};
}

bool Changes::AddAudit(const AuditRow& row) {
  Statement s = c_.Prepare("INSERT INTO audit (seq, at, event, subject, detail, prev, hash) VALUES (?,?,?,?,?,?,?)");
  s.Bind(1, row.seq).Bind(2, row.at).Bind(3, row.event).Bind(4, row.subject).Bind(5, row.detail)
      .BindBlob(6, row.prev).BindBlob(7, row.hash).Step();
  return s.ok();
}

bool Changes::RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at) {
  Statement insert = c_.Prepare("INSERT INTO bank_nonces (bank_id, nonce, seen_at) VALUES (?,?,?)");
  insert.Bind(1, bank_id).Bind(2, nonce).Bind(3, at).Step();
  return insert.ok();
}

bool Changes::ForgetNonces(int64_t before) {
  Statement s = c_.Prepare("DELETE FROM bank_nonces WHERE seen_at < ?");
  s.Bind(1, before).Step();
  return s.ok();
}

int64_t Changes::CountRequest(const std::string& client, const std::string& bucket, int64_t minute) {
  Statement s = c_.Prepare(
      "INSERT INTO rate_counts (client, bucket, minute, count) VALUES (?,?,?,1) "
      "ON CONFLICT (client, bucket, minute) DO UPDATE SET count = rate_counts.count + 1 RETURNING count");
  s.Bind(1, client).Bind(2, bucket).Bind(3, minute);
  return s.Step() ? s.Int(0) : 0;
}

bool Changes::ForgetRequestCounts(int64_t before_minute) {
  Statement s = c_.Prepare("DELETE FROM rate_counts WHERE minute < ?");
  s.Bind(1, before_minute).Step();
  return s.ok();
}

// --- reads --------------------------------------------------------------------------------------

std::optional<Store::Idempotent> Store::FindByIdempotencyKey(const std::string& key) {
  Statement s = db_.Reader().Prepare("SELECT reference, first_status, package_hash FROM registrations WHERE idempotency_key = ?");
  s.Bind(1, key);
  if (!s.Step()) return std::nullopt;
  return Idempotent{s.Text(0), s.Text(1), s.Text(2)};
}

std::optional<RegistrationRow> Store::FindByReference(const std::string& reference) {
  return ReadRegistrationWhere(db_.Reader(), "reference = ?", [&](Statement& s) { s.Bind(1, reference); });
}

std::optional<RegistrationRow> Store::FindByVa(const std::string& va) {
  return ReadRegistrationWhere(db_.Reader(), "va = ?", [&](Statement& s) { s.Bind(1, va); });
}

std::optional<RegistrationRow> Store::FindById(int64_t id) {
  return ReadRegistrationWhere(db_.Reader(), "id = ?", [&](Statement& s) { s.Bind(1, id); });
}

std::vector<MemberRow> Store::Members(int64_t registration) { return ReadMembers(db_.Reader(), registration); }

std::vector<PaymentRow> Store::Payments(int64_t registration) {
  Statement s = db_.Reader().Prepare(
      "SELECT amount, paid_at, bank_id, bank_ref, receipt FROM payments WHERE registration_id = ? ORDER BY id");
  s.Bind(1, registration);
  std::vector<PaymentRow> payments;
  while (s.Step()) payments.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
  return payments;
}

std::vector<PaidMonthRow> Store::PaidMonths(int64_t registration) {
  Statement s = db_.Reader().Prepare(
      "SELECT month, amount, paid_at, bank_id, bank_ref, part FROM paid_months WHERE registration_id = ? ORDER BY month, part");
  s.Bind(1, registration);
  std::vector<PaidMonthRow> months;
  while (s.Step()) months.push_back({s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5)});
  return months;
}

std::pair<std::string, int64_t> Store::CalendarRoll() {
  Statement s = db_.Reader().Prepare("SELECT day, last_id FROM calendar_roll WHERE id = 1");
  if (!s.Step()) return {"", 0};
  return {s.Text(0), s.Int(1)};
}

std::vector<RegistrationRow> Store::PayingFamilies(int64_t after, int limit) {
  Statement s = db_.Reader().Prepare(std::string("SELECT ") + kRegistrationColumns +
                                     " FROM registrations WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?");
  s.Bind(1, after).Bind(2, int64_t{limit});
  std::vector<RegistrationRow> rows;
  while (s.Step()) rows.push_back(ReadRegistration(s));
  return rows;
}

Store::OutboxCounts Store::Outbox() {
  Statement s = db_.Reader().Prepare(
      "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN sent_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END), 0) FROM outbox");
  if (!s.Step()) return {};
  return {s.Int(0), s.Int(1), s.Int(2)};
}

std::optional<std::string> Store::ReceiptFor(const std::string& bank_id, const std::string& bank_ref) {
  Statement s = db_.Reader().Prepare("SELECT receipt FROM payments WHERE bank_id = ? AND bank_ref = ?");
  s.Bind(1, bank_id).Bind(2, bank_ref);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::vector<ReviewRow> Store::ReviewQueue(const QueueFilter& filter) {
  std::string sql =
      "SELECT reference, created_at, warnings, status, population_check, district_code, "
      "(SELECT COUNT(*) FROM members WHERE registration_id = registrations.id) FROM registrations WHERE status IN (";
  for (std::size_t i = 0; i < filter.statuses.size(); ++i) sql += i == 0 ? "?" : ",?";
  sql += ")";
  // A district "32.04.11", or every district of a regency "32.04".
  if (!filter.district.empty()) sql += " AND (district_code = ? OR district_code LIKE ?)";
  if (!filter.received_before.empty()) sql += " AND created_at <= ?";
  sql += " ORDER BY id LIMIT ?";  // oldest first
  Statement s = db_.Reader().Prepare(sql);
  int at = 1;
  for (const std::string& status : filter.statuses) s.Bind(at++, status);
  if (!filter.district.empty()) {
    s.Bind(at, filter.district).Bind(at + 1, filter.district + ".%");
    at += 2;
  }
  if (!filter.received_before.empty()) s.Bind(at++, filter.received_before);
  s.Bind(at, int64_t{filter.limit});
  std::vector<ReviewRow> rows;
  while (s.Step()) rows.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(6), OptionalText(s, 5)});
  return rows;
}

std::optional<VerificationJobRow> Store::VerificationJob(int64_t registration) {
  Statement s = db_.Reader().Prepare(
      "SELECT due, attempts, then_review, last_error FROM verification_jobs WHERE registration_id = ?");
  s.Bind(1, registration);
  if (!s.Step()) return std::nullopt;
  return VerificationJobRow{registration, s.Int(0), s.Int(1), s.Int(2) != 0, OptionalText(s, 3)};
}

std::vector<RegistryCheckRow> Store::RegistryChecks(int64_t registration) { return ReadChecks(db_.Reader(), registration); }

int64_t Store::VerificationJobsWaiting() {
  Statement s = db_.Reader().Prepare("SELECT COUNT(*) FROM verification_jobs");
  return s.Step() ? s.Int(0) : 0;
}

std::optional<OperatorRow> Store::OperatorByName(const std::string& name) {
  Statement s = db_.Reader().Prepare("SELECT id, name, role, password_hash FROM operators WHERE name = ?");
  s.Bind(1, name);
  if (!s.Step()) return std::nullopt;
  return OperatorRow{s.Int(0), s.Text(1), s.Text(2), OptionalText(s, 3)};
}

std::optional<OperatorSessionRow> Store::OperatorSession(const std::string& token_hash, int64_t now) {
  Statement s = db_.Reader().Prepare(
      "SELECT operators.id, operators.name, operators.role, operator_sessions.csrf, operator_sessions.expires "
      "FROM operator_sessions JOIN operators ON operators.id = operator_sessions.operator_id "
      "WHERE operator_sessions.token_hash = ? AND operator_sessions.expires > ?");
  s.BindBlob(1, token_hash).Bind(2, now);
  if (!s.Step()) return std::nullopt;
  OperatorSessionRow row;
  row.who.id = s.Int(0);
  row.who.name = s.Text(1);
  row.who.role = s.Text(2);
  row.csrf = s.Text(3);
  row.expires = s.Int(4);
  return row;
}

std::optional<MemberRef> Store::MemberByCard(const std::string& card) {
  Statement s = db_.Reader().Prepare("SELECT registration_id, position FROM members WHERE card_number = ?");
  s.Bind(1, card);
  if (!s.Step()) return std::nullopt;
  return MemberRef{s.Int(0), s.Int(1)};
}

std::optional<std::pair<MemberRef, std::optional<std::string>>> Store::MemberByNik(const std::string& nik_hash) {
  Statement s = db_.Reader().Prepare("SELECT registration_id, position, birth_date FROM members WHERE nik_hash = ?");
  s.BindBlob(1, nik_hash);
  if (!s.Step()) return std::nullopt;
  return std::pair{MemberRef{s.Int(0), s.Int(1)}, OptionalText(s, 2)};
}

std::optional<std::string> Store::KkHash(int64_t registration) {
  Statement s = db_.Reader().Prepare("SELECT kk_hash FROM registrations WHERE id = ? AND kk_hash IS NOT NULL");
  s.Bind(1, registration);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::optional<MemberRef> Store::MemberSession(const std::string& token_hash, int64_t now) {
  Statement s = db_.Reader().Prepare(
      "SELECT registration_id, position FROM member_sessions WHERE token_hash = ? AND expires > ?");
  s.BindBlob(1, token_hash).Bind(2, now);
  if (!s.Step()) return std::nullopt;
  return MemberRef{s.Int(0), s.Int(1)};
}

namespace {

constexpr const char* kFamilyChangeColumns =
    "SELECT id, registration_id, requested_by, type, status, requested_at, requested_date, effective, detail FROM family_changes ";

std::vector<FamilyChangeRow> ReadFamilyChangesWhere(Connection& c, const char* where, auto bind) {
  Statement s = c.Prepare(std::string(kFamilyChangeColumns) + where);
  bind(s);
  std::vector<FamilyChangeRow> rows;
  while (s.Step()) {
    rows.push_back({s.Int(0), s.Int(1), s.Int(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6), s.Text(7), s.Text(8)});
  }
  return rows;
}

std::vector<FamilyChangeRow> ReadFamilyChanges(Connection& c, int64_t registration) {
  return ReadFamilyChangesWhere(c, "WHERE registration_id = ? ORDER BY id", [&](Statement& s) { s.Bind(1, registration); });
}

}  // namespace

std::vector<FamilyChangeRow> Store::FamilyChanges(int64_t registration) { return ReadFamilyChanges(db_.Reader(), registration); }
std::vector<FamilyChangeRow> Changes::FamilyChanges(int64_t registration) { return ReadFamilyChanges(c_, registration); }

std::optional<FamilyChangeRow> Store::FamilyChange(int64_t id) {
  std::vector<FamilyChangeRow> rows = ReadFamilyChangesWhere(db_.Reader(), "WHERE id = ?", [&](Statement& s) { s.Bind(1, id); });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<FamilyChangeRow> Store::ChangesInReview(int limit) {
  return ReadFamilyChangesWhere(db_.Reader(), "WHERE status = 'review' ORDER BY id LIMIT ?",
                                [&](Statement& s) { s.Bind(1, int64_t{limit}); });
}

std::optional<std::string> Store::ChangePackage(int64_t change) {
  Statement s = db_.Reader().Prepare("SELECT package FROM change_packages WHERE change_id = ?");
  s.Bind(1, change);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::optional<FacilityRow> Store::Facility(const std::string& code) {
  Statement s = db_.Reader().Prepare(
      "SELECT code, name, type, regency_code, district_code, accepting, capacity, members FROM facilities WHERE code = ?");
  s.Bind(1, code);
  if (!s.Step()) return std::nullopt;
  return FacilityRow{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5) != 0, s.Int(6), s.Int(7)};
}

std::vector<FacilityRow> Store::OpenFacilities(const std::string& district, const std::string& regency) {
  Statement s = db_.Reader().Prepare(
      "SELECT code, name, type, regency_code, district_code, accepting, capacity, members FROM facilities "
      "WHERE (district_code = ? OR regency_code = ?) AND accepting = 1 AND members < capacity ORDER BY name, code");
  s.Bind(1, district).Bind(2, regency);
  std::vector<FacilityRow> rows;
  while (s.Step()) rows.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5) != 0, s.Int(6), s.Int(7)});
  return rows;
}

int64_t Store::FacilityCount() {
  Statement s = db_.Reader().Prepare("SELECT COUNT(*) FROM facilities");
  return s.Step() ? s.Int(0) : 0;
}

int64_t Store::ReplacedPackages(int64_t registration) {
  Statement s = db_.Reader().Prepare("SELECT COUNT(*) FROM replaced_packages WHERE registration_id = ?");
  s.Bind(1, registration);
  return s.Step() ? s.Int(0) : 0;
}

std::map<std::string, int64_t> Store::CountByStatus() {
  Statement s = db_.Reader().Prepare("SELECT status, COUNT(*) FROM registrations GROUP BY status");
  std::map<std::string, int64_t> counts;
  while (s.Step()) counts[s.Text(0)] = s.Int(1);
  return counts;
}

std::optional<std::string> Store::Package(const std::string& reference) {
  Statement s = db_.Reader().Prepare("SELECT package FROM registrations WHERE reference = ?");
  s.Bind(1, reference);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

bool Store::ForEachAudit(const std::function<void(const AuditRow&)>& visit) {
  Statement s = db_.Reader().Prepare("SELECT seq, at, event, subject, detail, prev, hash FROM audit ORDER BY seq");
  while (s.Step()) visit({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)});
  return s.ok();
}

}  // namespace daftar::server
