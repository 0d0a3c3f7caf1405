#include "daftar/kk.h"

#include "daftar/regions.h"
#include "text.h"

namespace daftar {

KkCheck CheckKk(std::string_view input, Date today) {
  KkCheck out;
  out.normalized = text::StripNumberSeparators(input);
  const std::string& kk = out.normalized;
  Findings& f = out.findings;

  if (kk.empty()) {
    f.Error("", "kk.required");
    return out;
  }
  if (!text::AllDigits(kk)) {
    f.Error("", "kk.invalid_characters");
    return out;
  }
  if (kk.size() != 16) {
    f.Error("", "kk.invalid_length", {{"length", static_cast<int64_t>(kk.size())}});
    return out;
  }

  KkParts parts;
  parts.district = kk.substr(0, 6);
  parts.serial = kk.substr(12, 4);
  if (!regions::IsKnownDistrict(parts.district)) {
    f.Warning("", "kk.unknown_district", {{"district", parts.district}});
  }
  const int day = text::ParseSmallNumber(kk.substr(6, 2));
  const int month = text::ParseSmallNumber(kk.substr(8, 2));
  const int yy = text::ParseSmallNumber(kk.substr(10, 2));
  // The latest date not after today: an issue date is never in the future by construction, so a
  // date that exists in no century is the only way it can be wrong.
  const std::optional<Date> issued = ResolveTwoDigitYear(day, month, yy, today);
  if (!issued) {
    f.Error("", "kk.invalid_issue_date", {{"digits", kk.substr(6, 6)}});
  } else {
    parts.issued = *issued;
  }
  if (parts.serial == "0000") f.Error("", "kk.invalid_serial");

  if (!f.has_errors()) out.parts = std::move(parts);
  return out;
}

}  // namespace daftar
