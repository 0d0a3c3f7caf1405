#include "daftar/card.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

TEST_CASE("Verhoeff check digits match the published examples") {
  CHECK(VerhoeffCheckDigit("236") == '3');
  CHECK(VerhoeffIsValid("2363"));
  CHECK(VerhoeffCheckDigit("12345") == '1');
  CHECK(VerhoeffIsValid("123451"));
  CHECK_FALSE(VerhoeffIsValid("123452"));
}

TEST_CASE("Verhoeff catches every single-digit error and adjacent swap of a card") {
  const std::string card = *CardFromSerial(194435891);
  REQUIRE(VerhoeffIsValid(card));
  for (std::size_t i = 0; i < card.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == card[i]) continue;
      std::string typo = card;
      typo[i] = d;
      CHECK_FALSE(VerhoeffIsValid(typo));
    }
    if (i + 1 < card.size() && card[i] != card[i + 1]) {
      std::string swapped = card;
      std::swap(swapped[i], swapped[i + 1]);
      CHECK_FALSE(VerhoeffIsValid(swapped));
    }
  }
}

TEST_CASE("card numbers are a 12-digit serial and a check digit") {
  CHECK(CardFromSerial(1) == "0000000000010");
  CHECK(CardFromSerial(kMaxCardSerial)->size() == 13);
  CHECK_FALSE(CardFromSerial(0));
  CHECK_FALSE(CardFromSerial(kMaxCardSerial + 1));
  const CardCheck c = CheckCard("0000 0000 0001 0");
  CHECK(c.serial == "000000000001");
  CHECK(Codes(CheckCard("0000000000011").findings) == Strings{"card.invalid_check_digit"});
  CHECK(Codes(CheckCard("000000000001").findings) == Strings{"card.invalid_length"});
  CHECK(Codes(CheckCard("00000000000I0").findings) == Strings{"card.invalid_characters"});
  CHECK(Codes(CheckCard("").findings) == Strings{"card.required"});
}

TEST_CASE("the family virtual account is the prefix and the card's last 11 digits") {
  const std::string card = *CardFromSerial(194435891);
  const VaResult va = MakeVirtualAccount(card, kDefaultVaPrefix);
  CHECK(va.va == "88888" + card.substr(2));
  CHECK(va.findings.all().empty());
  CHECK(MakeVirtualAccount(card, "89888").va.substr(0, 5) == "89888");
  // Cards issued elsewhere carry no Verhoeff digit: an account, with a warning.
  const VaResult foreign = MakeVirtualAccount("0001944358911", kDefaultVaPrefix);
  CHECK(foreign.va == "8888801944358911");
  CHECK(Codes(foreign.findings, Severity::kWarning) == Strings{"card.invalid_check_digit"});
  CHECK(Codes(MakeVirtualAccount(card, "8x").findings) == Strings{"va.invalid_prefix"});
  CHECK(MakeVirtualAccount("123", kDefaultVaPrefix).va.empty());
}
