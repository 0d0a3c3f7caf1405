#include "daftar/documents.h"

#include <algorithm>

#include "json_read.h"

namespace daftar::data {
extern const char documents_json[];
}

namespace daftar {

const DocumentKindLimits* DocumentRules::Find(std::string_view kind) const {
  const auto it = std::find_if(kinds.begin(), kinds.end(),
                               [&](const DocumentKindLimits& k) { return k.kind == kind; });
  return it == kinds.end() ? nullptr : &*it;
}

bool DocumentRules::AcceptsMediaType(std::string_view media_type) const {
  return std::find(media_types.begin(), media_types.end(), media_type) != media_types.end();
}

namespace {

DocumentRules Parse(std::string_view text) {
  DocumentRules rules;
  const json doc = ParseJson(text);
  Findings ignored;  // the built-in file is checked by the tests
  JsonReader in(ignored);
  if (const json* types = in.Array(doc, "media_types", "", Need::kRequired)) {
    for (const json& t : *types) {
      if (t.is_string()) rules.media_types.push_back(t.get<std::string>());
    }
  }
  rules.max_pixels = in.Integer(doc, "max_pixels", "", Need::kRequired, 1, INT64_MAX).value_or(0);
  if (const json* kinds = in.Object(doc, "kinds", "", Need::kRequired)) {
    for (const auto& [kind, limits] : kinds->items()) {
      DocumentKindLimits k;
      k.kind = kind;
      k.max_bytes = in.Integer(limits, "max_bytes", "", Need::kRequired, 1, INT64_MAX).value_or(0);
      k.min_long_side = static_cast<int>(
          in.Integer(limits, "min_long_side", "", Need::kOptional, 0, 100000).value_or(0));
      k.min_short_side = static_cast<int>(
          in.Integer(limits, "min_short_side", "", Need::kOptional, 0, 100000).value_or(0));
      rules.kinds.push_back(std::move(k));
    }
  }
  if (const json* needs = in.Object(doc, "who_needs_what", "", Need::kRequired)) {
    rules.ktp_from_age = static_cast<int>(in.Integer(*needs, "ktp_from_age", "", Need::kRequired, 0, 150).value_or(17));
    rules.newborn_without_nik_months =
        static_cast<int>(in.Integer(*needs, "newborn_without_nik_months", "", Need::kRequired, 0, 120).value_or(3));
  }
  if (const json* quality = in.Object(doc, "quality", "", Need::kRequired)) {
    rules.quality.min_sharpness = in.Integer(*quality, "min_sharpness", "", Need::kRequired, 0, INT64_MAX).value_or(0);
    rules.quality.min_brightness = in.Integer(*quality, "min_brightness", "", Need::kRequired, 0, 255).value_or(0);
    rules.quality.max_glare_permille = in.Integer(*quality, "max_glare_permille", "", Need::kRequired, 0, 1000).value_or(1000);
  }
  return rules;
}

}  // namespace

const DocumentRules& BuiltinDocumentRules() {
  static const DocumentRules rules = Parse(data::documents_json);
  return rules;
}

std::string_view BuiltinDocumentRulesJson() { return data::documents_json; }

}  // namespace daftar
