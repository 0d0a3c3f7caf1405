#include "registry.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>

#include "daftar/api.h"
#include "daftar/card.h"
#include "daftar/keys.h"
#include "daftar/messages.h"
#include "daftar/package.h"
#include "daftar/signature.h"
#include "checked_json.h"
#include "pdf_inspection.h"
#include "registry_internal.h"

namespace daftar::server {
namespace internal {

// Our own stored JSON (or the dispatcher's answer); null when there is none.
json Parse(const std::string& text) {
  json value = json::parse(text, nullptr, false);
  return value.is_discarded() ? json() : value;
}

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

// A finding's params as stored in JSON, back as params.
std::vector<Param> ParamsFrom(const json& params) {
  std::vector<Param> out;
  if (!params.is_object()) return out;
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (it->is_number_integer()) {
      out.push_back({it.key(), it->get<int64_t>()});
    } else if (it->is_string()) {
      out.push_back({it.key(), it->get<std::string>()});
    }
  }
  return out;
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

json ByOperator(const OperatorIdentity& who, const json& detail) {
  json entry = {{"operator", who.name}, {"operator_id", who.id}};
  entry.update(detail);
  return entry;
}

std::optional<Answer> CheckReasons(const json& reasons) {
  if (!reasons.is_array() || reasons.empty() || reasons.size() > 10) return Problem(422, "review.reasons_required", "/reasons");
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const std::string code = TextOf(reasons[i]);
    if (code.rfind("reason.", 0) != 0 || !IsCatalogued(code)) {
      return Problem(422, "review.unknown_reason", "/reasons/" + std::to_string(i), {{"reason", code.substr(0, 64)}});
    }
  }
  return std::nullopt;
}

}  // namespace internal
using namespace internal;

std::string IsoTimestamp(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

Clock SystemClock() {
  return {[] {
            const std::time_t now = std::time(nullptr);
            std::tm local{};
            localtime_r(&now, &local);
            return Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
          },
          [] {
            return IsoTimestamp(static_cast<int64_t>(std::time(nullptr)));
          },
          [] { return static_cast<int64_t>(std::time(nullptr)); }};
}

std::optional<Date> ReadClockFile(const std::string& path) {
  const std::optional<std::string> text = ReadFile(path);
  if (!text) return std::nullopt;
  const std::size_t start = text->find_first_not_of(" \t\r\n");
  return start == std::string::npos ? std::nullopt : ParseIsoDate(std::string_view(*text).substr(start, 10));
}

Clock FileCalendarClock(std::string path) {
  Clock system = SystemClock();
  Clock clock = system;
  clock.today = [path, system] { return ReadClockFile(path).value_or(system.today()); };
  clock.now = [path, system] {
    const std::optional<Date> day = ReadClockFile(path);
    const std::string now = system.now();  // "YYYY-MM-DDTHH:MM:SSZ"
    return day ? FormatIsoDate(*day) + now.substr(10) : now;
  };
  return clock;
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

std::string Registry::AccessCode(const std::string& reference) const {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford's base32
  const std::string mac = HmacSha256(keys_.token_key, "access-code:" + reference);
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<unsigned char>(mac[i]);
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i == 4 || i == 8) code.push_back('-');
    code.push_back(kAlphabet[(bits >> (64 - 5 * (i + 1))) & 31]);
  }
  return code;
}

bool Registry::MayRead(const std::string& reference, std::string_view token) const {
  const std::string expected = AccessToken(reference);
  if (token.size() == expected.size() && sodium_memcmp(token.data(), expected.data(), expected.size()) == 0) return true;
  // The code as people type it back: any case, with or without its dashes, O for 0 and I or L for 1.
  std::string typed;
  for (char c : token) {
    if (c == '-' || c == ' ') continue;
    c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    typed.push_back(c == 'O' ? '0' : (c == 'I' || c == 'L') ? '1' : c);
  }
  std::string code = AccessCode(reference);
  std::erase(code, '-');
  return typed.size() == code.size() && sodium_memcmp(typed.data(), code.data(), code.size()) == 0;
}

namespace {

struct NumbersIssued {
  std::vector<std::string> cards;
  std::string va;
  Date earliest, latest;
};

// Card numbers (never reused: serials only grow, in the same transaction), the family's virtual
// account, and the payment window from `date`.
std::optional<NumbersIssued> NewNumbers(Changes& c, int64_t registration, Date date, const Config& config,
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

bool Registry::IssueNumbers(Changes& c, int64_t registration, Date date, const std::string& at,
                            const std::string& reference, int64_t amount) {
  const std::optional<NumbersIssued> issued = NewNumbers(c, registration, date, config_, keys_.audit_key, at, reference);
  if (!issued) return false;
  std::string cards;
  for (const std::string& card : issued->cards) cards += (cards.empty() ? "" : ", ") + card;
  return NotifyFamily(c, registration, reference + ":verified", "notify.verified",
                      {{"reference", reference}, {"cards", cards}, {"amount", amount}, {"va", issued->va},
                       {"latest", FormatIsoDate(issued->latest)}},
                      at);
}

bool Registry::NotifyFamily(Changes& c, int64_t registration, const std::string& event, const std::string& template_code,
                            json params, const std::string& at) {
  const NotificationsConfig& n = config_.notifications;
  if (!n.any()) return true;
  const std::optional<ContactRow> contact = c.Contact(registration);
  if (!contact) return true;  // registered before contacts were kept
  const bool sink = !n.sink_file.empty();
  std::vector<std::pair<std::string, std::string>> to;
  if (contact->phone && (n.sms || sink)) to.emplace_back("sms", *contact->phone);
  if (contact->email && (n.email || sink)) to.emplace_back("email", *contact->email);
  for (const auto& [channel, recipient] : to) {
    if (!NotifyAddress(c, event, channel, recipient, contact->language, template_code, params, at)) return false;
  }
  return true;
}

bool Registry::NotifyAddress(Changes& c, const std::string& event, const std::string& channel, const std::string& to,
                             const std::string& language, const std::string& template_code, const json& params,
                             const std::string& at) {
  // A code never reaches the database in clear: the outbox keeps it sealed until it is sent.
  json kept = params;
  if (kept.is_object() && Field(kept, "code").is_string()) {
    kept[std::string(kSealedCode)] = SealForOutbox(Field(kept, "code").get<std::string>());
    kept.erase("code");
  }
  return c.QueueMessage({0, event + ":" + channel, channel, to, template_code, kept.dump(), language, at, clock_.unix_seconds(), 0});
}

namespace {

// The outbox's own key, derived from token.key: what it seals opens on every replica.
std::array<unsigned char, crypto_secretbox_KEYBYTES> OutboxKey(const std::string& token_key) {
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  constexpr std::string_view kContext = "daftar outbox secrets 1";
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(kContext.data()), kContext.size(),
                     reinterpret_cast<const unsigned char*>(token_key.data()), token_key.size());
  return key;
}

}  // namespace

std::string Registry::SealForOutbox(std::string_view secret) const {
  const auto key = OutboxKey(keys_.token_key);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                        out, key.data());
  return Base64Encode(box);
}

std::optional<std::string> Registry::OpenFromOutbox(std::string_view sealed) const {
  const std::optional<std::string> box = Base64Decode(sealed);
  if (!box || box->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto key = OutboxKey(keys_.token_key);
  const auto* in = reinterpret_cast<const unsigned char*>(box->data());
  std::string secret(box->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(secret.data()), in + crypto_secretbox_NONCEBYTES,
                                 box->size() - crypto_secretbox_NONCEBYTES, in, key.data()) != 0) {
    return std::nullopt;
  }
  return secret;
}

namespace {

// The application's contact, as the family's messages need it.
ContactRow ContactOf(const json& application) {
  const json& contact = Field(application, "contact");
  ContactRow row;
  if (const std::string phone = TextOf(Field(contact, "phone")); !phone.empty()) row.phone = phone;
  if (const std::string email = TextOf(Field(contact, "email")); !email.empty()) row.email = email;
  if (Field(contact, "language") == "en") row.language = "en";
  return row;
}

}  // namespace

Registry::Admission Registry::Admit(std::string_view package) {
  Admission a;
  if (static_cast<int64_t>(package.size()) > config_.limits.max_package_bytes) {
    a.refusal = Problem(413, "package.too_large", "", {{"max_bytes", config_.limits.max_package_bytes}});
    return a;
  }
  OpenedPackage opened = OpenPackage(package, keys_.intake.public_key, keys_.intake.secret_key);
  if (opened.findings.has_errors()) {
    a.refusal = Problem(422, opened.findings);
    return a;
  }

  // Trust nothing the device says: the same rules again, with the server's own today. The
  // manifest's depth and document list were checked by the reader; its fields are read checked.
  const std::string today_text = FormatIsoDate(clock_.today());
  DispatchOptions options;
  options.tariffs = &config_.tariffs;
  options.max_members = config_.limits.max_members;
  const json application = Parse(opened.manifest);
  // Only a server that asks the population registry needs the applicant's consent to ask it.
  // Only a server whose operators loaded the facility table needs the family's choice of one.
  const bool facilities = store_.FacilityCount() > 0;
  const json request = {{"application", application}, {"today", today_text}, {"require_consent", RegistryConfigured()},
                        {"require_facility", facilities}};
  const json verdict = Parse(Dispatch("validate", request.dump(), options).body);
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
  if (!errors.empty()) {
    a.refusal = ProblemFromErrors(422, std::move(errors));
    return a;
  }

  a.normalized = Field(verdict, "normalized");
  a.warnings = ArrayOf(Field(verdict, "warnings"));
  // The facility must be in the table and take members (its room is counted when it is stored).
  a.facility = TextOf(Field(a.normalized, "facility"));
  if (!a.facility.empty()) {
    const std::optional<FacilityRow> f = facilities ? store_.Facility(a.facility) : std::nullopt;
    if (!f) {
      a.refusal = Problem(422, "facility.unknown", "/facility", {{"code", a.facility}});
      return a;
    }
    if (!f->accepting) {
      a.refusal = Problem(422, "facility.full", "/facility", {{"code", a.facility}});
      return a;
    }
  }
  const json quote = Parse(Dispatch("quote", json{{"request", a.normalized}, {"date", today_text}}.dump(), options).body);
  // The tariff that validated the class prices it; a tariff file that disagrees is refused, not fatal.
  const json& bill_amount = Field(Field(quote, "monthly"), "participant");
  if (!bill_amount.is_number_integer()) {
    json quote_errors = ArrayOf(Field(quote, "errors"));
    if (quote_errors.empty()) quote_errors.push_back(ErrorJson("quote.no_tariff_for_date", "/class", {{"date", today_text}}));
    a.refusal = ProblemFromErrors(422, std::move(quote_errors));
    return a;
  }
  a.bill = bill_amount.get<int64_t>();
  return a;
}

namespace {

// "32.04.11.2001" -> "32.04.11": the district, for the operators' queue.
std::optional<std::string> DistrictOf(const json& application) {
  const std::string village = TextOf(Field(Field(application, "address"), "village_code"));
  const std::size_t third_dot = village.size() == 13 ? 8 : std::string::npos;
  if (third_dot == std::string::npos || village[third_dot] != '.') return std::nullopt;
  return village.substr(0, third_dot);
}

}  // namespace

// The KK number under the NIK key, domain-separated: kept only to recognise a family that asks
// whether a member is registered (CoverageCheck).
std::string internal::KkHashOf(const std::string& kk_number, const std::string& nik_key) { return KeyedHash("kk:" + kk_number, nik_key); }

namespace {

std::string HeadName(const json& application) {
  for (const json& m : ArrayOf(Field(application, "members"))) {
    if (Field(m, "relationship") == "head") return TextOf(Field(m, "name"));
  }
  return {};
}

json WarningCodes(const json& warnings) {
  json codes = json::array();
  for (const json& w : ArrayOf(warnings)) codes.push_back(Field(w, "code"));
  return codes;
}

}  // namespace

// Adds the application's members; kConflict names the first whose NIK is registered elsewhere.
namespace {

Changes::Outcome AddMembers(Changes& c, int64_t id, const json& members, const std::string& nik_key,
                                   std::optional<std::size_t>& duplicate) {
  for (std::size_t i = 0; i < members.size(); ++i) {
    const json& m = members[i];
    const std::string nik = TextOf(Field(m, "nik"));
    const bool has_nik = nik.size() == 16;
    const Changes::Outcome member =
        c.AddMember(id, static_cast<int64_t>(i), has_nik ? std::optional(KeyedHash(nik, nik_key)) : std::nullopt,
                    has_nik ? std::optional(MaskNik(nik)) : std::nullopt, TextOf(Field(m, "name")),
                    TextOf(Field(m, "relationship")), TextOf(Field(m, "birth_date")));
    if (member != Changes::Outcome::kOk) {
      if (member == Changes::Outcome::kConflict) duplicate = i;
      return member;
    }
  }
  return Changes::Outcome::kOk;
}

Answer DuplicateNik(std::size_t member) {
  // Which member of this application, and nothing about the other registration.
  return Problem(409, "registration.nik_already_registered", "/members/" + std::to_string(member) + "/nik",
                 {{"member", static_cast<int64_t>(member)}, {"number", static_cast<int64_t>(member + 1)}});
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
                        {"access_code", AccessCode(first->reference)},
                        {"status", first->first_status}}};
  };
  if (!idempotency_key.empty()) {
    if (auto first = replay()) return *first;
  }
  const Admission admitted = Admit(package);
  if (admitted.refusal) return *admitted.refusal;

  const Date today = clock_.today();
  const json& normalized = admitted.normalized;
  const json& warnings = admitted.warnings;
  // With a registry the status waits for it; without one the rules and the warnings decide.
  const std::string status = RegistryConfigured() ? "verifying" : warnings.empty() ? "verified" : "review";
  const std::string reference = NewReference(), at = clock_.now();
  const json& members = ArrayOf(Field(normalized, "members"));

  std::optional<std::size_t> duplicate;
  bool replayed = false, facility_full = false;
  const bool stored = store_.Write([&](Changes& c) {
    NewRegistration r{reference, status, at, FormatIsoDate(today), TextOf(Field(normalized, "segment")),
                      Field(normalized, "class").dump(), HeadName(normalized), warnings.dump(), DistrictOf(normalized),
                      RegistryConfigured() ? "pending" : "not_configured", admitted.bill, idempotency_key,
                      std::string(package), package_hash, KkHashOf(TextOf(Field(normalized, "kk_number")), keys_.nik_key)};
    int64_t id = 0;
    const Changes::Outcome added = c.AddRegistration(r, id);
    if (added != Changes::Outcome::kOk) {
      replayed = added == Changes::Outcome::kConflict && !idempotency_key.empty();
      return false;
    }
    if (AddMembers(c, id, members, keys_.nik_key, duplicate) != Changes::Outcome::kOk) return false;
    if (!admitted.facility.empty() && !TakeFacilityPlace(c, id, admitted.facility, facility_full)) return false;
    if (!AppendAudit(c, keys_.audit_key, at, "registration_received", reference,
                     {{"status", status}, {"members", members.size()}, {"warnings", WarningCodes(warnings)}}) ||
        !c.SetContact(id, ContactOf(normalized)) ||
        !NotifyFamily(c, id, reference + ":received", "notify.registration_received", {{"reference", reference}}, at)) {
      return false;
    }
    if (status == "verifying") return c.AddVerificationJob(id, clock_.unix_seconds(), false);
    return status != "verified" || IssueNumbers(c, id, today, at, reference, admitted.bill);
  });
  if (replayed) {
    if (auto first = replay()) return *first;
  }
  if (duplicate) return DuplicateNik(*duplicate);
  if (facility_full) return Problem(422, "facility.full", "/facility", {{"code", admitted.facility}});
  if (!stored) return Problem(503, "storage.unavailable");
  if (status == "verifying") JobQueued();
  return {201, {{"reference", reference}, {"access_token", AccessToken(reference)}, {"access_code", AccessCode(reference)},
                {"status", status}}};
}

Answer Registry::Correct(const std::string& reference, std::string_view token, std::string_view package) {
  if (!MayRead(reference, token)) return Problem(404, "registration.not_found");
  const std::optional<RegistrationRow> current = store_.FindByReference(reference);
  if (!current) return Problem(404, "registration.not_found");
  if (current->status != "needs_correction") return Problem(409, "registration.not_correctable");
  const Admission admitted = Admit(package);
  if (admitted.refusal) return *admitted.refusal;

  const json& normalized = admitted.normalized;
  const json& members = ArrayOf(Field(normalized, "members"));
  // A correction an operator asked for goes back to an operator; one the registry asked for is
  // judged by the registry again.
  const bool asked_by_operator = TextOf(Field(Parse(current->decision.value_or("")), "decision")) == "correction_requested";
  const std::string next = RegistryConfigured() ? "verifying" : "review";
  const std::string at = clock_.now();
  std::optional<std::size_t> duplicate;
  bool moved = true, facility_full = false;
  const bool stored = store_.Write([&](Changes& c) {
    if (!c.MoveStatus(current->id, "needs_correction", next)) {
      moved = false;  // another correction, or an operator, got there first
      return false;
    }
    const ReplacedApplication replacement{Field(normalized, "class").dump(), TextOf(Field(normalized, "segment")),
                                          HeadName(normalized), admitted.warnings.dump(), std::string(package),
                                          KkHashOf(TextOf(Field(normalized, "kk_number")), keys_.nik_key), DistrictOf(normalized), admitted.bill};
    // The old application's facility place goes back before its members do; the new one's is taken.
    if (!ReleaseFacilityPlace(c, current->id) || !c.ReplaceApplication(current->id, replacement, at) ||
        !c.SetContact(current->id, ContactOf(normalized)) ||
        AddMembers(c, current->id, members, keys_.nik_key, duplicate) != Changes::Outcome::kOk ||
        !c.DeleteRegistryChecks(current->id) ||
        (!admitted.facility.empty() && !TakeFacilityPlace(c, current->id, admitted.facility, facility_full))) {
      return false;
    }
    if (!AppendAudit(c, keys_.audit_key, at, "corrected", reference,
                     {{"status", next}, {"members", members.size()}, {"warnings", WarningCodes(admitted.warnings)}})) {
      return false;
    }
    if (next == "review") return true;
    return c.SetPopulationCheck(current->id, "pending") &&
           c.AddVerificationJob(current->id, clock_.unix_seconds(), asked_by_operator);
  });
  if (!moved) return Problem(409, "registration.not_correctable");
  if (duplicate) return DuplicateNik(*duplicate);
  if (facility_full) return Problem(422, "facility.full", "/facility", {{"code", admitted.facility}});
  if (!stored) return Problem(503, "storage.unavailable");
  if (next == "verifying") JobQueued();
  return {202, {{"reference", reference}, {"status", next}}};
}

std::optional<json> Registry::StoredApplication(const std::string& reference, std::vector<std::string>* documents) {
  const std::optional<std::string> package = store_.Package(reference);
  const std::optional<RegistrationRow> row = store_.FindByReference(reference);
  if (!package || !row) return std::nullopt;
  OpenedPackage opened = OpenPackage(*package, keys_.intake.public_key, keys_.intake.secret_key);
  if (opened.findings.has_errors()) return std::nullopt;
  if (documents) *documents = std::move(opened.documents);
  // Normalized as the rules normalized it on the day it arrived.
  DispatchOptions options;
  options.tariffs = &config_.tariffs;
  options.max_members = config_.limits.max_members;
  const json verdict = Parse(
      Dispatch("validate", json{{"application", Parse(opened.manifest)}, {"today", row->created_date}}.dump(), options).body);
  return Field(verdict, "normalized");
}

std::optional<std::vector<PendingCheck>> Registry::PendingChecks(int64_t registration) {
  const std::optional<RegistrationRow> row = store_.FindById(registration);
  if (!row || row->status != "verifying") return std::nullopt;
  const std::optional<json> application = StoredApplication(row->reference);
  if (!application) return std::nullopt;
  std::vector<bool> answered;
  for (const RegistryCheckRow& check : store_.RegistryChecks(registration)) {
    if (check.position >= 0 && static_cast<std::size_t>(check.position) < 1000) {
      answered.resize(std::max(answered.size(), static_cast<std::size_t>(check.position) + 1));
      answered[static_cast<std::size_t>(check.position)] = true;
    }
  }
  const json& consent = Field(*application, "consent");
  std::vector<PendingCheck> pending;
  const json& members = ArrayOf(Field(*application, "members"));
  for (std::size_t i = 0; i < members.size(); ++i) {
    const json& m = members[i];
    const std::string nik = TextOf(Field(m, "nik"));
    if (nik.size() != 16 || (i < answered.size() && answered[i])) continue;  // newborns are not sent
    unsigned char raw[6];
    randombytes_buf(raw, sizeof raw);
    RegistryRequest r;
    r.request_id = row->reference + "-" + std::to_string(i) + "-" + Hex({reinterpret_cast<const char*>(raw), sizeof raw});
    r.nik = nik;
    r.kk_number = TextOf(Field(*application, "kk_number"));
    r.name = TextOf(Field(m, "name"));
    r.birth_date = TextOf(Field(m, "birth_date"));
    r.sex = TextOf(Field(m, "sex"));
    r.consent_given_at = TextOf(Field(consent, "given_at"));
    r.consent_text_version = TextOf(Field(consent, "text_version"));
    pending.push_back({static_cast<int64_t>(i), std::move(r)});
  }
  return pending;
}

bool Registry::RecordCheck(int64_t registration, int64_t position, const RegistryAnswer& answer) {
  json fields = json::object();
  for (const auto& [name, same] : answer.fields) fields[name] = same;
  const RegistryCheckRow row{registration, position, answer.request_id, std::string(ResultName(answer.result)),
                             fields.dump(), clock_.now()};
  return store_.Write([&](Changes& c) { return c.SaveRegistryCheck(row); });
}

namespace {

// The registry's field flags as the answers the family must correct. The family card number is
// one answer however many members it disagreed for.
json CorrectionsFrom(const std::vector<RegistryCheckRow>& checks) {
  json corrections = json::array();
  bool kk_listed = false;
  for (const RegistryCheckRow& check : checks) {
    if (check.result != "mismatch") continue;
    const json fields = Parse(check.fields);
    const std::string member = "/members/" + std::to_string(check.position);
    for (const char* field : {"kk_number", "name", "birth_date", "sex"}) {
      if (Field(fields, field) != false) continue;
      const bool family_field = std::string_view(field) == "kk_number";
      if (family_field && kk_listed) continue;
      kk_listed = kk_listed || family_field;
      corrections.push_back({{"path", family_field ? std::string("/kk_number") : member + "/" + field},
                             {"code", std::string("registry.") + field + "_mismatch"},
                             {"params", {{"member", check.position}, {"number", check.position + 1}}}});
    }
  }
  return corrections;
}

}  // namespace

std::string Registry::ConcludeVerification(int64_t registration, bool then_review) {
  const std::string at = clock_.now();
  const Date today = clock_.today();
  std::string outcome;
  const bool done = store_.Write([&](Changes& c) {
    const std::optional<RegistrationRow> row = c.Registration(registration);
    if (!row || row->status != "verifying") {
      outcome = row ? row->status : "";
      return c.DeleteVerificationJob(registration);  // nothing left to decide
    }
    const std::vector<RegistryCheckRow> checks = c.RegistryChecks(registration);
    const std::vector<MemberRow> members = c.Members(registration);
    // Every member with a NIK needs its answer first; without them nothing is decided (the job
    // stays leased and is taken up again when its lease runs out).
    std::size_t with_nik = 0;
    for (const MemberRow& m : members) with_nik += m.nik_masked ? 1 : 0;
    if (checks.size() < with_nik) {
      outcome.clear();
      return false;
    }
    const json corrections = CorrectionsFrom(checks);
    bool not_found = false;
    for (const RegistryCheckRow& check : checks) not_found = not_found || check.result == "not_found";
    bool without_nik = false;  // a newborn: its birth certificate is for an operator to judge
    for (const MemberRow& m : members) without_nik = without_nik || !m.nik_masked;
    const bool warned = !ArrayOf(Parse(row->warnings)).empty();
    outcome = !corrections.empty()                                        ? "needs_correction"
              : (not_found || without_nik || warned || then_review) ? "review"
                                                                         : "verified";
    json results = json::array();
    for (const RegistryCheckRow& check : checks) {
      results.push_back({{"member", check.position}, {"result", check.result}, {"request_id", check.request_id}});
    }
    if (!c.MoveStatus(registration, "verifying", outcome) || !c.SetPopulationCheck(registration, "done") ||
        !c.DeleteVerificationJob(registration) ||
        (!corrections.empty() && !c.SetCorrections(registration, corrections.dump())) ||
        !AppendAudit(c, keys_.audit_key, at, "population_checked", row->reference, {{"status", outcome}, {"results", results}})) {
      return false;
    }
    if (outcome == "needs_correction" &&
        !NotifyFamily(c, registration, row->reference + ":correction:" + at, "notify.correction_needed",
                      {{"reference", row->reference}}, at)) {
      return false;
    }
    return outcome != "verified" || IssueNumbers(c, registration, today, at, row->reference, row->bill_amount);
  });
  return done ? outcome : std::string();
}

namespace {

json SignedJson(const SignedDocument& d) { return {{"payload", d.payload}, {"signature", d.signature}, {"key", d.key}}; }

}  // namespace

Answer Registry::Status(const std::string& reference, std::string_view token) {
  const Answer not_found = Problem(404, "registration.not_found");
  if (!MayRead(reference, token)) return not_found;
  const std::optional<RegistrationRow> r = store_.FindByReference(reference);
  if (!r) return not_found;
  const FamilyNow family = FamilyOf(*r);
  const json klass = Parse(family.class_today);  // after a class change, the class in force today
  // The card names the facility where the family is treated today, once one is chosen.
  json facility = nullptr;
  if (const auto f = family.facility_today.empty() ? std::nullopt : store_.Facility(family.facility_today)) facility = f->name;
  json body = {{"reference", reference}, {"access_code", AccessCode(reference)}, {"status", r->status}, {"segment", r->segment}, {"class", klass},
               {"registered", r->created_date}, {"members", json::array()}, {"bill", nullptr}, {"payments", json::array()},
               {"receipt", nullptr}, {"cards", json::array()}};
  if (r->va) body["bill"] = {{"amount", r->bill_amount}, {"va", *r->va}, {"earliest", r->earliest}, {"latest", r->latest}};
  // Membership month by month, computed for today whether or not the calendar job has run.
  body["membership"] = "none";
  if (r->status == "verified" || r->status == "active") {
    const AccountAnswer a = AccountOf(*r, 0);
    if (a.refusal) return *a.refusal;
    const json& account = a.account;
    const json& due = Field(account, "due_now");
    body["membership"] = Field(account, "membership");
    body["due_now"] = {{"amount", Field(due, "amount")}, {"months", Field(due, "months")}};
    if (r->status == "verified") {
      body["bill"]["amount"] = Field(due, "amount");  // the first month at today's tariff
    } else {
      body["bills"] = Field(account, "bills");
      for (const char* key : {"suspended_from", "reactivated_at", "penalty_window_until", "penalty"}) body[key] = Field(account, key);
    }
  }
  // Where the population registry check stands, in words a family understands when it waits.
  std::string check = r->population_check;
  if (check == "pending") {
    if (const std::optional<VerificationJobRow> job = store_.VerificationJob(r->id); job && job->attempts > 0) {
      check = "waiting";
      const Message waiting = RenderMessage({Severity::kWarning, "", "registry.waiting", {}});
      body["waiting"] = {{"code", "registry.waiting"}, {"message", {{"id", waiting.id}, {"en", waiting.en}}},
                         {"attempts", job->attempts}, {"next_try", IsoTimestamp(job->due)}};
    }
  }
  body["population_check"] = check;
  body["corrections"] = json::array();
  const json corrections = Parse(r->corrections.value_or(""));
  for (const json& c : ArrayOf(corrections)) {
    body["corrections"].push_back(ErrorJson(TextOf(Field(c, "code")), TextOf(Field(c, "path")), ParamsFrom(Field(c, "params"))));
  }
  const json decision = Parse(r->decision.value_or(""));
  if (r->status == "rejected" && Field(decision, "decision") == "rejected") {
    json reasons = json::array();
    for (const json& code : ArrayOf(Field(decision, "reasons"))) reasons.push_back(ErrorJson(TextOf(code), "", {}));
    body["rejection"] = {{"reasons", reasons}, {"note", Field(decision, "note")}, {"at", Field(decision, "at")}};
  }
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
                          {"class", klass},
                          {"status", body["membership"] == "active" ? "active" : "inactive"},
                          {"issued", r->created_date},
                          {"active_from", paid_at.empty() ? json() : json(paid_at.substr(0, 10))},
                          {"birth_date", m.birth_date ? json(*m.birth_date) : json()},
                          {"facility", facility},
                          {"as_of", FormatIsoDate(clock_.today())}};
    body["cards"].push_back(SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key)));
  }
  return {200, std::move(body)};
}

Registry::AccountAnswer Registry::AccountOf(const RegistrationRow& r, int64_t months_ahead, const json& paying) {
  // Members on the application are covered from registration; those who joined or left since, as
  // their changes said.
  const std::string since = r.created_date.substr(0, 7);
  json members = json::array(), paid = json::array();
  for (const MemberRow& m : store_.Members(r.id)) {
    json cover = {{"from", m.covered_from.value_or(since)}};
    if (m.covered_until) cover["until"] = *m.covered_until;
    if (m.cover_pay_by) cover["pay_by"] = *m.cover_pay_by;
    members.push_back(std::move(cover));
  }
  std::map<std::string, int64_t> next_part;
  for (const PaidMonthRow& m : store_.PaidMonths(r.id)) {
    paid.push_back({{"month", m.month}, {"amount", m.amount}, {"paid_at", m.paid_at}});
    next_part[m.month] = std::max(next_part[m.month], m.part + 1);
  }
  for (const json& m : paying) paid.push_back(m);  // a payment being applied: the account after it
  const json request = {{"today", FormatIsoDate(clock_.today())}, {"classes", FamilyOf(r).classes},
                        {"members", members}, {"paid", paid}, {"months_ahead", months_ahead}};
  DispatchOptions options;
  options.tariffs = &config_.tariffs;
  json account = Parse(Dispatch("account", request.dump(), options).body);
  if (Field(account, "valid") == false) return {{}, ProblemFromErrors(422, ArrayOf(Field(account, "errors"))), {}};
  return {std::move(account), std::nullopt, std::move(next_part)};
}

namespace {

// "months_ahead" of a bank call: absent is 0; the core judges how many are allowed.
std::optional<int64_t> MonthsAhead(const json& request) {
  const json& ahead = Field(request, "months_ahead");
  if (ahead.is_null()) return 0;
  if (!ahead.is_number_integer() || ahead.get<int64_t>() < 0 || ahead.get<int64_t>() > 1200) return std::nullopt;
  return ahead.get<int64_t>();
}

}  // namespace

Answer Registry::Inquiry(const json& request) {
  const std::string va = TextOf(Field(request, "va"));
  if (va.empty()) return Problem(422, "input.required", "/va");
  const std::optional<int64_t> ahead = MonthsAhead(request);
  if (!ahead) return Problem(422, "input.wrong_type", "/months_ahead", {{"expected", "integer"}});
  const std::optional<RegistrationRow> r = store_.FindByVa(va);
  if (!r) return Problem(404, "va.unknown", "/va");
  json answer = {{"va", va}, {"amount", r->bill_amount}, {"months", json::array()}, {"name", MaskName(r->head_name)},
                 {"earliest", r->earliest}, {"latest", r->latest}, {"status", r->status == "expired" ? "expired" : "unpaid"},
                 {"membership", "none"}};
  if (r->status == "verified" || r->status == "active") {
    const AccountAnswer a = AccountOf(*r, *ahead);
    if (a.refusal) return *a.refusal;
    const json& due = Field(a.account, "due_now");
    answer["amount"] = Field(due, "amount");
    answer["months"] = Field(due, "months");
    answer["membership"] = Field(a.account, "membership");
    if (Field(due, "months").empty()) answer["status"] = "paid";
  }
  return {200, std::move(answer)};
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
  const std::optional<int64_t> ahead = MonthsAhead(request);
  if (!ahead) f.Error("/months_ahead", "input.wrong_type", {{"expected", "integer"}});
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
  const int64_t id = r->id;
  const std::string &reference = r->reference, &status = r->status, &earliest = r->earliest, &latest = r->latest;
  if (status == "expired") {
    return Problem(422, "payment.outside_window", "/paid_at", {{"earliest", earliest}, {"latest", latest}});
  }
  if (status != "verified" && status != "active") return Problem(422, "payment.not_payable", "/va");
  const std::string day = FormatIsoDate(*paid_date);
  if (status == "verified" && (day < earliest || day > latest)) {
    return Problem(422, "payment.outside_window", "/paid_at", {{"earliest", earliest}, {"latest", latest}});
  }
  // The payment pays exactly what the inquiry answers now: the months due, oldest first.
  const AccountAnswer before = AccountOf(*r, *ahead);
  if (before.refusal) return *before.refusal;
  const json& due = Field(before.account, "due_now");
  const json& months = Field(due, "months");
  const int64_t due_amount = IntOf(Field(due, "amount"));
  if (months.empty()) return Problem(409, "payment.already_paid", "/va");
  if (amount != due_amount) return Problem(422, "payment.amount_mismatch", "/amount", {{"expected", due_amount}});
  const bool reactivates = Field(before.account, "membership") == "inactive";
  // What the family is told: the months paid, and when it reactivates, its penalty window.
  json paying = json::array();
  std::string month_list;
  for (const json& bill : ArrayOf(Field(due, "bills"))) {
    paying.push_back({{"month", Field(bill, "month")}, {"amount", Field(bill, "amount")}, {"paid_at", paid_at}});
    month_list += (month_list.empty() ? "" : ",") + TextOf(Field(bill, "month"));
  }
  json reactivated;
  if (reactivates) {
    const AccountAnswer after = AccountOf(*r, 0, paying);
    if (after.refusal) return *after.refusal;
    const json& penalty = Field(after.account, "penalty");
    reactivated = {{"reference", r->reference},
                   {"reactivated_at", Field(after.account, "reactivated_at")},
                   {"penalty_window_until", Field(after.account, "penalty_window_until")},
                   {"rate_bp", Field(penalty, "rate_bp")},
                   {"max_months", Field(penalty, "max_months")},
                   {"cap", Field(penalty, "cap")}};
  }

  json cards = json::array();
  for (const MemberRow& m : store_.Members(id)) cards.push_back(m.card_number.value_or(""));
  const std::string received = clock_.now();
  const json payload = {{"type", "daftar.receipt/1"}, {"reference", reference}, {"va", va},
                        {"amount", amount},           {"months", months},       {"bank_id", bank_id},
                        {"bank_ref", bank_ref},       {"paid_at", paid_at},     {"received_at", received},
                        {"cards", cards}};
  const json receipt = SignedJson(Sign(payload.dump(), keys_.signing.secret_key, keys_.signing.public_key));
  bool conflict = false;
  const bool applied = store_.Write([&](Changes& c) {
    // A month already paid (another payment got there first) or this bank reference seen: conflict.
    const auto fits = [&](Changes::Outcome o) {
      conflict = conflict || o == Changes::Outcome::kConflict;
      return o == Changes::Outcome::kOk;
    };
    if (!fits(c.AddPayment(id, bank_id, bank_ref, amount, paid_at, received, receipt.dump()))) return false;
    for (const json& bill : ArrayOf(Field(due, "bills"))) {
      const std::string month_text = TextOf(Field(bill, "month"));
      // Numbered after the parts the account was computed from: a payment racing this one for the
      // same month collides with it on (month, part), and only one is applied.
      const auto part = before.next_part.find(month_text);
      const PaidMonthRow month{month_text, IntOf(Field(bill, "amount")), paid_at, bank_id, bank_ref,
                               part == before.next_part.end() ? 0 : part->second};
      if (!fits(c.AddPaidMonth(id, month))) return false;
    }
    if (status == "verified" && !c.MoveStatus(id, "verified", "active")) {
      conflict = true;
      return false;
    }
    return AppendAudit(c, keys_.audit_key, received, "payment_applied", reference,
                       {{"bank_id", bank_id}, {"bank_ref", bank_ref}, {"amount", amount}, {"months", months}}) &&
           (!reactivates || AppendAudit(c, keys_.audit_key, received, "reactivated", reference, {{"months", months}})) &&
           NotifyFamily(c, id, reference + ":paid:" + bank_id + ":" + bank_ref, "notify.payment_received",
                        {{"reference", reference}, {"amount", amount}, {"months", month_list}, {"bank_ref", bank_ref}}, received) &&
           (!reactivates ||
            NotifyFamily(c, id, reference + ":reactivated:" + bank_id + ":" + bank_ref, "notify.reactivated", reactivated, received));
  });
  if (conflict) {
    if (auto first = replay()) return *first;
    return Problem(409, "payment.already_paid", "/va");
  }
  if (!applied) return Problem(503, "storage.unavailable");
  return {200, {{"status", "paid"}, {"receipt", receipt}}};
}

Answer Registry::ReviewQueue(const QueueFilter& filter) {
  json items = json::array();
  for (const ReviewRow& r : store_.ReviewQueue(filter)) {
    items.push_back({{"reference", r.reference}, {"status", r.status}, {"received", r.received}, {"members", r.members},
                     {"district", r.district_code ? json(*r.district_code) : json()},
                     {"population_check", r.population_check}, {"warnings", WarningCodes(Parse(r.warnings))}});
  }
  return {200, {{"queue", items}}};
}

json Registry::RejectionReasons() {
  json reasons = json::array();
  for (std::string_view code : CataloguedCodes()) {
    if (code.rfind("reason.", 0) != 0) continue;
    const Message m = RenderMessage({Severity::kError, "", std::string(code), {}});
    reasons.push_back({{"code", code}, {"message", {{"id", m.id}, {"en", m.en}}}});
  }
  return reasons;
}

Answer Registry::Case(const std::string& reference, const OperatorIdentity& who) {
  const std::optional<RegistrationRow> r = store_.FindByReference(reference);
  if (!r) return Problem(404, "registration.not_found");
  const std::optional<json> application = StoredApplication(reference);
  if (!application) return Problem(503, "storage.unavailable");
  // Every view of personal data is in the audit chain, under the operator's name.
  const std::string at = clock_.now();
  if (!store_.Write([&](Changes& c) { return AppendAudit(c, keys_.audit_key, at, "case_viewed", reference, ByOperator(who)); })) {
    return Problem(503, "storage.unavailable");
  }
  const std::vector<RegistryCheckRow> checks = store_.RegistryChecks(r->id);
  const std::vector<MemberRow> rows = store_.Members(r->id);
  json members = json::array();
  const json& listed = ArrayOf(Field(*application, "members"));
  for (std::size_t i = 0; i < listed.size(); ++i) {
    json m = listed[i];
    m["card_number"] = i < rows.size() && rows[i].card_number ? json(*rows[i].card_number) : json();
    m["registry"] = nullptr;
    for (const RegistryCheckRow& check : checks) {
      if (check.position != static_cast<int64_t>(i)) continue;
      m["registry"] = {{"result", check.result}, {"fields", Parse(check.fields)}, {"request_id", check.request_id},
                       {"checked_at", check.checked_at}};
    }
    members.push_back(std::move(m));
  }
  json documents = json::array();
  const json& declared = ArrayOf(Field(*application, "documents"));
  for (std::size_t i = 0; i < declared.size(); ++i) {
    documents.push_back({{"index", i}, {"kind", Field(declared[i], "kind")}, {"member", Field(declared[i], "member")},
                         {"media_type", Field(declared[i], "media_type")}, {"size", Field(declared[i], "size")}});
  }
  json corrections = json::array();
  const json stored_corrections = Parse(r->corrections.value_or(""));
  for (const json& c : ArrayOf(stored_corrections)) {
    corrections.push_back(ErrorJson(TextOf(Field(c, "code")), TextOf(Field(c, "path")), ParamsFrom(Field(c, "params"))));
  }
  const json warnings = Parse(r->warnings);
  bool mismatch = false;
  for (const RegistryCheckRow& check : checks) mismatch = mismatch || check.result == "mismatch";
  return {200,
          {{"reference", reference},
           {"status", r->status},
           {"received", r->created_at},
           {"segment", r->segment},
           {"class", Parse(r->klass)},
           {"kk_number", Field(*application, "kk_number")},
           {"contact", Field(*application, "contact")},
           {"address", Field(*application, "address")},
           {"district", r->district_code ? json(*r->district_code) : json()},
           {"consent", Field(*application, "consent")},
           {"population_check", r->population_check},
           {"registry_mismatch", mismatch},
           {"members", members},
           {"documents", documents},
           {"warnings", warnings},
           {"corrections", corrections},
           {"decision", Parse(r->decision.value_or(""))},
           {"corrected_times", store_.ReplacedPackages(r->id)},
           {"bill", r->va ? json{{"amount", r->bill_amount}, {"va", *r->va}} : json()}}};
}

std::optional<CaseDocument> Registry::Document(const std::string& reference, std::size_t index, const OperatorIdentity& who) {
  std::vector<std::string> documents;
  const std::optional<json> application = StoredApplication(reference, &documents);
  if (!application || index >= documents.size()) return std::nullopt;
  const std::string at = clock_.now();
  if (!store_.Write([&](Changes& c) {
        return AppendAudit(c, keys_.audit_key, at, "document_viewed", reference, ByOperator(who, {{"document", index}}));
      })) {
    return std::nullopt;
  }
  const json& declared = Item(Field(*application, "documents"), index);
  CaseDocument d{TextOf(Field(declared, "kind")), TextOf(Field(declared, "media_type")), std::move(documents[index]), std::nullopt};
  if (Field(declared, "member").is_number_integer()) d.member = Field(declared, "member").get<int64_t>();
  return d;
}

// An operator's decision on a case in one of `from`: `apply` makes the changes in the same
// transaction that moves it, or answers a refusal (and nothing changes).
Answer Registry::Decide(const std::string& reference, const std::vector<std::string>& from, const std::string& to,
                        const std::function<std::optional<Answer>(Changes&, const RegistrationRow&)>& apply) {
  std::optional<Answer> refusal;
  bool found = false, movable = false;
  const bool done = store_.Write([&](Changes& c) {
    const auto id = c.IdAndStatus(reference);
    found = id.has_value();
    const std::optional<RegistrationRow> row = id ? c.Registration(id->first) : std::nullopt;
    movable = row && std::find(from.begin(), from.end(), row->status) != from.end();
    // Moved by a guarded update: of two operators deciding at once (on any servers), one wins.
    if (!movable || !c.MoveStatus(row->id, row->status, to)) {
      movable = false;
      return false;
    }
    refusal = apply(c, *row);
    return !refusal;
  });
  if (!found) return Problem(404, "registration.not_found");
  if (!movable) return Problem(409, "registration.not_in_review");
  if (refusal) return *refusal;
  if (!done) return Problem(503, "storage.unavailable");
  return {200, {{"reference", reference}, {"status", to}}};
}

Answer Registry::Approve(const std::string& reference, const OperatorIdentity& who, const json& request) {
  const std::string at = clock_.now(), note = TextOf(Field(request, "note")).substr(0, 1000);
  const Date today = clock_.today();
  return Decide(reference, {"review", "needs_correction"}, "verified", [&](Changes& c, const RegistrationRow& row) -> std::optional<Answer> {
    bool mismatch = row.status == "needs_correction";
    for (const RegistryCheckRow& check : c.RegistryChecks(row.id)) mismatch = mismatch || check.result == "mismatch";
    // Four eyes: the registry said no, so a reviewer alone cannot say yes.
    if (mismatch && !who.supervisor()) return Problem(403, "operator.supervisor_required");
    const json decision = {{"decision", "approved"}, {"operator", who.name}, {"override_registry", mismatch}, {"note", note}, {"at", at}};
    if (!c.SetDecision(row.id, decision.dump()) || !c.SetCorrections(row.id, std::nullopt) ||
        !AppendAudit(c, keys_.audit_key, at, "approved", reference, ByOperator(who, {{"override_registry", mismatch}})) ||
        !IssueNumbers(c, row.id, today, at, reference, row.bill_amount)) {
      return Problem(503, "storage.unavailable");
    }
    return std::nullopt;
  });
}

Answer Registry::Reject(const std::string& reference, const OperatorIdentity& who, const json& request) {
  const json& reasons = Field(request, "reasons");
  if (std::optional<Answer> refusal = CheckReasons(reasons)) return *refusal;
  const std::string at = clock_.now(), note = TextOf(Field(request, "note")).substr(0, 1000);
  return Decide(reference, {"review", "needs_correction"}, "rejected", [&](Changes& c, const RegistrationRow& row) -> std::optional<Answer> {
    // The family may apply again: its NIKs no longer count as registered.
    const json decision = {{"decision", "rejected"}, {"operator", who.name}, {"reasons", reasons}, {"note", note}, {"at", at}};
    if (!c.SetDecision(row.id, decision.dump()) || !c.FreeNiks(row.id) || !ReleaseFacilityPlace(c, row.id) ||
        !AppendAudit(c, keys_.audit_key, at, "rejected", reference, ByOperator(who, {{"reasons", reasons}})) ||
        !NotifyFamily(c, row.id, reference + ":rejected", "notify.rejected", {{"reference", reference}}, at)) {
      return Problem(503, "storage.unavailable");
    }
    return std::nullopt;
  });
}

Answer Registry::RequestCorrection(const std::string& reference, const OperatorIdentity& who, const json& request) {
  const std::string message = TextOf(Field(request, "message"));
  if (message.empty() || message.size() > 1000) return Problem(422, "review.message_required", "/message");
  // Optionally, the answers to correct (JSON Pointers into the application, as the rules use).
  json corrections = json::array();
  for (const json& path : ArrayOf(Field(request, "paths"))) {
    const std::string p = TextOf(path);
    if (p.empty() || p.size() > 64 || p[0] != '/') return Problem(422, "input.wrong_type", "/paths", {{"expected", "JSON Pointer"}});
    corrections.push_back({{"path", p}, {"code", "review.correction_requested"}, {"params", {{"message", message}}}});
  }
  if (corrections.empty()) corrections.push_back({{"path", ""}, {"code", "review.correction_requested"}, {"params", {{"message", message}}}});
  const std::string at = clock_.now();
  return Decide(reference, {"review"}, "needs_correction", [&](Changes& c, const RegistrationRow& row) -> std::optional<Answer> {
    const json decision = {{"decision", "correction_requested"}, {"operator", who.name}, {"message", message}, {"at", at}};
    if (!c.SetDecision(row.id, decision.dump()) || !c.SetCorrections(row.id, corrections.dump()) ||
        !AppendAudit(c, keys_.audit_key, at, "correction_requested", reference, ByOperator(who)) ||
        !NotifyFamily(c, row.id, reference + ":correction:" + at, "notify.correction_needed", {{"reference", reference}}, at)) {
      return Problem(503, "storage.unavailable");
    }
    return std::nullopt;
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
      // The family may register again: its NIKs no longer count as registered, nor its facility place.
      if (!c.FreeNiks(id) || !ReleaseFacilityPlace(c, id) || !AppendAudit(c, keys_.audit_key, at, "expired", reference, {{"unpaid_after", today}})) {
        return false;
      }
      ++expired;
    }
    return true;
  });
  return done ? expired : 0;
}

bool Registry::RollCalendar(int batch) {
  const Date today = clock_.today();
  const std::string day = FormatIsoDate(today), this_month = day.substr(0, 7), at = clock_.now();
  // (Not a structured binding: clang 14, which builds `make fuzz`, cannot capture one in a lambda.)
  const std::pair<std::string, int64_t> rolled = store_.CalendarRoll();
  const std::string& rolled_day = rolled.first;
  const int64_t last_id = rolled.second;
  if (rolled_day == day && last_id < 0) return false;
  const int64_t after = rolled_day == day ? last_id : 0;
  const std::vector<RegistrationRow> families = store_.PayingFamilies(after, batch);
  const int64_t next = static_cast<int64_t>(families.size()) < batch ? -1 : families.back().id;

  // Each family's account for today, computed before the write: the write only records.
  struct Due {
    const RegistrationRow* family;
    json account;
  };
  std::vector<Due> accounts;
  for (const RegistrationRow& r : families) {
    AccountAnswer a = AccountOf(r, 0);
    if (!a.refusal) accounts.push_back({&r, std::move(a.account)});
  }
  bool lost = false;
  const bool written = store_.Write([&](Changes& c) {
    // Another server took this step first: it records the same, so this one records nothing.
    if (!c.AdvanceCalendarRoll(rolled_day, last_id, day, next)) {
      lost = true;
      return false;
    }
    for (const auto& [r, account] : accounts) {
      const std::string va = r->va.value_or("");
      const json& due = Field(account, "due_now");
      for (const json& bill : ArrayOf(Field(account, "bills"))) {
        if (Field(bill, "month") != this_month) continue;
        const int64_t amount = IntOf(Field(bill, "amount"));
        (void)c.RecordAccountEvent(r->id, "billed", this_month, amount, at);
        // The reminder, from 3 days before the due date until it, while the month is unpaid.
        const std::optional<Date> due_date = ParseIsoDate(TextOf(Field(bill, "due")));
        if (Field(bill, "status") == "unpaid" && Field(account, "membership") == "active" && due_date &&
            today >= AddDays(*due_date, -3) && c.RecordAccountEvent(r->id, "reminded", this_month, amount, at) &&
            !NotifyFamily(c, r->id, r->reference + ":due:" + this_month, "notify.due_soon",
                          {{"reference", r->reference}, {"month", this_month}, {"amount", amount},
                           {"due", FormatIsoDate(*due_date)}, {"va", va}},
                          at)) {
          return false;
        }
      }
      const std::string suspended_from = TextOf(Field(account, "suspended_from"));
      if (suspended_from.empty() ||
          !c.RecordAccountEvent(r->id, "suspended", suspended_from, IntOf(Field(due, "amount")), at)) {
        continue;
      }
      if (!AppendAudit(c, keys_.audit_key, at, "suspended", r->reference, {{"from", suspended_from}, {"due_now", due}}) ||
          !NotifyFamily(c, r->id, r->reference + ":suspended:" + suspended_from, "notify.suspended",
                        {{"reference", r->reference}, {"suspended_from", suspended_from},
                         {"amount", Field(due, "amount")}, {"va", va}},
                        at)) {
        return false;
      }
    }
    return true;
  });
  if (lost) return true;  // another server took the step: look again at once
  return written && next >= 0;
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
