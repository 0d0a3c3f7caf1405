#include "daftar/regions.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "regions_data.h"
#include "text.h"

namespace daftar::regions {
namespace {

// The codes of a table (tools/gen_regions.mjs): nullopt unless every code is complete, has
// `digits` digits and is greater than the one before. The compiled tables pass by construction;
// the village table a page gives is read by the same rules.
std::optional<std::vector<uint64_t>> Decode(std::span<const unsigned char> bytes, int digits) {
  uint64_t first = 1;
  for (int d = 1; d < digits; ++d) first *= 10;
  const uint64_t end = first * 10;
  std::vector<uint64_t> codes;
  uint64_t previous = 0;
  for (std::size_t i = 0; i < bytes.size();) {
    uint64_t delta = 0;
    for (int shift = 0;; shift += 7) {
      if (i == bytes.size() || shift > 35) return std::nullopt;
      const unsigned char byte = bytes[i++];
      delta |= uint64_t{byte & 0x7fu} << shift;
      if (!(byte & 0x80u)) break;
    }
    previous += delta;
    if (delta == 0 || previous < first || previous >= end) return std::nullopt;
    codes.push_back(previous);
  }
  if (codes.empty()) return std::nullopt;
  return codes;
}

std::vector<uint64_t> DecodeCompiled(const data::EncodedCodes& encoded, int digits) {
  return Decode({encoded.bytes, encoded.size}, digits).value_or(std::vector<uint64_t>{});
}

// Decoded once, on first use, and immutable afterwards.
struct Level {
  std::vector<uint64_t> current, historic;
  Level(const data::EncodedCodes& now, const data::EncodedCodes& before, int digits)
      : current(DecodeCompiled(now, digits)), historic(DecodeCompiled(before, digits)) {}
  explicit Level(std::vector<uint64_t> now) : current(std::move(now)) {}
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
  static const Level level(data::provinces_current, data::provinces_historic, 2);
  return Lookup(code, 2, level, era);
}

bool IsKnownRegency(std::string_view code, Era era) {
  static const Level level(data::regencies_current, data::regencies_historic, 4);
  return Lookup(code, 4, level, era);
}

bool IsKnownDistrict(std::string_view code, Era era) {
  static const Level level(data::districts_current, data::districts_historic, 6);
  return Lookup(code, 6, level, era);
}

namespace {

// The villages: compiled in, or absent until the browser's rules module is given them. Given at
// most once, before any other use in that (single-threaded) module; never changed natively.
std::optional<Level>& Villages() {
  static std::optional<Level> level = [] {
    static const data::EncodedCodes kNone{nullptr, 0};
    const data::EncodedCodes* compiled = data::CompiledVillages();
    return compiled ? std::optional<Level>(std::in_place, *compiled, kNone, 10) : std::nullopt;
  }();
  return level;
}

}  // namespace

bool HasVillageTable() { return Villages().has_value(); }

std::optional<std::size_t> GiveVillageTable(std::span<const unsigned char> encoded) {
  std::optional<std::vector<uint64_t>> codes = Decode(encoded, 10);
  if (!codes) return std::nullopt;
  if (!Villages()) Villages().emplace(std::move(*codes));
  return Villages()->current.size();
}

bool IsCurrentVillage(std::string_view code) {
  const std::optional<Level>& villages = Villages();
  return villages && Lookup(code, 10, *villages, Era::kCurrent);
}

}  // namespace daftar::regions
