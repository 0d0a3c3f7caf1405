// Neither browser module carries a family's statement: the server computes it, the member page
// shows it. `account` answers api.unknown_command there.
#include "api_internal.h"

namespace daftar {

std::span<const Command> AccountCommands() { return {}; }

}  // namespace daftar
