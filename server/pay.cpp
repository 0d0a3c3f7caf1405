// `daftar pay`: posts a payment as a bank would (host-to-host, HMAC-signed), so a person running
// the server by hand can finish the journey.
#include <sodium.h>

#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "daftar/keys.h"
#include "http_client.h"

namespace daftar::cli {
namespace {

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
  const Args args = Parse(raw, {"--server", "--bank", "--secret", "--va", "--amount", "--bank-ref", "--paid-at",
                                "--months-ahead"});
  const auto server = args.Option("--server"), bank = args.Option("--bank"), secret = args.Option("--secret"),
             va = args.Option("--va"), amount = args.Option("--amount"), ahead = args.Option("--months-ahead");
  const auto number = [](const std::optional<std::string>& text, std::size_t max_digits) {
    return text && !text->empty() && text->size() <= max_digits && text->find_first_not_of("0123456789") == std::string::npos;
  };
  if (!server || !bank || !secret || !va || !number(amount, 15) || !args.positional.empty() || (ahead && !number(ahead, 2))) {
    throw UsageError{"usage: daftar pay --server URL --bank BANKX --secret S --va VA --amount N [--months-ahead N] "
                     "[--bank-ref R] [--paid-at ISO]"};
  }
  const std::optional<server::HttpUrl> url = server::HttpUrl::Parse(*server);
  if (!url) throw UsageError{"--server takes http://HOST:PORT or https://HOST:PORT"};

  std::string bank_ref = args.Option("--bank-ref").value_or("");
  if (bank_ref.empty()) {
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    bank_ref = std::string("CLI-") + hex;
  }
  json call = {{"va", *va}, {"amount", std::stoll(*amount)}, {"bank_ref", bank_ref},
               {"paid_at", args.Option("--paid-at").value_or(LocalTimestamp())}};
  if (ahead) call["months_ahead"] = std::stoi(*ahead);
  const std::string body = call.dump();
  // A fresh nonce and the current time with every call: the server accepts each call once.
  unsigned char raw_nonce[16];
  randombytes_buf(raw_nonce, sizeof raw_nonce);
  const std::string nonce = Hex({reinterpret_cast<const char*>(raw_nonce), sizeof raw_nonce});
  const std::string timestamp = std::to_string(std::time(nullptr));
  const std::string signature = BankCallSignature(*secret, timestamp, nonce, body);

  const server::FetchResult r = server::Fetch(*url, "POST", "/api/v1/va/payment",
                                             {{"Content-Type", "application/json"}, {"X-Bank-Id", *bank},
                                              {"X-Timestamp", timestamp}, {"X-Nonce", nonce}, {"X-Signature", signature}},
                                             body, std::chrono::seconds(30));
  if (r.status == 0) {
    std::cerr << "daftar pay: cannot reach " << *server << ": " << r.error << "\n";
    return kUsage;
  }
  const json answer = json::parse(r.body, nullptr, false);
  std::cout << (answer.is_discarded() ? r.body : answer.dump(2)) << "\n";
  return r.status / 100 == 2 ? kOk : kInvalid;
}

}  // namespace daftar::cli
