// A member's change after registration (RULES.md sections 6 and 10): whether the family may make
// it today, from when it takes effect, and the change in its stored form. The browser asks this
// before sending and the server again before storing; the waiting times are data (tariffs.json,
// "changes"), since a regulation may change them.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daftar/date.h"
#include "daftar/finding.h"
#include "daftar/tariffs.h"

namespace daftar {

// What the rules need to know of the family today.
struct FamilyState {
  std::string class_key;                    // the class in force (or already scheduled)
  std::string facility;                     // its FKTP's code; "" before one was chosen
  Date registered_on;
  std::optional<Date> last_class_change;     // the day the last class change was asked for
  std::optional<Date> last_facility_change;  // the same for the facility
  int unpaid_months = 0;                     // months due and unpaid today (the account's due_now)
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
// {"type": "class", "class": N} or {"type": "facility", "code", "reason"?}.
[[nodiscard]] ChangeCheck CheckChange(const nlohmann::ordered_json& change, const FamilyState& family, Date today,
                                      const TariffTable& tariffs);

// An FKTP code as BPJS Kesehatan writes it: 8 digits or capital letters ("09020107"); stored in
// capitals.
[[nodiscard]] FieldCheck CheckFacilityCode(std::string_view text);

}  // namespace daftar
