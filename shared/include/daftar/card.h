// JKN card numbers and family virtual accounts.
// Card: 13 digits = a 12-digit zero-padded serial + one Verhoeff check digit, so that a mistyped
// digit or swapped neighbours are caught before anything is sent.
// Virtual account: prefix (configuration; "88888", Bank Mandiri "89888") + the last 11 digits
// of the head of family's card number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daftar/finding.h"

namespace daftar {

inline constexpr int64_t kMaxCardSerial = 999'999'999'999;
inline constexpr std::string_view kDefaultVaPrefix = "88888";

// The Verhoeff check digit ('0'-'9') for a string of ASCII digits.
[[nodiscard]] char VerhoeffCheckDigit(std::string_view digits);
// True if the last digit of `digits` is the Verhoeff check digit of the others.
[[nodiscard]] bool VerhoeffIsValid(std::string_view digits);

struct CardCheck {
  std::string normalized;
  std::optional<std::string> serial;  // the 12-digit serial, when valid
  Findings findings;                  // at path ""
};
[[nodiscard]] CardCheck CheckCard(std::string_view text);

// The card number for `serial` (1 to kMaxCardSerial); nullopt outside that range.
[[nodiscard]] std::optional<std::string> CardFromSerial(int64_t serial);

// The family's virtual account for the head's card. A card whose check digit fails still gets
// its account (cards issued elsewhere carry no Verhoeff digit) but with a warning; a prefix must
// be 3 to 8 digits.
struct VaResult {
  std::string va;  // empty when there are errors
  Findings findings;
};
[[nodiscard]] VaResult MakeVirtualAccount(std::string_view card, std::string_view prefix);

}  // namespace daftar
