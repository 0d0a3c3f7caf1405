// The one catalogue of messages, keyed by finding code: Bahasa Indonesia first, English too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daftar/finding.h"

namespace daftar {

struct Message {
  std::string id;  // Bahasa Indonesia
  std::string en;
};

// The finding's message with its params filled in ("{length}" -> "15").
[[nodiscard]] Message RenderMessage(const Finding& finding);
[[nodiscard]] bool IsCatalogued(std::string_view code);
[[nodiscard]] std::vector<std::string_view> CataloguedCodes();

// The consent to the population-registry check, versioned: an application names the version its
// applicant agreed to, and a changed text is a new version (a new catalogue entry
// "consent.text_vN"), never an edit of the old one.
inline constexpr std::string_view kConsentTextVersion = "1";
[[nodiscard]] bool IsConsentTextVersion(std::string_view version);
// The text of `version` (id and en); empty texts for an unknown version.
[[nodiscard]] Message ConsentText(std::string_view version);

}  // namespace daftar
