// The HTTP request handler (routing, tus headers, registrations, banks, admin, static files)
// on arbitrary requests, with a real SQLite file in a temporary data folder.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "router.h"
#include "server_fixture.h"

namespace {

using namespace daftar::server;

struct Fixture : ServerFixture {
  std::unique_ptr<Router> router;
  Fixture() : ServerFixture([](Config& c) {
    c.banks["BANKX"] = "bank-x-shared-secret-0123456789";
    c.admin_token = "admin-token-for-fuzzing-0123456";
  }) {
    std::filesystem::create_directories(dir + "/web");
    std::ofstream(dir + "/web/index.html") << "<!doctype html><title>x</title>";
    // --dev: the admin token reaches the operator routes, so the fuzzer explores them too.
    router = std::make_unique<Router>(*registry, config, keys, SystemClock(), RouterOptions{dir, dir + "/web", "fuzz", true});
  }
};

}  // namespace

// Input: "METHOD TARGET\nname: value\n...\n\nbody".
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = text.find("\n\n");
  std::istringstream head(text.substr(0, split));
  HttpRequest request;
  std::string line;
  std::getline(head, line);
  const std::size_t space = line.find(' ');
  request.method = line.substr(0, space);
  request.target = space == std::string::npos ? "/" : line.substr(space + 1);
  if (request.target.empty() || request.target[0] != '/') request.target.insert(0, "/");
  while (std::getline(head, line)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = line.substr(std::min(line.size(), colon + 2));
  }
  request.body = split == std::string::npos ? "" : text.substr(split + 2);
  request.client = "127.0.0.1";
  (void)fixture.router->Handle(request);
  return 0;
}
