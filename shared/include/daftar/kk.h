// KK number (Nomor Kartu Keluarga), 16 digits: issuing district (6), issue date ddmmyy, serial.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daftar/date.h"
#include "daftar/finding.h"

namespace daftar {

struct KkParts {
  std::string district;  // "320411"
  Date issued;
  std::string serial;  // "0001"
};

struct KkCheck {
  std::string normalized;
  std::optional<KkParts> parts;  // set when no error was found
  Findings findings;             // at path ""
};

// An unknown issuing district is a warning (region tables are incomplete and historical).
[[nodiscard]] KkCheck CheckKk(std::string_view text, Date today);

}  // namespace daftar
