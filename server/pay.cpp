// `daftar pay`: posts a payment as a bank would (host-to-host, HMAC-signed), so a person running
// the server by hand can finish the journey.
#include <sodium.h>

#include <ctime>
#include <iostream>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "daftar/keys.h"

namespace daftar::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::ordered_json;

std::string LocalTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string s = buf;
  s.insert(s.size() - 2, ":");  // +0700 -> +07:00
  return s;
}

}  // namespace

int Pay(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--server", "--bank", "--secret", "--va", "--amount", "--bank-ref", "--paid-at"});
  const auto server = args.Option("--server"), bank = args.Option("--bank"), secret = args.Option("--secret"),
             va = args.Option("--va"), amount = args.Option("--amount");
  if (!server || !bank || !secret || !va || !amount || !args.positional.empty() ||
      amount->find_first_not_of("0123456789") != std::string::npos || amount->empty() || amount->size() > 15) {
    throw UsageError{"usage: daftar pay --server URL --bank BANKX --secret S --va VA --amount N [--bank-ref R] [--paid-at ISO]"};
  }
  if (server->rfind("http://", 0) != 0) throw UsageError{"--server takes http://HOST:PORT"};
  std::string hostport = server->substr(7);
  hostport = hostport.substr(0, hostport.find('/'));
  const std::size_t colon = hostport.rfind(':');
  const std::string host = hostport.substr(0, colon), port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);

  std::string bank_ref = args.Option("--bank-ref").value_or("");
  if (bank_ref.empty()) {
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    bank_ref = std::string("CLI-") + hex;
  }
  const std::string body = json{{"va", *va}, {"amount", std::stoll(*amount)}, {"bank_ref", bank_ref},
                                {"paid_at", args.Option("--paid-at").value_or(LocalTimestamp())}}.dump();
  // A fresh nonce and the current time with every call: the server accepts each call once.
  unsigned char raw_nonce[16];
  randombytes_buf(raw_nonce, sizeof raw_nonce);
  const std::string nonce = Hex({reinterpret_cast<const char*>(raw_nonce), sizeof raw_nonce});
  const std::string timestamp = std::to_string(std::time(nullptr));
  const std::string signature = BankCallSignature(*secret, timestamp, nonce, body);

  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host, port, ec);
  if (!ec) stream.connect(endpoints, ec);
  if (ec) {
    std::cerr << "daftar pay: cannot reach " << *server << ": " << ec.message() << "\n";
    return kUsage;
  }
  http::request<http::string_body> req{http::verb::post, "/api/v1/va/payment", 11};
  req.set(http::field::host, hostport);
  req.set(http::field::content_type, "application/json");
  req.set("X-Bank-Id", *bank);
  req.set("X-Timestamp", timestamp);
  req.set("X-Nonce", nonce);
  req.set("X-Signature", signature);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) {
    std::cerr << "daftar pay: " << ec.message() << "\n";
    return kUsage;
  }
  const json answer = json::parse(res.body(), nullptr, false);
  std::cout << (answer.is_discarded() ? res.body() : answer.dump(2)) << "\n";
  return res.result_int() / 100 == 2 ? kOk : kInvalid;
}

}  // namespace daftar::cli
