#include "config.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "checked_json.h"
#include "daftar/json_depth.h"

namespace daftar::server {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

// Whether a configured secret could have come from a generator: at least 256 bits as written (64
// hex digits, or 43 characters of base64), of at least 10 different characters. A sentence, a word,
// a short or repeated string (or the examples' placeholders, which are sentences) is refused: a
// secret someone chose or copied from an example is guessed first.
bool StrongSecret(std::string_view secret) {
  constexpr std::string_view kHex = "0123456789abcdefABCDEF";
  constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=";
  const bool hex = secret.find_first_not_of(kHex) == std::string_view::npos;
  const bool base64 = secret.find_first_not_of(kBase64) == std::string_view::npos;
  const std::size_t distinct = std::set<char>(secret.begin(), secret.end()).size();
  return distinct >= 10 && ((hex && secret.size() >= 64) || (base64 && !hex && secret.size() >= 43));
}

std::vector<Param> SecretRule() { return {{"hex", int64_t{64}}, {"base64", int64_t{43}}}; }

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
  const json& v = Field(object, key);
  if (v.is_null()) return;
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

std::string WithoutPassword(const std::string& url) {
  std::string out = url;
  // A URL's user:password@ …
  if (const std::size_t scheme = out.find("://"); scheme != std::string::npos) {
    const std::size_t at = out.find('@', scheme), colon = out.find(':', scheme + 3), slash = out.find('/', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at && (slash == std::string::npos || at < slash)) {
      out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // … and a password given as a keyword (libpq's "password=…") or a query parameter.
  for (std::size_t at = out.find("password="); at != std::string::npos; at = out.find("password=", at + 1)) {
    const std::size_t value = at + 9, end = out.find_first_of(" &", value);
    out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
  }
  return out;
}

Config LoadConfig(const std::string& path, Findings& f) {
  Config config;
  config.tariffs_json = std::string(BuiltinTariffsJson());
  config.tariffs = BuiltinTariffs();
  if (path.empty()) return config;
  const auto text = ReadFile(path);
  const json doc = text && !NestedDeeperThan(*text) ? json::parse(*text, nullptr, false) : json();
  if (!text || doc.is_discarded() || !doc.is_object()) {
    f.Error("", "config.unreadable", {{"file", path}});
    return config;
  }
  if (doc.contains("banks")) {
    const json& banks = Field(doc, "banks");
    if (!banks.is_object()) f.Error("/banks", "input.wrong_type", {{"expected", "object"}});
    for (auto it = banks.begin(); banks.is_object() && it != banks.end(); ++it) {
      if (!it->is_string() || !StrongSecret(it->get<std::string>())) {
        f.Error("/banks/" + it.key(), "config.weak_bank_secret", SecretRule());
      } else {
        config.banks[it.key()] = it->get<std::string>();
      }
    }
  }
  if (doc.contains("payment_window")) {
    const json& w = Field(doc, "payment_window");
    ReadInt(w, "earliest_days", "/payment_window", 0, 365, config.earliest_days, f);
    ReadInt(w, "latest_days", "/payment_window", 0, 365, config.latest_days, f);
    if (Field(w, "count").is_string()) config.working_days = TextOf(Field(w, "count")) == "working";
    if (config.latest_days < config.earliest_days) f.Error("/payment_window", "config.window_inverted");
  }
  if (doc.contains("admin_token")) {
    const std::string token = TextOf(Field(doc, "admin_token"));
    if (!StrongSecret(token)) {
      f.Error("/admin_token", "config.weak_admin_token", SecretRule());
    } else {
      config.admin_token = token;
    }
  }
  if (doc.contains("va_prefix")) {
    const std::string prefix = TextOf(Field(doc, "va_prefix"));
    if (prefix.size() < 3 || prefix.size() > 8 || prefix.find_first_not_of("0123456789") != std::string::npos) {
      f.Error("/va_prefix", "va.invalid_prefix");
    } else {
      config.va_prefix = prefix;
    }
  }
  if (doc.contains("tariffs")) {
    const std::string file = TextOf(Field(doc, "tariffs"));
    const auto tariffs = file.empty() ? std::nullopt : ReadFile(file);
    TariffLoad load = tariffs ? ParseTariffs(*tariffs) : TariffLoad{};
    if (!tariffs) {
      f.Error("/tariffs", "config.unreadable", {{"file", file}});
    } else if (!load.table) {
      f.Append(load.findings, "/tariffs");
    } else {
      config.tariffs_json = *tariffs;
      config.tariffs = *load.table;
    }
  }
  if (doc.contains("limits")) {
    const json& l = Field(doc, "limits");
    ReadInt(l, "max_body_bytes", "/limits", 1024, 64 << 20, config.limits.max_body_bytes, f);
    ReadInt(l, "max_package_bytes", "/limits", 1024, 1 << 30, config.limits.max_package_bytes, f);
    ReadInt(l, "max_header_bytes", "/limits", 1024, 1 << 20, config.limits.max_header_bytes, f);
    ReadInt(l, "max_connections", "/limits", 1, 1 << 20, config.limits.max_connections, f);
    ReadInt(l, "read_timeout_seconds", "/limits", 1, 3600, config.limits.read_timeout_seconds, f);
    ReadInt(l, "upload_expiry_seconds", "/limits", 1, 365 * 24 * 3600, config.limits.upload_expiry_seconds, f);
    ReadInt(l, "registrations_per_minute", "/limits", 1, 1 << 30, config.limits.registrations_per_minute, f);
    ReadInt(l, "lookups_per_minute", "/limits", 1, 1 << 30, config.limits.lookups_per_minute, f);
    ReadInt(l, "sign_ins_per_minute", "/limits", 1, 1 << 30, config.limits.sign_ins_per_minute, f);
    ReadInt(l, "max_connections_per_client", "/limits", 1, 1 << 20, config.limits.max_connections_per_client, f);
    ReadInt(l, "uploads_per_minute", "/limits", 1, 1 << 30, config.limits.uploads_per_minute, f);
    ReadInt(l, "upload_bytes_per_client", "/limits", 1024, int64_t{1} << 50, config.limits.upload_bytes_per_client, f);
    ReadInt(l, "upload_bytes_total", "/limits", 1024, int64_t{1} << 50, config.limits.upload_bytes_total, f);
    ReadInt(l, "min_free_disk_bytes", "/limits", 0, int64_t{1} << 60, config.limits.min_free_disk_bytes, f);
    ReadInt(l, "max_members", "/limits", 1, 100, config.limits.max_members, f);
  }
  if (doc.contains("trusted_proxies")) {
    const json& proxies = Field(doc, "trusted_proxies");
    if (!proxies.is_array()) f.Error("/trusted_proxies", "input.wrong_type", {{"expected", "array"}});
    for (const json& p : ArrayOf(proxies)) {
      if (TextOf(p).empty()) f.Error("/trusted_proxies", "input.wrong_type", {{"expected", "string"}});
      config.trusted_proxies.push_back(TextOf(p));
    }
  }
  if (doc.contains("population_registry")) {
    const json& r = Field(doc, "population_registry");
    PopulationRegistryConfig registry;
    registry.url = TextOf(Field(r, "url"));
    if (registry.url.rfind("http://", 0) != 0 && registry.url.rfind("https://", 0) != 0) {
      f.Error("/population_registry/url", "config.invalid_url");
    }
    ReadInt(r, "timeout_ms", "/population_registry", 50, 600000, registry.timeout_ms, f);
    ReadInt(r, "concurrency", "/population_registry", 1, 256, registry.concurrency, f);
    ReadInt(r, "retry_base_seconds", "/population_registry", 1, 3600, registry.retry_base_seconds, f);
    ReadInt(r, "retry_max_seconds", "/population_registry", 1, 86400, registry.retry_max_seconds, f);
    ReadInt(r, "breaker_failures", "/population_registry", 1, 1000, registry.breaker_failures, f);
    ReadInt(r, "breaker_open_seconds", "/population_registry", 1, 3600, registry.breaker_open_seconds, f);
    ReadInt(r, "lease_seconds", "/population_registry", 2, 86400, registry.lease_seconds, f);
    registry.client_cert = TextOf(Field(r, "client_cert"));
    registry.client_key = TextOf(Field(r, "client_key"));
    registry.ca_file = TextOf(Field(r, "ca_file"));
    if (registry.client_cert.empty() != registry.client_key.empty()) f.Error("/population_registry", "config.client_cert_and_key");
    config.population_registry = registry;
  }
  if (doc.contains("notifications")) {
    const json& n = Field(doc, "notifications");
    NotificationsConfig& out = config.notifications;
    if (!n.is_object()) f.Error("/notifications", "input.wrong_type", {{"expected", "object"}});
    if (const json& email = Field(n, "email"); !email.is_null()) {
      NotificationsConfig::Email e{TextOf(Field(email, "smtp_url")), TextOf(Field(email, "from")),
                                   TextOf(Field(email, "username")), TextOf(Field(email, "password"))};
      if (e.smtp_url.rfind("smtp://", 0) != 0 && e.smtp_url.rfind("smtps://", 0) != 0) {
        f.Error("/notifications/email/smtp_url", "config.invalid_smtp_url");
      }
      if (e.from.find('@') == std::string::npos) f.Error("/notifications/email/from", "input.required");
      if (const json& tls = Field(email, "smtp_tls"); !tls.is_null()) {
        if (tls != "required" && tls != "none") f.Error("/notifications/email/smtp_tls", "input.wrong_type", {{"expected", "required or none"}});
        e.tls_required = tls != "none";
        // In clear only on this machine: a password and sign-in codes never cross a network unencrypted.
        const std::string rest = e.smtp_url.substr(std::min(e.smtp_url.size(), e.smtp_url.find("://") + 3));
        const std::string host = rest.substr(rest.find('@') == std::string::npos ? 0 : rest.find('@') + 1);
        const bool loopback = host.rfind("127.", 0) == 0 || host.rfind("localhost", 0) == 0 || host.rfind("[::1]", 0) == 0;
        if (!e.tls_required && !loopback) f.Error("/notifications/email/smtp_tls", "config.smtp_tls_required");
      }
      out.email = e;
    }
    if (const json& sms = Field(n, "sms"); !sms.is_null()) {
      NotificationsConfig::Sms g{TextOf(Field(sms, "url")), TextOf(Field(sms, "secret"))};
      if (g.url.rfind("http://", 0) != 0 && g.url.rfind("https://", 0) != 0) f.Error("/notifications/sms/url", "config.invalid_url");
      if (!StrongSecret(g.secret)) f.Error("/notifications/sms/secret", "config.weak_gateway_secret", SecretRule());
      out.sms = g;
    }
    out.sink_file = TextOf(Field(n, "sink_file"));
    ReadInt(n, "retry_base_seconds", "/notifications", 1, 3600, out.retry_base_seconds, f);
    ReadInt(n, "retry_max_seconds", "/notifications", 1, 86400, out.retry_max_seconds, f);
    ReadInt(n, "lease_seconds", "/notifications", 2, 86400, out.lease_seconds, f);
    ReadInt(n, "timeout_ms", "/notifications", 50, 600000, out.timeout_ms, f);
  }
  ReadInt(doc, "operator_session_hours", "", 1, 24 * 30, config.operator_session_hours, f);
  ReadInt(doc, "member_session_days", "", 1, 365, config.member_session_days, f);
  ReadInt(doc, "calendar_check_seconds", "", 1, 86400, config.calendar_check_seconds, f);
  ReadInt(doc, "calendar_batch", "", 1, 100000, config.calendar_batch, f);
  if (doc.contains("group_commit")) config.group_commit = Field(doc, "group_commit") == true;
  if (doc.contains("proxy_terminates_tls")) {
    const json& v = Field(doc, "proxy_terminates_tls");
    if (!v.is_boolean()) f.Error("/proxy_terminates_tls", "input.wrong_type", {{"expected", "boolean"}});
    config.proxy_terminates_tls = v == true;
  }
  ReadInt(doc, "draft_expiry_days", "", 1, 365, config.draft_expiry_days, f);
  return config;
}

bool WriteFileAtomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace,
                         std::string& error) {
  const fs::path target(path);
  std::string temp = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());  // mode 0600 from the first byte
  if (fd < 0) {
    error = "cannot create a file in " + target.parent_path().string() + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0;
  for (std::size_t at = 0; ok && at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    ok = n > 0;
    if (ok) at += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  // link() never replaces an existing file; rename() does, for an explicit replacement only.
  ok = ok && (replace ? ::rename(temp.c_str(), path.c_str()) == 0 : ::link(temp.c_str(), path.c_str()) == 0);
  const int saved = errno;
  ::unlink(temp.c_str());
  if (!ok) {
    error = "cannot write " + path + ": " + std::strerror(saved);
    return false;
  }
  const int dir = ::open(target.parent_path().empty() ? "." : target.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
  ok = dir >= 0 && ::fsync(dir) == 0;
  if (dir >= 0) ::close(dir);
  if (!ok) error = "cannot flush the folder of " + path;
  return ok;
}

std::string LoadOrCreateSecret(const std::string& data_dir, const std::string& name, std::string& error) {
  const fs::path path = fs::path(data_dir) / name;
  if (auto text = ReadFile(path.string()); text && !text->empty()) {
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    return *text;
  }
  const std::string secret = RandomHex(32);
  return WriteFileAtomically(path.string(), secret + "\n", 0600, false, error) ? secret : std::string();
}

namespace {

std::string_view AsText(const auto& key) { return {reinterpret_cast<const char*>(key.data()), key.size()}; }

std::string RandomBytes(std::size_t n) {
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

constexpr const char* kKeyFiles[] = {"intake.sk", "intake.pk", "signing.sk", "signing.pk",
                                     "nik.key",   "token.key", "audit.key"};

}  // namespace

std::optional<ServerKeys> CreateKeys(const std::string& dir, bool replace, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir + ": " + ec.message();
    return std::nullopt;
  }
  ::chmod(dir.c_str(), 0700);
  if (!replace) {
    for (const char* name : kKeyFiles) {
      if (fs::exists(fs::path(dir) / name, ec)) {
        error = (fs::path(dir) / name).string() + " exists: keys are never replaced without --force";
        return std::nullopt;
      }
    }
  }
  ServerKeys keys;
  keys.intake = GenerateIntakeKeys();
  keys.signing = GenerateSigningKeys();
  keys.nik_key = RandomBytes(32);
  keys.token_key = RandomBytes(32);
  keys.audit_key = RandomBytes(32);
  const std::pair<const char*, std::string_view> files[] = {
      {"intake.sk", AsText(keys.intake.secret_key)}, {"intake.pk", AsText(keys.intake.public_key)},
      {"signing.sk", AsText(keys.signing.secret_key)}, {"signing.pk", AsText(keys.signing.public_key)},
      {"nik.key", keys.nik_key}, {"token.key", keys.token_key}, {"audit.key", keys.audit_key}};
  for (const auto& [name, bytes] : files) {
    const bool is_public = std::string_view(name).ends_with(".pk");
    if (!WriteFileAtomically((fs::path(dir) / name).string(), bytes, is_public ? 0644 : 0600, replace, error)) {
      return std::nullopt;
    }
  }
  return keys;
}

std::optional<ServerKeys> LoadKeys(const std::string& dir, std::string& error) {
  std::error_code ec;
  if (!fs::exists(dir, ec) || fs::is_empty(dir, ec)) return CreateKeys(dir, false, error);
  const auto fail = [&](const char* name, const std::string& what) {
    error = (fs::path(dir) / name).string() + " " + what +
            ". Restore the key folder from your backup (README: Backups). Only a server that has never issued a "
            "card may start again with new keys, from an empty folder or `daftar keygen`.";
    return std::nullopt;
  };
  const auto read = [&](const char* name, std::size_t size, std::string& out) -> bool {
    const fs::path path = fs::path(dir) / name;
    if (!fs::exists(path, ec)) {
      error = "is missing";
    } else if (auto bytes = ReadFile(path.string()); !bytes) {
      error = "cannot be read (check its owner and permissions)";
    } else if (bytes->size() != size) {
      error = "has " + std::to_string(bytes->size()) + " bytes where a key has " + std::to_string(size);
    } else {
      out = std::move(*bytes);
      return true;
    }
    return false;
  };
  ServerKeys keys;
  std::string bytes;
  for (const char* name : kKeyFiles) {
    const std::string_view n(name);
    const std::size_t size = n == "signing.sk" ? kSigningSecretKeyBytes : 32;
    if (!read(name, size, bytes)) return fail(name, error);
    if (n == "intake.sk") keys.intake.secret_key = *KeyFromBytes<kSecretKeyBytes>(bytes);
    if (n == "intake.pk") keys.intake.public_key = *KeyFromBytes<kPublicKeyBytes>(bytes);
    if (n == "signing.sk") keys.signing.secret_key = *KeyFromBytes<kSigningSecretKeyBytes>(bytes);
    if (n == "signing.pk") keys.signing.public_key = *KeyFromBytes<kPublicKeyBytes>(bytes);
    if (n == "nik.key") keys.nik_key = bytes;
    if (n == "token.key") keys.token_key = bytes;
    if (n == "audit.key") keys.audit_key = bytes;
  }
  // The halves must belong together: a mismatched public key would seal to, or vouch for, no one.
  if (IntakePublicFromSecret(keys.intake.secret_key) != keys.intake.public_key) {
    return fail("intake.pk", "does not belong to intake.sk");
  }
  if (!std::equal(keys.signing.public_key.begin(), keys.signing.public_key.end(), keys.signing.secret_key.begin() + 32)) {
    return fail("signing.pk", "does not belong to signing.sk");
  }
  return keys;
}

}  // namespace daftar::server
