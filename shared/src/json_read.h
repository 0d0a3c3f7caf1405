// Reading JSON input without exceptions (the core is built with JSON_NOEXCEPTION, where a wrong
// type would abort): every reader checks the type first and records a finding at the member's
// JSON Pointer when it is missing or of the wrong kind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daftar/date.h"
#include "daftar/finding.h"

namespace daftar {

using json = nlohmann::ordered_json;

// The JSON value in `text` (all of it), or a discarded value when it is not JSON. The one parser
// of the core: nlohmann's json::parse compiles a second parser for callbacks nobody here uses,
// a few kilobytes that each browser module would carry.
[[nodiscard]] json ParseJson(std::string_view text);

// "/members" + "nik" -> "/members/nik", escaping '~' and '/' as RFC 6901 says.
[[nodiscard]] std::string JoinPointer(std::string_view base, std::string_view key);
[[nodiscard]] std::string JoinPointer(std::string_view base, std::size_t index);

// The member `key` of `object`, or nullptr when `object` is no object or has no such member.
[[nodiscard]] const json* Member(const json& object, std::string_view key);

enum class Need { kRequired, kOptional };

class JsonReader {
 public:
  explicit JsonReader(Findings& findings) : findings_(findings) {}

  // Each returns nullopt (or nullptr) and records input.required / input.wrong_type when the
  // member is missing (and required) or not of the expected type. A JSON null counts as missing.
  std::optional<std::string> String(const json& object, std::string_view key, std::string_view base,
                                    Need need);
  std::optional<int64_t> Integer(const json& object, std::string_view key, std::string_view base,
                                 Need need, int64_t min, int64_t max);
  std::optional<Date> IsoDate(const json& object, std::string_view key, std::string_view base,
                              Need need);
  const json* Object(const json& object, std::string_view key, std::string_view base, Need need);
  const json* Array(const json& object, std::string_view key, std::string_view base, Need need);

  Findings& findings() { return findings_; }

 private:
  const json* Find(const json& object, std::string_view key, std::string_view base, Need need);
  void WrongType(std::string_view base, std::string_view key, std::string_view expected);

  Findings& findings_;
};

}  // namespace daftar
