#include "daftar/document_check.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

namespace {

std::string Be16(int v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string Be32(uint32_t v) { return Be16(static_cast<int>(v >> 16)) + Be16(static_cast<int>(v & 0xffff)); }
std::string Segment(int marker, const std::string& payload) {
  return std::string("\xFF") + static_cast<char>(marker) + Be16(static_cast<int>(payload.size()) + 2) + payload;
}

// A structurally sound baseline JPEG (the checks read structure, not pixels), with metadata.
std::string Jpeg(int width, int height, bool metadata = true) {
  std::string out = "\xFF\xD8" + Segment(0xE0, std::string("JFIF\0\1\1\0\0\1\0\1\0\0", 14));
  if (metadata) {
    out += Segment(0xE1, std::string("Exif\0\0", 6) + "GPSLatitude=-6.9175;GPSLongitude=107.6191");
    out += Segment(0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>");
    out += Segment(0xFE, "Foto di rumah");
  }
  out += Segment(0xDB, std::string(65, '\1'));
  out += Segment(0xC0, std::string("\x08", 1) + Be16(height) + Be16(width) + std::string("\x01\x01\x11\x00", 4));
  out += Segment(0xDA, std::string("\x01\x01\x00\x00\x3F\x00", 6));
  for (int i = 0; i < 4000; ++i) out.push_back(static_cast<char>(i % 251 == 0xFF ? 0 : i % 251));
  return out + "\xFF\xD9";
}

std::string Chunk(const std::string& type, const std::string& data) {
  return Be32(static_cast<uint32_t>(data.size())) + type + data + "CRC!";
}

std::string Png(int width, int height) {
  return std::string("\x89PNG\r\n\x1a\n", 8) +
         Chunk("IHDR", Be32(width) + Be32(height) + std::string("\x08\x06\0\0\0", 5)) +
         Chunk("tEXt", std::string("Comment\0camera", 14)) + Chunk("IDAT", std::string(300, 'x')) +
         Chunk("IEND", "");
}

const std::string kPdf =
    "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    "2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n3 0 obj <</Type /Page /Parent 2 0 R>> endobj\n"
    "trailer <</Root 1 0 R>>\n%%EOF\n";

DocumentCheck Check(const std::string& bytes, const char* kind = "ktp") {
  return CheckDocument(bytes, kind, BuiltinDocumentRules());
}

}  // namespace

TEST_CASE("the real type comes from the content") {
  const DocumentCheck jpeg = Check(Jpeg(1024, 640));
  REQUIRE(jpeg.facts);
  CHECK(jpeg.facts->media_type == "image/jpeg");
  CHECK(jpeg.facts->width == 1024);
  CHECK(jpeg.facts->height == 640);
  const DocumentCheck png = Check(Png(640, 1000));
  REQUIRE(png.facts);
  CHECK(png.facts->media_type == "image/png");
  CHECK(png.facts->height == 1000);
  const DocumentCheck pdf = Check(kPdf, "kk");
  REQUIRE(pdf.facts);
  CHECK(pdf.facts->media_type == "application/pdf");
  CHECK(pdf.facts->pages == 1);
  CHECK(Codes(Check("GIF89a....").findings) == Strings{"document.unrecognized_type"});
  CHECK(Codes(Check("<html><script>").findings) == Strings{"document.unrecognized_type"});
  CHECK(Codes(Check("").findings) == Strings{"document.empty"});
  CHECK(Codes(Check(Jpeg(1024, 640), "passport").findings) == Strings{"document.unknown_kind"});
}

TEST_CASE("metadata is removed from JPEG and PNG without touching the image") {
  const std::string original = Jpeg(1024, 640);
  const DocumentCheck c = Check(original);
  REQUIRE(c.facts);
  CHECK(c.cleaned.find("GPS") == std::string::npos);
  CHECK(c.cleaned.find("xmpmeta") == std::string::npos);
  CHECK(c.cleaned.find("Foto di rumah") == std::string::npos);
  CHECK(c.cleaned == Jpeg(1024, 640, false));  // exactly the image without its metadata segments
  CHECK(Check(c.cleaned).cleaned == c.cleaned);
  const DocumentCheck png = Check(Png(1000, 700));
  CHECK(png.cleaned.find("tEXt") == std::string::npos);
  CHECK(png.cleaned.find("IDAT") != std::string::npos);
}

TEST_CASE("limits per kind: size and pixels") {
  CHECK(Codes(Check(Jpeg(320, 200)).findings) == Strings{"document.image_too_small"});
  CHECK(Codes(Check(Jpeg(640, 400)).findings) == Strings{});
  CHECK(Codes(Check(Jpeg(400, 640)).findings) == Strings{});  // portrait is fine
  CHECK(Codes(Check(Jpeg(999, 2000)).findings) == Strings{});
  CHECK(Codes(Check(Jpeg(999, 800), "kk").findings) == Strings{"document.image_too_small"});
  std::string big = Jpeg(1024, 640);
  big.insert(big.size() - 2, std::string(2 * 1024 * 1024, '\0'));
  CHECK(Codes(Check(big).findings) == Strings{"document.too_large"});
}

TEST_CASE("pixel bombs are refused from the header, before size or decoding") {
  // 60 000 x 60 000 is 3.6 gigapixels: over the 40 MP cap whatever the file's size.
  CHECK(Codes(Check(Jpeg(60000, 60000)).findings) == Strings{"document.too_many_pixels"});
  CHECK(Codes(Check(Png(60000, 60000)).findings) == Strings{"document.too_many_pixels"});
  CHECK(Codes(Check(Jpeg(8000, 5000)).findings) == Strings{});  // exactly 40 MP
  CHECK(Codes(Check(Jpeg(8001, 5000)).findings) == Strings{"document.too_many_pixels"});
  // Also when the file is too large or cut short: the header alone decides.
  std::string big = Jpeg(60000, 60000);
  big.insert(big.size() - 2, std::string(3 * 1024 * 1024, '\0'));
  CHECK(Codes(Check(big).findings) == Strings{"document.too_many_pixels"});
  const std::string cut = Jpeg(60000, 60000);
  CHECK(Codes(Check(cut.substr(0, cut.size() - 100)).findings) == Strings{"document.too_many_pixels"});
  // PNG sides beyond 2^31 - 1 are not PNG at all.
  CHECK(Codes(Check(Png(0x7fffffff, 1)).findings) == Strings{"document.too_many_pixels"});
}

TEST_CASE("malformed images are refused") {
  const std::string jpeg = Jpeg(1024, 640);
  CHECK(Codes(Check(jpeg.substr(0, jpeg.size() - 2)).findings) == Strings{"document.corrupt_image"});
  CHECK(Codes(Check(jpeg.substr(0, 40)).findings) == Strings{"document.corrupt_image"});
  CHECK(Codes(Check(std::string("\xFF\xD8\xFF", 3)).findings) == Strings{"document.corrupt_image"});
  const std::string png = Png(1000, 700);
  CHECK(Codes(Check(png.substr(0, png.size() - 12)).findings) == Strings{"document.corrupt_image"});
  std::string huge_chunk = png;
  huge_chunk.replace(8, 4, "\xFF\xFF\xFF\xF0");
  CHECK(Codes(Check(huge_chunk).findings) == Strings{"document.corrupt_image"});
}

TEST_CASE("PDFs: encrypted, scripted, launching or carrying files are refused") {
  const auto with = [](const std::string& extra) {
    return "%PDF-1.7\n1 0 obj <<" + extra + ">> endobj\n%%EOF\n";
  };
  CHECK(Codes(Check(with("/Encrypt 5 0 R"), "kk").findings) == Strings{"document.pdf_encrypted"});
  CHECK(Codes(Check(with("/OpenAction <</S /JavaScript /JS (app.alert(1))>>"), "kk").findings) ==
        Strings{"document.pdf_active_content"});
  CHECK(Codes(Check(with("/S /J#61vaScript"), "kk").findings) == Strings{"document.pdf_active_content"});
  CHECK(Codes(Check(with("/A <</S /Launch /F (cmd.exe)>>"), "kk").findings) == Strings{"document.pdf_active_content"});
  CHECK(Codes(Check(with("/Names <</EmbeddedFiles 4 0 R>>"), "kk").findings) == Strings{"document.pdf_active_content"});
  CHECK(Codes(Check("%PDF-1.4\n1 0 obj <<>> endobj\n", "kk").findings) == Strings{"document.corrupt_pdf"});
}

namespace {

// RGBA pixels the tests paint themselves.
std::string Paint(int w, int h, auto colour) {
  std::string rgba(static_cast<std::size_t>(w) * h * 4, '\0');
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int v = colour(x, y);
      const std::size_t p = (static_cast<std::size_t>(y) * w + x) * 4;
      rgba[p] = rgba[p + 1] = rgba[p + 2] = static_cast<char>(v);
      rgba[p + 3] = static_cast<char>(255);
    }
  }
  return rgba;
}

// Dark text on light paper: lines of glyph-like strokes.
int Text(int x, int y) { return ((y / 6) % 3 != 2 && (x % 9 < 3 || (x + y) % 13 == 0)) ? 40 : 210; }

// The same page seen through a box blur of radius r.
auto Blurred(int r) {
  return [r](int x, int y) {
    int sum = 0, n = 0;
    for (int dy = -r; dy <= r; ++dy) {
      for (int dx = -r; dx <= r; ++dx, ++n) sum += Text(x + dx + 64, y + dy + 64);
    }
    return sum / n;
  };
}

Strings Quality(const std::string& rgba, int w, int h) {
  return Codes(CheckImageQuality(rgba, w, h, BuiltinDocumentRules()).findings);
}

}  // namespace

// At the scale the browser passes: a copy at most 512 px on the long side.
TEST_CASE("image quality: sharp, blurred, dark, glaring") {
  const int w = 480, h = 300;
  CHECK(Quality(Paint(w, h, Text), w, h) == Strings{});
  CHECK(Quality(Paint(w, h, Blurred(2)), w, h) == Strings{"image.blurry"});
  CHECK(Quality(Paint(w, h, Blurred(6)), w, h) == Strings{"image.blurry"});
  CHECK(Quality(Paint(w, h, [](int x, int y) { return Text(x, y) / 5; }), w, h) == Strings{"image.too_dark"});
  CHECK(Quality(Paint(w, h, [](int x, int y) { return x > w / 2 ? 255 : Text(x, y); }), w, h) == Strings{"image.glare"});
  const ImageQuality q = CheckImageQuality(Paint(w, h, Text), w, h, BuiltinDocumentRules());
  CHECK(q.findings.all().empty());
  CHECK(q.sharpness > 300);
  CHECK(Quality("abc", 10, 10) == Strings{"image.invalid_pixels"});
}

TEST_CASE("quality findings are warnings, never errors") {
  const ImageQuality q = CheckImageQuality(Paint(400, 300, [](int, int) { return 5; }), 400, 300, BuiltinDocumentRules());
  CHECK_FALSE(q.findings.has_errors());
  CHECK(q.findings.has_warnings());
}
