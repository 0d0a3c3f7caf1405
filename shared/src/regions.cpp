#include "daftar/regions.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "regions_data.h"
#include "text.h"

namespace daftar::regions {
namespace {

std::vector<uint64_t> Decode(const data::EncodedCodes& encoded) {
  std::vector<uint64_t> codes;
  codes.reserve(encoded.count);
  uint64_t previous = 0;
  for (std::size_t i = 0; i < encoded.size;) {
    uint64_t delta = 0;
    for (int shift = 0;; shift += 7) {
      const unsigned char byte = encoded.bytes[i++];
      delta |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80u)) break;
    }
    previous += delta;
    codes.push_back(previous);
  }
  return codes;
}

// Decoded once, on first use, and immutable afterwards.
struct Level {
  std::vector<uint64_t> current, historic;
  Level(const data::EncodedCodes& now, const data::EncodedCodes& before)
      : current(Decode(now)), historic(Decode(before)) {}
  bool Has(uint64_t code, Era era) const {
    return std::binary_search(current.begin(), current.end(), code) ||
           (era == Era::kAny && std::binary_search(historic.begin(), historic.end(), code));
  }
};

bool Lookup(std::string_view code, std::size_t digits, const Level& level, Era era) {
  if (code.size() != digits || !text::AllDigits(code)) return false;
  uint64_t value = 0;
  for (char c : code) value = value * 10 + static_cast<uint64_t>(c - '0');
  return level.Has(value, era);
}

}  // namespace

bool IsKnownProvince(std::string_view code, Era era) {
  static const Level level(data::provinces_current, data::provinces_historic);
  return Lookup(code, 2, level, era);
}

bool IsKnownRegency(std::string_view code, Era era) {
  static const Level level(data::regencies_current, data::regencies_historic);
  return Lookup(code, 4, level, era);
}

bool IsKnownDistrict(std::string_view code, Era era) {
  static const Level level(data::districts_current, data::districts_historic);
  return Lookup(code, 6, level, era);
}

bool IsCurrentVillage(std::string_view code) {
  static const data::EncodedCodes kNone{nullptr, 0, 0};
  static const Level level(data::villages_current, kNone);
  return Lookup(code, 10, level, Era::kCurrent);
}

}  // namespace daftar::regions
