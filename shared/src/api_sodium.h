// What the commands that need libsodium share (api_sealing.cpp in the sealing module,
// api_server.cpp natively). Private to the core.
#pragma once

#include "api_internal.h"
#include "daftar/keys.h"

namespace daftar {

// libsodium must be initialised before use; sodium_init() is cheap once done, so every command
// that needs it makes sure, whoever the caller (the CLI, the server, the browser binding).
template <json (*Run)(Context&)>
json WithSodium(Context& c) {
  if (!InitCrypto()) {
    c.findings.Error("", "package.crypto_unavailable");
    return Verdict(c.findings);
  }
  return Run(c);
}

}  // namespace daftar
