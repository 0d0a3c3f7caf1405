// The browser's modules carry the core's messages only: the service's are the server's to send
// (messages_internal.h).
#include "messages_internal.h"

namespace daftar {

std::span<const CatalogueEntry> ServiceMessages() { return {}; }

}  // namespace daftar
