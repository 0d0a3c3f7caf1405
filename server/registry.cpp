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

bool AppendAudit(Connection& c, const std::string& key, const std::string& at, const std::string& event,
                 const std::string& subject, const json& detail) {
  if (!c.LockAuditChain()) return false;  // one chain, however many servers append to it
  Statement last = c.Prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
  int64_t seq = 1;
  std::string prev(32, '\0');
  if (last.Step()) {
    seq = last.Int(0) + 1;
    prev = last.Text(1);
  }
  const std::string detail_text = detail.dump();
  const std::string hash = AuditHash(key, prev, seq, at, event, subject, detail_text);
  Statement insert = c.Prepare("INSERT INTO audit (seq, at, event, subject, detail, prev, hash) VALUES (?,?,?,?,?,?,?)");
  insert.Bind(1, seq).Bind(2, at).Bind(3, event).Bind(4, subject).Bind(5, detail_text).BindBlob(6, prev).BindBlob(7, hash);
  insert.Step();
  return insert.ok();
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

// Card numbers from the durable counter (never reused: the counter only grows, in the same
// transaction), the family's virtual account, and the payment window from `date`.
std::optional<NumbersIssued> IssueNumbers(Connection& c, int64_t registration, Date date, const Config& config,
                                          const std::string& audit_key, const std::string& at,
                                          const std::string& reference) {
  Statement members = c.Prepare("SELECT position, relationship FROM members WHERE registration_id = ? ORDER BY position");
  members.Bind(1, registration);
  std::vector<std::pair<int64_t, std::string>> list;
  while (members.Step()) list.emplace_back(members.Int(0), members.Text(1));
  const std::vector<int64_t> serials = c.NextCardSerials(static_cast<int>(list.size()));
  if (serials.size() != list.size()) return std::nullopt;
  NumbersIssued issued;
  std::string head_card;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::optional<std::string> card = CardFromSerial(serials[i]);
    if (!card) return std::nullopt;
    Statement set = c.Prepare("UPDATE members SET card_number = ? WHERE registration_id = ? AND position = ?");
    set.Bind(1, *card).Bind(2, registration).Bind(3, list[i].first).Step();
    if (!set.ok()) return std::nullopt;
    if (list[i].second == "head") head_card = *card;
    issued.cards.push_back(*card);
  }
  issued.va = MakeVirtualAccount(head_card, config.va_prefix).va;
  issued.earliest = config.working_days ? AddBusinessDays(date, config.earliest_days) : AddDays(date, config.earliest_days);
  issued.latest = config.working_days ? AddBusinessDays(date, config.latest_days) : AddDays(date, config.latest_days);
  Statement set = c.Prepare("UPDATE registrations SET va = ?, earliest = ?, latest = ? WHERE id = ?");
  set.Bind(1, issued.va).Bind(2, FormatIsoDate(issued.earliest)).Bind(3, FormatIsoDate(issued.latest)).Bind(4, registration).Step();
  if (!set.ok() || issued.va.empty()) return std::nullopt;
  if (!AppendAudit(c, audit_key, at, "numbers_issued", reference, {{"cards", issued.cards}, {"va", issued.va}})) return std::nullopt;
  return issued;
}

}  // namespace

Answer Registry::Register(std::string_view package, const std::string& idempotency_key) {
  // The key names a request, it proves nothing: only the identical package gets the first answer.
  const std::string package_hash = KeyedHash(package, {});
  const auto replay = [&]() -> std::optional<Answer> {
    Statement s = db_.Reader().Prepare(
        "SELECT reference, first_status, package_hash FROM registrations WHERE idempotency_key = ?");
    s.Bind(1, idempotency_key);
    if (!s.Step()) return std::nullopt;
    if (s.IsNull(2) || s.Text(2).size() != package_hash.size() ||
        sodium_memcmp(s.Text(2).data(), package_hash.data(), package_hash.size()) != 0) {
      return Problem(422, "registration.idempotency_key_reused");
    }
    const std::string reference = s.Text(0);
    return Answer{201, {{"reference", reference}, {"access_token", AccessToken(reference)}, {"status", s.Text(1)}}};
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
  const bool stored = db_.Write([&](Connection& c) {
    Statement insert = c.Prepare(
        "INSERT INTO registrations (reference, status, first_status, created_at, created_date, segment, class, head_name, "
        "bill_amount, warnings, idempotency_key, package, package_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    insert.Bind(1, reference).Bind(2, status).Bind(3, status).Bind(4, at).Bind(5, today_text)
        .Bind(6, TextOf(Field(normalized, "segment"))).Bind(7, Field(normalized, "class").dump()).Bind(8, head_name)
        .Bind(9, bill).Bind(10, warnings.dump());
    if (idempotency_key.empty()) {
      insert.BindNull(11);
    } else {
      insert.Bind(11, idempotency_key);
    }
    if (!insert.BindBlob(12, package).BindBlob(13, package_hash).Step()) {
      replayed = insert.IsConstraintViolation() && !idempotency_key.empty();
      return false;
    }
    const int64_t id = insert.Int(0);
    insert.Step();
    for (std::size_t i = 0; i < members.size(); ++i) {
      const json& m = members[i];
      Statement member = c.Prepare(
          "INSERT INTO members (registration_id, position, nik_hash, nik_masked, name, relationship) VALUES (?,?,?,?,?,?)");
      member.Bind(1, id).Bind(2, static_cast<int64_t>(i));
      if (const std::string nik = TextOf(Field(m, "nik")); nik.size() == 16) {
        member.BindBlob(3, KeyedHash(nik, keys_.nik_key)).Bind(4, MaskNik(nik));
      } else {
        member.BindNull(3).BindNull(4);
      }
      member.Bind(5, TextOf(Field(m, "name"))).Bind(6, TextOf(Field(m, "relationship"))).Step();
      if (!member.ok()) {
        if (member.IsConstraintViolation()) duplicate = i;
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
  Connection& c = db_.Reader();
  Statement r = c.Prepare(
      "SELECT id, status, class, created_date, va, bill_amount, earliest, latest, segment FROM registrations WHERE reference = ?");
  r.Bind(1, reference);
  if (!r.Step()) return not_found;
  const int64_t id = r.Int(0);
  const std::string status = r.Text(1), klass = r.Text(2);
  json body = {{"reference", reference}, {"status", status}, {"segment", r.Text(8)}, {"class", Parse(klass)},
               {"registered", r.Text(3)}, {"members", json::array()}, {"bill", nullptr}, {"payments", json::array()},
               {"receipt", nullptr}, {"cards", json::array()}};
  if (!r.IsNull(4)) {
    body["bill"] = {{"amount", r.Int(5)}, {"va", r.Text(4)}, {"earliest", r.Text(6)}, {"latest", r.Text(7)}};
  }
  Statement p = c.Prepare("SELECT amount, paid_at, bank_id, bank_ref, receipt FROM payments WHERE registration_id = ?");
  p.Bind(1, id);
  std::string paid_at;
  while (p.Step()) {
    paid_at = p.Text(1);
    body["payments"].push_back({{"amount", p.Int(0)}, {"paid_at", paid_at}, {"bank", p.Text(2)}, {"bank_ref", p.Text(3)}});
    body["receipt"] = Parse(p.Text(4));
  }
  Statement m = c.Prepare("SELECT name, nik_masked, card_number FROM members WHERE registration_id = ? ORDER BY position");
  m.Bind(1, id);
  while (m.Step()) {
    const json card = m.IsNull(2) ? json() : json(m.Text(2));
    body["members"].push_back({{"name", m.Text(0)}, {"nik_masked", m.IsNull(1) ? json() : json(m.Text(1))}, {"card_number", card}});
    if (card.is_null()) continue;
    // A card is issued at verification and active from the first payment.
    const json payload = {{"type", "daftar.card/1"},
                          {"card", card},
                          {"name", m.Text(0)},
                          {"class", Parse(klass)},
                          {"status", status == "active" ? "active" : "inactive"},
                          {"issued", body["registered"]},
                          {"active_from", paid_at.empty() ? json() : json(paid_at.substr(0, 10))}};
    body["cards"].push_back(SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key)));
  }
  return {200, std::move(body)};
}

Answer Registry::Inquiry(const json& request) {
  const std::string va = TextOf(Field(request, "va"));
  if (va.empty()) return Problem(422, "input.required", "/va");
  Statement r = db_.Reader().Prepare(
      "SELECT bill_amount, head_name, earliest, latest, status FROM registrations WHERE va = ?");
  r.Bind(1, va);
  if (!r.Step()) return Problem(404, "va.unknown", "/va");
  return {200, {{"va", va}, {"amount", r.Int(0)}, {"name", MaskName(r.Text(1))}, {"earliest", r.Text(2)},
                {"latest", r.Text(3)},
                {"status", r.Text(4) == "active" ? "paid" : r.Text(4) == "expired" ? "expired" : "unpaid"}}};
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
    Statement s = db_.Reader().Prepare("SELECT receipt FROM payments WHERE bank_id = ? AND bank_ref = ?");
    s.Bind(1, bank_id).Bind(2, bank_ref);
    if (!s.Step()) return std::nullopt;
    return Answer{200, {{"status", "paid"}, {"receipt", Parse(s.Text(0))}}};
  };
  if (auto first = replay()) return *first;  // the same payment again changes nothing

  Statement r = db_.Reader().Prepare(
      "SELECT id, reference, status, bill_amount, earliest, latest FROM registrations WHERE va = ?");
  r.Bind(1, va);
  if (!r.Step()) return Problem(404, "va.unknown", "/va");
  const int64_t id = r.Int(0), bill = r.Int(3);
  const std::string reference = r.Text(1), status = r.Text(2), earliest = r.Text(4), latest = r.Text(5);
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
  Statement m = db_.Reader().Prepare("SELECT card_number FROM members WHERE registration_id = ? ORDER BY position");
  m.Bind(1, id);
  while (m.Step()) cards.push_back(m.Text(0));
  const std::string received = clock_.now();
  const json payload = {{"type", "daftar.receipt/1"}, {"reference", reference}, {"va", va},
                        {"amount", amount},           {"bank_id", bank_id},     {"bank_ref", bank_ref},
                        {"paid_at", paid_at},         {"received_at", received}, {"cards", cards}};
  const json receipt = SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key));
  bool conflict = false;
  const bool applied = db_.Write([&](Connection& c) {
    Statement insert = c.Prepare(
        "INSERT INTO payments (registration_id, bank_id, bank_ref, amount, paid_at, received_at, receipt) VALUES (?,?,?,?,?,?,?)");
    insert.Bind(1, id).Bind(2, bank_id).Bind(3, bank_ref).Bind(4, amount).Bind(5, paid_at).Bind(6, received)
        .Bind(7, receipt.dump()).Step();
    if (!insert.ok()) {
      conflict = insert.IsConstraintViolation();
      return false;
    }
    Statement activate = c.Prepare("UPDATE registrations SET status = 'active' WHERE id = ? AND status = 'verified'");
    activate.Bind(1, id).Step();
    if (!activate.ok() || activate.Changes() != 1) {
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
  Statement r = db_.Reader().Prepare(
      "SELECT reference, created_at, warnings, (SELECT COUNT(*) FROM members WHERE registration_id = registrations.id) "
      "FROM registrations WHERE status = 'review' ORDER BY id");
  while (r.Step()) {
    items.push_back({{"reference", r.Text(0)}, {"received", r.Text(1)}, {"members", r.Int(3)}, {"warnings", Parse(r.Text(2))}});
  }
  return {200, {{"review", items}}};
}

// An operator's decision on a registration in review: `apply` makes the changes, in the same
// transaction that found it still in review.
Answer Registry::Decide(const std::string& reference, const std::string& status,
                        const std::function<bool(Connection&, int64_t id)>& apply) {
  std::string outcome;
  const bool done = db_.Write([&](Connection& c) {
    Statement r = c.Prepare("SELECT id, status FROM registrations WHERE reference = ?");
    r.Bind(1, reference);
    const bool found = r.Step();
    if (!found || r.Text(1) != "review") {
      outcome = found ? "not_in_review" : "not_found";
      return false;
    }
    // Claimed by a guarded update: of two operators deciding at once (on any servers), one wins.
    Statement claim = c.Prepare("UPDATE registrations SET status = ? WHERE id = ? AND status = 'review'");
    claim.Bind(1, status).Bind(2, r.Int(0)).Step();
    if (!claim.ok() || claim.Changes() != 1) {
      outcome = "not_in_review";
      return false;
    }
    return apply(c, r.Int(0));
  });
  if (outcome == "not_found") return Problem(404, "registration.not_found");
  if (outcome == "not_in_review") return Problem(409, "registration.not_in_review");
  if (!done) return Problem(503, "storage.unavailable");
  return {200, {{"reference", reference}, {"status", status}}};
}

Answer Registry::Approve(const std::string& reference) {
  const std::string at = clock_.now();
  const Date today = clock_.today();
  return Decide(reference, "verified", [&](Connection& c, int64_t id) {
    Statement set = c.Prepare("UPDATE registrations SET status = 'verified', decision = ? WHERE id = ?");
    set.Bind(1, json{{"decision", "approved"}, {"at", at}}.dump()).Bind(2, id).Step();
    return set.ok() && AppendAudit(c, keys_.audit_key, at, "approved", reference, json::object()) &&
           IssueNumbers(c, id, today, config_, keys_.audit_key, at, reference).has_value();
  });
}

Answer Registry::Reject(const std::string& reference, const json& request) {
  const json& reasons = Field(request, "reasons");
  bool ok = reasons.is_array() && !reasons.empty();
  for (const json& reason : ArrayOf(reasons)) ok = ok && !TextOf(reason).empty();
  if (!ok) return Problem(422, "review.reasons_required", "/reasons");
  const std::string at = clock_.now();
  return Decide(reference, "rejected", [&](Connection& c, int64_t id) {
    Statement set = c.Prepare("UPDATE registrations SET status = 'rejected', decision = ? WHERE id = ?");
    set.Bind(1, json{{"decision", "rejected"}, {"reasons", reasons}, {"at", at}}.dump()).Bind(2, id).Step();
    // The family may apply again: its NIKs no longer count as registered.
    Statement free = c.Prepare("UPDATE members SET nik_hash = NULL WHERE registration_id = ?");
    free.Bind(1, id).Step();
    return set.ok() && free.ok() && AppendAudit(c, keys_.audit_key, at, "rejected", reference, {{"reasons", reasons}});
  });
}

int Registry::ExpireUnpaid() {
  const std::string today = FormatIsoDate(clock_.today()), at = clock_.now();
  int expired = 0;
  const bool done = db_.Write([&](Connection& c) {
    std::vector<std::pair<int64_t, std::string>> due;
    Statement find = c.Prepare("SELECT id, reference FROM registrations WHERE status = 'verified' AND latest < ?");
    find.Bind(1, today);
    while (find.Step()) due.emplace_back(find.Int(0), find.Text(1));
    for (const auto& [id, reference] : due) {
      // Guarded: when several servers sweep at once, each registration expires once.
      Statement set = c.Prepare("UPDATE registrations SET status = 'expired' WHERE id = ? AND status = 'verified'");
      set.Bind(1, id).Step();
      if (set.ok() && set.Changes() == 0) continue;
      // The family may register again: its NIKs no longer count as registered.
      Statement free = c.Prepare("UPDATE members SET nik_hash = NULL WHERE registration_id = ?");
      free.Bind(1, id).Step();
      if (!set.ok() || !free.ok() || !AppendAudit(c, keys_.audit_key, at, "expired", reference, {{"unpaid_after", today}})) {
        return false;
      }
    }
    expired = static_cast<int>(due.size());  // at most; an upper bound for the caller's log
    return true;
  });
  return done ? expired : 0;
}

bool Registry::RememberNonce(const std::string& bank_id, const std::string& nonce, int64_t at) {
  bool fresh = false;
  const bool done = db_.Write([&](Connection& c) {
    // Nonces older than the accepted clock skew can never come back: their timestamp is refused.
    Statement prune = c.Prepare("DELETE FROM bank_nonces WHERE seen_at < ?");
    prune.Bind(1, at - 2 * kBankClockSkewSeconds).Step();
    Statement insert = c.Prepare("INSERT INTO bank_nonces (bank_id, nonce, seen_at) VALUES (?,?,?)");
    insert.Bind(1, bank_id).Bind(2, nonce).Bind(3, at).Step();
    fresh = insert.ok();
    return fresh;
  });
  return done && fresh;
}

json Registry::Counts() {
  json counts = json::object();
  Statement s = db_.Reader().Prepare("SELECT status, COUNT(*) FROM registrations GROUP BY status");
  while (s.Step()) counts[s.Text(0)] = s.Int(1);
  return counts;
}

Findings VerifyAuditChain(Connection& c, const std::string& audit_key, int64_t& entries) {
  Findings f;
  Statement s = c.Prepare("SELECT seq, at, event, subject, detail, prev, hash FROM audit ORDER BY seq");
  std::string prev(32, '\0');
  entries = 0;
  while (s.Step()) {
    const int64_t seq = s.Int(0);
    const std::vector<Param> where = {{"seq", seq}};
    if (seq != entries + 1) f.Error("/" + std::to_string(seq), "audit.gap", where);
    if (s.Text(5) != prev) f.Error("/" + std::to_string(seq), "audit.broken_link", where);
    if (AuditHash(audit_key, s.Text(5), seq, s.Text(1), s.Text(2), s.Text(3), s.Text(4)) != s.Text(6)) f.Error("/" + std::to_string(seq), "audit.altered", where);
    prev = s.Text(6);
    entries = seq;
  }
  return f;
}

}  // namespace daftar::server
