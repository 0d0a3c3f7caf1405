#include "daftar/application.h"

#include <map>

#include "daftar/address.h"
#include "daftar/change.h"
#include "daftar/contact.h"
#include "daftar/kk.h"
#include "daftar/messages.h"
#include "daftar/nik.h"
#include "json_read.h"
#include "text.h"

namespace daftar {
namespace {

constexpr std::string_view kRelationships[] = {"head", "spouse", "child", "parent", "other"};
constexpr std::string_view kMaritalStatuses[] = {"single", "married", "divorced", "widowed"};

template <std::size_t N>
bool OneOf(std::string_view value, const std::string_view (&allowed)[N]) {
  for (std::string_view a : allowed) {
    if (a == value) return true;
  }
  return false;
}

template <std::size_t N>
std::string List(const std::string_view (&allowed)[N]) {
  std::string out;
  for (std::string_view a : allowed) out += (out.empty() ? "" : ", ") + std::string(a);
  return out;
}

// What the document rules need to know about one member.
struct MemberFacts {
  bool has_nik = false;
  std::optional<Date> birth_date;
  bool ever_married = false;
  bool newborn_without_nik = false;
  bool spouse = false;
};

class Validator {
 public:
  Validator(const json& app, Date today, const TariffTable& tariffs, const DocumentRules& docs, int max_members,
            ApplicationRequirements needs, ApplicationCheck& out, bool joining = false)
      : app_(app), today_(today), tariffs_(tariffs), docs_(docs), max_members_(max_members),
        needs_(needs), joining_(joining), out_(out), in_(out.findings) {}

  // One person joining a registered family: the member and the documents, nothing of the family.
  void RunJoining() {
    if (!app_.is_object()) {
      f().Error("", "input.wrong_type", {{"expected", "object"}});
      return;
    }
    out_.normalized = app_;
    if (const json* member = in_.Object(app_, "member", "", Need::kRequired)) {
      CheckMember(*member, "/member");
      if (const json* relationship = Member(*member, "relationship"); relationship && *relationship == "head") {
        f().Error("/member/relationship", "change.cannot_add_head");
      }
    }
    Documents();
  }

  void Run() {
    if (!app_.is_object()) {
      f().Error("", "input.wrong_type", {{"expected", "object"}});
      return;
    }
    out_.normalized = app_;
    Header();
    Consent();
    Field(app_, "kk_number", "", [&](std::string_view t) {
      KkCheck c = CheckKk(t, today_);
      return FieldCheck{c.normalized, c.findings};
    });
    if (const json* contact = in_.Object(app_, "contact", "", Need::kRequired)) {
      Field(*contact, "phone", "/contact", CheckMobilePhone);
      // A phone is enough: many families have no e-mail, and every message also goes by SMS.
      if (const auto email = in_.String(*contact, "email", "/contact", Need::kOptional); email && !text::Trim(*email).empty()) {
        Field(*contact, "email", "/contact", CheckEmail);
      } else if (out_.normalized["contact"].is_object()) {
        out_.normalized["contact"].erase("email");
      }
      // The language the family's messages are written in (Bahasa Indonesia unless it chose English).
      if (const auto language = in_.String(*contact, "language", "/contact", Need::kOptional);
          language && *language != "id" && *language != "en") {
        f().Error("/contact/language", "contact.unknown_language", {{"allowed", "id, en"}});
      }
    }
    // The first-level health facility (FKTP): its code's shape here; whether it exists and has
    // room is the server's table.
    if (const json* facility = Member(app_, "facility"); facility == nullptr || facility->is_null()) {
      if (needs_.facility) f().Error("/facility", "facility.required");
    } else {
      Field(app_, "facility", "", CheckFacilityCode);
    }
    if (const json* address = in_.Object(app_, "address", "", Need::kRequired)) {
      Findings found;
      CheckAddressObject(*address, found, out_.normalized["address"]);
      f().Append(found, "/address");
    }
    // A bound on the work one application costs: nothing per member is looked at past it.
    if (const json* members = Member(app_, "members");
        members && members->is_array() && members->size() > static_cast<std::size_t>(max_members_)) {
      f().Error("/members", "family.too_many_members", {{"max", int64_t{max_members_}}});
      return;
    }
    Members();
    Documents();
  }

 private:
  Findings& f() { return out_.findings; }

  // Reads the string member `key`, checks it with `check`, records its findings at its pointer
  // and stores its normalised form. Returns the check, or nullopt when the member is unusable.
  template <typename Check>
  std::optional<FieldCheck> Field(const json& object, std::string_view key, std::string_view base,
                                  Check check, Need need = Need::kRequired) {
    const std::string path = JoinPointer(base, key);
    const std::optional<std::string> value = in_.String(object, key, base, need);
    if (!value) return std::nullopt;
    FieldCheck result = check(*value);
    f().Append(result.findings, path);
    if (result.ok()) out_.normalized[json::json_pointer(path)] = result.normalized;
    return result;
  }

  void Header() {
    if (auto schema = in_.String(app_, "schema", "", Need::kRequired); schema && *schema != kApplicationSchema) {
      f().Error("/schema", "application.unknown_schema", {{"expected", std::string(kApplicationSchema)}});
    }
    if (auto segment = in_.String(app_, "segment", "", Need::kRequired)) {
      if (*segment == "PPU") {
        f().Error("/segment", "application.segment_by_employer");
      } else if (*segment == "PBI") {
        f().Error("/segment", "application.segment_by_government");
      } else if (*segment != "PBPU" && *segment != "BP") {
        f().Error("/segment", "application.invalid_segment");
      }
    }
    // The classes on offer are the keys of today's tariff row: a new class is new data.
    const json* klass = Member(app_, "class");
    std::string key;
    if (klass == nullptr || klass->is_null()) {
      f().Error("/class", "input.required");
      return;
    }
    if (klass->is_number_integer()) {
      key = std::to_string(klass->get<int64_t>());
    } else if (klass->is_string()) {
      key = klass->get<std::string>();
    } else {
      f().Error("/class", "input.wrong_type", {{"expected", "integer"}});
      return;
    }
    const ClassSchedule* row = tariffs_.PbpuAt(today_);
    if (row == nullptr) {
      f().Error("/class", "quote.no_tariff_for_date", {{"date", FormatIsoDate(today_)}});
    } else if (row->classes.count(key) == 0) {
      std::string allowed;
      for (const auto& [k, unused] : row->classes) allowed += (allowed.empty() ? "" : ", ") + k;
      f().Error("/class", "application.invalid_class", {{"allowed", allowed}});
    }
  }

  // The applicant's consent to the population-registry check, when given: its shape only. Whether a
  // server requires it is the server's to say (only one with a registry configured does).
  void Consent() {
    const json* consent = in_.Object(app_, "consent", "", Need::kOptional);
    if (consent == nullptr) {
      if (needs_.consent && Member(app_, "consent") == nullptr) f().Error("/consent", "consent.required");
      return;
    }
    if (auto at = in_.String(*consent, "given_at", "/consent", Need::kRequired)) {
      const std::optional<Date> day = ParseIsoTimestampDate(*at);
      // A day of grace: the device's time zone may already be tomorrow.
      if (!day || AddDays(today_, 1) < *day) f().Error("/consent/given_at", "consent.invalid_given_at");
    }
    if (auto version = in_.String(*consent, "text_version", "/consent", Need::kRequired); version && !IsConsentTextVersion(*version)) {
      f().Error("/consent/text_version", "consent.unknown_text_version", {{"current", std::string(kConsentTextVersion)}});
    }
  }

  void Members() {
    const json* members = in_.Array(app_, "members", "", Need::kRequired);
    if (members == nullptr) return;
    if (members->empty()) {
      f().Error("/members", "family.no_members");
      return;
    }

    std::map<std::string, std::size_t> first_with_nik;
    std::size_t heads = 0;
    for (std::size_t i = 0; i < members->size(); ++i) {
      const json& m = (*members)[i];
      const std::string base = JoinPointer("/members", i);
      if (!m.is_object()) {
        f().Error(base, "input.wrong_type", {{"expected", "object"}});
        facts_.push_back({});
        continue;
      }
      const bool has_nik = CheckMember(m, base);
      if (const json* relationship = Member(m, "relationship"); relationship && *relationship == "head" && ++heads > 1) {
        f().Error(JoinPointer(base, "relationship"), "family.multiple_heads");
      }
      if (has_nik) {
        const std::string& normalized = out_.normalized[json::json_pointer(JoinPointer(base, "nik"))].get_ref<const std::string&>();
        const auto [it, inserted] = first_with_nik.emplace(normalized, i);
        if (!inserted) {
          f().Error(JoinPointer(base, "nik"), "family.duplicate_nik",
                    {{"member", static_cast<int64_t>(it->second)}, {"number", static_cast<int64_t>(it->second + 1)}});
        }
      }
    }
    if (heads == 0) f().Error("/members", "family.no_head");
  }

  // One member's fields at `base`; records what the document rules need. True when its NIK is valid.
  bool CheckMember(const json& m, const std::string& base) {
    MemberFacts facts;
    Field(m, "name", base, CheckName);
    const PastDateCheck birth = BirthDate(m, base);
    facts.birth_date = birth.date;
    const std::optional<NikParts> nik = Nik(m, base, birth.date, facts);
    CheckSex(m, base, nik);
    if (auto relationship = Enum(m, "relationship", base, kRelationships, "member.invalid_relationship")) {
      facts.spouse = *relationship == "spouse";
    }
    if (auto marital = Enum(m, "marital_status", base, kMaritalStatuses, "member.invalid_marital_status")) {
      facts.ever_married = *marital != "single";
    }
    Field(m, "npwp", base, CheckNpwp, Need::kOptional);
    facts_.push_back(facts);
    return nik.has_value();
  }

  PastDateCheck BirthDate(const json& m, const std::string& base) {
    PastDateCheck birth;
    if (auto text = in_.String(m, "birth_date", base, Need::kRequired)) {
      birth = CheckPastDate(*text, today_);
      f().Append(birth.findings, JoinPointer(base, "birth_date"));
      if (birth.findings.has_errors()) birth.date.reset();
    }
    return birth;
  }

  std::optional<NikParts> Nik(const json& m, const std::string& base, std::optional<Date> birth,
                              MemberFacts& facts) {
    const std::string path = JoinPointer(base, "nik");
    const std::optional<std::string> text = in_.String(m, "nik", base, Need::kOptional);
    const json* raw = Member(m, "nik");
    if (!text) {
      if (raw != nullptr && !raw->is_null()) return std::nullopt;  // wrong type, reported
      // No NIK: only a newborn in its first months, who then needs a birth certificate.
      if (birth && today_ < AddMonths(*birth, docs_.newborn_without_nik_months)) {
        facts.newborn_without_nik = true;
      } else {
        f().Error(path, "member.nik_required", {{"months", int64_t{docs_.newborn_without_nik_months}}});
      }
      return std::nullopt;
    }
    NikCheck nik = CheckNik(*text, today_);
    f().Append(nik.findings, path);
    facts.has_nik = true;
    if (!nik.parts) return std::nullopt;
    out_.normalized[json::json_pointer(path)] = nik.normalized;
    // A NIK prints two digits of the year, read as the latest such date not after today: a member
    // aged 100 or more shares them with a child born this century. The date entered decides the
    // century when it agrees with the NIK in every other digit.
    const Date& printed = nik.parts->birth_date;
    const bool century_earlier = birth && birth->day == printed.day && birth->month == printed.month &&
                                 birth->year % 100 == printed.year % 100 && birth->year < printed.year;
    if (birth && *birth != printed && !century_earlier) {
      f().Error(JoinPointer(base, "birth_date"), "member.birth_date_mismatch",
                {{"nik_birth_date", FormatIsoDate(nik.parts->birth_date)}});
    }
    if (!birth) facts.birth_date = nik.parts->birth_date;
    return nik.parts;
  }

  void CheckSex(const json& m, const std::string& base, const std::optional<NikParts>& nik) {
    static constexpr std::string_view kSexes[] = {"M", "F"};
    const auto sex = Enum(m, "sex", base, kSexes, "member.invalid_sex");
    if (sex && nik && *sex != (nik->sex == Sex::kFemale ? "F" : "M")) {
      f().Error(JoinPointer(base, "sex"), "member.sex_mismatch",
                {{"nik_sex", nik->sex == Sex::kFemale ? "F" : "M"}});
    }
  }

  template <std::size_t N>
  std::optional<std::string> Enum(const json& object, std::string_view key, const std::string& base,
                                  const std::string_view (&allowed)[N], const char* code) {
    auto value = in_.String(object, key, base, Need::kRequired);
    if (value && !OneOf(*value, allowed)) {
      f().Error(JoinPointer(base, key), code, {{"allowed", List(allowed)}});
      return std::nullopt;
    }
    return value;
  }

  void Documents() {
    const json* docs = in_.Array(app_, "documents", "", Need::kOptional);
    static const json kNone = json::array();
    if (docs == nullptr) docs = &kNone;
    bool has_kk = false;
    std::vector<bool> has_ktp(facts_.size()), has_birth_certificate(facts_.size()), has_marriage_certificate(facts_.size());
    for (std::size_t i = 0; i < docs->size(); ++i) {
      const std::string base = JoinPointer("/documents", i);
      const json& d = (*docs)[i];
      Findings found;
      json& normalized = out_.normalized[json::json_pointer(base)];
      const std::optional<std::string> kind = CheckDocumentEntry(d, docs_, found, normalized);
      f().Append(found, base);
      if (!d.is_object()) continue;
      const std::optional<std::size_t> member = DocumentMember(d, base, kind);
      if (!kind) continue;
      if (*kind == "kk") has_kk = true;
      if (member && *kind == "ktp") has_ktp[*member] = true;
      if (member && *kind == "birth_certificate") has_birth_certificate[*member] = true;
      if (member && *kind == "marriage_certificate") has_marriage_certificate[*member] = true;
    }

    // A newborn joins on its birth certificate; anyone else who joins is on the family's new KK.
    const bool kk_needed = !joining_ || (!facts_.empty() && !facts_[0].newborn_without_nik);
    if (!has_kk && kk_needed) f().Error("/documents", "documents.missing_kk");
    for (std::size_t i = 0; i < facts_.size(); ++i) {
      const MemberFacts& m = facts_[i];
      const std::vector<Param> who = {{"member", static_cast<int64_t>(i)}, {"number", static_cast<int64_t>(i + 1)}};
      const bool adult = m.birth_date && AgeInYears(*m.birth_date, today_) >= docs_.ktp_from_age;
      if ((adult || m.ever_married) && !has_ktp[i]) f().Error("/documents", "documents.missing_ktp", who);
      if (m.newborn_without_nik && !has_birth_certificate[i]) {
        f().Error("/documents", "documents.missing_birth_certificate", who);
      }
      // A spouse who joins later shows the marriage; on a first registration the KK says it.
      if (joining_ && m.spouse && !has_marriage_certificate[i]) {
        f().Error("/documents", "documents.missing_marriage_certificate", who);
      }
    }
  }

  // The member a document belongs to: null for the family's KK, a member's index otherwise.
  std::optional<std::size_t> DocumentMember(const json& d, const std::string& base,
                                            const std::optional<std::string>& kind) {
    const json* member = Member(d, "member");
    const bool family_document = kind && *kind == "kk";
    if (member == nullptr || member->is_null()) {
      if (joining_ && !family_document) return 0;  // the one person joining
      if (kind && !family_document) f().Error(base + "/member", "document.member_required");
      return std::nullopt;
    }
    if (family_document) {
      f().Error(base + "/member", "document.member_not_allowed");
      return std::nullopt;
    }
    if (!member->is_number_integer() || member->get<int64_t>() < 0 ||
        member->get<int64_t>() >= static_cast<int64_t>(facts_.size())) {
      f().Error(base + "/member", "document.invalid_member", {{"members", static_cast<int64_t>(facts_.size())}});
      return std::nullopt;
    }
    return static_cast<std::size_t>(member->get<int64_t>());
  }

  const json& app_;
  const Date today_;
  const TariffTable& tariffs_;
  const DocumentRules& docs_;
  const int max_members_;
  const ApplicationRequirements needs_;
  const bool joining_;
  ApplicationCheck& out_;
  JsonReader in_;
  std::vector<MemberFacts> facts_;
};

}  // namespace

ApplicationCheck ValidateApplication(const json& application, Date today, const TariffTable& tariffs,
                                     const DocumentRules& documents, int max_members, ApplicationRequirements needs) {
  ApplicationCheck out;
  Validator(application, today, tariffs, documents, max_members, needs, out).Run();
  return out;
}

ApplicationCheck ValidateJoiningMember(const json& input, Date today, const TariffTable& tariffs,
                                       const DocumentRules& documents) {
  ApplicationCheck out;
  Validator(input, today, tariffs, documents, 1, {}, out, /*joining=*/true).RunJoining();
  return out;
}

std::optional<std::string> CheckDocumentEntry(const json& d, const DocumentRules& docs, Findings& f, json& normalized) {
  if (!d.is_object()) {
    f.Error("", "input.wrong_type", {{"expected", "object"}});
    return std::nullopt;
  }
  JsonReader in(f);
  const auto kind = in.String(d, "kind", "", Need::kRequired);
  const DocumentKindLimits* limits = kind ? docs.Find(*kind) : nullptr;
  if (kind && limits == nullptr) f.Error("/kind", "document.unknown_kind");
  if (auto type = in.String(d, "media_type", "", Need::kRequired); type && !docs.AcceptsMediaType(*type)) {
    f.Error("/media_type", "document.unsupported_media_type");
  }
  if (auto size = in.Integer(d, "size", "", Need::kRequired, 0, INT64_MAX)) {
    if (*size == 0) {
      f.Error("/size", "document.empty");
    } else if (limits && *size > limits->max_bytes) {
      f.Error("/size", "document.too_large", {{"max_bytes", limits->max_bytes}});
    }
  }
  if (auto hash = in.String(d, "blake2b", "", Need::kRequired)) {
    std::string lower = *hash;
    for (char& c : lower) c = (c >= 'A' && c <= 'F') ? static_cast<char>(c + 32) : c;
    if (lower.size() != 64 || lower.find_first_not_of("0123456789abcdef") != std::string::npos) {
      f.Error("/blake2b", "document.invalid_hash");
    } else {
      normalized["blake2b"] = lower;
    }
  }
  return kind;
}

}  // namespace daftar
