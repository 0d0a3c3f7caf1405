// The server's configuration: the JSON file of `daftar serve --config` (every key optional) and
// the secrets kept in the data folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "daftar/finding.h"
#include "daftar/keys.h"
#include "daftar/tariffs.h"

namespace daftar::server {

struct Limits {
  int64_t max_body_bytes = 1 << 20;           // JSON requests
  int64_t max_package_bytes = 24 << 20;       // a registration's sealed package
  int64_t max_header_bytes = 16 << 10;
  int max_connections = 2048;
  int read_timeout_seconds = 30;              // per request: headers and body (no slow-loris)
  int upload_expiry_seconds = 24 * 3600;      // abandoned tus uploads are deleted after this
  int registrations_per_minute = 30;          // per client address
  int lookups_per_minute = 120;               // status and inquiry lookups per client address
};

struct Config {
  std::map<std::string, std::string> banks;  // bank id -> shared secret for X-Signature
  int earliest_days = 14;                    // first payment: at the earliest this many days ...
  int latest_days = 30;                      // ... and at the latest this many after registration
  bool working_days = false;                 // count Monday-Friday only
  std::string admin_token;
  std::string va_prefix = "88888";
  std::string tariffs_json;  // the tariff file's text (built in unless "tariffs" names a file)
  TariffTable tariffs;
  Limits limits;
  bool group_commit = true;
  int draft_expiry_days = 7;  // the web app forgets unfinished drafts after this
};

// Reads the config file (empty path: defaults). Findings name the offending keys.
[[nodiscard]] Config LoadConfig(const std::string& path, Findings& findings);

// The data folder's keys and secrets, created on first start.
struct ServerKeys {
  IntakeKeys intake;
  SigningKeys signing;
  std::string nik_key;    // 32 bytes: keyed BLAKE2b of NIKs for duplicate detection
  std::string token_key;  // 32 bytes: HMAC of references for access tokens
};

// Loads the keys from DIR/keys, creating any that are missing (secret files mode 0600).
[[nodiscard]] std::optional<ServerKeys> LoadOrCreateKeys(const std::string& data_dir, std::string& error);

// The whole file, or nullopt if it cannot be read.
[[nodiscard]] std::optional<std::string> ReadFile(const std::string& path);

// Reads DIR/NAME, or creates it with `bytes` random bytes (hex) if absent (mode 0600).
[[nodiscard]] std::string LoadOrCreateSecret(const std::string& data_dir, const std::string& name);

}  // namespace daftar::server
