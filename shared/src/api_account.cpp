// The `account` command: a family's statement (bills, cover, what is due). In the native builds
// only: the server computes the statement and the browser shows it, so neither browser module
// carries the account rules (browser_*_module.cpp).
#include "daftar/account.h"
#include "api_internal.h"

namespace daftar {

namespace {

// "YYYY-MM" as that month's first day.
std::optional<Date> ReadMonth(Context& c, const json& object, std::string_view key, std::string_view base, Need need) {
  const std::optional<std::string> text = c.in.String(object, key, base, need);
  if (!text) return std::nullopt;
  const std::optional<Date> month = text->size() == 7 ? ParseIsoDate(*text + "-01") : std::nullopt;
  if (!month) c.findings.Error(JoinPointer(base, key), "input.invalid_month", {{"expected", "YYYY-MM"}});
  return month;
}

std::string MonthText(Date month) { return FormatIsoDate(month).substr(0, 7); }

json BillToJson(const Bill& b) {
  json out = {{"month", MonthText(b.month)}, {"amount", b.amount}, {"due", FormatIsoDate(b.due)},
              {"status", b.paid ? "paid" : "unpaid"}};
  if (b.paid) out["paid_at"] = b.paid_at;
  if (b.top_up) out["top_up"] = true;
  return out;
}

// A family's statement for today: its classes, members' cover and the months it has paid in.
json AccountCommand(Context& c) {
  constexpr std::size_t kMaxRows = 1200;  // a century of months
  const auto today = RequiredDate(c, "today");
  AccountHistory history;
  const auto rows = [&](std::string_view key, auto read) {
    const json* list = c.in.Array(c.input, key, "", key == "paid" ? Need::kOptional : Need::kRequired);
    if (list == nullptr) return;
    if (list->size() > kMaxRows) c.findings.Error(JoinPointer("", key), "input.too_many_items", {{"max", int64_t{kMaxRows}}});
    for (std::size_t i = 0; i < list->size() && i < kMaxRows; ++i) read((*list)[i], JoinPointer(JoinPointer("", key), i));
  };
  rows("classes", [&](const json& row, const std::string& at) {
    const auto from = ReadMonth(c, row, "from", at, Need::kRequired);
    const json* klass = Member(row, "class");
    const auto key = klass && klass->is_number_integer() ? std::to_string(klass->get<int64_t>())
                                                         : c.in.String(row, "class", at, Need::kRequired);
    if (from && key) history.classes.push_back({*from, *key});
  });
  rows("members", [&](const json& row, const std::string& at) {
    const auto from = ReadMonth(c, row, "from", at, Need::kRequired);
    const auto until = ReadMonth(c, row, "until", at, Need::kOptional);
    const auto pay_by = c.in.IsoDate(row, "pay_by", at, Need::kOptional);
    if (from) history.members.push_back({*from, until, pay_by});
  });
  rows("paid", [&](const json& row, const std::string& at) {
    const auto month = ReadMonth(c, row, "month", at, Need::kRequired);
    const auto amount = c.in.Integer(row, "amount", at, Need::kRequired, 0, 1'000'000'000'000);
    const auto paid_at = c.in.String(row, "paid_at", at, Need::kRequired);
    if (paid_at && !ParseIsoTimestampDate(*paid_at)) c.findings.Error(JoinPointer(at, "paid_at"), "input.invalid_date");
    if (month && amount && paid_at) history.paid.push_back({*month, *amount, *paid_at});
  });
  const auto ahead = c.in.Integer(c.input, "months_ahead", "", Need::kOptional, 0, 1200);
  if (!today || c.findings.has_errors()) return Verdict(c.findings);
  const AccountResult result = MakeAccount(c.tariffs(), history, *today, static_cast<int>(ahead.value_or(0)));
  if (!result.account) return Verdict(result.findings);
  const Account& a = *result.account;
  const auto date = [](const std::optional<Date>& d) { return d ? json(FormatIsoDate(*d)) : json(); };
  json bills = json::array(), due = json::array(), months = json::array();
  for (const Bill& b : a.bills) bills.push_back(BillToJson(b));
  for (const Bill& b : a.due_now.months) {
    months.push_back(MonthText(b.month));
    due.push_back(BillToJson(b));
  }
  json out = {{"membership", a.membership},
              {"bills", std::move(bills)},
              {"due_now", {{"amount", a.due_now.amount}, {"months", std::move(months)}, {"bills", std::move(due)}}},
              {"suspended_from", date(a.suspended_from)},
              {"reactivated_at", date(a.reactivated_at)},
              {"penalty_window_until", date(a.penalty_window_until)},
              {"penalty", nullptr}};
  if (a.penalty) {
    out["penalty"] = {{"rate_bp", a.penalty->rate_bp}, {"months_in_arrears", a.penalty->months_in_arrears},
                      {"max_months", a.penalty->max_months}, {"cap", a.penalty->cap}};
  }
  return out;
}

constexpr Command kAccountCommands[] = {
    {"account", AccountCommand},
};

}  // namespace

std::span<const Command> AccountCommands() { return kAccountCommands; }

}  // namespace daftar
