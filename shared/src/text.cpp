#include "text.h"

#include <algorithm>

namespace daftar::text {

bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

std::string Strip(std::string_view s, std::string_view separators) {
  // The separators compared in a loop rather than by find(), a call per character: this is on
  // the path of every NIK check. Runs between separators are copied whole.
  const auto separator = [separators](char c) {
    return std::any_of(separators.begin(), separators.end(), [c](char s) { return s == c; });
  };
  std::string out;
  out.reserve(s.size());
  for (auto from = s.begin(); from != s.end();) {
    const auto to = std::find_if(from, s.end(), separator);
    out.append(from, to);
    from = to == s.end() ? to : to + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

int Utf8Sequence(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  int length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the second byte's range; later ones are 80..BF
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    if (static_cast<std::size_t>(i) >= s.size()) return -i;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < low || c > high) return -i;
    low = 0x80, high = 0xBF;
  }
  return length;
}

int ParseSmallNumber(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

}  // namespace daftar::text
