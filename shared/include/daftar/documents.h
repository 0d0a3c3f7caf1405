// Document kinds, media types and their limits, as data (shared/data/documents.json): the
// browser shows them, the core checks declared entries against them, the server enforces them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace daftar {

struct DocumentKindLimits {
  std::string kind;         // "kk", "ktp", "birth_certificate", "photo", "bank_book"
  int64_t max_bytes = 0;    // largest accepted file
  int min_long_side = 0;    // image pixels, long side; 0 = no minimum
  int min_short_side = 0;   // image pixels, short side; 0 = no minimum
};

// Thresholds for photos of documents, judged on a small grey copy (documents.json "quality").
struct QualityThresholds {
  int64_t min_sharpness = 0;       // variance of the Laplacian below this: blurred
  int64_t min_brightness = 0;      // mean grey level below this: too dark
  int64_t max_glare_permille = 0;  // more blown-out pixels than this: glare
};

struct DocumentRules {
  std::vector<DocumentKindLimits> kinds;
  std::vector<std::string> media_types;  // accepted media types
  int64_t max_pixels = 0;                // width x height from the header; larger is refused
  int ktp_from_age = 0;                  // an e-KTP from this age (or once married)
  int newborn_without_nik_months = 0;    // a newborn may go without a NIK this long
  QualityThresholds quality;

  [[nodiscard]] const DocumentKindLimits* Find(std::string_view kind) const;
  [[nodiscard]] bool AcceptsMediaType(std::string_view media_type) const;
};

// The rules compiled in from shared/data/documents.json, and that file's text for clients.
[[nodiscard]] const DocumentRules& BuiltinDocumentRules();
[[nodiscard]] std::string_view BuiltinDocumentRulesJson();

}  // namespace daftar
