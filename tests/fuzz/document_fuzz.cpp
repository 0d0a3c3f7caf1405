// Document type and metadata parsing (JPEG, PNG, PDF) and image quality on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daftar/document_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr const char* kKinds[] = {"kk", "ktp", "birth_certificate", "photo", "bank_book"};
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const daftar::DocumentCheck check = daftar::CheckDocument(bytes, kKinds[data[0] % 5], daftar::BuiltinDocumentRules());
  // Cleaning is idempotent: what was cleaned passes through unchanged.
  if (check.facts && daftar::CheckDocument(check.cleaned, kKinds[data[0] % 5], daftar::BuiltinDocumentRules()).cleaned != check.cleaned) {
    __builtin_trap();
  }
  const int width = 1 + data[0] % 64;
  if (bytes.size() >= static_cast<std::size_t>(width) * 4 * 3) {
    const int height = static_cast<int>(bytes.size() / (static_cast<std::size_t>(width) * 4));
    (void)daftar::CheckImageQuality(bytes.substr(0, static_cast<std::size_t>(width) * height * 4), width, height,
                                    daftar::BuiltinDocumentRules());
  }
  return 0;
}
