// The core's JSON writer against nlohmann's dump, which it replaced: the same text for any JSON
// document and for any bytes as a string (invalid UTF-8 included), compact and pretty.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "json_write.h"

namespace {

void Compare(const daftar::json& value, int indent) {
  const std::string ours = daftar::WriteJson(value, indent);
  const std::string theirs = value.dump(indent, ' ', /*ensure_ascii=*/false, daftar::json::error_handler_t::replace);
  if (ours != theirs) {
    std::fprintf(stderr, "WriteJson differs from dump (indent %d):\n%s\n%s\n", indent, ours.c_str(), theirs.c_str());
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int indent = data[0] % 4 - 1;  // -1 (compact), 0, 1, 2
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const daftar::json parsed = daftar::ParseJson(text);
  if (!parsed.is_discarded()) Compare(parsed, indent);
  daftar::json raw = daftar::json::object();
  raw[text] = text;  // the bytes as they are, as a key and as a value
  Compare(raw, indent);
  return 0;
}
