// The commands only the server runs, in the native builds only: a family's statement (bills,
// cover, what is due), which the server computes and the browser shows; the card numbers and
// virtual accounts it issues; opening a package, which needs the intake key only the server holds.
// Neither browser module carries them (browser_*_module.cpp).
#include "daftar/account.h"
#include "daftar/card.h"
#include "daftar/keys.h"
#include "daftar/package.h"
#include "api_sodium.h"

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

json CardNextCommand(Context& c) {
  const json* serial = Member(c.input, "serial");
  std::optional<int64_t> value;
  if (serial && serial->is_string() && !serial->get_ref<const std::string&>().empty() &&
      serial->get_ref<const std::string&>().size() <= 12 &&
      serial->get_ref<const std::string&>().find_first_not_of("0123456789") == std::string::npos) {
    value = std::stoll(serial->get<std::string>());
  } else if (serial && serial->is_number_integer()) {
    value = serial->is_number_unsigned() && serial->get<uint64_t>() > uint64_t{INT64_MAX}
                ? -1
                : serial->get<int64_t>();
  } else if (serial == nullptr || serial->is_null()) {
    c.findings.Error("/serial", "input.required");
    return Verdict(c.findings);
  }
  const std::optional<std::string> card = value ? CardFromSerial(*value) : std::nullopt;
  if (!card) {
    c.findings.Error("/serial", "card.invalid_serial", {{"max", kMaxCardSerial}});
    return Verdict(c.findings);
  }
  return {{"card", *card}};
}

json VaCommand(Context& c) {
  const auto card = c.in.String(c.input, "card", "", Need::kRequired);
  const auto prefix = c.in.String(c.input, "prefix", "", Need::kOptional);
  if (!card || c.findings.has_errors()) return Verdict(c.findings);
  VaResult va = MakeVirtualAccount(*card, prefix.value_or(std::string(kDefaultVaPrefix)));
  if (va.findings.has_errors()) return Verdict(va.findings);
  json out = {{"va", va.va}};
  if (va.findings.has_warnings()) out["warnings"] = FindingsToJson(va.findings, Severity::kWarning);
  return out;
}

// {secret_key} + a whole package -> {application, documents: [{size}]} and the documents' bytes,
// one after the other.
json OpenPackageCommand(Context& c) {
  const auto key_text = c.in.String(c.input, "secret_key", "", Need::kRequired);
  if (!key_text) return Verdict(c.findings);
  const std::optional<std::string> raw = Base64Decode(*key_text);
  const std::optional<SecretKey> secret = raw ? KeyFromBytes<kSecretKeyBytes>(*raw) : std::nullopt;
  if (!secret) {
    c.findings.Error("/secret_key", "package.invalid_secret_key");
    return Verdict(c.findings);
  }
  OpenedPackage opened = OpenPackage(c.payload, IntakePublicFromSecret(*secret), *secret);
  if (opened.findings.has_errors()) return Verdict(opened.findings);
  json out = Verdict(c.findings);
  out["application"] = ParseJson(opened.manifest);
  out["documents"] = json::array();
  for (const std::string& d : opened.documents) {
    out["documents"].push_back({{"size", d.size()}});
    c.payload_out += d;
  }
  return out;
}

constexpr Command kServerCommands[] = {
    {"account", AccountCommand},
    {"card-next", CardNextCommand},
    {"va", VaCommand},
    {"open-package", WithSodium<OpenPackageCommand>},
};

}  // namespace

std::span<const Command> ServerCommands() { return kServerCommands; }

}  // namespace daftar
