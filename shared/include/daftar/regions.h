// Indonesian region codes, compiled in from npm idn-area-data (current) and nik-parser (older
// codes still printed in NIKs). Codes are digits without dots: "32", "3204", "320411",
// "3204112001". NIK checks accept current and older codes; addresses take current codes only.
#pragma once

#include <string_view>

namespace daftar::regions {

enum class Era { kCurrent, kAny };

[[nodiscard]] bool IsKnownProvince(std::string_view code2, Era era = Era::kAny);
[[nodiscard]] bool IsKnownRegency(std::string_view code4, Era era = Era::kAny);
[[nodiscard]] bool IsKnownDistrict(std::string_view code6, Era era = Era::kAny);
[[nodiscard]] bool IsCurrentVillage(std::string_view code10);

}  // namespace daftar::regions
