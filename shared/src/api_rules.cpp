// The rule commands (check-nik, validate, quote, change, …): in every build except the browser's
// sealing module, which leaves them to the rules module beside it.
#include "daftar/application.h"
#include "daftar/card.h"
#include "daftar/change.h"
#include "daftar/documents.h"
#include "daftar/kk.h"
#include "daftar/messages.h"
#include "daftar/nik.h"
#include "daftar/regions.h"
#include "daftar/tariffs.h"
#include "api_internal.h"

namespace daftar {

namespace {

json CheckNikCommand(Context& c) {
  const auto nik = c.in.String(c.input, "nik", "", Need::kRequired);
  const auto today = RequiredDate(c, "today");
  if (!nik || !today) return Verdict(c.findings);
  NikCheck check = CheckNik(*nik, *today);
  c.findings.Append(check.findings, "/nik");
  json out = Verdict(c.findings);
  out["normalized"] = check.normalized;
  out["nik"] = nullptr;
  if (check.parts) {
    const NikParts& p = *check.parts;
    json& parts = out["nik"] = ObjectWithRoom(6);
    parts["province"] = p.province;
    parts["regency"] = p.regency;
    parts["district"] = p.district;
    parts["birth_date"] = FormatIsoDate(p.birth_date);
    parts["sex"] = p.sex == Sex::kFemale ? "F" : "M";
    parts["serial"] = p.serial;
  }
  return out;
}

json CheckKkCommand(Context& c) {
  const auto kk = c.in.String(c.input, "kk", "", Need::kRequired);
  const auto today = RequiredDate(c, "today");
  if (!kk || !today) return Verdict(c.findings);
  KkCheck check = CheckKk(*kk, *today);
  c.findings.Append(check.findings, "/kk");
  json out = Verdict(c.findings);
  out["normalized"] = check.normalized;
  out["kk"] = nullptr;
  if (check.parts) {
    out["kk"] = {{"district", check.parts->district},
                 {"issued", FormatIsoDate(check.parts->issued)},
                 {"serial", check.parts->serial}};
  }
  return out;
}

json CheckCardCommand(Context& c) {
  const auto card = c.in.String(c.input, "card", "", Need::kRequired);
  if (!card) return Verdict(c.findings);
  CardCheck check = CheckCard(*card);
  c.findings.Append(check.findings, "/card");
  json out = Verdict(c.findings);
  out["normalized"] = check.normalized;
  out["card"] = nullptr;
  if (check.serial) out["card"] = {{"serial", *check.serial}};
  return out;
}

json ValidateCommand(Context& c) {
  const json* application = c.in.Object(c.input, "application", "", Need::kRequired);
  const auto today = RequiredDate(c, "today");
  const auto flag = [&](std::string_view key) { const json* v = Member(c.input, key); return v != nullptr && *v == true; };
  if (application == nullptr || !today) return Verdict(c.findings);
  // Paths point into the application itself: it is the document the user wrote.
  ApplicationCheck check = ValidateApplication(*application, *today, c.tariffs(), BuiltinDocumentRules(), c.max_members,
                                               {.consent = flag("require_consent"), .facility = flag("require_facility")});
  json out = Verdict(check.findings);
  out["normalized"] = std::move(check.normalized);
  return out;
}

// The class as text: 3 and "3" name the same class.
std::optional<std::string> ClassKey(Context& c, const json& object) {
  const json* klass = Member(object, "class");
  if (klass && klass->is_number_integer()) return std::to_string(klass->get<int64_t>());
  return c.in.String(object, "class", "", Need::kRequired);
}

QuoteRequest ReadQuoteRequest(Context& c, const json& r) {
  QuoteRequest q;
  constexpr int64_t kMaxMembers = 100;
  if (const json* schema = Member(r, "schema"); schema && schema->is_string()) {
    // A whole application document: its segment, class and number of members.
    q.segment = c.in.String(r, "segment", "", Need::kRequired).value_or("");
    q.class_key = ClassKey(c, r).value_or("");
    const json* members = c.in.Array(r, "members", "", Need::kRequired);
    q.members = members ? static_cast<int>(members->size()) : 0;
    return q;
  }
  q.segment = c.in.String(r, "segment", "", Need::kRequired).value_or("");
  if (q.segment == "PBPU" || q.segment == "BP") q.class_key = ClassKey(c, r).value_or("");
  q.members = static_cast<int>(c.in.Integer(r, "members", "", Need::kRequired, 1, kMaxMembers).value_or(0));
  if (q.segment == "PPU") {
    q.salary = c.in.Integer(r, "salary", "", Need::kRequired, 0, 1'000'000'000'000).value_or(0);
    q.minimum_wage = c.in.Integer(r, "minimum_wage", "", Need::kOptional, 0, 1'000'000'000'000).value_or(0);
    q.extra_members = static_cast<int>(c.in.Integer(r, "extra_members", "", Need::kOptional, 0, kMaxMembers).value_or(0));
  }
  if (auto months = c.in.Integer(r, "unpaid_months", "", Need::kOptional, 0, 1200)) {
    q.unpaid_months = static_cast<int>(*months);
  }
  if (const json* penalty = c.in.Object(r, "penalty", "", Need::kOptional)) {
    const auto cost = c.in.Integer(*penalty, "inpatient_cost", "/penalty", Need::kRequired, 0, 1'000'000'000'000);
    const auto months = c.in.Integer(*penalty, "months_in_arrears", "/penalty", Need::kRequired, 0, 1200);
    if (cost && months) q.penalty = QuoteRequest::Penalty{*cost, static_cast<int>(*months)};
  }
  return q;
}

json ContributionToJson(const Contribution& c) {
  return {{"total", c.total}, {"participant", c.participant}, {"subsidy", c.subsidy}};
}

json QuoteCommand(Context& c) {
  const json* request = c.in.Object(c.input, "request", "", Need::kRequired);
  const auto date = RequiredDate(c, "date");
  if (request == nullptr || !date) return Verdict(c.findings);
  const QuoteRequest q = ReadQuoteRequest(c, *request);
  if (c.findings.has_errors()) return Verdict(c.findings);
  QuoteResult result = MakeQuote(c.tariffs(), q, *date);
  if (!result.quote) return Verdict(result.findings);
  const Quote& quote = *result.quote;
  json out = {{"date", FormatIsoDate(quote.date)}, {"basis", quote.basis}};
  if (quote.per_member) out["per_member"] = ContributionToJson(*quote.per_member);
  if (quote.monthly) out["monthly"] = ContributionToJson(*quote.monthly);
  if (quote.ppu) {
    out["ppu"] = {{"base", quote.ppu->base},
                  {"employer", quote.ppu->employer},
                  {"employee", quote.ppu->employee},
                  {"extra_members", quote.ppu->extra_members}};
  }
  if (quote.reactivation) {
    json months = json::array();
    for (const auto& m : quote.reactivation->months) {
      months.push_back({{"month", FormatIsoDate(m.month).substr(0, 7)}, {"amount", m.amount}});
    }
    out["reactivation"] = {{"months_counted", quote.reactivation->months_counted},
                           {"amount", quote.reactivation->amount},
                           {"months", std::move(months)}};
  }
  if (quote.penalty) {
    out["penalty"] = {{"rate_bp", quote.penalty->rate_bp}, {"amount", quote.penalty->amount}};
  }
  return out;
}

// Whether a family may make a change today, and from when it takes effect (daftar/change.h).
json ChangeCommand(Context& c) {
  const auto today = RequiredDate(c, "today");
  FamilyState family;
  if (const json* f = c.in.Object(c.input, "family", "", Need::kRequired)) {
    const json* klass = Member(*f, "class");
    family.class_key = klass && klass->is_number_integer() ? std::to_string(klass->get<int64_t>())
                                                           : c.in.String(*f, "class", "/family", Need::kRequired).value_or("");
    family.facility = c.in.String(*f, "facility", "/family", Need::kOptional).value_or("");
    family.registered_on = c.in.IsoDate(*f, "registered_on", "/family", Need::kRequired).value_or(Date{});
    family.last_class_change = c.in.IsoDate(*f, "last_class_change", "/family", Need::kOptional);
    family.last_facility_change = c.in.IsoDate(*f, "last_facility_change", "/family", Need::kOptional);
    family.unpaid_months = static_cast<int>(c.in.Integer(*f, "unpaid_months", "/family", Need::kOptional, 0, 1200).value_or(0));
    // The members a death report may name: {"position", "relationship", "covered"?}.
    if (const json* members = c.in.Array(*f, "members", "/family", Need::kOptional)) {
      for (std::size_t i = 0; i < members->size(); ++i) {
        const std::string base = JoinPointer("/family/members", i);
        const json& m = (*members)[i];
        if (!m.is_object()) {
          c.findings.Error(base, "input.wrong_type", {{"expected", "object"}});
          continue;
        }
        const json* covered = Member(m, "covered");
        family.members.push_back({c.in.Integer(m, "position", base, Need::kRequired, 0, 1000).value_or(-1),
                                  c.in.String(m, "relationship", base, Need::kRequired).value_or(""),
                                  covered == nullptr || *covered != false});
      }
    }
  }
  const json* change = c.in.Object(c.input, "change", "", Need::kRequired);
  if (!today || change == nullptr || c.findings.has_errors()) return Verdict(c.findings);
  const ChangeCheck check = CheckChange(*change, family, *today, c.tariffs(), BuiltinDocumentRules());
  c.findings.Append(check.findings, "/change");
  json out = Verdict(c.findings);
  if (!c.findings.has_errors()) {
    out["status"] = check.status;
    out["effective"] = FormatIsoDate(check.effective);
    out["normalized"] = check.normalized;
  }
  return out;
}

// The consent text the applicant agrees to before the population-registry check: the current
// version unless the input names another.
json ConsentTextCommand(Context& c) {
  const auto version = c.in.String(c.input, "text_version", "", Need::kOptional).value_or(std::string(kConsentTextVersion));
  if (!IsConsentTextVersion(version)) {
    c.findings.Error("/text_version", "consent.unknown_text_version", {{"current", std::string(kConsentTextVersion)}});
    return Verdict(c.findings);
  }
  const Message text = ConsentText(version);
  return {{"text_version", version}, {"current", std::string(kConsentTextVersion)}, {"text", {{"id", text.id}, {"en", text.en}}}};
}

// The village table as payload (regions.h: GiveVillageTable): how the browser's rules module,
// built without it, gets it after it starts. Elsewhere the table is compiled in and stays.
json LoadVillagesCommand(Context& c) {
  const auto bytes = std::span(reinterpret_cast<const unsigned char*>(c.payload.data()), c.payload.size());
  const std::optional<std::size_t> known = regions::GiveVillageTable(bytes);
  if (!known) c.findings.Error("", "regions.invalid_village_table");
  json out = Verdict(c.findings);
  if (known) out["villages"] = *known;
  return out;
}

constexpr Command kCommands[] = {
    {"check-nik", CheckNikCommand}, {"check-kk", CheckKkCommand},   {"check-card", CheckCardCommand},
    {"validate", ValidateCommand},  {"quote", QuoteCommand},        {"consent-text", ConsentTextCommand},
    {"change", ChangeCommand},
    {"load-villages", LoadVillagesCommand},
};

}  // namespace

std::span<const Command> RuleCommands() { return kCommands; }

}  // namespace daftar
