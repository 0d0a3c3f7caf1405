// The catalogue in two parts: the core's (messages.cpp), which every build carries, and the
// service's (messages_service.cpp: notifications, sign-in, operators, uploads, payments), which only
// the server sends, so the browser's modules leave it out (messages_service_absent.cpp).
#pragma once

#include <span>
#include <string_view>

namespace daftar {

struct CatalogueEntry {
  std::string_view code, id, en;  // Bahasa Indonesia, English
};

// Sorted by code.
[[nodiscard]] std::span<const CatalogueEntry> ServiceMessages();

}  // namespace daftar
