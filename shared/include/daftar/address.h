// Address fields. Village codes come from the current region table only.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "daftar/finding.h"

namespace daftar {

// 5 digits, the first 1-9 (the postal zone).
[[nodiscard]] FieldCheck CheckPostalCode(std::string_view text);

// RT or RW: 1-3 digits, not zero; stored zero-padded to 3 ("7" -> "007"). `field` is "rt" or
// "rw" and prefixes the codes.
[[nodiscard]] FieldCheck CheckNeighbourhood(std::string_view text, std::string_view field);

// A current village code, "32.04.11.2001" or "3204112001"; stored in the dotted form.
[[nodiscard]] FieldCheck CheckVillageCode(std::string_view text);

// The free-text line (street, house number): 3-200 characters after trimming.
[[nodiscard]] FieldCheck CheckAddressLine(std::string_view text);

// The address object of an application or of an address change: each field above, findings at
// "/line", "/rt", "/rw", "/village_code", "/postal_code"; `normalized` (a copy of the object)
// gets each valid field's stored form.
void CheckAddressObject(const nlohmann::ordered_json& address, Findings& findings, nlohmann::ordered_json& normalized);

}  // namespace daftar
