// Indonesian region codes, compiled in from npm idn-area-data (current) and nik-parser (older
// codes still printed in NIKs). Codes are digits without dots: "32", "3204", "320411",
// "3204112001". NIK checks accept current and older codes; addresses take current codes only.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace daftar::regions {

enum class Era { kCurrent, kAny };

[[nodiscard]] bool IsKnownProvince(std::string_view code2, Era era = Era::kAny);
[[nodiscard]] bool IsKnownRegency(std::string_view code4, Era era = Era::kAny);
[[nodiscard]] bool IsKnownDistrict(std::string_view code6, Era era = Era::kAny);
[[nodiscard]] bool IsCurrentVillage(std::string_view code10);

// The village table (83 762 codes, the largest part of the region data) is compiled into every
// build but the browser's rules module, which the page gives it after the module starts (the web
// build's daftar-villages.bin), so that the first page's checks need not wait for it. Until then
// HasVillageTable() is false and a village code is checked as far as its district.
[[nodiscard]] bool HasVillageTable();
// Takes the table's bytes (tools/gen_regions.mjs) if there is none yet; the number of villages
// known afterwards, or nullopt (and nothing taken) if the bytes are not such a table.
std::optional<std::size_t> GiveVillageTable(std::span<const unsigned char> encoded);

}  // namespace daftar::regions
