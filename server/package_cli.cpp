// `daftar keygen`, `daftar seal`, `daftar open`: keys and sealed packages from the command line,
// through the same dispatcher commands the browser uses (check-document, seal-*, open-package).

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "checked_json.h"
#include "cli.h"
#include "config.h"
#include "store.h"
#include "daftar/api.h"
#include "daftar/change.h"
#include "daftar/json_depth.h"
#include "daftar/keys.h"

namespace daftar::cli {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string_view AsText(const auto& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

// Writes an opened document or application: mode 0600 from the first byte (they hold personal data).
void WriteFile(const fs::path& path, std::string_view bytes) {
  std::string error;
  if (!server::WriteFileAtomically(path.string(), bytes, 0600, true, error)) throw UsageError{error};
}

// Calls the dispatcher; on an invalid answer prints it and reports false.
bool Call(std::string_view command, const json& input, Reply& reply, std::string_view payload = {}) {
  reply = Dispatch(command, input.dump(), DispatchOptions{.default_today = LocalToday()}, payload);
  return reply.outcome == Outcome::kOk;
}

json Body(const Reply& reply) { return json::parse(reply.body, nullptr, false); }

// Prints an invalid answer with every error's path placed under `prefix`.
int Refuse(json answer, const std::string& prefix) {
  if (!answer.is_object()) answer = {{"valid", false}};
  json errors = json::array();
  for (json e : server::ArrayOf(server::Field(answer, "errors"))) {
    if (e.is_object()) e["path"] = prefix + server::TextOf(server::Field(e, "path"));
    errors.push_back(std::move(e));
  }
  answer["errors"] = std::move(errors);
  std::cout << answer.dump(2) << "\n";
  return kInvalid;
}

struct DocumentArg {
  std::string kind;
  json member;  // null for the family's documents
  std::string path;
};

// KIND:MEMBER:PATH, MEMBER empty for the family's KK ("kk::kk.pdf").
DocumentArg ParseDocumentArg(const std::string& spec) {
  const std::size_t a = spec.find(':');
  const std::size_t b = a == std::string::npos ? a : spec.find(':', a + 1);
  if (b == std::string::npos) throw UsageError{"--document takes KIND:MEMBER:PATH, not '" + spec + "'"};
  DocumentArg d{spec.substr(0, a), nullptr, spec.substr(b + 1)};
  const std::string member = spec.substr(a + 1, b - a - 1);
  if (!member.empty()) {
    if (member.find_first_not_of("0123456789") != std::string::npos || member.size() > 3) {
      throw UsageError{"--document " + spec + ": MEMBER is a member's index (0, 1, …) or empty"};
    }
    d.member = std::stoi(member);
  }
  return d;
}

std::string Extension(const std::string& media_type) {
  if (media_type == "image/jpeg") return ".jpg";
  if (media_type == "image/png") return ".png";
  if (media_type == "application/pdf") return ".pdf";
  return ".bin";
}

}  // namespace

int Keygen(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--out"}, {"--force"});
  const auto out = args.Option("--out");
  if (!out || !args.positional.empty()) throw UsageError{"usage: daftar keygen --out DIR [--force]"};
  const bool force = args.Has("--force");
  const fs::path dir(*out);
  if (!force && fs::exists(dir / "public.json")) throw UsageError{(dir / "public.json").string() + " exists; use --force to replace the keys"};
  // The server's whole key set, so that `daftar serve --keys-dir DIR` can use the folder as it is.
  std::string error;
  const std::optional<server::ServerKeys> keys = server::CreateKeys(dir.string(), force, error);
  if (!keys) throw UsageError{error};
  const json public_keys = {{"intake", Base64Encode(AsText(keys->intake.public_key))},
                            {"signing", Base64Encode(AsText(keys->signing.public_key))}};
  if (!server::WriteFileAtomically((dir / "public.json").string(), public_keys.dump() + "\n", 0644, force, error)) {
    throw UsageError{error};
  }
  json answer = public_keys;
  answer["dir"] = dir.string();
  std::cout << answer.dump(2) << "\n";
  return kOk;
}

int Seal(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--key", "--application", "--document", "--out", "--today"}, {"--allow-invalid"});
  const auto key_path = args.Option("--key"), app_path = args.Option("--application"), out = args.Option("--out");
  if (!key_path || !app_path || !out || !args.positional.empty()) {
    throw UsageError{"usage: daftar seal --key intake.pk --application APP.json --document KIND:MEMBER:PATH ... --out FILE.daftar"};
  }
  const std::string key = ReadInput(*key_path);
  if (key.size() != kPublicKeyBytes) throw UsageError{*key_path + " is not a 32-byte public key"};
  const std::string application_text = ReadInput(*app_path);
  if (NestedDeeperThan(application_text)) throw UsageError{*app_path + " nests deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  json application = json::parse(application_text, nullptr, false);
  if (application.is_discarded() || !application.is_object()) throw UsageError{*app_path + " is not a JSON object"};

  // Check every document first, and refuse them all at once if any fails, saying why.
  std::vector<DocumentArg> documents;
  std::vector<std::string> bytes;
  json entries = json::array(), failures = json::array();
  for (const std::string& spec : args.All("--document")) documents.push_back(ParseDocumentArg(spec));
  for (std::size_t i = 0; i < documents.size(); ++i) {
    Reply reply;
    const bool ok = Call("check-document", {{"kind", documents[i].kind}}, reply, ReadInput(documents[i].path));
    const json answer = Body(reply);
    for (json e : server::ArrayOf(server::Field(answer, "errors"))) {
      if (!e.is_object()) continue;
      json params = server::Field(e, "params").is_object() ? server::Field(e, "params") : json::object();
      params["file"] = documents[i].path;
      e["path"] = "/documents/" + std::to_string(i) + server::TextOf(server::Field(e, "path"));
      e["params"] = std::move(params);
      failures.push_back(std::move(e));
    }
    if (!ok) continue;
    const json& d = server::Field(answer, "document");
    entries.push_back({{"kind", documents[i].kind}, {"member", documents[i].member},
                       {"media_type", server::Field(d, "media_type")}, {"size", server::Field(d, "size")},
                       {"blake2b", server::Field(d, "blake2b")}});
    bytes.push_back(std::move(reply.payload));
  }
  if (!failures.empty()) return Refuse({{"valid", false}, {"errors", failures}, {"warnings", json::array()}}, "");
  application["documents"] = entries;

  // The application must pass the rules, unless the caller wants the server to see it fail. A
  // member's change (daftar/change.h) is judged against the family's state, which the server has.
  json validate = {{"application", application}};
  if (auto today = args.Option("--today")) validate["today"] = *today;
  Reply verdict;
  const bool change = server::Field(application, "schema") == kChangeSchema;
  if (!change && !Call("validate", validate, verdict) && !args.Has("--allow-invalid")) return Refuse(Body(verdict), "");

  // Seal into a temporary file beside the target, renamed into place once complete.
  const fs::path target(*out), partial(*out + ".partial");
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) throw UsageError{"cannot write " + partial.string()};
  Reply reply;
  if (!Call("seal-start", {{"public_key", Base64Encode(key)}, {"application", application}}, reply)) {
    fs::remove(partial);
    return Refuse(Body(reply), "");
  }
  std::string state = server::TextOf(server::Field(Body(reply), "state"));
  file << reply.payload;
  for (const std::string& d : bytes) {
    if (!Call("seal-add", {{"state", state}, {"last", true}}, reply, d)) return Refuse(Body(reply), "");
    state = server::TextOf(server::Field(Body(reply), "state"));
    file << reply.payload;
  }
  if (!Call("seal-finish", {{"state", state}}, reply)) return Refuse(Body(reply), "");
  file << reply.payload;
  file.close();
  if (!file) throw UsageError{"cannot write " + partial.string()};
  fs::rename(partial, target);

  const json checked = Body(verdict);
  std::cout << json{{"valid", true},
                    {"package", target.string()},
                    {"size", fs::file_size(target)},
                    {"documents", entries},
                    {"application_valid", server::Field(checked, "valid")},
                    {"errors", json::array()},
                    {"warnings", server::ArrayOf(server::Field(checked, "warnings"))}}.dump(2)
            << "\n";
  return kOk;
}

// The package a server stored for `reference`, as it arrived.
std::string StoredPackage(const Args& args, const std::string& reference) {
  const std::unique_ptr<server::Database> db = OpenStore(args, /*create=*/false);
  std::optional<std::string> package = server::Store(*db).Package(reference);
  if (!package) throw UsageError{"no registration " + reference + " in " + db->Describe()};
  return *package;
}

int Open(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--key", "--out", "--data-dir", "--database", "--database-file"});
  const auto key_path = args.Option("--key"), out = args.Option("--out");
  const bool stored = args.Option("--data-dir") || args.Option("--database") || args.Option("--database-file");
  if (!key_path || !out || args.positional.size() != 1) {
    throw UsageError{"usage: daftar open --key intake.sk FILE.daftar --out DIR\n"
                     "       daftar open --key intake.sk (--data-dir DIR | --database URL) REFERENCE --out DIR   (a stored package)"};
  }
  const std::string secret = ReadInput(*key_path);
  if (secret.size() != kSecretKeyBytes) throw UsageError{*key_path + " is not a 32-byte secret key"};
  const std::string package = stored ? StoredPackage(args, args.positional[0]) : ReadInput(args.positional[0]);
  Reply reply;
  // Everything is verified before anything is written: a package that fails writes nothing.
  if (!Call("open-package", {{"secret_key", Base64Encode(secret)}}, reply, package)) {
    std::cout << Body(reply).dump(2) << "\n";
    return kInvalid;
  }
  const json answer = Body(reply);
  // The manifest is the sender's: every field is read checked.
  using server::ArrayOf, server::Field, server::Item, server::TextOf;
  const json& application = Field(answer, "application");
  const fs::path dir(*out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UsageError{"cannot create " + dir.string() + ": " + ec.message()};
  WriteFile(dir / "application.json", application.dump(2) + "\n");
  json files = json::array();
  std::size_t offset = 0;
  const json& opened = ArrayOf(Field(answer, "documents"));
  for (std::size_t i = 0; i < opened.size(); ++i) {
    const json& entry = Item(Field(application, "documents"), i);
    const json& size_field = Field(Item(opened, i), "size");
    const std::size_t size = size_field.is_number_unsigned() ? size_field.get<std::size_t>() : 0;
    // A kind is a word of the catalogue; anything else must not become part of a file name.
    std::string kind = TextOf(Field(entry, "kind"));
    if (kind.empty() || kind.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) kind = "document";
    std::string name = std::to_string(i + 1) + "-" + kind;
    const json& member = Field(entry, "member");
    if (member.is_number_unsigned() && member.get<uint64_t>() < 1000) name += "-" + std::to_string(member.get<uint64_t>());
    name += Extension(TextOf(Field(entry, "media_type")));
    WriteFile(dir / name, std::string_view(reply.payload).substr(std::min(offset, reply.payload.size()), size));
    offset += size;
    files.push_back({{"file", (dir / name).string()}, {"kind", kind}, {"member", member}, {"size", size}});
  }
  std::cout << json{{"valid", true}, {"application", (dir / "application.json").string()}, {"documents", files},
                    {"errors", json::array()}, {"warnings", json::array()}}.dump(2)
            << "\n";
  return kOk;
}

}  // namespace daftar::cli
