#include "pdf_inspection.h"

// qpdf 11: no PointerHolder compatibility, std::shared_ptr throughout.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <set>
#include <string>

namespace daftar::server {
namespace {

// What one object (with the direct objects inside it) says about active content.
class Inspector {
 public:
  explicit Inspector(Findings& findings) : f_(findings) {}

  void Visit(QPDFObjectHandle object, int depth = 0) {
    // Indirect objects are visited on their own; direct ones nest at most as deep as qpdf parses.
    if (depth > 64) return;
    if (object.isStream()) object = object.getDict();
    if (object.isArray()) {
      for (int i = 0, n = object.getArrayNItems(); i < n; ++i) {
        QPDFObjectHandle item = object.getArrayItem(i);
        if (!item.isIndirect()) Visit(item, depth + 1);
      }
      return;
    }
    if (!object.isDictionary()) return;
    for (const std::string& key : object.getKeys()) {
      QPDFObjectHandle value = object.getKey(key);
      Key(key, value);
      if (!value.isIndirect()) Visit(value, depth + 1);
    }
  }

 private:
  void Key(const std::string& key, QPDFObjectHandle& value) {
    const std::string name = value.isName() ? value.getName() : "";
    if (key == "/JS" || key == "/JavaScript" || name == "/JavaScript") Refuse("document.pdf_javascript", "");
    if (key == "/OpenAction") Refuse("document.pdf_auto_action", "OpenAction");
    if (key == "/AA") Refuse("document.pdf_auto_action", "AA");
    if (name == "/Launch") Refuse("document.pdf_launch", "");
    if (key == "/EmbeddedFiles" || key == "/EF" || name == "/EmbeddedFile" || name == "/FileAttachment") {
      Refuse("document.pdf_embedded_file", "");
    }
    if (key == "/XFA") Refuse("document.pdf_xfa", "");
    if (key.rfind("/RichMedia", 0) == 0 || name == "/RichMedia" || name == "/3D" || name == "/Movie" ||
        name == "/Sound" || name == "/Screen" || name == "/Rendition") {
      Refuse("document.pdf_rich_media", "");
    }
  }

  // Each kind of refusal once.
  void Refuse(const char* code, const char* feature) {
    if (!seen_.insert(code).second) return;
    if (*feature) {
      f_.Error("", code, {{"feature", std::string(feature)}});
    } else {
      f_.Error("", code);
    }
  }

  Findings& f_;
  std::set<std::string> seen_;
};

}  // namespace

Findings InspectPdf(std::string_view bytes) {
  Findings f;
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processMemoryFile("uploaded PDF", bytes.data(), bytes.size());
    if (pdf.isEncrypted()) {
      f.Error("", "document.pdf_encrypted");
      return f;
    }
    Inspector inspector(f);
    inspector.Visit(pdf.getTrailer());
    // Every indirect object, those inside compressed object streams included.
    for (QPDFObjectHandle& object : pdf.getAllObjects()) inspector.Visit(object);
  } catch (const std::exception&) {
    f = Findings();
    f.Error("", "document.pdf_unreadable");
  }
  return f;
}

}  // namespace daftar::server
