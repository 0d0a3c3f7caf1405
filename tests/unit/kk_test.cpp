#include "daftar/kk.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

namespace {
const Date kToday{2026, 11, 23};
}

TEST_CASE("a KK number is parsed into district, issue date and serial") {
  const KkCheck c = CheckKk("3204-1122-0318-0004", kToday);
  REQUIRE(c.parts);
  CHECK(c.normalized == "3204112203180004");
  CHECK(c.parts->district == "320411");
  CHECK(c.parts->issued == Date{2018, 3, 22});
  CHECK(c.parts->serial == "0004");
}

TEST_CASE("KK number errors and warnings") {
  CHECK(Codes(CheckKk("", kToday).findings) == Strings{"kk.required"});
  CHECK(Codes(CheckKk("32041122031800O4", kToday).findings) == Strings{"kk.invalid_characters"});
  CHECK(Codes(CheckKk("32041122031800041", kToday).findings) == Strings{"kk.invalid_length"});
  CHECK(Codes(CheckKk("3204113202180004", kToday).findings) == Strings{"kk.invalid_issue_date"});
  CHECK(Codes(CheckKk("3204112203180000", kToday).findings) == Strings{"kk.invalid_serial"});
  const KkCheck unknown = CheckKk("3204992203180004", kToday);
  CHECK(Codes(unknown.findings, Severity::kWarning) == Strings{"kk.unknown_district"});
  CHECK(unknown.parts);
}

TEST_CASE("a KK issue date is never in the future: the century is the latest not after today") {
  CHECK(CheckKk("3204112411260004", kToday).parts->issued == Date{1926, 11, 24});
  CHECK(CheckKk("3204112311260004", kToday).parts->issued == Date{2026, 11, 23});
}
