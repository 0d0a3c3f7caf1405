// The browser's sealing module carries sealing and document checks only: the rules module, loaded
// first, answers every rule command, so none is compiled in twice.
#include "api_internal.h"

namespace daftar {

std::span<const Command> RuleCommands() { return {}; }

}  // namespace daftar
