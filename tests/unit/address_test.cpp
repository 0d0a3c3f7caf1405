#include "daftar/address.h"

#include <catch2/catch.hpp>
#include <vector>

#include "daftar/regions.h"
#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

TEST_CASE("postal codes have five digits and a zone 1-9") {
  CHECK(CheckPostalCode("40921").ok());
  CHECK(Codes(CheckPostalCode("04092").findings) == Strings{"postal_code.invalid"});
  CHECK(Codes(CheckPostalCode("4092").findings) == Strings{"postal_code.invalid"});
  CHECK(Codes(CheckPostalCode("").findings) == Strings{"postal_code.required"});
}

TEST_CASE("RT and RW are stored zero-padded to three digits") {
  CHECK(CheckNeighbourhood("3", "rt").normalized == "003");
  CHECK(CheckNeighbourhood("012", "rw").normalized == "012");
  CHECK(Codes(CheckNeighbourhood("0", "rt").findings) == Strings{"rt.invalid"});
  CHECK(Codes(CheckNeighbourhood("1234", "rw").findings) == Strings{"rw.invalid"});
  CHECK(Codes(CheckNeighbourhood("", "rw").findings) == Strings{"rw.required"});
}

TEST_CASE("village codes come from the current region table") {
  CHECK(CheckVillageCode("32.04.11.2001").normalized == "32.04.11.2001");
  CHECK(CheckVillageCode("3204112001").normalized == "32.04.11.2001");
  CHECK(Codes(CheckVillageCode("32.04.11.2003").findings) == Strings{"village.unknown"});
  CHECK(Codes(CheckVillageCode("32.04.11.200").findings) == Strings{"village.invalid_format"});
}

TEST_CASE("the region table holds current and older codes") {
  CHECK(regions::IsKnownProvince("93", regions::Era::kCurrent));
  CHECK(regions::IsKnownRegency("9101"));                            // Merauke, before 2022
  CHECK_FALSE(regions::IsKnownRegency("9101", regions::Era::kCurrent));
  CHECK(regions::IsKnownDistrict("930101", regions::Era::kCurrent));  // Merauke, now
  CHECK_FALSE(regions::IsKnownProvince("99"));
  CHECK_FALSE(regions::IsKnownProvince("3"));
  CHECK(regions::IsCurrentVillage("3171011001"));
}

TEST_CASE("a village table given at run time is read strictly and never replaces the one there") {
  using Bytes = std::vector<unsigned char>;
  const auto give = [](const Bytes& b) { return regions::GiveVillageTable(b); };
  // 3204112001 as LEB128 (low seven bits first), then +1: a table of two codes.
  const Bytes two = {0x81, 0xbd, 0xeb, 0xf7, 0x0b, 0x01};
  REQUIRE(regions::HasVillageTable());          // compiled into native builds
  CHECK(give(two) == std::size_t{83762});      // well formed, but the compiled table stays
  CHECK_FALSE(give({}));                       // empty
  CHECK_FALSE(give({0x81, 0xbd}));             // cut in the middle of a code
  CHECK_FALSE(give({0x81, 0xbd, 0xeb, 0xf7, 0x0b, 0x00}));  // the same code twice
  CHECK_FALSE(give({0x05}));                   // not ten digits
  CHECK_FALSE(give(Bytes(9, 0xff)));           // longer than any code
  CHECK(regions::IsCurrentVillage("3204112001"));
}

TEST_CASE("the address line is free text of reasonable length") {
  CHECK(CheckAddressLine("  Jl.  Mawar\n5 ").normalized == "Jl. Mawar 5");
  CHECK(Codes(CheckAddressLine("").findings) == Strings{"address_line.required"});
  CHECK(Codes(CheckAddressLine("J5").findings) == Strings{"address_line.too_short"});
  CHECK(Codes(CheckAddressLine(std::string(201, 'x')).findings) == Strings{"address_line.too_long"});
}
