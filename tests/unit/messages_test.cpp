#include "daftar/messages.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
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

namespace {

std::string ReadSource(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Which browser module compiles a source of shared/src (shared/CMakeLists.txt): both, one, or
// neither (what only the server runs).
enum class Module { kBoth, kRules, kSealing, kNeither };
Module ModuleOf(const std::string& name) {
  if (name == "api_server.cpp" || name == "regions_villages.cpp") return Module::kNeither;
  for (const char* sealing : {"api_sealing.cpp", "api_sodium.h", "keys.cpp", "package.cpp", "signature.cpp", "document_check.cpp"}) {
    if (name == sealing) return Module::kSealing;
  }
  for (const char* both : {"api.cpp", "json_read.cpp", "finding.cpp", "documents.cpp", "text.cpp", "date.cpp"}) {
    if (name == both) return Module::kBoth;
  }
  return Module::kRules;
}

}  // namespace

// Every code the core and the server can emit is a string literal shaped "area.what" in shared/src
// or server/ (the CheckNeighbourhood codes are built from "rt"/"rw" and are listed here by hand);
// the core's are in the parts of the catalogue the browser's module that emits them carries.
TEST_CASE("every code in the core's sources is in the catalogue") {
  const std::regex literal(R"re("([a-z_]+\.[a-z_]+)")re");
  std::set<std::string> found = {"rt.invalid", "rt.required", "rw.invalid", "rw.required"};
  std::vector<std::filesystem::directory_entry> sources;
  for (const char* dir : {DAFTAR_SOURCE_DIR "/shared/src", DAFTAR_SOURCE_DIR "/server"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) sources.push_back(entry);
  }
  // The codes each browser module can emit, so must carry.
  std::map<Module, std::set<std::string>> emitted = {{Module::kRules, {"rt.invalid", "rt.required", "rw.invalid", "rw.required"}}};
  for (const auto& entry : sources) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("messages", 0) == 0 || entry.path().extension() == ".txt") continue;
    const std::string source = ReadSource(entry.path());
    for (std::sregex_iterator it(source.begin(), source.end(), literal), end; it != end; ++it) {
      const std::string code = (*it)[1];
      // File names look alike: headers, data files, keys.
      if (std::regex_match(code, std::regex(R"(.*\.(h|cpp|json|jsonl|csv|db|html|key|pk|sk))"))) continue;
      found.insert(code);
      if (entry.path().parent_path().filename() == "src") emitted[ModuleOf(name)].insert(code);
    }
  }
  // Each module's codes are in the common part or its own (the service's is in neither module).
  const std::string common = ReadSource(DAFTAR_SOURCE_DIR "/shared/src/messages.cpp");
  const std::map<Module, std::string> own = {{Module::kBoth, ""},
                                             {Module::kRules, ReadSource(DAFTAR_SOURCE_DIR "/shared/src/messages_rules.cpp")},
                                             {Module::kSealing, ReadSource(DAFTAR_SOURCE_DIR "/shared/src/messages_sealing.cpp")}};
  const auto has = [](const std::string& part, const std::string& code) { return part.find("{\"" + code + "\"") != std::string::npos; };
  for (const auto& [module, codes] : emitted) {
    if (module == Module::kNeither) continue;  // the native builds carry every part
    for (const std::string& code : codes) {
      INFO(code);
      CHECK((has(common, code) || has(own.at(module), code)));
    }
  }
  CHECK(emitted[Module::kSealing].size() > 20);
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

TEST_CASE("a family reads words, never codes or ISO dates: sexes, sizes, birth dates") {
  const Message sex = RenderMessage({Severity::kError, "/members/1/sex", "member.sex_mismatch", {{"nik_sex", "F"}}});
  CHECK(sex.id.find("(perempuan)") != std::string::npos);
  CHECK(sex.en.find("(female)") != std::string::npos);
  const Message size = RenderMessage({Severity::kError, "", "document.too_large", {{"max_bytes", int64_t{2} << 20}}});
  CHECK(size.id == "Berkas terlalu besar: paling besar 2 MB.");
  CHECK(RenderMessage({Severity::kError, "", "upload.too_large", {{"max_bytes", int64_t{1536} << 10}}}).en ==
        "The upload is too large: at most 1.5 MB.");
  const Message birth = RenderMessage({Severity::kError, "", "member.birth_date_mismatch", {{"nik_birth_date", "1987-09-06"}}});
  CHECK(birth.id.find("(6 September 1987)") != std::string::npos);
  CHECK(RenderMessage({Severity::kError, "", "member.invalid_marital_status", {{"allowed", "single, married"}}}).id ==
        "Pilih status perkawinan: belum kawin, kawin, cerai hidup, atau cerai mati.");
}

TEST_CASE("amounts and dates in words, in each language") {
  const Message m = RenderMessage({Severity::kWarning, "", "notify.due_soon",
                                   {{"month", "2026-03"}, {"amount", int64_t{1234567}}, {"due", "2026-03-10"}, {"va", "8888801"}}});
  CHECK(m.id == "Iuran JKN bulan Maret 2026 sebesar Rp1.234.567 jatuh tempo 10 Maret 2026. Bayar ke virtual account 8888801.");
  CHECK(m.en == "The JKN contribution for March 2026, Rp1,234,567, is due on 10 March 2026. Pay to virtual account 8888801.");
  const Message list = RenderMessage({Severity::kWarning, "", "notify.payment_received",
                                      {{"amount", int64_t{70000}}, {"months", "2026-01,2026-02"}, {"bank_ref", "X1"}}});
  CHECK(list.id.find("Rp70.000 untuk Januari 2026, Februari 2026 ") != std::string::npos);
  // Text that is no date stays as it is.
  const Message odd = RenderMessage({Severity::kWarning, "", "notify.due_soon", {{"month", "soon"}, {"due", "2026-02-30"}}});
  CHECK(odd.en.find("for soon, {amount:rupiah}, is due on 2026-02-30") != std::string::npos);
}

TEST_CASE("the penalty's rate as a percentage") {
  const std::vector<Param> params = {{"rate_bp", int64_t{250}}, {"max_months", int64_t{12}}, {"cap", int64_t{30000000}}};
  const Message m = RenderMessage({Severity::kWarning, "", "notify.reactivated", params});
  CHECK(m.id.find("denda pelayanan 2,5% dari biaya") != std::string::npos);
  CHECK(m.id.find("paling besar Rp30.000.000") != std::string::npos);
  CHECK(m.en.find("penalty of 2.5% of its cost") != std::string::npos);
}
