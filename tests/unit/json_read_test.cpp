#include "json_read.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "daftar/json_depth.h"

using namespace daftar;

namespace {

// What the dispatcher read with before it had its own reader.
json Nlohmann(const std::string& text) { return json::parse(text, nullptr, /*allow_exceptions=*/false); }

// Each value's type in document order: 1 read as signed or as unsigned compares equal.
std::string Types(const json& value) {
  std::string out(1, static_cast<char>('0' + static_cast<int>(value.type())));
  if (value.is_structured()) {
    for (const json& item : value) out += Types(item);
  }
  return out;
}

// Texts that exercise every branch, read and refused: literals, white space, each escape,
// surrogate pairs and lone halves, UTF-8 of each length and each way bytes fail to be UTF-8,
// control characters, the byte order mark, numbers at each type's edge and each malformed
// number, repeated names, and what may not follow a value.
const std::vector<std::string> kTexts = {
    "true", "false", "null", " \t\r\n[ 1 , 2 ]\n ", "{}", "[]", "[[],{}]", R"({"a":{"b":[1,{"c":"d"}]}})",
    R"("plain")", R"("\" \\ \/ \b \f \n \r \t")", R"("\u0000 \u001f \u00e9 \u20AC \uFFFF")", R"("\ud83d\ude00")",
    R"("\ud83d")", R"("\ude00")", R"("\ud83d\u0041")", R"("\ud83dx")", R"("\u12")", R"("\u12G4")", R"("\x")",
    R"("\'")", R"("\a")", R"("\0")", R"("\U0041")", R"("\ ")", "\"\\",
    "\"Désa Cikoneng € 😀\"", "\"\x80\"", "\"\xC0\xAF\"", "\"\xE0\x80\x80\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
    "\"\xF5\"", "\"\xC3\"", "\"\xE2\x82\"", std::string("\"nul \0 inside\"", 14), "\"tab \t inside\"", "\"\x1f\"",
    "\"unterminated", "\xEF\xBB\xBF{\"bom\":1}", "\xEF\xBB{}", "0", "-0", "1", "-1", "42", "0.5", "-0.0", "1e2", "1E+2",
    "1e-2", "2.5E3", "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
    "123456789012345678901234567890", "1e308", "1e309", "-1e400", "1e-400", "01", "-", "+1", ".5", "1.", "1e", "1e+",
    "-a", "0x10", "NaN", "Infinity", R"({"a":1,"a":2})", R"({"a":1,"b":2,"a":{"c":3}})", R"({"a" 1})", R"({"a":1,})",
    "[1,]", "[1 2]", "{1:2}", "{'a':1}", "tru", "nulll", "[true false]", "1 2", "{} x", "", "   ", "\x00",
    std::string("[1]\0", 4), "[", "]", "{", "}", "[\"a\",", std::string(600, ' ') + "\"" + std::string(600, 'a') + "\"",
};

}  // namespace

TEST_CASE("the JSON reader reads and refuses what nlohmann's parser read and refused, as the same types") {
  for (const std::string& text : kTexts) {
    INFO("text " << json(text).dump(-1, ' ', true, json::error_handler_t::replace));
    const json ours = ParseJson(text);
    if (text.find('\0') != std::string::npos) {
      CHECK(ours.is_discarded());  // never JSON; nlohmann took a NUL for the end of the text
      continue;
    }
    const json theirs = Nlohmann(text);
    REQUIRE(ours.is_discarded() == theirs.is_discarded());
    if (ours.is_discarded()) continue;
    CHECK(ours == theirs);
    CHECK(Types(ours) == Types(theirs));
  }
}

TEST_CASE("the JSON reader gives each number the type the core's readers expect") {
  CHECK(ParseJson("42").is_number_unsigned());
  CHECK(ParseJson("-42").is_number_integer());
  CHECK_FALSE(ParseJson("-42").is_number_unsigned());
  CHECK(ParseJson("-0").is_number_integer());
  CHECK(ParseJson("18446744073709551615").get<std::uint64_t>() == UINT64_MAX);
  CHECK(ParseJson("18446744073709551616").is_number_float());
  CHECK(ParseJson("-9223372036854775808").get<std::int64_t>() == INT64_MIN);
  CHECK(ParseJson("-9223372036854775809").is_number_float());
  CHECK(ParseJson("1.0").is_number_float());
  CHECK(ParseJson("1e400").is_discarded());  // not finite: refused, as nlohmann refused it
}

TEST_CASE("the JSON reader keeps a repeated name in its first place with its last value") {
  const json doc = ParseJson(R"({"a":1,"b":2,"a":[3]})");
  REQUIRE(doc.size() == 2);
  CHECK(doc.begin().key() == "a");
  CHECK(doc["a"] == json::array({3}));
}

TEST_CASE("the JSON reader refuses nesting deeper than the dispatcher allows, as NestedDeeperThan measures it") {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK_FALSE(NestedDeeperThan(nested(kMaxJsonDepth)));
  CHECK_FALSE(ParseJson(nested(kMaxJsonDepth)).is_discarded());
  CHECK(NestedDeeperThan(nested(kMaxJsonDepth + 1)));
  CHECK(ParseJson(nested(kMaxJsonDepth + 1)).is_discarded());
  CHECK(ParseJson(std::string(100000, '[')).is_discarded());  // no stack exhausted
}
