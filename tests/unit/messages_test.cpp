#include "daftar/messages.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

using namespace daftar;

TEST_CASE("every catalogued code has an Indonesian and an English message") {
  const std::vector<std::string_view> codes = CataloguedCodes();
  REQUIRE(std::is_sorted(codes.begin(), codes.end()));
  REQUIRE(std::adjacent_find(codes.begin(), codes.end()) == codes.end());
  for (std::string_view code : codes) {
    const Message m = RenderMessage({Severity::kError, "", std::string(code), {}});
    INFO(code);
    CHECK(m.id.size() > 8);
    CHECK(m.en.size() > 8);
    CHECK(m.id != m.en);
  }
}

// Every code the core and the server can emit is a string literal shaped "area.what" in shared/src
// or server/ (the
// CheckNeighbourhood codes are built from "rt"/"rw" and are listed here by hand).
TEST_CASE("every code in the core's sources is in the catalogue") {
  const std::regex literal(R"re("([a-z_]+\.[a-z_]+)")re");
  std::set<std::string> found = {"rt.invalid", "rt.required", "rw.invalid", "rw.required"};
  std::vector<std::filesystem::directory_entry> sources;
  for (const char* dir : {DAFTAR_SOURCE_DIR "/shared/src", DAFTAR_SOURCE_DIR "/server"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) sources.push_back(entry);
  }
  for (const auto& entry : sources) {
    if (entry.path().filename() == "messages.cpp" || entry.path().extension() == ".txt") continue;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), literal), end; it != end; ++it) {
      const std::string code = (*it)[1];
      // File names look alike: headers, data files, keys.
      if (!std::regex_match(code, std::regex(R"(.*\.(h|cpp|json|db|html|key|pk|sk))"))) found.insert(code);
    }
  }
  CHECK(found.size() > 60);
  for (const std::string& code : found) {
    INFO(code);
    CHECK(IsCatalogued(code));
  }
}

TEST_CASE("params fill the message, integers as integers") {
  const Message m = RenderMessage({Severity::kError, "/nik", "nik.invalid_length", {{"length", int64_t{15}}}});
  CHECK(m.id == "NIK terdiri dari 16 angka; yang diisi 15 angka.");
  CHECK(m.en == "A NIK has 16 digits; this has 15.");
}
