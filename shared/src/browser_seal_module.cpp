// The browser's sealing module: packages, document checks and signatures, loaded beside the rules
// module when a family reaches its documents. It repeats none of the rules (the rules module
// answers them) and, like it, leaves out what only the server runs and says.
#include "api_internal.h"
#include "messages_internal.h"
#include "regions_data.h"

namespace daftar {

std::span<const Command> RuleCommands() { return {}; }
std::span<const Command> ServerCommands() { return {}; }
std::span<const CatalogueEntry> RuleMessages() { return {}; }
std::span<const CatalogueEntry> ServiceMessages() { return {}; }

// The village table is given after start (regions.h: GiveVillageTable), not compiled in.
const data::EncodedCodes* data::CompiledVillages() { return nullptr; }

}  // namespace daftar
