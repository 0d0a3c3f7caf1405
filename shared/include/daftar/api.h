// The dispatcher: the single entry to the rules. JSON text in, JSON text out. The CLI, the wasm
// binding and the server all call this, so the browser and the server cannot disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace daftar {

struct TariffTable;

// Members one application may list unless the server's limits.max_members says otherwise: a
// bound on the work one request costs and on how many NIKs one stranger can hold.
inline constexpr int kDefaultMaxMembers = 20;

enum class Outcome {
  kOk,          // the input is valid, or the answer was computed
  kInvalid,     // the input breaks a rule: the answer lists the errors
  kBadRequest,  // not JSON, not an object, or an unknown command
};

struct Reply {
  Outcome outcome = Outcome::kOk;
  std::string body;     // one JSON document
  std::string payload;  // bytes some commands return beside the JSON (sealed frames, documents)
};

struct DispatchOptions {
  const TariffTable* tariffs = nullptr;  // nullptr: the built-in table
  int indent = -1;                       // -1: compact; n: pretty, n spaces
  // The date ("YYYY-MM-DD") to use when the input names none ("today", "date"). The caller reads
  // its own clock (the CLI the machine's, the browser the device's); the core never does.
  std::string default_today;
  int max_members = kDefaultMaxMembers;
};

// Rules: check-nik, check-kk, check-card, validate, quote, card-next, va, check-image-quality,
// consent-text.
// Sealing (builds linked with libsodium): seal-start, seal-add, seal-finish, open-package,
// check-document, verify-signed, blake2b. Inputs and answers are described in README.md and docs/package-format.md.
// Dates ("today", "date") come from the input, else from options.default_today: the core has no
// clock. `payload` carries bytes for the commands that take them (documents, pixels, packages).
[[nodiscard]] Reply Dispatch(std::string_view command, std::string_view input_json,
                             const DispatchOptions& options = {}, std::string_view payload = {});
[[nodiscard]] std::vector<std::string_view> DispatchCommands();

}  // namespace daftar
