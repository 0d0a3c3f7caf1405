// Small text helpers private to the core.
#pragma once

#include <string>
#include <string_view>

namespace daftar::text {

[[nodiscard]] inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
[[nodiscard]] bool AllDigits(std::string_view s);
// `s` without any of the characters in `separators`.
[[nodiscard]] std::string Strip(std::string_view s, std::string_view separators);
// Spaces, dots and dashes: how people group long numbers.
[[nodiscard]] inline std::string StripNumberSeparators(std::string_view s) {
  return Strip(s, " .-\t");
}
[[nodiscard]] std::string_view Trim(std::string_view s);
// Value of 1 to 4 ASCII digits at `s` (no checks beyond digits).
[[nodiscard]] int ParseSmallNumber(std::string_view s);
// The length of the UTF-8 sequence starting at s[0] (s not empty) when it is complete and well
// formed (no overlong forms, surrogates or code points above U+10FFFF); otherwise, negated, the
// length of its longest valid beginning (at least 1), which one U+FFFD replaces.
[[nodiscard]] int Utf8Sequence(std::string_view s);

}  // namespace daftar::text
