// Runs every case in tests/cases/*.json through the dispatcher. The same files run through the
// wasm build, so the browser and the server are held to the same answers.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "daftar/api.h"

using json = nlohmann::ordered_json;

namespace {

// `expected` is a pattern: objects match when every key they name matches; arrays match element
// by element and must have the same length; anything else must be equal.
bool Matches(const json& expected, const json& actual, std::string& where) {
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key) || !Matches(value, actual[key], where)) {
        where.insert(0, "/" + key);
        return false;
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (!Matches(expected[i], actual[i], where)) {
        where.insert(0, "/" + std::to_string(i));
        return false;
      }
    }
    return true;
  }
  return expected == actual;
}

}  // namespace

TEST_CASE("shared dispatcher cases") {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DAFTAR_CASES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream file(entry.path());
    const json suite = json::parse(file, nullptr, false);
    REQUIRE_FALSE(suite.is_discarded());
    for (const json& c : suite["cases"]) {
      const std::string name = entry.path().filename().string() + ": " + c["name"].get<std::string>();
      const std::string command = c.contains("command") ? c["command"] : suite["command"];
      const daftar::Reply reply = daftar::Dispatch(command, c["input"].dump());
      const json actual = json::parse(reply.body, nullptr, false);
      std::string where;
      INFO(name << "\nanswer: " << actual.dump(2));
      CHECK(Matches(c["expect"], actual, where));
      INFO("mismatch at " << where);
      const std::string outcome = c.value("outcome", "ok");
      CHECK(reply.outcome == (outcome == "ok"        ? daftar::Outcome::kOk
                              : outcome == "invalid" ? daftar::Outcome::kInvalid
                                                     : daftar::Outcome::kBadRequest));
      ++count;
    }
  }
  CHECK(count >= 60);
}
