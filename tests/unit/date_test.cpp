#include "daftar/date.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

TEST_CASE("leap years follow the Gregorian rules") {
  CHECK(IsLeapYear(2000));
  CHECK(IsLeapYear(2024));
  CHECK_FALSE(IsLeapYear(1900));
  CHECK_FALSE(IsLeapYear(2026));
  CHECK(IsRealDate(2024, 2, 29));
  CHECK_FALSE(IsRealDate(2026, 2, 29));
  CHECK_FALSE(IsRealDate(2026, 4, 31));
  CHECK_FALSE(IsRealDate(2026, 13, 1));
  CHECK_FALSE(IsRealDate(2026, 0, 1));
}

TEST_CASE("days round-trip through the civil calendar") {
  CHECK(DaysFromCivil({1970, 1, 1}) == 0);
  CHECK(DaysFromCivil({2000, 3, 1}) - DaysFromCivil({2000, 2, 28}) == 2);
  for (int64_t d = -800000; d < 800000; d += 997) CHECK(DaysFromCivil(CivilFromDays(d)) == d);
  CHECK(AddDays({2026, 12, 25}, 14) == Date{2027, 1, 8});
}

TEST_CASE("adding months clamps to the month's end") {
  CHECK(AddMonths({2026, 1, 31}, 1) == Date{2026, 2, 28});
  CHECK(AddMonths({2024, 1, 31}, 1) == Date{2024, 2, 29});
  CHECK(AddMonths({2026, 11, 23}, 3) == Date{2027, 2, 23});
}

TEST_CASE("age counts whole years, birthdays included") {
  CHECK(AgeInYears({2009, 11, 23}, {2026, 11, 23}) == 17);
  CHECK(AgeInYears({2009, 11, 24}, {2026, 11, 23}) == 16);
  CHECK(AgeInYears({2008, 2, 29}, {2026, 2, 28}) == 17);
}

TEST_CASE("ISO dates are parsed strictly") {
  CHECK(ParseIsoDate("1997-09-06") == Date{1997, 9, 6});
  CHECK_FALSE(ParseIsoDate("1997-9-6"));
  CHECK_FALSE(ParseIsoDate("06-09-1997"));
  CHECK_FALSE(ParseIsoDate("1997-02-30"));
  CHECK_FALSE(ParseIsoDate("1997-09-06T00:00"));
  CHECK(FormatIsoDate({987, 1, 2}) == "0987-01-02");
}

TEST_CASE("a two-digit year resolves to the latest date not after today") {
  const Date today{2026, 11, 23};
  CHECK(ResolveTwoDigitYear(23, 11, 26, today) == Date{2026, 11, 23});
  CHECK(ResolveTwoDigitYear(24, 11, 26, today) == Date{1926, 11, 24});
  CHECK(ResolveTwoDigitYear(6, 9, 97, today) == Date{1997, 9, 6});
  CHECK(ResolveTwoDigitYear(29, 2, 0, today) == Date{2000, 2, 29});
  // 29 Feb '24 is 2024; 29 Feb '25 exists in no century.
  CHECK(ResolveTwoDigitYear(29, 2, 24, today) == Date{2024, 2, 29});
  CHECK_FALSE(ResolveTwoDigitYear(29, 2, 25, today));
  CHECK_FALSE(ResolveTwoDigitYear(31, 4, 90, today));
}

TEST_CASE("birth dates must be real, past and within 130 years") {
  const Date today{2026, 11, 23};
  CHECK(CheckPastDate("2026-11-23", today).findings.all().empty());
  CHECK(Codes(CheckPastDate("2026-11-24", today).findings) == Strings{"date.in_future"});
  CHECK(Codes(CheckPastDate("1896-11-23", today).findings) == Strings{"date.too_old"});
  CHECK(Codes(CheckPastDate("1896-11-24", today).findings).empty());
  CHECK(Codes(CheckPastDate("2023-02-29", today).findings) == Strings{"date.not_a_real_date"});
  CHECK(Codes(CheckPastDate("23/02/2023", today).findings) == Strings{"date.invalid_format"});
  CHECK(Codes(CheckPastDate("  ", today).findings) == Strings{"date.required"});
}
