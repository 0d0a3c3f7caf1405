#include "daftar/nik.h"

#include "daftar/regions.h"
#include "text.h"

namespace daftar {

NikCheck CheckNik(std::string_view input, Date today) {
  NikCheck out;
  out.normalized = text::StripNumberSeparators(input);
  const std::string& nik = out.normalized;
  Findings& f = out.findings;

  if (nik.empty()) {
    f.Error("", "nik.required");
    return out;
  }
  if (!text::AllDigits(nik)) {
    f.Error("", "nik.invalid_characters");
    return out;
  }
  if (nik.size() != 16) {
    f.Error("", "nik.invalid_length", {{"length", static_cast<int64_t>(nik.size())}});
    return out;
  }

  NikParts parts;
  parts.province = nik.substr(0, 2);
  parts.regency = nik.substr(0, 4);
  parts.district = nik.substr(0, 6);
  parts.serial = nik.substr(12, 4);

  if (!regions::IsKnownProvince(parts.province)) {
    f.Error("", "nik.unknown_province", {{"province", parts.province}});
  } else if (!regions::IsKnownRegency(parts.regency)) {
    f.Warning("", "nik.unknown_regency", {{"regency", parts.regency}});
  } else if (!regions::IsKnownDistrict(parts.district)) {
    f.Warning("", "nik.unknown_district", {{"district", parts.district}});
  }

  int day = text::ParseSmallNumber(nik.substr(6, 2));
  const int month = text::ParseSmallNumber(nik.substr(8, 2));
  const int yy = text::ParseSmallNumber(nik.substr(10, 2));
  parts.sex = day > 40 ? Sex::kFemale : Sex::kMale;
  if (day > 40) day -= 40;
  const std::optional<Date> birth = ResolveTwoDigitYear(day, month, yy, today);
  if (!birth) {
    f.Error("", "nik.invalid_birth_date", {{"digits", nik.substr(6, 6)}});
  } else {
    parts.birth_date = *birth;
  }

  if (parts.serial == "0000") f.Error("", "nik.invalid_serial");

  if (!f.has_errors()) out.parts = std::move(parts);
  return out;
}

}  // namespace daftar
