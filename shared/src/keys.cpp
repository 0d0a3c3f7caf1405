#include "daftar/keys.h"

#include <sodium.h>

namespace daftar {

bool InitCrypto() { return sodium_init() >= 0; }

IntakeKeys GenerateIntakeKeys() {
  IntakeKeys keys;
  crypto_box_keypair(keys.public_key.data(), keys.secret_key.data());
  return keys;
}

PublicKey IntakePublicFromSecret(const SecretKey& secret) {
  PublicKey pk;
  crypto_scalarmult_base(pk.data(), secret.data());
  return pk;
}

SigningKeys GenerateSigningKeys() {
  SigningKeys keys;
  crypto_sign_keypair(keys.public_key.data(), keys.secret_key.data());
  return keys;
}

std::string Base64Encode(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace daftar
