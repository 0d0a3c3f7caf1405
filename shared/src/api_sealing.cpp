// The dispatcher's commands that need libsodium and the browser asks for: sealing packages piece
// by piece (the state travels with the caller, so the core keeps none), checking documents and
// signed cards; and beside them a photo's quality, the other half of the documents step.
#include "api_sodium.h"
#include "daftar/document_check.h"
#include "daftar/documents.h"
#include "daftar/package.h"
#include "daftar/signature.h"
#include "json_write.h"

namespace daftar {
namespace {

// The writer state carried by the caller as base64 in "state".
std::optional<PackageWriter> RestoreWriter(Context& c) {
  const auto state = c.in.String(c.input, "state", "", Need::kRequired);
  if (!state) return std::nullopt;
  const std::optional<std::string> bytes = Base64Decode(*state);
  std::optional<PackageWriter> writer = bytes ? PackageWriter::RestoreState(*bytes) : std::nullopt;
  if (!writer) c.findings.Error("/state", "package.invalid_state");
  return writer;
}

json WriterAnswer(Context& c, const PackageWriter& writer) {
  json out = Verdict(c.findings);
  out["state"] = Base64Encode(writer.SaveState());
  return out;
}

// Every document entry must give a size and a hash: the reader checks each against them.
bool ManifestDeclaresDocuments(Context& c, const json& application) {
  const json* documents = c.in.Array(application, "documents", "/application", Need::kRequired);
  if (documents == nullptr) return false;
  for (std::size_t i = 0; i < documents->size(); ++i) {
    const std::string base = JoinPointer("/application/documents", i);
    c.in.Integer((*documents)[i], "size", base, Need::kRequired, 0, INT64_MAX);
    if (auto hash = c.in.String((*documents)[i], "blake2b", base, Need::kRequired);
        hash && (hash->size() != 64 || hash->find_first_not_of("0123456789abcdef") != std::string::npos)) {
      c.findings.Error(base + "/blake2b", "document.invalid_hash");
    }
  }
  return !c.findings.has_errors();
}

// {public_key, application} -> {state} and the package's first bytes.
json SealStartCommand(Context& c) {
  const auto key_text = c.in.String(c.input, "public_key", "", Need::kRequired);
  const json* application = c.in.Object(c.input, "application", "", Need::kRequired);
  if (!key_text || application == nullptr || !ManifestDeclaresDocuments(c, *application)) return Verdict(c.findings);
  const std::optional<std::string> raw = Base64Decode(*key_text);
  const std::optional<PublicKey> key = raw ? KeyFromBytes<kPublicKeyBytes>(*raw) : std::nullopt;
  std::optional<PackageWriter> writer;
  if (key) writer = PackageWriter::Start(*key, WriteJson(*application), c.payload_out);
  if (!writer) {
    c.findings.Error("/public_key", "package.invalid_public_key");
    return Verdict(c.findings);
  }
  return WriterAnswer(c, *writer);
}

// {state, last} + a piece of the current document -> {state} and the sealed frames.
json SealAddCommand(Context& c) {
  std::optional<PackageWriter> writer = RestoreWriter(c);
  const json* last = Member(c.input, "last");
  if (last != nullptr && !last->is_boolean()) c.findings.Error("/last", "input.wrong_type", {{"expected", "boolean"}});
  if (!writer || c.findings.has_errors()) return Verdict(c.findings);
  writer->AddDocument(c.payload, last != nullptr && last->get<bool>(), c.payload_out);
  return WriterAnswer(c, *writer);
}

// {state} -> the package's last bytes.
json SealFinishCommand(Context& c) {
  std::optional<PackageWriter> writer = RestoreWriter(c);
  if (!writer) return Verdict(c.findings);
  writer->Finish(c.payload_out);
  return Verdict(c.findings);
}

// {kind} + a file's bytes -> its real type, size, pixels, BLAKE2b-256, and the bytes to send
// (metadata removed).
json CheckDocumentCommand(Context& c) {
  const auto kind = c.in.String(c.input, "kind", "", Need::kRequired);
  if (!kind) return Verdict(c.findings);
  DocumentCheck check = CheckDocument(c.payload, *kind, BuiltinDocumentRules());
  c.findings.Append(check.findings, "");
  json out = Verdict(c.findings);
  out["document"] = nullptr;
  if (check.facts) {
    out["document"] = {{"kind", *kind},
                       {"media_type", check.facts->media_type},
                       {"size", check.cleaned.size()},
                       {"blake2b", Blake2bHex(check.cleaned)},
                       {"width", check.facts->width},
                       {"height", check.facts->height},
                       {"pages", check.facts->pages},
                       {"metadata_removed", check.cleaned.size() != c.payload.size()}};
    c.payload_out = std::move(check.cleaned);
  }
  return out;
}

// {payload, signature, key, trusted_key} -> {valid, document: the payload parsed}. A card's QR
// code holds the signed document; the browser checks it offline against the server's key.
json VerifySignedCommand(Context& c) {
  const auto payload = c.in.String(c.input, "payload", "", Need::kRequired);
  const auto signature = c.in.String(c.input, "signature", "", Need::kRequired);
  const auto key = c.in.String(c.input, "key", "", Need::kRequired);
  const auto trusted = c.in.String(c.input, "trusted_key", "", Need::kOptional);  // absent: no_trusted_key
  if (!payload || !signature || !key) return Verdict(c.findings);
  c.findings.Append(VerifySigned({*payload, *signature, *key}, trusted.value_or("")), "");
  json out = Verdict(c.findings);
  out["document"] = nullptr;
  if (!c.findings.has_errors()) out["document"] = ParseJson(*payload);
  return out;
}

// Bytes (the payload) -> {"blake2b": 64 hex digits, "size"}: the manifest's hash of a file.
json Blake2bCommand(Context& c) {
  json out = Verdict(c.findings);
  out["blake2b"] = Blake2bHex(c.payload);
  out["size"] = c.payload.size();
  return out;
}

// Pixels a browser decoded (RGBA, as the payload) for a photo of a document.
json ImageQualityCommand(Context& c) {
  const auto width = c.in.Integer(c.input, "width", "", Need::kRequired, 1, 100000);
  const auto height = c.in.Integer(c.input, "height", "", Need::kRequired, 1, 100000);
  if (!width || !height) return Verdict(c.findings);
  ImageQuality q = CheckImageQuality(c.payload, static_cast<int>(*width), static_cast<int>(*height),
                                     BuiltinDocumentRules());
  c.findings.Append(q.findings, "");
  json out = Verdict(c.findings);
  out["quality"] = {{"sharpness", q.sharpness}, {"brightness", q.brightness}, {"glare_permille", q.glare_permille}};
  return out;
}

constexpr Command kSealingCommands[] = {
    {"seal-start", WithSodium<SealStartCommand>},     {"seal-add", WithSodium<SealAddCommand>},
    {"seal-finish", WithSodium<SealFinishCommand>},
    {"check-document", WithSodium<CheckDocumentCommand>}, {"verify-signed", WithSodium<VerifySignedCommand>},
    {"blake2b", WithSodium<Blake2bCommand>},     {"check-image-quality", ImageQualityCommand},
};

}  // namespace

std::span<const Command> SealingCommands() { return kSealingCommands; }

}  // namespace daftar
