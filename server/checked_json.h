// Reading JSON whose shape is not ours to trust (manifests, request bodies, config, even our own
// dispatcher's answers): with JSON_NOEXCEPTION a wrong type is an abort, so reads go through
// these, where a missing member or another type reads as null, "" or an empty array.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace daftar::server {

using json = nlohmann::ordered_json;

// The member `key` of `object`, or null when `object` is no object or has no such member.
inline const json& Field(const json& object, std::string_view key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// The element `i` of `array`, or null.
inline const json& Item(const json& array, std::size_t i) {
  static const json kNull;
  return array.is_array() && i < array.size() ? array[i] : kNull;
}

// A string's text, or "" for anything else.
inline std::string TextOf(const json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }

// An integer, or 0 when the value is none.
inline int64_t IntOf(const json& value) { return value.is_number_integer() ? value.get<int64_t>() : 0; }

// An array, or an empty one for anything else.
inline const json& ArrayOf(const json& value) {
  static const json kEmpty = json::array();
  return value.is_array() ? value : kEmpty;
}

}  // namespace daftar::server
