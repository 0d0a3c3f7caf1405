// The notification job: messages queued in the outbox (in the same transaction as the event they
// tell of) are sent by workers in the server, each on its channel's transport, and copied to the
// sink file when one is configured. A message is claimed with a lease, so restarts and kill -9
// lose nothing and any replica may send it; a failed send is retried with backoff and jitter until
// it goes. Delivery is at least once: a server killed after a send but before recording it sends
// again after the lease, with the same message id (the e-mail's Message-ID, the gateway's
// Idempotency-Key), by which receivers drop the repeat.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>

#include "config.h"
#include "registry.h"
#include "workers.h"

namespace daftar::server {

// One message, rendered, as a transport sends it.
struct Outgoing {
  std::string id;       // stable across retries and servers
  std::string to;       // a phone number or an e-mail address
  std::string subject;  // e-mail only
  std::string text;
};
// Sends one message; false with `error` when it did not go (it is then retried).
using Transport = std::function<bool(const Outgoing&, std::string& error)>;

// The transports (notifications_transports.cpp): e-mail over SMTP with libcurl, SMS or WhatsApp
// through an HTTP gateway, signed like the bank calls (docs/api.md).
[[nodiscard]] Transport SmtpTransport(const NotificationsConfig::Email& email, int timeout_ms);
[[nodiscard]] Transport GatewayTransport(const NotificationsConfig::Sms& sms, int timeout_ms);

class Notifier {
 public:
  // A channel without a transport is delivered to the sink file only.
  Notifier(Registry& registry, const NotificationsConfig& config, Transport email, Transport sms);
  ~Notifier() { Stop(); }

  // A worker per channel: a mail server or a gateway that hangs delays only its own messages.
  void Start() {
    email_workers_.Start(1, [this] { return WorkOne("email"); });
    sms_workers_.Start(1, [this] { return WorkOne("sms"); });
  }
  void Stop() {
    email_workers_.Stop();
    sms_workers_.Stop();
  }
  // Claims one due message of `channel` and sends it; false when none was due.
  bool WorkOne(const std::string& channel);

  [[nodiscard]] uint64_t sent() const { return sent_; }
  [[nodiscard]] uint64_t failed_attempts() const { return failed_; }

 private:
  bool Deliver(const OutboxRow& m, std::string& error);
  bool AppendToSink(const OutboxRow& m, const std::string& text, std::string& error);

  Registry& registry_;
  const NotificationsConfig config_;
  Transport email_, sms_;
  Workers email_workers_, sms_workers_;
  std::mutex mutex_;  // guards random_ and the sink file's appends
  std::mt19937_64 random_{std::random_device{}()};
  std::atomic<uint64_t> sent_{0}, failed_{0};
};

}  // namespace daftar::server
