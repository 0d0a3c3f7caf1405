// The notification transports: e-mail over SMTP (libcurl: STARTTLS required unless smtp_tls "none" on loopback,
// implicit TLS for smtps://, authentication when configured) and the SMS/WhatsApp gateway (HTTP,
// signed like the bank calls). Kept out of notifications.cpp so that only this file sees libcurl
// and Beast.
#include <curl/curl.h>
#include <sodium.h>

#include <ctime>
#include <memory>
#include <random>

#include "checked_json.h"
#include "daftar/keys.h"
#include "http_client.h"
#include "notifications.h"

namespace daftar::server {
namespace {

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// An RFC 5322 message: UTF-8 text, the subject encoded (RFC 2047), lines ending in CRLF. libcurl
// escapes lines that begin with a dot.
std::string MailMessage(const std::string& from, const Outgoing& m) {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  const std::string domain = from.substr(from.find('@') + 1);
  std::string text = "Date: " + std::string(date) + "\r\nFrom: " + from + "\r\nTo: " + m.to + "\r\nMessage-ID: <" + m.id + "@" +
                     domain + ">\r\nSubject: =?UTF-8?B?" + Base64(m.subject) +
                     "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  for (const char c : m.text) {
    if (c == '\n') text += '\r';
    text += c;
  }
  return text + "\r\n";
}

struct Upload {
  std::string_view rest;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  Upload& u = *static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, u.rest.size());
  std::copy_n(u.rest.data(), n, buffer);
  u.rest.remove_prefix(n);
  return n;
}

}  // namespace

Transport SmtpTransport(const NotificationsConfig::Email& email, int timeout_ms) {
  static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)initialised;
  return [email, timeout_ms](const Outgoing& m, std::string& error) {
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
      error = "libcurl could not start";
      return false;
    }
    const std::string message = MailMessage(email.from, m);
    Upload upload{message};
    const std::string from = "<" + email.from + ">", to = "<" + m.to + ">";
    const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(curl_slist_append(nullptr, to.c_str()),
                                                                                curl_slist_free_all);
    char why[CURL_ERROR_SIZE] = "";
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, email.smtp_url.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
    // STARTTLS or nothing: without it the password and the codes would cross the network in clear.
    curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(email.tls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    if (!email.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, email.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, email.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
    const CURLcode result = curl_easy_perform(c);
    if (result != CURLE_OK) error = "SMTP: " + std::string(why[0] != '\0' ? why : curl_easy_strerror(result));
    return result == CURLE_OK;
  };
}

Transport GatewayTransport(const NotificationsConfig::Sms& sms, int timeout_ms) {
  const std::optional<HttpUrl> url = HttpUrl::Parse(sms.url);
  return [url, sms, timeout_ms](const Outgoing& m, std::string& error) {
    if (!url) {
      error = "the gateway URL " + sms.url + " cannot be used";
      return false;
    }
    const std::string body = json{{"id", m.id}, {"to", m.to}, {"text", m.text}}.dump(-1, ' ', false, json::error_handler_t::replace);
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    const std::string nonce = Hex({reinterpret_cast<const char*>(raw), sizeof raw});
    const std::string timestamp = std::to_string(std::time(nullptr));
    const FetchResult r = Fetch(*url, "POST", url->base_path.empty() ? "/" : "",
                                {{"Content-Type", "application/json"}, {"Idempotency-Key", m.id}, {"X-Timestamp", timestamp},
                                 {"X-Nonce", nonce}, {"X-Signature", BankCallSignature(sms.secret, timestamp, nonce, body)}},
                                body, std::chrono::milliseconds(timeout_ms));
    if (r.status / 100 == 2) return true;
    error = r.status == 0 ? "gateway: " + r.error : "gateway answered " + std::to_string(r.status);
    return false;
  };
}

}  // namespace daftar::server
