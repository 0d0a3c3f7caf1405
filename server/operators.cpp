#include "operators.h"

#include <sodium.h>

#include <limits>

#include "checked_json.h"

namespace daftar::server {

std::string RandomToken() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string token(sodium_base64_encoded_len(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(token.data(), token.size(), raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token.pop_back();  // the terminating NUL
  return token;
}

std::string TokenHash(std::string_view token) {
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr, 0);
  return {reinterpret_cast<const char*>(out), sizeof out};
}

namespace {

std::string HashPassword(const std::string& password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return {};  // out of memory
  }
  return out;
}

}  // namespace

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> Operators::Add(const std::string& name, const std::string& role, bool reset, std::string& error) {
  const bool name_ok = !name.empty() && name.size() <= 64 &&
                       name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (!name_ok) {
    error = "an operator name has 1 to 64 characters: a-z, 0-9, '.', '_', '-'";
    return std::nullopt;
  }
  if (!reset && role != "reviewer" && role != "supervisor") {
    error = "--role is reviewer or supervisor";
    return std::nullopt;
  }
  const std::string token = RandomToken();
  const int64_t expires = clock_.unix_seconds() + kSetupLinkSeconds;
  Changes::Outcome outcome = Changes::Outcome::kFailed;
  const bool stored = store_.Write([&](Changes& c) {
    if (reset) {
      outcome = c.ResetOperator(name, TokenHash(token), expires) ? Changes::Outcome::kOk : Changes::Outcome::kConflict;
    } else {
      outcome = c.AddOperator(name, role, TokenHash(token), expires, clock_.now());
    }
    return outcome == Changes::Outcome::kOk;
  });
  if (outcome == Changes::Outcome::kConflict) {
    error = reset ? "no operator named " + name : "an operator named " + name + " exists (--reset gives a new set-up link)";
    return std::nullopt;
  }
  if (!stored) {
    error = "storage failed";
    return std::nullopt;
  }
  return token;
}

Answer Operators::Setup(const json& request) {
  const std::string token = TextOf(Field(request, "token")), password = TextOf(Field(request, "password"));
  if (password.size() < kMinOperatorPassword || password.size() > 1024) {
    return Problem(422, "operator.weak_password", "/password", {{"min", static_cast<int64_t>(kMinOperatorPassword)}});
  }
  const std::string hash = HashPassword(password);
  if (hash.empty()) return Problem(503, "storage.unavailable");
  std::optional<OperatorRow> who;
  const bool done = store_.Write([&](Changes& c) {
    who = token.empty() ? std::nullopt : c.OperatorBySetup(TokenHash(token), clock_.unix_seconds());
    return who && c.SetOperatorPassword(who->id, hash);
  });
  if (!who) return Problem(400, "operator.setup_invalid", "/token");
  if (!done) return Problem(503, "storage.unavailable");
  return {200, {{"name", who->name}, {"role", who->role}}};
}

std::optional<Operators::SignedIn> Operators::SignIn(const json& request, const std::string& client, const std::string& device,
                                                    int64_t& wait) {
  // Password tries per name: 5 at once, then 2 s, 4 s … 15 minutes apart; no daily cap, so the owner
  // is never kept out longer than the last wait.
  static constexpr Allowance kPasswordTries{5, 2, 15 * 60, std::numeric_limits<int32_t>::max(), 86400};
  wait = 0;
  const std::string name = TextOf(Field(request, "name")), password = TextOf(Field(request, "password"));
  const std::optional<OperatorRow> row = name.size() <= 64 ? store_.OperatorByName(name) : std::nullopt;
  const int64_t now = clock_.unix_seconds();
  const std::string device_key = TokenHash("device:" + device), address_key = TokenHash("address:" + name + ":" + client);
  std::string tries_key = TokenHash("operator:" + name.substr(0, 64));
  if (!store_.Write([&](Changes& c) {
        if (row && !device.empty() && device.size() <= 128 && c.TrustedForOperator(device_key, row->id, now)) {
          tries_key = TokenHash("operator-device:" + device_key);
        } else if (row && c.TrustedForOperator(address_key, row->id, now)) {
          tries_key = TokenHash("operator-address:" + address_key);
        }
        return (wait = c.Take(tries_key, kPasswordTries, now)) == 0;
      })) {
    if (wait == 0) wait = 1;  // storage failed: no try is evaluated uncounted
    return std::nullopt;
  }
  // An unknown name costs a hash check too: timing tells nothing about which names exist.
  static const std::string kDecoy = HashPassword("decoy password, never anyone's");
  const std::string& stored = row && row->password_hash ? *row->password_hash : kDecoy;
  const bool ok = password.size() <= 1024 &&
                  crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0 && row && row->password_hash;
  if (!ok) return std::nullopt;
  SignedIn s{RandomToken(), RandomToken(), now + int64_t{session_hours_} * 3600, {row->id, row->name, row->role}, RandomToken()};
  const int64_t trusted_until = now + kTrustDays * 86400;
  if (!store_.Write([&](Changes& c) {
        return c.ForgetThrottle(tries_key) && c.AddOperatorSession(TokenHash(s.session), row->id, s.csrf, s.expires) &&
               c.TrustForOperator(TokenHash("device:" + s.device), row->id, trusted_until) &&
               c.TrustForOperator(address_key, row->id, trusted_until);
      })) {
    return std::nullopt;
  }
  return s;
}

std::optional<Operators::Session> Operators::Find(const std::string& session_token) {
  if (session_token.empty() || session_token.size() > 128) return std::nullopt;
  const std::optional<OperatorSessionRow> row = store_.OperatorSession(TokenHash(session_token), clock_.unix_seconds());
  if (!row) return std::nullopt;
  return Session{{row->who.id, row->who.name, row->who.role}, row->csrf};
}

bool Operators::SignOut(const std::string& session_token) {
  return store_.Write([&](Changes& c) { return c.DeleteOperatorSession(TokenHash(session_token)); });
}

void Operators::ForgetExpired() {
  const int64_t now = clock_.unix_seconds();
  (void)store_.Write([&](Changes& c) { return c.ForgetOperatorSessions(now) && c.ForgetOperatorTrust(now); });
}

}  // namespace daftar::server
