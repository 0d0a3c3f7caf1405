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

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  return {reinterpret_cast<const char*>(mac), sizeof mac};
}

std::string BankCallSignature(std::string_view secret, std::string_view timestamp, std::string_view nonce,
                              std::string_view body) {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + nonce.size() + body.size() + 2);
  signed_text.append(timestamp).append(".").append(nonce).append(".").append(body);
  return Hex(HmacSha256(secret, signed_text));
}

std::string Hex(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();  // the terminating NUL
  return hex;
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
