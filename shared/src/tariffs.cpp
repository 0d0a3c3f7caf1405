#include "daftar/tariffs.h"

#include <algorithm>
#include <limits>

#include "daftar/json_depth.h"
#include "json_read.h"

namespace daftar::data {
extern const char tariffs_json[];
}

namespace daftar {

bool Validity::Covers(Date date) const { return from <= date && (!to || date <= *to); }

namespace {

constexpr int64_t kMaxRupiah = 1'000'000'000'000;  // far above any tariff, far below overflow

template <typename Row>
const Row* RowAt(const std::vector<Row>& rows, Date date) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.Covers(date); });
  return it == rows.end() ? nullptr : &*it;
}

bool ReadValidity(JsonReader& in, const json& row, const std::string& path, Validity& out) {
  const auto from = in.IsoDate(row, "from", path, Need::kRequired);
  const auto to = in.IsoDate(row, "to", path, Need::kOptional);
  const auto basis = in.String(row, "basis", path, Need::kRequired);
  if (!from || !basis) return false;
  out.from = *from;
  out.to = to;
  out.basis = *basis;
  if (to && *to < *from) in.findings().Error(JoinPointer(path, "to"), "tariffs.ends_before_start");
  return true;
}

// Reads the array `key` of `doc`, one row at a time with `read_row`, then refuses overlaps.
template <typename Row, typename ReadRow>
std::vector<Row> ReadSchedule(JsonReader& in, const json& doc, std::string_view key,
                              ReadRow read_row) {
  std::vector<Row> rows;
  const json* array = in.Array(doc, key, "", Need::kRequired);
  if (array == nullptr) return rows;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = JoinPointer(JoinPointer("", key), i);
    Row row;
    if (ReadValidity(in, (*array)[i], path, row) && read_row((*array)[i], path, row)) {
      // In date order as read: a schedule has a handful of rows, and a sort per row type would
      // cost the browser's module kilobytes.
      const auto later = std::upper_bound(rows.begin(), rows.end(), row.from, [](Date from, const Row& r) { return from < r.from; });
      rows.insert(later, std::move(row));
    }
  }
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (!rows[i - 1].to || rows[i].from <= *rows[i - 1].to) {
      in.findings().Error(JoinPointer("", key), "tariffs.overlapping_rows",
                          {{"from", FormatIsoDate(rows[i].from)}});
    }
  }
  return rows;
}

std::optional<Contribution> ReadContribution(JsonReader& in, const json& object,
                                             const std::string& path) {
  const auto total = in.Integer(object, "total", path, Need::kRequired, 0, kMaxRupiah);
  const auto participant = in.Integer(object, "participant", path, Need::kRequired, 0, kMaxRupiah);
  const auto subsidy = in.Integer(object, "subsidy", path, Need::kRequired, 0, kMaxRupiah);
  if (!total || !participant || !subsidy) return std::nullopt;
  if (*participant + *subsidy != *total) {
    in.findings().Error(path, "tariffs.inconsistent_amounts");
    return std::nullopt;
  }
  return Contribution{*total, *participant, *subsidy};
}

}  // namespace

const ClassSchedule* TariffTable::PbpuAt(Date date) const { return RowAt(pbpu, date); }
const WageSchedule* TariffTable::PpuAt(Date date) const { return RowAt(ppu, date); }
const FlatSchedule* TariffTable::PbiAt(Date date) const { return RowAt(pbi, date); }
const PenaltySchedule* TariffTable::PenaltyAt(Date date) const { return RowAt(penalty, date); }

TariffLoad ParseTariffs(std::string_view text) {
  TariffLoad out;
  if (NestedDeeperThan(text)) {
    out.findings.Error("", "input.too_deep", {{"max", int64_t{kMaxJsonDepth}}});
    return out;
  }
  const json doc = ParseJson(text);
  if (doc.is_discarded() || !doc.is_object()) {
    out.findings.Error("", "input.malformed_json");
    return out;
  }
  JsonReader in(out.findings);
  TariffTable table;
  table.version = in.String(doc, "version", "", Need::kOptional).value_or("");

  table.pbpu = ReadSchedule<ClassSchedule>(in, doc, "pbpu", [&](const json& row, const std::string& path, ClassSchedule& s) {
    const json* classes = in.Object(row, "classes", path, Need::kRequired);
    if (classes == nullptr) return false;
    for (const auto& [key, value] : classes->items()) {
      if (auto c = ReadContribution(in, value, JoinPointer(JoinPointer(path, "classes"), key))) {
        s.classes[key] = *c;
      }
    }
    return !s.classes.empty();
  });
  table.ppu = ReadSchedule<WageSchedule>(in, doc, "ppu", [&](const json& row, const std::string& path, WageSchedule& s) {
    const auto employer = in.Integer(row, "employer_bp", path, Need::kRequired, 0, 10000);
    const auto employee = in.Integer(row, "employee_bp", path, Need::kRequired, 0, 10000);
    const auto extra = in.Integer(row, "extra_member_bp", path, Need::kRequired, 0, 10000);
    const auto cap = in.Integer(row, "salary_cap", path, Need::kRequired, 1, kMaxRupiah);
    const auto covered = in.Integer(row, "covered_members", path, Need::kRequired, 1, 100);
    if (!employer || !employee || !extra || !cap || !covered) return false;
    s.employer_bp = static_cast<int>(*employer);
    s.employee_bp = static_cast<int>(*employee);
    s.extra_member_bp = static_cast<int>(*extra);
    s.salary_cap = *cap;
    s.covered_members = static_cast<int>(*covered);
    return true;
  });
  table.pbi = ReadSchedule<FlatSchedule>(in, doc, "pbi", [&](const json& row, const std::string& path, FlatSchedule& s) {
    const auto amount = in.Integer(row, "amount", path, Need::kRequired, 0, kMaxRupiah);
    if (amount) s.amount = *amount;
    return amount.has_value();
  });
  table.penalty = ReadSchedule<PenaltySchedule>(in, doc, "penalty", [&](const json& row, const std::string& path, PenaltySchedule& s) {
    const auto rate = in.Integer(row, "rate_bp", path, Need::kRequired, 0, 10000);
    const auto months = in.Integer(row, "max_months", path, Need::kRequired, 1, 1200);
    const auto cap = in.Integer(row, "cap", path, Need::kRequired, 0, kMaxRupiah);
    if (!rate || !months || !cap) return false;
    s.rate_bp = static_cast<int>(*rate);
    s.max_months = static_cast<int>(*months);
    s.cap = *cap;
    return true;
  });
  if (const json* reactivation = in.Object(doc, "reactivation", "", Need::kRequired)) {
    const auto months = in.Integer(*reactivation, "max_arrears_months", "/reactivation",
                                   Need::kRequired, 0, 1200);
    table.max_arrears_months = static_cast<int>(months.value_or(0));
    const auto window = in.Integer(*reactivation, "penalty_window_days", "/reactivation", Need::kRequired, 0, 3660);
    table.penalty_window_days = static_cast<int>(window.value_or(0));
  }
  if (const json* billing = in.Object(doc, "billing", "", Need::kRequired)) {
    // Day 28 at most: every month has it.
    table.due_day = static_cast<int>(in.Integer(*billing, "due_day", "/billing", Need::kRequired, 1, 28).value_or(0));
    table.max_months_ahead =
        static_cast<int>(in.Integer(*billing, "max_months_ahead", "/billing", Need::kRequired, 0, 120).value_or(0));
  }
  if (const json* changes = in.Object(doc, "changes", "", Need::kRequired)) {
    table.class_change_min_months =
        static_cast<int>(in.Integer(*changes, "class_min_months", "/changes", Need::kRequired, 0, 1200).value_or(0));
    table.facility_change_min_months =
        static_cast<int>(in.Integer(*changes, "facility_min_months", "/changes", Need::kRequired, 0, 1200).value_or(0));
    table.newborn_cover_days =
        static_cast<int>(in.Integer(*changes, "newborn_cover_days", "/changes", Need::kRequired, 0, 366).value_or(0));
    table.newborn_pay_days_after_approval = static_cast<int>(
        in.Integer(*changes, "newborn_pay_days_after_approval", "/changes", Need::kRequired, 0, 366).value_or(0));
    if (const json* reasons = in.Array(*changes, "facility_early_reasons", "/changes", Need::kRequired)) {
      for (std::size_t i = 0; i < reasons->size(); ++i) {
        if ((*reasons)[i].is_string()) {
          table.facility_early_reasons.push_back((*reasons)[i].get<std::string>());
        } else {
          out.findings.Error(JoinPointer("/changes/facility_early_reasons", i), "input.wrong_type", {{"expected", "string"}});
        }
      }
    }
  }
  if (!out.findings.has_errors()) out.table = std::move(table);
  return out;
}

const TariffTable& BuiltinTariffs() {
  // The built-in file is checked by the tests; an empty table would only mean every quote
  // reports that no tariff applies, never a crash.
  static const TariffTable table = ParseTariffs(data::tariffs_json).table.value_or(TariffTable{});
  return table;
}

std::string_view BuiltinTariffsJson() { return data::tariffs_json; }

namespace {

// `amount` x `bp` / 10 000, rounded half up to whole rupiah.
int64_t ApplyBasisPoints(int64_t amount, int bp) { return (amount * bp + 5000) / 10000; }

void QuotePpu(const TariffTable& tariffs, const QuoteRequest& r, Date date, QuoteResult& out) {
  const WageSchedule* row = tariffs.PpuAt(date);
  if (row == nullptr) {
    out.findings.Error("/date", "quote.no_tariff_for_date", {{"date", FormatIsoDate(date)}});
    return;
  }
  if (r.members > row->covered_members) {
    out.findings.Error("/members", "quote.ppu_too_many_members",
                       {{"max", int64_t{row->covered_members}}});
    return;
  }
  WageAmounts ppu;
  ppu.base = std::min(std::max(r.salary, r.minimum_wage), row->salary_cap);
  ppu.employer = ApplyBasisPoints(ppu.base, row->employer_bp);
  ppu.employee = ApplyBasisPoints(ppu.base, row->employee_bp);
  ppu.extra_members = r.extra_members * ApplyBasisPoints(ppu.base, row->extra_member_bp);
  out.quote->basis = row->basis;
  out.quote->ppu = ppu;
}

}  // namespace

QuoteResult MakeQuote(const TariffTable& tariffs, const QuoteRequest& r, Date date) {
  QuoteResult out;
  out.quote = Quote{};
  out.quote->date = date;
  Findings& f = out.findings;

  if (r.segment == "PBPU" || r.segment == "BP") {
    const ClassSchedule* row = tariffs.PbpuAt(date);
    const auto klass = row ? row->classes.find(r.class_key) : decltype(row->classes.end()){};
    if (row == nullptr) {
      f.Error("/date", "quote.no_tariff_for_date", {{"date", FormatIsoDate(date)}});
    } else if (klass == row->classes.end()) {
      std::string allowed;
      for (const auto& [key, unused] : row->classes) allowed += (allowed.empty() ? "" : ", ") + key;
      f.Error("/class", "quote.unknown_class", {{"allowed", allowed}});
    } else {
      const Contribution& c = klass->second;
      out.quote->basis = row->basis;
      out.quote->per_member = c;
      out.quote->monthly = Contribution{c.total * r.members, c.participant * r.members,
                                        c.subsidy * r.members};
    }
  } else if (r.segment == "PBI") {
    const FlatSchedule* row = tariffs.PbiAt(date);
    if (row == nullptr) {
      f.Error("/date", "quote.no_tariff_for_date", {{"date", FormatIsoDate(date)}});
    } else {
      out.quote->basis = row->basis;
      out.quote->per_member = Contribution{row->amount, 0, row->amount};
      out.quote->monthly = Contribution{row->amount * r.members, 0, row->amount * r.members};
    }
  } else if (r.segment == "PPU") {
    QuotePpu(tariffs, r, date, out);
  } else {
    f.Error("/segment", "quote.unknown_segment");
  }

  if (r.unpaid_months && !f.has_errors()) {
    if (!out.quote->monthly || r.segment == "PBI") {
      f.Error("/unpaid_months", "quote.reactivation_not_applicable");
    } else {
      const int counted = std::min(*r.unpaid_months, tariffs.max_arrears_months);
      Quote::Reactivation reactivation{counted, 0, {}};
      if (r.segment == "PPU") {
        // A wage earner's months are priced from the salary: the same each month.
        for (int i = counted; i >= 0; --i) {
          reactivation.months.push_back({AddMonths(Date{date.year, date.month, 1}, -i), out.quote->monthly->participant});
        }
      } else {
        // Each unpaid month at the tariff in force in that month (Perpres 64/2020 changed the
        // amounts while families were in arrears), and the current month at today's.
        for (int i = counted; i >= 0; --i) {
          const Date month = AddMonths(Date{date.year, date.month, 1}, -i);
          const ClassSchedule* row = tariffs.PbpuAt(i == 0 ? date : month);
          const auto klass = row ? row->classes.find(r.class_key) : decltype(row->classes.end()){};
          if (row == nullptr || klass == row->classes.end()) {
            f.Error("/unpaid_months", "quote.no_tariff_for_date", {{"date", FormatIsoDate(month)}});
            break;
          }
          reactivation.months.push_back({month, klass->second.participant * r.members});
        }
      }
      for (const auto& m : reactivation.months) reactivation.amount += m.amount;
      out.quote->reactivation = std::move(reactivation);
    }
  }
  if (r.penalty) {
    const PenaltySchedule* row = tariffs.PenaltyAt(date);
    if (row == nullptr) {
      f.Error("/penalty", "quote.no_penalty_rule_for_date", {{"date", FormatIsoDate(date)}});
    } else {
      const int months = std::min(r.penalty->months_in_arrears, row->max_months);
      // cost x rate x months can exceed int64 for absurd costs: the cap bounds it first.
      const int64_t per_month = ApplyBasisPoints(r.penalty->inpatient_cost, row->rate_bp);
      const int64_t amount = months == 0 ? 0 : std::min(per_month, row->cap) * months;
      out.quote->penalty = Quote::PenaltyEstimate{row->rate_bp, std::min(amount, row->cap)};
    }
  }
  if (f.has_errors()) out.quote.reset();
  return out;
}

}  // namespace daftar
