#include "json_read.h"

#include "daftar/json_depth.h"

namespace daftar {

json ParseJson(std::string_view text) {
  json result;
  nlohmann::detail::json_sax_dom_parser<json> builder(result, /*allow_exceptions_=*/false);
  if (!json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true) || builder.is_errored()) {
    return json(json::value_t::discarded);
  }
  return result;
}

std::string JoinPointer(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JoinPointer(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* JsonReader::Find(const json& object, std::string_view key, std::string_view base,
                             Need need) {
  const json* value = Member(object, key);
  if (value == nullptr || value->is_null()) {
    if (need == Need::kRequired) findings_.Error(JoinPointer(base, key), "input.required");
    return nullptr;
  }
  return value;
}

void JsonReader::WrongType(std::string_view base, std::string_view key, std::string_view expected) {
  findings_.Error(JoinPointer(base, key), "input.wrong_type", {{"expected", std::string(expected)}});
}

std::optional<std::string> JsonReader::String(const json& object, std::string_view key,
                                              std::string_view base, Need need) {
  const json* value = Find(object, key, base, need);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    WrongType(base, key, "string");
    return std::nullopt;
  }
  return value->get_ref<const std::string&>();
}

std::optional<int64_t> JsonReader::Integer(const json& object, std::string_view key,
                                           std::string_view base, Need need, int64_t min,
                                           int64_t max) {
  const json* value = Find(object, key, base, need);
  if (value == nullptr) return std::nullopt;
  std::optional<int64_t> number;
  if (value->is_number_unsigned()) {
    const uint64_t u = value->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) number = static_cast<int64_t>(u);
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
  } else {
    WrongType(base, key, "integer");
    return std::nullopt;
  }
  if (!number || *number < min || *number > max) {
    findings_.Error(JoinPointer(base, key), "input.out_of_range", {{"min", min}, {"max", max}});
    return std::nullopt;
  }
  return number;
}

std::optional<Date> JsonReader::IsoDate(const json& object, std::string_view key,
                                        std::string_view base, Need need) {
  const std::optional<std::string> text = String(object, key, base, need);
  if (!text) return std::nullopt;
  const std::optional<Date> date = ParseIsoDate(*text);
  if (!date) findings_.Error(JoinPointer(base, key), "input.invalid_date");
  return date;
}

const json* JsonReader::Object(const json& object, std::string_view key, std::string_view base,
                               Need need) {
  const json* value = Find(object, key, base, need);
  if (value != nullptr && !value->is_object()) {
    WrongType(base, key, "object");
    return nullptr;
  }
  return value;
}

const json* JsonReader::Array(const json& object, std::string_view key, std::string_view base,
                              Need need) {
  const json* value = Find(object, key, base, need);
  if (value != nullptr && !value->is_array()) {
    WrongType(base, key, "array");
    return nullptr;
  }
  return value;
}

}  // namespace daftar

namespace daftar {

bool NestedDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace daftar
