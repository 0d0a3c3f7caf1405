#include "store.h"

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
    "id, reference, status, class, created_date, segment, head_name, va, bill_amount, earliest, latest";

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
  return r;
}

std::vector<MemberRow> ReadMembers(Connection& c, int64_t registration) {
  Statement s = c.Prepare(
      "SELECT position, name, relationship, nik_masked, card_number FROM members WHERE registration_id = ? ORDER BY position");
  s.Bind(1, registration);
  std::vector<MemberRow> members;
  while (s.Step()) members.push_back({s.Int(0), s.Text(1), s.Text(2), OptionalText(s, 3), OptionalText(s, 4)});
  return members;
}

}  // namespace

// --- changes ------------------------------------------------------------------------------------

Changes::Outcome Changes::AddRegistration(const NewRegistration& r, int64_t& id) {
  Statement s = c_.Prepare(
      "INSERT INTO registrations (reference, status, first_status, created_at, created_date, segment, class, head_name, "
      "bill_amount, warnings, idempotency_key, package, package_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
  s.Bind(1, r.reference).Bind(2, r.status).Bind(3, r.status).Bind(4, r.created_at).Bind(5, r.created_date)
      .Bind(6, r.segment).Bind(7, r.klass).Bind(8, r.head_name).Bind(9, r.bill_amount).Bind(10, r.warnings);
  BindOptional(s, 11, r.idempotency_key.empty() ? std::nullopt : std::optional(r.idempotency_key), false);
  s.BindBlob(12, r.package);
  BindOptional(s, 13, r.package_hash.empty() ? std::nullopt : std::optional(r.package_hash), true);
  if (!s.Step()) return OutcomeOf(s) == Outcome::kOk ? Outcome::kFailed : OutcomeOf(s);
  id = s.Int(0);
  s.Step();
  return OutcomeOf(s);
}

Changes::Outcome Changes::AddMember(int64_t registration, int64_t position, const std::optional<std::string>& nik_hash,
                                    const std::optional<std::string>& nik_masked, const std::string& name,
                                    const std::string& relationship) {
  Statement s = c_.Prepare(
      "INSERT INTO members (registration_id, position, nik_hash, nik_masked, name, relationship) VALUES (?,?,?,?,?,?)");
  s.Bind(1, registration).Bind(2, position);
  BindOptional(s, 3, nik_hash, true);
  BindOptional(s, 4, nik_masked, false);
  s.Bind(5, name).Bind(6, relationship).Step();
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

std::vector<MemberRow> Changes::Members(int64_t registration) { return ReadMembers(c_, registration); }

bool Changes::SetCardNumber(int64_t registration, int64_t position, const std::string& card) {
  Statement s = c_.Prepare("UPDATE members SET card_number = ? WHERE registration_id = ? AND position = ?");
  s.Bind(1, card).Bind(2, registration).Bind(3, position).Step();
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
  Statement s = db_.Reader().Prepare(std::string("SELECT ") + kRegistrationColumns + " FROM registrations WHERE reference = ?");
  s.Bind(1, reference);
  if (!s.Step()) return std::nullopt;
  return ReadRegistration(s);
}

std::optional<RegistrationRow> Store::FindByVa(const std::string& va) {
  Statement s = db_.Reader().Prepare(std::string("SELECT ") + kRegistrationColumns + " FROM registrations WHERE va = ?");
  s.Bind(1, va);
  if (!s.Step()) return std::nullopt;
  return ReadRegistration(s);
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

std::optional<std::string> Store::ReceiptFor(const std::string& bank_id, const std::string& bank_ref) {
  Statement s = db_.Reader().Prepare("SELECT receipt FROM payments WHERE bank_id = ? AND bank_ref = ?");
  s.Bind(1, bank_id).Bind(2, bank_ref);
  if (!s.Step()) return std::nullopt;
  return s.Text(0);
}

std::vector<ReviewRow> Store::ReviewQueue() {
  Statement s = db_.Reader().Prepare(
      "SELECT reference, created_at, warnings, (SELECT COUNT(*) FROM members WHERE registration_id = registrations.id) "
      "FROM registrations WHERE status = 'review' ORDER BY id");
  std::vector<ReviewRow> rows;
  while (s.Step()) rows.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3)});
  return rows;
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
