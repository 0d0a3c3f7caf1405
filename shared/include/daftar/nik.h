// NIK (Nomor Induk Kependudukan), 16 digits: PP RR DD ddmmyy SSSS. Province, regency and
// district of first issue; birth date with day + 40 for women; serial 0001-9999. No check digit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daftar/date.h"
#include "daftar/finding.h"

namespace daftar {

enum class Sex { kMale, kFemale };

struct NikParts {
  std::string province;  // "32"
  std::string regency;   // "3204"
  std::string district;  // "320411"
  Date birth_date;
  Sex sex = Sex::kMale;
  std::string serial;  // "0001"
};

struct NikCheck {
  std::string normalized;         // separators removed
  std::optional<NikParts> parts;  // set when no error was found
  Findings findings;              // at path ""
};

// Spaces, dots and dashes are separators. The two-digit year is the latest not after `today`.
// Unknown province: error; unknown regency or district in a known province: warning.
[[nodiscard]] NikCheck CheckNik(std::string_view text, Date today);

}  // namespace daftar
