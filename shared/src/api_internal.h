// What the dispatcher's command tables share (api_rules.cpp, api_sealing.cpp, api_server.cpp).
// Private to the core.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "daftar/api.h"
#include "daftar/tariffs.h"
#include "json_read.h"

namespace daftar {

// One call's input, options and output bytes.
struct Context {
  Context(const json& input, const DispatchOptions& options, std::string_view payload)
      : input(input), given_tariffs(options.tariffs), default_today(options.default_today), max_members(options.max_members),
        payload(payload) {}
  // The tariffs the caller gave, or the built-in ones: asked for only by the commands that price
  // something, so a build without them (the browser's sealing module) carries no tariff table.
  const TariffTable& tariffs() const { return given_tariffs ? *given_tariffs : BuiltinTariffs(); }
  const json& input;
  const TariffTable* given_tariffs;
  const std::string& default_today;
  int max_members;
  std::string_view payload;  // bytes given with the call
  std::string payload_out;   // bytes returned with the answer
  Findings findings;         // input-level problems (missing members, wrong types)
  JsonReader in{findings};
};

struct Command {
  std::string_view name;
  json (*run)(Context&);
};

// The command tables. A browser module's missing tables are empty (browser_rules_module.cpp,
// browser_seal_module.cpp): the rule commands (api_rules.cpp) are the rules module's; the
// commands that need libsodium (api_sealing.cpp) the sealing module's; what only the server runs
// (api_server.cpp: a family's statement, card numbers, virtual accounts, opening packages) neither.
std::span<const Command> RuleCommands();
std::span<const Command> ServerCommands();
std::span<const Command> SealingCommands();

// An empty object with room for `members` members. ordered_json keeps its members in a vector,
// which otherwise grows (moving every member) on each doubling: four times on the way to six.
json ObjectWithRoom(std::size_t members);
// The findings of `severity` as [{path, code, params, message: {id, en}}].
json FindingsToJson(const Findings& findings, Severity severity);
// {"valid", "errors", "warnings"}: the head of every check's answer.
json Verdict(const Findings& findings);
// The date named by `key`, else the caller's today; the core has no clock.
std::optional<Date> RequiredDate(Context& c, std::string_view key);

}  // namespace daftar
