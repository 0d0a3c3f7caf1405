// The core's JSON reader and writer against nlohmann's parser and dump, which they replaced: any
// bytes read as the same document of the same types (or refused by both), and any document and
// any bytes as a string written as the same text, compact and pretty (invalid UTF-8 included).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "daftar/json_depth.h"
#include "json_write.h"

namespace {

[[noreturn]] void Fail(const char* what, const std::string& ours, const std::string& theirs) {
  std::fprintf(stderr, "%s:\n%s\n%s\n", what, ours.c_str(), theirs.c_str());
  __builtin_trap();
}

// Each value's type in document order: equal documents can differ in a number's type (1 read
// as signed or unsigned), which the text does not show.
std::string Types(const daftar::json& value) {
  std::string out(1, static_cast<char>('0' + static_cast<int>(value.type())));
  if (value.is_structured()) {
    for (const daftar::json& item : value) out += Types(item);
  }
  return out;
}

void CompareWrite(const daftar::json& value, int indent) {
  const std::string ours = daftar::WriteJson(value, indent);
  const std::string theirs = value.dump(indent, ' ', /*ensure_ascii=*/false, daftar::json::error_handler_t::replace);
  if (ours != theirs) Fail("WriteJson differs from dump", ours, theirs);
}

void CompareRead(const std::string& text) {
  const daftar::json ours = daftar::ParseJson(text);
  // Where the reader is stricter: it refuses nesting nlohmann reads (the dispatcher measures it
  // first), and any NUL byte, which nlohmann took for the end of the text.
  if (daftar::NestedDeeperThan(text) || text.find('\0') != std::string::npos) {
    if (!ours.is_discarded()) Fail("ParseJson read a document nested too deep or with a NUL", text, "");
    return;
  }
  const daftar::json theirs = daftar::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (ours.is_discarded() != theirs.is_discarded()) {
    Fail(ours.is_discarded() ? "ParseJson refused what nlohmann reads" : "ParseJson read what nlohmann refuses", text, "");
  }
  if (ours.is_discarded()) return;
  if (ours != theirs || Types(ours) != Types(theirs)) Fail("ParseJson read another document", ours.dump(), theirs.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int indent = data[0] % 4 - 1;  // -1 (compact), 0, 1, 2
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  CompareRead(text);
  const daftar::json parsed = daftar::ParseJson(text);
  if (!parsed.is_discarded()) CompareWrite(parsed, indent);
  daftar::json raw = daftar::json::object();
  raw[text] = text;  // the bytes as they are, as a key and as a value
  CompareWrite(raw, indent);
  return 0;
}
