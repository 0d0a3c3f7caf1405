// The dispatcher: the single entry to the rules. JSON text in, JSON text out. The CLI, the wasm
// binding and the server all call this, so the browser and the server cannot disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace daftar {

struct TariffTable;

enum class Outcome {
  kOk,          // the input is valid, or the answer was computed
  kInvalid,     // the input breaks a rule: the answer lists the errors
  kBadRequest,  // not JSON, not an object, or an unknown command
};

struct Reply {
  Outcome outcome = Outcome::kOk;
  std::string body;  // one JSON document
};

struct DispatchOptions {
  const TariffTable* tariffs = nullptr;  // nullptr: the built-in table
  int indent = -1;                       // -1: compact; n: pretty, n spaces
  // The date ("YYYY-MM-DD") to use when the input names none ("today", "date"). The caller reads
  // its own clock (the CLI the machine's, the browser the device's); the core never does.
  std::string default_today;
};

// Commands: check-nik, check-kk, check-card, validate, quote, card-next, va. Inputs and answers
// are described in README.md. Dates ("today", "date") come from the input, else from
// options.default_today: the core has no clock.
[[nodiscard]] Reply Dispatch(std::string_view command, std::string_view input_json,
                             const DispatchOptions& options = {});
[[nodiscard]] std::vector<std::string_view> DispatchCommands();

}  // namespace daftar
