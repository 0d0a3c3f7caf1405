#include "json_write.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace daftar;

namespace {

// What the dispatcher wrote before it had its own writer.
std::string Nlohmann(const json& value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

// Strings that exercise every branch: escapes, control characters, DEL, UTF-8 of each length, and
// each way bytes fail to be UTF-8 (stray continuation, overlong, surrogate, beyond U+10FFFF,
// invalid lead, cut short in the middle and at the end).
const std::vector<std::string> kStrings = {
    "", "plain", "quote \" backslash \\ slash /", "\b\f\n\r\t", std::string("nul \0 end", 9), "\x01\x1f\x7f",
    "Siti Nurhaliza", "Désa Cikoneng", "€ 1.000", "😀 emoji", "\x80", "a\xBF" "b", "\xC0\xAF", "\xC1\xBF",
    "\xE0\x80\x80", "\xE0\xA0\x80", "\xED\xA0\x80", "\xED\x9F\xBF", "\xF0\x80\x80\x80", "\xF0\x90\x80\x80",
    "\xF4\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xF5\x80", "\xFF", "\xC3", "x\xE2\x82", "\xE2\x82y", "\xF0\x9F\x98",
    "\xC3(\xC3\xA9", std::string(600, 'a') + "\xE2\x82\xAC" + std::string(600, '"'),
};

}  // namespace

TEST_CASE("the JSON writer writes what nlohmann's dump writes, compact and pretty") {
  json value = json::object();
  value["valid"] = false;
  value["empty_object"] = json::object();
  value["empty_array"] = json::array();
  value["numbers"] = {0, -1, 42, INT64_MIN, INT64_MAX, UINT64_MAX, 1.5, -0.0, 1e300, 0.1, 100.0, 1e-7};
  value["null"] = nullptr;
  value["nested"] = {{"a", {{"b", {1, {{"c", "d"}}, json::array()}}}}};
  for (const std::string& s : kStrings) {
    value["strings"].push_back(s);
    value[s] = s;  // as a key too
  }
  for (int indent : {-1, 0, 1, 2, 4}) {
    INFO("indent " << indent);
    CHECK(WriteJson(value, indent) == Nlohmann(value, indent));
  }
  for (const std::string& s : kStrings) {
    INFO("string " << json(s).dump(-1, ' ', true, json::error_handler_t::replace));
    CHECK(WriteJson(json(s)) == Nlohmann(json(s), -1));
  }
  CHECK(WriteJson(json(NAN)) == "null");
  CHECK(WriteJson(json(true), 2) == "true");
}

TEST_CASE("what the JSON writer writes reads back as the same value") {
  json value = {{"members", {{{"name", "Dewi"}, {"nik", "3204114609970001"}}}}, {"count", 1}};
  CHECK(ParseJson(WriteJson(value)) == value);
  CHECK(ParseJson(WriteJson(value, 2)) == value);
}
