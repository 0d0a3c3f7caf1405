#include "daftar/nik.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

namespace {
const Date kToday{2026, 11, 23};
}

TEST_CASE("a NIK is parsed into its parts") {
  const NikCheck c = CheckNik("3204110609970001", kToday);
  REQUIRE(c.parts);
  CHECK(c.parts->province == "32");
  CHECK(c.parts->regency == "3204");
  CHECK(c.parts->district == "320411");
  CHECK(c.parts->birth_date == Date{1997, 9, 6});
  CHECK(c.parts->sex == Sex::kMale);
  CHECK(c.parts->serial == "0001");
  CHECK(c.findings.all().empty());
}

TEST_CASE("a woman's NIK carries her day of birth plus 40") {
  const NikCheck c = CheckNik("3204114609970001", kToday);
  REQUIRE(c.parts);
  CHECK(c.parts->sex == Sex::kFemale);
  CHECK(c.parts->birth_date == Date{1997, 9, 6});
  CHECK(Codes(CheckNik("3204117101900001", kToday).findings) == Strings{});  // 31 Jan, woman
  CHECK(Codes(CheckNik("3204117201900001", kToday).findings) == Strings{"nik.invalid_birth_date"});
  CHECK(Codes(CheckNik("3204114001900001", kToday).findings) == Strings{"nik.invalid_birth_date"});
}

TEST_CASE("spaces, dots and dashes are separators") {
  const NikCheck c = CheckNik(" 32.04.11-4609 97 0001 ", kToday);
  CHECK(c.normalized == "3204114609970001");
  CHECK(c.parts);
}

TEST_CASE("malformed NIKs are refused with a specific code") {
  CHECK(Codes(CheckNik("", kToday).findings) == Strings{"nik.required"});
  CHECK(Codes(CheckNik("3204II0609970001", kToday).findings) == Strings{"nik.invalid_characters"});
  const NikCheck short_nik = CheckNik("320411060997001", kToday);
  CHECK(Codes(short_nik.findings) == Strings{"nik.invalid_length"});
  CHECK(std::get<int64_t>(short_nik.findings.all()[0].params[0].value) == 15);
  CHECK(Codes(CheckNik("3204110609970000", kToday).findings) == Strings{"nik.invalid_serial"});
}

TEST_CASE("leap days in NIKs") {
  CHECK(CheckNik("3204112902000001", kToday).parts->birth_date == Date{2000, 2, 29});
  CHECK(CheckNik("3204116902000001", kToday).parts->sex == Sex::kFemale);
  CHECK(Codes(CheckNik("3204112902010001", kToday).findings) == Strings{"nik.invalid_birth_date"});
}

TEST_CASE("two-digit years near today") {
  CHECK(CheckNik("3204112311260001", kToday).parts->birth_date == Date{2026, 11, 23});
  CHECK(CheckNik("3204112411260001", kToday).parts->birth_date == Date{1926, 11, 24});
  CHECK(CheckNik("3204112411260001", {2026, 11, 24}).parts->birth_date == Date{2026, 11, 24});
}

TEST_CASE("unknown province is an error, unknown regency or district a warning") {
  CHECK(Codes(CheckNik("9904110609970001", kToday).findings) == Strings{"nik.unknown_province"});
  const NikCheck regency = CheckNik("3299110609970001", kToday);
  CHECK(Codes(regency.findings, Severity::kWarning) == Strings{"nik.unknown_regency"});
  CHECK(regency.parts);
  const NikCheck district = CheckNik("3204990609970001", kToday);
  CHECK(Codes(district.findings, Severity::kWarning) == Strings{"nik.unknown_district"});
  CHECK(district.parts);
}

TEST_CASE("renumbered regions stay valid: Merauke was 91.01 and is now 93.01") {
  CHECK(CheckNik("9101010609970001", kToday).findings.all().empty());
  CHECK(CheckNik("9301010609970001", kToday).findings.all().empty());
}
