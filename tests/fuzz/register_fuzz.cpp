// Registering hostile packages: the fuzzer's bytes become the manifest (up to the first NUL) and
// a document (the rest), sealed to a fixed key as a device would, and Registry::Register runs on
// a temporary database. Where the manifest parses, each declared document gets the size and hash
// of the document bytes, so the input reaches everything after the package reader: the manifest's
// fields of every type, validation, document checks, storage. Nothing may crash or abort.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "daftar/json_depth.h"
#include "daftar/package.h"
#include "server_fixture.h"

namespace {

using namespace daftar::server;


// The manifest with each declared document's size and hash made to match `document`.
std::string Declare(const std::string& manifest, const std::string& document) {
  if (daftar::NestedDeeperThan(manifest)) return manifest;
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(manifest, nullptr, false);
  if (!doc.is_object() || !doc.contains("documents") || !doc["documents"].is_array()) return manifest;
  for (auto& d : doc["documents"]) {
    if (!d.is_object()) continue;
    d["size"] = document.size();
    d["blake2b"] = daftar::Blake2bHex(document);
  }
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ServerFixture fixture([](Config&) {});
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string document = split == std::string::npos ? std::string() : input.substr(split + 1);
  const std::string manifest = Declare(input.substr(0, split), document);
  std::string package;
  auto writer = daftar::PackageWriter::Start(fixture.keys.intake.public_key, manifest, package);
  if (!writer) return 0;  // larger than any manifest may be
  // As many documents as the manifest declares (capped: the reader refuses more anyway).
  const nlohmann::ordered_json parsed =
      daftar::NestedDeeperThan(manifest) ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(manifest, nullptr, false);
  const std::size_t count = parsed.is_object() && parsed.contains("documents") && parsed["documents"].is_array()
                                ? std::min<std::size_t>(parsed["documents"].size(), daftar::kPackageMaxDocuments + 1)
                                : 0;
  for (std::size_t i = 0; i < count; ++i) writer->AddDocument(document, true, package);
  writer->Finish(package);
  (void)fixture.registry->Register(package, "");
  (void)fixture.registry->Register(package, "fuzz-key");  // the idempotency path: first, then a replay
  return 0;
}
