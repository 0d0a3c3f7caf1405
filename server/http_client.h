// A small HTTP/1.1 client (Boost.Beast, synchronous, one connection per call) for the calls the
// server and the CLI make to others: the population registry, `daftar pay` to a server, `daftar
// admin` to a server. Every call has one deadline for connecting, writing and reading.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daftar::server {

struct HttpUrl {
  bool tls = false;
  std::string host, port, base_path;  // base_path without a trailing '/', "" for the root
  // "http://host:port/prefix" or "https://…"; nullopt for anything else.
  static std::optional<HttpUrl> Parse(std::string_view url);
};

// TLS for https URLs: the peer is verified against `ca_file` (else the system's CAs); a client
// certificate and key (PEM) are presented when given (mutual TLS).
struct ClientTls {
  std::string ca_file, client_cert, client_key;
};

struct FetchResult {
  int status = 0;      // 0: no answer (then `error` says why)
  std::string body;
  std::string error;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  [[nodiscard]] std::string Header(std::string_view name) const;  // case-insensitive; "" if absent
};

// `target` is appended to the URL's base path. Never throws.
[[nodiscard]] FetchResult Fetch(const HttpUrl& url, const std::string& method, const std::string& target,
                                const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                                std::chrono::milliseconds timeout, const ClientTls& tls = {});

}  // namespace daftar::server
