#include "http_client.h"

#include <strings.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace daftar::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Every step of a call is asynchronous, so that the stream's one deadline covers them all: Beast's
// timeouts apply to asynchronous operations only (a blocking read would wait for ever).
template <class Stream>
asio::awaitable<void> Exchange(Stream& stream, http::request<http::string_body>& req, FetchResult& out) {
  beast::error_code ec;
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 << 20);
  if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = ec.message();
    co_return;
  }
  const auto& res = parser.get();
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
}

asio::awaitable<void> Call(const HttpUrl& url, http::request<http::string_body>& req, const tcp::resolver::results_type& endpoints,
                           std::chrono::milliseconds timeout, const ClientTls& tls, FetchResult& out) {
  beast::error_code ec;
  beast::tcp_stream tcp_stream(co_await asio::this_coro::executor);
  tcp_stream.expires_after(timeout);  // one deadline for the whole call: connect, TLS, request, answer
  co_await tcp_stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "cannot connect to " + url.host + ":" + url.port + ": " + ec.message();
    co_return;
  }
  if (!url.tls) {
    co_await Exchange(tcp_stream, req, out);
    tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_peer);
  if (tls.ca_file.empty()) {
    context.set_default_verify_paths(ec);
  } else {
    context.load_verify_file(tls.ca_file, ec);
  }
  if (!ec && !tls.client_cert.empty()) context.use_certificate_chain_file(tls.client_cert, ec);
  if (!ec && !tls.client_key.empty()) context.use_private_key_file(tls.client_key, ssl::context::pem, ec);
  if (ec) {
    out.error = "TLS set-up: " + ec.message();
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), context);
  SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "TLS handshake with " + url.host + ": " + ec.message();
    co_return;
  }
  co_await Exchange(stream, req, out);
  // The close_notify exchange has its own short deadline: the answer is in already.
  beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(500));
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

std::optional<HttpUrl> HttpUrl::Parse(std::string_view url) {
  HttpUrl out;
  if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else if (url.rfind("https://", 0) == 0) {
    url.remove_prefix(8);
    out.tls = true;
  } else {
    return std::nullopt;
  }
  const std::size_t slash = url.find('/');
  const std::string_view authority = url.substr(0, slash);
  out.base_path = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  const std::size_t colon = authority.rfind(':');
  const bool bracketed = !authority.empty() && authority.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
    out.host = std::string(authority.substr(0, colon));
    out.port = std::string(authority.substr(colon + 1));
  } else {
    out.host = std::string(authority);
    out.port = out.tls ? "443" : "80";
  }
  if (out.host.size() > 2 && out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty() || out.port.empty() || out.port.size() > 5 || out.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return out;
}

std::string FetchResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return {};
}

FetchResult Fetch(const HttpUrl& url, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                  std::chrono::milliseconds timeout, const ClientTls& tls) {
  FetchResult out;
  asio::io_context io;
  beast::error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(url.host, url.port, ec);
  if (ec) {
    out.error = "cannot resolve " + url.host + ": " + ec.message();
    return out;
  }
  http::request<http::string_body> req{http::string_to_verb(method), url.base_path + target, 11};
  req.set(http::field::host, url.host + ":" + url.port);
  req.set(http::field::user_agent, "daftar");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
  req.keep_alive(false);

  asio::co_spawn(io, Call(url, req, endpoints, timeout, tls, out), asio::detached);
  io.run();
  if (out.error == beast::error_code(beast::error::timeout).message()) out.error = "no answer within " + std::to_string(timeout.count()) + " ms";
  return out;
}

}  // namespace daftar::server
