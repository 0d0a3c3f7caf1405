// The HTTP/1.1 server (Boost.Beast, C++20 coroutines): accepts connections, reads requests with
// limits and timeouts, hands each to an HttpHandler on a worker pool (it may wait for a durable
// commit), writes the answer. SIGINT/SIGTERM stop accepting and finish requests in flight.
#pragma once

#include <functional>
#include <string>

#include "config.h"
#include "http_types.h"

namespace daftar::server {

struct ListenOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::string tls_cert;  // PEM files; both empty: plain HTTP
  std::string tls_key;
  std::string client_ca;  // PEM: require a client certificate signed by it (mutual TLS)
  int handler_threads = 64;  // concurrent requests waiting on storage, grouped into commits
};

// Runs until SIGINT or SIGTERM. `ready` is called with the bound address once listening.
// Returns a process exit code.
int RunHttpServer(HttpHandler& handler, const Config& config, const ListenOptions& options,
                  const std::function<void(const std::string& url)>& ready);

}  // namespace daftar::server
