// Contributions (iuran) as effective-dated data: every schedule row names its validity and legal
// basis, so a new regulation is a new row in shared/data/tariffs.json, not new code. Money is
// whole rupiah in int64_t; rates are basis points (500 = 5 %).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daftar/date.h"
#include "daftar/finding.h"

namespace daftar {

struct Contribution {
  int64_t total = 0;
  int64_t participant = 0;  // what the family pays
  int64_t subsidy = 0;      // what central or regional government pays
};

struct Validity {
  Date from;
  std::optional<Date> to;  // open-ended when absent
  std::string basis;       // the regulation, e.g. "Perpres 64/2020"
  [[nodiscard]] bool Covers(Date date) const;
};

// PBPU and BP: a flat amount per person per month by class. Class keys are text ("1", "2", "3")
// so that a single standard class (KRIS) can be added as data.
struct ClassSchedule : Validity {
  std::map<std::string, Contribution> classes;
};

// PPU (wage earners): a percentage of the salary base, split between employer and employee.
struct WageSchedule : Validity {
  int employer_bp = 0;
  int employee_bp = 0;
  int extra_member_bp = 0;  // per additional family member, paid by the worker
  int64_t salary_cap = 0;
  int covered_members = 0;  // worker, spouse and children covered by the base rate
};

// PBI: paid wholly by the government.
struct FlatSchedule : Validity {
  int64_t amount = 0;
};

// Denda pelayanan: rate x inpatient cost x months in arrears (capped), capped in rupiah.
struct PenaltySchedule : Validity {
  int rate_bp = 0;
  int max_months = 0;
  int64_t cap = 0;
};

struct TariffTable {
  std::string version;
  std::vector<ClassSchedule> pbpu;  // also BP
  std::vector<WageSchedule> ppu;
  std::vector<FlatSchedule> pbi;
  std::vector<PenaltySchedule> penalty;
  int max_arrears_months = 0;  // reactivation counts at most this many unpaid months
  int penalty_window_days = 0; // inpatient care this long after reactivation carries the penalty
  int due_day = 0;             // each month is due on this day of it
  int max_months_ahead = 0;    // months a family may pay in advance
  int class_change_min_months = 0;     // a class change this long after the last at the earliest
  int facility_change_min_months = 0;  // the same for the health facility (FKTP)
  std::vector<std::string> facility_early_reasons;  // reasons that waive the facility's wait
  int newborn_cover_days = 0;  // a newborn added this soon after birth is covered from birth
  int newborn_pay_days_after_approval = 0;  // and its share is due no sooner than this after approval

  [[nodiscard]] const ClassSchedule* PbpuAt(Date date) const;
  [[nodiscard]] const WageSchedule* PpuAt(Date date) const;
  [[nodiscard]] const FlatSchedule* PbiAt(Date date) const;
  [[nodiscard]] const PenaltySchedule* PenaltyAt(Date date) const;
};

struct TariffLoad {
  std::optional<TariffTable> table;
  Findings findings;  // paths into the tariff document
};
// Reads a tariff document (the format of shared/data/tariffs.json); refuses overlapping rows.
[[nodiscard]] TariffLoad ParseTariffs(std::string_view json_text);
// The table compiled in from shared/data/tariffs.json, and that file's text.
[[nodiscard]] const TariffTable& BuiltinTariffs();
[[nodiscard]] std::string_view BuiltinTariffsJson();

struct QuoteRequest {
  std::string segment;      // PBPU, BP, PPU, PBI
  std::string class_key;    // PBPU/BP: "1", "2", "3"
  int members = 0;          // people on the family card (PPU: covered by the base rate)
  int64_t salary = 0;       // PPU
  int64_t minimum_wage = 0; // PPU: the regency's UMK; 0 = no floor
  int extra_members = 0;    // PPU: each costs extra_member_bp of the base
  std::optional<int> unpaid_months;
  struct Penalty {
    int64_t inpatient_cost = 0;  // INA-CBG cost of the episode
    int months_in_arrears = 0;
  };
  std::optional<Penalty> penalty;
};

struct WageAmounts {
  int64_t base = 0;  // salary after floor and cap
  int64_t employer = 0;
  int64_t employee = 0;
  int64_t extra_members = 0;
};

struct Quote {
  Date date;
  std::string basis;
  std::optional<Contribution> per_member;
  std::optional<Contribution> monthly;
  std::optional<WageAmounts> ppu;
  struct Reactivation {
    int months_counted = 0;
    int64_t amount = 0;  // the unpaid months counted and the current month, each at its own tariff
    struct Month {
      Date month;  // its first day
      int64_t amount = 0;
    };
    std::vector<Month> months;  // oldest first, the current month last
  };
  std::optional<Reactivation> reactivation;
  struct PenaltyEstimate {
    int rate_bp = 0;
    int64_t amount = 0;
  };
  std::optional<PenaltyEstimate> penalty;
};

struct QuoteResult {
  std::optional<Quote> quote;  // set when there are no errors
  Findings findings;           // paths into the request
};
// Percentages of a salary are rounded half up to whole rupiah, each amount on its own.
[[nodiscard]] QuoteResult MakeQuote(const TariffTable& tariffs, const QuoteRequest& request,
                                    Date date);

}  // namespace daftar
