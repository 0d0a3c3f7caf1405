// How deep untrusted JSON may nest. nlohmann_json parses iteratively, but copying, comparing and
// printing a value recurse once per level: a 1 MiB manifest of '[' would exhaust the stack. So
// every JSON text from outside (requests, manifests, config) is measured first, without parsing.
#pragma once

#include <string_view>

namespace daftar {

inline constexpr int kMaxJsonDepth = 32;

// True when arrays and objects in `json_text` nest deeper than `max_depth` (strings are skipped,
// so brackets inside them do not count). Linear, no allocation; malformed text is left to the parser.
[[nodiscard]] bool NestedDeeperThan(std::string_view json_text, int max_depth = kMaxJsonDepth);

}  // namespace daftar
