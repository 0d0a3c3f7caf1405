#include "router.h"

#include <sodium.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>

#include "checked_json.h"
#include "daftar/documents.h"
#include "daftar/json_depth.h"
#include "notifications.h"
#include "verification.h"

namespace daftar::server {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTusVersion = "1.0.0";
constexpr double kLatencyBounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

HttpResponse JsonResponse(const Answer& a, std::string route) {
  HttpResponse r;
  r.status = a.status;
  r.body = a.body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", a.status >= 400 ? "application/problem+json" : "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  if (a.retry_after > 0) r.headers.emplace_back("Retry-After", std::to_string(a.retry_after));
  r.route = std::move(route);
  return r;
}

std::string Header(const HttpRequest& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

// `text` as a gzip stream (RFC 1952), or nothing if zlib fails.
std::optional<std::string> Gzipped(const std::string& text) {
  z_stream z{};
  // 15 + 16: a gzip wrapper rather than zlib's own.
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const bool done = deflate(&z, Z_FINISH) == Z_STREAM_END;
  out.resize(z.total_out);
  deflateEnd(&z);
  if (!done) return std::nullopt;
  return out;
}

// A public JSON document every visit asks for (the config): revalidated by its ETag, so a repeat
// visit costs a 304, and compressed for browsers that accept gzip. Never for answers that carry a
// secret: compressing those beside what an attacker sends would leak them (BREACH).
HttpResponse Revalidated(const HttpRequest& request, HttpResponse r) {
  if (r.status != 200) return r;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(r.body.data()), r.body.size(), nullptr, 0);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  const std::string etag = '"' + std::string(hex) + '"';
  std::erase_if(r.headers, [](const auto& h) { return h.first == "Cache-Control"; });
  r.headers.insert(r.headers.end(), {{"Cache-Control", "no-cache"}, {"ETag", etag}, {"Vary", "Accept-Encoding"}});
  if (Header(request, "if-none-match") == etag) {
    r.status = 304;
    r.body.clear();
  } else if (Header(request, "accept-encoding").find("gzip") != std::string::npos) {
    if (std::optional<std::string> gz = Gzipped(r.body)) {
      r.body = std::move(*gz);
      r.headers.emplace_back("Content-Encoding", "gzip");
    }
  }
  return r;
}

std::string Bearer(const HttpRequest& r) {
  const std::string value = Header(r, "authorization");
  return value.rfind("Bearer ", 0) == 0 ? value.substr(7) : std::string();
}

// %XX decoded; in a query (`plus_is_space`) '+' is a space too.
std::string PercentDecoded(std::string_view raw, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(plus_is_space && raw[i] == '+' ? ' ' : raw[i]);
    }
  }
  return out;
}

// The value of `name` in the query of `target`, percent-decoded; "" when absent.
std::string QueryParam(const std::string& target, std::string_view name) {
  const std::size_t q = target.find('?');
  if (q == std::string::npos) return {};
  std::stringstream s(target.substr(q + 1));
  for (std::string pair; std::getline(s, pair, '&');) {
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == std::string::npos ? "" : PercentDecoded(std::string_view(pair).substr(eq + 1), true);
  }
  return {};
}

std::string Cookie(const HttpRequest& r, std::string_view name) {
  std::stringstream s(Header(r, "cookie"));
  for (std::string part; std::getline(s, part, ';');) {
    part.erase(0, part.find_first_not_of(' '));
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 && part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
  }
  return {};
}

// The console's cookies. Over HTTPS (here or at the proxy) they take the __Host- prefix, which a
// browser accepts only when Secure, for Path=/ and without Domain: no other site or subdomain can
// set or overwrite them.
struct ConsoleCookies {
  bool secure;
  [[nodiscard]] std::string Name(std::string_view base) const { return (secure ? "__Host-" : "") + std::string(base); }
  [[nodiscard]] std::string Set(std::string_view base, const std::string& value, int64_t max_age) const {
    return Name(base) + "=" + value + (secure ? "; Path=/" : "; Path=/api/v1/operator") + "; Max-Age=" + std::to_string(max_age) +
           "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
  }
};
constexpr std::string_view kOperatorCookie = "daftar_operator";
constexpr std::string_view kDeviceCookie = "daftar_device";

// A request another site made the browser send (a form, a fetch from its page): refused by the
// console whatever it carries. Browsers say so in Sec-Fetch-Site, older ones by an Origin that is
// not this host; a script (`daftar admin`, curl) sends neither and is judged by its Bearer token.
bool CrossSite(const HttpRequest& r) {
  const std::string site = Header(r, "sec-fetch-site");
  if (!site.empty() && site != "same-origin" && site != "none") return true;
  const std::string origin = Header(r, "origin");
  if (origin.empty()) return false;
  const std::size_t scheme = origin.find("://");
  return scheme == std::string::npos || origin.substr(scheme + 3) != Header(r, "host");
}

bool IsJson(const HttpRequest& r) {
  const std::string type = Header(r, "content-type");
  return type.substr(0, type.find(';')) == "application/json";
}


std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream s(path);
  for (std::string part; std::getline(s, part, '/');) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// A JSON body from outside: nullopt when malformed or nested too deep (then `refusal` says which).
std::optional<json> ParseBody(const std::string& text, std::string& refusal) {
  if (NestedDeeperThan(text)) {
    refusal = "input.too_deep";
    return std::nullopt;
  }
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) {
    refusal = "input.malformed_json";
    return std::nullopt;
  }
  return body;
}

HttpResponse BodyRefusal(const std::string& refusal, std::string route) {
  return refusal == "input.too_deep"
             ? ProblemResponse(422, refusal, std::move(route), "", {{"max", int64_t{kMaxJsonDepth}}})
             : ProblemResponse(400, refusal, std::move(route));
}

HttpResponse WithRetryAfter(HttpResponse r, int seconds) {
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

std::string MediaType(const fs::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".wasm", "application/wasm"}, {".json", "application/json"}, {".svg", "image/svg+xml"},
      {".png", "image/png"}, {".jpg", "image/jpeg"}, {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"}, {".txt", "text/plain; charset=utf-8"}};
  const auto it = kTypes.find(path.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

// Every response, API or page: no framing, no sniffing, no referrer, scripts from here only
// (WebAssembly allowed; a worker takes its policy from its script), and HSTS when served over TLS.
// The headers only a page heeds (framing, permissions, opener) are left off the types a browser
// never shows as a page (scripts, styles, wasm, JSON): on a slow link, a tenth of a kilobyte on
// each of the two dozen files of a first visit.
void SecurityHeaders(HttpResponse& r, bool tls) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
                         "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
                         "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  const auto type = std::find_if(r.headers.begin(), r.headers.end(), [](const auto& h) { return h.first == "Content-Type"; });
  const std::string_view media = type == r.headers.end() ? "" : std::string_view(type->second).substr(0, type->second.find(';'));
  constexpr std::string_view kNeverAPage[] = {"text/javascript", "text/css", "application/wasm", "application/json",
                                              "application/problem+json", "application/manifest+json"};
  if (std::find(std::begin(kNeverAPage), std::end(kNeverAPage), media) == std::end(kNeverAPage)) {
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Permissions-Policy", "camera=(self), geolocation=(), microphone=()");
    r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  }
  if (tls) r.headers.emplace_back("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
}

}  // namespace

HttpResponse ProblemResponse(int status, std::string code, std::string route, std::string path, std::vector<Param> params) {
  return JsonResponse(Problem(status, std::move(code), std::move(path), std::move(params)), std::move(route));
}

Router::Router(Registry& registry, const Config& config, const ServerKeys& keys, Clock clock, RouterOptions options)
    : registry_(registry), config_(config), keys_(keys), clock_(std::move(clock)), options_(std::move(options)),
      uploads_(registry.database(), config_.limits),
      operators_(registry.store(), clock_, config_.operator_session_hours),
      latency_buckets_(std::size(kLatencyBounds) + 1) {}

int64_t Router::BodyLimit(const std::string& method, const std::string& target, const std::string& content_type) const {
  const std::string path = target.substr(0, target.find('?'));
  if (method == "PATCH" && path.rfind("/api/v1/uploads/", 0) == 0) return config_.limits.max_package_bytes;
  const bool corrections = path.size() > 12 && path.compare(path.size() - 12, 12, "/corrections") == 0;
  if (method == "POST" && (path == "/api/v1/registrations" || path == "/api/v1/me/changes" || corrections) &&
      content_type.rfind("application/vnd.daftar.package", 0) == 0) {
    return config_.limits.max_package_bytes;
  }
  if (method == "POST") return config_.limits.max_body_bytes;
  return 0;  // reads, deletes and upload creation carry no body
}

bool Router::LowOnDisk() const {
  struct statvfs fs_stat{};
  if (::statvfs(options_.data_dir.c_str(), &fs_stat) != 0) return true;  // cannot tell: do not risk it
  const auto free_bytes = static_cast<int64_t>(fs_stat.f_bavail) * static_cast<int64_t>(fs_stat.f_frsize);
  return free_bytes < config_.limits.min_free_disk_bytes;
}

HttpResponse Router::Handle(const HttpRequest& request) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  HttpResponse r;
  if (path == "/healthz") {
    r = JsonResponse({200, {{"status", "ok"}}}, "healthz");
  } else if (path == "/metrics") {
    r = Metrics();
  } else if (path.rfind("/api/", 0) == 0) {
    r = Api(request, path);
  } else {
    r = Static(request, path);
  }
  if (r.status == 304) {
    // A 304 only refreshes what the browser keeps, whose own headers stay in force: it carries the
    // validator and the caching rules (RFC 9110, 15.4.5) and nothing else, which on a slow link
    // saves half a kilobyte for every file the app revalidates.
    std::erase_if(r.headers, [](const auto& h) { return h.first != "ETag" && h.first != "Cache-Control" && h.first != "Vary"; });
  } else {
    SecurityHeaders(r, request.tls || config_.proxy_terminates_tls);
  }
  return r;
}

HttpResponse Router::Api(const HttpRequest& request, const std::string& path) {
  const std::vector<std::string> s = Segments(path);
  const std::string& method = request.method;
  const auto only = [&](std::initializer_list<const char*> methods, std::string route) -> std::optional<HttpResponse> {
    std::string allow;
    for (const char* m : methods) {
      if (method == m) return std::nullopt;
      allow += (allow.empty() ? "" : ", ") + std::string(m);
    }
    HttpResponse r = ProblemResponse(405, "http.method_not_allowed", std::move(route), "", {{"allowed", allow}});
    r.headers.emplace_back("Allow", allow);
    return r;
  };
  if (s.size() < 3 || s[1] != "v1") return ProblemResponse(404, "http.not_found", "api");
  const std::string& area = s[2];
  if (area == "config" && s.size() == 3) {
    if (auto refused = only({"GET"}, "config")) return *refused;
    return Revalidated(request, ConfigDocument());
  }
  if (area == "uploads" && s.size() <= 4) return Uploads(request, s.size() == 4 ? s[3] : "");
  if (area == "registrations" && s.size() == 3) {
    if (auto refused = only({"POST"}, "registrations")) return *refused;
    return Registrations(request);
  }
  if (area == "registrations" && s.size() == 5 && s[4] == "corrections") {
    if (auto refused = only({"POST"}, "corrections")) return *refused;
    return Corrections(request, s[3]);
  }
  if (area == "registrations" && s.size() == 4) {
    if (auto refused = only({"GET"}, "registration")) return *refused;
    if (!Allow(request.client, "lookup", config_.limits.lookups_per_minute)) {
      return ProblemResponse(429, "http.rate_limited", "registration");
    }
    return JsonResponse(registry_.Status(s[3], Bearer(request)), "registration");
  }
  if (area == "va" && s.size() == 4 && (s[3] == "inquiry" || s[3] == "payment")) {
    if (auto refused = only({"POST"}, "va_" + s[3])) return *refused;
    return Bank(request, s[3]);
  }
  if (area == "operator") return Operator(request, s);
  if (area == "session" && s.size() == 4) {
    if (auto refused = only({"POST"}, "session")) return *refused;
    return MemberSession(request, s[3]);
  }
  if (area == "me") return Me(request, s);
  if (area == "coverage-check" && s.size() == 3) {
    if (auto refused = only({"POST"}, "coverage_check")) return *refused;
    if (!Allow(request.client, "lookup", config_.limits.lookups_per_minute)) return ProblemResponse(429, "http.rate_limited", "coverage_check");
    std::string refusal;
    const std::optional<json> body = ParseBody(request.body, refusal);
    if (!body) return BodyRefusal(refusal, "coverage_check");
    return JsonResponse(registry_.CoverageCheck(*body), "coverage_check");
  }
  if (area == "facilities" && s.size() == 3) {
    if (auto refused = only({"GET"}, "facilities")) return *refused;
    return Facilities(request);
  }
  return ProblemResponse(404, "http.not_found", "api");
}

HttpResponse Router::ConfigDocument() {
  const json tariffs = json::parse(config_.tariffs_json, nullptr, false);
  const json documents = json::parse(BuiltinDocumentRulesJson(), nullptr, false);
  const auto b64 = [](const PublicKey& k) { return Base64Encode({reinterpret_cast<const char*>(k.data()), k.size()}); };
  return JsonResponse({200,
                       {{"keys", {{"intake", b64(keys_.intake.public_key)}, {"signing", b64(keys_.signing.public_key)}}},
                        {"tariffs", tariffs},
                        {"limits",
                         {{"documents", documents},
                          {"max_package_bytes", config_.limits.max_package_bytes},
                          {"upload_expiry_seconds", config_.limits.upload_expiry_seconds}}},
                        {"payment_window",
                         {{"earliest_days", config_.earliest_days},
                          {"latest_days", config_.latest_days},
                          {"count", config_.working_days ? "working" : "calendar"}}},
                        {"va_prefix", config_.va_prefix},
                        // The web app asks for consent to the population-registry check when it is made.
                        {"population_check", config_.population_registry.has_value()},
                        // ... and the choice of a health facility once operators loaded the table.
                        {"facilities", registry_.store().FacilityCount() > 0},
                        {"draft_expiry_days", config_.draft_expiry_days},
                        {"version", options_.version}}},
                      "config");
}

// tus 1.0.0, core and the creation, expiration and termination extensions (uploads.h stores them).
HttpResponse Router::Uploads(const HttpRequest& request, const std::string& id) {
  const auto tus = [&](HttpResponse r) {
    r.headers.emplace_back("Tus-Resumable", std::string(kTusVersion));
    r.route = "uploads";
    return r;
  };
  if (request.method == "OPTIONS") {
    HttpResponse r;
    r.status = 204;
    r.headers = {{"Tus-Version", std::string(kTusVersion)},
                 {"Tus-Extension", "creation,expiration,termination"},
                 {"Tus-Max-Size", std::to_string(config_.limits.max_package_bytes)}};
    return tus(r);
  }
  if (Header(request, "tus-resumable") != kTusVersion) {
    HttpResponse r = ProblemResponse(412, "upload.tus_version", "uploads", "", {{"version", std::string(kTusVersion)}});
    r.headers.emplace_back("Tus-Version", std::string(kTusVersion));
    return tus(r);
  }
  const int64_t now = clock_.unix_seconds();
  if (id.empty()) {
    if (request.method != "POST") return tus(ProblemResponse(405, "http.method_not_allowed", "uploads", "", {{"allowed", "POST, OPTIONS"}}));
    const std::string length_text = Header(request, "upload-length");
    if (length_text.empty() || length_text.size() > 12 || length_text.find_first_not_of("0123456789") != std::string::npos) {
      return tus(ProblemResponse(400, "upload.length_required", "uploads"));
    }
    const int64_t length = std::stoll(length_text);
    if (length > config_.limits.max_package_bytes) {
      return tus(ProblemResponse(413, "upload.too_large", "uploads", "", {{"max_bytes", config_.limits.max_package_bytes}}));
    }
    if (!Allow(request.client, "upload", config_.limits.uploads_per_minute)) {
      return tus(WithRetryAfter(ProblemResponse(429, "http.rate_limited", "uploads"), 60));
    }
    if (LowOnDisk()) return tus(WithRetryAfter(ProblemResponse(503, "storage.low_disk", "uploads"), 300));
    const int64_t expires = now + int64_t{config_.limits.upload_expiry_seconds};
    std::string code;
    int64_t max_bytes = 0;
    const std::optional<std::string> created = uploads_.Create(request.client, length, expires, now, code, max_bytes);
    if (!created && code == "upload.quota_exceeded") {
      return tus(WithRetryAfter(ProblemResponse(429, code, "uploads", "", {{"max_bytes", max_bytes}}), 600));
    }
    if (!created) return tus(ProblemResponse(503, "storage.unavailable", "uploads"));
    HttpResponse r;
    r.status = 201;
    r.headers = {{"Location", "/api/v1/uploads/" + *created}, {"Upload-Offset", "0"},
                 {"Upload-Expires", std::to_string(expires)}};
    return tus(r);
  }
  const std::optional<UploadStore::Upload> found = IsUploadId(id) ? uploads_.Find(id, now) : std::nullopt;
  if (!found) return tus(ProblemResponse(404, "upload.not_found", "uploads"));
  if (request.method == "HEAD") {
    HttpResponse r;
    r.headers = {{"Upload-Offset", std::to_string(found->offset)}, {"Upload-Length", std::to_string(found->length)},
                 {"Upload-Expires", std::to_string(found->expires)}, {"Cache-Control", "no-store"}};
    return tus(r);
  }
  if (request.method == "DELETE") {
    uploads_.Remove(id);
    HttpResponse r;
    r.status = 204;
    return tus(r);
  }
  if (request.method != "PATCH") {
    HttpResponse r = ProblemResponse(405, "http.method_not_allowed", "uploads", "", {{"allowed", "HEAD, PATCH, DELETE"}});
    r.headers.emplace_back("Allow", "HEAD, PATCH, DELETE");
    return tus(r);
  }
  if (Header(request, "content-type") != "application/offset+octet-stream") {
    return tus(ProblemResponse(415, "upload.content_type", "uploads"));
  }
  const std::string claimed = Header(request, "upload-offset");
  if (claimed.empty() || claimed.size() > 12 || claimed.find_first_not_of("0123456789") != std::string::npos) {
    return tus(ProblemResponse(409, "upload.offset_mismatch", "uploads", "", {{"offset", found->offset}}));
  }
  if (LowOnDisk()) return tus(WithRetryAfter(ProblemResponse(503, "storage.low_disk", "uploads"), 300));
  UploadStore::Upload after;
  switch (uploads_.Append(id, std::stoll(claimed), request.body, now, after)) {
    case UploadStore::Appended::kNotFound:
      return tus(ProblemResponse(404, "upload.not_found", "uploads"));
    case UploadStore::Appended::kOffsetMismatch:
      return tus(ProblemResponse(409, "upload.offset_mismatch", "uploads", "", {{"offset", after.offset}}));
    case UploadStore::Appended::kExceedsLength:
      return tus(ProblemResponse(413, "upload.exceeds_length", "uploads", "", {{"length", after.length}}));
    case UploadStore::Appended::kStorageFailed:
      return tus(ProblemResponse(503, "storage.unavailable", "uploads"));
    case UploadStore::Appended::kOk:
      break;
  }
  HttpResponse r;
  r.status = 204;
  r.headers = {{"Upload-Offset", std::to_string(after.offset)}};
  return tus(r);
}

void Router::Sweep() {
  const int64_t now = clock_.unix_seconds();
  uploads_.Expire(now);
  registry_.ExpireUnpaid();
  operators_.ForgetExpired();
  registry_.ForgetMemberSecrets();
  // Counts of earlier minutes, and nonces older than twice the accepted clock skew (their
  // timestamps are refused anyway), are no longer needed.
  (void)registry_.store().Write([&](Changes& c) {
    return c.ForgetNonces(now - 2 * kBankClockSkewSeconds) &&
           (!registry_.database().Shared() || c.ForgetRequestCounts(now / 60 - 1));
  });
  // Buckets idle for a minute are full again: forgetting them changes nothing, and keeps the map
  // as small as the addresses of the last minute.
  std::lock_guard lock(buckets_mutex_);
  std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.at > 60; });
}

std::variant<std::string, HttpResponse> Router::PackageOf(const HttpRequest& request, const std::string& route,
                                                         std::string& upload_id) {
  const std::string type = Header(request, "content-type");
  if (type.rfind("application/vnd.daftar.package", 0) == 0) return request.body;
  if (type.rfind("application/json", 0) != 0) return ProblemResponse(415, "registration.content_type", route);
  std::string refusal;
  const std::optional<json> body = ParseBody(request.body, refusal);
  if (!body) return BodyRefusal(refusal, route);
  upload_id = TextOf(Field(*body, "upload"));
  if (!IsUploadId(upload_id)) return ProblemResponse(422, "input.required", route, "/upload");
  std::optional<UploadStore::Upload> upload;
  std::optional<std::string> package = uploads_.ReadComplete(upload_id, clock_.unix_seconds(), upload);
  if (!upload) return ProblemResponse(404, "upload.not_found", route, "/upload");
  if (!package) {
    return ProblemResponse(409, "upload.incomplete", route, "/upload", {{"offset", upload->offset}, {"length", upload->length}});
  }
  return std::move(*package);
}

HttpResponse Router::Registrations(const HttpRequest& request) {
  if (!Allow(request.client, "register", config_.limits.registrations_per_minute)) {
    return WithRetryAfter(ProblemResponse(429, "http.rate_limited", "registrations"), 60);
  }
  const std::string key = Header(request, "idempotency-key");
  if (key.size() > 128) return ProblemResponse(400, "registration.idempotency_key_too_long", "registrations");
  // Before SQLite ever meets a full disk; the family's package stays on its device.
  if (LowOnDisk()) return WithRetryAfter(ProblemResponse(503, "storage.low_disk", "registrations"), 300);
  std::string upload_id;
  auto package = PackageOf(request, "registrations", upload_id);
  if (auto* refusal = std::get_if<HttpResponse>(&package)) return std::move(*refusal);
  HttpResponse r = JsonResponse(registry_.Register(std::get<std::string>(package), key), "registrations");
  if (r.status == 201 && !upload_id.empty()) uploads_.Remove(upload_id);
  return r;
}

// The facilities a family may choose: those of a district or a regency that accept members and
// have room.
HttpResponse Router::Facilities(const HttpRequest& request) {
  if (!Allow(request.client, "lookup", config_.limits.lookups_per_minute)) return ProblemResponse(429, "http.rate_limited", "facilities");
  const std::string district = QueryParam(request.target, "district").substr(0, 16);
  const std::string regency = QueryParam(request.target, "regency").substr(0, 16);
  if (district.empty() && regency.empty()) return ProblemResponse(422, "input.required", "facilities", "/district");
  json list = json::array();
  for (const FacilityRow& f : registry_.store().OpenFacilities(district, regency)) {
    list.push_back({{"code", f.code}, {"name", f.name}, {"type", f.type}, {"district_code", f.district_code}});
  }
  return JsonResponse({200, {{"facilities", std::move(list)}}}, "facilities");
}

HttpResponse Router::Corrections(const HttpRequest& request, const std::string& reference) {
  if (!Allow(request.client, "register", config_.limits.registrations_per_minute)) {
    return WithRetryAfter(ProblemResponse(429, "http.rate_limited", "corrections"), 60);
  }
  if (LowOnDisk()) return WithRetryAfter(ProblemResponse(503, "storage.low_disk", "corrections"), 300);
  std::string upload_id;
  auto package = PackageOf(request, "corrections", upload_id);
  if (auto* refusal = std::get_if<HttpResponse>(&package)) return std::move(*refusal);
  HttpResponse r = JsonResponse(registry_.Correct(reference, Bearer(request), std::get<std::string>(package)), "corrections");
  if (r.status == 202 && !upload_id.empty()) uploads_.Remove(upload_id);
  return r;
}

HttpResponse Router::Bank(const HttpRequest& request, const std::string& what) {
  const std::string route = "va_" + what;
  if (config_.banks.empty()) return WithRetryAfter(ProblemResponse(503, "payment.no_banks_configured", route), 3600);
  const std::string bank = Header(request, "x-bank-id");
  const std::string timestamp = Header(request, "x-timestamp"), nonce = Header(request, "x-nonce");
  const auto secret = config_.banks.find(bank);
  // An unknown bank and a wrong signature look the same from outside.
  if (secret == config_.banks.end() ||
      !SameSecret(Header(request, "x-signature"), BankCallSignature(secret->second, timestamp, nonce, request.body))) {
    return ProblemResponse(401, "auth.bad_signature", route);
  }
  // Signed, so the bank sent it; but once only, and only fresh.
  const bool timestamp_ok = !timestamp.empty() && timestamp.size() <= 12 &&
                            timestamp.find_first_not_of("0123456789") == std::string::npos &&
                            std::llabs(std::stoll(timestamp) - clock_.unix_seconds()) <= kBankClockSkewSeconds;
  const bool nonce_ok = nonce.size() >= 16 && nonce.size() <= 64 &&
                        nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                            std::string::npos;
  if (!timestamp_ok || !nonce_ok || !registry_.RememberNonce(bank, nonce, clock_.unix_seconds())) {
    return ProblemResponse(401, "auth.replayed", route);
  }
  std::string refusal;
  const std::optional<json> body = ParseBody(request.body, refusal);
  if (!body) return BodyRefusal(refusal, route);
  if (what == "inquiry") {
    if (!Allow(request.client, "lookup", config_.limits.lookups_per_minute * 100)) return ProblemResponse(429, "http.rate_limited", route);
    return JsonResponse(registry_.Inquiry(*body), route);
  }
  return JsonResponse(registry_.Payment(bank, *body), route);
}

// A member signs in: a code to the family's phone, then a session (Registry::StartSession).
HttpResponse Router::MemberSession(const HttpRequest& request, const std::string& what) {
  if (what == "end") return JsonResponse(registry_.EndSession(Bearer(request)), "session");
  if (what != "start" && what != "verify") return ProblemResponse(404, "http.not_found", "session");
  // Per address; the codes per card are limited by the registry, whoever asks.
  if (!Allow(request.client, "member_" + what, config_.limits.sign_ins_per_minute)) {
    return WithRetryAfter(ProblemResponse(429, "http.rate_limited", "session"), 60);
  }
  std::string refusal;
  const std::optional<json> body = ParseBody(request.body, refusal);
  if (!body) return BodyRefusal(refusal, "session");
  return JsonResponse(what == "start" ? registry_.StartSession(*body) : registry_.VerifySession(*body), "session");
}

// The signed-in member's page and changes: GET /me, POST /me/changes, POST /me/changes/{id}/confirm.
HttpResponse Router::Me(const HttpRequest& request, const std::vector<std::string>& s) {
  if (!Allow(request.client, "lookup", config_.limits.lookups_per_minute)) return ProblemResponse(429, "http.rate_limited", "me");
  const std::optional<MemberRef> who = registry_.SessionOf(Bearer(request));
  if (!who) {
    HttpResponse r = ProblemResponse(401, "session.required", "me");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const bool changes = s.size() >= 4 && s[3] == "changes";
  if (s.size() == 3) {
    if (request.method != "GET") return ProblemResponse(405, "http.method_not_allowed", "me", "", {{"allowed", "GET"}});
    return JsonResponse(registry_.Me(*who), "me");
  }
  if (!changes || (s.size() != 4 && !(s.size() == 6 && s[5] == "confirm"))) return ProblemResponse(404, "http.not_found", "me");
  if (request.method != "POST") return ProblemResponse(405, "http.method_not_allowed", "me_changes", "", {{"allowed", "POST"}});
  // A change with documents comes sealed, as a registration does.
  if (s.size() == 4 && Header(request, "content-type").rfind("application/vnd.daftar.package", 0) == 0) {
    return JsonResponse(registry_.RequestDocumentChange(*who, request.body), "me_changes");
  }
  std::string refusal;
  const std::optional<json> body = ParseBody(request.body, refusal);
  if (!body) return BodyRefusal(refusal, "me_changes");
  if (s.size() == 6) return JsonResponse(registry_.ConfirmChange(*who, Bearer(request), s[4], *body), "me_changes");
  return JsonResponse(registry_.RequestChange(*who, *body), "me_changes");
}

namespace {

// A document from a sealed package, for an operator's eyes: shown inline only when it is an image
// (a PDF is a download), and neither may run anything.
HttpResponse DocumentResponse(const CaseDocument& d, const std::string& name_prefix) {
  HttpResponse r;
  r.route = "operator_document";
  r.body = d.bytes;
  const bool image = d.media_type.rfind("image/", 0) == 0;
  const std::string name = name_prefix + "-" + d.kind + (d.member ? "-" + std::to_string(*d.member + 1) : "") +
                           (image ? (d.media_type == "image/png" ? ".png" : ".jpg") : ".pdf");
  r.headers = {{"Content-Type", image ? d.media_type : "application/pdf"},
               {"Content-Disposition", std::string(image ? "inline" : "attachment") + "; filename=\"" + name + "\""},
               {"Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'"},
               {"Cache-Control", "no-store"}};
  return r;
}

}  // namespace

std::optional<OperatorIdentity> Router::SignedIn(const HttpRequest& request, HttpResponse& refusal) {
  const std::string bearer = Bearer(request);
  if (options_.dev && !config_.admin_token.empty() && SameSecret(bearer, config_.admin_token)) {
    return OperatorIdentity{0, "dev-admin", "supervisor"};
  }
  const std::string cookie = Cookie(request, ConsoleCookies{request.tls || config_.proxy_terminates_tls}.Name(kOperatorCookie));
  const std::optional<Operators::Session> session = operators_.Find(bearer.empty() ? cookie : bearer);
  if (!session) {
    refusal = ProblemResponse(401, "operator.session_required", "operator");
    refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
    return std::nullopt;
  }
  // A cookie is sent by the browser whoever asks it to: a change must come from the console's own
  // page and carry the CSRF token that only the console's script has read.
  if (bearer.empty() && request.method != "GET" && request.method != "HEAD") {
    if (CrossSite(request)) {
      refusal = ProblemResponse(403, "operator.cross_site", "operator");
      return std::nullopt;
    }
    if (!SameSecret(Header(request, "x-csrf-token"), session->csrf)) {
      refusal = ProblemResponse(403, "operator.csrf", "operator");
      return std::nullopt;
    }
  }
  return session->who;
}

HttpResponse Router::Operator(const HttpRequest& request, const std::vector<std::string>& s) {
  const std::string& method = request.method;
  const std::string what = s.size() > 3 ? s[3] : "";
  std::string refusal_code;
  const auto body = [&]() -> std::optional<json> { return ParseBody(request.body, refusal_code); };
  const ConsoleCookies cookies = ConsoleCookies{request.tls || config_.proxy_terminates_tls};
  // Setting up and signing in are refused from other sites too: signed in as an attacker (login
  // CSRF), an operator would work into the attacker's account. JSON only, which no plain form
  // can send.
  if ((what == "setup" || what == "session") && s.size() == 4 && method == "POST") {
    if (CrossSite(request)) return ProblemResponse(403, "operator.cross_site", "operator");
    if (!IsJson(request)) return ProblemResponse(415, "http.json_required", "operator");
  }
  if (what == "setup" && s.size() == 4 && method == "POST") {
    if (!Allow(request.client, "operator_sign_in", 10)) return WithRetryAfter(ProblemResponse(429, "http.rate_limited", "operator"), 60);
    const std::optional<json> b = body();
    if (!b) return BodyRefusal(refusal_code, "operator");
    return JsonResponse(operators_.Setup(*b), "operator");
  }
  if (what == "session" && s.size() == 4 && method == "POST") {
    const std::optional<json> b = body();
    if (!b) return BodyRefusal(refusal_code, "operator");
    // Per address here; per name (and apart for known devices) in Operators::SignIn.
    if (!Allow(request.client, "operator_sign_in", 10)) return WithRetryAfter(ProblemResponse(429, "http.rate_limited", "operator"), 60);
    int64_t wait = 0;
    const std::optional<Operators::SignedIn> in = operators_.SignIn(*b, request.client, Cookie(request, cookies.Name(kDeviceCookie)), wait);
    if (wait > 0) {
      return WithRetryAfter(ProblemResponse(429, "operator.too_many_tries", "operator", "", {{"seconds", wait}}), static_cast<int>(wait));
    }
    if (!in) return ProblemResponse(401, "operator.bad_credentials", "operator");
    HttpResponse r = JsonResponse({200,
                                   {{"session", in->session}, {"csrf", in->csrf}, {"expires_at", IsoTimestamp(in->expires)},
                                    {"operator", {{"name", in->who.name}, {"role", in->who.role}}}}},
                                  "operator");
    r.headers.emplace_back("Set-Cookie", cookies.Set(kOperatorCookie, in->session, in->expires - clock_.unix_seconds()));
    r.headers.emplace_back("Set-Cookie", cookies.Set(kDeviceCookie, in->device, kTrustDays * 86400));
    return r;
  }
  HttpResponse refusal;
  const std::optional<OperatorIdentity> who = SignedIn(request, refusal);
  if (!who) return refusal;
  const std::string token = Bearer(request).empty() ? Cookie(request, cookies.Name(kOperatorCookie)) : Bearer(request);
  if (what == "session" && s.size() == 4 && method == "GET") {
    const std::optional<Operators::Session> session = operators_.Find(token);
    return JsonResponse({200, {{"operator", {{"name", who->name}, {"role", who->role}}}, {"csrf", session ? json(session->csrf) : json()}}}, "operator");
  }
  if (what == "session" && s.size() == 4 && method == "DELETE") {
    operators_.SignOut(token);
    HttpResponse r = JsonResponse({200, {{"signed_out", true}}}, "operator");
    r.headers.emplace_back("Set-Cookie", cookies.Set(kOperatorCookie, "", 0));
    return r;
  }
  if (what == "reasons" && s.size() == 4 && method == "GET") return JsonResponse({200, {{"reasons", Registry::RejectionReasons()}}}, "operator");
  if (what == "queue" && s.size() == 4 && method == "GET") {
    QueueFilter filter;
    const std::string status = QueryParam(request.target, "status");
    if (!status.empty()) {
      if (status != "review" && status != "needs_correction" && status != "verifying") {
        return ProblemResponse(422, "input.wrong_type", "operator", "/status", {{"expected", "review, needs_correction or verifying"}});
      }
      filter.statuses = {status};
    }
    filter.district = QueryParam(request.target, "district").substr(0, 16);
    const std::string days = QueryParam(request.target, "older_than_days");
    if (!days.empty()) {
      if (days.size() > 4 || days.find_first_not_of("0123456789") != std::string::npos) {
        return ProblemResponse(422, "input.out_of_range", "operator", "/older_than_days", {{"min", int64_t{0}}, {"max", int64_t{9999}}});
      }
      filter.received_before = IsoTimestamp(clock_.unix_seconds() - std::stoll(days) * 86400);
    }
    return JsonResponse(registry_.ReviewQueue(filter), "operator");
  }
  const auto is_number = [](const std::string& text, std::size_t max_digits) {
    return !text.empty() && text.size() <= max_digits && text.find_first_not_of("0123456789") == std::string::npos;
  };
  if (what == "changes") {
    if (s.size() == 4 && method == "GET") return JsonResponse(registry_.ChangeQueue(), "operator");
    if (s.size() < 5 || !is_number(s[4], 15)) return ProblemResponse(404, "http.not_found", "operator");
    const int64_t change = std::stoll(s[4]);
    if (s.size() == 5 && method == "GET") return JsonResponse(registry_.ChangeCase(change, *who), "operator");
    if (s.size() == 7 && s[5] == "documents" && method == "GET" && is_number(s[6], 2)) {
      const std::optional<CaseDocument> d = registry_.ChangeDocument(change, std::stoul(s[6]), *who);
      if (!d) return ProblemResponse(404, "http.not_found", "operator");
      return DocumentResponse(*d, "change-" + s[4]);
    }
    if (s.size() == 6 && method == "POST" && (s[5] == "approve" || s[5] == "reject")) {
      const std::optional<json> b = request.body.empty() ? std::optional<json>(json::object()) : body();
      if (!b) return BodyRefusal(refusal_code, "operator");
      return JsonResponse(registry_.DecideChange(change, *who, s[5] == "approve", *b), "operator");
    }
  }
  if (what == "registrations" && s.size() >= 5) {
    const std::string& reference = s[4];
    if (s.size() == 5 && method == "GET") return JsonResponse(registry_.Case(reference, *who), "operator");
    if (s.size() == 7 && s[5] == "documents" && method == "GET") {
      if (!is_number(s[6], 2)) return ProblemResponse(404, "http.not_found", "operator");
      const std::optional<CaseDocument> d = registry_.Document(reference, std::stoul(s[6]), *who);
      if (!d) return ProblemResponse(404, "http.not_found", "operator");
      return DocumentResponse(*d, reference);
    }
    if (s.size() == 6 && method == "POST") {
      const std::optional<json> b = request.body.empty() ? std::optional<json>(json::object()) : body();
      if (!b) return BodyRefusal(refusal_code, "operator");
      if (s[5] == "approve") return JsonResponse(registry_.Approve(reference, *who, *b), "operator");
      if (s[5] == "reject") return JsonResponse(registry_.Reject(reference, *who, *b), "operator");
      if (s[5] == "request-correction") return JsonResponse(registry_.RequestCorrection(reference, *who, *b), "operator");
    }
  }
  return ProblemResponse(404, "http.not_found", "operator");
}

HttpResponse Router::Static(const HttpRequest& request, const std::string& raw_path) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = ProblemResponse(405, "http.method_not_allowed", "static", "", {{"allowed", "GET, HEAD"}});
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  // Percent-decoding first, so that %2e%2e is seen for what it is.
  const std::string path = PercentDecoded(raw_path, false);
  const std::vector<std::string> parts = Segments(path);
  for (const std::string& part : parts) {
    if (part == ".." || part == "." || part.find('\\') != std::string::npos || part.find('\0') != std::string::npos) {
      return ProblemResponse(400, "http.bad_path", "static");
    }
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(options_.web_root, ec);
  fs::path file = root;
  for (const std::string& part : parts) file /= part;
  if (fs::is_directory(file, ec)) file /= "index.html";
  const fs::path real = fs::weakly_canonical(file, ec);
  const auto [end, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (ec || end != root.end() || !fs::is_regular_file(real, ec)) return ProblemResponse(404, "http.not_found", "static");

  // The smallest twin the browser accepts: brotli (browsers ask for it over HTTPS only), then gzip.
  const std::string accepted = Header(request, "accept-encoding");
  std::string encoding;
  fs::path served = real;
  for (const auto& [name, suffix] : {std::pair{"br", ".br"}, std::pair{"gzip", ".gz"}}) {
    if (encoding.empty() && accepted.find(name) != std::string::npos && fs::is_regular_file(real.string() + suffix, ec)) {
      encoding = name;
      served = real.string() + suffix;
    }
  }
  struct stat st{};
  if (::stat(served.c_str(), &st) != 0) return ProblemResponse(404, "http.not_found", "static");
  std::ostringstream etag;
  etag << '"' << std::hex << st.st_size << '-' << st.st_mtim.tv_sec << st.st_mtim.tv_nsec << (encoding.empty() ? "" : "-")
       << encoding << '"';
  HttpResponse r;
  r.route = "static";
  r.headers = {{"Content-Type", MediaType(real)}, {"ETag", etag.str()}, {"Vary", "Accept-Encoding"}};
  // Names carrying a content hash never change: cache them for a year. Others: revalidate.
  static const std::regex kHashed(R"(.*[.-][0-9a-f]{8,}\.[a-z0-9]+$)");
  r.headers.emplace_back("Cache-Control", std::regex_match(real.filename().string(), kHashed) ? "public, max-age=31536000, immutable" : "no-cache");
  if (!encoding.empty()) r.headers.emplace_back("Content-Encoding", encoding);
  if (Header(request, "if-none-match") == etag.str()) {
    r.status = 304;
    return r;
  }
  r.body = ReadFile(served.string()).value_or("");
  return r;
}

bool Router::Allow(const std::string& client, const std::string& bucket, int per_minute) {
  if (registry_.database().Shared()) {
    // Several servers: one count per address, route and minute, in the database. (A fixed
    // window admits up to twice the rate across a minute's boundary; the buckets below do not.)
    const int64_t minute = clock_.unix_seconds() / 60;
    int64_t count = 0;
    const bool counted = registry_.store().Write([&](Changes& c) { return (count = c.CountRequest(client, bucket, minute)) > 0; });
    return !counted || count <= per_minute;  // a database that cannot count does not lock people out
  }
  std::lock_guard lock(buckets_mutex_);
  const int64_t now = clock_.unix_seconds();
  Bucket& b = buckets_[{client, bucket}];
  if (b.at == 0) b.tokens = per_minute;
  b.tokens = std::min<double>(per_minute, b.tokens + (now - b.at) * per_minute / 60.0);
  b.at = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void Router::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(metrics_mutex_);
  ++requests_[{route, status}];
  std::size_t i = 0;
  while (i < std::size(kLatencyBounds) && seconds > kLatencyBounds[i]) ++i;
  ++latency_buckets_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

HttpResponse Router::Metrics() {
  std::ostringstream out;
  const json counts = registry_.Counts();
  {
    std::lock_guard lock(metrics_mutex_);
    out << "# HELP daftar_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE daftar_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      out << "daftar_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    }
    out << "# HELP daftar_http_request_duration_seconds Time from a request read to its response written.\n"
           "# TYPE daftar_http_request_duration_seconds histogram\n";
    uint64_t cumulative = 0;
    for (std::size_t i = 0; i < std::size(kLatencyBounds); ++i) {
      cumulative += latency_buckets_[i];
      out << "daftar_http_request_duration_seconds_bucket{le=\"" << kLatencyBounds[i] << "\"} " << cumulative << "\n";
    }
    cumulative += latency_buckets_.back();
    out << "daftar_http_request_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
        << "daftar_http_request_duration_seconds_sum " << latency_sum_ << "\n"
        << "daftar_http_request_duration_seconds_count " << latency_count_ << "\n";
  }
  out << "# HELP daftar_registrations Registrations stored, by status.\n# TYPE daftar_registrations gauge\n";
  for (const char* status : {"verifying", "needs_correction", "verified", "review", "active", "rejected", "expired"}) {
    const json& n = Field(counts, status);
    out << "daftar_registrations{status=\"" << status << "\"} " << (n.is_number_integer() ? n.get<int64_t>() : 0) << "\n";
  }
  out << "# HELP daftar_verification_jobs Registrations waiting for the population registry.\n"
         "# TYPE daftar_verification_jobs gauge\ndaftar_verification_jobs "
      << registry_.store().VerificationJobsWaiting() << "\n";
  if (verifier_ != nullptr) {
    out << "# HELP daftar_registry_unavailable_total Population registry calls answered unavailable (retried later).\n"
           "# TYPE daftar_registry_unavailable_total counter\ndaftar_registry_unavailable_total "
        << verifier_->unavailable_answers() << "\n"
        << "# HELP daftar_verifications_concluded_total Verification jobs concluded by this server.\n"
           "# TYPE daftar_verifications_concluded_total counter\ndaftar_verifications_concluded_total "
        << verifier_->concluded() << "\n";
  }
  const Store::OutboxCounts outbox = registry_.store().Outbox();
  out << "# HELP daftar_outbox_messages Messages to families in the outbox: unsent, unsent after a failed try, sent.\n"
         "# TYPE daftar_outbox_messages gauge\n"
      << "daftar_outbox_messages{state=\"unsent\"} " << outbox.unsent << "\n"
      << "daftar_outbox_messages{state=\"failing\"} " << outbox.failing << "\n"
      << "daftar_outbox_messages{state=\"sent\"} " << outbox.sent << "\n";
  if (notifier_ != nullptr) {
    out << "# HELP daftar_messages_sent_total Messages this server sent.\n# TYPE daftar_messages_sent_total counter\n"
        << "daftar_messages_sent_total " << notifier_->sent() << "\n"
        << "# HELP daftar_message_failures_total Sends that failed (each retried later).\n"
           "# TYPE daftar_message_failures_total counter\ndaftar_message_failures_total "
        << notifier_->failed_attempts() << "\n";
  }
  out << "# HELP daftar_upload_bytes_total Bytes received by resumable uploads.\n# TYPE daftar_upload_bytes_total counter\n"
      << "daftar_upload_bytes_total " << uploads_.bytes_received() << "\n";
  HttpResponse r;
  r.route = "metrics";
  r.body = out.str();
  r.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}, {"Cache-Control", "no-store"}};
  return r;
}

}  // namespace daftar::server
