// The dispatcher on arbitrary JSON: validate, quote and the checks answer, never abort.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daftar/api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr const char* kCommands[] = {"validate", "quote", "check-nik", "check-kk", "card-next", "va"};
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  daftar::DispatchOptions options;
  options.default_today = "2026-11-23";
  (void)daftar::Dispatch(kCommands[data[0] % 6], input, options);
  return 0;
}
