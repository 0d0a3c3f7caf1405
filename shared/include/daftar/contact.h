// Personal and contact fields: names, mobile numbers, e-mail, NPWP. Each check returns the
// normalised value as it is stored, and its findings at path "".
#pragma once

#include <string_view>

#include "daftar/finding.h"

namespace daftar {

// As printed on the KTP: spaces trimmed and collapsed, upper case (accented Latin too); letters,
// space, apostrophe, dot, comma, hyphen; 2-100 characters with at least one letter.
[[nodiscard]] FieldCheck CheckName(std::string_view text);

// Indonesian mobile number in any usual form (08…, 628…, +628…, spaces, dashes, dots,
// parentheses); stored as E.164 "+628…". The national number must match 8[1-35-9][0-9]{7,10};
// fixed lines, 0800 service numbers and +6284 are not mobile.
[[nodiscard]] FieldCheck CheckMobilePhone(std::string_view text);

// A practical subset of RFC 5321: local@domain, dot-separated labels, a top-level label of
// letters, at most 254 characters. The domain is stored in lower case.
[[nodiscard]] FieldCheck CheckEmail(std::string_view text);

// NPWP (tax number): 15 digits (old form) or 16 (since 2022; for individuals, the NIK).
[[nodiscard]] FieldCheck CheckNpwp(std::string_view text);

}  // namespace daftar
