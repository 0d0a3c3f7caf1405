// Every field rule on arbitrary text: no crash, no undefined behaviour, no endless loop.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daftar/address.h"
#include "daftar/card.h"
#include "daftar/contact.h"
#include "daftar/kk.h"
#include "daftar/nik.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const daftar::Date today{2026, 11, 23};
  switch (data[0] % 10) {
    case 0: (void)daftar::CheckNik(text, today); break;
    case 1: (void)daftar::CheckKk(text, today); break;
    case 2: (void)daftar::CheckCard(text); break;
    case 3: (void)daftar::CheckMobilePhone(text); break;
    case 4: (void)daftar::CheckEmail(text); break;
    case 5: (void)daftar::CheckName(text); break;
    case 6: (void)daftar::CheckNpwp(text); break;
    case 7: (void)daftar::CheckVillageCode(text); break;
    case 8: (void)daftar::MakeVirtualAccount(text, "88888"); break;
    default: (void)daftar::CheckPastDate(text, today); break;
  }
  return 0;
}
