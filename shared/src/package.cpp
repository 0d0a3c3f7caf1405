#include "daftar/package.h"

#include <sodium.h>

#include "daftar/json_depth.h"
#include "json_read.h"

namespace daftar {
namespace {

using StreamState = crypto_secretstream_xchacha20poly1305_state;
static_assert(sizeof(StreamState) == 52, "PackageWriter::state_ holds the stream state");

constexpr std::size_t kSealedKeyBytes = crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES;
constexpr std::size_t kHeaderBytes = 8 + 1 + kSealedKeyBytes + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kFrameOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::string_view kWriterStateMagic = "DAFTARWS";

constexpr unsigned char kTagMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr unsigned char kTagPush = crypto_secretstream_xchacha20poly1305_TAG_PUSH;
constexpr unsigned char kTagFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

// --- Writer -------------------------------------------------------------------------------------

std::optional<PackageWriter> PackageWriter::Start(const PublicKey& intake_key, std::string_view manifest,
                                                  std::string& out) {
  if (manifest.size() > kManifestMaxBytes) return std::nullopt;
  PackageWriter writer;
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);

  std::string header(kPackageMagic);
  header.push_back(static_cast<char>(kPackageVersion));
  unsigned char sealed[kSealedKeyBytes];
  const bool sealed_ok = crypto_box_seal(sealed, key, sizeof key, intake_key.data()) == 0;
  unsigned char stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  auto* state = reinterpret_cast<StreamState*>(writer.state_.data());
  crypto_secretstream_xchacha20poly1305_init_push(state, stream_header, key);
  sodium_memzero(key, sizeof key);
  if (!sealed_ok) return std::nullopt;  // not a usable X25519 public key
  header.append(reinterpret_cast<const char*>(sealed), sizeof sealed);
  header.append(reinterpret_cast<const char*>(stream_header), sizeof stream_header);
  out += header;
  // The header is the manifest frame's additional data: no byte of it can change unnoticed.
  writer.Push(manifest, kTagPush, header, out);
  return writer;
}

void PackageWriter::Push(std::string_view plain, unsigned char tag, std::string_view ad, std::string& out) {
  const std::size_t frame = plain.size() + kFrameOverhead;
  PutU32(out, static_cast<uint32_t>(frame));
  const std::size_t at = out.size();
  out.resize(at + frame);
  crypto_secretstream_xchacha20poly1305_push(reinterpret_cast<StreamState*>(state_.data()),
                                             reinterpret_cast<unsigned char*>(&out[at]), nullptr,
                                             Bytes(plain), plain.size(), Bytes(ad), ad.size(), tag);
}

void PackageWriter::AddDocument(std::string_view bytes, bool last, std::string& out) {
  if (bytes.empty() && last) Push({}, kTagPush, {}, out);
  while (!bytes.empty()) {
    const std::string_view chunk = bytes.substr(0, kPackageChunkBytes);
    bytes.remove_prefix(chunk.size());
    Push(chunk, last && bytes.empty() ? kTagPush : kTagMessage, {}, out);
  }
}

void PackageWriter::Finish(std::string& out) { Push({}, kTagFinal, {}, out); }

std::string PackageWriter::SaveState() const {
  std::string state(kWriterStateMagic);
  state.append(reinterpret_cast<const char*>(state_.data()), state_.size());
  return state;
}

std::optional<PackageWriter> PackageWriter::RestoreState(std::string_view state) {
  if (state.size() != kWriterStateMagic.size() + 52 || state.substr(0, kWriterStateMagic.size()) != kWriterStateMagic) {
    return std::nullopt;
  }
  PackageWriter writer;
  std::copy(state.begin() + kWriterStateMagic.size(), state.end(), writer.state_.begin());
  return writer;
}

PackageWriter::~PackageWriter() { sodium_memzero(state_.data(), state_.size()); }

// --- Reader -------------------------------------------------------------------------------------

struct PackageReader::State {
  PublicKey public_key;
  SecretKey secret_key;
  enum class Phase { kHeader, kManifest, kDocuments, kDone, kFailed } phase = Phase::kHeader;
  std::string buffer;       // bytes fed; those before `consumed` are done with
  std::size_t consumed = 0;  // advanced per frame, erased once per Feed: linear in the package
  std::string header;  // the manifest frame's additional data
  StreamState stream{};
  struct Expected {
    uint64_t size;
    std::string blake2b;
  };
  std::vector<Expected> expected;
  std::size_t document = 0;
  std::size_t document_frames = 0;
  uint64_t document_size = 0;
  crypto_generichash_state hash{};

  ~State() {
    sodium_memzero(secret_key.data(), secret_key.size());
    sodium_memzero(&stream, sizeof stream);
  }
};

PackageReader::PackageReader(const PublicKey& intake_public, const SecretKey& intake_secret, Sink sink)
    : s_(std::make_unique<State>()), sink_(std::move(sink)) {
  s_->public_key = intake_public;
  s_->secret_key = intake_secret;
}

PackageReader::~PackageReader() = default;

bool PackageReader::Fail(std::string code, std::vector<Param> params) {
  s_->phase = State::Phase::kFailed;
  s_->buffer.clear();
  s_->consumed = 0;
  findings_.Error("", std::move(code), std::move(params));
  return false;
}

bool PackageReader::Feed(std::string_view bytes) {
  if (s_->phase == State::Phase::kFailed) return false;
  s_->buffer.append(bytes);
  while (Step()) {
  }
  s_->buffer.erase(0, s_->consumed);
  s_->consumed = 0;
  return s_->phase != State::Phase::kFailed;
}

// Consumes one header or frame from the buffer; false when more bytes are needed or on error.
bool PackageReader::Step() {
  State& s = *s_;
  using Phase = State::Phase;
  if (s.phase == Phase::kFailed) return false;
  const std::string_view rest = std::string_view(s.buffer).substr(s.consumed);
  if (s.phase == Phase::kDone) return rest.empty() ? false : Fail("package.trailing_data");

  if (s.phase == Phase::kHeader) {
    const std::size_t magic = std::min(rest.size(), kPackageMagic.size());
    if (rest.substr(0, magic) != kPackageMagic.substr(0, magic)) return Fail("package.not_a_package");
    if (rest.size() > 8 && static_cast<uint8_t>(rest[8]) != kPackageVersion) {
      return Fail("package.unsupported_version", {{"version", int64_t{static_cast<uint8_t>(rest[8])}}});
    }
    if (rest.size() < kHeaderBytes) return false;
    s.header = rest.substr(0, kHeaderBytes);
    s.consumed += kHeaderBytes;
    unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
    if (crypto_box_seal_open(key, Bytes(s.header) + 9, kSealedKeyBytes, s.public_key.data(), s.secret_key.data()) != 0) {
      return Fail("package.wrong_key");
    }
    const int init = crypto_secretstream_xchacha20poly1305_init_pull(&s.stream, Bytes(s.header) + 9 + kSealedKeyBytes, key);
    sodium_memzero(key, sizeof key);
    if (init != 0) return Fail("package.corrupt_header");
    s.phase = Phase::kManifest;
    return true;
  }

  // A frame: 4-byte little-endian length, then the ciphertext.
  if (rest.size() < 4) return false;
  const uint32_t length = GetU32(rest);
  const std::size_t max_plain = s.phase == Phase::kManifest ? kManifestMaxBytes : kPackageChunkBytes;
  if (length < kFrameOverhead || length > max_plain + kFrameOverhead) return Fail("package.corrupt_frame");
  if (rest.size() < 4 + std::size_t{length}) return false;
  std::string plain(length - kFrameOverhead, '\0');
  unsigned char tag = 0;
  const bool manifest = s.phase == Phase::kManifest;
  if (crypto_secretstream_xchacha20poly1305_pull(&s.stream, reinterpret_cast<unsigned char*>(plain.data()), nullptr, &tag,
                                                 Bytes(rest) + 4, length, manifest ? Bytes(s.header) : nullptr,
                                                 manifest ? s.header.size() : 0) != 0) {
    return Fail("package.corrupt_frame");
  }
  s.consumed += 4 + std::size_t{length};

  if (manifest) {
    if (tag != kTagPush) return Fail("package.invalid_manifest");
    // Measured before parsing: whoever reads the manifest next may copy or print it recursively.
    if (NestedDeeperThan(plain)) return Fail("package.manifest_too_deep", {{"max", int64_t{kMaxJsonDepth}}});
    const json doc = ParseJson(plain);
    const json* documents = Member(doc, "documents");
    if (documents == nullptr || !documents->is_array()) return Fail("package.invalid_manifest");
    if (documents->size() > kPackageMaxDocuments) {
      return Fail("package.too_many_documents", {{"max", static_cast<int64_t>(kPackageMaxDocuments)}});
    }
    for (const json& d : *documents) {
      const json* size = Member(d, "size");
      const json* hash = Member(d, "blake2b");
      if (size == nullptr || !size->is_number_unsigned() || hash == nullptr || !hash->is_string() ||
          !IsHex64(hash->get_ref<const std::string&>())) {
        return Fail("package.invalid_manifest");
      }
      s.expected.push_back({size->get<uint64_t>(), hash->get<std::string>()});
    }
    if (sink_.manifest) sink_.manifest(plain);
    s.phase = Phase::kDocuments;
    crypto_generichash_init(&s.hash, nullptr, 0, 32);
    return true;
  }

  if (s.document == s.expected.size()) {
    if (tag != kTagFinal || !plain.empty()) return Fail("package.extra_documents", {{"declared", static_cast<int64_t>(s.expected.size())}});
    s.phase = Phase::kDone;
    return true;
  }
  const auto where = std::vector<Param>{{"document", static_cast<int64_t>(s.document)}, {"number", static_cast<int64_t>(s.document + 1)}};
  if (tag == kTagFinal) return Fail("package.missing_documents", {{"declared", static_cast<int64_t>(s.expected.size())}, {"found", static_cast<int64_t>(s.document)}});
  if (tag != kTagMessage && tag != kTagPush) return Fail("package.corrupt_frame");
  const uint64_t max_frames = PackageMaxFrames(s.expected[s.document].size);
  if (++s.document_frames > max_frames) {
    return Fail("package.too_many_frames", {where[0], where[1], {"max", static_cast<int64_t>(max_frames)}});
  }
  s.document_size += plain.size();
  if (s.document_size > s.expected[s.document].size) return Fail("package.document_size_mismatch", where);
  crypto_generichash_update(&s.hash, Bytes(plain), plain.size());
  if (sink_.document_bytes) sink_.document_bytes(s.document, plain);
  if (tag == kTagPush) {
    unsigned char digest[32];
    crypto_generichash_final(&s.hash, digest, sizeof digest);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (s.document_size != s.expected[s.document].size) return Fail("package.document_size_mismatch", where);
    if (hex != s.expected[s.document].blake2b) return Fail("package.document_hash_mismatch", where);
    ++s.document;
    s.document_frames = 0;
    s.document_size = 0;
    crypto_generichash_init(&s.hash, nullptr, 0, 32);
  }
  return true;
}

bool PackageReader::Finish() {
  if (s_->phase == State::Phase::kFailed) return false;
  if (s_->phase != State::Phase::kDone) return Fail("package.truncated");
  return true;
}

OpenedPackage OpenPackage(std::string_view package, const PublicKey& intake_public, const SecretKey& intake_secret) {
  OpenedPackage out;
  PackageReader reader(intake_public, intake_secret,
                       {[&](std::string_view manifest) { out.manifest = manifest; },
                        [&](std::size_t document, std::string_view bytes) {
                          if (out.documents.size() <= document) out.documents.resize(document + 1);
                          out.documents[document].append(bytes);
                        }});
  reader.Feed(package);
  reader.Finish();
  out.findings = reader.findings();
  if (out.findings.has_errors()) {
    out.manifest.clear();
    out.documents.clear();
  }
  return out;
}

std::string Blake2bHex(std::string_view bytes) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, Bytes(bytes), bytes.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace daftar
