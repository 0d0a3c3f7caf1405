// Checks on a document's bytes, run on the device before sealing and again by the server: the
// real type from the content (whatever the name or declared type says), the limits for its kind,
// pixel size from the image header (no decoding), PDF safety, and removal of metadata (EXIF with
// GPS, XMP, comments) without re-encoding. Image quality is judged from pixels the browser decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daftar/documents.h"
#include "daftar/finding.h"

namespace daftar {

struct DocumentFacts {
  std::string media_type;  // "image/jpeg", "image/png" or "application/pdf"
  int width = 0;           // images: pixels from the header
  int height = 0;
  int pages = 0;  // PDFs: page objects found (0 when they sit in compressed object streams)
};

struct DocumentCheck {
  std::optional<DocumentFacts> facts;  // set when the type was recognised and the file is sound
  std::string cleaned;                 // the bytes to send: metadata removed where there was any
  Findings findings;                   // at path ""
};

// `kind` selects the limits (documents.json). Errors refuse the file; nothing is a warning here.
[[nodiscard]] DocumentCheck CheckDocument(std::string_view bytes, std::string_view kind,
                                          const DocumentRules& rules);

struct ImageQuality {
  int64_t sharpness = 0;        // variance of the Laplacian / variance of the grey levels, x100
  int64_t brightness = 0;       // mean grey level, 0-255
  int64_t glare_permille = 0;   // share of blown-out pixels, per mille
  Findings findings;            // warnings only: image.blurry, image.too_dark, image.glare
};

// `rgba` holds width x height pixels, 4 bytes each (as a canvas gives them). A photo that is
// blurred, dark or glaring gets a warning asking for another, never a silent pass or a block.
[[nodiscard]] ImageQuality CheckImageQuality(std::string_view rgba, int width, int height,
                                             const DocumentRules& rules);

}  // namespace daftar
