// The village table compiled in: every build but the browser's, whose rules module is given it
// after it starts (regions.h: GiveVillageTable).
#include "regions_data.h"

namespace daftar::data {

const EncodedCodes* CompiledVillages() { return &villages_current; }

}  // namespace daftar::data
