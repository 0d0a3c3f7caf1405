// A member's change after registration (RULES.md sections 6 and 10): whether the family may make
// it today, from when it takes effect, and the change in its stored form. The browser asks this
// before sending and the server again before storing; the waiting times are data (tariffs.json,
// "changes"), since a regulation may change them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daftar/date.h"
#include "daftar/documents.h"
#include "daftar/finding.h"
#include "daftar/tariffs.h"

namespace daftar {

// A member as the rules of a death report see it: its place in the family, and false for `covered`
// once the end of its cover is recorded.
struct FamilyMember {
  int64_t position = 0;
  std::string relationship;
  bool covered = true;
};

// What the rules need to know of the family today.
struct FamilyState {
  std::string class_key;                    // the class in force (or already scheduled)
  std::string facility;                     // its FKTP's code; "" before one was chosen
  Date registered_on;
  std::optional<Date> last_class_change;     // the day the last class change was asked for
  std::optional<Date> last_facility_change;  // the same for the facility
  int unpaid_months = 0;                     // months due and unpaid today (the account's due_now)
  std::vector<FamilyMember> members;
};

struct ChangeCheck {
  Findings findings;                  // paths into the change ("/class", "/phone", …)
  nlohmann::ordered_json normalized;  // the change with every field in its stored form
  // "applied" (in force today), "scheduled" (from `effective`) or "review" (a person decides,
  // from the document the family sends).
  std::string status;
  Date effective;
};

// {"type": "contact", "phone"?, "email"?, "language"?}, {"type": "address", "address": {…}},
// {"type": "class", "class": N} or {"type": "facility", "code", "reason"?}; and the changes that
// carry documents (the manifest of a sealed package, schema "daftar.change/1"), which a person
// reviews: {"type": "add_member", "member": {…}, "kk_number"?, "documents": […]} (a newborn added
// within `newborn_cover_days` of birth is covered from birth, anyone else from the 1st of next
// month) and {"type": "death", "member": position, "date", "documents": […]} (cover ends after
// the month of the death).
[[nodiscard]] ChangeCheck CheckChange(const nlohmann::ordered_json& change, const FamilyState& family, Date today,
                                      const TariffTable& tariffs, const DocumentRules& documents);

inline constexpr std::string_view kChangeSchema = "daftar.change/1";

// An FKTP code as BPJS Kesehatan writes it: 8 digits or capital letters ("09020107"); stored in
// capitals.
[[nodiscard]] FieldCheck CheckFacilityCode(std::string_view text);

}  // namespace daftar
