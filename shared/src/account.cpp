#include "daftar/account.h"

#include <algorithm>
#include <map>

namespace daftar {
namespace {

// Months as consecutive integers, so that "the month before" is arithmetic.
int MonthIndex(Date d) { return d.year * 12 + (d.month - 1); }
Date MonthAt(int index) { return {index / 12, index % 12 + 1, 1}; }

struct Pricing {
  const TariffTable& tariffs;
  const AccountHistory& history;
  Findings& findings;

  // Members covered that month x the tariff in force that month at that month's class. With
  // `lapsed_after`, members whose share had to be paid by a day before it are left out.
  std::optional<int64_t> operator()(int month, std::optional<Date> lapsed_after = std::nullopt) const {
    const Date first = MonthAt(month);
    const ClassPeriod* period = nullptr;
    for (const ClassPeriod& p : history.classes) {
      if (MonthIndex(p.from) <= month && (period == nullptr || p.from >= period->from)) period = &p;
    }
    if (period == nullptr) {
      findings.Error("/classes", "account.no_class_for_month", {{"month", FormatIsoDate(first).substr(0, 7)}});
      return std::nullopt;
    }
    const ClassSchedule* row = tariffs.PbpuAt(first);
    const auto klass = row ? row->classes.find(period->class_key) : decltype(row->classes.end()){};
    if (row == nullptr || klass == row->classes.end()) {
      findings.Error("/classes", "quote.no_tariff_for_date", {{"date", FormatIsoDate(first)}});
      return std::nullopt;
    }
    int64_t covered = 0;
    for (const Coverage& c : history.members) {
      if (lapsed_after && c.pay_by && *c.pay_by < *lapsed_after) continue;
      if (MonthIndex(c.from) <= month && (!c.until || month <= MonthIndex(*c.until))) ++covered;
    }
    return klass->second.participant * covered;
  }
};

}  // namespace

AccountResult MakeAccount(const TariffTable& tariffs, const AccountHistory& history, Date today, int months_ahead) {
  AccountResult out;
  Findings& f = out.findings;
  if (months_ahead < 0 || months_ahead > tariffs.max_months_ahead) {
    f.Error("/months_ahead", "account.too_many_months_ahead", {{"max", int64_t{tariffs.max_months_ahead}}});
    return out;
  }
  const Pricing price{tariffs, history, f};
  const int now = MonthIndex(today);
  const auto bill = [&](int month, int64_t amount) {
    const Date first = MonthAt(month);
    return Bill{first, amount, Date{first.year, first.month, tariffs.due_day}, false, {}};
  };

  std::map<int, const PaidMonth*> paid;   // a month's first part
  std::map<int, int64_t> paid_amount;     // and all its parts
  for (const PaidMonth& p : history.paid) {
    paid.emplace(MonthIndex(p.month), &p);
    paid_amount[MonthIndex(p.month)] += p.amount;
  }
  Account account;
  // Nothing paid yet: the first payment pays the month in which it is made.
  const int start = paid.empty() ? now : paid.begin()->first;
  const int last_paid = paid.empty() ? now - 1 : paid.rbegin()->first;
  account.membership = paid.empty() ? "none" : last_paid >= now - 1 ? "active" : "inactive";
  if (account.membership == "inactive") account.suspended_from = MonthAt(last_paid + 2);

  // Payments in the order made: one that found cover suspended and left it active reactivated it.
  std::map<std::string, std::vector<int>> payments;  // paid_at -> months
  for (const auto& [month, p] : paid) payments[p->paid_at].push_back(month);
  std::vector<std::pair<Date, std::vector<int>>> made;
  for (auto& [at, months] : payments) {
    const std::optional<Date> day = ParseIsoTimestampDate(at);
    if (!day) {
      f.Error("/paid", "input.invalid_date", {{"paid_at", at}});
      return out;
    }
    made.emplace_back(*day, std::move(months));
  }
  std::stable_sort(made.begin(), made.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  int paid_through = start - 1, arrears = 0;
  for (const auto& [day, months] : made) {
    const int month = MonthIndex(day);
    const int through = std::max(paid_through, *std::max_element(months.begin(), months.end()));
    if (paid_through < month - 1 && through >= month) {
      account.reactivated_at = day;
      arrears = static_cast<int>(std::count_if(months.begin(), months.end(), [&](int m) { return m < month; }));
    }
    paid_through = through;
  }
  if (account.reactivated_at) {
    account.penalty_window_until = AddDays(*account.reactivated_at, tariffs.penalty_window_days);
    const PenaltySchedule* row = tariffs.PenaltyAt(today);
    if (today <= *account.penalty_window_until && row != nullptr) {
      account.penalty = Account::Penalty{row->rate_bp, std::min(arrears, row->max_months), row->max_months, row->cap};
    }
  }

  // A month paid before someone joined it owes the rest: by the newborn's day (its cover of the
  // month lapses after it), else by the month's own due date.
  const auto top_up = [&](int month) -> std::optional<Bill> {
    const std::optional<int64_t> price_now = price(month, today);
    if (!price_now || *price_now <= paid_amount[month]) return std::nullopt;
    Bill b = bill(month, *price_now - paid_amount[month]);
    b.top_up = true;
    std::optional<Date> newborn_day;
    for (const Coverage& c : history.members) {
      if (c.pay_by && today <= *c.pay_by && MonthIndex(c.from) <= month && (!newborn_day || *c.pay_by < *newborn_day)) {
        newborn_day = c.pay_by;
      }
    }
    if (newborn_day) b.due = *newborn_day;
    return b;
  };
  std::vector<Bill> top_ups;

  // Months before the last one paid and left unpaid were beyond the arrears counted: not owed.
  if (!paid.empty()) {
    for (int month = std::max(start, now - tariffs.max_arrears_months); month <= std::max(now, last_paid); ++month) {
      if (const auto p = paid.find(month); p != paid.end()) {
        Bill b = bill(month, paid_amount[month]);
        b.paid = true;
        b.paid_at = p->second->paid_at;
        account.bills.push_back(std::move(b));
        if (std::optional<Bill> rest = top_up(month)) {
          account.bills.push_back(*rest);
          top_ups.push_back(std::move(*rest));
        }
      } else if (month > last_paid) {
        const std::optional<int64_t> amount = price(month);
        if (!amount) return out;
        account.bills.push_back(bill(month, *amount));
      }
    }
  }
  for (Bill& b : top_ups) {
    account.due_now.amount += b.amount;
    account.due_now.months.push_back(std::move(b));
  }
  for (int month = std::max({last_paid + 1, start, now - tariffs.max_arrears_months}); month <= now + months_ahead; ++month) {
    const std::optional<int64_t> amount = price(month);
    if (!amount) return out;
    account.due_now.amount += *amount;
    account.due_now.months.push_back(bill(month, *amount));
  }
  out.account = std::move(account);
  return out;
}

}  // namespace daftar
