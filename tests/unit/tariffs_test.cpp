#include "daftar/tariffs.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

namespace {

QuoteRequest Pbpu(std::string klass, int members) {
  QuoteRequest r;
  r.segment = "PBPU";
  r.class_key = std::move(klass);
  r.members = members;
  return r;
}

Contribution PerMember(const QuoteRequest& r, Date date) {
  const QuoteResult q = MakeQuote(BuiltinTariffs(), r, date);
  REQUIRE(q.quote);
  return *q.quote->per_member;
}

}  // namespace

TEST_CASE("the built-in tariff file is well formed") {
  const TariffLoad load = ParseTariffs(BuiltinTariffsJson());
  CHECK(load.findings.all().empty());
  REQUIRE(load.table);
  CHECK(load.table->pbpu.size() == 6);
  CHECK(load.table->max_arrears_months == 24);
}

// Every row of RULES.md section 2 is a test case.
TEST_CASE("PBPU contributions for every row of the schedule") {
  struct Row {
    Date date;
    const char* klass;
    int64_t total, participant, subsidy;
  };
  const Row rows[] = {
      {{2014, 1, 1}, "1", 59500, 59500, 0},    {{2016, 3, 31}, "2", 42500, 42500, 0},
      {{2016, 3, 31}, "3", 25500, 25500, 0},   {{2016, 4, 1}, "1", 80000, 80000, 0},
      {{2019, 12, 31}, "2", 51000, 51000, 0},  {{2020, 1, 1}, "1", 160000, 160000, 0},
      {{2020, 3, 31}, "2", 110000, 110000, 0}, {{2020, 2, 15}, "3", 42000, 42000, 0},
      {{2020, 4, 1}, "1", 80000, 80000, 0},    {{2020, 6, 30}, "3", 25500, 25500, 0},
      {{2020, 7, 1}, "1", 150000, 150000, 0},  {{2020, 12, 31}, "3", 42000, 25500, 16500},
      {{2021, 1, 1}, "2", 100000, 100000, 0},  {{2026, 11, 23}, "3", 42000, 35000, 7000},
  };
  for (const Row& row : rows) {
    INFO(FormatIsoDate(row.date) << " class " << row.klass);
    const Contribution c = PerMember(Pbpu(row.klass, 1), row.date);
    CHECK(c.total == row.total);
    CHECK(c.participant == row.participant);
    CHECK(c.subsidy == row.subsidy);
  }
}

TEST_CASE("a family pays per person; arrears count at most 24 months plus the current one, each at its tariff") {
  QuoteRequest r = Pbpu("3", 4);
  r.unpaid_months = 30;
  r.penalty = QuoteRequest::Penalty{10'000'000, 3};
  const QuoteResult q = MakeQuote(BuiltinTariffs(), r, {2021, 2, 1});
  REQUIRE(q.quote);
  CHECK(q.quote->basis == "Perpres 64/2020");
  CHECK(q.quote->monthly->total == 168000);
  CHECK(q.quote->monthly->participant == 140000);
  CHECK(q.quote->monthly->subsidy == 28000);
  CHECK(q.quote->reactivation->months_counted == 24);
  // 2019-02 .. 2021-01 and February 2021, per member: 11 x 25 500 + 3 x 42 000 + 9 x 25 500 +
  // 2 x 35 000 = 706 000 (not 25 x 35 000 at today's tariff).
  CHECK(q.quote->reactivation->amount == 4 * 706'000);
  REQUIRE(q.quote->reactivation->months.size() == 25);
  CHECK(q.quote->reactivation->months.front().month == Date{2019, 2, 1});
  CHECK(q.quote->reactivation->months.back().amount == 140000);
  CHECK(q.quote->penalty->rate_bp == 500);
  CHECK(q.quote->penalty->amount == 1'500'000);
}

TEST_CASE("service penalty: 2.5 % until 2020, 5 % after, at most 12 months and Rp30 000 000") {
  QuoteRequest r = Pbpu("1", 1);
  r.penalty = QuoteRequest::Penalty{10'000'000, 3};
  CHECK(MakeQuote(BuiltinTariffs(), r, {2019, 5, 1}).quote->penalty->amount == 750'000);
  r.penalty = QuoteRequest::Penalty{40'000'000, 24};
  CHECK(MakeQuote(BuiltinTariffs(), r, {2022, 5, 1}).quote->penalty->amount == 24'000'000);
  r.penalty = QuoteRequest::Penalty{500'000'000, 12};
  CHECK(MakeQuote(BuiltinTariffs(), r, {2022, 5, 1}).quote->penalty->amount == 30'000'000);
  CHECK(Codes(MakeQuote(BuiltinTariffs(), r, {2016, 6, 30}).findings) ==
        Strings{"quote.no_penalty_rule_for_date"});
}

TEST_CASE("PPU: 5 % of the salary base, capped and floored, plus 1 % per extra member") {
  QuoteRequest r;
  r.segment = "PPU";
  r.salary = 15'000'000;
  r.minimum_wage = 4'200'479;
  r.members = 5;
  r.extra_members = 2;
  const QuoteResult capped = MakeQuote(BuiltinTariffs(), r, {2021, 2, 1});
  REQUIRE(capped.quote);
  CHECK(capped.quote->ppu->base == 12'000'000);
  CHECK(capped.quote->ppu->employer == 480'000);
  CHECK(capped.quote->ppu->employee == 120'000);
  CHECK(capped.quote->ppu->extra_members == 240'000);
  CHECK_FALSE(capped.quote->monthly);

  r.salary = 3'000'000;  // below the regency's minimum wage: the floor applies
  r.extra_members = 1;
  const QuoteResult floored = MakeQuote(BuiltinTariffs(), r, {2021, 2, 1});
  CHECK(floored.quote->ppu->base == 4'200'479);
  CHECK(floored.quote->ppu->employer == 168'019);  // 168 019.16
  CHECK(floored.quote->ppu->employee == 42'005);   // 42 004.79, half up
  CHECK(floored.quote->ppu->extra_members == 42'005);

  r.members = 6;
  CHECK(Codes(MakeQuote(BuiltinTariffs(), r, {2021, 2, 1}).findings) ==
        Strings{"quote.ppu_too_many_members"});
}

TEST_CASE("PBI is paid wholly by the government") {
  QuoteRequest r;
  r.segment = "PBI";
  r.members = 3;
  const struct {
    Date date;
    int64_t amount;
  } rows[] = {{{2015, 1, 1}, 19225}, {{2016, 4, 1}, 23000}, {{2019, 7, 31}, 23000}, {{2019, 8, 1}, 42000}};
  for (const auto& row : rows) {
    const QuoteResult q = MakeQuote(BuiltinTariffs(), r, row.date);
    REQUIRE(q.quote);
    CHECK(q.quote->per_member->participant == 0);
    CHECK(q.quote->per_member->subsidy == row.amount);
    CHECK(q.quote->monthly->total == 3 * row.amount);
  }
  r.unpaid_months = 2;
  CHECK(Codes(MakeQuote(BuiltinTariffs(), r, {2021, 1, 1}).findings) ==
        Strings{"quote.reactivation_not_applicable"});
}

TEST_CASE("quotes outside the schedule and for unknown classes are refused") {
  CHECK(Codes(MakeQuote(BuiltinTariffs(), Pbpu("3", 1), {2013, 12, 31}).findings) ==
        Strings{"quote.no_tariff_for_date"});
  CHECK(Codes(MakeQuote(BuiltinTariffs(), Pbpu("4", 1), {2021, 1, 1}).findings) ==
        Strings{"quote.unknown_class"});
}

TEST_CASE("a new regulation is a new row: a KRIS class needs no code") {
  std::string text(BuiltinTariffsJson());
  const std::string last_row = R"({"from": "2021-01-01", "basis": "Perpres 64/2020",)";
  const auto at = text.find(last_row);
  REQUIRE(at != std::string::npos);
  text.replace(at, last_row.size(), R"({"from": "2021-01-01", "to": "2027-06-30", "basis": "Perpres 64/2020",)");
  const auto end = text.find("\n  ],\n  \"ppu\"");
  REQUIRE(end != std::string::npos);
  text.insert(end, R"x(,
    {"from": "2027-07-01", "basis": "KRIS (example)", "classes": {"KRIS": {"total": 75000, "participant": 70000, "subsidy": 5000}}})x");
  const TariffLoad load = ParseTariffs(text);
  REQUIRE(load.table);
  const QuoteResult q = MakeQuote(*load.table, Pbpu("KRIS", 2), {2027, 7, 1});
  REQUIRE(q.quote);
  CHECK(q.quote->monthly->participant == 140000);
  CHECK(q.quote->basis == "KRIS (example)");
}

TEST_CASE("a schedule's rows may come in any order") {
  const TariffLoad load = ParseTariffs(R"({"pbpu":[
      {"from":"2021-01-01","basis":"later","classes":{"1":{"total":2,"participant":2,"subsidy":0}}},
      {"from":"2019-01-01","to":"2019-12-31","basis":"earliest","classes":{"1":{"total":1,"participant":1,"subsidy":0}}},
      {"from":"2020-01-01","to":"2020-12-31","basis":"middle","classes":{"1":{"total":3,"participant":3,"subsidy":0}}}],
    "ppu":[],"pbi":[],"penalty":[],"reactivation":{"max_arrears_months":24,"penalty_window_days":45},
    "billing":{"due_day":10,"max_months_ahead":12},
    "changes":{"class_min_months":12,"facility_min_months":3,"facility_early_reasons":[],"newborn_cover_days":28,"newborn_pay_days_after_approval":7}})");
  REQUIRE(load.table);
  CHECK(load.findings.all().empty());
  for (const auto& [date, basis] : {std::pair{Date{2019, 6, 1}, "earliest"}, {Date{2020, 6, 1}, "middle"}, {Date{2022, 6, 1}, "later"}}) {
    const QuoteResult q = MakeQuote(*load.table, Pbpu("1", 1), date);
    REQUIRE(q.quote);
    CHECK(q.quote->basis == basis);
  }
}

TEST_CASE("malformed tariff files are refused with paths") {
  CHECK(Codes(ParseTariffs("{").findings) == Strings{"input.malformed_json"});
  const TariffLoad overlap = ParseTariffs(R"({"pbpu":[
      {"from":"2020-01-01","basis":"a","classes":{"1":{"total":1,"participant":1,"subsidy":0}}},
      {"from":"2021-01-01","basis":"b","classes":{"1":{"total":2,"participant":1,"subsidy":0},
                                                 "2":{"total":2,"participant":2,"subsidy":0}}}],
    "ppu":[],"pbi":[],"penalty":[],"reactivation":{"max_arrears_months":24,"penalty_window_days":45},
    "billing":{"due_day":10,"max_months_ahead":12},
    "changes":{"class_min_months":12,"facility_min_months":3,"facility_early_reasons":[],"newborn_cover_days":28,"newborn_pay_days_after_approval":7}})");
  CHECK(Codes(overlap.findings) == Strings{"tariffs.inconsistent_amounts", "tariffs.overlapping_rows"});
  CHECK(overlap.findings.all()[0].path == "/pbpu/1/classes/1");
  CHECK(overlap.findings.all()[1].path == "/pbpu");
  CHECK_FALSE(overlap.table);
}
