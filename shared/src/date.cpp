#include "daftar/date.h"

#include "text.h"

namespace daftar {

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool IsRealDate(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
int64_t DaysFromCivil(Date d) {
  const int64_t y = d.year - (d.month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2));
  return {year, month, day};
}

Date AddDays(Date date, int64_t days) { return CivilFromDays(DaysFromCivil(date) + days); }

Date AddMonths(Date date, int months) {
  int index = date.year * 12 + (date.month - 1) + months;
  Date out{index / 12, index % 12 + 1, date.day};
  if (out.day > DaysInMonth(out.year, out.month)) out.day = DaysInMonth(out.year, out.month);
  return out;
}

int AgeInYears(Date birth, Date today) {
  int age = today.year - birth.year;
  if (today.month < birth.month || (today.month == birth.month && today.day < birth.day)) --age;
  return age;
}

std::optional<Date> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const std::string_view y = s.substr(0, 4), m = s.substr(5, 2), d = s.substr(8, 2);
  if (!text::AllDigits(y) || !text::AllDigits(m) || !text::AllDigits(d)) return std::nullopt;
  Date date{text::ParseSmallNumber(y), text::ParseSmallNumber(m), text::ParseSmallNumber(d)};
  if (!IsRealDate(date.year, date.month, date.day)) return std::nullopt;
  return date;
}

std::optional<Date> ParseIsoTimestampDate(std::string_view s) {
  if (s.size() < 17 || s.size() > 35 || s[10] != 'T') return std::nullopt;
  const std::optional<Date> date = ParseIsoDate(s.substr(0, 10));
  const auto two = [&](std::size_t at, int max) {
    return at + 2 <= s.size() && text::AllDigits(s.substr(at, 2)) && text::ParseSmallNumber(s.substr(at, 2)) <= max;
  };
  if (!date || !two(11, 23) || s[13] != ':' || !two(14, 59)) return std::nullopt;
  std::size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!two(at + 1, 60)) return std::nullopt;  // 60: a leap second
    at += 3;
    if (at < s.size() && s[at] == '.') {
      const std::size_t digits = s.find_first_not_of("0123456789", at + 1);
      const std::size_t stop = digits == std::string_view::npos ? s.size() : digits;
      if (stop == at + 1) return std::nullopt;
      at = stop;
    }
  }
  const std::string_view zone = s.substr(at);
  if (zone == "Z") return date;
  const bool offset = zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
                      text::AllDigits(zone.substr(1, 2)) && text::AllDigits(zone.substr(4, 2));
  return offset ? date : std::nullopt;
}

// By hand rather than snprintf: printf would add several KB to the wasm module.
std::string FormatIsoDate(Date d) {
  std::string out = "0000-00-00";
  const auto put = [&](int value, std::size_t end, int digits) {
    for (int i = 0; i < digits; ++i, value /= 10) out[end - i] = static_cast<char>('0' + value % 10);
  };
  put(d.year, 3, 4);
  put(d.month, 6, 2);
  put(d.day, 9, 2);
  return out;
}

std::optional<Date> ResolveTwoDigitYear(int day, int month, int yy, Date today) {
  const int century = today.year / 100 * 100;
  // The latest candidate first: this century, then the one before, then the one before that
  // (29 February of a two-digit year may not exist in the nearest centuries).
  for (int year = century + yy; year > century + yy - 300; year -= 100) {
    if (!IsRealDate(year, month, day)) continue;
    const Date date{year, month, day};
    if (date <= today) return date;
  }
  return std::nullopt;
}

PastDateCheck CheckPastDate(std::string_view text, Date today) {
  PastDateCheck out;
  const std::string_view trimmed = text::Trim(text);
  if (trimmed.empty()) {
    out.findings.Error("", "date.required");
    return out;
  }
  out.date = ParseIsoDate(trimmed);
  if (!out.date) {
    const bool shaped = trimmed.size() == 10 && trimmed[4] == '-' && trimmed[7] == '-';
    out.findings.Error("", shaped ? "date.not_a_real_date" : "date.invalid_format");
    return out;
  }
  if (*out.date > today) {
    out.findings.Error("", "date.in_future", {{"today", FormatIsoDate(today)}});
  } else if (AgeInYears(*out.date, today) >= 130) {
    out.findings.Error("", "date.too_old", {{"max_years", int64_t{130}}});
  }
  return out;
}

}  // namespace daftar
