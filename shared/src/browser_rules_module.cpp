// The browser's first module: the rules, loaded with the first page, so as small as it can be.
// What it leaves out answers api.unknown_command or has no message here: sealing (libsodium, the
// package and document formats: the sealing module beside it has them), what only the server runs (a
// family's statement, card numbers, virtual accounts, opening packages) and what only it says.
#include "api_internal.h"
#include "messages_internal.h"
#include "regions_data.h"

namespace daftar {

std::span<const Command> SealingCommands() { return {}; }
std::span<const Command> ServerCommands() { return {}; }
std::span<const CatalogueEntry> SealingMessages() { return {}; }
std::span<const CatalogueEntry> ServiceMessages() { return {}; }

// The village table is given after start (regions.h: GiveVillageTable), not compiled in.
const data::EncodedCodes* data::CompiledVillages() { return nullptr; }

}  // namespace daftar
