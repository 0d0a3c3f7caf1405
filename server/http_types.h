// A request in, a response out: what the HTTP server (http_server.cpp, Beast) hands to whatever
// serves the requests, without sockets. The router serves Daftar's API; `daftar registry-sim`
// serves the population registry's contract.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace daftar::server {

struct HttpRequest {
  std::string method;
  std::string target;                         // path and query
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string client;                         // the peer's address, for rate limits
  bool tls = false;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string route;  // the route's name, for metrics ("static", "registrations", …)
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;
  // The largest body a request may carry, known from its head before the body is read.
  [[nodiscard]] virtual int64_t BodyLimit(const std::string& method, const std::string& target,
                                          const std::string& content_type) const = 0;
  // Called after each response is written.
  virtual void Observe(const std::string& route, int status, double seconds) {
    (void)route, (void)status, (void)seconds;
  }
  // Housekeeping, now and then (expired uploads and the like).
  virtual void Sweep() {}
};

}  // namespace daftar::server
