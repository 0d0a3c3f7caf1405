// The server's real look inside a PDF (libqpdf): the browser's check reads names in the raw bytes,
// which cannot see into compressed object streams; this parses the file as a PDF reader would,
// visits every object (those in object streams included) and refuses active content.
#pragma once

#include <string_view>

#include "daftar/finding.h"

namespace daftar::server {

// Findings at "" with codes document.pdf_javascript, pdf_auto_action (OpenAction, AA),
// pdf_launch, pdf_embedded_file, pdf_xfa, pdf_rich_media, pdf_encrypted and pdf_unreadable
// (qpdf cannot read it); empty when the PDF is plain. Never throws.
[[nodiscard]] Findings InspectPdf(std::string_view bytes);

}  // namespace daftar::server
