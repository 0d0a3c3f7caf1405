#include "text.h"

#include <algorithm>

namespace daftar::text {

bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

std::string Strip(std::string_view s, std::string_view separators) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (separators.find(c) == std::string_view::npos) out.push_back(c);
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
