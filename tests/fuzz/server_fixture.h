// A registry on a real SQLite file in a fresh temporary folder, with fresh keys: what the server
// harnesses fuzz against.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include "config.h"
#include "registry.h"
#include "storage.h"

namespace daftar::server {

struct ServerFixture {
  std::string dir;
  Config config;
  ServerKeys keys;
  std::unique_ptr<Database> db;
  std::unique_ptr<Registry> registry;

  // `configure` adjusts the default config before the registry is made.
  template <class Configure>
  explicit ServerFixture(Configure configure) {
    (void)InitCrypto();
    char pattern[] = "/tmp/daftar-fuzz-XXXXXX";
    dir = mkdtemp(pattern);
    Findings ignored;
    config = LoadConfig("", ignored);
    configure(config);
    std::string error;
    keys = *CreateKeys(dir + "/keys", false, error);
    db = Database::Open(dir + "/daftar.db", error);
    registry = std::make_unique<Registry>(*db, config, keys, SystemClock());
  }
};

}  // namespace daftar::server
