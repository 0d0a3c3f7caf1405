// Civil dates (proleptic Gregorian). The core reads no clock: "today" is always a parameter.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daftar/finding.h"

namespace daftar {

struct Date {
  int year = 0;
  int month = 0;  // 1-12
  int day = 0;    // 1-31
  auto operator<=>(const Date&) const = default;
};

[[nodiscard]] bool IsLeapYear(int year);
[[nodiscard]] int DaysInMonth(int year, int month);
[[nodiscard]] bool IsRealDate(int year, int month, int day);

// Days since 1970-01-01, and back.
[[nodiscard]] int64_t DaysFromCivil(Date date);
[[nodiscard]] Date CivilFromDays(int64_t days);
[[nodiscard]] Date AddDays(Date date, int64_t days);
// Same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
[[nodiscard]] Date AddMonths(Date date, int months);
// Whole years from `birth` to `today` (a person's age); negative if `birth` is later.
[[nodiscard]] int AgeInYears(Date birth, Date today);

// Exactly "YYYY-MM-DD" naming a real date; nothing else.
[[nodiscard]] std::optional<Date> ParseIsoDate(std::string_view text);
[[nodiscard]] std::string FormatIsoDate(Date date);
// An ISO 8601 timestamp "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+HH:MM|-HH:MM)": its calendar date, or
// nullopt when the text is anything else.
[[nodiscard]] std::optional<Date> ParseIsoTimestampDate(std::string_view text);

// The latest date with day, month and two-digit year `yy` that is not after `today`, as NIKs and
// KK numbers need; nullopt if day and month name no real date in either century.
[[nodiscard]] std::optional<Date> ResolveTwoDigitYear(int day, int month, int yy, Date today);

// Field rule for a date in the past (birth dates): ISO form, real, not after `today`, at most
// 130 years before it. Findings at path "".
struct PastDateCheck {
  std::optional<Date> date;  // set when the text names a real date
  Findings findings;
};
[[nodiscard]] PastDateCheck CheckPastDate(std::string_view text, Date today);

}  // namespace daftar
