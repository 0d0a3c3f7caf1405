#include "daftar/application.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;
using json = nlohmann::ordered_json;

namespace {

const Date kToday{2026, 11, 23};

json ExampleFamily() {
  std::ifstream file(DAFTAR_SOURCE_DIR "/examples/family.json");
  return json::parse(file, nullptr, false);
}

ApplicationCheck Validate(const json& app) {
  return ValidateApplication(app, kToday, BuiltinTariffs(), BuiltinDocumentRules());
}

json Doc(const char* kind, json member) {
  return {{"kind", kind}, {"member", member}, {"media_type", "image/jpeg"}, {"size", 1000},
          {"blake2b", std::string(64, 'a')}};
}

std::string PathOf(const ApplicationCheck& c, const std::string& code) {
  for (const Finding& f : c.findings.all()) {
    if (f.code == code) return f.path;
  }
  return "(none)";
}

}  // namespace

TEST_CASE("the example family is valid and normalised") {
  const ApplicationCheck c = Validate(ExampleFamily());
  CHECK(Codes(c.findings) == Strings{});
  CHECK(c.normalized["kk_number"] == "3204112203180004");
  CHECK(c.normalized["members"][1]["nik"] == "3204114512900002");
  CHECK(c.normalized["members"][1]["name"] == "SITI AMINAH");
  CHECK(c.normalized["contact"]["phone"] == "+6281234567890");
  CHECK(c.normalized["address"]["rt"] == "003");
}

TEST_CASE("self-registration is for PBPU and BP; PPU and PBI are told where to go") {
  json app = ExampleFamily();
  app["segment"] = "BP";
  CHECK(Codes(Validate(app).findings) == Strings{});
  app["segment"] = "PPU";
  CHECK(Codes(Validate(app).findings) == Strings{"application.segment_by_employer"});
  app["segment"] = "PBI";
  CHECK(Codes(Validate(app).findings) == Strings{"application.segment_by_government"});
  app["segment"] = "X";
  CHECK(Codes(Validate(app).findings) == Strings{"application.invalid_segment"});
}

TEST_CASE("the class must be on offer today") {
  json app = ExampleFamily();
  app["class"] = "1";
  CHECK(Codes(Validate(app).findings) == Strings{});
  app["class"] = 4;
  CHECK(Codes(Validate(app).findings) == Strings{"application.invalid_class"});
  app["class"] = true;
  CHECK(Codes(Validate(app).findings) == Strings{"input.wrong_type"});
}

TEST_CASE("exactly one head of family, and every NIK once") {
  json app = ExampleFamily();
  app["members"][2]["relationship"] = "head";
  const ApplicationCheck two = Validate(app);
  CHECK(Codes(two.findings) == Strings{"family.multiple_heads"});
  CHECK(PathOf(two, "family.multiple_heads") == "/members/2/relationship");
  app["members"][2]["relationship"] = "child";
  app["members"][0]["relationship"] = "spouse";
  CHECK(Codes(Validate(app).findings) == Strings{"family.no_head"});

  app = ExampleFamily();
  app["members"][3]["nik"] = "3204-1115-0315-0001";  // member 2's NIK, typed differently
  app["members"][3]["birth_date"] = "2015-03-15";
  app["members"][3]["sex"] = "M";
  const ApplicationCheck dup = Validate(app);
  CHECK(Codes(dup.findings) == Strings{"family.duplicate_nik"});
  CHECK(PathOf(dup, "family.duplicate_nik") == "/members/3/nik");
}

TEST_CASE("declared birth date and sex must agree with the NIK") {
  json app = ExampleFamily();
  app["members"][1]["birth_date"] = "1990-12-06";
  app["members"][1]["sex"] = "M";
  const ApplicationCheck c = Validate(app);
  CHECK(Codes(c.findings) == Strings{"member.birth_date_mismatch", "member.sex_mismatch"});
  CHECK(PathOf(c, "member.sex_mismatch") == "/members/1/sex");
}

TEST_CASE("a newborn may go without a NIK for 3 months, with a birth certificate") {
  json app = ExampleFamily();
  app["members"].push_back({{"nik", nullptr}, {"name", "Bayi Santoso"}, {"birth_date", "2026-10-01"},
                            {"sex", "F"}, {"relationship", "child"}, {"marital_status", "single"}});
  CHECK(Codes(Validate(app).findings) == Strings{"documents.missing_birth_certificate"});
  app["documents"].push_back(Doc("birth_certificate", 4));
  CHECK(Codes(Validate(app).findings) == Strings{});
  app["members"][4].erase("nik");  // an absent NIK is the same as null
  CHECK(Codes(Validate(app).findings) == Strings{});
  app["members"][4]["birth_date"] = "2026-08-23";  // three months old today
  const ApplicationCheck late = Validate(app);
  CHECK(Codes(late.findings) == Strings{"member.nik_required"});
  CHECK(PathOf(late, "member.nik_required") == "/members/4/nik");
}

TEST_CASE("a KTP for every member aged 17 or over or ever married") {
  json app = ExampleFamily();
  app["documents"].erase(2);
  const ApplicationCheck c = Validate(app);
  CHECK(Codes(c.findings) == Strings{"documents.missing_ktp"});
  CHECK(std::get<int64_t>(c.findings.all()[0].params[0].value) == 1);

  app = ExampleFamily();
  app["members"][2]["marital_status"] = "married";  // married at 11: still needs a KTP
  CHECK(Codes(Validate(app).findings) == Strings{"documents.missing_ktp"});

  app = ExampleFamily();
  app["members"][2]["nik"] = "3204112311090001";  // 17 today
  app["members"][2]["birth_date"] = "2009-11-23";
  CHECK(Codes(Validate(app).findings) == Strings{"documents.missing_ktp"});
  app["members"][2]["nik"] = "3204112411090001";  // 17 tomorrow
  app["members"][2]["birth_date"] = "2009-11-24";
  CHECK(Codes(Validate(app).findings) == Strings{});
}

TEST_CASE("the family's KK document is required and belongs to no member") {
  json app = ExampleFamily();
  app["documents"].erase(0);
  CHECK(Codes(Validate(app).findings) == Strings{"documents.missing_kk"});
  app["documents"].push_back(Doc("kk", 0));
  CHECK(Codes(Validate(app).findings) == Strings{"document.member_not_allowed"});
}

TEST_CASE("each document entry is well formed") {
  json app = ExampleFamily();
  app["documents"][1]["kind"] = "passport";
  app["documents"][2]["media_type"] = "image/gif";
  app["documents"].push_back(Doc("ktp", 9));
  app["documents"].push_back(Doc("photo", nullptr));
  json big = Doc("ktp", 0);
  big["size"] = 2097153;
  big["blake2b"] = "xyz";
  app["documents"].push_back(big);
  json empty = Doc("ktp", 0);
  empty["size"] = 0;
  app["documents"].push_back(empty);
  const ApplicationCheck c = Validate(app);
  CHECK(Codes(c.findings) == Strings{"document.unknown_kind", "document.unsupported_media_type",
                                     "document.invalid_member", "document.member_required",
                                     "document.too_large", "document.invalid_hash", "document.empty"});
  CHECK(PathOf(c, "document.invalid_member") == "/documents/3/member");
  CHECK(PathOf(c, "document.too_large") == "/documents/5/size");
}

TEST_CASE("contact and address rules apply with their paths") {
  json app = ExampleFamily();
  app["contact"]["phone"] = "022-7654321";
  app["contact"]["email"] = "siti@gmail";
  app["address"]["village_code"] = "32.04.11.2003";
  app["address"]["postal_code"] = "04092";
  app["address"]["rt"] = "0";
  const ApplicationCheck c = Validate(app);
  CHECK(Codes(c.findings) == Strings{"phone.not_mobile", "email.invalid_domain", "rt.invalid",
                                     "village.unknown", "postal_code.invalid"});
  CHECK(PathOf(c, "phone.not_mobile") == "/contact/phone");
  CHECK(PathOf(c, "village.unknown") == "/address/village_code");
}

TEST_CASE("structure errors name the place, and nothing aborts") {
  CHECK(Codes(Validate(json::array()).findings) == Strings{"input.wrong_type"});
  json app = ExampleFamily();
  app["members"][0]["name"] = 42;
  app["members"][1] = "Siti";
  app.erase("contact");
  app["address"] = nullptr;
  const ApplicationCheck c = Validate(app);
  CHECK(PathOf(c, "input.wrong_type") == "/members/0/name");
  CHECK(PathOf(c, "input.required") == "/contact");
  CHECK(Codes(Validate(json::object()).findings).size() >= 7);
}

TEST_CASE("an application lists at most max_members members") {
  json app = ExampleFamily();
  while (app["members"].size() < 21) app["members"].push_back(app["members"][1]);
  const ApplicationCheck c = Validate(app);
  CHECK(Codes(c.findings) == Strings{"family.too_many_members"});
  CHECK(PathOf(c, "family.too_many_members") == "/members");
  // The server's limit replaces the default.
  CHECK(Codes(ValidateApplication(ExampleFamily(), kToday, BuiltinTariffs(), BuiltinDocumentRules(), 1).findings) ==
        Strings{"family.too_many_members"});
}
