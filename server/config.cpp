#include "config.h"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace daftar::server {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

bool WriteSecretFile(const fs::path& path, std::string_view bytes, mode_t mode) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.close();
  return file && ::chmod(path.c_str(), mode) == 0;
}

std::string RandomHex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

void ReadInt(const json& object, const char* key, const std::string& path, int64_t min, int64_t max,
             auto& target, Findings& f) {
  if (!object.contains(key)) return;
  const json& v = object[key];
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    f.Error(path + "/" + key, "input.out_of_range", {{"min", min}, {"max", max}});
    return;
  }
  target = static_cast<std::remove_reference_t<decltype(target)>>(v.get<int64_t>());
}

}  // namespace

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Config LoadConfig(const std::string& path, Findings& f) {
  Config config;
  config.tariffs_json = std::string(BuiltinTariffsJson());
  config.tariffs = BuiltinTariffs();
  if (path.empty()) return config;
  const auto text = ReadFile(path);
  const json doc = text ? json::parse(*text, nullptr, false) : json();
  if (!text || doc.is_discarded() || !doc.is_object()) {
    f.Error("", "config.unreadable", {{"file", path}});
    return config;
  }
  if (doc.contains("banks")) {
    if (!doc["banks"].is_object()) f.Error("/banks", "input.wrong_type", {{"expected", "object"}});
    for (const auto& [id, secret] : doc["banks"].items()) {
      if (!secret.is_string() || secret.get<std::string>().size() < 16) {
        f.Error("/banks/" + id, "config.weak_bank_secret", {{"min", int64_t{16}}});
      } else {
        config.banks[id] = secret.get<std::string>();
      }
    }
  }
  if (doc.contains("payment_window")) {
    const json& w = doc["payment_window"];
    ReadInt(w, "earliest_days", "/payment_window", 0, 365, config.earliest_days, f);
    ReadInt(w, "latest_days", "/payment_window", 0, 365, config.latest_days, f);
    if (w.contains("count")) config.working_days = w["count"] == "working";
    if (config.latest_days < config.earliest_days) f.Error("/payment_window", "config.window_inverted");
  }
  if (doc.contains("admin_token")) {
    if (!doc["admin_token"].is_string() || doc["admin_token"].get<std::string>().size() < 16) {
      f.Error("/admin_token", "config.weak_admin_token", {{"min", int64_t{16}}});
    } else {
      config.admin_token = doc["admin_token"];
    }
  }
  if (doc.contains("va_prefix")) {
    const json& p = doc["va_prefix"];
    if (!p.is_string() || p.get<std::string>().size() < 3 || p.get<std::string>().size() > 8 ||
        p.get<std::string>().find_first_not_of("0123456789") != std::string::npos) {
      f.Error("/va_prefix", "va.invalid_prefix");
    } else {
      config.va_prefix = p;
    }
  }
  if (doc.contains("tariffs")) {
    const auto tariffs = doc["tariffs"].is_string() ? ReadFile(doc["tariffs"].get<std::string>()) : std::nullopt;
    TariffLoad load = tariffs ? ParseTariffs(*tariffs) : TariffLoad{};
    if (!tariffs) {
      f.Error("/tariffs", "config.unreadable", {{"file", doc["tariffs"].is_string() ? doc["tariffs"].get<std::string>() : ""}});
    } else if (!load.table) {
      f.Append(load.findings, "/tariffs");
    } else {
      config.tariffs_json = *tariffs;
      config.tariffs = *load.table;
    }
  }
  if (doc.contains("limits")) {
    const json& l = doc["limits"];
    ReadInt(l, "max_body_bytes", "/limits", 1024, 64 << 20, config.limits.max_body_bytes, f);
    ReadInt(l, "max_package_bytes", "/limits", 1024, 1 << 30, config.limits.max_package_bytes, f);
    ReadInt(l, "max_header_bytes", "/limits", 1024, 1 << 20, config.limits.max_header_bytes, f);
    ReadInt(l, "max_connections", "/limits", 1, 1 << 20, config.limits.max_connections, f);
    ReadInt(l, "read_timeout_seconds", "/limits", 1, 3600, config.limits.read_timeout_seconds, f);
    ReadInt(l, "upload_expiry_seconds", "/limits", 1, 365 * 24 * 3600, config.limits.upload_expiry_seconds, f);
    ReadInt(l, "registrations_per_minute", "/limits", 1, 1 << 30, config.limits.registrations_per_minute, f);
    ReadInt(l, "lookups_per_minute", "/limits", 1, 1 << 30, config.limits.lookups_per_minute, f);
  }
  if (doc.contains("group_commit")) config.group_commit = doc["group_commit"] == true;
  ReadInt(doc, "draft_expiry_days", "", 1, 365, config.draft_expiry_days, f);
  return config;
}

std::string LoadOrCreateSecret(const std::string& data_dir, const std::string& name) {
  const fs::path path = fs::path(data_dir) / name;
  if (auto text = ReadFile(path.string()); text && !text->empty()) {
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    return *text;
  }
  const std::string secret = RandomHex(24);
  WriteSecretFile(path, secret + "\n", 0600);
  return secret;
}

std::optional<ServerKeys> LoadOrCreateKeys(const std::string& data_dir, std::string& error) {
  const fs::path dir = fs::path(data_dir) / "keys";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  ServerKeys keys;
  const auto load = [&](const char* name, auto& target) {
    const auto bytes = ReadFile((dir / name).string());
    auto key = bytes ? KeyFromBytes<std::tuple_size_v<std::remove_reference_t<decltype(target)>>>(*bytes) : std::nullopt;
    if (key) target = *key;
    return key.has_value();
  };
  const bool have_intake = load("intake.sk", keys.intake.secret_key);
  const bool have_signing = load("signing.sk", keys.signing.secret_key) && load("signing.pk", keys.signing.public_key);
  if (!have_intake) {
    keys.intake = GenerateIntakeKeys();
    WriteSecretFile(dir / "intake.sk", {reinterpret_cast<const char*>(keys.intake.secret_key.data()), kSecretKeyBytes}, 0600);
  }
  keys.intake.public_key = IntakePublicFromSecret(keys.intake.secret_key);
  WriteSecretFile(dir / "intake.pk", {reinterpret_cast<const char*>(keys.intake.public_key.data()), kPublicKeyBytes}, 0644);
  if (!have_signing) {
    keys.signing = GenerateSigningKeys();
    WriteSecretFile(dir / "signing.sk", {reinterpret_cast<const char*>(keys.signing.secret_key.data()), kSigningSecretKeyBytes}, 0600);
    WriteSecretFile(dir / "signing.pk", {reinterpret_cast<const char*>(keys.signing.public_key.data()), kPublicKeyBytes}, 0644);
  }
  for (auto [name, target] : {std::pair{"nik.key", &keys.nik_key}, std::pair{"token.key", &keys.token_key}}) {
    auto bytes = ReadFile((dir / name).string());
    if (!bytes || bytes->size() != 32) {
      bytes = std::string(32, '\0');
      randombytes_buf(bytes->data(), bytes->size());
      WriteSecretFile(dir / name, *bytes, 0600);
    }
    *target = *bytes;
  }
  return keys;
}

}  // namespace daftar::server
