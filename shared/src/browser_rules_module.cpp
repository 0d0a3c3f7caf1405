// The browser's first module: the rules, loaded with the first page, so as small as it can be.
// What it leaves out answers api.unknown_command or has no message here: sealing (libsodium, the
// package and document formats: the sealing module beside it has them), a family's statement (the
// server computes it) and what only the server says.
#include "api_internal.h"
#include "messages_internal.h"
#include "regions_data.h"

namespace daftar {

std::span<const Command> SealingCommands() { return {}; }
std::span<const Command> AccountCommands() { return {}; }
std::span<const CatalogueEntry> SealingMessages() { return {}; }
std::span<const CatalogueEntry> ServiceMessages() { return {}; }

// The village table is given after start (regions.h: GiveVillageTable), not compiled in.
const data::EncodedCodes* data::CompiledVillages() { return nullptr; }

}  // namespace daftar
