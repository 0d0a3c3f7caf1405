// The layout of the generated region table (see tools/gen_regions.mjs).
#pragma once

#include <cstddef>

namespace daftar::data {

// A sorted list of codes as LEB128-encoded deltas from the previous code (the first from 0).
struct EncodedCodes {
  const unsigned char* bytes;
  std::size_t size;
};

extern const EncodedCodes provinces_current, provinces_historic;
extern const EncodedCodes regencies_current, regencies_historic;
extern const EncodedCodes districts_current, districts_historic;
extern const EncodedCodes villages_current;

// The village table when it is compiled in (regions_villages.cpp), else nullptr: the browser's
// modules leave it out (browser_rules_module.cpp, browser_seal_module.cpp).
const EncodedCodes* CompiledVillages();

}  // namespace daftar::data
