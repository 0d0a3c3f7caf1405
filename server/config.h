// The server's configuration: the JSON file of `daftar serve --config` (every key optional) and
// the secrets kept in the data folder.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daftar/finding.h"
#include "daftar/keys.h"
#include "daftar/tariffs.h"

namespace daftar::server {

struct Limits {
  int64_t max_body_bytes = 64 << 10;          // JSON requests (bank calls, operators, registration by upload)
  int64_t max_package_bytes = 24 << 20;       // a registration's sealed package
  int64_t max_header_bytes = 16 << 10;
  int max_connections = 2048;
  int max_connections_per_client = 64;        // per address: one stranger cannot take every slot
  int read_timeout_seconds = 30;              // per request: headers and body (no slow-loris)
  int upload_expiry_seconds = 24 * 3600;      // abandoned tus uploads are deleted after this
  int registrations_per_minute = 30;          // per client address
  int lookups_per_minute = 120;               // status and inquiry lookups per client address
  int uploads_per_minute = 20;                // tus uploads created per client address
  int sign_ins_per_minute = 30;               // sign-in codes asked and tried per client address (many
                                              // phones share one address behind a carrier's NAT)
  int64_t upload_bytes_per_client = 96 << 20;   // declared bytes of unfinished uploads, per address
  int64_t upload_bytes_total = int64_t{4} << 30;  // ... and for everyone together
  int64_t min_free_disk_bytes = 256 << 20;    // below this, new uploads and registrations get 503
  int max_members = 20;                       // members one application may list
};

// The population registry (Dukcapil) adapter: `population_registry` in the config. Without it no
// registry is called and registrations are judged by the rules and operators alone.
struct PopulationRegistryConfig {
  std::string url;                 // http://HOST:PORT or https://… (the contract's {url})
  int timeout_ms = 3000;           // per call; no answer in time is "unavailable"
  int concurrency = 8;             // calls in flight at once, per server
  std::string client_cert, client_key, ca_file;  // mutual TLS (PEM), optional
  int retry_base_seconds = 2;      // backoff after an unavailable answer: base·2^(n-1), jittered ...
  int retry_max_seconds = 300;     // ... up to this
  int breaker_failures = 5;        // unavailable answers in a row that open the circuit ...
  int breaker_open_seconds = 30;   // ... for this long
  int lease_seconds = 120;         // a claimed job another server may take over after this
};

// Messages to families (`notifications` in the config): e-mail over SMTP, SMS or WhatsApp through an
// HTTP gateway, and a sink file that receives a copy of every message as a JSON line. A channel
// that is not configured is not used; with nothing configured no message is queued.
struct NotificationsConfig {
  struct Email {
    std::string smtp_url;  // smtp://HOST:PORT (STARTTLS required) or smtps://… (TLS from the start)
    std::string from, username, password;
    // "smtp_tls": "none" sends in clear: only to a mail server on this machine (a loopback address).
    bool tls_required = true;
  };
  struct Sms {
    std::string url;     // the gateway's endpoint: POST, JSON, signed like the bank calls
    std::string secret;  // the shared secret of X-Signature
  };
  std::optional<Email> email;
  std::optional<Sms> sms;
  std::string sink_file;
  int retry_base_seconds = 5;      // backoff after a failed send: base·2^(n-1), jittered ...
  int retry_max_seconds = 3600;    // ... up to this; a message is retried until it is sent
  int lease_seconds = 60;          // a claimed message another server may take over after this
  int timeout_ms = 10000;          // per send
  [[nodiscard]] bool any() const { return email || sms || !sink_file.empty(); }
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
  // Load balancers in front of the server (their addresses): for requests from them the client
  // is the last address in X-Forwarded-For, and their connections are not capped per address.
  std::vector<std::string> trusted_proxies;
  // Clients reach the server over HTTPS through a proxy that terminates TLS (deploy/haproxy.cfg):
  // cookies are then Secure with a __Host- name and every answer carries HSTS, as over TLS here.
  bool proxy_terminates_tls = false;
  std::optional<PopulationRegistryConfig> population_registry;
  NotificationsConfig notifications;
  int operator_session_hours = 8;  // an operator signs in again after this
  int member_session_days = 30;    // a member signs in again after this (a phone stays signed in)
  int calendar_check_seconds = 60;  // how often the calendar job looks whether the day has changed
  int calendar_batch = 200;         // families the calendar job brings up to date per transaction
};

// Reads the config file (empty path: defaults). Findings name the offending keys.
[[nodiscard]] Config LoadConfig(const std::string& path, Findings& findings);

// The server's keys, one file each in the key folder (docs/SECURITY.md says what each protects).
struct ServerKeys {
  IntakeKeys intake;       // intake.sk / intake.pk: applicants seal packages to it
  SigningKeys signing;     // signing.sk / signing.pk: cards and receipts
  std::string nik_key;     // nik.key, 32 bytes: keyed BLAKE2b of NIKs for duplicate detection
  std::string token_key;   // token.key, 32 bytes: HMAC of references for access tokens
  std::string audit_key;   // audit.key, 32 bytes: HMAC of each audit entry
};

// Fresh keys written into `dir`, each file created atomically (a temporary file made with mode
// 0600, fsync, then linked into place, and the folder fsynced). An existing file is an error
// unless `replace` (only `daftar keygen --force` replaces keys).
[[nodiscard]] std::optional<ServerKeys> CreateKeys(const std::string& dir, bool replace, std::string& error);

// Loads the keys from `dir`. Only an empty (or absent) folder gets new keys: a missing, short,
// malformed or unreadable file is an error naming the file and what to do, never a new key,
// because a new signing key would make every card and receipt already issued stop verifying.
[[nodiscard]] std::optional<ServerKeys> LoadKeys(const std::string& dir, std::string& error);

// Writes `bytes` to `path` atomically with `mode`; refuses to replace an existing file unless
// `replace`. False (and `error`) on failure, leaving no partial file behind.
[[nodiscard]] bool WriteFileAtomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace,
                                       std::string& error);

// The whole file, or nullopt if it cannot be read.
[[nodiscard]] std::optional<std::string> ReadFile(const std::string& path);

// `url` with its password left out ("postgresql://daftar:***@db1/daftar", "password=*** host=db1"),
// for logs and messages: a secret is never printed.
[[nodiscard]] std::string WithoutPassword(const std::string& url);

// Reads DIR/NAME, or creates it atomically with 32 random bytes (hex) if absent (mode 0600).
// Empty on failure, with `error` set.
[[nodiscard]] std::string LoadOrCreateSecret(const std::string& data_dir, const std::string& name, std::string& error);

}  // namespace daftar::server
