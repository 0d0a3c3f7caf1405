// The catalogue in parts, so that each browser module carries the messages it can send and no
// others: the common part (messages.cpp), which every build carries; the rules' (messages_rules.cpp)
// and sealing's (messages_sealing.cpp), each in the native builds and in its browser module; and
// the service's (messages_service.cpp: notifications, sign-in, operators, uploads, payments),
// which only the server sends. A module's missing parts are empty (browser_*_module.cpp).
#pragma once

#include <span>
#include <string_view>

namespace daftar {

struct CatalogueEntry {
  std::string_view code, id, en;  // Bahasa Indonesia, English
};

// Each sorted by code.
[[nodiscard]] std::span<const CatalogueEntry> RuleMessages();
[[nodiscard]] std::span<const CatalogueEntry> SealingMessages();
[[nodiscard]] std::span<const CatalogueEntry> ServiceMessages();

}  // namespace daftar
