// The one catalogue of messages, keyed by finding code: Bahasa Indonesia first, English too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daftar/finding.h"

namespace daftar {

struct Message {
  std::string id;  // Bahasa Indonesia
  std::string en;
};

// The finding's message with its params filled in ("{length}" -> "15").
[[nodiscard]] Message RenderMessage(const Finding& finding);
[[nodiscard]] bool IsCatalogued(std::string_view code);
[[nodiscard]] std::vector<std::string_view> CataloguedCodes();

}  // namespace daftar
