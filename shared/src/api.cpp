// The dispatcher: one entry point for every command, in every build (the CLI, the server, the
// browser's modules), over the command tables the build links: the rules (api_rules.cpp), what
// only the server runs (api_server.cpp) and sealing (api_sealing.cpp).
#include "daftar/api.h"

#include <array>

#include "daftar/json_depth.h"
#include "daftar/messages.h"
#include "api_internal.h"
#include "json_write.h"

namespace daftar {
namespace {

json ParamsToJson(const std::vector<Param>& params) {
  json out = json::object();
  for (const Param& p : params) {
    if (const auto* number = std::get_if<int64_t>(&p.value)) {
      out[p.name] = *number;
    } else {
      out[p.name] = std::get<std::string>(p.value);
    }
  }
  return out;
}

}  // namespace

json ObjectWithRoom(std::size_t members) {
  json out = json::object();
  out.get_ptr<json::object_t*>()->reserve(members);
  return out;
}

json FindingsToJson(const Findings& findings, Severity severity) {
  json out = json::array();
  for (const Finding& f : findings.all()) {
    if (f.severity != severity) continue;
    const Message m = RenderMessage(f);
    out.push_back({{"path", f.path},
                   {"code", f.code},
                   {"params", ParamsToJson(f.params)},
                   {"message", {{"id", m.id}, {"en", m.en}}}});
  }
  return out;
}

json Verdict(const Findings& findings) {
  // Member by member rather than from an initializer list, which builds each pair as an array
  // first: this is on the path of every instant check. Room for what the commands add after it.
  json out = ObjectWithRoom(8);
  out["valid"] = !findings.has_errors();
  out["errors"] = FindingsToJson(findings, Severity::kError);
  out["warnings"] = FindingsToJson(findings, Severity::kWarning);
  return out;
}

std::optional<Date> RequiredDate(Context& c, std::string_view key) {
  const json* given = Member(c.input, key);
  if ((given == nullptr || given->is_null()) && !c.default_today.empty()) {
    const std::optional<Date> today = ParseIsoDate(c.default_today);
    if (!today) c.findings.Error(JoinPointer("", key), "input.invalid_date");
    return today;
  }
  return c.in.IsoDate(c.input, key, "", Need::kRequired);
}

namespace {

Reply Finish(Outcome outcome, const json& body, int indent, std::string payload = {}) {
  return {outcome, WriteJson(body, indent), std::move(payload)};
}

std::array<std::span<const Command>, 3> CommandTables() {
  return {RuleCommands(), ServerCommands(), SealingCommands()};
}

Reply Refuse(std::string code, std::vector<Param> params, int indent) {
  Findings f;
  f.Error("", std::move(code), std::move(params));
  return Finish(Outcome::kBadRequest, Verdict(f), indent);
}

}  // namespace

Reply Dispatch(std::string_view command, std::string_view input_json, const DispatchOptions& options,
               std::string_view payload) {
  const Command* found = nullptr;
  for (const auto table : CommandTables()) {
    for (const Command& c : table) {
      if (c.name == command) found = &c;
    }
  }
  if (found == nullptr) return Refuse("api.unknown_command", {{"command", std::string(command)}}, options.indent);
  if (NestedDeeperThan(input_json)) return Refuse("input.too_deep", {{"max", int64_t{kMaxJsonDepth}}}, options.indent);
  const json input = ParseJson(input_json);
  if (input.is_discarded()) return Refuse("input.malformed_json", {}, options.indent);
  if (!input.is_object()) return Refuse("input.wrong_type", {{"expected", "object"}}, options.indent);

  Context context(input, options, payload);
  const json body = found->run(context);
  const json* valid = Member(body, "valid");
  const bool invalid = valid && valid->is_boolean() && !valid->get<bool>();
  return Finish(invalid ? Outcome::kInvalid : Outcome::kOk, body, options.indent,
                invalid ? std::string() : std::move(context.payload_out));
}

std::vector<std::string_view> DispatchCommands() {
  std::vector<std::string_view> names;
  for (const auto table : CommandTables()) {
    for (const Command& c : table) names.push_back(c.name);
  }
  return names;
}

}  // namespace daftar
