#include "daftar/contact.h"

#include <algorithm>
#include <cstdint>

#include "text.h"

namespace daftar {
namespace {

// --- UTF-8, just enough for names -------------------------------------------------------------

// Decodes one code point at `s[i]`, advancing `i`; -1 for malformed or overlong sequences.
int32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  int length = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > s.size()) {
    ++i;
    return -1;
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  int32_t cp = length == 1 ? b0 : b0 & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  if (cp < kMin[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

void AppendUtf8(std::string& out, int32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Letters of Basic Latin, Latin-1 Supplement and Latin Extended-A: the alphabets of Indonesian
// names as the civil registry prints them, with room for accents.
bool IsNameLetter(int32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7);
}

int32_t ToUpper(int32_t cp) {
  if (cp >= 'a' && cp <= 'z') return cp - 32;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;
  if (cp == 0xFF) return 0x178;
  if (cp == 0x131) return 'I';
  if (cp == 0x17F) return 'S';
  const bool even_upper = (cp >= 0x100 && cp <= 0x137 && cp != 0x130) || (cp >= 0x14A && cp <= 0x177);
  if (even_upper) return cp & ~1;
  const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
  if (odd_upper && cp % 2 == 0) return cp - 1;
  return cp;
}

std::string CodePointText(int32_t cp) {
  std::string s;
  if (cp >= 0) AppendUtf8(s, cp);
  return s;
}

constexpr std::size_t kNameMin = 2, kNameMax = 100;

}  // namespace

FieldCheck CheckName(std::string_view input) {
  FieldCheck out;
  std::size_t length = 0;
  bool has_letter = false, pending_space = false;
  for (std::size_t i = 0; i < input.size();) {
    int32_t cp = NextCodePoint(input, i);
    if (cp == ' ' || cp == '\t' || cp == 0xA0) {
      pending_space = length > 0;
      continue;
    }
    if (cp == 0x2019 || cp == 0x2018 || cp == '`') cp = '\'';  // typographic apostrophes
    if (cp >= '0' && cp <= '9') {
      out.findings.Error("", "name.contains_digits");
      return out;
    }
    const bool letter = IsNameLetter(cp);
    if (!letter && cp != '\'' && cp != '.' && cp != ',' && cp != '-') {
      out.findings.Error("", "name.invalid_characters", {{"character", CodePointText(cp)}});
      return out;
    }
    if (pending_space) {
      out.normalized.push_back(' ');
      ++length;
      pending_space = false;
    }
    AppendUtf8(out.normalized, letter ? ToUpper(cp) : cp);
    ++length;
    has_letter = has_letter || letter;
  }
  if (length == 0) {
    out.findings.Error("", "name.required");
  } else if (!has_letter) {
    out.findings.Error("", "name.no_letters");
  } else if (length < kNameMin) {
    out.findings.Error("", "name.too_short", {{"min", int64_t{kNameMin}}});
  } else if (length > kNameMax) {
    out.findings.Error("", "name.too_long", {{"max", int64_t{kNameMax}}});
  }
  return out;
}

FieldCheck CheckMobilePhone(std::string_view input) {
  FieldCheck out;
  std::string digits = text::Strip(text::Trim(input), " .-()\t");
  if (digits.empty()) {
    out.findings.Error("", "phone.required");
    return out;
  }
  std::string_view nsn = digits;  // the national significant number, without 0 or +62
  if (nsn.front() == '+') {
    nsn.remove_prefix(1);
    if (nsn.substr(0, 2) != "62") {
      out.findings.Error("", "phone.not_indonesian");
      return out;
    }
    nsn.remove_prefix(2);
  } else if (nsn.substr(0, 2) == "62") {
    nsn.remove_prefix(2);
  }
  if (!nsn.empty() && nsn.front() == '0') nsn.remove_prefix(1);  // "08…", and "+62 08…"
  if (!text::AllDigits(nsn)) {
    out.findings.Error("", "phone.invalid_characters");
    return out;
  }
  // 8[1-35-9]: 80x is for service numbers (0800, 0809) and 84 is not assigned to mobiles.
  if (nsn.size() < 2 || nsn[0] != '8' || nsn[1] == '0' || nsn[1] == '4') {
    out.findings.Error("", "phone.not_mobile");
    return out;
  }
  if (nsn.size() < 9 || nsn.size() > 12) {
    out.findings.Error("", "phone.invalid_length",
                       {{"length", static_cast<int64_t>(nsn.size() + 1)}});
    return out;
  }
  out.normalized = "+62" + std::string(nsn);
  return out;
}

namespace {

bool IsAtext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || text::IsDigit(c) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

bool IsValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
  for (std::size_t i = 0; i < local.size(); ++i) {
    if (local[i] == '.' ? local[i + 1] == '.' : !IsAtext(local[i])) return false;
  }
  return true;
}

bool IsValidDomain(std::string_view domain) {
  std::size_t labels = 0;
  std::string_view last;
  while (true) {
    const std::size_t dot = domain.find('.');
    const std::string_view label = domain.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || text::IsDigit(c) || c == '-')) return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2 && last.size() >= 2 &&
         std::all_of(last.begin(), last.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

constexpr std::size_t kEmailMax = 254;

}  // namespace

FieldCheck CheckEmail(std::string_view input) {
  FieldCheck out;
  const std::string_view email = text::Trim(input);
  if (email.empty()) {
    out.findings.Error("", "email.required");
    return out;
  }
  if (email.size() > kEmailMax) {
    out.findings.Error("", "email.too_long", {{"max", int64_t{kEmailMax}}});
    return out;
  }
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    out.findings.Error("", "email.invalid_format");
    return out;
  }
  const std::string_view local = email.substr(0, at);
  std::string domain(email.substr(at + 1));
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (!IsValidLocalPart(local)) {
    out.findings.Error("", "email.invalid_local_part");
  } else if (!IsValidDomain(domain)) {
    out.findings.Error("", "email.invalid_domain", {{"domain", domain}});
  } else {
    out.normalized = std::string(local) + "@" + domain;
  }
  return out;
}

FieldCheck CheckNpwp(std::string_view input) {
  FieldCheck out;
  out.normalized = text::StripNumberSeparators(input);
  if (out.normalized.empty()) {
    out.findings.Error("", "npwp.required");
  } else if (!text::AllDigits(out.normalized)) {
    out.findings.Error("", "npwp.invalid_characters");
  } else if (out.normalized.size() != 15 && out.normalized.size() != 16) {
    out.findings.Error("", "npwp.invalid_length",
                       {{"length", static_cast<int64_t>(out.normalized.size())}});
  }
  return out;
}

}  // namespace daftar
