#include "notifications.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "checked_json.h"
#include "daftar/messages.h"
#include "population_registry.h"

namespace daftar::server {
namespace {

std::vector<Param> ParamsOf(const std::string& text) {
  std::vector<Param> params;
  const json object = json::parse(text, nullptr, false);
  if (!object.is_object()) return params;
  for (const auto& [name, value] : object.items()) {
    if (value.is_number_integer()) {
      params.push_back({name, value.get<int64_t>()});
    } else if (value.is_string()) {
      params.push_back({name, value.get<std::string>()});
    }
  }
  return params;
}

Message Render(const std::string& code, const std::vector<Param>& params) {
  return RenderMessage({Severity::kWarning, "", code, params});
}

}  // namespace

Notifier::Notifier(Registry& registry, const NotificationsConfig& config, Transport email, Transport sms)
    : registry_(registry), config_(config), email_(std::move(email)), sms_(std::move(sms)) {}

bool Notifier::WorkOne(const std::string& channel) {
  const int64_t now = registry_.clock().unix_seconds();
  std::vector<OutboxRow> claimed;
  const bool ok = registry_.store().Write([&](Changes& c) {
    claimed = c.ClaimMessages(channel, now, now + config_.lease_seconds, 1);
    return true;
  });
  if (!ok || claimed.empty()) return false;
  // A sealed code is opened for the send only; once sent, the outbox keeps the message without it.
  OutboxRow m = claimed.front();
  std::optional<std::string> kept;
  std::string error;
  json params = json::parse(m.params, nullptr, false);
  const std::string sealed_key(Registry::kSealedCode);
  bool opened = true;
  if (params.is_object() && params.contains(sealed_key)) {
    const std::optional<std::string> code = registry_.OpenFromOutbox(TextOf(params[sealed_key]));
    params.erase(sealed_key);
    kept = params.dump();
    opened = code.has_value();
    if (opened) params["code"] = *code;
    m.params = params.dump();
    if (!opened) error = "its sealed code does not open with this server's token.key";
  }
  if (opened && Deliver(m, error)) {
    ++sent_;
    // If this write fails the lease runs out and the message goes again, with the same id.
    (void)registry_.store().Write([&](Changes& c) { return c.MessageSent(m.id, registry_.clock().now(), kept); });
    return true;
  }
  ++failed_;
  double unit = 0;
  {
    std::lock_guard lock(mutex_);
    unit = std::uniform_real_distribution<double>(0, 1)(random_);
  }
  const int64_t attempts = m.attempts + 1;
  const int64_t wait = BackoffSeconds(static_cast<int>(attempts), config_.retry_base_seconds, config_.retry_max_seconds, unit);
  (void)registry_.store().Write([&](Changes& c) {
    return c.RescheduleMessage(m.id, registry_.clock().unix_seconds() + wait, attempts, error);
  });
  if (attempts == 1 || attempts % 10 == 0) {
    std::cerr << "daftar: message " << m.id << " (" << m.channel << ") not sent: " << error << "; retry in " << wait
              << " s (attempt " << attempts << ")\n";
  }
  return true;
}

bool Notifier::Deliver(const OutboxRow& m, std::string& error) {
  const std::vector<Param> params = ParamsOf(m.params);
  const Message body = Render(m.template_code, params);
  const bool english = m.language == "en";
  Outgoing out{"daftar-" + std::to_string(m.id), m.recipient, "", english ? body.en : body.id};
  const Transport* transport = nullptr;
  if (m.channel == "email") {
    // An e-mail carries both languages: the family's first, then the other.
    out.text += "\n\n---\n\n" + (english ? body.id : body.en) + "\n";
    const Message subject = Render(m.template_code + "_subject", params);
    out.subject = english ? subject.en : subject.id;
    transport = email_ ? &email_ : nullptr;
  } else if (m.channel == "sms") {
    transport = sms_ ? &sms_ : nullptr;
  }
  if (transport == nullptr && config_.sink_file.empty()) {
    error = "no transport for " + m.channel + " is configured";
    return false;
  }
  if (transport != nullptr && !(*transport)(out, error)) return false;
  return config_.sink_file.empty() || AppendToSink(m, out.text, error);
}

bool Notifier::AppendToSink(const OutboxRow& m, const std::string& text, std::string& error) {
  const json line = {{"at", registry_.clock().now()}, {"id", "daftar-" + std::to_string(m.id)}, {"channel", m.channel},
                     {"to", m.recipient},          {"template", m.template_code},                {"params", json::parse(m.params, nullptr, false)},
                     {"text", text}};
  const std::string bytes = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  // One write with O_APPEND: lines from several servers sharing the file do not interleave.
  const int fd = ::open(config_.sink_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const bool ok = fd >= 0 && ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  if (fd >= 0) ::close(fd);
  if (!ok) error = "cannot append to " + config_.sink_file;
  return ok;
}

}  // namespace daftar::server
