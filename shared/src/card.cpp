#include "daftar/card.h"

#include "text.h"

namespace daftar {
namespace {

// Verhoeff's dihedral-group tables: multiplication in D5, the position permutation, the inverse.
constexpr unsigned char kD[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
    {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
    {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
    {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
constexpr unsigned char kP[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
    {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
    {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
constexpr unsigned char kInverse[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

// Runs the checksum over `digits` as if followed by `offset` more positions (1 when a check
// digit will be appended, 0 when the last digit is the check digit).
int VerhoeffState(std::string_view digits, int offset) {
  int c = 0;
  const int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    const int digit = digits[n - 1 - i] - '0';
    c = kD[c][kP[(i + offset) % 8][digit]];
  }
  return c;
}

constexpr int kCardDigits = 13;
constexpr int kVaCardDigits = 11;

}  // namespace

char VerhoeffCheckDigit(std::string_view digits) {
  return static_cast<char>('0' + kInverse[VerhoeffState(digits, 1)]);
}

bool VerhoeffIsValid(std::string_view digits) {
  return !digits.empty() && VerhoeffState(digits, 0) == 0;
}

CardCheck CheckCard(std::string_view input) {
  CardCheck out;
  out.normalized = text::StripNumberSeparators(input);
  const std::string& card = out.normalized;
  if (card.empty()) {
    out.findings.Error("", "card.required");
  } else if (!text::AllDigits(card)) {
    out.findings.Error("", "card.invalid_characters");
  } else if (card.size() != kCardDigits) {
    out.findings.Error("", "card.invalid_length", {{"length", static_cast<int64_t>(card.size())}});
  } else if (!VerhoeffIsValid(card)) {
    out.findings.Error("", "card.invalid_check_digit");
  } else {
    out.serial = card.substr(0, kCardDigits - 1);
  }
  return out;
}

std::optional<std::string> CardFromSerial(int64_t serial) {
  if (serial < 1 || serial > kMaxCardSerial) return std::nullopt;
  std::string digits = std::to_string(serial);
  digits.insert(0, kCardDigits - 1 - digits.size(), '0');
  digits.push_back(VerhoeffCheckDigit(digits));
  return digits;
}

VaResult MakeVirtualAccount(std::string_view card_text, std::string_view prefix) {
  VaResult out;
  CardCheck card = CheckCard(card_text);
  const bool only_check_digit = card.findings.all().size() == 1 &&
                                card.findings.all()[0].code == "card.invalid_check_digit";
  if (only_check_digit) {
    out.findings.Warning("/card", "card.invalid_check_digit");
  } else {
    out.findings.Append(card.findings, "/card");
  }
  if (prefix.size() < 3 || prefix.size() > 8 || !text::AllDigits(prefix)) {
    out.findings.Error("/prefix", "va.invalid_prefix");
  }
  if (!out.findings.has_errors()) {
    out.va = std::string(prefix) + card.normalized.substr(kCardDigits - kVaCardDigits);
  }
  return out;
}

}  // namespace daftar
