#include "daftar/document_check.h"

#include <algorithm>
#include <vector>

namespace daftar {
namespace {

uint8_t At(std::string_view s, std::size_t i) { return static_cast<uint8_t>(s[i]); }
uint32_t Be16(std::string_view s, std::size_t i) { return (At(s, i) << 8) | At(s, i + 1); }
uint32_t Be32(std::string_view s, std::size_t i) { return (Be16(s, i) << 16) | Be16(s, i + 2); }

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";

// --- JPEG: walk the segments up to the scan; keep the image, drop the metadata --------------

bool IsStartOfFrame(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// APP1 (EXIF, with GPS; XMP), APP12 and APP13 (Photoshop, IPTC) and comments say who, where and
// with what; nothing in them is needed to show the image.
bool IsMetadata(uint8_t m) { return m == 0xE1 || m == 0xEC || m == 0xED || m == 0xFE; }

bool ParseJpeg(std::string_view in, DocumentFacts& facts, std::string& cleaned) {
  cleaned.assign(in.substr(0, 2));  // SOI
  std::size_t i = 2;
  while (true) {
    if (i + 4 > in.size() || At(in, i) != 0xFF) return false;
    while (i < in.size() && At(in, i) == 0xFF) ++i;  // fill bytes
    if (i + 3 > in.size()) return false;
    const uint8_t marker = At(in, i);
    const std::size_t length = Be16(in, i + 1);
    if (length < 2 || i + 1 + length > in.size()) return false;
    const std::size_t start = i - 1, end = i + 1 + length;
    if (IsStartOfFrame(marker)) {
      if (length < 7) return false;
      facts.height = static_cast<int>(Be16(in, i + 4));
      facts.width = static_cast<int>(Be16(in, i + 6));
    }
    if (!IsMetadata(marker)) cleaned.append(in.substr(start, end - start));
    i = end;
    if (marker == 0xDA) break;  // start of scan: the entropy-coded image follows
  }
  // The scan runs to the end-of-image marker; a file cut short has none.
  const std::size_t eoi = in.rfind("\xFF\xD9");
  if (eoi == std::string_view::npos || eoi < i || facts.width == 0 || facts.height == 0) return false;
  cleaned.append(in.substr(i));
  return true;
}

// --- PNG: walk the chunks; drop text, time and EXIF chunks ------------------------------------

bool ParsePng(std::string_view in, DocumentFacts& facts, std::string& cleaned) {
  cleaned.assign(kPngSignature);
  std::size_t i = kPngSignature.size();
  bool first = true;
  while (i + 12 <= in.size()) {
    const std::size_t length = Be32(in, i);
    const std::string_view type = in.substr(i + 4, 4);
    if (length > in.size() - i - 12) return false;
    if (first) {
      // PNG allows at most 2^31 - 1 pixels a side.
      if (type != "IHDR" || length != 13 || Be32(in, i + 8) > 0x7fffffff || Be32(in, i + 12) > 0x7fffffff) return false;
      facts.width = static_cast<int>(Be32(in, i + 8));
      facts.height = static_cast<int>(Be32(in, i + 12));
      first = false;
    }
    const bool metadata = type == "eXIf" || type == "tEXt" || type == "zTXt" || type == "iTXt" || type == "tIME";
    if (!metadata) cleaned.append(in.substr(i, length + 12));
    i += length + 12;
    if (type == "IEND") return facts.width > 0 && facts.height > 0;
  }
  return false;  // no IEND: truncated
}

// --- PDF: names in the file's dictionaries, with #xx escapes decoded ------------------------

bool IsPdfDelimiter(char c) {
  return std::string_view("()<>[]{}/% \t\r\n\f", 15).find(c) != std::string_view::npos || c == '\0';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void CheckPdf(std::string_view in, DocumentFacts& facts, Findings& f) {
  const std::size_t tail = in.size() > 1024 ? in.size() - 1024 : 0;
  if (in.find("%%EOF", tail) == std::string_view::npos) {
    f.Error("", "document.corrupt_pdf");
    return;
  }
  bool encrypted = false, javascript = false, launch = false, embedded = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '/') continue;
    std::string name;
    std::size_t j = i + 1;
    for (; j < in.size() && !IsPdfDelimiter(in[j]); ++j) {
      if (in[j] == '#' && j + 2 < in.size() && HexValue(in[j + 1]) >= 0 && HexValue(in[j + 2]) >= 0) {
        name.push_back(static_cast<char>(HexValue(in[j + 1]) * 16 + HexValue(in[j + 2])));
        j += 2;
      } else {
        name.push_back(in[j]);
      }
    }
    i = j - 1;
    if (name == "Encrypt") encrypted = true;
    if (name == "JavaScript" || name == "JS") javascript = true;
    if (name == "Launch") launch = true;
    if (name == "EmbeddedFile" || name == "EmbeddedFiles") embedded = true;
    if (name == "Page") ++facts.pages;
  }
  if (encrypted) f.Error("", "document.pdf_encrypted");
  if (javascript) f.Error("", "document.pdf_active_content", {{"feature", "JavaScript"}});
  if (launch) f.Error("", "document.pdf_active_content", {{"feature", "Launch"}});
  if (embedded) f.Error("", "document.pdf_active_content", {{"feature", "EmbeddedFile"}});
}

}  // namespace

DocumentCheck CheckDocument(std::string_view bytes, std::string_view kind, const DocumentRules& rules) {
  DocumentCheck out;
  Findings& f = out.findings;
  const DocumentKindLimits* limits = rules.Find(kind);
  if (limits == nullptr) {
    f.Error("", "document.unknown_kind");
    return out;
  }
  if (bytes.empty()) {
    f.Error("", "document.empty");
    return out;
  }
  // The type and, for images, the header first: a pixel bomb is named as such even when it is
  // also too large, so the browser can refuse it before handing it to a decoder.
  DocumentFacts facts;
  Findings content;
  bool recognized = true;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") {
    facts.media_type = "image/jpeg";
    if (!ParseJpeg(bytes, facts, out.cleaned)) content.Error("", "document.corrupt_image", {{"type", "JPEG"}});
  } else if (bytes.substr(0, kPngSignature.size()) == kPngSignature) {
    facts.media_type = "image/png";
    if (!ParsePng(bytes, facts, out.cleaned)) content.Error("", "document.corrupt_image", {{"type", "PNG"}});
  } else if (bytes.substr(0, 5) == "%PDF-") {
    facts.media_type = "application/pdf";
    out.cleaned.assign(bytes);
    CheckPdf(bytes, facts, content);
  } else {
    recognized = false;
  }
  if (int64_t{facts.width} * facts.height > rules.max_pixels) {
    out.cleaned.clear();
    f.Error("", "document.too_many_pixels",
            {{"width", int64_t{facts.width}}, {"height", int64_t{facts.height}}, {"max_pixels", rules.max_pixels}});
    return out;
  }
  if (static_cast<int64_t>(bytes.size()) > limits->max_bytes) {
    out.cleaned.clear();
    f.Error("", "document.too_large", {{"max_bytes", limits->max_bytes}});
    return out;
  }
  if (!recognized) {
    f.Error("", "document.unrecognized_type");
    return out;
  }
  f.Append(content, "");
  if (f.has_errors()) return out;

  if (facts.media_type != "application/pdf") {
    const int long_side = std::max(facts.width, facts.height), short_side = std::min(facts.width, facts.height);
    if (long_side < limits->min_long_side || short_side < limits->min_short_side) {
      f.Error("", "document.image_too_small",
              {{"width", int64_t{facts.width}}, {"height", int64_t{facts.height}},
               {"min_long_side", int64_t{limits->min_long_side}}, {"min_short_side", int64_t{limits->min_short_side}}});
      return out;
    }
  }
  if (!rules.AcceptsMediaType(facts.media_type)) {
    f.Error("", "document.unsupported_media_type");
    return out;
  }
  out.facts = std::move(facts);
  return out;
}

ImageQuality CheckImageQuality(std::string_view rgba, int width, int height, const DocumentRules& rules) {
  ImageQuality q;
  if (width <= 0 || height <= 0 || rgba.size() != static_cast<std::size_t>(width) * height * 4) {
    q.findings.Error("", "image.invalid_pixels");
    return q;
  }
  // A grey copy at most 512 px on the long side, each pixel the mean of its block.
  constexpr int kSide = 512;
  const int step = std::max(1, (std::max(width, height) + kSide - 1) / kSide);
  const int w = width / step, h = height / step;
  if (w < 3 || h < 3) {
    q.findings.Error("", "image.invalid_pixels");
    return q;
  }
  std::vector<int> grey(static_cast<std::size_t>(w) * h);
  int64_t sum = 0, sum_sq = 0, glare = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int64_t luma = 0;
      for (int dy = 0; dy < step; ++dy) {
        for (int dx = 0; dx < step; ++dx) {
          const std::size_t p = (static_cast<std::size_t>(y * step + dy) * width + (x * step + dx)) * 4;
          // ITU-R BT.601 weights in integers (x1000).
          luma += 299 * At(rgba, p) + 587 * At(rgba, p + 1) + 114 * At(rgba, p + 2);
        }
      }
      const int g = static_cast<int>(luma / (1000 * step * step));
      grey[static_cast<std::size_t>(y) * w + x] = g;
      sum += g;
      sum_sq += int64_t{g} * g;
      glare += g >= 250;
    }
  }
  const int64_t n = int64_t{w} * h;
  q.brightness = sum / n;
  q.glare_permille = glare * 1000 / n;
  int64_t lap_sum = 0, lap_sq = 0, count = 0;
  for (int y = 1; y + 1 < h; ++y) {
    for (int x = 1; x + 1 < w; ++x) {
      const auto g = [&](int xx, int yy) { return grey[static_cast<std::size_t>(yy) * w + xx]; };
      const int64_t lap = g(x - 1, y) + g(x + 1, y) + g(x, y - 1) + g(x, y + 1) - 4 * g(x, y);
      lap_sum += lap;
      lap_sq += lap * lap;
      ++count;
    }
  }
  // The Laplacian's variance grows with contrast as much as with focus: divide by the image's own
  // variance so that a faint but sharp page and a contrasty but blurred one are told apart.
  const int64_t lap_variance = (lap_sq - lap_sum * lap_sum / count) / count;
  const int64_t grey_variance = std::max<int64_t>(1, (sum_sq - sum * sum / n) / n);
  q.sharpness = lap_variance * 100 / grey_variance;

  const QualityThresholds& t = rules.quality;
  if (q.sharpness < t.min_sharpness) q.findings.Warning("", "image.blurry", {{"sharpness", q.sharpness}});
  if (q.brightness < t.min_brightness) q.findings.Warning("", "image.too_dark", {{"brightness", q.brightness}});
  if (q.glare_permille > t.max_glare_permille) q.findings.Warning("", "image.glare", {{"glare_permille", q.glare_permille}});
  return q;
}

}  // namespace daftar
