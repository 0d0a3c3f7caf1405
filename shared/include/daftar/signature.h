// Signed documents: digital cards and payment receipts that anyone can verify offline with the
// server's public signing key. {"payload":"<JSON text>","signature":"<base64 Ed25519 detached
// signature of the payload's UTF-8 bytes>","key":"<base64 public key>"}.
#pragma once

#include <string>
#include <string_view>

#include "daftar/finding.h"
#include "daftar/keys.h"

namespace daftar {

struct SignedDocument {
  std::string payload;    // JSON text, signed as it is
  std::string signature;  // base64
  std::string key;        // base64 public key
};

[[nodiscard]] SignedDocument Sign(std::string_view payload, const SigningSecretKey& secret,
                                  const PublicKey& public_key);

// Checks that the document was signed with `trusted_key` (base64) and that the signature holds.
// Without a trusted key it fails closed (signature.no_trusted_key): a signature by an unknown key
// proves nothing. Findings at "", codes signature.*.
[[nodiscard]] Findings VerifySigned(const SignedDocument& document, std::string_view trusted_key);

}  // namespace daftar
