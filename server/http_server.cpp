#include "http_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "router.h"  // ProblemResponse

namespace daftar::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

struct Shared {
  HttpHandler& handler;
  const Limits& limits;
  const std::vector<std::string>& trusted_proxies;
  asio::thread_pool& handlers;
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::mutex per_client_mutex{};
  std::map<std::string, int> per_client{};  // open connections by address

  [[nodiscard]] bool Trusted(const std::string& address) const {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), address) != trusted_proxies.end();
  }

  // Counts a connection from `client` unless its address already holds its share (a trusted
  // load balancer carries everyone's connections: it has no share).
  bool Admit(const std::string& client) {
    if (Trusted(client)) return true;
    std::lock_guard lock(per_client_mutex);
    int& open = per_client[client];
    if (open >= limits.max_connections_per_client) return false;
    ++open;
    return true;
  }
  void Leave(const std::string& client) {
    if (Trusted(client)) return;
    std::lock_guard lock(per_client_mutex);
    if (--per_client[client] <= 0) per_client.erase(client);
  }
};

// `head_fields`: how many of the request's fields came in its head. A chunked body's trailer adds
// fields after them, which are never taken as headers (an X-Forwarded-For there would name any
// client it likes, past the proxy that wrote the real one).
HttpRequest ToRouter(const http::request<http::string_body>& req, std::size_t head_fields, const Shared& shared,
                     const std::string& peer, bool tls) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  std::size_t seen = 0;
  for (const auto& field : req) {
    if (seen++ == head_fields) break;
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  r.body = req.body();
  r.client = peer;
  // Behind a trusted load balancer the client is the address it saw: the last one it appended.
  const auto forwarded = r.headers.find("x-forwarded-for");
  if (shared.Trusted(peer) && forwarded != r.headers.end()) {
    std::string last = forwarded->second.substr(forwarded->second.rfind(',') + 1);
    last.erase(0, last.find_first_not_of(' '));
    if (!last.empty()) r.client = last;
  }
  r.tls = tls;
  return r;
}

http::response<http::string_body> FromRouter(HttpResponse&& r, const http::request<http::string_body>& req) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
  res.set(http::field::server, "daftar");
  for (auto& [name, value] : r.headers) res.insert(name, value);
  const std::size_t length = r.body.size();
  res.body() = std::move(r.body);
  res.keep_alive(req.keep_alive());
  if (r.status == 204 || r.status == 304) {
    res.body().clear();
  } else if (req.method() == http::verb::head) {
    res.body().clear();
    res.content_length(length);
  } else {
    res.prepare_payload();
  }
  return res;
}

// An answer for requests that never reach the handler (malformed, too large): the connection closes.
http::response<http::string_body> Refusal(int status, const char* code, const http::request<http::string_body>& req) {
  http::response<http::string_body> res = FromRouter(ProblemResponse(status, code), req);
  res.keep_alive(false);
  return res;
}

template <class Stream>
beast::tcp_stream& Lowest(Stream& stream) {
  return beast::get_lowest_layer(stream);
}

// The handler's answer; should it throw (it is written not to), the client hears 500 with a code
// it can report, the operator reads what happened in the log, and the connection's counts are
// kept (an escaped exception would end the session without an answer).
HttpResponse HandleSafely(HttpHandler& handler, const HttpRequest& request) {
  std::string what = "an exception of unknown type";
  try {
    return handler.Handle(request);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // The path only: a query may carry what the log must not keep.
  std::cerr << "daftar serve: " << request.method << " " << request.target.substr(0, request.target.find('?'))
            << " failed: " << what << "\n";
  return ProblemResponse(500, "http.internal_error", "internal");
}

// Runs `undo` when its scope ends, however it ends: a connection's and a request's counts.
template <class F>
struct OnExit {
  F undo;
  ~OnExit() { undo(); }
};
template <class F>
OnExit(F) -> OnExit<F>;

// Runs on the worker pool: the handler may wait there for a durable commit.
awaitable<HttpResponse> HandleOnPool(HttpHandler& handler, HttpRequest request) { co_return HandleSafely(handler, request); }

template <class Stream>
awaitable<void> Serve(Stream& stream, Shared& shared, std::string client, bool tls) {
  beast::flat_buffer buffer;
  const auto timeout = std::chrono::seconds(shared.limits.read_timeout_seconds);
  while (!shared.stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(shared.limits.max_header_bytes));
    // The largest any route takes while the head is read; the route's own limit once it is known.
    parser.body_limit(static_cast<std::uint64_t>(std::max(shared.limits.max_body_bytes, shared.limits.max_package_bytes)));
    // One deadline for the whole request, headers and body: a slow sender is cut off.
    Lowest(stream).expires_after(timeout);
    beast::error_code ec;
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    std::size_t head_fields = 0;
    if (!ec) {
      head_fields = static_cast<std::size_t>(std::distance(parser.get().begin(), parser.get().end()));
      // The route decides how large a body may be: a status lookup never takes 24 MiB. A declared
      // length is judged before any of the body is read; a chunked body as it arrives.
      const auto& head = parser.get();
      const auto limit = static_cast<std::uint64_t>(shared.handler.BodyLimit(
          std::string(head.method_string()), std::string(head.target()), std::string(head[http::field::content_type])));
      if (parser.content_length().value_or(0) > limit) {
        ec = http::error::body_limit;
      } else if (!parser.is_done()) {
        parser.body_limit(limit);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      }
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      break;
    }
    if (ec) {
      const http::request<http::string_body> unread;
      http::response<http::string_body> res =
          ec == http::error::body_limit     ? Refusal(413, "http.body_too_large", unread)
          : ec == http::error::header_limit ? Refusal(431, "http.headers_too_large", unread)
                                            : Refusal(400, "http.malformed_request", unread);
      Lowest(stream).expires_after(timeout);
      co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      break;
    }
    http::request<http::string_body> req = parser.release();
    const auto started = std::chrono::steady_clock::now();
    ++shared.in_flight;
    const OnExit answered{[&shared] { --shared.in_flight; }};
    // Health checks answer here, never queued behind the heaviest requests on the pool. (No
    // co_await inside a conditional expression: GCC 12 miscompiles that.)
    HttpResponse answer;
    if (req.target() == "/healthz") {
      answer = HandleSafely(shared.handler, ToRouter(req, head_fields, shared, client, tls));
    } else {
      answer = co_await asio::co_spawn(shared.handlers.get_executor(),
                                       HandleOnPool(shared.handler, ToRouter(req, head_fields, shared, client, tls)), use_awaitable);
    }
    const std::string route = answer.route;
    const int status = answer.status;
    http::response<http::string_body> res = FromRouter(std::move(answer), req);
    if (shared.stopping) res.keep_alive(false);
    Lowest(stream).expires_after(timeout);
    beast::error_code write_ec;
    co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, write_ec));
    shared.handler.Observe(route, status, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (write_ec || !res.keep_alive()) break;
  }
}

// Runs on the connection's own strand: its reads, writes and timers never run concurrently.
awaitable<void> Session(tcp::socket socket, std::string client, Shared& shared, ssl::context* tls) {
  const OnExit left{[&shared, &client] {
    shared.Leave(client);
    --shared.connections;
  }};
  beast::error_code ec;
  beast::tcp_stream plain(std::move(socket));
  if (tls == nullptr) {
    co_await Serve(plain, shared, client, false);
    plain.socket().shutdown(tcp::socket::shutdown_send, ec);
  } else {
    beast::ssl_stream<beast::tcp_stream> secure(std::move(plain), *tls);
    beast::get_lowest_layer(secure).expires_after(std::chrono::seconds(shared.limits.read_timeout_seconds));
    co_await secure.async_handshake(ssl::stream_base::server, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      co_await Serve(secure, shared, client, true);
      co_await secure.async_shutdown(asio::redirect_error(use_awaitable, ec));
    }
  }
}

// An address over its share of connections hears why before the connection closes.
awaitable<void> RefuseConnection(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(std::chrono::seconds(5));
  http::response<http::string_body> res = Refusal(503, "http.too_many_connections", {});
  res.set(http::field::retry_after, "10");
  beast::error_code ec;
  co_await http::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

awaitable<void> Listen(tcp::acceptor& acceptor, Shared& shared, ssl::context* tls) {
  while (!shared.stopping) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(acceptor.get_executor()),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (shared.stopping || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. too many open files: keep serving the connections we have
    }
    if (shared.connections >= shared.limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // over the cap: refuse rather than starve everyone
      continue;
    }
    std::string client;
    const auto peer = socket.remote_endpoint(ec);
    if (!ec) client = peer.address().to_string();
    const auto executor = socket.get_executor();
    if (!shared.Admit(client)) {
      asio::co_spawn(executor, RefuseConnection(std::move(socket)), asio::detached);
      continue;
    }
    ++shared.connections;
    asio::co_spawn(executor, Session(std::move(socket), std::move(client), shared, tls), asio::detached);
  }
}

// After SIGINT/SIGTERM: requests in flight finish (for at most `patience`), then the loop stops.
awaitable<void> Drain(asio::io_context& io, Shared& shared, std::chrono::seconds patience) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (shared.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_awaitable);
  }
  io.stop();
}

}  // namespace

int RunHttpServer(HttpHandler& handler, const Config& config, const ListenOptions& options,
                  const std::function<void(const std::string& url)>& ready) {
  asio::thread_pool handlers(options.handler_threads);
  const Limits& limits = config.limits;
  Shared shared{handler, limits, config.trusted_proxies, handlers};
  // After `shared`, so destroyed before it: the sessions still open when the server stops (idle
  // keep-alive connections) end with the io_context, and their guards release counts in `shared`.
  asio::io_context io;

  std::unique_ptr<ssl::context> tls;
  if (!options.tls_cert.empty()) {
    tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls->use_certificate_chain_file(options.tls_cert, ec);
    if (!ec) tls->use_private_key_file(options.tls_key, ssl::context::pem, ec);
    if (!ec && !options.client_ca.empty()) {
      tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      tls->load_verify_file(options.client_ca, ec);
    }
    if (ec) {
      std::cerr << "daftar serve: TLS certificate or key: " << ec.message() << "\n";
      return 1;
    }
  }

  tcp::acceptor acceptor(io);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    std::cerr << "daftar serve: cannot listen on " << options.host << ": " << ec.message() << "\n";
    return 2;
  }
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::cerr << "daftar serve: cannot listen on " << options.host << ":" << options.port << ": " << ec.message() << "\n";
    return 1;
  }
  const auto bound = acceptor.local_endpoint();
  asio::co_spawn(io, Listen(acceptor, shared, tls.get()), asio::detached);

  // Abandoned uploads are deleted every few minutes.
  asio::steady_timer sweep(io);
  std::function<void()> schedule = [&] {
    sweep.expires_after(std::chrono::minutes(5));
    sweep.async_wait([&](beast::error_code e) {
      if (e || shared.stopping) return;
      asio::post(handlers, [&] { handler.Sweep(); });
      schedule();
    });
  };
  handler.Sweep();
  schedule();

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) {
    shared.stopping = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    sweep.cancel();
    asio::co_spawn(io, Drain(io, shared, std::chrono::seconds(limits.read_timeout_seconds)), asio::detached);
  });

  const std::string url = std::string(tls ? "https" : "http") + "://" +
                          (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string()) +
                          ":" + std::to_string(bound.port());
  ready(url);
  const unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  std::vector<std::thread> runners;
  for (unsigned i = 1; i < threads; ++i) runners.emplace_back([&] { io.run(); });
  io.run();
  for (std::thread& t : runners) t.join();
  handlers.join();
  return 0;
}

}  // namespace daftar::server
