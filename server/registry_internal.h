// What registry.cpp and members.cpp share: the registry's own helpers, private to the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry.h"

namespace daftar::server::internal {

// Our own stored JSON (or the dispatcher's answer); null when there is none.
json Parse(const std::string& text);
// A single error rendered as the dispatcher renders them.
json ErrorJson(const std::string& code, const std::string& path, std::vector<Param> params);
// The dispatcher's errors as a problem answer; the first names the problem.
Answer ProblemFromErrors(int status, json errors);
// BLAKE2b-256 of `data` under `key` (keyless when empty), as raw bytes.
std::string KeyedHash(std::string_view data, std::string_view key);
std::string MaskNik(const std::string& nik);
std::string KkHashOf(const std::string& kk_number, const std::string& nik_key);
std::string MaskName(const std::string& name);
// Appends an entry to the audit chain, in the job's transaction.
bool AppendAudit(Changes& c, const std::string& key, const std::string& at, const std::string& event,
                 const std::string& subject, const json& detail);
// An operator's act in the audit chain: by name for people reading it, by id because names can be
// reused after an account is removed.
json ByOperator(const OperatorIdentity& who, const json& detail = json::object());
// An operator's reasons for a refusal: 1 to 10 catalogued reason.* codes; the refusal otherwise.
std::optional<Answer> CheckReasons(const json& reasons);

}  // namespace daftar::server::internal
