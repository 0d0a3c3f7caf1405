// The rules subcommands of the `daftar` binary: thin shells over the dispatcher.
#pragma once

#include <string>
#include <vector>

namespace daftar::cli {

// Exit status: 0 valid / ok, 1 the input is invalid (the JSON answer says why), 2 usage error.
enum ExitCode { kOk = 0, kInvalid = 1, kUsage = 2 };

// Runs `daftar check|validate|quote|card|va|call …`; `args` excludes the program name.
int RunRules(const std::vector<std::string>& args);

// True if `name` is one of the subcommands RunRules handles.
bool IsRulesCommand(const std::string& name);

}  // namespace daftar::cli
