#include "daftar/change.h"

#include <algorithm>
#include <set>

#include "daftar/address.h"
#include "daftar/application.h"
#include "daftar/contact.h"
#include "daftar/kk.h"
#include "json_read.h"
#include "text.h"

namespace daftar {
namespace {

Date FirstOfNextMonth(Date today) { return AddMonths(Date{today.year, today.month, 1}, 1); }

// A string member of an already checked object, "" when it is not one.
std::string TextOf(const json& object, const char* key) {
  const json* value = Member(object, key);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

class ChangeChecker {
 public:
  ChangeChecker(const json& change, const FamilyState& family, Date today, const TariffTable& tariffs,
                const DocumentRules& documents, ChangeCheck& out)
      : change_(change), family_(family), today_(today), tariffs_(tariffs), documents_(documents), out_(out), in_(out.findings) {}

  void Run() {
    out_.status = "applied";
    out_.effective = today_;
    if (!change_.is_object()) {
      f().Error("", "input.wrong_type", {{"expected", "object"}});
      return;
    }
    out_.normalized = change_;
    const std::optional<std::string> type = in_.String(change_, "type", "", Need::kRequired);
    if (!type) return;
    if (*type == "contact") {
      Contact();
    } else if (*type == "address") {
      if (const json* address = in_.Object(change_, "address", "", Need::kRequired)) {
        Findings found;
        CheckAddressObject(*address, found, out_.normalized["address"]);
        f().Append(found, "/address");
      }
    } else if (*type == "class") {
      Class();
    } else if (*type == "facility") {
      Facility();
    } else if (*type == "add_member") {
      AddMember();
    } else if (*type == "death") {
      Death();
    } else {
      f().Error("/type", "change.unknown_type", {{"allowed", "contact, address, class, facility, add_member, death"}});
    }
  }

 private:
  Findings& f() { return out_.findings; }

  // A field checked by `check` and stored in its normal form; false when absent.
  template <typename Check>
  bool Field(std::string_view key, Check check) {
    const std::optional<std::string> value = in_.String(change_, key, "", Need::kOptional);
    if (!value) return false;
    FieldCheck result = check(*value);
    f().Append(result.findings, JoinPointer("", key));
    if (result.ok()) out_.normalized[std::string(key)] = result.normalized;
    return true;
  }

  void Contact() {
    const bool phone = Field("phone", CheckMobilePhone);
    const bool email = Field("email", CheckEmail);
    if (const auto language = in_.String(change_, "language", "", Need::kOptional); language && *language != "id" && *language != "en") {
      f().Error("/language", "contact.unknown_language", {{"allowed", "id, en"}});
    } else if (!phone && !email && !language) {
      f().Error("", "change.nothing_to_change");
    }
  }

  // The day the last change of this kind (or the registration) allows the next from.
  Date Earliest(const std::optional<Date>& last, int months) const {
    return AddMonths(last.value_or(family_.registered_on), months);
  }

  void Class() {
    const json* klass = Member(change_, "class");
    std::string key;
    if (klass != nullptr && klass->is_number_integer()) {
      key = std::to_string(klass->get<int64_t>());
    } else if (klass != nullptr && klass->is_string()) {
      key = klass->get<std::string>();
    } else {
      f().Error("/class", klass == nullptr || klass->is_null() ? "input.required" : "input.wrong_type", {{"expected", "integer"}});
      return;
    }
    // The whole family, from the 1st of next month: the classes on offer are that month's.
    out_.status = "scheduled";
    out_.effective = FirstOfNextMonth(today_);
    const ClassSchedule* row = tariffs_.PbpuAt(out_.effective);
    if (row == nullptr) {
      f().Error("/class", "quote.no_tariff_for_date", {{"date", FormatIsoDate(out_.effective)}});
      return;
    }
    if (row->classes.count(key) == 0) {
      std::string allowed;
      for (const auto& [k, unused] : row->classes) allowed += (allowed.empty() ? "" : ", ") + k;
      f().Error("/class", "application.invalid_class", {{"allowed", allowed}});
      return;
    }
    // Stored as the number the application uses; a tariff's class named otherwise stays a name.
    if (text::AllDigits(key) && key.size() <= 3) {
      out_.normalized["class"] = text::ParseSmallNumber(key);
    } else {
      out_.normalized["class"] = key;
    }
    if (key == family_.class_key) {
      f().Error("/class", "change.same_class");
      return;
    }
    const Date earliest = Earliest(family_.last_class_change, tariffs_.class_change_min_months);
    if (today_ < earliest) {
      f().Error("/class", "change.class_too_soon",
                {{"earliest", FormatIsoDate(earliest)}, {"months", int64_t{tariffs_.class_change_min_months}}});
    }
    if (family_.unpaid_months > 0) {
      f().Error("/class", "change.unpaid_months", {{"months", int64_t{family_.unpaid_months}}});
    }
  }

  void Facility() {
    const std::optional<std::string> code = in_.String(change_, "code", "", Need::kRequired);
    const std::optional<std::string> reason = in_.String(change_, "reason", "", Need::kOptional);
    const auto& reasons = tariffs_.facility_early_reasons;
    if (reason && std::find(reasons.begin(), reasons.end(), *reason) == reasons.end()) {
      std::string allowed;
      for (const std::string& r : reasons) allowed += (allowed.empty() ? "" : ", ") + r;
      f().Error("/reason", "change.unknown_reason", {{"allowed", allowed}});
    }
    // The supporting letter comes in a sealed package; sent as JSON the change has no documents.
    const json* documents = Member(change_, "documents");
    bool letter = false;
    if (documents != nullptr) {
      if (in_.Array(change_, "documents", "", Need::kRequired) == nullptr) return;
      letter = DocumentKinds(*documents).count("supporting_letter") > 0;
    }
    if (!code) return;
    const FieldCheck checked = CheckFacilityCode(*code);
    f().Append(checked.findings, "/code");
    if (!checked.ok()) return;
    out_.normalized["code"] = checked.normalized;
    const bool early = !family_.facility.empty() &&
                       today_ < Earliest(family_.last_facility_change, tariffs_.facility_change_min_months);
    // Documents are kept only where a person must read them: an early change.
    if (documents != nullptr && !documents->empty() && !(early && reason)) {
      f().Error("/documents", "change.no_documents_needed", {{"type", "facility"}});
    }
    // The first choice, made after registration, applies at once and waits for nothing.
    if (family_.facility.empty()) return;
    out_.status = "scheduled";
    out_.effective = FirstOfNextMonth(today_);
    if (checked.normalized == family_.facility) {
      f().Error("/code", "change.same_facility");
      return;
    }
    if (!early) return;
    if (!reason) {
      const Date earliest = Earliest(family_.last_facility_change, tariffs_.facility_change_min_months);
      f().Error("/code", "change.facility_too_soon",
                {{"earliest", FormatIsoDate(earliest)}, {"months", int64_t{tariffs_.facility_change_min_months}}});
      return;
    }
    // Sooner after a move, an assignment or for studies, which a person confirms from the letter:
    // sealed with the change, or (sent as JSON) shown at the office.
    out_.status = "review";
    if (documents == nullptr) {
      f().Warning("/reason", "change.document_needed", {{"reason", *reason}});
    } else if (!letter) {
      f().Error("/documents", "documents.missing_supporting_letter", {{"reason", *reason}});
    }
  }

  // Someone joins: a newborn, a spouse, anyone on the family's new KK. A person checks the
  // documents; the rules say what they must be and from when the new member is covered.
  void AddMember() {
    const json* member = Member(change_, "member");
    const json* documents = Member(change_, "documents");
    const json joining = {{"member", member ? *member : json()}, {"documents", documents ? *documents : json::array()}};
    const ApplicationCheck checked = ValidateJoiningMember(joining, today_, tariffs_, documents_);
    f().Append(checked.findings, "");
    out_.normalized["member"] = checked.normalized["member"];
    out_.normalized["documents"] = checked.normalized["documents"];
    if (const auto kk = in_.String(change_, "kk_number", "", Need::kOptional)) {
      KkCheck result = CheckKk(*kk, today_);
      f().Append(result.findings, "/kk_number");
      if (!result.findings.has_errors()) out_.normalized["kk_number"] = result.normalized;
    }
    out_.status = "review";
    out_.effective = FirstOfNextMonth(today_);
    if (checked.findings.has_errors()) return;
    const std::optional<Date> birth = ParseIsoDate(TextOf(checked.normalized["member"], "birth_date"));
    if (!birth || TextOf(checked.normalized["member"], "relationship") != "child") return;
    const Date last_day = AddDays(*birth, tariffs_.newborn_cover_days);
    if (today_ <= last_day) {
      out_.effective = *birth;  // covered from birth
    } else if (today_ < AddMonths(*birth, 12)) {
      f().Warning("/member/birth_date", "change.newborn_too_late", {{"days", int64_t{tariffs_.newborn_cover_days}},
                                                                   {"from", FormatIsoDate(out_.effective)}});
    }
  }

  // A member died: cover ends after the month of the death, once a person has seen the certificate.
  void Death() {
    const std::optional<int64_t> position = in_.Integer(change_, "member", "", Need::kRequired, 0, 1000);
    const FamilyMember* who = nullptr;
    for (const FamilyMember& m : family_.members) {
      if (position && m.position == *position && m.covered) who = &m;
    }
    if (position && who == nullptr) f().Error("/member", "change.unknown_member");
    std::optional<Date> died;
    if (const auto date = in_.String(change_, "date", "", Need::kRequired)) {
      PastDateCheck checked = CheckPastDate(*date, today_);
      f().Append(checked.findings, "/date");
      if (!checked.findings.has_errors()) died = checked.date;
      if (died) out_.normalized["date"] = FormatIsoDate(*died);
    }
    if (const json* documents = in_.Array(change_, "documents", "", Need::kRequired)) {
      const std::set<std::string> kinds = DocumentKinds(*documents);
      if (kinds.count("death_certificate") == 0) f().Error("/documents", "documents.missing_death_certificate");
      // Without its head the family has a new KK naming the next one.
      if (who != nullptr && who->relationship == "head" && kinds.count("kk") == 0) f().Error("/documents", "documents.missing_kk");
    }
    out_.status = "review";
    out_.effective = died ? FirstOfNextMonth(*died) : FirstOfNextMonth(today_);
  }

  // Each entry of a change's document list checked and kept in its normal form; the kinds present.
  std::set<std::string> DocumentKinds(const json& documents) {
    std::set<std::string> kinds;
    for (std::size_t i = 0; i < documents.size(); ++i) {
      Findings found;
      const std::optional<std::string> kind = CheckDocumentEntry(documents[i], documents_, found, out_.normalized["documents"][i]);
      f().Append(found, JoinPointer("/documents", i));
      if (kind) kinds.insert(*kind);
    }
    return kinds;
  }

  const json& change_;
  const FamilyState& family_;
  const Date today_;
  const TariffTable& tariffs_;
  const DocumentRules& documents_;
  ChangeCheck& out_;
  JsonReader in_;
};

}  // namespace

ChangeCheck CheckChange(const json& change, const FamilyState& family, Date today, const TariffTable& tariffs,
                        const DocumentRules& documents) {
  ChangeCheck out;
  ChangeChecker(change, family, today, tariffs, documents, out).Run();
  return out;
}

FieldCheck CheckFacilityCode(std::string_view input) {
  FieldCheck out;
  for (char c : text::Trim(input)) out.normalized.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  if (out.normalized.size() != 8 || out.normalized.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
    out.findings.Error("", "facility.invalid_code");
  }
  return out;
}

}  // namespace daftar
