#include "registry.h"

#include <sodium.h>

#include <ctime>

#include "daftar/api.h"
#include "daftar/card.h"
#include "daftar/messages.h"
#include "daftar/package.h"
#include "daftar/signature.h"
#include "checked_json.h"
#include "pdf_inspection.h"

namespace daftar::server {
namespace {

json Parse(const std::string& text) { return json::parse(text, nullptr, false); }

// A single error rendered as the dispatcher renders them.
json ErrorJson(const std::string& code, const std::string& path, std::vector<Param> params) {
  Finding f{Severity::kError, path, code, std::move(params)};
  const Message m = RenderMessage(f);
  json p = json::object();
  for (const Param& param : f.params) {
    if (const auto* n = std::get_if<int64_t>(&param.value)) {
      p[param.name] = *n;
    } else {
      p[param.name] = std::get<std::string>(param.value);
    }
  }
  return {{"path", path}, {"code", code}, {"params", p}, {"message", {{"id", m.id}, {"en", m.en}}}};
}

Answer ProblemFromErrors(int status, json errors) {
  // Every problem carries at least one error; the first names the problem.
  const json& first = Item(errors, 0);
  json body = {{"type", "urn:daftar:problem:" + TextOf(Field(first, "code"))},
               {"title", TextOf(Field(Field(first, "message"), "id"))},
               {"title_en", TextOf(Field(Field(first, "message"), "en"))},
               {"status", status},
               {"errors", std::move(errors)}};
  return {status, std::move(body)};
}

std::string KeyedHash(std::string_view data, std::string_view key) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return {reinterpret_cast<const char*>(out), sizeof out};
}

std::string MaskNik(const std::string& nik) { return nik.substr(0, 4) + "********" + nik.substr(12); }

// "BUDI SANTOSO" -> "BU** SA*****": enough for a bank teller to confirm, not to identify.
std::string MaskName(const std::string& name) {
  std::string out;
  std::size_t in_word = 0;
  for (char c : name) {
    if (c == ' ') {
      in_word = 0;
      out.push_back(c);
    } else if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) {
      continue;  // a UTF-8 continuation byte: counted with its lead byte
    } else {
      out.push_back(in_word++ < 2 ? c : '*');
    }
  }
  return out;
}

// Crockford's base32 without look-alikes: read aloud on the phone without confusion.
std::string NewReference() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  unsigned char raw[12];
  randombytes_buf(raw, sizeof raw);
  std::string out;
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(kAlphabet[raw[i] % 32]);
  }
  return out;
}

Date AddBusinessDays(Date from, int days) {
  Date d = from;
  while (days > 0) {
    d = AddDays(d, 1);
    const int64_t weekday = (DaysFromCivil(d) + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
    if (weekday != 0 && weekday != 6) --days;
  }
  return d;
}

// The audit chain: each entry's hash is an HMAC over the previous hash and the entry, keyed with
// audit.key, which lives with the other keys and never in the database. Whoever can write the
// database but not read the keys cannot rewrite an entry and mend the chain after it.
std::string AuditHash(const std::string& key, const std::string& prev, int64_t seq, const std::string& at,
                      const std::string& event, const std::string& subject, const std::string& detail) {
  return HmacSha256(key, prev + std::to_string(seq) + '\0' + at + '\0' + event + '\0' + subject + '\0' + detail);
}

bool AppendAudit(Changes& c, const std::string& key, const std::string& at, const std::string& event,
                 const std::string& subject, const json& detail) {
  const auto last = c.LastAuditLink();
  if (!last) return false;
  AuditRow row{last->first + 1, at, event, subject, detail.dump(), last->second, {}};
  row.hash = AuditHash(key, row.prev, row.seq, row.at, row.event, row.subject, row.detail);
  return c.AddAudit(row);
}

}  // namespace

Clock SystemClock() {
  return {[] {
            const std::time_t now = std::time(nullptr);
            std::tm local{};
            localtime_r(&now, &local);
            return Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
          },
          [] {
            const std::time_t now = std::time(nullptr);
            std::tm utc{};
            gmtime_r(&now, &utc);
            char buf[32];
            std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
            return std::string(buf);
          },
          [] { return static_cast<int64_t>(std::time(nullptr)); }};
}

Answer Problem(int status, const Findings& findings) {
  json errors = json::array();
  for (const Finding& f : findings.all()) {
    if (f.severity == Severity::kError) errors.push_back(ErrorJson(f.code, f.path, f.params));
  }
  return ProblemFromErrors(status, std::move(errors));
}

Answer Problem(int status, std::string code, std::string path, std::vector<Param> params) {
  return ProblemFromErrors(status, json::array({ErrorJson(code, path, std::move(params))}));
}

std::string Registry::AccessToken(const std::string& reference) const {
  const std::string mac = HmacSha256(keys_.token_key, reference);
  std::string token(sodium_base64_encoded_len(mac.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(token.data(), token.size(), reinterpret_cast<const unsigned char*>(mac.data()), mac.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token.pop_back();  // the terminating NUL
  return token;
}

namespace {

struct NumbersIssued {
  std::vector<std::string> cards;
  std::string va;
  Date earliest, latest;
};

// Card numbers (never reused: serials only grow, in the same transaction), the family's virtual
// account, and the payment window from `date`.
std::optional<NumbersIssued> IssueNumbers(Changes& c, int64_t registration, Date date, const Config& config,
                                          const std::string& audit_key, const std::string& at,
                                          const std::string& reference) {
  const std::vector<MemberRow> members = c.Members(registration);
  const std::vector<int64_t> serials = c.NextCardSerials(static_cast<int>(members.size()));
  if (serials.size() != members.size()) return std::nullopt;
  NumbersIssued issued;
  std::string head_card;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::optional<std::string> card = CardFromSerial(serials[i]);
    if (!card || !c.SetCardNumber(registration, members[i].position, *card)) return std::nullopt;
    if (members[i].relationship == "head") head_card = *card;
    issued.cards.push_back(*card);
  }
  issued.va = MakeVirtualAccount(head_card, config.va_prefix).va;
  issued.earliest = config.working_days ? AddBusinessDays(date, config.earliest_days) : AddDays(date, config.earliest_days);
  issued.latest = config.working_days ? AddBusinessDays(date, config.latest_days) : AddDays(date, config.latest_days);
  if (issued.va.empty() ||
      !c.SetBill(registration, issued.va, FormatIsoDate(issued.earliest), FormatIsoDate(issued.latest))) {
    return std::nullopt;
  }
  if (!AppendAudit(c, audit_key, at, "numbers_issued", reference, {{"cards", issued.cards}, {"va", issued.va}})) return std::nullopt;
  return issued;
}

}  // namespace

Answer Registry::Register(std::string_view package, const std::string& idempotency_key) {
  // The key names a request, it proves nothing: only the identical package gets the first answer.
  // (Hashed only when there is a key: 24 MiB is not hashed for nothing.)
  const std::string package_hash = idempotency_key.empty() ? std::string() : KeyedHash(package, {});
  const auto replay = [&]() -> std::optional<Answer> {
    const std::optional<Store::Idempotent> first = store_.FindByIdempotencyKey(idempotency_key);
    if (!first) return std::nullopt;
    if (first->package_hash.size() != package_hash.size() ||
        sodium_memcmp(first->package_hash.data(), package_hash.data(), package_hash.size()) != 0) {
      return Problem(422, "registration.idempotency_key_reused");
    }
    return Answer{201, {{"reference", first->reference}, {"access_token", AccessToken(first->reference)},
                        {"status", first->first_status}}};
  };
  if (!idempotency_key.empty()) {
    if (auto first = replay()) return *first;
  }
  if (static_cast<int64_t>(package.size()) > config_.limits.max_package_bytes) {
    return Problem(413, "package.too_large", "", {{"max_bytes", config_.limits.max_package_bytes}});
  }
  OpenedPackage opened = OpenPackage(package, keys_.intake.public_key, keys_.intake.secret_key);
  if (opened.findings.has_errors()) return Problem(422, opened.findings);

  // Trust nothing the device says: the same rules again, with the server's own today. The
  // manifest's depth and document list were checked by the reader; its fields are read checked.
  const Date today = clock_.today();
  const std::string today_text = FormatIsoDate(today);
  DispatchOptions options;
  options.tariffs = &config_.tariffs;
  options.max_members = config_.limits.max_members;
  const json application = Parse(opened.manifest);
  const json verdict = Parse(Dispatch("validate", json{{"application", application}, {"today", today_text}}.dump(), options).body);
  json errors = ArrayOf(Field(verdict, "errors"));
  const json& declared = Field(application, "documents");
  for (std::size_t i = 0; i < opened.documents.size(); ++i) {
    const std::string where = "/documents/" + std::to_string(i);
    const std::string kind = TextOf(Field(Item(declared, i), "kind"));
    const json check = Parse(Dispatch("check-document", json{{"kind", kind}}.dump(), options, opened.documents[i]).body);
    for (json e : ArrayOf(Field(check, "errors"))) {
      if (!e.is_object()) continue;
      e["path"] = where + TextOf(Field(e, "path"));
      errors.push_back(std::move(e));
    }
    if (Field(check, "valid") != true) continue;
    const std::string actual = TextOf(Field(Field(check, "document"), "media_type"));
    if (actual != TextOf(Field(Item(declared, i), "media_type"))) {
      errors.push_back(ErrorJson("document.media_type_mismatch", where + "/media_type", {{"actual", actual}}));
    }
    // The browser's look at a PDF is light; the server decides, with a real PDF parser.
    if (actual == "application/pdf") {
      const Findings pdf = InspectPdf(opened.documents[i]);
      for (const Finding& finding : pdf.all()) errors.push_back(ErrorJson(finding.code, where, finding.params));
    }
  }
  if (!errors.empty()) return ProblemFromErrors(422, std::move(errors));

  const json& normalized = Field(verdict, "normalized");
  const json& warnings = ArrayOf(Field(verdict, "warnings"));
  const std::string status = warnings.empty() ? "verified" : "review";
  const json quote = Parse(Dispatch("quote", json{{"request", normalized}, {"date", today_text}}.dump(), options).body);
  // The tariff that validated the class prices it; a tariff file that disagrees is refused, not fatal.
  const json& bill_amount = Field(Field(quote, "monthly"), "participant");
  if (!bill_amount.is_number_integer()) {
    json quote_errors = ArrayOf(Field(quote, "errors"));
    if (quote_errors.empty()) quote_errors.push_back(ErrorJson("quote.no_tariff_for_date", "/class", {{"date", today_text}}));
    return ProblemFromErrors(422, std::move(quote_errors));
  }
  const int64_t bill = bill_amount.get<int64_t>();
  const std::string reference = NewReference(), at = clock_.now();
  const json& members = ArrayOf(Field(normalized, "members"));
  std::string head_name;
  for (const json& m : members) {
    if (Field(m, "relationship") == "head") head_name = TextOf(Field(m, "name"));
  }

  std::optional<std::size_t> duplicate;
  bool replayed = false;
  const bool stored = store_.Write([&](Changes& c) {
    NewRegistration r{reference, status, at, today_text, TextOf(Field(normalized, "segment")),
                      Field(normalized, "class").dump(), head_name, warnings.dump(), bill, idempotency_key,
                      std::string(package), package_hash};
    int64_t id = 0;
    const Changes::Outcome added = c.AddRegistration(r, id);
    if (added != Changes::Outcome::kOk) {
      replayed = added == Changes::Outcome::kConflict && !idempotency_key.empty();
      return false;
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
      const json& m = members[i];
      const std::string nik = TextOf(Field(m, "nik"));
      const bool has_nik = nik.size() == 16;
      const Changes::Outcome member =
          c.AddMember(id, static_cast<int64_t>(i), has_nik ? std::optional(KeyedHash(nik, keys_.nik_key)) : std::nullopt,
                      has_nik ? std::optional(MaskNik(nik)) : std::nullopt, TextOf(Field(m, "name")),
                      TextOf(Field(m, "relationship")));
      if (member != Changes::Outcome::kOk) {
        if (member == Changes::Outcome::kConflict) duplicate = i;
        return false;
      }
    }
    json codes = json::array();
    for (const json& w : warnings) codes.push_back(Field(w, "code"));
    if (!AppendAudit(c, keys_.audit_key, at, "registration_received", reference, {{"status", status}, {"members", members.size()}, {"warnings", codes}})) {
      return false;
    }
    return status != "verified" || IssueNumbers(c, id, today, config_, keys_.audit_key, at, reference).has_value();
  });
  if (replayed) {
    if (auto first = replay()) return *first;
  }
  if (duplicate) {
    // Which member of this application, and nothing about the other registration.
    return Problem(409, "registration.nik_already_registered", "/members/" + std::to_string(*duplicate) + "/nik",
                   {{"member", static_cast<int64_t>(*duplicate)}, {"number", static_cast<int64_t>(*duplicate + 1)}});
  }
  if (!stored) return Problem(503, "storage.unavailable");
  return {201, {{"reference", reference}, {"access_token", AccessToken(reference)}, {"status", status}}};
}

namespace {

json SignedJson(const SignedDocument& d) { return {{"payload", d.payload}, {"signature", d.signature}, {"key", d.key}}; }

}  // namespace

Answer Registry::Status(const std::string& reference, std::string_view token) {
  const std::string expected = AccessToken(reference);
  const Answer not_found = Problem(404, "registration.not_found");
  if (token.size() != expected.size() || sodium_memcmp(token.data(), expected.data(), expected.size()) != 0) return not_found;
  const std::optional<RegistrationRow> r = store_.FindByReference(reference);
  if (!r) return not_found;
  json body = {{"reference", reference}, {"status", r->status}, {"segment", r->segment}, {"class", Parse(r->klass)},
               {"registered", r->created_date}, {"members", json::array()}, {"bill", nullptr}, {"payments", json::array()},
               {"receipt", nullptr}, {"cards", json::array()}};
  if (r->va) body["bill"] = {{"amount", r->bill_amount}, {"va", *r->va}, {"earliest", r->earliest}, {"latest", r->latest}};
  std::string paid_at;
  for (const PaymentRow& p : store_.Payments(r->id)) {
    paid_at = p.paid_at;
    body["payments"].push_back({{"amount", p.amount}, {"paid_at", p.paid_at}, {"bank", p.bank_id}, {"bank_ref", p.bank_ref}});
    body["receipt"] = Parse(p.receipt);
  }
  for (const MemberRow& m : store_.Members(r->id)) {
    const json card = m.card_number ? json(*m.card_number) : json();
    body["members"].push_back({{"name", m.name}, {"nik_masked", m.nik_masked ? json(*m.nik_masked) : json()}, {"card_number", card}});
    if (card.is_null()) continue;
    // A card is issued at verification and active from the first payment.
    const json payload = {{"type", "daftar.card/1"},
                          {"card", card},
                          {"name", m.name},
                          {"class", Parse(r->klass)},
                          {"status", r->status == "active" ? "active" : "inactive"},
                          {"issued", r->created_date},
                          {"active_from", paid_at.empty() ? json() : json(paid_at.substr(0, 10))}};
    body["cards"].push_back(SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key)));
  }
  return {200, std::move(body)};
}

Answer Registry::Inquiry(const json& request) {
  const std::string va = TextOf(Field(request, "va"));
  if (va.empty()) return Problem(422, "input.required", "/va");
  const std::optional<RegistrationRow> r = store_.FindByVa(va);
  if (!r) return Problem(404, "va.unknown", "/va");
  return {200, {{"va", va}, {"amount", r->bill_amount}, {"name", MaskName(r->head_name)}, {"earliest", r->earliest},
                {"latest", r->latest},
                {"status", r->status == "active" ? "paid" : r->status == "expired" ? "expired" : "unpaid"}}};
}

Answer Registry::Payment(const std::string& bank_id, const json& request) {
  Findings f;
  const auto text = [&](const char* key, std::size_t max) -> std::string {
    std::string value = TextOf(Field(request, key));
    if (value.empty() || value.size() > max) {
      f.Error(std::string("/") + key, "input.required");
      return {};
    }
    return value;
  };
  if (!request.is_object()) return Problem(422, "input.wrong_type", "", {{"expected", "object"}});
  const std::string va = text("va", 32), bank_ref = text("bank_ref", 64), paid_at = text("paid_at", 40);
  const json& amount_field = Field(request, "amount");
  // An integer that fits: a huge unsigned value is no amount anyone owes.
  const bool amount_ok = amount_field.is_number_integer() &&
                         !(amount_field.is_number_unsigned() && amount_field.get<uint64_t>() > uint64_t{INT64_MAX});
  if (!amount_ok) f.Error("/amount", "input.wrong_type", {{"expected", "integer"}});
  const std::optional<Date> paid_date = paid_at.size() >= 10 ? ParseIsoDate(paid_at.substr(0, 10)) : std::nullopt;
  if (!paid_at.empty() && !paid_date) f.Error("/paid_at", "input.invalid_date");
  if (f.has_errors()) return Problem(422, f);
  const int64_t amount = amount_field.get<int64_t>();

  const auto replay = [&]() -> std::optional<Answer> {
    const std::optional<std::string> receipt = store_.ReceiptFor(bank_id, bank_ref);
    if (!receipt) return std::nullopt;
    return Answer{200, {{"status", "paid"}, {"receipt", Parse(*receipt)}}};
  };
  if (auto first = replay()) return *first;  // the same payment again changes nothing

  const std::optional<RegistrationRow> r = store_.FindByVa(va);
  if (!r) return Problem(404, "va.unknown", "/va");
  const int64_t id = r->id, bill = r->bill_amount;
  const std::string &reference = r->reference, &status = r->status, &earliest = r->earliest, &latest = r->latest;
  if (status == "active") return Problem(409, "payment.already_paid", "/va");
  if (status == "expired") {
    return Problem(422, "payment.outside_window", "/paid_at", {{"earliest", earliest}, {"latest", latest}});
  }
  if (status != "verified") return Problem(422, "payment.not_payable", "/va");
  if (amount != bill) return Problem(422, "payment.amount_mismatch", "/amount", {{"expected", bill}});
  const std::string day = FormatIsoDate(*paid_date);
  if (day < earliest || day > latest) {
    return Problem(422, "payment.outside_window", "/paid_at", {{"earliest", earliest}, {"latest", latest}});
  }

  json cards = json::array();
  for (const MemberRow& m : store_.Members(id)) cards.push_back(m.card_number.value_or(""));
  const std::string received = clock_.now();
  const json payload = {{"type", "daftar.receipt/1"}, {"reference", reference}, {"va", va},
                        {"amount", amount},           {"bank_id", bank_id},     {"bank_ref", bank_ref},
                        {"paid_at", paid_at},         {"received_at", received}, {"cards", cards}};
  const json receipt = SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key));
  bool conflict = false;
  const bool applied = store_.Write([&](Changes& c) {
    const Changes::Outcome added = c.AddPayment(id, bank_id, bank_ref, amount, paid_at, received, receipt.dump());
    if (added != Changes::Outcome::kOk) {
      conflict = added == Changes::Outcome::kConflict;
      return false;
    }
    if (!c.MoveStatus(id, "verified", "active")) {
      conflict = true;
      return false;
    }
    return AppendAudit(c, keys_.audit_key, received, "payment_applied", reference, {{"bank_id", bank_id}, {"bank_ref", bank_ref}, {"amount", amount}});
  });
  if (conflict) {
    if (auto first = replay()) return *first;
    return Problem(409, "payment.already_paid", "/va");
  }
  if (!applied) return Problem(503, "storage.unavailable");
  return {200, {{"status", "paid"}, {"receipt", receipt}}};
}

Answer Registry::ReviewQueue() {
  json items = json::array();
  for (const ReviewRow& r : store_.ReviewQueue()) {
    items.push_back({{"reference", r.reference}, {"received", r.received}, {"members", r.members}, {"warnings", Parse(r.warnings)}});
  }
  return {200, {{"review", items}}};
}

// An operator's decision on a registration in review: `apply` makes the changes, in the same
// transaction that moved it out of review.
Answer Registry::Decide(const std::string& reference, const std::string& status,
                        const std::function<bool(Changes&, int64_t id)>& apply) {
  std::string outcome;
  const bool done = store_.Write([&](Changes& c) {
    const auto found = c.IdAndStatus(reference);
    // Moved by a guarded update: of two operators deciding at once (on any servers), one wins.
    if (!found || found->second != "review" || !c.MoveStatus(found->first, "review", status)) {
      outcome = found ? "not_in_review" : "not_found";
      return false;
    }
    return apply(c, found->first);
  });
  if (outcome == "not_found") return Problem(404, "registration.not_found");
  if (outcome == "not_in_review") return Problem(409, "registration.not_in_review");
  if (!done) return Problem(503, "storage.unavailable");
  return {200, {{"reference", reference}, {"status", status}}};
}

Answer Registry::Approve(const std::string& reference) {
  const std::string at = clock_.now();
  const Date today = clock_.today();
  return Decide(reference, "verified", [&](Changes& c, int64_t id) {
    return c.SetDecision(id, json{{"decision", "approved"}, {"at", at}}.dump()) &&
           AppendAudit(c, keys_.audit_key, at, "approved", reference, json::object()) &&
           IssueNumbers(c, id, today, config_, keys_.audit_key, at, reference).has_value();
  });
}

Answer Registry::Reject(const std::string& reference, const json& request) {
  const json& reasons = Field(request, "reasons");
  bool ok = reasons.is_array() && !reasons.empty();
  for (const json& reason : ArrayOf(reasons)) ok = ok && !TextOf(reason).empty();
  if (!ok) return Problem(422, "review.reasons_required", "/reasons");
  const std::string at = clock_.now();
  return Decide(reference, "rejected", [&](Changes& c, int64_t id) {
    // The family may apply again: its NIKs no longer count as registered.
    return c.SetDecision(id, json{{"decision", "rejected"}, {"reasons", reasons}, {"at", at}}.dump()) && c.FreeNiks(id) &&
           AppendAudit(c, keys_.audit_key, at, "rejected", reference, {{"reasons", reasons}});
  });
}

int Registry::ExpireUnpaid() {
  const std::string today = FormatIsoDate(clock_.today()), at = clock_.now();
  int expired = 0;
  const bool done = store_.Write([&](Changes& c) {
    expired = 0;
    if (!c.Claim(Changes::Job::kExpireUnpaid)) return true;  // another server is at it now
    for (const auto& [id, reference] : c.UnpaidPastWindow(today)) {
      // Guarded as well: a registration paid meanwhile, or expired by a sweep before, stays as it is.
      if (!c.MoveStatus(id, "verified", "expired")) continue;
      // The family may register again: its NIKs no longer count as registered.
      if (!c.FreeNiks(id) || !AppendAudit(c, keys_.audit_key, at, "expired", reference, {{"unpaid_after", today}})) {
        return false;
      }
      ++expired;
    }
    return true;
  });
  return done ? expired : 0;
}

bool Registry::RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at) {
  return store_.Write([&](Changes& c) { return c.RememberNonce(bank_id, nonce, at); });
}

json Registry::Counts() {
  json counts = json::object();
  for (const auto& [status, n] : store_.CountByStatus()) counts[status] = n;
  return counts;
}

Findings VerifyAuditChain(Store& store, const std::string& audit_key, int64_t& entries) {
  Findings f;
  std::string prev(32, '\0');
  entries = 0;
  const bool read = store.ForEachAudit([&](const AuditRow& row) {
    const std::vector<Param> where = {{"seq", row.seq}};
    const std::string path = "/" + std::to_string(row.seq);
    if (row.seq != entries + 1) f.Error(path, "audit.gap", where);
    if (row.prev != prev) f.Error(path, "audit.broken_link", where);
    if (AuditHash(audit_key, row.prev, row.seq, row.at, row.event, row.subject, row.detail) != row.hash) {
      f.Error(path, "audit.altered", where);
    }
    prev = row.hash;
    entries = row.seq;
  });
  if (!read) f.Error("", "storage.unavailable");
  return f;
}

}  // namespace daftar::server
