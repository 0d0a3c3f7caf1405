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

int ParseSmallNumber(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

}  // namespace daftar::text
