// Operator accounts and sessions. `daftar operator add` creates an account with a one-time set-up
// link; the operator chooses a password there (stored as libsodium's crypto_pwhash string, Argon2id);
// signing in gives a session token (stored hashed) and a CSRF token. The console sends the
// session as an HttpOnly cookie and the CSRF token in a header; scripts (`daftar admin`) send the
// session as a Bearer token, which no browser adds by itself, so it needs no CSRF token.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "registry.h"
#include "store.h"

namespace daftar::server {

inline constexpr std::size_t kMinOperatorPassword = 12;
inline constexpr int64_t kSetupLinkSeconds = 72 * 3600;
inline constexpr int64_t kTrustDays = 30;  // a device or address an operator signed in from is known this long

class Operators {
 public:
  Operators(Store& store, Clock clock, int session_hours) : store_(store), clock_(std::move(clock)), session_hours_(session_hours) {}

  // A new account (role "reviewer" or "supervisor"), or a new set-up link for an existing one
  // when `reset`. The set-up token (shown once), or nullopt with `error`.
  std::optional<std::string> Add(const std::string& name, const std::string& role, bool reset, std::string& error);

  // POST /api/v1/operator/setup {"token","password"}.
  Answer Setup(const json& request);

  struct SignedIn {
    std::string session, csrf;
    int64_t expires = 0;
    OperatorIdentity who;
    std::string device;  // a new device token: this browser is known from now on (kTrustDays)
  };
  // {"name","password"} from `client` carrying the device token `device` (may be empty): a
  // session, or nullopt (wrong name and wrong password look the same, and cost the same: a
  // password hash is checked either way). Tries are counted per name before the password is
  // checked: 5 at once, then 2, 4, 8 … up to 900 s apart (`wait`: the seconds until the next, no
  // password checked). A device or an address this operator signed in from before counts apart,
  // so a flood of wrong passwords from elsewhere does not lock the owner out.
  std::optional<SignedIn> SignIn(const json& request, const std::string& client, const std::string& device, int64_t& wait);

  struct Session {
    OperatorIdentity who;
    std::string csrf;
  };
  std::optional<Session> Find(const std::string& session_token);
  bool SignOut(const std::string& session_token);
  void ForgetExpired();

 private:
  Store& store_;
  Clock clock_;
  const int session_hours_;
};

// Session tokens, operators' and members': 32 random bytes in URL-safe base64, stored only as their
// BLAKE2b hash, so a copy of the database signs no one in.
[[nodiscard]] std::string RandomToken();
[[nodiscard]] std::string TokenHash(std::string_view token);

// Constant-time comparison of two secrets.
[[nodiscard]] bool SameSecret(std::string_view a, std::string_view b);

}  // namespace daftar::server
