// The member's side of the registry: signing in with a code, the member's page, and changes.
#include <sodium.h>

#include "checked_json.h"
#include "daftar/api.h"
#include "daftar/card.h"
#include "daftar/change.h"
#include "daftar/kk.h"
#include "daftar/messages.h"
#include "daftar/nik.h"
#include "daftar/package.h"
#include "operators.h"
#include "registry.h"
#include "registry_internal.h"

namespace daftar::server {
using namespace internal;
namespace {

constexpr int64_t kCodeSeconds = 5 * 60;  // a code is valid this long
constexpr int64_t kCodeTries = 5;         // and may be tried this often

// New codes for one card or NIK (member or not, alike), or for one family's new contact: two at
// once (a birth date mistyped, then right), the next 30 s later, then twice as long each time up
// to 15 minutes, at most 10 a day. Asking while a code is live sends none (StartSession), so a
// flood from many addresses sends the owner one message, which the owner can use.
constexpr Allowance kCodesPerSubject{2, 30, 15 * 60, 10, 86400};
// Codes to one number or e-mail address, sign-in and confirmation together: a family's members
// share a phone, and a stranger's number cannot be flooded through many families.
constexpr Allowance kCodesPerRecipient{3, 30, 15 * 60, 10, 86400};

// A refusal while an allowance refills: when a new code can be asked for.
Answer TooManyCodes(int64_t wait_seconds) {
  Answer a = Problem(429, "session.too_many_codes", "", {{"minutes", (wait_seconds + 59) / 60}, {"seconds", wait_seconds}});
  a.retry_after = wait_seconds;
  return a;
}

std::string NewCode() {
  const std::string digits = std::to_string(randombytes_uniform(1'000'000));
  return std::string(6 - digits.size(), '0') + digits;
}

// A code is kept only as its keyed hash, bound to its challenge.
std::string CodeHash(const std::string& key, const std::string& challenge, const std::string& code) {
  return KeyedHash(challenge + ":" + code, key);
}

// "+6281234567890" -> "+62 8**-****-7890"; "budi@example.com" -> "b***@example.com".
std::string Masked(const std::string& channel, const std::string& to) {
  if (channel == "email") {
    const std::size_t at = to.find('@');
    return at == std::string::npos || at == 0 ? "***" : to.substr(0, 1) + "***" + to.substr(at);
  }
  return to.size() < 8 ? "+62 8**-****-****" : "+62 8**-****-" + to.substr(to.size() - 4);
}

// What the answer names when no code is sent (no such member, or none reachable): a number made
// from the card asked about, the same at every ask, so the answer tells nothing either way.
std::string DecoyMask(const std::string& subject_hash) {
  std::string last4;
  for (int i = 0; i < 4; ++i) last4.push_back(static_cast<char>('0' + static_cast<unsigned char>(subject_hash[i]) % 10));
  return "+62 8**-****-" + last4;
}

// Whether a member's cover has not ended by `today` ("YYYY-MM-DD"): it ends after its last month.
bool Covered(const MemberRow& m, const std::string& today) { return !m.covered_until || *m.covered_until >= today.substr(0, 7); }

std::string FirstOfNextMonthText(Date today) { return FormatIsoDate(AddMonths(Date{today.year, today.month, 1}, 1)); }

// A stored change as the member sees it: a scheduled change whose day has come is applied, and a
// new phone or e-mail waits for its code.
json ChangeJson(const FamilyChangeRow& c, Date today) {
  std::string status = c.status;
  if (status == "scheduled" && c.effective <= FormatIsoDate(today)) status = "applied";
  json out = {{"change", std::to_string(c.id)}, {"type", c.type}, {"status", status == "confirming" ? "scheduled" : status},
              {"effective", c.effective}, {"requested_at", c.requested_at}, {"detail", Parse(c.detail)}};
  if (status == "confirming") out["awaiting"] = "confirmation";
  // A refusal says why, in the family's words.
  if (status == "refused") {
    out["reasons"] = json::array();
    for (const json& code : ArrayOf(Field(Field(out["detail"], "decision"), "reasons"))) {
      const Message m = RenderMessage({Severity::kError, "", TextOf(code), {}});
      out["reasons"].push_back({{"code", code}, {"message", {{"id", m.id}, {"en", m.en}}}});
    }
  }
  return out;
}

}  // namespace

Registry::FamilyNow Registry::FamilyOf(const RegistrationRow& r) {
  const std::string today = FormatIsoDate(clock_.today());
  FamilyNow f;
  f.class_key = f.class_today = r.klass;
  f.classes = json::array({{{"from", r.created_date.substr(0, 7)}, {"class", Parse(r.klass)}}});
  f.changes = store_.FamilyChanges(r.id);
  for (const FamilyChangeRow& c : f.changes) {
    if (c.status != "applied" && c.status != "scheduled") continue;
    const json detail = Parse(c.detail);
    const bool in_force = c.effective <= today;
    if (c.type == "class") {
      f.class_key = TextOf(Field(detail, "class")).empty() ? std::to_string(IntOf(Field(detail, "class"))) : TextOf(Field(detail, "class"));
      if (in_force) f.class_today = f.class_key;
      f.last_class_change = ParseIsoDate(c.requested_date);
      f.classes.push_back({{"from", c.effective.substr(0, 7)}, {"class", Field(detail, "class")}});
    } else if (c.type == "facility") {
      f.facility = TextOf(Field(detail, "code"));
      if (in_force) f.facility_today = f.facility;
      f.last_facility_change = ParseIsoDate(c.requested_date);
    }
  }
  return f;
}

json Registry::ChangeFamily(const RegistrationRow& r, const FamilyNow& family, const json& account, const std::string& today,
                            const std::vector<MemberRow>& members) {
  // Months in arrears: due and past their due date (this month is not owed before the 10th).
  int64_t unpaid = 0;
  for (const json& bill : ArrayOf(Field(Field(account, "due_now"), "bills"))) {
    if (TextOf(Field(bill, "due")) < today) ++unpaid;
  }
  json out = {{"class", family.class_key}, {"facility", family.facility}, {"registered_on", r.created_date}, {"unpaid_months", unpaid}};
  if (family.last_class_change) out["last_class_change"] = FormatIsoDate(*family.last_class_change);
  if (family.last_facility_change) out["last_facility_change"] = FormatIsoDate(*family.last_facility_change);
  out["members"] = json::array();
  for (const MemberRow& m : members) {
    // A member whose cover ends (a death recorded) cannot be reported again, even in its last month.
    out["members"].push_back({{"position", m.position}, {"relationship", m.relationship}, {"covered", !m.covered_until}});
  }
  return out;
}

bool Registry::TakeFacilityPlace(Changes& c, int64_t registration, const std::string& code, bool& full) {
  if (!c.CountFacilityMembers(code, static_cast<int64_t>(c.Members(registration).size()))) {
    full = true;
    return false;
  }
  const std::string today = FormatIsoDate(clock_.today());
  const json detail = {{"type", "facility"}, {"code", code}, {"at_registration", true}};
  return c.AddFamilyChange({0, registration, 0, "facility", "applied", clock_.now(), today, today, detail.dump()}).has_value();
}

bool Registry::ReleaseFacilityPlace(Changes& c, int64_t registration) {
  const auto members = static_cast<int64_t>(c.Members(registration).size());
  for (const FamilyChangeRow& row : c.FamilyChanges(registration)) {
    const json detail = Parse(row.detail);
    if (row.type != "facility" || row.status != "applied" || Field(detail, "at_registration") != true) continue;
    if (!c.CountFacilityMembers(TextOf(Field(detail, "code")), -members) || !c.MoveFamilyChange(row.id, "applied", "released")) {
      return false;
    }
  }
  return true;
}

Answer Registry::CoverageCheck(const json& request) {
  const Date today = clock_.today();
  const NikCheck nik = CheckNik(TextOf(Field(request, "nik")), today);
  for (const Finding& f : nik.findings.all()) {
    if (f.severity == Severity::kError) return Problem(422, f.code, "/nik", f.params);
  }
  const std::optional<Date> birth = ParseIsoDate(TextOf(Field(request, "birth_date")));
  if (!birth) return Problem(422, "input.invalid_date", "/birth_date", {{"expected", "YYYY-MM-DD"}});
  const KkCheck kk = CheckKk(TextOf(Field(request, "kk_number")), today);
  for (const Finding& f : kk.findings.all()) {
    if (f.severity == Severity::kError) return Problem(422, f.code, "/kk_number", f.params);
  }
  // All three must agree with a registration that still holds the NIK; otherwise the answer says
  // nothing at all, so that it tells no one who is registered from a NIK alone.
  bool registered = false;
  if (const auto found = store_.MemberByNik(KeyedHash(nik.normalized, keys_.nik_key)); found && found->second == FormatIsoDate(*birth)) {
    const std::optional<std::string> kk_hash = store_.KkHash(found->first.registration);
    const std::string asked = KkHashOf(kk.normalized, keys_.nik_key);
    registered = kk_hash && kk_hash->size() == asked.size() && SameSecret(*kk_hash, asked);
  }
  if (!registered) return {200, {{"registered", false}}};
  const Message m = RenderMessage({Severity::kWarning, "", "coverage.already_registered", {}});
  return {200, {{"registered", true}, {"message", {{"id", m.id}, {"en", m.en}}}}};
}

Answer Registry::StartSession(const json& request) {
  const Date today = clock_.today();
  const int64_t now = clock_.unix_seconds();
  std::string subject;  // what the per-card limit counts
  std::optional<MemberRef> member;
  if (const std::string card_text = TextOf(Field(request, "card")); !card_text.empty()) {
    const CardCheck card = CheckCard(card_text);
    // Cards issued before Daftar carry no published check digit: only their shape counts here.
    for (const Finding& f : card.findings.all()) {
      if (f.severity == Severity::kError && f.code != "card.invalid_check_digit") return Problem(422, f.code, "/card", f.params);
    }
    subject = "card:" + card.normalized;
    member = store_.MemberByCard(card.normalized);
  } else {
    const std::string nik_text = TextOf(Field(request, "nik")), birth_text = TextOf(Field(request, "birth_date"));
    if (nik_text.empty()) return Problem(422, "session.identify_yourself", "/card");
    const NikCheck nik = CheckNik(nik_text, today);
    for (const Finding& f : nik.findings.all()) {
      if (f.severity == Severity::kError) return Problem(422, f.code, "/nik", f.params);
    }
    const std::optional<Date> birth = ParseIsoDate(birth_text);
    if (!birth) return Problem(422, "input.invalid_date", "/birth_date", {{"expected", "YYYY-MM-DD"}});
    subject = "nik:" + nik.normalized;
    if (const auto found = store_.MemberByNik(KeyedHash(nik.normalized, keys_.nik_key));
        found && found->second == FormatIsoDate(*birth)) {
      member = found->first;
    }
  }
  // Only members whose cards were issued sign in.
  std::optional<RegistrationRow> r = member ? store_.FindById(member->registration) : std::nullopt;
  if (!r || (r->status != "verified" && r->status != "active")) member.reset();

  const std::string subject_hash = KeyedHash(subject, keys_.token_key);
  const std::string challenge = RandomToken(), at = clock_.now();
  // Whom the code goes to: the family's phone, or its e-mail when it gave no phone. The answer
  // names a phone number either way, so it tells no one whether the card is a member's or how
  // its family is reached: the real number's last digits when the code goes there, otherwise
  // (no member, or e-mail only) digits made from what was asked, the same at every ask.
  std::string sent_to = DecoyMask(subject_hash);
  int64_t wait = 0, expires = now + kCodeSeconds;
  const bool stored = store_.Write([&](Changes& c) {
    const NotificationsConfig& n = config_.notifications;
    const std::optional<ContactRow> contact = member ? c.Contact(member->registration) : std::nullopt;
    std::string channel, to;
    if (contact && contact->phone && (n.sms || !n.sink_file.empty())) {
      channel = "sms", to = *contact->phone;
    } else if (contact && contact->email && (n.email || !n.sink_file.empty())) {
      channel = "email", to = *contact->email;
    }
    if (channel == "sms") sent_to = Masked(channel, to);
    // One live code per card or NIK: while it lasts, asking again sends nothing and the new
    // challenge takes the code already sent. So whoever floods a card with requests sends its
    // owner one message, which the owner can use.
    // (A code made for someone else, as a NIK asked with another birth date, is replaced.)
    std::optional<MemberCodeRow> code = c.LockMemberCode(subject_hash);
    if (!code) return false;
    const std::optional<MemberRef> reached = to.empty() ? std::nullopt : member;
    const bool same_member = code->member.has_value() == reached.has_value() &&
                             (!reached || (code->member->registration == reached->registration && code->member->position == reached->position));
    if (code->expires > now && code->tries < kCodeTries && same_member) {
      expires = code->expires;
    } else {
      if ((wait = c.Take(KeyedHash("codes:" + subject, keys_.token_key), kCodesPerSubject, now)) > 0) return false;
      if (!to.empty() && (wait = c.Take(KeyedHash("codes-to:" + to, keys_.token_key), kCodesPerRecipient, now)) > 0) return false;
      const std::string digits = NewCode();
      *code = {subject_hash, CodeHash(keys_.token_key, subject_hash, digits), reached, now, expires, 0};
      if (!c.SetMemberCode(*code)) return false;
      if (!to.empty() && !NotifyAddress(c, "sign-in:" + challenge.substr(0, 16), channel, to, contact->language,
                                        "notify.sign_in_code", {{"code", digits}, {"minutes", kCodeSeconds / 60}}, at)) {
        return false;
      }
    }
    return c.AddChallenge({TokenHash(challenge), subject_hash, "sign_in", "", std::nullopt, std::nullopt, now, expires, 0});
  });
  if (wait > 0) return TooManyCodes(wait);
  if (!stored) return Problem(503, "storage.unavailable");
  return {202, {{"challenge", challenge}, {"sent_to", sent_to}, {"expires_in", expires - now}}};
}

Answer Registry::VerifySession(const json& request) {
  const std::string challenge = TextOf(Field(request, "challenge")), code = TextOf(Field(request, "code"));
  if (challenge.empty() || challenge.size() > 64) return Problem(422, "input.required", "/challenge");
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos) {
    return Problem(422, "session.code_format", "/code");
  }
  const int64_t now = clock_.unix_seconds();
  const std::string session = RandomToken();
  const int64_t expires = now + int64_t{config_.member_session_days} * 86400;
  // kUsedUp: a racing twin signed in with the same code first (and this job is undone).
  enum class Outcome { kExpired, kUsedUp, kWrong, kSignedIn } outcome = Outcome::kExpired;
  int64_t tries_left = 0;
  const bool stored = store_.Write([&](Changes& c) {
    const std::optional<ChallengeRow> asked = c.Challenge(TokenHash(challenge));
    if (!asked || asked->purpose != "sign_in" || asked->expires <= now) return true;
    // The try is counted before the code is compared, on the code every challenge of this card
    // shares: however many challenges and requests race, at most kCodeTries guesses are judged.
    const std::optional<MemberCodeRow> live = c.TakeMemberCodeTry(asked->subject_hash, now, kCodeTries);
    if (!live) return true;
    // A code for no member takes every code as wrong, exactly as a wrong code.
    if (!live->member || !SameSecret(CodeHash(keys_.token_key, asked->subject_hash, code), live->code_hash)) {
      outcome = Outcome::kWrong;
      tries_left = kCodeTries - live->tries;
      return true;
    }
    // Only the one that uses the code signs in; a racing twin finds it gone.
    if (!c.UseMemberCode(asked->subject_hash)) {
      outcome = Outcome::kUsedUp;
      return false;
    }
    outcome = Outcome::kSignedIn;
    const std::optional<RegistrationRow> r = c.Registration(live->member->registration);
    return r && c.AddMemberSession(TokenHash(session), *live->member, expires) &&
           AppendAudit(c, keys_.audit_key, clock_.now(), "member_signed_in", r->reference, {{"member", live->member->position}});
  });
  if (outcome == Outcome::kUsedUp) return Problem(401, "session.code_expired", "/challenge");
  if (!stored) return Problem(503, "storage.unavailable");
  if (outcome == Outcome::kExpired) return Problem(401, "session.code_expired", "/challenge");
  if (outcome == Outcome::kWrong) return Problem(401, "session.wrong_code", "/code", {{"tries_left", tries_left}});
  return {200, {{"session", session}, {"expires_at", IsoTimestamp(expires)}}};
}

Answer Registry::EndSession(std::string_view session) {
  if (!SessionOf(session)) return Problem(401, "session.required");
  if (!store_.Write([&](Changes& c) { return c.DeleteMemberSession(TokenHash(session)); })) {
    return Problem(503, "storage.unavailable");
  }
  return {200, {{"signed_out", true}}};
}

std::optional<MemberRef> Registry::SessionOf(std::string_view session) {
  if (session.empty() || session.size() > 128) return std::nullopt;
  return store_.MemberSession(TokenHash(session), clock_.unix_seconds());
}

void Registry::ForgetMemberSecrets() {
  const int64_t now = clock_.unix_seconds();
  // Allowances are forgotten once their day is over (the longest window any of them counts).
  (void)store_.Write([&](Changes& c) {
    return c.ForgetChallenges(now) && c.ForgetMemberSessions(now) && c.ForgetThrottles(now - 86400);
  });
}

Answer Registry::Me(const MemberRef& who) {
  const std::optional<RegistrationRow> r = store_.FindById(who.registration);
  if (!r) return Problem(401, "session.required");
  const Date today = clock_.today();
  const FamilyNow family = FamilyOf(*r);
  json facility = nullptr;
  if (const auto f = family.facility_today.empty() ? std::nullopt : store_.Facility(family.facility_today)) {
    facility = {{"code", f->code}, {"name", f->name}};
  }
  json body = {{"family", {{"reference", r->reference}, {"segment", r->segment}, {"class", Parse(family.class_today)},
                           {"facility", facility}, {"membership", "none"}, {"va", r->va ? json(*r->va) : json()},
                           {"district_code", r->district_code ? json(*r->district_code) : json()}}},
               {"members", json::array()},
               {"changes", json::array()}};
  if (family.facility != family.facility_today) {
    if (const auto next = store_.Facility(family.facility)) {
      body["family"]["facility_next"] = {{"code", next->code}, {"name", next->name}, {"from", FirstOfNextMonthText(today)}};
    }
  }
  if (family.class_key != family.class_today) {
    body["family"]["class_next"] = {{"class", Parse(family.class_key)}, {"from", FirstOfNextMonthText(today)}};
  }
  const AccountAnswer a = AccountOf(*r, 0);
  if (a.refusal) return *a.refusal;
  const json& due = Field(a.account, "due_now");
  body["family"]["membership"] = Field(a.account, "membership");
  body["bills"] = Field(a.account, "bills");
  body["due_now"] = {{"amount", Field(due, "amount")}, {"months", Field(due, "months")}};
  const bool active = Field(a.account, "membership") == "active";
  const std::vector<MemberRow> members = store_.Members(r->id);
  const std::string today_text = FormatIsoDate(today);
  for (const MemberRow& m : members) {
    // A member who joined later is covered from its first month; one who died, to its last.
    const bool joined = !m.covered_from || *m.covered_from <= today_text.substr(0, 7);
    json member = {{"name", m.name},
                   {"card_number", m.card_number ? json(*m.card_number) : json()},
                   {"nik_masked", m.nik_masked ? json(*m.nik_masked) : json()},
                   {"status", !Covered(m, today_text) ? "ended" : active && joined ? "active" : "inactive"},
                   {"you", m.position == who.position},
                   {"position", m.position},
                   {"relationship", m.relationship}};
    if (m.birth_date) member["birth_date"] = *m.birth_date;
    if (m.covered_from) member["covered_from"] = *m.covered_from;
    if (m.covered_until) member["covered_until"] = *m.covered_until;
    body["members"].push_back(std::move(member));
  }
  for (const FamilyChangeRow& c : family.changes) body["changes"].push_back(ChangeJson(c, today));
  // Each payment's signed receipt, printable and verifiable offline like the cards.
  body["receipts"] = json::array();
  for (const PaymentRow& p : store_.Payments(r->id)) body["receipts"].push_back(Parse(p.receipt));
  body["change_rules"] = {{"family", ChangeFamily(*r, family, a.account, today_text, members)}, {"today", today_text}};
  return {200, std::move(body)};
}

Answer Registry::RequestChange(const MemberRef& who, const json& change) {
  const std::string type = TextOf(Field(change, "type"));
  if (type == "add_member" || type == "death") return Problem(415, "change.package_required", "/type", {{"type", type}});
  // Documents named in JSON would be claims without their files: they come sealed.
  if (change.is_object() && change.contains("documents")) return Problem(415, "change.package_required", "/documents", {{"type", type}});
  return StoreChange(who, change, {});
}

Answer Registry::RequestDocumentChange(const MemberRef& who, std::string_view package) {
  if (static_cast<int64_t>(package.size()) > config_.limits.max_package_bytes) {
    return Problem(413, "package.too_large", "", {{"max_bytes", config_.limits.max_package_bytes}});
  }
  const OpenedPackage opened = OpenPackage(package, keys_.intake.public_key, keys_.intake.secret_key);
  if (opened.findings.has_errors()) return Problem(422, opened.findings);
  json change = Parse(opened.manifest);
  if (!change.is_object() || Field(change, "schema") != kChangeSchema) {
    return Problem(422, "change.unknown_schema", "/schema", {{"expected", std::string(kChangeSchema)}});
  }
  change.erase("schema");
  const std::string type = TextOf(Field(change, "type"));
  // A facility change sooner than the rules allow carries its supporting letter.
  if (type != "add_member" && type != "death" && type != "facility") {
    return Problem(422, "change.no_documents_needed", "/type", {{"type", type.substr(0, 32)}});
  }
  return StoreChange(who, change, package);
}

Answer Registry::StoreChange(const MemberRef& who, const json& change, std::string_view package) {
  const std::optional<RegistrationRow> r = store_.FindById(who.registration);
  if (!r) return Problem(401, "session.required");
  if (r->status != "verified" && r->status != "active") return Problem(409, "change.not_possible_now");
  const Date today = clock_.today();
  const std::string today_text = FormatIsoDate(today), at = clock_.now();
  const FamilyNow family = FamilyOf(*r);
  const AccountAnswer account = AccountOf(*r, 0);
  if (account.refusal) return *account.refusal;
  const std::vector<MemberRow> family_members = store_.Members(r->id);
  const json input = {{"today", today_text},
                      {"family", ChangeFamily(*r, family, account.account, today_text, family_members)},
                      {"change", change}};
  DispatchOptions options;
  options.tariffs = &config_.tariffs;
  const json verdict = Parse(Dispatch("change", input.dump(), options).body);
  if (Field(verdict, "valid") != true) {
    // The core's paths are into its input: the member sent the change itself.
    json errors = ArrayOf(Field(verdict, "errors"));
    for (json& e : errors) {
      std::string path = TextOf(Field(e, "path"));
      e["path"] = path.rfind("/change", 0) == 0 ? path.substr(7) : path;
    }
    return ProblemFromErrors(422, std::move(errors));
  }
  json normalized = Field(verdict, "normalized");
  const std::string type = TextOf(Field(normalized, "type"));
  std::string status = TextOf(Field(verdict, "status"));
  const std::string effective = TextOf(Field(verdict, "effective"));
  const int64_t members = static_cast<int64_t>(family_members.size());
  if (type == "add_member") {
    // Someone registered elsewhere cannot join; the full NIK stays in the sealed package.
    if (const std::string nik = TextOf(Field(Field(normalized, "member"), "nik")); !nik.empty()) {
      if (store_.MemberByNik(KeyedHash(nik, keys_.nik_key))) return Problem(409, "registration.nik_already_registered", "/member/nik");
      normalized["member"]["nik"] = MaskNik(nik);
    }
  }

  std::optional<FacilityRow> facility;
  if (type == "facility") {
    if (store_.FacilityCount() == 0) return Problem(409, "facility.none_loaded", "/code");
    facility = store_.Facility(TextOf(Field(normalized, "code")));
    if (!facility) return Problem(422, "facility.unknown", "/code", {{"code", TextOf(Field(normalized, "code"))}});
  }
  // A new phone or e-mail is used once the code sent to it comes back.
  const bool new_address = type == "contact" && (Field(normalized, "phone").is_string() || Field(normalized, "email").is_string());
  if (new_address) status = "confirming";
  const std::string challenge = new_address ? RandomToken() : std::string(), code = new_address ? NewCode() : std::string();
  std::string sent_to;
  enum class Refusal { kNone, kFull } refusal = Refusal::kNone;
  int64_t id = 0, wait = 0;
  const bool stored = store_.Write([&](Changes& c) {
    // Codes to new numbers are counted per family and per number, as sign-in codes are: no member
    // can flood a stranger's phone by changing the contact again and again.
    if (new_address) {
      const int64_t now = clock_.unix_seconds();
      if ((wait = c.Take(KeyedHash("contact-codes:" + std::to_string(r->id), keys_.token_key), kCodesPerSubject, now)) > 0) {
        return false;
      }
      for (const char* field : {"phone", "email"}) {
        const json& to = Field(normalized, field);
        if (to.is_string() && (wait = c.Take(KeyedHash("codes-to:" + to.get<std::string>(), keys_.token_key), kCodesPerRecipient, now)) > 0) {
          return false;
        }
      }
    }
    const std::optional<int64_t> added =
        c.AddFamilyChange({0, r->id, who.position, type, status, at, today_text, effective, normalized.dump()});
    if (!added) return false;
    id = *added;
    // The documents wait, sealed, for the operator who reviews the change.
    if (!package.empty() && !c.AddChangePackage(id, package)) return false;
    const std::string event = r->reference + ":change:" + std::to_string(id);
    json params = {{"reference", r->reference}, {"effective", effective}};
    std::string template_code;
    if (type == "facility") {
      // The family's members count against the new facility's capacity from the request on.
      if (!c.CountFacilityMembers(facility->code, members)) {
        refusal = Refusal::kFull;
        return false;
      }
      if (status != "review" && !family.facility.empty() && !c.CountFacilityMembers(family.facility, -members)) return false;
      params["facility"] = facility->name;
      // Sent with its letter, the request is complete; sent as JSON, the letter is still to come.
      template_code = status != "review" ? "notify.change_facility" : package.empty() ? "notify.change_review" : "notify.change_documents";
    } else if (type == "class") {
      params["class"] = Field(normalized, "class");
      template_code = "notify.change_class";
    } else if (type == "address") {
      template_code = "notify.change_address";
    } else if (type == "add_member" || type == "death") {
      template_code = "notify.change_documents";
    } else if (new_address) {
      const std::optional<ContactRow> contact = c.Contact(r->id);
      const std::string language = TextOf(Field(normalized, "language")).empty() ? (contact ? contact->language : "id")
                                                                                  : TextOf(Field(normalized, "language"));
      ChallengeRow row{TokenHash(challenge), KeyedHash("change:" + std::to_string(id), keys_.token_key), "confirm_contact",
                       CodeHash(keys_.token_key, challenge, code), MemberRef{who}, id, clock_.unix_seconds(),
                       clock_.unix_seconds() + kCodeSeconds, 0};
      for (const char* channel : {"sms", "email"}) {
        const json& to = Field(normalized, std::string(channel) == "sms" ? "phone" : "email");
        if (!to.is_string()) continue;
        sent_to += (sent_to.empty() ? "" : ", ") + Masked(channel, to.get<std::string>());
        if (!NotifyAddress(c, event + ":confirm", channel, to.get<std::string>(), language, "notify.confirm_contact",
                           {{"code", code}, {"minutes", kCodeSeconds / 60}}, at)) {
          return false;
        }
      }
      if (!c.AddChallenge(row)) return false;
    } else {  // the language only
      std::optional<ContactRow> contact = c.Contact(r->id);
      if (contact) {
        contact->language = TextOf(Field(normalized, "language"));
        if (!c.SetContact(r->id, *contact)) return false;
      }
    }
    if (!template_code.empty() && !NotifyFamily(c, r->id, event, template_code, params, at)) return false;
    return AppendAudit(c, keys_.audit_key, at, "change_requested", r->reference,
                       {{"change", id}, {"type", type}, {"status", status}, {"effective", effective}, {"member", who.position}});
  });
  if (refusal == Refusal::kFull) return Problem(422, "facility.full", "/code", {{"code", facility->code}});
  if (wait > 0) return TooManyCodes(wait);
  if (!stored) return Problem(503, "storage.unavailable");
  json body = {{"change", std::to_string(id)}, {"status", status == "confirming" ? "scheduled" : status}, {"effective", effective}};
  if (new_address) {
    body["awaiting"] = "confirmation";
    body["confirm"] = {{"challenge", challenge}, {"sent_to", sent_to}, {"expires_in", kCodeSeconds}};
  }
  if (!ArrayOf(Field(verdict, "warnings")).empty()) body["warnings"] = Field(verdict, "warnings");
  return {201, std::move(body)};
}

Answer Registry::ConfirmChange(const MemberRef& who, std::string_view session, const std::string& change, const json& request) {
  const std::optional<RegistrationRow> r = store_.FindById(who.registration);
  if (!r) return Problem(401, "session.required");
  const std::string challenge = TextOf(Field(request, "challenge")), code = TextOf(Field(request, "code"));
  if (challenge.empty() || challenge.size() > 64) return Problem(422, "input.required", "/challenge");
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos) {
    return Problem(422, "session.code_format", "/code");
  }
  std::optional<FamilyChangeRow> target;
  for (const FamilyChangeRow& c : store_.FamilyChanges(r->id)) {
    if (std::to_string(c.id) == change) target = c;
  }
  if (!target) return Problem(404, "change.not_found");
  const int64_t now = clock_.unix_seconds();
  const std::string at = clock_.now();
  // kUsedUp: no such code for this change (or a racing twin used it first), and this job is undone.
  enum class Outcome { kUsedUp, kWrong, kApplied } outcome = Outcome::kUsedUp;
  int64_t tries_left = 0;
  const bool stored = store_.Write([&](Changes& c) {
    const std::string hash = TokenHash(challenge);
    const std::optional<ChallengeRow> row = c.TakeChallengeTry(hash, now, kCodeTries);
    if (!row || row->purpose != "confirm_contact" || row->change != target->id || !row->member ||
        row->member->registration != r->id) {
      return false;  // not this family's: its try is not counted either
    }
    if (!SameSecret(CodeHash(keys_.token_key, challenge, code), row->code_hash)) {
      outcome = Outcome::kWrong;
      tries_left = kCodeTries - row->tries;
      return true;
    }
    if (!c.DeleteChallenge(hash)) return false;
    outcome = Outcome::kApplied;
    if (!c.MoveFamilyChange(target->id, "confirming", "applied")) return false;
    // Whoever else held a session of this family (the old phone, a lost one) signs in anew.
    if (!c.EndFamilySessions(r->id, TokenHash(session))) return false;
    // The old phone and e-mail hear of it first: a change made by someone else does not go unseen.
    const json detail = Parse(target->detail);
    if (!NotifyFamily(c, r->id, r->reference + ":contact:" + change, "notify.contact_changed", {{"reference", r->reference}}, at)) {
      return false;
    }
    ContactRow contact = c.Contact(r->id).value_or(ContactRow{});
    if (Field(detail, "phone").is_string()) contact.phone = Field(detail, "phone").get<std::string>();
    if (Field(detail, "email").is_string()) contact.email = Field(detail, "email").get<std::string>();
    if (Field(detail, "language").is_string()) contact.language = Field(detail, "language").get<std::string>();
    return c.SetContact(r->id, contact) &&
           AppendAudit(c, keys_.audit_key, at, "change_applied", r->reference, {{"change", target->id}, {"type", "contact"}});
  });
  if (outcome == Outcome::kUsedUp) return Problem(401, "session.code_expired", "/challenge");
  if (!stored) return Problem(503, "storage.unavailable");
  if (outcome == Outcome::kWrong) return Problem(401, "session.wrong_code", "/code", {{"tries_left", tries_left}});
  return {200, {{"change", change}, {"status", "applied"}, {"effective", FormatIsoDate(clock_.today())}}};
}

}  // namespace daftar::server
