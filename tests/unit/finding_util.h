// Test helpers: the codes a check found, in order.
#pragma once

#include <string>
#include <vector>

#include "daftar/finding.h"

namespace daftar::testing {

inline std::vector<std::string> Codes(const Findings& findings) {
  std::vector<std::string> codes;
  for (const Finding& f : findings.all()) codes.push_back(f.code);
  return codes;
}

inline std::vector<std::string> Codes(const Findings& findings, Severity severity) {
  std::vector<std::string> codes;
  for (const Finding& f : findings.all()) {
    if (f.severity == severity) codes.push_back(f.code);
  }
  return codes;
}

using Strings = std::vector<std::string>;

}  // namespace daftar::testing
