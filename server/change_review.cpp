// The operator's side of members' changes: the ones a person decides (a member who joins or dies,
// a facility change sooner than the rules allow), their sealed documents, and the decision.
#include <algorithm>

#include "checked_json.h"
#include "daftar/card.h"
#include "daftar/nik.h"
#include "daftar/package.h"
#include "registry.h"
#include "registry_internal.h"

namespace daftar::server {
using namespace internal;
namespace {

json QueueEntry(const FamilyChangeRow& c, const std::string& reference) {
  return {{"change", std::to_string(c.id)}, {"reference", reference},    {"type", c.type},
          {"status", c.status},             {"requested_at", c.requested_at}, {"effective", c.effective},
          {"detail", Parse(c.detail)}};
}

}  // namespace

Answer Registry::ChangeQueue() {
  json changes = json::array();
  for (const FamilyChangeRow& c : store_.ChangesInReview(500)) {
    const std::optional<RegistrationRow> r = store_.FindById(c.registration);
    if (r) changes.push_back(QueueEntry(c, r->reference));
  }
  return {200, {{"changes", std::move(changes)}}};
}

Answer Registry::ChangeCase(int64_t change, const OperatorIdentity& who) {
  const std::optional<FamilyChangeRow> c = store_.FamilyChange(change);
  const std::optional<RegistrationRow> r = c ? store_.FindById(c->registration) : std::nullopt;
  if (!r) return Problem(404, "change.not_found");
  json body = QueueEntry(*c, r->reference);
  body["family"] = {{"reference", r->reference}, {"status", r->status}, {"head_name", r->head_name}, {"members", json::array()}};
  for (const MemberRow& m : store_.Members(r->id)) {
    body["family"]["members"].push_back({{"position", m.position}, {"name", m.name}, {"relationship", m.relationship},
                                         {"card_number", m.card_number ? json(*m.card_number) : json()},
                                         {"covered_until", m.covered_until ? json(*m.covered_until) : json()}});
  }
  // The documents and the member as sent (with the full NIK, which only the package holds).
  if (const std::optional<std::string> package = store_.ChangePackage(change)) {
    const OpenedPackage opened = OpenPackage(*package, keys_.intake.public_key, keys_.intake.secret_key);
    if (opened.findings.has_errors()) return Problem(503, "storage.unavailable");
    const json manifest = Parse(opened.manifest);
    body["documents"] = json::array();
    const json& declared = ArrayOf(Field(manifest, "documents"));
    for (std::size_t i = 0; i < declared.size(); ++i) {
      body["documents"].push_back({{"index", i}, {"kind", Field(declared[i], "kind")},
                                   {"media_type", Field(declared[i], "media_type")}, {"size", Field(declared[i], "size")}});
    }
    if (Field(manifest, "member").is_object()) body["detail"]["member"] = Field(manifest, "member");
  }
  const std::string at = clock_.now();
  if (!store_.Write([&](Changes& w) {
        return AppendAudit(w, keys_.audit_key, at, "change_viewed", r->reference, ByOperator(who, {{"change", change}}));
      })) {
    return Problem(503, "storage.unavailable");
  }
  return {200, std::move(body)};
}

std::optional<CaseDocument> Registry::ChangeDocument(int64_t change, std::size_t index, const OperatorIdentity& who) {
  const std::optional<FamilyChangeRow> c = store_.FamilyChange(change);
  const std::optional<RegistrationRow> r = c ? store_.FindById(c->registration) : std::nullopt;
  const std::optional<std::string> package = r ? store_.ChangePackage(change) : std::nullopt;
  if (!package) return std::nullopt;
  OpenedPackage opened = OpenPackage(*package, keys_.intake.public_key, keys_.intake.secret_key);
  if (opened.findings.has_errors() || index >= opened.documents.size()) return std::nullopt;
  const std::string at = clock_.now();
  if (!store_.Write([&](Changes& w) {
        return AppendAudit(w, keys_.audit_key, at, "document_viewed", r->reference,
                           ByOperator(who, {{"change", change}, {"document", index}}));
      })) {
    return std::nullopt;
  }
  const json manifest = Parse(opened.manifest);
  const json& declared = Item(Field(manifest, "documents"), index);
  return CaseDocument{TextOf(Field(declared, "kind")), TextOf(Field(declared, "media_type")), std::move(opened.documents[index]),
                      std::nullopt};
}

Answer Registry::DecideChange(int64_t change, const OperatorIdentity& who, bool approve, const json& request) {
  const json& reasons = Field(request, "reasons");
  if (!approve) {
    if (std::optional<Answer> refusal = CheckReasons(reasons)) return *refusal;
  }
  const std::optional<FamilyChangeRow> target = store_.FamilyChange(change);
  const std::optional<RegistrationRow> r = target ? store_.FindById(target->registration) : std::nullopt;
  if (!r) return Problem(404, "change.not_found");
  if (target->status != "review") return Problem(409, "change.already_decided", "", {{"status", target->status}});
  const json detail = Parse(target->detail);
  const Date today = clock_.today();
  // The member who joins as the rules stored it; its NIK is in the sealed package only.
  const json& joining = Field(detail, "member");
  std::string nik;
  if (approve && target->type == "add_member" && !TextOf(Field(joining, "nik")).empty()) {
    const std::optional<std::string> package = store_.ChangePackage(change);
    const OpenedPackage opened = package ? OpenPackage(*package, keys_.intake.public_key, keys_.intake.secret_key) : OpenedPackage{};
    if (!package || opened.findings.has_errors()) return Problem(503, "storage.unavailable");
    nik = CheckNik(TextOf(Field(Field(Parse(opened.manifest), "member"), "nik")), today).normalized;
  }
  const FamilyNow family = FamilyOf(*r);
  const std::string at = clock_.now(), today_text = FormatIsoDate(today);
  const std::string event = r->reference + ":change:" + std::to_string(change);
  const std::string next = !approve ? "refused" : target->effective <= today_text ? "applied" : "scheduled";
  enum class Refusal { kNone, kDecided, kDuplicateNik, kNoMember } refusal = Refusal::kNone;
  std::string card;
  const bool stored = store_.Write([&](Changes& c) {
    // A guarded move: of two operators deciding at once, one wins.
    if (!c.MoveFamilyChange(change, "review", next)) {
      refusal = Refusal::kDecided;
      return false;
    }
    const std::vector<MemberRow> members = c.Members(r->id);
    const auto count = static_cast<int64_t>(members.size());
    json params = {{"reference", r->reference}, {"effective", target->effective}};
    std::string template_code = "notify.change_refused";
    if (!approve) {
      // An early facility change held its place at the new facility from the request on.
      if (target->type == "facility" && !c.CountFacilityMembers(TextOf(Field(detail, "code")), -count)) return false;
      json decided = detail;
      decided["decision"] = {{"reasons", reasons}, {"at", at}};
      if (!c.SetFamilyChangeDetail(change, decided.dump())) return false;
    } else if (target->type == "add_member") {
      int64_t position = 0;
      for (const MemberRow& m : members) position = std::max(position, m.position + 1);
      const Changes::Outcome added =
          c.AddMember(r->id, position, nik.empty() ? std::nullopt : std::optional(KeyedHash(nik, keys_.nik_key)),
                      nik.empty() ? std::nullopt : std::optional(MaskNik(nik)), TextOf(Field(joining, "name")),
                      TextOf(Field(joining, "relationship")), TextOf(Field(joining, "birth_date")));
      if (added != Changes::Outcome::kOk) {
        if (added == Changes::Outcome::kConflict) refusal = Refusal::kDuplicateNik;
        return false;
      }
      const std::vector<int64_t> serial = c.NextCardSerials(1);
      const std::optional<std::string> issued = serial.size() == 1 ? CardFromSerial(serial[0]) : std::nullopt;
      // A newborn covered from birth owes its share of the months already paid within the days
      // the rules give, and never sooner than a few days after this approval.
      std::optional<std::string> pay_by;
      const std::optional<Date> birth = ParseIsoDate(TextOf(Field(joining, "birth_date")));
      if (birth && FormatIsoDate(*birth) == target->effective) {
        const TariffTable& rules = config_.tariffs;
        pay_by = FormatIsoDate(std::max(AddDays(*birth, rules.newborn_cover_days), AddDays(today, rules.newborn_pay_days_after_approval)));
      }
      if (!issued || !c.SetCardNumber(r->id, position, *issued) ||
          !c.SetMemberCover(r->id, position, target->effective.substr(0, 7), std::nullopt, pay_by)) {
        return false;
      }
      card = *issued;
      // A child is not turned away from its family's facility: the place is counted where there
      // is one, and a full facility is the operators' to resolve, not the newborn's.
      if (!family.facility.empty()) (void)c.CountFacilityMembers(family.facility, 1);
      params.update({{"name", TextOf(Field(joining, "name"))}, {"card", card}});
      template_code = "notify.member_added";
    } else if (target->type == "death") {
      const int64_t position = IntOf(Field(detail, "member"));
      const auto died = std::find_if(members.begin(), members.end(), [&](const MemberRow& m) { return m.position == position; });
      if (died == members.end()) {
        refusal = Refusal::kNoMember;
        return false;
      }
      const std::string last_month = TextOf(Field(detail, "date")).substr(0, 7);
      if (!c.SetMemberCover(r->id, position, died->covered_from, last_month)) return false;
      if (!family.facility.empty() && !c.CountFacilityMembers(family.facility, -1)) return false;
      params.update({{"name", died->name}, {"month", last_month}});
      template_code = "notify.member_ended";
    } else if (target->type == "facility") {
      // The family leaves its old facility when the new one takes it.
      if (!family.facility.empty() && !c.CountFacilityMembers(family.facility, -count)) return false;
      const std::optional<FacilityRow> f = store_.Facility(TextOf(Field(detail, "code")));
      params["facility"] = f ? f->name : TextOf(Field(detail, "code"));
      template_code = "notify.change_facility";
    }
    json audit = {{"change", change}, {"type", target->type}, {"decision", approve ? "approved" : "refused"}};
    if (!approve) audit["reasons"] = reasons;
    if (!card.empty()) audit["card"] = card;
    return NotifyFamily(c, r->id, event + ":" + next, template_code, params, at) &&
           AppendAudit(c, keys_.audit_key, at, approve ? "change_approved" : "change_refused", r->reference, ByOperator(who, audit));
  });
  if (refusal == Refusal::kDecided) return Problem(409, "change.already_decided");
  if (refusal == Refusal::kDuplicateNik) return Problem(409, "registration.nik_already_registered", "/member/nik");
  if (refusal == Refusal::kNoMember) return Problem(409, "change.unknown_member", "/member");
  if (!stored) return Problem(503, "storage.unavailable");
  json body = {{"change", std::to_string(change)}, {"status", next}, {"effective", target->effective}};
  if (!card.empty()) body["card_number"] = card;
  return {200, std::move(body)};
}

}  // namespace daftar::server
