// Writing JSON text: the dispatcher's answers and the application sealed into a package. The one
// writer of the core, as ParseJson is its one reader.
#pragma once

#include <string>

#include "json_read.h"

namespace daftar {

// `value` as JSON text, compact when `indent` < 0, else one member a line indented `indent`
// spaces a level: byte for byte what nlohmann's dump(indent, ' ', false, error_handler_t::replace)
// writes (a unit test compares them). Its serializer zeroes 576 bytes of buffers, asks for the
// locale and decodes every byte of every string through a state machine on each call: about a
// fifth of a NIK check's time natively, and code each browser module would carry. Here runs of
// plain ASCII are copied as they are.
// Strings keep their UTF-8 (only control characters, '"' and '\' are escaped); bytes that are not
// UTF-8 become U+FFFD, as the Unicode standard recommends (one for each maximal invalid part).
[[nodiscard]] std::string WriteJson(const json& value, int indent = -1);

}  // namespace daftar
