#include "daftar/package.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;
using json = nlohmann::ordered_json;

namespace {

struct Keys {
  IntakeKeys intake = (static_cast<void>(InitCrypto()), GenerateIntakeKeys());
};

std::string Bytes(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 2654435761u + seed) >> 7);
  return s;
}

std::string Manifest(const std::vector<std::string>& documents) {
  json app = {{"schema", "daftar.application/1"}, {"documents", json::array()}};
  for (const std::string& d : documents) app["documents"].push_back({{"kind", "ktp"}, {"size", d.size()}, {"blake2b", Blake2bHex(d)}});
  return app.dump();
}

// Seals `documents`, each fed in pieces of `piece` bytes.
std::string Seal(const PublicKey& key, const std::vector<std::string>& documents, std::size_t piece,
                 const std::string& manifest = "") {
  std::string out;
  auto writer = PackageWriter::Start(key, manifest.empty() ? Manifest(documents) : manifest, out);
  REQUIRE(writer);
  for (const std::string& d : documents) {
    if (d.empty()) writer->AddDocument({}, true, out);
    for (std::size_t at = 0; at < d.size(); at += piece) {
      writer->AddDocument(std::string_view(d).substr(at, piece), at + piece >= d.size(), out);
    }
  }
  writer->Finish(out);
  return out;
}

Strings OpenCodes(const std::string& package, const IntakeKeys& keys) {
  return Codes(OpenPackage(package, keys.public_key, keys.secret_key).findings);
}

}  // namespace

TEST_CASE("packages round-trip at every size that matters") {
  Keys k;
  const std::size_t chunk = kPackageChunkBytes;
  const std::vector<std::string> documents = {Bytes(0, 1), Bytes(1, 2), Bytes(chunk, 3), Bytes(chunk + 1, 4),
                                              Bytes(3 * 1024 * 1024 + 17, 5)};
  for (std::size_t piece : {std::size_t{1000}, chunk, std::size_t{5 * 1024 * 1024}}) {
    INFO("pieces of " << piece);
    const std::string package = Seal(k.intake.public_key, documents, piece);
    const OpenedPackage opened = OpenPackage(package, k.intake.public_key, k.intake.secret_key);
    REQUIRE(Codes(opened.findings) == Strings{});
    CHECK(opened.documents == documents);
    CHECK(json::parse(opened.manifest)["documents"].size() == documents.size());
  }
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 10), k.intake) == Strings{});
}

TEST_CASE("hostile manifests: too deep, too many documents") {
  Keys k;
  // Nested deeper than 32 levels: refused before anything copies or prints it.
  const std::string deep = R"({"documents":[],"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 10, deep), k.intake) == Strings{"package.manifest_too_deep"});
  // Brackets inside strings do not count.
  const std::string quoted = R"({"documents":[],"x":")" + std::string(1000, '[') + R"("})";
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 10, quoted), k.intake) == Strings{});
  json many = {{"documents", json::array()}};
  for (int i = 0; i < 65; ++i) many["documents"].push_back({{"size", 0}, {"blake2b", Blake2bHex("")}});
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 10, many.dump()), k.intake) == Strings{"package.too_many_documents"});
}

TEST_CASE("a document split into tiny frames is refused, and the reader stays linear") {
  Keys k;
  // 100 000 one-byte frames: the cap (16 + size / 256) is passed long before the end.
  const std::string tiny = Seal(k.intake.public_key, {Bytes(100000, 9)}, 1);
  CHECK(OpenCodes(tiny, k.intake) == Strings{"package.too_many_frames"});
  // Pieces of 256 bytes are still a well-formed package.
  CHECK(OpenCodes(Seal(k.intake.public_key, {Bytes(100000, 9)}, 256), k.intake) == Strings{});
}

TEST_CASE("the reader verifies as bytes arrive, in any pieces") {
  Keys k;
  const std::vector<std::string> documents = {Bytes(100000, 7), Bytes(10, 8)};
  const std::string package = Seal(k.intake.public_key, documents, 4096);
  std::vector<std::string> got(2);
  std::string manifest;
  PackageReader reader(k.intake.public_key, k.intake.secret_key,
                       {[&](std::string_view m) { manifest = m; },
                        [&](std::size_t i, std::string_view b) { got[i].append(b); }});
  for (std::size_t at = 0; at < package.size(); at += 777) CHECK(reader.Feed(std::string_view(package).substr(at, 777)));
  CHECK(reader.Finish());
  CHECK(got == documents);
  CHECK_FALSE(manifest.empty());
}

TEST_CASE("a flipped bit anywhere is refused") {
  Keys k;
  const std::string package = Seal(k.intake.public_key, {Bytes(5000, 1), Bytes(70000, 2)}, 70000);
  for (std::size_t i = 0; i < package.size(); i += (i < 200 ? 1 : 97)) {
    std::string tampered = package;
    tampered[i] = static_cast<char>(tampered[i] ^ (1 << (i % 8)));
    INFO("byte " << i);
    const Strings codes = OpenCodes(tampered, k.intake);
    REQUIRE(codes.size() == 1);
    CHECK(codes[0].rfind("package.", 0) == 0);
  }
}

TEST_CASE("each region of the format has its own refusal") {
  Keys k;
  const std::string package = Seal(k.intake.public_key, {Bytes(100, 1)}, 100);
  std::string t = package;
  t[0] = 'X';
  CHECK(OpenCodes(t, k.intake) == Strings{"package.not_a_package"});
  t = package;
  t[8] = 2;
  CHECK(OpenCodes(t, k.intake) == Strings{"package.unsupported_version"});
  t = package;
  t[20] ^= 1;  // inside the sealed stream key
  CHECK(OpenCodes(t, k.intake) == Strings{"package.wrong_key"});
  t = package;
  t[100] ^= 1;  // inside the secretstream header: the manifest no longer authenticates
  CHECK(OpenCodes(t, k.intake) == Strings{"package.corrupt_frame"});
  Keys other;
  CHECK(OpenCodes(package, other.intake) == Strings{"package.wrong_key"});
  CHECK(OpenCodes(package + "x", k.intake) == Strings{"package.trailing_data"});
  CHECK(OpenCodes("", k.intake) == Strings{"package.truncated"});
}

TEST_CASE("truncation at any point is refused") {
  Keys k;
  const std::string package = Seal(k.intake.public_key, {Bytes(200000, 1)}, 200000);
  for (std::size_t cut = 0; cut < package.size(); cut += 1013) {
    INFO("cut at " << cut);
    CHECK(OpenCodes(package.substr(0, cut), k.intake) == Strings{"package.truncated"});
  }
}

TEST_CASE("frames in another order are refused") {
  Keys k;
  const std::string package = Seal(k.intake.public_key, {Bytes(3 * kPackageChunkBytes, 1)}, kPackageChunkBytes);
  // Header (113 bytes), manifest frame, then three equal document frames: swap the first two.
  const std::size_t manifest_frame = 4 + (static_cast<unsigned char>(package[113]) | static_cast<unsigned char>(package[114]) << 8);
  const std::size_t first = 113 + manifest_frame, frame = 4 + kPackageChunkBytes + 17;
  std::string swapped = package.substr(0, first) + package.substr(first + frame, frame) +
                        package.substr(first, frame) + package.substr(first + 2 * frame);
  REQUIRE(swapped.size() == package.size());
  CHECK(OpenCodes(swapped, k.intake) == Strings{"package.corrupt_frame"});
  std::string dropped = package.substr(0, first) + package.substr(first + frame);
  CHECK(OpenCodes(dropped, k.intake) == Strings{"package.corrupt_frame"});
}

TEST_CASE("documents must match the manifest's sizes and hashes, and its count") {
  Keys k;
  const std::string a = Bytes(1000, 1), b = Bytes(1000, 2);
  const std::string wrong_hash = Manifest({a}).replace(Manifest({a}).find(Blake2bHex(a)), 64, Blake2bHex(b));
  CHECK(OpenCodes(Seal(k.intake.public_key, {a}, 1000, wrong_hash), k.intake) == Strings{"package.document_hash_mismatch"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {a}, 1000, Manifest({Bytes(999, 1)})), k.intake) ==
        Strings{"package.document_size_mismatch"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {a}, 1000, Manifest({Bytes(1001, 1)})), k.intake) ==
        Strings{"package.document_size_mismatch"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {a, b}, 1000, Manifest({a})), k.intake) == Strings{"package.extra_documents"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {a}, 1000, Manifest({a, b})), k.intake) == Strings{"package.missing_documents"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 1000, Manifest({a})), k.intake) == Strings{"package.missing_documents"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 1000, R"({"documents":[{"size":1}]})"), k.intake) ==
        Strings{"package.invalid_manifest"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 1000, R"({"documents":[{"size":1,"blake2b":"x"}]})"), k.intake) ==
        Strings{"package.invalid_manifest"});
  CHECK(OpenCodes(Seal(k.intake.public_key, {}, 1000, "not json"), k.intake) == Strings{"package.invalid_manifest"});
}

TEST_CASE("the writer's state survives a round trip through bytes") {
  Keys k;
  const std::string d = Bytes(150000, 3);
  std::string out;
  auto writer = PackageWriter::Start(k.intake.public_key, Manifest({d}), out);
  REQUIRE(writer);
  auto resumed = PackageWriter::RestoreState(writer->SaveState());
  REQUIRE(resumed);
  resumed->AddDocument(d, true, out);
  resumed->Finish(out);
  CHECK(OpenCodes(out, k.intake) == Strings{});
  CHECK_FALSE(PackageWriter::RestoreState("short"));
}

TEST_CASE("keys and base64") {
  REQUIRE(InitCrypto());
  const IntakeKeys keys = GenerateIntakeKeys();
  CHECK(IntakePublicFromSecret(keys.secret_key) == keys.public_key);
  CHECK(Base64Encode("hello") == "aGVsbG8=");
  CHECK(Base64Decode("aGVsbG8=") == "hello");
  CHECK_FALSE(Base64Decode("aGVsbG8"));
  CHECK_FALSE(Base64Decode("a$=="));
  CHECK(Blake2bHex("") == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  // RFC 4231, test case 2.
  CHECK(Hex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
