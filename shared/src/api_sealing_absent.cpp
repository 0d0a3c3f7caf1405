// The browser's first module carries the rules without libsodium, to load fast; its dispatcher
// has no sealing commands (they answer api.unknown_command): the sealing module has them.
#include "api_internal.h"

namespace daftar {

std::span<const Command> SealingCommands() { return {}; }

}  // namespace daftar
