#include "daftar/json_depth.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daftar/api.h"

using namespace daftar;

TEST_CASE("nesting is measured without parsing, strings skipped") {
  CHECK_FALSE(NestedDeeperThan(R"({"a":[1,{"b":[]}]})", 4));  // four levels
  CHECK(NestedDeeperThan(R"({"a":[1,{"b":[]}]})", 3));
  CHECK_FALSE(NestedDeeperThan(R"({"a":"[[[[[[[[[[\"[[[["})", 1));
  CHECK(NestedDeeperThan(std::string(33, '['), kMaxJsonDepth));
  CHECK_FALSE(NestedDeeperThan(std::string(32, '[') + std::string(32, ']'), kMaxJsonDepth));
  // A million levels: answered at once, no recursion anywhere.
  CHECK(NestedDeeperThan(std::string(1 << 20, '['), kMaxJsonDepth));
}

TEST_CASE("the dispatcher refuses deep input before it parses") {
  const std::string deep = R"({"application":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  const Reply r = Dispatch("validate", deep);
  CHECK(r.outcome == Outcome::kBadRequest);
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["errors"][0]["code"] == "input.too_deep");
}
