// A PBPU/BP family's account month by month (RULES.md section 5): what each month costs, which
// months are paid, whether cover is active, what is due now. Pure: the family's history and today
// in, the statement out; the server stores only facts (months paid) and asks this every time, so
// what the family and the bank see is always computed for today.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daftar/date.h"
#include "daftar/finding.h"
#include "daftar/tariffs.h"

namespace daftar {

// Months are the first day of the month.
struct ClassPeriod {
  Date from;
  std::string class_key;  // "1", "2", "3"
};

struct Coverage {
  Date from;
  std::optional<Date> until;  // the last month covered (a death ends cover after its month)
  // A newborn covered from birth: months the family had already paid owe its share by this day,
  // or its cover of those months lapses (RULES.md section 10: paid within 28 days of birth).
  std::optional<Date> pay_by;
};

// A payment for a month. A month may be paid in parts: when someone joins a month already paid
// (a newborn covered from birth, a spouse in a month paid ahead), the rest is a top-up.
struct PaidMonth {
  Date month;
  int64_t amount = 0;   // what was paid for it (the tariff then)
  std::string paid_at;  // the payment's ISO 8601 timestamp; one payment may pay several months
};

struct AccountHistory {
  std::vector<ClassPeriod> classes;  // in effect from each `from` until the next
  std::vector<Coverage> members;
  std::vector<PaidMonth> paid;  // the first payment's month is the first month of the account
};

struct Bill {
  Date month;
  int64_t amount = 0;
  Date due;
  bool paid = false;
  std::string paid_at;  // when paid (its first part)
  bool top_up = false;  // the rest of a month already paid, owed for someone who joined it
};

struct Account {
  std::string membership;  // "none" (nothing paid yet), "active" or "inactive"
  // The last 24 months and every unpaid month still counted, and the months paid ahead. Months
  // left unpaid beyond the arrears counted at a reactivation are no longer owed and not listed.
  std::vector<Bill> bills;
  struct Due {
    int64_t amount = 0;
    std::vector<Bill> months;  // oldest first
  } due_now;
  std::optional<Date> suspended_from;
  std::optional<Date> reactivated_at;        // the last payment that made cover active again
  std::optional<Date> penalty_window_until;  // inpatient care until then carries the penalty
  struct Penalty {
    int rate_bp = 0;
    int months_in_arrears = 0;  // already capped at max_months
    int max_months = 0;
    int64_t cap = 0;
  };
  std::optional<Penalty> penalty;  // only while today is in the window
};

struct AccountResult {
  std::optional<Account> account;  // set when there are no errors
  Findings findings;
};

// `months_ahead` adds that many months after the current one to what is due now (paying ahead).
[[nodiscard]] AccountResult MakeAccount(const TariffTable& tariffs, const AccountHistory& history, Date today,
                                        int months_ahead = 0);

}  // namespace daftar
