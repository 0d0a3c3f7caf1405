// Opening packages: a valid package, sealed once with fixed keys, is damaged as the input says
// (bytes flipped at offsets, then cut), and the reader must refuse or accept without misbehaving.
#include <cstddef>
#include <cstdint>
#include <string>

#include "daftar/package.h"

namespace {

struct Fixture {
  daftar::IntakeKeys keys;
  std::string package;
  Fixture() {
    (void)daftar::InitCrypto();
    keys.secret_key.fill(7);
    keys.public_key = daftar::IntakePublicFromSecret(keys.secret_key);
    const std::string doc(70000, 'd');
    const std::string manifest = R"({"documents":[{"size":70000,"blake2b":")" + daftar::Blake2bHex(doc) +
                                 R"("},{"size":0,"blake2b":")" + daftar::Blake2bHex("") + R"("}]})";
    auto writer = daftar::PackageWriter::Start(keys.public_key, manifest, package);
    writer->AddDocument(doc, true, package);
    writer->AddDocument({}, true, package);
    writer->Finish(package);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  std::string package = fixture.package;
  // Input: pairs of (offset: 3 bytes, xor: 1 byte); a trailing odd byte cuts the package.
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    const std::size_t at = (data[i] | data[i + 1] << 8 | data[i + 2] << 16) % package.size();
    package[at] = static_cast<char>(package[at] ^ data[i + 3]);
  }
  if (i < size) package.resize(package.size() * data[i] / 256);
  (void)daftar::OpenPackage(package, fixture.keys.public_key, fixture.keys.secret_key);
  // And the raw input as a package of its own.
  (void)daftar::OpenPackage(std::string_view(reinterpret_cast<const char*>(data), size), fixture.keys.public_key,
                            fixture.keys.secret_key);
  return 0;
}
