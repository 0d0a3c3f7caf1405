#include "daftar/contact.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

TEST_CASE("names are written as on the KTP") {
  CHECK(CheckName("  siti   aminah ").normalized == "SITI AMINAH");
  CHECK(CheckName("Nur'aini").normalized == "NUR'AINI");
  CHECK(CheckName("Nur\xE2\x80\x99" "aini").normalized == "NUR'AINI");  // typographic apostrophe
  CHECK(CheckName("H. Abdul Rahman, S.Pd.").ok());
  CHECK(CheckName("Jean-Pierre").normalized == "JEAN-PIERRE");
  CHECK(CheckName("Ren\xC3\xA9 \xC3\xBF\xC5\x82").normalized == "REN\xC3\x89 \xC5\xB8\xC5\x81");  // René ÿł
  CHECK(Codes(CheckName("\xC4\xB1").findings) == Strings{"name.too_short"});  // a letter, alone
}

TEST_CASE("names with digits, symbols or too few letters are refused") {
  CHECK(Codes(CheckName("Budi 2").findings) == Strings{"name.contains_digits"});
  CHECK(Codes(CheckName("Budi@Santoso").findings) == Strings{"name.invalid_characters"});
  CHECK(Codes(CheckName("   ").findings) == Strings{"name.required"});
  CHECK(Codes(CheckName("B").findings) == Strings{"name.too_short"});
  CHECK(Codes(CheckName("..").findings) == Strings{"name.no_letters"});
  CHECK(Codes(CheckName(std::string(101, 'a')).findings) == Strings{"name.too_long"});
  CHECK(CheckName(std::string(100, 'a')).ok());
  CHECK(Codes(CheckName("Bad\xFFUtf").findings) == Strings{"name.invalid_characters"});
  CHECK(Codes(CheckName("\xE5\xB1\xB1\xE7\x94\xB0").findings) == Strings{"name.invalid_characters"});
}

TEST_CASE("mobile numbers in every usual form become E.164") {
  for (const char* n : {"081234567890", "0812-3456-7890", "62 812 3456 7890", "+62 812-3456-7890",
                        "+62 0812 3456 7890", "(0812) 3456 7890", "812.3456.7890"}) {
    INFO(n);
    CHECK(CheckMobilePhone(n).normalized == "+6281234567890");
  }
  CHECK(CheckMobilePhone("0895-1234-5678").ok());  // merged operators: no prefix list
  CHECK(CheckMobilePhone("0812123456").ok());       // 9-digit national number
  CHECK(Codes(CheckMobilePhone("081212345").findings) == Strings{"phone.invalid_length"});
  CHECK(CheckMobilePhone("0812123456789").ok());    // 12-digit national number
}

TEST_CASE("numbers that cannot receive SMS are refused") {
  CHECK(Codes(CheckMobilePhone("022-7654321").findings) == Strings{"phone.not_mobile"});
  CHECK(Codes(CheckMobilePhone("0800-1-234567").findings) == Strings{"phone.not_mobile"});
  CHECK(Codes(CheckMobilePhone("+62 84 1234 5678").findings) == Strings{"phone.not_mobile"});
  CHECK(Codes(CheckMobilePhone("+60 12 345 6789").findings) == Strings{"phone.not_indonesian"});
  CHECK(Codes(CheckMobilePhone("0812345").findings) == Strings{"phone.invalid_length"});
  CHECK(Codes(CheckMobilePhone("08123456789012").findings) == Strings{"phone.invalid_length"});
  CHECK(Codes(CheckMobilePhone("0812-34S6-7890").findings) == Strings{"phone.invalid_characters"});
  CHECK(Codes(CheckMobilePhone("").findings) == Strings{"phone.required"});
}

TEST_CASE("e-mail addresses: a practical subset of RFC 5321") {
  CHECK(CheckEmail(" Siti.Aminah+jkn@Example.CO.ID ").normalized == "Siti.Aminah+jkn@example.co.id");
  CHECK(CheckEmail("a@b.id").ok());
  CHECK(Codes(CheckEmail("siti.example.com").findings) == Strings{"email.invalid_format"});
  CHECK(Codes(CheckEmail("siti@@example.com").findings) == Strings{"email.invalid_format"});
  CHECK(Codes(CheckEmail(".siti@example.com").findings) == Strings{"email.invalid_local_part"});
  CHECK(Codes(CheckEmail("si..ti@example.com").findings) == Strings{"email.invalid_local_part"});
  CHECK(Codes(CheckEmail("siti aminah@example.com").findings) == Strings{"email.invalid_local_part"});
  CHECK(Codes(CheckEmail("siti@gmail").findings) == Strings{"email.invalid_domain"});
  CHECK(Codes(CheckEmail("siti@gmail.c0m").findings) == Strings{"email.invalid_domain"});
  CHECK(Codes(CheckEmail("siti@-gmail.com").findings) == Strings{"email.invalid_domain"});
  CHECK(Codes(CheckEmail("siti@gmail..com").findings) == Strings{"email.invalid_domain"});
  CHECK(Codes(CheckEmail(std::string(64, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(62, 'd')).findings) == Strings{"email.too_long"});
  CHECK(Codes(CheckEmail(std::string(65, 'a') + "@example.com").findings) == Strings{"email.invalid_local_part"});
}

TEST_CASE("NPWP has 15 or 16 digits") {
  CHECK(CheckNpwp("09.254.294.3-407.000").normalized == "092542943407000");
  CHECK(CheckNpwp("3204110609970001").ok());
  CHECK(Codes(CheckNpwp("09.254.294.3-407").findings) == Strings{"npwp.invalid_length"});
  CHECK(Codes(CheckNpwp("09.254.294.3/407.000").findings) == Strings{"npwp.invalid_characters"});
}
