#include "daftar/address.h"

#include "daftar/regions.h"
#include "json_read.h"
#include "text.h"

namespace daftar {

FieldCheck CheckPostalCode(std::string_view input) {
  FieldCheck out;
  out.normalized = text::Strip(text::Trim(input), " ");
  if (out.normalized.empty()) {
    out.findings.Error("", "postal_code.required");
  } else if (out.normalized.size() != 5 || !text::AllDigits(out.normalized) ||
             out.normalized[0] == '0') {
    out.findings.Error("", "postal_code.invalid");
  }
  return out;
}

FieldCheck CheckNeighbourhood(std::string_view input, std::string_view field) {
  FieldCheck out;
  const std::string digits(text::Trim(input));
  const std::string prefix(field);
  if (digits.empty()) {
    out.findings.Error("", prefix + ".required");
  } else if (digits.size() > 3 || !text::AllDigits(digits) || text::ParseSmallNumber(digits) == 0) {
    out.findings.Error("", prefix + ".invalid");
  } else {
    out.normalized = std::string(3 - digits.size(), '0') + digits;
  }
  return out;
}

FieldCheck CheckVillageCode(std::string_view input) {
  FieldCheck out;
  const std::string code = text::StripNumberSeparators(input);
  if (code.empty()) {
    out.findings.Error("", "village.required");
  } else if (code.size() != 10 || !text::AllDigits(code)) {
    out.findings.Error("", "village.invalid_format");
  } else if (regions::HasVillageTable() ? !regions::IsCurrentVillage(code)
                                         : !regions::IsKnownDistrict(code.substr(0, 6), regions::Era::kCurrent)) {
    out.findings.Error("", "village.unknown", {{"village", code}});
  } else {
    out.normalized = code.substr(0, 2) + "." + code.substr(2, 2) + "." + code.substr(4, 2) + "." +
                     code.substr(6, 4);
  }
  return out;
}

FieldCheck CheckAddressLine(std::string_view input) {
  FieldCheck out;
  // Collapse runs of white space; the line is free text otherwise.
  for (char c : text::Trim(input)) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.normalized.empty() || out.normalized.back() == ' ')) continue;
    out.normalized.push_back(space ? ' ' : c);
  }
  if (out.normalized.empty()) {
    out.findings.Error("", "address_line.required");
  } else if (out.normalized.size() < 3) {
    out.findings.Error("", "address_line.too_short", {{"min", int64_t{3}}});
  } else if (out.normalized.size() > 200) {
    out.findings.Error("", "address_line.too_long", {{"max", int64_t{200}}});
  }
  return out;
}

void CheckAddressObject(const json& address, Findings& findings, json& normalized) {
  JsonReader in(findings);
  const auto field = [&](std::string_view key, auto check) {
    const std::optional<std::string> value = in.String(address, key, "", Need::kRequired);
    if (!value) return;
    FieldCheck result = check(*value);
    findings.Append(result.findings, JoinPointer("", key));
    if (result.ok()) normalized[std::string(key)] = result.normalized;
  };
  field("line", CheckAddressLine);
  field("rt", [](std::string_view t) { return CheckNeighbourhood(t, "rt"); });
  field("rw", [](std::string_view t) { return CheckNeighbourhood(t, "rw"); });
  field("village_code", CheckVillageCode);
  field("postal_code", CheckPostalCode);
}

}  // namespace daftar
