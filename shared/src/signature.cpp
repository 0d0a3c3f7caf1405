#include "daftar/signature.h"

#include <sodium.h>

namespace daftar {

SignedDocument Sign(std::string_view payload, const SigningSecretKey& secret, const PublicKey& public_key) {
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(payload.data()),
                       payload.size(), secret.data());
  return {std::string(payload), Base64Encode({reinterpret_cast<const char*>(signature), sizeof signature}),
          Base64Encode({reinterpret_cast<const char*>(public_key.data()), public_key.size()})};
}

Findings VerifySigned(const SignedDocument& document, std::string_view trusted_key) {
  Findings f;
  const auto signature = Base64Decode(document.signature);
  const auto key = Base64Decode(document.key);
  if (trusted_key.empty()) {
    f.Error("", "signature.no_trusted_key");  // fail closed: a valid signature by anyone proves nothing
  } else if (!signature || signature->size() != crypto_sign_BYTES || !key || key->size() != crypto_sign_PUBLICKEYBYTES) {
    f.Error("", "signature.malformed");
  } else if (trusted_key != document.key) {
    f.Error("", "signature.untrusted_key");
  } else if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                         reinterpret_cast<const unsigned char*>(document.payload.data()),
                                         document.payload.size(),
                                         reinterpret_cast<const unsigned char*>(key->data())) != 0) {
    f.Error("", "signature.invalid");
  }
  return f;
}

}  // namespace daftar
