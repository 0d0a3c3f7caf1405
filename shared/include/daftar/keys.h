// Keys and encodings shared by the package format, the server and the CLI (libsodium).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace daftar {

inline constexpr std::size_t kPublicKeyBytes = 32;         // X25519 and Ed25519 public keys
inline constexpr std::size_t kSecretKeyBytes = 32;         // X25519 secret key
inline constexpr std::size_t kSigningSecretKeyBytes = 64;  // Ed25519 secret key (seed + public)
inline constexpr std::size_t kSignatureBytes = 64;

using PublicKey = std::array<uint8_t, kPublicKeyBytes>;
using SecretKey = std::array<uint8_t, kSecretKeyBytes>;
using SigningSecretKey = std::array<uint8_t, kSigningSecretKeyBytes>;

// sodium_init(), once per process; false if libsodium cannot work here.
[[nodiscard]] bool InitCrypto();

// The server's intake key pair (X25519): applicants seal their packages to its public half.
struct IntakeKeys {
  PublicKey public_key;
  SecretKey secret_key;
};
[[nodiscard]] IntakeKeys GenerateIntakeKeys();
[[nodiscard]] PublicKey IntakePublicFromSecret(const SecretKey& secret);

// The server's signing key pair (Ed25519): digital cards and receipts, verifiable offline.
struct SigningKeys {
  PublicKey public_key;
  SigningSecretKey secret_key;
};
[[nodiscard]] SigningKeys GenerateSigningKeys();

// HMAC-SHA256 of `data` under `key`: 32 raw bytes (bank request signatures, access tokens).
[[nodiscard]] std::string HmacSha256(std::string_view key, std::string_view data);

// A bank call's X-Signature (docs/api.md): hex(HMAC-SHA256(secret, timestamp "." nonce "." body)).
// The timestamp and nonce are signed with the body, so a call cannot be replayed with new ones.
[[nodiscard]] std::string BankCallSignature(std::string_view secret, std::string_view timestamp,
                                            std::string_view nonce, std::string_view body);

// Lower-case hexadecimal.
[[nodiscard]] std::string Hex(std::string_view bytes);

// Standard base64 with padding (RFC 4648 section 4).
[[nodiscard]] std::string Base64Encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> Base64Decode(std::string_view text);

// Copies `bytes` into a key if it has exactly the key's size.
template <std::size_t N>
[[nodiscard]] std::optional<std::array<uint8_t, N>> KeyFromBytes(std::string_view bytes) {
  if (bytes.size() != N) return std::nullopt;
  std::array<uint8_t, N> key;
  for (std::size_t i = 0; i < N; ++i) key[i] = static_cast<uint8_t>(bytes[i]);
  return key;
}

}  // namespace daftar
