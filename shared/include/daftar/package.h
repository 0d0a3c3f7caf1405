// Sealed application packages (docs/package-format.md): an application and its documents, sealed
// on the device to the server's X25519 intake key so that nobody carrying it (an agent, a proxy,
// a shared phone, storage) can read it, and any truncation, reordering or flipped bit is found.
// Both directions stream: the writer takes documents piece by piece and the reader verifies
// frame by frame. Randomness (the stream key, the sealing key pair) comes from libsodium.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daftar/finding.h"
#include "daftar/keys.h"

namespace daftar {

inline constexpr std::string_view kPackageMagic = "DAFTARPK";
inline constexpr uint8_t kPackageVersion = 1;
inline constexpr std::size_t kPackageChunkBytes = 64 * 1024;   // largest document chunk
inline constexpr std::size_t kManifestMaxBytes = 1024 * 1024;  // largest manifest
inline constexpr std::size_t kPackageMaxDocuments = 64;         // documents one package may declare
// Frames one document may be split into: 16, plus one for every 256 bytes it declares. Writers
// send pieces of up to 64 KiB (the browser 64 KiB, the CLI whole chunks); a stream of tiny frames,
// which costs the reader far more than its bytes, is refused as soon as it passes the cap.
inline constexpr std::size_t kPackageFramesBase = 16;
inline constexpr std::size_t kPackageBytesPerFrame = 256;
[[nodiscard]] constexpr uint64_t PackageMaxFrames(uint64_t document_size) {
  return kPackageFramesBase + document_size / kPackageBytesPerFrame;
}
// Writes a package. Start() writes the header and the manifest; then each document's bytes in
// the manifest's order, in pieces of any size, the last piece with `last` set (an empty document
// is one empty last piece); then Finish(). Output is appended to `out`.
class PackageWriter {
 public:
  // `manifest` is the application (JSON text) whose "documents" list declares what follows.
  [[nodiscard]] static std::optional<PackageWriter> Start(const PublicKey& intake_key,
                                                          std::string_view manifest,
                                                          std::string& out);
  void AddDocument(std::string_view bytes, bool last, std::string& out);
  void Finish(std::string& out);

  // The writer's whole state as bytes (it holds the stream key: keep it where the documents are),
  // so a JSON-only caller such as the browser binding can carry it between calls.
  [[nodiscard]] std::string SaveState() const;
  [[nodiscard]] static std::optional<PackageWriter> RestoreState(std::string_view state);

  ~PackageWriter();
  PackageWriter(const PackageWriter&) = default;
  PackageWriter& operator=(const PackageWriter&) = default;

 private:
  PackageWriter() = default;
  void Push(std::string_view plain, unsigned char tag, std::string_view ad, std::string& out);
  std::array<unsigned char, 52> state_{};  // crypto_secretstream_xchacha20poly1305_state
};

// Reads a package incrementally. The manifest and each document's bytes reach the sink as soon
// as their frames verify; sizes and BLAKE2b-256 hashes are checked against the manifest as the
// documents end. After an error (findings say which) the reader refuses everything after it.
class PackageReader {
 public:
  struct Sink {
    std::function<void(std::string_view manifest)> manifest;
    std::function<void(std::size_t document, std::string_view bytes)> document_bytes;
  };

  PackageReader(const PublicKey& intake_public, const SecretKey& intake_secret, Sink sink);
  ~PackageReader();

  bool Feed(std::string_view bytes);  // false once an error was found
  bool Finish();                      // no more bytes: true if the package was whole and valid

  [[nodiscard]] const Findings& findings() const { return findings_; }

 private:
  struct State;
  bool Fail(std::string code, std::vector<Param> params = {});
  bool Step();
  std::unique_ptr<State> s_;
  Sink sink_;
  Findings findings_;
};

struct OpenedPackage {
  std::string manifest;                // the application, JSON text
  std::vector<std::string> documents;  // in the manifest's order
  Findings findings;                   // package.* codes; empty when the package is valid
};
// A whole package in memory (the server's case): everything verified before anything is returned.
[[nodiscard]] OpenedPackage OpenPackage(std::string_view package, const PublicKey& intake_public,
                                        const SecretKey& intake_secret);

// BLAKE2b-256 of `bytes` as 64 lowercase hex digits (the manifest's "blake2b").
[[nodiscard]] std::string Blake2bHex(std::string_view bytes);

}  // namespace daftar
